//! `doctor --scan`: the files where a token is usually left behind (npm's and pip's user
//! files, git's configuration, shell histories, `.env` files, and the temporary files of a
//! `npmrc --write` or `pip-conf --write` that was killed), read for tokens in every form
//! patwiz and npm write, and compared with the stored ones. Every file that could not be
//! read is named with why, so "nothing found" is said only of what was read.

use std::path::{Path, PathBuf};

use crate::domain::secret_scan;
use crate::domain::text::clean_line;
use crate::domain::token::{Token, correlating_id};

/// The largest file read (a history bigger than this is named as skipped).
pub const MAX_FILE: u64 = 16 * 1024 * 1024;

/// A file to read, and how to name it to a person (already safe to print).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: PathBuf,
    pub shown: String,
    /// A temporary file an interrupted write of patwiz's left behind.
    pub leftover: bool,
}

impl Place {
    fn new(path: PathBuf, shown: &str, leftover: bool) -> Place {
        Place {
            path,
            shown: clean_line(shown),
            leftover,
        }
    }
}

/// The user-level files under `home`, and the project files in `here`.
pub fn usual_places(home: Option<&Path>, here: Option<&Path>) -> Vec<Place> {
    let mut places = Vec::new();
    if let Some(home) = home {
        for name in [
            ".npmrc",
            ".gitconfig",
            ".bash_history",
            ".zsh_history",
            ".local/share/fish/fish_history",
            ".config/git/config",
            ".pypirc",
            ".config/pip/pip.conf",
            ".pip/pip.conf",
            ".nuget/NuGet/NuGet.Config",
        ] {
            places.push(Place::new(home.join(name), &format!("~/{name}"), false));
        }
        for dir in [".", ".config/pip", ".pip"] {
            places.extend(leftovers(&home.join(dir), &format!("~/{dir}/")));
        }
    }
    if let Some(here) = here {
        for name in [".npmrc", ".git/config", ".env"] {
            places.push(Place::new(here.join(name), name, false));
        }
        if let Ok(entries) = std::fs::read_dir(here) {
            let mut env_files: Vec<Place> = entries
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().to_string_lossy().to_string();
                    name.starts_with(".env.")
                        .then(|| Place::new(entry.path(), &name, false))
                })
                .collect();
            env_files.sort_by(|a, b| a.shown.cmp(&b.shown));
            places.extend(env_files);
        }
    }
    places
}

/// The temporary files `store::user_config::write_private` names `.{file}.patwiz-XXXXXX`,
/// left in `dir` by a write that never finished.
fn leftovers(dir: &Path, shown_dir: &str) -> Vec<Place> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<Place> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            crate::store::user_config::is_leftover(&name).then(|| {
                let shown = format!("{shown_dir}{name}").replace("/./", "/");
                Place::new(entry.path(), &shown, true)
            })
        })
        .collect();
    found.sort_by(|a, b| a.shown.cmp(&b.shown));
    found
}

/// One token found.
#[derive(Debug, Clone)]
pub struct Hit {
    pub place: String,
    pub line: usize,
    pub format: &'static str,
    pub encoded: bool,
    pub checksum_matches: bool,
    /// The organization patwiz stores this very token for, if it does.
    pub stored_for: Option<String>,
    /// Its correlating id (the C3ID Azure DevOps' audit log shows), never the token.
    pub correlating_id: String,
    pub leftover: bool,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    TooLarge,
    NotText,
    NotRegular,
    Unreadable(String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::TooLarge => write!(f, "larger than {} MB", MAX_FILE / 1024 / 1024),
            Skip::NotText => write!(f, "not text (binary or not UTF-8)"),
            Skip::NotRegular => write!(f, "not a regular file"),
            Skip::Unreadable(why) => write!(f, "cannot be read: {why}"),
        }
    }
}

/// What the scan read and found.
#[derive(Debug, Default)]
pub struct Findings {
    pub hits: Vec<Hit>,
    pub skipped: Vec<(String, Skip)>,
    /// How many files were read whole.
    pub read: usize,
}

/// Reads each place (a missing one is simply not there) and finds the tokens in it.
pub fn scan(places: &[Place], stored: &[(String, Token)]) -> Findings {
    let mut findings = Findings::default();
    for place in places {
        let bytes = match crate::store::files::read_regular_bytes(&place.path, MAX_FILE) {
            Ok(bytes) => secrecy::zeroize::Zeroizing::new(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                findings.skipped.push((place.shown.clone(), skip_of(&e)));
                continue;
            }
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            findings.skipped.push((place.shown.clone(), Skip::NotText));
            continue;
        };
        if text.contains('\0') {
            findings.skipped.push((place.shown.clone(), Skip::NotText));
            continue;
        }
        findings.read += 1;
        for found in secret_scan::scan(text) {
            findings.hits.push(Hit {
                place: place.shown.clone(),
                line: found.line,
                format: found.format,
                encoded: found.encoded,
                checksum_matches: found.checksum_matches,
                stored_for: stored
                    .iter()
                    .find(|(_, t)| t.expose() == found.token.expose())
                    .map(|(url, _)| clean_line(url)),
                correlating_id: correlating_id(&found.token),
                leftover: place.leftover,
            });
        }
    }
    findings
}

fn skip_of(e: &std::io::Error) -> Skip {
    match e.kind() {
        std::io::ErrorKind::InvalidInput => Skip::NotRegular,
        std::io::ErrorKind::FileTooLarge => Skip::TooLarge,
        _ => Skip::Unreadable(clean_line(&e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> String {
        format!("{}JQQJ99{}AZDO{}", "A".repeat(52), "b".repeat(18), "1x2Y")
    }

    // Windows file names cannot hold control characters (ERROR_INVALID_NAME): this attack
    // exists where they can.
    #[cfg(unix)]
    #[test]
    fn a_crafted_file_name_is_shown_without_its_escape_sequences() {
        let dir = tempfile::tempdir().unwrap();
        let name = ".env.\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{1b}[Hlooks clean";
        std::fs::write(dir.path().join(name), format!("PAT={}\n", token())).unwrap();
        let places = usual_places(None, Some(dir.path()));
        let found = scan(&places, &[]);
        assert_eq!(found.hits.len(), 1, "{found:?}");
        let shown = &found.hits[0].place;
        assert!(
            !shown.chars().any(crate::domain::text::is_control),
            "{shown:?}"
        );
        assert!(shown.starts_with(".env."), "{shown:?}");
    }

    #[test]
    fn what_could_not_be_read_is_named_and_npms_base64_is_read() {
        let home = tempfile::tempdir().unwrap();
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, token());
        std::fs::write(
            home.path().join(".npmrc"),
            format!("//pkgs.dev.azure.com/o/_packaging/f/npm/registry/:_password={b64}\n"),
        )
        .unwrap();
        std::fs::write(home.path().join(".bash_history"), b"ls\0\xff\xfe").unwrap();
        std::fs::create_dir(home.path().join(".pypirc")).unwrap();
        let big = std::fs::File::create(home.path().join(".zsh_history")).unwrap();
        big.set_len(MAX_FILE + 1).unwrap();
        let stored = vec![("https://dev.azure.com/o".to_string(), Token::new(token()))];
        let found = scan(&usual_places(Some(home.path()), None), &stored);
        assert_eq!(found.hits.len(), 1, "{found:?}");
        assert!(found.hits[0].encoded);
        assert_eq!(
            found.hits[0].stored_for.as_deref(),
            Some("https://dev.azure.com/o")
        );
        assert_eq!(
            found.skipped,
            vec![
                ("~/.bash_history".to_string(), Skip::NotText),
                ("~/.zsh_history".to_string(), Skip::TooLarge),
                ("~/.pypirc".to_string(), Skip::NotRegular),
            ]
        );
    }

    #[test]
    fn a_killed_writes_temporary_file_is_found_as_a_leftover() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("..npmrc.patwiz-AbC123"),
            format!("x:_password={}\n", token()),
        )
        .unwrap();
        let found = scan(&usual_places(Some(home.path()), None), &[]);
        assert_eq!(found.hits.len(), 1, "{found:?}");
        assert!(found.hits[0].leftover);
        assert_eq!(found.hits[0].place, "~/..npmrc.patwiz-AbC123");
    }
}
