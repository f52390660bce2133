//! This computer's store opened with its settings read, for the commands that list or replace.

use crate::cli::CliError;
use crate::cli::shared::token::open_vault;
use crate::store::rotation::LocalStore;
use std::process::ExitCode;

/// The vault and its settings; a settings file set aside (corrupt, newer) is reported.
pub(crate) async fn open_with_settings()
-> Result<(LocalStore, crate::store::settings::Settings), CliError> {
    let vault = open_vault().await?;
    let (settings, note) = vault.settings.load().map_err(|e| {
        eprintln!(
            "patwiz: {}",
            crate::domain::text::safe_message(&e.to_string())
        );
        ExitCode::from(3)
    })?;
    if let Some(note) = note {
        eprintln!("patwiz: warning: {note}");
    }
    Ok((vault, settings))
}
