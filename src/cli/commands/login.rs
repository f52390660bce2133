//! `patwiz login`: prove a token and keep it on this computer.

use crate::cli::CmdResult;
use crate::cli::shared::dates::{expiry_line, now, parse_expiry};
use crate::cli::shared::token::{open_vault, read_new_token, validate};
use crate::cli::{LoginArgs, usage};
use crate::flows;
use std::process::ExitCode;

pub async fn run(args: LoginArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(Some(&args.org))?;
    crate::cli::refuse_lookalike(&org, args.server)?;
    let profile = crate::cli::find_profile(&args.profile)?;
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
        Some(to) => {
            Some(crate::cli::shared::team_vault::open_destination(to, &args.sign_in).await?)
        }
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
            crate::cli::warn_if_over_privileged(&report);
            false
        }
        flows::keep::Admission::Forced => true,
        flows::keep::Admission::Refused { force_would_do } => {
            crate::cli::print_report(&report);
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
                crate::cli::shared::team_vault::put(team, proven, forced, args.dry_run).await
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
    crate::cli::print_report(&report);
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
