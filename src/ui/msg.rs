//! Everything that reaches `update`: the person's intents, the terminal's paste, the time, and
//! the answers of the work effects asked for. Typed: no answer is a bare string pair.

use std::fmt;
use std::time::Instant;

use secrecy::zeroize::Zeroizing;

use super::keymap::Intent;
use super::services::clipboard::ClipboardError;
use crate::engine::{Event, Stop};
use crate::flows::keep::Stored;
use crate::store::rotation::LocalStoreError;

/// The browser did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Could not open a browser ({0}); press c to copy the link instead")]
pub struct BrowserError(pub String);

/// The calendar reminder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    #[error("Could not find the current directory: {0}")]
    NoDirectory(std::io::Error),
    #[error("Could not write {path}: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

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
    /// The token went through the terminal (OSC 52): patwiz asked the terminal to forget it,
    /// and inside tmux deleted this many of tmux's paste buffers holding it (or could not).
    TerminalAsked {
        tmux: Option<Result<usize, ()>>,
    },
}

/// What a sign-in under way waits for, to be shown while it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInWait {
    /// The browser was asked to open the sign-in page.
    Browser,
    /// The device code: the address to open on any device, and the code to enter there (both
    /// cleaned: they come from the identity provider).
    DeviceCode { uri: String, code: String },
}

impl SignInWait {
    /// What to do, in words; `plain` mode has no Esc (Ctrl+C stops it there).
    pub fn words(&self, plain: bool) -> String {
        let stop = if plain {
            "Ctrl+C stops patwiz"
        } else {
            "Esc stops waiting"
        };
        match self {
            SignInWait::Browser => format!(
                "Sign in in the browser window that opened; patwiz waits up to 5 minutes ({stop})."
            ),
            SignInWait::DeviceCode { uri, code } => format!(
                "To sign in, open {uri} on any device and enter the code {code}; patwiz waits until you have ({stop})."
            ),
        }
    }
}

pub enum Msg {
    Intent(Intent),
    /// A sign-in with Microsoft Entra is waiting for the person (a device code to enter, a
    /// browser page).
    SignInWaiting(SignInWait),
    /// Bracketed paste (the terminal's own paste).
    Paste(Zeroizing<String>),
    Tick(Instant),
    /// The terminal's size (columns, rows).
    Resized(u16, u16),
    /// The anonymous existence check: the kind of Azure DevOps found, or why not.
    OrgChecked(Result<String, Stop>),
    /// Text read from the clipboard (the token), or why not.
    Clipboard(Result<Zeroizing<String>, ClipboardError>),
    ClipboardDone(Result<Copied, ClipboardError>),
    /// No system clipboard: the text went to the terminal's own clipboard (OSC 52).
    ViaTerminal(Copied),
    /// No system clipboard: the report was written to this file (or why not), and also sent
    /// to the terminal's clipboard when `via_terminal`.
    ReportFile {
        written: Result<std::path::PathBuf, ReminderError>,
        via_terminal: bool,
    },
    /// The token went onto the clipboard at this time (the countdown starts here).
    TokenCopiedAt(Instant),
    Browser(Result<(), BrowserError>),
    Engine(Event),
    Saved(Result<Stored, LocalStoreError>),
    /// Stored in a team vault (where, in words), or why not.
    SavedTeam(Result<String, TeamSaveError>),
    /// Azure DevOps created the token (not yet proven), or why it did not.
    Minted(Result<Box<crate::flows::mint::CreatedHere>, MintFailure>),
    /// The stored token was extended to this date and proven again (or why not).
    Extended(Result<(time::Date, crate::domain::checks::Verdict), MintFailure>),
    /// The scopes were added to the same token (or why not).
    Mended(Result<Vec<String>, MintFailure>),
    StoreDescribed(String),
    /// Where the reminder was written.
    ReminderWritten(Result<std::path::PathBuf, ReminderError>),
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Intent(i) => write!(f, "Intent({i:?})"),
            Msg::SignInWaiting(wait) => write!(f, "SignInWaiting({wait:?})"),
            Msg::Paste(t) => write!(f, "Paste(<{} chars>)", t.chars().count()),
            Msg::Clipboard(Ok(t)) => write!(f, "Clipboard(<{} chars>)", t.chars().count()),
            Msg::Clipboard(Err(e)) => write!(f, "Clipboard(Err({e}))"),
            Msg::Tick(_) => f.write_str("Tick"),
            Msg::Resized(w, h) => write!(f, "Resized({w}x{h})"),
            Msg::OrgChecked(Ok(kind)) => write!(f, "OrgChecked({kind})"),
            Msg::OrgChecked(Err(stop)) => write!(f, "OrgChecked(Err({:?}))", stop.class),
            Msg::ClipboardDone(r) => write!(f, "ClipboardDone({r:?})"),
            Msg::TokenCopiedAt(_) => f.write_str("TokenCopiedAt"),
            Msg::ViaTerminal(what) => write!(f, "ViaTerminal({what:?})"),
            Msg::ReportFile { written, .. } => {
                write!(
                    f,
                    "ReportFile({})",
                    if written.is_ok() { "ok" } else { "err" }
                )
            }
            Msg::Browser(r) => write!(f, "Browser({r:?})"),
            Msg::Engine(_) => f.write_str("Engine(..)"),
            Msg::Saved(r) => write!(f, "Saved({})", if r.is_ok() { "ok" } else { "err" }),
            Msg::SavedTeam(r) => write!(f, "SavedTeam({})", if r.is_ok() { "ok" } else { "err" }),
            Msg::Minted(r) => write!(f, "Minted({})", if r.is_ok() { "ok" } else { "err" }),
            Msg::Mended(r) => write!(f, "Mended({})", if r.is_ok() { "ok" } else { "err" }),
            Msg::Extended(r) => write!(f, "Extended({})", if r.is_ok() { "ok" } else { "err" }),
            Msg::StoreDescribed(s) => write!(f, "StoreDescribed({s})"),
            Msg::ReminderWritten(r) => write!(f, "ReminderWritten({r:?})"),
        }
    }
}

/// Why "create it for me" did not create a token, in words: the policy explained when a
/// policy refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintFailure {
    pub text: String,
    pub policy: Option<crate::domain::lifecycle::Explained>,
}

/// Why the wizard's Save did not land in the team vault.
#[derive(Debug, thiserror::Error)]
pub enum TeamSaveError {
    #[error(transparent)]
    Address(#[from] crate::domain::team_vault::TargetError),
    #[error(
        "Signing in to the Key Vault needs the Azure CLI (az login) or an app registration (PATWIZ_CLIENT_ID): see the README."
    )]
    NoSignIn,
    #[error(transparent)]
    Vault(#[from] crate::engine::kv::KvError),
}
