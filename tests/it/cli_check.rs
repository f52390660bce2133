//! `patwiz check` as a script uses it: the real binary, the emulator, exit codes, JSON, and the
//! token in no output.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use serde_json::Value;

fn patwiz(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    // A fresh, empty config directory for each run, unless the test names its own.
    let config = tempfile::tempdir().unwrap();
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(args)
        .env_remove("AZURE_DEVOPS_EXT_PAT")
        .env("PATWIZ_CONFIG_DIR", config.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

/// Runs `patwiz check` off the test's runtime (the emulator runs on it).
async fn check(args: Vec<String>, stdin: Option<String>, env: Vec<(String, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        patwiz(&args, stdin.as_deref(), &env)
    })
    .await
    .unwrap()
}

fn assert_secret_free(output: &Output, token: &str) {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(":{token}"));
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(token), "the token appears in the output");
        assert!(
            !text.contains(&basic),
            "the Basic auth form of the token appears in the output"
        );
        assert!(
            !text.contains(&token[..12]),
            "a prefix of the token appears in the output"
        );
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_has_the_documented_shape_and_exit_zero() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("git-zen").unwrap();
    let org = emu.org_url();
    let out = check(
        args(&[
            "check",
            "--org",
            &org,
            "--profile",
            "git-zen",
            "--json",
            "--token-stdin",
        ]),
        Some(format!("{token}\n")),
        vec![],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_secret_free(&out, &token);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"], "pass");
    for key in ["input", "url", "name", "kind"] {
        assert!(json["org"][key].is_string(), "org.{key}");
    }
    assert_eq!(json["org"]["name"], "demo");
    assert_eq!(json["identity"]["display_name"], "Git-Zen Service");
    assert!(json["elapsed_ms"].is_u64());
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 5);
    for c in checks {
        for key in ["scope", "label", "status", "class", "remediation", "source"] {
            assert!(c[key].is_string(), "{key} in {c}");
        }
        assert!(c["elapsed_ms"].is_u64());
        assert!(c["http_status"].is_u64() || c["http_status"].is_null());
        assert_eq!(c["status"], "pass");
        assert_eq!(c["class"], "ok");
    }
    assert_eq!(checks[0]["scope"], "vso.work_write");
    assert_eq!(checks[0]["label"], "Work Items: Read & write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_follow_the_verdict() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let cases = [
        (
            "git-zen-missing-service-connections",
            org.clone(),
            1,
            "missing-scopes",
        ),
        ("expired", org.clone(), 2, "token-rejected"),
        ("conditional-access", org.clone(), 2, "token-rejected"),
        (
            "git-zen",
            format!("{}/nosuchorg", emu.root()),
            3,
            "unreachable",
        ),
    ];
    for (name, org, code, verdict) in cases {
        let token = emu.token(name).unwrap();
        let out = check(
            args(&[
                "check",
                "--org",
                &org,
                "--profile",
                "git-zen",
                "--json",
                "--token-stdin",
            ]),
            Some(token.clone()),
            vec![],
        )
        .await;
        assert_eq!(out.status.code(), Some(code), "{name}");
        assert_secret_free(&out, &token);
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["verdict"], verdict, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_comes_from_the_az_cli_variable_and_text_output_has_one_line_per_scope() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("git-zen-missing-service-connections").unwrap();
    let out = check(
        args(&[
            "check",
            "--org",
            &emu.org_url(),
            "--scopes",
            "vso.code,vso.serviceendpoint_query",
        ]),
        None,
        vec![("AZURE_DEVOPS_EXT_PAT".into(), token.clone())],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert_secret_free(&out, &token);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("✓") && l.contains("Code: Read")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("✗")
            && l.contains("Service Connections: Read & query")
            && l.contains("not on the token")),
        "{text}"
    );
    assert!(
        text.contains("What to do now: Edit the token in Azure DevOps")
            && text.contains("tick Service Connections: Read & query"),
        "{text}"
    );
    assert_eq!(
        text.matches("Edit the token").count(),
        1,
        "the fix is said once:\n{text}"
    );
    assert!(text.contains("Verdict: missing-scopes"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasted_text_that_cannot_be_a_token_is_refused_without_a_request() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    for (raw, says) in [
        ("https://dev.azure.com/contoso", "looks like a URL"),
        ("ghp_0123456789abcdefghijklmnopqrstuvwxyz", "GitHub token"),
        ("abc\u{200B}def", "invisible"),
    ] {
        let out = check(
            args(&[
                "check",
                "--org",
                &org,
                "--profile",
                "nango",
                "--json",
                "--token-stdin",
            ]),
            Some(raw.to_string()),
            vec![],
        )
        .await;
        assert_eq!(out.status.code(), Some(2), "{raw}");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["verdict"], "token-rejected");
        assert_eq!(json["checks"][0]["class"], "token-invalid");
        assert!(
            json["checks"][0]["remediation"]
                .as_str()
                .unwrap()
                .contains(says),
            "{json}"
        );
    }
    assert!(
        emu.requests().is_empty(),
        "nothing is sent for a refused token"
    );
    // Binary on standard input.
    let out = tokio::task::spawn_blocking(move || {
        let mut child = crate::support::cmd::patwiz()
            .args([
                "check",
                "--org",
                &org,
                "--profile",
                "nango",
                "--token-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&[0xff, 0xfe, 0x00, 0x01])
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not text"));
}

#[test]
fn usage_errors_exit_64_with_a_specific_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "--org", "contoso", "--token-stdin"],
            "no profile for https://dev.azure.com/contoso",
        ),
        (
            &[
                "check",
                "--org",
                "http://dev.azure.com/x",
                "--profile",
                "nango",
                "--token-stdin",
            ],
            "clear text",
        ),
        (
            &[
                "check",
                "--org",
                "contoso",
                "--profile",
                "nope",
                "--token-stdin",
            ],
            "no profile named",
        ),
        (
            &[
                "check",
                "--org",
                "contoso",
                "--scopes",
                "vso.nope",
                "--token-stdin",
            ],
            "unknown scope",
        ),
        (
            &[
                "check",
                "--org",
                "contoso",
                "--profile",
                "custom",
                "--token-stdin",
            ],
            "custom profile needs --scopes",
        ),
        (
            &["check", "--org", "contoso", "--profile", "nango"],
            "no token",
        ),
        (&["check", "--profile", "nango"], "--org"),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (argv, says) in cases {
        let out = patwiz(argv, Some(""), &[]);
        assert_eq!(out.status.code(), Some(64), "{argv:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{argv:?}: {err}");
    }
}

#[test]
fn help_lists_every_subcommand_and_each_has_help() {
    let out = patwiz(&["--help"], None, &[]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "wizard", "demo", "check", "login", "status", "rotate", "forget", "remind", "doctor",
        "guide", "profiles",
    ] {
        assert!(help.contains(sub), "{sub} missing from --help");
        let out = patwiz(&[sub, "--help"], None, &[]);
        assert!(out.status.success(), "{sub} --help");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage: patwiz"),
            "{sub}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_log_names_every_request_and_holds_no_secret() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("git-zen").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.log");
    let out = check(
        vec![
            "check".into(),
            "--org".into(),
            emu.org_url(),
            "--profile".into(),
            "git-zen".into(),
            "--log".into(),
            log.display().to_string(),
        ],
        None,
        vec![("AZURE_DEVOPS_EXT_PAT".into(), token.clone())],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().count() >= 6, "{text}");
    assert!(
        text.lines().any(|l| l.contains(" GET http://127.0.0.1:")
            && l.contains("/demo/_apis/connectionData 200 ")),
        "{text}"
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(":{token}"));
    for secret in [
        token.as_str(),
        &token[..12],
        basic.as_str(),
        "Authorization",
        "api-version",
    ] {
        assert!(!text.contains(secret), "the log holds {secret}");
    }
}

#[test]
fn shell_completions_name_every_command_and_bash_accepts_them() {
    let out = patwiz(&["completions", "bash"], None, &[]);
    assert!(out.status.success(), "{out:?}");
    let script = String::from_utf8(out.stdout).unwrap();
    for command in [
        "check", "login", "status", "rotate", "forget", "remind", "doctor", "guide",
    ] {
        assert!(script.contains(command), "{command} missing");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("patwiz.bash");
    std::fs::write(&path, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    assert!(syntax.success(), "bash refuses the completion script");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        assert!(
            patwiz(&["completions", shell], None, &[]).status.success(),
            "{shell}"
        );
    }
    assert_eq!(
        patwiz(&["completions", "tcsh"], None, &[]).status.code(),
        Some(64)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_without_a_profile_uses_the_one_the_organization_was_stored_with() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let org = patwiz::domain::org_url::OrgUrl::parse(&emu.org_url()).unwrap();
    patwiz::store::settings::SettingsFile::new(config.path())
        .update(|s| {
            s.upsert(patwiz::store::settings::OrgSettings {
                key: org.key(),
                url: org.as_str().into(),
                name: org.name().into(),
                profile: "nango".into(),
                scopes: vec!["vso.project".into()],
                ..Default::default()
            })
        })
        .unwrap();
    let out = check(
        args(&["check", "--org", &emu.org_url(), "--token-stdin", "--json"]),
        Some(emu.token("git-zen").unwrap()),
        vec![(
            "PATWIZ_CONFIG_DIR".into(),
            config.path().display().to_string(),
        )],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let required: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["required"] == true)
        .map(|c| c["scope"].as_str().unwrap())
        .collect();
    assert_eq!(
        required,
        ["vso.project"],
        "Nango's one scope, from the stored profile"
    );
}

#[test]
fn plain_mode_is_accepted_at_the_top_level() {
    let out = patwiz(&["--plain"], Some(""), &[("TERM", "dumb")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Step 1 of 9: Choose the integration"),
        "{text}"
    );
    assert!(text.contains("Input ended before the wizard did"), "{text}");
    assert_eq!(out.status.code(), Some(64));
}

#[test]
fn ssl_cert_file_is_not_shown_as_a_required_argument() {
    let out = patwiz(
        &["check", "--no-such-flag"],
        None,
        &[("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64));
    assert!(err.contains("Usage: patwiz check [OPTIONS]"), "{err}");
    assert!(!err.contains("--ca-file <CA_FILE>"), "{err}");
}

#[test]
fn login_without_a_token_says_how_to_give_one_for_that_command() {
    let out = patwiz(
        &[
            "login",
            "--org",
            "https://dev.azure.com/contoso",
            "--profile",
            "git-zen",
        ],
        None,
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // Standard input is a pipe here (empty), so there is no prompt: the message names login.
    assert_eq!(out.status.code(), Some(64), "{err}");
    assert!(
        err.contains("patwiz login --org https://dev.azure.com/contoso --token-stdin"),
        "{err}"
    );
}

#[test]
fn org_may_be_left_out_when_exactly_one_is_stored() {
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().to_str().unwrap();
    // None stored: --org is asked for, in words.
    let out = patwiz(&["forget"], None, &[("PATWIZ_CONFIG_DIR", dir)]);
    assert_eq!(out.status.code(), Some(64));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no organization is stored yet"),
        "{out:?}"
    );
    for url in [
        "https://dev.azure.com/contoso",
        "https://dev.azure.com/fabrikam",
    ] {
        patwiz::store::settings::SettingsFile::new(config.path())
            .update(|s| {
                s.upsert(patwiz::store::settings::OrgSettings {
                    key: url.into(),
                    url: url.into(),
                    name: url.rsplit('/').next().unwrap().into(),
                    profile: "nango".into(),
                    ..Default::default()
                })
            })
            .unwrap();
        let out = patwiz(&["remind"], None, &[("PATWIZ_CONFIG_DIR", dir)]);
        let err = String::from_utf8_lossy(&out.stderr);
        if url.ends_with("contoso") {
            // The only one is taken: it has no expiry recorded, which remind says about contoso.
            assert!(
                err.contains("contoso") && !err.contains("--org is needed"),
                "{err}"
            );
        } else {
            assert_eq!(out.status.code(), Some(64));
            assert!(err.contains("2 organizations are stored"), "{err}");
        }
    }
}

#[test]
fn doctor_scan_names_file_and_line_of_a_left_token_never_the_token() {
    let home = tempfile::tempdir().unwrap();
    let here = tempfile::tempdir().unwrap();
    let token = crate::support::fixtures::GIT_ZEN;
    std::fs::write(
        home.path().join(".npmrc"),
        format!("registry=https://example\n//pkgs.dev.azure.com/o/_packaging/f/npm/registry/:_password={token}\n"),
    )
    .unwrap();
    // A string shaped like a token whose checksum does not match: named, but as a look-alike.
    let mut lookalike = token.as_bytes().to_vec();
    lookalike[3] = if lookalike[3] == b'z' { b'y' } else { b'z' };
    let lookalike = String::from_utf8(lookalike).unwrap();
    std::fs::write(
        here.path().join(".env.local"),
        format!("A=1\nB={lookalike}\n"),
    )
    .unwrap();
    let config = home.path().join("config");
    let out = crate::support::cmd::patwiz()
        .args(["doctor", "--scan"])
        .env("HOME", home.path())
        .env("PATWIZ_CONFIG_DIR", &config)
        .env("PATWIZ_SECRET_STORE", "memory")
        .current_dir(here.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("~/.npmrc:2: an Azure DevOps token (84-character, not one patwiz stores"),
        "{text}"
    );
    assert!(
        text.contains(
            ".env.local:2: what looks like an Azure DevOps token (its checksum does not match)"
        ),
        "{text}"
    );
    assert!(!text.contains(&token[..8]), "never the token");
    std::fs::remove_file(home.path().join(".npmrc")).unwrap();
    std::fs::remove_file(here.path().join(".env.local")).unwrap();
    let out = crate::support::cmd::patwiz()
        .args(["doctor", "--scan"])
        .env("HOME", home.path())
        .env("PATWIZ_CONFIG_DIR", &config)
        .env("PATWIZ_SECRET_STORE", "memory")
        .current_dir(here.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No Azure DevOps token found"));
}

/// A cloned repository's crafted file name cannot drive the terminal (title, OSC 52, a cleared
/// screen saying "looks clean"); npm's base64 `_password=` is read; a file not read is named.
#[test]
fn doctor_scan_prints_names_as_data_reads_npms_base64_and_names_what_it_skipped() {
    use base64::Engine as _;
    let home = tempfile::tempdir().unwrap();
    let here = tempfile::tempdir().unwrap();
    let token = crate::support::fixtures::GIT_ZEN;
    let encoded = base64::engine::general_purpose::STANDARD.encode(token);
    std::fs::write(
        home.path().join(".npmrc"),
        format!("//pkgs.dev.azure.com/o/_packaging/f/npm/registry/:_password={encoded}\n"),
    )
    .unwrap();
    std::fs::write(home.path().join(".bash_history"), b"ls\0\xff\xfe\x00").unwrap();
    let crafted = ".env.\u{1b}]0;owned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{1b}[Hlooks clean";
    std::fs::write(here.path().join(crafted), format!("PAT={token}\n")).unwrap();
    let out = crate::support::cmd::patwiz()
        .args(["doctor", "--scan"])
        .env("HOME", home.path())
        .env("PATWIZ_CONFIG_DIR", home.path().join("config"))
        .current_dir(here.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "no escape sequence reaches the terminal: {text:?}"
    );
    assert!(
        text.contains("~/.npmrc:1: an Azure DevOps token (84-character, base64 as npm keeps it"),
        "{text}"
    );
    assert!(
        text.contains("looks clean:1: an Azure DevOps token"),
        "{text}"
    );
    assert!(
        text.contains("~/.bash_history: not read (not text"),
        "{text}"
    );
    assert!(
        !text.contains(&token[..8]) && !text.contains(&encoded[..12]),
        "never the token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistyped_token_is_warned_about_before_it_is_sent_and_the_service_decides() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("git-zen").unwrap();
    // One character changed, as a person retyping it might.
    let mut typo = token.clone().into_bytes();
    typo[20] = if typo[20] == b'k' { b'K' } else { b'k' };
    let typo = String::from_utf8(typo).unwrap();
    let out = check(
        args(&[
            "check",
            "--org",
            &emu.org_url(),
            "--profile",
            "git-zen",
            "--json",
            "--token-stdin",
        ]),
        Some(typo.clone()),
        vec![],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("patwiz: warning: Its built-in checksum does not match"),
        "{stderr}"
    );
    // A warning, not a refusal: the service was asked and said no.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        emu.requests()
            .iter()
            .any(|r| r.path_and_query.contains("_apis"))
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"], "token-rejected");
    assert!(
        json.to_string().contains("looks mistyped or cut short"),
        "the report carries the warning: {json}"
    );
    assert_secret_free(&out, &typo);
    // The token as Azure DevOps wrote it draws no warning.
    let out = check(
        args(&[
            "check",
            "--org",
            &emu.org_url(),
            "--profile",
            "git-zen",
            "--token-stdin",
        ]),
        Some(token),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("checksum"));
}

/// N-M5: a Full access token passes, but never as a plain success: the JSON names what it
/// holds beyond the need, the text verdict says so, and `--strict` fails it (exit 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_access_token_is_flagged_and_strict_fails_it() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("full-access").unwrap();
    let org = emu.org_url();
    let base = [
        "check",
        "--org",
        &org,
        "--profile",
        "git-zen",
        "--token-stdin",
    ];
    let run = |extra: &[&str]| {
        let mut all = args(&base);
        all.extend(args(extra));
        check(all, Some(format!("{token}\n")), vec![])
    };
    let json = run(&["--json"]).await;
    assert_eq!(
        json.status.code(),
        Some(0),
        "without --strict a pass is a pass"
    );
    assert_secret_free(&json, &token);
    let value: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["verdict"], "pass");
    let held: Vec<&str> = value["over_privileged"]
        .as_array()
        .expect("over_privileged is a list")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(held.len() >= 4, "{held:?}");
    assert!(held.contains(&"Code: Read & write"), "{held:?}");

    let strict = run(&["--strict"]).await;
    assert_eq!(
        strict.status.code(),
        Some(4),
        "--strict fails over-privilege"
    );
    let text = String::from_utf8_lossy(&strict.stdout);
    assert!(
        text.contains("Verdict: pass, but it holds"),
        "the verdict line says so: {text}"
    );

    // A token with exactly the needed scopes passes --strict, and its JSON holds nothing extra.
    let exact = emu.token("git-zen").unwrap();
    let mut all = args(&base);
    all.extend(args(&["--strict", "--json"]));
    let out = check(all, Some(format!("{exact}\n")), vec![]).await;
    assert_eq!(out.status.code(), Some(0));
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["over_privileged"], serde_json::json!([]));
}
