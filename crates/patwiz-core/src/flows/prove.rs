//! Prove a token: the engine's request built one way for every front end.

use crate::domain::org_url::OrgUrl;
use crate::domain::profiles::Profile;
use crate::domain::token::Token;
use crate::engine::http::HttpOptions;
use crate::engine::{self, CheckRequest, Event, Report, Wanted};

/// What to prove: these scopes, for this profile (its reasons and rules), on this organization.
pub struct Proof<'a> {
    pub org: OrgUrl,
    pub token: Token,
    pub scopes: &'a [String],
    pub profile: Option<&'a Profile>,
    /// Notes about the token itself (trimmed, pasted with a prefix), carried into the report.
    pub notes: Vec<String>,
    pub http: HttpOptions,
    /// What stamps the report.
    pub clock: crate::clock::Clock,
}

/// The engine's request for `proof`: each scope with the profile's reason for it.
pub fn request(proof: Proof<'_>) -> CheckRequest {
    let wanted = proof
        .scopes
        .iter()
        .map(|scope| Wanted {
            scope: scope.clone(),
            why: proof.profile.and_then(|p| p.why(scope)).map(str::to_string),
            required: true,
        })
        .collect();
    let integration = proof
        .profile
        .map_or_else(|| "the integration".to_string(), |p| p.title.clone());
    let mut request = engine::request_for(proof.org, proof.token, wanted, &integration);
    request.global_pat_retired = proof.profile.is_some_and(|p| p.global_pat_retired);
    request.notes = proof.notes;
    request.http = proof.http;
    request.clock = proof.clock;
    request
}

/// Runs the proof, streaming each result to `events` when given.
pub async fn run(
    request: CheckRequest,
    events: Option<tokio::sync::mpsc::UnboundedSender<Event>>,
) -> Report {
    engine::run(request, events).await
}

/// Whether Azure DevOps still accepts `token` at all (no scope is proven): `Some(false)` when it
/// refuses it (revoked, expired), `None` when the service could not be asked.
pub async fn still_accepted(ctx: &super::Ctx, org: &OrgUrl, token: &Token) -> Option<bool> {
    let report = run(request(ctx.proof(org, token, &[], None)), None).await;
    match report.verdict {
        crate::domain::checks::Verdict::TokenRejected => Some(false),
        crate::domain::checks::Verdict::Unreachable => None,
        _ => Some(true),
    }
}

/// What to prove, as the person asked for it: a profile by name, or scope ids (a check from a
/// script), else the profile the organization was stored with.
#[derive(Debug, Clone, Default)]
pub struct Asked<'a> {
    pub profile: Option<&'a str>,
    pub scopes: &'a [String],
    /// The profile this organization's stored token was kept with, if any.
    pub stored_profile: Option<&'a str>,
}

/// Why there is nothing to prove.
#[derive(Debug, thiserror::Error)]
pub enum NothingToProve {
    #[error(
        "no profile for {0}: pass --profile NAME or --scopes ID,ID (or store a token for it with `patwiz login`)"
    )]
    NoProfile(String),
    #[error(
        "--scopes: unknown scope \"{0}\" (see `patwiz profiles` or the catalogue in the README)"
    )]
    UnknownScope(String),
    #[error("no scopes to check: the custom profile needs --scopes ID,ID…")]
    NoScopes,
    #[error(transparent)]
    Profile(#[from] crate::domain::profiles::ProfileError),
}

/// The scopes to prove on `org` and the profile they come from: the profile asked for, else
/// the scopes asked for (each one the catalogue knows), else the stored profile.
pub fn what_to_prove(
    ctx: &super::Ctx,
    org: &OrgUrl,
    asked: &Asked<'_>,
) -> Result<(Vec<String>, Option<Profile>), NothingToProve> {
    let named = match (asked.profile, asked.scopes.is_empty()) {
        (Some(name), _) => Some(name),
        (None, false) => None,
        (None, true) => Some(
            asked
                .stored_profile
                .ok_or_else(|| NothingToProve::NoProfile(org.to_string()))?,
        ),
    };
    let (scopes, profile) = match named {
        Some(name) => {
            let profile = ctx.profile(name)?;
            (profile.scope_ids(), Some(profile))
        }
        None => {
            let catalogue = crate::domain::scopes::Catalogue::get();
            let ids = asked
                .scopes
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(|id| {
                    catalogue
                        .scope(id)
                        .map(|scope| scope.id.clone())
                        .ok_or_else(|| NothingToProve::UnknownScope(id.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            (ids, None)
        }
    };
    if scopes.is_empty() {
        return Err(NothingToProve::NoScopes);
    }
    Ok((scopes, profile))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> OrgUrl {
        OrgUrl::parse("https://dev.azure.com/contoso").unwrap()
    }

    #[test]
    fn the_profile_asked_for_wins_then_the_scopes_then_the_stored_profile() {
        let ctx = super::super::Ctx::default();
        let scopes = vec!["vso.code".to_string(), " ".to_string()];
        let asked = Asked {
            profile: Some("nango"),
            scopes: &scopes,
            stored_profile: Some("git-zen"),
        };
        let (ids, profile) = what_to_prove(&ctx, &org(), &asked).unwrap();
        assert_eq!(profile.unwrap().name, "nango");
        assert!(!ids.is_empty());
        let asked = Asked {
            profile: None,
            ..asked
        };
        let (ids, profile) = what_to_prove(&ctx, &org(), &asked).unwrap();
        assert_eq!(
            (ids, profile.is_none()),
            (vec!["vso.code".to_string()], true)
        );
        let asked = Asked {
            scopes: &[],
            ..asked
        };
        let (_, profile) = what_to_prove(&ctx, &org(), &asked).unwrap();
        assert_eq!(profile.unwrap().name, "git-zen");
    }

    #[test]
    fn nothing_to_prove_is_said_precisely() {
        let ctx = super::super::Ctx::default();
        let none = Asked::default();
        assert!(matches!(
            what_to_prove(&ctx, &org(), &none),
            Err(NothingToProve::NoProfile(o)) if o.contains("contoso")
        ));
        let bad = vec!["vso.nope".to_string()];
        let asked = Asked {
            scopes: &bad,
            ..Asked::default()
        };
        assert!(matches!(
            what_to_prove(&ctx, &org(), &asked),
            Err(NothingToProve::UnknownScope(id)) if id == "vso.nope"
        ));
        let asked = Asked {
            profile: Some("custom"),
            ..Asked::default()
        };
        assert!(matches!(
            what_to_prove(&ctx, &org(), &asked),
            Err(NothingToProve::NoScopes)
        ));
    }
}
