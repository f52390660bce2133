//! The store against real secret stores: the kernel keyring (always, on Linux) and a real
//! Secret Service (gnome-keyring under dbus-run-session, which `.ci/run` starts). No mocks.
//! Each test drives the real binary for login, status, check, rotate (with a crash after every
//! step), remind and forget against the emulator.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use patwiz::domain::token::Token;
use patwiz::store::rotation::{LocalStore, ROTATION_STEPS};
use patwiz::store::secret::{Backend, SecretStore};
use serde_json::Value;

/// Both real backends; the tests are ignored unless asked for, and then both must work.
async fn backends() -> Vec<Backend> {
    let mut found = Vec::new();
    // The kernel keyring needs a session keyring (every login has one; `.ci/run` uses
    // `keyctl session -`).
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let probe = format!("patwiz-test-probe-{}-{n}", std::process::id());
    let keyutils = SecretStore::with_backend(Backend::Keyutils).await.unwrap();
    match keyutils.set(&probe, &Token::new("probe")).await {
        Ok(()) if keyutils.get(&probe).await.is_ok_and(|t| t.is_some()) => {
            keyutils.delete(&probe).await.unwrap();
            found.push(Backend::Keyutils);
        }
        other => panic!("this test needs a kernel session keyring (keyctl session -): {other:?}"),
    }
    match SecretStore::with_backend(Backend::SecretService).await {
        Ok(_) => found.push(Backend::SecretService),
        Err(e) => {
            panic!("this test needs a Secret Service (gnome-keyring on a D-Bus session): {e}")
        }
    }
    found
}

fn env_name(backend: Backend) -> &'static str {
    match backend {
        Backend::SecretService => "secret-service",
        _ => "keyutils",
    }
}

fn patwiz(
    backend: Backend,
    config: &Path,
    args: &[&str],
    stdin: Option<&str>,
    extra: &[(&str, &str)],
) -> Output {
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(args)
        .env("PATWIZ_SECRET_STORE", env_name(backend))
        .env("PATWIZ_CONFIG_DIR", config)
        .env_remove("AZURE_DEVOPS_EXT_PAT")
        .env_remove("PATWIZ_TEST_CRASH_AFTER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
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
    child.wait_with_output().unwrap()
}

async fn run(
    backend: Backend,
    config: &Path,
    args: &[&str],
    stdin: Option<&str>,
    extra: &[(&str, &str)],
) -> Output {
    let config = config.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let stdin = stdin.map(str::to_string);
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let extra: Vec<(&str, &str)> = extra
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        patwiz(backend, &config, &args, stdin.as_deref(), &extra)
    })
    .await
    .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn in_days(days: i64) -> String {
    let date = crate::support::clock::now().date() + time::Duration::days(days);
    patwiz::store::settings::format_date(date)
}

fn assert_secret_free(dir: &Path, tokens: &[&str]) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let content = std::fs::read_to_string(&path).unwrap_or_default();
            for token in tokens {
                assert!(!content.contains(token), "a token is in {}", path.display());
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn store_get_and_delete_round_trip_in_each_real_store() {
    for backend in backends().await {
        let store = SecretStore::with_backend(backend).await.unwrap();
        let key = format!(
            "https://dev.azure.com/patwiz-roundtrip-{}",
            std::process::id()
        );
        let token = Token::new("zcybhbtdd2gkj4iur66nam5wa5yydx5s6kcq46oya7vngcngsuuq");
        assert!(store.get(&key).await.unwrap().is_none());
        store.set(&key, &token).await.unwrap();
        assert_eq!(
            store.get(&key).await.unwrap().unwrap().expose(),
            token.expose()
        );
        if backend == Backend::SecretService {
            // Read back from outside the program, as a person would.
            let out = Command::new("secret-tool")
                .args(["lookup", "service", "patwiz", "username", &key])
                .output();
            if let Ok(out) = out {
                assert_eq!(
                    String::from_utf8_lossy(&out.stdout).trim(),
                    token.expose(),
                    "secret-tool sees the stored token"
                );
            }
        }
        assert!(store.delete(&key).await.unwrap());
        assert!(store.get(&key).await.unwrap().is_none());
        assert!(!store.delete(&key).await.unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn login_status_check_rotate_remind_forget() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let old = emu.token("git-zen").unwrap();
    let new = emu.token("legacy-format").unwrap();
    for backend in backends().await {
        let config = tempfile::tempdir().unwrap();
        let dir = config.path();
        // A token with a missing scope is not stored...
        let missing = emu.token("git-zen-missing-service-connections").unwrap();
        let out = run(
            backend,
            dir,
            &[
                "login",
                "--org",
                &org,
                "--profile",
                "git-zen",
                "--token-stdin",
            ],
            Some(&missing),
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("not stored"));
        // ...unless forced, which says so.
        let out = run(
            backend,
            dir,
            &[
                "login",
                "--org",
                &org,
                "--profile",
                "git-zen",
                "--token-stdin",
                "--force",
            ],
            Some(&missing),
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            text(&out).contains("Stored anyway (--force)")
                && text(&out).contains("Service Connections: Read & query")
        );
        // A good token is stored, with an expiry date.
        let expires = in_days(200);
        let out = run(
            backend,
            dir,
            &[
                "login",
                "--org",
                &org,
                "--profile",
                "git-zen",
                "--token-stdin",
                "--expires",
                &expires,
            ],
            Some(&old),
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let said = text(&out);
        if backend == Backend::Keyutils {
            assert!(
                said.contains("session keyring: it will not survive a reboot"),
                "{said}"
            );
        } else {
            assert!(said.contains("survives a reboot"), "{said}");
        }
        // check finds the token in the keyring.
        let out = run(
            backend,
            dir,
            &["check", "--org", &org, "--profile", "git-zen"],
            None,
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        // status --json
        let out = run(backend, dir, &["status", "--json", "--check"], None, &[]).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let entry = &json["orgs"][0];
        assert_eq!(entry["url"], org.as_str());
        assert_eq!(entry["profile"], "git-zen");
        assert_eq!(entry["token_stored"], true);
        assert_eq!(entry["expires"], expires.as_str());
        assert_eq!(entry["days_left"], 200);
        assert_eq!(entry["expiry"], "ok");
        assert_eq!(entry["last_verdict"], "pass");
        assert_eq!(entry["identity"]["display_name"], "Git-Zen Service");
        assert_eq!(entry["check"]["verdict"], "pass");
        // A rotation to a token that fails leaves the old one.
        let out = run(
            backend,
            dir,
            &["rotate", "--org", &org, "--token-stdin", "--json"],
            Some(&missing),
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out).contains("current token is still stored and unchanged"));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["rotated"], false);
        assert_eq!(json["check"]["verdict"], "missing-scopes");
        let vault = LocalStore::with(SecretStore::with_backend(backend).await.unwrap(), dir);
        let key = patwiz::domain::org_url::OrgUrl::parse(&org).unwrap().key();
        assert_eq!(vault.token(&key).await.unwrap().unwrap().expose(), old);
        // With --strict, a Full access token is refused (exit 4) and the old one stays.
        let full = emu.token("full-access").unwrap();
        let out = run(
            backend,
            dir,
            &[
                "rotate",
                "--org",
                &org,
                "--token-stdin",
                "--strict",
                "--json",
            ],
            Some(&full),
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(4), "{}", text(&out));
        assert!(
            text(&out).contains("not needed; --strict refuses it"),
            "{}",
            text(&out)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["rotated"], false);
        assert!(
            !json["check"]["over_privileged"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(vault.token(&key).await.unwrap().unwrap().expose(), old);
        // A good rotation replaces it and keeps the settings.
        let out = run(
            backend,
            dir,
            &[
                "rotate",
                "--org",
                &org,
                "--token-stdin",
                "--expires",
                &in_days(5),
            ],
            Some(&new),
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(vault.token(&key).await.unwrap().unwrap().expose(), new);
        let out = run(backend, dir, &["status"], None, &[]).await;
        assert_eq!(
            out.status.code(),
            Some(1),
            "expiring within 7 days is a warning"
        );
        assert!(text(&out).contains("Expires in 5 days"), "{}", text(&out));
        assert!(text(&out).contains("(git-zen)"));
        // remind
        let ics = dir.join("rotate.ics");
        let out = run(
            backend,
            dir,
            &["remind", "--org", &org, "--ics", ics.to_str().unwrap()],
            None,
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let calendar = std::fs::read_to_string(&ics).unwrap();
        assert!(calendar.contains("BEGIN:VEVENT") && calendar.contains("patwiz rotate --org"));
        // No token in any file patwiz wrote.
        assert_secret_free(dir, &[&old, &new, &missing]);
        // forget
        let out = run(backend, dir, &["forget", "--org", &org], None, &[]).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(vault.token(&key).await.unwrap().is_none());
        let out = run(backend, dir, &["status", "--json"], None, &[]).await;
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["orgs"].as_array().unwrap().len(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn a_crash_after_any_rotation_step_leaves_a_working_token() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let old = emu.token("git-zen").unwrap();
    let new = emu.token("legacy-format").unwrap();
    for backend in backends().await {
        for step in ROTATION_STEPS {
            let config = tempfile::tempdir().unwrap();
            let dir = config.path();
            let out = run(
                backend,
                dir,
                &[
                    "login",
                    "--org",
                    &org,
                    "--profile",
                    "git-zen",
                    "--token-stdin",
                ],
                Some(&old),
                &[],
            )
            .await;
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
            let out = run(
                backend,
                dir,
                &["rotate", "--org", &org, "--token-stdin"],
                Some(&new),
                &[("PATWIZ_TEST_CRASH_AFTER", step)],
            )
            .await;
            assert!(!out.status.success(), "{step}: the process was stopped");
            assert!(
                text(&out).contains(&format!("simulated crash after rotation step \"{step}\"")),
                "{}",
                text(&out)
            );
            // Whatever is stored works: check uses the stored token.
            let out = run(
                backend,
                dir,
                &["check", "--org", &org, "--profile", "git-zen", "--json"],
                None,
                &[],
            )
            .await;
            assert_eq!(
                out.status.code(),
                Some(0),
                "{backend:?} after {step}: {}",
                text(&out)
            );
            let vault = LocalStore::with(SecretStore::with_backend(backend).await.unwrap(), dir);
            let key = patwiz::domain::org_url::OrgUrl::parse(&org).unwrap().key();
            let stored = vault.token(&key).await.unwrap().unwrap();
            let expected = if ROTATION_STEPS.iter().position(|s| *s == step).unwrap() >= 2 {
                &new
            } else {
                &old
            };
            assert_eq!(
                stored.expose(),
                expected.as_str(),
                "{backend:?} after {step}"
            );
            // Status says an interrupted rotation is there (until it is finished).
            if step != "cleaned" && step != "recorded" {
                let out = run(backend, dir, &["status"], None, &[]).await;
                assert!(
                    text(&out).contains("rotation was interrupted"),
                    "{step}: {}",
                    text(&out)
                );
            }
            // Finishing the rotation works.
            if expected == &old {
                let out = run(
                    backend,
                    dir,
                    &["rotate", "--org", &org, "--token-stdin"],
                    Some(&new),
                    &[],
                )
                .await;
                assert_eq!(out.status.code(), Some(0), "{}", text(&out));
            }
            let _ = run(backend, dir, &["forget", "--org", &org], None, &[]).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn a_lost_main_entry_is_restored_from_the_staged_one() {
    for backend in backends().await {
        let config = tempfile::tempdir().unwrap();
        let vault = LocalStore::with(
            SecretStore::with_backend(backend).await.unwrap(),
            config.path(),
        );
        let key = format!("https://dev.azure.com/patwiz-staged-{}", std::process::id());
        let token = Token::new("zcybhbtdd2gkj4iur66nam5wa5yydx5s6kcq46oya7vngcngsuuq");
        vault
            .store
            .set(&format!("{key}#staged"), &token)
            .await
            .unwrap();
        assert_eq!(
            vault.token(&key).await.unwrap().unwrap().expose(),
            token.expose()
        );
        assert!(!vault.has_staged(&key).await.unwrap());
        vault.forget(&key).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn status_reports_expired_tokens_and_a_corrupt_settings_file() {
    let Some(backend) = backends().await.into_iter().next() else {
        return;
    };
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    std::fs::write(
        dir.join("settings.toml"),
        format!(
            "schema_version = 1\n[[org]]\nkey = \"https://dev.azure.com/gone\"\nurl = \"https://dev.azure.com/gone\"\nname = \"gone\"\nkind = \"cloud\"\nprofile = \"nango\"\nscopes = [\"vso.project\"]\nexpires = \"{}\"\n",
            in_days(-3)
        ),
    )
    .unwrap();
    let out = run(backend, dir, &["status"], None, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out);
    assert!(said.contains("Expired 3 days ago"), "{said}");
    assert!(said.contains("the token is missing"), "{said}");
    std::fs::write(dir.join("settings.toml"), "schema_version = [oops").unwrap();
    let out = run(backend, dir, &["status"], None, &[]).await;
    assert!(
        text(&out).contains("could not be read") && text(&out).contains("kept as"),
        "{}",
        text(&out)
    );
    let kept = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
        .count();
    assert_eq!(kept, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn doctor_names_the_store() {
    for backend in backends().await {
        let config = tempfile::tempdir().unwrap();
        let out = run(backend, config.path(), &["doctor"], None, &[]).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let said = text(&out);
        match backend {
            Backend::Keyutils => assert!(
                said.contains("kernel keyring") && said.contains("Survives reboot: no"),
                "{said}"
            ),
            _ => assert!(
                said.contains("Secret Service") && said.contains("Locked:        no"),
                "{said}"
            ),
        }
    }
}

/// `patwiz login` for the Git-Zen profile with the token on standard input.
async fn login_git_zen(
    backend: Backend,
    config: &Path,
    org: &str,
    token: &str,
    extra: &[(&str, &str)],
) -> Output {
    run(
        backend,
        config,
        &[
            "login",
            "--org",
            org,
            "--profile",
            "git-zen",
            "--token-stdin",
        ],
        Some(token),
        extra,
    )
    .await
}

async fn forget(backend: Backend, config: &Path, org: &str) -> Output {
    run(backend, config, &["forget", "--org", org], None, &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn parallel_logins_for_many_organizations_lose_nothing() {
    let Some(backend) = backends().await.into_iter().next() else {
        return;
    };
    // Twelve organizations (one emulator each), logged in all at once.
    let mut emulators = Vec::new();
    for _ in 0..12 {
        emulators.push(crate::support::clock::start_demo().await.unwrap());
    }
    let config = tempfile::tempdir().unwrap();
    let logins = emulators.iter().map(|emu| {
        let org = emu.org_url();
        let token = emu.token("git-zen").unwrap();
        let config = config.path().to_path_buf();
        async move { login_git_zen(backend, &config, &org, &token, &[]).await }
    });
    for out in futures_util::future::join_all(logins).await {
        assert!(out.status.success(), "{}", text(&out));
    }
    let out = run(
        backend,
        config.path(),
        &["status", "--json", "--check"],
        None,
        &[],
    )
    .await;
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let orgs = json["orgs"].as_array().unwrap();
    assert_eq!(
        orgs.len(),
        12,
        "every parallel login is kept: {}",
        text(&out)
    );
    for org in orgs {
        assert_eq!(org["last_verdict"], "pass", "{org:#}");
        assert_eq!(org["check"]["verdict"], "pass");
    }
    let settings = std::fs::read_to_string(config.path().join("settings.toml")).unwrap();
    assert_eq!(settings.matches("last_verdict = \"pass\"").count(), 12);
    for emu in &emulators {
        let _ = forget(backend, config.path(), &emu.org_url()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn an_edited_url_in_the_settings_never_receives_the_stored_token() {
    let Some(backend) = backends().await.into_iter().next() else {
        return;
    };
    let home = crate::support::clock::start_demo().await.unwrap();
    let elsewhere = crate::support::clock::start_demo().await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let token = home.token("git-zen").unwrap();
    let out = login_git_zen(backend, config.path(), &home.org_url(), &token, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    let path = config.path().join("settings.toml");
    let edited = std::fs::read_to_string(&path).unwrap().replace(
        &format!("url = \"{}\"", home.org_url()),
        &format!("url = \"{}\"", elsewhere.org_url()),
    );
    std::fs::write(&path, edited).unwrap();
    let out = run(backend, config.path(), &["status", "--check"], None, &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("was not sent"), "{}", text(&out));
    assert!(
        elsewhere.requests().iter().all(|r| !r.had_authorization),
        "the token went to the edited URL"
    );
    let _ = forget(backend, config.path(), &home.org_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn a_settings_write_that_fails_leaves_no_orphan_and_every_message_is_true() {
    let Some(backend) = backends().await.into_iter().next() else {
        return;
    };
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let first = emu.token("git-zen").unwrap();
    let second = emu.token("legacy-format").unwrap();
    let config = tempfile::tempdir().unwrap();
    let store = SecretStore::with_backend(backend).await.unwrap();
    let key = patwiz::domain::org_url::OrgUrl::parse(&org).unwrap().key();

    // login: the token is stored, then the settings write fails: it is taken out again.
    let out = login_git_zen(
        backend,
        config.path(),
        &org,
        &first,
        &[("PATWIZ_TEST_FAIL_SETTINGS_AFTER", "stored")],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("nothing is stored"), "{}", text(&out));
    assert!(
        store.get(&key).await.unwrap().is_none(),
        "an orphaned token"
    );

    // rotate: the swap succeeds, then the settings write fails: the message says the new token
    // is the one stored, and it is.
    let out = login_git_zen(backend, config.path(), &org, &first, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = run(
        backend,
        config.path(),
        &["rotate", "--org", &org, "--token-stdin"],
        Some(&second),
        &[("PATWIZ_TEST_FAIL_SETTINGS_AFTER", "swapped")],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("new token is stored and works"), "{said}");
    assert!(!said.contains("previous token is still stored"), "{said}");
    let vault = LocalStore::with(store, config.path());
    assert_eq!(vault.token(&key).await.unwrap().unwrap().expose(), second);
    let _ = forget(backend, config.path(), &org).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a kernel session keyring and a Secret Service (gnome-keyring); .ci/run starts them"]
async fn a_locked_keyring_is_called_locked_not_a_missing_token() {
    if !backends().await.contains(&Backend::SecretService) {
        return;
    }
    // A keyring of its own, so locking it disturbs no other test: its own D-Bus session and
    // its own keyring directory. Two gnome-keyring daemons over one `login.keyring` lose each
    // other's items (each rewrites the file from what it holds), so with the shared directory a
    // concurrent test's write could make this token vanish and `status` rightly say "missing".
    let emu = crate::support::clock::start_demo().await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let keyrings = tempfile::tempdir().unwrap();
    let script = r#"
printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
printf %s "$TOKEN" | "$PATWIZ" login --org "$ORG" --profile git-zen --token-stdin >/dev/null || exit 90
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 91
"$PATWIZ" status 2>&1
echo "status-exit=$?"
"#;
    let token = emu.token("git-zen").unwrap();
    let org = emu.org_url();
    let config_path = config.path().to_path_buf();
    let keyrings_path = keyrings.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("dbus-run-session")
            .args(["--", "sh", "-c", script])
            .env("PATWIZ", env!("CARGO_BIN_EXE_patwiz"))
            .env("PATWIZ_SECRET_STORE", "secret-service")
            .env("PATWIZ_CONFIG_DIR", &config_path)
            .env("XDG_DATA_HOME", &keyrings_path)
            .env("TOKEN", token)
            .env("ORG", org)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("status-exit=1"), "{said}");
    assert!(said.contains("locked") && said.contains("unlock"), "{said}");
    assert!(!said.contains("the token is missing"), "{said}");
}
