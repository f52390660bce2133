//! A one-line text field: what was typed (zeroized when dropped: it may be a token), bounded,
//! and its line on screen (" > text▏"), shown as the step decides (masked, redacted, as is).

use ratatui::text::{Line, Span};
use secrecy::zeroize::Zeroizing;

use crate::ui::theme::Theme;

#[derive(Clone)]
pub struct TextInput {
    value: Zeroizing<String>,
    max: usize,
}

impl std::fmt::Debug for TextInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextInput(<{} chars>)", self.value.chars().count())
    }
}

impl TextInput {
    /// An empty field that takes at most `max` bytes.
    pub fn new(max: usize) -> TextInput {
        TextInput {
            value: Zeroizing::new(String::new()),
            max,
        }
    }

    pub fn with(max: usize, text: &str) -> TextInput {
        let mut input = TextInput::new(max);
        input.set(text);
        input
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Adds a character; false when the field is full.
    pub fn push(&mut self, c: char) -> bool {
        if self.value.len() + c.len_utf8() > self.max {
            return false;
        }
        self.value.push(c);
        true
    }

    pub fn pop(&mut self) {
        self.value.pop();
    }

    pub fn clear(&mut self) {
        self.value = Zeroizing::new(String::new());
    }

    /// Replaces the text (cut at the field's bound).
    pub fn set(&mut self, text: &str) {
        self.clear();
        for c in text.chars() {
            if !self.push(c) {
                break;
            }
        }
    }
}

/// The field's line: a prompt mark, the text as the step shows it, a cursor.
pub fn line(shown: String, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::raw(" > "),
        Span::styled(shown, theme.strong()),
        Span::styled("▏", theme.key()),
    ])
}

/// The last `width` characters of `text`, with an ellipsis when cut (the end is being typed).
pub fn tail(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width || width == 0 {
        return text.to_string();
    }
    let kept: String = text.chars().skip(count - (width - 1)).collect();
    format!("…{kept}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_is_bounded_and_the_tail_is_shown() {
        let mut input = TextInput::new(4);
        for c in "abcdef".chars() {
            input.push(c);
        }
        assert_eq!(input.as_str(), "abcd");
        input.pop();
        assert_eq!(input.as_str(), "abc");
        assert_eq!(tail("abcdefgh", 4), "…fgh");
        assert_eq!(tail("abc", 4), "abc");
        assert!(
            !format!("{input:?}").contains("abc"),
            "Debug never shows the text"
        );
    }
}
