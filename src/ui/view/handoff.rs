//! After Save: where the token goes, in the integration guide's own words, with the
//! organization URL in the form the integration asks for. `t` puts the token on the clipboard
//! for one paste; it is cleared after 30 seconds or on leaving this step.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::domain::profiles::UrlForm;
use crate::ui::state::App;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let Ok(org) = &app.org else { return };
    let integration = app.integration();
    let mut lines = vec![
        Line::styled(
            format!(" Now give the token to {integration}:"),
            theme.strong(),
        ),
        Line::raw(""),
    ];
    if let Some(profile) = &app.profile {
        for (i, step) in profile.handoff.steps.iter().enumerate() {
            lines.push(Line::raw(format!(" {}. {step}", i + 1)));
        }
        lines.push(Line::styled(
            format!("    ({})", profile.handoff.source),
            theme.dim(),
        ));
        lines.push(Line::raw(""));
        match (org.cloud_forms(), profile.handoff.org_url_form) {
            (Some((modern, legacy)), UrlForm::Either) => {
                lines.push(Line::from(vec![
                    Span::raw(" Organization URL: "),
                    Span::styled(modern, theme.strong()),
                ]));
                lines.push(Line::from(vec![
                    Span::raw("               or: "),
                    Span::styled(legacy, theme.strong()),
                ]));
            }
            (Some((modern, _)), UrlForm::Modern) => lines.push(Line::from(vec![
                Span::raw(" Organization URL: "),
                Span::styled(modern, theme.strong()),
            ])),
            (None, _) => lines.push(Line::from(vec![
                Span::raw(" Organization URL: "),
                Span::styled(org.as_str().to_string(), theme.strong()),
            ])),
        }
    }
    lines.push(Line::raw(""));
    match app.clipboard_clears_at {
        Some(at) => {
            let left = at
                .saturating_duration_since(std::time::Instant::now())
                .as_secs()
                + 1;
            lines.push(Line::styled(format!(" The token is on the clipboard for one paste: cleared in {left} s, or when you leave."), theme.warn()));
        }
        None => lines.push(Line::raw(format!(
            " t copies the token for one paste (cleared after {} s); u copies the URL.",
            app.clipboard_seconds
        ))),
    }
    lines.push(Line::styled(" The token is never shown here.", theme.dim()));
    frame.render_widget(text(lines), area);
}
