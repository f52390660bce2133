//! The request pipeline, in the order the service applies it: which host and organization,
//! anonymous discovery, authentication (and the 203 sign-in page), faults, scope check,
//! permission check, then the resource itself.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use base64::Engine as _;
use futures_util::stream;
use serde_json::json;

use super::EmulatorState;
use super::locations::{self, Service};
use super::operations;
use super::resources::{self, Answer, Request};
use super::responses::{self as resp, Meta, collection};
use super::scenario::{Fault, FaultKind, TokenSpec, TokenState};
use crate::domain::scopes::Catalogue;

/// What a request carried for authentication.
enum Caller<'a> {
    Anonymous,
    /// A token the organization does not accept (unknown, revoked, or for another org).
    Rejected,
    Expired,
    ExpiredPage,
    ConditionalAccess,
    /// Authenticated, but the account is not a member of this organization.
    NoAccess(&'a TokenSpec),
    Token(&'a TokenSpec),
}

pub async fn handle(
    State(state): State<Arc<EmulatorState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = parse_query(uri.query());
    let (response, token_name) = route(&state, &method, &path, &query, &headers, &body).await;
    state.log(
        &method,
        &uri,
        &headers,
        token_name,
        response.status().as_u16(),
    );
    response
}

fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn api_version(query: &[(String, String)], headers: &HeaderMap) -> Option<String> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
        .map(|(_, v)| v.clone())
        .or_else(|| {
            headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .and_then(|accept| {
                    accept
                        .split(';')
                        .find_map(|p| p.trim().strip_prefix("api-version="))
                        .map(str::to_string)
                })
        })
}

/// What every answer carries: a fresh activity id, the api-version asked for, the session.
fn meta_for(
    scenario: &super::scenario::Scenario,
    query: &[(String, String)],
    headers: &HeaderMap,
) -> Meta {
    Meta {
        activity_id: uuid::Uuid::new_v4().to_string(),
        api_version: api_version(query, headers),
        session: headers
            .get("x-tfs-session")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        user_data: None,
        tenant_id: scenario.organization.tenant_id.clone(),
    }
}

/// The path's segments, percent-decoded.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

/// Whether the token holds one of the scopes an operation lists (`None`: it needs none).
fn grants(token: &TokenSpec, required: Option<&[String]>) -> bool {
    let Some(required) = required else {
        return true;
    };
    let held: Vec<&str> = token.scopes.iter().map(String::as_str).collect();
    let any_of: Vec<&str> = required.iter().map(String::as_str).collect();
    Catalogue::get().grants(held, &any_of)
}

async fn route(
    state: &EmulatorState,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> (Response, Option<String>) {
    let scenario = &state.scenario;
    let org_name = &scenario.organization.name;
    let mut meta = meta_for(scenario, query, headers);
    let decoded = segments(path);
    let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();

    // The emulated Microsoft Entra (its own "host": /idp/...).
    if segs.first() == Some(&"idp") {
        return (
            super::lifecycle::identity_provider(
                scenario,
                &state.lifecycle,
                &state.root,
                method,
                &segs[1..],
                query,
                body,
            ),
            None,
        );
    }

    // A stopped organization answers everything, anonymous or not, with the same 503.
    if scenario.organization.deactivated {
        return (resp::stopped_organization(&meta, org_name), None);
    }

    let (service, rest) = match addressed(state, &meta, method, path, headers, query, segs) {
        Addressed::Here(service, rest) => (service, rest),
        Addressed::Answered(r) => return (r, None),
    };
    let rest_refs: Vec<&str> = rest.iter().map(String::as_str).collect();

    if let Some(r) = anonymous(
        state, &meta, service, method, headers, query, body, &rest_refs,
    ) {
        return (r, None);
    }

    // Faults that apply to everyone.
    if let Some(r) = apply_faults(state, &meta, "*", &scenario.faults, path).await {
        return (r, None);
    }

    // Authentication.
    let is_git = rest_refs.iter().any(|s| s.eq_ignore_ascii_case("_git"));
    let caller = authenticate(state, headers, is_git);
    let how = Challenge::of(scenario, service, method, headers, &rest_refs);
    let sign_in_instead = how.sign_in_instead;
    let token = match caller {
        Caller::Token(t) => t,
        other => return refused_caller(state, &mut meta, other, &how),
    };
    let name = Some(token.name.clone());
    let Some(user) = scenario.user(&token.user) else {
        return (resp::unauthorized_with(&meta, &resp::tf400813("")), name);
    };

    // Faults for this token.
    if let Some(r) = apply_faults(state, &meta, &token.name, &token.faults, path).await {
        return (r, name);
    }

    // Scope check: 401 with an empty body when the token lacks every scope the operation lists.
    let Some(required) = required_scopes(state, service, method, &rest_refs, query) else {
        meta.user_data = Some(format!("{}:{}", user.id, user.unique_name));
        return (not_found_route(&meta, path), name);
    };
    if !grants(token, required.as_deref()) {
        let r = if sign_in_instead {
            resp::sign_in_page(&meta)
        } else {
            resp::unauthorized_empty(&meta, resp::realm_for(service.prefix()))
        };
        return (r, name);
    }
    meta.user_data = Some(format!("{}:{}", user.id, user.unique_name));

    if let Some(r) = refused_request(state, &meta, token, method, path, query, is_git) {
        return (r, name);
    }

    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let request = Request {
        scenario,
        root: &state.root,
        service,
        method,
        rest: rest.clone(),
        query,
        body,
        content_type,
        user: Some(user),
        required_fields: &token.required_fields,
    };
    let response = rendered(state, &meta, super::routes::answer(&request));
    (response, name)
}

/// Where a request goes: a host of the organization with the path below it, or already
/// answered (a deployment-level lookup, an unknown host, another organization).
enum Addressed {
    Here(Service, Vec<String>),
    Answered(Response),
}

/// Which host (`/_hosts/{service}/…` or the organization's own) and which organization a
/// request addresses, and the path below it.
fn addressed(
    state: &EmulatorState,
    meta: &Meta,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    query: &[(String, String)],
    mut segs: Vec<&str>,
) -> Addressed {
    let scenario = &state.scenario;
    let org_name = &scenario.organization.name;
    // Which host: /_hosts/{service}/... or the organization's own host.
    let mut service = Service::Core;
    if segs.first() == Some(&"_hosts") {
        match segs.get(1).and_then(|p| Service::from_prefix(p)) {
            Some(s) if scenario.is_hosted() => {
                service = s;
                segs.drain(..2);
            }
            _ => return Addressed::Answered(not_found_route(meta, path)),
        }
    }

    // Deployment-level resource area lookup: GET /_apis/resourceAreas/{id}?accountName={org}
    if service == Service::Core && segs.first() == Some(&"_apis") {
        return Addressed::Answered(root_resource_area(state, meta, &segs, query));
    }

    // Organization (global hosts carry none).
    let rest: Vec<String> = if service.is_global() {
        segs.iter().map(|s| s.to_string()).collect()
    } else {
        let Some(org) = segs.first() else {
            return Addressed::Answered(not_found_route(meta, path));
        };
        if !org.eq_ignore_ascii_case(org_name) {
            let exists = scenario
                .organization
                .others
                .iter()
                .any(|o| o.eq_ignore_ascii_case(org));
            return Addressed::Answered(other_organization(
                meta,
                exists,
                org,
                &segs[1..],
                method,
                headers,
            ));
        }
        segs[1..].iter().map(|s| s.to_string()).collect()
    };
    Addressed::Here(service, rest)
}

/// How a refusal before the token is read is answered: the sign-in page (a browser's GET or
/// POST without `X-TFS-FedAuthRedirect: Suppress`), or 401, with a Basic challenge for git and
/// the package feeds.
struct Challenge {
    sign_in_instead: bool,
    basic: bool,
    /// connectionData, which a public organization answers anonymously.
    connection_data: bool,
    realm: &'static str,
}

impl Challenge {
    /// How this request is answered if its token is not accepted.
    fn of(
        scenario: &super::scenario::Scenario,
        service: Service,
        method: &Method,
        headers: &HeaderMap,
        rest: &[&str],
    ) -> Challenge {
        let is_git = rest.iter().any(|s| s.eq_ignore_ascii_case("_git"));
        // npm and pip, like git, answer a Basic challenge and never read a sign-in page.
        let is_package = super::packages::serves_packages(scenario, service)
            && rest.iter().any(|s| s.eq_ignore_ascii_case("_packaging"));
        let suppress = headers
            .get("x-tfs-fedauthredirect")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("suppress"));
        // git gets 401 with the Basic challenge, never the sign-in page: that is what makes git ask
        // its credential helpers (not recorded; every Azure Repos HTTPS clone without credentials
        // prompts, as Git Credential Manager's docs describe).
        let sign_in_instead = !suppress
            && !is_git
            && !is_package
            && matches!(*method, Method::GET | Method::POST | Method::HEAD);
        let is_connection_data = service == Service::Core
            && rest.len() == 2
            && rest[1].eq_ignore_ascii_case("connectionData");
        Challenge {
            sign_in_instead,
            basic: is_git || is_package,
            connection_data: is_connection_data,
            realm: resp::realm_for(service.prefix()),
        }
    }
}

/// The answer to a caller whose token is not accepted here (absent, unknown, expired, blocked by
/// conditional access, or of an account outside the organization), with the token's name for
/// the log where there is one.
fn refused_caller(
    state: &EmulatorState,
    meta: &mut Meta,
    caller: Caller<'_>,
    how: &Challenge,
) -> (Response, Option<String>) {
    let scenario = &state.scenario;
    let org_name = &scenario.organization.name;
    match caller {
        // Never passed here (route serves an accepted token); refused, as the service would a
        // token it cannot place.
        Caller::Token(token) => (
            resp::unauthorized_with(meta, &resp::tf400813("")),
            Some(token.name.clone()),
        ),
        Caller::Anonymous | Caller::Rejected => {
            if how.connection_data && scenario.organization.public_projects {
                let body = resources::connection_data(scenario, None);
                return (resp::json_response(meta, StatusCode::OK, &body), None);
            }
            if how.sign_in_instead {
                return (resp::sign_in_page(meta), None);
            }
            let user = if scenario.organization.public_projects {
                resp::ANONYMOUS_ID
            } else {
                ""
            };
            let mut r = resp::unauthorized_with(meta, &resp::tf400813(user));
            if how.basic {
                // The Basic challenge git's HTTP client answers with the helper's credentials.
                if let Ok(v) = HeaderValue::from_str(&format!("Basic realm=\"{}\"", how.realm)) {
                    r.headers_mut().append(header::WWW_AUTHENTICATE, v);
                }
            }
            (r, None)
        }
        Caller::ExpiredPage => (resp::expired_page(meta), None),
        Caller::NoAccess(token) => {
            let name = Some(token.name.clone());
            let Some(user) = scenario.user(&token.user) else {
                return (resp::unauthorized_with(meta, &resp::tf400813("")), name);
            };
            meta.user_data = Some(format!("{}:{}", user.id, user.unique_name));
            let account = format!("{}\\{}", scenario.organization.tenant_id, user.unique_name);
            let org_url = format!("{}/{}", state.root, org_name);
            (resp::not_authorized_account(meta, &org_url, &account), name)
        }
        Caller::Expired => {
            let r = if how.sign_in_instead {
                resp::sign_in_page(meta)
            } else {
                resp::unauthorized_with(meta, &resp::expired_pat())
            };
            (r, None)
        }
        Caller::ConditionalAccess => {
            let r = if how.sign_in_instead {
                resp::sign_in_page(meta)
            } else {
                resp::unauthorized_with(meta, &resp::conditional_access())
            };
            (r, None)
        }
    }
}

/// What the service answers before it authenticates: the PAT lifecycle API (its own Entra
/// check), API locations (OPTIONS), the tenant challenge (HEAD), the resource areas.
#[allow(clippy::too_many_arguments)]
fn anonymous(
    state: &EmulatorState,
    meta: &Meta,
    service: Service,
    method: &Method,
    headers: &HeaderMap,
    query: &[(String, String)],
    body: &[u8],
    rest: &[&str],
) -> Option<Response> {
    let scenario = &state.scenario;
    // The PAT lifecycle API, on the identity host, for Entra bearers only.
    if service == Service::Vssps
        && rest.len() == 3
        && rest[0].eq_ignore_ascii_case("_apis")
        && rest[1].eq_ignore_ascii_case("tokens")
        && rest[2].eq_ignore_ascii_case("pats")
    {
        return Some(super::lifecycle::pats_api(
            scenario,
            &state.lifecycle,
            meta,
            method,
            headers,
            query,
            body,
        ));
    }

    // Anonymous: API locations, resource areas, tenant discovery.
    if *method == Method::OPTIONS && rest.len() == 1 && rest[0].eq_ignore_ascii_case("_apis") {
        if !scenario.organization.location_data {
            // As a reverse proxy in front of a Server that lets no OPTIONS through.
            return Some(resp::raw(
                meta,
                StatusCode::METHOD_NOT_ALLOWED,
                "text/plain; charset=utf-8",
                b"Method Not Allowed".to_vec(),
            ));
        }
        return Some(resp::json_response(
            meta,
            StatusCode::OK,
            &locations::options_json(
                service,
                !scenario.is_hosted(),
                scenario.organization.api_ceiling(),
            ),
        ));
    }
    if service == Service::Core && rest.is_empty() && *method == Method::HEAD {
        let mut r = resp::unauthorized_empty(meta, resp::realm_for(service.prefix()));
        // The cloud names the organization's Microsoft Entra tenant; a Server has none.
        if scenario.is_hosted()
            && let Ok(v) = HeaderValue::from_str(&scenario.organization.tenant_id)
        {
            r.headers_mut().insert("x-vss-resourcetenant", v);
        }
        return Some(r);
    }
    if *method == Method::GET
        && rest.len() >= 2
        && rest[0].eq_ignore_ascii_case("_apis")
        && rest[1].eq_ignore_ascii_case("resourceAreas")
    {
        return Some(org_resource_areas(state, meta, &rest[2..]));
    }
    None
}

/// An authenticated request the service still refuses: an api-version above a Server's
/// ceiling, a right the user lacks, a write with no api-version.
fn refused_request(
    state: &EmulatorState,
    meta: &Meta,
    token: &TokenSpec,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    is_git: bool,
) -> Option<Response> {
    let scenario = &state.scenario;
    // Azure DevOps Server takes no api-version above its release's ceiling.
    if let (Some((major, minor)), Some(asked)) = (
        scenario.organization.api_ceiling(),
        meta.api_version.clone(),
    ) && let Some(refusal) = version_out_of_range(meta, &asked, major, minor)
    {
        return Some(refusal);
    }

    // Permission check: the user, not the token, lacks a right.
    if let Some(denial) = token.deny.iter().find(|d| {
        path.to_ascii_lowercase()
            .contains(&d.path.to_ascii_lowercase())
    }) {
        return Some(denied(meta, denial, is_git, query));
    }

    if !matches!(*method, Method::GET | Method::HEAD) && meta.api_version.is_none() && !is_git {
        return Some(resp::error(
            meta,
            StatusCode::BAD_REQUEST,
            &format!(
                "No api-version was supplied for the \"{method}\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\")."
            ),
            "VssVersionNotSpecifiedException",
            "Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi",
        ));
    }
    None
}

/// The user, not the token, lacks a right: git's refusal as a pkt-line text (as users quote
/// it), anything else as the service's JSON error.
fn denied(
    meta: &Meta,
    denial: &super::scenario::Denial,
    is_git: bool,
    query: &[(String, String)],
) -> Response {
    let status = StatusCode::from_u16(denial.status).unwrap_or(StatusCode::FORBIDDEN);
    if is_git {
        // git's refusal is a pkt-line text body (as users quote it), not JSON.
        let service = query
            .iter()
            .find(|(k, _)| k == "service")
            .map_or("git-upload-pack", |(_, v)| v.as_str());
        let header = format!("# service={service}\n");
        let body = format!(
            "{:04x}{header}0000000000aa{}\n{}\n",
            header.len() + 4,
            denial.message,
            denial.message
        );
        return resp::raw(meta, status, "text/plain; charset=utf-8", body.into_bytes());
    }
    let type_key = if denial.message.starts_with("Access Denied") {
        "AccessCheckException"
    } else {
        "UnauthorizedAccessException"
    };
    resp::error(
        meta,
        status,
        &denial.message,
        type_key,
        &format!(
            "Microsoft.TeamFoundation.Framework.Server.{type_key}, Microsoft.TeamFoundation.Framework.Server"
        ),
    )
}

/// The resource's answer as the service sends it (a work item written for real is kept); an
/// operation the emulator does not model is a plain 501, never a made-up success.
fn rendered(state: &EmulatorState, meta: &Meta, answer: Option<Answer>) -> Response {
    match answer {
        Some(Answer::Json(status, value)) => {
            if status == StatusCode::OK && value.get("validateOnly") == Some(&json!(false)) {
                state.store_work_item(value.clone());
            }
            let mut value = value;
            if let Some(obj) = value.as_object_mut() {
                obj.remove("validateOnly");
            }
            resp::json_response(meta, status, &value)
        }
        Some(Answer::Bytes(status, content_type, bytes)) => {
            resp::raw(meta, status, content_type, bytes)
        }
        // An operation the specs list but the emulator does not model: never a made-up
        // success. 501 says plainly that this answer is the emulator's, not the service's.
        None => {
            let mut r = resp::raw(
                meta,
                StatusCode::NOT_IMPLEMENTED,
                "text/plain; charset=utf-8",
                b"The patwiz emulator does not model this operation.".to_vec(),
            );
            resp::set_service_error(&mut r, "The patwiz emulator does not model this operation.");
            r
        }
    }
}

/// The scopes an operation needs: `Some(None)` = any authenticated caller, `None` = no such
/// operation on this host.
fn required_scopes(
    state: &EmulatorState,
    service: Service,
    method: &Method,
    rest: &[&str],
    query: &[(String, String)],
) -> Option<Option<Vec<String>>> {
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match lower.as_slice() {
        ["_apis", "connectiondata"] if service == Service::Core => return Some(None),
        [_, "_git", _, "info", "refs"] if service == Service::Core => {
            let push = query
                .iter()
                .any(|(k, v)| k == "service" && v == "git-receive-pack");
            let scope = if push { "vso.code_write" } else { "vso.code" };
            return Some(Some(vec![scope.to_string()]));
        }
        // A Server release has no cloud-only API: its routes do not exist there.
        ["_odata", ..] if state.scenario.organization.api_ceiling().is_some() => return None,
        ["_apis", "graph", ..] | ["_apis", "userentitlements", ..] | ["_apis", "audit", ..]
            if state.scenario.organization.api_ceiling().is_some() =>
        {
            return None;
        }
        ["_apis", "favorite", ..]
            if state
                .scenario
                .organization
                .api_ceiling()
                .is_some_and(|c| c < (7, 1)) =>
        {
            return None;
        }
        // Analytics answers on its own host and, as on Azure DevOps Server, on the org's host.
        ["_odata", ..] if matches!(service, Service::Analytics | Service::Core) => {
            return Some(Some(vec!["vso.analytics".to_string()]));
        }
        // Azure Artifacts' package protocols: reading a feed takes Packaging (Read).
        _ if super::packages::serves_packages(&state.scenario, service)
            && lower.contains(&"_packaging") =>
        {
            return Some(Some(vec!["vso.packaging".to_string()]));
        }
        ["_apis", "profile", "profiles", _] if service == Service::AppVssps => {
            // The profile API answers only global ("All accessible organizations") PATs, which
            // this emulator, like the service after 2026-12-01, does not issue.
            return Some(Some(vec!["vso.profile_global_pat_only".to_string()]));
        }
        _ => {}
    }
    let org = state.scenario.organization.name.as_str();
    let mut segments: Vec<&str> = Vec::with_capacity(rest.len() + 1);
    if !service.is_global() {
        segments.push(org);
    }
    segments.extend_from_slice(rest);
    let method = method.as_str();
    let found = operations::find(service.spec_host(), method, &segments).or_else(|| {
        // On Azure DevOps Server every API lives on the collection's one host.
        (!state.scenario.is_hosted() && service == Service::Core)
            .then(|| {
                Service::ALL
                    .iter()
                    .find_map(|s| operations::find(s.spec_host(), method, &segments))
            })
            .flatten()
    })?;
    Some(Some(found.scopes.clone()))
}

fn authenticate<'a>(state: &'a EmulatorState, headers: &HeaderMap, is_git: bool) -> Caller<'a> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Caller::Anonymous;
    };
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Caller::Rejected;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return Caller::Rejected;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return Caller::Rejected;
    };
    let Some((user, secret)) = decoded.split_once(':') else {
        return Caller::Rejected;
    };
    // git over HTTPS needs a non-empty user name; the REST API takes an empty one.
    if is_git && user.is_empty() {
        return Caller::Rejected;
    }
    let (token, state_now) = match state.scenario.token_by_value(secret) {
        Some(token) => (token, token.state),
        None => match state.lifecycle.token_by_value(secret) {
            Some(minted) => minted,
            None => return Caller::Rejected,
        },
    };
    let for_this_org = token
        .org
        .as_deref()
        .is_none_or(|o| o.eq_ignore_ascii_case(&state.scenario.organization.name));
    match state_now {
        _ if !for_this_org => Caller::Rejected,
        TokenState::Revoked => Caller::Rejected,
        TokenState::Expired => Caller::Expired,
        TokenState::ExpiredPage => Caller::ExpiredPage,
        TokenState::NoAccess => Caller::NoAccess(token),
        TokenState::ConditionalAccess => Caller::ConditionalAccess,
        TokenState::Active => Caller::Token(token),
    }
}

fn not_found_route(meta: &Meta, path: &str) -> Response {
    resp::route_not_found(meta, path)
}

/// The refusal of an api-version above the deployment's ceiling (the message as users quote
/// it; its status is not recorded: 400, as for the service's other version errors).
fn version_out_of_range(meta: &Meta, asked: &str, major: u32, minor: u32) -> Option<Response> {
    let number = asked.split('-').next()?;
    let (a, b) = number.split_once('.')?;
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    if (a, b) <= (major, minor) {
        return None;
    }
    Some(resp::error(
        meta,
        StatusCode::BAD_REQUEST,
        &format!(
            "The requested REST API version of {number} is out of range for this server. The latest REST API version this server supports is {major}.{minor}."
        ),
        "VssVersionOutOfRangeException",
        "Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi",
    ))
}

fn org_not_found(meta: &Meta, org: &str) -> Response {
    resp::error(
        meta,
        StatusCode::NOT_FOUND,
        // Unrecorded: the real body for an unknown organization is not in any recording (a
        // public issue confirms the 404). VS800075 is the service's "project does not exist".
        &format!("The organization '{org}' could not be found."),
        "HostDoesNotExistException",
        "Microsoft.VisualStudio.Services.Common.HostDoesNotExistException, Microsoft.VisualStudio.Services.Common",
    )
}

/// A request to an organization this emulator does not host: it exists (and refuses every
/// token from here) or it does not exist at all.
fn other_organization(
    meta: &Meta,
    exists: bool,
    org: &str,
    rest: &[&str],
    method: &Method,
    headers: &HeaderMap,
) -> Response {
    if !exists {
        return org_not_found(meta, org);
    }
    let anonymous_area = rest.len() >= 2 && rest[1].eq_ignore_ascii_case("resourceAreas");
    if anonymous_area && *method == Method::GET {
        return resp::json_response(meta, StatusCode::OK, &json!({"count": 0, "value": []}));
    }
    let suppress = headers.get("x-tfs-fedauthredirect").is_some();
    if !suppress {
        return resp::sign_in_page(meta);
    }
    resp::unauthorized_with(meta, &resp::tf400813(""))
}

fn root_resource_area(
    state: &EmulatorState,
    meta: &Meta,
    segs: &[&str],
    query: &[(String, String)],
) -> Response {
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let org = &state.scenario.organization;
    match segs {
        ["_apis", areas, id] if areas.eq_ignore_ascii_case("resourceAreas") => {
            let matches_org = q("accountName").is_some_and(|a| a.eq_ignore_ascii_case(&org.name))
                || q("hostId").is_some_and(|h| h.eq_ignore_ascii_case(&org.id));
            let Some((area_id, name, service)) = locations::area(id) else {
                return not_found_route(meta, "/_apis/resourceAreas");
            };
            if !matches_org {
                let who = q("accountName").or(q("hostId")).unwrap_or("");
                return org_not_found(meta, who);
            }
            let body = locations::area_json(&state.root, &org.name, area_id, name, service);
            resp::json_response(meta, StatusCode::OK, &body)
        }
        _ => not_found_route(meta, "/_apis"),
    }
}

fn org_resource_areas(state: &EmulatorState, meta: &Meta, rest: &[&str]) -> Response {
    let org = &state.scenario.organization.name;
    if !state.scenario.is_hosted() {
        // Azure DevOps Server lists no resource areas: every API is on the collection URL.
        return match rest {
            [] => resp::json_response(meta, StatusCode::OK, &collection(Vec::new())),
            _ => resp::error(
                meta,
                StatusCode::NOT_FOUND,
                "VS800067: The resource area could not be found.",
                "ResourceAreaNotFoundException",
                "Microsoft.VisualStudio.Services.Location.ResourceAreaNotFoundException, Microsoft.VisualStudio.Services.WebApi",
            ),
        };
    }
    match rest {
        [] => {
            let all = locations::RESOURCE_AREAS
                .iter()
                .map(|(id, name, s)| locations::area_json(&state.root, org, id, name, *s))
                .collect();
            resp::json_response(meta, StatusCode::OK, &collection(all))
        }
        [id] => match locations::area(id) {
            Some((area_id, name, service)) => resp::json_response(
                meta,
                StatusCode::OK,
                &locations::area_json(&state.root, org, area_id, name, service),
            ),
            None => resp::error(
                meta,
                StatusCode::NOT_FOUND,
                "VS800067: The resource area could not be found.",
                "ResourceAreaNotFoundException",
                "Microsoft.VisualStudio.Services.Location.ResourceAreaNotFoundException, Microsoft.VisualStudio.Services.WebApi",
            ),
        },
        _ => not_found_route(meta, "/_apis/resourceAreas"),
    }
}

/// Applies the first matching fault that still has uses left. Latency delays and lets the
/// request go on (`None`); the others answer in the fault's own way.
async fn apply_faults(
    state: &EmulatorState,
    meta: &Meta,
    owner: &str,
    faults: &[Fault],
    path: &str,
) -> Option<Response> {
    for (index, fault) in faults.iter().enumerate() {
        if fault
            .path
            .as_deref()
            .is_some_and(|p| !path.to_ascii_lowercase().contains(&p.to_ascii_lowercase()))
        {
            continue;
        }
        if !state.take_fault_use(owner, index, fault.times) {
            continue;
        }
        let ms = fault.ms.unwrap_or(100);
        match fault.kind {
            FaultKind::Latency => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            FaultKind::RateLimit => {
                let retry = fault.retry_after.unwrap_or(1);
                let mut r = resp::error(
                    meta,
                    StatusCode::TOO_MANY_REQUESTS,
                    "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Core' in namespace 'User'.",
                    "RequestBlockedException",
                    "Microsoft.TeamFoundation.Framework.Server.RequestBlockedException, Microsoft.TeamFoundation.Framework.Server",
                );
                let reset = time::OffsetDateTime::now_utc().unix_timestamp() + retry as i64;
                for (k, v) in [
                    ("retry-after", retry.to_string()),
                    ("x-ratelimit-resource", "Core".to_string()),
                    ("x-ratelimit-delay", "0.500".to_string()),
                    ("x-ratelimit-limit", "200".to_string()),
                    ("x-ratelimit-remaining", "0".to_string()),
                    ("x-ratelimit-reset", reset.to_string()),
                ] {
                    if let Ok(v) = HeaderValue::from_str(&v) {
                        r.headers_mut().insert(k, v);
                    }
                }
                return Some(r);
            }
            FaultKind::ServerError => {
                return Some(resp::error(
                    meta,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!(
                        "TF400898: An Internal Error Occurred. Activity Id: {}.",
                        meta.activity_id
                    ),
                    "InternalServerErrorException",
                    "Microsoft.TeamFoundation.Framework.Server.InternalServerErrorException, Microsoft.TeamFoundation.Framework.Server",
                ));
            }
            FaultKind::Unavailable => {
                let mut r = resp::raw(
                    meta,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    b"Service Unavailable".to_vec(),
                );
                if let Ok(v) = HeaderValue::from_str(&fault.retry_after.unwrap_or(1).to_string()) {
                    r.headers_mut().insert("retry-after", v);
                }
                return Some(r);
            }
            FaultKind::Hang => {
                // Bounded so a forgotten client never keeps the server busy for long.
                tokio::time::sleep(Duration::from_secs(300)).await;
                return Some(resp::raw(
                    meta,
                    StatusCode::GATEWAY_TIMEOUT,
                    "text/plain",
                    Vec::new(),
                ));
            }
            FaultKind::Truncated => {
                let full = serde_json::to_vec(&collection(vec![
                    json!({"id": 1, "name": "truncated"});
                    20
                ]))
                .unwrap_or_default();
                let half = Bytes::from(full[..full.len() / 2].to_vec());
                // The first half goes out (headers included), then the connection is cut.
                let chunks = stream::unfold(Some(half), |half| async move {
                    match half {
                        Some(bytes) => Some((Ok(bytes), None)),
                        None => {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            let cut = std::io::Error::new(
                                std::io::ErrorKind::ConnectionReset,
                                "truncated by the emulator",
                            );
                            Some((Err::<Bytes, std::io::Error>(cut), None))
                        }
                    }
                });
                let mut r = Response::new(Body::from_stream(chunks));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
                if let Ok(v) = HeaderValue::from_str(&full.len().to_string()) {
                    r.headers_mut().insert(header::CONTENT_LENGTH, v);
                }
                return Some(r);
            }
            FaultKind::Html => return Some(resp::html_page(meta)),
            FaultKind::Unauthorized => {
                return Some(resp::unauthorized_empty(meta, resp::realm_for("")));
            }
            FaultKind::SignInPage => return Some(resp::sign_in_page(meta)),
            FaultKind::HugeLength => {
                // Announces 2 GB and sends a few bytes: a client must not believe or wait for it.
                let chunks = stream::iter(vec![Ok::<Bytes, std::io::Error>(Bytes::from_static(
                    b"{\"count\":",
                ))]);
                let mut r = Response::new(Body::from_stream(chunks));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
                r.headers_mut().insert(
                    header::CONTENT_LENGTH,
                    HeaderValue::from_static("2147483648"),
                );
                return Some(r);
            }
            FaultKind::RedirectLoop => {
                let mut r = resp::raw(meta, StatusCode::FOUND, "text/html", Vec::new());
                if let Ok(v) = HeaderValue::from_str(path) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                return Some(r);
            }
            FaultKind::SlowDrip => {
                let body =
                    Arc::new(serde_json::to_vec(&collection(Vec::new())).unwrap_or_default());
                let delay = Duration::from_millis(ms);
                let chunks = stream::unfold(0usize, move |i| {
                    let body = body.clone();
                    async move {
                        let byte = *body.get(i)?;
                        tokio::time::sleep(delay).await;
                        Some((Ok::<Bytes, std::io::Error>(Bytes::from(vec![byte])), i + 1))
                    }
                });
                let mut r = Response::new(Body::from_stream(chunks));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
                return Some(r);
            }
            FaultKind::InvalidUtf8 => {
                return Some(resp::raw(
                    meta,
                    StatusCode::OK,
                    "application/json; charset=utf-8",
                    vec![0xff, 0xfe, b'{', 0xc3, 0x28, b'}'],
                ));
            }
            FaultKind::Redirect => {
                let mut r = resp::raw(meta, StatusCode::FOUND, "text/html", Vec::new());
                let location = fault
                    .location
                    .clone()
                    .unwrap_or_else(|| "https://example.invalid/collect".to_string());
                if let Ok(v) = HeaderValue::from_str(&location) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                return Some(r);
            }
        }
    }
    None
}
