//! What some probes need before they can be sent: a project, a repository, the token's id,
//! chosen from what the token can see, and the probe paths filled in with them.

use serde_json::Value;

use super::http::{HttpError, Reply};
use super::{CheckRequest, Identity, SEGMENT};

/// Facts some probes need: who the token is, a project, a repository.
#[derive(Debug, Clone, Default)]
pub(super) struct Context {
    pub(super) user_id: Option<String>,
    pub(super) project: Option<String>,
    pub(super) repository: Option<(String, String)>,
}

pub(super) fn build_context(
    request: &CheckRequest,
    identity: &Identity,
    projects: Option<Result<Reply, HttpError>>,
    repos: Option<Result<Reply, HttpError>>,
) -> Context {
    let values = |reply: Option<Result<Reply, HttpError>>| -> Vec<Value> {
        reply
            .and_then(Result::ok)
            .filter(|r| r.status == 200)
            .and_then(|r| r.json())
            .and_then(|j| j.get("value").and_then(Value::as_array).cloned())
            .unwrap_or_default()
    };
    let project_names: Vec<String> = values(projects)
        .iter()
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let repositories: Vec<(String, String)> = values(repos)
        .iter()
        .filter_map(|r| {
            Some((
                r.get("project")?.get("name")?.as_str()?.to_string(),
                r.get("name")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let project = request
        .project
        .clone()
        .or_else(|| project_names.first().cloned())
        .or_else(|| repositories.first().map(|(p, _)| p.clone()));
    let repository = project
        .as_ref()
        .and_then(|p| {
            repositories
                .iter()
                .find(|(rp, _)| rp.eq_ignore_ascii_case(p))
                .cloned()
        })
        .or_else(|| repositories.first().cloned());
    Context {
        user_id: Some(identity.id.clone()).filter(|s| !s.is_empty()),
        project,
        repository,
    }
}

pub(super) fn fill_path(path: &str, context: &Context, work_item_type: &str) -> Option<String> {
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string();
    let mut out = path.replace("${type}", &format!("${}", encode(work_item_type)));
    if out.contains("{project}") {
        let project = context
            .repository
            .as_ref()
            .filter(|_| path.contains("{repo}"))
            .map(|(p, _)| p.clone())
            .or_else(|| context.project.clone())?;
        out = out.replace("{project}", &encode(&project));
    }
    if out.contains("{repo}") {
        out = out.replace("{repo}", &encode(&context.repository.as_ref()?.1));
    }
    if out.contains("{user}") {
        out = out.replace("{user}", &encode(context.user_id.as_ref()?));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_filled_and_encoded() {
        let ctx = Context {
            user_id: Some("u-1".into()),
            project: Some("Fabrikam Fiber".into()),
            repository: Some(("Fabrikam Fiber".into(), "web app".into())),
        };
        assert_eq!(
            fill_path(
                "{project}/_apis/wit/workitems/${type}?x=1",
                &ctx,
                "User Story"
            )
            .unwrap(),
            "Fabrikam%20Fiber/_apis/wit/workitems/$User%20Story?x=1"
        );
        assert_eq!(
            fill_path("{project}/_git/{repo}/info/refs", &ctx, "Task").unwrap(),
            "Fabrikam%20Fiber/_git/web%20app/info/refs"
        );
        assert_eq!(
            fill_path("_apis/identities?identityIds={user}", &ctx, "Task").unwrap(),
            "_apis/identities?identityIds=u-1"
        );
        assert!(fill_path("{project}/x", &Context::default(), "Task").is_none());
    }
}
