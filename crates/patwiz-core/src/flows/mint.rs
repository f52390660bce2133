//! A token's whole life through the lifecycle API, proven at every step: sign in, create a
//! token with exactly the profile's scopes (org-scoped, named for what it is for), prove it
//! scope by scope with the same probes, store it with its id; mend it in place (add a scope,
//! extend it); rotate by creating, proving, swapping and revoking. A failure at any step leaves
//! a working token stored and says which one.

use time::OffsetDateTime;

use crate::domain::checks::Verdict;
use crate::domain::lifecycle::{capped, display_name};
use crate::domain::org_url::OrgUrl;
use crate::domain::profiles::Profile;
use crate::engine::entra::{self, Authority, EntraToken, SignInError};
use crate::engine::http::{Auth, Http, HttpOptions};
use crate::engine::lifecycle::{Lifecycle, LifecycleError};
use crate::engine::{Report, discovery};
use crate::flows::Ctx;
use crate::flows::keep::{self, Proven};
use crate::flows::prove;
use crate::store::rotation::LocalStore;
use crate::store::settings::PendingToken;

/// How to sign in with Microsoft Entra.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// The Azure CLI's current sign-in.
    AzureCli,
    /// The authorization-code flow with PKCE, in the browser.
    Browser { client_id: String },
    /// The device-code flow (no browser here, as over SSH).
    DeviceCode { client_id: String },
}

#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error("{0}")]
    SignIn(#[from] SignInError),
    #[error("{0}")]
    Lifecycle(#[from] LifecycleError),
    #[error("{0}")]
    Discovery(String),
    #[error("{0}")]
    Store(String),
    /// The new token did not pass its proof; it was revoked again (or could not be).
    #[error("the new token did not pass its check ({}){}", .report.verdict.as_str(), if *.revoked { "; it was revoked again" } else { "; revoking it failed: revoke it in Azure DevOps" })]
    NotProven { report: Box<Report>, revoked: bool },
}

/// Where to sign in for `org`: its tenant (`X-VSS-ResourceTenant` on an anonymous request) on
/// the public cloud, or, for an organization on this machine (the demo), its own identity
/// provider. `PATWIZ_AUTHORITY` overrides both.
pub async fn authority_for(org: &OrgUrl, options: &HttpOptions) -> Result<Authority, MintError> {
    if let Ok(text) = std::env::var("PATWIZ_AUTHORITY") {
        return Ok(Authority::parse(&text)?);
    }
    let http = Http::anonymous(options).map_err(|e| MintError::Discovery(e.to_string()))?;
    let reply = http
        .send(reqwest::Method::HEAD, org.as_str(), Auth::Anonymous, None)
        .await
        .map_err(|e| MintError::Discovery(format!("cannot reach {org}: {e}")))?;
    let tenant = reply
        .headers
        .get("x-vss-resourcetenant")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| uuid_like(t))
        .map(str::to_string);
    match tenant {
        Some(t) if t.chars().all(|c| c == '0' || c == '-') => {
            Err(MintError::Lifecycle(LifecycleError::Unavailable(format!(
                "{org} is backed by Microsoft accounts, not Microsoft Entra: Azure DevOps cannot create tokens for it through its API. Create the token in the browser (patwiz lists the scopes and proves it)"
            ))))
        }
        Some(t) if org.is_loopback() => Ok(Authority::parse(&format!(
            "{}/idp/{t}",
            org.url().origin().ascii_serialization()
        ))?),
        Some(t) => Ok(Authority::for_tenant(&t)),
        None => Err(MintError::Lifecycle(LifecycleError::Unavailable(format!(
            "{org} does not say which Microsoft Entra tenant it belongs to (Azure DevOps Server, or not Entra-backed): create the token in the browser"
        )))),
    }
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36 && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// Signs in; `show` tells the person the device code's address and code when that flow is used,
/// `open` opens the browser for the code flow.
pub async fn sign_in(
    org: &OrgUrl,
    how: &SignIn,
    options: &HttpOptions,
    show: impl FnOnce(&str, &str),
    open: impl FnOnce(&url::Url) -> std::io::Result<()>,
) -> Result<EntraToken, MintError> {
    match how {
        SignIn::AzureCli => Ok(entra::from_azure_cli().await?),
        SignIn::Browser { client_id } => {
            let authority = authority_for(org, options).await?;
            Ok(entra::browser(&authority, client_id, false, options, open).await?)
        }
        SignIn::DeviceCode { client_id } => {
            let authority = authority_for(org, options).await?;
            Ok(entra::device_code(&authority, client_id, false, options, show).await?)
        }
    }
}

/// The lifecycle client for `org` (its identity host found anonymously).
pub async fn connect(
    org: &OrgUrl,
    sign_in: &EntraToken,
    options: &HttpOptions,
) -> Result<Lifecycle, MintError> {
    let http = Http::anonymous(options).map_err(|e| MintError::Discovery(e.to_string()))?;
    let found = discovery::discover(&http, org)
        .await
        .map_err(|stop| MintError::Discovery(stop.detail))?;
    Ok(Lifecycle::new(org, &found, sign_in, options)?)
}

/// What a creation did.
#[derive(Debug)]
pub struct Minted {
    pub report: Report,
    pub authorization_id: String,
    pub display_name: String,
    /// The expiry asked for, when the tenant's maximum lifespan cut it short.
    pub capped_from: Option<OffsetDateTime>,
    pub valid_to: Option<OffsetDateTime>,
    pub stored: keep::Stored,
}

pub(super) fn journal(local: &LocalStore, pending: PendingToken) -> Result<(), MintError> {
    local
        .settings
        .update(|s| s.pending.push(pending))
        .map(|_| ())
        .map_err(|e| MintError::Store(e.to_string()))
}

pub(super) fn settle(local: &LocalStore, authorization_id: &str) {
    settle_journal(&local.settings, authorization_id);
}

/// The token `authorization_id` is stored somewhere (this machine's store or a team vault):
/// its journal entry is done with, and no cleanup will revoke it as left behind.
pub fn settle_journal(settings: &crate::store::settings::SettingsFile, authorization_id: &str) {
    let _ = settings.update(|s| s.pending.retain(|p| p.authorization_id != authorization_id));
}

pub(super) async fn prove_new(
    ctx: &Ctx,
    org: &OrgUrl,
    token: &crate::domain::token::Token,
    scopes: &[String],
    profile: &Profile,
) -> Report {
    prove::run(
        prove::request(ctx.proof(org, token, scopes, Some(profile))),
        None,
    )
    .await
}

/// Creates a token for `profile` on `org`, proves it, and stores it (or, with `rotating`,
/// swaps it in for the stored one and revokes the old by its id).
#[allow(clippy::too_many_arguments)]
pub async fn mint(
    lifecycle: &Lifecycle,
    local: &LocalStore,
    org: &OrgUrl,
    profile: &Profile,
    expires: OffsetDateTime,
    ctx: &Ctx,
    rotating: bool,
) -> Result<Minted, MintError> {
    let now = ctx.now();
    let scopes = profile.scope_ids();
    let created = create(
        ctx,
        lifecycle,
        local,
        org,
        &profile.token_name,
        &scopes,
        expires,
        None,
    )
    .await?;
    let id = created.authorization_id.clone();
    let name = created.display_name.clone();
    crash_point("journaled");
    let report = prove_new(ctx, org, &created.token, &scopes, profile).await;
    if report.verdict != Verdict::Pass {
        let revoked = lifecycle.revoke(&id).await.is_ok();
        settle(local, &id);
        return Err(MintError::NotProven {
            report: Box::new(report),
            revoked,
        });
    }
    let valid_to = created.valid_to;
    let proven = Proven {
        org,
        token: &created.token,
        report: &report,
        profile: &profile.name,
        scopes: &scopes,
        expires: valid_to.map(|t| t.date()),
        authorization_id: Some(&id),
    };
    let key = org.key();
    let old_id = if rotating {
        local.settings.entry(&key).and_then(|o| o.authorization_id)
    } else {
        None
    };
    let stored = if rotating {
        keep::rotate_proven(local, &key, proven, now).await
    } else {
        keep::store_proven(local, proven, now).await
    };
    let stored = match stored {
        Ok(stored) => stored,
        Err(e) => {
            // Not stored: the new token would be an orphan; take it back.
            let _ = lifecycle.revoke(&id).await;
            settle(local, &id);
            return Err(MintError::Store(e.to_string()));
        }
    };
    crash_point("stored");
    // The id went in with the token; the journal entry is done with.
    let settled = local
        .settings
        .update(|s| s.pending.retain(|p| p.authorization_id != id));
    if let Err(e) = settled {
        // The token is stored and works; only its id could not be written down.
        return Err(MintError::Store(format!(
            "the new token is stored and proven, but its id could not be recorded ({e}): `patwiz tokens` lists it"
        )));
    }
    if let Some(old) = old_id {
        revoke_old(lifecycle, local, &key, &old).await;
    }
    Ok(Minted {
        report,
        authorization_id: id,
        display_name: name,
        capped_from: capped(expires, valid_to).map(|_| expires),
        valid_to,
        stored,
    })
}

/// Revokes the replaced token; its id stays in `revoking` until a check confirms it is dead
/// (revocation can take up to an hour).
async fn revoke_old(lifecycle: &Lifecycle, local: &LocalStore, key: &str, old: &str) {
    if lifecycle.revoke(old).await.is_err() {
        return;
    }
    let _ = local.settings.update(|s| {
        if let Some(entry) = s.get_mut(key)
            && !entry.revoking.iter().any(|r| r == old)
        {
            entry.revoking.push(old.to_string());
        }
    });
}

#[allow(clippy::too_many_arguments)]
/// Mends the stored token in place: adds `add_scopes` and/or moves its expiry to `extend_to`
/// (only while it is valid), then proves it again with every scope it should now have.
pub async fn mend(
    ctx: &Ctx,
    lifecycle: &Lifecycle,
    local: &LocalStore,
    org: &OrgUrl,
    profile: &Profile,
    add_scopes: &[String],
    extend_to: Option<OffsetDateTime>,
) -> Result<Mended, MintError> {
    let key = org.key();
    let (settings, _) = local
        .settings
        .load()
        .map_err(|e| MintError::Store(e.to_string()))?;
    let Some(entry) = settings.get(&key).cloned() else {
        return Err(MintError::Store(format!(
            "{org} has no stored token: use `patwiz create` or `patwiz login` first"
        )));
    };
    let Some(id) = entry.authorization_id.clone() else {
        return Err(MintError::Store(format!(
            "the stored token for {org} was not created by patwiz, so its id is not known: edit it in Azure DevOps (User settings → Personal access tokens), or replace it with `patwiz rotate --create`"
        )));
    };
    let mut scopes = entry.scopes.clone();
    for s in add_scopes {
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    let record = lifecycle
        .update(
            &id,
            (!add_scopes.is_empty()).then_some(scopes.as_slice()),
            extend_to,
        )
        .await?;
    let token = local
        .token(&key)
        .await
        .map_err(|e| MintError::Store(e.to_string()))?
        .ok_or_else(|| {
            MintError::Store(format!("the token for {org} is missing from the store"))
        })?;
    let report = prove_new(ctx, org, &token, &scopes, profile).await;
    let now = ctx.now();
    let _ = local.settings.update(|s| {
        if let Some(e) = s.get_mut(&key) {
            e.scopes = scopes.clone();
            if record.valid_to.is_some() && extend_to.is_some() {
                e.expires = record.valid_to.map(|t| t.date());
            }
            keep::record_check(e, &report, now);
        }
    });
    let capped_to = extend_to.and_then(|asked| capped(asked, record.valid_to));
    Ok(Mended {
        report,
        valid_to: record.valid_to,
        capped_to,
    })
}

/// What a mend did.
#[derive(Debug)]
pub struct Mended {
    /// The token proven again with every scope it should now have.
    pub report: Report,
    /// Its expiry as Azure DevOps now has it.
    pub valid_to: Option<OffsetDateTime>,
    /// The expiry it got, when the tenant's maximum lifespan cut the one asked for short.
    pub capped_to: Option<OffsetDateTime>,
}

/// Moves the stored token's expiry to `valid_to` in place and proves it again with the scopes
/// and the profile it is stored with (a profile of the person's own included).
pub async fn extend(
    ctx: &Ctx,
    lifecycle: &Lifecycle,
    local: &LocalStore,
    org: &OrgUrl,
    valid_to: OffsetDateTime,
) -> Result<Mended, MintError> {
    let entry = local.settings.entry(&org.key()).ok_or_else(|| {
        MintError::Store(format!(
            "{org} has no stored token: use `patwiz create` or `patwiz login` first"
        ))
    })?;
    let profile = ctx
        .profile(&entry.profile)
        .map_err(|e| MintError::Store(e.to_string()))?;
    mend(ctx, lifecycle, local, org, &profile, &[], Some(valid_to)).await
}

pub(super) fn uuid_nonce(now: OffsetDateTime) -> String {
    // Four characters that tell this token from the organization's other patwiz tokens.
    let n = now.unix_timestamp_nanos().unsigned_abs();
    format!("{:04x}", (n ^ (n >> 17)) & 0xffff)
}

/// A point where the crash tests stop the process (debug builds only).
pub(super) fn crash_point(name: &str) {
    if cfg!(debug_assertions) && std::env::var("PATWIZ_TEST_CRASH_MINT").as_deref() == Ok(name) {
        std::process::abort();
    }
}

/// Finishes what an interrupted run left: revokes tokens journaled but never stored (a crash
/// between creating and storing) and replaced tokens not yet revoked (a crash between storing
/// and revoking). Returns how many journaled tokens it revoked.
pub async fn revoke_pending(
    ctx: &Ctx,
    lifecycle: &Lifecycle,
    local: &LocalStore,
    org: &OrgUrl,
) -> usize {
    let Ok((settings, _)) = local.settings.load() else {
        return 0;
    };
    let mut revoked = 0;
    let entry = settings.get(&org.key());
    if entry.is_some_and(|o| o.rotating) {
        // A rotation was cut short: the store may hold a journaled token already. `rotate`
        // finishes it first.
        return 0;
    }
    // A token made for a team vault is settled by that vault's rotation, which knows whether
    // the vault holds it.
    // One still in flight (another patwiz creating at this moment) is not left behind.
    let now = ctx.now();
    let mine = |p: &&PendingToken| p.org_key == org.key() && p.target.is_none() && p.abandoned(now);
    for pending in settings.pending.iter().filter(mine) {
        let stored = entry.and_then(|o| o.authorization_id.as_deref())
            == Some(pending.authorization_id.as_str());
        if !stored && lifecycle.revoke(&pending.authorization_id).await.is_ok() {
            revoked += 1;
        }
        settle(local, &pending.authorization_id);
    }
    // Revoking twice is harmless (the second is refused as not found).
    for old in entry.map(|o| o.revoking.clone()).unwrap_or_default() {
        let _ = lifecycle.revoke(&old).await;
    }
    revoked
}

/// As [`revoke_pending`] for the tokens made for the team vault `target`: each one the vault
/// does not hold (`in_use`: the id its facts name) is revoked; the journal is settled either
/// way. Returns how many it revoked.
pub async fn revoke_pending_for_target(
    ctx: &Ctx,
    lifecycle: &Lifecycle,
    local: &LocalStore,
    target: &str,
    in_use: Option<&str>,
) -> usize {
    let Ok((settings, _)) = local.settings.load() else {
        return 0;
    };
    let mut revoked = 0;
    let now = ctx.now();
    for pending in settings
        .pending
        .iter()
        .filter(|p| p.target.as_deref() == Some(target) && p.abandoned(now))
    {
        let held = in_use == Some(pending.authorization_id.as_str());
        if !held && lifecycle.revoke(&pending.authorization_id).await.is_ok() {
            revoked += 1;
        }
        settle(local, &pending.authorization_id);
    }
    revoked
}

/// A token the wizard had created, not yet proven: the wizard proves it on its Validate step
/// and stores it on Save (which records its id), as it would a pasted one.
pub struct CreatedHere {
    pub token: crate::domain::token::Token,
    pub authorization_id: String,
    pub display_name: String,
    pub valid_to: Option<OffsetDateTime>,
    pub capped_from: Option<OffsetDateTime>,
}

impl std::fmt::Debug for CreatedHere {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CreatedHere({}, <token>)", self.display_name)
    }
}

/// With the person signed in (`entra`), creates the token with exactly `scopes` and journals its
/// id before anything uses it. The wizard signs in itself, to show the device code and to let
/// the person stop waiting.
pub async fn create_for_wizard(
    org: &OrgUrl,
    token_name: &str,
    scopes: &[String],
    valid_to: OffsetDateTime,
    ctx: &Ctx,
    local: &LocalStore,
    entra: &EntraToken,
) -> Result<(CreatedHere, Lifecycle), MintError> {
    let lifecycle = connect(org, entra, &ctx.http).await?;
    let created = create(
        ctx, &lifecycle, local, org, token_name, scopes, valid_to, None,
    )
    .await?;
    Ok((created, lifecycle))
}

/// The one way patwiz creates a token: exactly `scopes`, under a name that tells it from the
/// organization's other patwiz tokens, its id journaled before anything uses it (`target`: the
/// team vault it is made for). When the journal cannot be written the token is revoked again.
#[allow(clippy::too_many_arguments)]
pub(super) async fn create(
    ctx: &Ctx,
    lifecycle: &Lifecycle,
    local: &LocalStore,
    org: &OrgUrl,
    token_name: &str,
    scopes: &[String],
    valid_to: OffsetDateTime,
    target: Option<&str>,
) -> Result<CreatedHere, MintError> {
    let now = ctx.now();
    let name = display_name(token_name, org.name(), &uuid_nonce(now));
    let created = lifecycle.create(&name, scopes, valid_to).await?;
    let id = created.record.authorization_id.clone();
    // Written down before the token is first used: a crash from here on leaves its id.
    if let Err(e) = journal(
        local,
        PendingToken {
            org_key: org.key(),
            authorization_id: id.clone(),
            display_name: name.clone(),
            created: now,
            target: target.map(str::to_string),
            pid: Some(std::process::id()),
        },
    ) {
        let _ = lifecycle.revoke(&id).await;
        return Err(e);
    }
    Ok(CreatedHere {
        token: created.token,
        authorization_id: id,
        display_name: name,
        valid_to: created.record.valid_to,
        capped_from: capped(valid_to, created.record.valid_to).map(|_| valid_to),
    })
}

/// Keeps a proven token on this computer, a first one or (with `rotating`, the key of the
/// stored one) a rotation's; when patwiz created it, its journal entry is settled and the
/// token it replaced is revoked (with `lifecycle`, the signed-in lifecycle API).
pub async fn keep(
    local: &LocalStore,
    proven: Proven<'_>,
    rotating: Option<&str>,
    lifecycle: Option<&Lifecycle>,
    now: OffsetDateTime,
) -> Result<keep::Stored, crate::store::rotation::LocalStoreError> {
    let old_id = rotating
        .and_then(|key| local.settings.entry(key))
        .and_then(|o| o.authorization_id);
    let created = proven.authorization_id.map(str::to_string);
    let org = proven.org.clone();
    let stored = match rotating {
        Some(key) => keep::rotate_proven(local, key, proven, now).await,
        None => keep::store_proven(local, proven, now).await,
    }?;
    if let Some(id) = created {
        settle_stored(local, &org, &id, old_id, lifecycle).await;
    }
    Ok(stored)
}

/// After the wizard stored a token it created: its id recorded, the journal settled, and, for
/// a rotation, the old token (when patwiz knows its id) revoked.
pub async fn settle_stored(
    local: &LocalStore,
    org: &OrgUrl,
    authorization_id: &str,
    old_id: Option<String>,
    lifecycle: Option<&Lifecycle>,
) {
    let key = org.key();
    settle(local, authorization_id);
    if let (Some(old), Some(lifecycle)) = (old_id, lifecycle)
        && old != authorization_id
    {
        revoke_old(lifecycle, local, &key, &old).await;
    }
}

/// The replaced tokens whose revocation Azure DevOps now reports (revoked, or gone): taken
/// off `revoking`. Those still active are revoked again. Returns (confirmed, still active).
pub async fn confirm_revocations(
    lifecycle: &Lifecycle,
    local: &LocalStore,
    org: &OrgUrl,
) -> (usize, usize) {
    let key = org.key();
    let waiting = local
        .settings
        .entry(&key)
        .map(|o| o.revoking)
        .unwrap_or_default();
    if waiting.is_empty() {
        return (0, 0);
    }
    let Ok(active) = lifecycle.list("active").await else {
        return (0, 0);
    };
    let (still, dead): (Vec<String>, Vec<String>) = waiting
        .into_iter()
        .partition(|id| active.iter().any(|r| &r.authorization_id == id));
    for id in &still {
        let _ = lifecycle.revoke(id).await;
    }
    let _ = local.settings.update(|s| {
        if let Some(entry) = s.get_mut(&key) {
            entry.revoking.retain(|id| !dead.contains(id));
        }
    });
    (dead.len(), still.len())
}
