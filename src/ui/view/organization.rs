//! Step 2: the organization URL, parsed as it is typed, then checked anonymously.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{SPINNER, text};
use crate::domain::text::{redact_tokens, safe_message};
use crate::ui::state::{App, OrgCheck};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    // A token pasted into the wrong field is never shown (nor repeated by an error).
    let input = redact_tokens(&app.org_input);
    let shown: String = if input.chars().count() > 70 {
        format!(
            "…{}",
            input
                .chars()
                .rev()
                .take(69)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<String>()
        )
    } else {
        input.clone()
    };
    let mut lines = vec![
        Line::styled(" Organization URL", theme.strong()),
        Line::from(vec![
            Span::raw(" > "),
            Span::styled(shown, theme.strong()),
            Span::styled("▏", theme.key()),
        ]),
        Line::raw(""),
    ];
    match &app.org {
        Ok(org) => {
            lines.push(Line::from(vec![
                Span::styled(" ✓ ", theme.ok()),
                Span::raw(format!("{} ({})", org, org.kind().as_str())),
            ]));
            if let Some(cut) = org.trimmed() {
                lines.push(Line::styled(format!("   (left out: /{cut})"), theme.dim()));
            }
        }
        Err(e) if !app.org_input.trim().is_empty() => lines.push(Line::from(vec![
            Span::styled(" ✗ ", theme.fail()),
            Span::raw(safe_message(&e.to_string())),
        ])),
        Err(_) => lines.push(Line::styled(
            "   Paste or type it; the normalised URL appears here.",
            theme.dim(),
        )),
    }
    match &app.org_check {
        OrgCheck::Checking => lines.push(Line::raw(format!(
            " {} Checking that the organization exists (no token is sent)…",
            SPINNER[app.spinner % 4]
        ))),
        OrgCheck::Failed(message) => lines.push(Line::from(vec![
            Span::styled(" ✗ ", theme.fail()),
            Span::raw(message.clone()),
        ])),
        OrgCheck::Found { kind } => lines.push(Line::from(vec![
            Span::styled(" ✓ ", theme.ok()),
            Span::raw(format!("Found ({kind}).")),
        ])),
        OrgCheck::Idle => {}
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Your organization URL has one of these forms (see https://dev.azure.com):",
        theme.dim(),
    ));
    lines.push(Line::raw("   https://dev.azure.com/{your-organization}"));
    lines.push(Line::raw("   https://{your-organization}.visualstudio.com"));
    lines.push(Line::styled(
        "   Server: https://{server}/tfs/{collection}        (Nango's guide)",
        theme.dim(),
    ));
    frame.render_widget(text(lines), area);
}
