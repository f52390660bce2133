//! Replacing a file whole, atomically: a reader sees the old file or the new one, never part of
//! either, and a crash leaves one of them. The new text is written to a temporary file beside
//! the target first (the caller's); this renames it over the target.
//! Unix: `rename(2)`, atomic over anything at the target (a planted link is replaced, never
//! followed). Windows: `std::fs::rename`, a rename with POSIX semantics (`FileRenameInfoEx`,
//! Windows 10 1809+ on NTFS) that replaces the target while a reader keeps the old file, else
//! `MoveFileExW(MOVEFILE_REPLACE_EXISTING)`. Where neither can replace a file another program
//! holds open (FAT and network drives, older Windows, Wine; a virus scanner or search indexer
//! that opened the file a moment ago) Windows answers "access denied" or "sharing violation":
//! the rename is tried again for up to two seconds, as Go's and npm's tools do, and then the
//! error says what may be holding it. (`tempfile`'s `persist` tries `MoveFileExW` once.)

use std::io;
use std::path::Path;
use std::time::Duration;

/// Waits between attempts while another program holds the target (Windows): about two seconds
/// in all, short at first (a scanner lets go within milliseconds).
const WAITS_WHILE_HELD: [u64; 11] = [5, 10, 20, 40, 80, 160, 250, 300, 350, 400, 400];

/// What the error says when Windows kept refusing (it does not say which program, if any).
pub const HELD_OPEN: &str = "Windows would not let patwiz replace this file for two seconds: \
     another program may keep it open (an editor, a virus scanner, a search indexer, a second \
     patwiz), or it is read-only or a folder; close that program, or make the file writable, \
     and try again";

/// Moves the file at `from` over `to`, atomically. Both must be on the same volume.
pub fn replace(from: &Path, to: &Path) -> io::Result<()> {
    replace_waiting(from, to, &WAITS_WHILE_HELD.map(Duration::from_millis))
}

fn replace_waiting(from: &Path, to: &Path, waits: &[Duration]) -> io::Result<()> {
    let mut waits = waits.iter();
    loop {
        match std::fs::rename(from, to) {
            Err(e) if held_by_another_program(&e) => match waits.next() {
                Some(wait) => std::thread::sleep(*wait),
                None => return Err(io::Error::new(e.kind(), format!("{HELD_OPEN} ({e})"))),
            },
            done => return done,
        }
    }
}

/// Whether a failed rename is Windows refusing because another handle is open on the target.
/// (On Unix nothing holds a name: a refusal there is final.)
fn held_by_another_program(error: &io::Error) -> bool {
    #[cfg(windows)]
    {
        use windows_sys::Win32::Foundation::{
            ERROR_ACCESS_DENIED, ERROR_LOCK_VIOLATION, ERROR_SHARING_VIOLATION,
        };
        error.raw_os_error().is_some_and(|code| {
            [
                ERROR_ACCESS_DENIED,
                ERROR_SHARING_VIOLATION,
                ERROR_LOCK_VIOLATION,
            ]
            .contains(&(code as u32))
        })
    }
    #[cfg(not(windows))]
    {
        let _ = error;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn old_and_new(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
        let target = dir.join("settings.toml");
        std::fs::write(&target, "old = true\n").expect("old");
        let new = dir.join(".settings.toml.tmp");
        std::fs::write(&new, "new = true\n").expect("new");
        (target, new)
    }

    #[test]
    fn the_new_file_replaces_the_old_one_a_reader_holds_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (target, new) = old_and_new(dir.path());
        let mut reader = std::fs::File::open(&target).expect("reader");
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

    #[test]
    fn a_program_that_lets_go_of_the_file_within_moments_does_not_fail_the_replace() {
        // As a virus scanner does on Windows: it opens the file just written, reads it, lets
        // go. Where a rename cannot replace a file held open (Wine, FAT, older Windows) the
        // replace waits for it; elsewhere it replaces at once. Either way the scanner read the
        // old file whole and the new one is there whole.
        let dir = tempfile::tempdir().expect("tempdir");
        let (target, new) = old_and_new(dir.path());
        let mut scanner = std::fs::File::open(&target).expect("scanner");
        let (opened, read) = std::sync::mpsc::channel();
        let scan = std::thread::spawn(move || {
            opened.send(()).expect("send");
            std::thread::sleep(Duration::from_millis(150));
            let mut seen = String::new();
            scanner.read_to_string(&mut seen).expect("scan");
            seen
        });
        read.recv().expect("scanner started");
        replace(&new, &target).expect("replaced once the scanner let go");
        assert_eq!(scan.join().expect("scan"), "old = true\n");
        assert_eq!(
            std::fs::read_to_string(&target).expect("new"),
            "new = true\n"
        );
        assert!(!new.exists(), "moved, not copied");
    }

    #[test]
    fn a_refusal_that_outlasts_the_waits_names_the_cause_and_keeps_both_files() {
        // A folder at the target: no rename puts a file over it, on any system (Windows says
        // "access denied", which is waited on; Unix says so at once).
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("settings.toml");
        std::fs::create_dir(&target).expect("a folder in the way");
        let new = dir.path().join(".settings.toml.tmp");
        std::fs::write(&new, "new = true\n").expect("new");
        let waits = [Duration::from_millis(1); 3];
        let err = replace_waiting(&new, &target, &waits).expect_err("a folder is not replaced");
        if cfg!(windows) {
            assert!(err.to_string().starts_with(HELD_OPEN), "{err}");
        } else {
            assert!(!err.to_string().contains(HELD_OPEN), "{err}");
        }
        assert!(target.is_dir(), "the folder is untouched");
        assert_eq!(std::fs::read_to_string(&new).expect("new"), "new = true\n");
    }
}
