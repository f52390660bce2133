//! A probe's answer (or a refusal that stopped the run) turned into results: the class, the
//! words, and the remediation chosen by a typed key. All of the engine's wording is here.

use tokio::time::Instant;

use super::http::{HttpError, Reply};
use super::identity::sign_in_name;
use super::probes::{Needs, Probe};
use super::run::{Run, elapsed_ms};
use super::send::{NotSent, send_probe};
use super::{CheckRequest, CheckResult, OrgInfo, Report, Stop, Wanted};
use crate::domain::checks::{
    Answer, CheckClass, CheckStatus, Fill, RemediationKey, Verdict, classify_probe,
    is_named_account, remediation,
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
    }
}

/// The remediation key of `class`, with the variant for Azure DevOps Server.
pub(super) fn remediation_key(class: CheckClass, server: bool) -> RemediationKey {
    match class {
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
    let key = stop.key.unwrap_or_else(|| remediation_key(class, server));
    let catalogue = Catalogue::get();
    let checks = request
        .scopes
        .iter()
        .map(|w| {
            let label = catalogue.label(&w.scope);
            let mut filled = fill(request, &label, &w.scope);
            filled.account = stop.account.as_deref().unwrap_or("(not named)");
            let mut r = remediation(key, &filled);
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

pub(super) async fn run_one(
    run: &Run<'_>,
    probe: Option<Probe>,
    wanted: Wanted,
) -> Option<CheckResult> {
    let (request, context) = (run.request, run.context);
    let server = !run.discovery.advertised;
    let catalogue = Catalogue::get();
    let extra = !wanted.required;
    let scope = wanted.scope.clone();
    let label = catalogue.label(&scope);
    let started = Instant::now();
    let project = crate::domain::text::clean_line(context.project.as_deref().unwrap_or_default());
    let make = |class: CheckClass,
                status: CheckStatus,
                http_status: Option<u16>,
                detail: String,
                key: RemediationKey,
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
            RemediationKey::Unproven,
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
                RemediationKey::UnprovenMissingApi,
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
                RemediationKey::Unproven,
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
                RemediationKey::ExtraScope,
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
        .map_or_else(|| "(not named)".to_string(), |a| sign_in_name(&a));
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
                RemediationKey::PermissionDeniedAdmin
            }
            (CheckClass::PermissionDenied, "vso.code_write")
                if said
                    .as_deref()
                    .is_some_and(|m| m.contains("GenericContribute")) =>
            {
                RemediationKey::PermissionDeniedContribute
            }
            (CheckClass::PermissionDenied, "vso.code" | "vso.code_write") => {
                RemediationKey::PermissionDeniedCode
            }
            (CheckClass::Unproven, _) => RemediationKey::UnprovenMissingApi,
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
                (
                    CheckClass::Unproven,
                    CheckStatus::Warn,
                    RemediationKey::Unproven,
                )
            }
            CheckClass::MissingScope => {
                detail =
                    format!("{lower} is missing, so {label} (which includes it) is missing too.");
                (
                    CheckClass::MissingScope,
                    CheckStatus::Fail,
                    RemediationKey::MissingScope,
                )
            }
            CheckClass::Unproven => (class, class.status(), RemediationKey::UnprovenMissingApi),
            other => (other, other.status(), remediation_key(other, server)),
        }
    };
    Some(make(class, status, http_status, detail, key, &account))
}

pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
