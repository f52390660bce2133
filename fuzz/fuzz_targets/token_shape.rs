#![no_main]
//! The pasted-token check: never panics, never echoes what it refuses.

use libfuzzer_sys::fuzz_target;
use patwiz::domain::token::check_pasted;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match check_pasted(&text) {
        Ok(checked) => {
            let t = checked.token.expose();
            assert!(matches!(t.len(), 52 | 84 | 88));
            assert!(!format!("{checked:?}").contains(t));
        }
        Err(e) => {
            let core = text.trim();
            // Anything token-like (16+ alphanumerics) is never echoed back.
            if core.chars().count() >= 16 && core.chars().all(|c| c.is_ascii_alphanumeric()) {
                assert!(!e.to_string().contains(core));
            }
        }
    }
});
