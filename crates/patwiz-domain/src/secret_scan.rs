//! Finding Azure DevOps tokens in text (config files, shell history, `.env` files): both
//! formats, by shape, as written or base64-encoded the way npm keeps them (`_password=`,
//! `_auth=` of `user:token`), reported by line and never by value. Pure.

use base64::Engine as _;

/// One token found: its line (1-based), its format, and the token itself for comparing with the
/// stored ones (never printed).
pub struct Found {
    pub line: usize,
    pub format: &'static str,
    /// Whether it was written base64-encoded (npm's `_password=` / `_auth=`), not as is.
    pub encoded: bool,
    /// Whether its built-in checksum matches (a real token's does; a look-alike string's not).
    pub checksum_matches: bool,
    pub token: crate::token::Token,
}

impl std::fmt::Debug for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Found(line {}, {}{})",
            self.line,
            self.format,
            if self.encoded { ", base64" } else { "" }
        )
    }
}

fn is_base62(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Every token in `text`: each token-shaped run (84 base62 characters with `JQQJ99`-style and
/// `AZDO` signatures, or 52 lower-case base32 characters, the legacy format, standing alone),
/// and each one inside the base64 value of an npm `_password=` or `_auth=` key.
pub fn scan(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        runs(line, n + 1, false, &mut out);
        if let Some(decoded) = npm_encoded_value(line) {
            runs(&decoded, n + 1, true, &mut out);
        }
    }
    out
}

/// The decoded text of an npm credential written base64-encoded on this line
/// (`//host/path/:_password=BASE64`, `_auth = "BASE64"`), if it is one.
fn npm_encoded_value(line: &str) -> Option<secrecy::zeroize::Zeroizing<String>> {
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    if !(key.ends_with("_password") || key.ends_with("_auth")) {
        return None;
    }
    let value = value.trim().trim_matches(['"', '\'']);
    let bytes = secrecy::zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(value)
            .ok()?,
    );
    let text = std::str::from_utf8(&bytes).ok()?;
    Some(secrecy::zeroize::Zeroizing::new(text.to_string()))
}

/// The token-shaped runs of one line, pushed onto `out`.
fn runs(line: &str, number: usize, encoded: bool, out: &mut Vec<Found>) {
    {
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
                    line: number,
                    format,
                    encoded,
                    checksum_matches: crate::checksum::check(run)
                        == Some(crate::checksum::Checksum::Matches),
                    token: crate::token::Token::new(run),
                });
            }
        }
    }
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

    #[test]
    fn npms_base64_forms_are_read_as_npm_and_patwiz_write_them() {
        let current = format!("{}JQQJ99{}AZDO{}", "A".repeat(52), "b".repeat(18), "1x2Y");
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let text = format!(
            "registry=https://pkgs.dev.azure.com/o/_packaging/f/npm/registry/\n\
             //pkgs.dev.azure.com/o/_packaging/f/npm/registry/:username=o\n\
             //pkgs.dev.azure.com/o/_packaging/f/npm/registry/:_password={}\n\
             _auth = \"{}\"\n\
             //example.com/:_password={}\n",
            b64(&current),
            b64(&format!("me:{current}")),
            b64("not a token at all"),
        );
        let found = scan(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].line, found[0].encoded), (3, true));
        assert_eq!((found[1].line, found[1].encoded), (4, true));
        assert_eq!(found[0].token.expose(), current);
    }
}
