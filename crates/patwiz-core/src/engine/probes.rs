//! One side-effect-free request per scope (research notes §2), and the honest answer for the
//! scopes no such request can prove on its own. A probe is one row of [`PROBES`]: what it
//! sends and where, the API location it needs, what proves the scope, which fix a refusal for
//! the account's permissions takes, and whether it is asked beyond a profile's scopes.

use reqwest::Method;

use super::discovery::Hosts;
use super::http::Auth;
use crate::domain::checks::Expect;
use crate::domain::scopes::{Catalogue, ScopeId};

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

/// A probe's HTTP method: it only ever reads, or writes with `validateOnly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
}

impl Verb {
    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
        }
    }
}

/// The fix when the service refuses a probe for the account's permissions (not the token's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The class's own fix (an access level).
    ByClass,
    /// Reading other users' entitlements needs an organization administrator.
    Admin,
    /// The repository's Read permission.
    Code,
    /// A push: Contribute when the service names GenericContribute, else Read.
    Push,
}

#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub scope: ScopeId,
    pub verb: Verb,
    pub target: Target,
    /// Path after the host, with `{project}`, `{repo}`, `{user}` placeholders.
    pub path: &'static str,
    pub needs: Needs,
    pub body: Option<(&'static str, &'static str)>,
    pub expect: Expect,
    pub auth: Auth,
    /// Where its API lives, as the deployment's location data names it (`OPTIONS
    /// {collection}/_apis`): `None` for git's own protocol (every deployment has it) and for
    /// Analytics (OData, no REST location).
    pub location: Option<&'static str>,
    /// What the request does, in words ("validate-only create of a Task").
    pub what: &'static str,
    /// What to do when the first answer says the request could not be made as it is.
    pub retry: Option<Retry>,
    pub denied: Denied,
    /// Asked beyond the profile's scopes, to warn about over-privilege.
    pub over_scope: bool,
}

/// A second attempt a probe makes when its first answer says it could not be made as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The project's process has no Task type (VS402323): ask again with the first type it has.
    FirstWorkItemType,
}

/// A REST read of `path` on `target`, whose API is at `location`.
const fn read(
    scope: ScopeId,
    target: Target,
    path: &'static str,
    needs: Needs,
    location: &'static str,
    what: &'static str,
) -> Probe {
    Probe {
        location: Some(location),
        ..unlocated(scope, target, path, needs, what)
    }
}

/// A read of `path` on `target` that is not a REST API with a location (git's own protocol,
/// Analytics' OData): every deployment has it where it has the service at all.
const fn unlocated(
    scope: ScopeId,
    target: Target,
    path: &'static str,
    needs: Needs,
    what: &'static str,
) -> Probe {
    Probe {
        scope,
        verb: Verb::Get,
        target,
        path,
        needs,
        body: None,
        expect: Expect::Json,
        auth: Auth::Rest,
        location: None,
        what,
        retry: None,
        denied: Denied::ByClass,
        over_scope: false,
    }
}

impl Probe {
    /// Also asked when the profile does not want it, to warn about over-privilege.
    const fn over_scope(self) -> Probe {
        Probe {
            over_scope: true,
            ..self
        }
    }

    const fn denied(self, denied: Denied) -> Probe {
        Probe { denied, ..self }
    }

    /// A validate-only POST of `body` (`content_type`) that proves the scope by its answer.
    const fn posting(
        self,
        content_type: &'static str,
        body: &'static str,
        expect: Expect,
    ) -> Probe {
        Probe {
            verb: Verb::Post,
            body: Some((content_type, body)),
            expect,
            ..self
        }
    }
}

/// The probe for each scope that has one.
#[rustfmt::skip]
pub static PROBES: &[Probe] = {
    use Needs::{Nothing, Project, Repository, UserId};
    use Target::{Analytics, Audit, Core, Entitlements, Feeds, Graph, Ims, Release};
    &[
        read(ScopeId::WORK, Core, "_apis/wit/workitemrelationtypes?api-version=7.1", Nothing,
            "f5d33bc9-5b49-4a3c-a9bd-f3cd46dd2165", "list work item relation types"),
        Probe {
            retry: Some(Retry::FirstWorkItemType),
            ..read(ScopeId::WORK_WRITE, Core,
                "{project}/_apis/wit/workitems/${type}?validateOnly=true&api-version=7.1", Project,
                "62d3d110-0047-428c-ad3c-4fe872c91c74",
                "validate-only create of a work item (nothing is saved)")
            .posting("application/json-patch+json",
                r#"[{"op":"add","path":"/fields/System.Title","value":"patwiz probe (validate only, never saved)"}]"#,
                Expect::Json)
        },
        read(ScopeId::CODE, Core, "_apis/git/repositories?api-version=7.1", Nothing,
            LOCATION_REPOSITORIES, "list git repositories")
        .denied(Denied::Code),
        Probe {
            expect: Expect::Success,
            auth: Auth::Git,
            ..unlocated(ScopeId::CODE_WRITE, Core, "{project}/_git/{repo}/info/refs?service=git-receive-pack",
                Repository, "git push advertisement (git-receive-pack), nothing is pushed")
        }
        .denied(Denied::Push)
        .over_scope(),
        read(ScopeId::IDENTITY, Ims, "_apis/identities?identityIds={user}&api-version=7.1", UserId,
            "28010c54-d0c0-4c89-a5b0-1c9e188b9fb7", "read your own identity"),
        read(ScopeId::PROJECT, Core, "_apis/teams?$top=1&api-version=7.1-preview.3", Nothing,
            "7a4d9ee9-3433-4347-b47a-7a80f1cf307e", "list teams"),
        read(ScopeId::SERVICE_ENDPOINT, Core, "_apis/serviceendpoint/types?api-version=7.1", Nothing,
            "5a7938a4-655e-486c-b562-b78c54a7e87b", "list service connection types"),
        read(ScopeId::SERVICE_ENDPOINT_QUERY, Core,
            "{project}/_apis/serviceendpoint/endpointproxy?endpointId=00000000-0000-0000-0000-000000000000&api-version=7.1",
            Project, "cc63bb57-2a5f-4a7a-b79c-c142d308657e",
            "query a service connection that does not exist (reaches no external service)")
        .posting("application/json", r#"{"dataSourceDetails":{"dataSourceName":"patwiz-probe"}}"#,
            Expect::Authorised),
        read(ScopeId::PROFILE, Core, "_apis/favorite/favorites?api-version=7.1", Nothing,
            "6f13e9a6-aae2-4b89-b683-131ca9564cec", "list your favorites"),
        read(ScopeId::MEMBER_ENTITLEMENTS, Entitlements, "_apis/userentitlements/{user}?api-version=7.1",
            UserId, "8480c6eb-ce60-47e9-88df-eca3c801638b", "read your own user entitlement")
        .denied(Denied::Admin),
        read(ScopeId::GRAPH, Graph, "_apis/graph/descriptors/{user}?api-version=7.1-preview.1", UserId,
            "048aee0a-7072-4cde-ab73-7af77b1e0b4e", "read your own graph descriptor")
        .over_scope(),
        read(ScopeId::BUILD, Core, "{project}/_apis/build/definitions?$top=1&api-version=7.1", Project,
            "dbeaf647-6167-421a-bda9-c9327b25e2e6", "list build definitions")
        .over_scope(),
        read(ScopeId::RELEASE, Release, "{project}/_apis/release/definitions?$top=1&api-version=7.1",
            Project, "d8f96f24-8ea7-4cb6-baab-2df8fc515665", "list release definitions")
        .over_scope(),
        read(ScopeId::PACKAGING, Feeds, "_apis/packaging/globalpermissions?api-version=7.1", Nothing,
            "a74419ef-b477-43df-8758-3cd1cd5f56c6", "read feed permissions")
        .over_scope(),
        read(ScopeId::WIKI, Core, "{project}/_apis/wiki/wikis?api-version=7.1", Project,
            "288d122c-dbd4-451d-aa5f-7dbbba070728", "list wikis"),
        read(ScopeId::TEST, Core, "{project}/_apis/testplan/plans?api-version=7.1", Project,
            "0e292477-a0c2-47f3-a9b6-34f153d627f4", "list test plans"),
        read(ScopeId::VARIABLE_GROUPS_READ, Core,
            "{project}/_apis/distributedtask/variablegroups?$top=1&api-version=7.1", Project,
            "f5b09dd5-9d54-45a1-8b5a-1c8287d634cc", "list variable groups"),
        read(ScopeId::AGENT_POOLS, Core, "_apis/distributedtask/pools?api-version=7.1", Nothing,
            "a8c47e17-4d56-4a56-92bb-de7ea7dc65be", "list agent pools")
        .over_scope(),
        read(ScopeId::AUDIT_LOG, Audit, "_apis/audit/actions?api-version=7.1-preview.1", Nothing,
            "6fa30b9a-9558-4e3b-a95f-a12572caa6e6", "list audit actions"),
        unlocated(ScopeId::ANALYTICS, Analytics, "_odata/v4.0-preview/Projects?$select=ProjectName&$top=1",
            Nothing, "query Analytics for one project name"),
    ]
};

/// API location ids of the requests around the probes (connectionData and the context).
pub const LOCATION_CONNECTION_DATA: &str = "00d9565f-ed9c-4a06-9a50-00e7896ccab4";
pub const LOCATION_PROJECTS: &str = "603fe2ac-9723-48b9-88ad-09305aa6c6e1";
pub const LOCATION_REPOSITORIES: &str = "225f7195-f9c7-4d14-ab28-a83f7ff77e1f";
pub const LOCATION_WORK_ITEM_TYPES: &str = "7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa";

pub fn probe_for(scope: &str) -> Option<&'static Probe> {
    PROBES.iter().find(|p| p.scope.is(scope))
}

/// For a scope with no probe of its own: the nearest scope it includes that has one, whose
/// failure proves this scope missing too.
pub fn nearest_provable(scope: &str) -> Option<&'static Probe> {
    let catalogue = Catalogue::get();
    catalogue
        .closure([scope])
        .into_iter()
        .filter(|s| !s.eq_ignore_ascii_case(scope))
        .filter_map(|s| probe_for(&s).map(|p| (catalogue.closure([s.as_str()]).len(), p)))
        .max_by_key(|(size, _)| *size)
        .map(|(_, p)| p)
}

/// The probes asked beyond a profile's scopes, to warn about over-privilege (all side-effect
/// free).
pub fn over_scope() -> impl Iterator<Item = &'static Probe> {
    PROBES.iter().filter(|p| p.over_scope)
}

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
        let over: Vec<&str> = over_scope().map(|p| p.scope.as_str()).collect();
        assert_eq!(
            over,
            [
                "vso.code_write",
                "vso.graph",
                "vso.build",
                "vso.release",
                "vso.packaging",
                "vso.agentpools"
            ]
        );
    }

    #[test]
    fn every_rest_probe_names_its_api_location() {
        for probe in PROBES {
            let rest = probe.auth == Auth::Rest && probe.target != Target::Analytics;
            assert_eq!(probe.location.is_some(), rest, "{}", probe.scope);
        }
    }

    #[test]
    fn probes_are_reads_or_validate_only() {
        let mut seen = std::collections::BTreeSet::new();
        for probe in PROBES {
            assert!(seen.insert(probe.scope), "{} twice", probe.scope);
            if probe.verb != Verb::Get {
                assert!(
                    probe.path.contains("validateOnly=true")
                        || probe.path.contains("endpointId=00000000"),
                    "{} writes: {}",
                    probe.scope,
                    probe.path
                );
            }
            assert_eq!(
                probe.body.is_some(),
                probe.verb == Verb::Post,
                "{}",
                probe.scope
            );
        }
    }

    #[test]
    fn unprovable_scopes_fall_back_to_what_they_include() {
        assert_eq!(
            nearest_provable("vso.work_full").unwrap().scope,
            ScopeId::WORK_WRITE
        );
        assert_eq!(
            nearest_provable("vso.code_manage").unwrap().scope,
            ScopeId::CODE_WRITE
        );
        assert_eq!(
            nearest_provable("vso.serviceendpoint_manage")
                .unwrap()
                .scope,
            ScopeId::SERVICE_ENDPOINT_QUERY
        );
        assert_eq!(
            nearest_provable("vso.project_manage").unwrap().scope,
            ScopeId::PROJECT
        );
        assert!(nearest_provable("vso.tokenadministration").is_none());
    }
}
