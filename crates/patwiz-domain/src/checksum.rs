//! The checksum Azure DevOps builds into every PAT, checked offline so a mistyped or cut-short
//! paste is caught before anything is sent.
//!
//! The algorithms are Microsoft's, as its security-utilities scanners check them:
//! - 52 characters (`SEC101/102`): base32 decodes to 32 bytes; bytes 22, 8, 7 and 2 are a
//!   little-endian CRC-32 of the other 28, XOR a seed (one for user tokens, one for application
//!   tokens).
//! - 84 characters (`SEC101/200`, common annotated keys): base64 of 63 bytes; characters 80–83 are
//!   the start of the Marvin32 checksum of the first 60 bytes (seed "Default0"), written in base62
//!   or in base64. Characters 58 and 59 are the month the token was created.
//!
//! Neither has been confirmed against tokens the real service issued (no such token is recorded),
//! so a mismatch is a warning and the service has the last word.

use data_encoding::{BASE64, Encoding, Specification};

/// `AdoUserPatChecksumSeed` and `AdoApplicationPatChecksumSeed` (security-utilities'
/// `IdentifiableMetadata`).
const LEGACY_SEEDS: [u32; 2] = [0xE0B9_692D, 0x1019_F92E];
/// Where the checksum's four bytes sit in a decoded 52-character token, least significant first.
const LEGACY_CHECKSUM_AT: [usize; 4] = [22, 8, 7, 2];

/// What the built-in checksum says about a token's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checksum {
    /// The text carries a checksum that matches.
    Matches,
    /// It does not match: most likely a typo, a character lost or changed in the copy.
    Mismatch,
}

/// The month a token was created, as the 84-character format records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedMonth {
    pub year: i32,
    pub month: time::Month,
}

impl CreatedMonth {
    /// "November 2026".
    pub fn words(self) -> String {
        format!("{} {}", self.month, self.year)
    }
}

/// Checks the checksum of a token's text (52 or 84 characters, or 88 in the long form); `None`
/// for any other text, which has no checksum to check.
pub fn check(text: &str) -> Option<Checksum> {
    let verdict = |ok: bool| {
        if ok {
            Checksum::Matches
        } else {
            Checksum::Mismatch
        }
    };
    match text.len() {
        52 => match legacy_bytes(text) {
            Some(bytes) => Some(verdict(legacy_matches(&bytes))),
            // Base32 whose last character has spare bits set: no encoder of 32 bytes writes
            // that, so a character was changed.
            None if base32_lenient().decode(text.as_bytes()).is_ok() => Some(Checksum::Mismatch),
            None => None,
        },
        84 | 88 => annotated_matches(text).map(verdict),
        _ => None,
    }
}

/// The month an 84-character token says it was created: year `2024 + (c58 − 'A')`, month
/// `c59 − 'A' + 1` (A to L).
pub fn created_month(text: &str) -> Option<CreatedMonth> {
    let bytes = text.as_bytes();
    if !matches!(bytes.len(), 84 | 88) {
        return None;
    }
    let (year, month) = (bytes[58], bytes[59]);
    if !year.is_ascii_uppercase() || !(b'A'..=b'L').contains(&month) {
        return None;
    }
    Some(CreatedMonth {
        year: 2024 + i32::from(year - b'A'),
        month: time::Month::try_from(month - b'A' + 1).ok()?,
    })
}

/// Base32 of either case (RFC 4648 symbols, no padding). A 52-character token holds 260 bits
/// for its 256: the last character's four spare bits are zero as every encoder writes them
/// (Microsoft's scanner ignores them; a change there is still a changed character).
fn base32() -> &'static Encoding {
    static STRICT: std::sync::LazyLock<Encoding> = std::sync::LazyLock::new(|| base32_spec(true));
    &STRICT
}

fn base32_lenient() -> &'static Encoding {
    static LENIENT: std::sync::LazyLock<Encoding> = std::sync::LazyLock::new(|| base32_spec(false));
    &LENIENT
}

fn base32_spec(check_trailing_bits: bool) -> Encoding {
    let mut spec = Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
    spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    spec.check_trailing_bits = check_trailing_bits;
    spec.encoding()
        .expect("a constant, valid base32 specification")
}

fn legacy_bytes(text: &str) -> Option<[u8; 32]> {
    let decoded = base32().decode(text.as_bytes()).ok()?;
    decoded.try_into().ok()
}

fn legacy_crc(bytes: &[u8; 32]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    for (i, b) in bytes.iter().enumerate() {
        if !LEGACY_CHECKSUM_AT.contains(&i) {
            hasher.update(&[*b]);
        }
    }
    hasher.finalize()
}

fn legacy_matches(bytes: &[u8; 32]) -> bool {
    let embedded = u32::from_le_bytes(LEGACY_CHECKSUM_AT.map(|i| bytes[i]));
    let crc = legacy_crc(bytes);
    LEGACY_SEEDS.iter().any(|seed| crc ^ seed == embedded)
}

/// `ComputeHisV1ChecksumSeed("Default0")`: the literal's bytes reversed, read little-endian.
fn annotated_seed() -> u64 {
    let mut bytes = *b"Default0";
    bytes.reverse();
    u64::from_le_bytes(bytes)
}

/// The four checksum bytes of an annotated key whose first 80 characters are `body`.
fn annotated_checksum(body: &str) -> Option<[u8; 4]> {
    let data = BASE64.decode(body.as_bytes()).ok()?;
    if data.len() != 60 {
        return None;
    }
    Some(marvin32(&data, annotated_seed()).to_le_bytes())
}

fn annotated_matches(text: &str) -> Option<bool> {
    let checksum = annotated_checksum(text.get(..80)?)?;
    if text.len() == 88 {
        // The long form carries all four bytes: base64 of bytes 60–63 and "==".
        let tail = BASE64.decode(text.get(80..)?.as_bytes()).ok()?;
        return Some(tail == checksum);
    }
    let written = text.get(80..)?;
    Some(base62(&checksum).starts_with(written) || BASE64.encode(&checksum).starts_with(written))
}

/// Base62 of bytes as one big-endian number, digits `0-9A-Za-z`, leading zero bytes kept as
/// zeros (the Base62.Net encoding security-utilities uses).
fn base62(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let leading_zeros = bytes
        .iter()
        .take_while(|b| **b == 0)
        .count()
        .min(bytes.len().saturating_sub(1));
    let mut number: Vec<u32> = bytes.iter().map(|b| u32::from(*b)).collect();
    let mut digits = Vec::new();
    while !number.is_empty() {
        let mut quotient = Vec::with_capacity(number.len());
        let mut remainder = 0u32;
        for d in &number {
            let acc = d + remainder * 256;
            let q = acc / 62;
            remainder = acc % 62;
            if !quotient.is_empty() || q > 0 {
                quotient.push(q);
            }
        }
        digits.push(DIGITS[remainder as usize]);
        number = quotient;
    }
    digits.extend(std::iter::repeat_n(b'0', leading_zeros));
    digits.reverse();
    String::from_utf8_lossy(&digits).into_owned()
}

/// Marvin32 (Microsoft's seeded checksum, as in SymCrypt), the 64-bit state folded to 32 bits.
fn marvin32(data: &[u8], seed: u64) -> u32 {
    let hash = marvin64(data, seed);
    (hash ^ (hash >> 32)) as u32
}

fn marvin64(data: &[u8], seed: u64) -> u64 {
    let mut lo = seed as u32;
    let mut hi = (seed >> 32) as u32;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        lo = lo.wrapping_add(word);
        marvin_block(&mut lo, &mut hi);
    }
    let rest = chunks.remainder();
    let mut last = 0x80u32 << (8 * rest.len());
    for (i, b) in rest.iter().enumerate() {
        last |= u32::from(*b) << (8 * i);
    }
    lo = lo.wrapping_add(last);
    marvin_block(&mut lo, &mut hi);
    marvin_block(&mut lo, &mut hi);
    (u64::from(hi) << 32) | u64::from(lo)
}

fn marvin_block(lo: &mut u32, hi: &mut u32) {
    *hi ^= *lo;
    *lo = lo.rotate_left(20);
    *lo = lo.wrapping_add(*hi);
    *hi = hi.rotate_left(9);
    *hi ^= *lo;
    *lo = lo.rotate_left(27);
    *lo = lo.wrapping_add(*hi);
    *hi = hi.rotate_left(19);
}

/// Completes an 84-character token from its first 80 characters with the checksum Azure DevOps
/// would write (base62); `None` if `body` is not 80 base64 characters. The emulator mints its
/// tokens with it.
pub fn seal_annotated(body: &str) -> Option<String> {
    let checksum = annotated_checksum(body)?;
    let encoded = base62(&checksum);
    let written = if encoded.len() >= 4 {
        encoded[..4].to_string()
    } else {
        BASE64.encode(&checksum)[..4].to_string()
    };
    Some(format!("{body}{written}"))
}

/// Rewrites a 52-character token's checksum bytes so that it matches (with the user-token seed);
/// `None` if it is not base32.
pub fn seal_legacy(text: &str) -> Option<String> {
    let decoded = base32_lenient().decode(text.as_bytes()).ok()?;
    let mut bytes: [u8; 32] = decoded.try_into().ok()?;
    let checksum = (legacy_crc(&bytes) ^ LEGACY_SEEDS[0]).to_le_bytes();
    for (at, b) in LEGACY_CHECKSUM_AT.iter().zip(checksum) {
        bytes[*at] = b;
    }
    Some(base32().encode(&bytes).to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marvin_matches_symcrypts_published_vectors() {
        assert_eq!(
            marvin64(b"abc", 0xd53c_d9ce_cd08_93b7),
            0x22c7_4339_4927_69bf
        );
        assert_eq!(
            marvin64(b"abcdefghijklmnopqrstuvwxyz", 0x0ddd_deee_efff_f000),
            0xa128_eb7e_7260_aca2
        );
        let seed = 0x004f_b61a_001b_dbcc;
        assert_eq!(marvin64(&[], seed), 0x30ed_35c1_00cd_3c7d);
        assert_eq!(marvin64(&[175], seed), 0x48e7_3fc7_7d75_ddc1);
        assert_eq!(marvin64(&[231, 15], seed), 0xb5f6_e1fc_485d_bff8);
        assert_eq!(marvin64(&[55, 244, 149], seed), 0xf0b0_7c78_9b8c_f7e8);
        assert_eq!(marvin64(&[134, 66, 220, 89], seed), 0x7008_f2e8_7e9c_f556);
        assert_eq!(
            marvin64(&[171, 66, 126, 168, 209, 15, 199], seed),
            0xe118_47e4_f067_8c41
        );
        let hash = 0x7008_f2e8_7e9c_f556u64;
        assert_eq!(
            marvin32(&[134, 66, 220, 89], seed),
            (hash ^ (hash >> 32)) as u32
        );
    }

    #[test]
    fn the_seed_is_default0_reversed() {
        assert_eq!(annotated_seed(), u64::from_be_bytes(*b"Default0"));
    }

    #[test]
    fn base62_is_a_big_endian_number_with_leading_zeros_kept() {
        assert_eq!(base62(&[0, 0, 0, 1]), "0001");
        assert_eq!(base62(&[0, 0, 0, 62]), "00010");
        assert_eq!(base62(&[0xff, 0xff, 0xff, 0xff]), "4gfFC3");
        assert_eq!(base62(&[0]), "0");
    }

    fn body() -> String {
        let random = "Ab3dEf7hIj".repeat(6)[..52].to_string();
        format!("{random}JQQJ99BK{}AAAAAZDO", "q".repeat(12))
    }

    #[test]
    fn a_sealed_annotated_token_matches_and_one_changed_character_does_not() {
        let token = seal_annotated(&body()).unwrap();
        assert_eq!(token.len(), 84);
        assert_eq!(check(&token), Some(Checksum::Matches));
        let mut changed = token.into_bytes();
        changed[10] = if changed[10] == b'x' { b'y' } else { b'x' };
        let changed = String::from_utf8(changed).unwrap();
        assert_eq!(check(&changed), Some(Checksum::Mismatch));
    }

    #[test]
    fn the_base64_form_of_the_checksum_is_accepted_too() {
        let checksum = annotated_checksum(&body()).unwrap();
        let token = format!("{}{}", body(), &BASE64.encode(&checksum)[..4]);
        assert_eq!(check(&token), Some(Checksum::Matches));
        let long = format!("{}{}", body(), BASE64.encode(&checksum));
        assert_eq!(long.len(), 88);
        assert_eq!(check(&long), Some(Checksum::Matches));
    }

    #[test]
    fn a_sealed_legacy_token_matches_with_the_user_seed_and_either_case() {
        let token = seal_legacy(&"abcdefghijklmnopqrstuvwxyz234567".repeat(2)[..52]).unwrap();
        assert_eq!(token.len(), 52);
        assert_eq!(check(&token), Some(Checksum::Matches));
        assert_eq!(check(&token.to_ascii_uppercase()), Some(Checksum::Matches));
        let bytes = legacy_bytes(&token).unwrap();
        let embedded = u32::from_le_bytes(LEGACY_CHECKSUM_AT.map(|i| bytes[i]));
        assert_eq!(legacy_crc(&bytes) ^ LEGACY_SEEDS[0], embedded);
    }

    #[test]
    fn the_application_seed_is_accepted_too() {
        let mut bytes = legacy_bytes(&"a".repeat(52)).unwrap();
        let checksum = (legacy_crc(&bytes) ^ LEGACY_SEEDS[1]).to_le_bytes();
        for (at, b) in LEGACY_CHECKSUM_AT.iter().zip(checksum) {
            bytes[*at] = b;
        }
        let token = base32().encode(&bytes).to_ascii_lowercase();
        assert_eq!(check(&token), Some(Checksum::Matches));
    }

    #[test]
    fn spare_bits_set_in_the_last_legacy_character_are_a_changed_character() {
        let token = seal_legacy(&"a".repeat(52)).unwrap();
        assert!(matches!(token.as_bytes()[51], b'a' | b'q'), "{token}");
        let mut changed = token.into_bytes();
        changed[51] += 1;
        let changed = String::from_utf8(changed).unwrap();
        assert_eq!(check(&changed), Some(Checksum::Mismatch));
    }

    #[test]
    fn other_text_has_no_checksum() {
        assert_eq!(check("short"), None);
        assert_eq!(check(&"!".repeat(52)), None);
    }

    #[test]
    fn the_creation_month_is_read_from_characters_58_and_59() {
        let token = seal_annotated(&body()).unwrap();
        let month = created_month(&token).unwrap();
        assert_eq!((month.year, month.month), (2025, time::Month::November));
        assert_eq!(month.words(), "November 2025");
        let mut odd = token.into_bytes();
        odd[59] = b'M';
        assert_eq!(created_month(&String::from_utf8(odd).unwrap()), None);
    }
}
