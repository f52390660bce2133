//! The emulator over real HTTP: for each token of the default scenario and each probe endpoint,
//! the status, body shape and headers the research notes describe.

use base64::Engine as _;
use patwiz::emulator::Emulator;
use reqwest::{Method, StatusCode};
use serde_json::Value;

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn call(
    method: Method,
    url: &str,
    token: Option<&str>,
    suppress: bool,
    body: Option<(&str, &str)>,
) -> Reply {
    patwiz::engine::http::install_crypto();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let mut request = client.request(method, url);
    if let Some(token) = token {
        // git over HTTPS needs a user name; the REST API takes an empty one.
        let user = if url.contains("/_git/") { "patwiz" } else { "" };
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
        request = request.header("Authorization", format!("Basic {encoded}"));
    }
    if suppress {
        request = request.header("X-TFS-FedAuthRedirect", "Suppress");
    }
    if let Some((content_type, text)) = body {
        request = request
            .header("Content-Type", content_type)
            .body(text.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(url: &str, token: Option<&str>) -> Reply {
    call(Method::GET, url, token, true, None).await
}

/// The locationUrl of a resource area, discovered anonymously, without the trailing slash.
async fn area_url(emu: &Emulator, area: &str) -> String {
    let reply = get(
        &format!("{}/_apis/resourceAreas/{area}", emu.org_url()),
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "area {area}");
    reply.json()["locationUrl"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .to_string()
}

const CORE: &str = "79134c72-4a58-4b42-976c-04e7115f32bf";
const IMS: &str = "8a3d49b8-91f0-46ef-b33d-dda338c25db3";
const ENTITLEMENTS: &str = "68ddce18-2501-45f1-a17b-7931a9922690";
const RELEASE: &str = "efc2f575-36ef-48e9-b672-0c6fb4a48ac5";
const FEEDS: &str = "7ab4e64e-c4d8-4f50-ae73-5ef2e21642a5";
const AUDIT: &str = "94ff054d-5ee1-413d-9341-3f4a7827de2e";
const GRAPH: &str = "bb1e7ec9-e901-4b68-999a-de7012b920f8";

/// Every probe endpoint of the notes' §2 table: (scope it needs, method, url, body).
async fn probe_table(
    emu: &Emulator,
) -> Vec<(
    &'static str,
    Method,
    String,
    Option<(&'static str, &'static str)>,
)> {
    let org = emu.org_url();
    let project = "Fabrikam%20Fiber";
    let vssps = area_url(emu, IMS).await;
    let graph = area_url(emu, GRAPH).await;
    let vsaex = area_url(emu, ENTITLEMENTS).await;
    let vsrm = area_url(emu, RELEASE).await;
    let feeds = area_url(emu, FEEDS).await;
    let audit = area_url(emu, AUDIT).await;
    let ada = "22157d54-1821-6536-a446-928b06348385";
    let patch = Some((
        "application/json-patch+json",
        r#"[{"op":"add","path":"/fields/System.Title","value":"pat-probe"}]"#,
    ));
    vec![
        (
            "vso.work",
            Method::GET,
            format!("{org}/_apis/wit/workitemrelationtypes?api-version=7.1"),
            None,
        ),
        (
            "vso.work",
            Method::GET,
            format!("{org}/{project}/_apis/wit/fields?api-version=7.1"),
            None,
        ),
        (
            "vso.work_write",
            Method::POST,
            format!("{org}/{project}/_apis/wit/workitems/$Task?validateOnly=true&api-version=7.1"),
            patch,
        ),
        (
            "vso.code",
            Method::GET,
            format!("{org}/_apis/git/repositories?api-version=7.1"),
            None,
        ),
        (
            "vso.code_write",
            Method::GET,
            format!("{org}/{project}/_git/fabrikam-web/info/refs?service=git-receive-pack"),
            None,
        ),
        (
            "vso.identity",
            Method::GET,
            format!("{vssps}/_apis/identities?identityIds={ada}&api-version=7.1"),
            None,
        ),
        (
            "vso.project",
            Method::GET,
            format!("{org}/_apis/teams?$top=1&api-version=7.1-preview.3"),
            None,
        ),
        (
            "vso.serviceendpoint",
            Method::GET,
            format!("{org}/_apis/serviceendpoint/types?api-version=7.1"),
            None,
        ),
        (
            "vso.memberentitlementmanagement",
            Method::GET,
            format!("{vsaex}/_apis/userentitlements/{ada}?api-version=7.1"),
            None,
        ),
        (
            "vso.graph",
            Method::GET,
            format!("{graph}/_apis/graph/descriptors/{ada}?api-version=7.1-preview.1"),
            None,
        ),
        (
            "vso.build",
            Method::GET,
            format!("{org}/{project}/_apis/build/definitions?$top=1&api-version=7.1"),
            None,
        ),
        (
            "vso.release",
            Method::GET,
            format!("{vsrm}/{project}/_apis/release/definitions?$top=1&api-version=7.1"),
            None,
        ),
        (
            "vso.packaging",
            Method::GET,
            format!("{feeds}/_apis/packaging/globalpermissions?api-version=7.1"),
            None,
        ),
        (
            "vso.wiki",
            Method::GET,
            format!("{org}/{project}/_apis/wiki/wikis?api-version=7.1"),
            None,
        ),
        (
            "vso.test",
            Method::GET,
            format!("{org}/{project}/_apis/testplan/plans?api-version=7.1"),
            None,
        ),
        (
            "vso.variablegroups_read",
            Method::GET,
            format!("{org}/{project}/_apis/distributedtask/variablegroups?$top=1&api-version=7.1"),
            None,
        ),
        (
            "vso.agentpools",
            Method::GET,
            format!("{org}/_apis/distributedtask/pools?api-version=7.1"),
            None,
        ),
        (
            "vso.auditlog",
            Method::GET,
            format!("{audit}/_apis/audit/actions?api-version=7.1-preview.1"),
            None,
        ),
        (
            "vso.profile",
            Method::GET,
            format!("{org}/_apis/favorite/favorites?api-version=7.1"),
            None,
        ),
    ]
}

#[tokio::test]
async fn each_probe_passes_with_its_scope_and_is_an_empty_401_without() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let full = emu.token("full-access").unwrap();
    let nango = emu.token("nango").unwrap(); // vso.project only
    for (scope, method, url, body) in probe_table(&emu).await {
        let with = call(method.clone(), &url, Some(&full), true, body).await;
        assert!(with.status.is_success(), "{scope}: {} {url}", with.status);
        let user_data = with.header("x-vss-userdata").unwrap_or_default();
        assert!(
            user_data.starts_with("22157d54-1821-6536-a446-928b06348385:ada@contoso.com"),
            "{scope}: {user_data}"
        );
        assert_eq!(
            with.header("activityid"),
            with.header("x-vss-e2eid"),
            "{scope}"
        );
        if scope == "vso.project" {
            continue;
        }
        let without = call(method.clone(), &url, Some(&nango), true, body).await;
        assert_eq!(without.status, 401, "{scope} without the scope: {url}");
        assert!(
            without.body.is_empty(),
            "{scope}: a missing scope has an empty body"
        );
        assert!(without.header("www-authenticate").is_some(), "{scope}");
        assert!(
            without.header("x-vss-userdata").is_none(),
            "{scope}: no X-VSS-UserData on 401"
        );
    }
}

#[tokio::test]
async fn json_answers_carry_the_api_version_content_type() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("git-zen").unwrap();
    let reply = get(
        &format!(
            "{}/_apis/teams?$top=1&api-version=7.1-preview.3",
            emu.org_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8; api-version=7.1-preview.3")
    );
    let body = reply.json();
    assert_eq!(body["count"], 1);
    assert_eq!(body["value"][0]["name"], "Fabrikam Fiber Team");
}

#[tokio::test]
async fn scopes_are_inherited_and_any_listed_scope_suffices() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    // Work Items: Read & write includes Read.
    let gitzen = emu.token("git-zen").unwrap();
    assert_eq!(
        get(
            &format!("{org}/_apis/wit/workitemrelationtypes?api-version=7.1"),
            Some(&gitzen)
        )
        .await
        .status,
        200
    );
    // Service Connections: Read & query includes Read.
    assert_eq!(
        get(
            &format!("{org}/_apis/serviceendpoint/types?api-version=7.1"),
            Some(&gitzen)
        )
        .await
        .status,
        200
    );
    // Hooks publishers list vso.work, vso.build, vso.code: Code Read alone suffices.
    let jira = emu.token("jira-git").unwrap();
    assert_eq!(
        get(
            &format!("{org}/_apis/hooks/publishers?api-version=7.1"),
            Some(&jira)
        )
        .await
        .status,
        200
    );
    // Work Items: Read does not include Read & write: the validate-only create is refused.
    let read_only = emu.token("read-only").unwrap();
    let reply = call(
        Method::POST,
        &format!(
            "{org}/Fabrikam%20Fiber/_apis/wit/workitems/$Task?validateOnly=true&api-version=7.1"
        ),
        Some(&read_only),
        true,
        Some((
            "application/json-patch+json",
            r#"[{"op":"add","path":"/fields/System.Title","value":"x"}]"#,
        )),
    )
    .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn validate_only_create_stores_nothing_and_a_real_create_does() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("git-zen").unwrap();
    let url = format!(
        "{}/Fabrikam%20Fiber/_apis/wit/workitems/$Task",
        emu.org_url()
    );
    let patch = Some((
        "application/json-patch+json",
        r#"[{"op":"add","path":"/fields/System.Title","value":"pat-probe"}]"#,
    ));
    let reply = call(
        Method::POST,
        &format!("{url}?validateOnly=true&api-version=7.1"),
        Some(&token),
        true,
        patch,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["fields"]["System.Title"], "pat-probe");
    assert_eq!(reply.json()["fields"]["System.WorkItemType"], "Task");
    assert_eq!(emu.work_item_count(), 0, "validate-only stored a work item");
    let reply = call(
        Method::POST,
        &format!("{url}?api-version=7.1"),
        Some(&token),
        true,
        patch,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(emu.work_item_count(), 1);
    // A type that does not exist, a body that is not a patch, a wrong content type.
    let missing = call(
        Method::POST,
        &format!(
            "{}/Fabrikam%20Fiber/_apis/wit/workitems/$Nope?validateOnly=true&api-version=7.1",
            emu.org_url()
        ),
        Some(&token),
        true,
        patch,
    )
    .await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.json()["message"]
            .as_str()
            .unwrap()
            .contains("VS402323")
    );
    let wrong_type = call(
        Method::POST,
        &format!("{url}?validateOnly=true&api-version=7.1"),
        Some(&token),
        true,
        Some(("application/json", "[]")),
    )
    .await;
    assert_eq!(wrong_type.status, 415);
    let no_title = call(
        Method::POST,
        &format!("{url}?validateOnly=true&api-version=7.1"),
        Some(&token),
        true,
        Some(("application/json-patch+json", "[]")),
    )
    .await;
    assert_eq!(no_title.status, 400);
    assert_eq!(emu.work_item_count(), 1);
}

#[tokio::test]
async fn without_the_suppress_header_an_auth_failure_is_the_203_sign_in_page() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let url = format!(
        "{}/_apis/distributedtask/pools?api-version=7.1",
        emu.org_url()
    );
    let nango = emu.token("nango").unwrap();
    for token in [Some(nango.as_str()), None, Some("bogus")] {
        let reply = call(Method::GET, &url, token, false, None).await;
        assert_eq!(reply.status, 203);
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        assert!(String::from_utf8_lossy(&reply.body).contains("Sign In"));
    }
}

#[tokio::test]
async fn token_states_answer_with_the_services_messages() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let url = format!("{}/_apis/connectionData", emu.org_url());
    let cases = [
        (
            "revoked",
            "TF400813: The user '' is not authorized to access this resource.",
        ),
        (
            "other-organization",
            "TF400813: The user '' is not authorized to access this resource.",
        ),
        (
            "expired",
            "Access Denied: The Personal Access Token used has expired.",
        ),
        (
            "conditional-access",
            "VS403463: The conditional access policy",
        ),
    ];
    for (name, message) in cases {
        let reply = get(&url, Some(&emu.token(name).unwrap())).await;
        assert_eq!(reply.status, 401, "{name}");
        assert!(
            reply.json()["message"]
                .as_str()
                .unwrap()
                .starts_with(message),
            "{name}: {}",
            reply.json()
        );
        assert_eq!(reply.json()["$id"], "1");
        assert!(reply.json()["typeKey"].is_string());
        assert!(reply.header("x-vss-userdata").is_none());
    }
    let ok = get(&url, Some(&emu.token("legacy-format").unwrap())).await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.json()["authenticatedUser"]["providerDisplayName"],
        "Git-Zen Service"
    );
    assert_eq!(ok.json()["deploymentType"], "hosted");
}

#[tokio::test]
async fn an_org_with_public_projects_returns_the_anonymous_identity_for_a_bad_token() {
    let text = patwiz::emulator::scenario::DEFAULT_SCENARIO
        .replace("public_projects = false", "public_projects = true");
    let scenario = patwiz::emulator::Scenario::parse(&text).unwrap();
    let emu = crate::support::clock::start(scenario, "127.0.0.1:0")
        .await
        .unwrap();
    let url = format!("{}/_apis/connectionData", emu.org_url());
    let reply = get(&url, Some(&emu.token("revoked").unwrap())).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json()["authenticatedUser"]["id"],
        "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
    );
    let other = get(
        &format!("{}/_apis/teams?api-version=7.1", emu.org_url()),
        Some("nope"),
    )
    .await;
    assert_eq!(other.status, 401);
    assert!(
        other.json()["message"]
            .as_str()
            .unwrap()
            .contains("aaaaaaaa-aaaa")
    );
}

#[tokio::test]
async fn user_permission_denials_are_403_with_user_data() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let reply = get(
        &format!("{}/_apis/git/repositories?api-version=7.1", emu.org_url()),
        Some(&emu.token("stakeholder").unwrap()),
    )
    .await;
    assert_eq!(reply.status, 403);
    assert!(
        reply
            .header("x-vss-userdata")
            .unwrap()
            .ends_with(":sam@contoso.com")
    );
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("TF401027")
    );
    let vsaex = area_url(&emu, ENTITLEMENTS).await;
    let reply = get(
        &format!("{vsaex}/_apis/userentitlements?api-version=7.1"),
        Some(&emu.token("exalate-not-admin").unwrap()),
    )
    .await;
    assert_eq!(reply.status, 403);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Access Denied")
    );
    // A project the user cannot see: 404 TF200016, still authenticated.
    let reply = get(
        &format!("{}/Nope/_apis/wit/fields?api-version=7.1", emu.org_url()),
        Some(&emu.token("git-zen").unwrap()),
    )
    .await;
    assert_eq!(reply.status, 404);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("TF200016")
    );
    assert!(reply.header("x-vss-userdata").is_some());
}

#[tokio::test]
async fn unknown_organizations_are_404_wrapped_exceptions() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let reply = get(
        &format!("{}/nosuchorg/_apis/resourceAreas/{CORE}", emu.root()),
        None,
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["typeKey"], "HostDoesNotExistException");
    let reply = get(
        &format!(
            "{}/_apis/resourceAreas/{CORE}?accountName=nosuchorg&api-version=5.0-preview.1",
            emu.root()
        ),
        None,
    )
    .await;
    assert_eq!(reply.status, 404);
    let reply = get(
        &format!(
            "{}/_apis/resourceAreas/{CORE}?accountName=DEMO&api-version=5.0-preview.1",
            emu.root()
        ),
        None,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["locationUrl"], format!("{}/", emu.org_url()));
}

#[tokio::test]
async fn discovery_advertises_every_host_and_each_resolves_to_the_emulator() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let reply = get(&format!("{}/_apis/resourceAreas", emu.org_url()), None).await;
    assert_eq!(reply.status, 200);
    let areas = reply.json();
    assert!(areas["count"].as_u64().unwrap() >= 15);
    let mut hosts = std::collections::BTreeSet::new();
    for area in areas["value"].as_array().unwrap() {
        let url = area["locationUrl"].as_str().unwrap();
        assert!(url.starts_with(emu.root()), "{url} is not on the emulator");
        hosts.insert(url.to_string());
        // Every advertised host answers the location table.
        let options = call(Method::OPTIONS, &format!("{url}_apis"), None, true, None).await;
        assert_eq!(options.status, 200, "{url}");
        assert!(options.json()["count"].as_u64().unwrap() >= 1, "{url}");
    }
    for service in [
        "vssps",
        "vsaex",
        "vsrm",
        "feeds",
        "auditservice",
        "app.vssps",
    ] {
        assert!(
            hosts
                .iter()
                .any(|h| h.contains(&format!("/_hosts/{service}/"))),
            "{service} not advertised"
        );
    }
    let options = call(
        Method::OPTIONS,
        &format!("{}/_apis", emu.org_url()),
        None,
        true,
        None,
    )
    .await
    .json();
    let connection = options["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "00d9565f-ed9c-4a06-9a50-00e7896ccab4")
        .unwrap();
    assert_eq!(connection["area"], "Location");
    assert_eq!(connection["routeTemplate"], "_apis/connectionData");
    // The organization's own host does not serve identities: clients must discover vssps.
    let token = emu.token("git-zen").unwrap();
    let reply = get(
        &format!(
            "{}/_apis/identities?identityIds=x&api-version=7.1",
            emu.org_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(reply.status, 404);
    // Tenant discovery.
    let head = call(Method::HEAD, &emu.org_url(), None, true, None).await;
    assert_eq!(
        head.header("x-vss-resourcetenant"),
        Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
    );
}

#[tokio::test]
async fn azure_devops_server_mode_lists_no_areas_and_serves_everything_on_the_collection() {
    let text = patwiz::emulator::scenario::DEFAULT_SCENARIO.replace(
        "public_projects = false",
        "public_projects = false\ndeployment_type = \"onPremises\"",
    );
    let emu = crate::support::clock::start(
        patwiz::emulator::Scenario::parse(&text).unwrap(),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let reply = get(&format!("{}/_apis/resourceAreas", emu.org_url()), None).await;
    assert_eq!(reply.json()["count"], 0);
    let token = emu.token("git-zen").unwrap();
    let reply = get(
        &format!(
            "{}/_apis/identities?identityIds=9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d&api-version=7.1",
            emu.org_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json()["value"][0]["providerDisplayName"],
        "Git-Zen Service"
    );
}

#[tokio::test]
async fn git_push_advertisement_needs_code_write_and_a_user_name() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let url = format!(
        "{}/Fabrikam%20Fiber/_git/fabrikam-web/info/refs?service=git-receive-pack",
        emu.org_url()
    );
    let full = emu.token("full-access").unwrap();
    patwiz::engine::http::install_crypto();
    let client = reqwest::Client::new();
    let reply = client
        .get(&url)
        .basic_auth("patwiz", Some(&full))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(
        reply.headers()["content-type"],
        "application/x-git-receive-pack-advertisement"
    );
    assert!(
        reply
            .text()
            .await
            .unwrap()
            .starts_with("001f# service=git-receive-pack\n0000")
    );
    let read_only = emu.token("read-only").unwrap();
    let reply = client
        .get(&url)
        .basic_auth("patwiz", Some(&read_only))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
    let upload = url.replace("git-receive-pack", "git-upload-pack");
    let reply = client
        .get(&upload)
        .basic_auth("patwiz", Some(&read_only))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    // An empty user name is refused on git routes.
    let reply = client
        .get(&upload)
        .basic_auth("", Some(&read_only))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
}

#[tokio::test]
async fn endpoint_proxy_query_is_authorised_by_serviceendpoint_query() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let url = format!(
        "{}/Fabrikam%20Fiber/_apis/serviceendpoint/endpointproxy?endpointId=00000000-0000-0000-0000-000000000000&api-version=7.1",
        emu.org_url()
    );
    let body = Some((
        "application/json",
        r#"{"dataSourceDetails":{"dataSourceName":"patwiz-probe"}}"#,
    ));
    let reply = call(
        Method::POST,
        &url,
        Some(&emu.token("git-zen").unwrap()),
        true,
        body,
    )
    .await;
    assert_eq!(reply.status, 404, "authorised, then no such endpoint");
    assert!(reply.header("x-vss-userdata").is_some());
    let reply = call(
        Method::POST,
        &url,
        Some(&emu.token("git-zen-missing-service-connections").unwrap()),
        true,
        body,
    )
    .await;
    assert_eq!(reply.status, 401);
    assert!(reply.body.is_empty());
}

#[tokio::test]
async fn faults_rate_limit_then_recover_and_hang() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("rate-limited").unwrap();
    let url = format!("{}/_apis/git/repositories?api-version=7.1", emu.org_url());
    let first = get(&url, Some(&token)).await;
    assert_eq!(first.status, 429);
    assert_eq!(first.header("retry-after"), Some("1"));
    for h in [
        "x-ratelimit-resource",
        "x-ratelimit-delay",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(first.header(h).is_some(), "{h}");
    }
    assert!(
        first.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("TF400733")
    );
    assert_eq!(get(&url, Some(&token)).await.status, 200);

    let hanging = emu.token("hanging").unwrap();
    let vssps = area_url(&emu, IMS).await;
    patwiz::engine::http::install_crypto();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .get(format!(
            "{vssps}/_apis/identities?identityIds=x&api-version=7.1"
        ))
        .basic_auth("", Some(&hanging))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
}

#[tokio::test]
async fn faults_truncated_html_and_invalid_utf8() {
    let text = format!(
        "{}\n[[faults]]\nkind = \"truncated\"\npath = \"/_apis/teams\"\n\n[[faults]]\nkind = \"html\"\npath = \"/_apis/git/\"\n\n[[faults]]\nkind = \"invalid-utf8\"\npath = \"/_apis/wit/\"\n\n[[faults]]\nkind = \"server-error\"\npath = \"/_apis/distributedtask/\"\n",
        patwiz::emulator::scenario::DEFAULT_SCENARIO
    );
    let emu = crate::support::clock::start(
        patwiz::emulator::Scenario::parse(&text).unwrap(),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let token = emu.token("full-access").unwrap();
    patwiz::engine::http::install_crypto();
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{}/_apis/teams?api-version=7.1", emu.org_url()))
        .basic_auth("", Some(&token))
        .send()
        .await;
    let complete = match response {
        Ok(r) => r.bytes().await.is_ok(),
        Err(_) => false,
    };
    assert!(!complete, "the body is cut short");
    let html = get(
        &format!("{}/_apis/git/repositories?api-version=7.1", emu.org_url()),
        Some(&token),
    )
    .await;
    assert_eq!(html.status, 200);
    assert!(
        html.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let bad = get(
        &format!(
            "{}/_apis/wit/workitemrelationtypes?api-version=7.1",
            emu.org_url()
        ),
        Some(&token),
    )
    .await;
    assert!(std::str::from_utf8(&bad.body).is_err());
    let err = get(
        &format!(
            "{}/_apis/distributedtask/pools?api-version=7.1",
            emu.org_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(err.status, 500);
    assert!(
        err.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("TF400898")
    );
}

#[tokio::test]
async fn the_emulator_refuses_to_listen_beyond_loopback() {
    let err = crate::support::clock::start(patwiz::emulator::Scenario::default_demo(), "0.0.0.0:0")
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("loopback"));
}
