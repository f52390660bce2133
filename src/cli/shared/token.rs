//! The token a command reads, the local store it goes to, and its proof.

use crate::cli::CliError;
use std::process::ExitCode;

use crate::cli::{token_text, usage};
use crate::domain::checks::Verdict;
use crate::domain::org_url::OrgUrl;
use crate::domain::profiles;
use crate::domain::token::{Token, check_pasted};
use crate::engine::Report;
use crate::flows;
use crate::store::rotation::{LocalStore, LocalStoreError};

/// This computer's store, as the run's context names it.
pub(crate) async fn open_vault() -> Result<LocalStore, CliError> {
    crate::cli::ctx().local_store().await.map_err(|e| match e {
        LocalStoreError::NoConfigDir => usage("no config directory: set PATWIZ_CONFIG_DIR"),
        e => {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&e.to_string())
            );
            CliError::Said(ExitCode::from(3))
        }
    })
}

/// The token for `command` on `org`: piped, from AZURE_DEVOPS_EXT_PAT, or pasted at a prompt.
pub(crate) fn read_new_token(
    token_stdin: bool,
    command: &str,
    org: &OrgUrl,
) -> Result<(Token, Vec<String>), CliError> {
    let command = format!("patwiz {command} --org {org}");
    let prompt = format!("Paste the new token for {org} (it is not shown), then Enter: ");
    let ask = crate::cli::TokenAsk {
        command: &command,
        prompt: Some(&prompt),
    };
    let (raw, source) = token_text(token_stdin, &ask).map_err(usage)?;
    if raw.trim().is_empty() {
        return Err(usage(format!(
            "no token on {source}: paste the token Azure DevOps showed (or pipe it in)"
        )));
    }
    match check_pasted(&raw) {
        Ok(checked) => {
            crate::cli::warn_if_mistyped(&checked);
            Ok((checked.token, checked.notes))
        }
        Err(shape) => {
            eprintln!("patwiz: the token from {source} was refused: {shape}");
            Err(CliError::Said(ExitCode::from(
                Verdict::TokenRejected.exit_code(),
            )))
        }
    }
}

pub(crate) async fn validate(
    org: &OrgUrl,
    token: &Token,
    scopes: &[String],
    profile: Option<&profiles::Profile>,
    notes: Vec<String>,
) -> Report {
    flows::prove::run(
        flows::prove::request(flows::prove::Proof {
            org: org.clone(),
            token: token.clone(),
            scopes,
            profile,
            notes,
            http: Default::default(),
            clock: crate::cli::clock(),
        }),
        None,
    )
    .await
}
