fn main() -> std::process::ExitCode {
    // No core dump may carry the token; `patwiz status | head` ends quietly (see the adapter).
    patwiz_platform::process::harden();
    patwiz::cli::main()
}
