//! Step 8: the summary, and a secret-free report to copy into a ticket.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::domain::checks::CheckStatus;
use crate::ui::state::{App, SaveState};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let org = app.org.as_ref().map(|o| o.to_string()).unwrap_or_default();
    let mut lines = vec![
        Line::from(vec![
            Span::styled(" ✓ Done. ", theme.ok()),
            Span::raw(format!(
                "A proven token for {} is stored.",
                app.integration()
            )),
        ]),
        Line::raw(""),
    ];
    lines.push(Line::raw(format!(" Organization: {org}")));
    if let Some(id) = &app.validation.identity {
        lines.push(Line::raw(format!(
            " Token of:     {} <{}>",
            id.display_name, id.unique_name
        )));
    }
    if let SaveState::Saved { store, detail } = &app.save {
        lines.push(Line::raw(format!(" Stored in:    {store}")));
        lines.push(Line::styled(
            format!("               {detail}"),
            theme.dim(),
        ));
    }
    if let Some(report) = &app.validation.report {
        for c in report.checks.iter().filter(|c| c.required) {
            let style = if c.status == CheckStatus::Pass {
                theme.ok()
            } else {
                theme.warn()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("   {} ", c.status.mark()), style),
                Span::raw(c.label.clone()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        " Next: paste the token into the integration from your password manager, or",
    ));
    lines.push(Line::raw(
        " run `patwiz check` any time; `patwiz rotate` replaces it before it expires.",
    ));
    lines.push(Line::styled(
        " c copies a report of the checks (no token in it) for a helpdesk ticket.",
        theme.dim(),
    ));
    if let Some(text) = app.profile.as_ref().and_then(|p| p.multi_org.as_ref()) {
        lines.push(Line::styled(
            format!(" Another org (n): {text}"),
            theme.dim(),
        ));
    }
    if !app.expires_input.trim().is_empty() {
        lines.push(Line::styled(
            format!(
                " r writes a calendar reminder 7 days before it expires ({}).",
                app.expires_input.trim()
            ),
            theme.dim(),
        ));
    }
    frame.render_widget(text(lines), area);
}
