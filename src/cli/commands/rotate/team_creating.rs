//! `rotate --to VAULT --create`: the team vault's token replaced by one made through the
//! lifecycle API with the same scopes, proven, written on the version read first, the old one
//! revoked and, once Azure DevOps refuses it, its copy in the vault put beyond reach.

use crate::cli::CmdResult;
use std::process::ExitCode;

use serde_json::json;

use super::team::Plan;
use crate::cli::RotateArgs;
use crate::cli::shared::dates::today;
use crate::cli::shared::team_vault::kv_failure;
use crate::cli::shared::token::open_vault;
use crate::domain::team_vault::ReplacedState;
use crate::engine::http::HttpOptions;
use crate::engine::kv::KvError;
use crate::flows::team_rotation::{self, OldToken, Rotated, Rotation, TeamRotateError};
use crate::flows::team_vault::Destination;
use crate::store::settings::format_date;

pub async fn rotate_creating(destination: Destination, plan: Plan, args: &RotateArgs) -> CmdResult {
    let Some(entry) = destination.entry.as_ref() else {
        return Err(crate::cli::usage(format!(
            "nothing is stored at {} yet",
            destination.shown
        )));
    };
    // The old expiry is kept unless another is asked for.
    let kept = plan
        .facts
        .expires
        .as_deref()
        .and_then(|d| crate::store::settings::parse_date(d).ok())
        .filter(|d| *d > today())
        .map(format_date);
    let valid_to =
        crate::cli::shared::dates::expiry_or_default(args.expires.as_deref().or(kept.as_deref()))?;
    if args.dry_run {
        say_dry_run(&destination, &plan, valid_to.date());
        return Ok(ExitCode::SUCCESS);
    }
    let local = open_vault().await?;
    let options = HttpOptions::default();
    let lifecycle =
        crate::cli::shared::sign_in::connect(&plan.org, &args.sign_in, &options).await?;
    let rotation = Rotation {
        store: &destination.store,
        path: &destination.path,
        shown: &destination.shown,
        expected: destination.expected,
        entry,
        org: &plan.org,
        profile: &plan.profile,
        scopes: &plan.scopes,
        expires: valid_to,
        ctx: &crate::cli::ctx(),
    };
    match team_rotation::rotate_by_creating(&lifecycle, &local, rotation).await {
        Ok(done) => {
            if args.json {
                say_json(&done, &destination);
            } else {
                say_rotated(&done, &destination, &plan);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!(
                "patwiz: not rotated: {} still holds the old token, which works as before.",
                destination.shown
            );
            match e {
                TeamRotateError::Mint(m) => Err(crate::cli::shared::sign_in::report_error(m)),
                TeamRotateError::NotStored { error, revoked } => {
                    let code = kv_failure(&error);
                    eprintln!(
                        "patwiz: {}",
                        if revoked {
                            "the token made for this rotation was revoked again"
                        } else {
                            "revoking the token made for this rotation failed: revoke it in Azure DevOps (`patwiz tokens` lists it)"
                        }
                    );
                    if matches!(error, KvError::Conflict { .. } | KvError::Changed { .. }) {
                        eprintln!(
                            "patwiz: someone else rotated it first: `patwiz status --from {}` shows what it holds now.",
                            destination.shown
                        );
                    }
                    Err(code)
                }
            }
        }
    }
}

fn say_dry_run(destination: &Destination, plan: &Plan, expires: time::Date) {
    let next = destination
        .entry
        .as_ref()
        .filter(|e| e.version > 0)
        .map(|e| format!(" as version {}", e.version + 1))
        .unwrap_or_default();
    println!(
        "Would create a token for {} with exactly {} (expiring {}), prove it, and write it to {} at {}{next}.",
        plan.org,
        plan.scopes.join(" "),
        format_date(expires),
        destination.shown,
        destination.store.address()
    );
    match &plan.facts.authorization_id {
        Some(_) => println!(
            "Then it would revoke the token it replaces and keep that one in the vault until Azure DevOps refuses it."
        ),
        None => println!(
            "The token it replaces was not created by patwiz: you would revoke it in Azure DevOps yourself."
        ),
    }
    println!("Nothing was created or written (--dry-run).");
}

/// The replaced token's fate, in words.
fn old_words(done: &Rotated, destination: &Destination, plan: &Plan) -> String {
    let keeps = |version: &str| {
        if version.is_empty() || version.len() > 12 {
            "keeps it".to_string()
        } else {
            format!("keeps it as version {version}")
        }
    };
    match &done.old {
        OldToken::NoId => "The token it replaced was not created by patwiz, so its id is not known: revoke it in Azure DevOps (User settings → Personal access tokens) once nothing uses it.".to_string(),
        OldToken::NotRevoked(why) => format!(
            "The token it replaced was not revoked ({}): revoke it as its owner ({}) in Azure DevOps (User settings → Personal access tokens) once nothing uses it.",
            crate::domain::text::safe_message(&why.to_string()),
            plan.facts
                .owner
                .as_deref()
                .unwrap_or("the account that made it")
        ),
        OldToken::Revoked(check) => match check.state {
            ReplacedState::Dead => format!("The token it replaced: {}.", check.words()),
            ReplacedState::Lagging | ReplacedState::StillWorks => format!(
                "The token it replaced was revoked; Azure DevOps still accepts it for now (it can take up to an hour). The vault {} until `patwiz status --from {} --check` sees it refused, and then puts it beyond reach.",
                keeps(&check.version),
                destination.shown
            ),
            ReplacedState::Unknown | ReplacedState::Gone => format!(
                "The token it replaced was revoked; patwiz could not check it yet ({}).",
                check.words()
            ),
        },
    }
}

fn say_rotated(done: &Rotated, destination: &Destination, plan: &Plan) {
    crate::cli::print_report(&done.report);
    if done.leftovers > 0 {
        println!(
            "Revoked {} token(s) an interrupted rotation of {} had created but never stored.",
            done.leftovers, destination.shown
        );
    }
    let numbered = if done.version > 0 {
        format!(" (version {})", done.version)
    } else {
        String::new()
    };
    println!(
        "Token rotated: \"{}\", proven and stored in {} at {}{numbered}, with its facts beside it.",
        done.display_name,
        destination.shown,
        destination.store.address()
    );
    if let Some(date) = done.valid_to {
        println!("Expires: {}", format_date(date.date()));
    }
    if let Some(asked) = done.capped_from {
        println!(
            "Note: you asked for {}; your tenant's maximum lifespan cut it to the date above.",
            format_date(asked.date())
        );
    }
    println!("{}", old_words(done, destination, plan));
    if let Some(earlier) = &done.earlier {
        println!("A token an earlier rotation replaced: {}.", earlier.words());
    }
    if let Some(e) = &done.facts_error {
        println!(
            "Note: the facts beside the token still name the replaced one ({}); the next `patwiz status --from {} --check` settles them.",
            crate::domain::text::safe_message(e),
            destination.shown
        );
    }
    if done.local_too {
        println!(
            "This machine stored the replaced token for {} too: it now holds the new one.",
            plan.org
        );
    }
}

fn say_json(done: &Rotated, destination: &Destination) {
    let old = match &done.old {
        OldToken::NoId => {
            json!({"revoked": false, "reason": "not created by patwiz: its id is not known"})
        }
        OldToken::NotRevoked(why) => {
            json!({"revoked": false, "reason": crate::domain::text::safe_message(&why.to_string())})
        }
        OldToken::Revoked(check) => json!({
            "revoked": true,
            "state": check.state,
            "version": check.version,
            "retired": check.retired,
        }),
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "rotated": true,
            "vault": destination.store.address(),
            "path": destination.shown,
            "version": done.version,
            "name": done.display_name,
            "authorizationId": done.authorization_id,
            "expires": done.valid_to.map(|t| format_date(t.date())),
            "expiryCapped": done.capped_from.map(|t| format_date(t.date())),
            "replaced": old,
            "localCopyUpdated": done.local_too,
            "check": done.report,
        }))
        .expect("serialises")
    );
}
