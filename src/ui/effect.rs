//! The work `update` asks for, each effect carrying everything it needs: the runner never
//! looks at the wizard's state.

use std::fmt;
use std::time::Duration;

use time::Date;

use super::msg::Copied;
use crate::domain::org_url::OrgUrl;
use crate::domain::token::Token;
use crate::engine::{CheckRequest, Report};

/// Store (or, with `rotating`, replace) a proven token.
#[derive(Clone)]
pub struct SaveRequest {
    pub org: OrgUrl,
    pub token: Token,
    pub report: Report,
    pub profile: String,
    pub scopes: Vec<String>,
    pub expires: Option<Date>,
    /// The key of the stored organization whose token this replaces.
    pub rotating: Option<String>,
    /// The lifecycle API's id, when patwiz created this token (recorded with it).
    pub authorization_id: Option<String>,
    /// A team vault to store it in instead of this computer's secret store.
    pub team: Option<String>,
}

/// Have Azure DevOps create the token (after a Microsoft Entra sign-in), with exactly these
/// scopes.
#[derive(Debug, Clone)]
pub struct MintRequest {
    pub org: OrgUrl,
    pub token_name: String,
    pub scopes: Vec<String>,
    pub valid_to: time::OffsetDateTime,
}

/// A calendar reminder to rotate before the token expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRequest {
    pub org: OrgUrl,
    pub profile: String,
    pub expires: Date,
}

#[derive(Clone)]
pub enum Effect {
    CheckOrg(OrgUrl),
    OpenBrowser(String),
    /// Copies text that is not secret (a link, a URL, a report) to the clipboard.
    CopyText(String, Copied),
    /// Copies the secret-free report; with no clipboard it is written to a file named after
    /// the organization (`org`) and the time.
    CopyReport {
        text: String,
        org: String,
    },
    ReadClipboard,
    ClearClipboard,
    Validate(Box<CheckRequest>),
    CancelValidation,
    /// Stop waiting for the sign-in under way (Esc while it waits for the person).
    StopSignIn,
    Save(Box<SaveRequest>),
    Mint(Box<MintRequest>),
    /// Move the stored token's expiry (it was created by patwiz: its id is known), in place,
    /// then prove it again with the scopes and profile it is stored with.
    Extend {
        org: OrgUrl,
        valid_to: time::OffsetDateTime,
    },
    /// Give the token patwiz created (by its id) these scopes, in place.
    Mend {
        org: OrgUrl,
        authorization_id: String,
        scopes: Vec<String>,
    },
    DescribeStore,
    WriteReminder(ReminderRequest),
    /// Puts the token on the clipboard for one paste, to be cleared after the duration.
    CopyToken(Token, Duration),
    /// Clears the clipboard if it still holds this token.
    ClearToken(Token),
}

impl fmt::Debug for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::CheckOrg(u) => write!(f, "CheckOrg({u})"),
            Effect::OpenBrowser(u) => write!(f, "OpenBrowser({u})"),
            Effect::CopyText(t, what) => write!(f, "CopyText({what:?}, {} chars)", t.len()),
            Effect::CopyReport { text, org } => {
                write!(f, "CopyReport({org}, {} chars)", text.len())
            }
            Effect::ReadClipboard => f.write_str("ReadClipboard"),
            Effect::ClearClipboard => f.write_str("ClearClipboard"),
            Effect::Validate(r) => write!(f, "Validate({}, {} scopes)", r.org, r.scopes.len()),
            Effect::CancelValidation => f.write_str("CancelValidation"),
            Effect::StopSignIn => f.write_str("StopSignIn"),
            Effect::Save(r) => write!(
                f,
                "Save({}{})",
                r.org,
                if r.rotating.is_some() {
                    ", rotating"
                } else {
                    ""
                }
            ),
            Effect::Mint(r) => write!(f, "Mint({}, {} scopes)", r.org, r.scopes.len()),
            Effect::Mend { org, scopes, .. } => write!(f, "Mend({org}, {} scopes)", scopes.len()),
            Effect::Extend { org, .. } => write!(f, "Extend({org})"),
            Effect::DescribeStore => f.write_str("DescribeStore"),
            Effect::WriteReminder(r) => write!(f, "WriteReminder({})", r.org),
            Effect::CopyToken(_, d) => write!(f, "CopyToken(<token>, {} s)", d.as_secs()),
            Effect::ClearToken(_) => f.write_str("ClearToken(<token>)"),
        }
    }
}

impl Effect {
    /// The effect's kind, for tests and logs (never its data).
    pub fn name(&self) -> &'static str {
        match self {
            Effect::CheckOrg(_) => "CheckOrg",
            Effect::OpenBrowser(_) => "OpenBrowser",
            Effect::CopyText(..) => "CopyText",
            Effect::CopyReport { .. } => "CopyReport",
            Effect::ReadClipboard => "ReadClipboard",
            Effect::ClearClipboard => "ClearClipboard",
            Effect::Validate(_) => "Validate",
            Effect::CancelValidation => "CancelValidation",
            Effect::StopSignIn => "StopSignIn",
            Effect::Save(_) => "Save",
            Effect::Mint(_) => "Mint",
            Effect::Mend { .. } => "Mend",
            Effect::Extend { .. } => "Extend",
            Effect::DescribeStore => "DescribeStore",
            Effect::WriteReminder(_) => "WriteReminder",
            Effect::CopyToken(..) => "CopyToken",
            Effect::ClearToken(_) => "ClearToken",
        }
    }
}
