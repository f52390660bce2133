//! Reading a file the user (or someone else) pointed patwiz at, safely: only a regular file,
//! opened without blocking (a FIFO would otherwise hang the open or the read forever) and read
//! only up to a bound (`/dev/zero` would otherwise be read without end).

use std::io::Read as _;
use std::path::Path;

use patwiz_platform::{no_follow, private};

/// The whole text of the regular file at `path`, at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> std::io::Result<String> {
    let bytes = read_regular_bytes(path, max)?;
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// The bytes of the regular file at `path`, at most `max` of them.
pub fn read_regular_bytes(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    // Windows refuses to open a folder as a file ("access denied"): say what it is instead.
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    let file = no_follow::non_blocking(&mut options).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    if meta.len() > max {
        return Err(too_large(max));
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large(max));
    }
    Ok(bytes)
}

/// Opens `path` for writing (appending, or from the start), creating it owner-only, never
/// through a symbolic link and never anything but a regular file: a link planted where a
/// calendar file, report or log is written cannot redirect the write to another file.
pub fn open_no_follow(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true);
    }
    open_owner_only(&mut options, path)
}

/// Opens `path` with `options` through [`no_follow::open`], a file it creates being the
/// owner's alone.
fn open_owner_only(
    options: &mut std::fs::OpenOptions,
    path: &Path,
) -> std::io::Result<std::fs::File> {
    private::create_file_owner_only(options);
    let created = std::fs::symlink_metadata(path).is_err();
    let file = no_follow::open(options, path)?;
    if created {
        private::seal(path)?;
    }
    Ok(file)
}

/// Holds an exclusive advisory lock on `path` (created 0600 with its directory, never through a
/// symlink) while the returned file lives, waiting at most `wait`; then `WouldBlock`. The lock
/// goes with the file, however the process ends.
pub fn exclusive_lock(path: &Path, wait: std::time::Duration) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        private::create_dir_owner_only(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    let file = open_owner_only(&mut options, path)?;
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    "another patwiz holds it",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// Writes `bytes` to `path`, replacing what was there, through [`open_no_follow`].
pub fn write_no_follow(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = open_no_follow(path, false)?;
    file.set_len(0)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Replaces `target` whole and atomically with `bytes`: a new owner-only temporary file named
/// `prefix…` beside it (created exclusively with an unpredictable name, so nothing planted is
/// followed), synced, renamed over `target` (on Windows even while another process reads it),
/// then the folder synced. Its folder must exist.
pub fn replace_whole(target: &Path, prefix: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(prefix).tempfile_in(dir)?;
    private::seal(tmp.path())?;
    tmp.as_file_mut().write_all(bytes)?;
    tmp.as_file().sync_all()?;
    let tmp = tmp.into_temp_path();
    patwiz_platform::replace::replace(&tmp, target)?;
    let _ = tmp.keep();
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn not_regular() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file")
}

fn too_large(max: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::FileTooLarge,
        format!("larger than {} kB", max / 1024),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planted_symlink_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let link = dir.path().join("reminder.ics");
        no_follow::symlink_file(&victim, &link).unwrap();
        let err = write_no_follow(&link, b"BEGIN:VCALENDAR").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        let plain = dir.path().join("plain.ics");
        write_no_follow(&plain, b"first version, longer").unwrap();
        write_no_follow(&plain, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&plain).unwrap(), "second");
        // The lock file refuses a link the same way.
        let lock = dir.path().join(".lock");
        no_follow::symlink_file(&victim, &lock).unwrap();
        assert!(exclusive_lock(&lock, std::time::Duration::ZERO).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    }

    #[test]
    fn a_written_file_and_the_lock_are_the_owners_alone() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.txt");
        write_no_follow(&report, b"report").unwrap();
        assert!(private::is_owner_only(&report).unwrap(), "a new file");
        let lock = dir.path().join("config").join(".lock");
        drop(exclusive_lock(&lock, std::time::Duration::ZERO).unwrap());
        assert!(private::is_owner_only(&lock).unwrap(), "the lock");
        assert!(
            private::is_owner_only(lock.parent().unwrap()).unwrap(),
            "its folder"
        );
    }

    #[test]
    fn only_bounded_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.toml");
        std::fs::write(&ok, "a = 1").unwrap();
        assert_eq!(read_regular(&ok, 100).unwrap(), "a = 1");
        assert!(read_regular(&ok, 2).is_err(), "over the bound");
        assert!(read_regular(dir.path(), 100).is_err(), "a directory");
        #[cfg(unix)]
        {
            let started = std::time::Instant::now();
            assert!(read_regular(Path::new("/dev/zero"), 1024).is_err());
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo");
            let err = read_regular(&fifo, 1024).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
            assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
    }
}
