//! The wizard. One state (`App`), changed only by `update` from messages (the person's
//! intents, the time, the answers of work); `update` returns effects that carry their data,
//! which the runner does as tasks that answer with messages:
//! key → intent (`keymap`) → `update` → effect → runner/flows → message → `update` → draw.
//! The full-screen interface and plain mode are two renderers of the same state machine.

pub mod effect;
pub mod event_loop;
pub mod keymap;
pub mod msg;
pub mod plain;
pub mod runner;
pub mod scope_picker;
pub mod services;
pub mod state;
pub mod steps;
pub mod theme;
mod tui;
pub mod update;
pub mod view;
pub mod widgets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::engine::http::HttpOptions;
use crate::store::settings::SettingsFile;
use state::{App, DemoToken, Rotation, StartChoice};

/// How the wizard starts.
#[derive(Debug, Clone)]
pub struct WizardOptions {
    pub org: Option<String>,
    pub profile: Option<String>,
    pub config_dir: PathBuf,
    pub demo_tokens: Vec<DemoToken>,
    /// Forget whatever was stored when the wizard ends (the demo organization).
    pub forget_on_exit: bool,
    pub http: HttpOptions,
    /// How long the hand-off keeps the token on the clipboard.
    pub clipboard_for: Duration,
    /// The secret store to use (`None`: the platform's best, or `PATWIZ_SECRET_STORE`).
    pub secret_store: Option<crate::store::secret::Backend>,
    /// Where a report goes when no clipboard takes it (it outlives the demo's scratch
    /// settings).
    pub reports_dir: PathBuf,
    /// Start past step 1 with `profile` chosen (`patwiz wizard --profile NAME`).
    pub skip_start: bool,
    /// The clock (the system's; a test gives a fixed one).
    pub clock: crate::clock::Clock,
}

impl WizardOptions {
    pub fn new(config_dir: PathBuf) -> WizardOptions {
        WizardOptions {
            reports_dir: config_dir.join("reports"),
            skip_start: false,
            org: None,
            profile: None,
            config_dir,
            demo_tokens: Vec::new(),
            forget_on_exit: false,
            http: HttpOptions::default(),
            clipboard_for: clipboard_for_from_env(),
            secret_store: None,
            clock: crate::clock::Clock::system(),
        }
    }
}

impl WizardOptions {
    /// What every use case this run calls is given: the client, the clock, the person's
    /// profiles and this computer's store as the options name them.
    pub fn ctx(&self) -> crate::flows::Ctx {
        crate::flows::Ctx {
            http: self.http.clone(),
            clock: self.clock,
            profiles_dir: Some(self.config_dir.join("profiles")),
            config_dir: Some(self.config_dir.clone()),
            secret_store: self.secret_store,
        }
    }
}

/// `PATWIZ_CLIPBOARD_SECONDS` (1 to 300), else 30.
fn clipboard_for_from_env() -> Duration {
    let seconds = std::env::var("PATWIZ_CLIPBOARD_SECONDS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| (1..=300).contains(s))
        .unwrap_or(state::CLIPBOARD_SECONDS);
    Duration::from_secs(seconds)
}

/// The first state: the profiles (built-in and the user's), then a "rotate" entry per stored
/// organization with its profile resolved now, once.
pub fn initial_app(options: &WizardOptions) -> App {
    let (profiles, _) =
        crate::store::user_profiles::load_all(Some(&options.config_dir.join("profiles")));
    // Stored organizations first: rotating is what a returning person comes for.
    let mut choices: Vec<StartChoice> = Vec::new();
    if let Ok((settings, _)) = SettingsFile::new(&options.config_dir).load() {
        for stored in settings.orgs {
            let profile = crate::domain::profiles::find_in(profiles.clone(), &stored.profile)
                .or_else(|_| crate::domain::profiles::find("custom"))
                .expect("the custom profile is built in");
            choices.push(StartChoice::Rotate(Rotation {
                settings: stored,
                profile,
            }));
        }
    }
    choices.extend(profiles.iter().cloned().map(StartChoice::Profile));
    let mut app = App::new(
        choices,
        options.org.clone(),
        options.demo_tokens.clone(),
        Instant::now(),
        options.clock,
    );
    app.clipboard_for = options.clipboard_for;
    app.http = options.http.clone();
    if let Some(name) = &options.profile
        && let Some(i) = app
            .start
            .choices
            .iter()
            .position(|c| matches!(c, StartChoice::Profile(p) if p.name == *name))
    {
        app.start.cursor = i;
        if options.skip_start {
            update::update(&mut app, msg::Msg::Intent(keymap::Intent::Next));
        }
    }
    app
}

/// Runs the wizard in the terminal until the person quits.
pub async fn run(options: WizardOptions) -> ExitCode {
    let app = initial_app(&options);
    // Before anything is stored: a closed window or a dropped SSH connection then ends the
    // wizard as quitting does, never by dying on the spot.
    let hangup = services::hangup::Hangup::listen();
    // Asked before the wizard takes the terminal: the answer comes on the same input.
    let theme = theme::Theme::new(services::background::detect());
    let mut terminal = tui::enter();
    let outcome = event_loop::run(&mut terminal, app, tui::events(hangup), &options, theme).await;
    tui::leave();
    match outcome {
        Ok(outcome) => {
            use std::io::Write as _;
            // The terminal may be gone (it hung up): nothing to say then, and no panic.
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                crate::domain::text::safe_message(&outcome.summary)
            );
            outcome.code
        }
        Err(e) => {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&e.to_string())
            );
            ExitCode::from(1)
        }
    }
}

/// True when the full-screen interface cannot work (TERM=dumb, or output is not a terminal).
pub fn wants_plain(flag: bool) -> bool {
    use std::io::IsTerminal as _;
    flag || std::env::var("TERM").is_ok_and(|t| t == "dumb") || !std::io::stdout().is_terminal()
}
