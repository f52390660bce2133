//! The terminal's lifecycle: the alternate screen and raw mode on entry, bracketed paste, and
//! everything restored on leaving, on a panic too. Key presses become messages here.

use std::io::stdout;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent, EventStream, KeyEventKind,
};
use crossterm::execute;
use futures_util::{Stream, StreamExt};
use ratatui::DefaultTerminal;
use secrecy::zeroize::Zeroizing;

/// What arrives from the terminal: a key press, a paste, a resize (columns, rows), or the
/// terminal gone (closed, hung up, or patwiz asked to stop).
pub enum Input {
    Key(crossterm::event::KeyEvent),
    Paste(Zeroizing<String>),
    Resize(u16, u16),
    Closed,
}

pub fn enter() -> DefaultTerminal {
    let terminal = ratatui::init();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        let _ = ratatui::try_restore();
        previous(info);
    }));
    let _ = execute!(stdout(), EnableBracketedPaste);
    terminal
}

/// Restores the terminal; a terminal that is gone (hung up) is left as it is, quietly.
pub fn leave() {
    let _ = execute!(stdout(), DisableBracketedPaste);
    let _ = ratatui::try_restore();
}

/// The terminal's events, then `Closed` once: on a hang-up or a stop request (`hangup`), or
/// when the terminal can no longer be read.
pub fn events(mut hangup: super::services::hangup::Hangup) -> impl Stream<Item = Input> + Unpin {
    let terminal = EventStream::new()
        .take_while(|e| std::future::ready(e.is_ok()))
        .filter_map(|e| async move {
            match e {
                Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => Some(Input::Key(k)),
                Ok(TermEvent::Paste(text)) => Some(Input::Paste(Zeroizing::new(text))),
                Ok(TermEvent::Resize(w, h)) => Some(Input::Resize(w, h)),
                _ => None,
            }
        })
        .chain(futures_util::stream::once(async { Input::Closed }));
    let hung_up = futures_util::stream::once(async move {
        hangup.wait().await;
        Input::Closed
    });
    Box::pin(futures_util::stream::select(terminal, hung_up))
}
