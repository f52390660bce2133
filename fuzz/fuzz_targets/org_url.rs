#![no_main]
//! The organization URL parser: never panics; a normalised URL parses to itself.

use libfuzzer_sys::fuzz_target;
use patwiz::domain::org_url::OrgUrl;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(org) = OrgUrl::parse(text) {
        let again = OrgUrl::parse(org.as_str()).expect("a normalised URL parses again");
        assert_eq!(again.as_str(), org.as_str());
        assert!(org.as_str().starts_with("https://") || org.is_loopback());
    }
});
