//! Organization URLs: every form a user pastes, normalised to the one URL patwiz talks to.
//!
//! Accepted: `dev.azure.com/{org}` (with or without scheme, with a project, repo or any page after
//! it), `{org}.visualstudio.com` (with or without `/DefaultCollection`), a bare organization
//! name, git remotes (`https://{org}@dev.azure.com/...`, `git@ssh.dev.azure.com:v3/{org}/...`),
//! and Azure DevOps Server collection URLs (`https://host/tfs/{Collection}`,
//! `https://host/{Collection}`). A token must never cross the network in clear text, so plain
//! `http://` is refused except to loopback addresses.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

/// Which kind of Azure DevOps a URL points at, judged from its shape alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// `https://dev.azure.com/{org}`
    #[default]
    Cloud,
    /// `https://{org}.visualstudio.com`
    CloudLegacy,
    /// An Azure DevOps Server (or TFS) collection, or any other host such as the local emulator.
    Server,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Cloud => "cloud",
            OrgKind::CloudLegacy => "cloud-legacy",
            OrgKind::Server => "server",
        }
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed, normalised organization (or collection) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUrl {
    input: String,
    url: Url,
    name: String,
    kind: OrgKind,
    /// Parts of the input that were dropped (project, repository, page), said back to the user.
    trimmed: Option<String>,
    /// Why this Azure DevOps Server host looks like one of Azure DevOps' own hosts without
    /// being one (`dev.azure.corn`, `dev.azure.com.evil.io`, a trailing dot).
    lookalike: Option<String>,
}

/// Why an organization URL was refused. Each variant's message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgUrlError {
    #[error("Enter your organization URL, e.g. https://dev.azure.com/contoso")]
    Empty,
    #[error("The URL contains a space; paste it again without spaces")]
    InnerWhitespace,
    #[error("The URL contains control or invisible characters; type it again")]
    ControlCharacters,
    #[error("That is far too long for an organization URL ({0} characters)")]
    TooLong(usize),
    #[error("Only https:// URLs are accepted (got \"{0}:\")")]
    UnsupportedScheme(String),
    #[error(
        "Plain http:// would send your token in clear text; use https:// (http is allowed only for localhost)"
    )]
    InsecureHttp,
    #[error("The URL contains a password; remove the \"user:password@\" part")]
    Credentials,
    #[error(
        "The part before \"@\" looks like a host name, but the address goes to {0}: remove everything up to and including the \"@\""
    )]
    HostInUserInfo(String),
    #[error("That is not a valid URL: {0}")]
    Malformed(String),
    #[error("Add your organization after dev.azure.com, e.g. https://dev.azure.com/contoso")]
    MissingOrganization,
    #[error(
        "Add the collection after the server, e.g. https://{0}/tfs/DefaultCollection or https://{0}/DefaultCollection"
    )]
    MissingCollection(String),
    #[error(
        "\"{0}\" is not a valid organization name: use letters, digits and hyphens, starting and ending with a letter or digit, at most 50 characters"
    )]
    InvalidOrgName(String),
    #[error("\"{0}\" is not a valid collection name: use letters, digits, '.', '_' and '-'")]
    InvalidCollectionName(String),
    #[error(
        "The host name contains non-ASCII characters ({0}); it may imitate dev.azure.com. Type the address by hand"
    )]
    NonAsciiHost(String),
    #[error(
        "{0} is a Microsoft sign-in or profile address, not an organization. Open https://dev.azure.com and copy the organization URL"
    )]
    NotAnOrganization(String),
    #[error(
        "{host} is {service}, not Azure DevOps. An Azure DevOps organization URL looks like https://dev.azure.com/contoso: open https://dev.azure.com and copy yours"
    )]
    OtherService { host: String, service: &'static str },
}

/// Hosts of other services people paste by mistake (the integration's own site, another git
/// host), with the name the person knows them by.
const OTHER_SERVICES: &[(&str, &str)] = &[
    ("github.com", "GitHub"),
    ("githubusercontent.com", "GitHub"),
    ("gitlab.com", "GitLab"),
    ("bitbucket.org", "Bitbucket"),
    ("atlassian.net", "Atlassian (Jira or Confluence)"),
    ("atlassian.com", "Atlassian"),
    ("zendesk.com", "Zendesk"),
    ("nango.dev", "Nango"),
    ("exalate.cloud", "Exalate"),
    ("exalate.com", "Exalate"),
    ("portal.azure.com", "the Azure portal"),
    ("learn.microsoft.com", "Microsoft Learn"),
];

/// The service `host` belongs to, when it is one of [`OTHER_SERVICES`] (or a subdomain of one).
fn other_service(host: &str) -> Option<&'static str> {
    OTHER_SERVICES
        .iter()
        .find(|(domain, _)| {
            host == *domain
                || host
                    .strip_suffix(domain)
                    .is_some_and(|sub| sub.ends_with('.'))
        })
        .map(|(_, service)| *service)
}

const MAX_INPUT: usize = 2048;
const MAX_ORG_NAME: usize = 50;

impl OrgUrl {
    /// Parses what a user typed or pasted.
    pub fn parse(input: &str) -> Result<OrgUrl, OrgUrlError> {
        let original = input.to_string();
        let text = input.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
        if text.is_empty() {
            return Err(OrgUrlError::Empty);
        }
        if text.chars().count() > MAX_INPUT {
            return Err(OrgUrlError::TooLong(text.chars().count()));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(OrgUrlError::InnerWhitespace);
        }
        if text.chars().any(|c| c.is_control() || is_invisible(c)) {
            return Err(OrgUrlError::ControlCharacters);
        }
        if let Some(rest) = strip_prefix_ci(text, "git@ssh.dev.azure.com:v3/") {
            let org = rest.split('/').next().unwrap_or_default();
            return Self::cloud(original, org, Some(rest[org.len()..].to_string()));
        }
        if let Some((_, rest)) = text.split_once("@vs-ssh.visualstudio.com:v3/") {
            let org = rest.split('/').next().unwrap_or_default();
            return Self::legacy(original, org, Some(rest[org.len()..].to_string()));
        }
        if !text.contains("://")
            && !text.contains('/')
            && !text.contains('.')
            && !text.contains(':')
        {
            return Self::cloud(original, text, None);
        }
        let with_scheme = if has_scheme(text) {
            text.to_string()
        } else {
            format!("https://{text}")
        };
        let url = Url::parse(&with_scheme).map_err(|e| OrgUrlError::Malformed(e.to_string()))?;
        if let Some(userinfo) = userinfo(&with_scheme)
            && userinfo
                .chars()
                .any(|c| matches!(c, '.' | ':' | '@' | '%' | '[' | ']'))
        {
            // `https://dev.azure.com@evil.io/contoso` goes to evil.io. A git remote's plain
            // user name (`https://contoso@dev.azure.com/contoso/…`) is fine.
            if url.password().is_some() && !userinfo.contains('.') && !userinfo.contains('@') {
                return Err(OrgUrlError::Credentials);
            }
            let host = url.host_str().unwrap_or("another host").to_string();
            return Err(OrgUrlError::HostInUserInfo(host));
        }
        match url.scheme() {
            "https" => {}
            "http" => {
                if !is_loopback(&url) {
                    return Err(OrgUrlError::InsecureHttp);
                }
            }
            other => return Err(OrgUrlError::UnsupportedScheme(other.to_string())),
        }
        if url.password().is_some() {
            return Err(OrgUrlError::Credentials);
        }
        let host = match url.host() {
            Some(Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => format!("[{ip}]"),
            None => return Err(OrgUrlError::Malformed("no host name".into())),
        };
        if host.split('.').any(|label| label.starts_with("xn--")) {
            return Err(OrgUrlError::NonAsciiHost(host));
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        if host == "dev.azure.com" {
            let org = segments.first().ok_or(OrgUrlError::MissingOrganization)?;
            return Self::cloud(original, org, rest_of(&segments, 1));
        }
        if let Some(org) = host.strip_suffix(".visualstudio.com") {
            if matches!(
                org,
                "app.vssps" | "app" | "aex" | "vssps" | "spsprodeus27" | "login"
            ) || org.contains('.')
            {
                return Err(OrgUrlError::NotAnOrganization(host));
            }
            let skip = usize::from(
                segments
                    .first()
                    .is_some_and(|s| s.eq_ignore_ascii_case("DefaultCollection")),
            );
            return Self::legacy(original, org, rest_of(&segments, skip));
        }
        if host.ends_with(".dev.azure.com") {
            return Err(OrgUrlError::NotAnOrganization(host));
        }
        if let Some(service) = other_service(&host) {
            return Err(OrgUrlError::OtherService { host, service });
        }
        let segments: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        Self::server(original, url.clone(), &host, &segments)
    }

    fn cloud(input: String, org: &str, rest: Option<String>) -> Result<OrgUrl, OrgUrlError> {
        validate_org_name(org)?;
        let url =
            Url::parse(&format!("https://dev.azure.com/{org}")).expect("valid by construction");
        Ok(OrgUrl {
            input,
            url,
            name: org.to_string(),
            kind: OrgKind::Cloud,
            trimmed: rest.filter(|r| !r.trim_matches('/').is_empty()),
            lookalike: None,
        })
    }

    fn legacy(input: String, org: &str, rest: Option<String>) -> Result<OrgUrl, OrgUrlError> {
        let org = org.to_ascii_lowercase();
        validate_org_name(&org)?;
        let url =
            Url::parse(&format!("https://{org}.visualstudio.com")).expect("valid by construction");
        Ok(OrgUrl {
            input,
            url,
            name: org,
            kind: OrgKind::CloudLegacy,
            trimmed: rest.filter(|r| !r.trim_matches('/').is_empty()),
            lookalike: None,
        })
    }

    fn server(
        input: String,
        parsed: Url,
        host: &str,
        segments: &[&str],
    ) -> Result<OrgUrl, OrgUrlError> {
        let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
        let authority = format!("{host}{port}");
        let (prefix, collection, consumed) = match segments {
            [tfs, collection, ..] if tfs.eq_ignore_ascii_case("tfs") => ("tfs/", *collection, 2),
            [tfs] if tfs.eq_ignore_ascii_case("tfs") => {
                return Err(OrgUrlError::MissingCollection(authority));
            }
            [collection, ..] => ("", *collection, 1),
            [] => return Err(OrgUrlError::MissingCollection(authority)),
        };
        let collection = percent_decode(collection);
        validate_collection_name(&collection)?;
        let url = Url::parse(&format!(
            "{}://{authority}/{prefix}{collection}",
            parsed.scheme()
        ))
        .map_err(|e| OrgUrlError::Malformed(e.to_string()))?;
        Ok(OrgUrl {
            input,
            url,
            name: collection,
            kind: OrgKind::Server,
            trimmed: rest_of(segments, consumed),
            lookalike: lookalike_reason(host),
        })
    }

    /// Why this host looks like one of Azure DevOps' own without being one (then the CLI wants
    /// `--server` and the wizard a confirmation before any token goes there).
    pub fn lookalike(&self) -> Option<&str> {
        self.lookalike.as_deref()
    }

    /// The normalised URL as a parsed URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The normalised URL, without a trailing slash: `https://dev.azure.com/contoso`.
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// The text the user gave, as given.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The organization (or, on Azure DevOps Server, collection) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> OrgKind {
        self.kind
    }

    /// What was cut from the pasted URL (project, repository, page), if anything.
    pub fn trimmed(&self) -> Option<&str> {
        self.trimmed.as_deref()
    }

    /// `{base}/{path}` where `path` has no leading slash.
    pub fn join(&self, path: &str) -> String {
        format!("{}/{}", self.as_str(), path.trim_start_matches('/'))
    }

    /// The page where the user creates a token.
    pub fn token_page(&self) -> String {
        self.join("_usersSettings/tokens")
    }

    /// Both cloud forms (Nango's guide: integrations accept either); `None` on Azure DevOps Server.
    pub fn cloud_forms(&self) -> Option<(String, String)> {
        match self.kind {
            OrgKind::Cloud | OrgKind::CloudLegacy => Some((
                format!("https://dev.azure.com/{}", self.name),
                format!(
                    "https://{}.visualstudio.com",
                    self.name.to_ascii_lowercase()
                ),
            )),
            OrgKind::Server => None,
        }
    }

    /// A key that is the same for every spelling of the same organization (for storage).
    pub fn key(&self) -> String {
        match self.kind {
            OrgKind::Cloud | OrgKind::CloudLegacy => {
                format!("https://dev.azure.com/{}", self.name.to_ascii_lowercase())
            }
            OrgKind::Server => self.as_str().to_ascii_lowercase(),
        }
    }

    /// True when the host is a loopback address (the demo organization and tests).
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.url)
    }
}

impl fmt::Display for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Azure DevOps organization names: letters, digits and hyphens; start and end with a letter or
/// digit; at most 50 characters.
pub fn validate_org_name(org: &str) -> Result<(), OrgUrlError> {
    let ok = !org.is_empty()
        && org.len() <= MAX_ORG_NAME
        && org.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && org.starts_with(|c: char| c.is_ascii_alphanumeric())
        && org.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(OrgUrlError::InvalidOrgName(shorten(org)))
    }
}

fn validate_collection_name(name: &str) -> Result<(), OrgUrlError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !name.starts_with('_');
    if ok {
        Ok(())
    } else {
        Err(OrgUrlError::InvalidCollectionName(shorten(name)))
    }
}

fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

fn rest_of(segments: &[&str], from: usize) -> Option<String> {
    (segments.len() > from).then(|| segments[from..].join("/"))
}

fn has_scheme(text: &str) -> bool {
    match text.split_once(':') {
        Some((scheme, _)) => {
            text.contains("://")
                || (!scheme.is_empty()
                    && scheme.chars().all(|c| c.is_ascii_alphabetic())
                    && !text[scheme.len() + 1..].starts_with(|c: char| c.is_ascii_digit()))
        }
        None => false,
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    (text.len() >= prefix.len() && text.is_char_boundary(prefix.len()))
        .then(|| text.split_at(prefix.len()))
        .filter(|(head, _)| head.eq_ignore_ascii_case(prefix))
        .map(|(_, tail)| tail)
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Zero-width, byte-order and bidirectional-control characters that survive copy and paste
/// (and can make text read differently from what it is).
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
            | '\u{00AD}'
    )
}

/// The user-info part of a URL's authority (before the last `@`), if any.
fn userinfo(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map(|(info, _)| info)
}

/// Azure DevOps' own host names, which a look-alike imitates.
const OWN_HOSTS: [&str; 3] = ["dev.azure.com", "visualstudio.com", "azure.com"];

/// Why `host` (taken as Azure DevOps Server) looks like an Azure DevOps host, if it does.
fn lookalike_reason(host: &str) -> Option<String> {
    let bare = host.split(':').next().unwrap_or(host);
    if bare.ends_with('.') {
        return Some(format!("{bare} ends with a dot"));
    }
    for own in OWN_HOSTS {
        if bare.contains(own) {
            return Some(format!(
                "{bare} contains {own} but is not an Azure DevOps host"
            ));
        }
        let close = bare
            .split('.')
            .collect::<Vec<_>>()
            .windows(own.split('.').count())
            .map(|w| w.join("."))
            .chain(std::iter::once(bare.to_string()))
            .any(|part| part != own && edit_distance(&part, own) <= 2);
        if close {
            return Some(format!("{bare} is spelled almost like {own}"));
        }
    }
    None
}

/// Levenshtein distance (short host names only).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == cb {
                previous
            } else {
                1 + previous.min(row[j]).min(current)
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> OrgUrl {
        OrgUrl::parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"))
    }

    #[test]
    fn accepts_every_form_a_user_pastes() {
        let cases: &[(&str, &str, &str, OrgKind)] = &[
            (
                "https://dev.azure.com/contoso",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "dev.azure.com/contoso",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "https://dev.azure.com/contoso/",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "https://dev.azure.com/contoso///",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "  https://dev.azure.com/contoso \n",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "HTTPS://DEV.AZURE.COM/Contoso",
                "https://dev.azure.com/Contoso",
                "Contoso",
                OrgKind::Cloud,
            ),
            (
                "https://dev.azure.com/contoso/Fabrikam%20Fiber/_git/web",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "https://dev.azure.com/contoso/proj/_boards/board",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "https://contoso@dev.azure.com/contoso/proj/_git/repo",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "git@ssh.dev.azure.com:v3/contoso/proj/repo",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "contoso",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
            (
                "my-org-2",
                "https://dev.azure.com/my-org-2",
                "my-org-2",
                OrgKind::Cloud,
            ),
            (
                "contoso.visualstudio.com",
                "https://contoso.visualstudio.com",
                "contoso",
                OrgKind::CloudLegacy,
            ),
            (
                "https://contoso.visualstudio.com/",
                "https://contoso.visualstudio.com",
                "contoso",
                OrgKind::CloudLegacy,
            ),
            (
                "https://Contoso.VisualStudio.com/DefaultCollection",
                "https://contoso.visualstudio.com",
                "contoso",
                OrgKind::CloudLegacy,
            ),
            (
                "https://contoso.visualstudio.com/DefaultCollection/proj/_git/r",
                "https://contoso.visualstudio.com",
                "contoso",
                OrgKind::CloudLegacy,
            ),
            (
                "https://contoso.visualstudio.com/proj/_git/r",
                "https://contoso.visualstudio.com",
                "contoso",
                OrgKind::CloudLegacy,
            ),
            (
                "contoso@vs-ssh.visualstudio.com:v3/contoso/proj/repo",
                "https://contoso.visualstudio.com",
                "contoso",
                OrgKind::CloudLegacy,
            ),
            (
                "https://tfs.corp.example/tfs/DefaultCollection",
                "https://tfs.corp.example/tfs/DefaultCollection",
                "DefaultCollection",
                OrgKind::Server,
            ),
            (
                "https://tfs.corp.example:8443/tfs/Main/proj/_git/r",
                "https://tfs.corp.example:8443/tfs/Main",
                "Main",
                OrgKind::Server,
            ),
            (
                "https://TFS.corp.example/TFS/Main/",
                "https://tfs.corp.example/tfs/Main",
                "Main",
                OrgKind::Server,
            ),
            (
                "https://ado.corp.example/DefaultCollection",
                "https://ado.corp.example/DefaultCollection",
                "DefaultCollection",
                OrgKind::Server,
            ),
            (
                "http://localhost:8080/tfs/DefaultCollection",
                "http://localhost:8080/tfs/DefaultCollection",
                "DefaultCollection",
                OrgKind::Server,
            ),
            (
                "http://127.0.0.1:4321/demo",
                "http://127.0.0.1:4321/demo",
                "demo",
                OrgKind::Server,
            ),
            (
                "http://[::1]:4321/demo/",
                "http://[::1]:4321/demo",
                "demo",
                OrgKind::Server,
            ),
            (
                "\u{200B}https://dev.azure.com/contoso\u{FEFF}",
                "https://dev.azure.com/contoso",
                "contoso",
                OrgKind::Cloud,
            ),
        ];
        for (input, url, name, kind) in cases {
            let parsed = ok(input);
            assert_eq!(parsed.as_str(), *url, "url of {input:?}");
            assert_eq!(parsed.name(), *name, "name of {input:?}");
            assert_eq!(parsed.kind(), *kind, "kind of {input:?}");
        }
    }

    #[test]
    fn says_what_was_cut() {
        let parsed = ok("https://dev.azure.com/contoso/proj/_git/repo");
        assert_eq!(parsed.trimmed(), Some("proj/_git/repo"));
        assert_eq!(ok("https://dev.azure.com/contoso/").trimmed(), None);
    }

    #[test]
    fn rejects_with_a_specific_message() {
        use OrgUrlError::*;
        let cases: Vec<(&str, OrgUrlError)> = vec![
            ("", Empty),
            ("   \t\n", Empty),
            ("https://dev.azure.com/con toso", InnerWhitespace),
            ("dev.azure .com/contoso", InnerWhitespace),
            (
                "ftp://dev.azure.com/contoso",
                UnsupportedScheme("ftp".into()),
            ),
            (
                "javascript:alert(1)",
                UnsupportedScheme("javascript".into()),
            ),
            ("file:///etc/passwd", UnsupportedScheme("file".into())),
            ("http://dev.azure.com/contoso", InsecureHttp),
            (
                "http://tfs.corp.example/tfs/DefaultCollection",
                InsecureHttp,
            ),
            ("http://10.0.0.5/tfs/Main", InsecureHttp),
            ("https://user:pass@dev.azure.com/contoso", Credentials),
            ("https://dev.azure.com", MissingOrganization),
            ("https://dev.azure.com/", MissingOrganization),
            (
                "https://dev.azure.com/-contoso",
                InvalidOrgName("-contoso".into()),
            ),
            (
                "https://dev.azure.com/contoso-",
                InvalidOrgName("contoso-".into()),
            ),
            (
                "https://dev.azure.com/con_toso",
                InvalidOrgName("con_toso".into()),
            ),
            ("con_toso", InvalidOrgName("con_toso".into())),
            (
                "https://dev.azure.com/_apis",
                InvalidOrgName("_apis".into()),
            ),
            (
                "https://tfs.corp.example/tfs",
                MissingCollection("tfs.corp.example".into()),
            ),
            (
                "https://tfs.corp.example/",
                MissingCollection("tfs.corp.example".into()),
            ),
            (
                "https://app.vssps.visualstudio.com/profile",
                NotAnOrganization("app.vssps.visualstudio.com".into()),
            ),
            (
                "https://vssps.dev.azure.com/contoso",
                NotAnOrganization("vssps.dev.azure.com".into()),
            ),
            (
                "https://xn--dv-jbb.azure.com/contoso",
                NonAsciiHost("xn--dv-jbb.azure.com".into()),
            ),
            (
                "https://dеv.azure.com/contoso",
                NonAsciiHost("xn--dv-nlc.azure.com".into()),
            ),
            (
                "https://github.com/contoso",
                OtherService {
                    host: "github.com".into(),
                    service: "GitHub",
                },
            ),
            (
                "contoso.atlassian.net/jira",
                OtherService {
                    host: "contoso.atlassian.net".into(),
                    service: "Atlassian (Jira or Confluence)",
                },
            ),
            ("https://dev.azure.com/contoso\u{0007}", ControlCharacters),
            ("https://dev.azure.com/con\u{200B}toso", ControlCharacters),
        ];
        for (input, expected) in cases {
            assert_eq!(
                OrgUrl::parse(input),
                Err(expected.clone()),
                "input {input:?}"
            );
            // every message is specific and does not echo more than a short excerpt
            assert!(expected.to_string().len() < 220);
        }
    }

    #[test]
    fn rejects_overlong_org_names_and_input() {
        let long = "a".repeat(51);
        assert!(matches!(
            OrgUrl::parse(&long),
            Err(OrgUrlError::InvalidOrgName(_))
        ));
        assert!(OrgUrl::parse(&"a".repeat(50)).is_ok());
        let huge = format!("https://dev.azure.com/{}", "a".repeat(10_000));
        assert!(matches!(OrgUrl::parse(&huge), Err(OrgUrlError::TooLong(_))));
    }

    #[test]
    fn builds_the_token_page_and_both_cloud_forms() {
        let parsed = ok("contoso.visualstudio.com");
        assert_eq!(
            parsed.token_page(),
            "https://contoso.visualstudio.com/_usersSettings/tokens"
        );
        let (new, old) = parsed.cloud_forms().unwrap();
        assert_eq!(new, "https://dev.azure.com/contoso");
        assert_eq!(old, "https://contoso.visualstudio.com");
        assert_eq!(
            ok("Contoso").key(),
            ok("https://contoso.visualstudio.com").key()
        );
        assert!(ok("https://tfs.example/tfs/Main").cloud_forms().is_none());
        assert_eq!(
            ok("https://tfs.example/tfs/Main").token_page(),
            "https://tfs.example/tfs/Main/_usersSettings/tokens"
        );
    }

    #[test]
    fn loopback_is_recognised() {
        assert!(ok("http://127.0.0.2:9/x").is_loopback());
        assert!(ok("http://localhost:9/x").is_loopback());
        assert!(!ok("https://dev.azure.com/x").is_loopback());
    }

    #[test]
    fn a_host_hidden_in_the_user_info_is_refused_and_git_remotes_still_work() {
        for hostile in [
            "https://dev.azure.com@evil.io/contoso",
            "contoso@dev.azure.com@evil.io",
            "https://dev.azure.com:@evil.io/contoso",
            "https://dev.azure.com%40x@evil.io/contoso",
        ] {
            let err = OrgUrl::parse(hostile).unwrap_err();
            assert!(
                matches!(err, OrgUrlError::HostInUserInfo(ref h) if h == "evil.io"),
                "{hostile}: {err:?}"
            );
        }
        let remote =
            OrgUrl::parse("https://contoso@dev.azure.com/contoso/Fabrikam/_git/web").unwrap();
        assert_eq!(remote.as_str(), "https://dev.azure.com/contoso");
        assert!(matches!(
            OrgUrl::parse("https://user:secret@dev.azure.com/contoso"),
            Err(OrgUrlError::Credentials)
        ));
    }

    #[test]
    fn look_alike_hosts_are_flagged_real_servers_are_not() {
        for lookalike in [
            "https://dev.azure.corn/contoso",
            "https://dev.azure.com.evil.io/contoso",
            "https://dev.azure.com./contoso",
            "https://dev-azure.com/contoso",
            "https://contoso.visualstudio.com.evil.io/x",
        ] {
            let org = OrgUrl::parse(lookalike).unwrap();
            assert_eq!(org.kind(), OrgKind::Server);
            assert!(org.lookalike().is_some(), "{lookalike} not flagged");
        }
        for server in [
            "https://tfs.corp.example/tfs/Main",
            "https://devops.fabrikam.com/DefaultCollection",
            "http://127.0.0.1:8080/demo",
            "http://localhost:8080/demo",
        ] {
            let org = OrgUrl::parse(server).unwrap();
            assert!(org.lookalike().is_none(), "{server}: {:?}", org.lookalike());
        }
        assert!(
            OrgUrl::parse("https://dev.azure.com/contoso")
                .unwrap()
                .lookalike()
                .is_none()
        );
    }
}
