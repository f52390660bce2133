//! `patwiz check`: prove a token's scopes from a script.

use crate::cli::CmdResult;
use std::process::ExitCode;

use crate::cli::{CheckArgs, config_dir, token_text, usage};
use crate::domain::org_url::OrgUrl;
use crate::domain::token::Token;

/// The token `patwiz login` stored for this organization, if a secret store is available.
async fn stored_token(org: &OrgUrl) -> Option<Token> {
    let vault = crate::cli::ctx().local_store().await.ok()?;
    vault.token(&org.key()).await.ok().flatten()
}

pub async fn run(mut args: CheckArgs) -> CmdResult {
    use crate::domain::token::check_pasted;
    use crate::engine;

    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
    crate::cli::refuse_lookalike(&org, args.server)?;
    if args.ca_file.is_none() {
        args.ca_file = std::env::var_os("SSL_CERT_FILE")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from);
    }
    // Neither --profile nor --scopes: the profile this organization was stored with; without
    // --api-version, the REST API ceiling remembered for it (the settings are read only then).
    let needs_settings =
        (args.profile.is_none() && args.scopes.is_empty()) || args.api_version.is_none();
    let stored = needs_settings
        .then(|| {
            config_dir().and_then(|dir| {
                crate::store::settings::SettingsFile::new(dir)
                    .load()
                    .ok()
                    .and_then(|(settings, _)| settings.get(&org.key()).cloned())
            })
        })
        .flatten();
    let stored_profile = stored
        .as_ref()
        .filter(|_| args.profile.is_none() && args.scopes.is_empty())
        .map(|o| o.profile.clone());
    let api_ceiling = args.api_version.or_else(|| {
        stored
            .as_ref()
            .and_then(|o| o.api_version.as_deref())
            .and_then(engine::versions::ApiVersion::parse)
    });
    let http = engine::http::HttpOptions {
        request_timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        deadline: std::time::Duration::from_secs(args.deadline.max(1)),
        ca_file: args.ca_file.clone(),
        api_ceiling,
    };
    // A client that cannot start (a CA file unread or refused, a trust store the system will
    // not load) is this machine's configuration, said before any token is read or sent.
    if let Err(e) = engine::http::client_can_start(&http) {
        return Err(usage(match &args.ca_file {
            Some(_) => format!("--ca-file (or SSL_CERT_FILE): {e}"),
            None => e.to_string(),
        }));
    }
    let asked = crate::flows::prove::Asked {
        profile: args.profile.as_deref(),
        scopes: &args.scopes,
        stored_profile: stored_profile.as_deref(),
    };
    let (scopes, profile) =
        match crate::flows::prove::what_to_prove(&crate::cli::ctx(), &org, &asked) {
            Ok(found) => found,
            Err(e) => return Err(usage(e)),
        };
    let command = format!("patwiz check --org {org}");
    let ask = crate::cli::TokenAsk {
        command: &command,
        prompt: None,
    };
    let (raw, source) = match token_text(args.token_stdin, &ask) {
        Ok(found) => found,
        Err(no_token) => match stored_token(&org).await {
            Some(token) => (
                secrecy::zeroize::Zeroizing::new(token.expose().to_string()),
                "the keyring",
            ),
            None => return Err(usage(no_token)),
        },
    };
    let checked = check_pasted(&raw);
    drop(raw);
    // The same request the wizard builds; a token refused by its shape is never sent.
    let (token, notes) = match &checked {
        Ok(checked) => {
            crate::cli::warn_if_mistyped(checked);
            (checked.token.clone(), checked.notes.clone())
        }
        Err(_) => (Token::new(String::new()), Vec::new()),
    };
    let mut request = crate::flows::prove::request(crate::flows::prove::Proof {
        org,
        token,
        scopes: &scopes,
        profile: profile.as_ref(),
        notes,
        http,
        clock: crate::cli::clock(),
    });
    request.project = args.project.clone();
    let report = match checked {
        Ok(_) => crate::flows::prove::run(request, None).await,
        Err(shape) => {
            let detail =
                format!("the token from {source} was refused before anything was sent: {shape}");
            engine::refused_report(&request, &detail, &shape.to_string())
        }
    };
    if args.json {
        println!("{}", report.to_json());
    } else {
        crate::cli::print_report(&report);
    }
    Ok(ExitCode::from(report.exit_code_for(args.strict)))
}
