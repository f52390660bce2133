//! `pass`, the standard Unix password manager, as a small team's vault (a git-backed store of
//! GnuPG-encrypted files): the token on an entry's first line and patwiz's facts as `key: value`
//! lines after it, as pass users write them. The token goes to `pass` on its standard input,
//! never in its arguments; `PASSWORD_STORE_DIR` and the GnuPG set-up are the user's own.

use crate::domain::team_vault::Listing;
use std::path::PathBuf;
use std::process::Stdio;

use secrecy::zeroize::Zeroizing;

use super::kv::KvError;

pub struct PassStore {
    program: String,
    dir: PathBuf,
}

impl std::fmt::Debug for PassStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PassStore({})", self.dir.display())
    }
}

/// How long `pass` (and the GnuPG agent it asks, perhaps for a passphrase) may take.
const TOOL_TIME: std::time::Duration = std::time::Duration::from_secs(120);

fn tool_error(message: impl Into<String>) -> KvError {
    KvError::Failed {
        status: 0,
        message: crate::domain::text::safe_message(&message.into()),
    }
}

impl PassStore {
    /// The store `pass` itself would use: `PASSWORD_STORE_DIR`, else `~/.password-store`
    /// (`PATWIZ_PASS` names another `pass` program, for tests).
    pub fn from_env() -> Result<PassStore, KvError> {
        let dir = match std::env::var_os("PASSWORD_STORE_DIR").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => directories::BaseDirs::new()
                .map(|d| d.home_dir().join(".password-store"))
                .ok_or_else(|| tool_error("no home directory for ~/.password-store"))?,
        };
        if !dir.join(".gpg-id").exists() {
            return Err(tool_error(format!(
                "no password store at {} (run `pass init YOUR-GPG-ID` first)",
                dir.display()
            )));
        }
        let program = std::env::var("PATWIZ_PASS").unwrap_or_else(|_| "pass".to_string());
        Ok(PassStore { program, dir })
    }

    pub fn address(&self) -> String {
        self.dir.display().to_string()
    }

    fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.env("PASSWORD_STORE_DIR", &self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    /// The entry's text, `None` when there is none.
    pub async fn show(&self, path: &str) -> Result<Option<Zeroizing<String>>, KvError> {
        if !self.dir.join(format!("{path}.gpg")).exists() {
            return Ok(None);
        }
        let mut show = self.command();
        show.args(["show", path]);
        let out = super::child::run(&mut show, None, TOOL_TIME)
            .await
            .map_err(|e| tool_error(format!("{}: {e}", self.program)))?;
        if !out.status.success() {
            return Err(tool_error(format!(
                "pass show {path} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(Some(Zeroizing::new(
            String::from_utf8_lossy(&out.stdout).to_string(),
        )))
    }

    /// Replaces the entry with `text` (a new commit when the store is a git repository).
    pub async fn insert(&self, path: &str, text: &str) -> Result<(), KvError> {
        let mut insert = self.command();
        insert.args(["insert", "--multiline", "--force", path]);
        let out = super::child::run(&mut insert, Some(text.as_bytes()), TOOL_TIME)
            .await
            .map_err(|e| tool_error(format!("{} insert: {e}", self.program)))?;
        if !out.status.success() {
            return Err(tool_error(format!(
                "pass insert {path} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(())
    }

    /// Every entry under `prefix`, as pass names them: at most [`LIST_DEPTH`] folders deep
    /// (a folder linked into itself ends there) and [`LIST_ENTRIES`] names.
    pub fn list(&self, prefix: &str) -> Listing {
        use crate::domain::team_vault::{LIST_DEPTH, LIST_ENTRIES, Unread};
        let root = self.dir.join(prefix.trim_matches('/'));
        let mut found = Vec::new();
        let mut unread = None;
        let mut seen = 0usize;
        let mut dirs = vec![(root, 0usize)];
        'walk: while let Some((dir, depth)) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().to_string();
                if name.starts_with('.') {
                    continue;
                }
                seen += 1;
                if seen > LIST_ENTRIES {
                    unread = Some(Unread::MoreNames);
                    break 'walk;
                }
                if path.is_dir() {
                    if depth + 1 >= LIST_DEPTH {
                        unread = Some(Unread::Deeper);
                    } else {
                        dirs.push((path, depth + 1));
                    }
                } else if let Some(stem) = name.strip_suffix(".gpg")
                    && let Ok(rel) = dir.strip_prefix(&self.dir)
                {
                    let rel = rel.to_string_lossy();
                    found.push(if rel.is_empty() {
                        stem.to_string()
                    } else {
                        format!("{rel}/{stem}")
                    });
                }
            }
        }
        found.sort();
        Listing {
            paths: found,
            unread,
        }
    }
}

/// An entry's text: the token on the first line, then `key: value` lines.
pub fn entry_text(
    token: &str,
    facts: &std::collections::BTreeMap<String, String>,
) -> Zeroizing<String> {
    let mut text = Zeroizing::new(format!("{token}\n"));
    for (key, value) in facts {
        text.push_str(&format!("{key}: {}\n", value.replace('\n', " ")));
    }
    text
}

/// The token and the `key: value` lines of an entry's text.
pub fn parse_entry(
    text: &str,
) -> (
    Zeroizing<String>,
    std::collections::BTreeMap<String, String>,
) {
    let mut lines = text.lines();
    let token = Zeroizing::new(lines.next().unwrap_or_default().trim().to_string());
    let facts = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty() && !k.contains(' '))
        .collect();
    (token, facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_round_trips_token_first_then_the_facts() {
        let mut facts = std::collections::BTreeMap::new();
        facts.insert(
            "org_url".to_string(),
            "https://dev.azure.com/contoso".to_string(),
        );
        facts.insert("profile".to_string(), "git-zen".to_string());
        let text = entry_text("tok", &facts);
        assert_eq!(
            text.as_str(),
            "tok\norg_url: https://dev.azure.com/contoso\nprofile: git-zen\n"
        );
        let (token, back) = parse_entry(&text);
        assert_eq!(token.as_str(), "tok");
        assert_eq!(back, facts);
    }
}
