//! Leak check: run the journeys with known tokens, then search every artefact — stdout,
//! stderr, the config directory, HOME, the snapshots, reports, calendar files and panic
//! output — for each token and for its base64 Basic-auth forms. Any hit fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use base64::Engine as _;
use patwiz::emulator::Scenario;

fn needles(tokens: &[String]) -> Vec<(String, String)> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut out = Vec::new();
    for t in tokens {
        out.push((t.clone(), "the token".to_string()));
        if let Some(prefix) = t.get(..12) {
            out.push((
                prefix.to_string(),
                "a 12-character prefix of the token".to_string(),
            ));
        }
        out.push((b64(&format!(":{t}")), "Basic auth (empty user)".to_string()));
        out.push((
            b64(&format!("patwiz:{t}")),
            "Basic auth (git user)".to_string(),
        ));
        out.push((b64(t), "base64 of the token (npm's _password)".to_string()));
    }
    out
}

fn scan_text(text: &str, where_: &str, needles: &[(String, String)]) {
    for (needle, what) in needles {
        assert!(!text.contains(needle.as_str()), "{what} found in {where_}");
    }
}

fn scan_dir(dir: &Path, needles: &[(String, String)]) -> usize {
    let mut files = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files += scan_dir(&path, needles);
        } else if let Ok(bytes) = std::fs::read(&path) {
            scan_text(
                &String::from_utf8_lossy(&bytes),
                &path.display().to_string(),
                needles,
            );
            files += 1;
        }
    }
    files
}

struct Env {
    home: PathBuf,
    config: PathBuf,
    store: Option<&'static str>,
}

fn run(env: &Env, args: &[&str], stdin: Option<&str>, extra: &[(&str, &str)]) -> (String, i32) {
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(args)
        .env("HOME", &env.home)
        .env("PATWIZ_CONFIG_DIR", &env.config)
        .env_remove("AZURE_DEVOPS_EXT_PAT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(store) = env.store {
        cmd.env("PATWIZ_SECRET_STORE", store);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (text, out.status.code().unwrap_or(-1))
}

async fn usable_store() -> Option<&'static str> {
    use patwiz::store::secret::{Backend, SecretStore};
    for (backend, name) in [
        (Backend::SecretService, "secret-service"),
        (Backend::Keyutils, "keyutils"),
    ] {
        if let Ok(store) = SecretStore::with_backend(backend).await {
            let key = format!("patwiz-leak-probe-{}-{name}", std::process::id());
            if store
                .set(&key, &patwiz::domain::token::Token::new("probe"))
                .await
                .is_ok()
                && store.get(&key).await.is_ok_and(|t| t.is_some())
            {
                let _ = store.delete(&key).await;
                return Some(name);
            }
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs an OS secret store that outlives a process (Secret Service or a kernel session keyring); .ci/run provides them"]
async fn no_journey_leaves_the_token_anywhere() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let scenario = Scenario::default_demo();
    let tokens: Vec<String> = scenario.tokens.iter().map(|t| t.value.clone()).collect();
    let home = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let store = usable_store().await;
    assert!(
        store.is_some(),
        "this test needs an OS secret store that outlives a process"
    );
    let env = Env {
        home: home.path().to_path_buf(),
        config: config.path().to_path_buf(),
        store,
    };
    let org = emu.org_url();
    let mut transcript = String::new();
    let env_ref = &env;
    let go = |args: Vec<String>, stdin: Option<String>, extra: Vec<(String, String)>| {
        let env = Env {
            home: env_ref.home.clone(),
            config: env_ref.config.clone(),
            store: env_ref.store,
        };
        async move {
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let extra: Vec<(&str, &str)> = extra
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                run(&env, &args, stdin.as_deref(), &extra)
            })
            .await
            .unwrap()
        }
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // check, for every token of the scenario, text and JSON, from stdin and the az variable.
    for token in &tokens {
        let (out, _) = go(
            s(&[
                "check",
                "--org",
                &org,
                "--profile",
                "git-zen",
                "--token-stdin",
                "--timeout",
                "2",
                "--deadline",
                "5",
            ]),
            Some(format!("{token}\n")),
            vec![],
        )
        .await;
        transcript.push_str(&out);
        let (out, _) = go(
            s(&[
                "check",
                "--org",
                &org,
                "--profile",
                "exalate",
                "--json",
                "--timeout",
                "2",
                "--deadline",
                "5",
            ]),
            None,
            vec![("AZURE_DEVOPS_EXT_PAT".into(), token.clone())],
        )
        .await;
        transcript.push_str(&out);
    }
    // Mangled pastes of a token must not be echoed either.
    let t = &tokens[0];
    for raw in [
        format!("{} {}", &t[..40], &t[40..]),
        format!("Bearer {t}"),
        t[..60].to_string(),
        format!("{t}{t}"),
    ] {
        let (out, code) = go(
            s(&[
                "check",
                "--org",
                &org,
                "--profile",
                "nango",
                "--token-stdin",
            ]),
            Some(raw),
            vec![],
        )
        .await;
        assert_eq!(code, 2);
        transcript.push_str(&out);
    }
    if store.is_some() {
        let good = scenario.token("git-zen").unwrap().value.clone();
        let next = scenario.token("legacy-format").unwrap().value.clone();
        let expires = patwiz::store::settings::format_date(
            crate::support::clock::now().date() + time::Duration::days(30),
        );
        for (args, stdin) in [
            (
                s(&[
                    "login",
                    "--org",
                    &org,
                    "--profile",
                    "git-zen",
                    "--token-stdin",
                    "--expires",
                    &expires,
                ]),
                Some(good.clone()),
            ),
            (s(&["status"]), None),
            (s(&["status", "--json", "--check"]), None),
            (
                s(&["check", "--org", &org, "--profile", "git-zen", "--json"]),
                None,
            ),
            (
                s(&[
                    "rotate",
                    "--org",
                    &org,
                    "--token-stdin",
                    "--expires",
                    &expires,
                ]),
                Some(next.clone()),
            ),
            (
                s(&[
                    "remind",
                    "--org",
                    &org,
                    "--ics",
                    home.path().join("r.ics").to_str().unwrap(),
                ]),
                None,
            ),
            (s(&["remind", "--org", &org]), None),
            (s(&["doctor"]), None),
            // The stored token cannot read feeds: the refusal and its report.
            (s(&["npmrc", "--feed", "fabrikam-shared"]), None),
            (
                s(&[
                    "pip-conf",
                    "--org",
                    &org,
                    "--feed",
                    "fabrikam-shared",
                    "--token-stdin",
                ]),
                Some(scenario.token("azure-artifacts").unwrap().value.clone()),
            ),
            (
                s(&[
                    "npmrc",
                    "--org",
                    &org,
                    "--feed",
                    "fabrikam-shared",
                    "--token-stdin",
                ]),
                Some(scenario.token("azure-artifacts").unwrap().value.clone()),
            ),
            (s(&["guide"]), None),
            (s(&["profiles"]), None),
        ] {
            let (out, code) = go(args.clone(), stdin, vec![]).await;
            assert!(code == 0 || code == 1, "{args:?}: {code}\n{out}");
            transcript.push_str(&out);
        }
        let (out, code) = go(
            s(&["demo", "--plain"]),
            Some("\n\n\n\n1\n\n\n\n\n".into()),
            vec![],
        )
        .await;
        assert_eq!(code, 0, "{out}");
        transcript.push_str(&out);
        // Written where the person chose, and nowhere else (that file is outside HOME here).
        let chosen = tempfile::tempdir().unwrap();
        let npmrc = chosen.path().join("npmrc");
        let feeds = scenario.token("azure-artifacts").unwrap().value.clone();
        let (out, code) = go(
            s(&[
                "npmrc",
                "--org",
                &org,
                "--feed",
                "fabrikam-shared",
                "--token-stdin",
                "--write",
            ]),
            Some(feeds.clone()),
            vec![("NPM_CONFIG_USERCONFIG".into(), npmrc.display().to_string())],
        )
        .await;
        assert_eq!(code, 0, "{out}");
        transcript.push_str(&out);
        let written = std::fs::read_to_string(&npmrc).unwrap();
        assert!(written.contains(&base64::engine::general_purpose::STANDARD.encode(&feeds)));
        let _ = go(s(&["forget", "--org", &org]), None, vec![]).await;

        // The team vault: a first token made through the lifecycle API, rotated by creating
        // (Entra sign-in in the "browser", the old token revoked and its version destroyed),
        // and the fleet checked; the vault's facts hold no secret either.
        let kv =
            patwiz::emulator::kv::KvDouble::start("leak-vault-root", std::time::Duration::ZERO)
                .await
                .unwrap();
        let browser = crate::support::fixtures::fake_browser(home.path());
        let vault_env = vec![
            ("VAULT_ADDR".to_string(), kv.addr()),
            ("VAULT_TOKEN".to_string(), "leak-vault-root".to_string()),
            ("BROWSER".to_string(), browser.display().to_string()),
            ("PATWIZ_AZ".to_string(), "/nonexistent/az".to_string()),
        ];
        for args in [
            s(&[
                "create",
                "--org",
                &org,
                "--profile",
                "git-zen",
                "--to",
                "vault://secret/ado/git-zen",
            ]),
            s(&[
                "rotate",
                "--to",
                "vault://secret/ado/git-zen",
                "--org",
                &org,
                "--create",
            ]),
            s(&[
                "rotate",
                "--to",
                "vault://secret/ado/git-zen",
                "--org",
                &org,
                "--create",
                "--json",
            ]),
            s(&[
                "status",
                "--from",
                "vault://secret/ado",
                "--check",
                "--trust-server",
                &crate::support::fixtures::local_port_of(&org),
                "--json",
            ]),
            s(&["status", "--from", "vault://secret/ado"]),
        ] {
            let (out, code) = go(args.clone(), None, vault_env.clone()).await;
            assert_eq!(code, 0, "{args:?}\n{out}");
            transcript.push_str(&out);
        }
        let facts = kv.custom_metadata("secret/ado/git-zen").unwrap();
        transcript.push_str(&format!("{facts:?}"));
        let _ = go(s(&["forget", "--org", &org]), None, vec![]).await;
    }
    // Every secret the emulated Entra and lifecycle API issued (minted PATs, access and refresh
    // tokens, PKCE verifiers) is a needle too.
    let mut all = tokens.clone();
    all.extend(emu.issued_secrets());
    let needles = needles(&all);
    scan_text(&transcript, "stdout/stderr", &needles);
    let scanned = scan_dir(config.path(), &needles) + scan_dir(home.path(), &needles);
    if store.is_some() {
        assert!(
            scanned >= 2,
            "settings and the calendar file were scanned ({scanned})"
        );
    }
    // Snapshots and reports.
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    assert!(
        scan_dir(&snapshots, &needles) >= 20,
        "the snapshots were scanned"
    );
    for name in ["git-zen", "expired", "git-zen-missing-service-connections"] {
        let token = patwiz::domain::token::Token::new(scenario.token(name).unwrap().value.clone());
        let request = patwiz::engine::request_for(
            patwiz::domain::org_url::OrgUrl::parse(&org).unwrap(),
            token,
            vec![patwiz::engine::Wanted {
                scope: "vso.code".into(),
                why: None,
                required: true,
            }],
            "Git-Zen",
        );
        let report = patwiz::engine::run(request, None).await;
        scan_text(&report.to_json(), "the JSON report", &needles);
        scan_text(&report.to_text(None), "the text report", &needles);
        let facts = patwiz::engine::report::TicketFacts::default();
        scan_text(&report.to_ticket(&facts), "the ticket report", &needles);
        scan_text(&format!("{report:?}"), "the report's Debug", &needles);
    }
}

#[test]
fn panic_output_never_holds_the_token() {
    let token = Scenario::default_demo().tokens[0].value.clone();
    let needles = needles(std::slice::from_ref(&token));
    let checked = patwiz::domain::token::check_pasted(&token).unwrap();
    let message = std::panic::catch_unwind(|| {
        panic!(
            "something broke while holding {checked:?} and {:?}",
            checked.token
        );
    })
    .unwrap_err();
    let text = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(text.contains("redacted"), "{text}");
    scan_text(&text, "a panic message", &needles);
    // The wizard's messages and effects too, and its whole state holding the token.
    let msg = patwiz::ui::msg::Msg::Paste(secrecy::zeroize::Zeroizing::new(token.clone()));
    scan_text(&format!("{msg:?}"), "a Msg's Debug", &needles);
    let held = patwiz::domain::token::Token::new(token.clone());
    let effect = patwiz::ui::effect::Effect::CopyToken(held, std::time::Duration::ZERO);
    scan_text(&format!("{effect:?}"), "an Effect's Debug", &needles);
    let mut app = patwiz::ui::state::App::for_tests();
    app.step = patwiz::ui::state::Step::Paste;
    patwiz::ui::update::update(&mut app, msg);
    for c in token.chars().take(10) {
        app.save.expires.push(c);
    }
    scan_text(&format!("{app:?}"), "the wizard state's Debug", &needles);
    let spec = Scenario::default_demo();
    scan_text(
        &format!("{:?}", spec.tokens),
        "the scenario's Debug",
        &needles,
    );
}
