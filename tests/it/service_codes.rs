//! Azure DevOps' own error codes, each met as a person meets it: the emulator answers a check
//! with the code's body (the wording public threads and Microsoft's pages quote, cited per
//! case), and patwiz must give the catalogue's class and fix for it and show the service's own
//! words. Every catalogue entry has a case here; a test fails when one has none.

use std::time::Duration;

use patwiz::domain::checks::{CheckClass, Verdict};
use patwiz::domain::org_url::OrgUrl;
use patwiz::domain::service_codes;
use patwiz::domain::token::Token;
use patwiz::emulator::{Emulator, Scenario, scenario::DEFAULT_SCENARIO};
use patwiz::engine::{self, Report, Wanted};

/// One public answer carrying a code, and where patwiz meets it.
struct Case {
    code: &'static str,
    /// The scope whose probe meets it (`None`: the identity check meets it, before any probe).
    scope: Option<&'static str>,
    /// Part of the request path the emulator answers with it.
    path: &'static str,
    status: u16,
    message: &'static str,
    /// Where the wording comes from.
    source: &'static str,
    /// The run's verdict.
    verdict: Verdict,
    /// Words the result must hold beyond the catalogue's fix (the account's kind, a permission).
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        code: "TF400813",
        scope: None,
        path: "connectionData",
        status: 401,
        message: "TF400813: The user 'Windows Live ID\\ann@outlook.com' is not authorized to access this resource.",
        source: "bizmonger/Nikeza#30 (the account's part quoted as the service wrote it)",
        verdict: Verdict::TokenRejected,
        says: &["a personal Microsoft account", "ann@outlook.com"],
    },
    Case {
        code: "TF401444",
        scope: None,
        path: "connectionData",
        status: 401,
        message: "TF401444: Please sign-in at least once as 72f988bf-86f1-41af-91ab-2d7cd011db47\\72f988bf-86f1-41af-91ab-2d7cd011db47\\ann@contoso.com in a web browser to enable access to the service.",
        source: "a11smiles/GitSync#16; git-credential-manager#850",
        verdict: Verdict::TokenRejected,
        says: &["ann@contoso.com", "in a web browser", "never signed in"],
    },
    Case {
        code: "VS30063",
        scope: None,
        path: "connectionData",
        status: 401,
        message: "VS30063: You are not authorized to access https://dev.azure.com.",
        source: "microsoft/azure-pipelines-agent#4746; MicrosoftDocs/azure-devops-docs#12815",
        verdict: Verdict::TokenRejected,
        says: &["only in the organization chosen when it was created"],
    },
    Case {
        code: "VS403463",
        scope: Some("vso.code"),
        path: "git/repositories",
        status: 401,
        message: "VS403463: The conditional access policy defined by your Azure Active Directory administrator has failed.",
        source: "git-credential-manager#855; azure-devops-mcp#1080",
        verdict: Verdict::TokenRejected,
        says: &["conditional access", "allowed network"],
    },
    Case {
        code: "TF401019",
        scope: Some("vso.code_write"),
        path: "/info/refs",
        status: 404,
        message: "TF401019: The Git repository with name or identifier Fabrikam-Web does not exist or you do not have permissions for the operation you are attempting.",
        source: "Azure/azure-cli#26811; nkdAgility/azure-devops-migration-tools#1673",
        verdict: Verdict::PermissionDenied,
        says: &["one answer for both", "Read"],
    },
    Case {
        code: "TF401027",
        scope: Some("vso.code_write"),
        path: "/info/refs",
        status: 403,
        message: "TF401027: You need the Git 'GenericContribute' permission to perform this action. Details: identity 'Build\\9ae909ca-d00d-4819-ad4a-736f9b355ad8', scope 'repository'.",
        source: "gbrueckl/PowerBI.CICD#2; Azure/AzOps#299",
        verdict: Verdict::PermissionDenied,
        says: &["Contribute"],
    },
    Case {
        code: "VS402904",
        scope: Some("vso.release"),
        path: "release/definitions",
        status: 403,
        message: "VS402904: Access denied: User Ann Admin does not have view releases permission. Contact your release manager.",
        source: "the Tag Build task's README of Colin's ALM Corner Build Tasks (there: manage releases)",
        verdict: Verdict::PermissionDenied,
        says: &["View releases"],
    },
    Case {
        code: "VS403403",
        scope: Some("vso.build"),
        path: "build/definitions",
        status: 403,
        message: "VS403403: The current user does not have permission to perform this action.",
        source: "troubleshooting notes of public Azure DevOps tools quoting the service",
        verdict: Verdict::PermissionDenied,
        says: &["does not name which"],
    },
    Case {
        code: "TF200016",
        scope: Some("vso.build"),
        path: "build/definitions",
        status: 404,
        message: "TF200016: The following project does not exist: Fabrikam. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.",
        source: "recorded (workitem-create-404-tf200016-2026)",
        verdict: Verdict::Unreachable,
        says: &["does not exist"],
    },
    Case {
        code: "VS800075",
        scope: Some("vso.wiki"),
        path: "wiki/wikis",
        status: 404,
        message: "VS800075: The project with id 'vstfs:///Classification/TeamProject/6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c' does not exist, or you do not have permission to access it.",
        source: "Azure DevOps' answer quoted in public issue threads about project ids",
        verdict: Verdict::Unreachable,
        says: &["one answer for both"],
    },
    Case {
        code: "TF24668",
        scope: None,
        path: "connectionData",
        status: 503,
        message: "TF24668: The following team project collection is stopped: demo. Start the collection and then try again. Administrator Reason: Organization deactivated due to inactivity.",
        source: "recorded (503-tf24668-stopped-org-bom-2026)",
        verdict: Verdict::Unreachable,
        says: &["will not come back by itself"],
    },
    Case {
        code: "TF400898",
        scope: Some("vso.work"),
        path: "workitemrelationtypes",
        status: 500,
        message: "TF400898: An Internal Error Occurred. Activity Id: 4e2b7c1d-0f4a-4a8e-9b61-2f3a1c5d7e90.",
        source: "Azure DevOps' answer quoted in public issue threads (Activity Id made up)",
        verdict: Verdict::Unreachable,
        says: &["activity id"],
    },
    Case {
        code: "TF400733",
        scope: Some("vso.work"),
        path: "workitemrelationtypes",
        status: 429,
        message: "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Core' in namespace 'User'.",
        source: "Microsoft Learn, \"Rate and usage limits\"",
        verdict: Verdict::Unreachable,
        says: &["throttling", "Usage"],
    },
];

#[test]
fn every_catalogue_entry_has_a_case_and_every_case_an_entry() {
    let entries: std::collections::BTreeSet<&str> = service_codes::all()
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    let cases: std::collections::BTreeSet<&str> = CASES.iter().map(|c| c.code).collect();
    assert_eq!(entries, cases, "catalogue entries vs cases here");
    for case in CASES {
        assert!(!case.source.is_empty(), "{}: no source", case.code);
        assert_eq!(service_codes::code_in(case.message), Some(case.code));
    }
}

/// A Full access token of Ann's whose answers on `path` are `status` with `message`.
fn scenario(case: &Case) -> Scenario {
    let value = patwiz::domain::checksum::seal_annotated(&format!(
        "{}JQQJ99CKAAAAAAAAAAAAAAAAAZDO",
        "c0de".repeat(13)
    ))
    .unwrap();
    let message = case.message.replace('\\', "\\\\").replace('"', "\\\"");
    Scenario::parse(&format!(
        "{DEFAULT_SCENARIO}\n[[tokens]]\nname = \"coded\"\nvalue = \"{value}\"\nuser = \"ada\"\nscopes = [\"app_token\"]\n[[tokens.deny]]\npath = \"{}\"\nstatus = {}\nmessage = \"{message}\"\n",
        case.path, case.status
    ))
    .unwrap()
}

/// `case`'s answer met by its scope's check.
async fn check_case(case: &Case) -> Report {
    let emu = crate::support::clock::start(scenario(case), "127.0.0.1:0")
        .await
        .unwrap();
    check(&emu, case.scope.unwrap_or("vso.project")).await
}

async fn check(emu: &Emulator, scope: &str) -> Report {
    let mut request = engine::request_for(
        OrgUrl::parse(&emu.org_url()).unwrap(),
        Token::new(emu.token("coded").unwrap()),
        vec![Wanted::required(scope)],
        "Fabrikam's integration",
    );
    request.probe_extras = false;
    request.clock = crate::support::clock::clock();
    request.http.request_timeout = Duration::from_secs(5);
    request.http.deadline = Duration::from_secs(30);
    engine::run(request, None).await
}

#[tokio::test]
async fn each_code_is_answered_with_its_class_its_fix_and_the_services_words() {
    for case in CASES {
        let entry = service_codes::find(case.code).unwrap();
        let scope = case.scope.unwrap_or("vso.project");
        let report = check_case(case).await;
        let text = report.to_text(None);
        let c = report
            .checks
            .iter()
            .find(|c| c.scope == scope)
            .unwrap_or_else(|| panic!("{}: {text}", case.code));
        assert_eq!(c.class, entry.class, "{}: {text}", case.code);
        assert_eq!(report.verdict, case.verdict, "{}: {text}", case.code);
        assert_eq!(
            c.source, entry.source,
            "{}: the catalogue's fix: {text}",
            case.code
        );
        // The service's own words are shown, its code with them.
        let shown = format!("{} {}", c.detail, report.notes.join(" "));
        assert!(shown.contains(case.code), "{}: {shown}", case.code);
        let words = format!("{shown} {}", c.remediation).to_ascii_lowercase();
        for said in case.says {
            assert!(
                words.contains(&said.to_ascii_lowercase()),
                "{}: no \"{said}\" in {words}",
                case.code
            );
        }
        // Nothing that will not change by itself is told to be asked again later.
        if !matches!(entry.class, CheckClass::ServerError | CheckClass::Timeout) {
            assert!(!words.contains("again later"), "{}: {words}", case.code);
        }
        // The catalogue's fix is filled in: no placeholder is left.
        assert!(
            !c.remediation.contains('{'),
            "{}: {}",
            case.code,
            c.remediation
        );
    }
}

#[tokio::test]
async fn a_code_the_catalogue_does_not_know_keeps_its_class_and_is_named() {
    let case = Case {
        code: "VS999999",
        scope: Some("vso.build"),
        path: "build/definitions",
        status: 403,
        message: "VS999999: A refusal patwiz has never seen.",
        source: "made up: a code no catalogue has",
        verdict: Verdict::PermissionDenied,
        says: &[],
    };
    let report = check_case(&case).await;
    let c = &report.checks[0];
    assert_eq!(
        c.class,
        CheckClass::PermissionDenied,
        "{}",
        report.to_text(None)
    );
    assert!(
        c.remediation.contains("VS999999"),
        "the unknown code is named: {}",
        c.remediation
    );
}

#[tokio::test]
async fn a_request_refused_as_written_is_never_told_to_be_asked_again_later() {
    let case = Case {
        code: "",
        scope: Some("vso.build"),
        path: "build/definitions",
        status: 400,
        message: "The request is invalid.",
        source: "made up: a 400 that names no code",
        verdict: Verdict::Unreachable,
        says: &[],
    };
    let report = check_case(&case).await;
    let c = &report.checks[0];
    assert_eq!(c.class, CheckClass::ServerError, "{}", report.to_text(None));
    assert_eq!(report.verdict, case.verdict);
    let text = format!("{} {}", report.to_text(None), report.to_json());
    assert!(!text.contains("again later"), "{text}");
    assert!(
        c.remediation.contains("will not change"),
        "{}",
        c.remediation
    );
}
