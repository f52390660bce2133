//! The real npm and pip read what `patwiz npmrc --write` and `patwiz pip-conf --write` put in
//! the user-level files, and authenticate to the emulator's Azure Artifacts feed with it; without
//! those files both are refused (401). The token comes from the real kernel keyring, stored by
//! `patwiz login`: no one copies it.

use std::path::Path;
use std::process::Command;

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The Python whose pip reads pip.conf: the CI's venv when set, else python3.
fn python() -> String {
    std::env::var("PATWIZ_ADO_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// A command as a person in `home` runs it: no global npm or pip configuration of this
/// machine's user, no update checks, no prompts.
fn person(program: &str, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("NPM_CONFIG_USERCONFIG")
        .env_remove("npm_config_userconfig")
        .env_remove("NPM_CONFIG_REGISTRY")
        .env_remove("PIP_CONFIG_FILE")
        .env_remove("PIP_INDEX_URL")
        .env_remove("PIP_EXTRA_INDEX_URL")
        .env("NPM_CONFIG_UPDATE_NOTIFIER", "false")
        .env("NPM_CONFIG_CACHE", home.join("npm-cache"))
        .env("NPM_CONFIG_FUND", "false")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .env("PIP_CACHE_DIR", home.join("pip-cache"))
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy");
    cmd
}

#[test]
#[ignore = "needs npm, pip and a kernel session keyring (keyctl session -); .ci/run installs them"]
fn npm_and_pip_read_the_feed_with_what_patwiz_wrote_and_not_without() {
    assert!(runs("npm", "--version"), "this test needs npm");
    assert!(
        Command::new(python())
            .args(["-m", "pip", "--version"])
            .output()
            .is_ok_and(|o| o.status.success()),
        "this test needs pip"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let org = emu.org_url();
    let token = emu.token("azure-artifacts").unwrap();
    let home = tempfile::tempdir().unwrap();
    let project = home.path().join("web");
    std::fs::create_dir_all(&project).unwrap();
    let patwiz = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("NPM_CONFIG_USERCONFIG")
            .env_remove("PIP_CONFIG_FILE")
            .env("PATWIZ_CONFIG_DIR", home.path().join("patwiz"))
            .env("PATWIZ_SECRET_STORE", "keyutils")
            .current_dir(&project);
        crate::support::cmd::output(&mut cmd, stdin)
    };
    let login = patwiz(
        &[
            "login",
            "--org",
            &org,
            "--profile",
            "azure-artifacts",
            "--token-stdin",
        ],
        Some(&token),
    );
    assert!(
        login.status.success(),
        "{}",
        crate::support::cmd::text(&login)
    );

    // The project's .npmrc names the registry only, as patwiz prints it.
    let npm = patwiz(&["npmrc", "--feed", "fabrikam-shared"], None);
    let shown = crate::support::cmd::text(&npm);
    assert!(npm.status.success(), "{shown}");
    let registry = shown
        .lines()
        .find_map(|l| l.strip_prefix("registry="))
        .expect("the project line is shown")
        .to_string();
    std::fs::write(project.join(".npmrc"), format!("registry={registry}\n")).unwrap();
    std::fs::write(
        project.join("package.json"),
        r#"{"name":"web","version":"0.0.0"}"#,
    )
    .unwrap();
    let view = || {
        person("npm", home.path())
            .args(["view", "fabrikam-hello", "version"])
            .current_dir(&project)
            .output()
            .unwrap()
    };
    let refused = view();
    assert!(
        !refused.status.success(),
        "npm reads the feed without credentials?"
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let written = patwiz(&["npmrc", "--feed", "fabrikam-shared", "--write"], None);
    assert!(
        written.status.success(),
        "{}",
        crate::support::cmd::text(&written)
    );
    let ok = view();
    assert!(
        ok.status.success(),
        "npm: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "1.0.0");

    // pip: the same feed's simple index.
    let versions = || {
        person(&python(), home.path())
            .args(["-m", "pip", "index", "versions", "fabrikam-hello"])
            .current_dir(&project)
            .output()
            .unwrap()
    };
    let written = patwiz(&["pip-conf", "--feed", "fabrikam-shared", "--write"], None);
    assert!(
        written.status.success(),
        "{}",
        crate::support::cmd::text(&written)
    );
    let ok = versions();
    assert!(
        ok.status.success(),
        "pip: {}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("fabrikam-hello (1.0.0)"),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // Without the file pip is refused: the credentials came from it.
    std::fs::remove_file(home.path().join(".config/pip/pip.conf")).unwrap();
    let mut bare = person(&python(), home.path());
    bare.args([
        "-m",
        "pip",
        "index",
        "versions",
        "fabrikam-hello",
        "--index-url",
    ])
    .arg(registry.replace("/npm/registry/", "/pypi/simple/"));
    let refused = bare.output().unwrap();
    assert!(
        !refused.status.success(),
        "pip reads the feed without credentials?"
    );

    // Every request the two clients made authenticated with the stored token, to the feed.
    let feed_requests: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.path_and_query.contains("/_packaging/fabrikam-shared/"))
        .collect();
    assert!(
        feed_requests.iter().any(|r| r.status == 200),
        "{feed_requests:?}"
    );
    assert!(
        feed_requests.iter().any(|r| r.status == 401),
        "{feed_requests:?}"
    );
}
