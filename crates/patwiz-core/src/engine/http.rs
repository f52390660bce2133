//! The HTTP client every probe goes through.
//!
//! - Basic auth with an empty user name (git routes need a non-empty one), header marked
//!   sensitive; the token is never part of a URL, a log line or an error.
//! - `X-TFS-FedAuthRedirect: Suppress`, so the service answers with status codes rather than
//!   a sign-in page (a 203 page is still treated as a failure by the classifier).
//! - A per-request timeout and an overall deadline; a bounded retry on 429 / 503 that honours
//!   Retry-After within the deadline.
//! - Plain http only to loopback; redirects followed only within the same origin, never to
//!   another host with the token.
//! - Proxies from the standard environment variables (reqwest's default) and extra CA
//!   certificates from a PEM file for Azure DevOps Server behind a private CA.

use std::path::Path;
use std::time::Duration;

use super::versions::{ApiVersion, api_version_of, with_api_version};
use base64::Engine as _;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::zeroize::Zeroizing;
use tokio::time::Instant;
use url::Url;

use crate::domain::answer::{Answer, RawAnswer, parse_json};
use crate::domain::org_url::is_loopback;
use crate::domain::text::shorten;
use crate::domain::token::Token;

/// Bodies larger than this are not read (a hostile or broken server).
const MAX_BODY: usize = 8 * 1024 * 1024;
const MAX_RETRIES: u32 = 2;
const MAX_REDIRECTS: u32 = 3;
/// The longest wait a `Retry-After` can ask for.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// How a request authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No credentials (discovery).
    Anonymous,
    /// REST API: Basic with an empty user name.
    Rest,
    /// git over HTTPS: Basic with a non-empty user name.
    Git,
    /// A Microsoft Entra access token (the lifecycle API): `Bearer`.
    Bearer,
}

/// A complete answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Set when the service redirected to another host (not followed: the token stays home).
    pub redirected_to: Option<String>,
    /// Set when the service kept redirecting within its own origin (followed, with the token,
    /// until patwiz stopped after `MAX_REDIRECTS`).
    pub redirect_loop: bool,
}

impl Reply {
    /// The body as JSON (a leading byte-order mark, as the service sometimes sends, is fine).
    pub fn json(&self) -> Option<serde_json::Value> {
        parse_json(&self.body)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// What classification needs from this answer.
    pub fn answer(&self) -> Answer {
        Answer::read(RawAnswer {
            status: self.status,
            content_type: self.header("content-type"),
            user_data: self.header("x-vss-userdata"),
            service_error: self.header("x-tfs-serviceerror"),
            body: &self.body,
        })
    }

    /// The service's reason (cleaned of control characters), shortened for display.
    pub fn message(&self) -> Option<String> {
        self.answer().message.map(|m| shorten(&m, 300))
    }
}

/// Why no answer came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("the overall deadline passed")]
    Deadline,
    #[error("{0}")]
    Network(String),
    #[error("{0}")]
    Refused(String),
    #[error("the answer was too large ({0} bytes)")]
    TooLarge(u64),
}

/// Options for building the client.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub request_timeout: Duration,
    pub deadline: Duration,
    pub ca_file: Option<std::path::PathBuf>,
    /// The highest REST API version to ask for: given with `--api-version`, or what an earlier
    /// run learned from the deployment's refusal. `None`: patwiz's own versions, lowered when
    /// a refusal names the deployment's ceiling.
    pub api_ceiling: Option<ApiVersion>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            request_timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(30),
            ca_file: None,
            api_ceiling: None,
        }
    }
}

/// Why the HTTP client could not start.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The CA file (--ca-file, SSL_CERT_FILE) cannot be used; the text names the file and why.
    #[error("{0}")]
    CaFile(String),
    #[error("cannot start the HTTP client: {0}")]
    Build(String),
}

pub struct Http {
    /// For https: proxies from the environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY), through
    /// which the request only tunnels (CONNECT): the proxy never sees the token.
    client: reqwest::Client,
    /// For plain http (loopback only): never through a proxy, which would see the token in
    /// clear.
    direct: reqwest::Client,
    /// None for a client that only ever asks anonymously (the organization's existence check).
    token: Option<Token>,
    request_timeout: Duration,
    deadline: Instant,
    /// The highest api-version this deployment takes, as given or learned from a refusal
    /// during this run (every later request asks for no more).
    ceiling: std::sync::Mutex<Option<ApiVersion>>,
}

impl Http {
    /// A client that sends `token` with every request that is not anonymous.
    pub fn new(token: Token, options: &HttpOptions) -> Result<Http, ClientError> {
        Http::build(Some(token), options)
    }

    /// A client with no token at all: every request goes without credentials.
    pub fn anonymous(options: &HttpOptions) -> Result<Http, ClientError> {
        Http::build(None, options)
    }

    fn build(token: Option<Token>, options: &HttpOptions) -> Result<Http, ClientError> {
        let (client, direct) = clients(options)?;
        Ok(Http {
            client,
            direct,
            token,
            request_timeout: options.request_timeout,
            // Bounded: no deadline from a flag or a caller can overflow the clock.
            deadline: Instant::now() + options.deadline.min(Duration::from_secs(86_400)),
            ceiling: std::sync::Mutex::new(options.api_ceiling),
        })
    }

    /// The REST API ceiling this run has learned (or was given): what to remember for the
    /// organization.
    pub fn api_ceiling(&self) -> Option<ApiVersion> {
        *self
            .ceiling
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lowers the ceiling to `version` (never raises it).
    fn learn_ceiling(&self, version: ApiVersion) {
        let mut ceiling = self
            .ceiling
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if ceiling.is_none_or(|c| version < c) {
            *ceiling = Some(version);
        }
    }

    /// Sends one request (following same-origin redirects and retrying 429/503 within the
    /// deadline) and reads the whole body.
    ///
    /// A request never asks for more than the deployment's REST API ceiling once it is known;
    /// when the deployment refuses a version as out of range and names its ceiling (as every
    /// Server release does), the request is asked once more at that version, and so is every
    /// later one.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        auth: Auth,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Reply, HttpError> {
        let first = self
            .send_at_most(method.clone(), url, auth, body.clone())
            .await?;
        let Some(ceiling) = version_ceiling_named(&first) else {
            return Ok(first);
        };
        let asked = api_version_of(url).and_then(ApiVersion::parse);
        if asked.is_none_or(|asked| asked <= ceiling) {
            return Ok(first);
        }
        self.learn_ceiling(ceiling);
        self.send_at_most(method, url, auth, body).await
    }

    /// `url` at no more than the ceiling known now.
    async fn send_at_most(
        &self,
        method: Method,
        url: &str,
        auth: Auth,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Reply, HttpError> {
        let url = match self.api_ceiling() {
            Some(ceiling) => capped(url, ceiling),
            None => url.to_string(),
        };
        self.send_following(method, &url, auth, body).await
    }

    async fn send_following(
        &self,
        method: Method,
        url: &str,
        auth: Auth,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Reply, HttpError> {
        let mut current =
            Url::parse(url).map_err(|e| HttpError::Refused(format!("bad URL: {e}")))?;
        let origin = current.origin();
        let mut redirects = 0;
        let mut retries = 0;
        loop {
            refuse_cleartext(&current)?;
            let reply = self
                .send_once(method.clone(), &current, auth, body.as_ref())
                .await?;
            let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
            if status.is_redirection() {
                let Some(location) = reply
                    .headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| current.join(l).ok())
                else {
                    return Ok(reply);
                };
                if location.origin() != origin {
                    return Ok(Reply {
                        redirected_to: Some(location.host_str().unwrap_or("?").to_string()),
                        ..reply
                    });
                }
                if redirects >= MAX_REDIRECTS {
                    return Ok(Reply {
                        redirect_loop: true,
                        ..reply
                    });
                }
                redirects += 1;
                current = location;
                continue;
            }
            // A stopped organization (503 TF24668) will not answer differently in a second.
            let stopped = reply.status == 503 && reply.answer().is_stopped_organization();
            if matches!(reply.status, 429 | 503) && !stopped && retries < MAX_RETRIES {
                let wait = retry_after(&reply.headers).min(MAX_RETRY_WAIT);
                if Instant::now() + wait < self.deadline {
                    retries += 1;
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            return Ok(reply);
        }
    }

    async fn send_once(
        &self,
        method: Method,
        url: &Url,
        auth: Auth,
        body: Option<&(&str, Vec<u8>)>,
    ) -> Result<Reply, HttpError> {
        let now = Instant::now();
        if now >= self.deadline {
            return Err(HttpError::Deadline);
        }
        let limit = self.request_timeout.min(self.deadline - now);
        let method_name = method.to_string();
        let client = if url.scheme() == "https" {
            &self.client
        } else {
            &self.direct
        };
        let mut request = client
            .request(method, url.clone())
            .header(header::ACCEPT, "application/json")
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .header("X-VSS-ForceMsaPassThrough", "true");
        if let Some(value) = self.authorization(auth) {
            request = request.header(header::AUTHORIZATION, value);
        }
        if let Some((content_type, bytes)) = body {
            request = request
                .header(header::CONTENT_TYPE, *content_type)
                .body(bytes.clone());
        }
        let work = async {
            let response = request.send().await.map_err(describe)?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = match read_capped(response).await {
                Ok(body) => body,
                Err(Capped::TooLarge(n)) => return Err(HttpError::TooLarge(n)),
                Err(Capped::Failed(e)) => return Err(describe(e)),
            };
            Ok(Reply {
                status,
                headers,
                body,
                redirected_to: None,
                redirect_loop: false,
            })
        };
        let outcome = match tokio::time::timeout(limit, work).await {
            Ok(result) => result,
            Err(_) if Instant::now() >= self.deadline => Err(HttpError::Deadline),
            Err(_) => Err(HttpError::Timeout(limit.as_secs().max(1))),
        };
        let said = match &outcome {
            Ok(reply) => reply.status.to_string(),
            Err(e) => format!("no answer ({e})"),
        };
        super::request_log::record(method_name.as_str(), url, &said, now.elapsed());
        outcome
    }

    fn authorization(&self, auth: Auth) -> Option<HeaderValue> {
        let user = match auth {
            Auth::Anonymous => return None,
            Auth::Rest => "",
            Auth::Git => "patwiz",
            Auth::Bearer => {
                let token = self.token.as_ref()?;
                let header = Zeroizing::new(format!("Bearer {}", token.expose()));
                let mut value = HeaderValue::from_str(&header).ok()?;
                value.set_sensitive(true);
                return Some(value);
            }
        };
        let token = self.token.as_ref()?;
        let credentials = Zeroizing::new(format!("{user}:{}", token.expose()));
        let encoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(credentials.as_bytes()),
        );
        let header = Zeroizing::new(format!("Basic {}", encoded.as_str()));
        let mut value = HeaderValue::from_str(&header).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

fn refuse_cleartext(url: &Url) -> Result<(), HttpError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(HttpError::Refused(format!(
            "refusing to send the token over plain http to {}",
            url.host_str().unwrap_or("?")
        ))),
        other => Err(HttpError::Refused(format!("unsupported scheme {other}"))),
    }
}

/// The wait a `Retry-After` asks for, never more than `MAX_RETRY_WAIT`: a hostile or broken
/// value (`1e20`, `18446744073709551616`, `NaN`, a date) can neither panic nor stall the check.
pub fn retry_after(headers: &HeaderMap) -> Duration {
    headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(Duration::from_secs(1), |s| {
            Duration::from_secs_f64(s.min(MAX_RETRY_WAIT.as_secs_f64()))
        })
}

/// The two clients for these options, built once per process: building one loads the
/// operating system's trust store (about 4 ms each), which `status --check` would otherwise
/// pay twice per organization. A client holds no token (it goes on each request), so sharing
/// its connection pool shares nothing secret.
pub(crate) fn clients(
    options: &HttpOptions,
) -> Result<(reqwest::Client, reqwest::Client), ClientError> {
    type Key = (Option<std::path::PathBuf>, Duration);
    static BUILT: std::sync::Mutex<Vec<(Key, reqwest::Client, reqwest::Client)>> =
        std::sync::Mutex::new(Vec::new());
    let key = (options.ca_file.clone(), options.request_timeout);
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, client, direct)) = built.iter().find(|(k, _, _)| *k == key) {
        return Ok((client.clone(), direct.clone()));
    }
    let (client, direct) = build_clients(options)?;
    built.push((key, client.clone(), direct.clone()));
    Ok((client, direct))
}

/// Whether a client for these options can start: the CA file read and accepted, the system's
/// trust store loaded. (The client it builds is kept for the requests that follow.)
pub fn client_can_start(options: &HttpOptions) -> Result<(), ClientError> {
    clients(options).map(drop)
}

/// Why a body was not read whole.
pub(crate) enum Capped {
    /// Larger than `MAX_BODY` (a hostile or broken server): this many bytes, at least.
    TooLarge(u64),
    Failed(reqwest::Error),
}

/// The body of `response`, never more than `MAX_BODY` bytes of it: every server patwiz talks
/// to (Azure DevOps, Entra, a vault) is read through this.
pub(crate) async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, Capped> {
    if let Some(length) = response.content_length()
        && length > MAX_BODY as u64
    {
        return Err(Capped::TooLarge(length));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Capped::Failed)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Capped::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl Capped {
    /// In words, for a message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Capped::TooLarge(n) => {
                format!("the answer was too large ({n} bytes or more); not read")
            }
            Capped::Failed(e) => describe_error(e),
        }
    }
}

/// Makes ring the process's rustls crypto (reqwest is built without a provider of its own):
/// every client patwiz builds calls this first, and so does any other client in the process
/// (a test's plain reqwest client, which would panic without one).
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An error and every cause below it ("builder error: … : the system refused …"): the cause
/// is what says why.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut words = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !words.contains(&said) {
            words.push_str(": ");
            words.push_str(&said);
        }
        source = cause.source();
    }
    words
}

/// For https: proxies from the environment (only tunnelled through); for plain http (loopback
/// only): never a proxy.
fn build_clients(options: &HttpOptions) -> Result<(reqwest::Client, reqwest::Client), ClientError> {
    let certificates = match &options.ca_file {
        Some(path) => load_certificates(path)?,
        None => Vec::new(),
    };
    // The trust store is the operating system's (rustls-platform-verifier), plus any
    // --ca-file / SSL_CERT_FILE certificates.
    install_crypto();
    let build = |proxies: bool| {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("patwiz/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.request_timeout)
            .https_only(false);
        if !proxies {
            builder = builder.no_proxy();
        }
        if !certificates.is_empty() {
            builder = builder.tls_certs_merge(certificates.iter().cloned());
        }
        builder.build().map_err(|e| {
            let why = crate::domain::text::clean_line(&error_chain(&e));
            ClientError::Build(match &options.ca_file {
                Some(path) => format!("with the CA file {}: {why}", path.display()),
                None => why,
            })
        })
    };
    Ok((build(true)?, build(false)?))
}

/// A network failure in words a user can act on (never the token: it is not in the URL).
/// A failed request in words (the sign-in's requests use it too).
pub(crate) fn describe_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "no answer in time".to_string();
    }
    match describe_owned(error) {
        HttpError::Network(what) => what,
        other => other.to_string(),
    }
}

fn describe(error: reqwest::Error) -> HttpError {
    describe_owned(&error)
}

fn describe_owned(error: &reqwest::Error) -> HttpError {
    if error.is_timeout() {
        return HttpError::Timeout(0);
    }
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        chain.push_str(&e.to_string().to_ascii_lowercase());
        chain.push(' ');
        source = e.source();
    }
    let what = if chain.contains("dns") || chain.contains("resolve") || chain.contains("lookup") {
        "DNS lookup failed: check the host name"
    } else if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake")
    {
        "TLS failed: the server's certificate is not trusted (a private CA must be in the system's trust store, or named by SSL_CERT_FILE or patwiz check --ca-file)"
    } else if chain.contains("proxy") {
        "the proxy refused the connection (check HTTPS_PROXY / NO_PROXY)"
    } else if chain.contains("refused") {
        "connection refused: nothing listens at that address"
    } else if chain.contains("reset") || chain.contains("incomplete") || chain.contains("closed") {
        "the connection was cut before the answer was complete"
    } else if error.is_body() || error.is_decode() {
        "the answer could not be read"
    } else {
        "the request failed"
    };
    HttpError::Network(what.to_string())
}

/// A CA file larger than this is not a CA file.
const MAX_CA_FILE: u64 = 4 * 1024 * 1024;

/// The certificates of a CA file (PEM): refused, naming the file, when it cannot be read, is not
/// a regular file, or holds no certificate at all (garbage, a private key): a CA file that
/// silently adds nothing would only surface later as a TLS failure that advises this very file.
pub(crate) fn load_certificates(path: &Path) -> Result<Vec<reqwest::Certificate>, ClientError> {
    let pem = crate::store::files::read_regular_bytes(path, MAX_CA_FILE).map_err(|e| {
        ClientError::CaFile(format!("cannot read the CA file {}: {e}", path.display()))
    })?;
    let text = String::from_utf8_lossy(&pem);
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return Err(ClientError::CaFile(format!(
            "the CA file {} holds no certificate (expected PEM blocks \"-----BEGIN CERTIFICATE-----\")",
            path.display()
        )));
    }
    let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        ClientError::CaFile(format!(
            "the CA file {} is not valid PEM: {e}",
            path.display()
        ))
    })?;
    if certificates.is_empty() {
        return Err(ClientError::CaFile(format!(
            "the CA file {} holds no certificate",
            path.display()
        )));
    }
    Ok(certificates)
}

/// The ceiling a refusal names: 400 "The requested REST API version of 7.1 is out of range for
/// this server. The latest REST API version this server supports is 5.0." (every Server
/// release words it so; `VssVersionOutOfRangeException`).
fn version_ceiling_named(reply: &Reply) -> Option<ApiVersion> {
    if reply.status != 400 {
        return None;
    }
    let message = reply.message()?;
    crate::domain::answer::version_ceiling_in(&message).and_then(|v| ApiVersion::parse(&v))
}

/// `url` asking for no more than `ceiling`: a higher `api-version` becomes the ceiling (a
/// preview keeps the preview flag, without a resource version the lower release may not have).
fn capped(url: &str, ceiling: ApiVersion) -> String {
    let Some(asked) = api_version_of(url) else {
        return url.to_string();
    };
    match ApiVersion::parse(asked) {
        Some(version) if version > ceiling => {
            let lowered = if asked.contains("-preview") {
                format!("{ceiling}-preview")
            } else {
                ceiling.to_string()
            };
            with_api_version(url, &lowered)
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_and_bounded() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), Duration::from_secs(1));
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Duration::from_secs(2));
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("nonsense"));
        assert_eq!(retry_after(&h), Duration::from_secs(1));
        for hostile in ["1e20", "18446744073709551616", "1e308", "inf", "NaN", "-1"] {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static(hostile));
            assert!(retry_after(&h) <= MAX_RETRY_WAIT, "{hostile}");
        }
    }

    #[test]
    fn a_client_that_cannot_start_says_every_cause() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|l| l as _)
            }
        }
        let os = Layer("E_INVALIDARG (0x80070057)", None);
        let tls = Layer(
            "the platform verifier refused the CA file",
            Some(Box::new(os)),
        );
        let top = Layer("builder error", Some(Box::new(tls)));
        assert_eq!(
            error_chain(&top),
            "builder error: the platform verifier refused the CA file: E_INVALIDARG (0x80070057)"
        );
    }

    #[test]
    fn a_request_asks_for_no_more_than_the_ceiling() {
        let five = ApiVersion { major: 5, minor: 0 };
        assert_eq!(
            capped(
                "https://h/o/_apis/teams?$top=1&api-version=7.1-preview.3",
                five
            ),
            "https://h/o/_apis/teams?$top=1&api-version=5.0-preview"
        );
        assert_eq!(
            capped("https://h/o/_apis/projects?api-version=7.1", five),
            "https://h/o/_apis/projects?api-version=5.0"
        );
        assert_eq!(
            capped("https://h/o/_apis/projects?api-version=4.1", five),
            "https://h/o/_apis/projects?api-version=4.1"
        );
        assert_eq!(
            capped("https://h/o/_git/r/info/refs", five),
            "https://h/o/_git/r/info/refs"
        );
    }

    #[test]
    fn no_deadline_overflows_the_clock() {
        let options = HttpOptions {
            deadline: Duration::from_secs(u64::MAX),
            ..HttpOptions::default()
        };
        assert!(Http::new(Token::new("x"), &options).is_ok());
    }

    #[test]
    fn a_client_that_cannot_start_says_so_before_anything_is_sent_naming_the_file() {
        assert!(client_can_start(&HttpOptions::default()).is_ok());
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-ca.pem");
        let options = HttpOptions {
            ca_file: Some(missing.clone()),
            ..HttpOptions::default()
        };
        let err = client_can_start(&options).unwrap_err().to_string();
        assert!(err.contains(&missing.display().to_string()), "{err}");
    }

    #[test]
    fn cleartext_is_refused_except_to_loopback() {
        assert!(refuse_cleartext(&Url::parse("http://127.0.0.1:9/x").unwrap()).is_ok());
        assert!(refuse_cleartext(&Url::parse("https://dev.azure.com/x").unwrap()).is_ok());
        let err = refuse_cleartext(&Url::parse("http://dev.azure.com/x").unwrap()).unwrap_err();
        assert!(err.to_string().contains("plain http"));
    }

    #[test]
    fn the_authorization_header_is_sensitive_and_well_formed() {
        let http = Http::new(Token::new("secretvalue"), &HttpOptions::default()).unwrap();
        let value = http.authorization(Auth::Rest).unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "Basic OnNlY3JldHZhbHVl");
        assert!(!format!("{value:?}").contains("OnNlY3JldHZhbHVl"));
        let git = http.authorization(Auth::Git).unwrap();
        assert_eq!(git.to_str().unwrap(), "Basic cGF0d2l6OnNlY3JldHZhbHVl");
        assert!(http.authorization(Auth::Anonymous).is_none());
    }
}
