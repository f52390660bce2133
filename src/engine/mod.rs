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
pub mod probes;
pub mod report;

use std::collections::BTreeSet;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use reqwest::Method;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use crate::domain::checks::{
    CheckClass, CheckStatus, Fill, Verdict, classify_identity, classify_probe, remediation,
};
use crate::domain::org_url::{OrgKind, OrgUrl};
use crate::domain::scopes::Catalogue;
use crate::domain::token::Token;
use discovery::{Discovery, Hosts};
use http::{Auth, Http, HttpError, HttpOptions, Reply};
use probes::{Needs, Probe};
pub use report::{CheckResult, Identity, OrgInfo, Report};

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

    let plan = plan(&request);
    let needs: BTreeSet<Needs> = plan
        .iter()
        .filter_map(|(p, _)| p.as_ref().map(|p| p.needs))
        .collect();
    let need_project = request.project.is_none()
        && (needs.contains(&Needs::Project) || needs.contains(&Needs::Repository));
    let need_repo = needs.contains(&Needs::Repository);
    let hosts = &discovery.hosts;
    let connection_data = format!(
        "{}/_apis/connectionData?connectOptions=0&api-version=7.1-preview.1",
        hosts.core
    );
    let (identity_reply, projects_reply, repos_reply) = tokio::join!(
        http.send(Method::GET, &connection_data, Auth::Rest, None),
        async {
            if need_project {
                Some(
                    http.send(
                        Method::GET,
                        &format!("{}/_apis/projects?$top=100&api-version=7.1", hosts.core),
                        Auth::Rest,
                        None,
                    )
                    .await,
                )
            } else {
                None
            }
        },
        async {
            if need_repo {
                Some(
                    http.send(
                        Method::GET,
                        &format!("{}/_apis/git/repositories?api-version=7.1", hosts.core),
                        Auth::Rest,
                        None,
                    )
                    .await,
                )
            } else {
                None
            }
        },
    );

    let (identity, deployment) = match read_identity(&request, identity_reply) {
        Ok(found) => found,
        Err(refusal) => {
            let report = blocked(
                &request,
                org_info,
                refusal.class,
                refusal.http_status,
                &refusal.detail,
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
    emit(
        &events,
        Event::Probing(plan.iter().map(|(_, w)| w.scope.clone()).collect()),
    );

    let mut running: FuturesUnordered<_> = plan
        .into_iter()
        .map(|(probe, wanted)| run_one(&http, &request, &discovery, &context, probe, wanted))
        .collect();
    let mut checks = Vec::new();
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
        (OrgKind::Server, Some("hosted")) => "cloud",
        (kind, _) => kind.as_str(),
    };
    OrgInfo {
        input: org.input().trim().to_string(),
        url: org.as_str().to_string(),
        name: org.name().to_string(),
        kind: kind.to_string(),
    }
}

fn fill<'a>(request: &'a CheckRequest, checkbox: &'a str, scope: &'a str) -> Fill<'a> {
    Fill {
        checkbox,
        scope,
        integration: &request.integration,
        org: request.org.as_str(),
    }
}

/// The report when discovery or identity stopped the run: every scope skipped, with the reason.
fn blocked(
    request: &CheckRequest,
    org: OrgInfo,
    class: CheckClass,
    http_status: Option<u16>,
    detail: &str,
    started: Instant,
) -> Report {
    let key = if class == CheckClass::TokenInvalid && detail.contains("anonymous") {
        "token-invalid-anonymous"
    } else {
        class.as_str()
    };
    let catalogue = Catalogue::get();
    let checks = request
        .scopes
        .iter()
        .map(|w| {
            let label = catalogue.label(&w.scope);
            let mut r = remediation(key, &fill(request, &label, &w.scope));
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
}

/// The token's identity and the deployment type, or why the token was refused.
fn read_identity(
    request: &CheckRequest,
    reply: Result<Reply, HttpError>,
) -> Result<(Identity, Option<String>), Refusal> {
    let reply = reply.map_err(|e| Refusal {
        class: http_error_class(&e),
        http_status: None,
        detail: format!("connectionData: {e}"),
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
    let class = classify_identity(&reply.answer(), anonymous);
    if class != CheckClass::Ok {
        let detail = if anonymous && class == CheckClass::TokenInvalid {
            format!(
                "{} answered with the anonymous identity: the token was not accepted.",
                request.org
            )
        } else if let Some(target) = &reply.redirected_to {
            format!("connectionData redirected to {target}; the token was not sent there.")
        } else {
            format!(
                "connectionData answered HTTP {}{}",
                reply.status,
                reply
                    .message()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_else(|| if reply.status == 203 {
                        ": the sign-in page".into()
                    } else {
                        String::new()
                    })
            )
        };
        return Err(Refusal {
            class,
            http_status: Some(reply.status),
            detail,
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
    let identity = Identity {
        id,
        display_name: text(&user, &["providerDisplayName"])
            .or_else(|| text(&user, &["customDisplayName"]))
            .unwrap_or_default(),
        unique_name: text(&user, &["properties", "Account", "$value"])
            .or(from_header)
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

/// Sends a probe (for the work item probe: with a fallback to a type that exists).
async fn send_probe(
    http: &Http,
    hosts: &Hosts,
    context: &Context,
    probe: &Probe,
) -> Option<Result<Reply, HttpError>> {
    let base = probe.target.base(hosts);
    let path = fill_path(probe.path, context, "Task")?;
    let body = probe.body.map(|(ct, b)| (ct, b.as_bytes().to_vec()));
    let first = http
        .send(
            probe.method.clone(),
            &format!("{base}/{path}"),
            probe.auth,
            body.clone(),
        )
        .await;
    let missing_type = matches!(&first, Ok(r) if r.status == 404 && r.message().is_some_and(|m| m.contains("VS402323")));
    if probe.path.contains("${type}") && missing_type {
        // The project's process has no Task type: use the first type it has.
        let Some(project) = context.project.as_ref() else {
            return Some(first);
        };
        let types = http
            .send(
                Method::GET,
                &format!(
                    "{base}/{}/_apis/wit/workitemtypes?api-version=7.1",
                    percent_encoding::utf8_percent_encode(project, SEGMENT)
                ),
                Auth::Rest,
                None,
            )
            .await;
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
            return Some(
                http.send(
                    probe.method.clone(),
                    &format!("{base}/{path}"),
                    probe.auth,
                    body,
                )
                .await,
            );
        }
    }
    Some(first)
}

async fn run_one(
    http: &Http,
    request: &CheckRequest,
    discovery: &Discovery,
    context: &Context,
    probe: Option<Probe>,
    wanted: Wanted,
) -> Option<CheckResult> {
    let catalogue = Catalogue::get();
    let extra = wanted.scope.starts_with('+');
    let scope = wanted.scope.trim_start_matches('+').to_string();
    let label = catalogue.label(&scope);
    let started = Instant::now();
    let make = |class: CheckClass,
                status: CheckStatus,
                http_status: Option<u16>,
                detail: String,
                key: &str| {
        let r = remediation(key, &fill(request, &label, &scope));
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
        ));
    };
    let own = probe.scope.eq_ignore_ascii_case(&scope);
    let outcome = send_probe(http, &discovery.hosts, context, &probe).await;
    let Some(outcome) = outcome else {
        if extra {
            return None;
        }
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
        ));
    };
    let (class, http_status, service_says, redirected) = match &outcome {
        Ok(reply) => (
            if reply.redirected_to.is_some() {
                CheckClass::Network
            } else {
                classify_probe(&reply.answer(), probe.expect)
            },
            Some(reply.status),
            reply.message(),
            reply.redirected_to.clone(),
        ),
        Err(error) => (http_error_class(error), None, Some(error.to_string()), None),
    };
    let where_ = context
        .project
        .as_ref()
        .filter(|_| matches!(probe.needs, Needs::Project | Needs::Repository))
        .map(|p| format!(" in {p}"))
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
            )
        });
    }
    let lower = catalogue.label(probe.scope);
    let mut detail = match (&redirected, class) {
        (Some(host), _) => format!(
            "{}: redirected to {host}; the token was not sent there.",
            probe.what
        ),
        (None, CheckClass::Ok) => format!("{}{where_}: allowed.", capitalise(probe.what)),
        (None, _) => {
            let parts: Vec<String> = [http_status.map(|s| format!("HTTP {s}")), service_says]
                .into_iter()
                .flatten()
                .collect();
            format!("{}{where_}: {}", capitalise(probe.what), parts.join(" — "))
        }
    };
    let (class, status, key) = if own {
        let key = match (class, scope.as_str()) {
            (CheckClass::PermissionDenied, "vso.memberentitlementmanagement") => {
                "permission-denied-admin"
            }
            (CheckClass::PermissionDenied, "vso.code" | "vso.code_write") => {
                "permission-denied-code"
            }
            (class, _) => class.as_str(),
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
            other => (other, other.status(), other.as_str()),
        }
    };
    Some(make(class, status, http_status, detail, key))
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
