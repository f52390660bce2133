//! Finding Azure DevOps tokens in text (config files, shell history, `.env` files): both
//! formats, by shape, reported by line and never by value. Pure.

/// One token found: its line (1-based), its format, and the token itself for comparing with the
/// stored ones (never printed).
pub struct Found {
    pub line: usize,
    pub format: &'static str,
    /// Whether its built-in checksum matches (a real token's does; a look-alike string's not).
    pub checksum_matches: bool,
    pub token: crate::token::Token,
}

impl std::fmt::Debug for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Found(line {}, {})", self.line, self.format)
    }
}

fn is_base62(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Every token-shaped run in `text`: 84 base62 characters with `JQQJ99`-style and `AZDO`
/// signatures, or 52 lower-case base32 characters (the legacy format) standing alone.
pub fn scan(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !is_base62(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_base62(bytes[i]) {
                i += 1;
            }
            let run = &line[start..i];
            let format = match run.len() {
                84 if &run[52..56] == "JQQJ" && &run[76..80] == "AZDO" => Some("84-character"),
                52 if run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
                    && run.bytes().any(|b| b.is_ascii_digit()) =>
                {
                    Some("52-character (older)")
                }
                _ => None,
            };
            if let Some(format) = format {
                out.push(Found {
                    line: n + 1,
                    format,
                    checksum_matches: crate::checksum::check(run)
                        == Some(crate::checksum::Checksum::Matches),
                    token: crate::token::Token::new(run),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_are_found_by_line_and_words_are_not() {
        let current = format!("{}JQQJ99{}AZDO{}", "A".repeat(52), "b".repeat(18), "1x2Y");
        let legacy = "zcybhbtdd2gkj4iur66nam5wa5yydx5s6kcq46oya7vngcngsuuq";
        let text = format!(
            "# npmrc\n//pkgs.dev.azure.com/o/_packaging/f/npm/registry/:_password={current}\nexport AZURE_DEVOPS_EXT_PAT={legacy}\n{}\n",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
        );
        let found = scan(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].line, found[0].format), (2, "84-character"));
        assert_eq!(
            (found[1].line, found[1].format),
            (3, "52-character (older)")
        );
        assert!(
            !format!("{found:?}").contains("JQQJ"),
            "Debug never shows it"
        );
    }
}
