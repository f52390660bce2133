//! `patwiz create | tokens | mend` and `rotate --create`: tokens made, listed, mended and
//! replaced through Azure DevOps' lifecycle API after a Microsoft Entra sign-in, each proven
//! with the same probes as a pasted one.

use std::process::ExitCode;

use serde_json::json;

use super::store_cmds::{open_vault, parse_expiry, today};
use super::{CreateArgs, MendArgs, SignInArgs, TokensArgs, usage};
use crate::domain::lifecycle::PatRecord;
use crate::domain::org_url::OrgUrl;
use crate::domain::text::safe_message;
use crate::engine::http::HttpOptions;
use crate::flows::mint::{self, MintError, SignIn};

/// Exit code when the service or a policy refused (as a rejected token).
const EXIT_REFUSED: u8 = 2;

/// The sign-in to use: the one asked for, else the best available here.
fn sign_in_method(org: &OrgUrl, args: &SignInArgs) -> Result<SignIn, ExitCode> {
    sign_in_method_for(org.is_loopback(), args)
}

/// The sign-in to use for a service on this machine (`loopback`: the demo's) or elsewhere: the
/// core's one rule, with the command line able to show a device code.
pub(super) fn sign_in_method_for(loopback: bool, args: &SignInArgs) -> Result<SignIn, ExitCode> {
    use crate::flows::sign_in::{Asked, Here, choose};
    let asked = match args.sign_in.as_deref().map(Asked::parse).transpose() {
        Ok(asked) => asked,
        Err(other) => {
            return Err(usage(format!(
                "--sign-in {other}: use az, browser or device"
            )));
        }
    };
    choose(asked, &Here::detect(loopback, args.client_id.clone(), true)).map_err(usage)
}

/// Signs in and connects to the organization's lifecycle API; errors are printed.
pub(super) async fn connect(
    org: &OrgUrl,
    args: &SignInArgs,
    options: &HttpOptions,
) -> Result<crate::engine::lifecycle::Lifecycle, ExitCode> {
    let how = sign_in_method(org, args)?;
    let token = mint::sign_in(
        org,
        &how,
        options,
        |uri, code| {
            eprintln!(
                "patwiz: to sign in, open {uri} and enter the code {code} (many tenants block this flow; --sign-in browser or az then)"
            );
        },
        |url| {
            eprintln!("patwiz: signing in with Microsoft Entra in your browser…");
            webbrowser::open(url.as_str()).map_err(|e| {
                format!("cannot open a browser ({e}): use --sign-in device or --sign-in az")
            })
        },
    )
    .await
    .map_err(report_error)?;
    mint::connect(org, &token, options)
        .await
        .map_err(report_error)
}

/// What an interrupted create or rotation left behind is cleaned up first, and said.
async fn finish_interrupted(
    lifecycle: &crate::engine::lifecycle::Lifecycle,
    vault: &crate::store::rotation::Vault,
    org: &OrgUrl,
) {
    let revoked = mint::revoke_pending(&super::ctx(), lifecycle, vault, org).await;
    if revoked > 0 {
        eprintln!(
            "patwiz: revoked {revoked} token(s) an interrupted run had created but never stored."
        );
    }
}

pub(super) fn report_error(e: MintError) -> ExitCode {
    eprintln!("patwiz: {}", safe_message(&e.to_string()));
    if let MintError::Lifecycle(l) = &e
        && let Some(refusal) = l.refusal()
    {
        let words = refusal.explain("the organization");
        eprintln!("  Who can change it: {}", safe_message(&words.who));
        eprintln!("  What to do now: {}", safe_message(&words.now));
        return ExitCode::from(EXIT_REFUSED);
    }
    match e {
        MintError::NotProven { report, .. } => {
            super::print_report(&report);
            ExitCode::from(report.exit_code())
        }
        MintError::Lifecycle(_) | MintError::SignIn(_) => ExitCode::from(EXIT_REFUSED),
        _ => ExitCode::from(3),
    }
}

pub(super) fn expiry_or_default(text: Option<&str>) -> Result<time::OffsetDateTime, ExitCode> {
    let date = parse_expiry(text)?.unwrap_or(today() + time::Duration::days(30));
    Ok(date
        .with_hms(23, 59, 59)
        .expect("a valid time")
        .assume_utc())
}

pub async fn create(args: CreateArgs) -> ExitCode {
    let org = match super::org_or_only_stored(Some(&args.org)) {
        Ok(org) => org,
        Err(code) => return code,
    };
    let profile = match super::find_profile(&args.profile) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if profile.scopes.is_empty() {
        return usage(
            "the custom profile has no scopes: create a profile file with the scopes (see the README)",
        );
    }
    let valid_to = match expiry_or_default(args.expires.as_deref()) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let options = HttpOptions::default();
    let vault = match open_vault().await {
        Ok(v) => v,
        Err(code) => return code,
    };
    if vault.settings.entry(&org.key()).is_some() {
        return usage(format!(
            "{org} already has a stored token: `patwiz rotate --org {org} --create` replaces it"
        ));
    }
    // The team vault is read before the token exists, so its write lands only on what was read.
    let team = match &args.to {
        Some(to) => match super::vault_cmds::open_destination(to, &args.sign_in).await {
            Ok(d) => Some(d),
            Err(code) => return code,
        },
        None => None,
    };
    let lifecycle = match connect(&org, &args.sign_in, &options).await {
        Ok(l) => l,
        Err(code) => return code,
    };
    let minted = match mint::mint(
        &lifecycle,
        &vault,
        &org,
        &profile,
        valid_to,
        &super::ctx(),
        false,
    )
    .await
    {
        Ok(m) => m,
        Err(e) => return report_error(e),
    };
    say_minted(&minted, args.json, "created");
    let Some(team) = team else {
        return ExitCode::SUCCESS;
    };
    let token = match vault.token(&org.key()).await {
        Ok(Some(t)) => t,
        _ => {
            eprintln!(
                "patwiz: the created token is stored on this machine but could not be read back for the team vault: run `patwiz login --org {org} --profile {} --to …` with it",
                profile.name
            );
            return ExitCode::from(3);
        }
    };
    let scopes = profile.scope_ids();
    let proven = crate::flows::team_vault::ProvenForVault {
        token: &token,
        report: &minted.report,
        profile: &profile.name,
        scopes: &scopes,
        expires: minted.valid_to.map(|t| t.date()),
        authorization_id: Some(minted.authorization_id.clone()),
    };
    super::vault_cmds::put_quietly(team, proven, false, false, false).await
}

fn say_minted(minted: &mint::Minted, json: bool, verb: &str) {
    let valid_to = minted.valid_to.map(|t| t.date());
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                verb: true,
                "name": minted.display_name,
                "authorizationId": minted.authorization_id,
                "expires": valid_to.map(crate::store::settings::format_date),
                "expiryCapped": minted.capped_from.map(|t| crate::store::settings::format_date(t.date())),
                "store": minted.stored.backend.name(),
                "check": minted.report,
            }))
            .expect("serialises")
        );
        return;
    }
    super::print_report(&minted.report);
    println!(
        "Token {verb}: \"{}\", proven and stored ({}).",
        minted.display_name,
        minted.stored.backend.name()
    );
    if let Some(date) = valid_to {
        println!("Expires: {}", crate::store::settings::format_date(date));
    }
    if let Some(asked) = minted.capped_from {
        println!(
            "Note: you asked for {}; your tenant's maximum lifespan cut it to the date above.",
            crate::store::settings::format_date(asked.date())
        );
    }
}

pub async fn rotate_create(
    org: OrgUrl,
    args: &SignInArgs,
    expires: Option<&str>,
    json: bool,
) -> ExitCode {
    let vault = match open_vault().await {
        Ok(v) => v,
        Err(code) => return code,
    };
    let Some(current) = vault.settings.entry(&org.key()) else {
        return usage(format!(
            "{org} has no stored token: use `patwiz create --org {org} --profile NAME` first"
        ));
    };
    let profile = match super::find_profile(&current.profile) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // The old expiry is kept unless another is asked for (a year at most from today).
    let kept = current
        .expires
        .filter(|d| *d > today())
        .map(crate::store::settings::format_date);
    let valid_to = match expiry_or_default(expires.or(kept.as_deref())) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let options = HttpOptions::default();
    let lifecycle = match connect(&org, args, &options).await {
        Ok(l) => l,
        Err(code) => return code,
    };
    finish_interrupted(&lifecycle, &vault, &org).await;
    let had_id = current.authorization_id.is_some();
    match mint::mint(
        &lifecycle,
        &vault,
        &org,
        &profile,
        valid_to,
        &super::ctx(),
        true,
    )
    .await
    {
        Ok(minted) => {
            say_minted(&minted, json, "rotated");
            if !json {
                if had_id {
                    println!(
                        "The old token was revoked; Azure DevOps can take up to an hour to stop it everywhere (`patwiz status --check` confirms)."
                    );
                } else {
                    println!(
                        "Revoke the old token in Azure DevOps (User settings → Personal access tokens) once nothing uses it: patwiz did not create it, so it does not know its id."
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "patwiz: the stored token was not replaced: it is still the old one, which works as before."
            );
            report_error(e)
        }
    }
}

pub async fn tokens(args: TokensArgs) -> ExitCode {
    let org = match super::org_or_only_stored(args.org.as_deref()) {
        Ok(org) => org,
        Err(code) => return code,
    };
    let options = HttpOptions::default();
    let lifecycle = match connect(&org, &args.sign_in, &options).await {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Ok(vault) = open_vault().await {
        let (confirmed, still) = mint::confirm_revocations(&lifecycle, &vault, &org).await;
        if confirmed > 0 {
            eprintln!("patwiz: Azure DevOps confirms {confirmed} replaced token(s) revoked.");
        }
        if still > 0 {
            eprintln!("patwiz: {still} replaced token(s) were still active: revoked again.");
        }
    }
    let filter = if args.all { "all" } else { "active" };
    let records = match lifecycle.list(filter).await {
        Ok(r) => r,
        Err(e) => return report_error(e.into()),
    };
    let managed: Vec<String> = open_vault()
        .await
        .ok()
        .and_then(|v| v.settings.load().ok())
        .map(|(s, _)| {
            s.orgs
                .iter()
                .filter_map(|o| o.authorization_id.clone())
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<serde_json::Value> = records.iter().map(|r| row(r, &managed)).collect();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"organization": org.as_str(), "tokens": rows}))
                .expect("serialises")
        );
        return ExitCode::SUCCESS;
    }
    if records.is_empty() {
        println!("No {filter} tokens for this account.");
    }
    for (record, value) in records.iter().zip(&rows) {
        let flags: Vec<&str> = value["flags"]
            .as_array()
            .map(|a| a.iter().filter_map(|f| f.as_str()).collect())
            .unwrap_or_default();
        println!(
            "{}{}",
            safe_message(&record.display_name),
            if value["managed"].as_bool() == Some(true) {
                "  (stored by patwiz)"
            } else {
                ""
            }
        );
        println!(
            "  Expires {} · {} · {}",
            value["expires"].as_str().unwrap_or("?"),
            if record.is_global() {
                "all accessible organizations"
            } else {
                "this organization"
            },
            record
                .scopes()
                .iter()
                .map(|s| crate::domain::scopes::Catalogue::get().label(s))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for flag in flags {
            println!("  ! {flag}");
        }
    }
    ExitCode::SUCCESS
}

fn row(record: &PatRecord, managed: &[String]) -> serde_json::Value {
    let mut flags = Vec::new();
    if record.is_global() {
        flags.push("a global token (\"All accessible organizations\"): these stop working on 2026-12-01; replace it with one for this organization");
    }
    if record.is_full_access() {
        flags.push("Full access: more than any integration needs");
    }
    let days = record.valid_to.map(|t| (t.date() - today()).whole_days());
    if days.is_some_and(|d| (0..=crate::domain::expiry::WARN_DAYS).contains(&d)) {
        flags.push("expires within 7 days: extend it (patwiz mend --extend) before it does");
    }
    json!({
        "name": record.display_name,
        "authorizationId": record.authorization_id,
        "scopes": record.scopes(),
        "global": record.is_global(),
        "expires": record.valid_to.map(|t| crate::store::settings::format_date(t.date())),
        "managed": managed.contains(&record.authorization_id),
        "flags": flags,
    })
}

pub async fn mend(args: MendArgs) -> ExitCode {
    let org = match super::org_or_only_stored(args.org.as_deref()) {
        Ok(org) => org,
        Err(code) => return code,
    };
    if args.add_scope.is_empty() && args.extend.is_none() {
        return usage("nothing to mend: pass --add-scope ID and/or --extend YYYY-MM-DD");
    }
    for id in &args.add_scope {
        if crate::domain::scopes::Catalogue::get().scope(id).is_none() {
            return usage(format!("--add-scope: unknown scope \"{id}\""));
        }
    }
    let extend = match args
        .extend
        .as_deref()
        .map(|t| expiry_or_default(Some(t)))
        .transpose()
    {
        Ok(e) => e,
        Err(code) => return code,
    };
    let vault = match open_vault().await {
        Ok(v) => v,
        Err(code) => return code,
    };
    let Some(current) = vault.settings.entry(&org.key()) else {
        return usage(format!("{org} has no stored token"));
    };
    let profile = match super::find_profile(&current.profile) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let options = HttpOptions::default();
    let lifecycle = match connect(&org, &args.sign_in, &options).await {
        Ok(l) => l,
        Err(code) => return code,
    };
    match mint::mend(
        &super::ctx(),
        &lifecycle,
        &vault,
        &org,
        &profile,
        &args.add_scope,
        extend,
    )
    .await
    {
        Ok(mint::Mended {
            report,
            capped_to: capped,
            ..
        }) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&json!({"mended": true, "expiryCapped": capped.map(|t| crate::store::settings::format_date(t.date())), "check": report})).expect("serialises"));
            } else {
                super::print_report(&report);
                println!(
                    "Mended in place: the token's value is unchanged, nothing to hand over again."
                );
                if let Some(date) = capped {
                    println!(
                        "Note: your tenant's maximum lifespan cut the new expiry to {}.",
                        crate::store::settings::format_date(date.date())
                    );
                }
            }
            ExitCode::from(report.exit_code())
        }
        Err(e) => report_error(e),
    }
}
