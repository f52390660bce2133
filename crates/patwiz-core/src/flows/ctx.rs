//! What every use case is given rather than finding for itself: how to reach the service
//! (the HTTP client's options), what time it is (the clock), where the person's own
//! integration profiles are, and this computer's store (the config directory and the secret
//! store chosen for the run). The wizard and the command line each build one at start; a test
//! builds one with a fixed clock and a scratch profiles directory.

use std::path::PathBuf;

use crate::clock::Clock;
use crate::domain::org_url::OrgUrl;
use crate::domain::profiles::{Profile, ProfileError};
use crate::domain::token::Token;
use crate::engine::http::HttpOptions;
use crate::store::rotation::{LocalStore, LocalStoreError};
use crate::store::secret::Backend;

use super::prove::Proof;

/// The context of one run of patwiz.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// How requests are made (timeouts, a CA file).
    pub http: HttpOptions,
    /// What time it is.
    pub clock: Clock,
    /// The directory of the person's own profiles (`None`: built-in profiles only).
    pub profiles_dir: Option<PathBuf>,
    /// Where this computer's settings live (`None`: this system has no config directory).
    pub config_dir: Option<PathBuf>,
    /// The secret store tokens are kept in (`None`: the one the platform and
    /// `PATWIZ_SECRET_STORE` choose).
    pub secret_store: Option<Backend>,
}

impl Ctx {
    /// The profile called `name`: a built-in one or one of the person's.
    pub fn profile(&self, name: &str) -> Result<Profile, ProfileError> {
        crate::store::user_profiles::find(name, self.profiles_dir.as_deref())
    }

    /// This computer's store: the run's secret store and the settings beside it.
    pub async fn local_store(&self) -> Result<LocalStore, LocalStoreError> {
        let dir = self
            .config_dir
            .as_deref()
            .ok_or(LocalStoreError::NoConfigDir)?;
        Ok(LocalStore::open_with(dir, self.secret_store).await?)
    }

    /// Now, by this run's clock.
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// A proof of `scopes` on `org` for `profile`, made with this run's client and clock.
    pub fn proof<'a>(
        &self,
        org: &OrgUrl,
        token: &Token,
        scopes: &'a [String],
        profile: Option<&'a Profile>,
    ) -> Proof<'a> {
        Proof {
            org: org.clone(),
            token: token.clone(),
            scopes,
            profile,
            notes: Vec::new(),
            http: self.http.clone(),
            clock: self.clock,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_is_found_among_the_persons_own_as_well_as_the_built_in_ones() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("acme.toml"),
            crate::store::user_profiles::ACME,
        )
        .unwrap();
        let ctx = Ctx {
            profiles_dir: Some(tmp.path().to_path_buf()),
            ..Ctx::default()
        };
        assert_eq!(ctx.profile("acme").unwrap().name, "acme");
        assert_eq!(ctx.profile("git-zen").unwrap().name, "git-zen");
        assert!(Ctx::default().profile("acme").is_err());
    }

    #[tokio::test]
    async fn the_local_store_is_the_one_the_context_names() {
        assert!(matches!(
            Ctx::default().local_store().await,
            Err(LocalStoreError::NoConfigDir)
        ));
        let tmp = tempfile::tempdir().unwrap();
        let ctx = Ctx {
            config_dir: Some(tmp.path().to_path_buf()),
            secret_store: Some(Backend::Memory),
            ..Ctx::default()
        };
        let local = ctx.local_store().await.unwrap();
        assert_eq!(local.store.backend(), Backend::Memory);
    }

    #[test]
    fn a_proof_carries_the_runs_clock_and_client() {
        let at = time::macros::datetime!(2026-12-01 12:00 UTC);
        let ctx = Ctx {
            clock: Clock::fixed(at),
            ..Ctx::default()
        };
        let org = OrgUrl::parse("https://dev.azure.com/contoso").unwrap();
        let token = Token::new("x".repeat(52));
        let proof = ctx.proof(&org, &token, &[], None);
        assert_eq!(proof.clock.now(), at);
        assert_eq!(proof.http.deadline, ctx.http.deadline);
    }
}
