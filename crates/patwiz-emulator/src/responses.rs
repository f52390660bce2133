//! Response shapes of the real service: headers on every answer, WrappedException error
//! bodies, the empty 401 of a missing scope and the 203 sign-in page.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

/// The anonymous identity an organization with public projects reports for a bad token.
pub use crate::domain::ANONYMOUS_ID;

/// Per-request facts the headers need.
pub struct Meta {
    pub activity_id: String,
    pub api_version: Option<String>,
    pub session: String,
    /// `{userId}:{uniqueName}` of an authenticated caller.
    pub user_data: Option<String>,
    pub tenant_id: String,
}

impl Meta {
    /// For answers of hosts that are not Azure DevOps (the identity provider).
    pub fn plain() -> Meta {
        Meta {
            activity_id: String::new(),
            api_version: None,
            session: String::new(),
            user_data: None,
            tenant_id: String::new(),
        }
    }

    fn apply(&self, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: &str| {
            if let Ok(v) = HeaderValue::from_str(value) {
                headers.insert(HeaderName::from_static(name), v);
            }
        };
        set("activityid", &self.activity_id);
        set("x-vss-e2eid", &self.activity_id);
        set("x-tfs-session", &self.session);
        set("x-tfs-processid", "0f8d1c36-9b5a-4d7e-8a2f-3c4b5d6e7f80");
        set(
            "x-vss-senderdeploymentid",
            "ed30ce5c-9d0a-f73c-3580-4315c7f84d83",
        );
        set(
            "request-context",
            "appId=cid-v1:e7d4a6a6-0b7b-4b1f-9f3a-6c1b2d3e4f50",
        );
        set("x-cache", "CONFIG_NOCACHE");
        set(
            "x-msedge-ref",
            "Ref A: 8D7C6B5A4F3E2D1C Ref B: PATWIZ-EMU Ref C: 2026-11-22T00:00:00Z",
        );
        if let Some(user) = &self.user_data {
            set("x-vss-userdata", user);
        }
    }

    fn content_type(&self) -> String {
        match &self.api_version {
            Some(v) => format!("application/json; charset=utf-8; api-version={v}"),
            None => "application/json; charset=utf-8".to_string(),
        }
    }
}

pub fn json_response(meta: &Meta, status: StatusCode, body: &Value) -> Response {
    let bytes = if body.get("typeKey").is_some() {
        wrapped_bytes(body)
    } else {
        serde_json::to_vec(body).expect("JSON values serialise")
    };
    // Real error bodies carry no api-version in their content type; successes do.
    let content_type = if status.is_success() {
        meta.content_type()
    } else {
        "application/json; charset=utf-8".to_string()
    };
    raw(meta, status, &content_type, bytes)
}

pub fn raw(meta: &Meta, status: StatusCode, content_type: &str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    meta.apply(headers);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    response
}

/// An error body in the service's own key order (`$id, innerException, message, typeName,
/// typeKey, errorCode, eventId`, as recorded), optionally with `customProperties` first.
pub fn wrapped_bytes(body: &Value) -> Vec<u8> {
    let order = [
        "$id",
        "customProperties",
        "innerException",
        "message",
        "typeName",
        "typeKey",
        "errorCode",
        "eventId",
    ];
    let Some(map) = body.as_object() else {
        return serde_json::to_vec(body).unwrap_or_default();
    };
    let mut parts: Vec<String> = order
        .iter()
        .filter_map(|k| map.get(*k).map(|v| format!("{}:{}", json!(k), v)))
        .collect();
    parts.extend(
        map.iter()
            .filter(|(k, _)| !order.contains(&k.as_str()))
            .map(|(k, v)| format!("{}:{}", json!(k), v)),
    );
    format!("{{{}}}", parts.join(",")).into_bytes()
}

/// The route-not-found answer of the real service: 404 `text/plain` with the reason in
/// `X-TFS-ServiceError` too (recorded 2026, `route-404-textplain-2026`).
pub fn route_not_found(meta: &Meta, path: &str) -> Response {
    let text = format!(
        "The controller for path '{path}' was not found or does not implement IController."
    );
    let mut response = raw(
        meta,
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        text.clone().into_bytes(),
    );
    set_service_error(&mut response, &text);
    response
}

/// `X-TFS-ServiceError`: the reason, URL-encoded, as the service sends it.
pub fn set_service_error(response: &mut Response, text: &str) {
    let encoded =
        percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string();
    if let Ok(v) = HeaderValue::from_str(&encoded) {
        response.headers_mut().insert("x-tfs-serviceerror", v);
    }
}

/// A stopped organization (recorded 2026, `503-tf24668-stopped-org-bom-2026`): 503, plain
/// `application/json`, a body that starts with a byte-order mark, the reason in
/// `X-TFS-ServiceError`, no X-VSS-UserData. Every request, anonymous or not, gets it.
pub fn stopped_organization(meta: &Meta, org: &str) -> Response {
    let message = format!(
        "TF24668: The following team project collection is stopped: {org}. Start the collection and then try again. Administrator Reason: This Azure DevOps organization has been deactivated due to inactivity. For more information please visit aka.ms/adofootprintreduction"
    );
    let body = wrapped_exception(
        &message,
        "VssServiceException",
        "Microsoft.VisualStudio.Services.Common.VssServiceException, Microsoft.VisualStudio.Services.Common",
    );
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(wrapped_bytes(&body));
    let quiet = Meta {
        user_data: None,
        api_version: None,
        activity_id: meta.activity_id.clone(),
        session: meta.session.clone(),
        tenant_id: meta.tenant_id.clone(),
    };
    let mut response = raw(
        &quiet,
        StatusCode::SERVICE_UNAVAILABLE,
        "application/json",
        bytes,
    );
    set_service_error(&mut response, &message);
    response
}

/// A list in the service's collection wrapper.
pub fn collection(values: Vec<Value>) -> Value {
    json!({ "count": values.len(), "value": values })
}

/// The service's error body (`WrappedException`).
pub fn wrapped_exception(message: &str, type_key: &str, type_name: &str) -> Value {
    json!({
        "$id": "1",
        "innerException": null,
        "message": message,
        "typeName": type_name,
        "typeKey": type_key,
        "errorCode": 0,
        "eventId": 3000
    })
}

pub fn error(
    meta: &Meta,
    status: StatusCode,
    message: &str,
    type_key: &str,
    type_name: &str,
) -> Response {
    error_body(
        meta,
        status,
        &wrapped_exception(message, type_key, type_name),
    )
}

/// An error answer with a WrappedException body in the service's key order.
pub fn error_body(meta: &Meta, status: StatusCode, body: &Value) -> Response {
    raw(
        meta,
        status,
        "application/json; charset=utf-8",
        wrapped_bytes(body),
    )
}

/// The challenge of a missing scope: one Basic realm naming the host's scale unit, as
/// recorded (`Basic realm="https://tfsprodsin1.app.visualstudio.com/"`).
fn add_basic_challenge(response: &mut Response, realm: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("Basic realm=\"{realm}\"")) {
        response.headers_mut().append(header::WWW_AUTHENTICATE, v);
    }
}

/// The challenges of a refused credential (TF400813, recorded): Bearer with the tenant's
/// sign-in authority, and TFS-Federated; no Basic.
fn add_federated_challenges(response: &mut Response, tenant: &str) {
    let headers = response.headers_mut();
    for value in [
        format!("Bearer authorization_uri=https://login.microsoftonline.com/{tenant}"),
        "TFS-Federated".to_string(),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.append(header::WWW_AUTHENTICATE, v);
        }
    }
}

/// The scale unit a host's Basic realm names (recorded ones: tfsprodsin1, spsprodcin2,
/// aexprodsin1; the emulator's are made up in the same pattern).
pub fn realm_for(host_prefix: &str) -> &'static str {
    match host_prefix {
        "vssps" | "app.vssps" => "https://spsprodweu5.vssps.visualstudio.com/",
        "vsaex" => "https://aexprodweu1.vsaex.visualstudio.com/",
        "vsrm" => "https://vsrmprodweu2.vsrm.visualstudio.com/",
        "feeds" | "pkgs" => "https://pkgsprodweu1.pkgs.visualstudio.com/",
        "auditservice" => "https://auditprodweu1.audit.visualstudio.com/",
        _ => "https://tfsprodweu2.app.visualstudio.com/",
    }
}

/// 401 with an empty body: a missing scope. As recorded: no content type, one Basic realm.
pub fn unauthorized_empty(meta: &Meta, realm: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    meta.apply(response.headers_mut());
    response.headers_mut().remove("x-vss-userdata");
    add_basic_challenge(&mut response, realm);
    response
}

/// 401 with a WrappedException body (TF400813, expired PAT, conditional access).
pub fn unauthorized_with(meta: &Meta, body: &Value) -> Response {
    let mut response = error_body(meta, StatusCode::UNAUTHORIZED, body);
    add_federated_challenges(&mut response, &meta.tenant_id);
    response
}

/// 401 TF400813 naming an account that authenticated but has no access to the organization
/// (recorded: `401-tf400813-userdata-projects`): X-VSS-UserData and the federated sign-in
/// headers come with it.
pub fn not_authorized_account(meta: &Meta, org_url: &str, account: &str) -> Response {
    let mut response = unauthorized_with(meta, &tf400813(account));
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-vss-authenticateerror", "Unauthorized".to_string()),
        ("x-tfs-fedauthissuer", format!("{org_url}/")),
        (
            "x-tfs-fedauthrealm",
            "https://tfsprodweu2.visualstudio.com/".to_string(),
        ),
        (
            "x-tfs-fedauthredirect",
            "https://spsprodweu5.vssps.visualstudio.com/_signin?realm=dev.azure.com".to_string(),
        ),
        ("x-vss-resourcetenant", meta.tenant_id.clone()),
        ("x-vss-authorizationendpoint", format!("{org_url}/")),
        (
            "x-vss-s2stargetservice",
            "00000002-0000-8888-8000-000000000000/visualstudio.com".to_string(),
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
    response
}

/// The HTML error page of an expired token (reconstructed from users' reports: the title
/// says it, and `X-TFS-ServiceError` carries the same words).
pub fn expired_page(meta: &Meta) -> Response {
    let message = "Access Denied: The Personal Access Token used has expired.";
    let html = format!(
        "<!DOCTYPE html>\r\n<html>\r\n<head>\r\n<title>{message}</title>\r\n</head>\r\n<body><div class=\"content\"><div class=\"error-summary\">{message}</div></div></body>\r\n</html>"
    );
    let mut response = raw(
        meta,
        StatusCode::UNAUTHORIZED,
        "text/html; charset=utf-8",
        html.into_bytes(),
    );
    set_service_error(&mut response, message);
    response
}

pub fn tf400813(user: &str) -> Value {
    wrapped_exception(
        &format!("TF400813: The user '{user}' is not authorized to access this resource."),
        "UnauthorizedRequestException",
        "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server",
    )
}

pub fn expired_pat() -> Value {
    let mut body = wrapped_exception(
        "Access Denied: The Personal Access Token used has expired.",
        "AccessCheckException",
        "Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi",
    );
    body["customProperties"] = json!({
        "Descriptor": null,
        "IdentityDisplayName": null,
        "Token": null,
        "RequestedPermissions": 0,
        "NamespaceId": "00000000-0000-0000-0000-000000000000"
    });
    body
}

pub fn conditional_access() -> Value {
    wrapped_exception(
        "VS403463: The conditional access policy defined by your Microsoft Entra (Azure Active Directory) administrator has failed.",
        "ConditionalAccessPolicyValidationException",
        "Microsoft.VisualStudio.Services.Identity.ConditionalAccessPolicyValidationException, Microsoft.VisualStudio.Services.WebApi",
    )
}

/// 203 with the HTML sign-in page: what an unauthenticated caller gets without
/// `X-TFS-FedAuthRedirect: Suppress`.
pub fn sign_in_page(meta: &Meta) -> Response {
    let html = "<!DOCTYPE html>\r\n<html>\r\n<head>\r\n<title>Azure DevOps Services | Sign In</title>\r\n\
<meta http-equiv=\"X-UA-Compatible\" content=\"IE=11;&#32;IE=10;&#32;IE=9;&#32;IE=8\" />\r\n</head>\r\n\
<body>\r\n<div class=\"signin\">Sign in to your account to continue to Azure DevOps.</div>\r\n\
<a href=\"https://app.vssps.visualstudio.com/_signin\">Sign in</a>\r\n</body>\r\n</html>\r\n";
    raw(
        meta,
        StatusCode::NON_AUTHORITATIVE_INFORMATION,
        "text/html; charset=utf-8",
        html.as_bytes().to_vec(),
    )
}

/// An HTML error page where a client expected JSON (a proxy or gateway answering instead).
pub fn html_page(meta: &Meta) -> Response {
    raw(
        meta,
        StatusCode::OK,
        "text/html; charset=utf-8",
        b"<html><head><title>Service Unavailable</title></head><body><h1>Our services aren't available right now</h1></body></html>".to_vec(),
    )
}
