//! The system clipboard (arboard), off the UI thread and bounded in time. Where there is no
//! clipboard (SSH, headless, GNOME-Wayland without XWayland) it says so, and the terminal's own
//! paste still works. The clipboard object lives as long as the wizard so copied text stays
//! available (on X11 the copying program serves it).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::zeroize::Zeroizing;
use tokio::sync::mpsc::UnboundedSender;

use super::update::Action;

const TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Default)]
pub struct Clipboard {
    inner: Arc<Mutex<Option<arboard::Clipboard>>>,
}

fn unavailable(e: impl std::fmt::Display) -> String {
    format!("No clipboard in this session ({e})")
}

impl Clipboard {
    pub fn new() -> Clipboard {
        Clipboard::default()
    }

    fn with<T: Send + 'static>(
        &self,
        tx: UnboundedSender<Action>,
        call: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error> + Send + 'static,
        answer: impl FnOnce(Result<T, String>) -> Action + Send + 'static,
    ) {
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let work = tokio::task::spawn_blocking(move || {
                let mut guard = inner
                    .lock()
                    .map_err(|_| "clipboard lock poisoned".to_string())?;
                if guard.is_none() {
                    *guard = Some(arboard::Clipboard::new().map_err(unavailable)?);
                }
                let clipboard = guard.as_mut().expect("just set");
                call(clipboard).map_err(|e| match e {
                    arboard::Error::ContentNotAvailable => {
                        "The clipboard holds no text".to_string()
                    }
                    other => unavailable(other),
                })
            });
            let result = match tokio::time::timeout(TIMEOUT, work).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => Err(unavailable(e)),
                Err(_) => Err("The clipboard did not answer in time".to_string()),
            };
            let _ = tx.send(answer(result));
        });
    }

    /// Reads text (the token) from the clipboard.
    pub fn read(&self, tx: UnboundedSender<Action>) {
        self.with(tx, |c| c.get_text().map(Zeroizing::new), Action::Clipboard);
    }

    /// Copies text that is not secret (a link, a report).
    pub fn copy(&self, text: String, tx: UnboundedSender<Action>) {
        let what = if text.starts_with("http") {
            "Copied the link."
        } else {
            "Copied the report (it holds no token)."
        };
        self.with(
            tx,
            move |c| c.set_text(text),
            move |r| Action::ClipboardDone(r.map(|_| what.to_string())),
        );
    }

    /// Puts the token on the clipboard for one paste (the hand-off step; nothing else does),
    /// marked for clipboard managers not to keep it.
    pub fn copy_token(
        &self,
        token: crate::domain::token::Token,
        seconds: u64,
        tx: UnboundedSender<Action>,
    ) {
        self.with(
            tx,
            move |c| {
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
            },
            move |r| {
                Action::ClipboardDone(
                    r.map(|_| format!("Token copied for one paste: cleared in {seconds} s.")),
                )
            },
        );
    }

    /// Clears the clipboard if it still holds the token (never clobbers what the user copied
    /// since).
    pub fn clear_token(&self, token: crate::domain::token::Token, tx: UnboundedSender<Action>) {
        self.with(
            tx,
            move |c| {
                let holds = c.get_text().is_ok_and(|t| t == token.expose());
                if holds {
                    c.clear().map(|_| true)
                } else {
                    Ok(false)
                }
            },
            |r| {
                Action::ClipboardDone(r.map(|cleared| {
                    if cleared {
                        "The token was cleared from the clipboard.".to_string()
                    } else {
                        "The clipboard no longer holds the token.".to_string()
                    }
                }))
            },
        );
    }

    /// The same, synchronously, when the wizard ends.
    pub fn clear_token_now(&self, token: &crate::domain::token::Token) {
        if let Ok(mut guard) = self.inner.lock()
            && let Some(c) = guard.as_mut()
            && c.get_text().is_ok_and(|t| t == token.expose())
        {
            let _ = c.clear();
        }
    }

    /// Empties the clipboard (after the token was pasted from it).
    pub fn clear(&self, tx: UnboundedSender<Action>) {
        self.with(
            tx,
            |c| c.clear(),
            |r| Action::ClipboardDone(r.map(|_| "Cleared the clipboard.".to_string())),
        );
    }
}
