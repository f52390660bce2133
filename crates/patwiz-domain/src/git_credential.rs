//! git's credential protocol (`git help credential`): the request git writes to a helper, and
//! which organization it is for. Pure: parsing and matching only.

use std::collections::BTreeMap;

/// What git asks about: `protocol`, `host`, `path` (with `credential.useHttpPath`), `username`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub protocol: String,
    pub host: String,
    pub path: Option<String>,
    pub username: Option<String>,
}

impl Request {
    /// `key=value` lines up to an empty line or the end; unknown keys are ignored, as git
    /// asks helpers to do. A `url=` line is split into its parts.
    pub fn parse(text: &str) -> Request {
        let mut fields = BTreeMap::new();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once('=') {
                fields.insert(k.to_string(), v.to_string());
            }
        }
        let mut request = Request {
            protocol: fields.remove("protocol").unwrap_or_default(),
            host: fields.remove("host").unwrap_or_default(),
            path: fields.remove("path").filter(|p| !p.is_empty()),
            username: fields.remove("username"),
        };
        if let Some(Ok(url)) = fields.get("url").map(|u| url::Url::parse(u)) {
            request.protocol = url.scheme().to_string();
            request.host = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_string(),
            };
            let path = url.path().trim_start_matches('/');
            request.path = (!path.is_empty()).then(|| path.to_string());
        }
        request
    }

    /// The address git is about to use, as far as git said it.
    pub fn url(&self) -> String {
        match &self.path {
            Some(path) => format!(
                "{}://{}/{}",
                self.protocol,
                self.host,
                path.trim_start_matches('/')
            ),
            None => format!("{}://{}/", self.protocol, self.host),
        }
    }
}

/// The stored organization git's request is for, among `orgs` (their URLs): the one whose URL
/// the request's address starts with (`dev.azure.com/{org}/…`, `{org}.visualstudio.com/…`, a
/// Server collection). Without a path (no `useHttpPath`), only a host that holds a single stored
/// organization matches. Anything else is not patwiz's: git asks its next helper.
pub fn pick<'a>(request: &Request, orgs: &'a [String]) -> Option<&'a str> {
    if !matches!(request.protocol.as_str(), "https" | "http") || request.host.is_empty() {
        return None;
    }
    let wanted = request.url().to_ascii_lowercase();
    let same_host: Vec<&'a String> = orgs
        .iter()
        .filter(|o| {
            url::Url::parse(o).is_ok_and(|u| {
                let host = match u.port() {
                    Some(port) => format!("{}:{port}", u.host_str().unwrap_or_default()),
                    None => u.host_str().unwrap_or_default().to_string(),
                };
                u.scheme() == request.protocol && host.eq_ignore_ascii_case(&request.host)
            })
        })
        .collect();
    if request.path.is_some() {
        return same_host
            .into_iter()
            .filter(|o| {
                let base = format!("{}/", o.trim_end_matches('/')).to_ascii_lowercase();
                wanted.starts_with(&base)
            })
            .max_by_key(|o| o.len())
            .map(String::as_str);
    }
    // dev.azure.com serves every organization: without the path, only a host of its own
    // ({org}.visualstudio.com, a Server) can be answered, and only if it holds one.
    if request.host.eq_ignore_ascii_case("dev.azure.com") {
        return None;
    }
    match same_host.as_slice() {
        [only] => Some(only.as_str()),
        _ => None,
    }
}

/// A path git cannot be given as a helper without it becoming something else: git runs a
/// helper through the shell and keeps its configuration one value per line, so a control
/// character (a newline above all) could end the value and start another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "patwiz's own path has a control character in it, which git's configuration cannot hold safely: move patwiz to a folder whose name has none and run setup-git again"
)]
pub struct UnsafeHelperPath;

/// The `credential.<origin>.helper` value that runs `exe` as git's helper. git runs a value
/// starting with `!` through the shell (`sh -c`, Git for Windows' own sh too), so the path is
/// one single-quoted word in which no character is special: a `'` is closed, escaped and
/// reopened (`'\''`), and `$`, `` ` ``, `;`, `\` and spaces stay text.
pub fn helper_line(exe: &str) -> Result<String, UnsafeHelperPath> {
    if exe.is_empty() || exe.chars().any(char::is_control) {
        return Err(UnsafeHelperPath);
    }
    Ok(format!("!'{}' git-credential", exe.replace('\'', r"'\''")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_helper_path_is_one_shell_word_whatever_it_holds() {
        assert_eq!(
            helper_line("/opt/patwiz/bin/patwiz").unwrap(),
            "!'/opt/patwiz/bin/patwiz' git-credential"
        );
        assert_eq!(
            helper_line("/tmp/it's $(touch x)/patwiz").unwrap(),
            r"!'/tmp/it'\''s $(touch x)/patwiz' git-credential"
        );
        assert_eq!(
            helper_line(r"C:\Program Files\patwiz\patwiz.exe").unwrap(),
            r"!'C:\Program Files\patwiz\patwiz.exe' git-credential"
        );
        assert!(helper_line("/tmp/a\nb/patwiz").is_err());
        assert!(helper_line("/tmp/a\u{1b}]0;x\u{7}/patwiz").is_err());
        assert!(helper_line("").is_err());
    }

    use super::*;

    fn orgs() -> Vec<String> {
        vec![
            "https://dev.azure.com/contoso".into(),
            "https://dev.azure.com/fabrikam".into(),
            "https://tailspin.visualstudio.com".into(),
            "https://tfs.example/tfs/Main".into(),
        ]
    }

    #[test]
    fn gits_request_finds_its_organization_by_the_path() {
        let r = Request::parse(
            "protocol=https\nhost=dev.azure.com\npath=contoso/Fabrikam%20Fiber/_git/web\nusername=patwiz\n\nignored=1\n",
        );
        assert_eq!(r.username.as_deref(), Some("patwiz"));
        assert_eq!(pick(&r, &orgs()), Some("https://dev.azure.com/contoso"));
        let other = Request::parse("protocol=https\nhost=dev.azure.com\npath=contosoX/p/_git/r\n");
        assert_eq!(
            pick(&other, &orgs()),
            None,
            "not a prefix match on the name"
        );
        let server = Request::parse("protocol=https\nhost=tfs.example\npath=tfs/Main/P/_git/r\n");
        assert_eq!(pick(&server, &orgs()), Some("https://tfs.example/tfs/Main"));
        let legacy = Request::parse("protocol=https\nhost=tailspin.visualstudio.com\n");
        assert_eq!(
            pick(&legacy, &orgs()),
            Some("https://tailspin.visualstudio.com")
        );
    }

    #[test]
    fn hosts_it_does_not_manage_and_ambiguous_requests_get_no_answer() {
        let github = Request::parse("protocol=https\nhost=github.com\npath=o/r.git\n");
        assert_eq!(pick(&github, &orgs()), None);
        let no_path = Request::parse("protocol=https\nhost=dev.azure.com\n");
        assert_eq!(
            pick(&no_path, &orgs()),
            None,
            "which organization? git must say (useHttpPath)"
        );
        let plain = Request::parse("protocol=http\nhost=dev.azure.com\npath=contoso/p/_git/r\n");
        assert_eq!(
            pick(&plain, &orgs()),
            None,
            "never over plain http to the cloud"
        );
        let url = Request::parse("url=https://dev.azure.com/fabrikam/p/_git/r\n");
        assert_eq!(pick(&url, &orgs()), Some("https://dev.azure.com/fabrikam"));
    }
}
