//! Real answers of Azure DevOps, served verbatim on loopback: each recording in
//! `tests/recordings` (copied from `../shared/ado/recordings`, recorded by other projects from
//! the live service) is answered to the request it matches, with its status, headers and body
//! bytes as recorded (a byte-order mark included). Only the framing headers (length, encoding,
//! connection) are left to the server, because the body is sent as it is.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::Value;

/// One recorded answer.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub id: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub request_method: String,
    pub request_uri: String,
}

pub fn recordings_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/recordings")
}

pub fn load(id: &str) -> Recorded {
    let path = recordings_dir().join(format!("{id}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap();
    let response = &json["response"];
    let headers = response["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_string(),
                h[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Recorded {
        id: id.to_string(),
        status: response["status"].as_u64().unwrap() as u16,
        headers,
        body: response["body"]
            .as_str()
            .map(|b| b.as_bytes().to_vec())
            .unwrap_or_default(),
        request_method: json["request"]["method"].as_str().unwrap().to_string(),
        request_uri: json["request"]["uri"].as_str().unwrap().to_string(),
    }
}

/// Every recording id in `tests/recordings`.
pub fn all_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(recordings_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    ids.sort();
    ids
}

/// Answer requests whose method is `method` (or any, for "*") and whose path contains `path`
/// (case-insensitive) with these recordings, in turn (the last one repeats).
pub struct Rule {
    pub method: &'static str,
    pub path: &'static str,
    pub answers: Vec<Recorded>,
}

pub fn rule(method: &'static str, path: &'static str, ids: &[&str]) -> Rule {
    Rule {
        method,
        path,
        answers: ids.iter().map(|id| load(id)).collect(),
    }
}

struct ReplayState {
    rules: Vec<Rule>,
    served: Mutex<HashMap<usize, usize>>,
    log: Mutex<Vec<String>>,
}

pub struct Replay {
    pub addr: SocketAddr,
    state: Arc<ReplayState>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Replay {
    pub async fn start(rules: Vec<Rule>) -> Replay {
        let state = Arc::new(ReplayState {
            rules,
            served: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Replay {
            addr,
            state,
            _shutdown: tx,
        }
    }

    pub fn org_url(&self, org: &str) -> String {
        format!("http://{}/{org}", self.addr)
    }

    /// "METHOD path → recording id" for every request served.
    pub fn log(&self) -> Vec<String> {
        self.state.log.lock().unwrap().clone()
    }
}

async fn handle(
    State(state): State<Arc<ReplayState>>,
    method: Method,
    uri: Uri,
    _headers: HeaderMap,
    _body: Bytes,
) -> Response {
    let path = uri.path().to_ascii_lowercase();
    let found = state.rules.iter().enumerate().find(|(_, r)| {
        (r.method == "*" || r.method.eq_ignore_ascii_case(method.as_str()))
            && path.contains(&r.path.to_ascii_lowercase())
    });
    let Some((index, rule)) = found else {
        state
            .log
            .lock()
            .unwrap()
            .push(format!("{method} {uri} → (no recording)"));
        let mut r = Response::new(Body::from("no recording for this request"));
        *r.status_mut() = StatusCode::NOT_IMPLEMENTED;
        return r;
    };
    let turn = {
        let mut served = state.served.lock().unwrap();
        let n = served.entry(index).or_insert(0);
        let turn = (*n).min(rule.answers.len() - 1);
        *n += 1;
        turn
    };
    let recorded = &rule.answers[turn];
    state
        .log
        .lock()
        .unwrap()
        .push(format!("{method} {uri} → {}", recorded.id));
    respond(recorded)
}

pub fn respond(recorded: &Recorded) -> Response {
    let mut response = Response::new(Body::from(recorded.body.clone()));
    *response.status_mut() = StatusCode::from_u16(recorded.status).unwrap();
    for (name, value) in &recorded.headers {
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "content-length" | "transfer-encoding" | "connection" | "content-encoding"
        ) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(lower.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}
