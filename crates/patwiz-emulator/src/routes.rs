//! The emulator's REST operations as declared route tables, one per host: the method, the
//! path after the organization (and after the project, for a project-level operation), and the
//! handler in `resources`. A request reaches them once it is authenticated and authorised.
//!
//! Paths are matched segment by segment on the decoded path, in any case (Azure DevOps' routes
//! are case-insensitive): `{name}` takes one whole segment, `${name}` one that starts with `$`
//! (a work item type). A path string router (axum's `matchit`) would match the re-joined path,
//! where a name holding an encoded `/` would become two segments.

use axum::http::Method;

use super::locations::Service;
use super::resources::{self as r, Answer, Request, project_missing};
use super::scenario::Project;

/// What a handler is given: the request and the path's named segments.
pub enum Handler {
    /// An organization-level operation (no project in the path).
    Org(fn(&Request, &Params) -> Answer),
    /// A project-level operation: `{project}/…`, the project found.
    Project(fn(&Request, &Project, &Params) -> Answer),
    /// Either, the project when the path names one.
    Either(fn(&Request, Option<&Project>, &Params) -> Answer),
}

/// One declared operation.
pub struct Route {
    pub method: Method,
    /// After the organization, or the project: `_apis/git/repositories/{repository}`.
    pub path: &'static str,
    pub handler: Handler,
}

/// The named segments of a matched path, as the request spelled them.
pub struct Params<'r>(Vec<(&'static str, &'r str)>);

impl Params<'_> {
    /// The segment named `name` in the route's path ("" if it has none: a table error the
    /// route tests catch).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v)
    }
}

const fn org(method: Method, path: &'static str, f: fn(&Request, &Params) -> Answer) -> Route {
    Route {
        method,
        path,
        handler: Handler::Org(f),
    }
}

const fn project(
    method: Method,
    path: &'static str,
    f: fn(&Request, &Project, &Params) -> Answer,
) -> Route {
    Route {
        method,
        path,
        handler: Handler::Project(f),
    }
}

const fn either(
    method: Method,
    path: &'static str,
    f: fn(&Request, Option<&Project>, &Params) -> Answer,
) -> Route {
    Route {
        method,
        path,
        handler: Handler::Either(f),
    }
}

const GET: Method = Method::GET;
const POST: Method = Method::POST;

/// The organization's own host (dev.azure.com/{org}).
#[rustfmt::skip]
pub static CORE: &[Route] = &[
    either(GET, "_apis/connectionData", r::connection_data_of),
    org(GET, "_apis/projects", r::projects),
    either(GET, "_apis/projects/{project}", r::project),
    org(GET, "_apis/teams", r::all_teams),
    either(GET, "_apis/projects/{project}/teams", r::teams_of),
    either(GET, "_apis/git/repositories", r::repositories),
    either(GET, "_apis/git/repositories/{repository}", r::repository_of),
    project(GET, "_git/{repository}/info/refs", r::git_refs),
    either(GET, "_apis/wit/workItemRelationTypes", r::relation_types),
    either(GET, "_apis/wit/fields", r::fields),
    project(GET, "_apis/wit/workItemTypes", r::work_item_types),
    project(GET, "_apis/wit/workItemTypes/{type}", r::work_item_type_of),
    project(POST, "_apis/wit/workItems/${type}", r::new_work_item),
    project(GET, "_apis/build/definitions", r::build_definitions),
    either(GET, "_apis/serviceendpoint/types", r::endpoint_types),
    project(GET, "_apis/serviceendpoint/endpoints", r::endpoints),
    project(POST, "_apis/serviceendpoint/endpointproxy", r::endpoint_proxy),
    either(GET, "_apis/distributedtask/pools", r::agent_pools),
    project(GET, "_apis/distributedtask/variablegroups", r::variable_groups),
    either(GET, "_apis/wiki/wikis", r::wikis),
    project(GET, "_apis/testplan/plans", r::test_plans),
    either(GET, "_apis/test/runs", r::nothing),
    either(GET, "_apis/favorite/favorites", r::nothing),
    either(GET, "_apis/hooks/publishers", r::hook_publishers),
    either(GET, "_odata/{version}/Projects", r::odata_projects),
];

/// Identities and the graph (vssps.dev.azure.com/{org}).
#[rustfmt::skip]
pub static VSSPS: &[Route] = &[
    org(GET, "_apis/identities", r::identities),
    org(GET, "_apis/graph/descriptors/{storage_key}", r::graph_descriptor),
];

/// User entitlements (vsaex.dev.azure.com/{org}).
#[rustfmt::skip]
pub static VSAEX: &[Route] = &[
    org(GET, "_apis/userentitlements", r::entitlements),
    org(GET, "_apis/userentitlements/{user}", r::entitlement_of),
    org(GET, "_apis/userentitlementsummary", r::entitlement_summary),
];

/// Release management (vsrm.dev.azure.com/{org}).
#[rustfmt::skip]
pub static VSRM: &[Route] = &[
    project(GET, "_apis/release/definitions", r::release_definitions),
];

/// Feeds (feeds.dev.azure.com/{org}).
#[rustfmt::skip]
pub static FEEDS: &[Route] = &[
    org(GET, "_apis/packaging/globalpermissions", r::feed_permissions),
    either(GET, "_apis/packaging/feeds", r::feeds),
    either(GET, "_apis/packaging/feeds/{feed}", r::feed),
];

/// The audit log (auditservice.dev.azure.com/{org}).
#[rustfmt::skip]
pub static AUDIT: &[Route] = &[
    org(GET, "_apis/audit/actions", r::audit_actions),
];

/// Analytics' OData (analytics.dev.azure.com/{org}).
#[rustfmt::skip]
pub static ANALYTICS: &[Route] = &[
    either(GET, "_odata/{version}/Projects", r::odata_projects),
];

/// The tables a host answers from, in order. The organization's own host also answers the
/// other services' operations (Azure DevOps routes them there too), then the package feeds.
fn tables(service: Service) -> Vec<&'static [Route]> {
    match service {
        Service::Core => vec![CORE, VSSPS, VSAEX, VSRM, FEEDS, AUDIT],
        Service::Vssps => vec![VSSPS],
        Service::Vsaex => vec![VSAEX],
        Service::Vsrm => vec![VSRM],
        Service::Feeds => vec![FEEDS],
        Service::AuditService => vec![AUDIT],
        Service::Analytics => vec![ANALYTICS],
        _ => Vec::new(),
    }
}

/// The answer of the operation `request` addresses, or `None` when the emulator does not model
/// it (the caller answers 501).
pub fn answer(request: &Request) -> Option<Answer> {
    tables(request.service)
        .into_iter()
        .find_map(|table| from_table(table, request))
        .or_else(|| super::packages::answer(request))
}

fn from_table(table: &[Route], request: &Request) -> Option<Answer> {
    let rest = request.rest.as_slice();
    // `{project}/…`: a first segment that is not an `_area` names a project.
    let (named, tail) = match rest {
        [first, tail @ ..] if !first.starts_with('_') => (Some(first.as_str()), tail),
        all => (None, all),
    };
    table.iter().find_map(|route| {
        if route.method != *request.method {
            return None;
        }
        let params = matched(route.path, tail)?;
        let found = named.map(|name| (name, request.scenario.project(name)));
        Some(match (&route.handler, found) {
            (Handler::Org(f), None) => f(request, &params),
            (Handler::Org(_), Some(_)) => return None,
            (Handler::Project(_), None) => return None,
            (Handler::Project(_) | Handler::Either(_), Some((name, None))) => project_missing(name),
            (Handler::Project(f), Some((_, Some(p)))) => f(request, p, &params),
            (Handler::Either(f), found) => f(request, found.and_then(|(_, p)| p), &params),
        })
    })
}

/// The named segments of `segments` if they follow `pattern`.
fn matched<'r>(pattern: &'static str, segments: &'r [String]) -> Option<Params<'r>> {
    let mut params = Vec::new();
    let mut wanted = pattern.split('/');
    for segment in segments {
        let part = wanted.next()?;
        match part.find('{') {
            Some(at) => {
                let (prefix, name) = part.split_at(at);
                let value = strip_prefix_ignoring_case(segment, prefix)?;
                params.push((name.trim_matches(['{', '}']), value));
            }
            None if part.eq_ignore_ascii_case(segment) => {}
            None => return None,
        }
    }
    wanted.next().is_none().then_some(Params(params))
}

fn strip_prefix_ignoring_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &str) -> Vec<String> {
        path.split('/').map(str::to_string).collect()
    }

    #[test]
    fn a_pattern_matches_whole_segments_in_any_case() {
        let path = segments("_APIS/git/Repositories/My Repo");
        let params = matched("_apis/git/repositories/{repository}", &path).unwrap();
        assert_eq!(params.get("repository"), "My Repo");
        assert!(matched("_apis/git/repositories", &path).is_none());
        assert!(matched("_apis/git/repositories/{repository}/refs", &path).is_none());
        let kind = segments("_apis/wit/workitems/$User Story");
        assert_eq!(
            matched("_apis/wit/workItems/${type}", &kind)
                .unwrap()
                .get("type"),
            "User Story"
        );
        assert!(
            matched(
                "_apis/wit/workItems/${type}",
                &segments("_apis/wit/workitems/7")
            )
            .is_none()
        );
    }

    #[test]
    fn every_named_segment_of_every_route_is_read_by_a_name_it_has() {
        // A handler reads its segments by name: each table's names are the ones its handlers
        // use, so a typo shows here, not as an empty name at run time.
        let known = [
            "project",
            "repository",
            "type",
            "storage_key",
            "user",
            "feed",
            "version",
        ];
        for table in [CORE, VSSPS, VSAEX, VSRM, FEEDS, AUDIT, ANALYTICS] {
            for route in table {
                for part in route.path.split('/') {
                    if let Some(at) = part.find('{') {
                        let name = part[at..].trim_matches(['{', '}']);
                        assert!(known.contains(&name), "{}: {name}", route.path);
                    }
                }
            }
        }
    }

    #[test]
    fn no_two_routes_of_a_table_answer_the_same_path() {
        for table in [CORE, VSSPS, VSAEX, VSRM, FEEDS, AUDIT, ANALYTICS] {
            for (i, a) in table.iter().enumerate() {
                for b in &table[i + 1..] {
                    assert!(
                        !(a.method == b.method && a.path.eq_ignore_ascii_case(b.path)),
                        "{} twice",
                        a.path
                    );
                }
            }
        }
    }
}
