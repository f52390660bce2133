//! The rotation reminder: an iCalendar event 7 days before the token expires (Git-Zen guide:
//! "set a calendar reminder to rotate before it expires"; Azure DevOps mails 7 days before).

use super::settings::{OrgSettings, format_date};

pub use crate::domain::expiry::WARN_DAYS;

/// An iCalendar event 7 days before the token expires.
pub fn reminder_ics(org: &OrgSettings, expires: time::Date, now: time::OffsetDateTime) -> String {
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace(';', "\\;")
            .replace(',', "\\,")
            .replace('\n', "\\n")
    };
    let day = |d: time::Date| format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day());
    let start = (expires - time::Duration::days(WARN_DAYS)).max(now.date());
    let stamp = format!(
        "{}T{:02}{:02}{:02}Z",
        day(now.date()),
        now.hour(),
        now.minute(),
        now.second()
    );
    let uid: String = org
        .key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//patwiz//PAT rotation reminder//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:patwiz-{uid}-{}@patwiz", day(expires)),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART;VALUE=DATE:{}", day(start)),
        format!(
            "DTEND;VALUE=DATE:{}",
            day(start.next_day().unwrap_or(start))
        ),
        format!(
            "SUMMARY:{}",
            escape(&format!(
                "Rotate the Azure DevOps PAT for {} ({})",
                org.name, org.profile
            ))
        ),
        format!(
            "DESCRIPTION:{}",
            escape(&format!(
                "The personal access token for {} expires on {}. Extend it before then (edit its expiry at {}/_usersSettings/tokens: since 2026-03-31 an expired token can't be extended), or create a new one and run: patwiz rotate --org {}",
                org.url,
                format_date(expires),
                org.url,
                org.url
            ))
        ),
        "BEGIN:VALARM".to_string(),
        "ACTION:DISPLAY".to_string(),
        "TRIGGER:PT9H".to_string(),
        "DESCRIPTION:Rotate the Azure DevOps PAT".to_string(),
        "END:VALARM".to_string(),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    let mut out = String::new();
    for line in &lines {
        out.push_str(&fold(line));
        out.push_str("\r\n");
    }
    out
}

/// RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF and one space), never inside
/// a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::settings::OrgSettings;

    #[test]
    fn the_reminder_is_a_calendar_event_seven_days_before_expiry() {
        let org = OrgSettings {
            key: "https://dev.azure.com/contoso".into(),
            url: "https://dev.azure.com/contoso".into(),
            name: "contoso".into(),
            profile: "git-zen".into(),
            ..Default::default()
        };
        let now = time::macros::datetime!(2026-11-22 10:00 UTC);
        let ics = reminder_ics(&org, time::macros::date!(2027 - 05 - 31), now);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20270524\r\n"));
        assert!(ics.contains("DTSTAMP:20261122T100000Z"));
        assert!(ics.contains("SUMMARY:Rotate the Azure DevOps PAT for contoso (git-zen)"));
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("patwiz rotate --org https://dev.azure.com/contoso"));
        assert!(unfolded.contains("an expired token can't be extended"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.lines().all(|l| l.len() <= 75), "folded at 75 octets");
        // Already within 7 days: remind today.
        let soon = reminder_ics(&org, time::macros::date!(2026 - 11 - 25), now);
        assert!(soon.contains("DTSTART;VALUE=DATE:20261122"));
    }
}
