//! Processes: whether another one is still running (the rotation journal leaves a token a
//! live run holds alone), and this process's own hardening.

/// Whether the process `pid` is running (of any user). Unix: `kill(pid, 0)` (no signal is
/// sent; `EPERM` means it exists). Windows: the process opens and has not exited.
pub fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    return unix::alive(pid);
    #[cfg(windows)]
    return windows::alive(pid);
    #[cfg(not(any(unix, windows)))]
    {
        // Unknown system: say it runs, so a token another run may hold is never revoked.
        let _ = pid;
        true
    }
}

/// Hardens this process before anything else runs: no core dump may carry the token, and a
/// reader that goes away (`patwiz status | head`) ends it quietly.
/// - Linux: not dumpable (`prctl(PR_SET_DUMPABLE, 0)`: no core file, and no other process of
///   the same user may ptrace it or read its memory through /proc), core size limit zero,
///   `SIGPIPE` at its default.
/// - Other Unix (macOS, BSD): core size limit zero, `SIGPIPE` at its default.
/// - Windows: nothing to do; Windows Error Reporting keeps no full memory dump unless an
///   administrator configured LocalDumps, and a closed pipe is an error patwiz reports.
pub fn harden() {
    #[cfg(unix)]
    unix::harden();
}

#[cfg(unix)]
#[allow(unsafe_code)]
mod unix {
    pub fn alive(pid: u32) -> bool {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if pid <= 0 {
            return false; // 0 and below name process groups, never one process
        }
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }

    pub fn harden() {
        // SAFETY: plain values; each call changes only this process, before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            let zero = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
            #[cfg(target_os = "linux")]
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }
}

#[cfg(windows)]
#[allow(unsafe_code)]
mod windows {
    use windows_sys::Win32::Foundation::{CloseHandle, ERROR_ACCESS_DENIED, STILL_ACTIVE};
    use windows_sys::Win32::System::Threading::{
        GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };

    pub fn alive(pid: u32) -> bool {
        // SAFETY: asks for a handle with the least right; closed below.
        let handle = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
        if handle.is_null() {
            // Another user's (or a protected) process exists but will not open; a pid that
            // names nothing fails with ERROR_INVALID_PARAMETER.
            return std::io::Error::last_os_error().raw_os_error()
                == Some(ERROR_ACCESS_DENIED as i32);
        }
        let mut code = 0u32;
        // SAFETY: a valid process handle and a local out-value.
        let ok = unsafe { GetExitCodeProcess(handle, &mut code) };
        // SAFETY: the handle OpenProcess gave, closed once.
        unsafe { CloseHandle(handle) };
        ok != 0 && code == STILL_ACTIVE as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_an_ended_one_is_not() {
        assert!(alive(std::process::id()));
        let mut child = std::process::Command::new(if cfg!(windows) { "cmd" } else { "true" })
            .args(if cfg!(windows) {
                &["/c", "exit"][..]
            } else {
                &[][..]
            })
            .spawn()
            .expect("start a child");
        let pid = child.id();
        child.wait().expect("child ends");
        // Reaped: its id names nothing now (an id is reused only after many others).
        assert!(!alive(pid), "an ended process is not alive");
        assert!(!alive(0), "0 is never one process");
    }
}
