//! The team vault against the in-process KV v2 double (the real OpenBao is in the services
//! tests): a proven token and its facts written with check-and-set, a rotation keeping the old
//! version, two rotations at once leaving one winner, the fleet view, and nothing secret printed.

use std::process::Output;
use std::time::Duration;

use patwiz::emulator::Scenario;
use patwiz::emulator::kv::KvDouble;

const ROOT: &str = "team-root-token-0123456789";

fn run(kv: &KvDouble, config: &std::path::Path, args: &[&str], token: Option<&str>) -> Output {
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(args)
        .env("VAULT_ADDR", kv.addr())
        .env("VAULT_TOKEN", ROOT)
        .env_remove("VAULT_NAMESPACE")
        .env("PATWIZ_CONFIG_DIR", config);
    crate::support::cmd::output(&mut cmd, token)
}

fn assert_secret_free(out: &Output, tokens: &[&str]) {
    let text = crate::support::cmd::text(out);
    for t in tokens {
        assert!(!text.contains(&t[..10]), "a token is in the output");
    }
    assert!(!text.contains(ROOT), "the vault token is in the output");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proven_token_goes_to_the_vault_with_its_facts_and_a_rotation_keeps_the_old_version() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let kv = KvDouble::start(ROOT, Duration::ZERO).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let first = emu.token("git-zen").unwrap();
    let to = "vault://secret/ado/git-zen";
    let login = |args: Vec<&str>, token: &str| {
        tokio::task::block_in_place(|| run(&kv, config.path(), &args, Some(token)))
    };

    // --dry-run proves it and says what it would write, and writes nothing.
    let dry = login(
        vec![
            "login",
            "--org",
            &org,
            "--profile",
            "git-zen",
            "--token-stdin",
            "--to",
            to,
            "--dry-run",
        ],
        &first,
    );
    let text = crate::support::cmd::text(&dry);
    assert_eq!(dry.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Would write the token to vault://secret/ado/git-zen"),
        "{text}"
    );
    assert!(
        text.contains("as version 1 (nothing was written)"),
        "{text}"
    );
    assert!(kv.writes().is_empty());

    let out = login(
        vec![
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
        &first,
    );
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Stored in vault://secret/ado/git-zen"),
        "{text}"
    );
    assert!(text.contains("(version 1)"), "{text}");
    assert_secret_free(&out, &[&first]);
    assert_eq!(
        kv.version("secret/ado/git-zen", 1).unwrap()["token"],
        first.as_str()
    );
    let facts = kv.custom_metadata("secret/ado/git-zen").unwrap();
    assert_eq!(facts["org_url"], org);
    assert_eq!(facts["profile"], "git-zen");
    assert_eq!(facts["expires"], "2027-05-31");
    assert_eq!(facts["last_verdict"], "pass");
    assert!(facts["scopes"].contains("vso.serviceendpoint_query"));
    assert_eq!(facts["c3id"].len(), 20);
    assert!(facts.contains_key("owner"));
    for value in facts.values() {
        assert!(
            !value.contains(&first[..10]),
            "the token is in the metadata"
        );
    }

    // A rotation needs neither --org nor --profile: the facts beside the secret have them.
    let next = emu.token("legacy-format").unwrap();
    let rotate = login(
        vec!["rotate", "--to", to, "--org", &org, "--token-stdin"],
        &next,
    );
    let text = crate::support::cmd::text(&rotate);
    assert_eq!(rotate.status.code(), Some(0), "{text}");
    assert!(text.contains("(version 2)"), "{text}");
    assert!(
        text.contains("stays as version 1 in the vault's history"),
        "{text}"
    );
    assert_eq!(
        kv.version("secret/ado/git-zen", 2).unwrap()["token"],
        next.as_str()
    );
    assert_eq!(
        kv.version("secret/ado/git-zen", 1).unwrap()["token"],
        first.as_str()
    );
    assert_eq!(
        kv.custom_metadata("secret/ado/git-zen").unwrap()["expires"],
        "2027-05-31",
        "kept"
    );
    assert_secret_free(&rotate, &[&first, &next]);

    // A token that does not pass is never written.
    let missing = emu.token("git-zen-missing-service-connections").unwrap();
    let refused = login(
        vec!["rotate", "--to", to, "--org", &org, "--token-stdin"],
        &missing,
    );
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        crate::support::cmd::text(&refused)
    );
    assert_eq!(kv.writes().len(), 2, "nothing written");

    // A vault token without the right: said, nothing written.
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(["rotate", "--to", to, "--token-stdin"])
        .env("VAULT_ADDR", kv.addr())
        .env("VAULT_TOKEN", "not-the-root-token")
        .env("PATWIZ_CONFIG_DIR", config.path());
    let denied =
        tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, Some(&first)));
    let text = crate::support::cmd::text(&denied);
    assert_eq!(denied.status.code(), Some(3), "{text}");
    assert!(
        text.contains("the vault refused: permission denied"),
        "{text}"
    );
    assert!(!text.contains("not-the-root-token"));

    // The fleet view reads the facts and, with --check, proves the token again.
    let fleet = tokio::task::block_in_place(|| {
        run(
            &kv,
            config.path(),
            &[
                "status",
                "--from",
                "vault://secret/ado",
                "--check",
                "--trust-server",
                &crate::support::fixtures::local_port_of(&org),
                "--json",
            ],
            None,
        )
    });
    let text = crate::support::cmd::text(&fleet);
    assert_eq!(fleet.status.code(), Some(0), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&fleet.stdout).unwrap();
    let member = &json["tokens"][0];
    assert_eq!(member["path"], "secret/ado/git-zen");
    assert_eq!(member["last_verdict"], "pass");
    assert_eq!(member["version"], 2);
    assert_eq!(member["profile"], "git-zen");
    assert!(member["days_left"].as_i64().unwrap() > 100);
    // Named as `status --json` names them.
    assert_eq!(member["url"], org.as_str());
    assert_eq!(member["expiry"], "ok");
    assert!(member["last_check"].as_str().unwrap().starts_with("20"));
    assert_secret_free(&fleet, &[&first, &next]);

    // In words, the blocks `status` prints, with the command that rotates each one.
    let fleet = tokio::task::block_in_place(|| {
        run(
            &kv,
            config.path(),
            &["status", "--from", "vault://secret/ado"],
            None,
        )
    });
    let text = crate::support::cmd::text(&fleet);
    assert_eq!(fleet.status.code(), Some(0), "{text}");
    assert!(text.contains("secret/ado/git-zen  (git-zen)"), "{text}");
    assert!(text.contains(&format!("  Org URL:     {org}")), "{text}");
    assert!(text.contains("  Token of:    "), "{text}");
    assert!(text.contains(", version 2"), "{text}");
    assert!(text.contains("Last check:  just now"), "{text}");
    assert!(text.contains("  Expires:     "), "{text}");
    assert_secret_free(&fleet, &[&first, &next]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_rotations_at_once_leave_one_winner_and_a_clear_message_for_the_other() {
    // Every authenticated answer 150 ms late: both rotators read the vault before either writes.
    let slow = Scenario::parse(&format!(
        "{}\n[[faults]]\nkind = \"latency\"\nms = 150\n",
        patwiz::emulator::scenario::DEFAULT_SCENARIO
    ))
    .unwrap();
    let emu = crate::support::clock::start(slow, "127.0.0.1:0")
        .await
        .unwrap();
    let org = emu.org_url();
    let kv = KvDouble::start(ROOT, Duration::ZERO).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let to = "vault://secret/ado/shared";
    let first = emu.token("full-access").unwrap();
    let login = tokio::task::block_in_place(|| {
        run(
            &kv,
            config.path(),
            &[
                "login",
                "--org",
                &org,
                "--profile",
                "nango",
                "--token-stdin",
                "--to",
                to,
            ],
            Some(&first),
        )
    });
    assert_eq!(
        login.status.code(),
        Some(0),
        "{}",
        crate::support::cmd::text(&login)
    );
    let a = emu.token("nango").unwrap();
    let b = emu.token("git-zen").unwrap();
    let (kv_addr, dir) = (kv.addr(), config.path().to_path_buf());
    let rotate = |token: String| {
        let (kv_addr, dir, org) = (kv_addr.clone(), dir.clone(), org.clone());
        std::thread::spawn(move || {
            let mut cmd = crate::support::cmd::patwiz();
            cmd.args(["rotate", "--to", to, "--org", &org, "--token-stdin"])
                .env("VAULT_ADDR", kv_addr)
                .env("VAULT_TOKEN", ROOT)
                .env("PATWIZ_CONFIG_DIR", dir);
            crate::support::cmd::output(&mut cmd, Some(&token))
        })
    };
    let (one, two) = (rotate(a.clone()), rotate(b.clone()));
    let outs = [one.join().unwrap(), two.join().unwrap()];
    let codes: Vec<_> = outs.iter().map(|o| o.status.code()).collect();
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(75)),
        "{codes:?}"
    );
    let loser = outs.iter().find(|o| o.status.code() == Some(75)).unwrap();
    let text = crate::support::cmd::text(loser);
    assert!(
        text.contains("someone else wrote secret/ado/shared (now version 2)"),
        "{text}"
    );
    assert!(
        text.contains("your new token is proven but not stored"),
        "{text}"
    );
    // One winner, nothing lost: version 1 is the first token, version 2 the winner's.
    assert_eq!(kv.writes().len(), 2);
    let winner = kv.version("secret/ado/shared", 2).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(winner == a || winner == b);
    assert_eq!(
        kv.version("secret/ado/shared", 1).unwrap()["token"],
        first.as_str()
    );
    for out in &outs {
        assert_secret_free(out, &[&a, &b, &first]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_key_vault_gets_the_token_with_its_expiry_in_exp_and_the_facts_as_tags() {
    use patwiz::emulator::keyvault::KeyVaultDouble;
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let bearer = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.keyvault-test-bearer.sig";
    let vault = KeyVaultDouble::start(
        bearer,
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47",
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, vault.ca_pem()).unwrap();
    // The Azure CLI, as patwiz asks it: a token for https://vault.azure.net on stdout.
    let az = crate::support::fixtures::fake_key_vault_az(dir.path(), bearer);
    let to = format!("{}/secrets/ado-git-zen", vault.url());
    let token = emu.token("git-zen").unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .args(["--sign-in", "az"])
            .env("PATWIZ_AZ", &az)
            .env("SSL_CERT_FILE", &ca)
            .env("PATWIZ_CONFIG_DIR", dir.path());
        tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, stdin))
    };
    let out = run(
        &[
            "login",
            "--org",
            &org,
            "--profile",
            "git-zen",
            "--token-stdin",
            "--to",
            &to,
            "--expires",
            "2027-05-31",
        ],
        Some(&token),
    );
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Stored in https://127.0.0.1:"), "{text}");
    assert!(
        !text.contains(&token[..10]) && !text.contains("keyvault-test-bearer"),
        "{text}"
    );
    assert_eq!(vault.versions("ado-git-zen"), 1);
    // Read back as Key Vault holds it: the value, exp, the facts as tags.
    let kv = patwiz::engine::keyvault::KeyVault::with_bearer(
        &vault.url(),
        patwiz::domain::token::Token::new(bearer),
        &patwiz::engine::http::HttpOptions {
            ca_file: Some(ca.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let info = kv.info("ado-git-zen").await.unwrap().unwrap();
    assert_eq!(info.tags["profile"], "git-zen");
    assert_eq!(info.tags["org_url"], org);
    let exp = time::OffsetDateTime::from_unix_timestamp(info.expires.unwrap()).unwrap();
    assert_eq!(exp.date().to_string(), "2027-05-31");
    assert_eq!(
        kv.value("ado-git-zen").await.unwrap().unwrap().expose(),
        token
    );

    // A rotation: a new version, the facts kept; the fleet view.
    let next = emu.token("legacy-format").unwrap();
    let out = run(
        &["rotate", "--to", &to, "--org", &org, "--token-stdin"],
        Some(&next),
    );
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("earlier version of the secret in the Key Vault"),
        "{text}"
    );
    assert_eq!(vault.versions("ado-git-zen"), 2);
    let out = run(
        &[
            "status",
            "--from",
            &vault.url(),
            "--check",
            "--trust-server",
            &crate::support::fixtures::local_port_of(&org),
            "--json",
        ],
        None,
    );
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["tokens"][0]["path"], "ado-git-zen");
    assert_eq!(json["tokens"][0]["last_verdict"], "pass");
    assert_eq!(json["tokens"][0]["expires"], "2027-05-31");

    // Without the Key Vault's certificate trusted, nothing is sent.
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(["rotate", "--to", &to, "--token-stdin", "--sign-in", "az"])
        .env("PATWIZ_AZ", &az)
        .env_remove("SSL_CERT_FILE")
        .env("PATWIZ_CONFIG_DIR", dir.path());
    let out = tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, Some(&next)));
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(vault.versions("ado-git-zen"), 2);
}

#[test]
fn a_token_patwiz_creates_goes_to_the_vault_with_its_authorization_id() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let kv = rt.block_on(KvDouble::start(ROOT, Duration::ZERO)).unwrap();
    let config = tempfile::tempdir().unwrap();
    let browser = crate::support::fixtures::fake_browser(config.path());
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args([
        "create",
        "--org",
        &emu.org_url(),
        "--profile",
        "git-zen",
        "--to",
        "vault://secret/ado/created",
    ])
    .env("VAULT_ADDR", kv.addr())
    .env("VAULT_TOKEN", ROOT)
    .env("BROWSER", &browser)
    .env("PATWIZ_CONFIG_DIR", config.path());
    let out = crate::support::cmd::output(&mut cmd, None);
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Token created"), "{text}");
    assert!(
        text.contains("Stored in vault://secret/ado/created"),
        "{text}"
    );
    assert!(!text.contains("JQQJ99"), "the value is never printed");
    let written = kv.version("secret/ado/created", 1).unwrap();
    let value = written["token"].as_str().unwrap();
    assert!(
        emu.issued_secrets().iter().any(|s| s == value),
        "the minted token"
    );
    let facts = kv.custom_metadata("secret/ado/created").unwrap();
    assert!(!facts["authorization_id"].is_empty(), "{facts:?}");
    assert_eq!(facts["last_verdict"], "pass");
}

#[test]
fn a_key_vault_sign_in_through_the_browser_goes_to_the_tenant_its_challenge_names() {
    use patwiz::emulator::keyvault::KeyVaultDouble;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    // The vault accepts what the emulated Microsoft Entra issued, and its challenge names it.
    let vault = rt
        .block_on(KeyVaultDouble::start_accepting(
            std::sync::Arc::new(emu.issued_access_check()),
            &emu.authority(),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, vault.ca_pem()).unwrap();
    let browser = crate::support::fixtures::fake_browser(dir.path());
    let token = emu.token("git-zen").unwrap();
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args([
        "login",
        "--org",
        &emu.org_url(),
        "--profile",
        "git-zen",
        "--token-stdin",
        "--to",
        &format!("{}/secrets/ado-git-zen", vault.url()),
        "--sign-in",
        "browser",
    ])
    .env("BROWSER", &browser)
    .env("PATWIZ_AZ", "/nonexistent/az")
    .env("SSL_CERT_FILE", &ca)
    .env("PATWIZ_CONFIG_DIR", dir.path());
    let out = crate::support::cmd::output(&mut cmd, Some(&token));
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("signing in to the Key Vault"), "{text}");
    assert_eq!(vault.versions("ado-git-zen"), 1);
    // The sign-in asked for Key Vault's scope at the tenant the challenge named.
    assert!(
        emu.requests()
            .iter()
            .any(|r| r.path_and_query.contains("/idp/") && r.path_and_query.contains("token")),
        "{:?}",
        emu.requests()
    );
    for secret in emu.issued_secrets() {
        assert!(
            !text.contains(&secret[..secret.len().min(16)]),
            "a sign-in secret is in the output"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_naming_a_server_or_a_look_alike_send_no_token_until_the_person_names_the_host() {
    let kv = KvDouble::start(ROOT, Duration::ZERO).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let client = patwiz::engine::kv::Kv::new(
        &kv.addr(),
        secrecy::SecretString::from(ROOT.to_string()),
        None,
        &patwiz::engine::http::HttpOptions::default(),
    )
    .unwrap();
    let token = patwiz::domain::token::Token::new(crate::support::fixtures::GIT_ZEN);
    for (path, org) in [
        (
            "team/server",
            "https://tfs.example.invalid/tfs/DefaultCollection",
        ),
        (
            "team/lookalike",
            "https://dev.azure.com.example.invalid/contoso",
        ),
    ] {
        client.write("secret", path, &token, 0).await.unwrap();
        let facts = patwiz::domain::team_vault::Facts {
            org_url: org.into(),
            profile: "git-zen".into(),
            verdict: "pass".into(),
            ..Default::default()
        };
        client
            .set_metadata("secret", path, &facts.to_metadata())
            .await
            .unwrap();
    }
    let fleet = |extra: &[&str]| {
        let mut args = vec![
            "status",
            "--from",
            "vault://secret/team",
            "--check",
            "--json",
        ];
        args.extend_from_slice(extra);
        tokio::task::block_in_place(|| run(&kv, config.path(), &args, None))
    };
    let out = fleet(&[]);
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<&str> = json["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["error"].as_str().unwrap_or_default())
        .collect();
    assert!(
        errors.iter().all(|e| e.contains("no token was sent there")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("--trust-server tfs.example.invalid")),
        "{errors:?}"
    );
    // Named, the server's token is sent (and here finds no such host); a look-alike never is.
    let out = fleet(&[
        "--trust-server",
        "tfs.example.invalid",
        "--trust-server",
        "dev.azure.com.example.invalid",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for member in json["tokens"].as_array().unwrap() {
        let error = member["error"].as_str().unwrap_or_default();
        if member["path"] == "secret/team/server" {
            assert!(!error.contains("no token was sent"), "{member}");
        } else {
            assert!(error.contains("no token was sent there"), "{member}");
        }
    }
    // A rotation from those facts asks for the organization first.
    let out = tokio::task::block_in_place(|| {
        run(
            &kv,
            config.path(),
            &[
                "rotate",
                "--to",
                "vault://secret/team/server",
                "--token-stdin",
            ],
            Some(crate::support::fixtures::GIT_ZEN),
        )
    });
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(64), "{text}");
    assert!(
        text.contains(
            "If it is your server, pass --org https://tfs.example.invalid/tfs/DefaultCollection"
        ),
        "{text}"
    );
    assert_secret_free(&out, &[crate::support::fixtures::GIT_ZEN]);
}
