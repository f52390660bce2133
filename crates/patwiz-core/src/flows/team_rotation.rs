//! A team vault's token rotated by creating: a new token with the same scopes made through the
//! lifecycle API, proven scope by scope, written to the vault only on the version read first,
//! then the old one revoked by its id. The vault keeps the old token until Azure DevOps refuses
//! it, then puts it beyond reach. A failure at any step leaves the vault holding a working token
//! and says which: nothing is written unproven, and a token made for a write that did not land
//! is revoked again.

use time::OffsetDateTime;

use super::keep::{self, Proven};
use super::mint::{self, MintError, crash_point, prove_new, settle};
use super::team_vault::{Entry, ReplacedCheck, TeamStore, confirm_replaced, facts_for};
use crate::domain::checks::Verdict;
use crate::domain::lifecycle::capped;
use crate::domain::org_url::OrgUrl;
use crate::domain::profiles::Profile;
use crate::domain::team_vault::{Facts, Replaced};
use crate::engine::Report;
use crate::engine::kv::KvError;
use crate::engine::lifecycle::Lifecycle;
use crate::store::rotation::LocalStore;

/// What to rotate: the entry as read and what its new token is for.
pub struct Rotation<'a> {
    pub store: &'a TeamStore,
    pub path: &'a str,
    /// The address as the person wrote it (`vault://…`): the journal's target.
    pub shown: &'a str,
    /// The entry's stamp when read: the write lands only on it.
    pub expected: u64,
    pub entry: &'a Entry,
    pub org: &'a OrgUrl,
    pub profile: &'a Profile,
    pub scopes: &'a [String],
    pub expires: OffsetDateTime,
    /// This run's client, clock and profiles.
    pub ctx: &'a super::Ctx,
}

/// What became of the token the rotation replaced.
#[derive(Debug, PartialEq, Eq)]
pub enum OldToken {
    /// patwiz did not create it, so it does not know its id: the person revokes it.
    NoId,
    /// Not revoked: Azure DevOps refused (another account's token, say), or the facts named a
    /// token that is not the one replaced.
    NotRevoked(NotRevoked),
    /// Revoked; what a check of it found.
    Revoked(ReplacedCheck),
}

/// A rotation that landed.
#[derive(Debug)]
pub struct Rotated {
    pub report: Report,
    pub authorization_id: String,
    pub display_name: String,
    /// The version written (KV), 0 for stores without numbered versions.
    pub version: u64,
    pub valid_to: Option<OffsetDateTime>,
    /// The expiry asked for, when the tenant's maximum lifespan cut it short.
    pub capped_from: Option<OffsetDateTime>,
    pub old: OldToken,
    /// This machine's store held the replaced token too, and now holds the new one.
    pub local_too: bool,
    /// Tokens an interrupted rotation of this vault had made and never stored, revoked first.
    pub leftovers: usize,
    /// A token an earlier rotation replaced, not yet seen refused then: what its check found
    /// (its copy stays in the vault's history unless it was retired now).
    pub earlier: Option<ReplacedCheck>,
    /// The facts could not be rewritten after the old token was confirmed dead (they still
    /// name it; the next `status --check` settles them).
    pub facts_error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TeamRotateError {
    #[error("{0}")]
    Mint(#[from] MintError),
    /// The vault did not take the new token; it was revoked again (or could not be).
    #[error("{error}{}", if *.revoked { "; the token made for this rotation was revoked again" } else { "; revoking the token made for this rotation failed: revoke it in Azure DevOps" })]
    NotStored { error: KvError, revoked: bool },
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Rotates the entry `r` describes by creating its successor; see the module's words.
pub async fn rotate_by_creating(
    lifecycle: &Lifecycle,
    local: &LocalStore,
    r: Rotation<'_>,
) -> Result<Rotated, TeamRotateError> {
    let now = r.ctx.now();
    let old_facts = &r.entry.facts;
    let leftovers = mint::revoke_pending_for_target(
        r.ctx,
        lifecycle,
        local,
        r.shown,
        old_facts.authorization_id.as_deref(),
    )
    .await;
    // A token an earlier rotation replaced and never saw refused: revoked again (harmless when
    // it is already), checked, and its copy retired once refused.
    let earlier = match &old_facts.replaced {
        Some(prev) => {
            let _ = revoke_replaced(lifecycle, &r, &prev.authorization_id).await;
            Some(confirm_replaced(r.ctx, r.store, r.path, &old_facts.org_url, prev, None).await)
        }
        None => None,
    };
    // The old token as the vault holds it: what the check after its revocation tries.
    let old_token = r.store.token(r.path).await.ok().flatten();
    let created = mint::create(
        r.ctx,
        lifecycle,
        local,
        r.org,
        &r.profile.token_name,
        r.scopes,
        r.expires,
        Some(r.shown),
    )
    .await?;
    let id = created.authorization_id.clone();
    let name = created.display_name.clone();
    crash_point("team-journaled");
    let report = prove_new(r.ctx, r.org, &created.token, r.scopes, r.profile).await;
    if report.verdict != Verdict::Pass {
        let revoked = lifecycle.revoke(&id).await.is_ok();
        settle(local, &id);
        return Err(MintError::NotProven {
            report: Box::new(report),
            revoked,
        }
        .into());
    }
    let valid_to = created.valid_to;
    let mut facts = facts_for(
        &report,
        &r.profile.name,
        r.scopes,
        valid_to.map(|t| t.date()),
        Some(id.clone()),
        &created.token,
    );
    facts.replaced = old_facts.authorization_id.clone().map(|old| Replaced {
        authorization_id: old,
        version: r.entry.version_id.clone(),
        revoked_at: rfc3339(now),
    });
    let version = match r
        .store
        .push(r.path, &created.token, &facts, r.expected)
        .await
    {
        Ok(v) => v,
        Err(error) => {
            // Stored nowhere: the new token would be an orphan; take it back.
            let revoked = lifecycle.revoke(&id).await.is_ok();
            settle(local, &id);
            return Err(TeamRotateError::NotStored { error, revoked });
        }
    };
    crash_point("team-stored");
    settle(local, &id);
    let expires = valid_to.map(|t| t.date());
    let local_too = swap_local_copy(local, &r, &created.token, &report, &id, expires, now).await;
    let (old, facts_error) = match &facts.replaced {
        None => (OldToken::NoId, None),
        Some(replaced) => retire_old(lifecycle, &r, &facts, replaced, old_token).await,
    };
    Ok(Rotated {
        report,
        authorization_id: id,
        display_name: name,
        version,
        valid_to,
        capped_from: capped(r.expires, valid_to).map(|_| r.expires),
        old,
        local_too,
        leftovers,
        earlier,
        facts_error,
    })
}

/// Revokes the replaced token and checks it at once; once Azure DevOps refuses it, the vault's
/// copy is put beyond reach and the facts let go of it.
async fn retire_old(
    lifecycle: &Lifecycle,
    r: &Rotation<'_>,
    facts: &Facts,
    replaced: &Replaced,
    old_token: Option<crate::domain::token::Token>,
) -> (OldToken, Option<String>) {
    if let Err(why) = revoke_replaced(lifecycle, r, &replaced.authorization_id).await {
        return (OldToken::NotRevoked(why), None);
    }
    let check = confirm_replaced(
        r.ctx,
        r.store,
        r.path,
        &facts.org_url,
        replaced,
        old_token.as_ref(),
    )
    .await;
    let mut facts_error = None;
    if check.settled {
        let settled = Facts {
            replaced: None,
            ..facts.clone()
        };
        if let Err(e) = r.store.set_facts(r.path, &settled).await {
            facts_error = Some(e.to_string());
        }
    }
    (OldToken::Revoked(check), facts_error)
}

/// Revokes the token the facts name as replaced, once its record shows it is one patwiz made
/// for this organization with these scopes (the facts are the vault's, not patwiz's, to trust).
async fn revoke_replaced(
    lifecycle: &Lifecycle,
    r: &Rotation<'_>,
    id: &str,
) -> Result<(), NotRevoked> {
    let record = lifecycle.get(id).await?;
    crate::domain::lifecycle::replaceable(&record, r.org.name(), r.scopes)?;
    Ok(lifecycle.revoke(id).await?)
}

/// Why the token a rotation replaced was not revoked.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotRevoked {
    /// Azure DevOps did not answer, or refused (another account's token, say).
    #[error(transparent)]
    Lifecycle(#[from] crate::engine::lifecycle::LifecycleError),
    /// The facts named a token patwiz did not make for this organization and these scopes.
    #[error(transparent)]
    NotOurs(#[from] crate::domain::lifecycle::NotReplaceable),
}

/// When this machine stores the very token the vault's rotation replaced (a `create --to`
/// keeps a copy here), it gets the new one too: a revoked token is never left stored.
async fn swap_local_copy(
    local: &LocalStore,
    r: &Rotation<'_>,
    token: &crate::domain::token::Token,
    report: &Report,
    id: &str,
    expires: Option<time::Date>,
    now: OffsetDateTime,
) -> bool {
    let key = r.org.key();
    let same = local.settings.entry(&key).is_some_and(|o| {
        o.authorization_id.is_some() && o.authorization_id == r.entry.facts.authorization_id
    });
    if !same {
        return false;
    }
    let proven = Proven {
        org: r.org,
        token,
        report,
        profile: &r.profile.name,
        scopes: r.scopes,
        expires,
        authorization_id: Some(id),
    };
    keep::rotate_proven(local, &key, proven, now).await.is_ok()
}
