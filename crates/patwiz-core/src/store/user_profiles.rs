//! The user's own integration profiles: every valid `*.toml` in the profiles directory, beside
//! the built-in ones. A file that fails to parse is returned as an error, never silently dropped;
//! only regular files are read, bounded (a FIFO or /dev/zero named *.toml never hangs patwiz).

use std::path::Path;

use crate::domain::profiles::{self, Profile, ProfileError};

/// The largest profile file read.
const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// The built-in profiles plus the user's in `dir` (none when `dir` is `None` or absent).
pub fn load_all(dir: Option<&Path>) -> (Vec<Profile>, Vec<ProfileError>) {
    let mut user = Vec::new();
    let mut errors = Vec::new();
    if let Some(dir) = dir
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let file = path.display().to_string();
            let parsed = super::files::read_regular(&path, MAX_PROFILE_BYTES)
                .map_err(|e| ProfileError::Invalid {
                    file: file.clone(),
                    message: e.to_string(),
                })
                .and_then(|text| Profile::from_toml(&file, &text));
            match parsed {
                Ok(profile) => user.push(profile),
                Err(e) => errors.push(e),
            }
        }
    }
    (profiles::with_user(user), errors)
}

/// The profile called `name`, built-in or the user's.
pub fn find(name: &str, dir: Option<&Path>) -> Result<Profile, ProfileError> {
    profiles::find_in(load_all(dir).0, name)
}

/// A valid profile of a person's own, called `acme` (for tests).
#[cfg(test)]
pub(crate) const ACME: &str = r#"name = "acme"
title = "Acme"
integration = "Acme sync"
summary = "s"
source = "Acme docs"
token_name = "Acme"
organization_advice = "this org"
expiry_advice = "90 days"
[[scope]]
id = "vso.build"
why = "read builds"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_profiles_are_loaded_and_bad_ones_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        std::fs::write(dir.join("acme.toml"), ACME).unwrap();
        std::fs::write(
            dir.join("broken.toml"),
            "name = \"x\"\n[[scope]]\nid = \"vso.nope\"\n",
        )
        .unwrap();
        let (profiles, errors) = load_all(Some(&dir));
        assert!(
            profiles
                .iter()
                .any(|p| p.name == "acme" && p.scope_ids() == ["vso.build"])
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("broken.toml"));
        let unknown = find("nope", Some(&dir)).unwrap_err().to_string();
        assert!(
            unknown.contains("git-zen") && unknown.contains("acme"),
            "{unknown}"
        );
    }
}
