//! Hostile inputs, kept as tables: organization URLs, pasted tokens and server replies. Each
//! gets a clear, specific message, no panic, and no hang beyond the deadline.

use std::time::Duration;

use patwiz::domain::checks::{CheckClass, Verdict};
use patwiz::domain::org_url::OrgUrl;
use patwiz::domain::token::{Token, TokenFormat, check_pasted};
use patwiz::emulator::{Scenario, scenario::DEFAULT_SCENARIO};
use patwiz::engine::{self, Wanted};

/// What a URL must become: the normalised URL, or a refusal whose message contains the text.
enum Url {
    Ok(&'static str),
    No(&'static str),
}

const ORG_CASES: &[(&str, Url)] = &[
    (
        "https://dev.azure.com/contoso",
        Url::Ok("https://dev.azure.com/contoso"),
    ),
    (
        "dev.azure.com/contoso",
        Url::Ok("https://dev.azure.com/contoso"),
    ),
    ("contoso", Url::Ok("https://dev.azure.com/contoso")),
    (
        "CONTOSO.VISUALSTUDIO.COM",
        Url::Ok("https://contoso.visualstudio.com"),
    ),
    (
        "https://contoso.visualstudio.com/DefaultCollection/_git/x",
        Url::Ok("https://contoso.visualstudio.com"),
    ),
    (
        "https://tfs.example/tfs/Main/",
        Url::Ok("https://tfs.example/tfs/Main"),
    ),
    (
        "https://contoso@dev.azure.com/contoso/p/_git/r",
        Url::Ok("https://dev.azure.com/contoso"),
    ),
    (
        "git@ssh.dev.azure.com:v3/contoso/p/r",
        Url::Ok("https://dev.azure.com/contoso"),
    ),
    (
        "\u{FEFF}https://dev.azure.com/contoso",
        Url::Ok("https://dev.azure.com/contoso"),
    ),
    (
        "https://dev.azure.com/contoso?x=1#frag",
        Url::Ok("https://dev.azure.com/contoso"),
    ),
    (
        "https://dev.azure.com:443/contoso",
        Url::Ok("https://dev.azure.com/contoso"),
    ),
    (
        "http://localhost:8080/tfs/DefaultCollection",
        Url::Ok("http://localhost:8080/tfs/DefaultCollection"),
    ),
    ("http://127.9.9.9:1/x", Url::Ok("http://127.9.9.9:1/x")),
    // Look-alikes and IDN
    ("https://dеv.azure.com/contoso", Url::No("non-ASCII")),
    ("https://dev.azurе.com/contoso", Url::No("non-ASCII")),
    ("https://xn--dv-nlc.azure.com/contoso", Url::No("non-ASCII")),
    (
        "https://dev.azure.com.evil.example/contoso",
        Url::Ok("https://dev.azure.com.evil.example/contoso"),
    ),
    ("https://bücher.example/tfs/Main", Url::No("non-ASCII")),
    (
        "https://dev.azure.com/cöntoso",
        Url::No("not a valid organization name"),
    ),
    (
        "https://dev.azure.com/contoso\u{202E}",
        Url::Ok("https://dev.azure.com/contoso"),
    ),
    (
        "https://dev.azure.com/con\u{202E}otsoc",
        Url::No("control or invisible"),
    ),
    (
        "https://dev.azure.com/\u{2066}contoso\u{2069}/x",
        Url::No("control or invisible"),
    ),
    (
        "https://dev.azure.com/con\u{200B}toso",
        Url::No("control or invisible"),
    ),
    (
        "https://dev.azure.com/con\u{00AD}toso",
        Url::No("control or invisible"),
    ),
    // Schemes
    ("javascript:alert(1)", Url::No("Only https://")),
    (
        "JAVASCRIPT:alert(document.cookie)",
        Url::No("Only https://"),
    ),
    ("data:text/html,<script>", Url::No("Only https://")),
    ("file:///etc/passwd", Url::No("Only https://")),
    ("ftp://dev.azure.com/contoso", Url::No("Only https://")),
    ("ssh://dev.azure.com/contoso", Url::No("Only https://")),
    ("vbscript:msgbox", Url::No("Only https://")),
    ("http://dev.azure.com/contoso", Url::No("clear text")),
    ("http://contoso.visualstudio.com", Url::No("clear text")),
    ("http://10.0.0.1/tfs/Main", Url::No("clear text")),
    ("http://192.168.1.5/tfs/Main", Url::No("clear text")),
    ("http://[fe80::1]/tfs/Main", Url::No("clear text")),
    // Userinfo
    (
        "https://user:pass@dev.azure.com/contoso",
        Url::No("password"),
    ),
    ("https://:secret@dev.azure.com/contoso", Url::No("password")),
    ("https://a:b@tfs.example/tfs/Main", Url::No("password")),
    // Shapes
    ("", Url::No("Enter your organization URL")),
    ("   ", Url::No("Enter your organization URL")),
    ("\t\n", Url::No("Enter your organization URL")),
    ("https://", Url::No("not a valid URL")),
    ("https://dev.azure.com", Url::No("Add your organization")),
    ("https://dev.azure.com//", Url::No("Add your organization")),
    ("https://dev.azure.com/con toso", Url::No("space")),
    (
        "https://dev.azure.com/contoso\u{0000}",
        Url::No("control or invisible"),
    ),
    (
        "https://dev.azure.com/contoso\u{001B}[31m",
        Url::No("control or invisible"),
    ),
    (
        "https://dev.azure.com/-x",
        Url::No("not a valid organization name"),
    ),
    (
        "https://dev.azure.com/x-",
        Url::No("not a valid organization name"),
    ),
    (
        "https://dev.azure.com/a_b",
        Url::No("not a valid organization name"),
    ),
    (
        "https://dev.azure.com/_apis",
        Url::No("not a valid organization name"),
    ),
    (
        "https://dev.azure.com/%2e%2e",
        Url::No("Add your organization"),
    ),
    (
        "https://dev.azure.com/../../etc",
        Url::Ok("https://dev.azure.com/etc"),
    ),
    (
        "https://app.vssps.visualstudio.com/_apis/profile",
        Url::No("sign-in or profile"),
    ),
    (
        "https://vssps.dev.azure.com/contoso",
        Url::No("sign-in or profile"),
    ),
    ("https://tfs.example/tfs", Url::No("collection")),
    ("https://tfs.example", Url::No("collection")),
    (
        "https://tfs.example/tfs/_apis",
        Url::No("not a valid collection name"),
    ),
    ("https://[::1/x", Url::No("not a valid URL")),
    (
        "https://dev.azure.com:99999/contoso",
        Url::No("not a valid URL"),
    ),
];

/// What pasted text must become.
enum Tok {
    Current,
    Legacy,
    No(&'static str),
}

const CURRENT: &str = crate::support::fixtures::GIT_ZEN;
const LEGACY: &str = "zcybhbtdd2gkj4iur66nam5wa5yydx5s6kcq46oya7vngcngsuuq";

fn token_cases() -> Vec<(String, Tok)> {
    let c = CURRENT;
    let mut cases = vec![
        (c.to_string(), Tok::Current),
        (LEGACY.to_string(), Tok::Legacy),
        (format!("{c}\n"), Tok::Current),
        (format!("{c}\r\n"), Tok::Current),
        (format!("\n\n{c}\n\n"), Tok::Current),
        (format!("\t{c}\t"), Tok::Current),
        (format!("  {c}  "), Tok::Current),
        (format!("\u{00A0}{c}\u{00A0}"), Tok::Current),
        (format!("\u{200B}{c}"), Tok::Current),
        (format!("{c}\u{FEFF}"), Tok::Current),
        (format!("\"{c}\""), Tok::Current),
        (format!("'{LEGACY}'"), Tok::Legacy),
        (format!("`{c}`"), Tok::Current),
        (LEGACY.to_uppercase(), Tok::No("newer 84-character token")),
        (
            format!("{}\n{}", &c[..42], &c[42..]),
            Tok::No("spaces or line breaks inside"),
        ),
        (
            format!("{}\t{}", &c[..42], &c[42..]),
            Tok::No("spaces or line breaks inside"),
        ),
        (
            format!("{} {}", &c[..42], &c[42..]),
            Tok::No("spaces or line breaks inside"),
        ),
        (
            format!("{}\u{200B}{}", &c[..42], &c[42..]),
            Tok::No("invisible"),
        ),
        (
            format!("{}\u{200D}{}", &c[..42], &c[42..]),
            Tok::No("invisible"),
        ),
        (
            format!("{}\u{0000}{}", &c[..42], &c[43..]),
            Tok::No("control character"),
        ),
        (
            format!("{}\u{0007}{}", &c[..42], &c[43..]),
            Tok::No("control character"),
        ),
        (format!("{}ü{}", &c[..42], &c[43..]), Tok::No("non-ASCII")),
        (format!("{}Ａ{}", &c[..42], &c[43..]), Tok::No("non-ASCII")),
        (format!("{}+{}", &c[..42], &c[43..]), Tok::No("punctuation")),
        (format!("{}/{}", &c[..42], &c[43..]), Tok::No("punctuation")),
        (c[..83].to_string(), Tok::No("this is 83")),
        (format!("{c}X"), Tok::No("this is 85")),
        (c[..52].to_string(), Tok::No("newer 84-character token")),
        ("a".repeat(84), Tok::No("AZDO")),
        ("0".repeat(52), Tok::No("newer 84-character token")),
        (String::new(), Tok::No("Nothing was pasted")),
        ("\n".to_string(), Tok::No("Nothing was pasted")),
        ("\"\"".to_string(), Tok::No("Nothing was pasted")),
        (
            "https://dev.azure.com/contoso/_usersSettings/tokens".to_string(),
            Tok::No("URL"),
        ),
        (
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz".to_string(),
            Tok::No("GitHub"),
        ),
        (
            "gho_0123456789abcdefghijklmnopqrstuvwxyz".to_string(),
            Tok::No("GitHub"),
        ),
        (format!("github_pat_{}", "A".repeat(82)), Tok::No("GitHub")),
        ("glpat-xxxxxxxxxxxxxxxxxxxx".to_string(), Tok::No("GitLab")),
        (
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln".to_string(),
            Tok::No("JWT"),
        ),
        (format!("Basic {c}"), Tok::No("Authorization header")),
        (
            format!("Authorization: Basic {c}"),
            Tok::No("Authorization header"),
        ),
        (format!("Bearer {c}"), Tok::No("Authorization header")),
        ("password123".to_string(), Tok::No("this is 11")),
        ("A".repeat(10 * 1024 * 1024), Tok::No("far too long")),
        ("x".repeat(4097), Tok::No("far too long")),
    ];
    // Binary data pasted as text (lossy), and every ASCII control character alone.
    cases.push((
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x01, 0x80]).into_owned(),
        Tok::No("characters a PAT never has"),
    ));
    for b in [1u8, 8, 27, 127] {
        cases.push((
            format!("{}{}{}", &c[..40], b as char, &c[41..]),
            Tok::No("control character"),
        ));
    }
    cases
}

#[test]
fn organization_urls() {
    for (input, expected) in ORG_CASES {
        let parsed = std::panic::catch_unwind(|| OrgUrl::parse(input))
            .unwrap_or_else(|_| panic!("panic on {input:?}"));
        match (expected, parsed) {
            (Url::Ok(url), Ok(org)) => assert_eq!(org.as_str(), *url, "{input:?}"),
            (Url::No(says), Err(e)) => {
                let message = e.to_string();
                assert!(message.contains(says), "{input:?}: {message}");
                assert!(message.len() < 300, "{input:?}: an overlong message");
            }
            (Url::Ok(_), Err(e)) => panic!("{input:?} was refused: {e}"),
            (Url::No(_), Ok(org)) => panic!("{input:?} was accepted as {org}"),
        }
    }
    // Generated: 10 kB strings, every control character.
    let long = format!("https://dev.azure.com/{}", "a".repeat(10 * 1024));
    assert!(
        OrgUrl::parse(&long)
            .unwrap_err()
            .to_string()
            .contains("far too long")
    );
    let long_org = "a".repeat(10 * 1024);
    let message = OrgUrl::parse(&long_org).unwrap_err().to_string();
    assert!(message.len() < 300, "the message does not echo 10 kB");
    for c in (0u8..32).chain([127]) {
        let input = format!("https://dev.azure.com/con{}toso", c as char);
        assert!(OrgUrl::parse(&input).is_err(), "control {c} accepted");
    }
}

#[test]
fn pasted_tokens() {
    for (raw, expected) in token_cases() {
        let result = std::panic::catch_unwind(|| check_pasted(&raw))
            .unwrap_or_else(|_| panic!("panic on a {}-byte paste", raw.len()));
        match (expected, result) {
            (Tok::Current, Ok(t)) => assert_eq!(t.format, TokenFormat::Current),
            (Tok::Legacy, Ok(t)) => assert_eq!(t.format, TokenFormat::Legacy),
            (Tok::No(says), Err(e)) => {
                let message = e.to_string();
                assert!(
                    message.contains(says),
                    "{:?}…: {message}",
                    raw.chars().take(20).collect::<String>()
                );
                assert!(
                    !message.contains(&CURRENT[..10]) && !message.contains(&LEGACY[..10]),
                    "the message echoes the token"
                );
            }
            (_, Ok(t)) => panic!(
                "accepted {:?}… as {:?}",
                raw.chars().take(20).collect::<String>(),
                t.format
            ),
            (_, Err(e)) => panic!(
                "refused {:?}…: {e}",
                raw.chars().take(20).collect::<String>()
            ),
        }
    }
}

/// Server replies: a fault on the Git-Zen check, the class it must give, and the deadline.
const SERVER_CASES: &[(&str, &str, &[CheckClass])] = &[
    ("html", "/_apis/teams", &[CheckClass::TokenInvalid]),
    ("html", "/_apis/git/", &[CheckClass::TokenInvalid]),
    ("invalid-utf8", "/_apis/teams", &[CheckClass::ServerError]),
    (
        "invalid-utf8",
        "/_apis/identities",
        &[CheckClass::ServerError],
    ),
    (
        "huge-length",
        "/_apis/teams",
        &[CheckClass::ServerError, CheckClass::Network],
    ),
    (
        "huge-length",
        "/_apis/git/",
        &[CheckClass::ServerError, CheckClass::Network],
    ),
    ("truncated", "/_apis/teams", &[CheckClass::Network]),
    ("truncated", "/_apis/identities", &[CheckClass::Network]),
    ("slow-drip", "/_apis/teams", &[CheckClass::Timeout]),
    ("redirect-loop", "/_apis/teams", &[CheckClass::Network]),
    ("redirect", "/_apis/git/", &[CheckClass::Network]),
    ("server-error", "/_apis/teams", &[CheckClass::ServerError]),
    ("unavailable", "/_apis/teams", &[CheckClass::ServerError]),
    ("rate-limit", "/_apis/teams", &[CheckClass::RateLimited]),
    ("hang", "/_apis/teams", &[CheckClass::Timeout]),
    ("sign-in-page", "/_apis/teams", &[CheckClass::TokenInvalid]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_server_replies_are_classified_within_the_deadline() {
    let git_zen = [
        "vso.work_write",
        "vso.code",
        "vso.identity",
        "vso.project",
        "vso.serviceendpoint_query",
    ];
    for (kind, path, class) in SERVER_CASES {
        let extra = format!(
            "[[faults]]\nkind = \"{kind}\"\npath = \"{path}\"\nms = 400\nretry_after = 0\nlocation = \"http://127.0.0.2:9/elsewhere\"\n"
        );
        let scenario = Scenario::parse(&format!("{DEFAULT_SCENARIO}\n{extra}")).unwrap();
        let emu = crate::support::clock::start(scenario, "127.0.0.1:0")
            .await
            .unwrap();
        let mut request = engine::request_for(
            OrgUrl::parse(&emu.org_url()).unwrap(),
            Token::new(emu.token("git-zen").unwrap()),
            git_zen
                .iter()
                .map(|s| Wanted {
                    scope: s.to_string(),
                    why: None,
                    required: true,
                })
                .collect(),
            "Git-Zen",
        );
        request.probe_extras = false;
        request.http.request_timeout = Duration::from_secs(2);
        request.http.deadline = Duration::from_secs(4);
        let report = engine::run(request, None).await;
        let hit: Vec<_> = report
            .checks
            .iter()
            .filter(|c| class.contains(&c.class))
            .collect();
        assert!(
            !hit.is_empty(),
            "{kind} on {path}: expected one of {class:?}:\n{}",
            report.to_text(None)
        );
        assert_ne!(report.verdict, Verdict::Pass, "{kind} on {path}");
        for c in &report.checks {
            assert!(
                !c.remediation.is_empty() && !c.detail.is_empty(),
                "{kind}: an empty message"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop_is_told_as_it_is() {
    let extra = "[[faults]]\nkind = \"redirect-loop\"\npath = \"/_apis/teams\"\n";
    let scenario = Scenario::parse(&format!("{DEFAULT_SCENARIO}\n{extra}")).unwrap();
    let emu = crate::support::clock::start(scenario, "127.0.0.1:0")
        .await
        .unwrap();
    let mut request = engine::request_for(
        OrgUrl::parse(&emu.org_url()).unwrap(),
        Token::new(emu.token("git-zen").unwrap()),
        vec![Wanted {
            scope: "vso.project".into(),
            why: None,
            required: true,
        }],
        "Git-Zen",
    );
    request.probe_extras = false;
    let report = engine::run(request, None).await;
    let check = &report.checks[0];
    assert_eq!(check.class, CheckClass::Network);
    assert!(
        check.detail.contains("kept redirecting") && !check.detail.contains("not sent"),
        "a same-origin loop did carry the token: {}",
        check.detail
    );
}

/// A hostile "vault" on loopback: every request gets `answer`; the requests it saw are counted.
async fn hostile_vault(
    answer: fn() -> axum::response::Response,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            answer()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, seen)
}

fn fleet_against(addr: &str) -> (String, Option<i32>, Duration) {
    let config = tempfile::tempdir().unwrap();
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(["status", "--from", "vault://secret/ado"])
        .env("VAULT_ADDR", addr)
        .env("VAULT_TOKEN", "hostile-test-vault-token")
        .env("PATWIZ_CONFIG_DIR", config.path());
    let started = std::time::Instant::now();
    let out = tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, None));
    (
        crate::support::cmd::text(&out),
        out.status.code(),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_vault_gets_no_token_elsewhere_no_memory_and_no_terminal_control() {
    use axum::http::StatusCode;
    use axum::response::IntoResponse as _;
    use std::sync::atomic::Ordering;
    // A redirect to another server is not followed: the vault token goes nowhere else.
    let (elsewhere, reached) = hostile_vault(|| StatusCode::OK.into_response()).await;
    static ELSEWHERE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ELSEWHERE.set(elsewhere).unwrap();
    let (redirecting, _) = hostile_vault(|| {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [(
                "location",
                format!("{}/v1/secret/metadata/ado", ELSEWHERE.get().unwrap()),
            )],
        )
            .into_response()
    })
    .await;
    let (text, code, _) = fleet_against(&redirecting);
    assert_ne!(code, Some(0), "{text}");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
    assert!(!text.contains("hostile-test-vault-token"), "{text}");

    // An endless answer is cut off at the cap, in bounded time, with words for it.
    let (huge, _) = hostile_vault(|| {
        let chunk = axum::body::Bytes::from(vec![b'['; 1 << 20]);
        let stream = futures_util::StreamExt::map(futures_util::stream::repeat(chunk), |c| {
            Ok::<_, std::io::Error>(c)
        });
        axum::response::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(axum::body::Body::from_stream(stream))
            .unwrap()
    })
    .await;
    let (text, code, took) = fleet_against(&huge);
    assert_ne!(code, Some(0), "{text}");
    assert!(text.contains("too large"), "{text}");
    assert!(took < Duration::from_secs(20), "{took:?}");

    // Facts full of terminal control sequences are shown as data.
    let (evil, _) = hostile_vault(|| {
        let body = serde_json::json!({"data": {
            "keys": ["evil"],
            "current_version": 1,
            "custom_metadata": {
                "org_url": "https://dev.azure.com/x\u{1b}]52;c;ZXZpbA==\u{7}",
                "profile": "git-zen\u{1b}[2J",
                "owner": "\u{9b}31mowner",
                "last_verdict": "pass",
                "written_by": "patwiz 0.1.0",
            }
        }});
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response()
    })
    .await;
    let (text, _, _) = fleet_against(&evil);
    assert!(text.contains("evil"), "{text}");
    for control in ['\u{1b}', '\u{7}', '\u{9b}'] {
        assert!(
            !text.contains(control),
            "a control character reached the terminal: {text:?}"
        );
    }

    // A vault that accepts the connection and never answers holds nothing up for long.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let (text, code, took) = fleet_against(&addr);
    assert_ne!(code, Some(0), "{text}");
    assert!(took < Duration::from_secs(30), "{took:?}: {text}");
    assert!(text.contains("cannot reach the vault"), "{text}");
}

/// The names a vault lists are data; a vault whose folders list folders forever is read to a
/// bound and says what it left; an answer nested too deep to read is an error, not an empty
/// vault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vaults_names_depth_and_nesting_cannot_hang_fool_or_drive_the_terminal() {
    use axum::http::StatusCode;
    use axum::response::IntoResponse as _;
    use std::sync::atomic::Ordering;
    let (named, _) = hostile_vault(|| {
        let body = serde_json::json!({"data": {
            "keys": ["\u{1b}]0;owned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2Jlooks-clean"],
            "current_version": 1,
            "custom_metadata": {"org_url": "https://dev.azure.com/x", "written_by": "patwiz 0.1.0"}
        }});
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response()
    })
    .await;
    let (text, _, _) = fleet_against(&named);
    assert!(text.contains("looks-clean"), "{text}");
    for control in ['\u{1b}', '\u{7}'] {
        assert!(
            !text.contains(control),
            "a name drove the terminal: {text:?}"
        );
    }

    // Every folder lists two more folders: forever, unless patwiz stops.
    let (endless, requests) = hostile_vault(|| {
        let body = serde_json::json!({"data": {"keys": ["a/", "b/"]}});
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response()
    })
    .await;
    let (text, code, took) = fleet_against(&endless);
    let asked = requests.load(Ordering::SeqCst);
    assert!(asked < 4096, "{asked} requests");
    assert_ne!(
        code,
        Some(0),
        "a listing cut short is not a success: {text}"
    );
    assert!(
        text.contains("Not all of vault://secret/ado was read")
            && text.contains("levels below the prefix were not read"),
        "{text}"
    );
    assert!(took < Duration::from_secs(60), "{took:?}");

    // 200,000 nested arrays: serde_json's recursion limit refuses it, and patwiz says so.
    let (deep, _) = hostile_vault(|| {
        let body = format!(
            "{{\"data\":{{\"keys\":{}{}}}}}",
            "[".repeat(200_000),
            "]".repeat(200_000)
        );
        (StatusCode::OK, [("content-type", "application/json")], body).into_response()
    })
    .await;
    let (text, code, _) = fleet_against(&deep);
    assert_ne!(code, Some(0), "{text}");
    assert!(text.contains("nested too deep"), "{text}");
    assert!(!text.contains("No token is stored"), "{text}");
}
