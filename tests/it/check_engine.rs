//! The validation engine over real HTTP against the emulator: every class, every scope probe
//! (pass and fail), the 203 page, 429 then success, a hanging endpoint, a redirect to another
//! host, streaming, and "no token before the organization is proven".

use std::time::Duration;

use patwiz::domain::checks::{CheckClass, CheckStatus, Verdict};
use patwiz::domain::org_url::OrgUrl;
use patwiz::domain::token::Token;
use patwiz::emulator::{Emulator, Scenario, scenario::DEFAULT_SCENARIO};
use patwiz::engine::{self, CheckRequest, Event, Report, Wanted, probes};

fn wanted(scopes: &[&str]) -> Vec<Wanted> {
    scopes
        .iter()
        .map(|s| Wanted {
            scope: s.to_string(),
            why: None,
            required: true,
        })
        .collect()
}

const GIT_ZEN: &[&str] = &[
    "vso.work_write",
    "vso.code",
    "vso.identity",
    "vso.project",
    "vso.serviceendpoint_query",
];

fn request(org: &str, token: &str, scopes: &[&str]) -> CheckRequest {
    let mut r = engine::request_for(
        OrgUrl::parse(org).unwrap(),
        Token::new(token),
        wanted(scopes),
        "Git-Zen",
    );
    r.probe_extras = false;
    r.http.request_timeout = Duration::from_secs(5);
    r.http.deadline = Duration::from_secs(20);
    r
}

async fn check(emu: &Emulator, token_name: &str, scopes: &[&str]) -> Report {
    let token = emu.token(token_name).unwrap();
    engine::run(request(&emu.org_url(), &token, scopes), None).await
}

fn only<'a>(report: &'a Report, scope: &str) -> &'a engine::CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.scope == scope)
        .unwrap_or_else(|| panic!("no check for {scope}: {report:#?}"))
}

fn with_faults(extra: &str) -> Scenario {
    Scenario::parse(&format!("{DEFAULT_SCENARIO}\n{extra}")).unwrap()
}

#[tokio::test]
async fn a_token_with_exactly_the_profile_scopes_passes() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let report = check(&emu, "git-zen", GIT_ZEN).await;
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.to_text(None));
    assert_eq!(report.checks.len(), 5);
    for c in &report.checks {
        assert_eq!(
            (c.status, c.class),
            (CheckStatus::Pass, CheckClass::Ok),
            "{c:?}"
        );
        assert!(
            c.http_status
                .is_some_and(|s| (200..300).contains(&s) || s == 404),
            "{c:?}"
        );
    }
    let identity = report.identity.as_ref().unwrap();
    assert_eq!(identity.display_name, "Git-Zen Service");
    assert_eq!(identity.unique_name, "svc-gitzen@contoso.com");
    assert_eq!(identity.id, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
    assert_eq!(report.org.kind.as_str(), "cloud");
    assert_eq!(
        emu.work_item_count(),
        0,
        "the work item probe saved nothing"
    );
}

#[tokio::test]
async fn every_scope_probe_passes_with_its_scope_and_fails_without_it() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    for probe in probes::PROBES {
        let scope = probe.scope.as_str();
        let pass = check(&emu, "full-access", &[scope]).await;
        assert_eq!(
            only(&pass, scope).status,
            CheckStatus::Pass,
            "{scope} with Full access: {}",
            pass.to_text(None)
        );
        // A token whose scopes do not include this one (but can still see a project).
        let lacking = match scope {
            "vso.project" => "jira-git",
            "vso.code_write" => "read-only",
            _ => "nango",
        };
        let fail = check(&emu, lacking, &[scope]).await;
        let c = only(&fail, scope);
        assert_eq!(
            (c.status, c.class),
            (CheckStatus::Fail, CheckClass::MissingScope),
            "{scope} with {lacking}: {}",
            fail.to_text(None)
        );
        assert!(
            c.remediation.contains(&c.label),
            "{scope}: the fix names the checkbox: {}",
            c.remediation
        );
        assert_eq!(fail.verdict, Verdict::MissingScopes);
    }
}

#[tokio::test]
async fn missing_service_connections_names_the_checkbox() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let report = check(&emu, "git-zen-missing-service-connections", GIT_ZEN).await;
    assert_eq!(report.verdict, Verdict::MissingScopes);
    assert_eq!(report.exit_code(), 1);
    let c = only(&report, "vso.serviceendpoint_query");
    assert_eq!(c.class, CheckClass::MissingScope);
    assert_eq!(c.http_status, Some(401));
    assert!(
        c.remediation
            .contains("tick Service Connections: Read & query"),
        "{}",
        c.remediation
    );
    assert!(
        c.source.contains("Use personal access tokens"),
        "{}",
        c.source
    );
    assert_eq!(
        report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Pass)
            .count(),
        4
    );
}

#[tokio::test]
async fn read_instead_of_read_and_write_is_caught_by_the_validate_only_write() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let report = check(&emu, "read-only", &["vso.work", "vso.work_write"]).await;
    assert_eq!(only(&report, "vso.work").status, CheckStatus::Pass);
    assert_eq!(
        only(&report, "vso.work_write").class,
        CheckClass::MissingScope
    );
}

#[tokio::test]
async fn permission_denied_is_not_a_missing_scope() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let report = check(&emu, "stakeholder", GIT_ZEN).await;
    let c = only(&report, "vso.code");
    assert_eq!(
        (c.status, c.class),
        (CheckStatus::Fail, CheckClass::PermissionDenied)
    );
    assert!(c.remediation.contains("Stakeholder"), "{}", c.remediation);
    assert!(c.detail.contains("TF401027"));
    let exalate = [
        "vso.work_write",
        "vso.project",
        "vso.profile",
        "vso.identity",
        "vso.memberentitlementmanagement",
    ];
    let report = check(&emu, "exalate-not-admin", &exalate).await;
    let c = only(&report, "vso.memberentitlementmanagement");
    assert_eq!(c.class, CheckClass::PermissionDenied);
    assert!(c.remediation.contains("Project Collection Administrators"));
    assert!(c.source.contains("Exalate PAT guide"));
    assert_eq!(
        check(&emu, "exalate", &exalate).await.verdict,
        Verdict::Pass
    );
}

#[tokio::test]
async fn rejected_tokens_are_classified_and_no_scope_is_probed() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let cases = [
        ("revoked", CheckClass::TokenInvalid),
        ("other-organization", CheckClass::TokenInvalid),
        ("expired", CheckClass::TokenExpired),
        ("conditional-access", CheckClass::PolicyBlocked),
    ];
    for (name, class) in cases {
        let report = check(&emu, name, GIT_ZEN).await;
        assert_eq!(report.verdict, Verdict::TokenRejected, "{name}");
        assert_eq!(report.exit_code(), 2);
        assert!(report.identity.is_none());
        for c in &report.checks {
            assert_eq!(
                (c.status, c.class),
                (CheckStatus::Skipped, class),
                "{name}: {c:?}"
            );
        }
    }
    let report = engine::run(
        request(&emu.org_url(), "x".repeat(84).as_str(), GIT_ZEN),
        None,
    )
    .await;
    assert_eq!(report.verdict, Verdict::TokenRejected);
    assert!(
        only(&report, "vso.code")
            .remediation
            .contains("without surrounding whitespace")
    );
}

#[tokio::test]
async fn the_anonymous_identity_means_the_token_was_not_accepted() {
    let text = DEFAULT_SCENARIO.replace("public_projects = false", "public_projects = true");
    let emu = crate::support::clock::start(Scenario::parse(&text).unwrap(), "127.0.0.1:0")
        .await
        .unwrap();
    let report = check(&emu, "revoked", GIT_ZEN).await;
    assert_eq!(report.verdict, Verdict::TokenRejected);
    let c = only(&report, "vso.code");
    assert_eq!(c.class, CheckClass::TokenInvalid);
    assert!(c.detail.contains("anonymous"), "{}", c.detail);
    assert!(
        c.remediation.contains("public projects"),
        "{}",
        c.remediation
    );
}

#[tokio::test]
async fn a_203_sign_in_page_is_never_a_pass() {
    let emu = crate::support::clock::start(
        with_faults("[[faults]]\nkind = \"sign-in-page\"\npath = \"/_apis/teams\"\n"),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let report = check(&emu, "git-zen", GIT_ZEN).await;
    let c = only(&report, "vso.project");
    assert_eq!(c.http_status, Some(203));
    assert_eq!(
        (c.status, c.class),
        (CheckStatus::Fail, CheckClass::TokenInvalid)
    );
    assert_ne!(report.verdict, Verdict::Pass);
    let emu = crate::support::clock::start(
        with_faults("[[faults]]\nkind = \"sign-in-page\"\npath = \"connectionData\"\n"),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    assert_eq!(
        check(&emu, "git-zen", GIT_ZEN).await.verdict,
        Verdict::TokenRejected
    );
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_and_then_passes() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let report = check(&emu, "rate-limited", GIT_ZEN).await;
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.to_text(None));
    let repo_calls: Vec<u16> = emu
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with("/demo/_apis/git/repositories"))
        .map(|r| r.status)
        .collect();
    assert_eq!(repo_calls, [429, 200]);
}

#[tokio::test]
async fn persistent_throttling_is_rate_limited_and_a_500_is_a_server_error() {
    let emu = crate::support::clock::start(
        with_faults("[[faults]]\nkind = \"rate-limit\"\npath = \"/_apis/teams\"\nretry_after = 0\n\n[[faults]]\nkind = \"server-error\"\npath = \"/_apis/identities\"\n"),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let report = check(&emu, "git-zen", GIT_ZEN).await;
    assert_eq!(only(&report, "vso.project").class, CheckClass::RateLimited);
    assert_eq!(only(&report, "vso.project").status, CheckStatus::Error);
    assert_eq!(only(&report, "vso.identity").class, CheckClass::ServerError);
    assert_eq!(report.verdict, Verdict::Unreachable);
    assert_eq!(report.exit_code(), 3);
}

#[tokio::test]
async fn a_hanging_endpoint_times_out_within_the_deadline_and_the_others_pass() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("hanging").unwrap();
    let mut r = request(&emu.org_url(), &token, GIT_ZEN);
    r.http.request_timeout = Duration::from_secs(1);
    r.http.deadline = Duration::from_secs(3);
    // The run ends (the deadline holds), the hanging request is a timeout and the rest pass:
    // said by the classes, not by a stopwatch.
    let report = engine::run(r, None).await;
    let c = only(&report, "vso.identity");
    assert_eq!(
        (c.status, c.class),
        (CheckStatus::Error, CheckClass::Timeout)
    );
    assert!(c.detail.contains("no answer within"), "{}", c.detail);
    assert_eq!(
        report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Pass)
            .count(),
        4
    );
    assert_eq!(report.verdict, Verdict::Unreachable);
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_and_the_token_never_goes_there() {
    let elsewhere = crate::support::clock::start_demo().await.unwrap();
    let target = format!("{}/collect", elsewhere.root());
    let emu = crate::support::clock::start(
        with_faults(&format!(
            "[[faults]]\nkind = \"redirect\"\npath = \"/_apis/teams\"\nlocation = \"{target}\"\n"
        )),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let report = check(&emu, "git-zen", GIT_ZEN).await;
    let c = only(&report, "vso.project");
    assert_eq!(c.class, CheckClass::Network);
    assert!(
        c.detail.contains("redirected") && c.detail.contains("not sent"),
        "{}",
        c.detail
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the other host was contacted"
    );
}

#[tokio::test]
async fn unknown_organizations_and_closed_ports_are_unreachable() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("git-zen").unwrap();
    let report = engine::run(
        request(&format!("{}/nosuchorg", emu.root()), &token, GIT_ZEN),
        None,
    )
    .await;
    assert_eq!(report.verdict, Verdict::Unreachable);
    assert_eq!(only(&report, "vso.code").class, CheckClass::OrgNotFound);
    assert!(only(&report, "vso.code").source.contains("Nango"));
    assert!(
        emu.requests().iter().all(|r| !r.had_authorization),
        "the token was sent to an org that does not exist"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let report = engine::run(
        request(&format!("http://127.0.0.1:{port}/demo"), &token, GIT_ZEN),
        None,
    )
    .await;
    assert_eq!(report.verdict, Verdict::Unreachable);
    let c = only(&report, "vso.code");
    assert_eq!(c.class, CheckClass::Network);
    assert!(c.detail.contains("refused"), "{}", c.detail);
}

#[tokio::test]
async fn scopes_without_a_side_effect_free_probe_are_unproven_never_a_silent_pass() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let report = check(
        &emu,
        "full-access",
        &[
            "vso.tokenadministration",
            "vso.work_full",
            "vso.code_manage",
        ],
    )
    .await;
    for c in &report.checks {
        assert_eq!(
            (c.status, c.class),
            (CheckStatus::Warn, CheckClass::Unproven),
            "{c:?}"
        );
    }
    assert!(
        only(&report, "vso.work_full")
            .detail
            .contains("Work Items: Read & write proven")
    );
    assert_eq!(report.verdict, Verdict::Pass);
    // When even the included scope is missing, the wider one is proven missing.
    let report = check(&emu, "read-only", &["vso.work_full"]).await;
    assert_eq!(
        only(&report, "vso.work_full").class,
        CheckClass::MissingScope
    );
}

#[tokio::test]
async fn over_privilege_is_warned_about() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("full-access").unwrap();
    let mut r = request(&emu.org_url(), &token, GIT_ZEN);
    r.probe_extras = true;
    let report = engine::run(r, None).await;
    let extras: Vec<_> = report.checks.iter().filter(|c| !c.required).collect();
    assert!(extras.len() >= 4, "{}", report.to_text(None));
    for c in &extras {
        assert_eq!(c.status, CheckStatus::Warn);
        assert!(c.remediation.contains("never \"Full access\""));
    }
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("looks like \"Full access\""))
    );
    assert_eq!(report.verdict, Verdict::Pass);
    // The exact token has none.
    let token = emu.token("git-zen").unwrap();
    let mut r = request(&emu.org_url(), &token, GIT_ZEN);
    r.probe_extras = true;
    let report = engine::run(r, None).await;
    assert!(
        report.checks.iter().all(|c| c.required),
        "{}",
        report.to_text(None)
    );
}

#[tokio::test]
async fn results_stream_one_by_one_and_discovery_is_anonymous() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("slow").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let report = engine::run(request(&emu.org_url(), &token, GIT_ZEN), Some(tx)).await;
    let mut kinds = Vec::new();
    while let Ok(event) = rx.try_recv() {
        kinds.push(match event {
            Event::Discovered { .. } => "discovered",
            Event::Identity(_) => "identity",
            Event::Probing(_) => "probing",
            Event::Check(_) => "check",
            Event::Finished(_) => "finished",
        });
    }
    assert_eq!(
        kinds,
        [
            "discovered",
            "identity",
            "probing",
            "check",
            "check",
            "check",
            "check",
            "check",
            "finished"
        ]
    );
    assert_eq!(report.verdict, Verdict::Pass);
    // Every request before connectionData was anonymous.
    let requests = emu.requests();
    let first_auth = requests.iter().position(|r| r.had_authorization).unwrap();
    assert!(
        requests[..first_auth]
            .iter()
            .all(|r| r.path_and_query.contains("resourceAreas"))
    );
    assert!(requests[first_auth..].iter().all(|r| r.suppress_header));
    // Identities were found through discovery, on the vssps host.
    assert!(requests.iter().any(|r| {
        r.path_and_query
            .starts_with("/_hosts/vssps/demo/_apis/identities")
    }));
}

#[tokio::test]
async fn azure_devops_server_collections_work_without_resource_areas() {
    let text = DEFAULT_SCENARIO.replace(
        "public_projects = false",
        "public_projects = false\ndeployment_type = \"onPremises\"",
    );
    let emu = crate::support::clock::start(Scenario::parse(&text).unwrap(), "127.0.0.1:0")
        .await
        .unwrap();
    let report = check(&emu, "git-zen", GIT_ZEN).await;
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.to_text(None));
    assert_eq!(report.org.kind.as_str(), "server");
}

#[tokio::test]
async fn azure_devops_server_is_never_asked_for_more_than_its_release_takes() {
    for (release, ceiling) in [
        ("server-2019", (5, 0)),
        ("server-2020", (6, 0)),
        ("server-2022", (7, 0)),
    ] {
        let emu = crate::support::clock::start(Scenario::built_in(release).unwrap(), "127.0.0.1:0")
            .await
            .unwrap();
        let exalate = [
            "vso.work_write",
            "vso.project",
            "vso.profile",
            "vso.identity",
            "vso.memberentitlementmanagement",
        ];
        let report = check(&emu, "full-access", &exalate).await;
        assert_eq!(
            report.verdict,
            Verdict::Pass,
            "{release}: {}",
            report.to_text(None)
        );
        let entitlements = only(&report, "vso.memberentitlementmanagement");
        assert_eq!(entitlements.class, CheckClass::Unproven, "{release}");
        assert!(
            entitlements.detail.contains("no such API"),
            "{}",
            entitlements.detail
        );
        for c in &report.checks {
            assert_ne!(c.class, CheckClass::PermissionDenied, "{release}: {c:?}");
            assert!(
                !c.remediation.contains("status.dev.azure.com"),
                "{release}: {c:?}"
            );
        }
        for r in emu.requests() {
            if let Some(asked) = asked_version(&r.path_and_query) {
                assert!(
                    asked <= ceiling,
                    "{release} was asked: {}",
                    r.path_and_query
                );
            }
        }
    }
}

#[tokio::test]
async fn without_location_data_each_server_release_is_asked_again_at_the_ceiling_it_names() {
    for (release, ceiling) in [
        ("2018", (4, 1)),
        ("2019", (5, 0)),
        ("2020", (6, 0)),
        ("2022", (7, 0)),
    ] {
        // A proxy in front of the Server lets no OPTIONS through: no location data.
        let mut scenario = Scenario::built_in("server-2019").unwrap();
        scenario.organization.server_version = Some(release.to_string());
        scenario.organization.location_data = false;
        let emu = crate::support::clock::start(scenario, "127.0.0.1:0")
            .await
            .unwrap();
        let report = check(&emu, "full-access", GIT_ZEN).await;
        assert_eq!(
            report.verdict,
            Verdict::Pass,
            "{release}: {}",
            report.to_text(None)
        );
        assert_eq!(
            report.org.api_version.as_deref(),
            Some(format!("{}.{}", ceiling.0, ceiling.1).as_str()),
            "{release}: the ceiling learned is reported (and so remembered)"
        );
        let text = report.to_json();
        assert!(!text.contains("again later"), "{release}: {text}");
        let requests = emu.requests();
        let refused: Vec<_> = requests.iter().filter(|r| r.status == 400).collect();
        assert!(!refused.is_empty(), "{release}: 7.1 was refused first");
        for r in &refused {
            // Only the first round (asked before any answer named the ceiling) is refused:
            // what needs the project goes out at the ceiling, and nothing is refused twice.
            assert!(
                !r.path_and_query.contains("Fabrikam"),
                "{release}: asked after the ceiling was known: {}",
                r.path_and_query
            );
            let path = r.path_and_query.split('?').next().unwrap();
            assert_eq!(
                refused
                    .iter()
                    .filter(|o| o.path_and_query.split('?').next() == Some(path))
                    .count(),
                1,
                "{release}: {path} refused twice"
            );
        }
        // (Discovery's anonymous lookups are not held to a version.)
        for r in requests
            .iter()
            .filter(|r| r.status != 400 && r.had_authorization)
        {
            if let Some(asked) = asked_version(&r.path_and_query) {
                assert!(asked <= ceiling, "{release}: {}", r.path_and_query);
            }
        }
    }
}

/// The api-version a request asked for, as (major, minor).
fn asked_version(path_and_query: &str) -> Option<(u32, u32)> {
    let version = path_and_query
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("api-version="))?;
    let number = version.split('-').next()?;
    let (a, b) = number.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}
