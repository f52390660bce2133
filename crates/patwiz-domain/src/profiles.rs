//! Integration profiles (`assets/profiles/*.toml`, embedded; more in the user's config
//! directory): which scopes an integration needs, and why, in its guide's own words.

use serde::Deserialize;

use super::scopes::Catalogue;

const BUILT_IN: &[(&str, &str)] = &[
    ("git-zen", include_str!("../assets/profiles/git-zen.toml")),
    ("exalate", include_str!("../assets/profiles/exalate.toml")),
    ("jira-git", include_str!("../assets/profiles/jira-git.toml")),
    ("nango", include_str!("../assets/profiles/nango.toml")),
    (
        "azure-artifacts",
        include_str!("../assets/profiles/azure-artifacts.toml"),
    ),
    ("custom", include_str!("../assets/profiles/custom.toml")),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredScope {
    pub id: String,
    /// The guide's reason, quoted.
    pub why: String,
}

/// Which form of the organization URL an integration's form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum UrlForm {
    /// `https://dev.azure.com/{org}`
    #[default]
    Modern,
    /// Either form is accepted (Nango's guide): show both.
    Either,
}

/// Where the proven token goes, in the integration guide's own words.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct HandOff {
    pub source: String,
    #[serde(default)]
    pub org_url_form: UrlForm,
    pub steps: Vec<String>,
    /// The steps (1-based) done once, at the first set-up ("Switch from OAuth to PAT"): a
    /// rotation leaves them out.
    #[serde(default)]
    pub setup_only: Vec<usize>,
}

impl HandOff {
    /// The steps for the first set-up, or for replacing a token the integration already has.
    pub fn steps_for(&self, rotating: bool) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .enumerate()
            .filter(move |(i, _)| !(rotating && self.setup_only.contains(&(i + 1))))
            .map(|(_, s)| s.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The command-line name (`git-zen`).
    pub name: String,
    pub title: String,
    pub integration: String,
    pub summary: String,
    /// The guide it came from, as shown next to each reason.
    pub source: String,
    #[serde(default)]
    pub seed: Option<String>,
    pub token_name: String,
    pub organization_advice: String,
    pub expiry_advice: String,
    /// The expiration the guide offers first (one of the dialog's presets), where its advice
    /// names one ("a week or less": 7); the dialog's own default, 30 days, otherwise.
    #[serde(default = "thirty_days")]
    pub default_expiry_days: i64,
    #[serde(default)]
    pub prerequisites: Vec<String>,
    #[serde(default)]
    pub caveats: Vec<String>,
    /// The guide tells users to pick "All accessible organizations", retired on 2026-12-01.
    #[serde(default)]
    pub global_pat_retired: bool,
    #[serde(default, rename = "scope")]
    pub scopes: Vec<RequiredScope>,
    /// When a PAT is the right choice (only where the guide says so).
    #[serde(default)]
    pub when_to_use: Vec<String>,
    /// Service-account advice (only where the guide gives it).
    #[serde(default)]
    pub service_account: Vec<String>,
    /// What the guide says about more than one organization (Git-Zen only).
    #[serde(default)]
    pub multi_org: Option<String>,
    #[serde(default)]
    pub handoff: HandOff,
}

fn thirty_days() -> i64 {
    30
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("no profile named \"{name}\"; choose one of: {known}")]
    Unknown { name: String, known: String },
    #[error("profile file {file}: {message}")]
    Invalid { file: String, message: String },
}

impl Profile {
    /// Parses one profile file and checks every scope against the catalogue.
    pub fn from_toml(file: &str, text: &str) -> Result<Profile, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            file: file.to_string(),
            message,
        };
        let mut value: toml::Value = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        // A profile file is data: nothing in it may reach the terminal as a control sequence.
        crate::text::clean_toml(&mut value);
        let profile: Profile = value
            .try_into()
            .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
        if profile.name.is_empty()
            || !profile
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(invalid(format!(
                "name \"{}\" must be lowercase letters, digits and hyphens",
                profile.name
            )));
        }
        if !crate::expiry::PRESET_DAYS.contains(&profile.default_expiry_days) {
            return Err(invalid(format!(
                "default_expiry_days = {} is not one of the dialog's presets ({})",
                profile.default_expiry_days,
                crate::expiry::PRESET_DAYS.map(|d| d.to_string()).join(", ")
            )));
        }
        let catalogue = Catalogue::get();
        for scope in &profile.scopes {
            if catalogue.scope(&scope.id).is_none() {
                return Err(invalid(format!("unknown scope \"{}\"", scope.id)));
            }
        }
        Ok(profile)
    }

    /// The scope ids this profile requires.
    pub fn scope_ids(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.id.clone()).collect()
    }

    pub fn why(&self, scope_id: &str) -> Option<&str> {
        self.scopes
            .iter()
            .find(|s| s.id == scope_id)
            .map(|s| s.why.as_str())
    }
}

/// The built-in profiles, in the order the wizard lists them.
pub fn built_in() -> Vec<Profile> {
    BUILT_IN
        .iter()
        .map(|(name, text)| {
            Profile::from_toml(&format!("assets/profiles/{name}.toml"), text)
                .expect("built-in profiles are valid (tested)")
        })
        .collect()
}

/// The built-in profiles with the user's added; a user profile with a built-in's name replaces
/// it.
pub fn with_user(user: Vec<Profile>) -> Vec<Profile> {
    let mut profiles = built_in();
    for profile in user {
        profiles.retain(|p| p.name != profile.name);
        profiles.push(profile);
    }
    profiles
}

/// The profile called `name` (any case) among `profiles`.
pub fn find_in(profiles: Vec<Profile>, name: &str) -> Result<Profile, ProfileError> {
    let known = profiles
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    profiles
        .into_iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .ok_or(ProfileError::Unknown {
            name: name.to_string(),
            known,
        })
}

/// A built-in profile by its command-line name.
pub fn find(name: &str) -> Result<Profile, ProfileError> {
    find_in(built_in(), name)
}

/// The names of the built-in profiles, in the order the wizard lists them.
pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str) -> Profile {
        find(name).unwrap()
    }

    fn ids(p: &Profile) -> Vec<&str> {
        p.scopes.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn built_ins_load_with_the_command_line_names() {
        assert_eq!(
            built_in_names(),
            [
                "git-zen",
                "exalate",
                "jira-git",
                "nango",
                "azure-artifacts",
                "custom"
            ]
        );
        for name in built_in_names() {
            let p = profile(name);
            assert_eq!(p.name, name);
            for s in &p.scopes {
                assert!(!s.why.trim().is_empty(), "{name}/{} has no why", s.id);
            }
            assert!(!p.source.is_empty());
        }
    }

    #[test]
    fn git_zen_matches_seed_000_table() {
        // The Git-Zen guide: Work Items R&W, Code R, Identity R, Project and Team R, Service Connections R&query.
        let p = profile("git-zen");
        assert_eq!(
            ids(&p),
            [
                "vso.work_write",
                "vso.code",
                "vso.identity",
                "vso.project",
                "vso.serviceendpoint_query"
            ]
        );
        assert_eq!(p.token_name, "Git-Zen Integration");
        assert_eq!(
            p.why("vso.code"),
            Some("Read commits referenced from Zendesk tickets via gz# tags.")
        );
        assert_eq!(
            p.why("vso.serviceendpoint_query"),
            Some("Configure and query service hooks (webhooks) for inbound updates.")
        );
        assert!(p.prerequisites.iter().any(|s| s.contains("Stakeholder")));
        assert!(!p.global_pat_retired);
    }

    #[test]
    fn exalate_matches_seed_004_list() {
        let p = profile("exalate");
        assert_eq!(
            ids(&p),
            [
                "vso.work_write",
                "vso.project",
                "vso.profile",
                "vso.identity",
                "vso.memberentitlementmanagement"
            ]
        );
        assert!(
            p.prerequisites
                .iter()
                .any(|s| s.contains("Project Collection Administrators"))
        );
        assert!(p.global_pat_retired);
    }

    #[test]
    fn jira_git_needs_code_read_and_warns_about_global_pats() {
        let p = profile("jira-git");
        assert_eq!(ids(&p), ["vso.code"]);
        assert!(p.global_pat_retired);
        assert!(
            p.caveats
                .iter()
                .any(|c| c.contains("2026-12-01") && c.contains("All accessible organizations"))
        );
        assert!(p.organization_advice.contains("2026-12-01"));
    }

    #[test]
    fn no_hand_over_keeps_a_second_copy_and_each_says_where_to_paste() {
        for p in built_in() {
            for step in &p.handoff.steps {
                let keeps = ["reuse", "password manager", "save it"]
                    .iter()
                    .any(|w| step.contains(w));
                assert!(
                    !keeps || step.contains("keep no other"),
                    "{}: a step advises keeping a copy: {step}",
                    p.name
                );
                assert!(
                    !step.contains("either form below"),
                    "{}: a step promises two forms the screen may not show: {step}",
                    p.name
                );
            }
        }
        let place = |name: &str, place: &str| {
            assert!(
                profile(name)
                    .handoff
                    .steps
                    .iter()
                    .any(|s| s.contains(place)),
                "{name}: the hand-over names {place}"
            )
        };
        place("jira-git", "Manage Git repositories");
        place("exalate", "Exalate node");
        place("nango", "authentication form");
        place("git-zen", "Git-Zen sidebar");
    }

    #[test]
    fn the_retirement_of_global_pats_is_told_in_the_tense_of_the_day() {
        for p in built_in() {
            let texts = p.caveats.iter().chain([&p.organization_advice]);
            for text in texts {
                let fixed = text.replace("{retires}", "");
                assert!(
                    !fixed.contains("retire") && !fixed.contains("stop working"),
                    "{}: a fixed tense: {text}",
                    p.name
                );
            }
        }
    }

    #[test]
    fn hand_off_and_advice_come_from_the_guides_only() {
        let git_zen = profile("git-zen");
        assert!(
            git_zen
                .handoff
                .steps
                .iter()
                .any(|s| s.contains("Switch from OAuth to PAT"))
        );
        assert!(git_zen.when_to_use.iter().any(|s| s.contains("Entra ID")));
        assert!(
            git_zen
                .service_account
                .iter()
                .any(|s| s.contains("Stakeholder"))
        );
        assert!(
            git_zen
                .multi_org
                .as_deref()
                .is_some_and(|m| m.contains("email to support"))
        );
        let nango = profile("nango");
        assert_eq!(nango.handoff.org_url_form, UrlForm::Either);
        assert!(
            nango
                .handoff
                .steps
                .iter()
                .any(|s| s.contains("Organization URL"))
        );
        for name in ["exalate", "jira-git", "nango", "custom"] {
            let p = profile(name);
            assert!(
                p.multi_org.is_none(),
                "{name}: no multi-org process is invented"
            );
            assert!(
                p.when_to_use.is_empty() && p.service_account.is_empty(),
                "{name}"
            );
            assert!(
                !p.handoff.steps.is_empty() && !p.handoff.source.is_empty(),
                "{name}"
            );
        }
    }

    #[test]
    fn a_rotation_leaves_out_the_set_up_only_steps_and_they_exist() {
        for p in built_in() {
            for n in &p.handoff.setup_only {
                assert!(
                    (1..=p.handoff.steps.len()).contains(n),
                    "{}: step {n}",
                    p.name
                );
            }
        }
        let git_zen = profile("git-zen");
        let first: Vec<&str> = git_zen.handoff.steps_for(false).collect();
        let again: Vec<&str> = git_zen.handoff.steps_for(true).collect();
        assert!(first.contains(&"Switch from OAuth to PAT."));
        assert!(!again.contains(&"Switch from OAuth to PAT."));
        assert_eq!(first.len(), again.len() + 1);
    }

    #[test]
    fn nango_needs_project_and_team_read() {
        assert_eq!(ids(&profile("nango")), ["vso.project"]);
        assert!(profile("custom").scopes.is_empty());
    }

    #[test]
    fn unknown_scopes_are_refused() {
        let err = Profile::from_toml(
            "x.toml",
            "name='x'\ntitle='x'\nintegration='x'\nsummary='x'\nsource='x'\ntoken_name='x'\norganization_advice='x'\nexpiry_advice='x'\n[[scope]]\nid='vso.nope'\nwhy='x'\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("vso.nope"));
    }
}
