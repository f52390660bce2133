//! Signing in with Microsoft Entra for the PAT lifecycle API, three ways, best first: an existing
//! Azure CLI sign-in (`az account get-access-token`, no app registration), the authorization
//! code flow with PKCE on a loopback redirect, and the device-code flow where no browser opens.
//! Never a password flow. The access token is a secret like the PAT: it lives in memory, is
//! masked in `Debug`, and goes only to the identity provider and the organization's hosts.

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, DeviceAuthorizationUrl, PkceCodeChallenge,
    RedirectUrl, Scope, StandardDeviceAuthorizationResponse, TokenResponse, TokenUrl,
};
use url::Url;

use super::http::{HttpOptions, clients};
use crate::domain::lifecycle::{ADO_RESOURCE, PAT_SCOPES};
use crate::domain::org_url::is_loopback;
use crate::domain::token::Token;

/// The public cloud's sign-in host.
pub const LOGIN_HOST: &str = "https://login.microsoftonline.com";

/// A delegated access token for Azure DevOps (and the refresh token, when one was asked for).
pub struct EntraToken {
    pub access: Token,
    pub refresh: Option<Token>,
    /// How it was obtained, in words ("your Azure CLI sign-in").
    pub via: &'static str,
}

impl std::fmt::Debug for EntraToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EntraToken(<redacted>, via {})", self.via)
    }
}

/// Where to sign in: `https://login.microsoftonline.com/{tenant}` (or, for the emulator, a
/// loopback authority).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority(Url);

impl Authority {
    /// The organization's tenant on the public cloud.
    pub fn for_tenant(tenant: &str) -> Authority {
        Authority(
            Url::parse(&format!("{LOGIN_HOST}/{tenant}")).expect("a tenant id makes a valid URL"),
        )
    }

    /// A configured authority: https, or http on loopback only (the emulator).
    pub fn parse(text: &str) -> Result<Authority, SignInError> {
        let url = Url::parse(text.trim_end_matches('/'))
            .map_err(|e| SignInError::Config(format!("the authority {text} is not a URL: {e}")))?;
        if url.scheme() != "https" && !(url.scheme() == "http" && is_loopback(&url)) {
            return Err(SignInError::Config(format!(
                "the authority {text} must be https (or http on this machine only)"
            )));
        }
        Ok(Authority(url))
    }

    fn endpoint(&self, name: &str) -> String {
        format!(
            "{}/oauth2/v2.0/{name}",
            self.0.as_str().trim_end_matches('/')
        )
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Why signing in did not work, in words that say what to do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignInError {
    #[error("the Azure CLI (az) is not installed or not on PATH")]
    AzCliMissing,
    #[error("the Azure CLI has no usable sign-in: {0}")]
    AzCli(String),
    #[error("{0}")]
    Entra(String),
    #[error("the sign-in was cancelled or declined")]
    Declined,
    #[error("the sign-in did not finish in time")]
    TimedOut,
    #[error("{0}")]
    Config(String),
    #[error("cannot reach the sign-in service: {0}")]
    Network(String),
    /// The browser for the sign-in page could not be opened (no desktop, as over SSH).
    #[error(
        "cannot open a browser here ({0}): sign in by device code or with the Azure CLI (az login) instead"
    )]
    NoBrowser(String),
}

/// Entra's `AADSTS` codes in words: what happened and what to do.
pub fn explain_aadsts(text: &str) -> String {
    let code: Option<u32> = text.find("AADSTS").and_then(|i| {
        text[i + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    });
    let first_line = text.split(" Trace ID").next().unwrap_or(text).trim();
    let words = match code {
        Some(65001) => {
            "Your tenant needs an administrator to consent to this app's access to Azure DevOps (vso.pats, vso.pats_manage) first; ask a Global or Application Administrator, or create the token in the browser"
        }
        Some(70043) | Some(50078) | Some(50079) => {
            "Your organization asks you to sign in again (sign-in frequency or multi-factor authentication): sign in again, in a browser"
        }
        Some(53003) => {
            "Conditional Access blocked this sign-in (many tenants block the device-code flow): sign in with a browser instead (--sign-in browser), or use your Azure CLI sign-in"
        }
        Some(700082) => "The saved sign-in expired after 90 days without use: sign in again",
        Some(70000) | Some(70008) => "The sign-in expired or was revoked: sign in again",
        Some(50020) | Some(50034) => {
            "That account is not in the organization's Microsoft Entra tenant: sign in with an account of that tenant"
        }
        Some(700016) => {
            "The tenant does not know this app's client id: check --client-id (an app registered in your tenant)"
        }
        Some(50011) => {
            "The app's redirect address is not registered: add http://localhost as a mobile and desktop redirect URI of the app"
        }
        Some(7000218) => {
            "The app is not a public client: enable \"Allow public client flows\" on its registration"
        }
        _ => "Microsoft Entra refused the sign-in",
    };
    format!("{words} (Microsoft Entra said: \"{first_line}\")")
}

/// The scopes the lifecycle API takes, and offline access when a refresh token is wanted.
fn scopes(offline: bool) -> Vec<Scope> {
    scopes_of(&PAT_SCOPES, offline)
}

fn scopes_of(list: &[&str], offline: bool) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = list.iter().map(|s| Scope::new(s.to_string())).collect();
    if offline {
        scopes.push(Scope::new("offline_access".into()));
    }
    scopes
}

/// The Azure CLI to run: `PATWIZ_AZ` (a name or a path), else `az`.
fn azure_cli() -> std::ffi::OsString {
    std::env::var_os("PATWIZ_AZ").unwrap_or_else(|| "az".into())
}

/// True if the Azure CLI is there to ask (a path that exists, or a name found on PATH).
pub fn azure_cli_installed() -> bool {
    let az = std::path::PathBuf::from(azure_cli());
    if az.components().count() > 1 {
        return az.exists();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(&az).is_file()))
}

/// The Azure CLI's token for Azure DevOps, read from its output (never from argv or a file).
pub async fn from_azure_cli() -> Result<EntraToken, SignInError> {
    from_azure_cli_for(ADO_RESOURCE).await
}

/// The Azure CLI's token for another Microsoft resource (`https://vault.azure.net` for Key Vault).
pub async fn from_azure_cli_for(resource: &str) -> Result<EntraToken, SignInError> {
    let mut az = tokio::process::Command::new(azure_cli());
    az.args([
        "account",
        "get-access-token",
        "--resource",
        resource,
        "--query",
        "accessToken",
        "-o",
        "tsv",
    ]);
    let output = super::child::run(&mut az, None, Duration::from_secs(60))
        .await
        .map_err(|e| match e {
            e if e.not_found() => SignInError::AzCliMissing,
            super::child::ChildError::TimedOut(_) => SignInError::TimedOut,
            e => SignInError::AzCli(e.to_string()),
        })?;
    if !output.status.success() {
        let said = crate::domain::text::clean_line(&String::from_utf8_lossy(&output.stderr));
        let said = crate::domain::text::redact_tokens(&said);
        return Err(if said.contains("AADSTS") {
            SignInError::Entra(explain_aadsts(&said))
        } else if said.contains("az login") {
            SignInError::AzCli(
                "run `az login` (with an account of the organization's tenant), then try again"
                    .into(),
            )
        } else {
            SignInError::AzCli(crate::domain::text::shorten(&said, 300))
        });
    }
    let token = secrecy::zeroize::Zeroizing::new(
        String::from_utf8_lossy(&output.stdout).trim().to_string(),
    );
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(SignInError::AzCli("it printed no access token".into()));
    }
    Ok(EntraToken {
        access: Token::new(token.as_str()),
        refresh: None,
        via: "your Azure CLI sign-in",
    })
}

/// OAuth requests over patwiz's own HTTP client (the OS trust store, no redirects followed).
fn http_client(
    options: &HttpOptions,
) -> Result<impl Fn(oauth2::HttpRequest) -> HttpFuture, SignInError> {
    let (tls, direct) = clients(options).map_err(|e| SignInError::Network(e.to_string()))?;
    Ok(move |request: oauth2::HttpRequest| -> HttpFuture {
        let client = if request.uri().scheme_str() == Some("https") {
            tls.clone()
        } else {
            direct.clone()
        };
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = parts.uri.to_string();
            let parsed = Url::parse(&url).map_err(|e| SignInError::Network(e.to_string()))?;
            if parsed.scheme() != "https" && !is_loopback(&parsed) {
                return Err(SignInError::Network(format!(
                    "refusing plain http to {}",
                    parsed.host_str().unwrap_or("?")
                )));
            }
            let mut builder = client.request(parts.method, &url);
            for (name, value) in &parts.headers {
                builder = builder.header(name, value);
            }
            let response = builder
                .body(body)
                .send()
                .await
                .map_err(|e| SignInError::Network(super::http::describe_error(&e)))?;
            let mut out = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                out = out.header(name, value);
            }
            let bytes = super::http::read_capped(response)
                .await
                .map_err(|e| SignInError::Network(e.describe()))?;
            out.body(bytes)
                .map_err(|e| SignInError::Network(e.to_string()))
        })
    })
}

type HttpFuture =
    std::pin::Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, SignInError>> + Send>>;

fn token_error<RE: std::error::Error + 'static>(
    e: oauth2::RequestTokenError<
        RE,
        oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>,
    >,
) -> SignInError {
    match e {
        oauth2::RequestTokenError::ServerResponse(r) => {
            let text = r
                .error_description()
                .cloned()
                .unwrap_or_else(|| r.error().to_string());
            SignInError::Entra(explain_aadsts(&crate::domain::text::clean_line(&text)))
        }
        oauth2::RequestTokenError::Request(e) => SignInError::Network(e.to_string()),
        oauth2::RequestTokenError::Parse(e, _) => SignInError::Entra(format!(
            "Microsoft Entra answered something unreadable ({e})"
        )),
        oauth2::RequestTokenError::Other(e) => SignInError::Entra(e),
    }
}

fn entra_token(response: &oauth2::basic::BasicTokenResponse, via: &'static str) -> EntraToken {
    EntraToken {
        access: Token::new(response.access_token().secret().as_str()),
        refresh: response
            .refresh_token()
            .map(|r| Token::new(r.secret().as_str())),
        via,
    }
}

/// The device-code flow: `show` gets the address and the code to tell the person; then the
/// flow waits (at most 15 minutes) until they have signed in.
pub async fn device_code(
    authority: &Authority,
    client_id: &str,
    offline: bool,
    options: &HttpOptions,
    show: impl FnOnce(&str, &str),
) -> Result<EntraToken, SignInError> {
    device_code_for(authority, client_id, &PAT_SCOPES, offline, options, show).await
}

/// The device-code flow for other scopes (`https://vault.azure.net/.default` for Key Vault).
pub async fn device_code_for(
    authority: &Authority,
    client_id: &str,
    wanted: &[&str],
    offline: bool,
    options: &HttpOptions,
    show: impl FnOnce(&str, &str),
) -> Result<EntraToken, SignInError> {
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::new(authority.endpoint("authorize")).map_err(config)?)
        .set_token_uri(TokenUrl::new(authority.endpoint("token")).map_err(config)?)
        .set_device_authorization_url(
            DeviceAuthorizationUrl::new(authority.endpoint("devicecode")).map_err(config)?,
        )
        .set_auth_type(oauth2::AuthType::RequestBody);
    let http = http_client(options)?;
    let details: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scopes(scopes_of(wanted, offline))
        .request_async(&http)
        .await
        .map_err(token_error)?;
    show(
        details.verification_uri().as_str(),
        details.user_code().secret(),
    );
    let response = client
        .exchange_device_access_token(&details)
        .request_async(&http, tokio::time::sleep, Some(Duration::from_secs(900)))
        .await
        .map_err(|e| match e {
            oauth2::RequestTokenError::ServerResponse(ref r)
                if r.error().to_string() == "authorization_declined" =>
            {
                SignInError::Declined
            }
            oauth2::RequestTokenError::ServerResponse(ref r)
                if r.error().to_string() == "expired_token" =>
            {
                SignInError::TimedOut
            }
            other => device_error(other),
        })?;
    Ok(entra_token(&response, "the device-code sign-in"))
}

fn device_error(
    e: oauth2::RequestTokenError<
        SignInError,
        oauth2::StandardErrorResponse<oauth2::DeviceCodeErrorResponseType>,
    >,
) -> SignInError {
    match e {
        oauth2::RequestTokenError::ServerResponse(r) => {
            let text = r
                .error_description()
                .cloned()
                .unwrap_or_else(|| r.error().to_string());
            SignInError::Entra(explain_aadsts(&crate::domain::text::clean_line(&text)))
        }
        oauth2::RequestTokenError::Request(e) => e,
        oauth2::RequestTokenError::Parse(e, _) => SignInError::Entra(format!(
            "Microsoft Entra answered something unreadable ({e})"
        )),
        oauth2::RequestTokenError::Other(e) => SignInError::Entra(e),
    }
}

fn config(e: impl std::fmt::Display) -> SignInError {
    SignInError::Config(e.to_string())
}

/// The authorization-code flow with PKCE: a one-shot listener on 127.0.0.1, the sign-in page
/// opened by `open` (the browser), the code exchanged with the verifier. Waits at most five
/// minutes.
pub async fn browser(
    authority: &Authority,
    client_id: &str,
    offline: bool,
    options: &HttpOptions,
    open: impl FnOnce(&Url) -> std::io::Result<()>,
) -> Result<EntraToken, SignInError> {
    browser_for(authority, client_id, &PAT_SCOPES, offline, options, open).await
}

/// The authorization-code flow with PKCE for other scopes.
pub async fn browser_for(
    authority: &Authority,
    client_id: &str,
    wanted: &[&str],
    offline: bool,
    options: &HttpOptions,
    open: impl FnOnce(&Url) -> std::io::Result<()>,
) -> Result<EntraToken, SignInError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| SignInError::Config(format!("cannot listen on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| SignInError::Config(e.to_string()))?
        .port();
    // Entra takes any port on http://localhost for a public client's redirect.
    let redirect = format!("http://localhost:{port}");
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::new(authority.endpoint("authorize")).map_err(config)?)
        .set_token_uri(TokenUrl::new(authority.endpoint("token")).map_err(config)?)
        .set_redirect_uri(RedirectUrl::new(redirect).map_err(config)?)
        .set_auth_type(oauth2::AuthType::RequestBody);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes_of(wanted, offline))
        .set_pkce_challenge(challenge)
        .url();
    open(&url).map_err(|e| SignInError::NoBrowser(e.to_string()))?;
    let wait = tokio::time::timeout(Duration::from_secs(300), receive_code(&listener, &state));
    let code = wait.await.map_err(|_| SignInError::TimedOut)??;
    let http = http_client(options)?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .map_err(token_error)?;
    Ok(entra_token(&response, "your browser sign-in"))
}

/// Reads the redirect: `GET /?code=…&state=…` (or `error=…`), answers the browser with a short
/// page, and checks the state.
async fn receive_code(
    listener: &tokio::net::TcpListener,
    state: &CsrfToken,
) -> Result<String, SignInError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| SignInError::Config(e.to_string()))?;
        let mut buf = vec![0u8; 8192];
        let n = stream.read(&mut buf).await.unwrap_or(0);
        let request = String::from_utf8_lossy(&buf[..n]).to_string();
        let Some(target) = request
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
        else {
            continue;
        };
        let Ok(url) = Url::parse(&format!("http://localhost{target}")) else {
            continue;
        };
        let get = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if get("code").is_none() && get("error").is_none() {
            // The browser asking for /favicon.ico and such.
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let page = "<html><body><p>patwiz: you can close this window and return to the terminal.</p></body></html>";
        let _ = stream
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                )
                .as_bytes(),
            )
            .await;
        if get("state").as_deref() != Some(state.secret().as_str()) {
            return Err(SignInError::Entra(
                "the sign-in answer did not match the request (state): try again".into(),
            ));
        }
        if let Some(error) = get("error") {
            let text = get("error_description").unwrap_or(error);
            return Err(SignInError::Entra(explain_aadsts(
                &crate::domain::text::clean_line(&text),
            )));
        }
        return get("code").ok_or(SignInError::Declined);
    }
}

/// A new access token from a refresh token. The refresh token rolls: the caller keeps the new
/// one (returned in the token) before it uses the access token.
pub async fn refresh(
    authority: &Authority,
    client_id: &str,
    refresh_token: &Token,
    options: &HttpOptions,
) -> Result<EntraToken, SignInError> {
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::new(authority.endpoint("authorize")).map_err(config)?)
        .set_token_uri(TokenUrl::new(authority.endpoint("token")).map_err(config)?)
        .set_auth_type(oauth2::AuthType::RequestBody);
    let http = http_client(options)?;
    let response = client
        .exchange_refresh_token(&oauth2::RefreshToken::new(
            refresh_token.expose().to_string(),
        ))
        .add_scopes(scopes(true))
        .request_async(&http)
        .await
        .map_err(token_error)?;
    Ok(entra_token(&response, "the saved sign-in"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_codes_become_advice_with_entras_own_words() {
        let said = explain_aadsts(
            "AADSTS53003: Access has been blocked by Conditional Access policies. Trace ID: 1",
        );
        assert!(
            said.starts_with("Conditional Access blocked this sign-in"),
            "{said}"
        );
        assert!(said.contains("Microsoft Entra said: \"AADSTS53003: Access has been blocked"));
        assert!(!said.contains("Trace ID"));
        assert!(explain_aadsts("AADSTS65001: consent").contains("consent"));
        assert!(explain_aadsts("AADSTS70043: x").contains("sign in again"));
        assert!(explain_aadsts("nothing").starts_with("Microsoft Entra refused"));
    }

    #[test]
    fn an_authority_is_https_or_loopback_and_the_token_is_masked() {
        assert!(Authority::parse("http://login.example/tenant").is_err());
        assert!(Authority::parse("http://127.0.0.1:9/idp/t").is_ok());
        assert_eq!(
            Authority::for_tenant("t").endpoint("token"),
            "https://login.microsoftonline.com/t/oauth2/v2.0/token"
        );
        let token = EntraToken {
            access: Token::new("eyJsecret"),
            refresh: Some(Token::new("1.ARsecret")),
            via: "test",
        };
        assert!(!format!("{token:?}").contains("secret"));
    }
}
