//! The vault: the secret store and the settings together, with a rotation that is safe at every
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

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

pub struct Vault {
    pub store: SecretStore,
    pub settings: SettingsFile,
}

fn staged_key(key: &str) -> String {
    format!("{key}#staged")
}

/// Stops the process after `step` when a crash test asks for it (PATWIZ_TEST_CRASH_AFTER).
fn crash_point(step: &str) {
    if std::env::var("PATWIZ_TEST_CRASH_AFTER").is_ok_and(|s| s == step) {
        eprintln!("patwiz: simulated crash after rotation step \"{step}\"");
        std::process::abort();
    }
}

impl Vault {
    pub async fn open(config_dir: &Path) -> Result<Vault, StoreError> {
        Ok(Vault {
            store: SecretStore::open().await?,
            settings: SettingsFile::new(config_dir),
        })
    }

    pub fn with(store: SecretStore, config_dir: &Path) -> Vault {
        Vault {
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

    /// True when an interrupted rotation left a staged token behind.
    pub async fn has_staged(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.store.get(&staged_key(key)).await?.is_some())
    }

    /// Stores a first token and its settings (login, the wizard's Save step).
    pub async fn save(
        &self,
        token: &Token,
        org: OrgSettings,
    ) -> Result<Option<LoadNote>, VaultError> {
        self.store.set(&org.key, token).await?;
        let (_, note) = self.settings.update(|s| s.upsert(org))?;
        Ok(note)
    }

    /// Replaces the stored token with `new` (already validated), keeping every other setting
    /// and applying `record` to the settings entry. On an error the old token stays in place.
    pub async fn rotate(
        &self,
        key: &str,
        new: &Token,
        record: impl FnOnce(&mut OrgSettings),
    ) -> Result<(), VaultError> {
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
        self.settings.update(|s| {
            if let Some(org) = s.get_mut(key) {
                record(org);
                org.rotating = false;
            }
        })?;
        crash_point("recorded");
        self.store.delete(&staged_key(key)).await?;
        crash_point("cleaned");
        Ok(())
    }

    /// Removes the token (and any staged one) and the settings entry.
    pub async fn forget(&self, key: &str) -> Result<(bool, bool), VaultError> {
        let secret = self.store.delete(key).await?;
        self.store.delete(&staged_key(key)).await?;
        let (settings, _) = self.settings.update(|s| s.remove(key))?;
        Ok((secret, settings))
    }
}
