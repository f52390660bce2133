fn main() -> std::process::ExitCode {
    patwiz::cli::main()
}
