//! Response shapes of the real service: headers on every answer, WrappedException error
//! bodies, the empty 401 of a missing scope and the 203 sign-in page.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

/// The anonymous identity an organization with public projects reports for a bad token.
pub const ANONYMOUS_ID: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";

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
    let bytes = serde_json::to_vec(body).expect("JSON values serialise");
    raw(meta, status, &meta.content_type(), bytes)
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
    json_response(
        meta,
        status,
        &wrapped_exception(message, type_key, type_name),
    )
}

fn add_challenges(response: &mut Response, tenant: &str) {
    let headers = response.headers_mut();
    for value in [
        format!("Bearer authorization_uri=https://login.microsoftonline.com/{tenant}"),
        "Basic realm=\"https://tfsprodweu2.visualstudio.com/\"".to_string(),
        "TFS-Federated".to_string(),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.append(header::WWW_AUTHENTICATE, v);
        }
    }
}

/// 401 with an empty body: a missing scope (and, on some routes, any unauthenticated call).
pub fn unauthorized_empty(meta: &Meta) -> Response {
    let mut response = raw(
        meta,
        StatusCode::UNAUTHORIZED,
        "text/plain; charset=utf-8",
        Vec::new(),
    );
    add_challenges(&mut response, &meta.tenant_id);
    response
}

/// 401 with a WrappedException body (TF400813, expired PAT, conditional access).
pub fn unauthorized_with(meta: &Meta, body: &Value) -> Response {
    let mut response = json_response(meta, StatusCode::UNAUTHORIZED, body);
    add_challenges(&mut response, &meta.tenant_id);
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
