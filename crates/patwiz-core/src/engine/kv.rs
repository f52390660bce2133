//! A HashiCorp Vault / OpenBao KV version 2 client for a team's tokens: read a secret's metadata
//! and token, write a new version with check-and-set, keep the non-secret facts in its
//! `custom_metadata`, list a prefix. The vault's own token comes from the standard variables
//! (`VAULT_ADDR`, `VAULT_TOKEN` or `~/.vault-token`, `VAULT_NAMESPACE`, `VAULT_CACERT`; OpenBao's
//! `BAO_*` names too) and, like the PAT, goes only over https (or to loopback) and never through a
//! plain-http proxy.

use std::collections::BTreeMap;

use crate::domain::team_vault::{LIST_DEPTH, LIST_ENTRIES, LIST_SECONDS, Listing, Unread};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;

use super::http::HttpOptions;
use crate::domain::token::Token;

/// Why the vault could not be used. Messages never hold a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KvError {
    #[error("no vault address: set VAULT_ADDR (for example https://vault.example:8200)")]
    NoAddress,
    #[error("VAULT_ADDR: {0}")]
    BadAddress(String),
    #[error(
        "no vault token: set VAULT_TOKEN, or sign in with `vault login` / `bao login` (which writes ~/.vault-token)"
    )]
    NoToken,
    #[error("the vault refused: {0}")]
    Denied(String),
    #[error(
        "someone else wrote {path} (now version {current}) since patwiz read it at version {expected}: nothing was written"
    )]
    Conflict {
        path: String,
        expected: u64,
        current: u64,
    },
    #[error("someone else changed {path} since patwiz read it: nothing was written")]
    Changed { path: String },
    #[error("{}", if *status == 0 { message.clone() } else { format!("the vault answered HTTP {status}: {message}") })]
    Failed { status: u16, message: String },
    #[error("cannot reach the vault at {addr}: {reason}")]
    Unreachable { addr: String, reason: String },
}

/// Sends an authenticated vault request (with `body` as JSON, if any) and reads its answer
/// through the capped reader: the status and the JSON (`Null` when the body is none). `addr`
/// names the vault in errors. Both vault clients (KV v2, Key Vault) go through it.
pub(crate) async fn exchange(
    mut request: reqwest::RequestBuilder,
    body: Option<Value>,
    addr: String,
) -> Result<(u16, Value), KvError> {
    if let Some(body) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            return Err(KvError::Unreachable {
                addr,
                reason: super::http::describe_error(&e),
            });
        }
    };
    let status = response.status().as_u16();
    let bytes = super::http::read_capped(response)
        .await
        .map_err(|e| KvError::Unreachable {
            addr,
            reason: e.describe(),
        })?;
    Ok((status, answer_body(status, &bytes)?))
}

/// A vault's answer as JSON. A successful answer that is not JSON (or is nested too deep to
/// read) is an error, never an empty answer: read as nothing, it would say "no token here".
/// An error's body is only its message, so an unreadable one is simply none.
fn answer_body(status: u16, bytes: &[u8]) -> Result<Value, KvError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(_) if !(200..300).contains(&status) => Ok(Value::Null),
        Err(e) => Err(KvError::Failed {
            status,
            message: format!(
                "its answer is not JSON patwiz can read ({})",
                match e.classify() {
                    serde_json::error::Category::Syntax if e.to_string().contains("recursion") =>
                        "nested too deep",
                    serde_json::error::Category::Eof => "cut short",
                    _ => "not JSON",
                }
            ),
        }),
    }
}

/// A secret's metadata: its current version and the facts kept beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub current_version: u64,
    pub custom: BTreeMap<String, String>,
}

pub struct Kv {
    addr: Url,
    token: SecretString,
    namespace: Option<String>,
    client: reqwest::Client,
    /// Each request's whole time, answer included: a vault that never answers holds up nothing.
    timeout: std::time::Duration,
}

impl std::fmt::Debug for Kv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kv({}, token <redacted>)", self.addr)
    }
}

fn var(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
}

impl Kv {
    /// The vault the standard variables name.
    pub fn from_env(options: &HttpOptions) -> Result<Kv, KvError> {
        let addr = var(&["VAULT_ADDR", "BAO_ADDR"]).ok_or(KvError::NoAddress)?;
        let token = match var(&["VAULT_TOKEN", "BAO_TOKEN"]) {
            Some(t) => SecretString::from(t.trim().to_string()),
            None => {
                let home = directories::BaseDirs::new().ok_or(KvError::NoToken)?;
                let file = home.home_dir().join(".vault-token");
                let text = crate::store::files::read_regular(&file, 64 * 1024)
                    .map_err(|_| KvError::NoToken)?;
                SecretString::from(text.trim().to_string())
            }
        };
        if token.expose_secret().is_empty() {
            return Err(KvError::NoToken);
        }
        let namespace = var(&["VAULT_NAMESPACE", "BAO_NAMESPACE"]);
        let mut options = options.clone();
        if let Some(ca) = var(&["VAULT_CACERT", "BAO_CACERT"]) {
            options.ca_file = Some(ca.into());
        }
        Kv::new(&addr, token, namespace, &options)
    }

    pub fn new(
        addr: &str,
        token: SecretString,
        namespace: Option<String>,
        options: &HttpOptions,
    ) -> Result<Kv, KvError> {
        let addr = Url::parse(addr.trim()).map_err(|e| KvError::BadAddress(e.to_string()))?;
        let loopback = crate::domain::org_url::is_loopback(&addr);
        let client = match addr.scheme() {
            "https" => {
                super::http::clients(options)
                    .map_err(|e| KvError::BadAddress(e.to_string()))?
                    .0
            }
            // Plain http only to this machine, and then never through a proxy.
            "http" if loopback => {
                super::http::clients(options)
                    .map_err(|e| KvError::BadAddress(e.to_string()))?
                    .1
            }
            "http" => {
                return Err(KvError::BadAddress(format!(
                    "{addr} is plain http to another machine: the vault token would cross the network in clear text. Use https"
                )));
            }
            other => return Err(KvError::BadAddress(format!("unknown scheme {other}"))),
        };
        Ok(Kv {
            addr,
            token,
            namespace,
            client,
            timeout: options.request_timeout,
        })
    }

    /// Where the vault is (for messages): its address, nothing secret.
    pub fn address(&self) -> String {
        self.addr.as_str().trim_end_matches('/').to_string()
    }

    fn url(&self, mount: &str, kind: &str, path: &str, query: &str) -> String {
        let escape = |s: &str| {
            s.split('/')
                .map(|seg| {
                    percent_encoding::utf8_percent_encode(seg, percent_encoding::NON_ALPHANUMERIC)
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join("/")
        };
        format!(
            "{}/v1/{}/{kind}/{}{query}",
            self.address(),
            escape(mount),
            escape(path)
        )
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), KvError> {
        let mut request = self
            .client
            .request(method, url)
            .timeout(self.timeout)
            .header("X-Vault-Token", self.token.expose_secret())
            .header("X-Vault-Request", "true");
        if let Some(ns) = &self.namespace {
            request = request.header("X-Vault-Namespace", ns);
        }
        exchange(request, body, self.address()).await
    }

    fn failure(status: u16, body: &Value) -> KvError {
        let message = body
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "no message".to_string());
        let message = crate::domain::text::safe_message(&message);
        match status {
            401 | 403 => KvError::Denied(format!(
                "{message} (check VAULT_TOKEN and that its policy allows this path)"
            )),
            _ => KvError::Failed { status, message },
        }
    }

    /// The secret's metadata, `None` when it does not exist yet.
    pub async fn metadata(&self, mount: &str, path: &str) -> Result<Option<Metadata>, KvError> {
        let (status, body) = self
            .send(Method::GET, &self.url(mount, "metadata", path, ""), None)
            .await?;
        match status {
            200 => {
                let data = &body["data"];
                let custom = data["custom_metadata"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                Ok(Some(Metadata {
                    current_version: data["current_version"].as_u64().unwrap_or(0),
                    custom,
                }))
            }
            404 => Ok(None),
            _ => Err(Kv::failure(status, &body)),
        }
    }

    /// Writes `token` as a new version, only if the secret is still at `expected` (0: only if it
    /// does not exist). Returns the new version; the old ones stay in the vault's history.
    pub async fn write(
        &self,
        mount: &str,
        path: &str,
        token: &Token,
        expected: u64,
    ) -> Result<u64, KvError> {
        let body = json!({"data": {"token": token.expose()}, "options": {"cas": expected}});
        let (status, answer) = self
            .send(Method::POST, &self.url(mount, "data", path, ""), Some(body))
            .await?;
        match status {
            200 | 204 => Ok(answer["data"]["version"].as_u64().unwrap_or(expected + 1)),
            400 if answer.to_string().contains("check-and-set") => {
                let current = self
                    .metadata(mount, path)
                    .await
                    .ok()
                    .flatten()
                    .map_or(0, |m| m.current_version);
                Err(KvError::Conflict {
                    path: format!("{mount}/{path}"),
                    expected,
                    current,
                })
            }
            _ => Err(Kv::failure(status, &answer)),
        }
    }

    /// Replaces the secret's `custom_metadata` (the facts beside the token).
    pub async fn set_metadata(
        &self,
        mount: &str,
        path: &str,
        custom: &BTreeMap<String, String>,
    ) -> Result<(), KvError> {
        let body = json!({"custom_metadata": custom});
        let (status, answer) = self
            .send(
                Method::POST,
                &self.url(mount, "metadata", path, ""),
                Some(body),
            )
            .await?;
        match status {
            200 | 204 => Ok(()),
            _ => Err(Kv::failure(status, &answer)),
        }
    }

    /// The token at the secret's current version, and that version.
    pub async fn read_token(
        &self,
        mount: &str,
        path: &str,
    ) -> Result<Option<(Token, u64)>, KvError> {
        let (status, body) = self
            .send(Method::GET, &self.url(mount, "data", path, ""), None)
            .await?;
        match status {
            200 => {
                let version = body["data"]["metadata"]["version"].as_u64().unwrap_or(0);
                Ok(body["data"]["data"]["token"]
                    .as_str()
                    .map(|t| (Token::new(t), version)))
            }
            404 => Ok(None),
            _ => Err(Kv::failure(status, &body)),
        }
    }

    /// The token at `version`; `None` when that version was destroyed, deleted or never was
    /// (OpenBao answers 404 for each, with `destroyed` in the metadata).
    pub async fn read_version(
        &self,
        mount: &str,
        path: &str,
        version: u64,
    ) -> Result<Option<Token>, KvError> {
        let query = format!("?version={version}");
        let (status, body) = self
            .send(Method::GET, &self.url(mount, "data", path, &query), None)
            .await?;
        match status {
            200 => Ok(body["data"]["data"]["token"].as_str().map(Token::new)),
            404 => Ok(None),
            _ => Err(Kv::failure(status, &body)),
        }
    }

    /// Destroys `version` for good (its data, not the secret's other versions or metadata).
    pub async fn destroy(&self, mount: &str, path: &str, version: u64) -> Result<(), KvError> {
        let body = json!({"versions": [version]});
        let (status, answer) = self
            .send(
                Method::POST,
                &self.url(mount, "destroy", path, ""),
                Some(body),
            )
            .await?;
        match status {
            200 | 204 => Ok(()),
            _ => Err(Kv::failure(status, &answer)),
        }
    }

    /// Every secret under `prefix` (recursively), as paths below the mount. The folders of one
    /// level are listed together, so a tree costs a round trip per level, not per folder. A
    /// vault whose folders list folders forever is read [`LIST_DEPTH`] levels deep, at most
    /// [`LIST_ENTRIES`] names and [`LIST_SECONDS`] long, and the listing says what it left.
    pub async fn list(&self, mount: &str, prefix: &str) -> Result<Listing, KvError> {
        use futures_util::StreamExt as _;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(LIST_SECONDS);
        let mut found = Vec::new();
        let mut seen = 0usize;
        let mut unread = None;
        let mut level = vec![prefix.trim_matches('/').to_string()];
        for depth in 0..=LIST_DEPTH {
            if level.is_empty() {
                break;
            }
            if depth == LIST_DEPTH {
                unread = Some(Unread::Deeper);
                break;
            }
            let listing = futures_util::stream::iter(level)
                .map(|folder| async move {
                    let url = self.url(mount, "metadata", &folder, "?list=true");
                    (folder, self.send(Method::GET, &url, None).await)
                })
                .buffer_unordered(64)
                .collect::<Vec<_>>();
            let Ok(answers) = tokio::time::timeout_at(deadline, listing).await else {
                unread = Some(Unread::Slower);
                break;
            };
            let mut next = Vec::new();
            for (folder, answer) in answers {
                let (status, body) = answer?;
                match status {
                    200 => {}
                    404 => continue,
                    _ => return Err(Kv::failure(status, &body)),
                }
                for key in body["data"]["keys"].as_array().into_iter().flatten() {
                    let Some(key) = key.as_str() else { continue };
                    seen += 1;
                    if seen > LIST_ENTRIES {
                        unread = Some(Unread::MoreNames);
                        break;
                    }
                    let full = if folder.is_empty() {
                        key.to_string()
                    } else {
                        format!("{folder}/{key}")
                    };
                    match full.strip_suffix('/') {
                        Some(sub) => next.push(sub.to_string()),
                        None => found.push(full),
                    }
                }
            }
            if unread.is_some() {
                break;
            }
            level = next;
        }
        found.sort();
        Ok(Listing {
            paths: found,
            unread,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_to_another_machine_is_refused_and_debug_hides_the_token() {
        let token = || SecretString::from("s.secret-vault-token".to_string());
        let refused = Kv::new(
            "http://vault.example:8200",
            token(),
            None,
            &HttpOptions::default(),
        );
        assert!(matches!(refused, Err(KvError::BadAddress(m)) if m.contains("clear text")));
        let kv = Kv::new(
            "http://127.0.0.1:8200",
            token(),
            None,
            &HttpOptions::default(),
        )
        .unwrap();
        assert!(!format!("{kv:?}").contains("secret-vault-token"));
        assert_eq!(
            kv.url("secret", "data", "ado/Git Zen", ""),
            "http://127.0.0.1:8200/v1/secret/data/ado/Git%20Zen"
        );
    }
}
