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
use crate::ui::widgets::wrap::hanging;

/// Starts (or restarts) the validation of the pasted token: the request is built here, from
/// the state, and carried by the effect.
pub fn run(app: &mut App) -> Vec<Effect> {
    app.validation = Validation::default();
    let (Ok(org), Some(token)) = (&app.org.parsed, &app.paste.token) else {
        return vec![];
    };
    let scopes = app.scopes.to_prove();
    let request = prove::request(Proof {
        org: org.clone(),
        token: token.token.clone(),
        scopes: &scopes,
        profile: app.profile.as_ref(),
        notes: token.notes.clone(),
        http: app.http.clone(),
        clock: app.clock,
    });
    app.validation.running = true;
    app.validation.asked = scopes;
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
        Intent::Mend => {
            let (Ok(org), Some(id)) = (&app.org.parsed, &app.create.authorization_id) else {
                return vec![];
            };
            // Every scope it should hold: the chosen ones and the ones the integration needs.
            let scopes = app.scopes.to_prove();
            app.create.minting = true;
            app.message = Some((
                Level::Info,
                "Asking Azure DevOps to add the missing scopes to this token (its value stays)…"
                    .into(),
            ));
            vec![Effect::Mend {
                org: org.clone(),
                authorization_id: id.clone(),
                scopes,
            }]
        }
        Intent::NewToken => {
            let hint = fix_hint(&app.validation);
            let effects = leave(app, Step::Paste);
            super::paste::again(app, hint);
            effects
        }
        Intent::ChangeScopes => leave(app, Step::Scopes),
        Intent::Back => leave(app, Step::Paste),
        Intent::Up
        | Intent::Down
        | Intent::PageUp
        | Intent::PageDown
        | Intent::Home
        | Intent::End => {
            let page = u16::try_from(body_rows(app).saturating_sub(1).max(1)).unwrap_or(1);
            let max = max_scroll(app);
            let scroll = &mut app.validation.scroll;
            *scroll = match intent {
                Intent::Up => scroll.saturating_sub(1),
                Intent::Down => scroll.saturating_add(1),
                Intent::PageUp => scroll.saturating_sub(page),
                Intent::PageDown => scroll.saturating_add(page),
                Intent::Home => 0,
                _ => max,
            }
            .min(max);
            vec![]
        }
        Intent::CopyReport => match &app.validation.report {
            Some(_) => vec![super::done::copy_report(app)],
            None => vec![],
        },
        Intent::Next => match app.validation.verdict() {
            Some(Verdict::Pass)
                if !app.validation.extras().is_empty() && !app.validation.extras_confirmed =>
            {
                // Pass with warnings: storing an over-privileged token is a decision, not a
                // keystroke.
                let extras = app.validation.extras().len();
                app.validation.extras_confirmed = true;
                app.message = Some((
                    Level::Warn,
                    format!(
                        "This token also holds {extras} powerful scope{} {} does not need (a Full access token?). Press Enter again to store it anyway (the report will say so), or b to paste a token with only the needed scopes.",
                        if extras == 1 { "" } else { "s" },
                        app.integration()
                    ),
                ));
                vec![]
            }
            Some(Verdict::Pass) => {
                // The warning's keys belong to Validate; on Save it is a fact.
                app.message = (!app.validation.extras().is_empty()).then(|| {
                    (
                        Level::Warn,
                        format!(
                            "Storing a token that holds more than {} needs: the report says so.",
                            app.integration()
                        ),
                    )
                });
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
                        "Fix the failures first (see the fix): edit the token and press r, or b to paste another.".into()
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
    let extras = v.extras();
    if v.verdict() == Some(Verdict::Pass) && !extras.is_empty() {
        return format!(
            "Edit the token in Azure DevOps: choose Custom defined and untick {} (or create one with only the needed scopes), then paste it here.",
            crate::domain::text::list_and(&extras)
        );
    }
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

/// The lines that stay at the top while the rest scrolls: whose token it is, or why the run
/// stopped, then the verdict (so that no notice or long list hides it).
pub fn pinned(app: &App, theme: Theme, spinner: usize, width: u16) -> Vec<Line<'static>> {
    let mut lines = vec![first_line(app, theme, spinner)];
    lines.extend(verdict(app, theme, width));
    lines.push(Line::raw(""));
    lines
}

/// Whose token it is, or why the run stopped, or that it is under way.
fn first_line(app: &App, theme: Theme, spinner: usize) -> Line<'static> {
    let v = &app.validation;
    match (&v.identity, &v.report) {
        (Some(id), _) => Line::from(vec![
            Span::raw(" Token of "),
            Span::styled(
                format!("{} <{}>", id.display_name, id.unique_name),
                theme.strong(),
            ),
        ]),
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
                    | CheckClass::RateLimited
                    | CheckClass::Configuration,
                ) => " The check could not run.",
                _ => " Azure DevOps rejected this token.",
            };
            Line::styled(headline, theme.fail())
        }
        (None, None) => Line::raw(format!(
            " {} Checking the organization and who the token belongs to…",
            SPINNER[spinner % 4]
        )),
    }
}

/// Everything below the pinned lines, wrapped to `width` with hanging indents: one row per
/// scope (its result in words, the evidence under a row that is not proven), then one "What
/// to do now" panel, the notes and the verdict.
pub fn body(app: &App, theme: Theme, spinner: usize, width: u16) -> Vec<Line<'static>> {
    let v = &app.validation;
    let catalogue = Catalogue::get();
    let mut lines = Vec::new();
    let evidence = |text: &str| hanging(text, width, "     ", theme.dim(), theme.dim());
    // A refused token (or an unreachable org) is one problem, shown once.
    let blocked =
        v.identity.is_none() && v.results.iter().all(|r| r.status == CheckStatus::Skipped);
    if let (true, Some(first)) = (blocked, v.results.first()) {
        lines.push(Line::from(vec![
            Span::styled(" ✗ ", theme.fail()),
            Span::styled(capitalised(first.class.words()), theme.fail()),
        ]));
        lines.extend(evidence(first.detail.trim_start_matches("Not checked: ")));
        lines.push(Line::raw(""));
        let names: Vec<String> = v.results.iter().map(|r| r.label.clone()).collect();
        lines.extend(hanging(
            &names.join(", "),
            width,
            " Not checked: ",
            theme.dim(),
            theme.dim(),
        ));
    } else {
        for scope in &v.asked {
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
                        Span::styled(format!(" {}", r.class.words()), style),
                    ]));
                    let process_rules = r.class == CheckClass::Ok && r.http_status == Some(400);
                    if process_rules {
                        // A pass: one line of why, not the service's rule list (the report has it).
                        lines.extend(evidence(
                            "Proven by the organization's process rules answering the test item (only a token with this scope gets that far).",
                        ));
                    } else if r.class != CheckClass::Ok {
                        lines.extend(evidence(&r.detail));
                    }
                }
            }
        }
        for r in v.results.iter().filter(|r| !r.required) {
            lines.push(Line::from(vec![
                Span::styled(" ! ", theme.warn()),
                Span::styled(format!("{:<40}", r.label), theme.strong()),
                Span::styled(" held, but not needed", theme.warn()),
            ]));
        }
    }
    let Some(report) = &v.report else {
        return lines;
    };
    if let Some(fix) = report.what_to_do() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(" What to do now", theme.strong()));
        lines.extend(hanging(
            &fix,
            width,
            "   ",
            theme.strong(),
            ratatui::style::Style::default(),
        ));
        let mut sources: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| c.needs_action())
            .map(|c| c.source.as_str())
            .filter(|s| !s.is_empty())
            .collect();
        sources.dedup();
        if let Some(source) = sources.first() {
            lines.extend(hanging(
                source,
                width,
                "   From: ",
                theme.dim(),
                theme.dim(),
            ));
        }
    }
    lines.push(Line::raw(""));
    for note in &report.notes {
        if blocked
            && v.results
                .first()
                .is_some_and(|f| f.detail.ends_with(note.as_str()))
        {
            continue; // the evidence above already says it
        }
        lines.extend(hanging(note, width, " Note: ", theme.dim(), theme.dim()));
    }
    lines
}

/// The verdict, in the report's own words (the ticket and the exit line say the same), with
/// how many required scopes were proven. Nothing while the run is under way.
pub fn verdict(app: &App, theme: Theme, width: u16) -> Vec<Line<'static>> {
    let Some(report) = &app.validation.report else {
        return vec![];
    };
    let passed = report
        .checks
        .iter()
        .filter(|c| c.required && c.status == CheckStatus::Pass)
        .count();
    let total = report.checks.iter().filter(|c| c.required).count();
    // A refused token's cause is the line above this one; here, what it means.
    let headline = match report.verdict {
        Verdict::TokenRejected => format!("The token will not work for {}", app.integration()),
        _ => report.headline(&app.integration()),
    };
    let style = match report.verdict {
        Verdict::Pass if report.over_privileged().is_empty() => theme.ok(),
        Verdict::Pass => theme.warn(),
        _ => theme.fail(),
    };
    hanging(
        &format!("{headline} · {passed} of {total} proven."),
        width,
        " ",
        style,
        style,
    )
}

/// The rows the scrolling part has at the current size: the screen less the header (2), the
/// message (2), the footer (1) and the pinned lines.
pub fn body_rows(app: &App) -> usize {
    let pinned = pinned(app, Theme::plain(), 0, app.size.0).len();
    usize::from(app.size.1).saturating_sub(5 + pinned)
}

/// The furthest the body can scroll at the current size.
pub fn max_scroll(app: &App) -> u16 {
    let total = body(app, Theme::plain(), 0, app.size.0).len();
    u16::try_from(total.saturating_sub(body_rows(app))).unwrap_or(u16::MAX)
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every line at once (plain mode).
/// The whole step as one list (plain mode reads it top to bottom): who, the rows, the notes,
/// then the verdict.
pub fn lines(app: &App, theme: Theme, spinner: usize, width: u16) -> Vec<Line<'static>> {
    let mut lines = vec![first_line(app, theme, spinner), Line::raw("")];
    lines.extend(body(app, theme, spinner, width));
    lines.extend(verdict(app, theme, width));
    lines
}

/// Azure DevOps changed the token's scopes (or refused): proven again at once.
pub fn mended(
    app: &mut App,
    result: Result<Vec<String>, crate::ui::msg::MintFailure>,
) -> Vec<Effect> {
    app.create.minting = false;
    app.create.waiting = None;
    match result {
        Ok(_) => {
            let effects = run(app);
            app.message = Some((
                Level::Info,
                "Azure DevOps added the scopes to the same token (nothing to hand over again); proving it again…".into(),
            ));
            effects
        }
        Err(failure) => {
            let text = match &failure.policy {
                Some(words) => format!("{} {}", words.what, words.now),
                None => failure.text,
            };
            app.message = Some((Level::Error, text));
            vec![]
        }
    }
}
