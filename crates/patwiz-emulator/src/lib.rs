//! A local Azure DevOps: the demo organization, and what every test and benchmark runs against.
//!
//! It answers as the real service does per the research notes: resource-area discovery and
//! API locations, connectionData, the probe endpoints with the scopes of Microsoft's REST specs,
//! 401 with an empty body for a missing scope, the 203 sign-in page without
//! `X-TFS-FedAuthRedirect: Suppress`, revoked / expired / conditional-access tokens, user
//! permission denials with `X-VSS-UserData`, and injected faults. It listens on loopback only.

pub mod clock;
pub mod keyvault;
pub mod kv;
pub mod lifecycle;
pub mod locations;
pub mod operations;
pub mod packages;
pub mod resources;
pub mod responses;
mod router;
mod routes;
pub mod scenario;

use patwiz_domain as domain;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, Method, Uri, header};
use serde_json::Value;
use tokio::sync::oneshot;

pub use scenario::Scenario;

/// One request the emulator saw (never the token: only the scenario's name for it).
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    pub path_and_query: String,
    pub had_authorization: bool,
    pub suppress_header: bool,
    /// The scenario name of the token that authenticated, if any.
    pub token: Option<String>,
    pub status: u16,
}

pub struct EmulatorState {
    pub scenario: Scenario,
    /// `http://127.0.0.1:PORT`
    pub root: String,
    work_items: Mutex<Vec<Value>>,
    fault_uses: Mutex<HashMap<(String, usize), u32>>,
    log: Mutex<Vec<LoggedRequest>>,
    pub lifecycle: lifecycle::Lifecycle,
}

impl EmulatorState {
    fn store_work_item(&self, item: Value) {
        self.work_items.lock().expect("not poisoned").push(item);
    }

    /// Counts one use of a fault; false once it has been used `times` times.
    fn take_fault_use(&self, owner: &str, index: usize, times: Option<u32>) -> bool {
        let mut uses = self.fault_uses.lock().expect("not poisoned");
        let used = uses.entry((owner.to_string(), index)).or_insert(0);
        if times.is_some_and(|t| *used >= t) {
            return false;
        }
        *used += 1;
        true
    }

    fn log(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        token: Option<String>,
        status: u16,
    ) {
        self.log.lock().expect("not poisoned").push(LoggedRequest {
            method: method.to_string(),
            path_and_query: uri
                .path_and_query()
                .map(ToString::to_string)
                .unwrap_or_default(),
            had_authorization: headers.contains_key(header::AUTHORIZATION),
            suppress_header: headers.contains_key("x-tfs-fedauthredirect"),
            token,
            status,
        });
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    state: Arc<EmulatorState>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("the emulator listens on loopback only; {0} is not a loopback address")]
    NotLoopback(String),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("{0} is not an address (use 127.0.0.1:PORT)")]
    BadAddress(String),
}

impl Emulator {
    /// Starts the emulator on `addr` (loopback only; port 0 picks a free one).
    pub async fn start(scenario: Scenario, addr: &str) -> Result<Emulator, EmulatorError> {
        let parsed: SocketAddr = addr
            .parse()
            .map_err(|_| EmulatorError::BadAddress(addr.to_string()))?;
        if !parsed.ip().is_loopback() {
            return Err(EmulatorError::NotLoopback(addr.to_string()));
        }
        let listener = tokio::net::TcpListener::bind(parsed)
            .await
            .map_err(|e| EmulatorError::Bind(addr.to_string(), e))?;
        let local = listener
            .local_addr()
            .map_err(|e| EmulatorError::Bind(addr.to_string(), e))?;
        let clock = scenario.clock;
        let state = Arc::new(EmulatorState {
            scenario,
            root: format!("http://{local}"),
            work_items: Mutex::new(Vec::new()),
            fault_uses: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            lifecycle: lifecycle::Lifecycle::on(clock),
        });
        let app = Router::new()
            .fallback(router::handle)
            .with_state(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Emulator {
            state,
            addr: local,
            shutdown: Some(tx),
        })
    }

    /// Starts the built-in demo organization on a free loopback port.
    pub async fn start_demo() -> Result<Emulator, EmulatorError> {
        Emulator::start(Scenario::default_demo(), "127.0.0.1:0").await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn root(&self) -> &str {
        &self.state.root
    }

    /// The demo organization's URL: `http://127.0.0.1:PORT/{org}`.
    pub fn org_url(&self) -> String {
        format!(
            "{}/{}",
            self.state.root, self.state.scenario.organization.name
        )
    }

    pub fn scenario(&self) -> &Scenario {
        &self.state.scenario
    }

    /// The value of a scenario token, by name (tests and the demo banner).
    pub fn token(&self, name: &str) -> Option<String> {
        self.state.scenario.token(name).map(|t| t.value.clone())
    }

    /// Work items actually created (a validate-only create adds none).
    pub fn work_item_count(&self) -> usize {
        self.state.work_items.lock().expect("not poisoned").len()
    }

    /// Every secret the emulated Entra and lifecycle API issued or received (access and refresh
    /// tokens, minted PATs, PKCE verifiers), for leak checks.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.state.lifecycle.secrets()
    }

    /// A check of access tokens against the ones the emulated Microsoft Entra issued, for
    /// another emulated service (the Key Vault) to accept its sign-ins.
    pub fn issued_access_check(&self) -> impl Fn(&str) -> bool + Send + Sync + 'static {
        let state = self.state.clone();
        move |token| state.lifecycle.issued_access(token)
    }

    /// A revoked token stays accepted for `lag` after its revocation (Azure DevOps can take up
    /// to an hour); zero, the default, stops it at once.
    pub fn set_revocation_lag(&self, lag: std::time::Duration) {
        self.state.lifecycle.set_revocation_lag(lag);
    }

    /// Tokens created through the lifecycle API and not revoked.
    pub fn minted_live(&self) -> usize {
        self.state.lifecycle.live_count()
    }

    /// Where the emulated Microsoft Entra signs in: `http://127.0.0.1:PORT/idp/{tenant}`.
    pub fn authority(&self) -> String {
        format!(
            "{}/idp/{}",
            self.state.root, self.state.scenario.organization.tenant_id
        )
    }

    /// Enters a device code as the person would on the sign-in page.
    pub fn approve_device_code(&self, user_code: &str) -> bool {
        self.state.lifecycle.approve(user_code)
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.log.lock().expect("not poisoned").clone()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
