//! Step 5: the token, pasted or typed, masked (four characters at most) and shape-checked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::domain::token::mask;
use crate::ui::state::App;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let shown = match (&app.token, app.typed.is_empty()) {
        (Some(checked), _) => checked.token.masked(),
        (None, false) => mask(&app.typed),
        (None, true) => String::new(),
    };
    let mut lines = vec![
        Line::styled(" Paste the token Azure DevOps showed you", theme.strong()),
        Line::from(vec![
            Span::raw(" > "),
            Span::styled(shown, theme.strong()),
            Span::styled("▏", theme.key()),
        ]),
        Line::raw(""),
    ];
    match (&app.token, &app.paste_error) {
        (Some(checked), _) => {
            lines.push(Line::from(vec![
                Span::styled(" ✓ ", theme.ok()),
                Span::raw(format!("Looks like an {}.", checked.format.describe())),
            ]));
            for note in &checked.notes {
                lines.push(Line::styled(format!("   {note}"), theme.dim()));
            }
        }
        (None, Some(error)) => lines.push(Line::from(vec![
            Span::styled(" ✗ ", theme.fail()),
            Span::raw(error.clone()),
        ])),
        (None, None) => {
            lines.push(Line::raw(
                " p or Ctrl+V pastes from the clipboard; your terminal's paste works too;",
            ));
            lines.push(Line::raw(
                " or type it. It is never shown: at most its first four characters.",
            ));
        }
    }
    if app.pasted_from_clipboard && app.token.is_some() {
        lines.push(Line::styled(
            " The token is still on your clipboard: press x to clear it.",
            theme.warn(),
        ));
    }
    if !app.demo_tokens.is_empty() && app.typed.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            " Demo organization: press a number to paste one of its tokens.",
            theme.dim(),
        ));
        for (i, t) in app.demo_tokens.iter().take(9).enumerate() {
            let about: String = t.demonstrates.chars().take(58).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {} ", i + 1), theme.key()),
                Span::raw(format!("{:<14} ", truncate(&t.name, 14))),
                Span::styled(about, theme.dim()),
            ]));
        }
    }
    frame.render_widget(text(lines), area);
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
