//! Running another program (the Azure CLI, `pass`) and reading what it says, bounded: at most
//! so many bytes of each stream and so long. A program that prints without end is stopped and
//! the person is told why, instead of patwiz growing until the system kills it.

use std::process::ExitStatus;
use std::time::Duration;

use secrecy::zeroize::Zeroizing;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};

/// The most patwiz reads of a program's standard output (an access token or a `pass` entry
/// is a few kilobytes).
pub const MAX_OUTPUT: usize = 1024 * 1024;

/// What a program wrote and how it ended.
pub struct Finished {
    pub status: ExitStatus,
    /// Standard output; it may hold a secret, so it is wiped when dropped.
    pub stdout: Zeroizing<Vec<u8>>,
    pub stderr: Vec<u8>,
}

/// Why a program's answer was not read.
#[derive(Debug, thiserror::Error)]
pub enum ChildError {
    #[error("cannot run it: {0}")]
    Start(std::io::Error),
    #[error("it printed more than {} kB, so patwiz stopped it and read none of it", MAX_OUTPUT / 1024)]
    TooMuch,
    #[error("it did not finish within {} seconds, so patwiz stopped it", .0.as_secs())]
    TimedOut(Duration),
    #[error("cannot read what it printed: {0}")]
    Read(std::io::Error),
}

impl ChildError {
    /// Whether the program was not there to run.
    pub fn not_found(&self) -> bool {
        matches!(self, ChildError::Start(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Runs `cmd` (its stdout and stderr piped here), hands it `input` on standard input if
/// given, and reads both streams at once up to [`MAX_OUTPUT`] each, within `limit`. The child
/// is killed when it prints too much, takes too long, or this future is dropped.
pub async fn run(
    cmd: &mut tokio::process::Command,
    input: Option<&[u8]>,
    limit: Duration,
) -> Result<Finished, ChildError> {
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdin(if input.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(ChildError::Start)?;
    let (stdin, stdout, stderr) = (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let talk = async {
        let write = async {
            if let (Some(mut pipe), Some(bytes)) = (stdin, input) {
                // A program that exits without reading all of it has said what it will say.
                let _ = pipe.write_all(bytes).await;
            }
        };
        let (_, out, err) = tokio::join!(write, capped(stdout), capped(stderr));
        let (out, err) = (out?, err?);
        let status = child.wait().await.map_err(ChildError::Read)?;
        Ok::<_, ChildError>(Finished {
            status,
            stdout: Zeroizing::new(out),
            stderr: err,
        })
    };
    match tokio::time::timeout(limit, talk).await {
        Ok(result) => result,
        Err(_) => Err(ChildError::TimedOut(limit)),
    }
}

/// At most [`MAX_OUTPUT`] bytes of `stream`; more is [`ChildError::TooMuch`] (the caller's
/// child is then dropped, which kills it).
async fn capped(stream: Option<impl AsyncRead + Unpin>) -> Result<Vec<u8>, ChildError> {
    let Some(stream) = stream else {
        return Ok(Vec::new());
    };
    let mut bytes = Vec::new();
    stream
        .take(MAX_OUTPUT as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(ChildError::Read)?;
    if bytes.len() > MAX_OUTPUT {
        let _ = Zeroizing::new(bytes);
        return Err(ChildError::TooMuch);
    }
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_program_that_prints_without_end_is_stopped_and_said_so() {
        let mut cmd = tokio::process::Command::new("sh");
        cmd.args(["-c", "yes 0123456789012345678901234567890123456789"]);
        let error = run(&mut cmd, None, Duration::from_secs(20))
            .await
            .err()
            .expect("stopped");
        assert!(matches!(error, ChildError::TooMuch), "{error}");
        assert!(error.to_string().contains("printed more than 1024 kB"));
    }

    #[tokio::test]
    async fn its_answer_its_input_and_its_silence_are_handled() {
        let mut cat = tokio::process::Command::new("sh");
        cat.args(["-c", "cat; echo oops >&2; exit 3"]);
        let done = run(&mut cat, Some(b"entry"), Duration::from_secs(20))
            .await
            .unwrap();
        assert_eq!(done.stdout.as_slice(), b"entry");
        assert_eq!(done.stderr, b"oops\n");
        assert_eq!(done.status.code(), Some(3));
        let mut sleep = tokio::process::Command::new("sleep");
        sleep.arg("30");
        let error = run(&mut sleep, None, Duration::from_millis(200))
            .await
            .err()
            .unwrap();
        assert!(matches!(error, ChildError::TimedOut(_)), "{error}");
        let mut missing = tokio::process::Command::new("/nonexistent/program");
        let error = run(&mut missing, None, Duration::from_secs(1))
            .await
            .err()
            .unwrap();
        assert!(error.not_found());
    }
}
