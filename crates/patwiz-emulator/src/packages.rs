//! Azure Artifacts' package feeds on the pkgs host (`pkgs.dev.azure.com/{org}[/{project}]/
//! _packaging/{feed}/…`), as npm and pip read them: the npm registry's package document and
//! PyPI's simple index (PEP 503), each with one demo package, `fabrikam-hello` 1.0.0. Enough for
//! the real npm and pip to prove that the configuration patwiz writes authenticates; the
//! archives themselves are not served. A feed that does not exist answers as the service does
//! ("The feed with ID '…' doesn't exist.", 404).

use http::StatusCode;
use serde_json::json;

use super::locations::Service;
use super::resources::{Answer, Request};
use super::responses::wrapped_exception;
use super::scenario::Scenario;

/// The one package every demo feed holds.
pub const DEMO_PACKAGE: &str = "fabrikam-hello";
const DEMO_VERSION: &str = "1.0.0";

/// Where a feed lives: the organization (`None`) or a project.
fn feed_exists(scenario: &Scenario, project: Option<&str>, feed: &str) -> bool {
    let named = |f: &String| f.eq_ignore_ascii_case(feed);
    match project {
        None => scenario.organization.feeds.iter().any(named),
        Some(p) => scenario
            .project(p)
            .is_some_and(|p| p.feeds.iter().any(named)),
    }
}

/// As the service answers a feed it does not know, by name or id.
pub(crate) fn feed_missing(feed: &str) -> Answer {
    Answer::Json(
        StatusCode::NOT_FOUND,
        wrapped_exception(
            &format!("The feed with ID '{feed}' doesn't exist."),
            "FeedIdNotFoundException",
            "Microsoft.VisualStudio.Services.Feed.WebApi.FeedIdNotFoundException, Microsoft.VisualStudio.Services.Feed.WebApi",
        ),
    )
}

/// PEP 503's normal form of a project name: lower case, runs of `-`, `_`, `.` as one `-`.
fn normalise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Whether `service` serves package feeds: the pkgs host, or on Azure DevOps Server the
/// collection's one host.
pub fn serves_packages(scenario: &Scenario, service: Service) -> bool {
    service == Service::Pkgs || (service == Service::Core && !scenario.is_hosted())
}

/// Answers the pkgs host's package protocols; `None` for any other path.
pub fn answer(req: &Request) -> Option<Answer> {
    if !serves_packages(req.scenario, req.service) {
        return None;
    }
    let at = req
        .rest
        .iter()
        .position(|s| s.eq_ignore_ascii_case("_packaging"))?;
    let project = match at {
        0 => None,
        1 => Some(req.rest[0].as_str()),
        _ => return None,
    };
    let feed = req.rest.get(at + 1)?;
    let protocol: Vec<&str> = req.rest[at + 2..]
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if !feed_exists(req.scenario, project, feed) {
        return Some(feed_missing(feed));
    }
    let host = if req.service == Service::Pkgs {
        Service::Pkgs
    } else {
        Service::Core
    };
    let base = format!(
        "{}/{}_packaging/{feed}",
        host.base_url(req.root, &req.scenario.organization.name),
        project.map(|p| format!("{p}/")).unwrap_or_default()
    );
    match protocol.as_slice() {
        ["npm", "registry", name] => Some(npm_document(&base, name)),
        ["pypi", "simple", name] => Some(pypi_index(&base, name)),
        _ => None,
    }
}

fn npm_document(base: &str, name: &str) -> Answer {
    if !name.eq_ignore_ascii_case(DEMO_PACKAGE) {
        return Answer::Json(StatusCode::NOT_FOUND, json!({"error": "Not found"}));
    }
    let tarball = format!("{base}/npm/registry/{DEMO_PACKAGE}/-/{DEMO_PACKAGE}-{DEMO_VERSION}.tgz");
    Answer::Json(
        StatusCode::OK,
        json!({
            "_id": DEMO_PACKAGE,
            "name": DEMO_PACKAGE,
            "description": "The demo organization's package.",
            "dist-tags": {"latest": DEMO_VERSION},
            "versions": {
                DEMO_VERSION: {
                    "name": DEMO_PACKAGE,
                    "version": DEMO_VERSION,
                    "description": "The demo organization's package.",
                    "dist": {"tarball": tarball}
                }
            },
            "time": {"created": "2026-11-02T09:00:00.000Z", DEMO_VERSION: "2026-11-02T09:00:00.000Z"}
        }),
    )
}

fn pypi_index(base: &str, name: &str) -> Answer {
    if normalise(name) != DEMO_PACKAGE {
        return Answer::Bytes(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            b"Not found".to_vec(),
        );
    }
    let file = format!("fabrikam_hello-{DEMO_VERSION}-py3-none-any.whl");
    let html = format!(
        "<!DOCTYPE html>\n<html><head><title>Links for {DEMO_PACKAGE}</title></head><body>\n<h1>Links for {DEMO_PACKAGE}</h1>\n<a href=\"{base}/pypi/download/{DEMO_PACKAGE}/{DEMO_VERSION}/{file}\">{file}</a><br/>\n</body></html>\n"
    );
    Answer::Bytes(
        StatusCode::OK,
        "text/html; charset=utf-8",
        html.into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn names_are_compared_in_pep_503_form() {
        assert_eq!(normalise("Fabrikam_Hello"), "fabrikam-hello");
        assert_eq!(normalise("fabrikam.-hello"), "fabrikam-hello");
    }
}
