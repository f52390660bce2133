//! `patwiz check`: prove a token's scopes from a script.

use std::process::ExitCode;

use super::{CheckArgs, config_dir, token_text, usage, user_profiles_dir};
use crate::domain::org_url::OrgUrl;
use crate::domain::token::Token;

/// The token `patwiz login` stored for this organization, if a secret store is available.
async fn stored_token(org: &OrgUrl) -> Option<Token> {
    let vault = crate::store::rotation::Vault::open(&config_dir()?)
        .await
        .ok()?;
    vault.token(&org.key()).await.ok().flatten()
}

pub async fn run(args: CheckArgs) -> ExitCode {
    use crate::domain::{scopes::Catalogue, token::check_pasted};
    use crate::engine::{self, Wanted};

    let org = match OrgUrl::parse(&args.org) {
        Ok(org) => org,
        Err(e) => return usage(format!("--org: {e}")),
    };
    if let Err(code) = super::refuse_lookalike(&org, args.server) {
        return code;
    }
    if let Some(path) = &args.ca_file
        && let Err(e) = engine::http::load_certificates(path)
    {
        return usage(format!("--ca-file (or SSL_CERT_FILE): {e}"));
    }
    let (scopes, integration, global) = match &args.profile {
        Some(name) => match crate::store::user_profiles::find(name, user_profiles_dir().as_deref())
        {
            Ok(p) => {
                let scopes = p
                    .scopes
                    .iter()
                    .map(|s| Wanted {
                        scope: s.id.clone(),
                        why: Some(s.why.clone()),
                        required: true,
                    })
                    .collect::<Vec<_>>();
                (scopes, p.title.clone(), p.global_pat_retired)
            }
            Err(e) => return usage(e),
        },
        None => {
            let catalogue = Catalogue::get();
            let mut wanted = Vec::new();
            for id in args
                .scopes
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
            {
                match catalogue.scope(id) {
                    Some(scope) => wanted.push(Wanted {
                        scope: scope.id.clone(),
                        why: None,
                        required: true,
                    }),
                    None => {
                        return usage(format!(
                            "--scopes: unknown scope \"{id}\" (see `patwiz profiles` or the catalogue in the README)"
                        ));
                    }
                }
            }
            (wanted, "This integration".to_string(), false)
        }
    };
    if scopes.is_empty() {
        return usage("no scopes to check: the custom profile needs --scopes ID,ID…");
    }
    let (raw, source) = match token_text(args.token_stdin) {
        Ok(found) => found,
        Err(no_token) => match stored_token(&org).await {
            Some(token) => (
                secrecy::zeroize::Zeroizing::new(token.expose().to_string()),
                "the keyring",
            ),
            None => return usage(no_token),
        },
    };
    let mut request = engine::request_for(org, Token::new(String::new()), scopes, &integration);
    request.global_pat_retired = global;
    request.project = args.project.clone();
    request.http.request_timeout = std::time::Duration::from_secs(args.timeout.max(1));
    request.http.deadline = std::time::Duration::from_secs(args.deadline.max(1));
    request.http.ca_file = args.ca_file.clone();
    let report = match check_pasted(&raw) {
        Ok(checked) => {
            drop(raw);
            request.token = checked.token;
            request.notes = checked.notes;
            engine::run(request, None).await
        }
        Err(shape) => {
            drop(raw);
            let detail =
                format!("the token from {source} was refused before anything was sent: {shape}");
            engine::refused_report(&request, &detail, &shape.to_string())
        }
    };
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    ExitCode::from(report.exit_code())
}
