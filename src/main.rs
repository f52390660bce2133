fn main() -> std::process::ExitCode {
    // `patwiz status | head` should end quietly when the reader goes away, like other Unix
    // tools, instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    patwiz::cli::main()
}
