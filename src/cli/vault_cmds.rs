//! The team vault from the command line: `login --to`, `rotate --to` and `status --from`
//! (HashiCorp Vault / OpenBao KV version 2). Proven first, then written with check-and-set;
//! nothing secret is printed.

use std::process::ExitCode;

use super::store_cmds::{expiry_line, now, parse_expiry, read_new_token, validate};
use super::{RotateArgs, StatusArgs, usage};
use crate::domain::checks::Verdict;
use crate::domain::team_vault::{ReplacedState, Target};
use crate::engine::http::HttpOptions;
use crate::engine::kv::KvError;
use crate::flows::team_vault::{self, Destination, ProvenForVault, Store, VaultSignIn};

/// Someone else wrote the secret first (EX_TEMPFAIL: run it again).
const EXIT_CONFLICT: u8 = 75;

pub(super) fn kv_failure(error: &KvError) -> ExitCode {
    eprintln!("patwiz: {error}");
    match error {
        KvError::Conflict { .. } | KvError::Changed { .. } => ExitCode::from(EXIT_CONFLICT),
        KvError::NoAddress | KvError::NoToken | KvError::BadAddress(_) => {
            ExitCode::from(super::EXIT_USAGE)
        }
        _ => ExitCode::from(Verdict::Unreachable.exit_code()),
    }
}

/// How to sign in to the store `target` names (only a Key Vault needs it): the method asked
/// for, else the best available, telling the person on standard error.
fn vault_sign_in(
    target: &Target,
    args: &super::SignInArgs,
) -> Result<VaultSignIn<'static>, ExitCode> {
    let Target::KeyVault { vault, .. } = target else {
        return Ok(VaultSignIn::default());
    };
    let loopback = url::Url::parse(vault).is_ok_and(|u| crate::domain::org_url::is_loopback(&u));
    let how = super::lifecycle_cmds::sign_in_method_for(loopback, args)?;
    Ok(VaultSignIn {
        how: Some(how),
        show: Some(Box::new(|uri: &str, code: &str| {
            eprintln!(
                "patwiz: to sign in to the Key Vault, open {uri} and enter the code {code} (many tenants block this flow; --sign-in browser or az then)"
            );
        })),
        open: Some(Box::new(|url: &url::Url| {
            eprintln!("patwiz: signing in to the Key Vault with Microsoft Entra in your browser…");
            webbrowser::open(url.as_str()).map_err(|e| {
                format!("cannot open a browser ({e}): use --sign-in device or --sign-in az")
            })
        })),
    })
}

/// Opens the store the environment names and reads the entry now, so that the write later
/// only lands on what was read; a failure is printed.
pub async fn open_destination(
    to: &str,
    sign_in: &super::SignInArgs,
) -> Result<Destination, ExitCode> {
    let target = Target::parse(to, false).map_err(usage)?;
    let how = vault_sign_in(&target, sign_in)?;
    Destination::open(&target, &HttpOptions::default(), how)
        .await
        .map_err(|e| kv_failure(&e))
}

/// Writes the proven token (or, with `dry_run`, says what would be written); `forced`: stored
/// although it lacks scopes (`--force`).
pub async fn put(
    destination: Destination,
    proven: ProvenForVault<'_>,
    forced: bool,
    dry_run: bool,
) -> ExitCode {
    put_quietly(destination, proven, forced, dry_run, true).await
}

/// As [`put`]; `report` false when the caller has printed the check already.
pub async fn put_quietly(
    destination: Destination,
    proven: ProvenForVault<'_>,
    forced: bool,
    dry_run: bool,
    report: bool,
) -> ExitCode {
    let facts = proven.facts();
    if report {
        super::print_report(proven.report);
    }
    if dry_run {
        let version = match destination.store {
            Store::Kv { .. } => format!(
                " as version {}",
                destination.entry.as_ref().map_or(0, |e| e.version) + 1
            ),
            Store::KeyVault(_) | Store::Pass(_) => String::new(),
        };
        println!(
            "Would write the token to {} at {}{version} (nothing was written), with beside it:",
            destination.shown,
            destination.store.address(),
        );
        for (key, value) in facts.to_metadata() {
            println!("  {key}: {value}");
        }
        return ExitCode::SUCCESS;
    }
    match destination.put(&proven).await {
        Ok(version) => {
            let numbered = if version > 0 {
                format!(" (version {version})")
            } else {
                String::new()
            };
            println!(
                "Stored in {} at {}{numbered}, with the organization, profile, proven scopes, expiry, owner and fingerprint beside it.",
                destination.shown,
                destination.store.address()
            );
            if version > 1 {
                println!(
                    "The token it replaced stays as version {} in the vault's history until you destroy it (after its revocation is confirmed).",
                    version - 1
                );
            } else if version == 0 && destination.expected != 0 && destination.store.keeps_history()
            {
                match destination.store {
                    Store::KeyVault(_) => println!(
                        "The token it replaced stays as an earlier version of the secret in the Key Vault."
                    ),
                    _ => {
                        println!("The token it replaced stays in the password store's git history.")
                    }
                }
            }
            if forced {
                println!("Stored anyway (--force): the facts beside it say missing-scopes.");
            }
            println!("{}", expiry_line(proven.expires));
            ExitCode::SUCCESS
        }
        Err(e @ KvError::Conflict { .. }) => {
            let code = kv_failure(&e);
            eprintln!(
                "patwiz: your new token is proven but not stored. If the other rotation is the one to keep, revoke yours; otherwise run this again."
            );
            code
        }
        Err(e) => kv_failure(&e),
    }
}

/// What a team vault's rotation is for, from the facts beside the secret: the organization,
/// the profile and the scopes the old token was proven for.
pub(super) struct Plan {
    pub org: crate::domain::org_url::OrgUrl,
    pub profile: crate::domain::profiles::Profile,
    pub scopes: Vec<String>,
    pub facts: crate::domain::team_vault::Facts,
}

fn plan(destination: &Destination, org_arg: Option<&str>) -> Result<Plan, ExitCode> {
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
        .map(|_| org.url().host_str().unwrap_or_default().to_string())
        .into_iter()
        .collect();
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
pub async fn rotate(args: RotateArgs) -> ExitCode {
    let Some(to) = args.to.as_deref() else {
        return usage("--to is needed");
    };
    let expires = match parse_expiry(args.expires.as_deref()) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let destination = match open_destination(to, &args.sign_in).await {
        Ok(d) => d,
        Err(code) => return code,
    };
    let Plan {
        org,
        profile,
        scopes,
        facts,
    } = match plan(&destination, args.org.as_deref()) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if args.create {
        let plan = Plan {
            org,
            profile,
            scopes,
            facts,
        };
        return super::team_rotate_cmd::rotate_creating(destination, plan, &args).await;
    }
    let (token, notes) = match read_new_token(args.token_stdin, "rotate", &org) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let report = validate(&org, &token, &scopes, Some(&profile), notes).await;
    if report.verdict != Verdict::Pass {
        super::print_report(&report);
        eprintln!(
            "patwiz: not rotated: the new token did not pass; {} still holds the old one.",
            destination.shown
        );
        return ExitCode::from(report.exit_code());
    }
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
pub async fn status(args: StatusArgs) -> ExitCode {
    let Some(from) = args.from.as_deref() else {
        return usage("--from is needed");
    };
    let target = match Target::parse(from, true) {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let how = match vault_sign_in(&target, &args.sign_in) {
        Ok(h) => h,
        Err(code) => return code,
    };
    let (store, path) = match Store::open_signing_in(&target, &HttpOptions::default(), how).await {
        Ok(found) => found,
        Err(e) => return kv_failure(&e),
    };
    let members = match team_vault::fleet(
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
        Err(e) => return kv_failure(&e),
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "vault": store.address(),
                "prefix": from,
                "tokens": members,
            }))
            .unwrap_or_default()
        );
    } else if members.is_empty() {
        println!("No token is stored under {from} yet.");
    } else {
        print!("{}", fleet_table(&members, &store));
    }
    ExitCode::from(team_vault::exit_code(&members))
}

/// The fleet, secret by secret, in the blocks `status` prints for this machine's tokens.
fn fleet_table(members: &[team_vault::Member], store: &Store) -> String {
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
        out.push_str(&super::store_cmds::expiry_text(
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
fn fleet_address(path: &str, store: &Store) -> String {
    match store {
        Store::Kv { .. } => format!("vault://{path}"),
        Store::Pass(_) => format!("pass://{path}"),
        Store::KeyVault(v) => format!("{}/secrets/{path}", v.address()),
    }
}
