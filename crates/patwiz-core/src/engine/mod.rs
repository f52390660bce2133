//! The validation engine: given an organization and a token, prove each required scope with a
//! real, side-effect-free request, all at once, and say for each one pass / fail / warn with
//! the fix. Results stream on a channel the moment each is known; the UI and `patwiz check`
//! share this code and the engine knows nothing of either.
//!
//! Order of a run: anonymous discovery (the organization exists; where its hosts are) → the
//! token's identity (connectionData) together with the context some probes need (a project, a
//! repository) → every probe in parallel.

pub mod child;
pub mod discovery;
pub mod entra;
pub mod http;
pub mod keyvault;
pub mod kv;
pub mod lifecycle;
pub mod many;
pub mod pass;
pub mod probes;
pub mod report;
pub mod request_log;
pub mod versions;

mod context;
mod identity;
mod outcome;
mod run;
mod send;

use outcome::blocked;
use run::org_info;
pub use run::run;

use tokio::time::Instant;

use crate::domain::checks::{CheckClass, RemediationKey};
use crate::domain::org_url::OrgUrl;
use crate::domain::token::Token;
use http::HttpOptions;
pub use report::{CheckResult, Identity, OrgInfo, Report};

/// Characters kept as they are in a path segment or query value.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub use crate::domain::ANONYMOUS_ID;

/// Why a run stopped before any scope could be tried (discovery, the identity check, a client
/// that could not start): the class, the service's status, what happened, and whom the fix
/// points at.
#[derive(Debug, Clone)]
pub struct Stop {
    pub class: CheckClass,
    pub http_status: Option<u16>,
    pub detail: String,
    /// A remediation variant (the anonymous identity); default: the class's own.
    pub key: Option<RemediationKey>,
    /// The account the service named, by its sign-in name (the evidence names its directory).
    pub account: Option<String>,
    /// The service's own message (its code chooses the fix).
    pub said: Option<String>,
}

impl Stop {
    pub fn new(class: CheckClass, http_status: Option<u16>, detail: impl Into<String>) -> Stop {
        Stop {
            class,
            http_status,
            detail: detail.into(),
            key: None,
            account: None,
            said: None,
        }
    }
}

/// One scope to prove, with the profile's reason for it.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub scope: String,
    pub why: Option<String>,
    /// Asked for (by the profile or the person). False for the powerful scopes the engine
    /// probes on its own to warn about over-privilege.
    pub required: bool,
}

impl Wanted {
    /// A scope asked for, with no reason given.
    pub fn required(scope: impl Into<String>) -> Wanted {
        Wanted {
            scope: scope.into(),
            why: None,
            required: true,
        }
    }
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    pub org: OrgUrl,
    pub token: Token,
    pub scopes: Vec<Wanted>,
    /// The integration's name, for remediation text ("Git-Zen does not need …").
    pub integration: String,
    /// The profile's guide still recommends global PATs (retired 2026-12-01).
    pub global_pat_retired: bool,
    /// Project to probe project-level scopes in; default: the first the token can see.
    pub project: Option<String>,
    pub http: HttpOptions,
    /// Also probe powerful scopes the profile does not need, to warn about over-privilege.
    pub probe_extras: bool,
    /// Notes carried into the report (e.g. what was trimmed from the pasted token).
    pub notes: Vec<String>,
    /// What stamps the report's "checked at".
    pub clock: crate::clock::Clock,
}

/// What the engine reports while it runs.
#[derive(Debug, Clone)]
pub enum Event {
    /// Anonymous discovery is done (the benchmark times the rest of the run from here).
    Discovered {
        advertised: bool,
    },
    Identity(Identity),
    /// Probes for these scopes have started.
    Probing(Vec<String>),
    Check(CheckResult),
    Finished(Box<Report>),
}

/// A report for a token refused before any request (its shape), with every scope skipped;
/// the remediation is the shape check's own message.
pub fn refused_report(request: &CheckRequest, detail: &str, fix: &str) -> Report {
    let stop = Stop::new(CheckClass::TokenInvalid, None, detail);
    let mut report = blocked(
        request,
        org_info(&request.org, None),
        &stop,
        false,
        Instant::now(),
    );
    for check in &mut report.checks {
        check.remediation = fix.to_string();
        check.source = "patwiz token shape check (Microsoft's PAT formats: 84 characters with the AZDO signature, or 52 legacy)".to_string();
    }
    report
}

/// The default: probe extras, 10 s per request, 30 s in all.
pub fn request_for(
    org: OrgUrl,
    token: Token,
    scopes: Vec<Wanted>,
    integration: &str,
) -> CheckRequest {
    CheckRequest {
        org,
        token,
        scopes,
        integration: integration.to_string(),
        global_pat_retired: false,
        project: None,
        http: HttpOptions::default(),
        probe_extras: true,
        notes: Vec::new(),
        clock: crate::clock::Clock::system(),
    }
}
