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

/// What arrives from the terminal: a key press, a paste, a resize (columns, rows).
pub enum Input {
    Key(crossterm::event::KeyEvent),
    Paste(Zeroizing<String>),
    Resize(u16, u16),
}

pub fn enter() -> DefaultTerminal {
    let terminal = ratatui::init();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        ratatui::restore();
        previous(info);
    }));
    let _ = execute!(stdout(), EnableBracketedPaste);
    terminal
}

pub fn leave() {
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
}

pub fn events() -> impl Stream<Item = Input> + Unpin {
    Box::pin(EventStream::new().filter_map(|e| async move {
        match e {
            Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => Some(Input::Key(k)),
            Ok(TermEvent::Paste(text)) => Some(Input::Paste(Zeroizing::new(text))),
            Ok(TermEvent::Resize(w, h)) => Some(Input::Resize(w, h)),
            _ => None,
        }
    }))
}
