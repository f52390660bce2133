//! Azure DevOps' own error codes (`assets/service-codes.toml`, embedded at build time): for each
//! TF… / VS… code an answer can carry, what it means, the check class it is, and the fix in a
//! person's words. The code is read from the service's message, never from patwiz's sentences;
//! the fix is chosen by the code, and a code not in the catalogue keeps its class's fix with
//! the code named.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::checks::{CheckClass, Fill, Remediation};

/// One code of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCode {
    /// `TF401444`, `VS403463`, …
    pub code: String,
    /// What the answer is about: authentication, authorization, policy, organization,
    /// project, repository, service.
    pub area: String,
    pub meaning: String,
    pub class: CheckClass,
    /// The class depends on the account the answer names (TF400813): patwiz's rules decide
    /// it, and this fix applies when they arrive at `class`.
    #[serde(default)]
    pub by_account: bool,
    /// The fix, with `{placeholders}` (see the catalogue's header).
    pub fix: String,
    pub source: String,
    /// Where the message names a permission: the text just before it …
    #[serde(default)]
    pub permission_after: Option<String>,
    /// … and just after it.
    #[serde(default)]
    pub permission_before: Option<String>,
    /// The permission to name when the message names none.
    #[serde(default)]
    pub permission: Option<String>,
}

/// A permission as the service names it in an identifier, and as its security pages show it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionName {
    service: String,
    shown: String,
}

/// One `patTokenError` value of the PAT lifecycle API, explained.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleError {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub class: CheckClass,
    /// What happened (`{org}` filled in).
    pub what: String,
    /// Who can change it.
    pub who: String,
    /// What to do now.
    pub now: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    code: Vec<ServiceCode>,
    #[serde(default)]
    permission: Vec<PermissionName>,
    #[serde(default)]
    lifecycle: Vec<LifecycleError>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    toml::from_str(include_str!("../assets/service-codes.toml"))
        .expect("assets/service-codes.toml is valid (tested)")
});

/// Every code of the catalogue.
pub fn all() -> &'static [ServiceCode] {
    &CATALOGUE.code
}

/// Every `patTokenError` value the catalogue explains.
pub fn lifecycle_errors() -> &'static [LifecycleError] {
    &CATALOGUE.lifecycle
}

/// The explanation of the `patTokenError` value `name` (or one of its other spellings).
pub fn lifecycle_error(name: &str) -> Option<&'static LifecycleError> {
    let name = name.trim();
    lifecycle_errors().iter().find(|e| {
        e.name.eq_ignore_ascii_case(name) || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// The catalogue's entry for `code` (any case).
pub fn find(code: &str) -> Option<&'static ServiceCode> {
    all().iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// The first TF… or VS… code in `message`: two letters, then five or six digits, standing
/// alone (`TF401444:`), as Azure DevOps writes them.
pub fn code_in(message: &str) -> Option<&str> {
    let bytes = message.as_bytes();
    (0..bytes.len().saturating_sub(6)).find_map(|at| {
        let prefix = bytes.get(at..at + 2)?;
        if !(prefix.eq_ignore_ascii_case(b"TF") || prefix.eq_ignore_ascii_case(b"VS")) {
            return None;
        }
        if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
            return None;
        }
        let digits = bytes[at + 2..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let end = at + 2 + digits;
        let alone = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
        ((5..=6).contains(&digits) && alone).then(|| &message[at..end])
    })
}

/// What the service's message says by its code: the code, and its entry when the catalogue
/// has it.
#[derive(Debug, Clone, Copy)]
pub struct Said<'m> {
    pub code: &'m str,
    pub entry: Option<&'static ServiceCode>,
    pub message: &'m str,
}

/// The code `message` carries, if any.
pub fn said(message: &str) -> Option<Said<'_>> {
    let code = code_in(message)?;
    Some(Said {
        code,
        entry: find(code),
        message,
    })
}

impl ServiceCode {
    /// The permission the message names, in the words of Azure DevOps' security pages (the
    /// entry's own when the message names none).
    pub fn permission_in(&self, message: &str) -> String {
        let named = self
            .permission_after
            .as_deref()
            .zip(self.permission_before.as_deref())
            .and_then(|(after, before)| {
                let lower = message.to_ascii_lowercase();
                let start = lower.find(&after.to_ascii_lowercase())? + after.len();
                let len = lower[start..].find(&before.to_ascii_lowercase())?;
                let name = message[start..start + len].trim();
                (!name.is_empty() && name.len() <= 60).then_some(name)
            });
        match named {
            Some(name) => shown_permission(name),
            None => self.permission.clone().unwrap_or_default(),
        }
    }

    /// The fix, filled in for `message`'s permission.
    pub fn fix(&self, message: &str, fill: &Fill<'_>) -> Remediation {
        let permission = self.permission_in(message);
        let fill = Fill {
            permission: &permission,
            ..*fill
        };
        Remediation {
            text: fill.apply(&self.fix),
            source: self.source.clone(),
        }
    }
}

/// A permission's name as the security pages show it: the catalogue's name for a service
/// identifier (`GenericContribute` → Contribute), else the words with a capital
/// (`manage releases` → Manage releases).
fn shown_permission(name: &str) -> String {
    if let Some(p) = CATALOGUE
        .permission
        .iter()
        .find(|p| p.service.eq_ignore_ascii_case(name))
    {
        return p.shown.clone();
    }
    let clean = crate::text::clean_line(name);
    let mut chars = clean.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_reads_and_every_entry_is_complete() {
        assert!(all().len() >= 12);
        let mut seen = std::collections::BTreeSet::new();
        for c in all() {
            assert_eq!(code_in(&c.code), Some(c.code.as_str()), "{}", c.code);
            assert!(seen.insert(c.code.to_ascii_uppercase()), "{} twice", c.code);
            for (what, text) in [
                ("meaning", &c.meaning),
                ("fix", &c.fix),
                ("source", &c.source),
            ] {
                assert!(text.len() > 20, "{}: {what} is empty", c.code);
            }
            assert!(c.class != CheckClass::Ok, "{}: a refusal", c.code);
            // A fix never names a placeholder patwiz does not fill.
            let filled = Fill {
                permission: "P",
                ..Fill::default()
            }
            .apply(&c.fix);
            assert!(!filled.contains('{'), "{}: {filled}", c.code);
            assert!(
                c.permission_after.is_some() == c.permission_before.is_some(),
                "{}",
                c.code
            );
        }
    }

    #[test]
    fn a_code_is_read_where_the_service_writes_it() {
        assert_eq!(
            code_in("TF401444: Please sign-in at least once as x"),
            Some("TF401444")
        );
        assert_eq!(
            code_in("Access denied. VS402904: Access denied"),
            Some("VS402904")
        );
        assert_eq!(code_in("XTF401444: no"), None);
        assert_eq!(code_in("TF4014445 is seven digits"), None);
        assert_eq!(code_in("TF40 short"), None);
        assert_eq!(code_in("no code at all"), None);
        assert_eq!(code_in("TF24668"), Some("TF24668"));
        assert_eq!(code_in(""), None);
    }

    #[test]
    fn a_named_permission_is_said_as_the_security_pages_say_it() {
        let push = find("TF401027").unwrap();
        assert_eq!(
            push.permission_in(
                "TF401027: You need the Git 'GenericContribute' permission to perform this action."
            ),
            "Contribute"
        );
        assert_eq!(
            push.permission_in(
                "TF401027: You need the Git 'ForcePush' permission to perform this action."
            ),
            "Force push (rewrite history, delete branches and tags)"
        );
        assert_eq!(push.permission_in("TF401027"), "Contribute");
        let release = find("VS402904").unwrap();
        assert_eq!(
            release.permission_in("VS402904: Access denied: User Ann does not have view releases permission. Contact your release manager."),
            "View releases"
        );
        assert_eq!(
            release.permission_in(
                "VS402904: Access denied: User Ann does not have manage releases permission."
            ),
            "Manage releases"
        );
    }
}
