//! patwiz held to the real service: `patwiz check --json`, the real binary, against real
//! answers of Azure DevOps served verbatim (`tests/recordings`, recorded by other projects from
//! the live service; the `reconstructed-*` ones rebuilt from text users quoted). Each test is
//! one case a real user meets, and asserts the verdict, the class and the words.
//!
//! Discovery's anonymous lookups are not recorded for any organization; the resource-area list
//! is served from the recorded (authenticated) one. Its hosts are the real service's, which a
//! loopback organization never sends the token to, so every probe reaches this server.

use std::process::Stdio;

use crate::support::replay::{Replay, Rule, rule};
use serde_json::Value;

/// A token in the current format (made up: it never leaves this machine).
const TOKEN: &str =
    "oEmvnEN5N1aE6PwZPf1Qh6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5JQQJ99DZPjN0MEQ7wjJJibaZAZDOUPgH";

struct Run {
    code: i32,
    json: Value,
    log: Vec<String>,
}

impl Run {
    fn check(&self, scope: &str) -> &Value {
        self.json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["scope"] == scope)
            .unwrap_or_else(|| panic!("no check for {scope}: {:#}", self.json))
    }

    fn class(&self, scope: &str) -> &str {
        self.check(scope)["class"].as_str().unwrap()
    }

    fn words(&self, scope: &str) -> String {
        let c = self.check(scope);
        format!("{} {}", c["detail"], c["remediation"])
    }
}

/// The recorded discovery and identity of the organization the 2025 cassettes use.
fn base_rules() -> Vec<Rule> {
    vec![
        rule("GET", "/_apis/resourceareas", &["resourceareas-list-2025"]),
        rule("GET", "/_apis/connectiondata", &["connectiondata-2025"]),
        rule("GET", "/_apis/projects", &["projects-list-2025"]),
    ]
}

async fn check(rules: Vec<Rule>, org: &str, args: &[&str]) -> Run {
    let server = Replay::start(rules).await;
    let mut all = vec![
        "check".to_string(),
        "--org".to_string(),
        server.org_url(org),
        "--json".to_string(),
        "--timeout".to_string(),
        "5".to_string(),
    ];
    all.extend(args.iter().map(|s| s.to_string()));
    let output = tokio::task::spawn_blocking(move || {
        crate::support::cmd::patwiz()
            .args(&all)
            .env("AZURE_DEVOPS_EXT_PAT", TOKEN)
            .env(
                "PATWIZ_CONFIG_DIR",
                std::env::temp_dir().join("patwiz-recorded-tests-none"),
            )
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains(TOKEN) && !String::from_utf8_lossy(&output.stderr).contains(TOKEN));
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Run {
        code: output.status.code().unwrap_or(-1),
        json,
        log: server.log(),
    }
}

#[tokio::test]
async fn a_process_rule_on_task_proves_work_items_read_and_write() {
    let mut rules = base_rules();
    rules.push(rule(
        "POST",
        "/_apis/wit/workitems/",
        &["reconstructed-tf401320-400"],
    ));
    let run = check(rules, "v-anvashist0376", &["--scopes", "vso.work_write"]).await;
    assert_eq!(run.json["verdict"], "pass", "{:#}", run.json);
    assert_eq!(run.code, 0);
    assert_eq!(run.class("vso.work_write"), "ok");
    let words = run.words("vso.work_write");
    assert!(words.contains("process rules"), "{words}");
    assert!(words.contains("TF401320"), "{words}");
    assert!(!words.contains("later"), "{words}");
}

#[tokio::test]
async fn a_route_that_does_not_exist_is_not_a_permission() {
    let mut rules = base_rules();
    rules.push(rule("GET", "/_apis/teams", &["route-404-textplain-2026"]));
    let run = check(rules, "v-anvashist0376", &["--scopes", "vso.project"]).await;
    assert_eq!(run.class("vso.project"), "unproven", "{:#}", run.json);
    let words = run.words("vso.project");
    assert!(words.contains("no such API"), "{words}");
    assert!(
        !words.contains("Stakeholder") && !words.contains("lacks the permission"),
        "{words}"
    );
    assert_eq!(run.json["verdict"], "pass");
}

#[tokio::test]
async fn a_project_that_does_not_exist_is_named_not_blamed_on_the_user() {
    let mut rules = base_rules();
    rules.push(rule(
        "POST",
        "/_apis/wit/workitems/",
        &["workitem-create-404-tf200016-2026"],
    ));
    let run = check(
        rules,
        "v-anvashist0376",
        &[
            "--scopes",
            "vso.work_write",
            "--project",
            "WorkItemCreateShowUpdateDeleteTests",
        ],
    )
    .await;
    assert_eq!(
        run.class("vso.work_write"),
        "project-not-found",
        "{:#}",
        run.json
    );
    assert_eq!(run.json["verdict"], "unreachable");
    assert_eq!(run.code, 3);
    let words = run.words("vso.work_write");
    assert!(
        words.contains("WorkItemCreateShowUpdateDeleteTests") && words.contains("--project"),
        "{words}"
    );
    assert!(!words.contains("Stakeholder"), "{words}");
}

#[tokio::test]
async fn an_account_without_access_is_named_at_the_identity_check() {
    let rules = vec![
        rule("GET", "/_apis/resourceareas", &["resourceareas-list-2025"]),
        rule(
            "GET",
            "/_apis/connectiondata",
            &["401-tf400813-userdata-projects"],
        ),
    ];
    let run = check(rules, "AzureDevOpsCliTest", &["--profile", "git-zen"]).await;
    assert_eq!(run.json["verdict"], "token-rejected", "{:#}", run.json);
    assert_eq!(run.code, 2);
    assert_eq!(run.class("vso.code"), "no-access");
    let words = run.words("vso.code");
    assert!(words.contains("roshan.s@syrencloud.com"), "{words}");
    assert!(
        words.contains("Add users") || words.contains("add that account"),
        "{words}"
    );
    // The evidence names the account's directory; the advice below it does not repeat it.
    let tenant = "c7ac8f34-d29e-4f96-b9c9-c50d7c861f3b";
    let check = run.check("vso.code");
    assert!(
        check["detail"].as_str().unwrap().contains(tenant),
        "{check:#}"
    );
    let advice = check["remediation"].as_str().unwrap();
    assert!(
        advice.contains("roshan.s@syrencloud.com") && !advice.contains(tenant),
        "{advice}"
    );
    assert!(
        !words.contains("copied it") && !words.contains("tick"),
        "{words}"
    );
}

#[tokio::test]
async fn an_account_without_access_at_the_probes_is_not_a_missing_scope() {
    let mut rules = base_rules();
    rules.push(rule(
        "GET",
        "/_apis/teams",
        &["401-tf400813-userdata-projects"],
    ));
    rules.push(rule(
        "GET",
        "/_apis/wit/workitemrelationtypes",
        &["401-tf400813-userdata-projects"],
    ));
    let run = check(
        rules,
        "v-anvashist0376",
        &["--scopes", "vso.project,vso.work"],
    )
    .await;
    for scope in ["vso.project", "vso.work"] {
        assert_eq!(run.class(scope), "no-access", "{:#}", run.json);
        assert!(!run.words(scope).contains("tick"), "{}", run.words(scope));
    }
    assert_ne!(run.json["verdict"], "pass");
}

#[tokio::test]
async fn a_lone_empty_401_is_confirmed_before_it_is_called_a_missing_scope() {
    let mut rules = base_rules();
    // As recorded: the same token, the same request, 401 and then 200 within a second.
    rules.push(rule(
        "GET",
        "/_apis/build/definitions",
        &["401-build-definitions-2025", "build-definitions-2025"],
    ));
    let run = check(
        rules,
        "v-anvashist0376",
        &["--scopes", "vso.build", "--project", "buildtests"],
    )
    .await;
    assert_eq!(run.class("vso.build"), "inconsistent", "{:#}", run.json);
    assert_eq!(run.check("vso.build")["status"], "warn");
    let asked = run.log.iter().filter(|l| l.contains("/build/")).count();
    assert_eq!(asked, 2, "{:?}", run.log);
}

#[tokio::test]
async fn an_empty_401_twice_is_a_missing_scope() {
    let mut rules = base_rules();
    rules.push(rule(
        "GET",
        "/_apis/distributedtask/pools",
        &["401-empty-pools"],
    ));
    let run = check(rules, "v-anvashist0376", &["--scopes", "vso.agentpools"]).await;
    assert_eq!(
        run.class("vso.agentpools"),
        "missing-scope",
        "{:#}",
        run.json
    );
    let words = run.words("vso.agentpools");
    assert!(
        words.contains("refused twice") && words.contains("Edit the token"),
        "{words}"
    );
    assert_eq!(run.code, 1);
}

#[tokio::test]
async fn a_deactivated_organization_is_said_to_be_stopped_at_discovery() {
    let rules = vec![rule("*", "/", &["503-tf24668-stopped-org-bom-2026"])];
    let run = check(rules, "azuredevopsclitest", &["--profile", "git-zen"]).await;
    assert_eq!(run.json["verdict"], "unreachable", "{:#}", run.json);
    assert_eq!(run.class("vso.code"), "org-deactivated");
    let words = run.words("vso.code");
    assert!(words.contains("deactivated due to inactivity"), "{words}");
    assert!(
        words.contains("administrator") && !words.contains("run the check again later"),
        "{words}"
    );
    let notes = run.json["notes"].to_string();
    assert!(notes.contains("TF24668"), "{notes}");
    // A stopped organization is not retried: it will not come back in a second.
    assert!(run.log.len() <= 9, "{:?}", run.log);
}

#[tokio::test]
async fn a_deactivated_organization_is_said_to_be_stopped_at_the_identity_check() {
    let rules = vec![
        rule("GET", "/_apis/resourceareas", &["resourceareas-list-2025"]),
        rule(
            "GET",
            "/_apis/connectiondata",
            &["503-tf24668-stopped-org-bom-2026"],
        ),
    ];
    let run = check(rules, "azuredevopsclitest", &["--profile", "git-zen"]).await;
    assert_eq!(run.class("vso.code"), "org-deactivated", "{:#}", run.json);
    assert!(
        run.words("vso.code")
            .contains("aka.ms/adofootprintreduction")
    );
}

#[tokio::test]
async fn an_expired_token_is_expired_whether_json_or_an_html_page() {
    for id in [
        "reconstructed-expired-pat-401",
        "reconstructed-expired-pat-401-html",
    ] {
        let rules = vec![
            rule("GET", "/_apis/resourceareas", &["resourceareas-list-2025"]),
            rule("GET", "/_apis/connectiondata", &[id]),
        ];
        let run = check(rules, "v-anvashist0376", &["--profile", "git-zen"]).await;
        assert_eq!(
            run.class("vso.code"),
            "token-expired",
            "{id}: {:#}",
            run.json
        );
        assert!(
            run.words("vso.code")
                .contains("can't be edited or extended")
        );
        assert_eq!(run.code, 2);
    }
}

#[tokio::test]
async fn a_push_refused_for_lack_of_contribute_says_contribute() {
    let mut rules = base_rules();
    rules.push(rule(
        "GET",
        "/_apis/git/repositories",
        &["project-repositories-2025"],
    ));
    rules.push(rule(
        "GET",
        "/info/refs",
        &["reconstructed-receive-pack-403"],
    ));
    let run = check(rules, "v-anvashist0376", &["--scopes", "vso.code_write"]).await;
    assert_eq!(
        run.class("vso.code_write"),
        "permission-denied",
        "{:#}\n{:?}",
        run.json,
        run.log
    );
    let words = run.words("vso.code_write");
    assert!(
        words.contains("Contribute") && words.contains("TF401027"),
        "{words}"
    );
    assert!(!words.contains("cannot read"), "{words}");
}

#[tokio::test]
async fn the_service_error_page_is_a_server_error_after_retries() {
    let mut rules = base_rules();
    rules.push(rule("GET", "/_apis/teams", &["503-html-page"]));
    let run = check(rules, "v-anvashist0376", &["--scopes", "vso.project"]).await;
    assert_eq!(run.class("vso.project"), "server-error", "{:#}", run.json);
    assert_eq!(run.json["verdict"], "unreachable");
}

#[tokio::test]
async fn the_recorded_answers_of_a_good_token_pass() {
    let mut rules = base_rules();
    rules.push(rule(
        "GET",
        "/_apis/wit/workitemrelationtypes",
        &["relationtypes-2025"],
    ));
    rules.push(rule(
        "GET",
        "/_apis/git/repositories",
        &["project-repositories-2025"],
    ));
    rules.push(rule(
        "GET",
        "/_apis/identities",
        &["identities-search-2025"],
    ));
    rules.push(rule("GET", "/_apis/distributedtask/pools", &["pools-2025"]));
    rules.push(rule(
        "GET",
        "/_apis/graph/descriptors",
        &["graph-descriptor-2025"],
    ));
    rules.push(rule(
        "GET",
        "/_apis/userentitlements",
        &["userentitlement-byid-2025"],
    ));
    let run = check(
        rules,
        "v-anvashist0376",
        &[
            "--scopes",
            "vso.work,vso.code,vso.identity,vso.agentpools,vso.graph,vso.memberentitlementmanagement",
        ],
    )
    .await;
    assert_eq!(run.json["verdict"], "pass", "{:#}\n{:?}", run.json, run.log);
    assert_eq!(
        run.json["identity"]["id"],
        "22157d54-1821-6536-a446-928b06348385"
    );
}

#[tokio::test]
async fn the_legacy_host_is_read_as_recorded() {
    let rules = vec![
        rule(
            "GET",
            "/_apis/resourceareas",
            &["resourceareas-legacy-host-2019"],
        ),
        rule(
            "GET",
            "/_apis/connectiondata",
            &["connectiondata-legacy-host-2019"],
        ),
        rule("GET", "/_apis/teams", &["project-teams-2019"]),
    ];
    let run = check(rules, "AzureDevOpsCliTest", &["--scopes", "vso.project"]).await;
    assert_eq!(
        run.class("vso.project"),
        "ok",
        "{:#}\n{:?}",
        run.json,
        run.log
    );
    assert!(
        run.json["identity"]["id"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
}

#[tokio::test]
async fn check_output_uses_no_internal_words() {
    let mut rules = base_rules();
    rules.push(rule(
        "GET",
        "/_apis/distributedtask/pools",
        &["401-empty-pools"],
    ));
    let run = check(rules, "v-anvashist0376", &["--scopes", "vso.agentpools"]).await;
    let text = run.json.to_string();
    for internal in ["seed 0", "connectionData", ".toml", "remediation-key"] {
        assert!(!text.contains(internal), "{internal} in {text}");
    }
}

#[tokio::test]
async fn an_account_that_never_signed_in_is_told_to_sign_in_once_not_to_copy_the_token_again() {
    let rules = vec![
        rule("GET", "/_apis/resourceareas", &["resourceareas-list-2025"]),
        rule(
            "GET",
            "/_apis/connectiondata",
            &["reconstructed-tf401444-401"],
        ),
    ];
    let run = check(rules, "v-anvashist0376", &["--profile", "git-zen"]).await;
    assert_eq!(run.class("vso.code"), "no-access", "{:#}", run.json);
    assert_eq!(run.json["verdict"], "token-rejected");
    let words = run.words("vso.code");
    assert!(
        words.contains("ann@contoso.com") && words.contains("in a web browser"),
        "{words}"
    );
    assert!(
        words.contains("TF401444"),
        "the service's own words: {words}"
    );
    assert!(
        !words.contains("copied it") && !words.contains("revoked"),
        "{words}"
    );
}

#[tokio::test]
async fn a_personal_microsoft_account_is_named_as_one() {
    let rules = vec![
        rule("GET", "/_apis/resourceareas", &["resourceareas-list-2025"]),
        rule(
            "GET",
            "/_apis/connectiondata",
            &["reconstructed-tf400813-msa-401"],
        ),
    ];
    let run = check(rules, "v-anvashist0376", &["--profile", "git-zen"]).await;
    assert_eq!(run.class("vso.code"), "no-access", "{:#}", run.json);
    let words = run.words("vso.code");
    assert!(
        words.contains("ann@outlook.com (a personal Microsoft account)"),
        "{words}"
    );
    assert!(
        !words.contains("Entra directory Windows Live ID"),
        "{words}"
    );
}

#[tokio::test]
async fn a_conditional_access_refusal_at_the_probes_makes_the_verdict_token_rejected() {
    let mut rules = base_rules();
    rules.push(rule("GET", "/_apis/teams", &["reconstructed-vs403463-401"]));
    let run = check(
        rules,
        "v-anvashist0376",
        &["--scopes", "vso.project,vso.work"],
    )
    .await;
    assert_eq!(run.class("vso.project"), "policy-blocked", "{:#}", run.json);
    // The verdict names only what a probe had: never missing-scopes here.
    assert_eq!(run.json["verdict"], "token-rejected", "{:#}", run.json);
    assert_eq!(run.code, 2);
    assert!(run.words("vso.project").contains("allowed network"));
}
