//! The Linux kernel keyring (keyutils), used where no Secret Service runs (SSH, containers).
//!
//! Keys live in the session keyring (`@s`, set up for every login by pam_keyinit) as
//! `patwiz:{org}`, as `keyctl padd user NAME @s` does: every process of the session finds them,
//! no daemon is needed, and nothing survives a reboot (nor the end of the session).

use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};

use super::secret::StoreError;

fn description(key: &str) -> String {
    format!("patwiz:{key}")
}

fn session_keyring() -> Result<KeyRing, StoreError> {
    KeyRing::from_special_id(KeyRingIdentifier::Session, false).map_err(describe)
}

fn describe(error: KeyError) -> StoreError {
    StoreError::Failed(words(error))
}

fn words(error: KeyError) -> String {
    match error {
        KeyError::AccessDenied => "kernel keyring: access denied (this process has no usable session keyring; log in again, or run inside `keyctl session -`)".to_string(),
        KeyError::QuotaExceeded => "kernel keyring: your user's key quota is full (the kernel allows an ordinary user 200 keys and 20000 bytes by default: /proc/sys/kernel/keys/maxkeys and maxbytes). Store tokens in a persistent desktop keyring (a Secret Service) instead, remove tokens you no longer need with `patwiz forget`, or ask an administrator to raise the quota (sysctl kernel.keys.maxkeys / kernel.keys.maxbytes)".to_string(),
        other => format!("kernel keyring: {other:?}"),
    }
}

fn missing(error: &KeyError) -> bool {
    matches!(
        error,
        KeyError::KeyDoesNotExist | KeyError::KeyRevoked | KeyError::KeyExpired
    )
}

pub fn set(key: &str, secret: &str) -> Result<(), StoreError> {
    let ring = session_keyring()?;
    ring.add_key(&description(key), secret.as_bytes())
        .map_err(describe)?;
    Ok(())
}

pub fn get(key: &str) -> Result<Option<String>, StoreError> {
    let ring = session_keyring()?;
    match ring.search(&description(key)) {
        Ok(found) => {
            let bytes = found.read_to_vec().map_err(describe)?;
            String::from_utf8(bytes).map(Some).map_err(|_| {
                StoreError::Failed("kernel keyring: the stored value is not text".into())
            })
        }
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(describe(e)),
    }
}

pub fn delete(key: &str) -> Result<bool, StoreError> {
    let ring = session_keyring()?;
    match ring.search(&description(key)) {
        Ok(found) => {
            // Invalidation removes the key from every keyring at once.
            found.invalidate().map_err(describe)?;
            Ok(true)
        }
        Err(e) if missing(&e) => Ok(false),
        Err(e) => Err(describe(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_quota_says_what_the_limit_is_and_what_to_do() {
        let text = words(KeyError::QuotaExceeded);
        assert!(text.contains("quota") && text.contains("maxkeys"), "{text}");
        assert!(
            text.contains("Secret Service") && text.contains("patwiz forget"),
            "{text}"
        );
    }
}
