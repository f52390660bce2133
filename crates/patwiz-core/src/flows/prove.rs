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
