//! A probe's answer (or a refusal that stopped the run) turned into results: the class, the
//! words, and the remediation chosen by a typed key. All of the engine's wording is here.

use tokio::time::Instant;

use super::http::{HttpError, Reply};
use super::identity::sign_in_name;
use super::probes::{Denied, Needs, Probe};
use super::run::{Run, elapsed_ms};
use super::send::{NotSent, send_probe};
use super::{CheckRequest, CheckResult, OrgInfo, Report, Stop, Wanted};
use crate::domain::checks::{
    Answer, CheckClass, CheckStatus, Fill, RemediationKey, Verdict, classify_probe,
    is_named_account, remediation, remediation_said,
};
use crate::domain::scopes::Catalogue;
use crate::domain::text::shorten;

pub(super) fn fill<'a>(request: &'a CheckRequest, checkbox: &'a str, scope: &'a str) -> Fill<'a> {
    Fill {
        checkbox,
        scope,
        integration: &request.integration,
        org: request.org.as_str(),
        account: "",
        project: request.project.as_deref().unwrap_or_default(),
        permission: "",
    }
}

/// The remediation key of `class`, with the variants for an answer that will not change
/// (a 4xx refusal of the request as written) and for Azure DevOps Server.
pub(super) fn remediation_key(
    class: CheckClass,
    server: bool,
    http_status: Option<u16>,
) -> RemediationKey {
    match class {
        CheckClass::ServerError
            if http_status.is_some_and(|s| (400..500).contains(&s) && s != 429) =>
        {
            RemediationKey::ServerErrorRefused
        }
        CheckClass::ServerError if server => RemediationKey::ServerErrorServer,
        other => other.into(),
    }
}

/// The report when discovery or identity stopped the run: every scope skipped, with the reason.
/// `server`: the deployment is Azure DevOps Server (no cloud status page to point at).
pub(super) fn blocked(
    request: &CheckRequest,
    org: OrgInfo,
    stop: &Stop,
    server: bool,
    started: Instant,
) -> Report {
    let (class, http_status, detail) = (stop.class, stop.http_status, stop.detail.as_str());
    let key = stop
        .key
        .unwrap_or_else(|| remediation_key(class, server, http_status));
    let catalogue = Catalogue::get();
    let checks = request
        .scopes
        .iter()
        .map(|w| {
            let label = catalogue.label(&w.scope);
            let mut filled = fill(request, &label, &w.scope);
            filled.account = stop.account.as_deref().unwrap_or("(not named)");
            let mut r = remediation_said(key, class, stop.said.as_deref(), &filled);
            if class == CheckClass::TokenInvalid && request.global_pat_retired {
                let g = remediation(
                    RemediationKey::TokenInvalidGlobal,
                    &fill(request, &label, &w.scope),
                );
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
        checked_at: Some(request.clock.now()),
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

pub(super) fn http_error_class(error: &HttpError) -> CheckClass {
    match error {
        HttpError::Timeout(_) | HttpError::Deadline => CheckClass::Timeout,
        HttpError::TooLarge(_) => CheckClass::ServerError,
        HttpError::Network(_) | HttpError::Refused(_) => CheckClass::Network,
    }
}

/// What one probe's answer says, before it becomes a result.
pub(super) struct Heard {
    pub(super) class: CheckClass,
    pub(super) http_status: Option<u16>,
    pub(super) answer: Option<Answer>,
    pub(super) said: Option<String>,
    pub(super) redirected: Option<String>,
    pub(super) looped: bool,
}

pub(super) fn hear(
    outcome: &Result<Reply, HttpError>,
    expect: crate::domain::checks::Expect,
) -> Heard {
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

/// What a probe (or its absence) found for one scope, before its remediation is filled in.
struct Finding {
    class: CheckClass,
    status: CheckStatus,
    http_status: Option<u16>,
    detail: String,
    key: RemediationKey,
    /// The account the service named (for a refusal's advice), or empty.
    account: String,
    /// The service's own message (its code chooses the fix).
    said: Option<String>,
}

impl Finding {
    /// Nothing was sent: why, in `detail`.
    fn unsent(status: CheckStatus, detail: String, key: RemediationKey) -> Finding {
        Finding {
            class: CheckClass::Unproven,
            status,
            http_status: None,
            detail,
            key,
            account: String::new(),
            said: None,
        }
    }
}

/// One wanted scope checked by its probe: a result, or `None` for an extra scope the token
/// does not hold (nothing to say).
pub(super) async fn run_one(
    run: &Run<'_>,
    probe: Option<&'static Probe>,
    wanted: Wanted,
) -> Option<CheckResult> {
    let started = Instant::now();
    let label = Catalogue::get().label(&wanted.scope);
    let finding = match probe {
        None => Finding::unsent(
            CheckStatus::Warn,
            format!("No side-effect-free request can prove {label}; nothing was checked."),
            RemediationKey::Unproven,
        ),
        Some(probe) => probe_finding(run, probe, &wanted, &label).await?,
    };
    let request = run.request;
    let project =
        crate::domain::text::clean_line(run.context.project.as_deref().unwrap_or_default());
    let mut filled = fill(request, &label, &wanted.scope);
    filled.account = &finding.account;
    filled.project = &project;
    let r = remediation_said(finding.key, finding.class, finding.said.as_deref(), &filled);
    Some(CheckResult {
        scope: wanted.scope.clone(),
        label,
        status: finding.status,
        http_status: finding.http_status,
        class: finding.class,
        remediation: r.text,
        source: r.source,
        elapsed_ms: elapsed_ms(started),
        required: wanted.required,
        detail: finding.detail,
        why: wanted.why.clone(),
    })
}

/// Sends `probe` for `wanted` and reads its answer (asking a lone empty 401 once more).
async fn probe_finding(
    run: &Run<'_>,
    probe: &Probe,
    wanted: &Wanted,
    label: &str,
) -> Option<Finding> {
    let extra = !wanted.required;
    let outcome = match send_probe(run, probe).await {
        Ok(outcome) => outcome,
        Err(_) if extra => return None,
        Err(why) => return Some(not_sent(run, probe, why)),
    };
    let (heard, confirmed) = hear_confirmed(run, probe, outcome, extra).await;
    let where_ = run
        .context
        .project
        .as_ref()
        .filter(|_| matches!(probe.needs, Needs::Project | Needs::Repository))
        .map(|p| format!(" in {}", crate::domain::text::clean_line(p)))
        .unwrap_or_default();
    if extra {
        return (heard.class == CheckClass::Ok).then(|| Finding {
            class: CheckClass::Ok,
            status: CheckStatus::Warn,
            http_status: heard.http_status,
            detail: format!(
                "The token also holds {label} ({}{where_} succeeded).",
                probe.what
            ),
            key: RemediationKey::ExtraScope,
            account: String::new(),
            said: None,
        });
    }
    let account = heard
        .answer
        .as_ref()
        .and_then(|a| {
            a.named_account()
                .filter(|u| is_named_account(u))
                .or_else(|| a.user_data.clone())
        })
        .map_or_else(|| "(not named)".to_string(), |a| sign_in_name(&a));
    let detail = described(probe, &heard, &where_, confirmed);
    let server = !run.discovery.advertised;
    let (class, status, key, detail) = if probe.scope.is(&wanted.scope) {
        let key = own_key(
            heard.class,
            probe.denied,
            heard.said.as_deref(),
            (server, heard.http_status),
        );
        (heard.class, heard.class.status(), key, detail)
    } else {
        by_nearest(
            probe,
            heard.class,
            label,
            (server, heard.http_status),
            detail,
        )
    };
    Some(Finding {
        class,
        status,
        http_status: heard.http_status,
        detail,
        key,
        account,
        said: heard.answer.and_then(|a| a.message),
    })
}

/// A probe patwiz did not send: the deployment has no such API, or the token sees nothing to
/// try it on.
fn not_sent(run: &Run<'_>, probe: &Probe, why: NotSent) -> Finding {
    match why {
        NotSent::NoApi => Finding::unsent(
            CheckStatus::Warn,
            format!(
                "{}: this deployment ({}) has no such API, so nothing was checked.",
                capitalise(probe.what),
                if run.discovery.advertised {
                    "this service"
                } else {
                    "Azure DevOps Server"
                }
            ),
            RemediationKey::UnprovenMissingApi,
        ),
        NotSent::Context => {
            let missing = match probe.needs {
                Needs::Repository => "no repository is visible to this token",
                Needs::UserId => "the token's identity has no id",
                _ => "no project is visible to this token (pass --project NAME)",
            };
            Finding::unsent(
                CheckStatus::Skipped,
                format!("Not checked: {missing}."),
                RemediationKey::Unproven,
            )
        }
    }
}

/// The probe's answer, and for a lone empty 401 on a required scope what a second ask said:
/// the service has been recorded answering 200 and then 401 to the identical request within a
/// second, so such a refusal is asked once more before it is called a missing scope.
async fn hear_confirmed(
    run: &Run<'_>,
    probe: &Probe,
    outcome: Result<Reply, HttpError>,
    extra: bool,
) -> (Heard, Option<CheckClass>) {
    let mut heard = hear(&outcome, probe.expect);
    let empty_401 = heard.class == CheckClass::MissingScope
        && heard.answer.as_ref().is_some_and(|a| a.message.is_none());
    if !empty_401 || extra {
        return (heard, None);
    }
    let Ok(again) = send_probe(run, probe).await else {
        return (heard, None);
    };
    let second = hear(&again, probe.expect);
    let confirmed = Some(second.class);
    if second.class == CheckClass::Ok {
        heard.class = CheckClass::Inconsistent;
    } else if second.class != CheckClass::MissingScope {
        heard = second;
    }
    (heard, confirmed)
}

/// What the probe did and what the service answered, in words.
fn described(probe: &Probe, heard: &Heard, where_: &str, confirmed: Option<CheckClass>) -> String {
    let what = capitalise(probe.what);
    let said = heard.said.as_deref();
    let evidence = [
        heard.http_status.map(|s| format!("HTTP {s}")),
        heard.said.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<String>>()
    .join(" — ");
    let rule_refusal = heard
        .answer
        .as_ref()
        .is_some_and(Answer::is_rule_validation);
    match (&heard.redirected, heard.class) {
        (None, _) if heard.looped => format!(
            "{what}: the service kept redirecting to its own address; patwiz stopped after 3 redirects (they stayed on the organization's host, so the token went nowhere else)."
        ),
        (Some(host), _) => format!(
            "{what}: redirected to {host}; patwiz did not follow, so the token was not sent there."
        ),
        (None, CheckClass::Ok) if rule_refusal => format!(
            "{what}{where_}: allowed. Azure DevOps authorised the write and then applied your organization's process rules, which require more fields on this work item type ({}). That is the process's business, not the token's.",
            said.unwrap_or("TF401320")
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
    }
}

/// The fix for a scope its own probe checked: the permission the probe's row names (or the
/// service named), else the class's.
/// `at`: whether the deployment is Azure DevOps Server, and the answer's HTTP status.
fn own_key(
    class: CheckClass,
    denied: Denied,
    said: Option<&str>,
    at: (bool, Option<u16>),
) -> RemediationKey {
    match (class, denied) {
        (CheckClass::PermissionDenied, Denied::Admin) => RemediationKey::PermissionDeniedAdmin,
        (CheckClass::PermissionDenied, Denied::Push)
            if said.is_some_and(|m| m.contains("GenericContribute")) =>
        {
            RemediationKey::PermissionDeniedContribute
        }
        (CheckClass::PermissionDenied, Denied::Code | Denied::Push) => {
            RemediationKey::PermissionDeniedCode
        }
        (CheckClass::Unproven, _) => RemediationKey::UnprovenMissingApi,
        (class, _) => remediation_key(class, at.0, at.1),
    }
}

/// A scope with no probe of its own, judged by the nearest scope it includes (`probe`'s).
fn by_nearest(
    probe: &Probe,
    class: CheckClass,
    label: &str,
    at: (bool, Option<u16>),
    detail: String,
) -> (CheckClass, CheckStatus, RemediationKey, String) {
    let lower = probe.scope.label();
    match class {
        CheckClass::Ok => (
            CheckClass::Unproven,
            CheckStatus::Warn,
            RemediationKey::Unproven,
            format!(
                "{lower} proven ({}); {label} itself cannot be proven without side effects.",
                probe.what
            ),
        ),
        CheckClass::MissingScope => (
            CheckClass::MissingScope,
            CheckStatus::Fail,
            RemediationKey::MissingScope,
            format!("{lower} is missing, so {label} (which includes it) is missing too."),
        ),
        CheckClass::Unproven => (
            class,
            class.status(),
            RemediationKey::UnprovenMissingApi,
            detail,
        ),
        other => (
            other,
            other.status(),
            remediation_key(other, at.0, at.1),
            detail,
        ),
    }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
