//! The token: a secret held in zeroizing memory, and the check of what was pasted.
//!
//! Azure DevOps PATs come in two shapes (Microsoft's security-utilities detectors):
//! - legacy: 52 characters of lowercase base32 (`[a-z2-7]{52}`);
//! - current (since July 2024): 84 characters of base62 with the `JQQJ99` signature at offset 52
//!   and `AZDO` at offsets 76–79.
//!
//! Whatever is pasted is trimmed of what must be trimmed (surrounding whitespace, line breaks,
//! invisible characters, quotes) and refused, with a specific message, when it cannot be a PAT.
//! No message, `Debug` output or error ever contains the token.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use super::checksum::{self, Checksum, CreatedMonth};

/// A personal access token. `Debug` is masked; there is no `Display` and no `Serialize`.
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    /// Wraps a value without checking its shape (use [`check_pasted`] for user input).
    pub fn new(value: impl Into<String>) -> Token {
        Token(SecretString::from(value.into()))
    }

    /// The secret itself. Every use of this is a place the token leaves patwiz's hands.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn len(&self) -> usize {
        self.expose().chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }

    /// What may be shown on screen: at most the first four characters, then dots.
    pub fn masked(&self) -> String {
        mask(self.expose())
    }

    /// The shape of the token, if it has a known one.
    pub fn format(&self) -> Option<TokenFormat> {
        format_of(self.expose())
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(<redacted, {} chars>)", self.len())
    }
}

/// Masks any secret-bearing text for display: the first four characters at most, then dots.
pub fn mask(secret: &str) -> String {
    let shown: String = secret.chars().take(4).collect();
    if secret.chars().count() <= 8 {
        "••••••••".to_string()
    } else {
        format!("{shown}••••••••")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenFormat {
    /// 84 characters, base62, `JQQJ99…AZDO` signature (issued since July 2024).
    Current,
    /// 52 characters of lowercase base32 (older tokens, and Azure DevOps Server).
    Legacy,
}

impl TokenFormat {
    /// "a 52-character …" / "an 84-character …", as it is read aloud.
    pub fn with_article(self) -> String {
        let text = self.describe();
        let article = if text.starts_with('8') || text.starts_with("11") || text.starts_with("18") {
            "an"
        } else {
            "a"
        };
        format!("{article} {text}")
    }

    pub fn describe(self) -> &'static str {
        match self {
            TokenFormat::Current => "84-character Azure DevOps PAT",
            TokenFormat::Legacy => "52-character Azure DevOps PAT (older format)",
        }
    }
}

/// A pasted token that passed the shape check, with what was trimmed from it and what its
/// built-in checksum says.
#[derive(Debug, Clone)]
pub struct CheckedToken {
    pub token: Token,
    pub format: TokenFormat,
    /// Human notes on what was removed ("removed a trailing line break") and, when the checksum
    /// does not match, the warning. Never the token.
    pub notes: Vec<String>,
    /// Whether the checksum Azure DevOps builds into the token matches (a warning, not a verdict).
    pub checksum: Option<Checksum>,
    /// The month an 84-character token says it was created.
    pub created: Option<CreatedMonth>,
}

/// What a pasted token with a checksum that does not match is told (the service has the last word).
pub const CHECKSUM_WARNING: &str = "Its built-in checksum does not match: it looks mistyped or cut short. Copy it again from Azure DevOps; Azure DevOps still has the last word.";

impl CheckedToken {
    /// The shape and what the token says about itself, in words: "an 84-character Azure DevOps
    /// PAT, created in November 2026".
    pub fn describe(&self) -> String {
        match self.created {
            Some(month) => format!(
                "{}, created in {}",
                self.format.with_article(),
                month.words()
            ),
            None => self.format.with_article(),
        }
    }

    pub fn checksum_mismatch(&self) -> bool {
        self.checksum == Some(Checksum::Mismatch)
    }
}

/// Why pasted text cannot be a PAT. Messages name the problem and never contain the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenShapeError {
    #[error("Nothing was pasted. Copy the token from Azure DevOps and paste it again")]
    Empty,
    #[error(
        "That is far too long to be a token ({0} characters). Copy only the token Azure DevOps showed you"
    )]
    TooLong(usize),
    #[error(
        "That looks like a URL, not a token. Paste the token Azure DevOps showed after you clicked Create"
    )]
    Url,
    #[error("That is a GitHub token (it starts with \"{0}\"), not an Azure DevOps PAT")]
    GitHubToken(String),
    #[error("That is a GitLab token (it starts with \"glpat-\"), not an Azure DevOps PAT")]
    GitLabToken,
    #[error(
        "That is a Microsoft Entra access token (a JWT), not a PAT. Create a personal access token instead"
    )]
    Jwt,
    #[error(
        "That is a whole Authorization header. Paste only the token, without \"Basic\" or \"Bearer\""
    )]
    AuthHeader,
    #[error(
        "The pasted text has spaces or line breaks inside it; a PAT is one unbroken string. Copy it again"
    )]
    InnerWhitespace,
    #[error(
        "The pasted text contains characters a PAT never has ({0}). Copy the token again from Azure DevOps"
    )]
    InvalidCharacters(String),
    #[error(
        "That is 52 characters of a newer 84-character token: part of it is missing. Copy the whole token"
    )]
    TruncatedCurrent,
    #[error(
        "Azure DevOps PATs are 84 characters (or 52 for older tokens); this is {0}. Part of it may be missing or extra: copy it again"
    )]
    WrongLength(usize),
    #[error(
        "That is 84 characters but lacks the Azure DevOps signature (\"AZDO\" at characters 77–80). Copy the token again"
    )]
    MissingSignature,
}

const MAX_PASTE: usize = 4096;

/// Trims pasted text and checks that it can be an Azure DevOps PAT.
/// Microsoft's cross-company correlating id (C3ID) of a token: base64 of the first 15 bytes of
/// SHA-256("CrossMicrosoftCorrelatingId:" + upper-case hex of SHA-256(token)), 20 characters. A
/// fingerprint that names the exact token in a ticket and cannot be turned back into it
/// (security-utilities' `cross_company_correlating_id`; that the service hashes exactly the
/// token's text is not confirmed against Azure DevOps).
pub fn correlating_id(token: &Token) -> String {
    use base64::Engine as _;
    use sha2::{Digest as _, Sha256};
    let inner = Sha256::digest(token.expose().as_bytes());
    let hex: String = inner.iter().map(|b| format!("{b:02X}")).collect();
    let outer = Sha256::digest(format!("CrossMicrosoftCorrelatingId:{hex}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(&outer[..15])
}

pub fn check_pasted(raw: &str) -> Result<CheckedToken, TokenShapeError> {
    if raw.len() > MAX_PASTE * 4 {
        return Err(TokenShapeError::TooLong(raw.chars().count()));
    }
    let mut notes = Vec::new();
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if trimmed.len() != raw.len() {
        notes.push(describe_trim(raw, trimmed));
    }
    let mut text = trimmed;
    for quote in ['"', '\'', '`'] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            text = text[1..text.len() - 1].trim();
            notes.push("Removed the quotes around the token.".to_string());
            break;
        }
    }
    if text.is_empty() {
        return Err(TokenShapeError::Empty);
    }
    let length = text.chars().count();
    if length > MAX_PASTE {
        return Err(TokenShapeError::TooLong(length));
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("basic ")
        || lower.starts_with("bearer ")
        || lower.starts_with("authorization:")
    {
        return Err(TokenShapeError::AuthHeader);
    }
    if lower.contains("://")
        || lower.starts_with("dev.azure.com")
        || lower.starts_with("www.")
        || lower.contains(".visualstudio.com")
    {
        return Err(TokenShapeError::Url);
    }
    for prefix in ["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if text.starts_with(prefix) {
            return Err(TokenShapeError::GitHubToken(prefix.to_string()));
        }
    }
    if text.starts_with("glpat-") {
        return Err(TokenShapeError::GitLabToken);
    }
    if text.starts_with("eyJ") && text.matches('.').count() == 2 {
        return Err(TokenShapeError::Jwt);
    }
    if text.chars().any(char::is_whitespace) {
        return Err(TokenShapeError::InnerWhitespace);
    }
    if let Some(bad) = describe_bad_characters(text) {
        return Err(TokenShapeError::InvalidCharacters(bad));
    }
    let format = match format_of(text) {
        Some(format) => format,
        None => return Err(shape_error(text)),
    };
    let sum = checksum::check(text);
    if sum == Some(Checksum::Mismatch) {
        notes.push(CHECKSUM_WARNING.to_string());
    }
    Ok(CheckedToken {
        token: Token::new(text),
        format,
        notes,
        checksum: sum,
        created: checksum::created_month(text),
    })
}

fn format_of(text: &str) -> Option<TokenFormat> {
    let bytes = text.as_bytes();
    let base62 = |b: &[u8]| b.iter().all(u8::is_ascii_alphanumeric);
    match bytes.len() {
        52 if bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(b)) =>
        {
            Some(TokenFormat::Legacy)
        }
        84 if base62(bytes) && &bytes[52..56] == b"JQQJ" && &bytes[76..80] == b"AZDO" => {
            Some(TokenFormat::Current)
        }
        // Microsoft's detector also allows two more characters and "==" after the 84.
        88 if base62(&bytes[..86])
            && &bytes[86..] == b"=="
            && &bytes[52..56] == b"JQQJ"
            && &bytes[76..80] == b"AZDO" =>
        {
            Some(TokenFormat::Current)
        }
        _ => None,
    }
}

fn shape_error(text: &str) -> TokenShapeError {
    let length = text.chars().count();
    let base62 = text.bytes().all(|b| b.is_ascii_alphanumeric());
    match length {
        84 if base62 => TokenShapeError::MissingSignature,
        52 if base62 => TokenShapeError::TruncatedCurrent,
        _ => TokenShapeError::WrongLength(length),
    }
}

fn describe_bad_characters(text: &str) -> Option<String> {
    let mut kinds = Vec::new();
    let mut push = |kind: &str| {
        if !kinds.iter().any(|k| k == kind) {
            kinds.push(kind.to_string());
        }
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '=' {
            continue;
        }
        if is_invisible(c) {
            push("an invisible zero-width character");
        } else if c.is_control() {
            push("a control character");
        } else if !c.is_ascii() {
            push("non-ASCII characters");
        } else {
            push("punctuation");
        }
    }
    (!kinds.is_empty()).then(|| kinds.join(", "))
}

fn describe_trim(raw: &str, trimmed: &str) -> String {
    let start = raw.find(trimmed).unwrap_or(0);
    let removed: String = raw[..start]
        .chars()
        .chain(raw[start + trimmed.len()..].chars())
        .collect();
    let mut what = Vec::new();
    if removed.contains(['\n', '\r']) {
        what.push("line breaks");
    }
    if removed.contains([' ', '\t', '\u{00A0}']) {
        what.push("spaces");
    }
    if removed.chars().any(is_invisible) {
        what.push("invisible characters");
    }
    if what.is_empty() {
        what.push("whitespace");
    }
    format!(
        "Removed {} around the token (Git-Zen guide: copy the token without surrounding whitespace).",
        what.join(" and ")
    )
}

fn is_invisible(c: char) -> bool {
    super::org_url::is_invisible(c)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_correlating_id_is_a_20_character_fingerprint_that_tells_tokens_apart() {
        let a = correlating_id(&Token::new("a".repeat(52)));
        let b = correlating_id(&Token::new("b".repeat(52)));
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        assert_eq!(a, correlating_id(&Token::new("a".repeat(52))), "stable");
        assert!(!a.contains("aaaa"));
    }

    /// A valid 84-character token, checksum included (not a real one).
    pub fn sample_current() -> String {
        let random: String = "Ab3dEf7hIj".repeat(6)[..52].to_string();
        checksum::seal_annotated(&format!("{random}JQQJ99CK{}AAAAAZDO", "q".repeat(12)))
            .expect("80 base64 characters")
    }

    /// A valid 52-character legacy token, checksum included (not a real one).
    pub fn sample_legacy() -> String {
        checksum::seal_legacy(&"abcdefghijklmnopqrstuvwxyz234567".repeat(2)[..52])
            .expect("52 base32 characters")
    }

    #[test]
    fn recognises_both_formats() {
        let current = sample_current();
        assert_eq!(current.len(), 84);
        let checked = check_pasted(&current).unwrap();
        assert_eq!(checked.format, TokenFormat::Current);
        assert!(checked.notes.is_empty());
        assert_eq!(checked.token.expose(), current);

        let legacy = sample_legacy();
        assert_eq!(check_pasted(&legacy).unwrap().format, TokenFormat::Legacy);

        let padded = format!("{current}AB==");
        assert_eq!(check_pasted(&padded).unwrap().format, TokenFormat::Current);
    }

    #[test]
    fn trims_what_must_be_trimmed_and_says_so() {
        let current = sample_current();
        for raw in [
            format!("{current}\n"),
            format!("  {current}\r\n"),
            format!("\t{current} "),
            format!("\u{200B}{current}\u{FEFF}"),
            format!("\"{current}\""),
            format!("'{current}'\n"),
        ] {
            let checked = check_pasted(&raw).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(checked.token.expose(), current);
            assert!(!checked.notes.is_empty(), "a note for {:?}", raw.len());
            for note in &checked.notes {
                assert!(!note.contains(&current[..10]));
            }
        }
        let note = &check_pasted(&format!("{current}\n")).unwrap().notes[0];
        assert!(note.contains("line breaks"), "{note}");
    }

    #[test]
    fn refuses_what_cannot_be_a_token() {
        use TokenShapeError::*;
        let current = sample_current();
        let cases: Vec<(String, TokenShapeError)> = vec![
            (String::new(), Empty),
            (" \n\t ".into(), Empty),
            ("\"\"".into(), Empty),
            ("https://dev.azure.com/contoso".into(), Url),
            ("dev.azure.com/contoso/_usersSettings/tokens".into(), Url),
            ("http://127.0.0.1:8080/demo".into(), Url),
            (
                format!("ghp_{}", "a".repeat(36)),
                GitHubToken("ghp_".into()),
            ),
            (
                format!("github_pat_{}", "A".repeat(70)),
                GitHubToken("github_pat_".into()),
            ),
            (format!("glpat-{}", "x".repeat(20)), GitLabToken),
            (
                "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl".into(),
                Jwt,
            ),
            (format!("Basic {current}"), AuthHeader),
            (format!("Bearer {current}"), AuthHeader),
            (
                format!("{} {}", &current[..40], &current[40..]),
                InnerWhitespace,
            ),
            (
                format!("{}\n{}", &current[..40], &current[40..]),
                InnerWhitespace,
            ),
            (
                format!("{}\u{200B}{}", &current[..40], &current[40..]),
                InvalidCharacters("an invisible zero-width character".into()),
            ),
            (
                format!("{}\u{0000}{}", &current[..40], &current[41..]),
                InvalidCharacters("a control character".into()),
            ),
            (
                format!("{}é{}", &current[..40], &current[41..]),
                InvalidCharacters("non-ASCII characters".into()),
            ),
            (
                format!("{}-{}", &current[..40], &current[41..]),
                InvalidCharacters("punctuation".into()),
            ),
            (current[..52].to_string(), TruncatedCurrent),
            (current[..83].to_string(), WrongLength(83)),
            ("abc123".into(), WrongLength(6)),
            ("a".repeat(84), MissingSignature),
            ("x".repeat(5000), TooLong(5000)),
        ];
        for (raw, expected) in cases {
            let err = check_pasted(&raw).expect_err(&format!("{expected:?} should be refused"));
            assert_eq!(err, expected);
            let message = err.to_string();
            assert!(
                !message.contains(&current[..12]),
                "message echoes the token: {message}"
            );
        }
    }

    #[test]
    fn a_ten_megabyte_paste_is_refused_quickly() {
        let huge = "A".repeat(10 * 1024 * 1024);
        assert!(matches!(
            check_pasted(&huge),
            Err(TokenShapeError::TooLong(_))
        ));
    }

    #[test]
    fn debug_and_mask_never_show_the_token() {
        let token = Token::new(sample_current());
        let debug = format!("{token:?}");
        assert!(!debug.contains(&sample_current()[..5]), "{debug}");
        assert!(debug.contains("84 chars"));
        let checked = check_pasted(&sample_current()).unwrap();
        assert!(!format!("{checked:?}").contains(&sample_current()[..5]));
        let masked = token.masked();
        assert!(masked.starts_with(&sample_current()[..4]));
        assert!(!masked.contains(&sample_current()[..5]));
        assert_eq!(mask("short"), "••••••••");
    }
}
