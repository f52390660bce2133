//! `patwiz setup-git`: make git ask patwiz for the organization's credentials.

use crate::cli::CmdResult;
use crate::cli::shared::token::open_vault;
use crate::cli::{SetupGitArgs, usage};
use std::process::ExitCode;

/// The configuration lines: a helper and useHttpPath for each stored organization's origin.
fn lines(origins: &[String], helper: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for origin in origins {
        out.push((format!("credential.{origin}.helper"), helper.to_string()));
        out.push((
            format!("credential.{origin}.useHttpPath"),
            "true".to_string(),
        ));
    }
    out
}

fn git(args: &[&str]) -> std::io::Result<std::process::Output> {
    std::process::Command::new("git").args(args).output()
}

pub async fn run(args: SetupGitArgs) -> CmdResult {
    let vault = open_vault().await?;
    let Ok((settings, _)) = vault.settings.load() else {
        return Err(usage("the settings cannot be read"));
    };
    let mut origins: Vec<String> = settings
        .orgs
        .iter()
        .filter(|o| {
            args.org
                .as_deref()
                .is_none_or(|want| o.url.eq_ignore_ascii_case(want.trim_end_matches('/')))
        })
        .filter_map(|o| url::Url::parse(&o.url).ok())
        .map(|u| u.origin().ascii_serialization())
        .collect();
    origins.sort();
    origins.dedup();
    if origins.is_empty() {
        return Err(usage(
            "no stored organization to set git up for: store a token first (patwiz login or patwiz create)",
        ));
    }
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "patwiz".into());
    let helper = match crate::domain::git_credential::helper_line(&exe) {
        Ok(helper) => helper,
        Err(e) => return Err(usage(e)),
    };
    let wanted = lines(&origins, &helper);
    if args.undo {
        println!("Removing from your user-level git configuration (git config --global):");
        for (key, _) in &wanted {
            println!("  {key}");
            // Only patwiz's own helper line; another helper for the host stays.
            let _ = git(&[
                "config",
                "--global",
                "--unset-all",
                key,
                "git-credential|^true$",
            ]);
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Adding to your user-level git configuration (git config --global; `patwiz setup-git --undo` takes it out):"
    );
    for (key, value) in &wanted {
        println!("  {key} = {value}");
    }
    if args.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    for (key, value) in &wanted {
        // Replace patwiz's own line if there is one, keep every other helper.
        let _ = git(&[
            "config",
            "--global",
            "--unset-all",
            key,
            "git-credential|^true$",
        ]);
        match git(&["config", "--global", "--add", key, value]) {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                eprintln!(
                    "patwiz: git config failed: {}",
                    crate::domain::text::safe_message(&String::from_utf8_lossy(&out.stderr))
                );
                return Ok(ExitCode::from(3));
            }
            Err(e) => {
                eprintln!("patwiz: cannot run git ({e}): is it installed?");
                return Ok(ExitCode::from(3));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
