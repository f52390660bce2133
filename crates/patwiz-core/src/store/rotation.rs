//! This computer's store: the OS secret store and the settings together (a team's vault is
//! `flows::team_vault::TeamStore`), with a rotation that is safe at every
//! step. A rotation writes the new (already validated) token to a staging entry, then over the
//! organization's entry, then records the settings, then removes the staging entry. A crash or
//! kill at any point leaves a stored token that works — the old one until the swap, the new one
//! after — and a missing main entry is restored from the staging entry on the next read.

use std::path::Path;

use super::secret::{SecretStore, StoreError};
use super::settings::{LoadNote, OrgSettings, SettingsError, SettingsFile};
use crate::domain::token::Token;

/// The steps of a rotation, in order. Tests stop the process after each one.
pub const ROTATION_STEPS: [&str; 5] = ["marked", "staged", "swapped", "recorded", "cleaned"];

/// Why the vault could not do what it was asked, saying what is true afterwards: which token
/// is stored, and whether anything is left that `status` would not show.
#[derive(Debug, thiserror::Error)]
pub enum LocalStoreError {
    #[error("this system has no config directory for patwiz's settings: set PATWIZ_CONFIG_DIR")]
    NoConfigDir,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("{error}; so the token was taken out of the secret store again: nothing is stored")]
    NotRecordedRolledBack { error: SettingsError },
    #[error(
        "{error}, and the token could not be taken out of the secret store again ({cleanup}): it is stored but not listed; run `patwiz forget --org` for this organization"
    )]
    NotRecordedOrphan {
        error: SettingsError,
        cleanup: StoreError,
    },
    #[error("{error}. Your previous token is still stored and unchanged")]
    RotationNotSwapped { error: Box<LocalStoreError> },
    #[error(
        "the new token is stored and works, but the settings could not be updated ({error}): until they can be written they still show the old token's expiry and identity, and `patwiz status` reports an unfinished rotation"
    )]
    RotationNotRecorded { error: Box<LocalStoreError> },
}

/// The tokens this computer keeps: each in the OS secret store, its facts in the settings.
pub struct LocalStore {
    pub store: SecretStore,
    pub settings: SettingsFile,
}

fn staged_key(key: &str) -> String {
    format!("{key}#staged")
}

/// Fails the settings write after `step` when a test asks for it (PATWIZ_TEST_FAIL_SETTINGS_AFTER),
/// as a full disk or a read-only directory would. Only in test (debug) builds: a release binary
/// never reads the variable.
fn settings_fail_point(step: &str) -> Result<(), SettingsError> {
    if cfg!(debug_assertions)
        && std::env::var("PATWIZ_TEST_FAIL_SETTINGS_AFTER").is_ok_and(|s| s == step)
    {
        return Err(SettingsError::Write(
            "the settings directory".into(),
            std::io::Error::other("simulated write failure"),
        ));
    }
    Ok(())
}

/// Stops the process after `step` when a crash test asks for it (PATWIZ_TEST_CRASH_AFTER). Only
/// in test (debug) builds.
fn crash_point(step: &str) {
    if cfg!(debug_assertions) && std::env::var("PATWIZ_TEST_CRASH_AFTER").is_ok_and(|s| s == step) {
        eprintln!("patwiz: simulated crash after rotation step \"{step}\"");
        std::process::abort();
    }
}

impl LocalStore {
    pub async fn open(config_dir: &Path) -> Result<LocalStore, StoreError> {
        Ok(LocalStore {
            store: SecretStore::open().await?,
            settings: SettingsFile::new(config_dir),
        })
    }

    /// The vault with this store (`None`: the one `open` would choose).
    pub async fn open_with(
        config_dir: &Path,
        backend: Option<crate::store::secret::Backend>,
    ) -> Result<LocalStore, StoreError> {
        match backend {
            Some(backend) => Ok(LocalStore::with(
                SecretStore::with_backend(backend).await?,
                config_dir,
            )),
            None => LocalStore::open(config_dir).await,
        }
    }

    pub fn with(store: SecretStore, config_dir: &Path) -> LocalStore {
        LocalStore {
            store,
            settings: SettingsFile::new(config_dir),
        }
    }

    /// The stored token for `key`, restoring it from an interrupted rotation if needed.
    pub async fn token(&self, key: &str) -> Result<Option<Token>, StoreError> {
        if let Some(token) = self.store.get(key).await? {
            return Ok(Some(token));
        }
        match self.store.get(&staged_key(key)).await? {
            Some(staged) => {
                self.store.set(key, &staged).await?;
                self.store.delete(&staged_key(key)).await?;
                Ok(Some(staged))
            }
            None => Ok(None),
        }
    }

    /// The token and whether a staged one is left behind, for each of `keys`, read in one batch
    /// (two entries per key, one store call in all); a staged token whose rotation was cut
    /// short before the swap is finished as [`LocalStore::token`] finishes it.
    pub async fn tokens(&self, keys: &[String]) -> Vec<(Result<Option<Token>, StoreError>, bool)> {
        let mut asked: Vec<String> = keys.to_vec();
        asked.extend(keys.iter().map(|k| staged_key(k)));
        let found = match self.store.get_all(asked).await {
            Ok(found) => found,
            Err(e) => return keys.iter().map(|_| (Err(e.clone()), false)).collect(),
        };
        let (current, staged) = found.split_at(keys.len());
        let mut out = Vec::with_capacity(keys.len());
        for ((key, token), staged) in keys.iter().zip(current).zip(staged) {
            let has_staged = matches!(staged, Ok(Some(_)));
            out.push(match token {
                // Cut short before the swap: the staged token becomes the stored one (and is
                // then no longer left behind, unless that failed).
                Ok(None) if has_staged => {
                    let token = self.token(key).await;
                    let left = token.is_err();
                    (token, left)
                }
                other => (other.clone(), has_staged),
            });
        }
        out
    }

    /// True when an interrupted rotation left a staged token behind.
    pub async fn has_staged(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.store.get(&staged_key(key)).await?.is_some())
    }

    /// Stores a first token and its settings (login, the wizard's Save step). If the settings
    /// cannot be written, the token is taken out of the store again: no token is ever left where
    /// `status` cannot see it.
    pub async fn save(
        &self,
        token: &Token,
        org: OrgSettings,
    ) -> Result<Option<LoadNote>, LocalStoreError> {
        let key = org.key.clone();
        self.store.set(&key, token).await?;
        let recorded =
            settings_fail_point("stored").and_then(|()| self.settings.update(|s| s.upsert(org)));
        match recorded {
            Ok((_, note)) => Ok(note),
            Err(error) => match self.store.delete(&key).await {
                Ok(_) => Err(LocalStoreError::NotRecordedRolledBack { error }),
                Err(cleanup) => Err(LocalStoreError::NotRecordedOrphan { error, cleanup }),
            },
        }
    }

    /// Replaces the stored token with `new` (already validated), keeping every other setting
    /// and applying `record` to the settings entry. On an error the message says which token is
    /// stored: the old one for any failure before the swap, the new one after it.
    pub async fn rotate(
        &self,
        key: &str,
        new: &Token,
        record: impl FnOnce(&mut OrgSettings),
    ) -> Result<(), LocalStoreError> {
        let before_swap = async {
            self.settings.update(|s| {
                if let Some(org) = s.get_mut(key) {
                    org.rotating = true;
                }
            })?;
            crash_point("marked");
            self.store.set(&staged_key(key), new).await?;
            crash_point("staged");
            self.store.set(key, new).await?;
            crash_point("swapped");
            Ok::<(), LocalStoreError>(())
        };
        if let Err(error) = before_swap.await {
            // Nothing was swapped: undo the mark and the staged copy (best effort), so that
            // `status` does not report a rotation that never happened.
            let _ = self.store.delete(&staged_key(key)).await;
            let _ = self.settings.update(|s| {
                if let Some(org) = s.get_mut(key) {
                    org.rotating = false;
                }
            });
            return Err(LocalStoreError::RotationNotSwapped {
                error: Box::new(error),
            });
        }
        let recorded = settings_fail_point("swapped").and_then(|()| {
            self.settings.update(|s| {
                if let Some(org) = s.get_mut(key) {
                    record(org);
                    org.rotating = false;
                }
            })
        });
        if let Err(error) = recorded {
            return Err(LocalStoreError::RotationNotRecorded {
                error: Box::new(error.into()),
            });
        }
        crash_point("recorded");
        // The staged copy is only a safety net now; failing to remove it is reported by
        // `status` as an unfinished rotation, which `rotate` finishes.
        let _ = self.store.delete(&staged_key(key)).await;
        crash_point("cleaned");
        Ok(())
    }

    /// Removes the token (and any staged one) and the settings entry.
    pub async fn forget(&self, key: &str) -> Result<(bool, bool), LocalStoreError> {
        let secret = self.store.delete(key).await?;
        self.store.delete(&staged_key(key)).await?;
        let (settings, _) = self.settings.update(|s| s.remove(key))?;
        Ok((secret, settings))
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;
    use crate::store::secret::Backend;

    #[tokio::test]
    async fn every_token_is_read_in_one_batch_and_a_cut_short_rotation_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let vault = LocalStore::open_with(dir.path(), Some(Backend::Memory))
            .await
            .unwrap();
        let key = |name: &str| format!("https://dev.azure.com/batch-{name}");
        let token = |v: &str| Token::new(v.repeat(52));
        // stored; stored with a staged one left (interrupted); staged only (cut short before
        // the swap); nothing.
        vault.store.set(&key("a"), &token("a")).await.unwrap();
        vault.store.set(&key("b"), &token("b")).await.unwrap();
        vault
            .store
            .set(&staged_key(&key("b")), &token("c"))
            .await
            .unwrap();
        vault
            .store
            .set(&staged_key(&key("d")), &token("d"))
            .await
            .unwrap();
        let keys: Vec<String> = ["a", "b", "d", "e"].iter().map(|n| key(n)).collect();
        let found = vault.tokens(&keys).await;
        let seen: Vec<(Option<String>, bool)> = found
            .iter()
            .map(|(t, staged)| {
                (
                    t.as_ref()
                        .unwrap()
                        .as_ref()
                        .map(|t| t.expose()[..1].to_string()),
                    *staged,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (Some("a".into()), false),
                (Some("b".into()), true),
                (Some("d".into()), false),
                (None, false),
            ]
        );
        assert!(
            vault.store.get(&key("d")).await.unwrap().is_some(),
            "swapped in"
        );
        assert!(!vault.has_staged(&key("d")).await.unwrap());
    }
}
