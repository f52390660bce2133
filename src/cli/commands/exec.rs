//! `patwiz exec --org … -- COMMAND…`: runs a command with the stored token in its environment
//! only, in the shapes the common consumers read; never on disk, never in argv. The exit code
//! is the command's. A token that no longer passes its check is refused before the command runs.

use crate::cli::CmdResult;
use std::process::ExitCode;

use base64::Engine as _;

use crate::cli::shared::token::open_vault;
use crate::cli::{ExecArgs, usage};
use crate::domain::checks::Verdict;

/// The variables and what each consumer is: the token under the names az, Terraform, the
/// Azure DevOps MCP server (base64 of `email:pat`) and scripts read.
fn environment(
    token: &str,
    org_url: &str,
    email: Option<&str>,
    nuget: Option<&crate::domain::feed_config::Feed>,
) -> Vec<(&'static str, secrecy::zeroize::Zeroizing<String>)> {
    use secrecy::zeroize::Zeroizing;
    let mut vars = vec![
        ("AZURE_DEVOPS_EXT_PAT", Zeroizing::new(token.to_string())),
        (
            "AZDO_PERSONAL_ACCESS_TOKEN",
            Zeroizing::new(token.to_string()),
        ),
        ("AZDO_ORG_SERVICE_URL", Zeroizing::new(org_url.to_string())),
    ];
    if let Some(email) = email {
        vars.push((
            "PERSONAL_ACCESS_TOKEN",
            Zeroizing::new(
                base64::engine::general_purpose::STANDARD.encode(format!("{email}:{token}")),
            ),
        ));
    }
    if let Some(feed) = nuget {
        let endpoint = feed.nuget_index();
        vars.push((
            "VSS_NUGET_EXTERNAL_FEED_ENDPOINTS",
            Zeroizing::new(
                serde_json::json!({"endpointCredentials": [{"endpoint": endpoint, "username": "patwiz", "password": token}]})
                    .to_string(),
            ),
        ));
    }
    vars
}

pub async fn run(args: ExecArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
    let Some((program, rest)) = args.command.split_first() else {
        return Err(usage(
            "nothing to run: patwiz exec --org URL -- COMMAND [ARGS…]",
        ));
    };
    if let Some(name) = &args.nuget_feed
        && let Err(bad) = crate::domain::feed_config::check_feed_name(name)
    {
        return Err(usage(format!("--nuget-feed: {bad}")));
    }
    // The organization's own package host (Azure DevOps Server serves feeds from the
    // collection), as the service names it when discovery says nothing.
    let nuget = args
        .nuget_feed
        .as_ref()
        .map(|name| crate::domain::feed_config::Feed {
            host: crate::engine::discovery::fallback_hosts(&org).pkgs,
            project: None,
            name: name.clone(),
            org_name: org.name().to_string(),
        });
    let vault = open_vault().await?;
    let Some(entry) = vault.settings.entry(&org.key()) else {
        return Err(usage(format!(
            "{org} has no stored token: patwiz login or patwiz create first"
        )));
    };
    let token = match vault.token(&entry.key).await {
        Ok(Some(t)) => t,
        _ => {
            eprintln!(
                "patwiz: the token for {org} is missing from the secret store: run `patwiz login` again"
            );
            return Ok(ExitCode::from(2));
        }
    };
    if !args.no_check {
        let profile = crate::cli::find_profile(&entry.profile)?;
        let report = crate::flows::prove::run(
            crate::flows::prove::request(crate::flows::prove::Proof {
                org: org.clone(),
                token: token.clone(),
                scopes: &entry.scopes,
                profile: Some(&profile),
                notes: Vec::new(),
                http: Default::default(),
                clock: crate::cli::clock(),
            }),
            None,
        )
        .await;
        if report.verdict != Verdict::Pass {
            eprintln!(
                "patwiz: not running {program}: the stored token for {org} does not pass its check ({}). {}",
                report.verdict.as_str(),
                report.what_to_do().unwrap_or_default()
            );
            return Ok(ExitCode::from(report.exit_code()));
        }
    }
    let mut command = std::process::Command::new(program);
    command.args(rest);
    for (name, value) in environment(
        token.expose(),
        org.as_str(),
        entry.identity.as_ref().map(|i| i.unique_name.as_str()),
        nuget.as_ref(),
    ) {
        command.env(name, value.as_str());
    }
    drop(token);
    // Unix: patwiz is replaced by the command. Windows: its parent, passing Ctrl+C to it and
    // its exit code on (patwiz_platform::child says how).
    match patwiz_platform::child::hand_over(&mut command) {
        Ok(code) => match u8::try_from(code) {
            Ok(code) => Ok(ExitCode::from(code)),
            // A Windows exit code above 255 (0xC000013A after Ctrl+C) is passed on whole.
            Err(_) => std::process::exit(code),
        },
        Err(error) => {
            eprintln!("patwiz: cannot run {program}: {error}");
            Ok(ExitCode::from(127))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_consumer_gets_its_shape() {
        let vars = environment(
            "pat",
            "https://dev.azure.com/contoso",
            Some("a@b.c"),
            Some(&crate::domain::feed_config::Feed {
                host: "https://pkgs.dev.azure.com/contoso".into(),
                project: None,
                name: "feed".into(),
                org_name: "contoso".into(),
            }),
        );
        let get = |n: &str| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.as_str().to_string())
        };
        assert_eq!(get("AZURE_DEVOPS_EXT_PAT").as_deref(), Some("pat"));
        assert_eq!(
            get("AZDO_ORG_SERVICE_URL").as_deref(),
            Some("https://dev.azure.com/contoso")
        );
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(get("PERSONAL_ACCESS_TOKEN").unwrap())
                .unwrap(),
            b"a@b.c:pat"
        );
        let nuget: serde_json::Value =
            serde_json::from_str(&get("VSS_NUGET_EXTERNAL_FEED_ENDPOINTS").unwrap()).unwrap();
        assert_eq!(nuget["endpointCredentials"][0]["password"], "pat");
        assert!(
            nuget["endpointCredentials"][0]["endpoint"]
                .as_str()
                .unwrap()
                .ends_with("/feed/nuget/v3/index.json")
        );
    }
}
