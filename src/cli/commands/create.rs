//! `patwiz create`: create a token through the PAT lifecycle API, prove it, keep it.

use crate::cli::CmdResult;
use crate::cli::shared::dates::expiry_or_default;
use crate::cli::shared::minted::say_minted;
use crate::cli::shared::sign_in::{connect, report_error};
use crate::cli::shared::token::open_vault;
use crate::cli::{CreateArgs, usage};
use crate::engine::http::HttpOptions;
use crate::flows::mint::{self};
use std::process::ExitCode;

pub async fn run(args: CreateArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(Some(&args.org))?;
    let profile = crate::cli::find_profile(&args.profile)?;
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
        Some(to) => {
            Some(crate::cli::shared::team_vault::open_destination(to, &args.sign_in).await?)
        }
        None => None,
    };
    let lifecycle = connect(&org, &args.sign_in, &options).await?;
    let minted = match mint::mint(
        &lifecycle,
        &vault,
        &org,
        &profile,
        valid_to,
        &crate::cli::ctx(),
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
    crate::cli::shared::team_vault::put_quietly(team, proven, false, false, false).await
}
