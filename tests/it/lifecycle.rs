//! The token's whole life through the lifecycle API, against the emulator's Microsoft Entra and
//! `tokens/pats`: signing in (authorization code with PKCE, device code), minting with exactly a
//! profile's scopes and proving it with the probes, the policies' refusals, mending in place,
//! rotating by creating and revoking, and a crash between creating and storing.

use patwiz::domain::lifecycle::Refusal;
use patwiz::domain::org_url::OrgUrl;
use patwiz::emulator::{Emulator, Scenario};
use patwiz::engine::entra::EntraToken;
use patwiz::engine::http::HttpOptions;
use patwiz::engine::lifecycle::LifecycleError;
use patwiz::flows::mint::{self, MintError, SignIn};
use patwiz::store::rotation::LocalStore;
use patwiz::store::secret::Backend;
use time::OffsetDateTime;

fn profile(name: &str) -> patwiz::domain::profiles::Profile {
    patwiz::domain::profiles::find(name).unwrap()
}

/// Acts as the person's browser: opens the sign-in page and follows its redirect back to
/// patwiz's loopback listener.
fn browser(url: &url::Url) -> std::io::Result<()> {
    let url = url.to_string();
    std::thread::spawn(move || {
        let status = std::process::Command::new("curl")
            .args(["-s", "-L", "-o", "/dev/null", &url])
            .status();
        assert!(status.is_ok_and(|s| s.success()), "the browser's requests");
    });
    Ok(())
}

async fn sign_in(emu: &Emulator, org: &OrgUrl) -> EntraToken {
    mint::sign_in(
        org,
        &SignIn::Browser {
            client_id: "patwiz-test".into(),
        },
        &HttpOptions::default(),
        |_, _| panic!("no device code in the browser flow"),
        browser,
    )
    .await
    .unwrap_or_else(|e| panic!("sign-in at {}: {e}", emu.authority()))
}

fn scenario_with(lifecycle: &str) -> Scenario {
    crate::support::fixtures::scenario_with_lifecycle(lifecycle)
}

async fn vault() -> (LocalStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let vault = LocalStore::open_with(dir.path(), Some(Backend::Memory))
        .await
        .unwrap();
    (vault, dir)
}

fn in_days(days: i64) -> OffsetDateTime {
    crate::support::clock::now() + time::Duration::days(days)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minted_token_has_exactly_the_profiles_scopes_is_proven_and_stored_with_its_id() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = OrgUrl::parse(&emu.org_url()).unwrap();
    let entra = sign_in(&emu, &org).await;
    assert!(!format!("{entra:?}").contains("eyJ"), "masked");
    let lifecycle = mint::connect(&org, &entra, &HttpOptions::default())
        .await
        .unwrap();
    let (vault, _dir) = vault().await;
    let git_zen = profile("git-zen");
    // A year is asked for; the demo tenant caps tokens at 180 days, and that is said.
    let minted = mint::mint(
        &lifecycle,
        &vault,
        &org,
        &git_zen,
        in_days(365),
        &crate::support::clock::ctx(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        minted.report.verdict,
        patwiz::domain::checks::Verdict::Pass,
        "{}",
        minted.report.to_text(None)
    );
    assert!(minted.capped_from.is_some(), "the cap is shown");
    let days = (minted.valid_to.unwrap() - crate::support::clock::now()).whole_days();
    assert!((179..=180).contains(&days), "{days}");
    assert!(
        minted
            .display_name
            .starts_with("Git-Zen Integration (patwiz · demo · ")
    );
    let (settings, _) = vault.settings.load().unwrap();
    let entry = settings.get(&org.key()).unwrap();
    assert_eq!(
        entry.authorization_id.as_deref(),
        Some(minted.authorization_id.as_str())
    );
    assert!(settings.pending.is_empty(), "settled");
    let stored = vault.token(&org.key()).await.unwrap().unwrap();
    // Minted as Azure DevOps writes them: its checksum matches and it says it is this month's.
    let checked = patwiz::domain::token::check_pasted(stored.expose()).unwrap();
    assert_eq!(
        checked.checksum,
        Some(patwiz::domain::checksum::Checksum::Matches)
    );
    let now = crate::support::clock::now();
    let month = checked.created.unwrap();
    assert_eq!((month.year, month.month), (now.year(), now.month()));
    // The inventory lists it, org-scoped, with exactly the profile's scopes.
    let records = lifecycle.list("active").await.unwrap();
    let record = records
        .iter()
        .find(|r| r.authorization_id == minted.authorization_id)
        .unwrap();
    assert!(!record.is_global());
    let mut scopes: Vec<String> = record.scopes().iter().map(|s| s.to_string()).collect();
    let mut wanted = git_zen.scope_ids();
    scopes.sort();
    wanted.sort();
    assert_eq!(scopes, wanted);
    // The sign-in never went anywhere but the identity host; the minted value never into a URL.
    for request in emu.requests() {
        assert!(!request.path_and_query.contains("JQQJ99"), "{request:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mending_adds_a_scope_and_extends_in_place_and_rotating_revokes_the_old_token() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = OrgUrl::parse(&emu.org_url()).unwrap();
    let entra = sign_in(&emu, &org).await;
    let options = HttpOptions::default();
    let lifecycle = mint::connect(&org, &entra, &options).await.unwrap();
    let (vault, _dir) = vault().await;
    let nango = profile("nango");
    let first = mint::mint(
        &lifecycle,
        &vault,
        &org,
        &nango,
        in_days(30),
        &crate::support::clock::ctx(),
        false,
    )
    .await
    .unwrap();
    let before = vault.token(&org.key()).await.unwrap().unwrap();
    // Add Wiki: Read in place: the same value now holds it, proven.
    let mint::Mended {
        report,
        capped_to: capped,
        ..
    } = mint::mend(
        &crate::support::clock::ctx(),
        &lifecycle,
        &vault,
        &org,
        &nango,
        &["vso.wiki".to_string()],
        Some(in_days(60)),
    )
    .await
    .unwrap();
    assert!(capped.is_none());
    let wiki = report
        .checks
        .iter()
        .find(|c| c.scope == "vso.wiki")
        .unwrap();
    assert_eq!(
        wiki.status,
        patwiz::domain::checks::CheckStatus::Pass,
        "{}",
        report.to_text(None)
    );
    let after = vault.token(&org.key()).await.unwrap().unwrap();
    assert_eq!(before.expose(), after.expose(), "mending keeps the value");
    let record = lifecycle.get(&first.authorization_id).await.unwrap();
    assert!(record.scope.contains("vso.wiki"));
    assert_eq!(emu.minted_live(), 1);
    // Rotate by creating: a new token proven and swapped in, the old one revoked and refused.
    let second = mint::mint(
        &lifecycle,
        &vault,
        &org,
        &nango,
        in_days(30),
        &crate::support::clock::ctx(),
        true,
    )
    .await
    .unwrap();
    assert_ne!(second.authorization_id, first.authorization_id);
    assert_eq!(emu.minted_live(), 1, "the old one is revoked");
    let (settings, _) = vault.settings.load().unwrap();
    let entry = settings.get(&org.key()).unwrap();
    assert_eq!(
        entry.authorization_id.as_deref(),
        Some(second.authorization_id.as_str())
    );
    assert_eq!(
        entry.revoking,
        std::slice::from_ref(&first.authorization_id)
    );
    let scopes = nango.scope_ids();
    let old = patwiz::flows::prove::run(
        patwiz::flows::prove::request(crate::support::clock::ctx().proof(
            &org,
            &before,
            &scopes,
            Some(&nango),
        )),
        None,
    )
    .await;
    assert_eq!(old.verdict, patwiz::domain::checks::Verdict::TokenRejected);
    // Extending a revoked (or unknown) token is refused with the service's reason.
    let err = lifecycle
        .update(&first.authorization_id, None, Some(in_days(40)))
        .await
        .unwrap_err();
    assert_eq!(err.refusal(), Some(&Refusal::NotFound));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_policy_refusal_is_explained_and_nothing_is_stored() {
    for (settings, expected) in [
        (
            "[lifecycle]\nuser = \"ada\"\nrestrict_creation = true\n",
            Refusal::CreationRestricted,
        ),
        (
            "[lifecycle]\nuser = \"ada\"\nmax_lifespan_days = 30\nlifespan_over = \"refuse\"\n",
            Refusal::LifespanTooLong,
        ),
    ] {
        let emu = crate::support::clock::start(scenario_with(settings), "127.0.0.1:0")
            .await
            .unwrap();
        let org = OrgUrl::parse(&emu.org_url()).unwrap();
        let entra = sign_in(&emu, &org).await;
        let lifecycle = mint::connect(&org, &entra, &HttpOptions::default())
            .await
            .unwrap();
        let (vault, _dir) = vault().await;
        let err = mint::mint(
            &lifecycle,
            &vault,
            &org,
            &profile("git-zen"),
            in_days(90),
            &crate::support::clock::ctx(),
            false,
        )
        .await
        .unwrap_err();
        match &err {
            MintError::Lifecycle(LifecycleError::Refused(refusal, _)) => {
                assert_eq!(refusal, &expected);
                let words = refusal.explain("demo");
                assert!(!words.who.is_empty() && !words.now.is_empty());
            }
            other => panic!("{other}"),
        }
        let (stored, _) = vault.settings.load().unwrap();
        assert!(stored.orgs.is_empty() && stored.pending.is_empty());
        assert_eq!(emu.minted_live(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_code_flow_waits_for_the_person_and_a_conditional_access_block_is_named() {
    let emu = std::sync::Arc::new(crate::support::clock::start_demo().await.unwrap());
    let org = OrgUrl::parse(&emu.org_url()).unwrap();
    let approver = emu.clone();
    let token = mint::sign_in(
        &org,
        &SignIn::DeviceCode {
            client_id: "patwiz-test".into(),
        },
        &HttpOptions::default(),
        move |uri, code| {
            assert!(uri.ends_with("/idp/device"), "{uri}");
            let code = code.to_string();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(1500));
                assert!(approver.approve_device_code(&code));
            });
        },
        |_| panic!("no browser in the device flow"),
    )
    .await
    .unwrap();
    assert_eq!(token.via, "the device-code sign-in");
    mint::connect(&org, &token, &HttpOptions::default())
        .await
        .unwrap()
        .list("all")
        .await
        .unwrap();

    let blocked = std::sync::Arc::new(
        crate::support::clock::start(
            scenario_with("[lifecycle]\nuser = \"ada\"\ndevice_code_blocked = true\n"),
            "127.0.0.1:0",
        )
        .await
        .unwrap(),
    );
    let org = OrgUrl::parse(&blocked.org_url()).unwrap();
    let approver = blocked.clone();
    let err = mint::sign_in(
        &org,
        &SignIn::DeviceCode {
            client_id: "patwiz-test".into(),
        },
        &HttpOptions::default(),
        move |_, code| {
            assert!(approver.approve_device_code(code));
        },
        |_| Ok(()),
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("Conditional Access blocked this sign-in") && text.contains("AADSTS53003"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pat_or_a_stale_sign_in_cannot_manage_tokens_and_a_server_has_no_lifecycle_api() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = OrgUrl::parse(&emu.org_url()).unwrap();
    let stale = EntraToken {
        access: patwiz::domain::token::Token::new("eyJ0eXAi.not-issued-here"),
        refresh: None,
        via: "test",
    };
    let lifecycle = mint::connect(&org, &stale, &HttpOptions::default())
        .await
        .unwrap();
    assert_eq!(
        lifecycle.list("active").await.unwrap_err(),
        LifecycleError::SignInNotAccepted
    );
    let server =
        crate::support::clock::start(Scenario::built_in("server-2022").unwrap(), "127.0.0.1:0")
            .await
            .unwrap();
    let org = OrgUrl::parse(&server.org_url()).unwrap();
    match mint::authority_for(&org, &HttpOptions::default()).await {
        Err(MintError::Lifecycle(LifecycleError::Unavailable(why))) => {
            assert!(why.contains("browser"), "{why}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_the_azure_cli_the_sign_in_says_so_and_nothing_is_created() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let config = tempfile::tempdir().unwrap();
    let out = crate::support::cmd::patwiz()
        .args([
            "create",
            "--org",
            &emu.org_url(),
            "--profile",
            "git-zen",
            "--sign-in",
            "az",
        ])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .env("PATWIZ_SECRET_STORE", "memory")
        .env("PATWIZ_AZ", "/nonexistent/az")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("the Azure CLI (az) is not installed"),
        "{text}"
    );
    assert_eq!(emu.minted_live(), 0);
}

#[test]
fn a_crash_after_creating_leaves_the_id_journaled_and_it_is_revoked_later() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let config = tempfile::tempdir().unwrap();
    let fake_browser = crate::support::fixtures::fake_browser(config.path());
    let out = crate::support::cmd::patwiz()
        .args(["create", "--org", &emu.org_url(), "--profile", "git-zen"])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .env("PATWIZ_SECRET_STORE", "memory")
        .env("BROWSER", &fake_browser)
        .env("PATWIZ_TEST_CRASH_MINT", "journaled")
        .output()
        .unwrap();
    assert!(!out.status.success(), "it crashed as told");
    assert_eq!(emu.minted_live(), 1, "the token was created");
    let org = OrgUrl::parse(&emu.org_url()).unwrap();
    rt.block_on(async {
        let vault = LocalStore::open_with(config.path(), Some(Backend::Memory))
            .await
            .unwrap();
        let (settings, _) = vault.settings.load().unwrap();
        assert_eq!(settings.pending.len(), 1, "its id is journaled");
        assert!(settings.orgs.is_empty(), "nothing was stored");
        let entra = sign_in(&emu, &org).await;
        let lifecycle = mint::connect(&org, &entra, &HttpOptions::default())
            .await
            .unwrap();
        assert_eq!(
            mint::revoke_pending(&crate::support::clock::ctx(), &lifecycle, &vault, &org).await,
            1
        );
        assert_eq!(emu.minted_live(), 0, "nothing is left behind");
        assert!(vault.settings.load().unwrap().0.pending.is_empty());
    });
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("JQQJ99"), "no token in the output");
}

#[test]
fn create_from_the_command_line_signs_in_proves_and_prints_the_capped_expiry() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let config = tempfile::tempdir().unwrap();
    let fake_browser = crate::support::fixtures::fake_browser(config.path());
    let run = |args: &[&str]| {
        crate::support::cmd::patwiz()
            .args(args)
            .env("PATWIZ_CONFIG_DIR", config.path())
            .env("PATWIZ_SECRET_STORE", "memory")
            .env("BROWSER", &fake_browser)
            .output()
            .unwrap()
    };
    let url = emu.org_url();
    let out = run(&[
        "create",
        "--org",
        &url,
        "--profile",
        "git-zen",
        "--expires",
        &patwiz::store::settings::format_date((in_days(300)).date()),
        "--json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["created"], true);
    assert_eq!(json["check"]["verdict"], "pass");
    assert!(json["expiryCapped"].is_string(), "{json}");
    assert!(!text.contains("JQQJ99"), "the value is never printed");
    let out = run(&["tokens", "--org", &url, "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["tokens"][0]["managed"], true, "{list}");
    // A second create for the same organization says to rotate instead.
    let out = run(&["create", "--org", &url, "--profile", "git-zen"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rotate --org"));
}

#[test]
fn no_sign_in_token_verifier_or_minted_value_reaches_any_artefact() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let config = tempfile::tempdir().unwrap();
    let fake_browser = crate::support::fixtures::fake_browser(config.path());
    let log = config.path().join("requests.log");
    let url = emu.org_url();
    let mut outputs = Vec::new();
    for args in [
        vec!["create", "--org", &url, "--profile", "nango", "--json"],
        vec!["tokens", "--org", &url, "--json"],
        vec!["tokens", "--org", &url],
        vec!["rotate", "--org", &url, "--create"],
    ] {
        let out = crate::support::cmd::patwiz()
            .args(&args)
            .arg("--log")
            .arg(&log)
            .env("PATWIZ_CONFIG_DIR", config.path())
            .env("PATWIZ_SECRET_STORE", "memory")
            .env("BROWSER", &fake_browser)
            .env("RUST_BACKTRACE", "1")
            .output()
            .unwrap();
        outputs.push(String::from_utf8_lossy(&out.stdout).to_string());
        outputs.push(String::from_utf8_lossy(&out.stderr).to_string());
    }
    for entry in std::fs::read_dir(config.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path != fake_browser {
            outputs.push(std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    let secrets = emu.issued_secrets();
    assert!(
        secrets.len() >= 6,
        "sign-ins, verifiers and tokens were issued: {}",
        secrets.len()
    );
    for secret in &secrets {
        for text in &outputs {
            assert!(
                !text.contains(&secret[..secret.len().min(16)]),
                "a secret in an artefact:\n{text}"
            );
        }
    }
}

#[test]
fn a_rotation_killed_after_the_swap_keeps_the_new_token_and_the_next_run_revokes_the_old() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let config = tempfile::tempdir().unwrap();
    let fake_browser = crate::support::fixtures::fake_browser(config.path());
    let url = emu.org_url();
    let run = |args: &[&str], crash: Option<&str>| {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .env("PATWIZ_CONFIG_DIR", config.path())
            .env("PATWIZ_SECRET_STORE", "memory")
            .env("BROWSER", &fake_browser);
        if let Some(point) = crash {
            cmd.env("PATWIZ_TEST_CRASH_MINT", point);
        }
        cmd.output().unwrap()
    };
    assert!(
        run(&["create", "--org", &url, "--profile", "nango"], None)
            .status
            .success()
    );
    let org = OrgUrl::parse(&url).unwrap();
    let load = || {
        let vault = rt
            .block_on(LocalStore::open_with(config.path(), Some(Backend::Memory)))
            .unwrap();
        vault.settings.load().unwrap().0
    };
    let first_id = load()
        .get(&org.key())
        .unwrap()
        .authorization_id
        .clone()
        .unwrap();
    // Killed right after the new token was stored, before the old one was revoked.
    let out = run(&["rotate", "--org", &url, "--create"], Some("stored"));
    assert!(!out.status.success());
    let settings = load();
    let entry = settings.get(&org.key()).unwrap();
    let new_id = entry.authorization_id.clone().unwrap();
    assert_ne!(new_id, first_id, "the new token's id went in with it");
    assert_eq!(entry.revoking, std::slice::from_ref(&first_id));
    assert_eq!(emu.minted_live(), 2, "the old one is not revoked yet");
    // The next run finishes the job: the stored (new) token stays, the old one goes.
    rt.block_on(async {
        let vault = LocalStore::open_with(config.path(), Some(Backend::Memory))
            .await
            .unwrap();
        let entra = sign_in(&emu, &org).await;
        let lifecycle = mint::connect(&org, &entra, &HttpOptions::default())
            .await
            .unwrap();
        assert_eq!(
            mint::revoke_pending(&crate::support::clock::ctx(), &lifecycle, &vault, &org).await,
            0,
            "the new one is kept"
        );
        assert_eq!(emu.minted_live(), 1);
        let live = lifecycle.list("active").await.unwrap();
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].authorization_id, new_id);
        assert!(vault.settings.load().unwrap().0.pending.is_empty());
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_rolls_and_a_spent_one_is_refused_with_words() {
    let emu = std::sync::Arc::new(crate::support::clock::start_demo().await.unwrap());
    let authority = patwiz::engine::entra::Authority::parse(&emu.authority()).unwrap();
    let approver = emu.clone();
    let first = patwiz::engine::entra::device_code(
        &authority,
        "patwiz-test",
        true,
        &HttpOptions::default(),
        move |_, code| {
            assert!(approver.approve_device_code(code));
        },
    )
    .await
    .unwrap();
    let spent = first.refresh.expect("offline access gives a refresh token");
    let second =
        patwiz::engine::entra::refresh(&authority, "patwiz-test", &spent, &HttpOptions::default())
            .await
            .unwrap();
    assert!(second.refresh.is_some(), "a new refresh token comes back");
    assert_ne!(second.access.expose(), first.access.expose());
    let again =
        patwiz::engine::entra::refresh(&authority, "patwiz-test", &spent, &HttpOptions::default())
            .await
            .unwrap_err();
    assert!(
        again.to_string().contains("expired or was revoked"),
        "{again}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_of_microsoft_accounts_is_told_to_use_the_browser() {
    let mut scenario = Scenario::default_demo();
    scenario.organization.tenant_id = "00000000-0000-0000-0000-000000000000".into();
    scenario.lifecycle = None;
    let emu = crate::support::clock::start(scenario, "127.0.0.1:0")
        .await
        .unwrap();
    let org = OrgUrl::parse(&emu.org_url()).unwrap();
    match mint::authority_for(&org, &HttpOptions::default()).await {
        Err(MintError::Lifecycle(LifecycleError::Unavailable(why))) => {
            assert!(
                why.contains("Microsoft accounts") && why.contains("browser"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// The emulator's list answers in the shape of Microsoft's published example
/// (`specification/tokens/7.1/httpExamples/Pats/ListPats.json`): the same fields, `token: null`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_answer_has_the_published_examples_shape() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = OrgUrl::parse(&emu.org_url()).unwrap();
    let entra = sign_in(&emu, &org).await;
    let options = HttpOptions::default();
    let lifecycle = mint::connect(&org, &entra, &options).await.unwrap();
    let (vault, _dir) = vault().await;
    mint::mint(
        &lifecycle,
        &vault,
        &org,
        &profile("nango"),
        in_days(30),
        &crate::support::clock::ctx(),
        false,
    )
    .await
    .unwrap();
    let http = patwiz::engine::http::Http::new(entra.access.clone(), &options).unwrap();
    let reply = http
        .send(
            reqwest::Method::GET,
            &format!(
                "{}/_hosts/vssps/demo/_apis/tokens/pats?api-version=7.1-preview.1",
                emu.root()
            ),
            patwiz::engine::http::Auth::Bearer,
            None,
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let mut top: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    top.sort_unstable();
    assert_eq!(top, ["continuationToken", "patTokens"]);
    let record = body["patTokens"][0].as_object().unwrap();
    let mut fields: Vec<&str> = record.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "authorizationId",
            "displayName",
            "scope",
            "targetAccounts",
            "token",
            "validFrom",
            "validTo"
        ]
    );
    assert!(record["token"].is_null(), "a list never carries a value");
}

/// A profile of the person's own, in `dir`: Acme reads code and nothing else.
fn own_profile(dir: &std::path::Path) -> patwiz::domain::profiles::Profile {
    let text = r#"name = "acme-sync"
title = "Acme Sync"
integration = "Acme's code sync"
summary = "Reads the repositories."
source = "Acme docs"
token_name = "Acme Sync"
organization_advice = "The organization Acme syncs."
expiry_advice = "90 days"
[[scope]]
id = "vso.code"
why = "reads the repositories"
"#;
    std::fs::write(dir.join("acme-sync.toml"), text).unwrap();
    patwiz::domain::profiles::Profile::from_toml("acme-sync.toml", text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extending_a_token_of_the_persons_own_profile_proves_it_for_that_profile() {
    // The wizard's extend (`e` on the Start screen) once looked the profile up without the
    // profiles directory and proved the token as no integration's.
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = OrgUrl::parse(&emu.org_url()).unwrap();
    let entra = sign_in(&emu, &org).await;
    let lifecycle = mint::connect(&org, &entra, &HttpOptions::default())
        .await
        .unwrap();
    let (vault, _dir) = vault().await;
    let profiles = tempfile::tempdir().unwrap();
    let acme = own_profile(profiles.path());
    let ctx = patwiz::flows::Ctx {
        profiles_dir: Some(profiles.path().to_path_buf()),
        ..crate::support::clock::ctx()
    };
    mint::mint(&lifecycle, &vault, &org, &acme, in_days(30), &ctx, false)
        .await
        .unwrap();
    let mended = mint::extend(&ctx, &lifecycle, &vault, &org, in_days(60))
        .await
        .unwrap();
    let code = mended
        .report
        .checks
        .iter()
        .find(|c| c.scope == "vso.code")
        .unwrap();
    assert_eq!(
        code.why.as_deref(),
        Some("reads the repositories"),
        "proven for Acme Sync: {}",
        mended.report.to_text(None)
    );
    assert_eq!(mended.report.verdict, patwiz::domain::checks::Verdict::Pass);
    assert_eq!(
        mended.valid_to.map(|t| t.date()),
        Some(in_days(60).date()),
        "moved in place"
    );
    let entry = vault.settings.entry(&org.key()).unwrap();
    assert_eq!(entry.expires, Some(in_days(60).date()));
    assert_eq!(entry.profile, "acme-sync");

    // Without the profiles directory the profile is not known, and that is said, not guessed.
    let err = mint::extend(
        &crate::support::clock::ctx(),
        &lifecycle,
        &vault,
        &org,
        in_days(61),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("acme-sync"), "{err}");
}

/// An Azure CLI (or anything at its name) that prints without end is stopped at a bound and
/// the person is told why: patwiz neither grows without limit nor dies without a word.
#[cfg(unix)]
#[test]
fn an_azure_cli_that_prints_without_end_is_stopped_and_said_so() {
    use std::os::unix::fs::PermissionsExt as _;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let config = tempfile::tempdir().unwrap();
    let az = config.path().join("az");
    std::fs::write(
        &az,
        "#!/bin/sh\nexec yes 0123456789abcdefghijklmnopqrstuvwxyz\n",
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = crate::support::cmd::patwiz()
        .args(["tokens", "--org", &emu.org_url(), "--sign-in", "az"])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .env("PATWIZ_AZ", &az)
        .output()
        .unwrap();
    let text = crate::support::cmd::text(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(
        out.status.code().is_some(),
        "patwiz ended by a signal: {text}"
    );
    assert!(text.contains("printed more than 1024 kB"), "{text}");
}

/// N-H6: with no display (over SSH), `patwiz tokens` signs in by device code: the address and
/// the code are printed at once, and entering the code finishes the command.
#[test]
fn with_no_display_tokens_signs_in_by_device_code_and_says_where() {
    use std::io::{BufRead as _, BufReader};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut child = crate::support::cmd::patwiz()
        .args(["tokens", "--org", &emu.org_url()])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("BROWSER")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("/idp/device on any device"), "{line}");
    assert!(line.contains("Ctrl+C stops"), "{line}");
    let code = line
        .split("enter the code ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("the code is printed");
    assert!(emu.approve_device_code(code), "{code}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
