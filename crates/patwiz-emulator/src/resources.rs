//! What each endpoint answers once a request is authenticated and authorised: the JSON shapes
//! of the 7.1 REST API, built from the scenario's organization.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::locations::Service;
use super::responses::{ANONYMOUS_ID, collection, wrapped_exception};
use super::routes::Params;
use super::scenario::{Project, Scenario, User};

/// A request as the handlers see it.
pub struct Request<'a> {
    pub scenario: &'a Scenario,
    pub root: &'a str,
    pub service: Service,
    pub method: &'a Method,
    /// Decoded path segments after the organization (or after the host, for global hosts).
    pub rest: Vec<String>,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub content_type: Option<&'a str>,
    pub user: Option<&'a User>,
    /// Process rules on Task the caller's token is set up to meet (see `TokenSpec`).
    pub required_fields: &'a [String],
}

/// A handler's answer: a status and a JSON body, or raw bytes with a content type.
pub enum Answer {
    Json(StatusCode, Value),
    Bytes(StatusCode, &'static str, Vec<u8>),
}

impl Request<'_> {
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn org(&self) -> &str {
        &self.scenario.organization.name
    }

    fn base(&self) -> String {
        Service::Core.base_url(self.root, self.org())
    }
}

/// The authenticated identity of connectionData (or the anonymous one).
pub fn connection_data(scenario: &Scenario, user: Option<&User>) -> Value {
    let identity = match user {
        Some(u) => json!({
            "id": u.id,
            "descriptor": format!("Microsoft.IdentityModel.Claims.ClaimsIdentity;{}\\{}", scenario.organization.tenant_id, u.unique_name),
            "subjectDescriptor": format!("aad.{}", base64_id(&u.id)),
            "providerDisplayName": u.display_name,
            "customDisplayName": u.display_name,
            "isActive": true,
            "properties": {"Account": {"$type": "System.String", "$value": u.unique_name}},
            "resourceVersion": 2,
            "metaTypeId": 0
        }),
        None => json!({
            "id": ANONYMOUS_ID,
            "descriptor": "System:PublicAccess;aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
            "subjectDescriptor": "s2s.YWFhYWFhYWEtYWFhYS1hYWFhLWFhYWEtYWFhYWFhYWFhYWFh",
            "providerDisplayName": "Anonymous",
            "isActive": true,
            "properties": {},
            "resourceVersion": 2,
            "metaTypeId": 0
        }),
    };
    json!({
        "authenticatedUser": identity,
        "authorizedUser": identity,
        "instanceId": scenario.organization.id,
        "deploymentId": "ed30ce5c-9d0a-f73c-3580-4315c7f84d83",
        "deploymentType": scenario.organization.deployment_type,
        "locationServiceData": {
            "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
            "defaultAccessMappingMoniker": "PublicAccessMapping",
            "lastChangeId": 424239147,
            "lastChangeId64": 424239147
        }
    })
}

fn base64_id(id: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(id.as_bytes())
}

fn not_found(message: String, type_key: &str) -> Answer {
    Answer::Json(
        StatusCode::NOT_FOUND,
        wrapped_exception(
            &message,
            type_key,
            &format!("Microsoft.TeamFoundation.{type_key}, Microsoft.TeamFoundation.Core.WebApi"),
        ),
    )
}

pub fn project_missing(name: &str) -> Answer {
    not_found(
        format!(
            "TF200016: The following project does not exist: {name}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server."
        ),
        "ProjectDoesNotExistWithNameException",
    )
}

fn ok(value: Value) -> Answer {
    Answer::Json(StatusCode::OK, value)
}

fn list(values: Vec<Value>) -> Answer {
    ok(collection(values))
}

/// The emulator's namespace for name-based ids.
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d);

/// A stable GUID for a named thing (so every answer names it the same way): a name-based
/// (version 5) UUID.
pub fn guid_for(name: &str) -> String {
    uuid::Uuid::new_v5(&ID_NAMESPACE, name.as_bytes()).to_string()
}

fn project_ref(req: &Request, p: &Project) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "url": format!("{}/_apis/projects/{}", req.base(), p.id),
        "state": "wellFormed",
        "revision": 411,
        "visibility": "private",
        "lastUpdateTime": "2026-10-01T09:00:00.000Z"
    })
}

fn projects_in_scope<'a>(req: &'a Request, project: Option<&'a Project>) -> Vec<&'a Project> {
    match project {
        Some(p) => vec![p],
        None => req.scenario.projects.iter().collect(),
    }
}

/// `$top`, or no limit.
fn top(req: &Request) -> usize {
    req.q("$top")
        .and_then(|t| t.parse().ok())
        .unwrap_or(usize::MAX)
}

pub fn connection_data_of(req: &Request, _: Option<&Project>, _: &Params) -> Answer {
    ok(connection_data(req.scenario, req.user))
}

pub fn projects(req: &Request, _: &Params) -> Answer {
    list(
        req.scenario
            .projects
            .iter()
            .take(top(req))
            .map(|p| project_ref(req, p))
            .collect(),
    )
}

pub fn project(req: &Request, _: Option<&Project>, params: &Params) -> Answer {
    let Some(p) = req.scenario.project(params.get("project")) else {
        return project_missing(params.get("project"));
    };
    let mut v = project_ref(req, p);
    v["capabilities"] = json!({"processTemplate": {"templateName": p.process}, "versioncontrol": {"sourceControlType": "Git"}});
    v["defaultTeam"] = json!({"id": guid_for(&format!("{}/{}", p.name, p.teams.first().cloned().unwrap_or_default())), "name": p.teams.first()});
    ok(v)
}

pub fn all_teams(req: &Request, _: &Params) -> Answer {
    list(
        req.scenario
            .projects
            .iter()
            .flat_map(|p| p.teams.iter().map(move |t| (p, t)))
            .take(top(req))
            .map(|(p, t)| team(req, p, t))
            .collect(),
    )
}

pub fn teams_of(req: &Request, _: Option<&Project>, params: &Params) -> Answer {
    match req.scenario.project(params.get("project")) {
        Some(p) => list(p.teams.iter().map(|t| team(req, p, t)).collect()),
        None => project_missing(params.get("project")),
    }
}

pub fn repositories(req: &Request, project: Option<&Project>, _: &Params) -> Answer {
    list(
        projects_in_scope(req, project)
            .into_iter()
            .flat_map(|p| p.repositories.iter().map(move |r| (p, r)))
            .map(|(p, r)| repository(req, p, r))
            .collect(),
    )
}

pub fn repository_of(req: &Request, project: Option<&Project>, params: &Params) -> Answer {
    let wanted = params.get("repository");
    projects_in_scope(req, project)
        .into_iter()
        .flat_map(|p| p.repositories.iter().map(move |r| (p, r)))
        .find(|(p, r)| {
            r.eq_ignore_ascii_case(wanted) || guid_for(&format!("{}/{r}", p.name)) == wanted
        })
        .map(|(p, r)| ok(repository(req, p, r)))
        .unwrap_or_else(|| repository_missing(wanted))
}

fn repository_missing(wanted: &str) -> Answer {
    not_found(
        format!(
            "TF401019: The Git repository with name or identifier {wanted} does not exist or you do not have permissions for the operation you are attempting."
        ),
        "GitRepositoryNotFoundException",
    )
}

pub fn relation_types(req: &Request, _: Option<&Project>, _: &Params) -> Answer {
    list(
        [("System.LinkTypes.Hierarchy-Forward", "Child"), ("System.LinkTypes.Hierarchy-Reverse", "Parent"), ("System.LinkTypes.Related", "Related"), ("ArtifactLink", "Artifact Link")]
            .iter()
            .map(|(r, n)| json!({"referenceName": r, "name": n, "attributes": {"usage": if *r == "ArtifactLink" {"resourceLink"} else {"workItemLink"}, "editable": false, "enabled": true}, "url": format!("{}/_apis/wit/workItemRelationTypes/{r}", req.base())}))
            .collect(),
    )
}

pub fn fields(req: &Request, _: Option<&Project>, _: &Params) -> Answer {
    list(
        ["System.Id", "System.Title", "System.State", "System.AssignedTo", "System.AreaPath", "System.IterationPath"]
            .iter()
            .map(|f| json!({"referenceName": f, "name": f.trim_start_matches("System."), "type": "string", "readOnly": *f == "System.Id", "url": format!("{}/_apis/wit/fields/{f}", req.base())}))
            .collect(),
    )
}

pub fn work_item_types(req: &Request, p: &Project, _: &Params) -> Answer {
    list(
        p.work_item_types
            .iter()
            .map(|t| work_item_type(req, p, t))
            .collect(),
    )
}

pub fn work_item_type_of(req: &Request, p: &Project, params: &Params) -> Answer {
    let wanted = params.get("type");
    p.work_item_types
        .iter()
        .find(|t| t.eq_ignore_ascii_case(wanted))
        .map(|t| ok(work_item_type(req, p, t)))
        .unwrap_or_else(|| type_missing(wanted))
}

pub fn new_work_item(req: &Request, p: &Project, params: &Params) -> Answer {
    create_work_item(req, p, params.get("type"))
}

pub fn build_definitions(req: &Request, p: &Project, _: &Params) -> Answer {
    list(
        p.build_definitions
            .iter()
            .enumerate()
            .take(top(req))
            .map(|(i, d)| json!({"id": i + 1, "name": d, "path": "\\", "type": "build", "queueStatus": "enabled", "revision": 3, "project": project_ref(req, p), "url": format!("{}/{}/_apis/build/Definitions/{}", req.base(), p.id, i + 1)}))
            .collect(),
    )
}

pub fn endpoint_types(_: &Request, _: Option<&Project>, _: &Params) -> Answer {
    list(
        [("azurerm", "Azure Resource Manager"), ("github", "GitHub"), ("generic", "Generic"), ("dockerregistry", "Docker Registry")]
            .iter()
            .map(|(n, d)| json!({"name": n, "displayName": d, "description": format!("Service connection for {d}"), "authenticationSchemes": [{"scheme": "UsernamePassword"}], "dataSources": [], "endpointUrl": {"displayName": "Server URL", "isVisible": "true"}}))
            .collect(),
    )
}

pub fn endpoints(_: &Request, p: &Project, _: &Params) -> Answer {
    list(p.service_endpoints.iter().map(|e| json!({"id": guid_for(&format!("{}/se/{e}", p.name)), "name": e, "type": "azurerm", "url": "https://management.azure.com/", "isReady": true, "isShared": false, "owner": "Library", "serviceEndpointProjectReferences": [{"projectReference": {"id": p.id, "name": p.name}, "name": e}]})).collect())
}

pub fn endpoint_proxy(req: &Request, p: &Project, _: &Params) -> Answer {
    let id = req.q("endpointId").unwrap_or_default().to_string();
    match p
        .service_endpoints
        .iter()
        .find(|e| guid_for(&format!("{}/se/{e}", p.name)) == id)
    {
        Some(_) => ok(
            json!({"result": [], "statusCode": "ok", "errorMessage": "", "activityId": guid_for(&id)}),
        ),
        None => not_found(
            format!(
                "Service connection with id {id} could not be found or you do not have permission to use it."
            ),
            "ServiceEndpointNotFoundException",
        ),
    }
}

pub fn agent_pools(req: &Request, _: Option<&Project>, _: &Params) -> Answer {
    list(
        req.scenario
            .agent_pools
            .iter()
            .enumerate()
            .map(|(i, pool)| json!({"id": i + 1, "name": pool.name, "isHosted": pool.name == "Azure Pipelines", "poolType": "automation", "size": 2, "isLegacy": false, "options": "none"}))
            .collect(),
    )
}

pub fn variable_groups(_: &Request, p: &Project, _: &Params) -> Answer {
    list(p.variable_groups.iter().enumerate().map(|(i, g)| json!({"id": i + 1, "name": g, "type": "Vsts", "variables": {"environment": {"value": "production"}}, "isShared": false})).collect())
}

pub fn wikis(req: &Request, project: Option<&Project>, _: &Params) -> Answer {
    list(
        projects_in_scope(req, project)
            .into_iter()
            .flat_map(|p| p.wikis.iter().map(move |w| (p, w)))
            .map(|(p, w)| json!({"id": guid_for(&format!("{}/wiki/{w}", p.name)), "name": w, "type": "projectWiki", "projectId": p.id, "mappedPath": "/", "url": format!("{}/{}/_apis/wiki/wikis/{w}", req.base(), p.id)}))
            .collect(),
    )
}

pub fn test_plans(_: &Request, p: &Project, _: &Params) -> Answer {
    list(p.test_plans.iter().enumerate().map(|(i, t)| json!({"id": i + 1, "name": t, "state": "Active", "project": {"id": p.id, "name": p.name}})).collect())
}

/// A list the demo organization has nothing in (test runs, favorites).
pub fn nothing(_: &Request, _: Option<&Project>, _: &Params) -> Answer {
    list(Vec::new())
}

pub fn hook_publishers(_: &Request, _: Option<&Project>, _: &Params) -> Answer {
    list(
        [("tfs", "Azure DevOps"), ("rm", "Release Management"), ("pipelines", "Pipelines")]
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name, "description": format!("Publishes {name} events"), "supportedEvents": []}))
            .collect(),
    )
}

pub fn git_refs(req: &Request, p: &Project, params: &Params) -> Answer {
    git_advertisement(req, p, params.get("repository"))
}

fn team(req: &Request, p: &Project, t: &str) -> Value {
    let id = guid_for(&format!("{}/{t}", p.name));
    json!({
        "id": id,
        "name": t,
        "url": format!("{}/_apis/projects/{}/teams/{id}", req.base(), p.id),
        "description": format!("The default project team for {}.", p.name),
        "identityUrl": format!("{}/_apis/Identities/{id}", Service::Vssps.base_url(req.root, req.org())),
        "projectName": p.name,
        "projectId": p.id
    })
}

fn repository(req: &Request, p: &Project, r: &str) -> Value {
    let id = guid_for(&format!("{}/{r}", p.name));
    json!({
        "id": id,
        "name": r,
        "url": format!("{}/{}/_apis/git/repositories/{id}", req.base(), p.id),
        "project": project_ref(req, p),
        "defaultBranch": "refs/heads/main",
        "size": 1048576,
        "remoteUrl": format!("{}/{}/_git/{r}", req.base(), p.name.replace(' ', "%20")),
        "webUrl": format!("{}/{}/_git/{r}", req.base(), p.name.replace(' ', "%20")),
        "isDisabled": false,
        "isInMaintenance": false
    })
}

fn work_item_type(req: &Request, p: &Project, t: &str) -> Value {
    let reference = match t {
        "User Story" => "Microsoft.VSTS.WorkItemTypes.UserStory".to_string(),
        "Test Case" => "Microsoft.VSTS.WorkItemTypes.TestCase".to_string(),
        other => format!("Microsoft.VSTS.WorkItemTypes.{}", other.replace(' ', "")),
    };
    json!({
        "name": t,
        "referenceName": reference,
        "description": format!("Tracks a {t}."),
        "color": "009CCC",
        "isDisabled": false,
        "states": [{"name": "New", "color": "b2b2b2", "category": "Proposed"}, {"name": "Active", "color": "007acc", "category": "InProgress"}, {"name": "Closed", "color": "339933", "category": "Completed"}],
        "fields": [{"referenceName": "System.Title", "name": "Title", "alwaysRequired": true}],
        "url": format!("{}/{}/_apis/wit/workItemTypes/{}", req.base(), p.id, t.replace(' ', "%20"))
    })
}

fn type_missing(name: &str) -> Answer {
    not_found(
        format!("VS402323: Work item type {name} does not exist."),
        "WorkItemTypeNotFoundException",
    )
}

fn create_work_item(req: &Request, p: &Project, kind: &str) -> Answer {
    let kind = percent_encoding::percent_decode_str(kind)
        .decode_utf8_lossy()
        .to_string();
    if !req.content_type.is_some_and(|c| {
        c.to_ascii_lowercase()
            .starts_with("application/json-patch+json")
    }) {
        return Answer::Json(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            wrapped_exception(
                "VS402361: The request indicated a Content-Type of \"application/json\" for method type \"POST\" which is not supported. Valid content types for this method are: application/json-patch+json.",
                "VssRequestContentTypeNotSupportedException",
                "Microsoft.VisualStudio.Services.WebApi.VssRequestContentTypeNotSupportedException, Microsoft.VisualStudio.Services.WebApi",
            ),
        );
    }
    let Some(work_item_type) = p
        .work_item_types
        .iter()
        .find(|t| t.eq_ignore_ascii_case(&kind))
    else {
        return type_missing(&kind);
    };
    let ops: Vec<Value> = match serde_json::from_slice::<Value>(req.body) {
        Ok(Value::Array(ops)) => ops,
        _ => {
            return Answer::Json(
                StatusCode::BAD_REQUEST,
                wrapped_exception(
                    "VS402357: A JSON Patch document was expected in the request body.",
                    "VssPropertyValidationException",
                    "Microsoft.VisualStudio.Services.Common.VssPropertyValidationException, Microsoft.VisualStudio.Services.Common",
                ),
            );
        }
    };
    let mut fields = serde_json::Map::new();
    for op in &ops {
        if let (Some(path), Some(value)) = (op.get("path").and_then(Value::as_str), op.get("value"))
            && let Some(field) = path.strip_prefix("/fields/")
        {
            fields.insert(field.to_string(), value.clone());
        }
    }
    if !fields.contains_key("System.Title") {
        return Answer::Json(
            StatusCode::BAD_REQUEST,
            wrapped_exception(
                "TF401320: Rule Error for field Title. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty.",
                "RuleValidationException",
                "Microsoft.TeamFoundation.WorkItemTracking.Server.RuleValidationException, Microsoft.TeamFoundation.WorkItemTracking.Server",
            ),
        );
    }
    // Process rules run after the write was authorised (reconstructed from users' reports of
    // 400 TF401320 on Task with a required Activity field).
    if work_item_type.eq_ignore_ascii_case("Task")
        && let Some(missing) = p
            .required_fields
            .iter()
            .chain(req.required_fields)
            .find(|f| !fields.contains_key(*f))
    {
        let short = missing.rsplit('.').next().unwrap_or(missing);
        let message = format!(
            "TF401320: Rule Error for field {short}. Error code: Required, HasValues, InvalidEmpty."
        );
        let mut body = wrapped_exception(
            &message,
            "RuleValidationException",
            "Microsoft.TeamFoundation.WorkItemTracking.Server.RuleValidationException, Microsoft.TeamFoundation.WorkItemTracking.Server",
        );
        body["eventId"] = json!(3200);
        body["customProperties"] = json!({
            "FieldReferenceName": null,
            "FieldStatusFlags": "none",
            "ErrorMessage": message,
            "FieldStatusCode": 0,
            "RuleValidationErrors": [{
                "fieldReferenceName": missing,
                "fieldStatusFlags": "required, hasValues, invalidEmpty",
                "errorMessage": message,
                "fieldStatusCode": 524293,
                "ruleValidationErrors": null
            }]
        });
        return Answer::Json(StatusCode::BAD_REQUEST, body);
    }
    fields.insert("System.TeamProject".into(), json!(p.name));
    fields.insert("System.WorkItemType".into(), json!(work_item_type));
    fields.insert("System.State".into(), json!("New"));
    fields.insert("System.AreaPath".into(), json!(p.name));
    fields.insert("System.IterationPath".into(), json!(p.name));
    let validate_only = req
        .q("validateOnly")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Answer::Json(
        StatusCode::OK,
        json!({
            // A validate-only create returns the would-be work item without an id and stores nothing.
            "id": if validate_only { Value::Null } else { json!(0) },
            "rev": 1,
            "fields": Value::Object(fields),
            "multilineFieldsFormat": {},
            "_links": {},
            "url": format!("{}/{}/_apis/wit/workItems", req.base(), p.id),
            "validateOnly": validate_only
        }),
    )
}

fn git_advertisement(req: &Request, p: &Project, repo: &str) -> Answer {
    let Some(r) = p.repositories.iter().find(|r| r.eq_ignore_ascii_case(repo)) else {
        return not_found(
            format!(
                "TF401019: The Git repository with name or identifier {repo} does not exist or you do not have permissions for the operation you are attempting."
            ),
            "GitRepositoryNotFoundException",
        );
    };
    let service = req.q("service").unwrap_or("git-upload-pack");
    let head = format!(
        "{:040x}",
        u128::from_str_radix(&guid_for(r).replace('-', "")[..32], 16).unwrap_or(1)
    );
    let header = format!("# service={service}\n");
    let refs = format!("{head} refs/heads/main\0report-status side-band-64k agent=git/vsts\n");
    let mut body = pkt(&header);
    body.push_str("0000");
    body.push_str(&pkt(&refs));
    body.push_str("0000");
    let content_type = if service == "git-receive-pack" {
        "application/x-git-receive-pack-advertisement"
    } else {
        "application/x-git-upload-pack-advertisement"
    };
    Answer::Bytes(StatusCode::OK, content_type, body.into_bytes())
}

fn pkt(line: &str) -> String {
    format!("{:04x}{line}", line.len() + 4)
}

pub fn odata_projects(req: &Request, _: Option<&Project>, _: &Params) -> Answer {
    let top = req
        .q("$top")
        .and_then(|t| t.parse().ok())
        .unwrap_or(usize::MAX);
    ok(json!({
        "@odata.context": format!("{}/_odata/v4.0-preview/$metadata#Projects(ProjectName)", req.base()),
        "value": req.scenario.projects.iter().take(top).map(|p| json!({"ProjectName": p.name})).collect::<Vec<_>>()
    }))
}

/// Identities by id, by name or by descriptor (vssps.dev.azure.com/{org}).
pub fn identities(req: &Request, _: &Params) -> Answer {
    let users = &req.scenario.users;
    let wanted: Vec<&User> = if let Some(ids) = req.q("identityIds") {
        ids.split(',')
            .filter_map(|id| users.iter().find(|u| u.id.eq_ignore_ascii_case(id.trim())))
            .collect()
    } else if let Some(value) = req.q("filterValue") {
        let value = value.to_ascii_lowercase();
        users
            .iter()
            .filter(|u| {
                u.unique_name.to_ascii_lowercase().contains(&value)
                    || u.display_name.to_ascii_lowercase().contains(&value)
            })
            .collect()
    } else if let Some(descriptors) = req.q("descriptors") {
        users
            .iter()
            .filter(|u| descriptors.contains(&u.unique_name))
            .collect()
    } else {
        return Answer::Json(
            StatusCode::BAD_REQUEST,
            wrapped_exception(
                "VS403429: Exactly one of descriptors, identityIds, subjectDescriptors, socialDescriptors, or searchFilter with filterValue must be specified.",
                "ArgumentException",
                "System.ArgumentException, mscorlib",
            ),
        );
    };
    list(
        wanted
            .into_iter()
            .map(|u| identity(req.scenario, u))
            .collect(),
    )
}

pub fn graph_descriptor(req: &Request, params: &Params) -> Answer {
    let key = params.get("storage_key");
    match user_by_id(req, key) {
        Some(u) => ok(json!({"value": format!("aad.{}", base64_id(&u.id)), "_links": {}})),
        None => not_found(
            format!("VS860018: The storage key {key} could not be found."),
            "StorageKeyNotFoundException",
        ),
    }
}

fn user_by_id<'a>(req: &'a Request, id: &str) -> Option<&'a User> {
    req.scenario
        .users
        .iter()
        .find(|u| u.id.eq_ignore_ascii_case(id))
}

fn identity(scenario: &Scenario, u: &User) -> Value {
    json!({
        "id": u.id,
        "descriptor": format!("Microsoft.IdentityModel.Claims.ClaimsIdentity;{}\\{}", scenario.organization.tenant_id, u.unique_name),
        "subjectDescriptor": format!("aad.{}", base64_id(&u.id)),
        "providerDisplayName": u.display_name,
        "isActive": true,
        "isContainer": false,
        "members": [],
        "memberOf": [],
        "memberIds": [],
        "properties": {
            "SchemaClassName": {"$type": "System.String", "$value": "User"},
            "Account": {"$type": "System.String", "$value": u.unique_name},
            "Mail": {"$type": "System.String", "$value": u.unique_name}
        },
        "resourceVersion": 2,
        "metaTypeId": 0
    })
}

/// Every user's entitlement (vsaex.dev.azure.com/{org}).
pub fn entitlements(req: &Request, _: &Params) -> Answer {
    ok(json!({
        "members": req.scenario.users.iter().map(|u| entitlement(req.scenario, u)).collect::<Vec<_>>(),
        // As recorded: an empty string, not null, and the members once more as `items`.
        "continuationToken": "",
        "totalCount": req.scenario.users.len(),
        "items": req.scenario.users.iter().map(|u| entitlement(req.scenario, u)).collect::<Vec<_>>()
    }))
}

pub fn entitlement_of(req: &Request, params: &Params) -> Answer {
    let id = params.get("user");
    match user_by_id(req, id) {
        Some(u) => ok(entitlement(req.scenario, u)),
        None => not_found(
            format!("VS403283: Could not find user with id {id}."),
            "UserEntitlementNotFoundException",
        ),
    }
}

pub fn entitlement_summary(req: &Request, _: &Params) -> Answer {
    ok(json!({
        "licenses": [{"licenseName": "Basic", "assigned": req.scenario.users.iter().filter(|u| u.license == "Basic").count()}],
        "availableAccessLevels": [{"licensingSource": "account", "accountLicenseType": "express", "licenseDisplayName": "Basic"}]
    }))
}

fn entitlement(scenario: &Scenario, u: &User) -> Value {
    let license = if u.license == "Stakeholder" {
        "stakeholder"
    } else {
        "express"
    };
    json!({
        "id": u.id,
        "user": {"subjectKind": "user", "displayName": u.display_name, "mailAddress": u.unique_name, "principalName": u.unique_name, "originId": u.id, "origin": "aad", "descriptor": format!("aad.{}", base64_id(&u.id))},
        "accessLevel": {"licensingSource": "account", "accountLicenseType": license, "licenseDisplayName": u.license, "status": "active", "statusMessage": ""},
        "lastAccessedDate": "2026-11-20T08:00:00Z",
        "dateCreated": "2025-01-15T10:00:00Z",
        "projectEntitlements": scenario.projects.iter().map(|p| json!({"projectRef": {"id": p.id, "name": p.name}, "group": {"groupType": "projectContributor", "displayName": "Contributors"}})).collect::<Vec<_>>(),
        "extensions": [],
        "groupAssignments": []
    })
}

/// Release definitions (vsrm.dev.azure.com/{org}).
pub fn release_definitions(_: &Request, p: &Project, _: &Params) -> Answer {
    list(p.release_definitions.iter().enumerate().map(|(i, d)| json!({"id": i + 1, "name": d, "path": "\\", "releaseNameFormat": "Release-$(rev:r)", "revision": 2})).collect())
}

/// Who may create feeds (feeds.dev.azure.com/{org}).
pub fn feed_permissions(_: &Request, _: &Params) -> Answer {
    list(vec![
        json!({"role": "feedCreator", "identityDescriptor": "Microsoft.TeamFoundation.Identity;S-1-9-1551374245-0-0-0-0-3"}),
    ])
}

/// The organization's feeds, or a project's.
pub fn feeds(req: &Request, project: Option<&Project>, _: &Params) -> Answer {
    let names = project.map_or(&req.scenario.organization.feeds, |p| &p.feeds);
    list(names.iter().map(|f| feed_json(project, f)).collect())
}

/// One feed by name or id, of the organization or of a project.
pub fn feed(req: &Request, project: Option<&Project>, params: &Params) -> Answer {
    let wanted = params.get("feed");
    let (names, prefix) = match project {
        Some(p) => (&p.feeds, p.name.as_str()),
        None => (&req.scenario.organization.feeds, ""),
    };
    let found = names.iter().find(|f| {
        f.eq_ignore_ascii_case(wanted)
            || guid_for(&format!("{prefix}/feed/{f}")).eq_ignore_ascii_case(wanted)
    });
    found.map_or_else(
        || super::packages::feed_missing(wanted),
        |f| ok(feed_json(project, f)),
    )
}

fn feed_json(project: Option<&Project>, name: &str) -> Value {
    match project {
        Some(p) => json!({
            "id": guid_for(&format!("{}/feed/{name}", p.name)),
            "name": name,
            "project": {"id": p.id, "name": p.name},
            "upstreamEnabled": true
        }),
        None => json!({
            "id": guid_for(&format!("/feed/{name}")),
            "name": name,
            "project": null,
            "upstreamEnabled": true
        }),
    }
}

/// Audit log actions (auditservice.dev.azure.com/{org}).
pub fn audit_actions(_: &Request, _: &Params) -> Answer {
    list(vec![
        json!({"actionId": "Token.PatCreateEvent", "area": "Token", "category": "create"}),
        json!({"actionId": "Project.CreateCompleted", "area": "Project", "category": "create"}),
    ])
}
