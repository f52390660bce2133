//! The orchestration of one check: anonymous discovery, then the identity request together
//! with every probe that needs nothing else (the dependency floor), then the rest in parallel,
//! each result streamed as it arrives.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use reqwest::Method;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use super::context::{Context, build_context};
use super::discovery::{self, Discovery};
use super::http::{Auth, Http};
use super::identity::read_identity;
use super::outcome::{blocked, fill, run_one};
use super::probes::{self, Needs, Probe};
use super::report::CheckResult;
use super::versions::{ApiLocations, negotiated};
use super::{CheckRequest, Event, OrgInfo, Report, Stop, Wanted};
use crate::domain::checks::{CheckClass, RemediationKey, Verdict, remediation};
use crate::domain::org_url::{OrgKind, OrgUrl};
use crate::domain::scopes::Catalogue;

pub(super) fn emit(events: &Option<UnboundedSender<Event>>, event: Event) {
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
            let stop = Stop::new(CheckClass::Configuration, None, message.to_string());
            return finished(&events, blocked(&request, org_info, &stop, false, started));
        }
    };

    let discovery = match discovery::discover(&http, &request.org).await {
        Ok(d) => d,
        Err(stop) => {
            let server = request.org.kind() == OrgKind::Server;
            return finished(&events, blocked(&request, org_info, &stop, server, started));
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
    let (need_project, need_repo) = context_needed(&plan, &request);
    let ContextUrls {
        connection_data,
        projects: projects_url,
        repos: repos_url,
    } = ContextUrls::of(apis, &discovery.hosts.core);
    // Probes that need neither a project nor the token's id start with the identity request:
    // a profile whose scopes are all organization-level is proven in that one round trip.
    let scope_names: Vec<String> = plan.iter().map(|(_, w)| w.scope.clone()).collect();
    let (floor, later): (Vec<_>, Vec<_>) = plan
        .into_iter()
        .partition(|(p, _)| p.as_ref().is_some_and(|p| p.needs == Needs::Nothing));
    // The floor's probes run beside the identity and context requests and go on running
    // after them: a refused scope's second ask shares the round of the probes that need the
    // context instead of adding one.
    let no_context = Context::default();
    let at_the_floor = Run {
        http: &http,
        request: &request,
        discovery: &discovery,
        context: &no_context,
        apis,
    };
    // Declared before `running`, so they outlive the probes that will borrow them.
    #[allow(clippy::needless_late_init, reason = "must be dropped after `running`")]
    let context: Context;
    #[allow(clippy::needless_late_init, reason = "must be dropped after `running`")]
    let shared: Run<'_>;
    let mut running: FuturesUnordered<Probing<'_>> = floor
        .into_iter()
        .map(|(probe, wanted)| Box::pin(run_one(&at_the_floor, probe, wanted)) as Probing<'_>)
        .collect();
    let replies = futures_util::future::join3(
        http.send(Method::GET, &connection_data, Auth::Rest, None),
        get_if(&http, projects_url.as_deref(), need_project),
        get_if(&http, repos_url.as_deref(), need_repo),
    );
    let (early, (identity_reply, projects_reply, repos_reply)) =
        beside(&mut running, replies).await;

    let (identity, deployment) = match read_identity(&request, identity_reply) {
        Ok(found) => found,
        Err(stop) => {
            let report = blocked(&request, org_info, &stop, !discovery.advertised, started);
            return finished(&events, report);
        }
    };
    emit(&events, Event::Identity(identity.clone()));
    let org_info = match deployment.as_deref() {
        Some(d) => self::org_info(&request.org, Some(d)),
        None => org_info,
    };

    context = build_context(&request, &identity, projects_reply, repos_reply);
    emit(&events, Event::Probing(scope_names));

    let mut checks = Vec::new();
    heard(&events, &mut checks, early);
    shared = Run {
        http: &http,
        request: &request,
        discovery: &discovery,
        context: &context,
        apis,
    };
    for (probe, wanted) in later {
        running.push(Box::pin(run_one(&shared, probe, wanted)));
    }
    while let Some(result) = running.next().await {
        heard(&events, &mut checks, [result]);
    }
    drop(running);
    in_request_order(&mut checks, &request);
    let verdict = Verdict::from_required(
        checks
            .iter()
            .filter(|c| c.required)
            .map(|c| (c.class, c.status)),
    );
    let mut org_info = org_info;
    org_info.api_version = http.api_ceiling().map(|v| v.to_string());
    let report = Report {
        checked_at: Some(request.clock.now()),
        org: org_info,
        identity: Some(identity),
        verdict,
        notes: notes_for(&request, &checks),
        checks,
        elapsed_ms: elapsed_ms(started),
    };
    finished(&events, report)
}

/// One probe on its way: its result, or `None` for an extra scope the token does not hold.
type Probing<'a> = Pin<Box<dyn Future<Output = Option<CheckResult>> + Send + 'a>>;

/// Tells the listener of each result, and keeps it.
fn heard(
    events: &Option<UnboundedSender<Event>>,
    checks: &mut Vec<CheckResult>,
    results: impl IntoIterator<Item = Option<CheckResult>>,
) {
    for result in results.into_iter().flatten() {
        emit(events, Event::Check(result.clone()));
        checks.push(result);
    }
}

/// Waits for `replies` while the probes already `running` go on; gives back what those probes
/// finished meanwhile (their events wait until the identity is known) and the replies.
async fn beside<T>(
    running: &mut FuturesUnordered<Probing<'_>>,
    replies: impl Future<Output = T>,
) -> (Vec<Option<CheckResult>>, T) {
    let mut early = Vec::new();
    let mut replies = std::pin::pin!(replies);
    loop {
        tokio::select! {
            got = &mut replies => return (early, got),
            Some(result) = running.next(), if !running.is_empty() => early.push(result),
        }
    }
}

/// Whether the plan's probes need a project, and a repository, found before they run (a
/// project named with `--project` needs no search).
fn context_needed(
    plan: &[(Option<&'static Probe>, Wanted)],
    request: &CheckRequest,
) -> (bool, bool) {
    let needs: BTreeSet<Needs> = plan
        .iter()
        .filter_map(|(p, _)| p.as_ref().map(|p| p.needs))
        .collect();
    let need_project = request.project.is_none()
        && (needs.contains(&Needs::Project) || needs.contains(&Needs::Repository));
    (need_project, needs.contains(&Needs::Repository))
}

/// The request's order, required first, however the answers arrived.
fn in_request_order(checks: &mut [CheckResult], request: &CheckRequest) {
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
}

/// GETs `url` when it is wanted and this deployment has it (`Some`).
async fn get_if(
    http: &Http,
    url: Option<&str>,
    wanted: bool,
) -> Option<Result<super::http::Reply, super::http::HttpError>> {
    match url {
        Some(url) if wanted => Some(http.send(Method::GET, url, Auth::Rest, None).await),
        _ => None,
    }
}

/// Tells the listener the run is over, and gives the report back.
fn finished(events: &Option<UnboundedSender<Event>>, report: Report) -> Report {
    emit(events, Event::Finished(Box::new(report.clone())));
    report
}

/// The requests that learn the token's identity and what it can see, at the versions this
/// deployment has (`apis`, read from a Server's resource locations; every one on the cloud).
struct ContextUrls {
    connection_data: String,
    /// `None`: this deployment has no such API.
    projects: Option<String>,
    repos: Option<String>,
}

impl ContextUrls {
    fn of(apis: Option<&ApiLocations>, core: &str) -> ContextUrls {
        ContextUrls {
            connection_data: negotiated(
                apis,
                &format!("{core}/_apis/connectionData?connectOptions=0&api-version=7.1-preview.1"),
                probes::LOCATION_CONNECTION_DATA,
            )
            .unwrap_or_else(|| {
                format!("{core}/_apis/connectionData?connectOptions=0&api-version=5.0-preview.1")
            }),
            projects: negotiated(
                apis,
                &format!("{core}/_apis/projects?$top=100&api-version=7.1"),
                probes::LOCATION_PROJECTS,
            ),
            repos: negotiated(
                apis,
                &format!("{core}/_apis/git/repositories?api-version=7.1"),
                probes::LOCATION_REPOSITORIES,
            ),
        }
    }
}

/// The report's notes: the request's own, a Full access warning when the token holds four or
/// more scopes it was not asked for, and the global-PAT retirement where the guide still
/// suggests one.
fn notes_for(request: &CheckRequest, checks: &[CheckResult]) -> Vec<String> {
    let mut notes = request.notes.clone();
    let extras_held = checks.iter().filter(|c| !c.required).count();
    if request.probe_extras && extras_held >= 4 {
        let r = remediation(RemediationKey::FullAccess, &fill(request, "", ""));
        notes.push(format!("{} ({})", r.text, r.source));
    }
    if request.global_pat_retired {
        notes.push(format!(
            "{} still suggests \"All accessible organizations\": Microsoft {} global PATs on {}. A token for {} alone is what patwiz checks.",
            request.integration,
            crate::domain::retires_on(request.clock.today()),
            crate::domain::GLOBAL_PAT_RETIREMENT,
            request.org
        ));
    }
    notes
}

pub(super) fn elapsed_ms(since: Instant) -> u64 {
    since.elapsed().as_millis().try_into().unwrap_or(u64::MAX)
}

/// `deployment` is connectionData's deploymentType, or "hosted" when discovery found
/// advertised resource areas (Azure DevOps Services).
pub(super) fn org_info(org: &OrgUrl, deployment: Option<&str>) -> OrgInfo {
    let kind = match (org.kind(), deployment) {
        (OrgKind::Server, Some("hosted")) => OrgKind::Cloud,
        (kind, _) => kind,
    };
    OrgInfo {
        input: org.input().trim().to_string(),
        url: org.as_str().to_string(),
        name: org.name().to_string(),
        kind,
        api_version: None,
    }
}

/// The location data of a deployment without resource areas (`OPTIONS {collection}/_apis`),
/// or `None` when it gives none (then patwiz asks for its usual versions).
pub(super) async fn read_api_locations(http: &Http, core: &str) -> Option<ApiLocations> {
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
pub(super) struct Run<'a> {
    pub(super) http: &'a Http,
    pub(super) request: &'a CheckRequest,
    pub(super) discovery: &'a Discovery,
    pub(super) context: &'a Context,
    pub(super) apis: Option<&'a ApiLocations>,
}

/// Which probe answers for each wanted scope (`None`: no probe of its own or below it).
pub(super) fn plan(request: &CheckRequest) -> Vec<(Option<&'static Probe>, Wanted)> {
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
        for extra in probes::over_scope() {
            let id = extra.scope.as_str();
            if !granted.contains(id) && seen.insert(id.to_string()) {
                plan.push((
                    Some(extra),
                    Wanted {
                        scope: id.to_string(),
                        why: None,
                        required: false,
                    },
                ));
            }
        }
    }
    plan
}
