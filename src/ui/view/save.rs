//! Step 7: store the proven token in the OS secret store, with its expiry date.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::ui::state::{App, SaveState};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let org = app.org.as_ref().map(|o| o.to_string()).unwrap_or_default();
    let verb = if app.rotating.is_some() {
        "Replace the stored token for"
    } else {
        "Store the token for"
    };
    let mut lines = vec![
        Line::from(vec![
            Span::raw(format!(" {verb} ")),
            Span::styled(org, theme.strong()),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::raw(" Where: "),
            Span::raw(
                app.store_line
                    .clone()
                    .unwrap_or_else(|| "finding the secret store…".into()),
            ),
        ]),
        Line::styled(
            "        Never a plain file: if no secret store works, patwiz says so.",
            theme.dim(),
        ),
        Line::raw(""),
        Line::raw(" Expiry date you chose (YYYY-MM-DD, optional, for reminders):"),
        Line::from(vec![
            Span::raw(" > "),
            Span::styled(app.expires_input.clone(), theme.strong()),
            Span::styled("▏", theme.key()),
        ]),
        Line::styled(
            " Azure DevOps emails you 7 days before; `patwiz status` warns then too,",
            theme.dim(),
        ),
        Line::styled(
            " and `patwiz remind` writes a calendar reminder.",
            theme.dim(),
        ),
        Line::raw(""),
    ];
    match &app.save {
        SaveState::Editing => lines.push(Line::raw(" Enter stores it.")),
        SaveState::Saving => lines.push(Line::raw(" Storing…")),
        SaveState::Saved { detail, .. } => lines.push(Line::from(vec![
            Span::styled(" ✓ ", theme.ok()),
            Span::raw(detail.clone()),
        ])),
        SaveState::Failed(e) => lines.push(Line::from(vec![
            Span::styled(" ✗ ", theme.fail()),
            Span::raw(e.clone()),
        ])),
    }
    frame.render_widget(text(lines), area);
}
