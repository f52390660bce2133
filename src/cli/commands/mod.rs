//! One module per command (gh's layout): each parses nothing itself (its options are clap's
//! structs in `cli`), calls the core's use cases and prints, and returns
//! `Result<ExitCode, CliError>`. No command imports another; what several share is in
//! `cli::shared`.

pub mod check;
pub mod create;
#[cfg(feature = "demo")]
pub mod demo;
pub mod doctor;
pub mod exec;
pub mod feed;
pub mod forget;
pub mod git_credential;
pub mod login;
pub mod mend;
pub mod remind;
pub mod rotate;
pub mod setup_git;
pub mod status;
pub mod tokens;
