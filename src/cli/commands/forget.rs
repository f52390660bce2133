//! `patwiz forget`: remove an organization's token and settings from this computer.

use crate::cli::CmdResult;
use crate::cli::OrgArg;
use crate::cli::shared::token::open_vault;
use crate::flows;
use std::process::ExitCode;

pub async fn run(args: OrgArg) -> CmdResult {
    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
    let vault = open_vault().await?;
    match flows::keep::forget(&vault, &org).await {
        Ok(forgotten) if !forgotten.anything() => {
            println!("Nothing stored for {org}.");
            Ok(ExitCode::SUCCESS)
        }
        Ok(_) => {
            println!(
                "Removed the token and settings for {org}. The token itself still works until you revoke it in Azure DevOps ({}).",
                org.token_page()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&e.to_string())
            );
            Ok(ExitCode::from(3))
        }
    }
}
