//! Secrets and settings that last: the token in the OS secret store, everything else in the
//! platform config directory, and a rotation that never leaves the user with nothing that works.

pub mod files;
#[cfg(target_os = "linux")]
mod kernel_keyring;
pub mod reminder;
pub mod rotation;
pub mod secret;
pub mod settings;
pub mod user_config;
pub mod user_profiles;
