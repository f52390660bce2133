//! Azure Artifacts feed configuration for npm and pip: the user-level entries each client needs,
//! in the encoding each expects, merged into what the file already holds. Pure: text in, text
//! out (the callers read and write the files).
//!
//! - npm (Microsoft Learn, "Set up your npmrc file"): for the registry URL and for its `npm/`
//!   parent, `username` (any non-empty value), `_password` (base64 of the PAT) and `email` (npm
//!   needs one and does not use it), keyed by the URL without its scheme. The project's own
//!   `.npmrc` holds only `registry=…` and never a credential.
//! - pip (Learn, "Connect to a feed (pip)"): `[global] index-url = https://{feed}:{PAT}@…/pypi/
//!   simple/`; when another index is already set, this feed goes beside it in `extra-index-url`.

use base64::Engine as _;
use secrecy::zeroize::Zeroizing;
use url::Url;

use super::token::{Token, mask};

/// npm needs an email and does not use it (Learn's own wording of the placeholder).
const NPM_EMAIL: &str = "npm requires email to be set but doesn't use the value";

/// What is escaped in a URL's path segment or user information: everything but RFC 3986's
/// unreserved characters.
const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn escape(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, ESCAPED).to_string()
}

/// One Azure Artifacts feed: where its package host is, and its name and project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// The package host's base for this organization, no trailing slash
    /// (`https://pkgs.dev.azure.com/contoso`, or the collection URL on Azure DevOps Server).
    pub host: String,
    /// The project of a project-scoped feed (`None`: the organization's feed).
    pub project: Option<String>,
    pub name: String,
    /// The organization's name: npm's user name (any non-empty value works).
    pub org_name: String,
}

/// Why a feed name is not one Azure Artifacts could have given (its rule: letters, digits,
/// `-`, `_` and `.`, not starting with `.` or `_`, at most 64 characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadFeedName {
    #[error("a feed needs a name, as Azure Artifacts shows it")]
    Empty,
    #[error("a feed's name is at most 64 characters")]
    TooLong,
    #[error(
        "a feed's name holds only letters, digits, '-', '_' and '.', and starts with a letter or digit (no slashes, spaces or '..')"
    )]
    Character,
}

/// Checks `name` as Azure Artifacts names feeds, so it can only ever be a feed's name: in a
/// URL (never a path like `../../evil`), in a file, and on screen.
pub fn check_feed_name(name: &str) -> Result<(), BadFeedName> {
    if name.is_empty() {
        return Err(BadFeedName::Empty);
    }
    if name.chars().count() > 64 {
        return Err(BadFeedName::TooLong);
    }
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !name.chars().all(allowed) || name.starts_with(['.', '_']) || name.contains("..") {
        return Err(BadFeedName::Character);
    }
    Ok(())
}

impl Feed {
    fn base(&self) -> String {
        match &self.project {
            Some(p) => format!(
                "{}/{}/_packaging/{}",
                self.host,
                escape(p),
                escape(&self.name)
            ),
            None => format!("{}/_packaging/{}", self.host, escape(&self.name)),
        }
    }

    /// `https://pkgs.dev.azure.com/{org}[/{project}]/_packaging/{feed}/npm/registry/`
    pub fn npm_registry(&self) -> String {
        format!("{}/npm/registry/", self.base())
    }

    /// `https://pkgs.dev.azure.com/{org}[/{project}]/_packaging/{feed}/pypi/simple/`
    /// The NuGet v3 service index (what `VSS_NUGET_EXTERNAL_FEED_ENDPOINTS` names).
    pub fn nuget_index(&self) -> String {
        format!("{}/nuget/v3/index.json", self.base())
    }

    pub fn pypi_index(&self) -> String {
        format!("{}/pypi/simple/", self.base())
    }

    /// The path segment a feed's project or name takes in a URL.
    pub fn escaped(text: &str) -> String {
        escape(text)
    }

    /// The two keys npm looks credentials up by: the registry and its `npm/` parent, without
    /// the scheme (`//pkgs.dev.azure.com/…/npm/registry/`).
    fn npm_keys(&self) -> [String; 2] {
        let registry = self.npm_registry();
        let bare = registry
            .split_once("://")
            .map_or(registry.as_str(), |(_, rest)| rest);
        let registry_key = format!("//{bare}");
        let parent = registry_key.trim_end_matches("registry/").to_string();
        [registry_key, parent]
    }

    /// What the project's `.npmrc` holds: the registry and nothing secret.
    pub fn npm_project_lines(&self) -> String {
        format!("registry={}\nalways-auth=true\n", self.npm_registry())
    }
}

fn begin_marker(feed: &Feed) -> String {
    format!("; begin auth token (patwiz: {})", feed.npm_registry())
}

fn end_marker(feed: &Feed) -> String {
    format!("; end auth token (patwiz: {})", feed.npm_registry())
}

fn npm_block(feed: &Feed, password: &str) -> String {
    let mut out = begin_marker(feed);
    out.push('\n');
    for key in feed.npm_keys() {
        out.push_str(&format!("{key}:username={}\n", feed.org_name));
        out.push_str(&format!("{key}:_password={password}\n"));
        out.push_str(&format!("{key}:email={NPM_EMAIL}\n"));
    }
    out.push_str(&end_marker(feed));
    out.push('\n');
    out
}

/// The user-level `.npmrc` entries for `feed`, the token base64-encoded as npm wants it.
pub fn npm_entries(feed: &Feed, token: &Token) -> Zeroizing<String> {
    let encoded =
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(token.expose().as_bytes()));
    Zeroizing::new(npm_block(feed, &encoded))
}

/// The same entries with the password masked: what may be shown.
pub fn npm_entries_masked(feed: &Feed, token: &Token) -> String {
    let encoded =
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(token.expose().as_bytes()));
    npm_block(feed, &mask(&encoded))
}

/// `existing` with this feed's credentials replaced by `block` (from [`npm_entries`]): every
/// other line is kept as it was; earlier entries for the same registry, patwiz's or not, go.
pub fn merge_npmrc(existing: &str, feed: &Feed, block: &str) -> Zeroizing<String> {
    let keys = feed.npm_keys();
    let (begin, end) = (begin_marker(feed), end_marker(feed));
    let mut out = Zeroizing::new(String::with_capacity(existing.len() + block.len()));
    let mut inside = false;
    for line in existing.lines() {
        let trimmed = line.trim();
        if trimmed == begin {
            inside = true;
            continue;
        }
        if trimmed == end {
            inside = false;
            continue;
        }
        let ours = keys.iter().any(|k| {
            trimmed
                .strip_prefix(k.as_str())
                .is_some_and(|rest| rest.starts_with(':'))
        });
        if inside || ours {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(block);
    out
}

/// Where pip's entry went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipPlacement {
    /// `index-url`: pip's one index (none was set, or it was this feed).
    Index,
    /// `extra-index-url`: another index is set and stays pip's first.
    Extra,
}

/// pip's index URL for `feed` with the token as the password (the user is the feed's name).
pub fn pip_index_with_token(feed: &Feed, token: &Token) -> Zeroizing<String> {
    let index = feed.pypi_index();
    let (scheme, rest) = index.split_once("://").unwrap_or(("https", &index));
    let password = Zeroizing::new(escape(token.expose()));
    Zeroizing::new(format!(
        "{scheme}://{}:{}@{rest}",
        escape(&feed.name),
        password.as_str()
    ))
}

/// The same URL with the token masked: what may be shown.
pub fn pip_index_masked(feed: &Feed, token: &Token) -> String {
    let index = feed.pypi_index();
    let (scheme, rest) = index.split_once("://").unwrap_or(("https", &index));
    format!(
        "{scheme}://{}:{}@{rest}",
        escape(&feed.name),
        token.masked()
    )
}

/// A URL without its user name and password, for comparing indexes.
fn without_credentials(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.as_str().trim_end_matches('/').to_ascii_lowercase()
        }
        Err(_) => url.trim().trim_end_matches('/').to_ascii_lowercase(),
    }
}

/// pip's option names are the same with `_` or `-`.
fn pip_key(line: &str) -> Option<(String, &str)> {
    let trimmed = line.trim_start();
    if line.starts_with([' ', '\t']) || trimmed.starts_with(['#', ';', '[']) {
        return None;
    }
    let (key, value) = trimmed.split_once(['=', ':'])?;
    Some((key.trim().to_ascii_lowercase().replace('_', "-"), value))
}

/// `existing` pip.conf text with `feed`'s index set to `url` (from [`pip_index_with_token`]):
/// `index-url` when none is set or it is this feed, else an `extra-index-url` entry; every other
/// line is kept.
pub fn merge_pip_conf(existing: &str, feed: &Feed, url: &str) -> (Zeroizing<String>, PipPlacement) {
    let ours = without_credentials(&feed.pypi_index());
    let lines: Vec<&str> = existing.lines().collect();
    // The [global] section: its header line and where it ends.
    let header = lines
        .iter()
        .position(|l| l.trim().eq_ignore_ascii_case("[global]"));
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 3);
    let Some(header) = header else {
        out.extend(lines.iter().map(|l| l.to_string()));
        if out.last().is_some_and(|l| !l.trim().is_empty()) {
            out.push(String::new());
        }
        out.push("[global]".to_string());
        out.push(format!("index-url = {url}"));
        return (join(out), PipPlacement::Index);
    };
    let end = lines[header + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| header + 1 + i);
    let index_at =
        (header + 1..end).find(|&i| pip_key(lines[i]).is_some_and(|(k, _)| k == "index-url"));
    let placement = match index_at {
        Some(i) => {
            let value = pip_key(lines[i]).map(|(_, v)| v).unwrap_or_default();
            if without_credentials(value) == ours {
                PipPlacement::Index
            } else {
                PipPlacement::Extra
            }
        }
        None => PipPlacement::Index,
    };
    let extra_at =
        (header + 1..end).find(|&i| pip_key(lines[i]).is_some_and(|(k, _)| k == "extra-index-url"));
    // The continuation lines of a multi-line extra-index-url.
    let extra_end = extra_at.map(|i| {
        (i + 1..end)
            .find(|&j| !lines[j].starts_with([' ', '\t']) || lines[j].trim().is_empty())
            .unwrap_or(end)
    });
    for (i, line) in lines.iter().enumerate() {
        match placement {
            PipPlacement::Index if Some(i) == index_at => {
                out.push(format!("index-url = {url}"));
                continue;
            }
            PipPlacement::Index if i == header && index_at.is_none() => {
                out.push(line.to_string());
                out.push(format!("index-url = {url}"));
                continue;
            }
            _ => {}
        }
        // This feed's earlier extra entry goes (it is written again below, or it is the index).
        if let (Some(start), Some(stop)) = (extra_at, extra_end)
            && (start..stop).contains(&i)
        {
            let value = if i == start {
                pip_key(line).map(|(_, v)| v).unwrap_or_default()
            } else {
                line
            };
            let urls: Vec<&str> = value.split_whitespace().collect();
            let kept: Vec<&str> = urls
                .iter()
                .copied()
                .filter(|u| without_credentials(u) != ours)
                .collect();
            let mut kept = kept.join(" ");
            if placement == PipPlacement::Extra && i + 1 == stop {
                kept = if kept.is_empty() {
                    url.to_string()
                } else {
                    format!("{kept}\n    {url}")
                };
            }
            match (i == start, kept.is_empty()) {
                (true, true) => out.push("extra-index-url =".to_string()),
                (true, false) => out.push(format!("extra-index-url = {kept}")),
                (false, true) => {}
                (false, false) => out.push(format!("    {kept}")),
            }
            continue;
        }
        out.push(line.to_string());
        if placement == PipPlacement::Extra && extra_at.is_none() && Some(i) == index_at {
            out.push(format!("extra-index-url = {url}"));
        }
    }
    // An extra-index-url left with no value at all (no continuation lines either) is dropped.
    let empty_at: Vec<usize> = (0..out.len())
        .filter(|&i| {
            out[i].trim() == "extra-index-url ="
                && !out
                    .get(i + 1)
                    .is_some_and(|next| next.starts_with([' ', '\t']) && !next.trim().is_empty())
        })
        .collect();
    for i in empty_at.into_iter().rev() {
        out.remove(i);
    }
    (join(out), placement)
}

fn join(lines: Vec<String>) -> Zeroizing<String> {
    let mut text = Zeroizing::new(lines.join("\n"));
    text.push('\n');
    text
}

/// A credential found in a project's `.npmrc`: its line and the key that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectCredential {
    pub line: usize,
    pub key: String,
}

/// Credentials written into a project `.npmrc` (`_password`, `_authToken`, `_auth`, or a
/// token-shaped value), never an environment reference like `${NPM_TOKEN}`.
pub fn project_npmrc_credentials(text: &str) -> Vec<ProjectCredential> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with(['#', ';']) {
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let name = key.rsplit(':').next().unwrap_or(key).trim();
        let secret_key = matches!(name, "_password" | "_authToken" | "_auth");
        let by_reference = value.starts_with("${") && value.ends_with('}');
        let token_shaped = !super::secret_scan::scan(value).is_empty();
        if (secret_key && !value.is_empty() && !by_reference) || token_shaped {
            found.push(ProjectCredential {
                line: n + 1,
                key: name.to_string(),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_feed_name_is_only_ever_a_feed_name() {
        for good in ["shared", "my-feed_2", "Team.Packages", "Ünïcode"] {
            assert_eq!(check_feed_name(good), Ok(()), "{good}");
        }
        for bad in [
            "../../../evil",
            "a/b",
            "a\\b",
            "..",
            ".hidden",
            "_x",
            "two words",
            "feed\u{1b}]0;title\u{7}",
            "feed\nnext",
            "a%2F..",
            "a?b",
        ] {
            assert_eq!(check_feed_name(bad), Err(BadFeedName::Character), "{bad:?}");
        }
        assert_eq!(check_feed_name(""), Err(BadFeedName::Empty));
        assert_eq!(check_feed_name(&"a".repeat(65)), Err(BadFeedName::TooLong));
    }

    #[test]
    fn the_nuget_index_is_built_on_the_organizations_package_host() {
        let cloud = feed(None);
        assert!(
            cloud
                .nuget_index()
                .ends_with("/_packaging/shared/nuget/v3/index.json")
        );
        let server = Feed {
            host: "https://tfs.example.com/DefaultCollection".into(),
            project: None,
            name: "shared".into(),
            org_name: "DefaultCollection".into(),
        };
        assert_eq!(
            server.nuget_index(),
            "https://tfs.example.com/DefaultCollection/_packaging/shared/nuget/v3/index.json"
        );
    }

    use super::*;

    fn feed(project: Option<&str>) -> Feed {
        Feed {
            host: "https://pkgs.dev.azure.com/contoso".into(),
            project: project.map(str::to_string),
            name: "shared".into(),
            org_name: "contoso".into(),
        }
    }

    fn token() -> Token {
        Token::new(crate::token::tests::sample_current())
    }

    #[test]
    fn the_urls_follow_learns_shapes_with_the_project_encoded() {
        assert_eq!(
            feed(None).npm_registry(),
            "https://pkgs.dev.azure.com/contoso/_packaging/shared/npm/registry/"
        );
        assert_eq!(
            feed(Some("Fabrikam Fiber")).pypi_index(),
            "https://pkgs.dev.azure.com/contoso/Fabrikam%20Fiber/_packaging/shared/pypi/simple/"
        );
    }

    #[test]
    fn npm_gets_base64_of_the_token_for_the_registry_and_its_parent() {
        let block = npm_entries(&feed(None), &token());
        let encoded = base64::engine::general_purpose::STANDARD.encode(token().expose());
        for key in [
            "//pkgs.dev.azure.com/contoso/_packaging/shared/npm/registry/",
            "//pkgs.dev.azure.com/contoso/_packaging/shared/npm/",
        ] {
            assert!(
                block.contains(&format!("{key}:username=contoso\n")),
                "{key}"
            );
            assert!(
                block.contains(&format!("{key}:_password={encoded}\n")),
                "{key}"
            );
            assert!(block.contains(&format!("{key}:email=")), "{key}");
        }
        assert!(!block.contains(token().expose()), "never the raw token");
        let masked = npm_entries_masked(&feed(None), &token());
        assert!(!masked.contains(&encoded[..5]));
    }

    #[test]
    fn merging_npmrc_keeps_every_other_line_and_replaces_this_feeds() {
        let other = "registry=https://registry.npmjs.org/\n//other.example/:_authToken=${TOKEN}\n";
        let stale = "//pkgs.dev.azure.com/contoso/_packaging/shared/npm/registry/:_password=b2xk\n";
        let first = merge_npmrc(
            &format!("{other}{stale}"),
            &feed(None),
            &npm_entries(&feed(None), &token()),
        );
        assert!(first.starts_with(other), "{}", first.as_str());
        assert!(!first.contains("b2xk"), "the stale password went");
        // Again: the same text, nothing doubled.
        let second = merge_npmrc(&first, &feed(None), &npm_entries(&feed(None), &token()));
        assert_eq!(first.as_str(), second.as_str());
        assert_eq!(second.matches(":_password=").count(), 2);
        // Another feed's entries stay.
        let third = merge_npmrc(
            &second,
            &feed(Some("Web")),
            &npm_entries(&feed(Some("Web")), &token()),
        );
        assert_eq!(third.matches(":_password=").count(), 4);
    }

    #[test]
    fn pip_gets_index_url_when_none_is_set_and_extra_beside_another() {
        let url = pip_index_with_token(&feed(None), &token());
        assert!(url.starts_with("https://shared:"));
        let (text, placement) = merge_pip_conf("", &feed(None), &url);
        assert_eq!(placement, PipPlacement::Index);
        assert_eq!(
            text.as_str(),
            format!("[global]\nindex-url = {}\n", url.as_str())
        );
        // Writing it again changes nothing.
        let (again, _) = merge_pip_conf(&text, &feed(None), &url);
        assert_eq!(again.as_str(), text.as_str());

        let existing = "[global]\ntimeout = 60\nindex-url = https://mirror.example/simple/\n\n[install]\nno-cache-dir = true\n";
        let (text, placement) = merge_pip_conf(existing, &feed(None), &url);
        assert_eq!(placement, PipPlacement::Extra);
        assert!(text.contains("index-url = https://mirror.example/simple/\n"));
        assert!(text.contains(&format!("extra-index-url = {}\n", url.as_str())));
        assert!(text.contains("[install]\nno-cache-dir = true\n"));
        let (again, _) = merge_pip_conf(&text, &feed(None), &url);
        assert_eq!(again.as_str(), text.as_str(), "idempotent");
        assert_eq!(again.matches("shared:").count(), 1);
    }

    #[test]
    fn a_new_token_replaces_the_old_one_in_pip_conf() {
        let old = Token::new(crate::token::tests::sample_legacy());
        let (text, _) = merge_pip_conf("", &feed(None), &pip_index_with_token(&feed(None), &old));
        let url = pip_index_with_token(&feed(None), &token());
        let (text, placement) = merge_pip_conf(&text, &feed(None), &url);
        assert_eq!(placement, PipPlacement::Index);
        assert!(!text.contains(old.expose()));
        assert!(text.contains(url.as_str()));
        // In a multi-line extra-index-url, only this feed's entry is replaced.
        let existing = format!(
            "[global]\nindex-url = https://mirror.example/simple/\nextra-index-url =\n    https://a.example/simple/\n    {}\n",
            pip_index_with_token(&feed(None), &old).as_str()
        );
        let (text, placement) = merge_pip_conf(&existing, &feed(None), &url);
        assert_eq!(placement, PipPlacement::Extra);
        assert_eq!(
            text.as_str(),
            format!(
                "[global]\nindex-url = https://mirror.example/simple/\nextra-index-url =\n    https://a.example/simple/\n    {}\n",
                url.as_str()
            )
        );
        assert!(!text.contains(old.expose()));
        assert_eq!(text.matches("shared:").count(), 1, "{}", text.as_str());
    }

    #[test]
    fn a_project_npmrc_with_a_credential_is_found_and_a_reference_is_not() {
        let text = "registry=https://pkgs.dev.azure.com/contoso/_packaging/shared/npm/registry/\n\
                    always-auth=true\n\
                    //pkgs.dev.azure.com/contoso/_packaging/shared/npm/registry/:_password=c2VjcmV0\n\
                    //registry.npmjs.org/:_authToken=${NPM_TOKEN}\n";
        assert_eq!(
            project_npmrc_credentials(text),
            [ProjectCredential {
                line: 3,
                key: "_password".into()
            }]
        );
    }
}
