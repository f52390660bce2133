//! The one way tests start the real binary: isolated from the developer's environment (no
//! token variable, no crash hook, no colour) and with the memory secret store, so nothing a
//! test stores reaches the machine's keyring unless the test asks for a real store by name.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// `patwiz`, isolated; the caller adds arguments, a config directory and any environment.
pub fn patwiz() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_patwiz"));
    cmd.env_remove("AZURE_DEVOPS_EXT_PAT")
        .env_remove("PATWIZ_TEST_CRASH_AFTER")
        .env_remove("PATWIZ_TEST_FAIL_SETTINGS_AFTER")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env("PATWIZ_SECRET_STORE", "memory")
        // The day every run of the binary sees: nothing a test asserts depends on the date.
        .env("PATWIZ_TEST_CLOCK", super::clock::TEST_DAY)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `cmd` to the end, writing `stdin` (then closing it) when given.
pub fn output(cmd: &mut Command, stdin: Option<&str>) -> Output {
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("the patwiz binary starts");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The binary may exit before reading everything (a refused flag): that is its answer.
        let _ = pipe.write_all(text.as_bytes());
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("patwiz ran")
}

/// Standard output and standard error as one text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
