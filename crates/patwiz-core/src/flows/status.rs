//! What is stored, organization by organization, and (when asked) whether each token still
//! works: every live check at once, one settings write for the whole run.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::domain::checks::Verdict;
use crate::domain::expiry::Expiry;
use crate::domain::org_url::{OrgKind, OrgUrl};
use crate::domain::token::Token;
use crate::engine::{self, CheckRequest, Report, Wanted};
use crate::store::rotation::LocalStore;
use crate::store::settings::{OrgSettings, SavedIdentity, Settings};

time::serde::format_description!(ymd, Date, "[year]-[month]-[day]");

/// One stored organization, as `status` shows it (and `status --json` prints it).
#[derive(Debug, Clone, Serialize)]
pub struct OrgStatus {
    pub url: String,
    pub name: String,
    pub kind: OrgKind,
    pub profile: String,
    pub scopes: Vec<String>,
    pub identity: Option<SavedIdentity>,
    /// The store the settings name (empty in files from before it was recorded).
    pub store: String,
    pub token_stored: bool,
    /// Why the token could not be read, if it could not.
    pub store_error: Option<String>,
    pub rotation_interrupted: bool,
    #[serde(with = "ymd::option")]
    pub created: Option<Date>,
    #[serde(with = "ymd::option")]
    pub expires: Option<Date>,
    pub days_left: Option<i64>,
    #[serde(serialize_with = "expiry_name")]
    pub expiry: Expiry,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_check: Option<OffsetDateTime>,
    pub last_verdict: Option<Verdict>,
    /// This run's live check, when `--check` was given and the token was sent.
    pub check: Option<Report>,
    /// Why this run did not send the token (an edited URL), when it did not.
    pub check_refused: Option<String>,
}

fn expiry_name<S: serde::Serializer>(expiry: &Expiry, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(expiry.as_str())
}

impl OrgStatus {
    /// Something here needs the person: no token, a refused or failed check, an expiry due.
    pub fn needs_action(&self) -> bool {
        !self.token_stored
            || self.check_refused.is_some()
            || self.expiry.needs_action()
            || self.last_verdict.is_some_and(|v| v != Verdict::Pass)
    }

    /// [`needs_action`](Self::needs_action), and with `strict` also a token this run's check
    /// found holding powerful scopes its integration does not need.
    pub fn needs_action_strictly(&self, strict: bool) -> bool {
        self.needs_action() || (strict && !self.over_privileged().is_empty())
    }

    /// What this run's check found held but not needed (empty without a check).
    pub fn over_privileged(&self) -> Vec<&str> {
        self.check
            .as_ref()
            .map(Report::over_privileged)
            .unwrap_or_default()
    }
}

/// Why a stored token was not sent for its check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotSent {
    #[error("the stored URL is not an organization URL ({0})")]
    NotAnOrganization(crate::domain::org_url::OrgUrlError),
    #[error(
        "the settings say {says} but this token was stored for {stored_for}: the entry was edited, so the token was not sent; run `patwiz login` for the organization you mean"
    )]
    Edited { says: String, stored_for: String },
}

/// The check of one stored organization, if its entry still names the organization its token
/// was stored for: an edited `url` must never receive another organization's token.
pub fn live_request(org: &OrgSettings, token: &Token) -> Result<CheckRequest, NotSent> {
    let parsed = OrgUrl::parse(&org.url).map_err(NotSent::NotAnOrganization)?;
    if parsed.key() != org.key {
        return Err(NotSent::Edited {
            says: parsed.as_str().to_string(),
            stored_for: org.key.clone(),
        });
    }
    let scopes = org.scopes.iter().map(Wanted::required).collect();
    let mut request = engine::request_for(parsed, token.clone(), scopes, &org.profile);
    // The REST API ceiling an earlier check learned for this deployment.
    request.http.api_ceiling = org
        .api_version
        .as_deref()
        .and_then(engine::versions::ApiVersion::parse);
    Ok(request)
}

/// Every stored organization's status; with `check`, each token is proven again (all at
/// once) and the results recorded.
pub async fn collect(
    vault: &LocalStore,
    settings: &Settings,
    check: bool,
    now: OffsetDateTime,
) -> Vec<OrgStatus> {
    // What the store holds for each organization (fast, local), then every live check at once.
    let keys: Vec<String> = settings.orgs.iter().map(|o| o.key.clone()).collect();
    let tokens: Vec<_> = vault
        .tokens(&keys)
        .await
        .into_iter()
        .zip(&settings.orgs)
        .map(|((token, staged), org)| (token, org.rotating || staged))
        .collect();
    let mut lives: Vec<Option<Result<Report, NotSent>>> = vec![None; settings.orgs.len()];
    if check {
        let mut asked = Vec::new();
        let mut requests = Vec::new();
        for (i, (org, (token, _))) in settings.orgs.iter().zip(&tokens).enumerate() {
            let Ok(Some(token)) = token else {
                continue;
            };
            match live_request(org, token) {
                Ok(request) => {
                    asked.push(i);
                    requests.push(request);
                }
                Err(why) => lives[i] = Some(Err(why)),
            }
        }
        let reports = engine::many::check_all(requests, engine::many::PARALLELISM).await;
        for (i, report) in asked.into_iter().zip(reports) {
            lives[i] = Some(Ok(report));
        }
        let checked: Vec<(&str, &Report)> = settings
            .orgs
            .iter()
            .zip(&lives)
            .filter_map(|(org, live)| match live {
                Some(Ok(report)) => Some((org.key.as_str(), report)),
                _ => None,
            })
            .collect();
        if !checked.is_empty() {
            // One write for the whole run, under the settings lock. A failure to record is not
            // a failure of the check: the next run records again.
            let _ = vault.settings.update(|s| {
                for (key, report) in &checked {
                    if let Some(entry) = s.get_mut(key) {
                        super::keep::record_check(entry, report, now);
                    }
                }
            });
        }
    }
    settings
        .orgs
        .iter()
        .zip(tokens)
        .zip(lives)
        .map(|((org, (token, interrupted)), live)| {
            let (check, refused) = match live {
                Some(Ok(report)) => (Some(report), None),
                Some(Err(why)) => (None, Some(why.to_string())),
                None => (None, None),
            };
            let expiry = Expiry::of(org.expires, now.date());
            OrgStatus {
                url: org.url.clone(),
                name: org.name.clone(),
                kind: org.kind,
                profile: org.profile.clone(),
                scopes: org.scopes.clone(),
                identity: org.identity.clone(),
                store: org.store.clone(),
                token_stored: matches!(token, Ok(Some(_))),
                store_error: token.as_ref().err().map(ToString::to_string),
                rotation_interrupted: interrupted,
                created: org.created,
                expires: org.expires,
                days_left: expiry.days_left(),
                expiry,
                last_check: if check.is_some() {
                    Some(now)
                } else {
                    org.last_check
                },
                last_verdict: check.as_ref().map(|r| r.verdict).or(org.last_verdict),
                check,
                check_refused: refused,
            }
        })
        .collect()
}
