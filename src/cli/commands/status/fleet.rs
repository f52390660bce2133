//! `patwiz status --from VAULT`: the tokens a team vault holds, proven with `--check`.

use crate::cli::CmdResult;
use crate::cli::shared::dates::now;
use crate::cli::shared::team_vault::{kv_failure, vault_sign_in};
use crate::cli::{StatusArgs, usage};
use crate::domain::team_vault::{ReplacedState, Target};
use crate::engine::http::HttpOptions;
use crate::flows::team_vault::{self, TeamStore};
use std::process::ExitCode;

/// `status --from vault://MOUNT/PREFIX [--check] [--json]`: every token under the prefix, who
/// owns it, when it expires, and its verdict (fresh with --check, proven concurrently).
pub async fn run(args: StatusArgs) -> CmdResult {
    let Some(from) = args.from.as_deref() else {
        return Err(usage("--from is needed"));
    };
    let target = match Target::parse(from, true) {
        Ok(t) => t,
        Err(e) => return Err(usage(e)),
    };
    let how = vault_sign_in(&target, &args.sign_in)?;
    let (store, path) =
        match TeamStore::open_signing_in(&target, &HttpOptions::default(), how).await {
            Ok(found) => found,
            Err(e) => return Err(kv_failure(&e)),
        };
    let fleet = match team_vault::fleet(
        &crate::cli::ctx(),
        &store,
        &path,
        args.check,
        &args.trust_server,
        team_vault::PARALLELISM,
    )
    .await
    {
        Ok(m) => m,
        Err(e) => return Err(kv_failure(&e)),
    };
    let shown_from = crate::domain::text::clean_line(from);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "vault": store.address(),
                "prefix": from,
                "tokens": fleet.members,
                "unread": fleet.unread,
                "unread_reason": fleet.unread.map(|u| u.to_string()),
            }))
            .unwrap_or_default()
        );
    } else if fleet.members.is_empty() && fleet.unread.is_none() {
        println!("No token is stored under {shown_from} yet.");
    } else {
        print!("{}", fleet_table(&fleet.members, &store));
        if let Some(unread) = fleet.unread {
            println!(
                "✗ Not all of {shown_from} was read: {unread}. patwiz lists what it reached above."
            );
        }
    }
    Ok(ExitCode::from(fleet.exit_code()))
}

/// The fleet, secret by secret, in the blocks `status` prints for this machine's tokens.
fn fleet_table(members: &[team_vault::Member], store: &TeamStore) -> String {
    let mut out = String::new();
    for m in members {
        let profile = if m.profile.is_empty() {
            "no profile"
        } else {
            &m.profile
        };
        out.push_str(&format!("{}  ({profile})\n", m.path));
        if !m.org.is_empty() {
            out.push_str(&format!("  Org URL:     {}\n", m.org));
        }
        out.push_str(&format!(
            "  Token of:    {}\n",
            m.owner.as_deref().unwrap_or("unknown")
        ));
        let version = if m.version > 0 {
            format!(", version {}", m.version)
        } else {
            String::new()
        };
        out.push_str(&format!("  Stored in:   {}{version}\n", store.address()));
        if let Some(e) = &m.error {
            out.push_str(&format!(
                "  ✗ Not read: {}\n\n",
                crate::domain::text::safe_message(e)
            ));
            continue;
        }
        let when =
            time::OffsetDateTime::parse(&m.checked, &time::format_description::well_known::Rfc3339)
                .map_or_else(
                    |_| "never".to_string(),
                    |t| crate::domain::text::ago(t, now()),
                );
        let verdict = if m.verdict.is_empty() {
            String::new()
        } else {
            format!(": {}", m.verdict)
        };
        let mark = if m.verdict.is_empty() || m.verdict == "pass" {
            " "
        } else {
            "✗"
        };
        out.push_str(&format!(" {mark}Last check:  {when}{verdict}\n"));
        out.push_str(&crate::cli::shared::dates::expiry_text(
            m.expiry,
            m.expires.as_deref().unwrap_or_default(),
            &format!("patwiz rotate --to {}", fleet_address(&m.path, store)),
        ));
        if let Some(replaced) = &m.replaced {
            let mark = if replaced.state == ReplacedState::StillWorks {
                "✗"
            } else {
                " "
            };
            out.push_str(&format!(" {mark}Replaced:    {}\n", replaced.words()));
        }
        out.push('\n');
    }
    out
}

/// The address `rotate --to` takes for one secret of the fleet.
fn fleet_address(path: &str, store: &TeamStore) -> String {
    match store.kind() {
        team_vault::VaultKind::KvV2 => format!("vault://{path}"),
        team_vault::VaultKind::Pass => format!("pass://{path}"),
        team_vault::VaultKind::KeyVault => format!("{}/secrets/{path}", store.address()),
    }
}
