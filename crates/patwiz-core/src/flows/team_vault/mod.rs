//! The team vault's use cases: put a proven token into a KV v2 secret with check-and-set and its
//! facts beside it, and read a whole prefix back for the fleet view (re-proving each token
//! concurrently on request). The vault keeps every earlier version: the token before a rotation
//! stays in its history until someone destroys it.

use std::collections::BTreeMap;

use futures_util::StreamExt as _;

use crate::domain::checks::Verdict;
use crate::domain::expiry::Expiry;
use crate::domain::team_vault::{Facts, Replaced, ReplacedState, Target};
use crate::domain::token::Token;
use crate::engine::Report;
use crate::engine::http::HttpOptions;
use crate::engine::keyvault::KeyVault;
use crate::engine::kv::{Kv, KvError};
use crate::engine::pass::PassStore;

/// How many tokens of a fleet are read (and proven) at once: a vault and one organization take
/// this many connections easily, and 500 tokens then take a few dozen round trips.
pub const PARALLELISM: usize = 64;

mod backends;

pub use backends::{KvV2, TeamVault, VaultKind};

/// The team's store: a KV v2 vault (with its mount), an Azure Key Vault or a pass store, and
/// what patwiz does the same way with each.
pub struct TeamStore(Box<dyn TeamVault>);

/// What a store still holds of a replaced token.
pub enum OldCopy {
    Held(Token),
    /// Destroyed, disabled or deleted since.
    Gone,
    /// The store keeps no earlier value patwiz can read (pass keeps it only in git history).
    NotKept,
}

/// An entry as read: the facts, the team's own keys beside them, and its version (KV only).
pub struct Entry {
    pub facts: Facts,
    pub custom: BTreeMap<String, String>,
    pub version: u64,
    /// The version that holds the token now, as the store names it (a KV version number, a
    /// Key Vault version id; empty for pass): where a rotation's replaced token stays.
    pub version_id: String,
    /// What the entry was when read, for a write that only lands on that state.
    pub stamp: u64,
}

fn stamp_of(text: &str) -> u64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(text.as_bytes());
    u64::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
    ])
    .max(1)
}

impl TeamStore {
    /// A store of any kind.
    pub fn new(vault: impl TeamVault + 'static) -> TeamStore {
        TeamStore(Box::new(vault))
    }

    /// A KV version 2 engine at `mount`.
    pub fn kv(kv: Kv, mount: String) -> TeamStore {
        TeamStore::new(KvV2 { kv, mount })
    }

    /// The store `target` names, with the path inside it (the environment gives the rest; a
    /// Key Vault's bearer comes from the Azure CLI).
    pub async fn open(
        target: &Target,
        options: &HttpOptions,
    ) -> Result<(TeamStore, String), KvError> {
        TeamStore::open_signing_in(target, options, VaultSignIn::default()).await
    }

    /// As [`Store::open`], signing in to a Key Vault as `sign_in` says (the Azure CLI, the
    /// browser with PKCE, or a device code), at the tenant the vault's own challenge names.
    pub async fn open_signing_in(
        target: &Target,
        options: &HttpOptions,
        sign_in: VaultSignIn<'_>,
    ) -> Result<(TeamStore, String), KvError> {
        match target {
            Target::KvV2 { mount, path } => Ok((
                TeamStore::kv(Kv::from_env(options)?, mount.clone()),
                path.clone(),
            )),
            Target::Pass { path } => Ok((TeamStore::new(PassStore::from_env()?), path.clone())),
            Target::KeyVault { vault, name } => {
                let bearer = key_vault_bearer(vault, options, sign_in).await?;
                Ok((
                    TeamStore::new(KeyVault::with_bearer(vault, bearer, options)?),
                    name.clone(),
                ))
            }
        }
    }

    /// Where the store is (for messages): nothing secret.
    pub fn address(&self) -> String {
        self.0.address()
    }

    /// Which kind of vault it is.
    pub fn kind(&self) -> VaultKind {
        self.0.kind()
    }

    /// Whether earlier tokens stay in the store's history (KV versions; a pass store in git).
    pub fn keeps_history(&self) -> bool {
        self.0.keeps_history()
    }

    /// The entry at `path`, `None` when there is none.
    pub async fn entry(&self, path: &str) -> Result<Option<Entry>, KvError> {
        self.0.entry(path).await
    }

    /// The token at `path`.
    pub async fn token(&self, path: &str) -> Result<Option<Token>, KvError> {
        self.0.token(path).await
    }

    /// Writes `token` at `path` only if the entry is still as it was (`expected`: its stamp when
    /// read, 0 when there was none), then its facts; the team's own keys are kept. Returns the
    /// version written (KV) or 0.
    pub async fn push(
        &self,
        path: &str,
        token: &Token,
        facts: &Facts,
        expected: u64,
    ) -> Result<u64, KvError> {
        let now = self.entry(path).await?;
        let mut custom = now
            .as_ref()
            .map(|e| Facts::others(&e.custom))
            .unwrap_or_default();
        custom.extend(facts.to_metadata());
        // A store without check-and-set (Key Vault, pass) is compared just before the write.
        if !self.0.checks_and_sets() && now.map_or(0, |e| e.stamp) != expected {
            return Err(KvError::Changed {
                path: self.0.uri(path),
            });
        }
        self.0.write(path, token, &custom, facts, expected).await
    }

    /// The replaced token the store still holds at `version` (from [`Replaced::version`]).
    pub async fn old_copy(&self, path: &str, version: &str) -> Result<OldCopy, KvError> {
        self.0.old_copy(path, version).await
    }

    /// Puts the replaced token at `version` beyond reach now that Azure DevOps refuses it: a
    /// KV version destroyed, a Key Vault version disabled (Key Vault deletes only whole
    /// secrets). Says what it did.
    pub async fn retire(&self, path: &str, version: &str) -> Result<Option<String>, KvError> {
        self.0.retire(path, version).await
    }

    /// Rewrites the facts beside the token at `path` without a new token version (KV metadata,
    /// the latest Key Vault version's tags); a pass entry is rewritten with the same token,
    /// only if it still holds the token `facts` describe.
    pub async fn set_facts(&self, path: &str, facts: &Facts) -> Result<(), KvError> {
        let changed = || KvError::Changed {
            path: self.shown(path),
        };
        let Some(entry) = self.entry(path).await? else {
            return Err(changed());
        };
        if entry.facts.fingerprint != facts.fingerprint {
            return Err(changed());
        }
        let mut custom = Facts::others(&entry.custom);
        custom.extend(facts.to_metadata());
        self.0
            .write_facts(path, &custom)
            .await
            .map_err(|e| match e {
                KvError::Changed { .. } => changed(),
                other => other,
            })
    }

    async fn list(&self, prefix: &str) -> Result<crate::domain::team_vault::Listing, KvError> {
        self.0.list(prefix).await
    }

    /// The fresh verdict beside the token (KV metadata, the Key Vault version's tags; a pass
    /// entry is not rewritten for it).
    async fn record(&self, path: &str, version_id: &str, custom: &BTreeMap<String, String>) {
        self.0.record(path, version_id, custom).await;
    }

    fn shown(&self, path: &str) -> String {
        self.0.shown(path)
    }
}

/// How to sign in to a Key Vault, and how to tell the person (a device code) or open the
/// browser (PKCE). The default is the Azure CLI's sign-in.
#[derive(Default)]
pub struct VaultSignIn<'a> {
    pub how: Option<super::mint::SignIn>,
    pub show: Option<ShowCode<'a>>,
    pub open: Option<OpenBrowser<'a>>,
}

/// Tells the person where to enter a device code, and the code.
pub type ShowCode<'a> = Box<dyn FnOnce(&str, &str) + Send + 'a>;
/// Opens the sign-in page in the browser.
pub type OpenBrowser<'a> = Box<dyn FnOnce(&url::Url) -> std::io::Result<()> + Send + 'a>;

async fn key_vault_bearer(
    vault: &str,
    options: &HttpOptions,
    sign_in: VaultSignIn<'_>,
) -> Result<Token, KvError> {
    use crate::engine::{entra, keyvault};
    let said = |e: entra::SignInError| KvError::Failed {
        status: 0,
        message: format!("no Microsoft Entra sign-in for the Key Vault: {e}"),
    };
    let token = match sign_in.how.unwrap_or(super::mint::SignIn::AzureCli) {
        super::mint::SignIn::AzureCli => entra::from_azure_cli_for(keyvault::RESOURCE)
            .await
            .map_err(said)?,
        super::mint::SignIn::Browser { client_id } => {
            let authority = keyvault::challenge_authority(vault, options).await?;
            let open = sign_in.open.unwrap_or_else(|| {
                Box::new(|_| {
                    Err(std::io::Error::new(
                        std::io::ErrorKind::Unsupported,
                        "no browser to open",
                    ))
                })
            });
            entra::browser_for(
                &authority,
                &client_id,
                &[keyvault::SCOPE],
                false,
                options,
                open,
            )
            .await
            .map_err(said)?
        }
        super::mint::SignIn::DeviceCode { client_id } => {
            let authority = keyvault::challenge_authority(vault, options).await?;
            let show = sign_in.show.unwrap_or_else(|| Box::new(|_, _| {}));
            entra::device_code_for(
                &authority,
                &client_id,
                &[keyvault::SCOPE],
                false,
                options,
                show,
            )
            .await
            .map_err(said)?
        }
    };
    Ok(token.access)
}

/// When `report` was made (RFC 3339), as the facts record it.
fn checked_at(report: &Report) -> String {
    report
        .checked_at
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

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
        checked_at: checked_at(report),
        replaced: None,
    }
}

/// A token just proven, and what it was proven for: what goes into a team vault.
pub struct ProvenForVault<'a> {
    pub token: &'a Token,
    pub report: &'a Report,
    pub profile: &'a str,
    pub scopes: &'a [String],
    pub expires: Option<time::Date>,
    /// The lifecycle API's id of the token, when patwiz created it.
    pub authorization_id: Option<String>,
}

impl ProvenForVault<'_> {
    /// The facts written beside the token.
    pub fn facts(&self) -> Facts {
        facts_for(
            self.report,
            self.profile,
            self.scopes,
            self.expires,
            self.authorization_id.clone(),
            self.token,
        )
    }
}

/// Where a proven token goes in a team vault: its store, the entry's path, and the entry as it
/// was read before proving, so that the write lands only on what was read.
pub struct Destination {
    pub store: TeamStore,
    pub path: String,
    /// The address as the person wrote it (`vault://…`).
    pub shown: String,
    /// The entry's stamp when read (KV: its version; 0: none yet).
    pub expected: u64,
    /// The entry as read, for a rotation's facts.
    pub entry: Option<Entry>,
}

impl Destination {
    /// Opens the store `target` names (signing in to a Key Vault as `sign_in` says) and reads
    /// the entry now.
    pub async fn open(
        target: &Target,
        options: &HttpOptions,
        sign_in: VaultSignIn<'_>,
    ) -> Result<Destination, KvError> {
        let (store, path) = TeamStore::open_signing_in(target, options, sign_in).await?;
        let entry = store.entry(&path).await?;
        Ok(Destination {
            shown: target.display(),
            expected: entry.as_ref().map_or(0, |e| e.stamp),
            entry,
            store,
            path,
        })
    }

    /// Writes the proven token with its facts, only on the entry as it was read; the version
    /// written (0: a store without numbered versions).
    pub async fn put(&self, proven: &ProvenForVault<'_>) -> Result<u64, KvError> {
        self.store
            .push(&self.path, proven.token, &proven.facts(), self.expected)
            .await
    }
}

/// One secret of the fleet.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    /// `mount/path`.
    pub path: String,
    /// The organization's URL (named as `status` names it).
    #[serde(rename = "url")]
    pub org: String,
    pub profile: String,
    pub owner: Option<String>,
    pub expires: Option<String>,
    pub days_left: Option<i64>,
    /// `ok`, `soon`, `expired` or `unknown`, as `status --json` says it.
    #[serde(serialize_with = "expiry_name")]
    pub expiry: Expiry,
    /// The verdict the metadata holds, or the fresh one with `--check`.
    #[serde(rename = "last_verdict")]
    pub verdict: String,
    /// When that verdict was reached (RFC 3339).
    #[serde(rename = "last_check")]
    pub checked: String,
    pub version: u64,
    /// What went wrong reading it, if anything.
    pub error: Option<String>,
    /// The token it replaced, while its revocation is not confirmed (fresh with `--check`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<ReplacedCheck>,
}

fn expiry_name<S: serde::Serializer>(expiry: &Expiry, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(expiry.as_str())
}

impl Member {
    pub fn needs_action(&self) -> bool {
        self.error.is_some()
            || !matches!(self.verdict.as_str(), "pass")
            || self.expiry.needs_action()
            || self
                .replaced
                .as_ref()
                .is_some_and(|r| r.state == ReplacedState::StillWorks)
    }
}

/// What a check found of the token an entry replaced.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReplacedCheck {
    pub state: ReplacedState,
    /// Its version in the store (a KV version number, a Key Vault version id).
    pub version: String,
    /// What was done with the store's copy once Azure DevOps refused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired: Option<String>,
    /// The facts may drop it: refused and retired, or already gone from the store.
    #[serde(skip)]
    pub settled: bool,
    /// Why the store's copy could not be retired, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ReplacedCheck {
    /// Not checked (no `--check`): what the facts say.
    fn unchecked(replaced: &Replaced) -> ReplacedCheck {
        ReplacedCheck {
            state: ReplacedState::Unknown,
            version: replaced.version.clone(),
            retired: None,
            settled: false,
            error: None,
        }
    }

    /// In words, for the fleet table and a rotation's last lines.
    pub fn words(&self) -> String {
        let mut text = self.state.words().to_string();
        if let Some(done) = &self.retired {
            text.push_str(&format!("; {done}"));
        }
        if let Some(e) = &self.error {
            text.push_str(&format!(
                "; its copy could not be put beyond reach: {}",
                crate::domain::text::safe_message(e)
            ));
        }
        text
    }
}

fn parse_rfc3339(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// Checks whether Azure DevOps still accepts the token `replaced` names — `known` when the
/// caller holds it, else the store's own copy — and, once refused, puts the store's copy beyond
/// reach. Writes no facts: the caller drops `replaced` from them when `settled`.
pub async fn confirm_replaced(
    ctx: &super::Ctx,
    store: &TeamStore,
    path: &str,
    org_url: &str,
    replaced: &Replaced,
    known: Option<&Token>,
) -> ReplacedCheck {
    let mut check = ReplacedCheck::unchecked(replaced);
    let copy = match known {
        Some(token) => Ok(OldCopy::Held(token.clone())),
        None => store.old_copy(path, &replaced.version).await,
    };
    let token = match copy {
        Ok(OldCopy::Held(token)) => token,
        Ok(OldCopy::Gone) => {
            // Someone put it beyond reach already: nothing is left to keep.
            check.state = ReplacedState::Gone;
            check.settled = true;
            return check;
        }
        Ok(OldCopy::NotKept) => return check,
        Err(e) => {
            check.error = Some(e.to_string());
            return check;
        }
    };
    let Ok(org) = crate::domain::org_url::OrgUrl::parse(org_url) else {
        return check;
    };
    let accepted = super::prove::still_accepted(ctx, &org, &token).await;
    check.state = ReplacedState::of(accepted, parse_rfc3339(&replaced.revoked_at), ctx.now());
    if check.state == ReplacedState::Dead {
        match store.retire(path, &replaced.version).await {
            Ok(done) => {
                check.retired = done;
                check.settled = true;
            }
            Err(e) => check.error = Some(e.to_string()),
        }
    }
    check
}

fn expiry_of(expires: Option<&str>, today: time::Date) -> Expiry {
    let date = expires.and_then(|d| crate::store::settings::parse_date(d).ok());
    Expiry::of(date, today)
}

/// Every secret under `prefix` with its facts; with `check`, each token is read and proven
/// again (at most `parallelism` at a time, each with its own deadline, one failure never
/// holding up the others) and the fresh verdict is written back beside it. A token goes only
/// where [`may_receive`](crate::domain::team_vault::may_receive) lets the facts send it
/// (`trusted`: the Azure DevOps Server hosts the person named).
pub async fn fleet(
    ctx: &super::Ctx,
    store: &TeamStore,
    prefix: &str,
    check: bool,
    trusted: &[String],
    parallelism: usize,
) -> Result<Fleet, KvError> {
    let listing = store.list(prefix).await?;
    let mut members = futures_util::stream::iter(listing.paths)
        .map(|path| async move { Box::pin(read_member(ctx, store, &path, check, trusted)).await })
        .buffer_unordered(parallelism.max(1))
        .collect::<Vec<_>>()
        .await;
    members.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Fleet {
        members,
        unread: listing.unread,
    })
}

/// The fleet under one prefix, and what its listing did not reach.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub members: Vec<Member>,
    pub unread: Option<crate::domain::team_vault::Unread>,
}

impl Fleet {
    /// The worst of the members' exit codes; a listing cut short is never a plain success.
    pub fn exit_code(&self) -> u8 {
        let members = exit_code(&self.members);
        if self.unread.is_some() {
            members.max(Verdict::Unreachable.exit_code())
        } else {
            members
        }
    }
}

async fn read_member(
    ctx: &super::Ctx,
    store: &TeamStore,
    path: &str,
    check: bool,
    trusted: &[String],
) -> Member {
    let today = ctx.clock.today();
    let mut member = Member {
        // A name from the vault is data: cleaned before it can reach a terminal.
        path: crate::domain::text::clean_line(&store.shown(path)),
        org: String::new(),
        profile: String::new(),
        owner: None,
        expires: None,
        days_left: None,
        expiry: Expiry::Unknown,
        verdict: String::new(),
        checked: String::new(),
        version: 0,
        error: None,
        replaced: None,
    };
    // With --check the token is read together with the facts: one round trip, not two.
    let (entry, token) = if check {
        let (entry, token) = tokio::join!(store.entry(path), store.token(path));
        (entry, Some(token))
    } else {
        (store.entry(path).await, None)
    };
    let entry = match entry {
        Ok(Some(e)) => e,
        Ok(None) => {
            member.error = Some("gone since it was listed".into());
            return member;
        }
        Err(e) => {
            member.error = Some(e.to_string());
            return member;
        }
    };
    let facts = &entry.facts;
    member.org = facts.org_url.clone();
    member.profile = facts.profile.clone();
    member.owner = facts.owner.clone();
    member.expiry = expiry_of(facts.expires.as_deref(), today);
    member.days_left = member.expiry.days_left();
    member.expires = facts.expires.clone();
    member.verdict = facts.verdict.clone();
    member.checked = facts.checked_at.clone();
    member.version = entry.version;
    member.replaced = facts.replaced.as_ref().map(ReplacedCheck::unchecked);
    let Some(token) = token else {
        return member;
    };
    // The facts choose where the token goes: only where they may send it.
    let sendable = crate::domain::org_url::OrgUrl::parse(&facts.org_url)
        .map_err(|e| format!("not checked: its org_url: {e}"))
        .and_then(|org| {
            crate::domain::team_vault::may_receive(&org, trusted)
                .map(|()| org.clone())
                .map_err(|why| {
                    let url = org.url();
                    let host = url.host_str().unwrap_or_default();
                    let named = if org.is_loopback() {
                        format!("{host}:{}", url.port_or_known_default().unwrap_or_default())
                    } else {
                        host.to_string()
                    };
                    format!("not checked: {why} (--trust-server {named} names it)")
                })
        });
    let org = match sendable {
        Ok(org) => org,
        Err(why) => {
            member.error = Some(why);
            return member;
        }
    };
    let token = match token {
        Ok(Some(token)) => token,
        Ok(None) => {
            member.error = Some("no token in it".into());
            return member;
        }
        Err(e) => {
            member.error = Some(e.to_string());
            return member;
        }
    };
    let replaced = match &facts.replaced {
        Some(r) => Some(confirm_replaced(ctx, store, path, &facts.org_url, r, None).await),
        None => None,
    };
    let (verdict, checked) = prove_again(ctx, &org, token, facts).await;
    let mut fresh = facts.clone();
    fresh.verdict.clone_from(&verdict);
    fresh.checked_at.clone_from(&checked);
    if replaced.as_ref().is_some_and(|r| r.settled) {
        fresh.replaced = None;
    }
    let mut custom = Facts::others(&entry.custom);
    custom.extend(fresh.to_metadata());
    // The verdict is a fact, not the secret: written without touching the token.
    store.record(path, &entry.version_id, &custom).await;
    member.verdict = verdict;
    member.checked = checked;
    member.replaced = replaced;
    member
}

/// Proves the token for the facts' organization (`org`, already read from them) and scopes:
/// the verdict and when it was checked.
async fn prove_again(
    ctx: &super::Ctx,
    org: &crate::domain::org_url::OrgUrl,
    token: Token,
    facts: &Facts,
) -> (String, String) {
    let profile = ctx.profile(&facts.profile).ok();
    let scopes = if facts.scopes.is_empty() {
        profile.as_ref().map(|p| p.scope_ids()).unwrap_or_default()
    } else {
        facts.scopes.clone()
    };
    let report = super::prove::run(
        super::prove::request(ctx.proof(org, &token, &scopes, profile.as_ref())),
        None,
    )
    .await;
    let checked = checked_at(&report);
    (report.verdict.as_str().to_string(), checked)
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
                    "pass" if m.expiry.needs_action() => 1,
                    "pass" => 0,
                    "missing-scopes" | "permission-denied" => 1,
                    "token-rejected" => 2,
                    _ => 3,
                }
            }
        })
        .max()
        .unwrap_or(0)
}
