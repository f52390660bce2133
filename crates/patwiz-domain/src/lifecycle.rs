//! The PAT lifecycle API's records and refusals (Microsoft's `tokens` REST spec, 7.1-preview.1
//! and 7.2): what a PAT record says, and every `patTokenError` as a person needs it — what the
//! policy is, who can change it, and what to do now. Pure: no I/O.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The API version every client of the lifecycle API sends (the spec's).
pub const API_VERSION: &str = "7.1-preview.1";

/// The Azure DevOps resource an Entra access token must be for.
pub const ADO_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

/// The delegated scopes the lifecycle API takes (release notes, sprint 257).
pub const PAT_SCOPES: [&str; 2] = [
    "499b84ac-1321-427f-aa17-267ca6975798/vso.pats",
    "499b84ac-1321-427f-aa17-267ca6975798/vso.pats_manage",
];

/// One PAT as the API describes it (its value only in the answer to Create, once).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PatRecord {
    pub authorization_id: String,
    pub display_name: String,
    /// Space-separated scope ids; "app_token" is Full access.
    #[serde(default)]
    pub scope: String,
    /// The organizations' ids it works for; null is a global ("All accessible organizations")
    /// token.
    #[serde(default)]
    pub target_accounts: Option<Vec<String>>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub valid_from: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub valid_to: Option<OffsetDateTime>,
}

impl PatRecord {
    pub fn scopes(&self) -> Vec<&str> {
        self.scope.split_whitespace().collect()
    }

    pub fn is_global(&self) -> bool {
        self.target_accounts.is_none()
    }

    pub fn is_full_access(&self) -> bool {
        self.scopes().contains(&crate::scopes::FULL_ACCESS)
    }
}

/// Why the service refused (or changed) a lifecycle request: a `patTokenError` other than
/// `none`, in a 200 answer with no token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The organization restricts who may create or regenerate PATs (allowlist).
    CreationRestricted,
    /// Global ("All accessible organizations") PATs may not be created.
    GlobalBlocked,
    /// The tenant forbids Full-access PATs.
    FullScopeForbidden,
    /// The tenant caps a PAT's life and the date asked was past it (the refusal form).
    LifespanTooLong,
    /// An expired PAT cannot be extended or changed (since 2026-03-31).
    ExpiredCannotBeExtended,
    InvalidScope,
    InvalidValidTo,
    NotFound,
    /// Access denied without a named policy (read by others as the creation restriction).
    AccessDenied,
    /// The organization's or tenant's policy could not be read.
    PolicyUnreadable,
    /// Anything the spec adds later, by its name.
    Other(String),
}

/// A refusal explained: what happened, who can change it, what to do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    pub what: String,
    pub who: String,
    pub now: String,
}

impl Refusal {
    /// The `patTokenError` value, or `None` for "none".
    pub fn parse(name: &str) -> Option<Refusal> {
        let lower = name.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "" | "none" => return None,
            "disablepatcreationpolicyviolation" => Refusal::CreationRestricted,
            "globalpatcreationblocked" | "globalpatpolicyviolation" | "globalpatusagedisabled" => {
                Refusal::GlobalBlocked
            }
            "fullscopepatpolicyviolation" => Refusal::FullScopeForbidden,
            "patlifespanpolicyviolation" => Refusal::LifespanTooLong,
            "expiredpatcannotbeextended" => Refusal::ExpiredCannotBeExtended,
            "invalidscope" => Refusal::InvalidScope,
            "invalidvalidto" => Refusal::InvalidValidTo,
            "tokennotfound" | "invalidauthorizationid" => Refusal::NotFound,
            "accessdenied" => Refusal::AccessDenied,
            "failedtoreadorgpolicy" | "failedtoreadtenantpolicy" => Refusal::PolicyUnreadable,
            _ => Refusal::Other(name.trim().to_string()),
        })
    }

    /// The name the service used (for JSON and tickets).
    pub fn name(&self) -> String {
        match self {
            Refusal::CreationRestricted => "disablePatCreationPolicyViolation".into(),
            Refusal::GlobalBlocked => "globalPATCreationBlocked".into(),
            Refusal::FullScopeForbidden => "fullScopePatPolicyViolation".into(),
            Refusal::LifespanTooLong => "patLifespanPolicyViolation".into(),
            Refusal::ExpiredCannotBeExtended => "expiredPatCannotBeExtended".into(),
            Refusal::InvalidScope => "invalidScope".into(),
            Refusal::InvalidValidTo => "invalidValidTo".into(),
            Refusal::NotFound => "tokenNotFound".into(),
            Refusal::AccessDenied => "accessDenied".into(),
            Refusal::PolicyUnreadable => "failedToReadOrgPolicy".into(),
            Refusal::Other(name) => name.clone(),
        }
    }

    /// In words, for the panel, the CLI and the report (from the service code catalogue,
    /// `assets/service-codes.toml`). `org` names the organization.
    pub fn explain(&self, org: &str) -> Explained {
        let fill = |text: &str| text.replace("{org}", org);
        match crate::service_codes::lifecycle_error(&self.name()) {
            Some(e) => Explained {
                what: fill(&e.what),
                who: e.who.clone(),
                now: fill(&e.now),
            },
            None => Explained {
                what: format!("Azure DevOps refused with \"{}\".", self.name()),
                who: "—".to_string(),
                now: "Create the token by hand instead: the same scopes, in the browser (patwiz lists them and proves the result).".to_string(),
            },
        }
    }
}

/// When the tenant's maximum lifespan capped the expiry instead of refusing it (the 7.2 spec's
/// form): the date asked and the date given, to be shown, never hidden.
pub fn capped(asked: OffsetDateTime, given: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    let given = given?;
    // A day's slack: the service rounds to its own clock.
    (given < asked - time::Duration::days(1)).then_some(given)
}

/// A display name that says what the token is for and is unique enough to find again:
/// "Git-Zen Integration (patwiz · contoso · 7f3a)".
/// Whether `record` is a token patwiz may revoke as the one a team vault's rotation replaces:
/// one patwiz made for `org` (its name says so) with exactly `scopes`. The id comes from the
/// facts beside the secret, which anyone who can write the vault can change; this keeps such a
/// change from turning a rotation against another of the signed-in person's tokens.
pub fn replaceable(record: &PatRecord, org: &str, scopes: &[String]) -> Result<(), NotReplaceable> {
    let made_here = record.display_name.contains(&format!("(patwiz · {org} · "));
    let mut want: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let mut have = record.scopes();
    want.sort_unstable();
    have.sort_unstable();
    if made_here && want == have {
        return Ok(());
    }
    Err(NotReplaceable {
        name: crate::text::safe_message(&record.display_name),
        org: org.to_string(),
    })
}

/// The token a vault's facts name is not one patwiz made for the organization with these
/// scopes ([`replaceable`]), so it is not revoked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the token the vault's facts name (\"{name}\") is not one patwiz made for {org} with these scopes, so it was not revoked: check the facts beside the secret"
)]
pub struct NotReplaceable {
    /// Its display name, cleaned.
    pub name: String,
    pub org: String,
}

pub fn display_name(token_name: &str, org: &str, nonce: &str) -> String {
    let short: String = nonce
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(4)
        .collect();
    format!("{token_name} (patwiz · {org} · {short})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pat_token_error_is_explained_by_the_catalogue_and_read_back() {
        let known = [
            Refusal::CreationRestricted,
            Refusal::GlobalBlocked,
            Refusal::FullScopeForbidden,
            Refusal::LifespanTooLong,
            Refusal::ExpiredCannotBeExtended,
            Refusal::InvalidScope,
            Refusal::InvalidValidTo,
            Refusal::NotFound,
            Refusal::AccessDenied,
            Refusal::PolicyUnreadable,
        ];
        for refusal in &known {
            let entry = crate::service_codes::lifecycle_error(&refusal.name())
                .unwrap_or_else(|| panic!("{} has no entry", refusal.name()));
            assert!(!entry.source.is_empty() && !entry.what.is_empty());
        }
        for entry in crate::service_codes::lifecycle_errors() {
            for name in std::iter::once(&entry.name).chain(&entry.aliases) {
                let read = Refusal::parse(name).unwrap();
                assert!(known.contains(&read), "{name} reads as {read:?}");
                assert_eq!(
                    crate::service_codes::lifecycle_error(&read.name()).map(|e| &e.name),
                    Some(&entry.name)
                );
            }
            assert!(!entry.what.contains('{') || entry.what.contains("{org}"));
        }
        let other = Refusal::parse("somethingNew").unwrap();
        assert!(other.explain("contoso").what.contains("somethingNew"));
    }
    use time::macros::datetime;

    #[test]
    fn every_documented_error_is_a_refusal_with_words_and_none_is_none() {
        assert_eq!(Refusal::parse("none"), None);
        assert_eq!(Refusal::parse(""), None);
        for name in [
            "disablePatCreationPolicyViolation",
            "globalPATCreationBlocked",
            "globalPatPolicyViolation",
            "fullScopePatPolicyViolation",
            "patLifespanPolicyViolation",
            "expiredPatCannotBeExtended",
            "invalidScope",
            "invalidValidTo",
            "tokenNotFound",
            "invalidAuthorizationId",
            "accessDenied",
            "failedToReadOrgPolicy",
            "failedToReadTenantPolicy",
            "somethingNew",
        ] {
            let refusal = Refusal::parse(name).unwrap();
            let words = refusal.explain("contoso");
            assert!(!words.what.is_empty() && !words.now.is_empty(), "{name}");
            assert!(
                !matches!(refusal, Refusal::Other(_)) || name == "somethingNew",
                "{name} is known"
            );
        }
        assert!(
            Refusal::CreationRestricted
                .explain("contoso")
                .what
                .contains("allowlist")
        );
    }

    #[test]
    fn a_capped_expiry_is_noticed_and_a_rounded_one_is_not() {
        let asked = datetime!(2027-12-01 00:00 UTC);
        assert_eq!(
            capped(asked, Some(datetime!(2027-03-01 00:00 UTC))),
            Some(datetime!(2027-03-01 00:00 UTC))
        );
        assert_eq!(capped(asked, Some(datetime!(2027-11-30 12:00 UTC))), None);
        assert_eq!(capped(asked, None), None);
    }

    #[test]
    fn records_read_as_the_spec_writes_them() {
        let record: PatRecord = serde_json::from_str(
            r#"{"displayName":"new_token","validTo":"2020-12-01T23:46:23.32Z","scope":"app_token","targetAccounts":null,"validFrom":"2020-10-29T17:26:46.72Z","authorizationId":"4311dfa1-a3f4-4a7e-8d15-19a5b9b5c0d5","token":null}"#,
        )
        .unwrap();
        assert!(record.is_global() && record.is_full_access());
        assert_eq!(
            display_name("Git-Zen Integration", "contoso", "7f3a-99"),
            "Git-Zen Integration (patwiz · contoso · 7f3a)"
        );
    }

    #[test]
    fn only_a_token_patwiz_made_for_the_organization_with_the_same_scopes_is_replaceable() {
        let record = |name: &str, scope: &str| PatRecord {
            authorization_id: "id".into(),
            display_name: name.into(),
            scope: scope.into(),
            target_accounts: None,
            valid_from: None,
            valid_to: None,
        };
        let scopes = vec!["vso.code".to_string(), "vso.work_write".to_string()];
        let ours = display_name("Git-Zen Integration", "contoso", "7f3a");
        assert!(
            replaceable(
                &record(&ours, "vso.work_write vso.code"),
                "contoso",
                &scopes
            )
            .is_ok()
        );
        assert!(replaceable(&record(&ours, "vso.code"), "contoso", &scopes).is_err());
        assert!(
            replaceable(
                &record(&ours, "vso.code vso.work_write"),
                "fabrikam",
                &scopes
            )
            .is_err()
        );
        let theirs = replaceable(
            &record("My laptop \u{1b}[2J", "vso.code vso.work_write"),
            "contoso",
            &scopes,
        )
        .unwrap_err()
        .to_string();
        assert!(theirs.contains("not one patwiz made") && !theirs.contains('\u{1b}'));
    }
}
