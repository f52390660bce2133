//! One side-effect-free request per scope (research notes §2), and the honest answer for the
//! scopes no such request can prove on its own.

use reqwest::Method;

use super::discovery::Hosts;
use super::http::Auth;
use crate::domain::checks::Expect;
use crate::domain::scopes::Catalogue;

/// Which host a probe goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Core,
    Ims,
    Graph,
    Entitlements,
    Release,
    Feeds,
    Audit,
    Analytics,
}

/// What a probe needs to know before it can be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Needs {
    Nothing,
    Project,
    Repository,
    UserId,
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub scope: &'static str,
    pub method: Method,
    pub target: Target,
    /// Path after the host, with `{project}`, `{repo}`, `{user}` placeholders.
    pub path: &'static str,
    pub needs: Needs,
    pub body: Option<(&'static str, &'static str)>,
    pub expect: Expect,
    pub auth: Auth,
    /// What the request does, in words ("validate-only create of a Task").
    pub what: &'static str,
    /// What to do when the first answer says the request could not be made as it is.
    pub retry: Option<Retry>,
}

/// A second attempt a probe makes when its first answer says it could not be made as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The project's process has no Task type (VS402323): ask again with the first type it has.
    FirstWorkItemType,
}

const fn get(
    scope: &'static str,
    target: Target,
    path: &'static str,
    needs: Needs,
    what: &'static str,
) -> Probe {
    Probe {
        scope,
        method: Method::GET,
        target,
        path,
        needs,
        body: None,
        expect: Expect::Json,
        auth: Auth::Rest,
        what,
        retry: None,
    }
}

/// The probe for each scope that has one.
pub fn probes() -> Vec<Probe> {
    use Needs::*;
    use Target::*;
    vec![
        get(
            "vso.work",
            Core,
            "_apis/wit/workitemrelationtypes?api-version=7.1",
            Nothing,
            "list work item relation types",
        ),
        Probe {
            scope: "vso.work_write",
            method: Method::POST,
            target: Core,
            path: "{project}/_apis/wit/workitems/${type}?validateOnly=true&api-version=7.1",
            needs: Project,
            body: Some((
                "application/json-patch+json",
                r#"[{"op":"add","path":"/fields/System.Title","value":"patwiz probe (validate only, never saved)"}]"#,
            )),
            expect: Expect::Json,
            auth: Auth::Rest,
            what: "validate-only create of a work item (nothing is saved)",
            retry: Some(Retry::FirstWorkItemType),
        },
        get(
            "vso.code",
            Core,
            "_apis/git/repositories?api-version=7.1",
            Nothing,
            "list git repositories",
        ),
        Probe {
            scope: "vso.code_write",
            method: Method::GET,
            target: Core,
            path: "{project}/_git/{repo}/info/refs?service=git-receive-pack",
            needs: Repository,
            body: None,
            expect: Expect::Success,
            auth: Auth::Git,
            what: "git push advertisement (git-receive-pack), nothing is pushed",
            retry: None,
        },
        get(
            "vso.identity",
            Ims,
            "_apis/identities?identityIds={user}&api-version=7.1",
            UserId,
            "read your own identity",
        ),
        get(
            "vso.project",
            Core,
            "_apis/teams?$top=1&api-version=7.1-preview.3",
            Nothing,
            "list teams",
        ),
        get(
            "vso.serviceendpoint",
            Core,
            "_apis/serviceendpoint/types?api-version=7.1",
            Nothing,
            "list service connection types",
        ),
        Probe {
            scope: "vso.serviceendpoint_query",
            method: Method::POST,
            target: Core,
            path: "{project}/_apis/serviceendpoint/endpointproxy?endpointId=00000000-0000-0000-0000-000000000000&api-version=7.1",
            needs: Project,
            body: Some((
                "application/json",
                r#"{"dataSourceDetails":{"dataSourceName":"patwiz-probe"}}"#,
            )),
            expect: Expect::Authorised,
            auth: Auth::Rest,
            what: "query a service connection that does not exist (reaches no external service)",
            retry: None,
        },
        get(
            "vso.profile",
            Core,
            "_apis/favorite/favorites?api-version=7.1",
            Nothing,
            "list your favorites",
        ),
        get(
            "vso.memberentitlementmanagement",
            Entitlements,
            "_apis/userentitlements/{user}?api-version=7.1",
            UserId,
            "read your own user entitlement",
        ),
        get(
            "vso.graph",
            Graph,
            "_apis/graph/descriptors/{user}?api-version=7.1-preview.1",
            UserId,
            "read your own graph descriptor",
        ),
        get(
            "vso.build",
            Core,
            "{project}/_apis/build/definitions?$top=1&api-version=7.1",
            Project,
            "list build definitions",
        ),
        get(
            "vso.release",
            Release,
            "{project}/_apis/release/definitions?$top=1&api-version=7.1",
            Project,
            "list release definitions",
        ),
        get(
            "vso.packaging",
            Feeds,
            "_apis/packaging/globalpermissions?api-version=7.1",
            Nothing,
            "read feed permissions",
        ),
        get(
            "vso.wiki",
            Core,
            "{project}/_apis/wiki/wikis?api-version=7.1",
            Project,
            "list wikis",
        ),
        get(
            "vso.test",
            Core,
            "{project}/_apis/testplan/plans?api-version=7.1",
            Project,
            "list test plans",
        ),
        get(
            "vso.variablegroups_read",
            Core,
            "{project}/_apis/distributedtask/variablegroups?$top=1&api-version=7.1",
            Project,
            "list variable groups",
        ),
        get(
            "vso.agentpools",
            Core,
            "_apis/distributedtask/pools?api-version=7.1",
            Nothing,
            "list agent pools",
        ),
        get(
            "vso.auditlog",
            Audit,
            "_apis/audit/actions?api-version=7.1-preview.1",
            Nothing,
            "list audit actions",
        ),
        get(
            "vso.analytics",
            Analytics,
            "_odata/v4.0-preview/Projects?$select=ProjectName&$top=1",
            Nothing,
            "query Analytics for one project name",
        ),
    ]
}

/// API location ids of the requests around the probes (connectionData and the context).
pub const LOCATION_CONNECTION_DATA: &str = "00d9565f-ed9c-4a06-9a50-00e7896ccab4";
pub const LOCATION_PROJECTS: &str = "603fe2ac-9723-48b9-88ad-09305aa6c6e1";
pub const LOCATION_REPOSITORIES: &str = "225f7195-f9c7-4d14-ab28-a83f7ff77e1f";
pub const LOCATION_WORK_ITEM_TYPES: &str = "7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa";

/// Where a probe's API lives, as the deployment's location data names it
/// (`OPTIONS {collection}/_apis`): `Some(id)` for a REST API, `None` for git's own protocol
/// (every deployment has it) and for Analytics (OData, no REST location).
pub fn location_of(probe: &Probe) -> Option<&'static str> {
    Some(match probe.scope {
        "vso.work" => "f5d33bc9-5b49-4a3c-a9bd-f3cd46dd2165",
        "vso.work_write" => "62d3d110-0047-428c-ad3c-4fe872c91c74",
        "vso.code" => LOCATION_REPOSITORIES,
        "vso.identity" => "28010c54-d0c0-4c89-a5b0-1c9e188b9fb7",
        "vso.project" => "7a4d9ee9-3433-4347-b47a-7a80f1cf307e",
        "vso.serviceendpoint" => "5a7938a4-655e-486c-b562-b78c54a7e87b",
        "vso.serviceendpoint_query" => "cc63bb57-2a5f-4a7a-b79c-c142d308657e",
        "vso.profile" => "6f13e9a6-aae2-4b89-b683-131ca9564cec",
        "vso.memberentitlementmanagement" => "8480c6eb-ce60-47e9-88df-eca3c801638b",
        "vso.graph" => "048aee0a-7072-4cde-ab73-7af77b1e0b4e",
        "vso.build" => "dbeaf647-6167-421a-bda9-c9327b25e2e6",
        "vso.release" => "d8f96f24-8ea7-4cb6-baab-2df8fc515665",
        "vso.packaging" => "a74419ef-b477-43df-8758-3cd1cd5f56c6",
        "vso.wiki" => "288d122c-dbd4-451d-aa5f-7dbbba070728",
        "vso.test" => "0e292477-a0c2-47f3-a9b6-34f153d627f4",
        "vso.variablegroups_read" => "f5b09dd5-9d54-45a1-8b5a-1c8287d634cc",
        "vso.agentpools" => "a8c47e17-4d56-4a56-92bb-de7ea7dc65be",
        "vso.auditlog" => "6fa30b9a-9558-4e3b-a95f-a12572caa6e6",
        _ => return None,
    })
}

pub fn probe_for(scope: &str) -> Option<Probe> {
    probes()
        .into_iter()
        .find(|p| p.scope.eq_ignore_ascii_case(scope))
}

/// For a scope with no probe of its own: the nearest scope it includes that has one, whose
/// failure proves this scope missing too.
pub fn nearest_provable(scope: &str) -> Option<Probe> {
    let catalogue = Catalogue::get();
    catalogue
        .closure([scope])
        .into_iter()
        .filter(|s| !s.eq_ignore_ascii_case(scope))
        .filter_map(|s| probe_for(&s).map(|p| (catalogue.closure([s.as_str()]).len(), p)))
        .max_by_key(|(size, _)| *size)
        .map(|(_, p)| p)
}

/// Scopes probed beyond the profile's, to warn about over-privilege (all side-effect free).
pub const POWERFUL_EXTRAS: &[&str] = &[
    "vso.code_write",
    "vso.build",
    "vso.packaging",
    "vso.agentpools",
    "vso.graph",
    "vso.release",
];

impl Target {
    pub fn base(self, hosts: &Hosts) -> &str {
        match self {
            Target::Core => &hosts.core,
            Target::Ims => &hosts.ims,
            Target::Graph => &hosts.graph,
            Target::Entitlements => &hosts.entitlements,
            Target::Release => &hosts.release,
            Target::Feeds => &hosts.feeds,
            Target::Audit => &hosts.audit,
            Target::Analytics => &hosts.analytics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_scope_has_a_probe() {
        for name in crate::domain::profiles::built_in_names() {
            let profile = crate::domain::profiles::find(name).unwrap();
            for scope in profile.scope_ids() {
                assert!(probe_for(&scope).is_some(), "{name}: no probe for {scope}");
            }
        }
        for extra in POWERFUL_EXTRAS {
            assert!(probe_for(extra).is_some());
        }
    }

    #[test]
    fn every_rest_probe_names_its_api_location() {
        for probe in probes() {
            let rest = probe.auth == Auth::Rest && probe.target != Target::Analytics;
            assert_eq!(location_of(&probe).is_some(), rest, "{}", probe.scope);
        }
    }

    #[test]
    fn probes_are_reads_or_validate_only() {
        for probe in probes() {
            if probe.method != Method::GET {
                assert!(
                    probe.path.contains("validateOnly=true")
                        || probe.path.contains("endpointId=00000000"),
                    "{} writes: {}",
                    probe.scope,
                    probe.path
                );
            }
            assert!(
                Catalogue::get().scope(probe.scope).is_some(),
                "{}",
                probe.scope
            );
        }
    }

    #[test]
    fn unprovable_scopes_fall_back_to_what_they_include() {
        assert_eq!(
            nearest_provable("vso.work_full").unwrap().scope,
            "vso.work_write"
        );
        assert_eq!(
            nearest_provable("vso.code_manage").unwrap().scope,
            "vso.code_write"
        );
        assert_eq!(
            nearest_provable("vso.serviceendpoint_manage")
                .unwrap()
                .scope,
            "vso.serviceendpoint_query"
        );
        assert_eq!(
            nearest_provable("vso.project_manage").unwrap().scope,
            "vso.project"
        );
        assert!(nearest_provable("vso.tokenadministration").is_none());
    }
}
