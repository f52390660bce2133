//! Sending one probe: its path filled in, its api-version negotiated, and the work item
//! probe's fallback to a type the project's process has.

use reqwest::Method;

use super::SEGMENT;
use super::context::fill_path;
use super::http::{Auth, HttpError, Reply};
use super::probes::{self, Probe};
use super::run::Run;
use super::versions::negotiated;

/// Why a probe could not be sent.
pub(super) enum NotSent {
    /// The probe needs a project, a repository or a user id the run did not find.
    Context,
    /// The deployment has no such API (not in its location data).
    NoApi,
}

/// Sends a probe (for the work item probe: with a fallback to a type that exists).
pub(super) async fn send_probe(
    run: &Run<'_>,
    probe: &Probe,
) -> Result<Result<Reply, HttpError>, NotSent> {
    let (http, hosts, context) = (run.http, &run.discovery.hosts, run.context);
    let base = probe.target.base(hosts);
    let path = fill_path(probe.path, context, "Task").ok_or(NotSent::Context)?;
    let url = match (run.apis, probe.location) {
        (apis, Some(location)) => {
            negotiated(apis, &format!("{base}/{path}"), location).ok_or(NotSent::NoApi)?
        }
        (_, None) => format!("{base}/{path}"),
    };
    let body = probe.body.map(|(ct, b)| (ct, b.as_bytes().to_vec()));
    let first = http
        .send(probe.verb.method(), &url, probe.auth, body.clone())
        .await;
    let missing_type = matches!(&first, Ok(r) if r.status == 404 && r.message().is_some_and(|m| m.contains("VS402323")));
    if probe.retry == Some(probes::Retry::FirstWorkItemType) && missing_type {
        // The project's process has no Task type: use the first type it has.
        let Some(project) = context.project.as_ref() else {
            return Ok(first);
        };
        let Some(types_url) = negotiated(
            run.apis,
            &format!(
                "{base}/{}/_apis/wit/workitemtypes?api-version=7.1",
                percent_encoding::utf8_percent_encode(project, SEGMENT)
            ),
            probes::LOCATION_WORK_ITEM_TYPES,
        ) else {
            return Ok(first);
        };
        let types = http.send(Method::GET, &types_url, Auth::Rest, None).await;
        let first_type = types.ok().and_then(|r| r.json()).and_then(|j| {
            j.get("value")?
                .as_array()?
                .first()?
                .get("name")?
                .as_str()
                .map(str::to_string)
        });
        if let Some(kind) = first_type
            && let Some(path) = fill_path(probe.path, context, &kind)
        {
            let url = match probe.location {
                Some(location) => negotiated(run.apis, &format!("{base}/{path}"), location)
                    .ok_or(NotSent::NoApi)?,
                None => format!("{base}/{path}"),
            };
            return Ok(http.send(probe.verb.method(), &url, probe.auth, body).await);
        }
    }
    Ok(first)
}
