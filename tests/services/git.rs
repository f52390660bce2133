//! git's own client against the emulator's smart-HTTP endpoint, with patwiz as its credential
//! helper: `git ls-remote` works with the helper and fails cleanly without it, `git credential
//! fill` gets the stored token and its expiry, and a host patwiz does not manage gets nothing.

use std::process::{Command, Stdio};

use crate::support::fixtures::GIT_ZEN;

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
#[ignore = "needs git and a kernel session keyring (keyctl session -); .ci/run provides both"]
fn git_clones_metadata_with_patwiz_as_its_helper_and_not_without() {
    assert!(git_available(), "this test needs git");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let org = emu.org_url();
    let repo = format!("{org}/Fabrikam%20Fiber/_git/fabrikam-web");
    let home = tempfile::tempdir().unwrap();
    let gitconfig = home.path().join("gitconfig");
    let env = |cmd: &mut Command| {
        cmd.env("PATWIZ_CONFIG_DIR", home.path())
            .env("PATWIZ_SECRET_STORE", "keyutils")
            .env("GIT_CONFIG_GLOBAL", &gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    std::path::Path::new(env!("CARGO_BIN_EXE_patwiz"))
                        .parent()
                        .unwrap()
                        .display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            );
    };
    let mut login = crate::support::cmd::patwiz();
    env(&mut login);
    let out = crate::support::cmd::output(
        login.args([
            "login",
            "--org",
            &org,
            "--profile",
            "git-zen",
            "--token-stdin",
            "--expires",
            "2027-05-31",
        ]),
        Some(GIT_ZEN),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Without the helper, git cannot get in and says so (no prompt, no hang).
    let mut bare = Command::new("git");
    env(&mut bare);
    let out = bare
        .args(["ls-remote", &repo])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());

    let mut setup = crate::support::cmd::patwiz();
    env(&mut setup);
    let out = setup.arg("setup-git").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = std::fs::read_to_string(&gitconfig).unwrap();
    assert!(
        config.contains("git-credential") && config.contains("useHttpPath = true"),
        "{config}"
    );

    let mut ls = Command::new("git");
    env(&mut ls);
    let out = ls
        .args(["ls-remote", &repo])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("refs/heads/main"), "{text}");

    let url = url::Url::parse(&org).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut fill = Command::new("git");
    env(&mut fill);
    let out = crate::support::cmd::output(
        fill.args(["credential", "fill"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        Some(&format!(
            "protocol=http\nhost={host}\npath=demo/Fabrikam%20Fiber/_git/fabrikam-web\n\n"
        )),
    );
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(
        answer.contains(&format!("password={GIT_ZEN}")),
        "the stored token: {} / {}",
        answer.replace(GIT_ZEN, "<token>"),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        answer.contains("password_expiry_utc=1811807999"),
        "and its expiry: {}",
        answer.replace(GIT_ZEN, "<token>")
    );

    // A host patwiz does not manage: nothing from patwiz (git would ask the next helper).
    let mut other = crate::support::cmd::patwiz();
    env(&mut other);
    let out = crate::support::cmd::output(
        other.args(["git-credential", "get"]),
        Some("protocol=https\nhost=github.com\npath=o/r.git\n\n"),
    );
    assert!(out.status.success() && out.stdout.is_empty());

    let mut undo = crate::support::cmd::patwiz();
    env(&mut undo);
    assert!(
        undo.args(["setup-git", "--undo"])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(
        !std::fs::read_to_string(&gitconfig)
            .unwrap()
            .contains("git-credential")
    );
    let mut forget = crate::support::cmd::patwiz();
    env(&mut forget);
    let _ = forget.args(["forget", "--org", &org]).output();
}

/// git runs a `!` helper through the shell: an install folder whose name closes the quote
/// (`x';touch pwned;'`) must stay a name. Before helper_line, git ran `touch pwned` on every
/// credential request and never reached patwiz.
#[test]
#[ignore = "needs git and a kernel session keyring (keyctl session -); .ci/run provides both"]
fn an_install_path_that_closes_the_quote_stays_a_path_for_git() {
    assert!(git_available(), "this test needs git");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let org = emu.org_url();
    let home = tempfile::tempdir().unwrap();
    let gitconfig = home.path().join("gitconfig");
    // The binary under a hostile folder name, on the same file system as the build.
    let install = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let folder = install.path().join("x';touch pwned;'");
    std::fs::create_dir(&folder).unwrap();
    let exe = folder.join("patwiz");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_patwiz"), &exe).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_patwiz"), &exe).unwrap();
    }
    let env = |cmd: &mut Command| {
        cmd.current_dir(home.path())
            .env("PATWIZ_CONFIG_DIR", home.path())
            .env("PATWIZ_SECRET_STORE", "keyutils")
            .env("GIT_CONFIG_GLOBAL", &gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0");
    };
    let mut login = crate::support::cmd::patwiz();
    env(&mut login);
    let out = crate::support::cmd::output(
        login.args([
            "login",
            "--org",
            &org,
            "--profile",
            "git-zen",
            "--token-stdin",
        ]),
        Some(GIT_ZEN),
    );
    assert!(out.status.success(), "{}", crate::support::cmd::text(&out));
    let mut setup = Command::new(&exe);
    setup
        .env("PATWIZ_TEST_CLOCK", crate::support::clock::TEST_DAY)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    env(&mut setup);
    let out = setup.arg("setup-git").output().unwrap();
    assert!(out.status.success(), "{}", crate::support::cmd::text(&out));

    let url = url::Url::parse(&org).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut fill = Command::new("git");
    env(&mut fill);
    let out = crate::support::cmd::output(
        fill.args(["credential", "fill"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        Some(&format!(
            "protocol=http\nhost={host}\npath=demo/Fabrikam%20Fiber/_git/fabrikam-web\n\n"
        )),
    );
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(
        !home.path().join("pwned").exists(),
        "the folder's name ran as a command"
    );
    assert!(
        answer.contains(&format!("password={GIT_ZEN}")),
        "patwiz under that folder answered git: {} / {}",
        answer.replace(GIT_ZEN, "<token>"),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut forget = crate::support::cmd::patwiz();
    env(&mut forget);
    let _ = forget.args(["forget", "--org", &org]).output();
}
