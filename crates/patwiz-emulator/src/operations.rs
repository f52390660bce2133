//! Which scopes each Azure DevOps REST operation requires, from Microsoft's 7.1 REST specs
//! (`assets/operations-7.1.tsv`: spec file, host, method, path, operation, scopes).
//! When an operation lists several scopes, any one of them suffices.

use std::sync::LazyLock;

const OPERATIONS_TSV: &str = include_str!("../assets/operations-7.1.tsv");

#[derive(Debug, Clone)]
pub struct Operation {
    pub host: String,
    pub method: String,
    pub segments: Vec<String>,
    pub name: String,
    pub scopes: Vec<String>,
}

static OPERATIONS: LazyLock<Vec<Operation>> = LazyLock::new(|| {
    OPERATIONS_TSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let [_, host, method, path, name, scopes] = cols.as_slice() else {
                return None;
            };
            Some(Operation {
                host: host.to_string(),
                method: method.to_ascii_uppercase(),
                segments: path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                name: name.to_string(),
                scopes: scopes
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            })
        })
        .collect()
});

pub fn all() -> &'static [Operation] {
    &OPERATIONS
}

/// Finds the operation for a request on `host` (e.g. `dev.azure.com`) with `segments` (the
/// decoded path, organization first). The most specific match wins. A `{project}` segment is
/// optional, as the service's routes make it.
pub fn find(host: &str, method: &str, segments: &[&str]) -> Option<&'static Operation> {
    let mut best: Option<(&Operation, usize)> = None;
    for op in all()
        .iter()
        .filter(|op| op.host == host && op.method == method)
    {
        let score = matches(&op.segments, segments).or_else(|| {
            let without: Vec<String> = op
                .segments
                .iter()
                .filter(|s| s.as_str() != "{project}")
                .cloned()
                .collect();
            (without.len() != op.segments.len())
                .then(|| matches(&without, segments))
                .flatten()
        });
        if let Some(score) = score
            && best.is_none_or(|(_, b)| score > b)
        {
            best = Some((op, score));
        }
    }
    best.map(|(op, _)| op)
}

/// The number of literal segments matched, or `None` when the path does not fit.
fn matches(template: &[String], segments: &[&str]) -> Option<usize> {
    if template.len() != segments.len() {
        return None;
    }
    let mut literal = 0;
    for (t, s) in template.iter().zip(segments) {
        if t.starts_with('{') && t.ends_with('}') {
            if s.starts_with('_') || s.is_empty() {
                return None;
            }
        } else if t.starts_with("${") {
            if !s.starts_with('$') || s.len() < 2 {
                return None;
            }
            literal += 1;
        } else if t.eq_ignore_ascii_case(s) {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(host: &str, method: &str, path: &str) -> Vec<String> {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        find(host, method, &segs)
            .unwrap_or_else(|| panic!("no operation for {method} {host}{path}"))
            .scopes
            .clone()
    }

    #[test]
    fn every_row_of_the_table_becomes_an_operation() {
        // A row of the wrong shape would be dropped silently by the loader: none may be.
        let rows = OPERATIONS_TSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        assert_eq!(all().len(), rows);
        assert!(
            all()
                .iter()
                .all(|o| !o.host.is_empty() && !o.segments.is_empty())
        );
    }

    #[test]
    fn probe_operations_have_the_scopes_of_the_specs() {
        let d = "dev.azure.com";
        assert_eq!(
            scopes(d, "GET", "/demo/_apis/wit/workitemrelationtypes"),
            ["vso.work"]
        );
        assert_eq!(
            scopes(d, "POST", "/demo/Fabrikam/_apis/wit/workitems/$Task"),
            ["vso.work_write"]
        );
        assert_eq!(
            scopes(d, "GET", "/demo/Fabrikam/_apis/git/repositories"),
            ["vso.code"]
        );
        assert_eq!(
            scopes(d, "GET", "/demo/_apis/git/repositories"),
            ["vso.code"]
        );
        assert_eq!(scopes(d, "GET", "/demo/_apis/teams"), ["vso.project"]);
        assert_eq!(
            scopes(d, "GET", "/demo/_apis/projects"),
            ["vso.profile", "vso.project"]
        );
        assert_eq!(
            scopes(d, "GET", "/demo/_apis/serviceendpoint/types"),
            ["vso.serviceendpoint"]
        );
        assert_eq!(
            scopes(
                d,
                "POST",
                "/demo/Fabrikam/_apis/serviceendpoint/endpointproxy"
            ),
            ["vso.serviceendpoint_query"]
        );
        assert_eq!(
            scopes(d, "GET", "/demo/_apis/favorite/favorites"),
            ["vso.profile"]
        );
        assert_eq!(
            scopes("vssps.dev.azure.com", "GET", "/demo/_apis/identities"),
            ["vso.identity"]
        );
        assert_eq!(
            scopes(
                "vsaex.dev.azure.com",
                "GET",
                "/demo/_apis/userentitlements/abc"
            ),
            ["vso.memberentitlementmanagement"]
        );
        assert_eq!(
            scopes(
                "vsrm.dev.azure.com",
                "GET",
                "/demo/P/_apis/release/definitions"
            ),
            ["vso.release"]
        );
        assert_eq!(
            scopes(d, "GET", "/demo/_apis/hooks/publishers"),
            ["vso.work", "vso.build", "vso.code"]
        );
    }
}
