//! `patwiz mend`: add scopes to, or extend, a token patwiz created, in place, and prove it again.

use crate::cli::CmdResult;
use crate::cli::shared::dates::expiry_or_default;
use crate::cli::shared::sign_in::{connect, report_error};
use crate::cli::shared::token::open_vault;
use crate::cli::{MendArgs, usage};
use crate::engine::http::HttpOptions;
use crate::flows::mint::{self};
use serde_json::json;
use std::process::ExitCode;

pub async fn run(args: MendArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
    if args.add_scope.is_empty() && args.extend.is_none() {
        return Err(usage(
            "nothing to mend: pass --add-scope ID and/or --extend YYYY-MM-DD",
        ));
    }
    for id in &args.add_scope {
        if crate::domain::scopes::Catalogue::get().scope(id).is_none() {
            return Err(usage(format!("--add-scope: unknown scope \"{id}\"")));
        }
    }
    let extend = args
        .extend
        .as_deref()
        .map(|t| expiry_or_default(Some(t)))
        .transpose()?;
    let vault = open_vault().await?;
    let Some(current) = vault.settings.entry(&org.key()) else {
        return Err(usage(format!("{org} has no stored token")));
    };
    let profile = crate::cli::find_profile(&current.profile)?;
    let options = HttpOptions::default();
    let lifecycle = connect(&org, &args.sign_in, &options).await?;
    match mint::mend(
        &crate::cli::ctx(),
        &lifecycle,
        &vault,
        &org,
        &profile,
        &args.add_scope,
        extend,
    )
    .await
    {
        Ok(mint::Mended {
            report,
            capped_to: capped,
            ..
        }) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&json!({"mended": true, "expiryCapped": capped.map(|t| crate::store::settings::format_date(t.date())), "check": report})).expect("serialises"));
            } else {
                crate::cli::print_report(&report);
                println!(
                    "Mended in place: the token's value is unchanged, nothing to hand over again."
                );
                if let Some(date) = capped {
                    println!(
                        "Note: your tenant's maximum lifespan cut the new expiry to {}.",
                        crate::store::settings::format_date(date.date())
                    );
                }
            }
            Ok(ExitCode::from(report.exit_code()))
        }
        Err(e) => Err(report_error(e)),
    }
}
