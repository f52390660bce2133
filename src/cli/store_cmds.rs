//! `patwiz login | status | rotate | forget | remind | doctor`: the token in the OS secret store,
//! its settings in the config directory.

use crate::cli::{CliError, CmdResult};
use std::process::ExitCode;

use super::shared::dates::{expiry_line, expiry_text, now, parse_expiry, today};
use super::shared::token::{open_vault, read_new_token, validate};
use super::{
    EXIT_USAGE, LoginArgs, OrgArg, RemindArgs, RotateArgs, StatusArgs, config_dir, usage,
    user_profiles_dir,
};
use crate::domain::token::Token;
use crate::engine::Report;
use crate::flows;
use crate::store::reminder::{WARN_DAYS, reminder_ics};
use crate::store::rotation::LocalStore;
use crate::store::secret;
use crate::store::settings::format_date;

/// The vault and its settings; a settings file set aside (corrupt, newer) is reported.
async fn open_with_settings() -> Result<(LocalStore, crate::store::settings::Settings), CliError> {
    let vault = open_vault().await?;
    let (settings, note) = vault.settings.load().map_err(|e| {
        eprintln!(
            "patwiz: {}",
            crate::domain::text::safe_message(&e.to_string())
        );
        ExitCode::from(3)
    })?;
    if let Some(note) = note {
        eprintln!("patwiz: warning: {note}");
    }
    Ok((vault, settings))
}

pub async fn login(args: LoginArgs) -> CmdResult {
    let org = super::org_or_only_stored(Some(&args.org))?;
    super::refuse_lookalike(&org, args.server)?;
    let profile = super::find_profile(&args.profile)?;
    if profile.scopes.is_empty() {
        return Err(usage(
            "the custom profile has no scopes to prove: use `patwiz check --scopes` or a profile file",
        ));
    }
    let expires = parse_expiry(args.expires.as_deref())?;
    let (token, notes) = read_new_token(args.token_stdin, "login", &org)?;
    // A team vault (--to) instead of this machine's secret store: its secret's version is read
    // before the token is proven, and the write only lands if no one changed it meanwhile.
    let team = match &args.to {
        Some(to) => Some(super::shared::team_vault::open_destination(to, &args.sign_in).await?),
        None => None,
    };
    let vault = match &team {
        Some(_) => None,
        None => Some(open_vault().await?),
    };
    let scopes = profile.scope_ids();
    let report = validate(&org, &token, &scopes, Some(&profile), notes).await;
    let forced = match flows::keep::admit(&report, args.force) {
        flows::keep::Admission::Passed => {
            super::warn_if_over_privileged(&report);
            false
        }
        flows::keep::Admission::Forced => true,
        flows::keep::Admission::Refused { force_would_do } => {
            super::print_report(&report);
            eprintln!(
                "patwiz: not stored: the token did not pass{}.",
                if force_would_do {
                    " (use --force to store it anyway)"
                } else {
                    ""
                }
            );
            return Ok(ExitCode::from(report.exit_code()));
        }
    };
    let (Some(vault), None) = (vault, team.as_ref()) else {
        return match team {
            Some(team) => {
                let proven = flows::team_vault::ProvenForVault {
                    token: &token,
                    report: &report,
                    profile: &profile.name,
                    scopes: &scopes,
                    expires,
                    authorization_id: None,
                };
                super::shared::team_vault::put(team, proven, forced, args.dry_run).await
            }
            None => Ok(ExitCode::from(3)),
        };
    };
    let proven = flows::keep::Proven {
        org: &org,
        token: &token,
        report: &report,
        profile: &profile.name,
        scopes: &scopes,
        expires,
        authorization_id: None,
    };
    match flows::keep::store_proven(&vault, proven, now()).await {
        Ok(stored) => {
            if let Some(note) = stored.note {
                eprintln!("patwiz: warning: {note}");
            }
        }
        Err(e) => {
            eprintln!(
                "patwiz: not stored: {}.",
                crate::domain::text::safe_message(&e.to_string())
            );
            return Ok(ExitCode::from(3));
        }
    }
    super::print_report(&report);
    if forced {
        let missing: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.required && c.status == crate::domain::checks::CheckStatus::Fail)
            .map(|c| c.label.clone())
            .collect();
        println!(
            "Stored anyway (--force), although these are missing: {}.",
            missing.join(", ")
        );
    }
    if let Some(why) = vault.store.fallback_reason() {
        eprintln!(
            "patwiz: note: {why}, so the token went to the {}.",
            vault.store.backend().name()
        );
    }
    println!("Token {} for {}.", vault.store.backend().explain(), org);
    println!("{}", expiry_line(expires));
    Ok(ExitCode::SUCCESS)
}

pub async fn rotate(args: RotateArgs) -> CmdResult {
    let org = super::org_or_only_stored(args.org.as_deref())?;
    let expires = parse_expiry(args.expires.as_deref())?;
    let (vault, settings) = open_with_settings().await?;
    let Some(current) = settings.get(&org.key()).cloned() else {
        return Err(usage(format!(
            "{org} has no stored token: use `patwiz login --org {org} --profile NAME` first"
        )));
    };
    let (token, notes) = read_new_token(args.token_stdin, "rotate", &org)?;
    if let Ok(Some(old)) = vault.token(&current.key).await
        && old.expose() == token.expose()
    {
        return Err(usage(
            "that is the token already stored; create a new one in Azure DevOps first",
        ));
    }
    let profile =
        crate::store::user_profiles::find(&current.profile, user_profiles_dir().as_deref()).ok();
    let report = validate(&org, &token, &current.scopes, profile.as_ref(), notes).await;
    let account_changed = matches!(
        (&current.identity, &report.identity),
        (Some(before), Some(after)) if !before.unique_name.eq_ignore_ascii_case(&after.unique_name)
    );
    let json = |rotated: bool| {
        #[derive(serde::Serialize)]
        struct Rotation<'a> {
            rotated: bool,
            account_changed: bool,
            check: &'a Report,
        }
        let out = Rotation {
            rotated,
            account_changed,
            check: &report,
        };
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
    };
    if let Err(why) = flows::keep::may_replace(&report, args.strict) {
        if args.json {
            json(false);
        } else {
            super::print_report(&report);
        }
        eprintln!("patwiz: not replaced: {why}. Your current token is still stored and unchanged.");
        return Ok(ExitCode::from(report.exit_code_for(args.strict)));
    }
    super::warn_if_over_privileged(&report);
    if let (Some(before), Some(after)) = (&current.identity, &report.identity)
        && account_changed
    {
        eprintln!(
            "patwiz: warning: the new token belongs to {} <{}>; the stored one was {} <{}>. The integration will act as the new account.",
            after.display_name, after.unique_name, before.display_name, before.unique_name
        );
    }
    let (expires, kept) = crate::domain::expiry::after_rotation(expires, current.expires, today());
    let proven = flows::keep::Proven {
        org: &org,
        token: &token,
        report: &report,
        profile: &current.profile,
        scopes: &current.scopes,
        expires,
        authorization_id: None,
    };
    let result = flows::keep::rotate_proven(&vault, &current.key, proven, now()).await;
    if let Err(e) = result {
        eprintln!(
            "patwiz: rotation failed: {}.",
            crate::domain::text::safe_message(&e.to_string())
        );
        return Ok(ExitCode::from(3));
    }
    if args.json {
        json(true);
        return Ok(ExitCode::SUCCESS);
    }
    super::print_report(&report);
    println!(
        "Rotated: the new token replaced the old one for {org}; profile, scopes and history are kept."
    );
    println!(
        "If you created a second token, revoke the old one in Azure DevOps ({}) once nothing uses it; if you regenerated the same token, there is nothing to revoke.",
        org.token_page()
    );
    println!("{}", expiry_line(expires));
    if kept {
        println!(
            "(The old token's date, kept: pass --expires YYYY-MM-DD if the new token's differs.)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn forget(args: OrgArg) -> CmdResult {
    let org = super::org_or_only_stored(args.org.as_deref())?;
    let vault = open_vault().await?;
    match flows::keep::forget(&vault, &org).await {
        Ok(forgotten) if !forgotten.anything() => {
            println!("Nothing stored for {org}.");
            Ok(ExitCode::SUCCESS)
        }
        Ok(_) => {
            println!(
                "Removed the token and settings for {org}. The token itself still works until you revoke it in Azure DevOps ({}).",
                org.token_page()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&e.to_string())
            );
            Ok(ExitCode::from(3))
        }
    }
}

pub async fn status(args: StatusArgs) -> CmdResult {
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

pub async fn remind(args: RemindArgs) -> CmdResult {
    let org = super::org_or_only_stored(args.org.as_deref())?;
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

pub async fn doctor() -> CmdResult {
    let info = secret::info().await;
    println!("Secret store:  {}", info.name);
    println!("Works:         {}", if info.usable { "yes" } else { "no" });
    println!(
        "Survives reboot: {}",
        if info.persistent { "yes" } else { "no" }
    );
    match info.locked {
        Some(true) => println!("Locked:        yes (unlock your keyring)"),
        Some(false) => println!("Locked:        no"),
        None => println!("Locked:        not applicable"),
    }
    println!("Detail:        {}", info.detail);
    if let Some(dir) = config_dir() {
        println!("Settings:      {}", dir.join("settings.toml").display());
    }
    Ok(ExitCode::from(u8::from(!info.usable)))
}

/// `doctor --scan`: tokens in the usual places, by file and line, and whether each is one patwiz
/// stores (compared in memory, never shown).
pub async fn scan() -> CmdResult {
    use crate::flows::scan;
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    let here = std::env::current_dir().ok();
    let places = scan::usual_places(home.as_deref(), here.as_deref());
    let stored: Vec<(String, Token)> = match open_vault().await {
        Ok(vault) => {
            let orgs = vault
                .settings
                .load()
                .map(|(s, _)| s.orgs)
                .unwrap_or_default();
            let keys: Vec<String> = orgs.iter().map(|o| o.key.clone()).collect();
            orgs.iter()
                .zip(vault.tokens(&keys).await)
                .filter_map(|(org, (token, _))| Some((org.url.clone(), token.ok()??)))
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let findings = scan::scan(&places, &stored);
    for hit in &findings.hits {
        let whose = hit.stored_for.as_ref().map_or_else(
            || "not one patwiz stores".to_string(),
            |url| format!("the one patwiz stores for {url}"),
        );
        let what = if hit.checksum_matches {
            "an Azure DevOps token"
        } else {
            "what looks like an Azure DevOps token (its checksum does not match)"
        };
        let how = if hit.encoded {
            ", base64 as npm keeps it"
        } else {
            ""
        };
        let leftover = if hit.leftover {
            " — a temporary file an interrupted `patwiz npmrc/pip-conf --write` left behind: delete it (the next --write removes it too)"
        } else {
            ""
        };
        println!(
            "{}:{}: {what} ({}{how}, {whose}; C3ID {}){leftover}",
            hit.place, hit.line, hit.format, hit.correlating_id
        );
    }
    for (place, why) in &findings.skipped {
        println!("{place}: not read ({why})");
    }
    let unread = if findings.skipped.is_empty() {
        String::new()
    } else {
        format!(
            " {} {} could not be read (above): look into {} yourself.",
            findings.skipped.len(),
            if findings.skipped.len() == 1 {
                "file"
            } else {
                "files"
            },
            if findings.skipped.len() == 1 {
                "it"
            } else {
                "them"
            }
        )
    };
    if findings.hits.is_empty() {
        println!(
            "No Azure DevOps token found in the {} usual {} patwiz read.{unread}",
            findings.read,
            if findings.read == 1 { "file" } else { "files" }
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "Remove {} from those files (a token in a file or history is readable by anything running as you); revoke any that was shared.{unread}",
            if findings.hits.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
        Ok(ExitCode::from(1))
    }
}
