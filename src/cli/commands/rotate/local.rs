//! `patwiz rotate`: replace this computer's token with a proven new one, the old one kept until the new one is stored.

use crate::cli::CmdResult;
use crate::cli::shared::dates::{expiry_line, now, parse_expiry, today};
use crate::cli::shared::local::open_with_settings;
use crate::cli::shared::token::{read_new_token, validate};
use crate::cli::{RotateArgs, usage, user_profiles_dir};
use crate::engine::Report;
use crate::flows;
use std::process::ExitCode;

pub async fn run(args: RotateArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
    let expires = parse_expiry(args.expires.as_deref())?;
    let (vault, settings) = open_with_settings().await?;
    let Some(current) = settings.get(&org.key()).cloned() else {
        return Err(usage(format!(
            "{org} has no stored token: use `patwiz login --org {org} --profile NAME` first"
        )));
    };
    let (token, notes) = read_new_token(args.token_stdin, "rotate", &org)?;
    if let Ok(Some(old)) = vault.token(&current.key).await
        && old.expose() == token.expose()
    {
        return Err(usage(
            "that is the token already stored; create a new one in Azure DevOps first",
        ));
    }
    let profile =
        crate::store::user_profiles::find(&current.profile, user_profiles_dir().as_deref()).ok();
    let report = validate(&org, &token, &current.scopes, profile.as_ref(), notes).await;
    let account_changed = matches!(
        (&current.identity, &report.identity),
        (Some(before), Some(after)) if !before.unique_name.eq_ignore_ascii_case(&after.unique_name)
    );
    let json = |rotated: bool| {
        #[derive(serde::Serialize)]
        struct Rotation<'a> {
            rotated: bool,
            account_changed: bool,
            check: &'a Report,
        }
        let out = Rotation {
            rotated,
            account_changed,
            check: &report,
        };
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
    };
    if let Err(why) = flows::keep::may_replace(&report, args.strict) {
        if args.json {
            json(false);
        } else {
            crate::cli::print_report(&report);
        }
        eprintln!("patwiz: not replaced: {why}. Your current token is still stored and unchanged.");
        return Ok(ExitCode::from(report.exit_code_for(args.strict)));
    }
    crate::cli::warn_if_over_privileged(&report);
    if let (Some(before), Some(after)) = (&current.identity, &report.identity)
        && account_changed
    {
        eprintln!(
            "patwiz: warning: the new token belongs to {} <{}>; the stored one was {} <{}>. The integration will act as the new account.",
            after.display_name, after.unique_name, before.display_name, before.unique_name
        );
    }
    let (expires, kept) = crate::domain::expiry::after_rotation(expires, current.expires, today());
    let proven = flows::keep::Proven {
        org: &org,
        token: &token,
        report: &report,
        profile: &current.profile,
        scopes: &current.scopes,
        expires,
        authorization_id: None,
    };
    let result = flows::keep::rotate_proven(&vault, &current.key, proven, now()).await;
    if let Err(e) = result {
        eprintln!(
            "patwiz: rotation failed: {}.",
            crate::domain::text::safe_message(&e.to_string())
        );
        return Ok(ExitCode::from(3));
    }
    if args.json {
        json(true);
        return Ok(ExitCode::SUCCESS);
    }
    crate::cli::print_report(&report);
    println!(
        "Rotated: the new token replaced the old one for {org}; profile, scopes and history are kept."
    );
    println!(
        "If you created a second token, revoke the old one in Azure DevOps ({}) once nothing uses it; if you regenerated the same token, there is nothing to revoke.",
        org.token_page()
    );
    println!("{}", expiry_line(expires));
    if kept {
        println!(
            "(The old token's date, kept: pass --expires YYYY-MM-DD if the new token's differs.)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
