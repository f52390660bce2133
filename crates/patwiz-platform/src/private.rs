//! Files and folders only their owner can read: settings, reports, calendar files, the demo's
//! scratch folder. Unix: mode 0600 (files) and 0700 (folders), set at creation. Windows: a
//! protected access list granting only the current user, set right after creation (Windows
//! applies no mode at creation; what patwiz writes lives under the user's profile, whose own
//! list already keeps other users out until then).

use std::fs::{DirBuilder, OpenOptions};
use std::io;
use std::path::Path;

/// Makes `options` create its file owner-only (Unix: mode 0600). On Windows, call
/// [`seal`] on the file once created.
pub fn create_file_owner_only(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Creates the folder at `path` and its missing parents; the ones it creates are owner-only
/// (Unix: 0700; Windows: the last one's list is replaced, and inherited by what goes inside).
pub fn create_dir_owner_only(path: &Path) -> io::Result<()> {
    if path.as_os_str().is_empty() || path.is_dir() {
        return Ok(());
    }
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(path)?;
    seal(path)
}

/// Finishes making a file or folder patwiz just created owner-only where creation could not:
/// on Windows its access list; on Unix nothing (the mode was set at creation).
pub fn seal(path: &Path) -> io::Result<()> {
    #[cfg(windows)]
    return crate::windows::restrict_to_owner(path);
    #[cfg(not(windows))]
    {
        let _ = path;
        Ok(())
    }
}

/// Makes an existing file or folder owner-only: Unix `chmod` 0600 or 0700, Windows a protected
/// access list granting only the current user.
pub fn restrict_to_owner(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(windows)]
    return crate::windows::restrict_to_owner(path);
    #[cfg(not(any(unix, windows)))]
    {
        let _ = path;
        Ok(())
    }
}

/// Whether only the owner can reach the file or folder at `path`: on Unix no group or other
/// bit is set; on Windows every entry of its access list that grants anything names the
/// current user.
pub fn is_owner_only(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 == 0)
    }
    #[cfg(windows)]
    return crate::windows::owner_only(path);
    #[cfg(not(any(unix, windows)))]
    {
        let _ = path;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_file_and_folder_are_the_owners_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().join("a").join("config");
        create_dir_owner_only(&folder).expect("create folder");
        assert!(is_owner_only(&folder).expect("read folder's access"));
        let file = folder.join("settings.toml");
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        create_file_owner_only(&mut options);
        drop(options.open(&file).expect("create file"));
        seal(&file).expect("seal");
        assert!(is_owner_only(&file).expect("read file's access"));
    }

    #[test]
    fn an_open_file_is_restricted_and_the_check_can_fail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("report.txt");
        std::fs::write(&file, "r").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            assert!(
                !is_owner_only(&file).expect("mode"),
                "0644 is not owner-only"
            );
        }
        restrict_to_owner(&file).expect("restrict");
        assert!(is_owner_only(&file).expect("read access"));
    }
}
