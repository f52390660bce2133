//! Handing the terminal to a command (`patwiz exec -- git push`): the token lives only in its
//! environment, and its exit code is the one that ends patwiz.
//! Unix: patwiz is replaced by the command (`exec`): its signals and exit status are its own.
//! Windows has no `exec`: the command runs as patwiz's child, Ctrl+C and Ctrl+Break reach it
//! (the console sends them to every process attached) while patwiz ignores them and waits,
//! and its exit code is passed on whole (a Windows code may exceed 255).

use std::io;
use std::process::Command;

/// Runs `command` in patwiz's place. Returns only if it could not start (the error), or, where
/// patwiz stays its parent, with the command's exit code.
pub fn hand_over(command: &mut Command) -> io::Result<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        Err(command.exec())
    }
    #[cfg(windows)]
    return windows::run_as_child(command);
    #[cfg(not(any(unix, windows)))]
    return Ok(command.status()?.code().unwrap_or(1));
}

#[cfg(windows)]
#[allow(unsafe_code)]
mod windows {
    use windows_sys::Win32::System::Console::{
        CTRL_BREAK_EVENT, CTRL_C_EVENT, SetConsoleCtrlHandler,
    };
    use windows_sys::core::BOOL;

    /// Handled (ignored) for the interrupts; every other event (close, log-off) goes on to the
    /// default handler, which ends patwiz as Windows would.
    unsafe extern "system" fn ignore_interrupts(event: u32) -> BOOL {
        BOOL::from(event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT)
    }

    pub fn run_as_child(command: &mut std::process::Command) -> std::io::Result<i32> {
        // SAFETY: registers a handler function that lives for the whole program; a handler
        // routine (unlike ignoring with NULL) is not inherited by the child, which keeps its own
        // Ctrl+C.
        unsafe { SetConsoleCtrlHandler(Some(ignore_interrupts), 1) };
        let status = command.status();
        // SAFETY: removes the same handler.
        unsafe { SetConsoleCtrlHandler(Some(ignore_interrupts), 0) };
        Ok(status?.code().unwrap_or(1))
    }
}
