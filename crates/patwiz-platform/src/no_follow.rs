//! Opening a file without following a link planted where it should be, and without blocking on
//! a FIFO: a report, calendar file or lock cannot be redirected to another file.
//! Unix: `O_NOFOLLOW | O_NONBLOCK` (the open fails with `ELOOP` on a symbolic link). Windows:
//! `FILE_FLAG_OPEN_REPARSE_POINT` opens a symbolic link or junction itself, never its target,
//! and the open file is refused when it is one (Windows has no FIFOs at a file path).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// The refusal when the path is a link.
pub const LINK_REFUSED: &str = "it is a symbolic link; patwiz never writes through one";

/// Opens `path` with `options`, never through a link and never anything but a regular file.
pub fn open(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
    let file = options_no_follow(options).open(path).map_err(|e| {
        if is_link_refusal(&e) {
            io::Error::new(io::ErrorKind::InvalidInput, LINK_REFUSED)
        } else {
            e
        }
    })?;
    if opened_a_link(&file)? {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, LINK_REFUSED));
    }
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// Makes `options` open without blocking on a FIFO (reading a file someone named: a FIFO
/// would hang the open until a writer came). Nothing to do on Windows.
pub fn non_blocking(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options
}

fn options_no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt as _;
        options.custom_flags(windows_sys::Win32::Storage::FileSystem::FILE_FLAG_OPEN_REPARSE_POINT);
    }
    options
}

fn is_link_refusal(error: &io::Error) -> bool {
    #[cfg(unix)]
    return error.raw_os_error() == Some(libc::ELOOP);
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

fn opened_a_link(file: &File) -> io::Result<bool> {
    #[cfg(windows)]
    {
        use std::os::windows::fs::MetadataExt as _;
        use windows_sys::Win32::Storage::FileSystem::FILE_ATTRIBUTE_REPARSE_POINT;
        Ok(file.metadata()?.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0)
    }
    #[cfg(not(windows))]
    {
        let _ = file;
        Ok(false)
    }
}

/// Makes a symbolic link at `link` to the file `target`, as an attacker (or a dotfile manager)
/// would: for tests on every system. On Windows this needs Developer Mode or the privilege to
/// create symbolic links; the error says so.
/// A system that reports success without making the link (Wine 8.0's `CreateSymbolicLinkW`
/// is a stub) is an error here, so a test that needs a link never passes without one.
pub fn symlink_file(target: &Path, link: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link)?;
    #[cfg(windows)]
    std::os::windows::fs::symlink_file(target, link)?;
    match std::fs::symlink_metadata(link) {
        Ok(meta) if meta.file_type().is_symlink() => Ok(()),
        _ => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this system said it made the symbolic link but did not (Wine 8.0 does that)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_options() -> OpenOptions {
        let mut options = OpenOptions::new();
        options.write(true).create(true);
        options
    }

    #[test]
    fn a_planted_link_is_never_opened_and_its_target_is_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me").expect("write victim");
        let link = dir.path().join("report.txt");
        symlink_file(&victim, &link).expect("make a symbolic link");
        let err = open(&mut write_options(), &link).expect_err("a link is refused");
        assert_eq!(err.to_string(), LINK_REFUSED);
        assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep me");
        // A dangling link is refused too (creating through it would make the target).
        let dangling = dir.path().join("dangling.ics");
        symlink_file(&dir.path().join("nowhere"), &dangling).expect("dangling link");
        assert!(open(&mut write_options(), &dangling).is_err());
        assert!(
            !dir.path().join("nowhere").exists(),
            "nothing made at the target"
        );
    }

    #[test]
    fn a_regular_file_opens_and_a_folder_does_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let plain = dir.path().join("plain.txt");
        use std::io::Write as _;
        open(&mut write_options(), &plain)
            .expect("a new file")
            .write_all(b"text")
            .expect("write");
        assert_eq!(std::fs::read_to_string(&plain).expect("read"), "text");
        let mut read = OpenOptions::new();
        read.read(true);
        assert!(
            open(&mut read, dir.path()).is_err(),
            "a folder is not a file"
        );
    }
}
