//! tmux's own copy of what patwiz sent through the terminal. With `set-clipboard on`, tmux
//! keeps every OSC 52 copy as a paste buffer of its own, which an empty OSC 52 does not clear:
//! inside tmux (`TMUX` set) patwiz deletes the buffers that hold exactly the token.

use std::process::Command;

use crate::domain::token::Token;

/// Inside tmux: how many of its paste buffers held the token and were deleted, or `Err` when
/// tmux could not be asked. Outside tmux: `None`.
pub fn forget(token: &Token) -> Option<Result<usize, ()>> {
    std::env::var_os("TMUX")?;
    Some(delete_copies(token.expose()))
}

fn delete_copies(token: &str) -> Result<usize, ()> {
    let listed = Command::new("tmux")
        .args(["list-buffers", "-F", "#{buffer_name}\t#{buffer_size}"])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|_| ())?;
    if !listed.status.success() {
        return Err(());
    }
    let mut deleted = 0;
    // Only buffers of the token's very size are read (a few bytes each, never a person's
    // large buffers).
    for line in String::from_utf8_lossy(&listed.stdout).lines() {
        let Some((name, size)) = line.rsplit_once('\t') else {
            continue;
        };
        if size.trim().parse::<usize>().ok() != Some(token.len()) {
            continue;
        }
        let shown = Command::new("tmux")
            .args(["show-buffer", "-b", name])
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|_| ())?;
        let held = secrecy::zeroize::Zeroizing::new(shown.stdout);
        if held.as_slice() == token.as_bytes() {
            let gone = Command::new("tmux")
                .args(["delete-buffer", "-b", name])
                .stdin(std::process::Stdio::null())
                .status()
                .map_err(|_| ())?;
            if !gone.success() {
                return Err(());
            }
            deleted += 1;
        }
    }
    Ok(deleted)
}
