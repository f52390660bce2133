//! `update(app, action) -> effects`: the only place the wizard's state changes.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::zeroize::Zeroizing;

use super::state::{App, Effect, Level, OrgCheck, Overlay, SaveState, StartChoice, Step};
use crate::domain::checks::{CheckClass, Verdict};
use crate::domain::org_url::OrgUrl;
use crate::domain::profiles;
use crate::domain::token::check_pasted;
use crate::engine::Event;
use crate::store::settings::parse_date;

/// Everything that can happen to the wizard.
pub enum Action {
    Key(KeyEvent),
    /// Bracketed paste (the terminal's own paste).
    Paste(Zeroizing<String>),
    Tick,
    Resize,
    OrgChecked(Result<String, String>),
    Clipboard(Result<Zeroizing<String>, String>),
    ClipboardDone(Result<String, String>),
    Browser(Result<(), String>),
    Engine(Event),
    Saved(Result<(String, String), String>),
    StoreDescribed(String),
    ReminderWritten(Result<String, String>),
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Key(k) => write!(f, "Key({:?})", k.code),
            Action::Paste(t) => write!(f, "Paste(<{} chars>)", t.chars().count()),
            Action::Clipboard(Ok(t)) => write!(f, "Clipboard(<{} chars>)", t.chars().count()),
            Action::Clipboard(Err(e)) => write!(f, "Clipboard(Err({e}))"),
            Action::Tick => f.write_str("Tick"),
            Action::Resize => f.write_str("Resize"),
            Action::OrgChecked(r) => write!(f, "OrgChecked({r:?})"),
            Action::ClipboardDone(r) => write!(f, "ClipboardDone({r:?})"),
            Action::Browser(r) => write!(f, "Browser({r:?})"),
            Action::Engine(_) => f.write_str("Engine(..)"),
            Action::Saved(r) => write!(f, "Saved({})", if r.is_ok() { "ok" } else { "err" }),
            Action::StoreDescribed(s) => write!(f, "StoreDescribed({s})"),
            Action::ReminderWritten(r) => write!(f, "ReminderWritten({r:?})"),
        }
    }
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(app, key),
        Action::Paste(text) => on_paste(app, &text, false),
        Action::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            match app.clipboard_clears_at {
                Some(at) if std::time::Instant::now() >= at => {
                    app.clipboard_clears_at = None;
                    vec![Effect::ClearToken]
                }
                _ => vec![],
            }
        }
        Action::Resize => vec![],
        Action::OrgChecked(result) => {
            if app.step != Step::Organization || app.org_check != OrgCheck::Checking {
                return vec![];
            }
            match result {
                Ok(kind) => {
                    app.org_check = OrgCheck::Found { kind };
                    app.message = None;
                    app.step = Step::CreateToken;
                }
                Err(message) => app.org_check = OrgCheck::Failed(message),
            }
            vec![]
        }
        Action::Clipboard(Ok(text)) => on_paste(app, &text, true),
        Action::Clipboard(Err(message)) => {
            app.message = Some((
                Level::Warn,
                format!(
                    "{message}. Paste with your terminal (Ctrl+Shift+V or right-click) or type the token."
                ),
            ));
            vec![]
        }
        Action::ClipboardDone(Err(e))
            if app.clipboard_clears_at.is_some() && app.step == Step::HandOff =>
        {
            // The token never reached the clipboard: nothing to count down.
            app.clipboard_clears_at = None;
            app.message = Some((
                Level::Warn,
                format!("{e}. Copy it from your password manager instead."),
            ));
            vec![]
        }
        Action::ClipboardDone(Ok(what)) => {
            app.message = Some((Level::Info, what));
            if app.step == Step::Paste {
                app.pasted_from_clipboard = false;
            }
            vec![]
        }
        Action::ClipboardDone(Err(e)) | Action::Browser(Err(e)) => {
            app.message = Some((Level::Warn, e));
            vec![]
        }
        Action::Browser(Ok(())) => {
            app.message = Some((Level::Info, "Opened the token page in your browser.".into()));
            vec![]
        }
        Action::Engine(event) => on_engine(app, event),
        Action::Saved(Ok((store, detail))) => {
            app.save = SaveState::Saved { store, detail };
            app.saved_once = true;
            app.step = Step::HandOff;
            app.message = None;
            vec![]
        }
        Action::Saved(Err(message)) => {
            app.save = SaveState::Failed(message);
            vec![]
        }
        Action::StoreDescribed(line) => {
            app.store_line = Some(line);
            vec![]
        }
        Action::ReminderWritten(result) => {
            app.message = Some(match result {
                Ok(path) => (
                    Level::Info,
                    format!("Wrote a calendar reminder 7 days before expiry: {path}"),
                ),
                Err(e) => (Level::Warn, e),
            });
            vec![]
        }
    }
}

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

fn request_quit(app: &mut App) -> Vec<Effect> {
    if app.unsaved() {
        app.overlay = Some(Overlay::ConfirmQuit);
        vec![]
    } else {
        let mut effects = leave_handoff(app);
        app.quit = true;
        effects.push(Effect::Quit);
        effects
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match app.overlay {
        Some(Overlay::Help) => {
            app.overlay = None;
            return vec![];
        }
        Some(Overlay::ConfirmQuit) => {
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    app.quit = true;
                    return vec![Effect::Quit];
                }
                _ => app.overlay = None,
            }
            return vec![];
        }
        None => {}
    }
    if ctrl(&key, 'c') || ctrl(&key, 'q') {
        return request_quit(app);
    }
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && !app.step.takes_text()) {
        app.overlay = Some(Overlay::Help);
        return vec![];
    }
    if key.code == KeyCode::Char('q') && !app.step.takes_text() {
        return request_quit(app);
    }
    if key.code == KeyCode::Esc {
        return back(app);
    }
    match app.step {
        Step::Start => start_key(app, key),
        Step::Organization => org_key(app, key),
        Step::CreateToken => create_key(app, key),
        Step::Scopes => scopes_key(app, key),
        Step::Paste => paste_key(app, key),
        Step::Validate => validate_key(app, key),
        Step::Save => save_key(app, key),
        Step::HandOff => handoff_key(app, key),
        Step::Done => done_key(app, key),
    }
}

fn back(app: &mut App) -> Vec<Effect> {
    app.message = None;
    let clear = leave_handoff(app);
    let mut effects = match app.step {
        Step::Start => request_quit(app),
        Step::CreateToken if app.rotating.is_some() => {
            app.step = Step::Start;
            vec![]
        }
        Step::Done => vec![],
        step => {
            if step == Step::Organization {
                app.org_check = OrgCheck::Idle;
            }
            app.step = step.previous();
            vec![]
        }
    };
    effects.extend(clear);
    effects
}

/// Leaving the hand-off step takes the token off the clipboard at once.
fn leave_handoff(app: &mut App) -> Vec<Effect> {
    if app.step == Step::HandOff && app.clipboard_clears_at.take().is_some() {
        vec![Effect::ClearToken]
    } else {
        vec![]
    }
}

fn handoff_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Char('t') if app.token.is_some() => {
            app.clipboard_clears_at = Some(
                std::time::Instant::now() + std::time::Duration::from_secs(app.clipboard_seconds),
            );
            vec![Effect::CopyToken]
        }
        KeyCode::Char('u') => match &app.org {
            Ok(org) => vec![Effect::CopyText(handoff_url(app, org))],
            Err(_) => vec![],
        },
        KeyCode::Enter => {
            let effects = leave_handoff(app);
            app.step = Step::Done;
            app.message = None;
            effects
        }
        _ => vec![],
    }
}

/// The organization URL in the form the integration's form asks for.
/// (Integrations that accept both cloud forms are shown both on screen; the key copies the
/// modern one, which every one of them accepts.)
pub fn handoff_url(_app: &App, org: &crate::domain::org_url::OrgUrl) -> String {
    org.cloud_forms()
        .map_or_else(|| org.as_str().to_string(), |(modern, _)| modern)
}

fn start_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let count = app.choices.len();
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => app.choice_cursor = app.choice_cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            app.choice_cursor = (app.choice_cursor + 1).min(count.saturating_sub(1))
        }
        KeyCode::Enter => {
            let Some(choice) = app.choices.get(app.choice_cursor).cloned() else {
                return vec![];
            };
            match choice {
                StartChoice::Profile(profile) => {
                    let ids = profile.scope_ids();
                    app.profile = Some(profile);
                    app.rotating = None;
                    app.load_scopes(&ids);
                    app.step = Step::Organization;
                }
                StartChoice::Rotate(stored) => {
                    let profile = profiles::find(&stored.profile, None)
                        .or_else(|_| profiles::find("custom", None))
                        .ok();
                    app.profile = profile;
                    app.org_input = stored.url.clone();
                    app.org = OrgUrl::parse(&stored.url);
                    app.org_check = OrgCheck::Found {
                        kind: stored.kind.to_string(),
                    };
                    app.load_scopes(&stored.scopes);
                    app.rotating = Some(stored);
                    app.step = Step::CreateToken;
                }
            }
        }
        _ => {}
    }
    vec![]
}

fn org_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => match &app.org {
            Ok(org) if org.lookalike().is_some() && !app.lookalike_confirmed => {
                // A host that imitates Azure DevOps' own: ask once before anything goes there.
                app.lookalike_confirmed = true;
                app.message = Some((
                    Level::Warn,
                    format!(
                        "{}. If it really is your Azure DevOps Server, press Enter again; otherwise correct the address.",
                        org.lookalike().unwrap_or_default()
                    ),
                ));
                return vec![];
            }
            Ok(org) => {
                app.org_check = OrgCheck::Checking;
                return vec![Effect::CheckOrg(org.as_str().to_string())];
            }
            Err(e) => app.message = Some((Level::Error, e.to_string())),
        },
        KeyCode::Backspace => {
            app.org_input.pop();
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            app.org_input.clear()
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            if app.org_input.len() < 4096 {
                app.org_input.push(c);
            }
        }
        _ => return vec![],
    }
    app.org = OrgUrl::parse(&app.org_input);
    app.lookalike_confirmed = false;
    if !matches!(app.org_check, OrgCheck::Checking) {
        app.org_check = OrgCheck::Idle;
    }
    vec![]
}

fn create_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Ok(org) = &app.org else {
        return vec![];
    };
    match key.code {
        KeyCode::Char('o') => vec![Effect::OpenBrowser(org.token_page())],
        KeyCode::Char('c') => vec![Effect::CopyText(org.token_page())],
        KeyCode::Enter => {
            app.step = Step::Scopes;
            app.message = None;
            vec![]
        }
        _ => vec![],
    }
}

fn scopes_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let last = app.scopes.len().saturating_sub(1);
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => app.scope_cursor = app.scope_cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => app.scope_cursor = (app.scope_cursor + 1).min(last),
        KeyCode::PageUp => app.scope_cursor = app.scope_cursor.saturating_sub(10),
        KeyCode::PageDown => app.scope_cursor = (app.scope_cursor + 10).min(last),
        KeyCode::Home => app.scope_cursor = 0,
        KeyCode::End => app.scope_cursor = last,
        KeyCode::Char(' ') => {
            let integration = app.integration();
            if let Some(row) = app.scopes.get_mut(app.scope_cursor) {
                row.ticked = !row.ticked;
                app.message = match (row.ticked, row.required) {
                    (false, true) => Some((
                        Level::Warn,
                        format!(
                            "{} needs {}: {}",
                            integration,
                            row.label,
                            row.why.clone().unwrap_or_default()
                        ),
                    )),
                    (true, false) => Some((
                        Level::Warn,
                        format!(
                            "{} does not need {}: least privilege says leave it off{}.",
                            integration,
                            row.label,
                            if row.high_privilege {
                                " (a high-privilege scope)"
                            } else {
                                ""
                            }
                        ),
                    )),
                    _ => None,
                };
            }
        }
        KeyCode::Char('f') => {
            app.full_access = !app.full_access;
            app.message = app.full_access.then(|| {
                (
                    Level::Error,
                    "\"Full access\" grants every scope: never use it for an integration (Git-Zen guide). patwiz will still check only the ticked scopes.".to_string(),
                )
            });
        }
        KeyCode::Enter => {
            if app.ticked_scopes().is_empty() {
                app.message = Some((Level::Error, "Tick at least one scope (Space).".into()));
            } else {
                app.step = Step::Paste;
                app.message = None;
            }
        }
        _ => {}
    }
    vec![]
}

/// Takes pasted text (terminal or clipboard): trimmed and checked, never shown.
fn on_paste(app: &mut App, text: &str, from_clipboard: bool) -> Vec<Effect> {
    if app.step != Step::Paste {
        return vec![];
    }
    app.typed = Zeroizing::new(String::new());
    match check_pasted(text) {
        Ok(checked) => {
            app.paste_error = None;
            app.message = checked.notes.first().map(|n| (Level::Info, n.clone()));
            app.token = Some(checked);
            app.pasted_from_clipboard = from_clipboard;
        }
        Err(e) => {
            app.token = None;
            app.paste_error = Some(e.to_string());
            app.pasted_from_clipboard = false;
        }
    }
    vec![]
}

fn paste_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let typing = !app.typed.is_empty();
    match key.code {
        KeyCode::Enter => match &app.token {
            Some(_) => {
                app.step = Step::Validate;
                app.message = None;
                app.validation = Default::default();
                vec![Effect::Validate]
            }
            None => {
                if app.paste_error.is_none() {
                    app.paste_error = Some(
                        "Paste the token first (p or Ctrl+V, or your terminal's paste).".into(),
                    );
                }
                vec![]
            }
        },
        KeyCode::Char('v') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            vec![Effect::ReadClipboard]
        }
        KeyCode::Char('p') if !typing => vec![Effect::ReadClipboard],
        KeyCode::Char('x') if !typing && app.pasted_from_clipboard => vec![Effect::ClearClipboard],
        KeyCode::Char(d @ '1'..='9') if !typing && !app.demo_tokens.is_empty() => {
            let index = d as usize - '1' as usize;
            match app.demo_tokens.get(index).map(|t| t.value.clone()) {
                Some(value) => on_paste(app, &value, false),
                None => vec![],
            }
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            clear_token(app);
            vec![]
        }
        KeyCode::Delete => {
            clear_token(app);
            vec![]
        }
        KeyCode::Backspace => {
            if typing {
                app.typed.pop();
                recheck_typed(app);
            } else {
                clear_token(app);
            }
            vec![]
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            if app.typed.len() < 4096 {
                app.typed.push(c);
            }
            recheck_typed(app);
            vec![]
        }
        _ => vec![],
    }
}

fn clear_token(app: &mut App) {
    app.token = None;
    app.typed = Zeroizing::new(String::new());
    app.paste_error = None;
    app.pasted_from_clipboard = false;
}

fn recheck_typed(app: &mut App) {
    app.pasted_from_clipboard = false;
    match check_pasted(&app.typed) {
        Ok(checked) => {
            app.token = Some(checked);
            app.paste_error = None;
        }
        Err(e) => {
            app.token = None;
            app.paste_error = (!app.typed.is_empty()).then(|| e.to_string());
        }
    }
}

fn on_engine(app: &mut App, event: Event) -> Vec<Effect> {
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
    vec![]
}

fn validate_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Char('r') if !app.validation.running => {
            app.validation = Default::default();
            vec![Effect::Validate]
        }
        KeyCode::Char('b') => {
            // Back to the step that fixes the failure: a new token, almost always.
            // The hint follows what failed: a scope is ticked on the same token; the rest is
            // not the checkbox's business.
            let hint = app
                .validation
                .results
                .iter()
                .find(|r| {
                    r.required
                        && matches!(
                            r.status,
                            crate::domain::checks::CheckStatus::Fail
                                | crate::domain::checks::CheckStatus::Skipped
                        )
                })
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
                .unwrap_or_else(|| "Paste the new token.".into());
            clear_token(app);
            app.step = Step::Paste;
            app.message = Some((Level::Info, hint));
            vec![]
        }
        KeyCode::Char('s') => {
            app.step = Step::Scopes;
            vec![]
        }
        KeyCode::Up | KeyCode::Char('k') => {
            app.validation.scroll = app.validation.scroll.saturating_sub(1);
            vec![]
        }
        KeyCode::Down | KeyCode::Char('j') => {
            app.validation.scroll = app.validation.scroll.saturating_add(1);
            vec![]
        }
        KeyCode::Enter => match app.validation.verdict() {
            Some(Verdict::Pass) => {
                app.step = Step::Save;
                app.save = SaveState::Editing;
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

fn save_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.save == SaveState::Saving {
        return vec![];
    }
    match key.code {
        KeyCode::Enter => {
            let text = app.expires_input.trim();
            if !text.is_empty() {
                match parse_date(text) {
                    Ok(date) if date < time::OffsetDateTime::now_utc().date() => {
                        app.save = SaveState::Failed(format!(
                            "{text} is in the past: enter the expiry date you chose"
                        ));
                        return vec![];
                    }
                    Ok(_) => {}
                    Err(e) => {
                        app.save = SaveState::Failed(e);
                        return vec![];
                    }
                }
            }
            app.save = SaveState::Saving;
            vec![Effect::Save]
        }
        KeyCode::Backspace => {
            app.expires_input.pop();
            vec![]
        }
        KeyCode::Char(c) if c.is_ascii_digit() || c == '-' => {
            if app.expires_input.len() < 10 {
                app.expires_input.push(c);
            }
            vec![]
        }
        _ => vec![],
    }
}

fn done_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Char('r') if !app.expires_input.trim().is_empty() => vec![Effect::WriteReminder],
        KeyCode::Char('r') => {
            app.message = Some((
                Level::Info,
                "No expiry date was given, so there is nothing to remind you of.".into(),
            ));
            vec![]
        }
        KeyCode::Char('c') => match &app.validation.report {
            Some(report) => vec![Effect::CopyText(report.to_markdown())],
            None => vec![],
        },
        KeyCode::Char('n') => {
            // Another organization: each gets its own PAT (Git-Zen guide). Keep the profile.
            let ids = app
                .profile
                .as_ref()
                .map(|p| p.scope_ids())
                .unwrap_or_default();
            app.load_scopes(&ids);
            app.org_input.clear();
            app.org = OrgUrl::parse("");
            app.org_check = OrgCheck::Idle;
            clear_token(app);
            app.validation = Default::default();
            app.expires_input.clear();
            app.save = SaveState::Editing;
            app.rotating = None;
            app.saved_once = false;
            app.step = Step::Organization;
            vec![]
        }
        KeyCode::Enter => {
            app.quit = true;
            vec![Effect::Quit]
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEventKind, KeyEventState};

    fn enter() -> Action {
        Action::Key(KeyEvent {
            code: KeyCode::Enter,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        })
    }

    #[test]
    fn a_look_alike_host_needs_a_second_enter_before_anything_is_sent() {
        let mut app = App::new(
            Vec::new(),
            Some("https://dev.azure.corn/contoso".into()),
            Vec::new(),
        );
        app.step = Step::Organization;
        let first = update(&mut app, enter());
        assert!(first.is_empty(), "nothing is checked on the first Enter");
        let (level, text) = app.message.clone().unwrap();
        assert_eq!(level, Level::Warn);
        assert!(
            text.contains("dev.azure.corn") && text.contains("Enter again"),
            "{text}"
        );
        let second = update(&mut app, enter());
        assert!(matches!(second.as_slice(), [Effect::CheckOrg(_)]));

        let mut real = App::new(
            Vec::new(),
            Some("https://dev.azure.com/contoso".into()),
            Vec::new(),
        );
        real.step = Step::Organization;
        assert!(matches!(
            update(&mut real, enter()).as_slice(),
            [Effect::CheckOrg(_)]
        ));
    }

    fn result(
        class: CheckClass,
        status: crate::domain::checks::CheckStatus,
    ) -> crate::engine::CheckResult {
        crate::engine::CheckResult {
            scope: "vso.project".into(),
            label: "Project and Team: Read".into(),
            status,
            http_status: Some(401),
            class,
            remediation: String::new(),
            source: String::new(),
            elapsed_ms: 0,
            required: true,
            detail: String::new(),
            why: None,
        }
    }

    #[test]
    fn going_back_from_a_failure_says_the_fix_for_that_failure() {
        use crate::domain::checks::CheckStatus::{Fail, Skipped};
        let b = || {
            Action::Key(KeyEvent {
                code: KeyCode::Char('b'),
                modifiers: KeyModifiers::NONE,
                kind: KeyEventKind::Press,
                state: KeyEventState::NONE,
            })
        };
        for (class, status, words) in [
            (
                CheckClass::MissingScope,
                Fail,
                "tick Project and Team: Read",
            ),
            (
                CheckClass::NoAccess,
                Skipped,
                "no access to this organization",
            ),
            (CheckClass::TokenExpired, Skipped, "can't be extended"),
            (CheckClass::PermissionDenied, Fail, "lacks a permission"),
        ] {
            let mut app = App::new(
                Vec::new(),
                Some("https://dev.azure.com/contoso".into()),
                Vec::new(),
            );
            app.step = Step::Validate;
            app.validation.results = vec![result(class, status)];
            update(&mut app, b());
            let (_, text) = app.message.clone().unwrap();
            assert!(text.contains(words), "{class:?}: {text}");
            if class != CheckClass::MissingScope {
                assert!(!text.contains("tick"), "{class:?}: {text}");
            }
        }
    }
}
