//! `patwiz create | tokens | mend` and `rotate --create`: tokens made, listed, mended and
//! replaced through Azure DevOps' lifecycle API after a Microsoft Entra sign-in, each proven
//! with the same probes as a pasted one.

use crate::cli::CmdResult;
use std::process::ExitCode;

use serde_json::json;

use super::shared::dates::{expiry_or_default, today};
use super::shared::sign_in::{connect, report_error};
use super::shared::token::open_vault;
use super::{CreateArgs, MendArgs, RotateArgs, SignInArgs, TokensArgs, usage};
use crate::domain::lifecycle::PatRecord;
use crate::domain::org_url::OrgUrl;
use crate::domain::text::safe_message;
use crate::engine::http::HttpOptions;
use crate::flows::mint::{self};

/// What an interrupted create or rotation left behind is cleaned up first, and said.
async fn finish_interrupted(
    lifecycle: &crate::engine::lifecycle::Lifecycle,
    vault: &crate::store::rotation::LocalStore,
    org: &OrgUrl,
) {
    let revoked = mint::revoke_pending(&super::ctx(), lifecycle, vault, org).await;
    if revoked > 0 {
        eprintln!(
            "patwiz: revoked {revoked} token(s) an interrupted run had created but never stored."
        );
    }
}

pub async fn create(args: CreateArgs) -> CmdResult {
    let org = super::org_or_only_stored(Some(&args.org))?;
    let profile = super::find_profile(&args.profile)?;
    if profile.scopes.is_empty() {
        return Err(usage(
            "the custom profile has no scopes: create a profile file with the scopes (see the README)",
        ));
    }
    let valid_to = expiry_or_default(args.expires.as_deref())?;
    let options = HttpOptions::default();
    let vault = open_vault().await?;
    if vault.settings.entry(&org.key()).is_some() {
        return Err(usage(format!(
            "{org} already has a stored token: `patwiz rotate --org {org} --create` replaces it"
        )));
    }
    // The team vault is read before the token exists, so its write lands only on what was read.
    let team = match &args.to {
        Some(to) => Some(super::shared::team_vault::open_destination(to, &args.sign_in).await?),
        None => None,
    };
    let lifecycle = connect(&org, &args.sign_in, &options).await?;
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
        Err(e) => return Err(report_error(e)),
    };
    say_minted(&minted, args.json, "created");
    let Some(team) = team else {
        return Ok(ExitCode::SUCCESS);
    };
    let token = match vault.token(&org.key()).await {
        Ok(Some(t)) => t,
        _ => {
            eprintln!(
                "patwiz: the created token is stored on this machine but could not be read back for the team vault: run `patwiz login --org {org} --profile {} --to …` with it",
                profile.name
            );
            return Ok(ExitCode::from(3));
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
    super::shared::team_vault::put_quietly(team, proven, false, false, false).await
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

/// `patwiz rotate --create`: a new token created, proven and swapped in, the old one revoked.
pub async fn rotate(args: RotateArgs) -> CmdResult {
    let org = super::org_or_only_stored(args.org.as_deref())?;
    rotate_create(org, &args.sign_in, args.expires.as_deref(), args.json).await
}

async fn rotate_create(
    org: OrgUrl,
    args: &SignInArgs,
    expires: Option<&str>,
    json: bool,
) -> CmdResult {
    let vault = open_vault().await?;
    let Some(current) = vault.settings.entry(&org.key()) else {
        return Err(usage(format!(
            "{org} has no stored token: use `patwiz create --org {org} --profile NAME` first"
        )));
    };
    let profile = super::find_profile(&current.profile)?;
    // The old expiry is kept unless another is asked for (a year at most from today).
    let kept = current
        .expires
        .filter(|d| *d > today())
        .map(crate::store::settings::format_date);
    let valid_to = expiry_or_default(expires.or(kept.as_deref()))?;
    let options = HttpOptions::default();
    let lifecycle = connect(&org, args, &options).await?;
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
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!(
                "patwiz: the stored token was not replaced: it is still the old one, which works as before."
            );
            Err(report_error(e))
        }
    }
}

pub async fn tokens(args: TokensArgs) -> CmdResult {
    let org = super::org_or_only_stored(args.org.as_deref())?;
    let options = HttpOptions::default();
    let lifecycle = connect(&org, &args.sign_in, &options).await?;
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
        Err(e) => return Err(report_error(e.into())),
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
        return Ok(ExitCode::SUCCESS);
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
    Ok(ExitCode::SUCCESS)
}

fn row(record: &PatRecord, managed: &[String]) -> serde_json::Value {
    let mut flags = Vec::new();
    if record.is_global() {
        flags.push(crate::domain::in_tense(
            "a global token (\"All accessible organizations\"): Microsoft {retires} these on 2026-12-01; replace it with one for this organization",
            today(),
        ));
    }
    if record.is_full_access() {
        flags.push("Full access: more than any integration needs".to_string());
    }
    let days = record.valid_to.map(|t| (t.date() - today()).whole_days());
    if days.is_some_and(|d| (0..=crate::domain::expiry::WARN_DAYS).contains(&d)) {
        flags.push(
            "expires within 7 days: extend it (patwiz mend --extend) before it does".to_string(),
        );
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

pub async fn mend(args: MendArgs) -> CmdResult {
    let org = super::org_or_only_stored(args.org.as_deref())?;
    if args.add_scope.is_empty() && args.extend.is_none() {
        return Err(usage(
            "nothing to mend: pass --add-scope ID and/or --extend YYYY-MM-DD",
        ));
    }
    for id in &args.add_scope {
        if crate::domain::scopes::Catalogue::get().scope(id).is_none() {
            return Err(usage(format!("--add-scope: unknown scope \"{id}\"")));
        }
    }
    let extend = args
        .extend
        .as_deref()
        .map(|t| expiry_or_default(Some(t)))
        .transpose()?;
    let vault = open_vault().await?;
    let Some(current) = vault.settings.entry(&org.key()) else {
        return Err(usage(format!("{org} has no stored token")));
    };
    let profile = super::find_profile(&current.profile)?;
    let options = HttpOptions::default();
    let lifecycle = connect(&org, &args.sign_in, &options).await?;
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
            Ok(ExitCode::from(report.exit_code()))
        }
        Err(e) => Err(report_error(e)),
    }
}
