//! Service hosts, resource areas and API locations: how a client finds where each API lives.
//!
//! The real service spreads an organization over several hosts (dev.azure.com, vssps, vsaex,
//! vsrm, feeds, ...) and advertises them through resource areas. The emulator serves every
//! host under its own address, at `/_hosts/{service}/{org}`, and advertises those addresses in
//! the same way, so a client that follows discovery (as Microsoft's clients do) works here and
//! on Azure DevOps Server, where every API lives on the collection URL.

use serde_json::{Value, json};

/// One Azure DevOps service host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Core,
    Vssps,
    Vsaex,
    Vsrm,
    Feeds,
    Pkgs,
    AuditService,
    Analytics,
    Vstmr,
    ExtMgmt,
    AlmSearch,
    AppVssps,
}

impl Service {
    pub const ALL: [Service; 12] = [
        Service::Core,
        Service::Vssps,
        Service::Vsaex,
        Service::Vsrm,
        Service::Feeds,
        Service::Pkgs,
        Service::AuditService,
        Service::Analytics,
        Service::Vstmr,
        Service::ExtMgmt,
        Service::AlmSearch,
        Service::AppVssps,
    ];

    /// The host name in Microsoft's REST specs.
    pub fn spec_host(self) -> &'static str {
        match self {
            Service::Core => "dev.azure.com",
            Service::Vssps => "vssps.dev.azure.com",
            Service::Vsaex => "vsaex.dev.azure.com",
            Service::Vsrm => "vsrm.dev.azure.com",
            Service::Feeds => "feeds.dev.azure.com",
            Service::Pkgs => "pkgs.dev.azure.com",
            Service::AuditService => "auditservice.dev.azure.com",
            Service::Analytics => "analytics.dev.azure.com",
            Service::Vstmr => "vstmr.dev.azure.com",
            Service::ExtMgmt => "extmgmt.dev.azure.com",
            Service::AlmSearch => "almsearch.dev.azure.com",
            Service::AppVssps => "app.vssps.visualstudio.com",
        }
    }

    /// The path prefix the emulator serves this host under (`/_hosts/{prefix}`).
    pub fn prefix(self) -> &'static str {
        match self {
            Service::Core => "",
            Service::AppVssps => "app.vssps",
            other => other.spec_host().trim_end_matches(".dev.azure.com"),
        }
    }

    pub fn from_prefix(prefix: &str) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|s| *s != Service::Core && s.prefix().eq_ignore_ascii_case(prefix))
    }

    /// True for hosts whose paths carry no organization (app.vssps.visualstudio.com).
    pub fn is_global(self) -> bool {
        self == Service::AppVssps
    }

    /// This host's base URL for `org` under the emulator's `root` (no trailing slash).
    pub fn base_url(self, root: &str, org: &str) -> String {
        match self {
            Service::Core => format!("{root}/{org}"),
            Service::AppVssps => format!("{root}/_hosts/app.vssps"),
            other => format!("{root}/_hosts/{}/{org}", other.prefix()),
        }
    }
}

/// Resource areas the emulator advertises: (area id, name, service).
pub const RESOURCE_AREAS: &[(&str, &str, Service)] = &[
    (
        "79134c72-4a58-4b42-976c-04e7115f32bf",
        "core",
        Service::Core,
    ),
    ("5264459e-e5e0-4bd8-b118-0985e68a4ec5", "wit", Service::Core),
    ("4e080c62-fa21-4fbc-8fef-2a10a2b38049", "git", Service::Core),
    (
        "965220d5-5bb9-42cf-8d67-9b146df2a5a4",
        "build",
        Service::Core,
    ),
    (
        "a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd",
        "distributedtask",
        Service::Core,
    ),
    (
        "1814ab31-2f4f-4a9f-8761-f4d77dc5a5d7",
        "serviceendpoint",
        Service::Core,
    ),
    (
        "bf7d82a0-8aa5-4613-94ef-6172a5ea01f3",
        "wiki",
        Service::Core,
    ),
    (
        "c2aa639c-3ccc-4740-b3b6-ce2a1e1d984e",
        "Test",
        Service::Core,
    ),
    (
        "1d4f49f9-02b9-4e26-b826-2cdb6195f2a9",
        "work",
        Service::Core,
    ),
    (
        "fb13a388-40dd-4a04-b530-013a739c72ef",
        "policy",
        Service::Core,
    ),
    (
        "bb1e7ec9-e901-4b68-999a-de7012b920f8",
        "Graph",
        Service::Vssps,
    ),
    (
        "8a3d49b8-91f0-46ef-b33d-dda338c25db3",
        "IMS",
        Service::Vssps,
    ),
    (
        "af68438b-ed04-4407-9eb6-f1dbae3f922e",
        "TokenAdmin",
        Service::Vssps,
    ),
    (
        "68ddce18-2501-45f1-a17b-7931a9922690",
        "MemberEntitlementManagement",
        Service::Vsaex,
    ),
    (
        "efc2f575-36ef-48e9-b672-0c6fb4a48ac5",
        "Release",
        Service::Vsrm,
    ),
    (
        "7ab4e64e-c4d8-4f50-ae73-5ef2e21642a5",
        "Packaging",
        Service::Feeds,
    ),
    (
        "94ff054d-5ee1-413d-9341-3f4a7827de2e",
        "Audit",
        Service::AuditService,
    ),
    ("4c83cfc1-f33a-477e-a789-29d38ffca52e", "npm", Service::Pkgs),
    (
        "92f0314b-06c5-46e0-abe7-15fd9d13276a",
        "pypi",
        Service::Pkgs,
    ),
    (
        "8ccfef3d-2b87-4e99-8ccb-66e343d2daa8",
        "Profile",
        Service::AppVssps,
    ),
    (
        "0d55247a-1c47-4462-9b1f-5e2125590ee6",
        "Account",
        Service::AppVssps,
    ),
];

pub fn area(id: &str) -> Option<(&'static str, &'static str, Service)> {
    RESOURCE_AREAS
        .iter()
        .copied()
        .find(|(area_id, _, _)| area_id.eq_ignore_ascii_case(id))
}

/// One resource area as the service returns it.
pub fn area_json(root: &str, org: &str, id: &str, name: &str, service: Service) -> Value {
    json!({
        "id": id,
        "name": name,
        "locationUrl": format!("{}/", service.base_url(root, org)),
    })
}

/// An API location (`OPTIONS {host}/_apis`): where one API lives and which versions it takes.
pub struct Location {
    pub service: Service,
    pub id: &'static str,
    pub area: &'static str,
    pub resource: &'static str,
    pub route: &'static str,
    pub resource_version: u32,
}

const fn loc(
    service: Service,
    id: &'static str,
    area: &'static str,
    resource: &'static str,
    route: &'static str,
    resource_version: u32,
) -> Location {
    Location {
        service,
        id,
        area,
        resource,
        route,
        resource_version,
    }
}

/// Every API the emulator answers, with the location id Microsoft's clients look up.
pub const LOCATIONS: &[Location] = &[
    loc(
        Service::Core,
        "00d9565f-ed9c-4a06-9a50-00e7896ccab4",
        "Location",
        "ConnectionData",
        "_apis/connectionData",
        1,
    ),
    loc(
        Service::Core,
        "e81700f7-3be2-46de-8624-2eb35882fcaa",
        "Location",
        "ResourceAreas",
        "_apis/resourceAreas/{areaId}",
        1,
    ),
    loc(
        Service::Core,
        "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
        "core",
        "projects",
        "_apis/projects/{*projectId}",
        4,
    ),
    loc(
        Service::Core,
        "7a4d9ee9-3433-4347-b47a-7a80f1cf307e",
        "core",
        "teams",
        "_apis/teams",
        3,
    ),
    loc(
        Service::Core,
        "d30a3dd1-f8ba-442a-b86a-bd0c0c383e59",
        "core",
        "teams",
        "_apis/projects/{projectId}/teams/{*teamId}",
        3,
    ),
    loc(
        Service::Core,
        "225f7195-f9c7-4d14-ab28-a83f7ff77e1f",
        "git",
        "repositories",
        "{project}/_apis/git/repositories/{repositoryId}",
        1,
    ),
    loc(
        Service::Core,
        "7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa",
        "wit",
        "workItemTypes",
        "{project}/_apis/wit/workItemTypes/{type}",
        2,
    ),
    loc(
        Service::Core,
        "f5d33bc9-5b49-4a3c-a9bd-f3cd46dd2165",
        "wit",
        "workItemRelationTypes",
        "_apis/wit/workItemRelationTypes/{relation}",
        2,
    ),
    loc(
        Service::Core,
        "62d3d110-0047-428c-ad3c-4fe872c91c74",
        "wit",
        "workItems",
        "{project}/_apis/wit/workItems/${type}",
        3,
    ),
    loc(
        Service::Core,
        "dbeaf647-6167-421a-bda9-c9327b25e2e6",
        "build",
        "definitions",
        "{project}/_apis/build/definitions/{definitionId}",
        7,
    ),
    loc(
        Service::Core,
        "5a7938a4-655e-486c-b562-b78c54a7e87b",
        "serviceendpoint",
        "types",
        "_apis/serviceendpoint/types",
        1,
    ),
    loc(
        Service::Core,
        "e85f1c62-adfc-4b74-b618-11a150fb195e",
        "serviceendpoint",
        "endpoints",
        "{project}/_apis/serviceendpoint/endpoints/{endpointId}",
        4,
    ),
    loc(
        Service::Core,
        "cc63bb57-2a5f-4a7a-b79c-c142d308657e",
        "serviceendpoint",
        "endpointproxy",
        "{project}/_apis/serviceendpoint/endpointproxy",
        1,
    ),
    loc(
        Service::Core,
        "6f13e9a6-aae2-4b89-b683-131ca9564cec",
        "Favorite",
        "Favorites",
        "_apis/Favorite/Favorites/{favoriteId}",
        1,
    ),
    loc(
        Service::Core,
        "0e292477-a0c2-47f3-a9b6-34f153d627f4",
        "testplan",
        "Plans",
        "{project}/_apis/testplan/Plans/{planId}",
        1,
    ),
    loc(
        Service::Core,
        "a8c47e17-4d56-4a56-92bb-de7ea7dc65be",
        "distributedtask",
        "pools",
        "_apis/distributedtask/pools/{poolId}",
        1,
    ),
    loc(
        Service::Core,
        "f5b09dd5-9d54-45a1-8b5a-1c8287d634cc",
        "distributedtask",
        "variablegroups",
        "{project}/_apis/distributedtask/variablegroups/{groupId}",
        2,
    ),
    loc(
        Service::Core,
        "288d122c-dbd4-451d-aa5f-7dbbba070728",
        "wiki",
        "wikis",
        "{project}/_apis/wiki/wikis/{wikiIdentifier}",
        2,
    ),
    loc(
        Service::Core,
        "cadb3810-d47d-4a3c-a234-fe5f3be50138",
        "Test",
        "Runs",
        "{project}/_apis/test/runs/{runId}",
        3,
    ),
    loc(
        Service::Vssps,
        "28010c54-d0c0-4c89-a5b0-1c9e188b9fb7",
        "IMS",
        "Identities",
        "_apis/identities/{identityId}",
        1,
    ),
    loc(
        Service::Vssps,
        "048aee0a-7072-4cde-ab73-7af77b1e0b4e",
        "Graph",
        "Descriptors",
        "_apis/graph/descriptors/{storageKey}",
        1,
    ),
    loc(
        Service::Vsaex,
        "8480c6eb-ce60-47e9-88df-eca3c801638b",
        "MemberEntitlementManagement",
        "UserEntitlements",
        "_apis/userentitlements/{userId}",
        3,
    ),
    loc(
        Service::Vsaex,
        "387f832c-dbf2-4643-88e9-c1aa94dbb737",
        "MemberEntitlementManagement",
        "UserEntitlements",
        "_apis/userentitlements",
        3,
    ),
    loc(
        Service::Vsrm,
        "d8f96f24-8ea7-4cb6-baab-2df8fc515665",
        "Release",
        "definitions",
        "{project}/_apis/release/definitions/{definitionId}",
        4,
    ),
    loc(
        Service::Feeds,
        "0cee643d-beb9-41f8-9368-3ada763a8344",
        "Packaging",
        "Feeds",
        "{project}/_apis/packaging/Feeds/{feedId}",
        1,
    ),
    loc(
        Service::Feeds,
        "a74419ef-b477-43df-8758-3cd1cd5f56c6",
        "Packaging",
        "GlobalPermissions",
        "_apis/packaging/globalpermissions",
        1,
    ),
    loc(
        Service::AuditService,
        "6fa30b9a-9558-4e3b-a95f-a12572caa6e6",
        "audit",
        "actions",
        "_apis/audit/actions",
        1,
    ),
    loc(
        Service::AppVssps,
        "f83735dc-483f-4238-a291-d45f6080a9af",
        "Profile",
        "Profiles",
        "_apis/profile/profiles/{id}",
        3,
    ),
];

/// APIs Azure DevOps Server does not have: member entitlements, Graph, audit, the global
/// profile host and Analytics are cloud-only (no `azure-devops-server-*` spec folder).
pub fn cloud_only(l: &Location) -> bool {
    matches!(
        l.service,
        Service::Vsaex | Service::AuditService | Service::AppVssps | Service::Analytics
    ) || l.area.eq_ignore_ascii_case("Graph")
}

/// The first Server release (as its API version) that has this API: favorites came with the
/// `azure-devops-server-7.1` specs.
pub fn server_minimum(l: &Location) -> (u32, u32) {
    if l.area.eq_ignore_ascii_case("Favorite") {
        (7, 1)
    } else {
        (0, 0)
    }
}

/// The body of `OPTIONS {host}/_apis`: every location served on `service` (on Azure DevOps
/// Server, where everything lives on one host, every location it has, each at most at the
/// release's `ceiling`).
pub fn options_json(service: Service, on_premises: bool, ceiling: Option<(u32, u32)>) -> Value {
    let version = ceiling.map_or("7.2".to_string(), |(a, b)| format!("{a}.{b}"));
    let released = ceiling.map_or("7.1".to_string(), |(a, b)| format!("{a}.{b}"));
    let value: Vec<Value> = LOCATIONS
        .iter()
        .filter(|l| on_premises || l.service == service || l.area == "Location")
        .filter(|l| !(on_premises && ceiling.is_some() && cloud_only(l)))
        .filter(|l| ceiling.is_none_or(|c| c >= server_minimum(l)))
        .map(|l| {
            json!({
                "id": l.id,
                "area": l.area,
                "resourceName": l.resource,
                "routeTemplate": l.route,
                "resourceVersion": l.resource_version,
                "minVersion": "1.0",
                "maxVersion": version,
                "releasedVersion": released,
            })
        })
        .collect();
    json!({ "value": value, "count": value.len() })
}
