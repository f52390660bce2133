//! The PAT lifecycle API client: list, get, create, update and revoke the signed-in user's
//! PATs at `{identity host}/_apis/tokens/pats`, with an Entra bearer only. Refusals arrive in a
//! 200 body (`patTokenError`); a sign-in the service cannot take arrives as a 203 sign-in page.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::discovery::{Discovery, host_allowed};
use super::entra::EntraToken;
use super::http::{Auth, Http, HttpError, HttpOptions};
use crate::domain::lifecycle::{API_VERSION, PatRecord, Refusal};
use crate::domain::org_url::{OrgKind, OrgUrl};
use crate::domain::token::Token;

/// Why a lifecycle request did not do what was asked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LifecycleError {
    /// Azure DevOps Server, or a host patwiz will not send the sign-in to.
    #[error("{0}")]
    Unavailable(String),
    /// 203/302 to the sign-in page: the token is not one Azure DevOps takes here.
    #[error(
        "Azure DevOps did not accept the sign-in (it answered with its sign-in page): the organization may not be backed by Microsoft Entra (a Microsoft account organization cannot use this), or the sign-in is for another tenant or expired"
    )]
    SignInNotAccepted,
    /// 401/403 without a refusal: consent or the PAT scopes are missing.
    #[error(
        "Azure DevOps refused the sign-in's access (HTTP {0}): it lacks the vso.pats and vso.pats_manage permissions, or your tenant needs an administrator's consent for them"
    )]
    NotPermitted(u16),
    /// A PAT (or another credential that is not a delegated Entra token) was used.
    #[error("a personal access token cannot create or manage tokens: sign in with Microsoft Entra")]
    NotEntra,
    #[error("{}", .0.explain(.1).what)]
    Refused(Refusal, String),
    #[error("Azure DevOps answered HTTP {0} to the token request{1}")]
    Http(u16, String),
    #[error("{0}")]
    Network(String),
}

impl LifecycleError {
    /// The policy refusal, when it is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            LifecycleError::Refused(r, _) => Some(r),
            _ => None,
        }
    }
}

/// A created PAT: its record and its value (returned once).
pub struct Created {
    pub record: PatRecord,
    pub token: Token,
}

impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Created")
            .field("record", &self.record)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultBody {
    #[serde(default)]
    pat_token: Option<serde_json::Value>,
    #[serde(default)]
    pat_token_error: Option<String>,
    #[serde(default)]
    pat_token_error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListBody {
    #[serde(default)]
    continuation_token: Option<String>,
    #[serde(default)]
    pat_tokens: Vec<PatRecord>,
}

pub struct Lifecycle {
    http: Http,
    base: String,
    org_name: String,
}

impl Lifecycle {
    /// The client for `org`, whose identity host discovery found; the sign-in goes only there.
    pub fn new(
        org: &OrgUrl,
        discovery: &Discovery,
        sign_in: &EntraToken,
        options: &HttpOptions,
    ) -> Result<Lifecycle, LifecycleError> {
        // Azure DevOps Server advertises no resource areas (an organization on this machine
        // that does is the emulated cloud).
        if org.kind() == OrgKind::Server && !discovery.advertised {
            return Err(LifecycleError::Unavailable(
                "Azure DevOps Server has no PAT lifecycle API (it needs Microsoft Entra): create the token in the browser".into(),
            ));
        }
        let base = format!("{}/_apis/tokens/pats", discovery.hosts.ims);
        let url = url::Url::parse(&base).map_err(|e| LifecycleError::Unavailable(e.to_string()))?;
        if !host_allowed(org, &url) {
            return Err(LifecycleError::Unavailable(format!(
                "{} is not one of {org}'s own hosts: the sign-in is not sent there",
                url.host_str().unwrap_or("?")
            )));
        }
        let http = Http::new(Token::new(sign_in.access.expose()), options)
            .map_err(|e| LifecycleError::Network(e.to_string()))?;
        Ok(Lifecycle {
            http,
            base,
            org_name: org.name().to_string(),
        })
    }

    async fn call(
        &self,
        method: Method,
        query: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> Result<(u16, Vec<u8>), LifecycleError> {
        let mut url =
            url::Url::parse(&self.base).map_err(|e| LifecycleError::Network(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        for (k, v) in query {
            url.query_pairs_mut().append_pair(k, v);
        }
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        let reply = self
            .http
            .send(method, url.as_str(), Auth::Bearer, body)
            .await
            .map_err(|e: HttpError| LifecycleError::Network(e.to_string()))?;
        let text = String::from_utf8_lossy(&reply.body);
        match reply.status {
            203 => return Err(LifecycleError::SignInNotAccepted),
            s if (300..400).contains(&s) => return Err(LifecycleError::SignInNotAccepted),
            401 | 403 if text.contains("InvalidAccessException") => {
                return Err(LifecycleError::NotEntra);
            }
            401 | 403 => return Err(LifecycleError::NotPermitted(reply.status)),
            s if !(200..300).contains(&s) => {
                let said = reply
                    .message()
                    .map(|m| format!(": \"{m}\""))
                    .unwrap_or_default();
                return Err(LifecycleError::Http(s, said));
            }
            _ => {}
        }
        Ok((reply.status, reply.body))
    }

    fn read_result(&self, body: &[u8]) -> Result<(PatRecord, Option<Token>), LifecycleError> {
        let body = strip_bom(body);
        let parsed: ResultBody = serde_json::from_slice(body)
            .map_err(|e| LifecycleError::Http(200, format!(" that patwiz cannot read ({e})")))?;
        if let Some(refusal) = parsed.pat_token_error.as_deref().and_then(Refusal::parse) {
            let _ = parsed.pat_token_error_message;
            return Err(LifecycleError::Refused(refusal, self.org_name.clone()));
        }
        let Some(value) = parsed.pat_token else {
            return Err(LifecycleError::Http(
                200,
                " with no token and no reason".into(),
            ));
        };
        let token = value
            .get("token")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(Token::new);
        let record: PatRecord = serde_json::from_value(value)
            .map_err(|e| LifecycleError::Http(200, format!(" that patwiz cannot read ({e})")))?;
        Ok((record, token))
    }

    /// Creates an organization-scoped PAT with exactly `scopes`.
    pub async fn create(
        &self,
        display_name: &str,
        scopes: &[String],
        valid_to: OffsetDateTime,
    ) -> Result<Created, LifecycleError> {
        let body = json!({
            "displayName": display_name,
            "scope": scopes.join(" "),
            "validTo": valid_to.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "allOrgs": false,
        });
        let (_, bytes) = self.call(Method::POST, &[], Some(body)).await?;
        let (record, token) = self.read_result(&bytes)?;
        let token = token.ok_or_else(|| {
            LifecycleError::Http(200, " with the token's record but not its value".into())
        })?;
        Ok(Created { record, token })
    }

    /// Changes a valid PAT's scopes and/or expiry in place (its value stays).
    pub async fn update(
        &self,
        authorization_id: &str,
        scopes: Option<&[String]>,
        valid_to: Option<OffsetDateTime>,
    ) -> Result<PatRecord, LifecycleError> {
        let mut body = json!({ "authorizationId": authorization_id });
        if let Some(scopes) = scopes {
            body["scope"] = json!(scopes.join(" "));
        }
        if let Some(valid_to) = valid_to {
            body["validTo"] = json!(
                valid_to
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            );
        }
        let (_, bytes) = self.call(Method::PUT, &[], Some(body)).await?;
        Ok(self.read_result(&bytes)?.0)
    }

    pub async fn get(&self, authorization_id: &str) -> Result<PatRecord, LifecycleError> {
        let (_, bytes) = self
            .call(Method::GET, &[("authorizationId", authorization_id)], None)
            .await?;
        Ok(self.read_result(&bytes)?.0)
    }

    /// Revokes a PAT by its id.
    pub async fn revoke(&self, authorization_id: &str) -> Result<(), LifecycleError> {
        let (_, bytes) = self
            .call(
                Method::DELETE,
                &[("authorizationId", authorization_id)],
                None,
            )
            .await?;
        // 204 (the example) or 200 (the spec), possibly with a refusal in the body.
        if !bytes.is_empty()
            && let Ok(parsed) = serde_json::from_slice::<ResultBody>(strip_bom(&bytes))
            && let Some(refusal) = parsed.pat_token_error.as_deref().and_then(Refusal::parse)
        {
            return Err(LifecycleError::Refused(refusal, self.org_name.clone()));
        }
        Ok(())
    }

    /// Every PAT of the signed-in user (`filter`: active, expired, revoked or all), all pages.
    pub async fn list(&self, filter: &str) -> Result<Vec<PatRecord>, LifecycleError> {
        let mut out = Vec::new();
        let mut continuation = String::new();
        for _ in 0..100 {
            let mut query = vec![("displayFilterOption", filter), ("$top", "100")];
            if !continuation.is_empty() {
                query.push(("continuationToken", continuation.as_str()));
            }
            let (_, bytes) = self.call(Method::GET, &query, None).await?;
            let page: ListBody = serde_json::from_slice(strip_bom(&bytes)).map_err(|e| {
                LifecycleError::Http(200, format!(" that patwiz cannot read ({e})"))
            })?;
            out.extend(page.pat_tokens);
            match page.continuation_token.filter(|c| !c.is_empty()) {
                Some(next) if next != continuation => continuation = next,
                _ => break,
            }
        }
        Ok(out)
    }
}

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}
