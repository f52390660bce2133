//! The validation engine: given an organization and a token, prove each required scope with a
//! real, side-effect-free request, all at once, and say for each one pass / fail / warn with
//! the fix. Results stream on a channel the moment each is known; the UI and `patwiz check`
//! share this code and the engine knows nothing of either.
//!
//! Order of a run: anonymous discovery (the organization exists; where its hosts are) → the
//! token's identity (connectionData) together with the context some probes need (a project, a
//! repository) → every probe in parallel.

pub mod discovery;
pub mod http;
pub mod many;
pub mod probes;
pub mod report;
pub mod request_log;
pub mod versions;

use std::collections::BTreeSet;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use reqwest::Method;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use crate::domain::checks::{
    Answer, CheckClass, CheckStatus, Fill, Verdict, classify_identity, classify_probe,
    is_named_account, remediation,
};
use crate::domain::org_url::{OrgKind, OrgUrl};
use crate::domain::scopes::Catalogue;
use crate::domain::text::shorten;
use crate::domain::token::Token;
use discovery::Discovery;
use http::{Auth, Http, HttpError, HttpOptions, Reply};
use probes::{Needs, Probe};
pub use report::{CheckResult, Identity, OrgInfo, Report};
use versions::{ApiLocations, Negotiated, with_api_version};

/// Characters kept as they are in a path segment or query value.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The anonymous identity an organization with public projects reports for a bad token.
pub const ANONYMOUS_ID: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";

/// One scope to prove, with the profile's reason for it.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub scope: String,
    pub why: Option<String>,
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
}

/// What the engine reports while it runs.
#[derive(Debug, Clone)]
pub enum Event {
    Discovered {
        advertised: bool,
    },
    Identity(Identity),
    /// Probes for these scopes have started.
    Probing(Vec<String>),
    Check(CheckResult),
    Finished(Box<Report>),
}

/// Facts some probes need: who the token is, a project, a repository.
#[derive(Debug, Clone, Default)]
struct Context {
    user_id: Option<String>,
    project: Option<String>,
    repository: Option<(String, String)>,
}

fn emit(events: &Option<UnboundedSender<Event>>, event: Event) {
    if let Some(tx) = events {
        let _ = tx.send(event);
    }
}

/// Runs a whole check and returns the report; `events` (if given) receives each step.
pub async fn run(request: CheckRequest, events: Option<UnboundedSender<Event>>) -> Report {
    let started = Instant::now();
    let org_info = org_info(&request.org, None);
    let http = match Http::new(request.token.clone(), &request.http) {
        Ok(http) => http,
        Err(message) => {
            let report = blocked(
                &request,
                org_info,
                CheckClass::Network,
                None,
                &message,
                &Blame::default(),
                started,
            );
            emit(&events, Event::Finished(Box::new(report.clone())));
            return report;
        }
    };

    let discovery = match discovery::discover(&http, &request.org).await {
        Ok(d) => d,
        Err(failure) => {
            let report = blocked(
                &request,
                org_info,
                failure.class,
                failure.http_status,
                &failure.detail,
                &Blame {
                    server: request.org.kind() == OrgKind::Server,
                    ..Blame::default()
                },
                started,
            );
            emit(&events, Event::Finished(Box::new(report.clone())));
            return report;
        }
    };
    emit(
        &events,
        Event::Discovered {
            advertised: discovery.advertised,
        },
    );
    let org_info = self::org_info(&request.org, discovery.advertised.then_some("hosted"));

    // A deployment without resource areas (Azure DevOps Server) says which APIs it has and up
    // to which version: never ask it for more (Microsoft's clients negotiate the same way).
    let apis = if discovery.advertised {
        None
    } else {
        read_api_locations(&http, &discovery.hosts.core).await
    };
    let apis = apis.as_ref();

    let plan = plan(&request);
    let needs: BTreeSet<Needs> = plan
        .iter()
        .filter_map(|(p, _)| p.as_ref().map(|p| p.needs))
        .collect();
    let need_project = request.project.is_none()
        && (needs.contains(&Needs::Project) || needs.contains(&Needs::Repository));
    let need_repo = needs.contains(&Needs::Repository);
    let hosts = &discovery.hosts;
    let connection_data = negotiated(
        apis,
        &format!(
            "{}/_apis/connectionData?connectOptions=0&api-version=7.1-preview.1",
            hosts.core
        ),
        probes::LOCATION_CONNECTION_DATA,
    )
    .unwrap_or_else(|| {
        format!(
            "{}/_apis/connectionData?connectOptions=0&api-version=5.0-preview.1",
            hosts.core
        )
    });
    let projects_url = negotiated(
        apis,
        &format!("{}/_apis/projects?$top=100&api-version=7.1", hosts.core),
        probes::LOCATION_PROJECTS,
    );
    let repos_url = negotiated(
        apis,
        &format!("{}/_apis/git/repositories?api-version=7.1", hosts.core),
        probes::LOCATION_REPOSITORIES,
    );
    // Probes that need neither a project nor the token's id start with the identity request:
    // a profile whose scopes are all organization-level is proven in that one round trip.
    let scope_names: Vec<String> = plan.iter().map(|(_, w)| w.scope.clone()).collect();
    let (floor, later): (Vec<_>, Vec<_>) = plan
        .into_iter()
        .partition(|(p, _)| p.as_ref().is_some_and(|p| p.needs == Needs::Nothing));
    let no_context = Context::default();
    let at_the_floor = Run {
        http: &http,
        request: &request,
        discovery: &discovery,
        context: &no_context,
        apis,
    };
    let (identity_reply, projects_reply, repos_reply, floor_results) = tokio::join!(
        http.send(Method::GET, &connection_data, Auth::Rest, None),
        async {
            match &projects_url {
                Some(url) if need_project => {
                    Some(http.send(Method::GET, url, Auth::Rest, None).await)
                }
                _ => None,
            }
        },
        async {
            match &repos_url {
                Some(url) if need_repo => Some(http.send(Method::GET, url, Auth::Rest, None).await),
                _ => None,
            }
        },
        futures_util::future::join_all(floor.into_iter().map(|(probe, wanted)| run_one(
            &at_the_floor,
            probe,
            wanted
        ))),
    );

    let (identity, deployment) = match read_identity(&request, identity_reply) {
        Ok(found) => found,
        Err(refusal) => {
            let blame = Blame {
                key: refusal.key,
                account: refusal.account,
                server: !discovery.advertised,
            };
            let report = blocked(
                &request,
                org_info,
                refusal.class,
                refusal.http_status,
                &refusal.detail,
                &blame,
                started,
            );
            emit(&events, Event::Finished(Box::new(report.clone())));
            return report;
        }
    };
    emit(&events, Event::Identity(identity.clone()));
    let org_info = match deployment.as_deref() {
        Some(d) => self::org_info(&request.org, Some(d)),
        None => org_info,
    };

    let context = build_context(&request, &identity, projects_reply, repos_reply);
    emit(&events, Event::Probing(scope_names));

    let mut checks = Vec::new();
    for result in floor_results.into_iter().flatten() {
        emit(&events, Event::Check(result.clone()));
        checks.push(result);
    }
    let shared = Run {
        http: &http,
        request: &request,
        discovery: &discovery,
        context: &context,
        apis,
    };
    let mut running: FuturesUnordered<_> = later
        .into_iter()
        .map(|(probe, wanted)| run_one(&shared, probe, wanted))
        .collect();
    while let Some(result) = running.next().await {
        if let Some(result) = result {
            emit(&events, Event::Check(result.clone()));
            checks.push(result);
        }
    }
    drop(running);
    checks.sort_by_key(|c| {
        (
            !c.required,
            request
                .scopes
                .iter()
                .position(|w| w.scope == c.scope)
                .unwrap_or(usize::MAX),
            c.scope.clone(),
        )
    });

    let mut notes = request.notes.clone();
    let extras_held = checks.iter().filter(|c| !c.required).count();
    if request.probe_extras && extras_held >= 4 {
        let fill = fill(&request, "", "");
        let r = remediation("full-access", &fill);
        notes.push(format!("{} ({})", r.text, r.source));
    }
    if request.global_pat_retired {
        notes.push(format!(
            "{} still suggests \"All accessible organizations\": Microsoft retires global PATs on {}. A token for {} alone is what patwiz checks.",
            request.integration,
            crate::domain::GLOBAL_PAT_RETIREMENT,
            request.org
        ));
    }
    let verdict = Verdict::from_required(checks.iter().filter(|c| c.required).map(|c| c.status));
    let report = Report {
        org: org_info,
        identity: Some(identity),
        verdict,
        checks,
        elapsed_ms: elapsed_ms(started),
        notes,
    };
    emit(&events, Event::Finished(Box::new(report.clone())));
    report
}

/// A report for a token refused before any request (its shape), with every scope skipped;
/// the remediation is the shape check's own message.
pub fn refused_report(request: &CheckRequest, detail: &str, fix: &str) -> Report {
    let mut report = blocked(
        request,
        org_info(&request.org, None),
        CheckClass::TokenInvalid,
        None,
        detail,
        &Blame::default(),
        Instant::now(),
    );
    for check in &mut report.checks {
        check.remediation = fix.to_string();
        check.source = "patwiz token shape check (Microsoft's PAT formats: 84 characters with the AZDO signature, or 52 legacy)".to_string();
    }
    report
}

fn elapsed_ms(since: Instant) -> u64 {
    since.elapsed().as_millis().try_into().unwrap_or(u64::MAX)
}

/// `deployment` is connectionData's deploymentType, or "hosted" when discovery found
/// advertised resource areas (Azure DevOps Services).
fn org_info(org: &OrgUrl, deployment: Option<&str>) -> OrgInfo {
    let kind = match (org.kind(), deployment) {
        (OrgKind::Server, Some("hosted")) => OrgKind::Cloud,
        (kind, _) => kind,
    };
    OrgInfo {
        input: org.input().trim().to_string(),
        url: org.as_str().to_string(),
        name: org.name().to_string(),
        kind,
    }
}

fn fill<'a>(request: &'a CheckRequest, checkbox: &'a str, scope: &'a str) -> Fill<'a> {
    Fill {
        checkbox,
        scope,
        integration: &request.integration,
        org: request.org.as_str(),
        account: "",
        project: request.project.as_deref().unwrap_or_default(),
    }
}

/// An account as the service names it (`{tenant}\{upn}`), in words: the sign-in name, and the
/// directory it belongs to.
fn account_words(raw: &str) -> String {
    match raw.split_once('\\') {
        Some((tenant, upn)) if !tenant.is_empty() && !upn.is_empty() => {
            format!("{upn} (of the Microsoft Entra directory {tenant})")
        }
        _ => raw.to_string(),
    }
}

/// Who or what a blocking refusal points at, for its remediation.
#[derive(Debug, Clone, Default)]
struct Blame {
    /// A remediation variant (`token-invalid-anonymous`); default: the class's own.
    key: Option<&'static str>,
    /// The account the service named.
    account: Option<String>,
    /// The deployment is Azure DevOps Server (no cloud status page to point at).
    server: bool,
}

/// The remediation key of `class`, with the variant for Azure DevOps Server.
fn remediation_key(class: CheckClass, server: bool) -> &'static str {
    match class {
        CheckClass::ServerError if server => "server-error-server",
        other => other.as_str(),
    }
}

/// `url` with the api-version the deployment takes for `location`. Without location data
/// (the cloud), `url` as it is. An API the deployment does not list is still asked, at the
/// deployment's highest version, so that its own answer (a route 404 on Azure DevOps Server)
/// says it is missing: an incomplete listing never hides an API that is there.
fn negotiated(apis: Option<&ApiLocations>, url: &str, location: &str) -> Option<String> {
    let Some(apis) = apis else {
        return Some(url.to_string());
    };
    let requested = versions::api_version_of(url).unwrap_or("7.1").to_string();
    match apis.negotiate(location, &requested) {
        Negotiated::Version(v) => Some(with_api_version(url, &v)),
        Negotiated::Missing => {
            let ceiling = apis.ceiling()?;
            let wanted = versions::ApiVersion::parse(&requested)?;
            let version = if wanted <= ceiling {
                requested
            } else {
                ceiling.to_string()
            };
            Some(with_api_version(url, &version))
        }
    }
}

/// The location data of a deployment without resource areas (`OPTIONS {collection}/_apis`),
/// or `None` when it gives none (then patwiz asks for its usual versions).
async fn read_api_locations(http: &Http, core: &str) -> Option<ApiLocations> {
    let reply = http
        .send(Method::OPTIONS, &format!("{core}/_apis"), Auth::Rest, None)
        .await
        .ok()?;
    if !(200..300).contains(&reply.status) {
        return None;
    }
    ApiLocations::from_options(&reply.json()?)
}

/// What every probe of one run shares.
struct Run<'a> {
    http: &'a Http,
    request: &'a CheckRequest,
    discovery: &'a Discovery,
    context: &'a Context,
    apis: Option<&'a ApiLocations>,
}

/// The report when discovery or identity stopped the run: every scope skipped, with the reason.
fn blocked(
    request: &CheckRequest,
    org: OrgInfo,
    class: CheckClass,
    http_status: Option<u16>,
    detail: &str,
    blame: &Blame,
    started: Instant,
) -> Report {
    let key = blame
        .key
        .unwrap_or_else(|| remediation_key(class, blame.server));
    let catalogue = Catalogue::get();
    let checks = request
        .scopes
        .iter()
        .map(|w| {
            let label = catalogue.label(&w.scope);
            let mut filled = fill(request, &label, &w.scope);
            filled.account = blame.account.as_deref().unwrap_or("(not named)");
            let mut r = remediation(key, &filled);
            if class == CheckClass::TokenInvalid && request.global_pat_retired {
                let g = remediation("token-invalid-global", &fill(request, &label, &w.scope));
                r.text = format!("{} {}", r.text, g.text);
                r.source = format!("{}; {}", r.source, g.source);
            }
            CheckResult {
                scope: w.scope.clone(),
                label,
                status: CheckStatus::Skipped,
                http_status,
                class,
                remediation: r.text,
                source: r.source,
                elapsed_ms: 0,
                required: true,
                detail: format!("Not checked: {detail}"),
                why: w.why.clone(),
            }
        })
        .collect();
    Report {
        org,
        identity: None,
        verdict: Verdict::for_blocking_class(class),
        checks,
        elapsed_ms: elapsed_ms(started),
        notes: {
            let mut notes = request.notes.clone();
            notes.push(detail.to_string());
            notes
        },
    }
}

/// Why the identity check stopped the run.
struct Refusal {
    class: CheckClass,
    http_status: Option<u16>,
    detail: String,
    key: Option<&'static str>,
    account: Option<String>,
}

/// The token's identity and the deployment type, or why the token was refused.
fn read_identity(
    request: &CheckRequest,
    reply: Result<Reply, HttpError>,
) -> Result<(Identity, Option<String>), Refusal> {
    let reply = reply.map_err(|e| Refusal {
        class: http_error_class(&e),
        http_status: None,
        detail: format!("Asking Azure DevOps who the token belongs to: {e}."),
        key: None,
        account: None,
    })?;
    let json = reply.json();
    let user = json.as_ref().and_then(|j| j.get("authenticatedUser"));
    let id = user
        .and_then(|u| u.get("id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let anonymous = (200..300).contains(&reply.status)
        && json.is_some()
        && (id.is_empty() || id.eq_ignore_ascii_case(ANONYMOUS_ID));
    let answer = reply.answer();
    let class = classify_identity(&answer, anonymous);
    if class != CheckClass::Ok {
        let named = answer.tf400813_user();
        let account = named
            .clone()
            .filter(|u| is_named_account(u))
            .or_else(|| answer.user_data.clone())
            .map(|a| account_words(&a));
        let said = reply
            .message()
            .map(|m| format!(": \"{m}\""))
            .unwrap_or_else(|| ".".to_string());
        let anonymous_401 = named
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(ANONYMOUS_ID));
        let (detail, key) = if anonymous && class == CheckClass::TokenInvalid {
            (
                format!(
                    "{} answered with the anonymous identity: the token was not accepted.",
                    request.org
                ),
                Some("token-invalid-anonymous"),
            )
        } else if anonymous_401 && class == CheckClass::TokenInvalid {
            (
                format!(
                    "Azure DevOps refused the request as coming from the anonymous user (HTTP {}){said}",
                    reply.status
                ),
                Some("token-invalid-anonymous"),
            )
        } else if reply.redirect_loop {
            (
                format!(
                    "Asking who the token belongs to: {} kept redirecting to itself; patwiz stopped after {} redirects (the token went with them: they stayed on the organization's own host).",
                    request.org, 3
                ),
                None,
            )
        } else if let Some(target) = &reply.redirected_to {
            (
                format!(
                    "Asking who the token belongs to was redirected to {target}; patwiz did not follow, so the token was not sent there."
                ),
                None,
            )
        } else if class == CheckClass::NoAccess {
            (
                format!(
                    "Azure DevOps knows the account {} but it has no access to {} (HTTP {}){said}",
                    account.as_deref().unwrap_or("(not named)"),
                    request.org,
                    reply.status
                ),
                None,
            )
        } else if class == CheckClass::OrgDeactivated {
            (
                format!("Azure DevOps says {} is stopped{said}", request.org),
                None,
            )
        } else {
            let said = if said == "." && reply.status == 203 {
                ": the sign-in page.".to_string()
            } else {
                said
            };
            (
                format!(
                    "Asking who the token belongs to: HTTP {}{said}",
                    reply.status
                ),
                None,
            )
        };
        return Err(Refusal {
            class,
            http_status: Some(reply.status),
            detail,
            key,
            account,
        });
    }
    let user = user.cloned().unwrap_or_default();
    let text = |v: &Value, path: &[&str]| {
        path.iter()
            .try_fold(v, |v, k| v.get(*k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let from_header = reply
        .headers
        .get("x-vss-userdata")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(':').map(|(_, name)| name.to_string()));
    // Names from the server are data: cleaned of control characters before anything shows them.
    let clean = |s: String| crate::domain::text::clean_line(&s);
    let identity = Identity {
        id: clean(id),
        display_name: text(&user, &["providerDisplayName"])
            .or_else(|| text(&user, &["customDisplayName"]))
            .map(clean)
            .unwrap_or_default(),
        unique_name: text(&user, &["properties", "Account", "$value"])
            .or(from_header)
            .map(clean)
            .unwrap_or_default(),
    };
    let deployment = json.as_ref().and_then(|j| text(j, &["deploymentType"]));
    Ok((identity, deployment))
}

fn build_context(
    request: &CheckRequest,
    identity: &Identity,
    projects: Option<Result<Reply, HttpError>>,
    repos: Option<Result<Reply, HttpError>>,
) -> Context {
    let values = |reply: Option<Result<Reply, HttpError>>| -> Vec<Value> {
        reply
            .and_then(Result::ok)
            .filter(|r| r.status == 200)
            .and_then(|r| r.json())
            .and_then(|j| j.get("value").and_then(Value::as_array).cloned())
            .unwrap_or_default()
    };
    let project_names: Vec<String> = values(projects)
        .iter()
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let repositories: Vec<(String, String)> = values(repos)
        .iter()
        .filter_map(|r| {
            Some((
                r.get("project")?.get("name")?.as_str()?.to_string(),
                r.get("name")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let project = request
        .project
        .clone()
        .or_else(|| project_names.first().cloned())
        .or_else(|| repositories.first().map(|(p, _)| p.clone()));
    let repository = project
        .as_ref()
        .and_then(|p| {
            repositories
                .iter()
                .find(|(rp, _)| rp.eq_ignore_ascii_case(p))
                .cloned()
        })
        .or_else(|| repositories.first().cloned());
    Context {
        user_id: Some(identity.id.clone()).filter(|s| !s.is_empty()),
        project,
        repository,
    }
}

/// Which probe answers for each wanted scope (`None`: no probe of its own or below it).
fn plan(request: &CheckRequest) -> Vec<(Option<Probe>, Wanted)> {
    let catalogue = Catalogue::get();
    let mut seen = BTreeSet::new();
    let mut plan = Vec::new();
    for wanted in &request.scopes {
        if !seen.insert(wanted.scope.to_ascii_lowercase()) {
            continue;
        }
        let probe =
            probes::probe_for(&wanted.scope).or_else(|| probes::nearest_provable(&wanted.scope));
        plan.push((probe, wanted.clone()));
    }
    if request.probe_extras {
        let granted = catalogue.closure(request.scopes.iter().map(|w| w.scope.as_str()));
        for extra in probes::POWERFUL_EXTRAS {
            if !granted.contains(*extra) && seen.insert(extra.to_string()) {
                plan.push((
                    probes::probe_for(extra),
                    Wanted {
                        scope: format!("+{extra}"),
                        why: None,
                    },
                ));
            }
        }
    }
    plan
}

fn http_error_class(error: &HttpError) -> CheckClass {
    match error {
        HttpError::Timeout(_) | HttpError::Deadline => CheckClass::Timeout,
        HttpError::TooLarge(_) => CheckClass::ServerError,
        HttpError::Network(_) | HttpError::Refused(_) => CheckClass::Network,
    }
}

fn fill_path(path: &str, context: &Context, work_item_type: &str) -> Option<String> {
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string();
    let mut out = path.replace("${type}", &format!("${}", encode(work_item_type)));
    if out.contains("{project}") {
        let project = context
            .repository
            .as_ref()
            .filter(|_| path.contains("{repo}"))
            .map(|(p, _)| p.clone())
            .or_else(|| context.project.clone())?;
        out = out.replace("{project}", &encode(&project));
    }
    if out.contains("{repo}") {
        out = out.replace("{repo}", &encode(&context.repository.as_ref()?.1));
    }
    if out.contains("{user}") {
        out = out.replace("{user}", &encode(context.user_id.as_ref()?));
    }
    Some(out)
}

/// Why a probe could not be sent.
enum NotSent {
    /// The probe needs a project, a repository or a user id the run did not find.
    Context,
    /// The deployment has no such API (not in its location data).
    NoApi,
}

/// Sends a probe (for the work item probe: with a fallback to a type that exists).
async fn send_probe(run: &Run<'_>, probe: &Probe) -> Result<Result<Reply, HttpError>, NotSent> {
    let (http, hosts, context) = (run.http, &run.discovery.hosts, run.context);
    let base = probe.target.base(hosts);
    let path = fill_path(probe.path, context, "Task").ok_or(NotSent::Context)?;
    let url = match (run.apis, probes::location_of(probe)) {
        (apis, Some(location)) => {
            negotiated(apis, &format!("{base}/{path}"), location).ok_or(NotSent::NoApi)?
        }
        (_, None) => format!("{base}/{path}"),
    };
    let body = probe.body.map(|(ct, b)| (ct, b.as_bytes().to_vec()));
    let first = http
        .send(probe.method.clone(), &url, probe.auth, body.clone())
        .await;
    let missing_type = matches!(&first, Ok(r) if r.status == 404 && r.message().is_some_and(|m| m.contains("VS402323")));
    if probe.path.contains("${type}") && missing_type {
        // The project's process has no Task type: use the first type it has.
        let Some(project) = context.project.as_ref() else {
            return Ok(first);
        };
        let Some(types_url) = negotiated(
            run.apis,
            &format!(
                "{base}/{}/_apis/wit/workitemtypes?api-version=7.1",
                percent_encoding::utf8_percent_encode(project, SEGMENT)
            ),
            probes::LOCATION_WORK_ITEM_TYPES,
        ) else {
            return Ok(first);
        };
        let types = http.send(Method::GET, &types_url, Auth::Rest, None).await;
        let first_type = types.ok().and_then(|r| r.json()).and_then(|j| {
            j.get("value")?
                .as_array()?
                .first()?
                .get("name")?
                .as_str()
                .map(str::to_string)
        });
        if let Some(kind) = first_type
            && let Some(path) = fill_path(probe.path, context, &kind)
        {
            let url = match probes::location_of(probe) {
                Some(location) => negotiated(run.apis, &format!("{base}/{path}"), location)
                    .ok_or(NotSent::NoApi)?,
                None => format!("{base}/{path}"),
            };
            return Ok(http
                .send(probe.method.clone(), &url, probe.auth, body)
                .await);
        }
    }
    Ok(first)
}

/// What one probe's answer says, before it becomes a result.
struct Heard {
    class: CheckClass,
    http_status: Option<u16>,
    answer: Option<Answer>,
    said: Option<String>,
    redirected: Option<String>,
    looped: bool,
}

fn hear(outcome: &Result<Reply, HttpError>, expect: crate::domain::checks::Expect) -> Heard {
    match outcome {
        Ok(reply) => {
            let answer = reply.answer();
            Heard {
                class: if reply.redirected_to.is_some() || reply.redirect_loop {
                    CheckClass::Network
                } else {
                    classify_probe(&answer, expect)
                },
                http_status: Some(reply.status),
                said: answer.message.as_deref().map(|m| shorten(m, 300)),
                answer: Some(answer),
                redirected: reply.redirected_to.clone(),
                looped: reply.redirect_loop,
            }
        }
        Err(error) => Heard {
            class: http_error_class(error),
            http_status: None,
            answer: None,
            said: Some(error.to_string()),
            redirected: None,
            looped: false,
        },
    }
}

async fn run_one(run: &Run<'_>, probe: Option<Probe>, wanted: Wanted) -> Option<CheckResult> {
    let (request, context) = (run.request, run.context);
    let server = !run.discovery.advertised;
    let catalogue = Catalogue::get();
    let extra = wanted.scope.starts_with('+');
    let scope = wanted.scope.trim_start_matches('+').to_string();
    let label = catalogue.label(&scope);
    let started = Instant::now();
    let project = crate::domain::text::clean_line(context.project.as_deref().unwrap_or_default());
    let make = |class: CheckClass,
                status: CheckStatus,
                http_status: Option<u16>,
                detail: String,
                key: &str,
                account: &str| {
        let mut filled = fill(request, &label, &scope);
        filled.account = account;
        filled.project = &project;
        let r = remediation(key, &filled);
        CheckResult {
            scope: scope.clone(),
            label: label.clone(),
            status,
            http_status,
            class,
            remediation: r.text,
            source: r.source,
            elapsed_ms: elapsed_ms(started),
            required: !extra,
            detail,
            why: wanted.why.clone(),
        }
    };
    let Some(probe) = probe else {
        return Some(make(
            CheckClass::Unproven,
            CheckStatus::Warn,
            None,
            format!("No side-effect-free request can prove {label}; nothing was checked."),
            "unproven",
            "",
        ));
    };
    let own = probe.scope.eq_ignore_ascii_case(&scope);
    let outcome = match send_probe(run, &probe).await {
        Ok(outcome) => outcome,
        Err(_) if extra => return None,
        Err(NotSent::NoApi) => {
            return Some(make(
                CheckClass::Unproven,
                CheckStatus::Warn,
                None,
                format!(
                    "{}: this deployment ({}) has no such API, so nothing was checked.",
                    capitalise(probe.what),
                    if server {
                        "Azure DevOps Server"
                    } else {
                        "this service"
                    }
                ),
                "unproven-missing-api",
                "",
            ));
        }
        Err(NotSent::Context) => {
            let missing = match probe.needs {
                Needs::Repository => "no repository is visible to this token",
                Needs::UserId => "the token's identity has no id",
                _ => "no project is visible to this token (pass --project NAME)",
            };
            return Some(make(
                CheckClass::Unproven,
                CheckStatus::Skipped,
                None,
                format!("Not checked: {missing}."),
                "unproven",
                "",
            ));
        }
    };
    let mut heard = hear(&outcome, probe.expect);
    let mut confirmed = None;
    // A lone empty 401 is not always a missing scope: the service has been recorded answering
    // 200 and then 401 to the identical request within a second. Ask once more before saying so.
    let empty_401 = heard.class == CheckClass::MissingScope
        && heard.answer.as_ref().is_some_and(|a| a.message.is_none());
    if empty_401
        && !extra
        && let Ok(again) = send_probe(run, &probe).await
    {
        let second = hear(&again, probe.expect);
        confirmed = Some(second.class);
        if second.class == CheckClass::Ok {
            heard.class = CheckClass::Inconsistent;
        } else if second.class != CheckClass::MissingScope {
            heard = second;
        }
    }
    let Heard {
        class,
        http_status,
        answer,
        said,
        redirected,
        looped,
    } = heard;
    let where_ = context
        .project
        .as_ref()
        .filter(|_| matches!(probe.needs, Needs::Project | Needs::Repository))
        .map(|p| format!(" in {}", crate::domain::text::clean_line(p)))
        .unwrap_or_default();
    if extra {
        return (class == CheckClass::Ok).then(|| {
            make(
                CheckClass::Ok,
                CheckStatus::Warn,
                http_status,
                format!(
                    "The token also holds {label} ({}{where_} succeeded).",
                    probe.what
                ),
                "extra-scope",
                "",
            )
        });
    }
    let account = answer
        .as_ref()
        .and_then(|a| {
            a.tf400813_user()
                .filter(|u| is_named_account(u))
                .or_else(|| a.user_data.clone())
        })
        .map_or_else(|| "(not named)".to_string(), |a| account_words(&a));
    let lower = catalogue.label(probe.scope);
    let what = capitalise(probe.what);
    let evidence = {
        let parts: Vec<String> = [http_status.map(|s| format!("HTTP {s}")), said.clone()]
            .into_iter()
            .flatten()
            .collect();
        parts.join(" — ")
    };
    let rule_refusal = answer.as_ref().is_some_and(Answer::is_rule_validation);
    let mut detail = match (&redirected, class) {
        (None, _) if looped => format!(
            "{what}: the service kept redirecting to its own address; patwiz stopped after 3 redirects (they stayed on the organization's host, so the token went nowhere else)."
        ),
        (Some(host), _) => format!(
            "{what}: redirected to {host}; patwiz did not follow, so the token was not sent there."
        ),
        (None, CheckClass::Ok) if rule_refusal => format!(
            "{what}{where_}: allowed. Azure DevOps authorised the write and then applied your organization's process rules, which require more fields on this work item type ({}). That is the process's business, not the token's.",
            said.as_deref().unwrap_or("TF401320")
        ),
        (None, CheckClass::Ok) => format!("{what}{where_}: allowed."),
        (None, CheckClass::Inconsistent) => format!(
            "{what}{where_}: refused (HTTP 401, no reason given), then allowed when asked again."
        ),
        (None, CheckClass::Unproven) => {
            format!("{what}: this deployment has no such API ({evidence}), so nothing was checked.")
        }
        (None, CheckClass::MissingScope) if confirmed == Some(CheckClass::MissingScope) => {
            format!("{what}{where_}: {evidence} (refused twice)")
        }
        (None, _) => format!("{what}{where_}: {evidence}"),
    };
    let (class, status, key) = if own {
        let key = match (class, scope.as_str()) {
            (CheckClass::PermissionDenied, "vso.memberentitlementmanagement") => {
                "permission-denied-admin"
            }
            (CheckClass::PermissionDenied, "vso.code_write")
                if said
                    .as_deref()
                    .is_some_and(|m| m.contains("GenericContribute")) =>
            {
                "permission-denied-contribute"
            }
            (CheckClass::PermissionDenied, "vso.code" | "vso.code_write") => {
                "permission-denied-code"
            }
            (CheckClass::Unproven, _) => "unproven-missing-api",
            (class, _) => remediation_key(class, server),
        };
        (class, class.status(), key)
    } else {
        // No probe of its own: the nearest included scope was checked instead.
        match class {
            CheckClass::Ok => {
                detail = format!(
                    "{lower} proven ({}); {label} itself cannot be proven without side effects.",
                    probe.what
                );
                (CheckClass::Unproven, CheckStatus::Warn, "unproven")
            }
            CheckClass::MissingScope => {
                detail =
                    format!("{lower} is missing, so {label} (which includes it) is missing too.");
                (CheckClass::MissingScope, CheckStatus::Fail, "missing-scope")
            }
            CheckClass::Unproven => (class, class.status(), "unproven-missing-api"),
            other => (other, other.status(), remediation_key(other, server)),
        }
    };
    Some(make(class, status, http_status, detail, key, &account))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_filled_and_encoded() {
        let ctx = Context {
            user_id: Some("u-1".into()),
            project: Some("Fabrikam Fiber".into()),
            repository: Some(("Fabrikam Fiber".into(), "web app".into())),
        };
        assert_eq!(
            fill_path(
                "{project}/_apis/wit/workitems/${type}?x=1",
                &ctx,
                "User Story"
            )
            .unwrap(),
            "Fabrikam%20Fiber/_apis/wit/workitems/$User%20Story?x=1"
        );
        assert_eq!(
            fill_path("{project}/_git/{repo}/info/refs", &ctx, "Task").unwrap(),
            "Fabrikam%20Fiber/_git/web%20app/info/refs"
        );
        assert_eq!(
            fill_path("_apis/identities?identityIds={user}", &ctx, "Task").unwrap(),
            "_apis/identities?identityIds=u-1"
        );
        assert!(fill_path("{project}/x", &Context::default(), "Task").is_none());
    }
}
