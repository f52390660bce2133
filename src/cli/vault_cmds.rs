//! The team vault from the command line: `login --to`, `rotate --to` and `status --from`
//! (HashiCorp Vault / OpenBao KV version 2). Proven first, then written with check-and-set;
//! nothing secret is printed.

mod creating;

use crate::cli::{CliError, CmdResult};
use std::process::ExitCode;

use super::shared::dates::{now, parse_expiry};
use super::shared::team_vault::{kv_failure, open_destination, put, vault_sign_in};
use super::shared::token::{read_new_token, validate};
use super::{RotateArgs, StatusArgs, usage};
use crate::domain::team_vault::{ReplacedState, Target};
use crate::engine::http::HttpOptions;
use crate::flows::team_vault::{self, Destination, ProvenForVault, TeamStore};

/// What a team vault's rotation is for, from the facts beside the secret: the organization,
/// the profile and the scopes the old token was proven for.
pub(super) struct Plan {
    pub org: crate::domain::org_url::OrgUrl,
    pub profile: crate::domain::profiles::Profile,
    pub scopes: Vec<String>,
    pub facts: crate::domain::team_vault::Facts,
}

fn plan(destination: &Destination, org_arg: Option<&str>) -> Result<Plan, CliError> {
    let Some(facts) = destination.entry.as_ref().map(|e| e.facts.clone()) else {
        return Err(usage(format!(
            "nothing is stored at {} yet: `patwiz login --org URL --profile NAME --to {}` puts the first token there",
            destination.shown, destination.shown
        )));
    };
    let org_text = org_arg.map_or_else(|| facts.org_url.clone(), str::to_string);
    let org = crate::domain::org_url::OrgUrl::parse(&org_text).map_err(|e| {
        usage(format!(
            "the organization for {} (--org or its org_url): {e}",
            destination.shown
        ))
    })?;
    if !facts.org_url.is_empty() && facts.org_url != org.as_str() {
        return Err(usage(format!(
            "{} holds a token for {}, not {org}",
            destination.shown, facts.org_url
        )));
    }
    super::refuse_lookalike(&org, false)?;
    // The facts are the vault's data: a server they name gets a token only once you name it
    // with --org.
    let named: Vec<String> = org_arg
        .map(|_| {
            let url = org.url();
            let host = url.host_str().unwrap_or_default();
            let port = url.port_or_known_default().unwrap_or_default();
            vec![host.to_string(), format!("{host}:{port}")]
        })
        .unwrap_or_default();
    crate::domain::team_vault::may_receive(&org, &named)
        .map_err(|why| usage(format!("{why}. If it is your server, pass --org {org}")))?;
    let profile = super::find_profile(if facts.profile.is_empty() {
        "custom"
    } else {
        &facts.profile
    })?;
    let scopes = if facts.scopes.is_empty() {
        profile.scope_ids()
    } else {
        facts.scopes.clone()
    };
    Ok(Plan {
        org,
        profile,
        scopes,
        facts,
    })
}

/// `rotate --to vault://…`: the organization and profile come from the facts beside the
/// secret; the new token (pasted, or with `--create` made through the lifecycle API) is proven,
/// then written only on the version read first.
pub async fn rotate(args: RotateArgs) -> CmdResult {
    let Some(to) = args.to.as_deref() else {
        return Err(usage("--to is needed"));
    };
    let expires = parse_expiry(args.expires.as_deref())?;
    let destination = open_destination(to, &args.sign_in).await?;
    let Plan {
        org,
        profile,
        scopes,
        facts,
    } = plan(&destination, args.org.as_deref())?;
    if args.create {
        let plan = Plan {
            org,
            profile,
            scopes,
            facts,
        };
        return creating::rotate_creating(destination, plan, &args).await;
    }
    let (token, notes) = read_new_token(args.token_stdin, "rotate", &org)?;
    let report = validate(&org, &token, &scopes, Some(&profile), notes).await;
    if let Err(why) = crate::flows::keep::may_replace(&report, args.strict) {
        super::print_report(&report);
        eprintln!(
            "patwiz: not rotated: {why}; {} still holds the old one.",
            destination.shown
        );
        return Ok(ExitCode::from(report.exit_code_for(args.strict)));
    }
    super::warn_if_over_privileged(&report);
    if let Some(old_owner) = &facts.owner
        && let Some(id) = &report.identity
        && !id.unique_name.eq_ignore_ascii_case(old_owner)
    {
        eprintln!(
            "patwiz: note: the new token belongs to {}, the old one to {old_owner}.",
            id.unique_name
        );
    }
    let proven = ProvenForVault {
        token: &token,
        report: &report,
        profile: &profile.name,
        scopes: &scopes,
        expires: expires.or_else(|| {
            facts
                .expires
                .as_deref()
                .and_then(|d| crate::store::settings::parse_date(d).ok())
        }),
        // A pasted token is not one patwiz made: its id is not known (the old one's is not it).
        authorization_id: None,
    };
    put(destination, proven, false, args.dry_run).await
}

/// `status --from vault://MOUNT/PREFIX [--check] [--json]`: every token under the prefix, who
/// owns it, when it expires, and its verdict (fresh with --check, proven concurrently).
pub async fn status(args: StatusArgs) -> CmdResult {
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
        &super::ctx(),
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
        out.push_str(&super::shared::dates::expiry_text(
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
