//! `patwiz rotate --to VAULT`: replace a team vault's token with a proven new one.

use crate::cli::shared::dates::parse_expiry;
use crate::cli::shared::team_vault::{open_destination, put};
use crate::cli::shared::token::{read_new_token, validate};
use crate::cli::{CliError, CmdResult};
use crate::cli::{RotateArgs, usage};
use crate::flows::team_vault::{Destination, ProvenForVault};
use std::process::ExitCode;

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
    crate::cli::refuse_lookalike(&org, false)?;
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
    let profile = crate::cli::find_profile(if facts.profile.is_empty() {
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
pub async fn run(args: RotateArgs) -> CmdResult {
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
        return Box::pin(super::team_creating::rotate_creating(
            destination,
            plan,
            &args,
        ))
        .await;
    }
    let (token, notes) = read_new_token(args.token_stdin, "rotate", &org)?;
    let report = validate(&org, &token, &scopes, Some(&profile), notes).await;
    if let Err(why) = crate::flows::keep::may_replace(&report, args.strict) {
        crate::cli::print_report(&report);
        eprintln!(
            "patwiz: not rotated: {why}; {} still holds the old one.",
            destination.shown
        );
        return Ok(ExitCode::from(report.exit_code_for(args.strict)));
    }
    crate::cli::warn_if_over_privileged(&report);
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
