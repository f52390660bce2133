//! `patwiz login | status | rotate | forget | remind | doctor`: the token in the OS secret store,
//! its settings in the config directory.

use std::process::ExitCode;

use serde_json::json;

use super::{
    EXIT_USAGE, LoginArgs, OrgArg, RemindArgs, RotateArgs, StatusArgs, config_dir, token_text,
    usage, user_profiles_dir,
};
use crate::domain::checks::Verdict;
use crate::domain::org_url::OrgUrl;
use crate::domain::profiles;
use crate::domain::token::{Token, check_pasted};
use crate::engine::{self, Report, Wanted};
use crate::store::reminder::{WARN_DAYS, reminder_ics};
use crate::store::rotation::Vault;
use crate::store::secret;
use crate::store::settings::{OrgSettings, SavedIdentity, format_date, parse_date};

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

async fn open_vault() -> Result<Vault, ExitCode> {
    let Some(dir) = config_dir() else {
        return Err(usage("no config directory: set PATWIZ_CONFIG_DIR"));
    };
    Vault::open(&dir).await.map_err(|e| {
        eprintln!(
            "patwiz: {}",
            crate::domain::text::safe_message(&e.to_string())
        );
        ExitCode::from(3)
    })
}

/// The vault and its settings; a settings file set aside (corrupt, newer) is reported.
async fn open_with_settings() -> Result<(Vault, crate::store::settings::Settings), ExitCode> {
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

fn read_new_token(token_stdin: bool) -> Result<(Token, Vec<String>), ExitCode> {
    let (raw, source) = token_text(token_stdin).map_err(usage)?;
    match check_pasted(&raw) {
        Ok(checked) => Ok((checked.token, checked.notes)),
        Err(shape) => {
            eprintln!("patwiz: the token from {source} was refused: {shape}");
            Err(ExitCode::from(Verdict::TokenRejected.exit_code()))
        }
    }
}

async fn validate(
    org: &OrgUrl,
    token: &Token,
    scopes: &[String],
    integration: &str,
    notes: Vec<String>,
) -> Report {
    let profile_scopes = scopes
        .iter()
        .map(|s| Wanted {
            scope: s.clone(),
            why: None,
        })
        .collect();
    let mut request = engine::request_for(org.clone(), token.clone(), profile_scopes, integration);
    request.notes = notes;
    engine::run(request, None).await
}

/// The check of one stored organization, if its entry still names the organization its token
/// was stored for: an edited `url` must never receive another organization's token.
fn live_request(org: &OrgSettings, token: &Token) -> Result<engine::CheckRequest, String> {
    let parsed = OrgUrl::parse(&org.url)
        .map_err(|e| format!("the stored URL is not an organization URL ({e})"))?;
    if parsed.key() != org.key {
        return Err(format!(
            "the settings say {} but this token was stored for {}: the entry was edited, so the token was not sent; run `patwiz login` for the organization you mean",
            parsed.as_str(),
            org.key
        ));
    }
    let scopes = org
        .scopes
        .iter()
        .map(|s| Wanted {
            scope: s.clone(),
            why: None,
        })
        .collect();
    Ok(engine::request_for(
        parsed,
        token.clone(),
        scopes,
        &org.profile,
    ))
}

fn identity_of(report: &Report) -> Option<SavedIdentity> {
    report.identity.as_ref().map(|i| SavedIdentity {
        id: i.id.clone(),
        display_name: i.display_name.clone(),
        unique_name: i.unique_name.clone(),
    })
}

fn parse_expiry(text: Option<&str>) -> Result<Option<String>, ExitCode> {
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
            Ok(Some(format_date(date)))
        }
    }
}

fn expiry_line(expires: Option<&str>) -> String {
    match expires.and_then(|e| parse_date(e).ok()) {
        Some(date) => {
            let days = (date - today()).whole_days();
            format!("Expires {} (in {days} days). Azure DevOps emails you 7 days before; `patwiz remind` writes a calendar reminder.", format_date(date))
        }
        None => "No expiry date recorded: pass --expires YYYY-MM-DD for reminders and `patwiz status` warnings.".into(),
    }
}

pub async fn login(args: LoginArgs) -> ExitCode {
    let org = match OrgUrl::parse(&args.org) {
        Ok(org) => org,
        Err(e) => return usage(format!("--org: {e}")),
    };
    if let Err(code) = super::refuse_lookalike(&org, args.server) {
        return code;
    }
    let profile = match profiles::find(&args.profile, user_profiles_dir().as_deref()) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    if profile.scopes.is_empty() {
        return usage(
            "the custom profile has no scopes to prove: use `patwiz check --scopes` or a profile file",
        );
    }
    let expires = match parse_expiry(args.expires.as_deref()) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let (token, notes) = match read_new_token(args.token_stdin) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let vault = match open_vault().await {
        Ok(v) => v,
        Err(code) => return code,
    };
    let report = validate(&org, &token, &profile.scope_ids(), &profile.title, notes).await;
    let forced = args.force && report.verdict == Verdict::MissingScopes;
    if report.verdict != Verdict::Pass && !forced {
        print!("{}", report.to_text());
        eprintln!(
            "patwiz: not stored: the token did not pass{}.",
            if report.verdict == Verdict::MissingScopes {
                " (use --force to store it anyway)"
            } else {
                ""
            }
        );
        return ExitCode::from(report.exit_code());
    }
    let settings = OrgSettings {
        key: org.key(),
        url: org.as_str().to_string(),
        name: org.name().to_string(),
        kind: report.org.kind.clone(),
        profile: profile.name.clone(),
        scopes: profile.scope_ids(),
        identity: identity_of(&report),
        store: vault.store.backend().name().to_string(),
        created: Some(format_date(today())),
        expires: expires.clone(),
        last_check: Some(now_rfc3339()),
        last_verdict: Some(report.verdict.as_str().to_string()),
        rotating: false,
    };
    match vault.save(&token, settings).await {
        Ok(note) => {
            if let Some(note) = note {
                eprintln!("patwiz: warning: {note}");
            }
        }
        Err(e) => {
            eprintln!(
                "patwiz: not stored: {}.",
                crate::domain::text::safe_message(&e.to_string())
            );
            return ExitCode::from(3);
        }
    }
    print!("{}", report.to_text());
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
    println!("{}", expiry_line(expires.as_deref()));
    ExitCode::SUCCESS
}

pub async fn rotate(args: RotateArgs) -> ExitCode {
    let org = match OrgUrl::parse(&args.org) {
        Ok(org) => org,
        Err(e) => return usage(format!("--org: {e}")),
    };
    let expires = match parse_expiry(args.expires.as_deref()) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let (vault, settings) = match open_with_settings().await {
        Ok(found) => found,
        Err(code) => return code,
    };
    let Some(current) = settings.get(&org.key()).cloned() else {
        return usage(format!(
            "{org} has no stored token: use `patwiz login --org {org} --profile NAME` first"
        ));
    };
    let (token, notes) = match read_new_token(args.token_stdin) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Ok(Some(old)) = vault.token(&current.key).await
        && old.expose() == token.expose()
    {
        return usage("that is the token already stored; create a new one in Azure DevOps first");
    }
    let integration = profiles::find(&current.profile, user_profiles_dir().as_deref())
        .map(|p| p.title)
        .unwrap_or_else(|_| current.profile.clone());
    let report = validate(&org, &token, &current.scopes, &integration, notes).await;
    if report.verdict != Verdict::Pass {
        print!("{}", report.to_text());
        eprintln!(
            "patwiz: not replaced: the new token did not pass. Your current token is still stored and unchanged."
        );
        return ExitCode::from(report.exit_code());
    }
    let identity = identity_of(&report);
    let result = vault
        .rotate(&current.key, &token, |org_settings| {
            org_settings.created = Some(format_date(today()));
            org_settings.expires = expires.clone();
            org_settings.identity = identity;
            org_settings.last_check = Some(now_rfc3339());
            org_settings.last_verdict = Some(Verdict::Pass.as_str().to_string());
        })
        .await;
    if let Err(e) = result {
        eprintln!(
            "patwiz: rotation failed: {}.",
            crate::domain::text::safe_message(&e.to_string())
        );
        return ExitCode::from(3);
    }
    print!("{}", report.to_text());
    println!(
        "Rotated: the new token replaced the old one for {org}; profile, scopes and history are kept."
    );
    println!(
        "Revoke the old token in Azure DevOps ({}) once nothing uses it.",
        org.token_page()
    );
    println!("{}", expiry_line(expires.as_deref()));
    ExitCode::SUCCESS
}

pub async fn forget(args: OrgArg) -> ExitCode {
    let org = match OrgUrl::parse(&args.org) {
        Ok(org) => org,
        Err(e) => return usage(format!("--org: {e}")),
    };
    let vault = match open_vault().await {
        Ok(v) => v,
        Err(code) => return code,
    };
    match vault.forget(&org.key()).await {
        Ok((false, false)) => {
            println!("Nothing stored for {org}.");
            ExitCode::SUCCESS
        }
        Ok(_) => {
            println!(
                "Removed the token and settings for {org}. The token itself still works until you revoke it in Azure DevOps ({}).",
                org.token_page()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&e.to_string())
            );
            ExitCode::from(3)
        }
    }
}

/// How soon a token expires.
fn expiry_state(expires: Option<&str>) -> (&'static str, Option<i64>) {
    match expires.and_then(|e| parse_date(e).ok()) {
        None => ("unknown", None),
        Some(date) => {
            let days = (date - today()).whole_days();
            let state = if days < 0 {
                "expired"
            } else if days <= WARN_DAYS {
                "soon"
            } else {
                "ok"
            };
            (state, Some(days))
        }
    }
}

pub async fn status(args: StatusArgs) -> ExitCode {
    let (vault, settings) = match open_with_settings().await {
        Ok(found) => found,
        Err(code) => return code,
    };
    let mut problems = 0;
    let mut entries = Vec::new();
    let mut text = String::new();
    // What the store holds for each organization (fast, local), then every live check at once.
    let mut tokens = Vec::with_capacity(settings.orgs.len());
    for org in &settings.orgs {
        let token = vault.token(&org.key).await;
        let interrupted = org.rotating || vault.has_staged(&org.key).await.unwrap_or(false);
        tokens.push((token, interrupted));
    }
    let mut lives: Vec<Option<Result<Report, String>>> = vec![None; settings.orgs.len()];
    if args.check {
        // Every stored organization that may be checked, proven all at once.
        let mut asked = Vec::new();
        let mut requests = Vec::new();
        for (i, (org, (token, _))) in settings.orgs.iter().zip(&tokens).enumerate() {
            let Ok(Some(token)) = token else {
                continue;
            };
            match live_request(org, token) {
                Ok(request) => {
                    asked.push(i);
                    requests.push(request);
                }
                Err(why) => lives[i] = Some(Err(why)),
            }
        }
        let reports = engine::many::check_all(requests, engine::many::PARALLELISM).await;
        for (i, report) in asked.into_iter().zip(reports) {
            lives[i] = Some(Ok(report));
        }
        // One write for the whole run, under the settings lock.
        let now = now_rfc3339();
        let results: Vec<(String, String, Option<SavedIdentity>)> = settings
            .orgs
            .iter()
            .zip(&lives)
            .filter_map(|(org, live)| match live {
                Some(Ok(report)) => Some((
                    org.key.clone(),
                    report.verdict.as_str().to_string(),
                    identity_of(report),
                )),
                _ => None,
            })
            .collect();
        if !results.is_empty() {
            let _ = vault.settings.update(|s| {
                for (key, verdict, identity) in results {
                    if let Some(o) = s.get_mut(&key) {
                        o.last_check = Some(now.clone());
                        o.last_verdict = Some(verdict);
                        if identity.is_some() {
                            o.identity = identity;
                        }
                    }
                }
            });
        }
    }
    for ((org, (token, interrupted)), live) in settings.orgs.iter().zip(tokens).zip(lives) {
        let stored = matches!(token, Ok(Some(_)));
        let mut last_check = org.last_check.clone();
        let mut last_verdict = org.last_verdict.clone();
        let mut refused = None;
        let live = match live {
            Some(Ok(report)) => {
                last_check = Some(now_rfc3339());
                last_verdict = Some(report.verdict.as_str().to_string());
                Some(report)
            }
            Some(Err(why)) => {
                refused = Some(why);
                None
            }
            None => None,
        };
        let (expiry, days_left) = expiry_state(org.expires.as_deref());
        let bad = !stored
            || refused.is_some()
            || expiry != "ok" && expiry != "unknown"
            || last_verdict.as_deref().is_some_and(|v| v != "pass");
        problems += usize::from(bad);
        text.push_str(&format!("{}  ({})\n", org.url, org.profile));
        if let Some(id) = &org.identity {
            text.push_str(&format!(
                "  Token of:    {} <{}>\n",
                id.display_name, id.unique_name
            ));
        }
        text.push_str(&format!(
            "  Stored in:   {}{}\n",
            if org.store.is_empty() {
                vault.store.backend().name()
            } else {
                &org.store
            },
            match &token {
                Ok(Some(_)) => String::new(),
                Ok(None) => " — ✗ the token is missing: run `patwiz login` again".to_string(),
                Err(e) => format!(" — ✗ the token could not be read: {e}"),
            }
        ));
        if interrupted {
            text.push_str("  ! A rotation was interrupted: a working token is stored; run `patwiz rotate` again to finish.\n");
        }
        if let Some(why) = &refused {
            text.push_str(&format!("  ✗ Not checked: {why}\n"));
        }
        text.push_str(&format!(
            "  Last check:  {}{}\n",
            last_check.as_deref().unwrap_or("never"),
            last_verdict
                .as_deref()
                .map(|v| format!(": {v}"))
                .unwrap_or_default()
        ));
        match (expiry, days_left) {
            ("expired", Some(d)) => text.push_str(&format!("  ✗ Expired {} days ago ({}): create a new token and run `patwiz rotate --org {}`\n", -d, org.expires.as_deref().unwrap_or(""), org.url)),
            ("soon", Some(d)) => text.push_str(&format!("  ! Expires in {d} days ({}): extend it now in Azure DevOps (an expired token can't be extended), or rotate with `patwiz rotate --org {}`\n", org.expires.as_deref().unwrap_or(""), org.url)),
            ("ok", Some(d)) => text.push_str(&format!("  Expires:     {} (in {d} days)\n", org.expires.as_deref().unwrap_or(""))),
            _ => text.push_str("  Expires:     unknown (record it with --expires on login or rotate)\n"),
        }
        text.push('\n');
        entries.push(json!({
            "url": org.url,
            "name": org.name,
            "kind": org.kind,
            "profile": org.profile,
            "scopes": org.scopes,
            "identity": org.identity,
            "store": org.store,
            "token_stored": stored,
            "store_error": token.as_ref().err().map(|e| e.to_string()),
            "rotation_interrupted": interrupted,
            "created": org.created,
            "expires": org.expires,
            "days_left": days_left,
            "expiry": expiry,
            "last_check": last_check,
            "last_verdict": last_verdict,
            "check": live,
            "check_refused": refused,
        }));
    }
    if args.json {
        let out = json!({
            "store": {"backend": vault.store.backend(), "name": vault.store.backend().name(), "persistent": vault.store.backend().persistent()},
            "orgs": entries,
        });
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
    } else if settings.orgs.is_empty() {
        println!("No organization is stored yet: run `patwiz` (the wizard) or `patwiz login`.");
    } else {
        print!("{text}");
    }
    ExitCode::from(u8::from(problems > 0))
}

pub async fn remind(args: RemindArgs) -> ExitCode {
    let org = match OrgUrl::parse(&args.org) {
        Ok(org) => org,
        Err(e) => return usage(format!("--org: {e}")),
    };
    let Some(dir) = config_dir() else {
        return usage("no config directory: set PATWIZ_CONFIG_DIR");
    };
    let file = crate::store::settings::SettingsFile::new(dir);
    let settings = match file.load() {
        Ok((s, _)) => s,
        Err(e) => {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&e.to_string())
            );
            return ExitCode::from(3);
        }
    };
    let Some(entry) = settings.get(&org.key()) else {
        return usage(format!("{org} is not stored: run `patwiz login` first"));
    };
    let Some(expires) = entry.expires.as_deref().and_then(|e| parse_date(e).ok()) else {
        return usage(format!(
            "no expiry date is recorded for {org}: pass --expires YYYY-MM-DD to `patwiz login` or `patwiz rotate`"
        ));
    };
    let ics = reminder_ics(entry, expires, time::OffsetDateTime::now_utc());
    match &args.ics {
        Some(path) => match crate::store::files::write_no_follow(path, ics.as_bytes()) {
            Ok(()) => {
                println!(
                    "Wrote {}: a reminder on {} to rotate the token (it expires {}).",
                    path.display(),
                    format_date((expires - time::Duration::days(WARN_DAYS)).max(today())),
                    format_date(expires)
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("patwiz: cannot write {}: {e}", path.display());
                ExitCode::from(EXIT_USAGE)
            }
        },
        None => {
            print!("{ics}");
            ExitCode::SUCCESS
        }
    }
}

pub async fn doctor() -> ExitCode {
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
    ExitCode::from(u8::from(!info.usable))
}
