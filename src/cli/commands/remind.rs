//! `patwiz remind`: a calendar reminder to rotate before the token expires.

use crate::cli::CmdResult;
use crate::cli::shared::dates::{now, today};
use crate::cli::{EXIT_USAGE, RemindArgs, config_dir, usage};
use crate::store::reminder::{WARN_DAYS, reminder_ics};
use crate::store::settings::format_date;
use std::process::ExitCode;

pub async fn run(args: RemindArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
    let Some(dir) = config_dir() else {
        return Err(usage("no config directory: set PATWIZ_CONFIG_DIR"));
    };
    let file = crate::store::settings::SettingsFile::new(dir);
    let settings = match file.load() {
        Ok((s, _)) => s,
        Err(e) => {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&e.to_string())
            );
            return Ok(ExitCode::from(3));
        }
    };
    let Some(entry) = settings.get(&org.key()) else {
        return Err(usage(format!(
            "{org} is not stored: run `patwiz login` first"
        )));
    };
    let Some(expires) = entry.expires else {
        return Err(usage(format!(
            "no expiry date is recorded for {org}: pass --expires YYYY-MM-DD to `patwiz login` or `patwiz rotate`"
        )));
    };
    let ics = reminder_ics(entry, expires, now());
    match &args.ics {
        Some(path) => match crate::store::files::write_no_follow(path, ics.as_bytes()) {
            Ok(()) => {
                println!(
                    "Wrote {}: a reminder on {} to rotate the token (it expires {}).",
                    path.display(),
                    format_date((expires - time::Duration::days(WARN_DAYS)).max(today())),
                    format_date(expires)
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("patwiz: cannot write {}: {e}", path.display());
                Ok(ExitCode::from(EXIT_USAGE))
            }
        },
        None => {
            print!("{ics}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
