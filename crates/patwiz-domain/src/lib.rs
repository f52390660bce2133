//! Domain logic with no I/O and no UI: organization URLs, the scope catalogue, integration
//! profiles and the token's shape.

pub mod answer;
pub mod checks;
pub mod checksum;
pub mod expiry;
pub mod feed_config;
pub mod git_credential;
pub mod lifecycle;
pub mod org_url;
pub mod profiles;
pub mod scopes;
pub mod secret_scan;
pub mod team_vault;
pub mod text;
pub mod token;

/// The identity Azure DevOps reports for a caller it did not authenticate (an organization with
/// public projects answers a bad token with it).
pub const ANONYMOUS_ID: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";

/// Microsoft retires global ("All accessible organizations") PATs on this date.
pub const GLOBAL_PAT_RETIREMENT: &str = "2026-12-01";
