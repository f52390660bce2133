//! A secret typed or pasted at a terminal without echo: raw mode for the length of the answer,
//! restored whatever happens. Enter ends it; Esc or Ctrl+C gives up.

use std::io::Write;

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
use secrecy::zeroize::Zeroizing;

/// Restores cooked mode when dropped (also on a panic while reading).
struct RawMode;

impl RawMode {
    fn on() -> RawMode {
        let _ = crossterm::terminal::enable_raw_mode();
        RawMode
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Writes `prompt` to `out` and reads the answer from the terminal, showing nothing of it.
/// `None` when the person gave up or the terminal could not be read.
pub fn read_hidden(prompt: &str, out: &mut dyn Write) -> Option<Zeroizing<String>> {
    let mut secret = Zeroizing::new(String::new());
    let finished = {
        // Echo off before the prompt appears: what is typed as soon as it shows is not echoed.
        let _raw = RawMode::on();
        let _ = write!(out, "{prompt}");
        let _ = out.flush();
        loop {
            match read() {
                Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => match k.code {
                    KeyCode::Enter => break true,
                    KeyCode::Esc => break false,
                    KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        break false;
                    }
                    KeyCode::Backspace => {
                        secret.pop();
                    }
                    KeyCode::Char(c) => secret.push(c),
                    _ => {}
                },
                Ok(Event::Paste(text)) => secret.push_str(&text),
                Ok(_) => {}
                Err(_) => break false,
            }
        }
    };
    let _ = writeln!(out);
    finished.then_some(secret)
}
