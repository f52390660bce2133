#![no_main]
//! The command line's numeric and free-text flags with any value: parsing never panics, and a
//! refusal never repeats anything token-shaped.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let value = text.to_string();
    for flags in [
        vec!["check", "--org", "contoso", "--scopes", "vso.code", "--timeout", &value],
        vec!["check", "--org", "contoso", "--scopes", "vso.code", "--deadline", &value],
        vec!["check", "--org", &value, "--scopes", "vso.code"],
        vec!["login", "--org", "contoso", "--profile", "git-zen", "--expires", &value],
        vec!["remind", "--org", &value],
    ] {
        let args: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        if let Err(refused) = patwiz::cli::parse_only(&args) {
            let message = refused.to_string();
            assert!(!message.chars().any(|c| c == '\u{1b}'), "{message:?}");
        }
    }
});
