//! An Azure Key Vault double over loopback TLS (a certificate made at start): the secrets REST
//! API as Microsoft documents it for api-version 7.4 and later — Set Secret (every set a new
//! version), Get Secret (latest or a version), Get Secrets (the list, with tags and attributes)
//! — with the bearer challenge Microsoft's SDKs answer (`WWW-Authenticate: Bearer
//! authorization=…, resource="https://vault.azure.net"`). Checked with Microsoft's own
//! `azure-keyvault-secrets` client in the services tests.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Clone)]
struct Version {
    id: String,
    value: String,
    content_type: Option<String>,
    attributes: Value,
    tags: BTreeMap<String, String>,
}

type Accept = Arc<dyn Fn(&str) -> bool + Send + Sync>;

struct VaultState {
    accept: Accept,
    authority: String,
    base: String,
    secrets: Mutex<BTreeMap<String, Vec<Version>>>,
    counter: Mutex<u64>,
}

/// The running double; dropped, it stops accepting connections.
pub struct KeyVaultDouble {
    state: Arc<VaultState>,
    ca_pem: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for KeyVaultDouble {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/json; charset=utf-8")],
        json!({"error": {"code": code, "message": message}}).to_string(),
    )
        .into_response()
}

impl KeyVaultDouble {
    /// Starts on a free loopback port with a new certificate for 127.0.0.1; `bearer` is the
    /// one access token it accepts, `authority` what its challenge names (the tenant's sign-in).
    pub async fn start(bearer: &str, authority: &str) -> std::io::Result<KeyVaultDouble> {
        let bearer = bearer.to_string();
        KeyVaultDouble::start_accepting(Arc::new(move |t: &str| t == bearer), authority).await
    }

    /// As [`KeyVaultDouble::start`], accepting the access tokens `accept` says are good (the
    /// emulated Microsoft Entra's, for a sign-in through the browser or a device code).
    pub async fn start_accepting(
        accept: Accept,
        authority: &str,
    ) -> std::io::Result<KeyVaultDouble> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
        let key = rcgen::KeyPair::generate().map_err(|e| other(&e))?;
        let params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .map_err(|e| other(&e))?;
        let cert = params.self_signed(&key).map_err(|e| other(&e))?;
        let ca_pem = cert.pem();
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| other(&e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .map_err(|e| other(&e))?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let state = Arc::new(VaultState {
            accept,
            authority: authority.to_string(),
            base: format!("https://{addr}"),
            secrets: Mutex::new(BTreeMap::new()),
            counter: Mutex::new(0),
        });
        let app = Router::new().fallback(handle).with_state(state.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (acceptor, app) = (acceptor.clone(), app.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper_util::service::TowerToHyperService::new(app);
                    let _ = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
                });
            }
        });
        Ok(KeyVaultDouble {
            state,
            ca_pem,
            task,
        })
    }

    /// `https://127.0.0.1:PORT`: the vault's URL.
    pub fn url(&self) -> String {
        self.state.base.clone()
    }

    /// The certificate to trust (PEM), for `SSL_CERT_FILE` or an SDK's CA bundle.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Whether each version of `name` is enabled, oldest first, for tests.
    pub fn enabled(&self, name: &str) -> Vec<bool> {
        self.state
            .secrets
            .lock()
            .map(|s| {
                s.get(name)
                    .map(|versions| {
                        versions
                            .iter()
                            .map(|v| v.attributes["enabled"] != false)
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    }

    /// The tags of the latest version of `name`, for tests.
    pub fn tags(&self, name: &str) -> BTreeMap<String, String> {
        self.state
            .secrets
            .lock()
            .ok()
            .and_then(|s| s.get(name).and_then(|v| v.last()).map(|v| v.tags.clone()))
            .unwrap_or_default()
    }

    /// How many versions `name` has, for tests.
    pub fn versions(&self, name: &str) -> usize {
        self.state
            .secrets
            .lock()
            .map(|s| s.get(name).map_or(0, Vec::len))
            .unwrap_or(0)
    }
}

fn bundle(base: &str, name: &str, v: &Version, with_value: bool) -> Value {
    let mut out = json!({
        "id": format!("{base}/secrets/{name}/{}", v.id),
        "attributes": v.attributes,
        "tags": v.tags,
    });
    if let Some(ct) = &v.content_type {
        out["contentType"] = json!(ct);
    }
    if with_value {
        out["value"] = json!(v.value);
    }
    out
}

async fn handle(
    State(state): State<Arc<VaultState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = refused(&state, &headers, &uri) {
        return refused;
    }
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .to_string();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let Ok(mut secrets) = state.secrets.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "lock");
    };
    match (method, segments.as_slice()) {
        (Method::GET, ["secrets"]) => list_secrets(&state, &secrets),
        (Method::PUT, ["secrets", name]) => set_secret(&state, &mut secrets, name, &body),
        (Method::GET, ["secrets", name, rest @ ..]) => get_secret(&state, &secrets, name, rest),
        (Method::PATCH, ["secrets", name, id]) => {
            update_secret(&state, &mut secrets, name, id, &body)
        }
        _ => error(
            StatusCode::BAD_REQUEST,
            "BadParameter",
            "Unsupported operation.",
        ),
    }
}

type Secrets = BTreeMap<String, Vec<Version>>;

/// The refusal of a request without an accepted bearer token (with Key Vault's challenge), or
/// without an api-version.
fn refused(state: &VaultState, headers: &HeaderMap, uri: &Uri) -> Option<Response> {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|b| (state.accept)(b)) {
        let mut r = error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "AKV10000: Request is missing a Bearer or PoP token.",
        );
        if let Ok(v) = format!(
            "Bearer authorization=\"{}\", resource=\"https://vault.azure.net\"",
            state.authority
        )
        .parse()
        {
            r.headers_mut().insert("www-authenticate", v);
        }
        return Some(r);
    }
    (!uri.query().unwrap_or("").contains("api-version=")).then(|| {
        error(
            StatusCode::BAD_REQUEST,
            "BadParameter",
            "The request URI contains an invalid or missing api-version.",
        )
    })
}

fn json_answer(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [("content-type", "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn not_json() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "BadParameter",
        "The request body is not JSON.",
    )
}

fn string_tags(tags: &Value) -> Option<BTreeMap<String, String>> {
    tags.as_object().map(|m| {
        m.iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect()
    })
}

/// `GET /secrets`: each secret's latest version, without its value.
fn list_secrets(state: &VaultState, secrets: &Secrets) -> Response {
    let value: Vec<Value> = secrets
        .iter()
        .filter_map(|(name, versions)| {
            let latest = versions.last()?;
            let mut item = bundle(&state.base, name, latest, false);
            item["id"] = json!(format!("{}/secrets/{name}", state.base));
            Some(item)
        })
        .collect();
    json_answer(StatusCode::OK, &json!({"value": value, "nextLink": null}))
}

/// `PUT /secrets/{name}`: a new version, with at most 15 tags.
fn set_secret(state: &VaultState, secrets: &mut Secrets, name: &str, body: &[u8]) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return not_json();
    };
    let Some(value) = request["value"].as_str() else {
        return error(
            StatusCode::BAD_REQUEST,
            "BadParameter",
            "Property 'value' is required.",
        );
    };
    let tags = string_tags(&request["tags"]).unwrap_or_default();
    if tags.len() > 15 {
        return error(
            StatusCode::BAD_REQUEST,
            "BadParameter",
            "A secret may have at most 15 tags.",
        );
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut attributes = json!({
        "enabled": request["attributes"]["enabled"].as_bool().unwrap_or(true),
        "created": now,
        "updated": now,
        "recoveryLevel": "Recoverable+Purgeable",
        "recoverableDays": 90
    });
    if let Some(exp) = request["attributes"]["exp"].as_i64() {
        attributes["exp"] = json!(exp);
    }
    let id = match state.counter.lock() {
        Ok(mut c) => {
            *c += 1;
            format!("{:032x}", u128::from(*c) * 0x9e37_79b9_7f4a_7c15)
        }
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "lock"),
    };
    let version = Version {
        id,
        value: value.to_string(),
        content_type: request["contentType"].as_str().map(str::to_string),
        attributes,
        tags,
    };
    let out = bundle(&state.base, name, &version, true);
    secrets.entry(name.to_string()).or_default().push(version);
    json_answer(StatusCode::OK, &out)
}

/// `GET /secrets/{name}[/{version}]`: the latest or that version, with its value.
fn get_secret(state: &VaultState, secrets: &Secrets, name: &str, rest: &[&str]) -> Response {
    let found = match (secrets.get(name), rest) {
        (Some(v), [] | [""]) => v.last(),
        (Some(v), [id]) => v.iter().find(|x| x.id == *id),
        _ => None,
    };
    match found {
        Some(v) if v.attributes["enabled"] == false => json_answer(
            StatusCode::FORBIDDEN,
            &json!({"error": {
                "code": "Forbidden",
                "message": "Operation get is not allowed on a disabled secret.",
                "innererror": {"code": "SecretDisabled"}
            }}),
        ),
        Some(v) => json_answer(StatusCode::OK, &bundle(&state.base, name, v, true)),
        None => error(
            StatusCode::NOT_FOUND,
            "SecretNotFound",
            &format!(
                "A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
            ),
        ),
    }
}

/// `PATCH /secrets/{name}/{version}`: enabled and tags changed, the value never.
fn update_secret(
    state: &VaultState,
    secrets: &mut Secrets,
    name: &str,
    id: &str,
    body: &[u8],
) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return not_json();
    };
    let Some(version) = secrets
        .get_mut(name)
        .and_then(|v| v.iter_mut().find(|x| x.id == id))
    else {
        return error(
            StatusCode::NOT_FOUND,
            "SecretNotFound",
            &format!("A secret with (name/id) {name}/{id} was not found in this key vault."),
        );
    };
    if let Some(enabled) = request["attributes"]["enabled"].as_bool() {
        version.attributes["enabled"] = json!(enabled);
    }
    if let Some(tags) = string_tags(&request["tags"]) {
        version.tags = tags;
    }
    version.attributes["updated"] = json!(time::OffsetDateTime::now_utc().unix_timestamp());
    json_answer(StatusCode::OK, &bundle(&state.base, name, version, false))
}
