//! An Azure Key Vault client for a team's tokens (secrets REST API, api-version 7.4): the token
//! as a secret whose expiry is the vault's own `exp` attribute (so the vault's expiry alerts
//! work), the facts as its tags, every write a new version. The bearer is a Microsoft Entra
//! token for `https://vault.azure.net` from the Azure CLI, a secret like the PAT; it is sent only
//! over https, to a Key Vault host (or loopback) and never through a plain-http proxy.

use std::collections::BTreeMap;

use crate::domain::team_vault::{LIST_ENTRIES, LIST_PAGES, LIST_SECONDS, Listing, Unread};
use reqwest::Method;
use serde_json::{Value, json};
use url::Url;

use super::http::HttpOptions;
use super::kv::KvError;
use crate::domain::token::Token;

const API_VERSION: &str = "7.4";
/// The resource a Key Vault bearer is for.
pub const RESOURCE: &str = "https://vault.azure.net";
/// Key Vault's hosts in the public and sovereign clouds.
const HOST_SUFFIXES: [&str; 4] = [
    ".vault.azure.net",
    ".vault.azure.cn",
    ".vault.usgovcloudapi.net",
    ".vault.microsoftazure.de",
];

/// A secret's latest version: its id, tags and expiry (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretInfo {
    pub version: String,
    pub tags: BTreeMap<String, String>,
    pub expires: Option<i64>,
}

pub struct KeyVault {
    base: Url,
    bearer: Token,
    client: reqwest::Client,
    /// Each request's whole time, answer included.
    timeout: std::time::Duration,
}

impl std::fmt::Debug for KeyVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyVault({}, bearer <redacted>)", self.base)
    }
}

fn failed(message: impl Into<String>) -> KvError {
    KvError::Failed {
        status: 0,
        message: crate::domain::text::safe_message(&message.into()),
    }
}

/// The https client for a Key Vault: the OS trust store, plus the CA file of `options` or
/// `SSL_CERT_FILE` (a private CA, or the emulated vault's certificate).
fn https_client(options: &HttpOptions) -> Result<reqwest::Client, KvError> {
    let mut options = options.clone();
    if options.ca_file.is_none() {
        options.ca_file = std::env::var_os("SSL_CERT_FILE").map(Into::into);
    }
    super::http::clients(&options)
        .map(|(https, _)| https)
        .map_err(|e| KvError::BadAddress(e.to_string()))
}

/// Whether `url` is a Key Vault the token may go to: https to a Key Vault host, or loopback.
pub fn allowed(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    url.scheme() == "https"
        && url.username().is_empty()
        && (HOST_SUFFIXES.iter().any(|s| host.ends_with(s))
            || crate::domain::org_url::is_loopback(url))
}

/// The scope a Key Vault sign-in asks for.
pub const SCOPE: &str = "https://vault.azure.net/.default";

/// Where a Key Vault's tenant signs in, as its own challenge says: an unauthenticated request
/// answers 401 with `WWW-Authenticate: Bearer authorization="https://login…/{tenant}"`.
pub async fn challenge_authority(
    base: &str,
    options: &HttpOptions,
) -> Result<super::entra::Authority, KvError> {
    let url = Url::parse(base).map_err(|e| KvError::BadAddress(e.to_string()))?;
    if !allowed(&url) {
        return Err(KvError::BadAddress(format!(
            "{url} is not an Azure Key Vault"
        )));
    }
    let response = https_client(options)?
        .get(format!(
            "{}/secrets?api-version={API_VERSION}",
            url.as_str().trim_end_matches('/')
        ))
        .send()
        .await
        .map_err(|e| KvError::Unreachable {
            addr: url.to_string(),
            reason: super::http::describe_error(&e),
        })?;
    let challenge = response
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let authority = challenge
        .split(',')
        .find_map(|part| {
            let (key, value) = part.trim().trim_start_matches("Bearer ").split_once('=')?;
            (key.trim() == "authorization").then(|| value.trim().trim_matches('"').to_string())
        })
        .ok_or_else(|| failed(format!("{url} sent no sign-in challenge")))?;
    let parsed = super::entra::Authority::parse(&authority).map_err(|e| failed(e.to_string()))?;
    // The challenge may only send the sign-in to Microsoft Entra (or, for a loopback vault, to
    // this machine): never to a host the vault chose.
    let host = Url::parse(parsed.as_str())
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let entra = [
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
    ];
    let to_entra = entra.contains(&host.as_str());
    let both_local = crate::domain::org_url::is_loopback(&url)
        && Url::parse(parsed.as_str()).is_ok_and(|u| crate::domain::org_url::is_loopback(&u));
    if !(to_entra || both_local) {
        return Err(failed(format!(
            "{url} asked to sign in at {host}, which is not Microsoft Entra: not followed"
        )));
    }
    Ok(parsed)
}

impl KeyVault {
    pub fn with_bearer(
        base: &str,
        bearer: Token,
        options: &HttpOptions,
    ) -> Result<KeyVault, KvError> {
        let base = Url::parse(base).map_err(|e| KvError::BadAddress(e.to_string()))?;
        if !allowed(&base) {
            return Err(KvError::BadAddress(format!(
                "{base} is not an Azure Key Vault (https://NAME.vault.azure.net): the sign-in token goes nowhere else"
            )));
        }
        let client = https_client(options)?;
        Ok(KeyVault {
            base,
            bearer,
            client,
            timeout: options.request_timeout,
        })
    }

    pub fn address(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}?api-version={API_VERSION}", self.address())
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), KvError> {
        let request = self
            .client
            .request(method, url)
            .timeout(self.timeout)
            .bearer_auth(self.bearer.expose());
        super::kv::exchange(request, body, self.address()).await
    }

    fn failure(status: u16, body: &Value) -> KvError {
        let message = body["error"]["message"]
            .as_str()
            .map(crate::domain::text::safe_message)
            .unwrap_or_else(|| "no message".into());
        match status {
            401 | 403 => KvError::Denied(format!(
                "{message} (the signed-in account needs the Key Vault Secrets Officer role, or a Set/Get access policy)"
            )),
            _ => KvError::Failed {
                status,
                message: format!("the Key Vault answered HTTP {status}: {message}"),
            },
        }
    }

    /// One version of a secret.
    fn version_url(&self, name: &str, version: &str) -> String {
        self.url(&format!(
            "secrets/{}/{}",
            Self::escape(name),
            Self::escape(version)
        ))
    }

    /// A secret's name in a URL: Key Vault names are letters, digits and dashes, and anything
    /// else is escaped.
    fn escape(name: &str) -> String {
        const ESCAPED: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'-');
        percent_encoding::utf8_percent_encode(name, ESCAPED).to_string()
    }

    /// The secret's latest version, `None` when there is none.
    pub async fn info(&self, name: &str) -> Result<Option<SecretInfo>, KvError> {
        let (status, body) = self
            .send(
                Method::GET,
                &self.url(&format!("secrets/{}", Self::escape(name))),
                None,
            )
            .await?;
        match status {
            200 => Ok(Some(read_info(&body))),
            404 => Ok(None),
            _ => Err(Self::failure(status, &body)),
        }
    }

    /// The token at the latest version.
    pub async fn value(&self, name: &str) -> Result<Option<Token>, KvError> {
        let (status, body) = self
            .send(
                Method::GET,
                &self.url(&format!("secrets/{}", Self::escape(name))),
                None,
            )
            .await?;
        match status {
            200 => Ok(body["value"].as_str().map(Token::new)),
            404 => Ok(None),
            _ => Err(Self::failure(status, &body)),
        }
    }

    /// The token at `version` (an id [`SecretInfo::version`] gave); `None` when the version is
    /// gone or disabled (Key Vault answers 403 `SecretDisabled` for a disabled one).
    pub async fn value_at(&self, name: &str, version: &str) -> Result<Option<Token>, KvError> {
        let (status, body) = self
            .send(Method::GET, &self.version_url(name, version), None)
            .await?;
        let disabled = ["innererror", "innerError"]
            .iter()
            .any(|k| body["error"][k]["code"] == "SecretDisabled");
        match status {
            200 => Ok(body["value"].as_str().map(Token::new)),
            404 => Ok(None),
            403 if disabled => Ok(None),
            _ => Err(Self::failure(status, &body)),
        }
    }

    /// Updates one version without a new one: `enabled` (false: no one can read it any more)
    /// and/or its tags (replaced as given).
    pub async fn update(
        &self,
        name: &str,
        version: &str,
        enabled: Option<bool>,
        tags: Option<&BTreeMap<String, String>>,
    ) -> Result<(), KvError> {
        let mut body = json!({});
        if let Some(enabled) = enabled {
            body["attributes"] = json!({"enabled": enabled});
        }
        if let Some(tags) = tags {
            body["tags"] = json!(limit_tags(tags));
        }
        let (status, answer) = self
            .send(Method::PATCH, &self.version_url(name, version), Some(body))
            .await?;
        match status {
            200 => Ok(()),
            _ => Err(Self::failure(status, &answer)),
        }
    }

    /// Sets a new version: the token, `exp` from the token's expiry, the facts as tags.
    pub async fn set(
        &self,
        name: &str,
        token: &Token,
        tags: &BTreeMap<String, String>,
        expires: Option<i64>,
    ) -> Result<String, KvError> {
        let mut attributes = json!({"enabled": true});
        if let Some(exp) = expires {
            attributes["exp"] = json!(exp);
        }
        let body = json!({
            "value": token.expose(),
            "contentType": "Azure DevOps personal access token",
            "attributes": attributes,
            "tags": limit_tags(tags),
        });
        let (status, answer) = self
            .send(
                Method::PUT,
                &self.url(&format!("secrets/{}", Self::escape(name))),
                Some(body),
            )
            .await?;
        match status {
            200 => Ok(read_info(&answer).version),
            _ => Err(Self::failure(status, &answer)),
        }
    }

    /// Every secret's name whose tags say patwiz wrote it, page by page: at most
    /// [`LIST_PAGES`] pages, [`LIST_ENTRIES`] names and [`LIST_SECONDS`] long, and the
    /// listing says what it left.
    pub async fn list(&self) -> Result<Listing, KvError> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(LIST_SECONDS);
        let mut next = Some(self.url("secrets"));
        let mut names = Vec::new();
        let (mut pages, mut seen) = (0usize, 0usize);
        let mut unread = None;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > LIST_PAGES {
                unread = Some(Unread::MorePages);
                break;
            }
            let Ok(answer) =
                tokio::time::timeout_at(deadline, self.send(Method::GET, &url, None)).await
            else {
                unread = Some(Unread::Slower);
                break;
            };
            let (status, body) = answer?;
            if status != 200 {
                return Err(Self::failure(status, &body));
            }
            for item in body["value"].as_array().into_iter().flatten() {
                seen += 1;
                if seen > LIST_ENTRIES {
                    unread = Some(Unread::MoreNames);
                    break;
                }
                let by_patwiz = item["tags"]["written_by"]
                    .as_str()
                    .is_some_and(|w| w.starts_with("patwiz"));
                if let Some(name) = item["id"].as_str().and_then(|id| id.rsplit('/').next())
                    && by_patwiz
                {
                    names.push(name.to_string());
                }
            }
            if unread.is_some() {
                break;
            }
            // Only a next page of this same vault is followed.
            next = body["nextLink"]
                .as_str()
                .filter(|n| n.starts_with(&self.address()))
                .map(str::to_string);
        }
        names.sort();
        Ok(Listing {
            paths: names,
            unread,
        })
    }
}

/// At most 15 tags of at most 256 characters, as Key Vault allows: patwiz's facts first (its
/// `written_by` is how a fleet view finds the secret), then the team's own.
fn limit_tags(tags: &BTreeMap<String, String>) -> BTreeMap<&String, String> {
    use crate::domain::team_vault::is_fact_key;
    let (facts, others): (Vec<_>, Vec<_>) = tags.iter().partition(|(k, _)| is_fact_key(k));
    facts
        .into_iter()
        .chain(others)
        .take(15)
        .map(|(k, v)| (k, v.chars().take(256).collect()))
        .collect()
}

fn read_info(body: &Value) -> SecretInfo {
    SecretInfo {
        version: body["id"]
            .as_str()
            .and_then(|id| id.rsplit('/').next())
            .unwrap_or_default()
            .to_string(),
        tags: body["tags"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default(),
        expires: body["attributes"]["exp"].as_i64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_goes_only_to_key_vault_hosts_over_https() {
        let ok = |u: &str| allowed(&Url::parse(u).unwrap());
        assert!(ok("https://team.vault.azure.net"));
        assert!(ok("https://team.vault.azure.cn"));
        assert!(ok("https://127.0.0.1:8443"));
        assert!(!ok("http://team.vault.azure.net"));
        assert!(!ok("https://vault.azure.net.evil.example"));
        assert!(!ok("https://example.com"));
    }

    #[test]
    fn the_fifteen_tags_key_vault_allows_keep_every_fact_before_the_teams_own() {
        let facts = crate::domain::team_vault::Facts {
            org_url: "https://dev.azure.com/contoso".into(),
            profile: "git-zen".into(),
            scopes: vec!["vso.code".into()],
            expires: Some("2027-01-01".into()),
            authorization_id: Some("id".into()),
            fingerprint: "c3".into(),
            owner: Some("svc@contoso.com".into()),
            verdict: "pass".into(),
            checked_at: "2026-12-01T10:00:00Z".into(),
            replaced: Some(crate::domain::team_vault::Replaced {
                authorization_id: "old".into(),
                version: "abc".into(),
                revoked_at: "2026-12-01T10:00:00Z".into(),
            }),
        };
        let mut tags = facts.to_metadata();
        let fact_count = tags.len();
        for team in ["a-team", "b-cost-centre", "c-owner", "d-oncall", "e-tier"] {
            tags.insert(team.into(), "x".into());
        }
        let kept = limit_tags(&tags);
        assert_eq!(kept.len(), 15);
        assert!(kept.keys().any(|k| k.as_str() == "written_by"));
        assert_eq!(
            kept.keys()
                .filter(|k| crate::domain::team_vault::is_fact_key(k))
                .count(),
            fact_count
        );
    }
}
