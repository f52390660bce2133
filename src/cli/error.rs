//! How a command stops short of its own result: a usage error, said here in one place, or a
//! failure the command has already explained on standard error. `main` turns either into the
//! process exit code, so every command can use `?`.

use std::process::ExitCode;

use super::EXIT_USAGE;

/// What every command returns: its own exit code, or why it stopped early.
pub(crate) type CmdResult = Result<ExitCode, CliError>;

#[derive(Debug)]
pub(crate) enum CliError {
    /// What was given on the command line or on its input is wrong (exit 64).
    Usage(String),
    /// The command has said why on standard error (a refusal, a store that failed); only its
    /// exit code is left.
    Said(ExitCode),
}

impl CliError {
    /// Says a usage error — cleaned of control characters and of anything token-shaped, whatever
    /// field the person typed it into — and gives the exit code.
    pub(crate) fn exit(self) -> ExitCode {
        match self {
            CliError::Usage(message) => {
                eprintln!("patwiz: {}", crate::domain::text::safe_message(&message));
                ExitCode::from(EXIT_USAGE)
            }
            CliError::Said(code) => code,
        }
    }
}

impl From<super::UsageError> for CliError {
    fn from(e: super::UsageError) -> CliError {
        CliError::Usage(e.0)
    }
}

/// The exit code of a failure the command has already explained on standard error.
impl From<ExitCode> for CliError {
    fn from(code: ExitCode) -> CliError {
        CliError::Said(code)
    }
}

/// A command's result as the process exit code.
pub(crate) fn finish(result: CmdResult) -> ExitCode {
    result.unwrap_or_else(CliError::exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usage_error_exits_64_and_a_said_failure_keeps_its_code() {
        assert_eq!(
            CliError::Usage("--org: not a URL".into()).exit(),
            ExitCode::from(EXIT_USAGE)
        );
        assert_eq!(CliError::Said(ExitCode::from(3)).exit(), ExitCode::from(3));
        assert_eq!(finish(Ok(ExitCode::from(2))), ExitCode::from(2));
    }
}
