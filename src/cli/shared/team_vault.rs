//! Writing a proven token into a team vault from the command line, and saying a failure.

use crate::cli::{CliError, CmdResult};
use std::process::ExitCode;

use super::dates::expiry_line;
use crate::cli::usage;
use crate::domain::checks::Verdict;
use crate::domain::team_vault::Target;
use crate::engine::http::HttpOptions;
use crate::engine::kv::KvError;
use crate::flows::team_vault::{Destination, ProvenForVault, VaultKind, VaultSignIn};

/// Someone else wrote the secret first (EX_TEMPFAIL: run it again).
pub(crate) const EXIT_CONFLICT: u8 = 75;

/// Says why the team vault did not answer or refused, as a failure already explained (exit 75
/// when someone else wrote first).
pub(crate) fn kv_failure(error: &KvError) -> CliError {
    eprintln!("patwiz: {error}");
    CliError::Said(match error {
        KvError::Conflict { .. } | KvError::Changed { .. } => ExitCode::from(EXIT_CONFLICT),
        KvError::NoAddress | KvError::NoToken | KvError::BadAddress(_) => {
            ExitCode::from(crate::cli::EXIT_USAGE)
        }
        _ => ExitCode::from(Verdict::Unreachable.exit_code()),
    })
}

/// How to sign in to the store `target` names (only a Key Vault needs it): the method asked
/// for, else the best available, telling the person on standard error.
pub(crate) fn vault_sign_in(
    target: &Target,
    args: &crate::cli::SignInArgs,
) -> Result<VaultSignIn<'static>, CliError> {
    let Target::KeyVault { vault, .. } = target else {
        return Ok(VaultSignIn::default());
    };
    let loopback = url::Url::parse(vault).is_ok_and(|u| crate::domain::org_url::is_loopback(&u));
    let how = super::sign_in::sign_in_method_for(loopback, args)?;
    Ok(VaultSignIn {
        how: Some(how),
        show: Some(Box::new(|uri: &str, code: &str| {
            eprintln!(
                "patwiz: to sign in to the Key Vault, open {uri} and enter the code {code} (many tenants block this flow; --sign-in browser or az then)"
            );
        })),
        open: Some(Box::new(|url: &url::Url| {
            eprintln!("patwiz: signing in to the Key Vault with Microsoft Entra in your browser…");
            webbrowser::open(url.as_str())
        })),
    })
}

/// Opens the store the environment names and reads the entry now, so that the write later
/// only lands on what was read; a failure is printed.
pub(crate) async fn open_destination(
    to: &str,
    sign_in: &crate::cli::SignInArgs,
) -> Result<Destination, CliError> {
    let target = Target::parse(to, false).map_err(usage)?;
    let how = vault_sign_in(&target, sign_in)?;
    Destination::open(&target, &HttpOptions::default(), how)
        .await
        .map_err(|e| kv_failure(&e))
}

/// Writes the proven token (or, with `dry_run`, says what would be written); `forced`: stored
/// although it lacks scopes (`--force`).
pub(crate) async fn put(
    destination: Destination,
    proven: ProvenForVault<'_>,
    forced: bool,
    dry_run: bool,
) -> CmdResult {
    put_quietly(destination, proven, forced, dry_run, true).await
}

/// As [`put`]; `report` false when the caller has printed the check already.
pub(crate) async fn put_quietly(
    destination: Destination,
    proven: ProvenForVault<'_>,
    forced: bool,
    dry_run: bool,
    report: bool,
) -> CmdResult {
    let facts = proven.facts();
    if report {
        crate::cli::print_report(proven.report);
    }
    if dry_run {
        let version = match destination.store.kind() {
            VaultKind::KvV2 => format!(
                " as version {}",
                destination.entry.as_ref().map_or(0, |e| e.version) + 1
            ),
            VaultKind::KeyVault | VaultKind::Pass => String::new(),
        };
        println!(
            "Would write the token to {} at {}{version} (nothing was written), with beside it:",
            destination.shown,
            destination.store.address(),
        );
        for (key, value) in facts.to_metadata() {
            println!("  {key}: {value}");
        }
        return Ok(ExitCode::SUCCESS);
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
                match destination.store.kind() {
                    VaultKind::KeyVault => println!(
                        "The token it replaced stays as an earlier version of the secret in the Key Vault."
                    ),
                    _ => {
                        println!("The token it replaced stays in the password store's git history.")
                    }
                }
            }
            if forced {
                println!(
                    "Stored anyway (--force): the facts beside it say {}.",
                    proven.report.verdict.as_str()
                );
            }
            println!("{}", expiry_line(proven.expires));
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ KvError::Conflict { .. }) => {
            let code = kv_failure(&e);
            eprintln!(
                "patwiz: your new token is proven but not stored. If the other rotation is the one to keep, revoke yours; otherwise run this again."
            );
            Err(code)
        }
        Err(e) => Err(kv_failure(&e)),
    }
}
