//! The wizard's state: which step is showing, one sub-state per step, and what the whole run
//! shares (the profile, the rotation, the overlay, the message line, the time). No terminal
//! code and no I/O here.

use std::fmt;
use std::time::{Duration, Instant};

use crate::domain::checks::{CheckStatus, Verdict};
use crate::domain::expiry::ExpiryChoice;
use crate::domain::org_url::{OrgUrl, OrgUrlError};
use crate::domain::profiles::Profile;
use crate::domain::token::CheckedToken;
use crate::engine::{CheckResult, Identity, Report};
use crate::flows::keep::Stored;
use crate::store::settings::OrgSettings;
use crate::ui::widgets::text_input::TextInput;

pub use super::scope_picker::{ScopeRow, ScopesStep};

/// The longest organization URL or pasted token the fields take.
pub const MAX_FIELD: usize = 4096;
/// How long the hand-off keeps the token on the clipboard, unless configured.
pub const CLIPBOARD_SECONDS: u64 = 30;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Start,
    Organization,
    Scopes,
    CreateToken,
    Paste,
    Validate,
    Save,
    HandOff,
    Done,
}

impl Step {
    /// The order of the journey: the scopes are chosen before the token is created, so the
    /// creation guide lists exactly them.
    pub const ALL: [Step; 9] = [
        Step::Start,
        Step::Organization,
        Step::Scopes,
        Step::CreateToken,
        Step::Paste,
        Step::Validate,
        Step::Save,
        Step::HandOff,
        Step::Done,
    ];

    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Start => "Choose the integration",
            Step::Organization => "Your organization",
            Step::CreateToken => "Create the token",
            Step::Scopes => "Scopes",
            Step::Paste => "Paste the token",
            Step::Validate => "Validate",
            Step::Save => "Save",
            Step::HandOff => "Hand it over",
            Step::Done => "Done",
        }
    }

    pub fn previous(self) -> Step {
        let i = self.number() - 1;
        Step::ALL[i.saturating_sub(1)]
    }

    /// Steps where letters go into a text field (keys like `q` are typed, not commands).
    pub fn takes_text(self) -> bool {
        matches!(self, Step::Organization | Step::Paste | Step::Save)
    }
}

/// A stored organization whose token is being replaced, with its profile resolved once
/// (built-in or the user's own).
#[derive(Debug, Clone)]
pub struct Rotation {
    pub settings: OrgSettings,
    pub profile: Profile,
}

/// One entry of the Start screen.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // a handful of entries, built once
pub enum StartChoice {
    Profile(Profile),
    Rotate(Rotation),
}

/// Step 1.
#[derive(Debug, Clone, Default)]
pub struct StartStep {
    pub choices: Vec<StartChoice>,
    pub cursor: usize,
}

/// The anonymous existence check of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgCheck {
    Idle,
    Checking,
    /// Found; what kind of Azure DevOps answered, in words.
    Found(String),
    Failed(String),
}

/// Step 2.
#[derive(Debug, Clone)]
pub struct OrgStep {
    pub input: TextInput,
    pub parsed: Result<OrgUrl, OrgUrlError>,
    pub check: OrgCheck,
    /// The person confirmed a host that looks like Azure DevOps' own but is not (this input).
    pub lookalike_confirmed: bool,
}

impl OrgStep {
    pub fn with(url: &str) -> OrgStep {
        OrgStep {
            input: TextInput::with(MAX_FIELD, url),
            parsed: OrgUrl::parse(url),
            check: OrgCheck::Idle,
            lookalike_confirmed: false,
        }
    }
}

impl Default for OrgStep {
    fn default() -> Self {
        OrgStep::with("")
    }
}

/// A demo token offered on the Paste screen (demo organization only; not secret).
#[derive(Clone)]
pub struct DemoToken {
    pub name: String,
    pub demonstrates: String,
    pub value: String,
    /// The profile (integration) it was made for, when it was made for one.
    pub integration: Option<String>,
}

impl App {
    /// The full-screen window is smaller than the wizard draws in (it shows only a notice).
    pub fn too_small(&self) -> bool {
        use crate::ui::view::{MIN_HEIGHT, MIN_WIDTH};
        !self.plain && (self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT)
    }

    /// The key that goes back a step, as the person types it here: Esc on the full screen,
    /// `-` in plain mode (which has no Esc).
    pub fn back_key(&self) -> &'static str {
        if self.plain { "-" } else { "Esc" }
    }

    /// The keys that change a choice (the expiry, a scope's level), as typed here.
    pub fn change_keys(&self) -> &'static str {
        if self.plain { "h/l" } else { "←/→" }
    }

    /// The demo tokens the Paste screen numbers 1-9: the chosen integration's own first, and
    /// those made for another integration only when the chosen one has none of its own.
    pub fn demo_offer(&self) -> Vec<&DemoToken> {
        let chosen = self.profile.as_ref().map(|p| p.name.as_str());
        let own = |t: &&DemoToken| t.integration.is_some() && t.integration.as_deref() == chosen;
        let has_own = self.demo_tokens.iter().any(|t| own(&t));
        let generic = |t: &&DemoToken| t.integration.is_none() || !has_own;
        self.demo_tokens
            .iter()
            .filter(own)
            .chain(self.demo_tokens.iter().filter(|t| !own(t) && generic(t)))
            .take(9)
            .collect()
    }
}

impl fmt::Debug for DemoToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoToken")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Step 5: the token, pasted or typed, never shown.
#[derive(Debug, Clone)]
pub struct PasteStep {
    pub token: Option<CheckedToken>,
    pub typed: TextInput,
    pub error: Option<String>,
    /// The token came from the clipboard, which still holds it.
    pub from_clipboard: bool,
}

impl Default for PasteStep {
    fn default() -> Self {
        PasteStep {
            token: None,
            typed: TextInput::new(MAX_FIELD),
            error: None,
            from_clipboard: false,
        }
    }
}

/// Step 6: the validation run.
#[derive(Debug, Clone, Default)]
pub struct Validation {
    pub running: bool,
    /// The scopes this run proves: every ticked one and every one the profile requires (a
    /// required scope unticked on the checklist is still proven: the integration needs it).
    pub asked: Vec<String>,
    pub scopes: Vec<String>,
    pub results: Vec<CheckResult>,
    pub identity: Option<Identity>,
    pub report: Option<Report>,
    pub scroll: u16,
    /// The person confirmed storing a token that holds more than the integration needs.
    pub extras_confirmed: bool,
}

impl Validation {
    pub fn result(&self, scope: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.scope == scope)
    }

    pub fn verdict(&self) -> Option<Verdict> {
        self.report.as_ref().map(|r| r.verdict)
    }

    /// The powerful scopes the token holds that the integration does not need.
    pub fn extras(&self) -> Vec<&str> {
        self.results
            .iter()
            .filter(|r| !r.required)
            .map(|r| r.label.as_str())
            .collect()
    }

    /// Failures of the last run, for the "go back and fix" key.
    pub fn failing(&self) -> impl Iterator<Item = &CheckResult> {
        self.results
            .iter()
            .filter(|r| r.required && r.status == CheckStatus::Fail)
    }
}

/// Where saving stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Editing,
    Saving,
    Saved(Stored),
    /// Stored in a team vault: where, in words ("vault://secret/ado/git-zen at … (version 2)").
    SavedTeam(String),
    Failed(String),
}

/// Step 7.
#[derive(Debug, Clone)]
pub struct SaveStep {
    pub expires: TextInput,
    pub state: SaveState,
    /// Which secret store the token will go to, in words (once known).
    pub store_line: Option<String>,
    /// The date came from the create step's choice: the first key typed replaces it.
    pub expires_chosen: bool,
    /// A team vault to store in instead (vault://…, keyvault://…, pass://…); empty: this
    /// computer's secret store.
    pub team: TextInput,
    /// Typing goes to the team vault's field (Tab switches).
    pub team_focus: bool,
}

impl Default for SaveStep {
    fn default() -> Self {
        SaveStep {
            expires: TextInput::new(10),
            state: SaveState::Editing,
            store_line: None,
            expires_chosen: false,
            team: TextInput::new(300),
            team_focus: false,
        }
    }
}

/// Step 4: the expiration to pick in the dialog (the date goes on to Save).
#[derive(Debug, Clone)]
pub struct CreateStep {
    pub choices: Vec<ExpiryChoice>,
    pub choice: usize,
    /// "Create it for me" is under way (signing in, creating).
    pub minting: bool,
    /// What the sign-in under way waits for (a device code to enter), once it says.
    pub waiting: Option<crate::ui::msg::SignInWait>,
    /// Why Azure DevOps did not create it, when it did not.
    pub failure: Option<crate::ui::msg::MintFailure>,
    /// The lifecycle API's id of the token patwiz had created (recorded on Save).
    pub authorization_id: Option<String>,
    /// The expiry asked for, when the tenant's maximum lifespan cut it.
    pub capped_from: Option<time::Date>,
    /// One-key rotation: create, prove and store without stopping, up to the hand-over.
    pub auto: bool,
}

impl CreateStep {
    /// The dialog's presets with 30 days chosen (its default), or for a rotation the old
    /// token's date.
    pub fn new(keep: Option<time::Date>) -> CreateStep {
        CreateStep::offering(keep, 30)
    }

    /// The presets with `days` chosen (the profile's guide's advice), or the old token's date.
    pub fn offering(keep: Option<time::Date>, days: i64) -> CreateStep {
        let choices = ExpiryChoice::all(keep);
        let preset = choices
            .iter()
            .position(|c| *c == ExpiryChoice::Days(days))
            .unwrap_or(1);
        CreateStep {
            choices,
            choice: if keep.is_some() { 0 } else { preset },
            minting: false,
            waiting: None,
            failure: None,
            authorization_id: None,
            capped_from: None,
            auto: false,
        }
    }

    pub fn chosen(&self) -> ExpiryChoice {
        self.choices[self.choice]
    }
}

impl Default for CreateStep {
    fn default() -> Self {
        CreateStep::new(None)
    }
}

/// Step 8.
#[derive(Debug, Clone, Default)]
pub struct HandOffStep {
    /// While the token is on the clipboard: when it will be cleared.
    pub clears_at: Option<Instant>,
    /// A copy of the token did not reach a system clipboard (the reveal is offered then).
    pub no_clipboard: bool,
    /// The token was shown once, on request: it is not offered again.
    pub revealed: bool,
    /// The copy went through the terminal (OSC 52), which patwiz cannot clear for certain.
    pub via_terminal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
    /// "Show the token on this screen, once?"
    ConfirmReveal,
    /// The token in full, until any key: in groups of four, to type it.
    Reveal,
    /// The token alone on the screen as one unbroken string, to select it (`o` in the reveal):
    /// the terminal itself wraps it, so a selection across rows is one string.
    RevealLine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// The wizard's state.
#[derive(Debug)]
pub struct App {
    pub step: Step,
    pub start: StartStep,
    pub profile: Option<Profile>,
    pub rotating: Option<Rotation>,
    pub org: OrgStep,
    pub scopes: ScopesStep,
    pub paste: PasteStep,
    pub validation: Validation,
    pub save: SaveStep,
    pub create: CreateStep,
    pub handoff: HandOffStep,
    pub demo_tokens: Vec<DemoToken>,
    /// How long the hand-off keeps the token on the clipboard.
    pub clipboard_for: Duration,
    /// How the checks talk to Azure DevOps (timeouts, CA file).
    pub http: crate::engine::http::HttpOptions,
    pub overlay: Option<Overlay>,
    pub message: Option<(Level, String)>,
    pub spinner: usize,
    /// The time of the last tick (time reaches the state only as a message).
    pub now: Instant,
    /// The terminal's size (columns, rows), as the last resize said.
    pub size: (u16, u16),
    pub today: time::Date,
    /// The clock the runner's use cases are given (today is read from it once, at start).
    pub clock: crate::clock::Clock,
    /// A token was stored during this run (for the current organization).
    pub saved_once: bool,
    /// Every organization a token was stored for during this run (the demo forgets them all).
    pub stored_orgs: Vec<OrgUrl>,
    pub quit: bool,
    /// Plain mode (line prompts).
    pub plain: bool,
    /// The token may be shown once on request: the full-screen wizard, and plain mode when
    /// its output is a terminal (never when it goes to a file or a pipe).
    pub reveal_allowed: bool,
    /// The next frame is drawn on a cleared terminal (after the token was shown).
    pub repaint: bool,
}

impl App {
    /// How the wizard ends, in both front ends: 0 once a token is stored; otherwise the last
    /// check's code (1 missing scopes, 2 rejected, 3 unreachable, as `patwiz check` says it),
    /// or 1 when it was left before any check (nothing was stored: not a success).
    pub fn exit_code(&self) -> u8 {
        if self.saved_once {
            return 0;
        }
        self.validation
            .verdict()
            .map_or(1, |v| match v.exit_code() {
                // A token that passed but was not stored is not a success either.
                0 => 1,
                code => code,
            })
    }
    pub fn new(
        choices: Vec<StartChoice>,
        org: Option<String>,
        demo_tokens: Vec<DemoToken>,
        now: Instant,
        clock: crate::clock::Clock,
    ) -> App {
        App {
            step: Step::Start,
            start: StartStep { choices, cursor: 0 },
            profile: None,
            rotating: None,
            org: OrgStep::with(&org.unwrap_or_default()),
            scopes: ScopesStep::default(),
            paste: PasteStep::default(),
            validation: Validation::default(),
            save: SaveStep::default(),
            create: CreateStep::default(),
            handoff: HandOffStep::default(),
            demo_tokens,
            clipboard_for: Duration::from_secs(CLIPBOARD_SECONDS),
            http: Default::default(),
            overlay: None,
            message: None,
            spinner: 0,
            now,
            size: (80, 24),
            today: clock.today(),
            clock,
            saved_once: false,
            stored_orgs: Vec::new(),
            quit: false,
            plain: false,
            reveal_allowed: true,
            repaint: false,
        }
    }

    /// An empty wizard on a fixed day, for unit tests.
    pub fn for_tests() -> App {
        App::new(
            Vec::new(),
            None,
            Vec::new(),
            Instant::now(),
            crate::clock::Clock::fixed(time::macros::datetime!(2026-12-01 12:00 UTC)),
        )
    }

    /// A fresh start for another organization: every per-organization step replaced.
    pub fn reset_journey(&mut self) {
        self.org = OrgStep::default();
        self.scopes = ScopesStep::new(
            self.profile.as_ref(),
            &self
                .profile
                .as_ref()
                .map(|p| p.scope_ids())
                .unwrap_or_default(),
        );
        self.paste = PasteStep::default();
        self.validation = Validation::default();
        self.save = SaveStep::default();
        self.create = CreateStep::offering(
            None,
            self.profile.as_ref().map_or(30, |p| p.default_expiry_days),
        );
        self.handoff = HandOffStep::default();
        self.rotating = None;
        self.saved_once = false;
    }

    pub fn ticked_scopes(&self) -> Vec<String> {
        self.scopes.ticked()
    }

    /// Letters go into a text field now (keys like `q` are typed, not commands).
    pub fn typing(&self) -> bool {
        self.step.takes_text() || (self.step == Step::Scopes && self.scopes.filtering)
    }

    /// True when leaving now would lose a proven token that is not saved.
    pub fn unsaved(&self) -> bool {
        self.validation.verdict() == Some(Verdict::Pass) && !self.saved_once
    }

    /// The integration as sentences name it: its title ("Git-Zen"), or "your integration"
    /// for a profile whose scopes the person picks (Custom is no product).
    pub fn integration(&self) -> String {
        match &self.profile {
            Some(p) if p.scopes.is_empty() => "your integration".to_string(),
            Some(p) => p.title.clone(),
            None => "This integration".to_string(),
        }
    }

    /// Work is under way that will answer with a message (a spinner shows).
    pub fn busy(&self) -> bool {
        self.org.check == OrgCheck::Checking
            || self.create.minting
            || self.validation.running
            || self.save.state == SaveState::Saving
    }

    /// Something on screen changes with time (a spinner, the clipboard countdown).
    pub fn animating(&self) -> bool {
        self.busy() || self.handoff.clears_at.is_some()
    }
}
