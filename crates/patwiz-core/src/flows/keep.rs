//! Keep a proven token: store a first one, replace one by rotation, forget one. The settings
//! entry is built here and only here, so every front end records the same facts.

use time::{Date, OffsetDateTime};

use crate::domain::checks::Verdict;
use crate::domain::org_url::OrgUrl;
use crate::domain::token::Token;
use crate::engine::Report;
use crate::store::rotation::{LocalStore, LocalStoreError};
use crate::store::secret::Backend;
use crate::store::settings::{LoadNote, OrgSettings, SavedIdentity};

/// A token and the proof that it works.
pub struct Proven<'a> {
    pub org: &'a OrgUrl,
    pub token: &'a Token,
    pub report: &'a Report,
    /// The profile's name (`git-zen`, a user profile's name, `custom`).
    pub profile: &'a str,
    pub scopes: &'a [String],
    /// The expiry date the person chose, if they gave one.
    pub expires: Option<Date>,
    /// The lifecycle API's id when patwiz created the token: written with the token, in the
    /// same settings update, so a crash never separates them.
    pub authorization_id: Option<&'a str>,
}

/// Where the token went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub backend: Backend,
    /// Why the desktop keyring was passed over, if it was.
    pub fallback: Option<&'static str>,
    /// The settings file had to be set aside (corrupt, newer) before this was recorded.
    pub note: Option<LoadNote>,
}

/// What `forget` removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forgotten {
    pub token: bool,
    pub settings: bool,
}

impl Forgotten {
    pub fn anything(self) -> bool {
        self.token || self.settings
    }
}

fn stored(local: &LocalStore, note: Option<LoadNote>) -> Stored {
    Stored {
        backend: local.store.backend(),
        fallback: local.store.fallback_reason(),
        note,
    }
}

/// The settings entry for a first token.
pub fn settings_for(proven: &Proven<'_>, backend: Backend, now: OffsetDateTime) -> OrgSettings {
    OrgSettings {
        key: proven.org.key(),
        url: proven.org.as_str().to_string(),
        name: proven.org.name().to_string(),
        kind: proven.report.org.kind,
        profile: proven.profile.to_string(),
        scopes: proven.scopes.to_vec(),
        identity: proven.report.identity.as_ref().map(SavedIdentity::from),
        store: backend.name().to_string(),
        created: Some(now.date()),
        expires: proven.expires,
        last_check: Some(now),
        last_verdict: Some(proven.report.verdict),
        rotating: false,
        authorization_id: proven.authorization_id.map(str::to_string),
        revoking: Vec::new(),
        api_version: proven.report.org.api_version.clone(),
    }
}

/// Records a new check of the token in its entry (rotation, `status --check`).
pub fn record_check(entry: &mut OrgSettings, report: &Report, now: OffsetDateTime) {
    entry.last_check = Some(now);
    entry.last_verdict = Some(report.verdict);
    if report.org.api_version.is_some() {
        entry.api_version.clone_from(&report.org.api_version);
    }
    if let Some(identity) = &report.identity {
        entry.identity = Some(SavedIdentity::from(identity));
    }
}

/// The identity a check found, as the settings keep it (here, not in the store: the store
/// knows nothing of the engine).
impl From<&crate::engine::Identity> for SavedIdentity {
    fn from(i: &crate::engine::Identity) -> SavedIdentity {
        SavedIdentity {
            id: i.id.clone(),
            display_name: i.display_name.clone(),
            unique_name: i.unique_name.clone(),
        }
    }
}

/// Whether a proven token may be stored, on this computer or in a team vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// It passed.
    Passed,
    /// It lacks scopes, and the person said to store it anyway (`--force`).
    Forced,
    /// Not stored; `force_would_do` when it only lacks scopes (so `--force` would store it).
    Refused { force_would_do: bool },
}

/// The rule for storing: a token that passed, or with `force` one that only lacks scopes. A
/// rejected, blocked or unchecked token is never stored, forced or not.
pub fn admit(report: &Report, force: bool) -> Admission {
    match report.verdict {
        Verdict::Pass => Admission::Passed,
        Verdict::MissingScopes | Verdict::PermissionDenied if force => Admission::Forced,
        Verdict::MissingScopes | Verdict::PermissionDenied => Admission::Refused {
            force_would_do: true,
        },
        _ => Admission::Refused {
            force_would_do: false,
        },
    }
}

/// Why a new token may not replace the stored one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReplaced {
    #[error("the new token did not pass")]
    DidNotPass,
    /// `strict`: it passed, but holds powerful scopes the integration does not need.
    #[error("the new token also holds {} (not needed; --strict refuses it)", crate::domain::text::list_and(&.0.iter().map(String::as_str).collect::<Vec<_>>()))]
    OverPrivileged(Vec<String>),
}

/// The rule for a rotation: the new token passed and, with `strict`, holds nothing more than
/// the integration needs. Without `strict` an over-privileged pass replaces the old token and
/// the front end warns.
pub fn may_replace(report: &Report, strict: bool) -> Result<(), NotReplaced> {
    if report.verdict != Verdict::Pass {
        return Err(NotReplaced::DidNotPass);
    }
    let extra = report.over_privileged();
    if strict && !extra.is_empty() {
        return Err(NotReplaced::OverPrivileged(
            extra.into_iter().map(str::to_string).collect(),
        ));
    }
    Ok(())
}

/// Stores a first token (login, the wizard's Save step) that [`admit`] let through.
pub async fn store_proven(
    local: &LocalStore,
    proven: Proven<'_>,
    now: OffsetDateTime,
) -> Result<Stored, LocalStoreError> {
    let settings = settings_for(&proven, local.store.backend(), now);
    let note = local.save(proven.token, settings).await?;
    Ok(stored(local, note))
}

/// Replaces the token stored under `key` with a proven new one; profile, scopes and history
/// stay, the dates, identity and check are the new token's.
pub async fn rotate_proven(
    local: &LocalStore,
    key: &str,
    proven: Proven<'_>,
    now: OffsetDateTime,
) -> Result<Stored, LocalStoreError> {
    debug_assert_eq!(proven.report.verdict, Verdict::Pass);
    let expires = proven.expires;
    let id = proven.authorization_id.map(str::to_string);
    local
        .rotate(key, proven.token, |entry| {
            entry.created = Some(now.date());
            entry.expires = expires;
            // A token patwiz created replaces the old one, which patwiz then revokes: its id
            // goes to the revocations to make and confirm.
            if let (Some(old), Some(new)) = (entry.authorization_id.take(), id.as_deref())
                && old != new
                && !entry.revoking.contains(&old)
            {
                entry.revoking.push(old);
            }
            entry.authorization_id = id;
            record_check(entry, proven.report, now);
        })
        .await?;
    Ok(stored(local, None))
}

/// Removes the organization's token and settings.
pub async fn forget(local: &LocalStore, org: &OrgUrl) -> Result<Forgotten, LocalStoreError> {
    let (token, settings) = local.forget(&org.key()).await?;
    Ok(Forgotten { token, settings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(verdict: Verdict) -> Report {
        Report {
            checked_at: None,
            org: crate::engine::report::OrgInfo::default(),
            identity: None,
            verdict,
            checks: Vec::new(),
            elapsed_ms: 0,
            notes: Vec::new(),
        }
    }

    #[test]
    fn only_a_passing_token_or_a_forced_one_lacking_scopes_is_stored() {
        assert_eq!(admit(&report(Verdict::Pass), false), Admission::Passed);
        assert_eq!(admit(&report(Verdict::Pass), true), Admission::Passed);
        assert_eq!(
            admit(&report(Verdict::MissingScopes), false),
            Admission::Refused {
                force_would_do: true
            }
        );
        assert_eq!(
            admit(&report(Verdict::MissingScopes), true),
            Admission::Forced
        );
        for verdict in [Verdict::TokenRejected, Verdict::Unreachable] {
            assert_eq!(
                admit(&report(verdict), true),
                Admission::Refused {
                    force_would_do: false
                },
                "{verdict:?}"
            );
        }
    }
}
