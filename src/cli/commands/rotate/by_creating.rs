//! `patwiz rotate --create`: create the replacement through the lifecycle API, prove it, swap it in, revoke the old one.

use crate::cli::CmdResult;
use crate::cli::shared::dates::{expiry_or_default, today};
use crate::cli::shared::minted::say_minted;
use crate::cli::shared::sign_in::{connect, report_error};
use crate::cli::shared::token::open_vault;
use crate::cli::{RotateArgs, SignInArgs, usage};
use crate::domain::org_url::OrgUrl;
use crate::engine::http::HttpOptions;
use crate::flows::mint::{self};
use std::process::ExitCode;

/// `patwiz rotate --create`: a new token created, proven and swapped in, the old one revoked.
pub async fn run(args: RotateArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
    Box::pin(rotate_create(
        org,
        &args.sign_in,
        args.expires.as_deref(),
        args.json,
    ))
    .await
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
    let profile = crate::cli::find_profile(&current.profile)?;
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
        &crate::cli::ctx(),
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

/// What an interrupted create or rotation left behind is cleaned up first, and said.
async fn finish_interrupted(
    lifecycle: &crate::engine::lifecycle::Lifecycle,
    vault: &crate::store::rotation::LocalStore,
    org: &OrgUrl,
) {
    let revoked = mint::revoke_pending(&crate::cli::ctx(), lifecycle, vault, org).await;
    if revoked > 0 {
        eprintln!(
            "patwiz: revoked {revoked} token(s) an interrupted run had created but never stored."
        );
    }
}
