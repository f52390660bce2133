//! Text wrapped to the screen's width with a hanging indent: the first line starts after its
//! mark or label, every following line lines up under the text, never back at column 0.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `text` wrapped to `width` columns: the first line after `first` (in `first_style`), the
/// rest indented as wide as `first`.
pub fn hanging(
    text: &str,
    width: u16,
    first: &str,
    first_style: Style,
    style: Style,
) -> Vec<Line<'static>> {
    let indent = " ".repeat(first.chars().count());
    let width = usize::from(width).max(indent.len() + 20);
    let options = textwrap::Options::new(width)
        .initial_indent(&indent)
        .subsequent_indent(&indent)
        // Lines break at spaces, never at the hyphens of a GUID, a date or a name.
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, options)
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let body = piece.trim_start().to_string();
            let lead = if i == 0 {
                Span::styled(first.to_string(), first_style)
            } else {
                Span::raw(indent.clone())
            };
            Line::from(vec![lead, Span::styled(body, style)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_line_up_under_the_text() {
        let lines = hanging(
            "Edit the token and tick Work Items: Read & write, Identity: Read and Service Connections: Read & query.",
            40,
            "   Fix: ",
            Style::default(),
            Style::default(),
        );
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert!(text.len() > 2, "{text:?}");
        assert!(text[0].starts_with("   Fix: Edit"));
        for line in &text[1..] {
            assert!(
                line.starts_with("        ") && !line.starts_with("         "),
                "{line:?}"
            );
            assert!(line.chars().count() <= 40, "{line:?}");
        }
    }
}
