//! Everything that reaches `update`: the person's intents, the terminal's paste, the time, and
//! the answers of the work effects asked for. Typed: no answer is a bare string pair.

use std::fmt;
use std::time::Instant;

use secrecy::zeroize::Zeroizing;

use super::keymap::Intent;
use crate::engine::Event;
use crate::flows::keep::Stored;

/// What a clipboard write was for, so its confirmation says the right thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    Link,
    OrgUrl,
    Report,
    /// The token, for one paste.
    Token,
    /// The token was taken off the clipboard (true) or it no longer held it (false).
    TokenCleared(bool),
    /// The clipboard was emptied after the token was pasted from it.
    Emptied,
}

pub enum Msg {
    Intent(Intent),
    /// Bracketed paste (the terminal's own paste).
    Paste(Zeroizing<String>),
    Tick(Instant),
    /// The anonymous existence check: the kind of Azure DevOps found, or why not.
    OrgChecked(Result<String, String>),
    /// Text read from the clipboard (the token), or why not.
    Clipboard(Result<Zeroizing<String>, String>),
    ClipboardDone(Result<Copied, String>),
    /// The token went onto the clipboard at this time (the countdown starts here).
    TokenCopiedAt(Instant),
    Browser(Result<(), String>),
    Engine(Event),
    Saved(Result<Stored, String>),
    StoreDescribed(String),
    ReminderWritten(Result<String, String>),
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Intent(i) => write!(f, "Intent({i:?})"),
            Msg::Paste(t) => write!(f, "Paste(<{} chars>)", t.chars().count()),
            Msg::Clipboard(Ok(t)) => write!(f, "Clipboard(<{} chars>)", t.chars().count()),
            Msg::Clipboard(Err(e)) => write!(f, "Clipboard(Err({e}))"),
            Msg::Tick(_) => f.write_str("Tick"),
            Msg::OrgChecked(r) => write!(f, "OrgChecked({r:?})"),
            Msg::ClipboardDone(r) => write!(f, "ClipboardDone({r:?})"),
            Msg::TokenCopiedAt(_) => f.write_str("TokenCopiedAt"),
            Msg::Browser(r) => write!(f, "Browser({r:?})"),
            Msg::Engine(_) => f.write_str("Engine(..)"),
            Msg::Saved(r) => write!(f, "Saved({})", if r.is_ok() { "ok" } else { "err" }),
            Msg::StoreDescribed(s) => write!(f, "StoreDescribed({s})"),
            Msg::ReminderWritten(r) => write!(f, "ReminderWritten({r:?})"),
        }
    }
}
