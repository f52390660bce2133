//! Step 9: the summary, and a secret-free report to copy into a ticket.

use ratatui::text::{Line, Span};

use crate::domain::checks::CheckStatus;
use crate::store::settings::parse_date;
use crate::ui::effect::{Effect, ReminderRequest};
use crate::ui::keymap::Intent;
use crate::ui::msg::Copied;
use crate::ui::state::{App, Level, SaveState, Step};
use crate::ui::theme::Theme;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::WriteReminder => {
            let expires = parse_date(app.save.expires.as_str()).ok();
            match (&app.org.parsed, expires) {
                (Ok(org), Some(expires)) => vec![Effect::WriteReminder(ReminderRequest {
                    org: org.clone(),
                    profile: app
                        .profile
                        .as_ref()
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    expires,
                })],
                _ => {
                    app.message = Some((
                        Level::Info,
                        "No expiry date was given, so there is nothing to remind you of.".into(),
                    ));
                    vec![]
                }
            }
        }
        Intent::CopyReport => match &app.validation.report {
            Some(_) => vec![Effect::CopyText(ticket(app), Copied::Report)],
            None => vec![],
        },
        Intent::AnotherOrg => {
            // Another organization: each gets its own PAT (Git-Zen guide). Keep the profile.
            app.reset_journey();
            app.step = Step::Organization;
            vec![]
        }
        Intent::Next => {
            app.quit = true;
            vec![]
        }
        _ => vec![],
    }
}

/// The plain-text report of the last check, with what the wizard knows around it.
pub fn ticket(app: &App) -> String {
    let Some(report) = &app.validation.report else {
        return String::new();
    };
    let integration = app.integration();
    let profile = app
        .profile
        .as_ref()
        .map_or_else(|| "custom".to_string(), |p| p.name.clone());
    let expires = app.save.expires.as_str().trim();
    let stored = match &app.save.state {
        SaveState::Saved(stored) => Some(stored.backend.name()),
        _ => None,
    };
    report.to_ticket(&crate::engine::report::TicketFacts {
        integration: &integration,
        profile: &profile,
        expires: (!expires.is_empty()).then_some(expires),
        stored_in: stored,
    })
}

pub fn lines<'a>(app: &'a App, theme: Theme) -> Vec<Line<'a>> {
    let org = app
        .org
        .parsed
        .as_ref()
        .map(|o| o.to_string())
        .unwrap_or_default();
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
    if let SaveState::Saved(stored) = &app.save.state {
        lines.push(Line::raw(format!(
            " Stored in:    {}",
            stored.backend.name()
        )));
        lines.push(Line::styled(
            format!("               Token {}.", stored.backend.explain()),
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
    if !app.save.expires.as_str().trim().is_empty() {
        lines.push(Line::styled(
            format!(
                " r writes a calendar reminder 7 days before it expires ({}).",
                app.save.expires.as_str().trim()
            ),
            theme.dim(),
        ));
    }
    lines
}
