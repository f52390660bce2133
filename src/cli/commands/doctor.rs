//! `patwiz doctor`: what this computer offers patwiz (secret store, clipboard, terminal), and `--scan` for tokens left lying around.

use crate::cli::CmdResult;
use crate::cli::config_dir;
use crate::cli::shared::token::open_vault;
use crate::domain::token::Token;
use crate::store::secret;
use std::process::ExitCode;

async fn doctor() -> CmdResult {
    let info = secret::info().await;
    println!("Secret store:  {}", info.name);
    println!("Works:         {}", if info.usable { "yes" } else { "no" });
    println!(
        "Survives reboot: {}",
        if info.persistent { "yes" } else { "no" }
    );
    match info.locked {
        Some(true) => println!("Locked:        yes (unlock your keyring)"),
        Some(false) => println!("Locked:        no"),
        None => println!("Locked:        not applicable"),
    }
    println!("Detail:        {}", info.detail);
    if let Some(dir) = config_dir() {
        println!("Settings:      {}", dir.join("settings.toml").display());
    }
    Ok(ExitCode::from(u8::from(!info.usable)))
}

/// `doctor --scan`: tokens in the usual places, by file and line, and whether each is one patwiz
/// stores (compared in memory, never shown).
async fn scan() -> CmdResult {
    use crate::flows::scan;
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    let here = std::env::current_dir().ok();
    let places = scan::usual_places(home.as_deref(), here.as_deref());
    let stored: Vec<(String, Token)> = match open_vault().await {
        Ok(vault) => {
            let orgs = vault
                .settings
                .load()
                .map(|(s, _)| s.orgs)
                .unwrap_or_default();
            let keys: Vec<String> = orgs.iter().map(|o| o.key.clone()).collect();
            orgs.iter()
                .zip(vault.tokens(&keys).await)
                .filter_map(|(org, (token, _))| Some((org.url.clone(), token.ok()??)))
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let findings = scan::scan(&places, &stored);
    for hit in &findings.hits {
        let whose = hit.stored_for.as_ref().map_or_else(
            || "not one patwiz stores".to_string(),
            |url| format!("the one patwiz stores for {url}"),
        );
        let what = if hit.checksum_matches {
            "an Azure DevOps token"
        } else {
            "what looks like an Azure DevOps token (its checksum does not match)"
        };
        let how = if hit.encoded {
            ", base64 as npm keeps it"
        } else {
            ""
        };
        let leftover = if hit.leftover {
            " — a temporary file an interrupted `patwiz npmrc/pip-conf --write` left behind: delete it (the next --write removes it too)"
        } else {
            ""
        };
        println!(
            "{}:{}: {what} ({}{how}, {whose}; C3ID {}){leftover}",
            hit.place, hit.line, hit.format, hit.correlating_id
        );
    }
    for (place, why) in &findings.skipped {
        println!("{place}: not read ({why})");
    }
    let unread = if findings.skipped.is_empty() {
        String::new()
    } else {
        format!(
            " {} {} could not be read (above): look into {} yourself.",
            findings.skipped.len(),
            if findings.skipped.len() == 1 {
                "file"
            } else {
                "files"
            },
            if findings.skipped.len() == 1 {
                "it"
            } else {
                "them"
            }
        )
    };
    if findings.hits.is_empty() {
        println!(
            "No Azure DevOps token found in the {} usual {} patwiz read.{unread}",
            findings.read,
            if findings.read == 1 { "file" } else { "files" }
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "Remove {} from those files (a token in a file or history is readable by anything running as you); revoke any that was shared.{unread}",
            if findings.hits.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
        Ok(ExitCode::from(1))
    }
}

pub async fn run(args: crate::cli::DoctorArgs) -> CmdResult {
    if args.scan {
        scan().await
    } else {
        doctor().await
    }
}
