//! The wizard's whole state (one `App`), the messages that change it (`Action`) and the work it
//! asks for (`Effect`). No terminal code here: `update` is a plain function, tested on its own.

use std::fmt;

use secrecy::zeroize::Zeroizing;

use crate::domain::checks::{CheckStatus, Verdict};
use crate::domain::org_url::{OrgUrl, OrgUrlError};
use crate::domain::profiles::Profile;
use crate::domain::scopes::Catalogue;
use crate::domain::token::CheckedToken;
use crate::engine::{CheckResult, Identity, Report};
use crate::store::settings::OrgSettings;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Start,
    Organization,
    CreateToken,
    Scopes,
    Paste,
    Validate,
    Save,
    HandOff,
    Done,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::Start,
        Step::Organization,
        Step::CreateToken,
        Step::Scopes,
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

    pub fn next(self) -> Step {
        Step::ALL[(self.number()).min(Step::ALL.len() - 1)]
    }

    /// Steps where letters go into a text field (keys like `q` are typed, not commands).
    pub fn takes_text(self) -> bool {
        matches!(self, Step::Organization | Step::Paste | Step::Save)
    }
}

/// One entry of the Start screen.
#[derive(Debug, Clone)]
pub enum StartChoice {
    Profile(Profile),
    Rotate(OrgSettings),
}

/// The anonymous existence check of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgCheck {
    Idle,
    Checking,
    Found { kind: String },
    Failed(String),
}

/// One row of the scope checklist.
#[derive(Debug, Clone)]
pub struct ScopeRow {
    pub id: String,
    pub label: String,
    pub required: bool,
    pub why: Option<String>,
    pub high_privilege: bool,
    pub ticked: bool,
}

/// A demo token offered on the Paste screen (demo organization only; not secret).
#[derive(Clone)]
pub struct DemoToken {
    pub name: String,
    pub demonstrates: String,
    pub value: String,
}

impl fmt::Debug for DemoToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoToken")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The validation run shown on step 6.
#[derive(Debug, Clone, Default)]
pub struct Validation {
    pub running: bool,
    pub scopes: Vec<String>,
    pub results: Vec<CheckResult>,
    pub identity: Option<Identity>,
    pub report: Option<Report>,
    pub scroll: u16,
}

impl Validation {
    pub fn result(&self, scope: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.scope == scope)
    }

    pub fn verdict(&self) -> Option<Verdict> {
        self.report.as_ref().map(|r| r.verdict)
    }
}

/// The Save step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Editing,
    Saving,
    Saved { store: String, detail: String },
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
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
    pub choices: Vec<StartChoice>,
    pub choice_cursor: usize,
    pub profile: Option<Profile>,
    /// Set when rotating a stored token.
    pub rotating: Option<OrgSettings>,
    pub org_input: String,
    pub org: Result<OrgUrl, OrgUrlError>,
    pub org_check: OrgCheck,
    /// The user confirmed a host that looks like Azure DevOps' own but is not (this input).
    pub lookalike_confirmed: bool,
    pub scopes: Vec<ScopeRow>,
    pub scope_cursor: usize,
    pub full_access: bool,
    pub token: Option<CheckedToken>,
    /// Typed by hand, never shown.
    pub typed: Zeroizing<String>,
    pub paste_error: Option<String>,
    pub pasted_from_clipboard: bool,
    pub demo_tokens: Vec<DemoToken>,
    pub validation: Validation,
    pub expires_input: String,
    pub save: SaveState,
    pub store_line: Option<String>,
    pub overlay: Option<Overlay>,
    pub message: Option<(Level, String)>,
    pub spinner: usize,
    pub quit: bool,
    pub saved_once: bool,
    /// While the token is on the clipboard (hand-off step): when it will be cleared.
    pub clipboard_clears_at: Option<std::time::Instant>,
    /// How long the token stays on the clipboard.
    pub clipboard_seconds: u64,
}

/// The work `update` asks the event loop to do.
#[derive(Clone, PartialEq, Eq)]
pub enum Effect {
    CheckOrg(String),
    OpenBrowser(String),
    /// Copies text that is not secret (a link, a report) to the clipboard.
    CopyText(String),
    ReadClipboard,
    ClearClipboard,
    Validate,
    Save,
    DescribeStore,
    WriteReminder,
    /// Puts the token on the clipboard for one paste (hand-off step only).
    CopyToken,
    /// Clears the clipboard if it still holds the token.
    ClearToken,
    Quit,
}

impl fmt::Debug for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::CheckOrg(u) => write!(f, "CheckOrg({u})"),
            Effect::OpenBrowser(u) => write!(f, "OpenBrowser({u})"),
            Effect::CopyText(t) => write!(f, "CopyText({} chars)", t.len()),
            Effect::ReadClipboard => f.write_str("ReadClipboard"),
            Effect::ClearClipboard => f.write_str("ClearClipboard"),
            Effect::Validate => f.write_str("Validate"),
            Effect::Save => f.write_str("Save"),
            Effect::DescribeStore => f.write_str("DescribeStore"),
            Effect::WriteReminder => f.write_str("WriteReminder"),
            Effect::CopyToken => f.write_str("CopyToken"),
            Effect::ClearToken => f.write_str("ClearToken"),
            Effect::Quit => f.write_str("Quit"),
        }
    }
}

impl App {
    pub fn new(choices: Vec<StartChoice>, org: Option<String>, demo_tokens: Vec<DemoToken>) -> App {
        let org_input = org.unwrap_or_default();
        App {
            step: Step::Start,
            choices,
            choice_cursor: 0,
            profile: None,
            rotating: None,
            org: OrgUrl::parse(&org_input),
            org_input,
            org_check: OrgCheck::Idle,
            lookalike_confirmed: false,
            scopes: Vec::new(),
            scope_cursor: 0,
            full_access: false,
            token: None,
            typed: Zeroizing::new(String::new()),
            paste_error: None,
            pasted_from_clipboard: false,
            demo_tokens,
            validation: Validation::default(),
            expires_input: String::new(),
            save: SaveState::Editing,
            store_line: None,
            overlay: None,
            message: None,
            spinner: 0,
            quit: false,
            saved_once: false,
            clipboard_clears_at: None,
            clipboard_seconds: 30,
        }
    }

    /// Fills the checklist from the catalogue, ticking the profile's scopes (or a stored set).
    pub fn load_scopes(&mut self, ticked: &[String]) {
        let catalogue = Catalogue::get();
        let profile = self.profile.as_ref();
        self.scopes = catalogue
            .scopes()
            .filter(|s| s.in_pat_dialog)
            .map(|s| {
                let why = profile.and_then(|p| p.why(&s.id)).map(str::to_string);
                ScopeRow {
                    id: s.id.clone(),
                    label: s.label(),
                    required: why.is_some(),
                    why,
                    high_privilege: s.high_privilege,
                    ticked: ticked.iter().any(|t| t == &s.id),
                }
            })
            .collect();
        // Required scopes first, in the guide's order (least privilege first), then the rest
        // in the dialog's order.
        let order: Vec<String> = profile.map(|p| p.scope_ids()).unwrap_or_default();
        self.scopes.sort_by_key(|r| {
            let rank = order
                .iter()
                .position(|id| *id == r.id)
                .unwrap_or(usize::MAX);
            (!(r.required || r.ticked), rank)
        });
        self.scope_cursor = 0;
        self.full_access = false;
    }

    pub fn ticked_scopes(&self) -> Vec<String> {
        self.scopes
            .iter()
            .filter(|r| r.ticked)
            .map(|r| r.id.clone())
            .collect()
    }

    /// True when leaving now would lose a proven token that is not saved.
    pub fn unsaved(&self) -> bool {
        self.validation.verdict() == Some(Verdict::Pass) && !self.saved_once
    }

    pub fn integration(&self) -> String {
        self.profile
            .as_ref()
            .map_or_else(|| "This integration".to_string(), |p| p.title.clone())
    }

    /// Failures of the last run, for the "go back and fix" key.
    pub fn failing(&self) -> impl Iterator<Item = &CheckResult> {
        self.validation
            .results
            .iter()
            .filter(|r| r.required && r.status == CheckStatus::Fail)
    }
}
