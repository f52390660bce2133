//! `patwiz git-credential get|store|erase` (git's credential helper protocol) and
//! `patwiz setup-git` (the user-level git configuration that uses it).

use crate::cli::CmdResult;
use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use super::shared::token::open_vault;
use super::{SetupGitArgs, usage};
use crate::domain::git_credential::{Request, pick};

/// git's helper call. Only `get` answers; `store` and `erase` change nothing (the token is
/// patwiz's to manage: a 401 seen by git does not delete it).
pub async fn credential(operation: &str) -> CmdResult {
    let mut input = String::new();
    let _ = std::io::stdin().take(64 * 1024).read_to_string(&mut input);
    match operation {
        "get" => {}
        "store" | "erase" => return Ok(ExitCode::SUCCESS),
        other => {
            return Err(usage(format!(
                "git-credential {other}: git calls get, store or erase"
            )));
        }
    }
    let request = Request::parse(&input);
    let Ok(vault) = open_vault().await else {
        // No answer: git asks its next helper.
        return Ok(ExitCode::SUCCESS);
    };
    let Ok((settings, _)) = vault.settings.load() else {
        return Ok(ExitCode::SUCCESS);
    };
    let urls: Vec<String> = settings.orgs.iter().map(|o| o.url.clone()).collect();
    let Some(url) = pick(&request, &urls) else {
        return Ok(ExitCode::SUCCESS);
    };
    let Some(entry) = settings.orgs.iter().find(|o| o.url == url) else {
        return Ok(ExitCode::SUCCESS);
    };
    let Ok(Some(token)) = vault.token(&entry.key).await else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut answer = secrecy::zeroize::Zeroizing::new(String::new());
    answer.push_str(&format!(
        "username={}\n",
        request.username.as_deref().unwrap_or("patwiz")
    ));
    answer.push_str(&format!("password={}\n", token.expose()));
    if let Some(date) = entry.expires {
        // git drops a credential past this moment (Git Credential Manager sends none).
        let end = date
            .with_hms(23, 59, 59)
            .expect("a valid time")
            .assume_utc()
            .unix_timestamp();
        answer.push_str(&format!("password_expiry_utc={end}\n"));
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(answer.as_bytes());
    let _ = out.flush();
    Ok(ExitCode::SUCCESS)
}

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

pub async fn setup(args: SetupGitArgs) -> CmdResult {
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
