//! The emulator's world: one organization, its users, projects and tokens (TOML).

use std::path::Path;

use serde::Deserialize;

use crate::domain::token::check_pasted;

pub const DEFAULT_SCENARIO: &str = include_str!("../assets/demo-scenario.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub organization: Organization,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub projects: Vec<Project>,
    #[serde(default)]
    pub agent_pools: Vec<Named>,
    #[serde(default)]
    pub tokens: Vec<TokenSpec>,
    /// Faults that apply to every token (per endpoint).
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// The PAT lifecycle API and sign-in with Microsoft Entra (absent: not available, as for a
    /// Microsoft-account organization or Azure DevOps Server).
    #[serde(default)]
    pub lifecycle: Option<super::lifecycle::LifecycleSettings>,
    /// The day the emulated service lives on (not read from the file: a test or the test
    /// clock sets it with [`Scenario::on_day`]).
    #[serde(skip)]
    pub clock: super::clock::EmulatorClock,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    pub id: String,
    #[serde(default = "default_tenant")]
    pub tenant_id: String,
    /// An organization with public projects answers connectionData for a bad token with the
    /// anonymous identity instead of an error.
    #[serde(default)]
    pub public_projects: bool,
    /// Other organizations that exist on the same service.
    #[serde(default)]
    pub others: Vec<String>,
    /// `onPremises` makes the emulator behave as Azure DevOps Server (empty resource areas).
    #[serde(default = "default_deployment")]
    pub deployment_type: String,
    /// The organization is stopped (deactivated after inactivity): every request gets the
    /// recorded 503 TF24668 with a byte-order mark.
    #[serde(default)]
    pub deactivated: bool,
    /// Azure DevOps Server release ("2019", "2020", "2022", "2022.1"): its REST API ceiling
    /// (5.0, 6.0, 7.0, 7.1) and no cloud-only APIs. Implies `deployment_type = "onPremises"`.
    #[serde(default)]
    pub server_version: Option<String>,
    /// Whether `OPTIONS {collection}/_apis` gives the location data (default yes). Without
    /// it (a proxy that refuses OPTIONS), a client learns a Server's ceiling only from the
    /// version refusal.
    #[serde(default = "yes")]
    pub location_data: bool,
    /// Azure Artifacts feeds of the organization itself (project feeds are the projects').
    #[serde(default)]
    pub feeds: Vec<String>,
}

impl Organization {
    /// The highest api-version this deployment takes (None: the cloud, no ceiling).
    pub fn api_ceiling(&self) -> Option<(u32, u32)> {
        Some(match self.server_version.as_deref()? {
            "2018" => (4, 1),
            "2019" => (5, 0),
            "2020" => (6, 0),
            "2022" => (7, 0),
            _ => (7, 1),
        })
    }
}

fn yes() -> bool {
    true
}

fn default_tenant() -> String {
    "00000000-0000-0000-0000-000000000000".into()
}

fn default_deployment() -> String {
    "hosted".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub key: String,
    pub id: String,
    pub display_name: String,
    pub unique_name: String,
    #[serde(default = "basic")]
    pub license: String,
    #[serde(default)]
    pub project_collection_admin: bool,
}

fn basic() -> String {
    "Basic".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub name: String,
    pub id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "agile")]
    pub process: String,
    #[serde(default)]
    pub work_item_types: Vec<String>,
    #[serde(default)]
    pub teams: Vec<String>,
    #[serde(default)]
    pub repositories: Vec<String>,
    #[serde(default)]
    pub build_definitions: Vec<String>,
    #[serde(default)]
    pub release_definitions: Vec<String>,
    #[serde(default)]
    pub wikis: Vec<String>,
    #[serde(default)]
    pub variable_groups: Vec<String>,
    #[serde(default)]
    pub test_plans: Vec<String>,
    #[serde(default)]
    pub service_endpoints: Vec<String>,
    #[serde(default)]
    pub feeds: Vec<String>,
    /// Fields the project's process requires on a Task beyond the title (process rules): a
    /// create without them is refused with 400 TF401320 after the write was authorised.
    #[serde(default)]
    pub required_fields: Vec<String>,
}

fn agile() -> String {
    "Agile".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TokenState {
    #[default]
    Active,
    Revoked,
    Expired,
    ConditionalAccess,
    /// An expired token answered with the HTML error page rather than JSON.
    ExpiredPage,
    /// The token authenticates, but its account is not a member of this organization
    /// (401 TF400813 naming the account, with X-VSS-UserData).
    NoAccess,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    pub name: String,
    pub value: String,
    pub user: String,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub state: TokenState,
    /// The organization the token was created for (default: this one).
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default)]
    pub demonstrates: String,
    #[serde(default)]
    pub deny: Vec<Denial>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Process rules on Task as this token's organization would have them (the demo's way of
    /// showing one scenario option with one token).
    #[serde(default)]
    pub required_fields: Vec<String>,
}

impl TokenSpec {
    /// A token created through the lifecycle API.
    pub fn minted(name: &str, value: &str, user: &str, scopes: Vec<String>) -> TokenSpec {
        TokenSpec {
            name: name.to_string(),
            value: value.to_string(),
            user: user.to_string(),
            scopes,
            state: TokenState::Active,
            org: None,
            demonstrates: String::new(),
            deny: Vec::new(),
            faults: Vec::new(),
            required_fields: Vec::new(),
        }
    }
}

impl std::fmt::Debug for TokenSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSpec")
            .field("name", &self.name)
            .field("scopes", &self.scopes)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// The user behind a token lacks a permission: the service answers 403/404 with X-VSS-UserData.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Denial {
    /// Applies when the request path contains this text.
    pub path: String,
    #[serde(default = "forbidden")]
    pub status: u16,
    pub message: String,
}

fn forbidden() -> u16 {
    403
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Answer after `ms` milliseconds.
    Latency,
    /// 429 with Retry-After and the X-RateLimit headers.
    RateLimit,
    /// 500 with a WrappedException body.
    ServerError,
    /// 503 Service Unavailable with Retry-After.
    Unavailable,
    /// Never answer.
    Hang,
    /// Send half the body, then close the connection.
    Truncated,
    /// 200 with an HTML page where JSON was expected.
    Html,
    /// Send the body a few bytes at a time, `ms` apart.
    SlowDrip,
    /// Body that is not UTF-8.
    InvalidUtf8,
    /// 302 to another host (`location`).
    Redirect,
    /// The 203 sign-in page even though X-TFS-FedAuthRedirect: Suppress was sent.
    SignInPage,
    /// A 2 GB Content-Length on a small body.
    HugeLength,
    /// 302 back to the same URL, forever.
    RedirectLoop,
    /// An empty 401, as if the scope were missing (the real service has been recorded doing
    /// this once to a token that holds the scope).
    Unauthorized,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    /// Applies when the request path contains this text (default: every request).
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub ms: Option<u64>,
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// How many matching requests it applies to (default: all).
    #[serde(default)]
    pub times: Option<u32>,
    #[serde(default)]
    pub location: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {0}: {1}")]
    Read(String, std::io::Error),
    #[error("scenario is not valid TOML: {0}")]
    Parse(String),
    #[error("scenario: {0}")]
    Invalid(String),
}

impl Scenario {
    /// This scenario with the service living on `day` from the moment it starts (expiry,
    /// lifespans and revocations count from there).
    pub fn on_day(mut self, day: time::OffsetDateTime) -> Scenario {
        self.clock = super::clock::EmulatorClock::starting_at(day);
        self
    }

    pub fn default_demo() -> Scenario {
        Scenario::parse(DEFAULT_SCENARIO).expect("the built-in scenario is valid (tested)")
    }

    /// The built-in variants of the demo organization, each a state the real service has.
    pub const BUILT_IN: [(&'static str, &'static str); 5] = [
        ("demo", "the demo organization (Azure DevOps Services)"),
        (
            "deactivated",
            "the demo organization, stopped after inactivity (503 TF24668)",
        ),
        (
            "server-2019",
            "Azure DevOps Server 2019 (REST API up to 5.0, no cloud-only APIs)",
        ),
        (
            "server-2020",
            "Azure DevOps Server 2020 (REST API up to 6.0, no cloud-only APIs)",
        ),
        (
            "server-2022",
            "Azure DevOps Server 2022 (REST API up to 7.0, no cloud-only APIs)",
        ),
    ];

    /// A built-in variant by name.
    pub fn built_in(name: &str) -> Option<Scenario> {
        let mut s = Scenario::default_demo();
        match name {
            "demo" => {}
            "deactivated" => s.organization.deactivated = true,
            "server-2019" | "server-2020" | "server-2022" => {
                s.organization.deployment_type = "onPremises".into();
                s.organization.server_version = Some(name.trim_start_matches("server-").into());
                // No Microsoft Entra on premises: no lifecycle API, no tenant.
                s.lifecycle = None;
            }
            _ => return None,
        }
        Some(s)
    }

    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = read_scenario_file(path)
            .map_err(|e| ScenarioError::Read(path.display().to_string(), e))?;
        Scenario::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario =
            toml::from_str(text).map_err(|e| ScenarioError::Parse(e.message().to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        crate::domain::org_url::validate_org_name(&self.organization.name)
            .map_err(|e| ScenarioError::Invalid(e.to_string()))?;
        for token in &self.tokens {
            if self.user(&token.user).is_none() {
                return Err(ScenarioError::Invalid(format!(
                    "token {} names unknown user {}",
                    token.name, token.user
                )));
            }
            check_pasted(&token.value).map_err(|e| {
                ScenarioError::Invalid(format!("token {} is not in a real format: {e}", token.name))
            })?;
        }
        Ok(())
    }

    pub fn user(&self, key: &str) -> Option<&User> {
        self.users.iter().find(|u| u.key == key)
    }

    pub fn token_by_value(&self, value: &str) -> Option<&TokenSpec> {
        self.tokens.iter().find(|t| t.value == value)
    }

    pub fn token(&self, name: &str) -> Option<&TokenSpec> {
        self.tokens.iter().find(|t| t.name == name)
    }

    pub fn project(&self, name_or_id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| {
            p.name.eq_ignore_ascii_case(name_or_id) || p.id.eq_ignore_ascii_case(name_or_id)
        })
    }

    pub fn is_hosted(&self) -> bool {
        self.organization.deployment_type == "hosted" && self.organization.server_version.is_none()
    }
}

/// The text of a scenario file: a regular file (never a pipe or a device, which would hold the
/// demo up) of at most 4 MiB.
fn read_scenario_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    const MAX: u64 = 4 * 1024 * 1024;
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, what.to_string());
    if !std::fs::metadata(path)?.is_file() {
        return Err(invalid("not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX {
        return Err(invalid("larger than 4 MiB"));
    }
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_has_one_token_per_case_in_both_formats() {
        let s = Scenario::default_demo();
        assert!(s.tokens.iter().any(|t| t.value.len() == 84));
        assert!(s.tokens.iter().any(|t| t.value.len() == 52));
        for state in [
            TokenState::Revoked,
            TokenState::Expired,
            TokenState::ConditionalAccess,
        ] {
            assert!(s.tokens.iter().any(|t| t.state == state), "{state:?}");
        }
        assert!(s.tokens.iter().any(|t| t.org.is_some()));
        assert!(s.tokens.iter().any(|t| !t.deny.is_empty()));
        assert!(s.tokens.iter().any(|t| t.scopes == ["app_token"]));
        for t in &s.tokens {
            assert!(!t.demonstrates.is_empty(), "{} says nothing", t.name);
        }
        let values: std::collections::BTreeSet<_> = s.tokens.iter().map(|t| &t.value).collect();
        assert_eq!(values.len(), s.tokens.len(), "token values are unique");
    }

    #[test]
    fn invalid_scenarios_are_refused_with_a_reason() {
        let bad = DEFAULT_SCENARIO.replace("user = \"svc\"", "user = \"nobody\"");
        assert!(
            Scenario::parse(&bad)
                .unwrap_err()
                .to_string()
                .contains("nobody")
        );
        let bad = DEFAULT_SCENARIO.replace(
            "zcybhbtdd2gkj4iur66nam5wa5yydx5s6kcq46oya7vngcngsuuq",
            "short",
        );
        assert!(
            Scenario::parse(&bad)
                .unwrap_err()
                .to_string()
                .contains("legacy-format")
        );
        let debug = format!("{:?}", Scenario::default_demo().tokens[0]);
        assert!(!debug.contains("AwfEoGD23"), "{debug}");
    }
}
