//! The scope catalogue (`assets/scopes.toml`, embedded at build time): every PAT scope with the
//! checkbox a user ticks for it, and which scope implies which.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::Deserialize;

const CATALOGUE_TOML: &str = include_str!("../assets/scopes.toml");

/// One scope, e.g. `vso.work_write` = Work Items: Read & write.
#[derive(Debug, Clone, Deserialize)]
pub struct Scope {
    pub id: String,
    /// The checkbox's words in the PAT dialog ("Read & write").
    pub level: String,
    /// Microsoft's name for it ("Work items (read and write)").
    pub name: String,
    #[serde(default)]
    pub high_privilege: bool,
    #[serde(default)]
    pub inherits: Vec<String>,
    pub description: String,
    /// Filled in from the group when the catalogue loads.
    #[serde(skip)]
    pub group: String,
    #[serde(skip)]
    pub in_pat_dialog: bool,
}

impl Scope {
    /// What the user sees in the dialog: "Work Items: Read & write".
    pub fn label(&self) -> String {
        format!("{}: {}", self.group, self.level)
    }
}

/// One row of the scope dialog: a group and the levels it offers (none is always possible).
#[derive(Debug, Clone)]
pub struct DialogRow {
    /// "Work Items", or "Code (Status)" for a scope beside its group's levels.
    pub name: String,
    /// From the least to the most privilege.
    pub levels: Vec<&'static Scope>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    pub name: String,
    #[serde(default)]
    pub guide_names: Vec<String>,
    #[serde(default)]
    pub guide_levels: Vec<String>,
    #[serde(default = "yes")]
    pub in_pat_dialog: bool,
    #[serde(default)]
    pub note: Option<String>,
    pub scopes: Vec<Scope>,
}

fn yes() -> bool {
    true
}

/// A name the general PAT guide uses for a group the dialog calls something else (or does not have).
#[derive(Debug, Clone, Deserialize)]
pub struct GuideAlias {
    pub guide_name: String,
    pub maps_to: String,
    pub note: String,
}

#[derive(Debug, Deserialize)]
pub struct Catalogue {
    #[serde(rename = "group")]
    pub groups: Vec<Group>,
    #[serde(rename = "guide_alias", default)]
    pub guide_aliases: Vec<GuideAlias>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut catalogue: Catalogue =
        toml::from_str(CATALOGUE_TOML).expect("assets/scopes.toml is valid (tested)");
    for group in &mut catalogue.groups {
        for scope in &mut group.scopes {
            scope.group = group.name.clone();
            scope.in_pat_dialog = group.in_pat_dialog;
        }
    }
    catalogue
});

/// Full access: a PAT created with "Full access" holds every scope.
pub const FULL_ACCESS: &str = "app_token";

impl Catalogue {
    pub fn get() -> &'static Catalogue {
        &CATALOGUE
    }

    pub fn scopes(&self) -> impl Iterator<Item = &Scope> {
        self.groups.iter().flat_map(|g| g.scopes.iter())
    }

    pub fn scope(&self, id: &str) -> Option<&Scope> {
        self.scopes().find(|s| s.id.eq_ignore_ascii_case(id))
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(name))
    }

    /// The group a name the general PAT guide uses refers to, with the alias note if the names
    /// differ (the tests hold the catalogue to the guide with it).
    #[cfg(test)]
    pub fn group_for_guide_name(&self, guide_name: &str) -> Option<(&Group, Option<&GuideAlias>)> {
        if let Some(alias) = self
            .guide_aliases
            .iter()
            .find(|a| a.guide_name.eq_ignore_ascii_case(guide_name))
        {
            return self.group(&alias.maps_to).map(|g| (g, Some(alias)));
        }
        self.groups
            .iter()
            .find(|g| {
                g.name.eq_ignore_ascii_case(guide_name)
                    || g.guide_names
                        .iter()
                        .any(|n| n.eq_ignore_ascii_case(guide_name))
            })
            .map(|g| (g, None))
    }

    /// Every scope a token holding `held` has, following "Inherits From" transitively.
    /// `app_token` (Full access) holds everything.
    pub fn closure<'a>(&self, held: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stack: Vec<String> = held.into_iter().map(str::to_ascii_lowercase).collect();
        if stack.iter().any(|s| s == FULL_ACCESS) {
            return self.scopes().map(|s| s.id.clone()).collect();
        }
        while let Some(id) = stack.pop() {
            if !out.insert(id.clone()) {
                continue;
            }
            if let Some(scope) = self.scope(&id) {
                stack.extend(scope.inherits.iter().cloned());
            }
        }
        out
    }

    /// True if a token holding `held` may call an operation that lists `any_of` (any one suffices).
    pub fn grants<'a>(&self, held: impl IntoIterator<Item = &'a str>, any_of: &[&str]) -> bool {
        let closure = self.closure(held);
        any_of
            .iter()
            .any(|s| closure.contains(&s.to_ascii_lowercase()))
    }

    /// The scope dialog's rows: one per group, its levels from the least to the most, as the
    /// "Create a new personal access token" dialog offers them. A scope on no rung of its
    /// group's ladder (Code's "Status": neither holds nor is held by a sibling) gets a row of
    /// its own, so it can be chosen beside a level.
    pub fn dialog_rows(&'static self) -> Vec<DialogRow> {
        let mut rows = Vec::new();
        for group in self.groups.iter().filter(|g| g.in_pat_dialog) {
            let related = |s: &Scope| {
                group.scopes.iter().any(|o| {
                    o.id != s.id && (s.inherits.contains(&o.id) || o.inherits.contains(&s.id))
                })
            };
            let mut ladder = Vec::new();
            let mut apart = Vec::new();
            for (i, scope) in group.scopes.iter().enumerate() {
                if i == 0 || related(scope) {
                    ladder.push(scope);
                } else {
                    apart.push(scope);
                }
            }
            rows.push(DialogRow {
                name: group.name.clone(),
                levels: ladder,
            });
            for scope in apart {
                rows.push(DialogRow {
                    name: format!("{} ({})", group.name, scope.level),
                    levels: vec![scope],
                });
            }
        }
        rows
    }

    /// True if `wider` includes `narrower` (a scope includes itself).
    pub fn implies(&self, wider: &str, narrower: &str) -> bool {
        self.closure([wider])
            .contains(&narrower.to_ascii_lowercase())
    }

    /// "Work Items: Read & write", or the id itself for a scope not in the catalogue.
    pub fn label(&self, id: &str) -> String {
        self.scope(id).map_or_else(|| id.to_string(), Scope::label)
    }
}

/// A scope's id as Azure DevOps spells it (`vso.code_write`). The constants are the scopes
/// patwiz's own code names (its probes); any other comes from the catalogue ([`ScopeId::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScopeId(&'static str);

impl ScopeId {
    pub const WORK: ScopeId = ScopeId("vso.work");
    pub const WORK_WRITE: ScopeId = ScopeId("vso.work_write");
    pub const CODE: ScopeId = ScopeId("vso.code");
    pub const CODE_WRITE: ScopeId = ScopeId("vso.code_write");
    pub const IDENTITY: ScopeId = ScopeId("vso.identity");
    pub const PROJECT: ScopeId = ScopeId("vso.project");
    pub const SERVICE_ENDPOINT: ScopeId = ScopeId("vso.serviceendpoint");
    pub const SERVICE_ENDPOINT_QUERY: ScopeId = ScopeId("vso.serviceendpoint_query");
    pub const PROFILE: ScopeId = ScopeId("vso.profile");
    pub const MEMBER_ENTITLEMENTS: ScopeId = ScopeId("vso.memberentitlementmanagement");
    pub const GRAPH: ScopeId = ScopeId("vso.graph");
    pub const BUILD: ScopeId = ScopeId("vso.build");
    pub const RELEASE: ScopeId = ScopeId("vso.release");
    pub const PACKAGING: ScopeId = ScopeId("vso.packaging");
    pub const WIKI: ScopeId = ScopeId("vso.wiki");
    pub const TEST: ScopeId = ScopeId("vso.test");
    pub const VARIABLE_GROUPS_READ: ScopeId = ScopeId("vso.variablegroups_read");
    pub const AGENT_POOLS: ScopeId = ScopeId("vso.agentpools");
    pub const AUDIT_LOG: ScopeId = ScopeId("vso.auditlog");
    pub const ANALYTICS: ScopeId = ScopeId("vso.analytics");

    /// The catalogue's scope named `id` (Azure DevOps' ids are case-insensitive).
    pub fn of(id: &str) -> Option<ScopeId> {
        Catalogue::get().scope(id).map(|s| ScopeId(s.id.as_str()))
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether `id` names this scope, in any case.
    pub fn is(self, id: &str) -> bool {
        self.0.eq_ignore_ascii_case(id)
    }

    /// "Work Items: Read & write".
    pub fn label(self) -> String {
        Catalogue::get().label(self.0)
    }
}

impl std::fmt::Display for ScopeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_scope_is_in_the_catalogue() {
        let named = [
            ScopeId::WORK,
            ScopeId::WORK_WRITE,
            ScopeId::CODE,
            ScopeId::CODE_WRITE,
            ScopeId::IDENTITY,
            ScopeId::PROJECT,
            ScopeId::SERVICE_ENDPOINT,
            ScopeId::SERVICE_ENDPOINT_QUERY,
            ScopeId::PROFILE,
            ScopeId::MEMBER_ENTITLEMENTS,
            ScopeId::GRAPH,
            ScopeId::BUILD,
            ScopeId::RELEASE,
            ScopeId::PACKAGING,
            ScopeId::WIKI,
            ScopeId::TEST,
            ScopeId::VARIABLE_GROUPS_READ,
            ScopeId::AGENT_POOLS,
            ScopeId::AUDIT_LOG,
            ScopeId::ANALYTICS,
        ];
        for id in named {
            assert_eq!(ScopeId::of(id.as_str()), Some(id), "{id}");
        }
        assert_eq!(ScopeId::of("VSO.Code"), Some(ScopeId::CODE));
        assert!(ScopeId::CODE.is("vso.CODE") && !ScopeId::CODE.is("vso.code_write"));
        assert_eq!(ScopeId::of("vso.nope"), None);
    }

    #[test]
    fn the_dialog_has_one_row_per_group_and_status_beside_codes_levels() {
        let c = Catalogue::get();
        let rows = c.dialog_rows();
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        let code = rows.iter().find(|r| r.name == "Code").unwrap();
        let levels: Vec<&str> = code.levels.iter().map(|s| s.level.as_str()).collect();
        assert_eq!(
            levels,
            ["Read", "Read & write", "Read, write, & manage", "Full"]
        );
        assert!(names.contains(&"Code (Status)"), "{names:?}");
        assert!(!names.contains(&"Service hooks"), "not in the dialog");
        let work = rows.iter().find(|r| r.name == "Work Items").unwrap();
        assert_eq!(work.levels.len(), 3);
        // Every dialog scope is on exactly one row, and the rows are far fewer than the scopes.
        let on_rows: Vec<&str> = rows
            .iter()
            .flat_map(|r| r.levels.iter().map(|s| s.id.as_str()))
            .collect();
        let in_dialog: Vec<&str> = c
            .scopes()
            .filter(|s| s.in_pat_dialog)
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(on_rows, in_dialog);
        assert!(rows.len() < in_dialog.len() / 2 + 5, "{} rows", rows.len());
    }

    #[test]
    fn catalogue_loads_and_ids_are_unique() {
        let c = Catalogue::get();
        let ids: Vec<_> = c.scopes().map(|s| s.id.clone()).collect();
        let unique: BTreeSet<_> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), unique.len(), "duplicate scope ids");
        assert!(ids.len() >= 70, "only {} scopes", ids.len());
        for scope in c.scopes() {
            for parent in &scope.inherits {
                assert!(
                    c.scope(parent).is_some(),
                    "{} inherits unknown {parent}",
                    scope.id
                );
            }
            assert!(scope.id.starts_with("vso."), "{}", scope.id);
        }
    }

    #[test]
    fn every_scope_in_microsofts_spec_descriptions_is_catalogued() {
        // The 7.1 REST specs describe these scopes (ado/scope-descriptions.json); each must exist.
        for id in [
            "vso.profile",
            "vso.build",
            "vso.pipelineresources_manage",
            "vso.build_execute",
            "vso.pipelineresources_use",
            "vso.packaging_write",
            "vso.packaging",
            "vso.packaging_manage",
            "vso.auditlog",
            "vso.auditstreams_manage",
            "vso.work",
            "vso.project",
            "vso.project_write",
            "vso.project_manage",
            "vso.dashboards",
            "vso.dashboards_manage",
            "vso.agentpools_manage",
            "vso.agentpools",
            "vso.machinegroup_manage",
            "vso.taskgroups_manage",
            "vso.taskgroups_read",
            "vso.taskgroups_write",
            "vso.variablegroups_read",
            "vso.variablegroups_manage",
            "vso.securefiles_write",
            "vso.securefiles_read",
            "vso.securefiles_manage",
            "vso.environment_manage",
            "vso.extension",
            "vso.extension_manage",
            "vso.extension.data",
            "vso.extension.data_write",
            "vso.profile_write",
            "vso.code",
            "vso.code_manage",
            "vso.code_write",
            "vso.code_status",
            "vso.threads_full",
            "vso.graph",
            "vso.graph_manage",
            "vso.identity_manage",
            "vso.identity",
            "vso.memberentitlementmanagement_write",
            "vso.memberentitlementmanagement",
            "vso.notification",
            "vso.notification_write",
            "vso.notification_manage",
            "vso.notification_diagnostics",
            "vso.security_manage",
            "vso.work_write",
            "vso.release",
            "vso.release_execute",
            "vso.release_manage",
            "vso.wiki",
            "vso.serviceendpoint",
            "vso.serviceendpoint_manage",
            "vso.serviceendpoint_query",
            "vso.symbols",
            "vso.symbols_write",
            "vso.symbols_manage",
            "vso.test_write",
            "vso.test",
            "vso.tokenadministration",
            "vso.wiki_write",
        ] {
            assert!(
                Catalogue::get().scope(id).is_some(),
                "{id} missing from the catalogue"
            );
        }
    }

    #[test]
    fn every_group_and_level_of_the_general_pat_guide_is_covered() {
        // The general PAT guide: group name -> the levels it lists.
        let guide: &[(&str, &[&str])] = &[
            ("Code", &["Read", "Write", "Manage"]),
            ("Work Items", &["Read", "Write", "Manage"]),
            ("Build", &["Read", "Execute", "Manage"]),
            ("Release", &["Read", "Execute", "Manage"]),
            ("Packaging", &["Read", "Write", "Manage"]),
            ("Service Connections", &["Read", "Manage"]),
            ("Project and Team", &["Read"]),
            ("Graph", &["Read"]),
            ("Identity", &["Read"]),
            ("Security", &["Manage"]),
            ("Variable Groups", &["Read", "Manage"]),
            ("Tokens Administration", &["Manage"]),
            ("Audit Log", &["Read"]),
            ("Agent Pools", &["Read", "Manage"]),
            ("Extension Management", &["Read", "Write"]),
            ("Member Entitlement Management", &["Read", "Write"]),
            ("Policy", &["Read", "Write"]),
            ("Process", &["Read", "Write"]),
            ("Profile", &["Read", "Write"]),
            ("Project Analysis", &["Read"]),
            ("Release Management", &["Read", "Write"]),
            ("Service Endpoint", &["Read", "Write"]),
            ("Source Providers", &["Read"]),
            ("Task Groups", &["Read", "Write"]),
            ("Test Management", &["Read", "Write"]),
            ("Wiki", &["Read", "Write"]),
            ("YAML Pipelines", &["Read", "Write"]),
        ];
        let c = Catalogue::get();
        for (name, levels) in guide {
            let (group, alias) = c.group_for_guide_name(name).unwrap_or_else(|| {
                panic!("the general PAT guide's group {name} is not catalogued")
            });
            assert!(!group.scopes.is_empty());
            // A read level exists wherever the general PAT guide lists Read.
            if levels.contains(&"Read") {
                assert!(
                    group.scopes.iter().any(|s| s.level.starts_with("Read")),
                    "{name}: no Read level in {}",
                    group.name
                );
            }
            if group.name != *name && !group.guide_names.iter().any(|n| n == name) {
                assert!(
                    alias.is_some(),
                    "{name} maps to {} without a note",
                    group.name
                );
            }
        }
    }

    #[test]
    fn inheritance_follows_microsofts_table() {
        let c = Catalogue::get();
        assert!(c.implies("vso.work_write", "vso.work"));
        assert!(c.implies("vso.work_full", "vso.work"));
        assert!(!c.implies("vso.work", "vso.work_write"));
        assert!(c.implies("vso.code_full", "vso.code"));
        assert!(!c.implies("vso.code_status", "vso.code"));
        assert!(c.implies("vso.serviceendpoint_manage", "vso.serviceendpoint"));
        assert!(c.implies("vso.serviceendpoint_query", "vso.profile"));
        assert!(c.implies("vso.environment_manage", "vso.agentpools"));
        assert!(c.implies("vso.machinegroup_manage", "vso.agentpools"));
        // Work items, code and build include service hooks, hence the user profile.
        assert!(c.implies("vso.code", "vso.hooks_write"));
        assert!(c.implies("vso.work", "vso.profile"));
        assert!(!c.implies("vso.project", "vso.profile"));
        assert!(!c.implies("vso.identity", "vso.graph"));
        // Operations listing several scopes: any one suffices.
        assert!(c.grants(["vso.build"], &["vso.work", "vso.build", "vso.code"]));
        assert!(!c.grants(["vso.project"], &["vso.work", "vso.build", "vso.code"]));
        assert!(c.grants(["app_token"], &["vso.tokenadministration"]));
    }

    #[test]
    fn labels_are_the_dialog_checkbox() {
        let c = Catalogue::get();
        assert_eq!(c.label("vso.work_write"), "Work Items: Read & write");
        assert_eq!(
            c.label("vso.serviceendpoint_query"),
            "Service Connections: Read & query"
        );
        assert_eq!(c.label("vso.project"), "Project and Team: Read");
        assert_eq!(
            c.label("vso.memberentitlementmanagement"),
            "Member Entitlement Management: Read"
        );
        assert_eq!(c.label("vso.unknown"), "vso.unknown");
        assert!(!c.scope("vso.hooks").unwrap().in_pat_dialog);
        assert!(c.scope("vso.code").unwrap().in_pat_dialog);
    }
}
