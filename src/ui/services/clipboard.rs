//! The system clipboard (arboard), off the UI thread and bounded in time. Where there is no
//! clipboard (SSH, headless, GNOME-Wayland without XWayland) it says so, and the terminal's own
//! paste still works. The clipboard object lives as long as the wizard so copied text stays
//! available (on X11 the copying program serves it).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::zeroize::Zeroizing;

use crate::domain::token::Token;

const TIMEOUT: Duration = Duration::from_secs(3);

/// Why the clipboard did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClipboardError {
    #[error("No system clipboard here ({0})")]
    Unavailable(&'static str),
    #[error("The clipboard holds no text")]
    Empty,
    #[error("The clipboard did not answer in time")]
    Timeout,
}

#[derive(Clone, Default)]
pub struct Clipboard {
    inner: Arc<Mutex<Option<arboard::Clipboard>>>,
}

/// Why there is no clipboard, in words (the library's own text names X11 internals).
fn unavailable(e: &arboard::Error) -> ClipboardError {
    let graphical = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    ClipboardError::Unavailable(match e {
        arboard::Error::ClipboardNotSupported => "this system offers none",
        arboard::Error::ClipboardOccupied => "another program is holding it",
        _ if !graphical => "no desktop session, as over SSH",
        _ => "the desktop's clipboard did not answer",
    })
}

impl Clipboard {
    pub fn new() -> Clipboard {
        Clipboard::default()
    }

    async fn with<T: Send + 'static>(
        &self,
        call: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error> + Send + 'static,
    ) -> Result<T, ClipboardError> {
        let inner = self.inner.clone();
        let work = tokio::task::spawn_blocking(move || {
            let mut guard = inner
                .lock()
                .map_err(|_| ClipboardError::Unavailable("an earlier copy failed badly"))?;
            if guard.is_none() {
                *guard = Some(arboard::Clipboard::new().map_err(|e| unavailable(&e))?);
            }
            let clipboard = guard.as_mut().expect("just set");
            call(clipboard).map_err(|e| match e {
                arboard::Error::ContentNotAvailable => ClipboardError::Empty,
                other => unavailable(&other),
            })
        });
        match tokio::time::timeout(TIMEOUT, work).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(ClipboardError::Unavailable("the copy stopped unexpectedly")),
            Err(_) => Err(ClipboardError::Timeout),
        }
    }

    /// Reads text (the token) from the clipboard.
    pub async fn read(&self) -> Result<Zeroizing<String>, ClipboardError> {
        self.with(|c| c.get_text().map(Zeroizing::new)).await
    }

    /// Copies text that is not secret (a link, a report).
    pub async fn copy(&self, text: String) -> Result<(), ClipboardError> {
        self.with(move |c| c.set_text(text)).await
    }

    /// Puts the token on the clipboard for one paste (the hand-off step; nothing else does),
    /// marked for clipboard managers not to keep it.
    pub async fn copy_token(&self, token: Token) -> Result<(), ClipboardError> {
        self.with(move |c| {
            #[cfg(target_os = "linux")]
            {
                use arboard::SetExtLinux as _;
                c.set()
                    .exclude_from_history()
                    .text(token.expose().to_string())
            }
            #[cfg(not(target_os = "linux"))]
            {
                c.set_text(token.expose().to_string())
            }
        })
        .await
    }

    /// Clears the clipboard if it still holds the token (never clobbers what the user copied
    /// since); true when it did.
    pub async fn clear_token(&self, token: Token) -> Result<bool, ClipboardError> {
        self.with(move |c| {
            if c.get_text().is_ok_and(|t| t == token.expose()) {
                c.clear().map(|_| true)
            } else {
                Ok(false)
            }
        })
        .await
    }

    /// The same, synchronously, when the wizard ends.
    pub fn clear_token_now(&self, token: &Token) {
        if let Ok(mut guard) = self.inner.lock()
            && let Some(c) = guard.as_mut()
            && c.get_text().is_ok_and(|t| t == token.expose())
        {
            let _ = c.clear();
        }
    }

    /// Empties the clipboard (after the token was pasted from it).
    pub async fn clear(&self) -> Result<(), ClipboardError> {
        self.with(|c| c.clear()).await
    }
}
