//! Text that came from outside (a server, a file, the clipboard) made safe to print: every
//! control character is removed before it can reach a terminal, where an escape sequence could
//! set the title, write the clipboard (OSC 52) or rewrite what is on screen.

/// Characters a terminal may act on rather than print: C0 and C1 controls (ESC, BEL, CR and
/// the like), DEL, and the bidirectional controls that make text read differently from how it
/// is stored.
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// One line of external text, safe to print: controls removed, runs of whitespace (newlines
/// and tabs included) folded to one space, trimmed.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if is_control(c) {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Multi-line external text, safe to print: controls removed, newlines kept, tabs as spaces.
pub fn clean_block(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if is_control(c) => None,
            c => Some(c),
        })
        .collect()
}

/// What stands in for anything token-shaped in a message.
pub const REDACTED: &str = "[something token-shaped, not shown]";

/// `s` with every run that could be (part of) a token replaced by [`REDACTED`]: 32 or more
/// letters and digits with at least one digit (a legacy token is 52 characters of base32, a
/// current one 84 of base62; a part of either is as secret as the whole). Whatever field a
/// token was typed into, an error message about that field never repeats it.
pub fn redact_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 32 && run.chars().any(|c| c.is_ascii_digit()) {
            out.push_str(REDACTED);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A message safe for a terminal and free of anything token-shaped.
pub fn safe_message(s: &str) -> String {
    redact_tokens(&clean_block(s))
}

/// Every string in a TOML document made safe to print (controls removed, newlines kept):
/// profiles and settings are files someone else may have written.
pub fn clean_toml(value: &mut toml::Value) {
    match value {
        toml::Value::String(s) => *s = clean_block(s),
        toml::Value::Array(items) => items.iter_mut().for_each(clean_toml),
        toml::Value::Table(table) => table.iter_mut().for_each(|(_, v)| clean_toml(v)),
        _ => {}
    }
}

/// At most `max` characters, with an ellipsis when cut.
/// How long ago `then` was, as a person says it ("just now", "4 min ago", "3 h ago",
/// "2 days ago"), with the moment itself in UTC to the minute.
pub fn ago(then: time::OffsetDateTime, now: time::OffsetDateTime) -> String {
    let seconds = (now - then).whole_seconds();
    let relative = match seconds {
        s if s < 0 => "in the future (check this machine's clock)".to_string(),
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        86_400..172_800 => "yesterday".to_string(),
        _ => format!("{} days ago", seconds / 86_400),
    };
    let utc = then.to_offset(time::UtcOffset::UTC);
    format!(
        "{relative} ({}-{:02}-{:02} {:02}:{:02} UTC)",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute()
    )
}

pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// "A", "A and B", "A, B and C".
pub fn list_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ago_says_how_long_in_words_with_the_moment() {
        use time::macros::datetime;
        let now = datetime!(2026-11-23 08:25:10 UTC);
        assert_eq!(
            ago(datetime!(2026-11-23 08:21:46.771794291 UTC), now),
            "3 min ago (2026-11-23 08:21 UTC)"
        );
        assert!(ago(now, now).starts_with("just now"));
        assert!(ago(datetime!(2026-11-23 05:00 UTC), now).starts_with("3 h ago"));
        assert!(ago(datetime!(2026-11-22 05:00 UTC), now).starts_with("yesterday"));
        assert!(ago(datetime!(2026-11-01 05:00 UTC), now).starts_with("22 days ago"));
        assert!(ago(datetime!(2026-11-24 05:00 UTC), now).contains("clock"));
    }

    #[test]
    fn escape_sequences_never_survive() {
        let osc52 = "repo\u{1b}]52;c;Y3VybCBldmlsLnNofHNo\u{7}name";
        assert_eq!(clean_line(osc52), "repo]52;c;Y3VybCBldmlsLnNofHNoname");
        let title = "\u{1b}]0;pwned\u{9c}x\u{9b}2J";
        assert!(!clean_line(title).chars().any(is_control));
        assert_eq!(clean_line("a\u{202E}b\u{2066}c"), "abc");
        assert_eq!(clean_line("  two\r\n lines\t"), "two lines");
        assert_eq!(clean_block("a\nb\u{1b}[2J\tc"), "a\nb[2J c");
    }

    #[test]
    fn nothing_token_shaped_is_repeated() {
        let legacy = "zcybhbtdd2gkj4iur66nam5wa5yydx5s6kcq46oya7vngcngsuuq";
        let current =
            "AwfEoGD23EoP1arvJveEnjpxgYIJPxuWil8TUpMxYnCIZrCeNEzhJQQJ99CKYvSdNCpgG36sAAAAAZDO3oL0";
        for secret in [legacy, current, &current[..60], &legacy[..40]] {
            let message = format!("--org: \"{secret}\" is not an organization URL");
            let safe = redact_tokens(&message);
            assert!(!safe.contains(&secret[..20]), "{safe}");
            assert!(safe.contains(REDACTED));
        }
        let fine = "--org: https://dev.azure.com/contoso-engineering/ is not found (GUID 6b0f1f7c-4c1e-4d2a-9f0e-5d8a3c2b1a90)";
        assert_eq!(redact_tokens(fine), fine);
    }

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("äöü", 2), "äö…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
