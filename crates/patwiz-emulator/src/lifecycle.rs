//! The PAT lifecycle API (`{vssps}/{org}/_apis/tokens/pats`) and a Microsoft Entra identity
//! provider on loopback (`/idp/{tenant}/oauth2/v2.0/…`: authorization code with PKCE, device
//! code, rolling refresh tokens), as Microsoft's spec and Entra's docs describe them. Tokens
//! minted here are real tokens of the emulated organization: the probes prove them like any
//! other.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Digest as _;
use time::OffsetDateTime;

use super::responses::{self as resp, Meta};
use super::scenario::{Scenario, TokenSpec, TokenState};
use crate::domain::lifecycle::PatRecord;

/// The organization's lifecycle settings (the scenario's `[lifecycle]`); absent means the API
/// is not available (a Microsoft-account organization, or Azure DevOps Server).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleSettings {
    /// The user (a scenario user key) who signs in at the identity provider.
    pub user: String,
    #[serde(default)]
    pub restrict_creation: bool,
    /// With `restrict_creation`: the user is on the allowlist.
    #[serde(default)]
    pub allowlisted: bool,
    #[serde(default)]
    pub full_scope_forbidden: bool,
    /// The tenant's maximum lifespan, in days.
    #[serde(default)]
    pub max_lifespan_days: Option<i64>,
    /// "cap" (the 7.2 spec: the expiry is cut to the maximum) or "refuse"
    /// (`patLifespanPolicyViolation`).
    #[serde(default = "cap")]
    pub lifespan_over: String,
    /// Conditional Access blocks the device-code flow (AADSTS53003 once the code is entered).
    #[serde(default)]
    pub device_code_blocked: bool,
    /// The tenant wants an administrator's consent first (AADSTS65001).
    #[serde(default)]
    pub consent_required: bool,
}

fn cap() -> String {
    "cap".into()
}

/// One access grant the identity provider issued.
struct Grant {
    user: String,
    scopes: Vec<String>,
    expires: OffsetDateTime,
}

struct Minted {
    record: PatRecord,
    user: String,
    spec: &'static TokenSpec,
    revoked: bool,
    /// When it was revoked: Azure DevOps may go on accepting it for a while (the lag).
    revoked_at: Option<OffsetDateTime>,
}

struct AuthCode {
    challenge: String,
    redirect_uri: String,
    scopes: Vec<String>,
}

struct DeviceCode {
    user_code: String,
    scopes: Vec<String>,
    approved: bool,
    polls: u32,
}

/// Everything the lifecycle API and the identity provider remember.
#[derive(Default)]
pub struct Lifecycle {
    inner: Mutex<Inner>,
}

impl Lifecycle {
    /// Whether `token` is an access token this identity provider issued.
    pub fn issued_access(&self, token: &str) -> bool {
        self.inner
            .lock()
            .map(|i| i.access.contains_key(token))
            .unwrap_or(false)
    }
}

#[derive(Default)]
struct Inner {
    access: HashMap<String, Grant>,
    refresh: HashMap<String, (String, Vec<String>)>,
    codes: HashMap<String, AuthCode>,
    devices: HashMap<String, DeviceCode>,
    pats: Vec<Minted>,
    /// How long a revoked token is still accepted (Microsoft: up to an hour); none by default.
    revocation_lag: time::Duration,
    /// Every secret that crossed the identity provider or the API (issued tokens, minted PAT
    /// values, PKCE verifiers received): what a leak check looks for.
    secrets: Vec<String>,
    clock: crate::clock::EmulatorClock,
}

fn random(n: usize) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let more = uuid::Uuid::new_v4().into_bytes();
    let seed: Vec<u8> = bytes.iter().chain(more.iter()).copied().collect();
    (0..n)
        .map(|i| {
            let b = seed[i % seed.len()]
                .wrapping_mul(31)
                .wrapping_add((i / seed.len()) as u8 * 7)
                ^ uuid::Uuid::new_v4().as_bytes()[i % 16];
            BASE62[usize::from(b) % 62] as char
        })
        .collect()
}

/// A new PAT value in the current format: 84 characters, `JQQJ99`, this month, `AZDO` and the
/// checksum in place, as Azure DevOps writes them.
fn new_pat_value(today: OffsetDateTime) -> String {
    let year = char::from(b'A' + u8::try_from(today.year() - 2024).unwrap_or(0).min(25));
    let month = char::from(b'A' + u8::from(today.month()) - 1);
    let body = format!("{}JQQJ99{year}{month}{}AZDO", random(52), random(16));
    crate::domain::checksum::seal_annotated(&body).unwrap_or(body)
}

impl Lifecycle {
    /// A lifecycle API and identity provider whose day is `clock`'s.
    pub fn on(clock: crate::clock::EmulatorClock) -> Lifecycle {
        Lifecycle {
            inner: Mutex::new(Inner {
                clock,
                ..Inner::default()
            }),
        }
    }
}

impl Lifecycle {
    /// A token minted here, by value, with its state (expired once its validTo has passed).
    pub fn token_by_value(&self, value: &str) -> Option<(&'static TokenSpec, TokenState)> {
        let inner = self.inner.lock().expect("not poisoned");
        let minted = inner.pats.iter().find(|m| m.spec.value == value)?;
        let lagging = minted
            .revoked_at
            .is_some_and(|at| inner.clock.now() < at + inner.revocation_lag);
        let state = if minted.revoked && !lagging {
            TokenState::Revoked
        } else if minted
            .record
            .valid_to
            .is_some_and(|t| t < inner.clock.now())
        {
            TokenState::Expired
        } else {
            TokenState::Active
        };
        Some((minted.spec, state))
    }

    /// Every secret issued or received so far (tests look for them in patwiz's artefacts).
    pub fn secrets(&self) -> Vec<String> {
        self.inner.lock().expect("not poisoned").secrets.clone()
    }

    /// The person entered `user_code` on the sign-in page.
    pub fn approve(&self, user_code: &str) -> bool {
        let mut inner = self.inner.lock().expect("not poisoned");
        match inner
            .devices
            .values_mut()
            .find(|d| d.user_code == user_code)
        {
            Some(device) => {
                device.approved = true;
                true
            }
            None => false,
        }
    }

    /// From now on, a revoked token is still accepted for `lag` after its revocation, as Azure
    /// DevOps may take up to an hour to stop one everywhere (tests; zero by default).
    pub fn set_revocation_lag(&self, lag: std::time::Duration) {
        let mut inner = self.inner.lock().expect("not poisoned");
        inner.revocation_lag = time::Duration::try_from(lag).unwrap_or(time::Duration::ZERO);
    }

    /// How many tokens were minted and are not revoked (tests).
    pub fn live_count(&self) -> usize {
        let inner = self.inner.lock().expect("not poisoned");
        inner.pats.iter().filter(|m| !m.revoked).count()
    }
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn oauth_error(error: &str, code: u32, text: &str) -> Response {
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {text} Trace ID: {} Correlation ID: {} Timestamp: {}",
            uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), OffsetDateTime::now_utc().date()),
        "error_codes": [code],
    });
    Response::builder()
        .status(StatusCode::BAD_REQUEST)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body.to_string().into())
        .expect("a valid response")
}

fn json_ok(body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(body.to_string().into())
        .expect("a valid response")
}

fn scopes_of(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

fn issue(inner: &mut Inner, user: &str, scopes: &[String]) -> Value {
    let access = format!("eyJ0eXAiOiJKV1Qi.{}.{}", random(40), random(20));
    let refresh = format!("1.AR{}", random(60));
    inner.access.insert(
        access.clone(),
        Grant {
            user: user.to_string(),
            scopes: scopes.to_vec(),
            expires: inner.clock.now() + time::Duration::hours(1),
        },
    );
    inner.secrets.push(access.clone());
    inner.secrets.push(refresh.clone());
    let with_offline = scopes.iter().any(|s| s == "offline_access");
    if with_offline {
        inner
            .refresh
            .insert(refresh.clone(), (user.to_string(), scopes.to_vec()));
    }
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scopes.iter().filter(|s| *s != "offline_access").cloned().collect::<Vec<_>>().join(" "),
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": access,
    });
    if with_offline {
        body["refresh_token"] = Value::String(refresh);
    }
    body
}

/// `/idp/{tenant}/oauth2/v2.0/{authorize|token|devicecode}` and `/idp/device` (where the
/// "person" enters a device code: tests and the demo approve there).
pub fn identity_provider(
    scenario: &Scenario,
    lifecycle: &Lifecycle,
    root: &str,
    method: &Method,
    segs: &[&str],
    query: &[(String, String)],
    body: &[u8],
) -> Response {
    let Some(settings) = scenario.lifecycle.as_ref() else {
        return oauth_error(
            "invalid_request",
            90002,
            "Tenant not found. This may happen if there are no active subscriptions for the tenant.",
        );
    };
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut inner = lifecycle.inner.lock().expect("not poisoned");
    match (method, segs) {
        (&Method::GET | &Method::POST, ["device"]) => {
            let params = form(body);
            let code = q("user_code").or_else(|| params.get("user_code").cloned());
            match inner
                .devices
                .values_mut()
                .find(|d| Some(&d.user_code) == code.as_ref())
            {
                Some(device) => {
                    device.approved = true;
                    resp::raw(
                        &Meta::plain(),
                        StatusCode::OK,
                        "text/html",
                        b"<html><body>You have signed in. You can close this window.</body></html>"
                            .to_vec(),
                    )
                }
                None => resp::raw(
                    &Meta::plain(),
                    StatusCode::BAD_REQUEST,
                    "text/html",
                    b"<html><body>That code has expired or is wrong.</body></html>".to_vec(),
                ),
            }
        }
        (&Method::GET, [tenant, "v2.0", ".well-known", "openid-configuration"]) => {
            // OpenID Connect discovery, as MSAL reads it (its endpoints under this authority).
            let base = format!("{root}/idp/{tenant}").replacen("http://", "https://", 1);
            json_ok(&json!({
                "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
                "token_endpoint": format!("{base}/oauth2/v2.0/token"),
                "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
                "issuer": format!("https://login.microsoftonline.com/{tenant}/v2.0"),
                "response_types_supported": ["code"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
            }))
        }
        (&Method::GET, [_tenant, "oauth2", "v2.0", "authorize"]) => {
            authorize(&mut inner, settings, query)
        }
        (&Method::POST, [_tenant, "oauth2", "v2.0", "devicecode"]) => {
            let params = form(body);
            let device_code = random(64);
            let user_code: String = random(9).to_ascii_uppercase();
            inner.devices.insert(
                device_code.clone(),
                DeviceCode {
                    user_code: user_code.clone(),
                    scopes: scopes_of(params.get("scope").map_or("", String::as_str)),
                    approved: false,
                    polls: 0,
                },
            );
            let uri = format!("{root}/idp/device");
            json_ok(&json!({
                "user_code": user_code,
                "device_code": device_code,
                "verification_uri": uri,
                "expires_in": 900,
                "interval": 1,
                "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
            }))
        }
        (&Method::POST, [_tenant, "oauth2", "v2.0", "token"]) => token(&mut inner, settings, body),
        _ => oauth_error(
            "invalid_request",
            900561,
            "The endpoint only accepts this method.",
        ),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    display_name: String,
    scope: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    valid_to: Option<OffsetDateTime>,
    #[serde(default)]
    all_orgs: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    authorization_id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    valid_to: Option<OffsetDateTime>,
}

/// A query parameter by its exact name (OAuth's are case-sensitive).
fn exact(query: &[(String, String)], name: &str) -> Option<String> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// The authorization endpoint: a code for the PKCE challenge, sent back to the redirect URI
/// (or `consent_required` there, when the scenario says consent is missing).
fn authorize(
    inner: &mut Inner,
    settings: &LifecycleSettings,
    query: &[(String, String)],
) -> Response {
    let (Some(redirect), Some(challenge)) =
        (exact(query, "redirect_uri"), exact(query, "code_challenge"))
    else {
        return oauth_error(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'code_challenge'.",
        );
    };
    if exact(query, "code_challenge_method").as_deref() != Some("S256") {
        return oauth_error("invalid_request", 501491, "Invalid code_challenge_method.");
    }
    let Ok(mut target) = url::Url::parse(&redirect) else {
        return oauth_error("invalid_request", 50011, "The redirect URI is not valid.");
    };
    let state = exact(query, "state").unwrap_or_default();
    if settings.consent_required {
        target
            .query_pairs_mut()
            .append_pair("error", "consent_required")
            .append_pair(
                "error_description",
                "AADSTS65001: The user or administrator has not consented to use the application.",
            )
            .append_pair("state", &state);
    } else {
        let code = random(48);
        inner.codes.insert(
            code.clone(),
            AuthCode {
                challenge,
                redirect_uri: redirect,
                scopes: scopes_of(&exact(query, "scope").unwrap_or_default()),
            },
        );
        target
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &state);
    }
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, target.as_str())
        .body(axum::body::Body::empty())
        .expect("a valid response")
}

/// The token endpoint: an authorization code (with its PKCE verifier), a device code once
/// approved, or a refresh token (which rolls), each for the scenario's user.
fn token(inner: &mut Inner, settings: &LifecycleSettings, body: &[u8]) -> Response {
    let params = form(body);
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    match get("grant_type").as_str() {
        "authorization_code" => {
            let Some(code) = inner.codes.remove(&get("code")) else {
                return oauth_error(
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired due to inactivity.",
                );
            };
            let verifier = get("code_verifier");
            inner.secrets.push(verifier.clone());
            let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()));
            if hashed != code.challenge {
                return oauth_error(
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                );
            }
            if get("redirect_uri") != code.redirect_uri {
                return oauth_error(
                    "invalid_grant",
                    50011,
                    "The redirect URI specified in the request does not match.",
                );
            }
            let user = settings.user.clone();
            json_ok(&issue(inner, &user, &code.scopes))
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let code = get("device_code");
            let Some(device) = inner.devices.get_mut(&code) else {
                return oauth_error(
                    "expired_token",
                    70020,
                    "The provided value for the input parameter 'device_code' is not valid.",
                );
            };
            device.polls += 1;
            if !device.approved {
                return oauth_error(
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                );
            }
            if settings.device_code_blocked {
                return oauth_error(
                    "invalid_grant",
                    53003,
                    "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
                );
            }
            let scopes = device.scopes.clone();
            inner.devices.remove(&code);
            let user = settings.user.clone();
            json_ok(&issue(inner, &user, &scopes))
        }
        "refresh_token" => {
            // Refresh tokens roll: the one used is spent.
            let Some((user, scopes)) = inner.refresh.remove(&get("refresh_token")) else {
                return oauth_error(
                    "invalid_grant",
                    70000,
                    "The provided grant is invalid or malformed. The refresh token has been revoked.",
                );
            };
            json_ok(&issue(inner, &user, &scopes))
        }
        other => oauth_error(
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
    }
}

/// A query parameter, its name in any case.
fn param(query: &[(String, String)], name: &str) -> Option<String> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// GET: one of the user's tokens by `authorizationId`, or the list (`displayFilterOption`:
/// active, revoked, expired, all), never with their values.
fn listed(inner: &Inner, user: &str, query: &[(String, String)]) -> Response {
    if let Some(id) = param(query, "authorizationId") {
        return match inner
            .pats
            .iter()
            .find(|m| m.record.authorization_id == id && m.user == user)
        {
            Some(m) => result(&m.record, None),
            None => refused("tokenNotFound"),
        };
    }
    let filter = param(query, "displayFilterOption").unwrap_or_else(|| "active".into());
    let records: Vec<Value> = inner
        .pats
        .iter()
        .filter(|m| m.user == user)
        .filter(|m| {
            let expired = m.record.valid_to.is_some_and(|t| t < inner.clock.now());
            match filter.to_ascii_lowercase().as_str() {
                "all" => true,
                "revoked" => m.revoked,
                "expired" => expired && !m.revoked,
                _ => !m.revoked && !expired,
            }
        })
        .map(|m| {
            let mut v = serde_json::to_value(&m.record).expect("records serialise");
            v["token"] = Value::Null;
            v
        })
        .collect();
    json_ok(&json!({"continuationToken": "", "patTokens": records}))
}

/// POST: a new token, within the organization's policies (creation restricted, global PATs,
/// Full access, the maximum lifespan: refused or cut).
fn create(
    inner: &mut Inner,
    settings: &LifecycleSettings,
    user: String,
    org_id: String,
    body: &[u8],
) -> Response {
    let Ok(asked) = serde_json::from_slice::<CreateBody>(body) else {
        return refused("invalidScope");
    };
    if settings.restrict_creation && !settings.allowlisted {
        return refused("disablePatCreationPolicyViolation");
    }
    if asked.all_orgs {
        return refused("globalPATCreationBlocked");
    }
    let scopes = scopes_of(&asked.scope);
    if scopes.is_empty()
        || scopes.iter().any(|s| {
            s != crate::domain::scopes::FULL_ACCESS
                && crate::domain::scopes::Catalogue::get().scope(s).is_none()
        })
    {
        return refused("invalidScope");
    }
    if settings.full_scope_forbidden
        && scopes
            .iter()
            .any(|s| s == crate::domain::scopes::FULL_ACCESS)
    {
        return refused("fullScopePatPolicyViolation");
    }
    let mut valid_to = asked
        .valid_to
        .unwrap_or(inner.clock.now() + time::Duration::days(30));
    if valid_to <= inner.clock.now() {
        return refused("invalidValidTo");
    }
    if let Some(max) = settings.max_lifespan_days {
        let limit = inner.clock.now() + time::Duration::days(max);
        if valid_to > limit {
            if settings.lifespan_over == "refuse" {
                return refused("patLifespanPolicyViolation");
            }
            valid_to = limit;
        }
    }
    let value = new_pat_value(inner.clock.now());
    inner.secrets.push(value.clone());
    let spec: &'static TokenSpec = Box::leak(Box::new(TokenSpec::minted(
        &asked.display_name,
        &value,
        &user,
        scopes.clone(),
    )));
    let record = PatRecord {
        authorization_id: uuid::Uuid::new_v4().to_string(),
        display_name: asked.display_name,
        scope: scopes.join(" "),
        target_accounts: Some(vec![org_id]),
        valid_from: Some(inner.clock.now()),
        valid_to: Some(valid_to),
    };
    let response = result(&record, Some(&value));
    inner.pats.push(Minted {
        record,
        user,
        spec,
        revoked: false,
        revoked_at: None,
    });
    response
}

/// PUT: a token's name, expiry (capped at its creation date plus the maximum) or scopes; its
/// value stays.
fn update(inner: &mut Inner, settings: &LifecycleSettings, user: &str, body: &[u8]) -> Response {
    let Ok(asked) = serde_json::from_slice::<UpdateBody>(body) else {
        return refused("invalidAuthorizationId");
    };
    let max = settings.max_lifespan_days;
    let refuse_long = settings.lifespan_over == "refuse";
    let forbid_full = settings.full_scope_forbidden;
    let today = inner.clock.now();
    let Some(minted) = inner
        .pats
        .iter_mut()
        .find(|m| m.record.authorization_id == asked.authorization_id && m.user == user)
    else {
        return refused("tokenNotFound");
    };
    if minted.revoked {
        return refused("tokenNotFound");
    }
    if minted.record.valid_to.is_some_and(|t| t < today) {
        return refused("expiredPatCannotBeExtended");
    }
    if let Some(name) = asked.display_name {
        minted.record.display_name = name;
    }
    if let Some(mut valid_to) = asked.valid_to {
        if let Some(max) = max {
            // Capped at the creation date plus the maximum (the 7.2 spec).
            let limit = minted.record.valid_from.unwrap_or(today) + time::Duration::days(max);
            if valid_to > limit {
                if refuse_long {
                    return refused("patLifespanPolicyViolation");
                }
                valid_to = limit;
            }
        }
        minted.record.valid_to = Some(valid_to);
    }
    if let Some(scope) = asked.scope {
        let scopes = scopes_of(&scope);
        if forbid_full
            && scopes
                .iter()
                .any(|s| s == crate::domain::scopes::FULL_ACCESS)
        {
            return refused("fullScopePatPolicyViolation");
        }
        minted.record.scope = scopes.join(" ");
        // The value stays (the answer carries none); what it may do changes.
        minted.spec = Box::leak(Box::new(TokenSpec::minted(
            &minted.record.display_name,
            &minted.spec.value,
            &minted.user,
            scopes,
        )));
    }
    result(&minted.record, None)
}

/// DELETE: revokes the user's token (204), once and for good.
fn revoke(inner: &mut Inner, user: &str, query: &[(String, String)]) -> Response {
    let id = param(query, "authorizationId").unwrap_or_default();
    let today = inner.clock.now();
    match inner
        .pats
        .iter_mut()
        .find(|m| m.record.authorization_id == id && m.user == user)
    {
        Some(m) => {
            if !m.revoked {
                m.revoked_at = Some(today);
            }
            m.revoked = true;
            Response::builder()
                .status(StatusCode::NO_CONTENT)
                .body(axum::body::Body::empty())
                .expect("a valid response")
        }
        None => refused("tokenNotFound"),
    }
}

fn refused(error: &str) -> Response {
    json_ok(&json!({"patToken": null, "patTokenError": error}))
}

fn result(record: &PatRecord, token: Option<&str>) -> Response {
    let mut value = serde_json::to_value(record).expect("records serialise");
    value["token"] = token.map_or(Value::Null, |t| Value::String(t.to_string()));
    json_ok(&json!({"patToken": value, "patTokenError": "none"}))
}

/// `{vssps}/{org}/_apis/tokens/pats`: only a delegated Entra bearer with the PAT scopes.
pub fn pats_api(
    scenario: &Scenario,
    lifecycle: &Lifecycle,
    meta: &Meta,
    method: &Method,
    headers: &HeaderMap,
    query: &[(String, String)],
    body: &[u8],
) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if auth.starts_with("Basic ") || auth.starts_with("basic ") {
        // A PAT cannot manage PATs (vsts-rest-api-specs#571).
        return resp::error_body(
            meta,
            StatusCode::UNAUTHORIZED,
            &resp::wrapped_exception(
                "The requested operation is not allowed.",
                "InvalidAccessException",
                "Microsoft.TeamFoundation.Framework.Server.InvalidAccessException",
            ),
        );
    }
    let Some(settings) = scenario.lifecycle.as_ref() else {
        // No Entra behind the organization: the sign-in page, as for any bearer it cannot take.
        return resp::sign_in_page(meta);
    };
    let mut inner = lifecycle.inner.lock().expect("not poisoned");
    let bearer = auth.strip_prefix("Bearer ").unwrap_or_default();
    let Some(grant) = inner
        .access
        .get(bearer)
        .filter(|g| g.expires > inner.clock.now())
    else {
        // No, unknown or expired bearer: 203 and the HTML sign-in page (the notes' runbook).
        return resp::sign_in_page(meta);
    };
    let has = |scope: &str| grant.scopes.iter().any(|s| s.ends_with(scope));
    let needed = if *method == Method::GET {
        has("vso.pats") || has("vso.pats_manage")
    } else {
        has("vso.pats_manage")
    };
    if !needed {
        return resp::unauthorized_empty(meta, resp::realm_for("vssps"));
    }
    let user = grant.user.clone();
    let org_id = scenario.organization.id.clone();
    match *method {
        Method::GET => listed(&inner, &user, query),
        Method::POST => create(&mut inner, settings, user, org_id, body),
        Method::PUT => update(&mut inner, settings, &user, body),
        Method::DELETE => revoke(&mut inner, &user, query),
        _ => resp::route_not_found(meta, "/_apis/tokens/pats"),
    }
}
