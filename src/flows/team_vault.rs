//! The team vault's use cases: put a proven token into a KV v2 secret with check-and-set and its
//! facts beside it, and read a whole prefix back for the fleet view (re-proving each token
//! concurrently on request). The vault keeps every earlier version: the token before a rotation
//! stays in its history until someone destroys it.

use futures_util::StreamExt as _;

use crate::domain::checks::Verdict;
use crate::domain::team_vault::Facts;
use crate::domain::token::Token;
use crate::engine::Report;
use crate::engine::kv::{Kv, KvError};

/// How many tokens of a fleet are read (and proven) at once: a vault and one organization take
/// this many connections easily, and 500 tokens then take a few dozen round trips.
pub const PARALLELISM: usize = 64;

/// The facts to keep beside a token that `report` just proved.
pub fn facts_for(
    report: &Report,
    profile: &str,
    scopes: &[String],
    expires: Option<time::Date>,
    authorization_id: Option<String>,
    token: &Token,
) -> Facts {
    Facts {
        org_url: report.org.url.clone(),
        profile: profile.to_string(),
        scopes: scopes.to_vec(),
        expires: expires.map(crate::store::settings::format_date),
        authorization_id,
        fingerprint: crate::domain::token::correlating_id(token),
        owner: report.identity.as_ref().map(|i| i.unique_name.clone()),
        verdict: report.verdict.as_str().to_string(),
        checked_at: report
            .checked_at
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default(),
    }
}

/// Writes `token` at `mount/path` only if the secret is still at `expected` (what was read
/// before the token was proven), then its facts; the team's own metadata keys are kept.
/// Returns the version written.
pub async fn push(
    kv: &Kv,
    mount: &str,
    path: &str,
    token: &Token,
    facts: &Facts,
    expected: u64,
) -> Result<u64, KvError> {
    let team_keys = kv
        .metadata(mount, path)
        .await?
        .map(|m| Facts::others(&m.custom))
        .unwrap_or_default();
    let version = kv.write(mount, path, token, expected).await?;
    let mut custom = team_keys;
    custom.extend(facts.to_metadata());
    kv.set_metadata(mount, path, &custom).await?;
    Ok(version)
}

/// One secret of the fleet.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    /// `mount/path`.
    pub path: String,
    pub org: String,
    pub profile: String,
    pub owner: Option<String>,
    pub expires: Option<String>,
    pub days_left: Option<i64>,
    /// The verdict the metadata holds, or the fresh one with `--check`.
    pub verdict: String,
    pub checked: String,
    pub version: u64,
    /// What went wrong reading it, if anything.
    pub error: Option<String>,
}

impl Member {
    pub fn needs_action(&self) -> bool {
        self.error.is_some()
            || !matches!(self.verdict.as_str(), "pass")
            || self.days_left.is_some_and(|d| d <= 7)
    }
}

fn days_left(expires: Option<&str>, today: time::Date) -> Option<i64> {
    let date = crate::store::settings::parse_date(expires?).ok()?;
    Some((date - today).whole_days())
}

/// Every secret under `prefix` with its facts; with `check`, each token is read and proven
/// again (at most `parallelism` at a time, each with its own deadline, one failure never
/// holding up the others) and the fresh verdict is written back into the metadata.
pub async fn fleet(
    kv: &Kv,
    mount: &str,
    prefix: &str,
    check: bool,
    parallelism: usize,
    now: time::OffsetDateTime,
) -> Result<Vec<Member>, KvError> {
    let paths = kv.list(mount, prefix).await?;
    let today = now.date();
    let members = futures_util::stream::iter(paths)
        .map(|path| async move { read_member(kv, mount, &path, check, today).await })
        .buffer_unordered(parallelism.max(1))
        .collect::<Vec<_>>()
        .await;
    let mut members = members;
    members.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(members)
}

async fn read_member(kv: &Kv, mount: &str, path: &str, check: bool, today: time::Date) -> Member {
    let mut member = Member {
        path: format!("{mount}/{path}"),
        org: String::new(),
        profile: String::new(),
        owner: None,
        expires: None,
        days_left: None,
        verdict: String::new(),
        checked: String::new(),
        version: 0,
        error: None,
    };
    // With --check the token is read together with the facts: one round trip, not two.
    let (meta, token) = if check {
        let (meta, token) = tokio::join!(kv.metadata(mount, path), kv.read_token(mount, path));
        (meta, Some(token))
    } else {
        (kv.metadata(mount, path).await, None)
    };
    let meta = match meta {
        Ok(Some(m)) => m,
        Ok(None) => {
            member.error = Some("gone since it was listed".into());
            return member;
        }
        Err(e) => {
            member.error = Some(e.to_string());
            return member;
        }
    };
    let facts = Facts::from_metadata(&meta.custom);
    member.org = facts.org_url.clone();
    member.profile = facts.profile.clone();
    member.owner = facts.owner.clone();
    member.days_left = days_left(facts.expires.as_deref(), today);
    member.expires = facts.expires.clone();
    member.verdict = facts.verdict.clone();
    member.checked = facts.checked_at.clone();
    member.version = meta.current_version;
    let Some(token) = token else {
        return member;
    };
    let token = match token {
        Ok(Some((token, _))) => token,
        Ok(None) => {
            member.error = Some("no token in it".into());
            return member;
        }
        Err(e) => {
            member.error = Some(e.to_string());
            return member;
        }
    };
    match prove_again(kv, mount, path, token, &facts, meta.custom).await {
        Ok((verdict, checked)) => {
            member.verdict = verdict;
            member.checked = checked;
        }
        Err(e) => member.error = Some(e),
    }
    member
}

/// Proves the token for the facts' organization and scopes; the verdict goes back
/// into the metadata (the token is not rewritten).
async fn prove_again(
    kv: &Kv,
    mount: &str,
    path: &str,
    token: Token,
    facts: &Facts,
    mut custom: std::collections::BTreeMap<String, String>,
) -> Result<(String, String), String> {
    let org = crate::domain::org_url::OrgUrl::parse(&facts.org_url)
        .map_err(|e| format!("its org_url: {e}"))?;
    let profile = crate::domain::profiles::find(&facts.profile).ok();
    let scopes = if facts.scopes.is_empty() {
        profile.as_ref().map(|p| p.scope_ids()).unwrap_or_default()
    } else {
        facts.scopes.clone()
    };
    let report = super::prove::run(
        super::prove::request(super::prove::Proof {
            org,
            token,
            scopes: &scopes,
            profile: profile.as_ref(),
            notes: Vec::new(),
            http: Default::default(),
        }),
        None,
    )
    .await;
    let verdict = report.verdict.as_str().to_string();
    let checked = report
        .checked_at
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    custom.insert("last_verdict".into(), verdict.clone());
    custom.insert("last_checked".into(), checked.clone());
    // The verdict is a fact, not the secret: written without touching the token's version.
    let _ = kv.set_metadata(mount, path, &custom).await;
    Ok((verdict, checked))
}

/// The exit code of a fleet: the worst verdict, 0 when every token passes and none expires
/// within a week.
pub fn exit_code(members: &[Member]) -> u8 {
    members
        .iter()
        .map(|m| {
            if m.error.is_some() {
                Verdict::Unreachable.exit_code()
            } else {
                match m.verdict.as_str() {
                    "pass" if m.days_left.is_some_and(|d| d <= 7) => 1,
                    "pass" => 0,
                    "missing-scopes" => 1,
                    "token-rejected" => 2,
                    _ => 3,
                }
            }
        })
        .max()
        .unwrap_or(0)
}
