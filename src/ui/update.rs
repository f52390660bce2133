//! `update(app, msg) -> effects`: the only place the wizard's state changes. It reads no clock
//! (time arrives as `Msg::Tick`) and does no I/O: the effects it returns carry their data.

use super::effect::Effect;
use super::keymap::Intent;
use super::msg::{Copied, Msg};
use super::state::{App, Level, Overlay, Step};
use super::steps;

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Intent(intent) => on_intent(app, intent),
        Msg::Paste(text) => steps::paste::pasted(app, &text, false),
        Msg::Clipboard(Ok(text)) => steps::paste::pasted(app, &text, true),
        Msg::Clipboard(Err(message)) => {
            app.message = Some((
                Level::Warn,
                format!(
                    "{message}. Paste with your terminal (Ctrl+Shift+V or right-click) or type the token."
                ),
            ));
            vec![]
        }
        Msg::Tick(now) => {
            app.now = now;
            app.spinner = app.spinner.wrapping_add(1);
            steps::handoff::tick(app)
        }
        Msg::Resized(width, height) => {
            app.size = (width, height);
            app.validation.scroll = app.validation.scroll.min(steps::validate::max_scroll(app));
            vec![]
        }
        Msg::OrgChecked(result) => {
            steps::organization::checked(app, result);
            vec![]
        }
        Msg::TokenCopiedAt(at) => {
            steps::handoff::copied_at(app, at);
            vec![]
        }
        Msg::ClipboardDone(Err(e)) if app.step == Step::HandOff => {
            token_not_copied(app, &e);
            vec![]
        }
        Msg::ClipboardDone(Ok(what)) => {
            if what == Copied::Emptied && app.step == Step::Paste {
                app.paste.from_clipboard = false;
            }
            app.message = Some((Level::Info, copied_message(what, app)));
            vec![]
        }
        Msg::ClipboardDone(Err(e)) => {
            app.message = Some((Level::Warn, e.to_string()));
            vec![]
        }
        Msg::Browser(Err(e)) => {
            app.message = Some((Level::Warn, e.to_string()));
            vec![]
        }
        Msg::ViaTerminal(what) => {
            copied_via_terminal(app, what);
            vec![]
        }
        Msg::ReportFile {
            written,
            via_terminal,
        } => {
            app.message = Some(report_file_message(written, via_terminal));
            vec![]
        }
        Msg::Browser(Ok(())) => {
            app.message = Some((Level::Info, "Opened the token page in your browser.".into()));
            vec![]
        }
        Msg::Engine(event) => {
            steps::validate::on_engine(app, event);
            continue_one_key_rotation(app)
        }
        Msg::Saved(result) => {
            steps::save::saved(app, result);
            vec![]
        }
        Msg::SavedTeam(result) => {
            steps::save::saved_team(app, result);
            vec![]
        }
        Msg::SignInWaiting(wait) => {
            app.message = Some((Level::Info, wait.words(app.plain)));
            app.create.waiting = Some(wait);
            vec![]
        }
        Msg::Minted(result) => steps::create_token::minted(app, result),
        Msg::Mended(result) => steps::validate::mended(app, result),
        Msg::Extended(result) => {
            steps::start::extended(app, result);
            vec![]
        }
        Msg::StoreDescribed(line) => {
            app.save.store_line = Some(line);
            vec![]
        }
        Msg::ReminderWritten(result) => {
            app.message = Some(match result {
                Ok(path) => (
                    Level::Info,
                    format!(
                        "Wrote a calendar reminder 7 days before expiry: {}",
                        path.display()
                    ),
                ),
                Err(e) => (Level::Warn, e.to_string()),
            });
            vec![]
        }
    }
}

/// The token never reached the clipboard: nothing to count down, and the other way out.
fn token_not_copied(app: &mut App, e: &impl std::fmt::Display) {
    app.handoff.clears_at = None;
    app.handoff.no_clipboard = true;
    let instead = if crate::ui::keymap::can_reveal(app) {
        " v shows the token once on this screen instead."
    } else {
        " Run patwiz at a terminal (not into a file) to have it shown once, or copy it where a clipboard works."
    };
    app.message = Some((Level::Warn, format!("{e}.{instead}")));
}

/// With no system clipboard, `what` went to the terminal's (OSC 52): said, with what patwiz
/// cannot promise about a terminal's copy of the token.
fn copied_via_terminal(app: &mut App, what: Copied) {
    let thing = match what {
        Copied::Token => "the token",
        Copied::Report => "the report",
        Copied::Link => "the link",
        Copied::OrgUrl => "the organization URL",
        _ => "it",
    };
    let once = if what == Copied::Token {
        app.handoff.no_clipboard = true;
        app.handoff.via_terminal = true;
        let reveal = if crate::ui::keymap::can_reveal(app) {
            " If nothing pastes, v shows it once on this screen."
        } else {
            ""
        };
        format!(
            " patwiz cannot clear a terminal's clipboard for certain: on leaving it asks the terminal to forget it (and deletes tmux's paste buffer of it).{reveal}"
        )
    } else {
        String::new()
    };
    app.message = Some((
        Level::Info,
        format!(
            "No system clipboard: {thing} went to your terminal's clipboard (OSC 52; tmux needs set-clipboard on).{once}"
        ),
    ));
}

/// Where the report went with no system clipboard: its file's path alone on the last line.
fn report_file_message(
    written: Result<std::path::PathBuf, impl std::fmt::Display>,
    via_terminal: bool,
) -> (Level, String) {
    let terminal = if via_terminal {
        " It also went to your terminal's clipboard (OSC 52)."
    } else {
        ""
    };
    match written {
        Ok(path) => (
            Level::Info,
            format!(
                "No system clipboard here: the report is in this file, readable by you only.{terminal}\n{}",
                path.display()
            ),
        ),
        Err(e) => (
            Level::Warn,
            format!("No system clipboard, and {e}.{terminal}"),
        ),
    }
}

fn copied_message(what: Copied, app: &App) -> String {
    match what {
        Copied::Link => "Copied the link.".into(),
        Copied::OrgUrl => "Copied the organization URL.".into(),
        Copied::Report => "Copied the report (it holds no token).".into(),
        Copied::Token => format!(
            "Token copied for one paste: cleared in {} s.",
            app.clipboard_for.as_secs()
        ),
        Copied::TokenCleared(true) => "The token was cleared from the clipboard.".into(),
        Copied::TerminalAsked { tmux: None } => "patwiz asked your terminal to forget the token; it cannot tell whether it did (some terminals and multiplexers keep their own copy: paste somewhere harmless to check).".into(),
        Copied::TerminalAsked { tmux: Some(Ok(0)) } => "patwiz asked your terminal to forget the token (it cannot tell whether it did); tmux's paste buffers held no copy of it.".into(),
        Copied::TerminalAsked { tmux: Some(Ok(n)) } => format!("patwiz deleted tmux's paste {} of the token and asked your terminal to forget it (it cannot tell whether the terminal did).", if n == 1 { "buffer" } else { "buffers" }),
        Copied::TerminalAsked { tmux: Some(Err(())) } => "patwiz asked your terminal to forget the token (it cannot tell whether it did) but could not read tmux's paste buffers: run `tmux delete-buffer` until the token is gone.".into(),
        Copied::TokenCleared(false) => "The clipboard no longer holds the token.".into(),
        Copied::Emptied => "Cleared the clipboard.".into(),
    }
}

/// A one-key rotation goes on by itself once the new token is proven: to Save, and stores it.
/// Anything else (a failure, extra scopes to confirm) stops it where the person decides.
fn continue_one_key_rotation(app: &mut App) -> Vec<Effect> {
    if !app.create.auto || app.validation.running || app.step != Step::Validate {
        return vec![];
    }
    app.create.auto = false;
    if app.validation.verdict() != Some(crate::domain::checks::Verdict::Pass)
        || !app.validation.extras().is_empty()
    {
        return vec![];
    }
    let mut effects = steps::validate::update(app, Intent::Next);
    if app.step == Step::Save {
        effects.extend(steps::save::update(app, Intent::Next));
    }
    effects
}

fn on_intent(app: &mut App, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::CloseOverlay => {
            if matches!(
                app.overlay.take(),
                Some(Overlay::Reveal | Overlay::RevealLine)
            ) {
                // Shown once: the screen is cleared and it is not offered again.
                app.handoff.revealed = true;
                app.repaint = true;
                // Plain mode printed it into the scrollback, which patwiz cannot clear.
                let said = if app.plain {
                    "The token was shown once; patwiz does not show it again (clear this terminal's scrollback yourself)."
                } else {
                    "The token was shown once and the screen cleared."
                };
                app.message = Some((Level::Info, said.into()));
            }
            vec![]
        }
        Intent::ConfirmReveal => {
            app.overlay = Some(Overlay::Reveal);
            vec![]
        }
        Intent::RevealLine if app.overlay == Some(Overlay::Reveal) => {
            app.overlay = Some(Overlay::RevealLine);
            vec![]
        }
        Intent::ConfirmQuit => {
            app.overlay = None;
            quit(app)
        }
        Intent::Help => {
            app.overlay = Some(Overlay::Help);
            vec![]
        }
        Intent::Quit => request_quit(app),
        Intent::StopSignIn if app.create.minting => {
            app.message = Some((Level::Info, "Stopping the sign-in…".into()));
            vec![Effect::StopSignIn]
        }
        Intent::Back => back(app),
        _ => match app.step {
            Step::Start => steps::start::update(app, intent),
            Step::Organization => steps::organization::update(app, intent),
            Step::CreateToken => steps::create_token::update(app, intent),
            Step::Scopes => steps::scopes::update(app, intent),
            Step::Paste => steps::paste::update(app, intent),
            Step::Validate => steps::validate::update(app, intent),
            Step::Save => steps::save::update(app, intent),
            Step::HandOff => steps::handoff::update(app, intent),
            Step::Done => steps::done::update(app, intent),
        },
    }
}

/// Quits, asking first when a proven token would be lost.
fn request_quit(app: &mut App) -> Vec<Effect> {
    if app.unsaved() {
        app.overlay = Some(Overlay::ConfirmQuit);
        vec![]
    } else {
        quit(app)
    }
}

/// Quits now: anything under way is stopped, the token taken off the clipboard.
fn quit(app: &mut App) -> Vec<Effect> {
    let mut effects = steps::handoff::leave(app);
    if std::mem::take(&mut app.validation.running) {
        effects.push(Effect::CancelValidation);
    }
    app.quit = true;
    effects
}

fn back(app: &mut App) -> Vec<Effect> {
    app.message = None;
    match app.step {
        Step::Start => request_quit(app),
        Step::Validate => steps::validate::update(app, Intent::Back),
        Step::CreateToken if app.rotating.is_some() => {
            app.step = Step::Start;
            vec![]
        }
        Step::Done => {
            app.step = Step::HandOff;
            vec![]
        }
        Step::HandOff => {
            let effects = steps::handoff::leave(app);
            app.step = Step::Save;
            effects
        }
        step => {
            if step == Step::Organization {
                app.org.check = super::state::OrgCheck::Idle;
            }
            app.step = step.previous();
            vec![]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::{CheckClass, CheckStatus};
    use crate::ui::state::{OrgStep, Validation};

    fn intent(app: &mut App, i: Intent) -> Vec<Effect> {
        update(app, Msg::Intent(i))
    }

    fn names(effects: &[Effect]) -> Vec<&'static str> {
        effects.iter().map(Effect::name).collect()
    }

    fn at_paste_with_token() -> App {
        let mut app = App::for_tests();
        app.org = OrgStep::with("https://dev.azure.com/contoso");
        app.step = Step::Paste;
        update(
            &mut app,
            Msg::Paste(secrecy::zeroize::Zeroizing::new(
                "AwfEoGD23EoP1arvJveEnjpxgYIJPxuWil8TUpMxYnCIZrCeNEzhJQQJ99CKYvSdNCpgG36sAAAAAZDO3oL0"
                    .into(),
            )),
        );
        app
    }

    #[test]
    fn a_look_alike_host_needs_a_second_enter_before_anything_is_sent() {
        let mut app = App::for_tests();
        app.org = OrgStep::with("https://dev.azure.corn/contoso");
        app.step = Step::Organization;
        assert!(
            intent(&mut app, Intent::Next).is_empty(),
            "nothing on the first Enter"
        );
        let (level, text) = app.message.clone().unwrap();
        assert_eq!(level, Level::Warn);
        assert!(
            text.contains("dev.azure.corn") && text.contains("Enter again"),
            "{text}"
        );
        assert_eq!(names(&intent(&mut app, Intent::Next)), ["CheckOrg"]);

        let mut real = App::for_tests();
        real.org = OrgStep::with("https://dev.azure.com/contoso");
        real.step = Step::Organization;
        assert_eq!(names(&intent(&mut real, Intent::Next)), ["CheckOrg"]);
    }

    #[test]
    fn enter_on_the_paste_step_carries_the_whole_request_and_marks_the_run() {
        let mut app = at_paste_with_token();
        let effects = intent(&mut app, Intent::Next);
        match effects.as_slice() {
            [Effect::Validate(request)] => {
                assert_eq!(request.org.as_str(), "https://dev.azure.com/contoso");
                assert!(request.token.expose().starts_with("AwfE"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            app.validation.running,
            "update marks the run, not the runner"
        );
        assert_eq!(app.step, Step::Validate);
        // Leaving while it runs cancels it, as an effect.
        assert_eq!(
            names(&intent(&mut app, Intent::ChangeScopes)),
            ["CancelValidation"]
        );
        assert!(!app.validation.running);
        assert_eq!(app.step, Step::Scopes);
    }

    #[test]
    fn saving_carries_the_proof_and_a_past_date_is_refused_by_the_given_day() {
        let mut app = at_paste_with_token();
        app.step = Step::Save;
        for c in "2026-11-30".chars() {
            intent(&mut app, Intent::Type(c));
        }
        app.validation.report = Some(crate::engine::Report {
            checked_at: None,
            org: Default::default(),
            identity: None,
            verdict: crate::domain::checks::Verdict::Pass,
            checks: vec![],
            elapsed_ms: 0,
            notes: vec![],
        });
        assert!(intent(&mut app, Intent::Next).is_empty());
        assert!(
            matches!(&app.save.state, crate::ui::state::SaveState::Failed(e) if e.contains("in the past"))
        );
        app.save.expires.set("2028-01-01");
        assert!(
            intent(&mut app, Intent::Next).is_empty(),
            "more than a year away"
        );
        assert!(
            matches!(&app.save.state, crate::ui::state::SaveState::Failed(e) if e.contains("at most one year"))
        );
        app.save.expires.set("2026-12-01");
        match intent(&mut app, Intent::Next).as_slice() {
            [Effect::Save(request)] => {
                assert_eq!(request.expires, Some(time::macros::date!(2026 - 12 - 01)));
                let (_, warning) = app.message.clone().unwrap();
                assert!(warning.contains("within 7 days"), "{warning}");
                assert_eq!(request.profile, "custom");
                assert!(request.rotating.is_none());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_clipboard_countdown_runs_on_ticks_and_quitting_clears_it() {
        let mut app = at_paste_with_token();
        app.step = Step::HandOff;
        assert_eq!(names(&intent(&mut app, Intent::CopyToken)), ["CopyToken"]);
        let copied = app.now;
        update(&mut app, Msg::TokenCopiedAt(copied));
        assert!(app.handoff.clears_at.is_some());
        assert!(
            update(
                &mut app,
                Msg::Tick(copied + std::time::Duration::from_secs(29))
            )
            .is_empty()
        );
        assert_eq!(
            names(&update(
                &mut app,
                Msg::Tick(copied + std::time::Duration::from_secs(30))
            )),
            ["ClearToken"]
        );
        assert!(app.handoff.clears_at.is_none());
        intent(&mut app, Intent::CopyToken);
        update(&mut app, Msg::TokenCopiedAt(copied));
        assert_eq!(names(&intent(&mut app, Intent::Quit)), ["ClearToken"]);
        assert!(app.quit);
    }

    #[test]
    fn another_organization_replaces_every_per_organization_step() {
        let mut app = at_paste_with_token();
        app.step = Step::Done;
        app.saved_once = true;
        app.save.expires.set("2027-01-01");
        intent(&mut app, Intent::AnotherOrg);
        assert_eq!(app.step, Step::Organization);
        assert!(app.org.input.is_empty() && app.paste.token.is_none());
        assert!(app.save.expires.is_empty() && !app.saved_once);
    }

    fn result(class: CheckClass, status: CheckStatus) -> crate::engine::CheckResult {
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
        use CheckStatus::{Fail, Skipped};
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
            let mut app = at_paste_with_token();
            app.step = Step::Validate;
            app.validation = Validation {
                results: vec![result(class, status)],
                ..Default::default()
            };
            intent(&mut app, Intent::NewToken);
            assert_eq!(app.step, Step::Paste);
            assert!(app.paste.token.is_none(), "the old token is gone");
            let (_, text) = app.message.clone().unwrap();
            assert!(text.contains(words), "{class:?}: {text}");
            if class != CheckClass::MissingScope {
                assert!(!text.contains("tick"), "{class:?}: {text}");
            }
        }
    }

    #[test]
    fn a_rotation_keeps_a_user_profile_and_its_stored_scopes() {
        // A user-defined profile (resolved once when the wizard starts), not `custom`.
        let mut profile = crate::domain::profiles::find("nango").unwrap();
        profile.name = "team".into();
        profile.title = "Team sync".into();
        check_rotation(profile);
    }

    fn check_rotation(profile: crate::domain::profiles::Profile) {
        use crate::ui::state::{Rotation, StartChoice};
        let settings = crate::store::settings::OrgSettings {
            key: "https://dev.azure.com/contoso".into(),
            url: "https://dev.azure.com/contoso".into(),
            name: "contoso".into(),
            profile: "team".into(),
            scopes: vec!["vso.code".into()],
            ..Default::default()
        };
        let mut app = App::for_tests();
        app.start.choices = vec![StartChoice::Rotate(Rotation { settings, profile })];
        intent(&mut app, Intent::Next);
        assert_eq!(app.step, Step::CreateToken);
        assert_eq!(app.profile.as_ref().unwrap().name, "team");
        assert_eq!(app.ticked_scopes(), ["vso.code"]);
    }
}
