//! The token's only home: the operating system's secret store (keyring crate).
//!
//! - Linux: the Secret Service (GNOME Keyring, KWallet) when a D-Bus session offers one, else
//!   the kernel keyring (keyutils), which works over SSH and in containers but does not survive
//!   a reboot — said plainly. `PATWIZ_SECRET_STORE=secret-service|keyutils` forces one.
//! - `PATWIZ_SECRET_STORE=memory`: this process's memory only, gone when it exits (for tests
//!   and tryouts that are not about the store).
//! - macOS: the Keychain; Windows: the Credential Manager.
//!
//! Every call runs on a blocking thread with a timeout (a locked or absent D-Bus service is
//! known to hang callers for minutes). If no store works, the error says so: there is no
//! plain-text fallback.

use std::time::Duration;

use keyring::Entry;

use crate::domain::token::Token;

/// How long any one store call may take.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(5);
const SERVICE: &str = "patwiz";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    SecretService,
    Keyutils,
    MacKeychain,
    WindowsCredentialManager,
    /// This process's memory: nothing survives the process.
    Memory,
}

/// The memory store's entries (one per process).
static MEMORY: std::sync::Mutex<std::collections::BTreeMap<String, Token>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn memory() -> std::sync::MutexGuard<'static, std::collections::BTreeMap<String, Token>> {
    MEMORY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::SecretService => "Secret Service",
            Backend::Keyutils => "kernel keyring (keyutils)",
            Backend::MacKeychain => "macOS Keychain",
            Backend::WindowsCredentialManager => "Windows Credential Manager",
            Backend::Memory => "memory only",
        }
    }

    /// Whether a stored token survives a reboot.
    pub fn persistent(self) -> bool {
        !matches!(self, Backend::Keyutils | Backend::Memory)
    }

    /// How long a token stored here lasts, in a few words ("survives a reboot").
    pub fn lasts(self) -> &'static str {
        match self {
            Backend::Keyutils => "until this computer restarts",
            Backend::Memory => "gone when patwiz exits",
            _ => "survives a reboot",
        }
    }

    /// What the user should know about this store, in one sentence.
    pub fn explain(self) -> &'static str {
        match self {
            Backend::SecretService => {
                "stored in your desktop keyring (Secret Service): it survives a reboot"
            }
            Backend::Keyutils => "stored in the session keyring: it will not survive a reboot",
            Backend::MacKeychain => "stored in the macOS Keychain",
            Backend::WindowsCredentialManager => "stored in the Windows Credential Manager",
            Backend::Memory => "kept in memory only: it is gone when patwiz exits",
        }
    }
}

/// What `patwiz doctor` reports about the store.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoreInfo {
    pub backend: Option<Backend>,
    pub name: String,
    pub persistent: bool,
    /// `Some(true)` when the Secret Service collection is locked; `None` when not applicable.
    pub locked: Option<bool>,
    pub usable: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no secret store is available: {0}. patwiz never stores a token in a plain file; start a Secret Service (e.g. gnome-keyring) or use a system with a kernel keyring"
    )]
    Unavailable(String),
    #[error(
        "the secret store did not answer within {0} s (is it locked or waiting for a password prompt?)"
    )]
    Timeout(u64),
    #[error(
        "the keyring is locked: unlock it (log in to the desktop session, or open \"Passwords and Keys\" and unlock the Login keyring; over SSH, `gnome-keyring-daemon --unlock` reads the password from standard input) and try again ({0})"
    )]
    Locked(String),
    #[error("the secret store refused: {0}")]
    Failed(String),
}

/// The secret store in use, chosen once.
#[derive(Debug, Clone, Copy)]
pub struct SecretStore {
    backend: Backend,
    /// Why the platform's first choice was not used (never silently).
    fallback: Option<&'static str>,
}

impl SecretStore {
    /// Chooses the store: `PATWIZ_SECRET_STORE` if set, else the platform's best.
    pub async fn open() -> Result<SecretStore, StoreError> {
        let forced = std::env::var("PATWIZ_SECRET_STORE").ok();
        let backend = match forced.as_deref() {
            Some("secret-service") => Backend::SecretService,
            Some("keyutils") => Backend::Keyutils,
            Some("memory") => Backend::Memory,
            Some(other) if !other.is_empty() => {
                return Err(StoreError::Unavailable(format!(
                    "PATWIZ_SECRET_STORE={other} is not a store (use secret-service, keyutils or memory)"
                )));
            }
            _ => {
                let (backend, fallback) = default_backend().await;
                let mut store = SecretStore::with_backend(backend).await?;
                store.fallback = fallback;
                return Ok(store);
            }
        };
        SecretStore::with_backend(backend).await
    }

    /// Why patwiz fell back from the desktop keyring to this store, if it did.
    pub fn fallback_reason(&self) -> Option<&'static str> {
        self.fallback
    }

    /// Opens a given backend (checking that it answers).
    pub async fn with_backend(backend: Backend) -> Result<SecretStore, StoreError> {
        if cfg!(target_os = "linux") && backend == Backend::SecretService {
            secret_service_state().await.map(|_| ())?;
        }
        Ok(SecretStore {
            backend,
            fallback: None,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn set(&self, key: &str, token: &Token) -> Result<(), StoreError> {
        let token = token.clone();
        if self.backend == Backend::Memory {
            memory().insert(key.to_string(), token);
            return Ok(());
        }
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            let key = key.to_string();
            return kernel(move || super::kernel_keyring::set(&key, token.expose())).await;
        }
        self.blocking(key, move |entry| entry.set_password(token.expose()))
            .await
    }

    /// The stored token, or `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Token>, StoreError> {
        if self.backend == Backend::Memory {
            return Ok(memory().get(key).cloned());
        }
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            let key = key.to_string();
            return kernel(move || super::kernel_keyring::get(&key).map(|v| v.map(Token::new)))
                .await;
        }
        self.blocking(key, |entry| match entry.get_password() {
            Ok(value) => Ok(Some(Token::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    /// The stored token for each of `keys`, in order, read on one thread (not one thread per
    /// key): `status` over 200 organizations asks for 400 entries. The whole batch is bounded
    /// like a single call.
    pub async fn get_all(
        &self,
        keys: Vec<String>,
    ) -> Result<Vec<Result<Option<Token>, StoreError>>, StoreError> {
        if self.backend == Backend::Memory {
            let memory = memory();
            return Ok(keys.iter().map(|k| Ok(memory.get(k).cloned())).collect());
        }
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            return kernel(move || {
                Ok(keys
                    .iter()
                    .map(|key| super::kernel_keyring::get(key).map(|v| v.map(Token::new)))
                    .collect())
            })
            .await;
        }
        let backend = self.backend;
        bounded(move || {
            keys.iter()
                .map(|key| {
                    let entry = entry_for(backend, key).map_err(describe)?;
                    match entry.get_password() {
                        Ok(value) => Ok(Some(Token::new(value))),
                        Err(keyring::Error::NoEntry) => Ok(None),
                        Err(e) => Err(describe(e)),
                    }
                })
                .collect()
        })
        .await
    }

    /// Removes the entry; true if there was one.
    pub async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        if self.backend == Backend::Memory {
            return Ok(memory().remove(key).is_some());
        }
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            let key = key.to_string();
            return kernel(move || super::kernel_keyring::delete(&key)).await;
        }
        self.blocking(key, |entry| match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(e),
        })
        .await
    }

    async fn blocking<T, F>(&self, key: &str, call: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Entry) -> keyring::Result<T> + Send + 'static,
    {
        let backend = self.backend;
        let key = key.to_string();
        bounded(move || {
            let entry = entry_for(backend, &key)?;
            call(&entry)
        })
        .await?
        .map_err(describe)
    }
}

/// Runs a store call on a thread of its own, bounded by `STORE_TIMEOUT`.
///
/// A detached thread, not tokio's blocking pool: a store that never answers (a D-Bus that
/// accepts and never replies) leaves only that thread waiting, and the process still exits the
/// moment its work is done. The runtime waits for blocking-pool tasks when it shuts down;
/// it does not wait for this thread.
async fn bounded<T, F>(call: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("patwiz-secret-store".into())
        .spawn(move || {
            let _ = tx.send(call());
        })
        .map_err(|e| StoreError::Failed(format!("cannot start the store call: {e}")))?;
    match tokio::time::timeout(STORE_TIMEOUT, rx).await {
        Err(_) => Err(StoreError::Timeout(STORE_TIMEOUT.as_secs())),
        Ok(Err(_)) => Err(StoreError::Failed(
            "the store call stopped before it answered".into(),
        )),
        Ok(Ok(result)) => Ok(result),
    }
}

/// Runs a kernel keyring call off the async threads, bounded like every store call.
#[cfg(target_os = "linux")]
async fn kernel<T, F>(call: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    bounded(call).await?
}

fn entry_for(backend: Backend, key: &str) -> keyring::Result<Entry> {
    match backend {
        #[cfg(target_os = "linux")]
        Backend::SecretService => {
            let credential =
                keyring::secret_service::SsCredential::new_with_target(None, SERVICE, key)?;
            Ok(Entry::new_with_credential(Box::new(credential)))
        }
        _ => Entry::new(SERVICE, key),
    }
}

fn describe(error: keyring::Error) -> StoreError {
    let text = match &error {
        keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => e.to_string(),
        other => other.to_string(),
    };
    let lower = text.to_ascii_lowercase();
    if lower.contains("islocked") || lower.contains("locked") || lower.contains("prompt") {
        return StoreError::Locked(text);
    }
    match error {
        keyring::Error::NoStorageAccess(_) => StoreError::Unavailable(text),
        _ => StoreError::Failed(text),
    }
}

/// The platform's best store, and why a better one was passed over (a D-Bus session exists,
/// but its Secret Service did not answer). Without any D-Bus session (SSH, containers) the
/// kernel keyring is the expected choice and needs no excuse.
async fn default_backend() -> (Backend, Option<&'static str>) {
    if cfg!(target_os = "macos") {
        return (Backend::MacKeychain, None);
    }
    if cfg!(target_os = "windows") {
        return (Backend::WindowsCredentialManager, None);
    }
    match secret_service_state().await {
        Ok(_) => (Backend::SecretService, None),
        Err(StoreError::Timeout(_)) => (
            Backend::Keyutils,
            Some("the desktop keyring (Secret Service) did not answer within 5 seconds"),
        ),
        Err(_) if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() => (
            Backend::Keyutils,
            Some("no desktop keyring (Secret Service) answers on this D-Bus session"),
        ),
        Err(_) => (Backend::Keyutils, None),
    }
}

/// Whether a Secret Service answers on the session bus, and whether its collection is locked.
#[cfg(target_os = "linux")]
async fn secret_service_state() -> Result<bool, StoreError> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err(StoreError::Unavailable(
            "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".into(),
        ));
    }
    let probe = bounded(|| {
        use secret_service::EncryptionType;
        use secret_service::blocking::SecretService;
        let service = SecretService::connect(EncryptionType::Dh).map_err(|e| e.to_string())?;
        let collection = service
            .get_default_collection()
            .or_else(|_| service.get_any_collection())
            .map_err(|e| e.to_string())?;
        collection.is_locked().map_err(|e| e.to_string())
    });
    match probe.await? {
        Err(e) => Err(StoreError::Unavailable(format!("no Secret Service: {e}"))),
        Ok(locked) => Ok(locked),
    }
}

#[cfg(not(target_os = "linux"))]
async fn secret_service_state() -> Result<bool, StoreError> {
    Err(StoreError::Unavailable("not Linux".into()))
}

/// What `patwiz doctor` prints: the store in use, persistence, lock state.
pub async fn info() -> StoreInfo {
    match SecretStore::open().await {
        Ok(store) => {
            let backend = store.backend();
            let locked = if cfg!(target_os = "linux") && backend == Backend::SecretService {
                secret_service_state().await.ok()
            } else {
                None
            };
            // A round trip proves the store really works (and does not hang).
            let probe_key = format!("patwiz-doctor-{}", std::process::id());
            let works = match store
                .set(&probe_key, &Token::new("patwiz-doctor-probe"))
                .await
            {
                Ok(()) => store.delete(&probe_key).await.map(|_| ()),
                Err(e) => Err(e),
            };
            let (usable, detail) = match works {
                Ok(()) => (true, backend.explain().to_string()),
                Err(e) => (false, e.to_string()),
            };
            StoreInfo {
                backend: Some(backend),
                name: backend.name().to_string(),
                persistent: backend.persistent(),
                locked,
                usable,
                detail,
            }
        }
        Err(e) => StoreInfo {
            backend: None,
            name: "none".into(),
            persistent: false,
            locked: None,
            usable: false,
            detail: e.to_string(),
        },
    }
}
