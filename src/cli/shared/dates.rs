//! Dates on the command line: today by the clock, `--expires` read and said.

use crate::cli::CliError;

use crate::cli::usage;
use crate::store::settings::{format_date, parse_date};

pub(crate) fn today() -> time::Date {
    crate::cli::clock().today()
}

pub(crate) fn now() -> time::OffsetDateTime {
    crate::cli::clock().now()
}

pub(crate) fn parse_expiry(text: Option<&str>) -> Result<Option<time::Date>, CliError> {
    match text {
        None => Ok(None),
        Some(t) => {
            let date = parse_date(t).map_err(|e| usage(format!("--expires: {e}")))?;
            if date < today() {
                return Err(usage(format!(
                    "--expires: {} is in the past",
                    format_date(date)
                )));
            }
            Ok(Some(date))
        }
    }
}

pub(crate) fn expiry_line(expires: Option<time::Date>) -> String {
    match expires {
        Some(date) => {
            let expiry = crate::domain::expiry::Expiry::of(Some(date), today());
            match (expiry.soon_words(), expiry.days_left()) {
                (Some(when), _) => format!("Expires {} ({when}): that is within Azure DevOps' 7-day warning, so `patwiz status` warns from now on; rotate it (`patwiz rotate`) before then.", format_date(date)),
                (None, days) => format!("Expires {} (in {} days). Azure DevOps emails you 7 days before; `patwiz remind` writes a calendar reminder.", format_date(date), days.unwrap_or_default()),
            }
        }
        None => "No expiry date recorded: pass --expires YYYY-MM-DD for reminders and `patwiz status` warnings.".into(),
    }
}

/// The expiry line of a status block: `rotate` is the command that replaces the token.
pub(crate) fn expiry_text(
    expiry: crate::domain::expiry::Expiry,
    date: &str,
    rotate: &str,
) -> String {
    use crate::domain::expiry::Expiry;
    match expiry {
        Expiry::Expired(d) => {
            format!("  ✗ Expired {d} days ago ({date}): create a new token and run `{rotate}`\n")
        }
        Expiry::Soon(d) => format!(
            "  ! Expires in {d} days ({date}): extend it now in Azure DevOps (an expired token can't be extended), or rotate with `{rotate}`\n"
        ),
        Expiry::Fine(d) => format!("  Expires:     {date} (in {d} days)\n"),
        Expiry::Unknown => {
            "  Expires:     unknown (record it with --expires on login or rotate)\n".to_string()
        }
    }
}

pub(crate) fn expiry_or_default(text: Option<&str>) -> Result<time::OffsetDateTime, CliError> {
    let date = parse_expiry(text)?.unwrap_or(today() + time::Duration::days(30));
    Ok(date
        .with_hms(23, 59, 59)
        .expect("a valid time")
        .assume_utc())
}
