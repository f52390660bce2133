//! Attacks that broke earlier versions, each replayed against the real binary: a hostile
//! `Retry-After`, a huge `--deadline`, a core dump of a process holding the token.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

const TOKEN: &str =
    "oEmvnEN5N1aE6PwZPf1Qh6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5JQQJ99DZPjN0MEQ7wjJJibaZAZDOUPgH";

fn patwiz(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_patwiz"));
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
        let started = Instant::now();
        let out = tokio::task::spawn_blocking(move || {
            patwiz(&[
                "check",
                "--org",
                &org,
                "--scopes",
                "vso.code",
                "--deadline",
                "5",
            ])
            .output()
            .unwrap()
        })
        .await
        .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{value}: panicked: {stderr}");
        assert_eq!(out.status.code(), Some(3), "{value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{value}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(20), "{value}");
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
