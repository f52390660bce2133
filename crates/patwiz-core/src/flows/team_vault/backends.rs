//! The three kinds of team vault behind one trait: HashiCorp Vault / OpenBao KV version 2, an
//! Azure Key Vault, and a `pass` store. Each says how it reads an entry, writes a token with
//! the metadata beside it (only on the entry as read), keeps or retires an earlier copy, and
//! lists a prefix; what is the same for all of them lives in [`super::Store`].

use std::collections::BTreeMap;

use futures_util::future::BoxFuture;

use super::{Entry, OldCopy, stamp_of};
use crate::domain::team_vault::{Facts, Listing};
use crate::domain::token::Token;
use crate::engine::keyvault::KeyVault;
use crate::engine::kv::{Kv, KvError};
use crate::engine::pass::{PassStore, entry_text, parse_entry};

/// Which kind of vault it is (for the words a front end chooses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultKind {
    /// HashiCorp Vault or OpenBao, KV version 2: numbered versions, check-and-set.
    KvV2,
    /// Azure Key Vault: version ids, no check-and-set.
    KeyVault,
    /// A `pass` store: one file per entry, its history in git (if any).
    Pass,
}

/// A team vault: where the team's tokens live, each with its facts beside it.
pub trait TeamVault: Send + Sync {
    fn kind(&self) -> VaultKind;
    /// Where the store is (for messages): nothing secret.
    fn address(&self) -> String;
    /// Whether earlier tokens stay in the store's history.
    fn keeps_history(&self) -> bool;
    /// The entry at `path` as a message names it (`mount/path` for KV).
    fn shown(&self, path: &str) -> String;
    /// Whether the store itself refuses a write on an entry changed since it was read (KV's
    /// check-and-set); the others are compared just before the write.
    fn checks_and_sets(&self) -> bool;
    /// The entry at `path` as an address (`pass://…`, `https://….vault.azure.net/secrets/…`).
    fn uri(&self, path: &str) -> String;
    /// The entry at `path`, `None` when there is none.
    fn entry<'a>(&'a self, path: &'a str) -> BoxFuture<'a, Result<Option<Entry>, KvError>>;
    /// The token at `path`.
    fn token<'a>(&'a self, path: &'a str) -> BoxFuture<'a, Result<Option<Token>, KvError>>;
    /// Writes `token` with `custom` beside it (`expected`: the entry's stamp when read, for a
    /// store that checks and sets). Returns the version written (KV) or 0.
    fn write<'a>(
        &'a self,
        path: &'a str,
        token: &'a Token,
        custom: &'a BTreeMap<String, String>,
        facts: &'a Facts,
        expected: u64,
    ) -> BoxFuture<'a, Result<u64, KvError>>;
    /// The earlier token at `version`, as the store still holds it.
    fn old_copy<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<OldCopy, KvError>>;
    /// Puts the earlier token at `version` beyond reach; says what it did.
    fn retire<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, KvError>>;
    /// Rewrites the metadata beside the token at `path` (the same token stays).
    fn write_facts<'a>(
        &'a self,
        path: &'a str,
        custom: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, Result<(), KvError>>;
    /// The entries under `prefix`.
    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Listing, KvError>>;
    /// Records a fresh verdict beside the token where the store can without a new version.
    fn record<'a>(
        &'a self,
        path: &'a str,
        version_id: &'a str,
        custom: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, ()>;
}

/// A KV version 2 secrets engine at `mount`.
pub struct KvV2 {
    pub kv: Kv,
    pub mount: String,
}

impl TeamVault for KvV2 {
    fn kind(&self) -> VaultKind {
        VaultKind::KvV2
    }

    fn address(&self) -> String {
        self.kv.address()
    }

    fn keeps_history(&self) -> bool {
        true
    }

    fn shown(&self, path: &str) -> String {
        format!("{}/{path}", self.mount)
    }

    fn checks_and_sets(&self) -> bool {
        true
    }

    fn uri(&self, path: &str) -> String {
        format!("vault://{}/{path}", self.mount)
    }

    fn entry<'a>(&'a self, path: &'a str) -> BoxFuture<'a, Result<Option<Entry>, KvError>> {
        Box::pin(async move {
            Ok(self.kv.metadata(&self.mount, path).await?.map(|m| Entry {
                facts: Facts::from_metadata(&m.custom),
                custom: m.custom,
                version: m.current_version,
                version_id: m.current_version.to_string(),
                stamp: m.current_version,
            }))
        })
    }

    fn token<'a>(&'a self, path: &'a str) -> BoxFuture<'a, Result<Option<Token>, KvError>> {
        Box::pin(async move { Ok(self.kv.read_token(&self.mount, path).await?.map(|(t, _)| t)) })
    }

    fn write<'a>(
        &'a self,
        path: &'a str,
        token: &'a Token,
        custom: &'a BTreeMap<String, String>,
        _facts: &'a Facts,
        expected: u64,
    ) -> BoxFuture<'a, Result<u64, KvError>> {
        Box::pin(async move {
            // KV's own check-and-set refuses a write on another version than the one read.
            let version = self.kv.write(&self.mount, path, token, expected).await?;
            self.kv.set_metadata(&self.mount, path, custom).await?;
            Ok(version)
        })
    }

    fn old_copy<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<OldCopy, KvError>> {
        Box::pin(async move {
            match version.parse::<u64>() {
                Ok(n) if n > 0 => Ok(self
                    .kv
                    .read_version(&self.mount, path, n)
                    .await?
                    .map_or(OldCopy::Gone, OldCopy::Held)),
                _ => Ok(OldCopy::NotKept),
            }
        })
    }

    fn retire<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, KvError>> {
        Box::pin(async move {
            match version.parse::<u64>() {
                Ok(n) if n > 0 => {
                    self.kv.destroy(&self.mount, path, n).await?;
                    Ok(Some(format!("version {n} destroyed")))
                }
                _ => Ok(None),
            }
        })
    }

    fn write_facts<'a>(
        &'a self,
        path: &'a str,
        custom: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, Result<(), KvError>> {
        Box::pin(async move { self.kv.set_metadata(&self.mount, path, custom).await })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Listing, KvError>> {
        Box::pin(async move { self.kv.list(&self.mount, prefix).await })
    }

    fn record<'a>(
        &'a self,
        path: &'a str,
        _version_id: &'a str,
        custom: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let _ = self.kv.set_metadata(&self.mount, path, custom).await;
        })
    }
}

impl TeamVault for KeyVault {
    fn kind(&self) -> VaultKind {
        VaultKind::KeyVault
    }

    fn address(&self) -> String {
        KeyVault::address(self)
    }

    fn keeps_history(&self) -> bool {
        true
    }

    fn shown(&self, path: &str) -> String {
        path.to_string()
    }

    fn checks_and_sets(&self) -> bool {
        false
    }

    fn uri(&self, path: &str) -> String {
        format!("{}/secrets/{path}", KeyVault::address(self))
    }

    fn entry<'a>(&'a self, path: &'a str) -> BoxFuture<'a, Result<Option<Entry>, KvError>> {
        Box::pin(async move {
            Ok(self.info(path).await?.map(|info| Entry {
                facts: Facts::from_metadata(&info.tags),
                stamp: stamp_of(&info.version),
                custom: info.tags,
                version: 0,
                version_id: info.version,
            }))
        })
    }

    fn token<'a>(&'a self, path: &'a str) -> BoxFuture<'a, Result<Option<Token>, KvError>> {
        Box::pin(self.value(path))
    }

    fn write<'a>(
        &'a self,
        path: &'a str,
        token: &'a Token,
        custom: &'a BTreeMap<String, String>,
        facts: &'a Facts,
        _expected: u64,
    ) -> BoxFuture<'a, Result<u64, KvError>> {
        Box::pin(async move {
            let expires = facts
                .expires
                .as_deref()
                .and_then(|d| crate::store::settings::parse_date(d).ok())
                .map(|d| d.midnight().assume_utc().unix_timestamp());
            self.set(path, token, custom, expires).await?;
            Ok(0)
        })
    }

    fn old_copy<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<OldCopy, KvError>> {
        Box::pin(async move {
            if version.is_empty() {
                return Ok(OldCopy::NotKept);
            }
            Ok(self
                .value_at(path, version)
                .await?
                .map_or(OldCopy::Gone, OldCopy::Held))
        })
    }

    fn retire<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, KvError>> {
        Box::pin(async move {
            if version.is_empty() {
                return Ok(None);
            }
            // Key Vault deletes only whole secrets: the version is disabled.
            self.update(path, version, Some(false), None).await?;
            Ok(Some("its version in the Key Vault disabled".into()))
        })
    }

    fn write_facts<'a>(
        &'a self,
        path: &'a str,
        custom: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, Result<(), KvError>> {
        Box::pin(async move {
            let info = self.info(path).await?.ok_or_else(|| KvError::Changed {
                path: path.to_string(),
            })?;
            self.update(path, &info.version, None, Some(custom)).await
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Listing, KvError>> {
        Box::pin(async move {
            let mut listing = KeyVault::list(self).await?;
            listing.paths.retain(|n| n.starts_with(prefix));
            Ok(listing)
        })
    }

    fn record<'a>(
        &'a self,
        path: &'a str,
        version_id: &'a str,
        custom: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if !version_id.is_empty() {
                let _ = self.update(path, version_id, None, Some(custom)).await;
            }
        })
    }
}

impl TeamVault for PassStore {
    fn kind(&self) -> VaultKind {
        VaultKind::Pass
    }

    fn address(&self) -> String {
        PassStore::address(self)
    }

    fn keeps_history(&self) -> bool {
        std::path::Path::new(&PassStore::address(self))
            .join(".git")
            .exists()
    }

    fn shown(&self, path: &str) -> String {
        path.to_string()
    }

    fn checks_and_sets(&self) -> bool {
        false
    }

    fn uri(&self, path: &str) -> String {
        format!("pass://{path}")
    }

    fn entry<'a>(&'a self, path: &'a str) -> BoxFuture<'a, Result<Option<Entry>, KvError>> {
        Box::pin(async move {
            Ok(self.show(path).await?.map(|text| {
                let (_, custom) = parse_entry(&text);
                Entry {
                    facts: Facts::from_metadata(&custom),
                    custom,
                    version: 0,
                    version_id: String::new(),
                    stamp: stamp_of(&text),
                }
            }))
        })
    }

    fn token<'a>(&'a self, path: &'a str) -> BoxFuture<'a, Result<Option<Token>, KvError>> {
        Box::pin(async move {
            Ok(self
                .show(path)
                .await?
                .map(|text| Token::new(parse_entry(&text).0.as_str()))
                .filter(|t| !t.is_empty()))
        })
    }

    fn write<'a>(
        &'a self,
        path: &'a str,
        token: &'a Token,
        custom: &'a BTreeMap<String, String>,
        _facts: &'a Facts,
        _expected: u64,
    ) -> BoxFuture<'a, Result<u64, KvError>> {
        Box::pin(async move {
            self.insert(path, &entry_text(token.expose(), custom))
                .await?;
            Ok(0)
        })
    }

    fn old_copy<'a>(
        &'a self,
        _path: &'a str,
        _version: &'a str,
    ) -> BoxFuture<'a, Result<OldCopy, KvError>> {
        // pass keeps earlier values only in git history, which patwiz does not read.
        Box::pin(async { Ok(OldCopy::NotKept) })
    }

    fn retire<'a>(
        &'a self,
        _path: &'a str,
        _version: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, KvError>> {
        Box::pin(async { Ok(None) })
    }

    fn write_facts<'a>(
        &'a self,
        path: &'a str,
        custom: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, Result<(), KvError>> {
        Box::pin(async move {
            let Some(token) = TeamVault::token(self, path).await? else {
                return Err(KvError::Changed {
                    path: path.to_string(),
                });
            };
            self.insert(path, &entry_text(token.expose(), custom)).await
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Listing, KvError>> {
        Box::pin(async move { Ok(PassStore::list(self, prefix)) })
    }

    fn record<'a>(
        &'a self,
        _path: &'a str,
        _version_id: &'a str,
        _custom: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, ()> {
        // A pass entry is not rewritten for a fresh verdict.
        Box::pin(async {})
    }
}
