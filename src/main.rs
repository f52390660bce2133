fn main() -> std::process::ExitCode {
    // `patwiz status | head` should end quietly when the reader goes away, like other Unix
    // tools, instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    #[allow(unsafe_code)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    no_core_dumps();
    patwiz::cli::main()
}

/// No core dump may carry the token.
/// - Linux: the process is made non-dumpable (`prctl(PR_SET_DUMPABLE, 0)`: no core file, and no
///   other process of the same user may ptrace it or read its memory through /proc), and the
///   core size limit is set to zero.
/// - Other Unix (macOS, BSD): the core size limit is set to zero.
/// - Windows: nothing to do here; Windows Error Reporting keeps no full memory dump unless an
///   administrator configured LocalDumps.
fn no_core_dumps() {
    #[cfg(unix)]
    // SAFETY: setrlimit and prctl take plain values and change only this process.
    #[allow(unsafe_code)]
    unsafe {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &zero);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
