//! `patwiz status`: the tokens this computer keeps, their expiry and last check.

use crate::cli::CmdResult;
use crate::cli::StatusArgs;
use crate::cli::shared::dates::{expiry_text, now};
use crate::cli::shared::local::open_with_settings;
use crate::flows;
use crate::store::secret;
use crate::store::settings::format_date;
use std::process::ExitCode;

pub async fn run(args: StatusArgs) -> CmdResult {
    let (vault, settings) = open_with_settings().await?;
    let orgs = flows::status::collect(&vault, &settings, args.check, now()).await;
    let problems = orgs
        .iter()
        .filter(|o| o.needs_action_strictly(args.strict))
        .count();
    if args.json {
        #[derive(serde::Serialize)]
        struct StoreLine {
            backend: secret::Backend,
            name: &'static str,
            persistent: bool,
        }
        #[derive(serde::Serialize)]
        struct StatusJson<'a> {
            store: StoreLine,
            orgs: &'a [flows::status::OrgStatus],
        }
        let backend = vault.store.backend();
        let out = StatusJson {
            store: StoreLine {
                backend,
                name: backend.name(),
                persistent: backend.persistent(),
            },
            orgs: &orgs,
        };
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
    } else if orgs.is_empty() {
        println!("No organization is stored yet: run `patwiz` (the wizard) or `patwiz login`.");
    } else {
        for org in &orgs {
            print!("{}", status_text(org, vault.store.backend().name()));
        }
    }
    Ok(ExitCode::from(u8::from(problems > 0)))
}

/// One organization's status, in words.
fn status_text(org: &flows::status::OrgStatus, store_name: &str) -> String {
    let mut text = format!("{}  ({})\n", org.url, org.profile);
    if let Some(id) = &org.identity {
        text.push_str(&format!(
            "  Token of:    {} <{}>\n",
            id.display_name, id.unique_name
        ));
    }
    text.push_str(&format!(
        "  Stored in:   {}{}\n",
        if org.store.is_empty() {
            store_name
        } else {
            &org.store
        },
        match (&org.store_error, org.token_stored) {
            (Some(e), _) => format!(" — ✗ the token could not be read: {e}"),
            (None, true) => String::new(),
            (None, false) => " — ✗ the token is missing: run `patwiz login` again".to_string(),
        }
    ));
    if org.rotation_interrupted {
        text.push_str("  ! A rotation was interrupted: a working token is stored; run `patwiz rotate` again to finish.\n");
    }
    if let Some(why) = &org.check_refused {
        text.push_str(&format!("  ✗ Not checked: {why}\n"));
    }
    let extra = org.over_privileged();
    if !extra.is_empty() {
        text.push_str(&format!(
            "  ! Holds more than it needs: {} (not needed by {})\n",
            crate::domain::text::list_and(&extra),
            org.profile
        ));
    }
    let when = org.last_check.map_or_else(
        || "never".to_string(),
        |t| crate::domain::text::ago(t, now()),
    );
    text.push_str(&format!(
        "  Last check:  {when}{}\n",
        org.last_verdict
            .map(|v| format!(": {}", v.as_str()))
            .unwrap_or_default()
    ));
    let date = org.expires.map(format_date).unwrap_or_default();
    text.push_str(&expiry_text(
        org.expiry,
        &date,
        &format!("patwiz rotate --org {}", org.url),
    ));
    text.push('\n');
    text
}
