//! A team's vault as the home of a proven token: where (`vault://MOUNT/PATH`, a HashiCorp Vault or
//! OpenBao KV v2 secret), and the non-secret facts a rotation and a fleet view need, kept beside
//! the secret in the vault's own metadata. Pure: parsing and shaping, no I/O.

use std::collections::BTreeMap;

/// Where a token goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A KV version 2 secret: its mount and the path under it (no leading or trailing slash).
    KvV2 { mount: String, path: String },
    /// An entry of `pass`, the standard Unix password manager (its name in the store).
    Pass { path: String },
    /// An Azure Key Vault secret: the vault's URL (`https://NAME.vault.azure.net`) and the
    /// secret's name (letters, digits and dashes).
    KeyVault { vault: String, name: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "\"{0}\" is not a vault address patwiz knows: use vault://MOUNT/PATH (HashiCorp Vault or OpenBao KV version 2, at VAULT_ADDR), keyvault://VAULT/SECRET (Azure Key Vault) or pass://PATH (the pass password store)"
    )]
    Unknown(String),
    #[error("{0} names no secret: use vault://MOUNT/PATH, for example vault://secret/ado/git-zen")]
    NoPath(String),
    #[error("{0}: a path segment may not be empty, \".\" or \"..\"")]
    BadSegment(String),
}

impl Target {
    /// `vault://MOUNT/PATH` (or `openbao://…`); with `allow_prefix`, PATH may be empty (a fleet
    /// view of everything under the mount).
    pub fn parse(text: &str, allow_prefix: bool) -> Result<Target, TargetError> {
        let trimmed = text.trim();
        let bad = |s: &str| {
            s.is_empty()
                || s == "."
                || s == ".."
                || s.chars()
                    .any(|c| c.is_control() || c == '?' || c == '#' || c == '\\')
        };
        if let Some(rest) = trimmed.strip_prefix("pass://") {
            let path = rest.trim_matches('/');
            if path.is_empty() && !allow_prefix {
                return Err(TargetError::NoPath(trimmed.to_string()));
            }
            if !path.is_empty() && path.split('/').any(bad) {
                return Err(TargetError::BadSegment(trimmed.to_string()));
            }
            return Ok(Target::Pass {
                path: path.to_string(),
            });
        }
        if let Some(rest) = trimmed.strip_prefix("keyvault://") {
            let (vault, name) = rest
                .trim_matches('/')
                .split_once('/')
                .unwrap_or((rest.trim_matches('/'), ""));
            let valid_vault = !vault.is_empty()
                && vault.len() <= 24
                && vault.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !valid_vault {
                return Err(TargetError::BadSegment(trimmed.to_string()));
            }
            return key_vault(
                format!("https://{vault}.vault.azure.net"),
                name,
                trimmed,
                allow_prefix,
            );
        }
        if let Ok(url) = url::Url::parse(trimmed)
            && url.scheme() == "https"
        {
            let origin = url.origin().ascii_serialization();
            let path = url.path().trim_matches('/');
            let name = match path.strip_prefix("secrets") {
                Some(rest) => rest.trim_matches('/'),
                None if path.is_empty() => "",
                None => return Err(TargetError::Unknown(trimmed.to_string())),
            };
            return key_vault(origin, name, trimmed, allow_prefix);
        }
        let rest = ["vault://", "openbao://", "bao://"]
            .iter()
            .find_map(|scheme| trimmed.strip_prefix(scheme))
            .ok_or_else(|| TargetError::Unknown(trimmed.to_string()))?;
        let rest = rest.trim_matches('/');
        let (mount, path) = rest.split_once('/').unwrap_or((rest, ""));
        if mount.is_empty() || (path.is_empty() && !allow_prefix) {
            return Err(TargetError::NoPath(trimmed.to_string()));
        }
        if bad(mount) || (!path.is_empty() && path.split('/').any(bad)) {
            return Err(TargetError::BadSegment(trimmed.to_string()));
        }
        Ok(Target::KvV2 {
            mount: mount.to_string(),
            path: path.to_string(),
        })
    }

    /// As the person wrote it, normalised: `vault://secret/ado/git-zen`.
    pub fn display(&self) -> String {
        match self {
            Target::KvV2 { mount, path } if path.is_empty() => format!("vault://{mount}"),
            Target::KvV2 { mount, path } => format!("vault://{mount}/{path}"),
            Target::Pass { path } => format!("pass://{path}"),
            Target::KeyVault { vault, name } if name.is_empty() => vault.clone(),
            Target::KeyVault { vault, name } => format!("{vault}/secrets/{name}"),
        }
    }
}

/// A Key Vault target: the vault's origin and a secret name Key Vault takes (1–127 letters,
/// digits and dashes).
fn key_vault(
    vault: String,
    name: &str,
    text: &str,
    allow_prefix: bool,
) -> Result<Target, TargetError> {
    if name.is_empty() && !allow_prefix {
        return Err(TargetError::NoPath(text.to_string()));
    }
    let valid = name.len() <= 127 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid {
        return Err(TargetError::BadSegment(format!(
            "{text} (a Key Vault secret's name has only letters, digits and dashes)"
        )));
    }
    Ok(Target::KeyVault {
        vault,
        name: name.to_string(),
    })
}

/// The facts kept beside a token (never the token): what a rotation and a fleet view need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub org_url: String,
    pub profile: String,
    /// The scopes proven, space-separated as Azure DevOps writes them.
    pub scopes: Vec<String>,
    /// The token's expiry date (YYYY-MM-DD), when known.
    pub expires: Option<String>,
    /// The lifecycle API's id of the token, when patwiz created it.
    pub authorization_id: Option<String>,
    /// Microsoft's cross-company correlating id of the token.
    pub fingerprint: String,
    /// Whose token it is (the identity Azure DevOps named).
    pub owner: Option<String>,
    /// The last verdict ("pass", "missing-scopes", …) and when (RFC 3339).
    pub verdict: String,
    pub checked_at: String,
    /// The token this one replaced, while its revocation is not confirmed.
    pub replaced: Option<Replaced>,
}

/// A replaced token whose revocation patwiz asked for and has not yet seen take effect: the
/// store keeps it (a KV version, a Key Vault version) until Azure DevOps refuses it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replaced {
    /// Its id in the lifecycle API.
    pub authorization_id: String,
    /// Where the store still holds it: a KV version number, a Key Vault version id; empty when
    /// the store keeps no earlier value patwiz can read (pass).
    pub version: String,
    /// When its revocation was asked for (RFC 3339).
    pub revoked_at: String,
}

/// How long Azure DevOps may take to stop accepting a revoked token, as Microsoft documents it.
pub const REVOCATION_LAG: time::Duration = time::Duration::hours(1);

/// What became of a replaced token, as far as a check can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplacedState {
    /// Azure DevOps refuses it: revoked for good.
    Dead,
    /// Still accepted, within the hour revocation may take.
    Lagging,
    /// Still accepted more than an hour after its revocation was asked for: something failed
    /// (the revocation, or it belongs to someone else), and the person must act.
    StillWorks,
    /// Not checked: the store keeps no earlier value to try (pass), or the check failed.
    Unknown,
    /// The store's copy is gone (someone destroyed or disabled it): nothing is left to keep
    /// and nothing to check it with.
    Gone,
}

impl ReplacedState {
    /// From whether Azure DevOps still accepts the replaced token (`None`: not known) and how
    /// long ago its revocation was asked for.
    pub fn of(
        accepted: Option<bool>,
        revoked_at: Option<time::OffsetDateTime>,
        now: time::OffsetDateTime,
    ) -> ReplacedState {
        match accepted {
            Some(false) => ReplacedState::Dead,
            None => ReplacedState::Unknown,
            Some(true) => match revoked_at {
                Some(at) if now - at <= REVOCATION_LAG => ReplacedState::Lagging,
                _ => ReplacedState::StillWorks,
            },
        }
    }

    /// In words, for the fleet table and the rotation's last line.
    pub fn words(self) -> &'static str {
        match self {
            ReplacedState::Dead => "revoked: Azure DevOps no longer accepts it",
            ReplacedState::Lagging => {
                "revoked, still accepted for now (Azure DevOps can take up to an hour)"
            }
            ReplacedState::StillWorks => {
                "still accepted more than an hour after its revocation: revoke it in Azure DevOps as its owner (User settings → Personal access tokens)"
            }
            ReplacedState::Unknown => "revocation asked for; not confirmed",
            ReplacedState::Gone => {
                "its copy is no longer in the vault, so patwiz cannot check it (`patwiz tokens` lists what is still active)"
            }
        }
    }
}

const KEYS: [&str; 13] = [
    "org_url",
    "profile",
    "scopes",
    "expires",
    "authorization_id",
    "c3id",
    "owner",
    "last_verdict",
    "last_checked",
    "written_by",
    "replaced_id",
    "replaced_version",
    "replaced_revoked_at",
];

/// A store's version id as the facts keep it: a KV version number or a Key Vault version id
/// (32 hex digits, which a message filter would take for a token), else nothing.
fn version_id(text: Option<&String>) -> String {
    text.map(|t| t.trim())
        .filter(|t| !t.is_empty() && t.len() <= 64 && t.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_string)
        .unwrap_or_default()
}

/// Whether a token may go to `org` because a vault's facts name it. The facts are data anyone
/// with write access to the vault (or only to its metadata) can change, so they may send a
/// token only to Azure DevOps' own hosts; an Azure DevOps Server only when the person named
/// its host (`trusted`), a port of this machine only when the person named that very port
/// (`127.0.0.1:8080`: on a shared machine any local user can listen on another one), and a
/// look-alike of Azure DevOps' hosts never.
pub fn may_receive(org: &super::org_url::OrgUrl, trusted: &[String]) -> Result<(), NotSent> {
    use super::org_url::OrgKind;
    let named = |what: &str| {
        trusted
            .iter()
            .any(|t| named_authority(t).eq_ignore_ascii_case(what))
    };
    let host = org.url().host_str().unwrap_or_default();
    if org.is_loopback() {
        let port = org.url().port_or_known_default().unwrap_or_default();
        let authority = format!("{host}:{port}");
        if named(&authority) {
            return Ok(());
        }
        return Err(NotSent::UnnamedPort {
            org: org.to_string(),
            authority,
        });
    }
    if org.kind() != OrgKind::Server {
        return Ok(());
    }
    if let Some(why) = org.lookalike() {
        return Err(NotSent::LookAlike {
            org: org.to_string(),
            why: why.to_string(),
        });
    }
    if named(host) {
        return Ok(());
    }
    Err(NotSent::UnnamedServer {
        org: org.to_string(),
        host: host.to_string(),
    })
}

/// Why a vault's facts may not send its token where they say ([`may_receive`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotSent {
    #[error(
        "the facts beside it name {org}, a port on this machine: patwiz sends a team's token to a local port only when you name that port ({authority}); no token was sent there"
    )]
    UnnamedPort { org: String, authority: String },
    #[error("the facts beside it name {org}, and {why}; no token was sent there")]
    LookAlike { org: String, why: String },
    #[error(
        "the facts beside it name {org}, an Azure DevOps Server: patwiz sends a team's token to a server only when you name its host ({host}); no token was sent there"
    )]
    UnnamedServer { org: String, host: String },
}

/// What a person typed to name a server or a port (`tfs.example.com`, `127.0.0.1:8080`, or a
/// URL such as `http://127.0.0.1:8080/demo`) as `host` or `host:port`.
fn named_authority(text: &str) -> String {
    let text = text.trim();
    match url::Url::parse(text) {
        Ok(url) if url.host_str().is_some() && text.contains("://") => {
            let host = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{host}:{port}"),
                None if super::org_url::is_loopback(&url) => {
                    format!("{host}:{}", url.port_or_known_default().unwrap_or_default())
                }
                None => host.to_string(),
            }
        }
        _ => text.trim_end_matches('/').to_string(),
    }
}

/// Whether `key` is one of the facts patwiz keeps (not one of the team's own keys).
pub fn is_fact_key(key: &str) -> bool {
    KEYS.contains(&key)
}

impl Facts {
    /// As KV v2 `custom_metadata`: string values only, each within the vault's 512 bytes.
    pub fn to_metadata(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                out.insert(k.to_string(), v.chars().take(512).collect());
            }
        };
        put("org_url", &self.org_url);
        put("profile", &self.profile);
        put("scopes", &self.scopes.join(" "));
        put("expires", self.expires.as_deref().unwrap_or_default());
        put(
            "authorization_id",
            self.authorization_id.as_deref().unwrap_or_default(),
        );
        put("c3id", &self.fingerprint);
        put("owner", self.owner.as_deref().unwrap_or_default());
        put("last_verdict", &self.verdict);
        put("last_checked", &self.checked_at);
        put(
            "written_by",
            &format!("patwiz {}", env!("CARGO_PKG_VERSION")),
        );
        if let Some(r) = &self.replaced {
            put("replaced_id", &r.authorization_id);
            put("replaced_version", &r.version);
            put("replaced_revoked_at", &r.revoked_at);
        }
        out
    }

    /// Back from `custom_metadata`; keys patwiz does not write are the team's and are ignored.
    pub fn from_metadata(meta: &BTreeMap<String, String>) -> Facts {
        let get = |k: &str| {
            meta.get(k)
                .map(|v| super::text::safe_message(v))
                .unwrap_or_default()
        };
        let some = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
        Facts {
            org_url: get("org_url"),
            profile: get("profile"),
            scopes: get("scopes")
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            expires: some("expires"),
            authorization_id: some("authorization_id"),
            fingerprint: get("c3id"),
            owner: some("owner"),
            verdict: get("last_verdict"),
            checked_at: get("last_checked"),
            replaced: some("replaced_id").map(|authorization_id| Replaced {
                authorization_id,
                version: version_id(meta.get("replaced_version")),
                revoked_at: get("replaced_revoked_at"),
            }),
        }
    }

    /// Metadata that is not patwiz's (the team's own keys), kept when patwiz writes its own.
    pub fn others(meta: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        meta.iter()
            .filter(|(k, _)| !is_fact_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_refuse_what_is_not_a_secret_path() {
        assert_eq!(
            Target::parse("vault://secret/ado/git-zen", false).unwrap(),
            Target::KvV2 {
                mount: "secret".into(),
                path: "ado/git-zen".into()
            }
        );
        assert_eq!(
            Target::parse(" openbao://kv/team/ ", false)
                .unwrap()
                .display(),
            "vault://kv/team"
        );
        assert!(matches!(
            Target::parse("vault://secret", false),
            Err(TargetError::NoPath(_))
        ));
        assert_eq!(
            Target::parse("vault://secret/", true).unwrap().display(),
            "vault://secret"
        );
        assert!(matches!(
            Target::parse("vault://secret/a/../b", false),
            Err(TargetError::BadSegment(_))
        ));
        assert_eq!(
            Target::parse("pass://ado/contoso/git-zen", false).unwrap(),
            Target::Pass {
                path: "ado/contoso/git-zen".into()
            }
        );
        assert!(matches!(
            Target::parse("pass://../etc", false),
            Err(TargetError::BadSegment(_))
        ));
        assert_eq!(
            Target::parse("keyvault://team-kv/ado-git-zen", false).unwrap(),
            Target::KeyVault {
                vault: "https://team-kv.vault.azure.net".into(),
                name: "ado-git-zen".into()
            }
        );
        assert_eq!(
            Target::parse("https://127.0.0.1:8443/secrets/ado-git-zen", false)
                .unwrap()
                .display(),
            "https://127.0.0.1:8443/secrets/ado-git-zen"
        );
        assert!(matches!(
            Target::parse("keyvault://team-kv/ado/git-zen", false),
            Err(TargetError::BadSegment(_))
        ));
        assert!(matches!(
            Target::parse("s3://bucket/x", false),
            Err(TargetError::Unknown(_))
        ));
    }

    #[test]
    fn facts_round_trip_through_metadata_and_the_teams_keys_are_kept_apart() {
        let facts = Facts {
            org_url: "https://dev.azure.com/contoso".into(),
            profile: "git-zen".into(),
            scopes: vec!["vso.code".into(), "vso.work_write".into()],
            expires: Some("2027-05-31".into()),
            authorization_id: None,
            fingerprint: "abcdefghijklmnopqrst".into(),
            owner: Some("svc@contoso.com".into()),
            verdict: "pass".into(),
            checked_at: "2026-12-01T10:00:00Z".into(),
            replaced: None,
        };
        let mut meta = facts.to_metadata();
        assert_eq!(meta["scopes"], "vso.code vso.work_write");
        assert!(
            !meta.contains_key("authorization_id"),
            "empty facts are left out"
        );
        meta.insert("team".into(), "payments".into());
        assert_eq!(Facts::from_metadata(&meta), facts);
        assert_eq!(
            Facts::others(&meta).into_iter().collect::<Vec<_>>(),
            [("team".to_string(), "payments".to_string())]
        );
        let replacing = Facts {
            replaced: Some(Replaced {
                authorization_id: "0b0e".into(),
                version: "3".into(),
                revoked_at: "2026-12-01T10:00:00Z".into(),
            }),
            ..facts
        };
        let meta = replacing.to_metadata();
        assert_eq!(meta["replaced_version"], "3");
        assert_eq!(Facts::from_metadata(&meta), replacing);
        // A Key Vault version id survives (32 hex digits look token-shaped to a message
        // filter); anything else in its place is dropped, not carried to a URL.
        let mut meta = meta;
        meta.insert(
            "replaced_version".into(),
            "0123456789abcdef0123456789abcdef".into(),
        );
        let read = Facts::from_metadata(&meta).replaced.unwrap();
        assert_eq!(read.version, "0123456789abcdef0123456789abcdef");
        meta.insert("replaced_version".into(), "../../x?y".into());
        assert_eq!(Facts::from_metadata(&meta).replaced.unwrap().version, "");
        assert!(
            Facts::others(&meta).is_empty(),
            "the replaced token's facts are patwiz's own"
        );
    }

    #[test]
    fn a_replaced_token_is_dead_lagging_or_a_problem_after_the_hour() {
        let now = time::macros::datetime!(2026-12-01 12:00 UTC);
        let asked = |minutes: i64| Some(now - time::Duration::minutes(minutes));
        assert_eq!(
            ReplacedState::of(Some(false), asked(1), now),
            ReplacedState::Dead
        );
        assert_eq!(
            ReplacedState::of(Some(true), asked(59), now),
            ReplacedState::Lagging
        );
        assert_eq!(
            ReplacedState::of(Some(true), asked(61), now),
            ReplacedState::StillWorks
        );
        assert_eq!(
            ReplacedState::of(Some(true), None, now),
            ReplacedState::StillWorks,
            "no date: nothing vouches for a lag"
        );
        assert_eq!(
            ReplacedState::of(None, asked(500), now),
            ReplacedState::Unknown
        );
    }

    #[test]
    fn a_vaults_facts_send_a_token_only_to_azure_devops_this_machine_or_a_named_server() {
        use crate::org_url::OrgUrl;
        let org = |u: &str| OrgUrl::parse(u).unwrap();
        assert!(may_receive(&org("https://dev.azure.com/contoso"), &[]).is_ok());
        assert!(may_receive(&org("https://contoso.visualstudio.com"), &[]).is_ok());
        // A port on this machine only as named: another local user may listen on any other.
        let local = org("http://127.0.0.1:8080/demo");
        assert!(may_receive(&local, &[]).is_err());
        assert!(may_receive(&local, &["127.0.0.1:9090".into()]).is_err());
        assert!(may_receive(&local, &["127.0.0.1".into()]).is_err());
        assert!(may_receive(&local, &["127.0.0.1:8080".into()]).is_ok());
        assert!(may_receive(&local, &["http://127.0.0.1:8080/demo".into()]).is_ok());
        assert!(may_receive(&local, &["http://127.0.0.1:9090/demo".into()]).is_err());
        let server = org("https://tfs.contoso.local/tfs/DefaultCollection");
        let refused = may_receive(&server, &[]).unwrap_err().to_string();
        assert!(refused.contains("(tfs.contoso.local)"), "{refused}");
        assert!(may_receive(&server, &["TFS.contoso.local".into()]).is_ok());
        assert!(
            may_receive(
                &server,
                &["https://tfs.contoso.local/tfs/DefaultCollection".into()]
            )
            .is_ok()
        );
        let lookalike = org("https://dev.azure.com.evil.example/contoso");
        assert!(may_receive(&lookalike, &["dev.azure.com.evil.example".into()]).is_err());
    }
}

/// How far a listing of a vault goes: a vault whose folders list more folders forever, or a
/// page that names a next page forever, is read this far and no further.
pub const LIST_DEPTH: usize = 10;
/// The most names (secrets and folders together) a listing reads.
pub const LIST_ENTRIES: usize = 10_000;
/// The most pages of one listing.
pub const LIST_PAGES: usize = 200;
/// The longest a listing takes.
pub const LIST_SECONDS: u64 = 60;

/// The secrets a listing found, and what it did not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub paths: Vec<String>,
    pub unread: Option<Unread>,
}

impl Listing {
    pub fn whole(paths: Vec<String>) -> Listing {
        Listing {
            paths,
            unread: None,
        }
    }
}

/// Why a listing stopped before the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unread {
    /// Folders deeper than [`LIST_DEPTH`] below the prefix.
    Deeper,
    /// More than [`LIST_ENTRIES`] names.
    MoreNames,
    /// More than [`LIST_PAGES`] pages.
    MorePages,
    /// Longer than [`LIST_SECONDS`].
    Slower,
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unread::Deeper => write!(
                f,
                "folders more than {LIST_DEPTH} levels below the prefix were not read"
            ),
            Unread::MoreNames => write!(
                f,
                "the vault lists more than {LIST_ENTRIES} names there; the rest were not read"
            ),
            Unread::MorePages => write!(
                f,
                "the vault's list went on for more than {LIST_PAGES} pages; the rest were not read"
            ),
            Unread::Slower => write!(
                f,
                "listing took longer than {LIST_SECONDS} seconds; what it had not reached by then was not read"
            ),
        }
    }
}
