//! `patwiz git-credential`: git's credential helper protocol, answered from this computer's store.

use crate::cli::CmdResult;
use crate::cli::shared::token::open_vault;
use crate::cli::usage;
use crate::domain::git_credential::{Request, pick};
use std::io::{Read as _, Write as _};
use std::process::ExitCode;

/// git's helper call. Only `get` answers; `store` and `erase` change nothing (the token is
/// patwiz's to manage: a 401 seen by git does not delete it).
pub async fn run(operation: &str) -> CmdResult {
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
