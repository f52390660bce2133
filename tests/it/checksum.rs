//! The offline checksum over the demo organization's tokens: each carries a valid one, and
//! every single-character change of any of them is caught before anything is sent.

use patwiz::domain::checksum::{self, Checksum};
use patwiz::domain::token::{CHECKSUM_WARNING, check_pasted};
use patwiz::emulator::scenario::Scenario;
use proptest::prelude::*;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE32: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";

fn demo_values() -> Vec<(String, String)> {
    Scenario::default_demo()
        .tokens
        .iter()
        .map(|t| (t.name.clone(), t.value.clone()))
        .collect()
}

/// A pasted change is caught when it is refused outright or its checksum does not match.
fn caught(text: &str) -> bool {
    match check_pasted(text) {
        Err(_) => true,
        Ok(checked) => {
            checked.checksum == Some(Checksum::Mismatch)
                && checked.notes.iter().any(|n| n == CHECKSUM_WARNING)
        }
    }
}

#[test]
fn every_demo_token_carries_a_valid_checksum_and_a_plausible_creation_month() {
    let values = demo_values();
    assert!(values.len() >= 20, "the demo organization has its tokens");
    for (name, value) in &values {
        let checked = check_pasted(value).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(checked.checksum, Some(Checksum::Matches), "{name}");
        assert!(
            !checked.notes.iter().any(|n| n == CHECKSUM_WARNING),
            "{name}"
        );
        if value.len() == 84 {
            let month = checked
                .created
                .unwrap_or_else(|| panic!("{name}: no month"));
            assert!((2024..=2026).contains(&month.year), "{name}: {month:?}");
        }
    }
}

#[test]
fn every_single_character_change_of_every_demo_token_is_caught() {
    let mut changes = 0;
    for (name, value) in demo_values() {
        let alphabet = if value.len() == 52 { BASE32 } else { BASE62 };
        for at in 0..value.len() {
            for &c in alphabet {
                if value.as_bytes()[at] == c {
                    continue;
                }
                let mut changed = value.clone().into_bytes();
                changed[at] = c;
                let changed = String::from_utf8(changed).unwrap();
                assert!(
                    caught(&changed),
                    "{name}: character {at} changed is not caught"
                );
                changes += 1;
            }
        }
    }
    assert!(changes > 100_000, "{changes} changes tried");
}

#[test]
fn a_dropped_or_doubled_character_is_caught_too() {
    for (name, value) in demo_values() {
        for at in 0..value.len() {
            let mut dropped = value.clone();
            dropped.remove(at);
            assert!(caught(&dropped), "{name}: without character {at}");
            let mut doubled = value.clone();
            doubled.insert(at, value.as_bytes()[at] as char);
            assert!(caught(&doubled), "{name}: character {at} doubled");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any token sealed as Azure DevOps writes it matches; change one character and it does not.
    #[test]
    fn a_sealed_token_matches_and_no_single_change_does(
        random in "[A-Za-z0-9]{52}",
        reserved in "[A-Za-z0-9]{16}",
        at in 0usize..84,
        with in 0usize..62,
    ) {
        let sealed = checksum::seal_annotated(&format!("{random}JQQJ99CK{reserved}AZDO")).unwrap();
        prop_assert_eq!(checksum::check(&sealed), Some(Checksum::Matches));
        let mut changed = sealed.into_bytes();
        prop_assume!(changed[at] != BASE62[with]);
        changed[at] = BASE62[with];
        prop_assert!(caught(&String::from_utf8(changed).unwrap()));
    }

    #[test]
    fn a_sealed_legacy_token_matches_and_no_single_change_does(
        random in "[a-z2-7]{52}",
        at in 0usize..52,
        with in 0usize..32,
    ) {
        let sealed = checksum::seal_legacy(&random).unwrap();
        prop_assert_eq!(checksum::check(&sealed), Some(Checksum::Matches));
        let mut changed = sealed.into_bytes();
        prop_assume!(changed[at] != BASE32[with]);
        changed[at] = BASE32[with];
        prop_assert!(caught(&String::from_utf8(changed).unwrap()));
    }
}
