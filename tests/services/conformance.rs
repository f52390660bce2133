//! Conformance: Microsoft's own `azure-devops` Python client (7.1.0b4), which no one here wrote,
//! discovers and calls the emulator exactly as it would the real service.
//!
//! `.ci/run` installs the client in a virtualenv and sets PATWIZ_ADO_PYTHON; without it the
//! test is ignored (and fails when run anyway).

use std::path::PathBuf;
use std::process::Command;

fn python_with_client() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PATWIZ_ADO_PYTHON").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/ado-venv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .args(["-c", "import azure.devops"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Microsoft's azure-devops Python client (PATWIZ_ADO_PYTHON); .ci/run installs it"]
async fn microsofts_python_client_works_against_the_emulator() {
    let python = python_with_client().expect(
        "Microsoft's azure-devops Python client: set PATWIZ_ADO_PYTHON or run .ci/run to install it",
    );
    let emu = crate::support::clock::start_demo().await.unwrap();
    let home = tempfile::tempdir().unwrap(); // the client caches discovery under ~/.azure-devops
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/azure_devops_client.py");
    let token = emu.token("full-access").unwrap();
    let org = emu.org_url();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(org)
            .env("HOME", home.path())
            .env("PATWIZ_TOKEN", token)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let users = patwiz::emulator::Scenario::default_demo()
        .users
        .len()
        .to_string();
    let expected = [
        ("connection_data", "Ada Admin"),
        ("projects", "Fabrikam Fiber,Contoso Support"),
        ("project", "Fabrikam Fiber"),
        ("teams", "Fabrikam Fiber Team,Web"),
        ("all_teams", "3"),
        ("repositories", "fabrikam-web,fabrikam-api"),
        ("work_item_types", "Bug,Task,User Story"),
        ("relation_types", "4"),
        ("build_definitions", "fabrikam-web CI,fabrikam-api CI"),
        ("service_endpoint_types", "azurerm,github"),
        ("agent_pools", "Default,Azure Pipelines"),
        ("identities", "Ada Admin"),
        ("user_entitlement", "Basic"),
        ("search_user_entitlements", users.as_str()),
    ];
    for (step, detail) in expected {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(step))
            .unwrap_or_else(|| {
                panic!("no result for {step}\nstdout:\n{stdout}\nstderr:\n{stderr}")
            });
        assert!(
            line.starts_with("ok ") && line.contains(detail),
            "{step}: {line}\nstderr:\n{stderr}"
        );
    }
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // It discovered hosts through resource areas and API locations, as with the real service.
    let requests = emu.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "OPTIONS"
                && r.path_and_query.starts_with("/_hosts/vssps/demo/_apis"))
    );
    assert!(requests.iter().any(|r| {
        r.method == "GET"
            && r.path_and_query
                .to_ascii_lowercase()
                .starts_with("/demo/_apis/resourceareas")
    }));
    assert!(requests.iter().any(|r| {
        r.path_and_query
            .starts_with("/_hosts/vsaex/demo/_apis/userentitlements")
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Microsoft's MSAL for Python (PATWIZ_ADO_PYTHON with msal); .ci/run installs it"]
async fn microsofts_msal_signs_in_at_the_emulated_entra_and_its_token_opens_the_lifecycle_api() {
    let python = python_with_client()
        .expect("Microsoft's Python clients: set PATWIZ_ADO_PYTHON or run .ci/run to install them");
    let emu = crate::support::clock::start_demo().await.unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/msal_client.py");
    let root = emu.root().to_string();
    let tenant = emu.scenario().organization.tenant_id.clone();
    let org = emu.scenario().organization.name.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([root, tenant, org])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(
            r#""device_flow": "ok", "lifecycle_api": "ok", "refresh": "ok", "auth_code_pkce": "ok""#
        ),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Microsoft's azure-keyvault-secrets for Python (PATWIZ_ADO_PYTHON); .ci/run installs it"]
async fn microsofts_key_vault_client_reads_what_patwiz_wrote_with_its_expiry_and_tags() {
    use patwiz::emulator::keyvault::KeyVaultDouble;
    use sha2::Digest as _;
    let python = python_with_client()
        .expect("Microsoft's Python clients: set PATWIZ_ADO_PYTHON or run .ci/run to install them");
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let bearer = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.conformance-bearer.sig";
    let vault = KeyVaultDouble::start(
        bearer,
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47",
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, vault.ca_pem()).unwrap();
    let az = crate::support::fixtures::fake_key_vault_az(dir.path(), bearer);
    let token = emu.token("git-zen").unwrap();
    let to = format!("{}/secrets/ado-git-zen", vault.url());
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args([
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
        "--sign-in",
        "az",
    ])
    .env("PATWIZ_AZ", &az)
    .env("SSL_CERT_FILE", &ca)
    .env("PATWIZ_CONFIG_DIR", dir.path());
    let out = tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, Some(&token)));
    assert!(out.status.success(), "{}", crate::support::cmd::text(&out));

    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/keyvault_client.py");
    let (url, ca_path) = (vault.url(), ca.clone());
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("VAULT_URL", url)
            .env("CA", ca_path)
            .env("BEARER", bearer)
            .env("NAME", "ado-git-zen")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let digest: String = sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        json["value_sha256"], digest,
        "the SDK reads the token patwiz wrote"
    );
    assert!(
        json["expires_on"]
            .as_str()
            .unwrap()
            .starts_with("2027-05-31"),
        "{json}"
    );
    assert_eq!(json["tags"]["profile"], "git-zen");
    assert_eq!(json["tags"]["org_url"], org.as_str());
    assert_eq!(json["listed"][0], "ado-git-zen");
    assert_eq!(json["scopes"][0], "https://vault.azure.net/.default");
    // The SDK updates a version as patwiz does when it retires one, and a disabled version then
    // answers as the service's: 403, SecretDisabled.
    assert_eq!(json["updated_tags"]["sdk_note"], "kept", "{json}");
    assert_eq!(json["updated_tags"]["profile"], "git-zen", "{json}");
    assert_eq!(json["disabled"]["status"], 403, "{json}");
    assert!(
        json["disabled"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("SecretDisabled"),
        "{json}"
    );
    assert_eq!(vault.enabled("ado-git-zen"), [false]);
}
