//! Reading a file the user (or someone else) pointed patwiz at, safely: only a regular file,
//! opened without blocking (a FIFO would otherwise hang the open or the read forever) and read
//! only up to a bound (`/dev/zero` would otherwise be read without end).

use std::io::Read as _;
use std::path::Path;

/// The whole text of the regular file at `path`, at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> std::io::Result<String> {
    let bytes = read_regular_bytes(path, max)?;
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// The bytes of the regular file at `path`, at most `max` of them.
pub fn read_regular_bytes(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
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

/// Opens `path` for writing (appending, or from the start), creating it with mode 0600,
/// never through a symlink and never anything but a regular file: a link planted where a
/// calendar file, report or log is written cannot redirect the write to another file.
pub fn open_no_follow(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc_eloop()) {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "it is a symbolic link; patwiz never writes through one",
            )
        } else {
            e
        }
    })?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// Holds an exclusive advisory lock on `path` (created 0600 with its directory, never through a
/// symlink) while the returned file lives, waiting at most `wait`; then `WouldBlock`. The lock
/// goes with the file, however the process ends.
pub fn exclusive_lock(path: &Path, wait: std::time::Duration) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
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

#[cfg(unix)]
fn libc_eloop() -> i32 {
    libc::ELOOP
}

#[cfg(not(unix))]
fn libc_eloop() -> i32 {
    -1
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

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let link = dir.path().join("reminder.ics");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let err = write_no_follow(&link, b"BEGIN:VCALENDAR").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        let plain = dir.path().join("plain.ics");
        write_no_follow(&plain, b"first version, longer").unwrap();
        write_no_follow(&plain, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&plain).unwrap(), "second");
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
