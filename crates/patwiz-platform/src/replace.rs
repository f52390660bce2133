//! Replacing a file whole, atomically: a reader sees the old file or the new one, never part of
//! either, and a crash leaves one of them. The new text is written to a temporary file beside
//! the target first (the caller's); this renames it over the target.
//! Unix: `rename(2)`, atomic over anything at the target (a planted link is replaced, never
//! followed). Windows: `MoveFileExW(MOVEFILE_REPLACE_EXISTING)`, and when the target is open
//! in another process (a reader, a virus scanner: "access denied"), a rename with POSIX
//! semantics (`FileRenameInfoEx`, Windows 10 1809+ on NTFS), which replaces it while the
//! reader keeps the old file; both through `std::fs::rename`. (A plain `MoveFileExW`, as
//! `tempfile`'s `persist` makes, fails whenever anyone has the target open.)

use std::io;
use std::path::Path;

/// Moves the file at `from` over `to`, atomically. Both must be on the same volume.
pub fn replace(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_file_replaces_the_old_one_a_reader_holds_open() {
        use std::io::Read as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("settings.toml");
        std::fs::write(&target, "old = true\n").expect("old");
        let mut reader = std::fs::File::open(&target).expect("reader");
        let new = dir.path().join(".settings.toml.tmp");
        std::fs::write(&new, "new = true\n").expect("new");
        replace(&new, &target).expect("replaced while a reader holds the old one");
        let mut kept = String::new();
        reader.read_to_string(&mut kept).expect("read");
        assert_eq!(kept, "old = true\n", "the reader keeps the old file whole");
        assert_eq!(
            std::fs::read_to_string(&target).expect("new"),
            "new = true\n"
        );
        assert!(!new.exists(), "moved, not copied");
    }
}
