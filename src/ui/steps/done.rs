//! Step 9: the summary, and a secret-free report to copy into a ticket.

use ratatui::text::{Line, Span};

use crate::domain::checks::CheckStatus;
use crate::store::settings::parse_date;
use crate::ui::effect::{Effect, ReminderRequest};
use crate::ui::keymap::Intent;
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
            Some(_) => vec![copy_report(app)],
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

/// The report of this run, to the clipboard (or, with none, to a file named after the
/// organization).
pub fn copy_report(app: &App) -> Effect {
    Effect::CopyReport {
        text: ticket(app),
        org: app
            .org
            .parsed
            .as_ref()
            .map_or_else(|_| "organization".to_string(), |o| o.name().to_string()),
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
        SaveState::Saved(stored) => Some(stored.backend.name().to_string()),
        SaveState::SavedTeam(where_) => Some(where_.clone()),
        _ => None,
    };
    report.to_ticket(&crate::engine::report::TicketFacts {
        integration: &integration,
        profile: &profile,
        expires: (!expires.is_empty()).then_some(expires),
        stored_in: stored.as_deref(),
        fingerprint: app
            .paste
            .token
            .as_ref()
            .map(|t| crate::domain::token::correlating_id(&t.token)),
        created: app
            .paste
            .token
            .as_ref()
            .and_then(|t| t.created)
            .map(|m| m.words()),
    })
}

/// After a rotation, what became of the token it replaced, on the path taken: revoked by
/// patwiz, or the person's to revoke only if they made a second token (a Regenerate replaced
/// it in place). Nothing when no token was replaced.
fn old_token(app: &App, theme: Theme, width: u16) -> Vec<Line<'static>> {
    let revoked_for_you = app
        .rotating
        .as_ref()
        .is_some_and(|r| r.settings.authorization_id.is_some())
        && app.create.authorization_id.is_some();
    if revoked_for_you {
        return crate::ui::widgets::wrap::hanging(
            "patwiz had Azure DevOps revoke the old token; it can take up to an hour to stop working everywhere.",
            width,
            " Old token: ",
            theme.dim(),
            ratatui::style::Style::default(),
        );
    }
    match (&app.rotating, &app.org.parsed) {
        (Some(_), Ok(org)) => crate::ui::widgets::wrap::hanging(
            &format!(
                "if you created a second token, revoke the old one in Azure DevOps ({}) once nothing uses it. If you regenerated the same token, there is nothing to revoke: regenerating replaced its old value, and revoking that entry now would stop the token just handed over.",
                org.token_page()
            ),
            width,
            " Old token: ",
            theme.warn(),
            theme.warn(),
        ),
        _ => vec![],
    }
}

pub fn lines<'a>(app: &'a App, theme: Theme, width: u16) -> Vec<Line<'a>> {
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
    let fact = |name: &str, text: &str| {
        crate::ui::widgets::wrap::hanging(
            text,
            width,
            &format!(" {name:<14}"),
            ratatui::style::Style::default(),
            ratatui::style::Style::default(),
        )
    };
    if let SaveState::Saved(stored) = &app.save.state {
        lines.extend(fact(
            "Stored in:",
            &format!("{} — {}.", stored.backend.name(), stored.backend.lasts()),
        ));
    }
    if let SaveState::SavedTeam(where_) = &app.save.state {
        lines.extend(fact("Stored in:", &format!("{where_}.")));
    }
    let expires = app.save.expires.as_str().trim();
    if !expires.is_empty() {
        let soon = parse_date(expires)
            .ok()
            .and_then(|d| crate::domain::expiry::Expiry::of(Some(d), app.today).soon_words());
        match soon {
            Some(when) => lines.extend(fact(
                "Expires:",
                &format!("{expires} ({when}: rotate it before then)"),
            )),
            None => lines.extend(fact("Expires:", expires)),
        }
    }
    if app.create.authorization_id.is_some() {
        lines.extend(fact(
            "Created by:",
            "Azure DevOps, at patwiz's request: patwiz keeps its id (never its value) to mend, extend and revoke it later.",
        ));
    }
    if let Some(report) = &app.validation.report {
        let proven: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| c.required && c.status == CheckStatus::Pass)
            .map(|c| c.label.as_str())
            .collect();
        lines.extend(fact("Proven:", &proven.join(", ")));
    }
    lines.push(Line::raw(""));
    lines.extend(old_token(app, theme, width));
    lines.push(Line::raw(
        " Next: patwiz check proves it again any time; patwiz rotate replaces it before",
    ));
    lines.push(Line::raw(format!(
        " it expires ({} goes back to the hand-over).",
        app.back_key()
    )));
    if let Some(profile) = &app.profile
        && let Some(text) = &profile.multi_org
    {
        // The vendor's own words, said as theirs ("we" is the vendor, not patwiz).
        lines.extend(crate::ui::widgets::wrap::hanging(
            &format!("{} says: \"{text}\"", profile.title),
            width,
            " Another org (n): ",
            theme.dim(),
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
