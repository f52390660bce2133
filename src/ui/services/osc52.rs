//! Copying through the terminal itself (OSC 52): where no system clipboard is reachable (SSH, a
//! container, Wayland without a bridge), the terminal emulator on the person's own machine puts
//! the text on its clipboard, if it allows programs to (most do; tmux needs `set-clipboard
//! on`). patwiz cannot know whether it did, and says so. `PATWIZ_OSC52=0` turns it off.

use base64::Engine as _;
use secrecy::zeroize::Zeroizing;

/// What to ask the terminal to do with its clipboard.
pub enum TerminalCopy {
    Set(Zeroizing<String>),
    /// Forget what was set (invalid data clears the selection in xterm and its kin).
    Clear,
}

impl std::fmt::Debug for TerminalCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TerminalCopy::Set(text) => write!(f, "Set(<{} chars>)", text.chars().count()),
            TerminalCopy::Clear => f.write_str("Clear"),
        }
    }
}

impl TerminalCopy {
    /// The escape sequence to write to the terminal.
    pub fn sequence(&self) -> Zeroizing<String> {
        match self {
            TerminalCopy::Set(text) => Zeroizing::new(format!(
                "\x1b]52;c;{}\x07",
                base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
            )),
            TerminalCopy::Clear => Zeroizing::new("\x1b]52;c;!\x07".to_string()),
        }
    }
}

/// Whether copying through the terminal is allowed (`PATWIZ_OSC52=0` turns it off).
pub fn enabled() -> bool {
    std::env::var("PATWIZ_OSC52").map_or(true, |v| v.trim() != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_carries_base64_and_clearing_sends_invalid_data() {
        let set = TerminalCopy::Set(Zeroizing::new("report".into()));
        assert_eq!(set.sequence().as_str(), "\x1b]52;c;cmVwb3J0\x07");
        assert_eq!(TerminalCopy::Clear.sequence().as_str(), "\x1b]52;c;!\x07");
        assert!(!format!("{set:?}").contains("report"));
    }
}
