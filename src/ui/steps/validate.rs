//! Step 6: one panel per scope, filled in as each probe returns.

use ratatui::text::{Line, Span};

use crate::domain::checks::{CheckClass, CheckStatus, Verdict};
use crate::domain::scopes::Catalogue;
use crate::engine::Event;
use crate::flows::prove::{self, Proof};
use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::state::{App, Level, SaveState, SaveStep, Step, Validation};
use crate::ui::theme::Theme;
use crate::ui::view::SPINNER;

/// Starts (or restarts) the validation of the pasted token: the request is built here, from
/// the state, and carried by the effect.
pub fn run(app: &mut App) -> Vec<Effect> {
    app.validation = Validation::default();
    let (Ok(org), Some(token)) = (&app.org.parsed, &app.paste.token) else {
        return vec![];
    };
    let scopes = app.ticked_scopes();
    let request = prove::request(Proof {
        org: org.clone(),
        token: token.token.clone(),
        scopes: &scopes,
        profile: app.profile.as_ref(),
        notes: token.notes.clone(),
        http: app.http.clone(),
    });
    app.validation.running = true;
    vec![Effect::Validate(Box::new(request))]
}

/// Leaving the step while a run is under way stops it.
fn leave(app: &mut App, to: Step) -> Vec<Effect> {
    let running = std::mem::take(&mut app.validation.running);
    app.step = to;
    if running {
        vec![Effect::CancelValidation]
    } else {
        vec![]
    }
}

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::Rerun if !app.validation.running => run(app),
        Intent::NewToken => {
            let hint = fix_hint(&app.validation);
            let effects = leave(app, Step::Paste);
            super::paste::again(app, hint);
            effects
        }
        Intent::ChangeScopes => leave(app, Step::Scopes),
        Intent::Back => leave(app, Step::Paste),
        Intent::Up => {
            app.validation.scroll = app.validation.scroll.saturating_sub(1);
            vec![]
        }
        Intent::Down => {
            app.validation.scroll = app.validation.scroll.saturating_add(1);
            vec![]
        }
        Intent::PageUp => {
            app.validation.scroll = app.validation.scroll.saturating_sub(10);
            vec![]
        }
        Intent::Next => match app.validation.verdict() {
            Some(Verdict::Pass) => {
                app.step = Step::Save;
                app.save = SaveStep {
                    state: SaveState::Editing,
                    ..std::mem::take(&mut app.save)
                };
                vec![Effect::DescribeStore]
            }
            Some(_) => {
                let rejected = app
                    .validation
                    .results
                    .iter()
                    .any(|r| r.class.rejects_token() || r.class == CheckClass::MissingScope);
                app.message = Some((
                    Level::Warn,
                    if rejected {
                        "Fix the failures first: b pastes a new token, s changes the scopes, r runs again.".into()
                    } else {
                        "Not every check could run: r runs again.".into()
                    },
                ));
                vec![]
            }
            None => vec![],
        },
        _ => vec![],
    }
}

/// The hint for going back to paste a new token: it follows what failed. A scope is ticked on
/// the same token; the rest is not the checkbox's business.
fn fix_hint(v: &Validation) -> String {
    v.results
        .iter()
        .find(|r| r.required && matches!(r.status, CheckStatus::Fail | CheckStatus::Skipped))
        .map(|r| match r.class {
            CheckClass::MissingScope => {
                format!("Edit the token and tick {}, then paste it here.", r.label)
            }
            CheckClass::TokenExpired => {
                "Create a new token (an expired one can't be extended), then paste it here."
                    .to_string()
            }
            CheckClass::NoAccess => "Its account has no access to this organization: add the account, or create the token signed in with an account of the organization, then paste it here.".to_string(),
            CheckClass::PermissionDenied => "The token is fine; its account lacks a permission (see the fix). Paste a token of another account, or go back with Esc and press r once it is granted.".to_string(),
            _ => "Paste the new token.".to_string(),
        })
        .unwrap_or_else(|| "Paste the new token.".into())
}

/// An event of the engine's run.
pub fn on_engine(app: &mut App, event: Event) {
    if app.step != Step::Validate {
        return;
    }
    let v = &mut app.validation;
    match event {
        Event::Discovered { .. } => {}
        Event::Identity(identity) => v.identity = Some(identity),
        Event::Probing(scopes) => v.scopes = scopes,
        Event::Check(result) => {
            v.results.retain(|r| r.scope != result.scope);
            v.results.push(result);
        }
        Event::Finished(report) => {
            v.running = false;
            v.results = report.checks.clone();
            v.identity = report.identity.clone();
            v.report = Some(*report);
        }
    }
}

pub fn lines<'a>(app: &'a App, theme: Theme, spinner: usize) -> Vec<Line<'a>> {
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
            lines.push(Line::styled(headline, theme.fail()));
        }
        (None, None) => lines.push(Line::raw(format!(
            " {} Checking the organization and who the token belongs to…",
            SPINNER[spinner % 4]
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
                Span::styled(format!(" {} ", SPINNER[spinner % 4]), theme.dim()),
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
        let pass = report.verdict == Verdict::Pass;
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {passed} of {total} proven · {}", report.verdict.as_str()),
                if pass { theme.ok() } else { theme.fail() },
            ),
            Span::raw(if pass {
                " · it can be saved."
            } else {
                " · see the fix above."
            }),
        ]));
    }
    lines
}
