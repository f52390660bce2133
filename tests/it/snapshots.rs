//! Every screen at 80x24 (ratatui TestBackend + insta), reached through `update` as a user
//! would, with real engine results from the emulator. NO_COLOR theme: text is what matters.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use patwiz::emulator::Emulator;
use patwiz::engine::{self, Event};
use patwiz::flows::keep::Stored;
use patwiz::store::secret::Backend;
use patwiz::ui::effect::Effect;
use patwiz::ui::keymap;
use patwiz::ui::msg::Msg;
use patwiz::ui::state::{App, DemoToken, Step};
use patwiz::ui::theme::Theme;
use patwiz::ui::update::update;
use patwiz::ui::{WizardOptions, initial_app, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::zeroize::Zeroizing;

/// A key, as the terminal would deliver it: through the key table, as the loop does.
fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    match keymap::intent(app, &KeyEvent::new(code, KeyModifiers::NONE)) {
        Some(intent) => update(app, Msg::Intent(intent)),
        None => vec![],
    }
}

fn names(effects: &[Effect]) -> Vec<&'static str> {
    effects.iter().map(Effect::name).collect()
}

fn stored() -> Msg {
    Msg::Saved(Ok(Stored {
        backend: Backend::SecretService,
        fallback: None,
        note: None,
    }))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The foreground colour of the first cell of `needle` when drawn at 80×24 with `theme`.
fn colour_of(app: &App, theme: Theme, needle: &str) -> Option<ratatui::style::Color> {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| view::draw(f, app, theme)).unwrap();
    let buffer = terminal.backend().buffer();
    for y in 0..24 {
        let line: Vec<&str> = (0..80).map(|x| buffer[(x, y)].symbol()).collect();
        let text = line.concat();
        if let Some(byte) = text.find(needle) {
            let x = u16::try_from(text[..byte].chars().count()).unwrap();
            return buffer[(x, y)].style().fg;
        }
    }
    None
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| view::draw(f, app, Theme::plain()))
        .unwrap();
    format!("{}", terminal.backend())
}

/// Every screen at 80×24 (the smallest supported) and at 120×40.
macro_rules! snap {
    ($name:expr, $app:expr) => {{
        let text = screen($app, 80, 24);
        let wide = screen($app, 120, 40);
        insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT")]}, {
            insta::assert_snapshot!($name, text);
            insta::assert_snapshot!(format!("{}_120x40", $name), wide);
        });
    }};
}

/// The help of `app`'s screen fits 80x24 to its last line; the screen is left as it was.
fn assert_help_fits(app: &mut App) {
    press(app, KeyCode::F(1));
    let help = screen(app, 80, 24);
    assert!(
        help.contains("Any key closes this help."),
        "{:?}: the help is cut at 80x24:\n{help}",
        app.step
    );
    press(app, KeyCode::Char('x'));
    assert!(app.overlay.is_none());
}

fn options(org: Option<String>, demo: Vec<DemoToken>) -> (WizardOptions, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (
        WizardOptions {
            org,
            demo_tokens: demo,
            secret_store: Some(Backend::Memory),
            // The day every screen here is drawn on: a snapshot says the same on any date.
            clock: patwiz::clock::Clock::fixed(time::macros::datetime!(2026-12-01 12:00 UTC)),
            clipboard_for: std::time::Duration::from_secs(30),
            ..WizardOptions::new(dir.path().to_path_buf())
        },
        dir,
    )
}

fn demo_tokens(emu: &Emulator) -> Vec<DemoToken> {
    [
        "git-zen",
        "git-zen-missing-service-connections",
        "expired",
        "stakeholder",
    ]
    .iter()
    .map(|n| {
        let t = emu.scenario().token(n).unwrap();
        DemoToken {
            name: t.name.clone(),
            demonstrates: t.demonstrates.clone(),
            value: t.value.clone(),
            integration: None,
        }
    })
    .collect()
}

/// Start → Git-Zen → organization found → scopes → create token → paste.
fn to_paste(app: &mut App, profile_index: usize) {
    for _ in 0..profile_index {
        press(app, KeyCode::Down);
    }
    press(app, KeyCode::Enter);
    let effects = press(app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::CheckOrg(_)]),
        "{effects:?}"
    );
    update(app, Msg::OrgChecked(Ok("Azure DevOps Services".into())));
    assert_eq!(
        app.step,
        Step::Scopes,
        "the scopes come before the token is created"
    );
    press(app, KeyCode::Enter);
    assert_eq!(app.step, Step::CreateToken);
    press(app, KeyCode::Enter);
    assert_eq!(app.step, Step::Paste);
}

/// Runs the real engine for the app's token and feeds every event (or the first `limit`).
async fn validate(app: &mut App, limit: Option<usize>) {
    let mut effects = press(app, KeyCode::Enter);
    let Some(Effect::Validate(request)) = effects.pop() else {
        panic!("Enter on the paste step asks for a validation");
    };
    assert!(app.validation.running, "update marks the run as running");
    // The very request the wizard would run (without the over-privilege probes, for a stable
    // picture).
    let mut request = *request;
    request.probe_extras = false;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    engine::run(request, Some(tx)).await;
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    // Checks arrive in whatever order the network gives; sort them for a stable picture.
    events.sort_by_key(|e| match e {
        Event::Discovered { .. } => (0, String::new()),
        Event::Identity(_) => (1, String::new()),
        Event::Probing(_) => (2, String::new()),
        Event::Check(c) => (3, c.scope.clone()),
        Event::Finished(_) => (4, String::new()),
    });
    for event in events.into_iter().take(limit.unwrap_or(usize::MAX)) {
        update(app, Msg::Engine(event));
    }
}

#[test]
fn start_screen() {
    let (options, _dir) = options(None, vec![]);
    let app = initial_app(&options);
    snap!("01_start", &app);
    let wide = screen(&app, 200, 60);
    assert!(wide.contains("Git-Zen needs"), "200x60 renders too");
}

#[test]
fn organization_screens() {
    let (options, _dir) = options(None, vec![]);
    let mut app = initial_app(&options);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "https://dev.azure.com/contoso/Fabrikam/_git/web");
    snap!("02_organization_parsed", &app);
    let mut bad = initial_app(&options);
    press(&mut bad, KeyCode::Enter);
    type_text(&mut bad, "http://dev.azure.com/contoso");
    snap!("02_organization_refused", &bad);
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::CheckOrg(u)] if u.as_str() == "https://dev.azure.com/contoso")
    );
    update(
        &mut app,
        Msg::OrgChecked(Err(engine::Stop::new(
            patwiz::domain::checks::CheckClass::OrgNotFound,
            Some(404),
            "No organization answers at https://dev.azure.com/contoso (HTTP 404).",
        ))),
    );
    snap!("02_organization_not_found", &app);

    // A token pasted into the organization field is never shown, nor repeated by the error.
    let token = crate::support::fixtures::GIT_ZEN;
    let mut pasted = initial_app(&options);
    press(&mut pasted, KeyCode::Enter);
    type_text(&mut pasted, token);
    press(&mut pasted, KeyCode::Enter);
    let text = screen(&pasted, 80, 24);
    assert!(
        !text.contains(&token[..8]),
        "the token is on screen:\n{text}"
    );
    assert!(text.contains("token-shaped"), "{text}");
}

#[test]
fn create_token_screens() {
    let (options, _dir) = options(Some("https://dev.azure.com/contoso".into()), vec![]);
    let mut app = initial_app(&options);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Msg::OrgChecked(Ok("Azure DevOps Services".into())),
    );
    press(&mut app, KeyCode::Enter);
    snap!("04_create_token_git_zen", &app);
    // The instruction that cannot be undone is readable on a light background, and on a
    // dark one keeps the terminal's own yellow.
    use patwiz::ui::theme::Background;
    for (background, expected) in [
        (Background::Light, ratatui::style::Color::Indexed(130)),
        (Background::Dark, ratatui::style::Color::Yellow),
    ] {
        let theme = Theme {
            color: true,
            background,
        };
        assert_eq!(
            colour_of(&app, theme, "copy the token now"),
            Some(expected),
            "{background:?}"
        );
    }
    let effects = press(&mut app, KeyCode::Char('o'));
    assert!(
        matches!(effects.as_slice(), [Effect::OpenBrowser(u)] if u == "https://dev.azure.com/contoso/_usersSettings/tokens"),
        "{effects:?}"
    );
    let mut jira = initial_app(&options);
    press(&mut jira, KeyCode::Down);
    press(&mut jira, KeyCode::Down);
    press(&mut jira, KeyCode::Enter);
    press(&mut jira, KeyCode::Enter);
    update(
        &mut jira,
        Msg::OrgChecked(Ok("Azure DevOps Services".into())),
    );
    press(&mut jira, KeyCode::Enter);
    snap!("04_create_token_jira_git_global_pat", &jira);
}

#[test]
fn scopes_screen_warns_on_unticking_a_required_scope_and_on_full_access() {
    let (options, _dir) = options(Some("https://dev.azure.com/contoso".into()), vec![]);
    let mut app = initial_app(&options);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Msg::OrgChecked(Ok("Azure DevOps Services".into())),
    );
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Left);
    snap!("03_scopes_required_unticked", &app);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    snap!("03_scopes_more_than_needed", &app);
    press(&mut app, KeyCode::Char('f'));
    snap!("03_scopes_full_access", &app);
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('/'));
    for c in "pack".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    snap!("03_scopes_filtered", &app);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Right);
    snap!("03_scopes_filtered_level_chosen", &app);
}

#[test]
fn paste_screens() {
    let (options, _dir) = options(Some("https://dev.azure.com/contoso".into()), vec![]);
    let mut app = initial_app(&options);
    to_paste(&mut app, 0);
    snap!("05_paste_empty", &app);
    update(
        &mut app,
        Msg::Paste(Zeroizing::new(
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz".into(),
        )),
    );
    snap!("05_paste_github_token_refused", &app);
    let token = crate::support::fixtures::GIT_ZEN;
    update(
        &mut app,
        Msg::Clipboard(Ok(Zeroizing::new(format!("{token}\n")))),
    );
    snap!("05_paste_from_clipboard", &app);
    let shown = screen(&app, 80, 24);
    assert!(
        !shown.contains(&token[..5]),
        "more than four characters of the token are on screen"
    );
    assert!(
        shown.contains("AwfE"),
        "the first four characters are shown"
    );
    assert_eq!(
        names(&press(&mut app, KeyCode::Char('x'))),
        ["ClearClipboard"]
    );
    // One character changed: the checksum catches it, a warning, and Enter still goes on.
    let mut typo = token.as_bytes().to_vec();
    typo[30] = if typo[30] == b'Q' { b'R' } else { b'Q' };
    update(
        &mut app,
        Msg::Paste(Zeroizing::new(String::from_utf8(typo).unwrap())),
    );
    snap!("05_paste_mistyped", &app);
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("looks mistyped or cut short"), "{shown}");
    assert!(shown.contains("press Enter to check it"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_screens() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let demo = demo_tokens(&emu);
    let (options, _dir) = options(Some(emu.org_url()), demo.clone());
    let mut app = initial_app(&options);
    to_paste(&mut app, 0);
    snap!("05_paste_demo_tokens", &app);
    press(&mut app, KeyCode::Char('2'));
    validate(&mut app, Some(4)).await;
    snap!("06_validate_running", &app);

    let mut app = initial_app(&options);
    to_paste(&mut app, 0);
    press(&mut app, KeyCode::Char('2'));
    validate(&mut app, None).await;
    snap!("06_validate_missing_scope", &app);
    assert!(screen(&app, 80, 24).contains("tick Service Connections: Read & query"));
    press(&mut app, KeyCode::Char('?'));
    let help = screen(&app, 80, 24);
    assert!(
        help.contains("Also on this screen (not in the footer):")
            && help.contains("s         change the scopes"),
        "the help sets apart the keys the footer leaves out:\n{help}"
    );
    press(&mut app, KeyCode::Char('x'));
    assert_help_fits(&mut app);

    let mut app = initial_app(&options);
    to_paste(&mut app, 0);
    press(&mut app, KeyCode::Char('3'));
    validate(&mut app, None).await;
    snap!("06_validate_token_expired", &app);

    let mut app = initial_app(&options);
    to_paste(&mut app, 0);
    press(&mut app, KeyCode::Char('4'));
    validate(&mut app, None).await;
    snap!("06_validate_permission_denied", &app);
    // The rest is one key away, and the screen says where it is.
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("below: ↓ or PgDn"), "{shown}");
    press(&mut app, KeyCode::End);
    let shown = screen(&app, 80, 24);
    assert!(
        shown.contains("lacks a permission Git-Zen needs") && shown.contains("above: ↑ or PgUp"),
        "{shown}"
    );
    assert!(
        shown.contains("Token of"),
        "the identity stays pinned:\n{shown}"
    );
    press(&mut app, KeyCode::Home);
    assert!(screen(&app, 80, 24).contains("below: ↓ or PgDn"));

    let mut app = initial_app(&options);
    to_paste(&mut app, 0);
    press(&mut app, KeyCode::Char('1'));
    validate(&mut app, None).await;
    snap!("06_validate_pass", &app);
    for token in &demo {
        assert!(!screen(&app, 80, 24).contains(&token.value[..5]));
    }
    assert_eq!(names(&press(&mut app, KeyCode::Enter)), ["DescribeStore"]);
    update(
        &mut app,
        Msg::StoreDescribed("Secret Service — survives a reboot".into()),
    );
    // The create step's 30 days, carried; typing replaces it.
    assert!(screen(&app, 80, 24).contains("> 2026-12-31"));
    type_text(&mut app, "2027-05-31");
    snap!("07_save", &app);
    // Tab: a team vault instead; a bad address is refused with words, Tab again goes back.
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "s3://bucket/pat");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&app, 80, 24).contains("is not a vault address patwiz knows"));
    for _ in 0.."s3://bucket/pat".len() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "vault://secret/ado/git-zen");
    snap!("07_save_team_vault", &app);
    assert!(screen(&app, 80, 24).contains("Where: the team vault vault://secret/ado/git-zen"));
    // Emptied, the field means this computer again; Tab goes back to the date, which is kept.
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    if let Some(intent) = keymap::intent(&app, &ctrl_u) {
        update(&mut app, Msg::Intent(intent));
    }
    press(&mut app, KeyCode::Tab);
    assert!(
        screen(&app, 80, 24).contains("> 2027-05-31"),
        "the date is kept"
    );
    assert!(!screen(&app, 80, 24).contains("Where: the team vault"));
    match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::Save(request)] => {
            assert_eq!(request.expires, Some(time::macros::date!(2027 - 05 - 31)));
            assert_eq!(request.profile, "git-zen");
            assert_eq!(
                request.report.verdict,
                patwiz::domain::checks::Verdict::Pass
            );
        }
        other => panic!("{other:?}"),
    }
    update(&mut app, stored());
    assert_eq!(app.step, Step::HandOff);
    assert_eq!(names(&press(&mut app, KeyCode::Char('t'))), ["CopyToken"]);
    let now = app.now;
    update(&mut app, Msg::TokenCopiedAt(now));
    snap!("08_handoff_token_on_clipboard", &app);
    assert_eq!(
        names(&press(&mut app, KeyCode::Enter)),
        ["ClearToken"],
        "leaving clears the clipboard"
    );
    assert_eq!(app.step, Step::Done);
    snap!("09_done", &app);
    assert_eq!(
        names(&press(&mut app, KeyCode::Char('r'))),
        ["WriteReminder"]
    );
    let copied = press(&mut app, KeyCode::Char('c'));
    match copied.as_slice() {
        [Effect::CopyReport { text: report, org }] => {
            assert_eq!(
                org, "demo",
                "the file, with no clipboard, is named after it"
            );
            // Plain text that pastes cleanly into a ticket: the summary in words, the facts,
            // the rows.
            assert!(
                report.starts_with("The token works for Git-Zen (5 of 5 scopes proven)."),
                "{report}"
            );
            for line in [
                "Token of:     Git-Zen Service <svc-gitzen@contoso.com>",
                "Profile:      git-zen",
                "Expires:      2027-05-31",
                "Stored in:    Secret Service",
                "Token C3ID:   ",
                "  ✓ Work Items: Read & write — proven",
                "(No token is in this report.)",
            ] {
                assert!(report.contains(line), "{line:?} missing in:\n{report}");
            }
            assert!(!report.contains('|'), "no Markdown table: {report}");
            for token in &demo {
                assert!(
                    !report.contains(&token.value[..8]),
                    "the report holds a token"
                );
            }
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn overlays() {
    let (options, _dir) = options(None, vec![]);
    let mut app = initial_app(&options);
    press(&mut app, KeyCode::Char('?'));
    snap!("11_help", &app);
    press(&mut app, KeyCode::Char('x'));
    assert!(app.overlay.is_none(), "any key closes help");
    // Quit with a proven, unsaved token asks first.
    app.validation.report = Some(engine::Report {
        checked_at: None,
        org: engine::OrgInfo {
            input: String::new(),
            url: String::new(),
            name: String::new(),
            kind: Default::default(),
            api_version: None,
        },
        identity: None,
        verdict: patwiz::domain::checks::Verdict::Pass,
        checks: vec![],
        elapsed_ms: 0,
        notes: vec![],
    });
    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    snap!("11_confirm_quit", &app);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.quit);
}

#[test]
fn tiny_and_huge_terminals_do_not_panic() {
    let (options, _dir) = options(None, vec![]);
    let app = initial_app(&options);
    for (w, h) in [(1, 1), (10, 5), (20, 8), (40, 12), (300, 100)] {
        let _ = screen(&app, w, h);
    }
}

#[test]
fn a_stored_organization_is_offered_for_rotation_and_skips_to_creating_the_token() {
    let (options, dir) = options(None, vec![]);
    patwiz::store::settings::SettingsFile::new(dir.path())
        .update(|s| {
            s.upsert(patwiz::store::settings::OrgSettings {
                key: "https://dev.azure.com/contoso".into(),
                url: "https://dev.azure.com/contoso".into(),
                name: "contoso".into(),
                kind: patwiz::domain::org_url::OrgKind::Cloud,
                profile: "nango".into(),
                scopes: vec!["vso.project".into()],
                expires: Some(time::macros::date!(2027 - 02 - 01)),
                ..Default::default()
            })
        })
        .unwrap();
    let mut app = initial_app(&options);
    // The stored organization comes first, with what is known of its expiry, and r rotates it.
    snap!("10_start_with_rotate", &app);
    assert!(screen(&app, 80, 24).contains("r rotate it"));
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(app.step, Step::CreateToken);
    assert!(app.rotating.is_some());
    assert_eq!(
        app.profile.as_ref().unwrap().name,
        "nango",
        "the stored profile, resolved"
    );
    assert_eq!(app.ticked_scopes(), ["vso.project"]);
    snap!("10_rotate_create_token", &app);
    // The old token's date stays unless changed, and reaches Save.
    assert!(screen(&app, 80, 24).contains("the old token's date ▸ → 2027-02-01"));
    press(&mut app, KeyCode::Right);
    assert!(screen(&app, 80, 24).contains("7 days ▸ → 2026-12-08"));
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.save.expires.as_str(), "2027-02-01");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.step,
        Step::Start,
        "Esc from a rotation goes back to the start"
    );
}

#[test]
fn start_panel_and_hand_off_for_every_profile() {
    let (options, _dir) = options(Some("https://dev.azure.com/contoso".into()), vec![]);
    for (index, name) in patwiz::domain::profiles::built_in_names()
        .iter()
        .enumerate()
    {
        let mut app = initial_app(&options);
        for _ in 0..index {
            press(&mut app, KeyCode::Down);
        }
        snap!(format!("12_start_{name}"), &app);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        update(
            &mut app,
            Msg::OrgChecked(Ok("Azure DevOps Services".into())),
        );
        assert_help_fits(&mut app);
        let scopes = screen(&app, 80, 24);
        assert!(
            scopes.contains("Full access (f)") && scopes.contains("groups 1–"),
            "{name}: the Scopes header pushed the Full access line off 80x24:\n{scopes}"
        );
        if app.ticked_scopes().is_empty() {
            press(&mut app, KeyCode::Char(' '));
        }
        press(&mut app, KeyCode::Enter); // scopes → create the token
        press(&mut app, KeyCode::Enter); // → paste
        update(
            &mut app,
            Msg::Paste(Zeroizing::new(crate::support::fixtures::GIT_ZEN.into())),
        );
        assert!(app.paste.token.is_some());
        app.step = Step::Save;
        update(&mut app, stored());
        assert_eq!(app.step, Step::HandOff, "{name}");
        snap!(format!("13_handoff_{name}"), &app);
        assert_help_fits(&mut app);
        let screen = screen(&app, 80, 24);
        assert!(!screen.contains("AwfEo"), "{name}: the token is on screen");
        assert!(matches!(
            press(&mut app, KeyCode::Char('u')).as_slice(),
            [Effect::CopyText(url, _)] if url == "https://dev.azure.com/contoso"
        ));
    }
}

/// Keys for the real loop, each handed over only once the screen shows `until` (or at once).
async fn drive(
    tx: tokio::sync::mpsc::UnboundedSender<patwiz::ui::event_loop::Input>,
    screens: std::sync::Arc<std::sync::Mutex<String>>,
    steps: Vec<(&'static str, KeyCode)>,
) {
    use patwiz::ui::event_loop::Input;
    for (until, code) in steps {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !screens.lock().unwrap().contains(until) {
            assert!(
                std::time::Instant::now() < deadline,
                "never showed {until:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        tx.send(Input::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .unwrap();
    }
}

/// A TestBackend that also keeps the last frame where the test can read it.
struct Watched {
    inner: TestBackend,
    last: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ratatui::backend::Backend for Watched {
    type Error = <TestBackend as ratatui::backend::Backend>::Error;
    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        self.inner.draw(content)?;
        *self.last.lock().unwrap() = format!("{}", self.inner);
        Ok(())
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<ratatui::layout::Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<ratatui::layout::Position>>(
        &mut self,
        position: P,
    ) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, kind: ratatui::backend::ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(kind)
    }
    fn size(&self) -> Result<ratatui::layout::Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<ratatui::backend::WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_loop_takes_a_token_from_start_to_stored() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let (options, _dir) = options(Some(emu.org_url()), demo_tokens(&emu));
    let last = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut terminal = Terminal::new(Watched {
        inner: TestBackend::new(80, 24),
        last: last.clone(),
    })
    .unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let input = tokio_stream_of(rx);
    let keys = tokio::spawn(drive(
        tx,
        last.clone(),
        vec![
            ("Step 1 of 9", KeyCode::Enter),
            ("Step 2 of 9", KeyCode::Enter),
            ("Step 3 of 9", KeyCode::Enter),
            ("Step 4 of 9", KeyCode::Enter),
            ("Step 5 of 9", KeyCode::Char('1')),
            ("Looks like an", KeyCode::Enter),
            ("5 of 5 proven", KeyCode::Enter),
            ("Where: memory only", KeyCode::Enter),
            ("Step 8 of 9", KeyCode::Enter),
            ("is stored", KeyCode::Enter),
        ],
    ));
    let app = initial_app(&options);
    let outcome = patwiz::ui::event_loop::run(&mut terminal, app, input, &options, Theme::plain())
        .await
        .unwrap();
    keys.await.unwrap();
    assert_eq!(outcome.code, std::process::ExitCode::SUCCESS);
    assert!(
        outcome
            .summary
            .starts_with("patwiz: a proven token for Git-Zen is stored for"),
        "{}",
        outcome.summary
    );
    let screen = last.lock().unwrap().clone();
    assert!(
        screen.contains("Step 9 of 9") && screen.contains("memory only"),
        "{screen}"
    );
    // The wizard stored it where it was told to: the memory store of this process.
    let vault =
        patwiz::store::rotation::LocalStore::open_with(&options.config_dir, Some(Backend::Memory))
            .await
            .unwrap();
    let org = patwiz::domain::org_url::OrgUrl::parse(&emu.org_url()).unwrap();
    assert!(vault.token(&org.key()).await.unwrap().is_some());
    let (settings, _) = vault.settings.load().unwrap();
    let entry = settings.get(&org.key()).unwrap();
    assert_eq!(entry.profile, "git-zen");
    assert!(entry.last_check.is_some(), "the check is recorded");
}

fn tokio_stream_of<T: Send + 'static>(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> impl futures_util::Stream<Item = T> + Unpin {
    Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

#[test]
fn the_token_leaves_the_clipboard_when_the_countdown_ends_or_on_quit() {
    let (options, _dir) = options(Some("https://dev.azure.com/contoso".into()), vec![]);
    let mut app = initial_app(&options);
    app.step = Step::Paste;
    update(
        &mut app,
        Msg::Paste(Zeroizing::new(crate::support::fixtures::GIT_ZEN.into())),
    );
    app.step = Step::HandOff;
    app.clipboard_for = std::time::Duration::ZERO;
    assert_eq!(names(&press(&mut app, KeyCode::Char('t'))), ["CopyToken"]);
    let at = app.now;
    update(&mut app, Msg::TokenCopiedAt(at));
    assert_eq!(names(&update(&mut app, Msg::Tick(at))), ["ClearToken"]);
    assert!(app.handoff.clears_at.is_none());
    app.clipboard_for = std::time::Duration::from_secs(30);
    press(&mut app, KeyCode::Char('t'));
    update(&mut app, Msg::TokenCopiedAt(at));
    assert!(
        update(&mut app, Msg::Tick(at + std::time::Duration::from_secs(29))).is_empty(),
        "not before 30 s"
    );
    assert_eq!(names(&press(&mut app, KeyCode::Char('q'))), ["ClearToken"]);
    assert!(app.quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_forgets_every_token_it_stored_also_after_another_organization() {
    use patwiz::domain::org_url::OrgUrl;
    let (mut options, _dir) = options(None, vec![]);
    options.forget_on_exit = true;
    let vault =
        patwiz::store::rotation::LocalStore::open_with(&options.config_dir, Some(Backend::Memory))
            .await
            .unwrap();
    let mut app = initial_app(&options);
    for url in [
        "https://dev.azure.com/first-demo-org",
        "https://dev.azure.com/second-demo-org",
    ] {
        let org = OrgUrl::parse(url).unwrap();
        vault
            .store
            .set(&org.key(), &patwiz::domain::token::Token::new("made-up"))
            .await
            .unwrap();
        app.stored_orgs.push(org);
    }
    // Done → n (another organization) replaced the journey; both stay remembered.
    app.reset_journey();
    patwiz::ui::event_loop::forget_demo(&app, &options).await;
    for org in &app.stored_orgs {
        assert!(
            vault.store.get(&org.key()).await.unwrap().is_none(),
            "{org}"
        );
    }
}

#[test]
fn create_it_for_me_explains_each_policy_refusal_in_a_panel() {
    use patwiz::domain::lifecycle::Refusal;
    let (options, _dir) = options(Some("https://dev.azure.com/contoso".into()), vec![]);
    for refusal in [
        Refusal::CreationRestricted,
        Refusal::GlobalBlocked,
        Refusal::FullScopeForbidden,
        Refusal::LifespanTooLong,
        Refusal::ExpiredCannotBeExtended,
        Refusal::AccessDenied,
        Refusal::PolicyUnreadable,
    ] {
        let mut app = initial_app(&options);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        update(
            &mut app,
            Msg::OrgChecked(Ok("Azure DevOps Services".into())),
        );
        press(&mut app, KeyCode::Enter);
        assert!(screen(&app, 80, 24).contains("a create it for me"));
        let effects = press(&mut app, KeyCode::Char('a'));
        assert_eq!(names(&effects), ["Mint"]);
        assert!(screen(&app, 80, 24).contains("Signing in"));
        update(
            &mut app,
            Msg::Minted(Err(patwiz::ui::msg::MintFailure {
                text: "refused".into(),
                policy: Some(refusal.explain("contoso")),
            })),
        );
        let shown = screen(&app, 80, 24);
        assert!(
            shown.contains("Azure DevOps did not create the token"),
            "{shown}"
        );
        assert!(shown.contains("Who can change it:") && shown.contains("What to do now:"));
        snap!(format!("14_create_refused_{}", refusal.name()), &app);
    }
}

/// Every outcome the demo organization shows, one token each, at both sizes: the Validate
/// screen a person sees for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_validate_screen_for_every_demo_token() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    for name in [
        "read-only",
        "legacy-format",
        "revoked",
        "conditional-access",
        "other-organization",
        "stakeholder",
    ] {
        // (Full access is proven with the over-privilege probes, which `validate` turns off for
        // a stable picture: its warning is tested with them on elsewhere.)
        let t = emu.scenario().token(name).unwrap();
        let demo = vec![DemoToken {
            name: t.name.clone(),
            demonstrates: t.demonstrates.clone(),
            value: t.value.clone(),
            integration: None,
        }];
        let (options, _dir) = options(Some(emu.org_url()), demo.clone());
        let mut app = initial_app(&options);
        to_paste(&mut app, 0);
        press(&mut app, KeyCode::Char('1'));
        validate(&mut app, None).await;
        let shown = screen(&app, 80, 24);
        assert!(
            !shown.contains(&t.value[..5]),
            "{name}: the token on screen"
        );
        assert!(shown.contains("Step 6 of 9"), "{name}:\n{shown}");
        snap!(format!("15_validate_{name}"), &app);
    }
}
