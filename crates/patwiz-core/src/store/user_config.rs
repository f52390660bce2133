//! Writing a secret into another tool's user-level configuration file (`~/.npmrc`, pip.conf):
//! only a user-level file, never one inside a git repository (a commit would carry the token),
//! written whole and atomically with mode 0600, through a symlink to its target (dotfile
//! managers link these files) and never into a repository that target lives in.

use std::path::{Path, PathBuf};

/// Why a file cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(
        "{path} is inside the git repository at {repo}: a commit would carry the token. patwiz writes only your user-level file"
    )]
    InsideRepository { path: String, repo: String },
    #[error("{path} is not a regular file")]
    NotRegular { path: String },
    #[error("cannot write {path}: {error}")]
    Io { path: String, error: std::io::Error },
}

/// The file a write to `path` lands in: `path` itself, or the end of its symlink chain.
pub fn target_of(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// The git work tree `path` lies in (a parent holding `.git`), if any.
pub fn repository_of(path: &Path) -> Option<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut dir = absolute.parent();
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

/// Checks that `path` may receive a secret: where it lands is outside every git repository and
/// is a regular file (or does not exist yet). Returns where the write lands.
pub fn writable_target(path: &Path) -> Result<PathBuf, Refusal> {
    let target = target_of(path);
    if let Some(repo) = repository_of(&target) {
        // The home directory itself under version control (a dotfiles repo at ~) is the one
        // repository a user-level file may live in only if git ignores it; patwiz does not guess.
        return Err(Refusal::InsideRepository {
            path: path.display().to_string(),
            repo: repo.display().to_string(),
        });
    }
    match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() => Err(Refusal::NotRegular {
            path: path.display().to_string(),
        }),
        _ => Ok(target),
    }
}

/// What names a temporary file of [`write_private`]: `.{file}.patwiz-` and six random letters.
const TEMP_MARK: &str = ".patwiz-";

/// Whether `file_name` is one of [`write_private`]'s temporary files (holding a token while it
/// exists; left behind only when a write was killed before its rename).
pub fn is_leftover(file_name: &str) -> bool {
    file_name.starts_with('.')
        && file_name.rsplit_once(TEMP_MARK).is_some_and(|(_, tail)| {
            tail.len() == 6 && tail.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// Removes the temporary files an interrupted write of `target` left in `dir`.
fn remove_leftovers(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if regular && name.starts_with(prefix) && is_leftover(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `text` to `target` whole: a new private (0600) file in the same directory, synced,
/// renamed over the old one; the directory is created (0700) if missing. The temporary files a
/// killed earlier write left beside `target` are removed first: the caller holds the lock
/// that makes this the only write of these files under way.
pub fn write_private(target: &Path, text: &str) -> Result<(), Refusal> {
    let io = |error| Refusal::Io {
        path: target.display().to_string(),
        error,
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        patwiz_platform::private::create_dir_owner_only(dir).map_err(io)?;
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let prefix = format!(".{name}{TEMP_MARK}");
    remove_leftovers(dir, &prefix);
    crate::store::files::replace_whole(target, &prefix, text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_writes_temporary_file_is_removed_by_the_next_write_and_nothing_else_is() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join(".npmrc");
        let leftover = dir.path().join("..npmrc.patwiz-Xy12Ab");
        let other = dir.path().join(".pip.conf.patwiz-Xy12Ab");
        let mine = dir.path().join("..npmrc.patwiz-notes.txt");
        for file in [&leftover, &other, &mine] {
            std::fs::write(file, "secret").unwrap();
        }
        assert!(is_leftover("..npmrc.patwiz-Xy12Ab") && !is_leftover("..npmrc.patwiz-notes.txt"));
        write_private(&target, "registry=x\n").unwrap();
        assert!(!leftover.exists(), "the leftover of this file is gone");
        assert!(
            other.exists() && mine.exists(),
            "another file's and a person's stay"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("..npmrc.patwiz-") && is_leftover(n)),
            "{names:?}"
        );
    }

    #[test]
    fn a_file_inside_a_repository_is_refused_and_one_outside_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("project");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let inside = repo.join(".npmrc");
        assert!(matches!(
            writable_target(&inside),
            Err(Refusal::InsideRepository { .. })
        ));
        let home = dir.path().join("home");
        let outside = home.join(".config/pip/pip.conf");
        let target = writable_target(&outside).unwrap();
        write_private(&target, "[global]\n").unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "[global]\n");
    }

    #[test]
    fn a_written_config_file_and_the_folder_made_for_it_are_the_owners_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("home/.config/pip/pip.conf");
        write_private(&writable_target(&file).unwrap(), "[global]\n").unwrap();
        assert!(patwiz_platform::private::is_owner_only(&file).unwrap());
        assert!(patwiz_platform::private::is_owner_only(file.parent().unwrap()).unwrap());
    }

    #[test]
    fn a_symlinked_dotfile_is_written_at_its_target_unless_that_is_in_a_repository() {
        let dir = tempfile::tempdir().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        std::fs::create_dir_all(&dotfiles).unwrap();
        std::fs::write(dotfiles.join("npmrc"), "color=false\n").unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let link = home.join(".npmrc");
        patwiz_platform::no_follow::symlink_file(&dotfiles.join("npmrc"), &link).unwrap();
        let target = writable_target(&link).unwrap();
        write_private(&target, "color=true\n").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "the link stays a link"
        );
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "color=true\n");
        // The same link into a git-tracked dotfiles repository is refused.
        std::fs::create_dir_all(dotfiles.join(".git")).unwrap();
        assert!(matches!(
            writable_target(&link),
            Err(Refusal::InsideRepository { .. })
        ));
    }
}
