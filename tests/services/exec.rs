//! `patwiz exec`: the stored token reaches the command's environment in each consumer's shape,
//! never its argv; a token that no longer passes is refused before the command runs; the exit
//! code is the command's.

use crate::support::fixtures::{GIT_ZEN, MISSING};

#[test]
#[ignore = "needs a kernel session keyring (keyctl session -); .ci/run provides it"]
fn the_command_gets_the_token_in_its_environment_and_its_own_exit_code() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let org = emu.org_url();
    let home = tempfile::tempdir().unwrap();
    let patwiz = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .env("PATWIZ_CONFIG_DIR", home.path())
            .env("PATWIZ_SECRET_STORE", "keyutils");
        crate::support::cmd::output(&mut cmd, stdin)
    };
    let out = patwiz(
        &[
            "login",
            "--org",
            &org,
            "--profile",
            "git-zen",
            "--token-stdin",
        ],
        Some(GIT_ZEN),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The script checks the shapes itself (nothing secret is printed) and exits 7.
    let script = r#"
        [ "$AZURE_DEVOPS_EXT_PAT" = "$AZDO_PERSONAL_ACCESS_TOKEN" ] || exit 2
        [ "${#AZURE_DEVOPS_EXT_PAT}" -eq 84 ] || exit 3
        [ "$AZDO_ORG_SERVICE_URL" = "$1" ] || exit 4
        [ "$(printf %s "$PERSONAL_ACCESS_TOKEN" | base64 -d)" = "svc-gitzen@contoso.com:$AZURE_DEVOPS_EXT_PAT" ] || exit 5
        case "$(tr '\0' ' ' < /proc/$$/cmdline)" in *"$AZURE_DEVOPS_EXT_PAT"*) exit 6;; esac
        exit 7
    "#;
    let out = patwiz(
        &["exec", "--org", &org, "--", "sh", "-c", script, "sh", &org],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("JQQJ99"));

    // A token that no longer passes: the command never runs.
    let marker = home.path().join("ran");
    let out = patwiz(&["rotate", "--org", &org, "--token-stdin"], Some(MISSING));
    assert!(
        !out.status.success(),
        "rotate refuses a failing token, the old one stays"
    );
    let _ = patwiz(&["forget", "--org", &org], None);
    let out = patwiz(
        &[
            "login",
            "--org",
            &org,
            "--profile",
            "git-zen",
            "--token-stdin",
            "--force",
        ],
        Some(MISSING),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let touch = format!("touch '{}'", marker.display());
    let out = patwiz(&["exec", "--org", &org, "--", "sh", "-c", &touch], None);
    assert_eq!(out.status.code(), Some(1), "missing scopes: refused");
    assert!(!marker.exists(), "the command did not run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not running sh"));
    let out = patwiz(
        &[
            "exec",
            "--no-check",
            "--org",
            &org,
            "--",
            "sh",
            "-c",
            &touch,
        ],
        None,
    );
    assert!(
        out.status.success() && marker.exists(),
        "--no-check runs it"
    );
    let _ = patwiz(&["forget", "--org", &org], None);
}

/// `--nuget-feed` is a feed's name or nothing: `../../../evil` never reaches a URL, and the
/// endpoint is built on the organization's own package host (here the loopback organization,
/// as on Azure DevOps Server), not always on pkgs.dev.azure.com.
#[test]
#[ignore = "needs a kernel session keyring (keyctl session -); .ci/run provides it"]
fn the_nuget_feed_is_checked_as_a_name_and_its_endpoint_is_the_organizations() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let org = emu.org_url();
    let home = tempfile::tempdir().unwrap();
    let patwiz = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .env("PATWIZ_CONFIG_DIR", home.path())
            .env("PATWIZ_SECRET_STORE", "keyutils");
        crate::support::cmd::output(&mut cmd, stdin)
    };
    let login = [
        "login",
        "--org",
        &org,
        "--profile",
        "git-zen",
        "--token-stdin",
    ];
    let out = patwiz(&login, Some(GIT_ZEN));
    assert!(out.status.success(), "{}", crate::support::cmd::text(&out));
    let marker = home.path().join("ran");
    let touch = format!("touch '{}'", marker.display());
    let out = patwiz(
        &[
            "exec",
            "--org",
            &org,
            "--nuget-feed",
            "../../../evil",
            "--",
            "sh",
            "-c",
            &touch,
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(64),
        "a usage error: {}",
        crate::support::cmd::text(&out)
    );
    assert!(
        crate::support::cmd::text(&out).contains("--nuget-feed: a feed's name holds only"),
        "{}",
        crate::support::cmd::text(&out)
    );
    assert!(!marker.exists(), "the command never ran");
    let script = r#"
        case "$VSS_NUGET_EXTERNAL_FEED_ENDPOINTS" in
          *"\"endpoint\":\"$1/_packaging/shared/nuget/v3/index.json\""*) exit 7;;
        esac
        exit 3
    "#;
    let out = patwiz(
        &[
            "exec",
            "--org",
            &org,
            "--nuget-feed",
            "shared",
            "--",
            "sh",
            "-c",
            script,
            "sh",
            &org,
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        crate::support::cmd::text(&out)
    );
    let _ = patwiz(&["forget", "--org", &org], None);
}
