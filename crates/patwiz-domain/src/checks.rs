//! What a check found: its class (one remediation each), its status, and the run's verdict.
//! Classification of an HTTP answer lives here too, free of any HTTP library.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// Every outcome patwiz can report, with the JSON names scripts rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum CheckClass {
    Ok,
    MissingScope,
    PermissionDenied,
    TokenInvalid,
    TokenExpired,
    PolicyBlocked,
    OrgNotFound,
    RateLimited,
    ServerError,
    Network,
    Timeout,
    Unproven,
    /// The credential authenticated, but its account has no access to this organization.
    NoAccess,
    /// The project the check needed does not exist (a typo in `--project`, a deleted project).
    ProjectNotFound,
    /// The organization is stopped (deactivated, for instance after inactivity).
    OrgDeactivated,
    /// The service refused, then allowed, the same request: a warning, never a pass.
    Inconsistent,
    /// patwiz could not start on this computer as configured (its HTTPS client refused the
    /// CA file given, say): nothing was asked.
    Configuration,
}

impl CheckClass {
    pub const ALL: [CheckClass; 17] = [
        CheckClass::Ok,
        CheckClass::MissingScope,
        CheckClass::PermissionDenied,
        CheckClass::TokenInvalid,
        CheckClass::TokenExpired,
        CheckClass::PolicyBlocked,
        CheckClass::OrgNotFound,
        CheckClass::RateLimited,
        CheckClass::ServerError,
        CheckClass::Network,
        CheckClass::Timeout,
        CheckClass::Unproven,
        CheckClass::NoAccess,
        CheckClass::ProjectNotFound,
        CheckClass::OrgDeactivated,
        CheckClass::Inconsistent,
        CheckClass::Configuration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckClass::Ok => "ok",
            CheckClass::MissingScope => "missing-scope",
            CheckClass::PermissionDenied => "permission-denied",
            CheckClass::TokenInvalid => "token-invalid",
            CheckClass::TokenExpired => "token-expired",
            CheckClass::PolicyBlocked => "policy-blocked",
            CheckClass::OrgNotFound => "org-not-found",
            CheckClass::RateLimited => "rate-limited",
            CheckClass::ServerError => "server-error",
            CheckClass::Network => "network",
            CheckClass::Timeout => "timeout",
            CheckClass::Unproven => "unproven",
            CheckClass::NoAccess => "no-access",
            CheckClass::ProjectNotFound => "project-not-found",
            CheckClass::OrgDeactivated => "org-deactivated",
            CheckClass::Inconsistent => "inconsistent",
            CheckClass::Configuration => "configuration",
        }
    }

    /// The status a required check gets for this class.
    /// The result in words, for a person (the id is for scripts).
    pub fn words(self) -> &'static str {
        match self {
            CheckClass::Ok => "proven",
            CheckClass::MissingScope => "not on the token",
            CheckClass::PermissionDenied => "the account lacks access",
            CheckClass::TokenInvalid => "token not accepted",
            CheckClass::TokenExpired => "token expired",
            CheckClass::PolicyBlocked => "refused by a policy",
            CheckClass::OrgNotFound => "organization not found",
            CheckClass::RateLimited => "Azure DevOps is throttling",
            CheckClass::ServerError => "Azure DevOps failed",
            CheckClass::Network => "could not connect",
            CheckClass::Timeout => "no answer in time",
            CheckClass::Unproven => "cannot be proven",
            CheckClass::NoAccess => "account not in the organization",
            CheckClass::ProjectNotFound => "project not found",
            CheckClass::OrgDeactivated => "organization stopped",
            CheckClass::Inconsistent => "refused, then allowed",
            CheckClass::Configuration => "patwiz could not start its client",
        }
    }

    pub fn status(self) -> CheckStatus {
        match self {
            CheckClass::Ok => CheckStatus::Pass,
            CheckClass::Unproven | CheckClass::Inconsistent => CheckStatus::Warn,
            CheckClass::NoAccess
            | CheckClass::MissingScope
            | CheckClass::PermissionDenied
            | CheckClass::TokenInvalid
            | CheckClass::TokenExpired
            | CheckClass::PolicyBlocked => CheckStatus::Fail,
            CheckClass::OrgNotFound
            | CheckClass::RateLimited
            | CheckClass::ServerError
            | CheckClass::Network
            | CheckClass::Timeout
            | CheckClass::ProjectNotFound
            | CheckClass::OrgDeactivated
            | CheckClass::Configuration => CheckStatus::Error,
        }
    }

    /// Classes that mean the token itself was refused.
    pub fn rejects_token(self) -> bool {
        matches!(
            self,
            CheckClass::TokenInvalid
                | CheckClass::TokenExpired
                | CheckClass::PolicyBlocked
                | CheckClass::NoAccess
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Pass,
    Fail,
    Warn,
    Error,
    Skipped,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Warn => "warn",
            CheckStatus::Error => "error",
            CheckStatus::Skipped => "skipped",
        }
    }

    /// The mark shown on screen and in text output.
    pub fn mark(self) -> &'static str {
        match self {
            CheckStatus::Pass => "✓",
            CheckStatus::Fail => "✗",
            CheckStatus::Warn => "!",
            CheckStatus::Error => "?",
            CheckStatus::Skipped => "-",
        }
    }
}

/// The exit code of a usage error (BSD's EX_USAGE): a bad flag, a bad value, input that ended.
pub const EXIT_USAGE: u8 = 64;
/// `--strict`: every required scope is proven, but the token also holds powerful scopes the
/// integration does not need (a Full access token, most often).
pub const EXIT_OVER_PRIVILEGED: u8 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    MissingScopes,
    /// The token's scopes are right, but its account lacks a permission the service named.
    PermissionDenied,
    TokenRejected,
    Unreachable,
}

impl Verdict {
    /// The process exit code `patwiz check` returns.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            // The fix is on the person's side in both: the token's scopes or the account's
            // permissions (exit 1 has always meant either).
            Verdict::MissingScopes | Verdict::PermissionDenied => 1,
            Verdict::TokenRejected => 2,
            Verdict::Unreachable => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::MissingScopes => "missing-scopes",
            Verdict::PermissionDenied => "permission-denied",
            Verdict::TokenRejected => "token-rejected",
            Verdict::Unreachable => "unreachable",
        }
    }

    /// The verdict as a headline for a person: what it means for the integration.
    pub fn headline(self, integration: &str) -> String {
        match self {
            Verdict::Pass => format!("The token works for {integration}"),
            Verdict::MissingScopes => format!("The token will not work for {integration} yet"),
            Verdict::PermissionDenied => format!(
                "The token's scopes are right, but its account lacks a permission {integration} needs"
            ),
            Verdict::TokenRejected => "Azure DevOps rejected this token".to_string(),
            Verdict::Unreachable => "The token could not be checked".to_string(),
        }
    }

    /// The verdict for a token refused before any scope was tried (or a failed identity check).
    pub fn for_blocking_class(class: CheckClass) -> Verdict {
        if class.rejects_token() {
            Verdict::TokenRejected
        } else {
            Verdict::Unreachable
        }
    }

    /// The verdict from the required checks' classes and statuses: their worst evidence. A
    /// refusal of the token (policy, no access, invalid, expired) outranks a stopped or missing
    /// organization, which outranks an account's missing permission, which outranks a missing
    /// scope; a check left unfinished (timeout, throttling, an error) only leaves an otherwise
    /// passing verdict open. The verdict never names a class no check had.
    pub fn from_required<I: IntoIterator<Item = (CheckClass, CheckStatus)>>(checks: I) -> Verdict {
        let (mut token, mut organization, mut denied, mut missing, mut open) =
            (false, false, false, false, false);
        for (class, status) in checks {
            match (class, status) {
                (c, _) if c.rejects_token() => token = true,
                (CheckClass::OrgNotFound | CheckClass::OrgDeactivated, _) => organization = true,
                (CheckClass::PermissionDenied, CheckStatus::Fail) => denied = true,
                (_, CheckStatus::Fail) => missing = true,
                (_, CheckStatus::Error | CheckStatus::Skipped) => open = true,
                _ => {}
            }
        }
        match () {
            () if token => Verdict::TokenRejected,
            () if organization => Verdict::Unreachable,
            () if denied => Verdict::PermissionDenied,
            () if missing => Verdict::MissingScopes,
            () if open => Verdict::Unreachable,
            () => Verdict::Pass,
        }
    }
}

/// A remediation text with the guide it came from.
#[derive(Debug, Clone, Deserialize)]
pub struct Remediation {
    pub text: String,
    pub source: String,
}

static REMEDIATIONS: LazyLock<BTreeMap<String, Remediation>> = LazyLock::new(|| {
    toml::from_str(include_str!("../assets/remediation.toml"))
        .expect("assets/remediation.toml is valid (tested)")
});

/// Values that fill the `{placeholders}` of a remediation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fill<'a> {
    pub checkbox: &'a str,
    pub scope: &'a str,
    pub integration: &'a str,
    pub org: &'a str,
    /// The account the service named (no-access).
    pub account: &'a str,
    /// The project a check used.
    pub project: &'a str,
    /// The permission the service named (a service code's fix).
    pub permission: &'a str,
}

impl Fill<'_> {
    /// The value of the placeholder `name`, if it is one.
    fn value(&self, name: &str) -> Option<&str> {
        Some(match name {
            "checkbox" => self.checkbox,
            "scope" => self.scope,
            "integration" => self.integration,
            "org" => self.org,
            "account" => self.account,
            "project" => self.project,
            "permission" => self.permission,
            _ => return None,
        })
    }

    /// `template` with each `{name}` replaced by its value, in one pass: a value is never read
    /// as a template (a project the service names `{org}` stays `{org}`); an unknown `{…}`
    /// stays as written.
    pub fn apply(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after
                .find('}')
                .and_then(|close| self.value(&after[..close]).map(|value| (close, value)))
            {
                Some((close, value)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Which remediation text applies: a class's own, or one of its variants. Each is one section
/// of `assets/remediation.toml` (a test holds the two to each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemediationKey {
    Ok,
    MissingScope,
    PermissionDenied,
    /// Member entitlements need an administrator of the collection.
    PermissionDeniedAdmin,
    /// Code needs Basic access (a Stakeholder cannot read code).
    PermissionDeniedCode,
    /// Pushing needs the Contribute permission on the repository.
    PermissionDeniedContribute,
    TokenInvalid,
    /// The service answered with the anonymous identity.
    TokenInvalidAnonymous,
    /// Added to token-invalid when the guide still suggests a global PAT.
    TokenInvalidGlobal,
    TokenExpired,
    NoAccess,
    PolicyBlocked,
    OrgNotFound,
    OrgDeactivated,
    ProjectNotFound,
    RateLimited,
    ServerError,
    /// A server error of Azure DevOps Server (no cloud status page to point at).
    ServerErrorServer,
    /// A request refused as written (a 4xx that names no scope, permission or code patwiz
    /// knows): asking again will not change it.
    ServerErrorRefused,
    Network,
    Timeout,
    Unproven,
    /// The deployment has no such API.
    UnprovenMissingApi,
    Inconsistent,
    /// patwiz's client could not start as configured.
    Configuration,
    /// The token holds a powerful scope the integration does not need.
    ExtraScope,
    /// The token looks like a Full access one.
    FullAccess,
}

impl RemediationKey {
    pub const ALL: [RemediationKey; 27] = [
        RemediationKey::Ok,
        RemediationKey::MissingScope,
        RemediationKey::PermissionDenied,
        RemediationKey::PermissionDeniedAdmin,
        RemediationKey::PermissionDeniedCode,
        RemediationKey::PermissionDeniedContribute,
        RemediationKey::TokenInvalid,
        RemediationKey::TokenInvalidAnonymous,
        RemediationKey::TokenInvalidGlobal,
        RemediationKey::TokenExpired,
        RemediationKey::NoAccess,
        RemediationKey::PolicyBlocked,
        RemediationKey::OrgNotFound,
        RemediationKey::OrgDeactivated,
        RemediationKey::ProjectNotFound,
        RemediationKey::RateLimited,
        RemediationKey::ServerError,
        RemediationKey::ServerErrorServer,
        RemediationKey::ServerErrorRefused,
        RemediationKey::Network,
        RemediationKey::Timeout,
        RemediationKey::Unproven,
        RemediationKey::UnprovenMissingApi,
        RemediationKey::Inconsistent,
        RemediationKey::Configuration,
        RemediationKey::ExtraScope,
        RemediationKey::FullAccess,
    ];

    /// The section of `assets/remediation.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            RemediationKey::Ok => "ok",
            RemediationKey::MissingScope => "missing-scope",
            RemediationKey::PermissionDenied => "permission-denied",
            RemediationKey::PermissionDeniedAdmin => "permission-denied-admin",
            RemediationKey::PermissionDeniedCode => "permission-denied-code",
            RemediationKey::PermissionDeniedContribute => "permission-denied-contribute",
            RemediationKey::TokenInvalid => "token-invalid",
            RemediationKey::TokenInvalidAnonymous => "token-invalid-anonymous",
            RemediationKey::TokenInvalidGlobal => "token-invalid-global",
            RemediationKey::TokenExpired => "token-expired",
            RemediationKey::NoAccess => "no-access",
            RemediationKey::PolicyBlocked => "policy-blocked",
            RemediationKey::OrgNotFound => "org-not-found",
            RemediationKey::OrgDeactivated => "org-deactivated",
            RemediationKey::ProjectNotFound => "project-not-found",
            RemediationKey::RateLimited => "rate-limited",
            RemediationKey::ServerError => "server-error",
            RemediationKey::ServerErrorServer => "server-error-server",
            RemediationKey::ServerErrorRefused => "server-error-refused",
            RemediationKey::Network => "network",
            RemediationKey::Timeout => "timeout",
            RemediationKey::Unproven => "unproven",
            RemediationKey::UnprovenMissingApi => "unproven-missing-api",
            RemediationKey::Inconsistent => "inconsistent",
            RemediationKey::Configuration => "configuration",
            RemediationKey::ExtraScope => "extra-scope",
            RemediationKey::FullAccess => "full-access",
        }
    }
}

impl From<CheckClass> for RemediationKey {
    fn from(class: CheckClass) -> RemediationKey {
        match class {
            CheckClass::Ok => RemediationKey::Ok,
            CheckClass::MissingScope => RemediationKey::MissingScope,
            CheckClass::PermissionDenied => RemediationKey::PermissionDenied,
            CheckClass::TokenInvalid => RemediationKey::TokenInvalid,
            CheckClass::TokenExpired => RemediationKey::TokenExpired,
            CheckClass::PolicyBlocked => RemediationKey::PolicyBlocked,
            CheckClass::OrgNotFound => RemediationKey::OrgNotFound,
            CheckClass::RateLimited => RemediationKey::RateLimited,
            CheckClass::ServerError => RemediationKey::ServerError,
            CheckClass::Network => RemediationKey::Network,
            CheckClass::Timeout => RemediationKey::Timeout,
            CheckClass::Unproven => RemediationKey::Unproven,
            CheckClass::NoAccess => RemediationKey::NoAccess,
            CheckClass::ProjectNotFound => RemediationKey::ProjectNotFound,
            CheckClass::OrgDeactivated => RemediationKey::OrgDeactivated,
            CheckClass::Inconsistent => RemediationKey::Inconsistent,
            CheckClass::Configuration => RemediationKey::Configuration,
        }
    }
}

/// The remediation for `key`, its placeholders filled in.
pub fn remediation(key: impl Into<RemediationKey>, fill: &Fill) -> Remediation {
    let key = key.into();
    let base = REMEDIATIONS
        .get(key.as_str())
        .cloned()
        .expect("every remediation key has its text (tested)");
    let text = fill.apply(&base.text);
    // A sentence that starts with a filled-in name ("the integration does not need…") starts
    // with a capital; patwiz's own name is written as it is, in lower case.
    let mut chars = text.chars();
    let text = match chars.next() {
        _ if text.starts_with("patwiz ") => text,
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    };
    Remediation {
        text,
        source: base.source,
    }
}

pub use super::answer::Answer;

/// What a probe expects when the scope is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A 2xx JSON answer.
    Json,
    /// A 2xx answer of any type (git advertisement).
    Success,
    /// The service authorised the request: 2xx, or 400/404/409 about the deliberately
    /// absent resource.
    Authorised,
}

/// The class a refusal's own code gives it (the service code catalogue), unless the class
/// depends on the account it names (TF400813: the rules below decide).
fn catalogued(answer: &Answer) -> Option<CheckClass> {
    if answer.status < 400 {
        return None;
    }
    let entry = crate::service_codes::said(answer.message.as_deref()?)?.entry?;
    (!entry.by_account).then_some(entry.class)
}

/// The remediation of a result of `class`: when the service's message carries a code that
/// means `class`, the catalogue's fix for it (chosen by the code, never by patwiz's own
/// sentences); else `key`'s, and a code the catalogue does not know is named after it.
pub fn remediation_said(
    key: impl Into<RemediationKey>,
    class: CheckClass,
    said: Option<&str>,
    fill: &Fill,
) -> Remediation {
    let told = said.and_then(crate::service_codes::said);
    if let Some((told, entry)) =
        told.and_then(|t| t.entry.filter(|e| e.class == class).map(|e| (t, e)))
    {
        return entry.fix(told.message, fill);
    }
    match told {
        Some(told) if told.entry.is_none() && class != CheckClass::Ok => {
            let mut r = remediation(key, fill);
            r.text = format!(
                "{} (Azure DevOps' code for this answer is {}; patwiz has no advice of its own for it.)",
                r.text, told.code
            );
            r
        }
        _ => remediation(key, fill),
    }
}

/// True for a `TF400813` user that is a real account (not empty, not the anonymous id).
pub fn is_named_account(user: &str) -> bool {
    !user.trim().is_empty()
        && !user
            .to_ascii_lowercase()
            .starts_with("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa")
}

/// Classifies the answer to a scope probe (the token was already accepted by connectionData).
///
/// What the recordings show, in order: a stopped organization (503 TF24668) is never a
/// retry-later; a process-rule refusal (400 TF401320) comes after the write was authorised; a
/// route 404 (`The controller for path … was not found`, text/plain) means the API is not on
/// this deployment; TF200016 means the project does not exist; only then is a 403/404 the
/// account lacking a permission. A 401 naming an account (with X-VSS-UserData) is an account
/// without access to the organization, never a missing scope.
pub fn classify_probe(answer: &Answer, expect: Expect) -> CheckClass {
    if answer.is_stopped_organization() {
        return CheckClass::OrgDeactivated;
    }
    if let Some(class) = catalogued(answer) {
        return class;
    }
    match answer.status {
        200..=299 if answer.status == 203 || answer.is_html() => CheckClass::TokenInvalid,
        200..=299 if expect == Expect::Json && !answer.json_ok => CheckClass::ServerError,
        200..=299 => CheckClass::Ok,
        400 if answer.is_rule_validation() => CheckClass::Ok,
        404 if answer.is_missing_route() => CheckClass::Unproven,
        404 if answer.is_missing_project() => CheckClass::ProjectNotFound,
        400 | 404 | 409 if expect == Expect::Authorised => CheckClass::Ok,
        401 | 403 if answer.says_expired() => CheckClass::TokenExpired,
        401 | 403 if answer.says_conditional_access() => CheckClass::PolicyBlocked,
        401 => match answer.tf400813_user() {
            Some(user) if is_named_account(&user) => CheckClass::NoAccess,
            Some(user) if !user.is_empty() => CheckClass::TokenInvalid,
            _ => CheckClass::MissingScope,
        },
        403 | 404 => CheckClass::PermissionDenied,
        429 => CheckClass::RateLimited,
        300..=399 => CheckClass::Network,
        _ => CheckClass::ServerError,
    }
}

/// Classifies the answer to connectionData: who the token is, or why it was refused.
pub fn classify_identity(answer: &Answer, anonymous: bool) -> CheckClass {
    if answer.is_stopped_organization() {
        return CheckClass::OrgDeactivated;
    }
    if let Some(class) = catalogued(answer) {
        return class;
    }
    match answer.status {
        203 => CheckClass::TokenInvalid,
        200..=299 if answer.is_html() => CheckClass::TokenInvalid,
        200..=299 if !answer.json_ok => CheckClass::ServerError,
        200..=299 if anonymous => CheckClass::TokenInvalid,
        200..=299 => CheckClass::Ok,
        401 | 403 if answer.says_expired() => CheckClass::TokenExpired,
        401 | 403 if answer.says_conditional_access() || answer.message_has("policy") => {
            CheckClass::PolicyBlocked
        }
        401 => match answer.tf400813_user() {
            Some(user) if is_named_account(&user) => CheckClass::NoAccess,
            _ => CheckClass::TokenInvalid,
        },
        // No recording shows a bare 403 here; an authenticated one is an account without access.
        403 if answer.has_user_data => CheckClass::NoAccess,
        403 => CheckClass::TokenInvalid,
        404 => CheckClass::OrgNotFound,
        429 => CheckClass::RateLimited,
        300..=399 => CheckClass::Network,
        _ => CheckClass::ServerError,
    }
}

/// Classifies the anonymous existence check of an organization.
pub fn classify_existence(answer: &Answer) -> CheckClass {
    if answer.is_stopped_organization() {
        return CheckClass::OrgDeactivated;
    }
    match answer.status {
        200..=299 if answer.json_ok => CheckClass::Ok,
        // Azure DevOps Server may require authentication even for discovery: it exists.
        401 | 203 => CheckClass::Ok,
        404 => CheckClass::OrgNotFound,
        429 => CheckClass::RateLimited,
        200..=399 => CheckClass::Network,
        _ => CheckClass::ServerError,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn placeholders_are_filled_in_one_pass_and_a_value_is_never_read_as_one() {
        let fill = Fill {
            checkbox: "Code: Read",
            scope: "vso.code",
            // A name the service or a file gave, shaped like a placeholder.
            integration: "{project}",
            org: "contoso",
            account: "ada@contoso.com",
            project: "web",
            permission: "",
        };
        assert_eq!(
            fill.apply("Tick {checkbox} for {integration} in {project} ({unknown}, {"),
            "Tick Code: Read for {project} in web ({unknown}, {"
        );
        assert_eq!(fill.apply("no placeholder"), "no placeholder");
    }

    use super::*;

    fn answer(status: u16, message: Option<&str>, user_data: bool) -> Answer {
        Answer {
            status,
            content_type: Some("application/json; charset=utf-8".into()),
            has_user_data: user_data,
            message: message.map(str::to_string),
            json_ok: message.is_some() || (200..300).contains(&status),
            ..Answer::default()
        }
    }

    #[test]
    fn json_names_are_exactly_the_documented_ones() {
        let all = CheckClass::ALL;
        let names: Vec<String> = all
            .iter()
            .map(|c| {
                serde_json::to_value(c)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "ok",
                "missing-scope",
                "permission-denied",
                "token-invalid",
                "token-expired",
                "policy-blocked",
                "org-not-found",
                "rate-limited",
                "server-error",
                "network",
                "timeout",
                "unproven",
                "no-access",
                "project-not-found",
                "org-deactivated",
                "inconsistent",
                "configuration"
            ]
        );
        for c in all {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            let r = remediation(c, &Fill::default());
            assert!(!r.text.is_empty() && !r.source.is_empty(), "{c:?}");
        }
        assert_eq!(
            serde_json::to_value(Verdict::MissingScopes).unwrap(),
            "missing-scopes"
        );
        assert_eq!(
            serde_json::to_value(CheckStatus::Skipped).unwrap(),
            "skipped"
        );
    }

    #[test]
    fn probe_answers_are_classified() {
        use CheckClass::*;
        assert_eq!(classify_probe(&answer(200, None, true), Expect::Json), Ok);
        assert_eq!(
            classify_probe(&answer(401, None, false), Expect::Json),
            MissingScope
        );
        assert_eq!(
            classify_probe(
                &answer(401, Some("TF400813: The user '' is not authorized"), false),
                Expect::Json
            ),
            MissingScope
        );
        assert_eq!(
            classify_probe(
                &answer(
                    401,
                    Some("Access Denied: The Personal Access Token used has expired."),
                    false
                ),
                Expect::Json
            ),
            TokenExpired
        );
        assert_eq!(
            classify_probe(
                &answer(401, Some("VS403463: The conditional access policy"), false),
                Expect::Json
            ),
            PolicyBlocked
        );
        assert_eq!(
            classify_probe(
                &answer(
                    403,
                    Some("TF401027: You need the Git 'GenericRead' permission"),
                    true
                ),
                Expect::Json
            ),
            PermissionDenied
        );
        assert_eq!(
            classify_probe(&answer(404, Some("TF200016: project"), true), Expect::Json),
            ProjectNotFound
        );
        assert_eq!(
            classify_probe(&answer(404, Some("not found"), true), Expect::Authorised),
            Ok
        );
        assert_eq!(
            classify_probe(&answer(400, Some("bad"), true), Expect::Authorised),
            Ok
        );
        assert_eq!(
            classify_probe(&answer(429, Some("TF400733"), true), Expect::Json),
            RateLimited
        );
        assert_eq!(
            classify_probe(&answer(500, Some("TF400898"), true), Expect::Json),
            ServerError
        );
        assert_eq!(
            classify_probe(&answer(302, None, false), Expect::Json),
            Network
        );
        let mut html = answer(200, None, false);
        html.content_type = Some("text/html".into());
        assert_eq!(classify_probe(&html, Expect::Json), TokenInvalid);
        let mut page = answer(203, None, false);
        page.content_type = Some("text/html".into());
        assert_eq!(
            classify_probe(&page, Expect::Json),
            TokenInvalid,
            "a 203 sign-in page is never a pass"
        );
        let mut broken = answer(200, None, true);
        broken.json_ok = false;
        assert_eq!(classify_probe(&broken, Expect::Json), ServerError);
        assert_eq!(classify_probe(&broken, Expect::Success), Ok);
    }

    #[test]
    fn identity_answers_are_classified() {
        use CheckClass::*;
        assert_eq!(classify_identity(&answer(200, None, true), false), Ok);
        assert_eq!(
            classify_identity(&answer(200, None, false), true),
            TokenInvalid
        );
        assert_eq!(
            classify_identity(&answer(203, None, false), false),
            TokenInvalid
        );
        assert_eq!(
            classify_identity(&answer(401, None, false), false),
            TokenInvalid
        );
        assert_eq!(
            classify_identity(
                &answer(
                    401,
                    Some("Access Denied: The Personal Access Token used has expired."),
                    false
                ),
                false
            ),
            TokenExpired
        );
        assert_eq!(
            classify_identity(
                &answer(
                    401,
                    Some("VS403463: The conditional access policy defined"),
                    false
                ),
                false
            ),
            PolicyBlocked
        );
        assert_eq!(
            classify_identity(
                &answer(
                    403,
                    Some("VS403463: The conditional access policy defined"),
                    false
                ),
                false
            ),
            PolicyBlocked
        );
        assert_eq!(
            classify_identity(&answer(404, Some("x"), false), false),
            OrgNotFound
        );
        assert_eq!(
            classify_identity(&answer(503, None, false), false),
            ServerError
        );
        assert_eq!(
            classify_existence(&answer(404, Some("VS800075"), false)),
            OrgNotFound
        );
        assert_eq!(classify_existence(&answer(200, None, false)), Ok);
        assert_eq!(classify_existence(&answer(401, None, false)), Ok);
    }

    #[test]
    fn verdicts_and_exit_codes() {
        use CheckStatus::*;
        let of = |statuses: &[(CheckClass, CheckStatus)]| Verdict::from_required(statuses.to_vec());
        let ok = (CheckClass::Ok, Pass);
        let missing = (CheckClass::MissingScope, Fail);
        let timeout = (CheckClass::Timeout, Error);
        assert_eq!(of(&[ok, (CheckClass::Unproven, Warn), ok]), Verdict::Pass);
        assert_eq!(of(&[ok, missing, timeout]), Verdict::MissingScopes);
        assert_eq!(of(&[ok, timeout]), Verdict::Unreachable);
        assert_eq!(
            of(&[ok, (CheckClass::Unproven, Skipped)]),
            Verdict::Unreachable
        );
        // The worst evidence decides, and the verdict names only what a check found.
        let denied = (CheckClass::PermissionDenied, Fail);
        let blocked = (CheckClass::PolicyBlocked, Fail);
        let stopped = (CheckClass::OrgDeactivated, Error);
        assert_eq!(of(&[ok, denied]), Verdict::PermissionDenied);
        assert_eq!(of(&[missing, denied]), Verdict::PermissionDenied);
        assert_eq!(of(&[missing, blocked, denied]), Verdict::TokenRejected);
        assert_eq!(of(&[blocked, blocked]), Verdict::TokenRejected);
        assert_eq!(of(&[missing, stopped]), Verdict::Unreachable);
        assert_eq!(of(&[denied, stopped]), Verdict::Unreachable);
        assert_eq!(
            of(&[(CheckClass::NoAccess, Fail), missing]),
            Verdict::TokenRejected
        );
        assert_eq!(
            Verdict::for_blocking_class(CheckClass::TokenExpired),
            Verdict::TokenRejected
        );
        assert_eq!(
            Verdict::for_blocking_class(CheckClass::Timeout),
            Verdict::Unreachable
        );
        let codes: Vec<u8> = [
            Verdict::Pass,
            Verdict::MissingScopes,
            Verdict::PermissionDenied,
            Verdict::TokenRejected,
            Verdict::Unreachable,
        ]
        .iter()
        .map(|v| v.exit_code())
        .collect();
        assert_eq!(codes, [0, 1, 1, 2, 3]);
    }

    #[test]
    fn remediations_fill_in_and_cite_their_guide() {
        let fill = Fill {
            checkbox: "Service Connections: Read & query",
            scope: "vso.serviceendpoint_query",
            integration: "Git-Zen",
            org: "https://dev.azure.com/contoso",
            ..Fill::default()
        };
        let r = remediation(RemediationKey::MissingScope, &fill);
        assert!(
            r.text.contains("Service Connections: Read & query"),
            "{}",
            r.text
        );
        assert!(r.text.starts_with("Edit the token"), "{}", r.text);
        assert!(r.source.contains("Microsoft Learn"));
        let r = remediation(RemediationKey::PermissionDeniedAdmin, &fill);
        assert!(r.text.contains("Project Collection Administrators"));
        assert!(r.source.contains("Exalate PAT guide"));
        let r = remediation(RemediationKey::TokenInvalidGlobal, &fill);
        assert!(r.text.contains("2026-12-01") && r.text.contains("https://dev.azure.com/contoso"));
        assert!(r.source.contains("out of date"));
        let r = remediation(RemediationKey::Configuration, &fill);
        assert!(
            r.text.starts_with("patwiz could not"),
            "its name as written: {}",
            r.text
        );
        for class in CheckClass::ALL {
            let r = remediation(class, &fill);
            assert!(
                !r.source.contains("seed"),
                "internal words in {class:?}: {}",
                r.source
            );
        }
        assert!(
            remediation(RemediationKey::OrgNotFound, &fill)
                .source
                .contains("Nango")
        );
    }

    #[test]
    fn every_key_has_its_text_and_every_text_its_key() {
        let keys: Vec<&str> = RemediationKey::ALL.iter().map(|k| k.as_str()).collect();
        let sections: Vec<&str> = REMEDIATIONS.keys().map(String::as_str).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, sections);
        for class in CheckClass::ALL {
            assert_eq!(RemediationKey::from(class).as_str(), class.as_str());
        }
    }
}
