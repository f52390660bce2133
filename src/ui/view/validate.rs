//! Step 6: one panel per scope, filled in as each probe returns.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::SPINNER;
use crate::domain::checks::{CheckClass, CheckStatus};
use crate::domain::scopes::Catalogue;
use crate::ui::state::App;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let v = &app.validation;
    let catalogue = Catalogue::get();
    let mut lines = Vec::new();
    match (&v.identity, &v.report) {
        (Some(id), _) => lines.push(Line::from(vec![
            Span::raw(" Token of "),
            Span::styled(
                format!("{} <{}>", id.display_name, id.unique_name),
                theme.strong(),
            ),
        ])),
        (None, Some(report)) => {
            let headline = match report.checks.first().map(|c| c.class) {
                Some(CheckClass::NoAccess) => {
                    " The token was accepted, but its account has no access to this organization."
                }
                Some(CheckClass::TokenExpired) => " The token has expired.",
                Some(CheckClass::PolicyBlocked) => " Your organization's policy refused the token.",
                Some(CheckClass::OrgDeactivated) => " The organization is stopped.",
                Some(
                    CheckClass::OrgNotFound
                    | CheckClass::Network
                    | CheckClass::Timeout
                    | CheckClass::ServerError
                    | CheckClass::RateLimited,
                ) => " The check could not run.",
                _ => " The token was not accepted.",
            };
            lines.push(Line::styled(headline, theme.fail()))
        }
        (None, None) => lines.push(Line::raw(format!(
            " {} Checking the organization and who the token belongs to…",
            SPINNER[app.spinner % 4]
        ))),
    }
    lines.push(Line::raw(""));
    // A refused token (or an unreachable org) is one problem, shown once.
    let blocked =
        v.identity.is_none() && v.results.iter().all(|r| r.status == CheckStatus::Skipped);
    if let (true, Some(first)) = (blocked, v.results.first()) {
        lines.push(Line::from(vec![
            Span::styled(" ✗ ", theme.fail()),
            Span::styled(first.class.as_str(), theme.fail()),
        ]));
        lines.push(Line::styled(
            format!("     {}", first.detail.trim_start_matches("Not checked: ")),
            theme.dim(),
        ));
        lines.push(Line::raw(format!("     Fix: {}", first.remediation)));
        lines.push(Line::styled(
            format!("     Source: {}", first.source),
            theme.dim(),
        ));
        lines.push(Line::raw(""));
        let names: Vec<String> = v.results.iter().map(|r| r.label.clone()).collect();
        lines.push(Line::styled(
            format!(" Not checked: {}", names.join(", ")),
            theme.dim(),
        ));
    }
    let wanted = if blocked && !v.results.is_empty() {
        Vec::new()
    } else {
        app.ticked_scopes()
    };
    for scope in &wanted {
        let label = catalogue.label(scope);
        match v.result(scope) {
            None => lines.push(Line::from(vec![
                Span::styled(format!(" {} ", SPINNER[app.spinner % 4]), theme.dim()),
                Span::raw(format!("{label:<40}")),
                Span::styled(" checking…", theme.dim()),
            ])),
            Some(r) => {
                let style = match r.status {
                    CheckStatus::Pass => theme.ok(),
                    CheckStatus::Fail => theme.fail(),
                    _ => theme.warn(),
                };
                lines.push(Line::from(vec![
                    Span::styled(format!(" {} ", r.status.mark()), style),
                    Span::styled(format!("{label:<40}"), theme.strong()),
                    Span::styled(format!(" {}", r.class.as_str()), style),
                ]));
                if r.class == CheckClass::Ok && r.http_status == Some(400) {
                    // Proven, with something the organization should know (its process rules).
                    lines.push(Line::styled(format!("     {}", r.detail), theme.dim()));
                }
                if r.class != CheckClass::Ok {
                    lines.push(Line::styled(format!("     {}", r.detail), theme.dim()));
                    lines.push(Line::raw(format!("     Fix: {}", r.remediation)));
                    lines.push(Line::styled(
                        format!("     Source: {}", r.source),
                        theme.dim(),
                    ));
                }
            }
        }
    }
    for r in v.results.iter().filter(|r| !r.required) {
        lines.push(Line::from(vec![
            Span::styled(" ! ", theme.warn()),
            Span::styled(format!("{:<40}", r.label), theme.strong()),
            Span::styled(" not needed", theme.warn()),
        ]));
    }
    if let Some(report) = &v.report {
        lines.push(Line::raw(""));
        for note in &report.notes {
            lines.push(Line::styled(format!(" Note: {note}"), theme.dim()));
        }
        let passed = report
            .checks
            .iter()
            .filter(|c| c.required && c.status == CheckStatus::Pass)
            .count();
        let total = report.checks.iter().filter(|c| c.required).count();
        let style = if report.exit_code() == 0 {
            theme.ok()
        } else {
            theme.fail()
        };
        let advice = if report.exit_code() == 0 {
            " · Enter saves it."
        } else {
            " · b new token · s scopes · r run again"
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {passed} of {total} proven · {}", report.verdict.as_str()),
                style,
            ),
            Span::raw(advice),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((v.scroll, 0)),
        area,
    );
}
