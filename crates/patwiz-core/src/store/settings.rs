//! Non-secret settings in the platform config directory: per organization the normalised URL,
//! profile, scopes, identity last seen, dates the user gave, last check. Never the token.
//!
//! Written atomically (a fresh private temporary file, fsync, rename) with a schema version. A
//! file that cannot be read, or was written by a newer patwiz, is renamed aside and reported,
//! never overwritten. Every read-modify-write holds an advisory lock on `.settings.lock` in the
//! same directory and re-reads inside it, so parallel runs (20 logins at once, a rotate beside
//! a forget) lose nothing.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::domain::checks::Verdict;
use crate::domain::org_url::{OrgKind, OrgUrl};

/// 2: typed kind, dates, check time and verdict (same spelling on disk as 1, which is migrated).
pub const SCHEMA_VERSION: u32 = 2;
const FILE_NAME: &str = "settings.toml";
const LOCK_NAME: &str = ".settings.lock";
/// How long a run waits for another patwiz to finish writing the settings.
const LOCK_WAIT: Duration = Duration::from_secs(15);
/// A settings file larger than this is not read (it is not patwiz's).
pub const MAX_SETTINGS_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct SavedIdentity {
    pub id: String,
    pub display_name: String,
    pub unique_name: String,
}

time::serde::format_description!(ymd, Date, "[year]-[month]-[day]");

/// One organization's settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct OrgSettings {
    /// The storage key (the same for every spelling of the organization URL).
    pub key: String,
    pub url: String,
    pub name: String,
    pub kind: OrgKind,
    pub profile: String,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub identity: Option<SavedIdentity>,
    /// The secret store the token is in ("Secret Service", "kernel keyring", …).
    #[serde(default)]
    pub store: String,
    /// When the current token was stored (YYYY-MM-DD on disk).
    #[serde(default, with = "ymd::option", skip_serializing_if = "Option::is_none")]
    pub created: Option<Date>,
    /// The expiry date the user chose (YYYY-MM-DD on disk).
    #[serde(default, with = "ymd::option", skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    /// The last live check (RFC 3339 on disk).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_check: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_verdict: Option<Verdict>,
    /// Set while a rotation is under way (cleared when it completes).
    #[serde(default)]
    pub rotating: bool,
    /// The lifecycle API's id of the stored token when patwiz created it (never the secret):
    /// what extends, mends and revokes it later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_id: Option<String>,
    /// Old tokens revoked by a rotation whose end is not yet confirmed (revocation can take up
    /// to an hour): their ids, checked again by `status`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoking: Vec<String>,
    /// The highest REST API version the deployment takes, learned from its refusal (an Azure
    /// DevOps Server without location data): later checks ask for no more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// A token patwiz created whose fate is not settled yet: written down before the token is
/// first used, so that a crash leaves its id to revoke (never its value).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingToken {
    pub org_key: String,
    pub authorization_id: String,
    pub display_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// The team vault the token was made for (`vault://…`), when it was not for this machine's
    /// store: only a rotation of that vault settles it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The process that made it: while it runs, the token is in flight, not left behind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
}

/// How long a run takes at most from creating a token to storing it (a proof, a write): a
/// journal entry older than this is left behind, whatever its process id says now.
const IN_FLIGHT_AT_MOST: time::Duration = time::Duration::hours(1);

impl PendingToken {
    /// Whether the run that made it is over (crashed or killed): its token was never stored by
    /// it, and a cleanup may revoke it. A run still going (another patwiz rotating at the same
    /// moment) is left alone.
    pub fn abandoned(&self, now: OffsetDateTime) -> bool {
        if now - self.created > IN_FLIGHT_AT_MOST {
            return true;
        }
        match self.pid {
            None => true,
            Some(pid) if pid == std::process::id() => false,
            Some(pid) => !patwiz_platform::process::alive(pid),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    pub schema_version: u32,
    #[serde(default, rename = "org")]
    pub orgs: Vec<OrgSettings>,
    #[serde(default, rename = "pending", skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingToken>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            schema_version: SCHEMA_VERSION,
            orgs: Vec::new(),
            pending: Vec::new(),
        }
    }
}

/// What loading found besides the settings themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadNote {
    /// The file could not be read as settings; it was moved to the given path.
    Corrupt { kept_at: PathBuf, reason: String },
    /// The file was written by a newer patwiz; it was moved to the given path.
    FutureVersion { kept_at: PathBuf, version: u32 },
}

impl std::fmt::Display for LoadNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadNote::Corrupt { kept_at, reason } => write!(
                f,
                "the settings file could not be read ({reason}); it was kept as {} and patwiz starts with empty settings (stored tokens are untouched)",
                kept_at.display()
            ),
            LoadNote::FutureVersion { kept_at, version } => write!(
                f,
                "the settings file is from a newer patwiz (schema {version}); it was kept as {} and patwiz starts with empty settings",
                kept_at.display()
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot write settings in {0}: {1}")]
    Write(String, std::io::Error),
    #[error("cannot read settings {0}: {1}")]
    Read(String, std::io::Error),
    #[error(
        "another patwiz has been writing the settings in {0} for {1} s; nothing was changed: try again when it has finished"
    )]
    Busy(String, u64),
}

/// The settings file in `dir`.
pub struct SettingsFile {
    dir: PathBuf,
}

impl SettingsFile {
    pub fn new(dir: impl Into<PathBuf>) -> SettingsFile {
        SettingsFile { dir: dir.into() }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Loads the settings; a missing file is empty settings.
    pub fn load(&self) -> Result<(Settings, Option<LoadNote>), SettingsError> {
        let path = self.path();
        let text = match crate::store::files::read_regular(&path, MAX_SETTINGS_BYTES) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Settings::default(), None));
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                let kept_at = self.set_aside("corrupt")?;
                return Ok((
                    Settings::default(),
                    Some(LoadNote::Corrupt {
                        kept_at,
                        reason: "not UTF-8 text".into(),
                    }),
                ));
            }
            Err(e) => return Err(SettingsError::Read(path.display().to_string(), e)),
        };
        let version = toml::from_str::<toml::Table>(&text)
            .ok()
            .and_then(|t| t.get("schema_version").and_then(|v| v.as_integer()));
        if let Some(version) = version
            && version > i64::from(SCHEMA_VERSION)
        {
            let kept_at = self.set_aside("future")?;
            let version = u32::try_from(version).unwrap_or(u32::MAX);
            return Ok((
                Settings::default(),
                Some(LoadNote::FutureVersion { kept_at, version }),
            ));
        }
        // Stored names came from a server (and the file may have been edited): every string
        // is cleaned of control characters before anything prints it.
        let parsed = toml::from_str::<toml::Value>(&text).and_then(|mut value| {
            crate::domain::text::clean_toml(&mut value);
            if version.is_some_and(|v| v < i64::from(SCHEMA_VERSION)) {
                value.try_into::<v1::Settings>().map(Settings::from)
            } else {
                value.try_into::<Settings>()
            }
        });
        match parsed {
            Ok(settings) => Ok((settings, None)),
            Err(e) => {
                let kept_at = self.set_aside("corrupt")?;
                Ok((
                    Settings::default(),
                    Some(LoadNote::Corrupt {
                        kept_at,
                        reason: e.message().to_string(),
                    }),
                ))
            }
        }
    }

    fn set_aside(&self, why: &str) -> Result<PathBuf, SettingsError> {
        let stamp = OffsetDateTime::now_utc().unix_timestamp();
        let mut kept = self.dir.join(format!("{FILE_NAME}.{why}-{stamp}"));
        let mut n = 1;
        while kept.exists() {
            kept = self.dir.join(format!("{FILE_NAME}.{why}-{stamp}-{n}"));
            n += 1;
        }
        std::fs::rename(self.path(), &kept)
            .map_err(|e| SettingsError::Write(self.dir.display().to_string(), e))?;
        Ok(kept)
    }

    /// Writes the settings atomically: a new private temporary file in the same directory
    /// (created exclusively with an unpredictable name, so no planted file or symlink is
    /// followed), fsync, rename over the old file.
    pub fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        let old = crate::store::files::read_regular(&self.path(), MAX_SETTINGS_BYTES).ok();
        self.write(&render(settings, old.as_deref()))
    }

    fn write(&self, text: &str) -> Result<(), SettingsError> {
        let err = |e| SettingsError::Write(self.dir.display().to_string(), e);
        patwiz_platform::private::create_dir_owner_only(&self.dir).map_err(err)?;
        crate::store::files::replace_whole(
            &self.path(),
            &format!(".{FILE_NAME}.tmp-"),
            text.as_bytes(),
        )
        .map_err(err)
    }

    /// The entry stored under `key`, if the settings can be read and hold one.
    pub fn entry(&self, key: &str) -> Option<OrgSettings> {
        self.load().ok().and_then(|(s, _)| s.get(key).cloned())
    }

    /// Loads, changes and saves in one step, holding the settings lock throughout, so a
    /// parallel run's change is never lost.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut Settings) -> T,
    ) -> Result<(T, Option<LoadNote>), SettingsError> {
        let _lock = self.lock()?;
        let (mut settings, note) = self.load()?;
        let out = change(&mut settings);
        self.save(&settings)?;
        Ok((out, note))
    }

    /// The exclusive advisory lock on `.settings.lock`, waited for at most `LOCK_WAIT`. It is
    /// released when the returned file is dropped (or the process ends, however it ends).
    fn lock(&self) -> Result<std::fs::File, SettingsError> {
        crate::store::files::exclusive_lock(&self.dir.join(LOCK_NAME), LOCK_WAIT).map_err(|e| {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                SettingsError::Busy(self.dir.display().to_string(), LOCK_WAIT.as_secs())
            } else {
                SettingsError::Write(self.dir.display().to_string(), e)
            }
        })
    }
}

/// The fields of an organization patwiz writes; any other key in the file is the user's.
const ORG_FIELDS: [&str; 15] = [
    "key",
    "url",
    "name",
    "kind",
    "profile",
    "scopes",
    "identity",
    "store",
    "created",
    "expires",
    "last_check",
    "last_verdict",
    "rotating",
    "authorization_id",
    "revoking",
];

/// The settings as TOML, editing the existing file rather than rewriting it: keys patwiz does
/// not know (of the file or of an organization) and comments are kept; only patwiz's own fields
/// change.
fn render(settings: &Settings, old: Option<&str>) -> String {
    use toml_edit::{ArrayOfTables, DocumentMut, Item};
    let fresh = toml::to_string_pretty(settings).expect("settings serialise");
    let (Some(Ok(mut doc)), Ok(new)) = (
        old.map(|o| o.parse::<DocumentMut>()),
        fresh.parse::<DocumentMut>(),
    ) else {
        return fresh;
    };
    doc["schema_version"] = new["schema_version"].clone();
    let old_orgs = doc
        .get("org")
        .and_then(Item::as_array_of_tables)
        .cloned()
        .unwrap_or_default();
    let key_of = |t: &toml_edit::Table| t.get("key").and_then(Item::as_str).map(str::to_string);
    let mut merged = ArrayOfTables::new();
    for table in new
        .get("org")
        .and_then(Item::as_array_of_tables)
        .iter()
        .flat_map(|a| a.iter())
    {
        let mut out = old_orgs
            .iter()
            .find(|t| key_of(t) == key_of(table))
            .cloned()
            .unwrap_or_default();
        for field in ORG_FIELDS {
            match table.get(field) {
                Some(item) => {
                    out.insert(field, item.clone());
                }
                None => {
                    out.remove(field);
                }
            }
        }
        merged.push(out);
    }
    if merged.is_empty() {
        doc.remove("org");
    } else {
        doc.insert("org", Item::ArrayOfTables(merged));
    }
    // The journal of created tokens is patwiz's own: written as it is now.
    match new.get("pending") {
        Some(item) => {
            doc.insert("pending", item.clone());
        }
        None => {
            doc.remove("pending");
        }
    }
    doc.to_string()
}

impl Settings {
    pub fn get(&self, key: &str) -> Option<&OrgSettings> {
        self.orgs.iter().find(|o| o.key == key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut OrgSettings> {
        self.orgs.iter_mut().find(|o| o.key == key)
    }

    /// Inserts or replaces the entry with the same key.
    pub fn upsert(&mut self, org: OrgSettings) {
        match self.get_mut(&org.key) {
            Some(existing) => *existing = org,
            None => self.orgs.push(org),
        }
    }

    pub fn remove(&mut self, key: &str) -> bool {
        let before = self.orgs.len();
        self.orgs.retain(|o| o.key != key);
        before != self.orgs.len()
    }
}

/// Schema 1, as earlier patwiz wrote it (strings where 2 has types); read once and migrated, a
/// value that does not parse (an edited date, say) dropped rather than the whole file.
mod v1 {
    use super::{OrgKind, OrgUrl, SavedIdentity};
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Settings {
        #[serde(default, rename = "org")]
        pub orgs: Vec<Org>,
    }

    #[derive(Deserialize)]
    pub struct Org {
        key: String,
        url: String,
        name: String,
        #[serde(default)]
        kind: String,
        #[serde(default)]
        profile: String,
        #[serde(default)]
        scopes: Vec<String>,
        #[serde(default)]
        identity: Option<SavedIdentity>,
        #[serde(default)]
        store: String,
        #[serde(default)]
        created: Option<String>,
        #[serde(default)]
        expires: Option<String>,
        #[serde(default)]
        last_check: Option<String>,
        #[serde(default)]
        last_verdict: Option<String>,
        #[serde(default)]
        rotating: bool,
    }

    impl From<Settings> for super::Settings {
        fn from(old: Settings) -> super::Settings {
            let date = |d: Option<String>| d.and_then(|d| super::parse_date(&d).ok());
            let orgs = old
                .orgs
                .into_iter()
                .map(|o| super::OrgSettings {
                    kind: Deserialize::deserialize(serde::de::value::StrDeserializer::<
                        serde::de::value::Error,
                    >::new(&o.kind))
                    .unwrap_or_else(|_| OrgUrl::parse(&o.url).map_or(OrgKind::Cloud, |u| u.kind())),
                    created: date(o.created),
                    expires: date(o.expires),
                    last_check: o.last_check.and_then(|t| {
                        time::OffsetDateTime::parse(
                            &t,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .ok()
                    }),
                    last_verdict: o.last_verdict.and_then(|v| {
                        Deserialize::deserialize(serde::de::value::StrDeserializer::<
                            serde::de::value::Error,
                        >::new(&v))
                        .ok()
                    }),
                    key: o.key,
                    url: o.url,
                    name: o.name,
                    profile: o.profile,
                    scopes: o.scopes,
                    identity: o.identity,
                    store: o.store,
                    rotating: o.rotating,
                    authorization_id: None,
                    revoking: Vec::new(),
                    api_version: None,
                })
                .collect();
            super::Settings {
                schema_version: super::SCHEMA_VERSION,
                orgs,
                pending: Vec::new(),
            }
        }
    }
}

/// A typed date that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a date; use YYYY-MM-DD, e.g. 2027-05-31")]
pub struct DateError(String);

/// Parses a YYYY-MM-DD date the user typed.
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).map_err(|_| DateError(text.trim().to_string()))
}

pub fn format_date(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format).expect("dates format")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> OrgSettings {
        OrgSettings {
            key: "https://dev.azure.com/contoso".into(),
            url: "https://dev.azure.com/contoso".into(),
            name: "contoso".into(),
            kind: OrgKind::Cloud,
            profile: "git-zen".into(),
            scopes: vec!["vso.code".into()],
            expires: Some(time::macros::date!(2027 - 01 - 31)),
            ..Default::default()
        }
    }

    #[test]
    fn round_trips_atomically_and_never_holds_a_token() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path());
        assert_eq!(file.load().unwrap().0, Settings::default());
        file.update(|s| s.upsert(sample())).unwrap();
        let (loaded, note) = file.load().unwrap();
        assert!(note.is_none());
        assert_eq!(loaded.orgs, vec![sample()]);
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                std::ffi::OsString::from(".settings.lock"),
                std::ffi::OsString::from("settings.toml")
            ],
            "no temporary file left behind"
        );
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(text.contains("schema_version = 2"));
    }

    #[test]
    fn the_settings_and_their_folder_are_the_owners_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path().join("patwiz"));
        file.update(|s| s.upsert(sample())).unwrap();
        assert!(patwiz_platform::private::is_owner_only(&file.path()).unwrap());
        assert!(patwiz_platform::private::is_owner_only(&dir.path().join("patwiz")).unwrap());
    }

    #[test]
    fn a_reader_of_the_old_settings_never_sees_part_of_the_new() {
        // The atomic replace, as Windows does it too (std opens files sharing delete, so the
        // rename over an open file succeeds): the reader keeps the old file whole, a new
        // reader gets the new one whole, nothing is left beside them.
        use std::io::Read as _;
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path());
        file.update(|s| s.upsert(sample())).unwrap();
        let old = std::fs::read_to_string(file.path()).unwrap();
        let mut reader = std::fs::File::open(file.path()).unwrap();
        let mut other = sample();
        other.key = "https://dev.azure.com/fabrikam".into();
        other.url = other.key.clone();
        file.update(|s| s.upsert(other.clone())).unwrap();
        let mut kept = String::new();
        reader.read_to_string(&mut kept).unwrap();
        assert_eq!(kept, old, "the open reader reads the old file whole");
        let (now, note) = file.load().unwrap();
        assert!(note.is_none(), "{note:?}");
        assert_eq!(now.orgs.len(), 2);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn every_field_patwiz_writes_survives_the_comment_keeping_rewrite() {
        // A field missing from the rewrite would be silently dropped: the token's id, the
        // journal of created tokens (crash safety) and the revocations to confirm among them.
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path());
        file.update(|s| s.upsert(sample())).unwrap();
        let pending = PendingToken {
            org_key: "https://dev.azure.com/contoso".into(),
            authorization_id: "4311dfa1-a3f4-4a7e-8d15-19a5b9b5c0d5".into(),
            display_name: "Git-Zen Integration (patwiz · contoso · 7f3a)".into(),
            created: time::macros::datetime!(2026-12-01 10:00 UTC),
            target: Some("vault://secret/ado/git-zen".into()),
            pid: Some(4242),
        };
        file.update(|s| {
            s.pending.push(pending.clone());
            let org = s.get_mut("https://dev.azure.com/contoso").unwrap();
            org.authorization_id = Some("a".into());
            org.revoking = vec!["b".into()];
        })
        .unwrap();
        let (loaded, _) = file.load().unwrap();
        assert_eq!(loaded.pending, vec![pending]);
        let org = loaded.get("https://dev.azure.com/contoso").unwrap();
        assert_eq!(org.authorization_id.as_deref(), Some("a"));
        assert_eq!(org.revoking, ["b"]);
        file.update(|s| s.pending.clear()).unwrap();
        assert!(file.load().unwrap().0.pending.is_empty());
        assert!(
            !std::fs::read_to_string(file.path())
                .unwrap()
                .contains("[[pending]]")
        );
    }

    #[test]
    fn unknown_fields_and_comments_survive_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path());
        file.update(|s| s.upsert(sample())).unwrap();
        let text = std::fs::read_to_string(file.path()).unwrap();
        let edited = format!(
            "# my notes about these tokens\nteam = \"platform\"\n{}",
            text.replacen(
                "profile = \"git-zen\"",
                "profile = \"git-zen\"\nowner = \"ops@contoso.com\" # who rotates it",
                1
            )
        );
        std::fs::write(file.path(), edited).unwrap();
        file.update(|s| {
            s.get_mut("https://dev.azure.com/contoso").unwrap().expires =
                Some(time::macros::date!(2028 - 01 - 31));
            s.upsert(OrgSettings {
                key: "https://dev.azure.com/fabrikam".into(),
                ..sample()
            });
        })
        .unwrap();
        let after = std::fs::read_to_string(file.path()).unwrap();
        for kept in [
            "# my notes about these tokens",
            "team = \"platform\"",
            "owner = \"ops@contoso.com\"",
            "# who rotates it",
            "2028-01-31",
            "https://dev.azure.com/fabrikam",
        ] {
            assert!(after.contains(kept), "{kept} lost:\n{after}");
        }
        let (loaded, note) = file.load().unwrap();
        assert!(note.is_none());
        assert_eq!(loaded.orgs.len(), 2);
        file.update(|s| {
            s.remove("https://dev.azure.com/fabrikam");
            s.get_mut("https://dev.azure.com/contoso").unwrap().expires = None;
        })
        .unwrap();
        let last = std::fs::read_to_string(file.path()).unwrap();
        assert!(
            !last.contains("fabrikam") && !last.contains("expires"),
            "{last}"
        );
        assert!(last.contains("owner = \"ops@contoso.com\""), "{last}");
    }

    #[test]
    fn parallel_updates_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let threads: Vec<_> = (0..20)
            .map(|i| {
                let path = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    let file = SettingsFile::new(path);
                    file.update(|s| {
                        s.upsert(OrgSettings {
                            key: format!("https://dev.azure.com/org{i}"),
                            ..sample()
                        })
                    })
                    .unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let (settings, note) = SettingsFile::new(dir.path()).load().unwrap();
        assert!(note.is_none(), "{note:?}");
        assert_eq!(settings.orgs.len(), 20, "every parallel update is kept");
    }

    #[test]
    fn a_planted_symlink_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        let file = SettingsFile::new(dir.path().join("config"));
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        patwiz_platform::no_follow::symlink_file(&victim, &file.path()).unwrap();
        // A symlink where the settings file should be is not settings: it is never followed,
        // and the atomic replace (rename over it) puts the settings where the link was.
        let _ = file.update(|s| s.upsert(sample()));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        file.update(|s| s.upsert(sample())).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        let meta = std::fs::symlink_metadata(file.path()).unwrap();
        assert!(meta.is_file(), "the link was replaced by the settings file");
        assert_eq!(file.load().unwrap().0.orgs, vec![sample()]);
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path());
        std::fs::write(file.path(), "this is [not toml").unwrap();
        let (settings, note) = file.load().unwrap();
        assert_eq!(settings, Settings::default());
        let Some(LoadNote::Corrupt { kept_at, .. }) = note else {
            panic!("{note:?}")
        };
        assert_eq!(
            std::fs::read_to_string(&kept_at).unwrap(),
            "this is [not toml"
        );
        assert!(!file.path().exists());
    }

    #[test]
    fn a_future_version_is_kept_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path());
        std::fs::write(file.path(), "schema_version = 9\n[[org]]\nkey = \"x\"\n").unwrap();
        let (_, note) = file.load().unwrap();
        let Some(LoadNote::FutureVersion {
            kept_at,
            version: 9,
        }) = note
        else {
            panic!("{note:?}")
        };
        assert!(
            std::fs::read_to_string(kept_at)
                .unwrap()
                .contains("schema_version = 9")
        );
        assert!(
            file.load().unwrap().1.is_none(),
            "after setting aside, the next load starts clean"
        );
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(format_date(parse_date("2027-05-31").unwrap()), "2027-05-31");
        assert!(
            parse_date("31/05/2027")
                .unwrap_err()
                .to_string()
                .contains("YYYY-MM-DD")
        );
        assert!(parse_date("2027-02-30").is_err());
    }

    #[test]
    fn a_schema_1_file_is_migrated_not_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path());
        std::fs::write(
            file.path(),
            "schema_version = 1\n# mine\n[[org]]\nkey = \"https://dev.azure.com/contoso\"\nurl = \"https://dev.azure.com/contoso\"\nname = \"contoso\"\nkind = \"cloud\"\nprofile = \"git-zen\"\nscopes = [\"vso.code\"]\ncreated = \"2026-11-01\"\nexpires = \"not a date\"\nlast_check = \"2026-11-02T10:00:00Z\"\nlast_verdict = \"missing-scopes\"\nteam = \"blue\"\n",
        )
        .unwrap();
        let (settings, note) = file.load().unwrap();
        assert!(note.is_none(), "{note:?}");
        let org = &settings.orgs[0];
        assert_eq!(org.kind, OrgKind::Cloud);
        assert_eq!(org.created, Some(time::macros::date!(2026 - 11 - 01)));
        assert_eq!(
            org.expires, None,
            "an unreadable date is dropped, not the file"
        );
        assert_eq!(org.last_verdict, Some(Verdict::MissingScopes));
        assert_eq!(
            org.last_check.map(|t| t.unix_timestamp()),
            Some(time::macros::datetime!(2026-11-02 10:00 UTC).unix_timestamp())
        );
        file.update(|_| ()).unwrap();
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(text.contains("schema_version = 2"), "{text}");
        assert!(
            text.contains("# mine") && text.contains("team = \"blue\""),
            "{text}"
        );
        assert_eq!(file.load().unwrap().0, settings);
    }

    #[test]
    fn a_journal_entry_is_left_behind_once_its_run_is_over_or_an_hour_old() {
        let now = OffsetDateTime::now_utc();
        let entry = |pid: Option<u32>, minutes: i64| PendingToken {
            org_key: "k".into(),
            authorization_id: "a".into(),
            display_name: "n".into(),
            created: now - time::Duration::minutes(minutes),
            target: None,
            pid,
        };
        assert!(
            !entry(Some(std::process::id()), 1).abandoned(now),
            "this run"
        );
        assert!(entry(None, 1).abandoned(now), "from before pids were kept");
        assert!(
            entry(Some(std::process::id()), 61).abandoned(now),
            "too old"
        );
        if cfg!(target_os = "linux") {
            let mut child = std::process::Command::new("true").spawn().unwrap();
            let gone = child.id();
            child.wait().unwrap();
            assert!(entry(Some(gone), 1).abandoned(now), "its process has ended");
        }
    }
}
