//! `patwiz tokens`: the organization's tokens as the lifecycle API lists them, those patwiz keeps marked.

use crate::cli::CmdResult;
use crate::cli::TokensArgs;
use crate::cli::shared::dates::today;
use crate::cli::shared::sign_in::{connect, report_error};
use crate::cli::shared::token::open_vault;
use crate::domain::lifecycle::PatRecord;
use crate::domain::text::safe_message;
use crate::engine::http::HttpOptions;
use crate::flows::mint::{self};
use serde_json::json;
use std::process::ExitCode;

pub async fn run(args: TokensArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
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
