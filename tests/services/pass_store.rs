//! `pass`, the standard Unix password manager, with a throwaway GnuPG key as a small team's
//! store: a proven token and its facts written through pass's standard input and read back by
//! `pass show`; a rotation that finds the entry changed under it writes nothing; the fleet view.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use patwiz::emulator::Scenario;

struct Store {
    gnupg: tempfile::TempDir,
    dir: tempfile::TempDir,
}

impl Store {
    fn new() -> Store {
        let gnupg = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(gnupg.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let store = Store { gnupg, dir };
        let key = store
            .cmd("gpg")
            .args([
                "--batch",
                "--passphrase",
                "",
                "--quick-gen-key",
                "patwiz-test@example.invalid",
                "default",
                "default",
                "never",
            ])
            .output()
            .expect("this test needs gpg");
        assert!(
            key.status.success(),
            "{}",
            String::from_utf8_lossy(&key.stderr)
        );
        let init = store
            .cmd("pass")
            .args(["init", "patwiz-test@example.invalid"])
            .output()
            .expect("this test needs pass");
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        store
    }

    fn cmd(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("GNUPGHOME", self.gnupg.path())
            .env("PASSWORD_STORE_DIR", self.dir.path());
        cmd
    }

    fn show(&self, name: &str) -> String {
        let out = self.cmd("pass").args(["show", name]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn patwiz(&self, config: &Path, args: &[&str]) -> Command {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .env("GNUPGHOME", self.gnupg.path())
            .env("PASSWORD_STORE_DIR", self.dir.path())
            .env("PATWIZ_CONFIG_DIR", config);
        cmd
    }
}

#[test]
#[ignore = "needs pass and gpg (Debian packages); .ci/run installs them"]
fn pass_holds_the_proven_token_and_a_changed_entry_is_never_overwritten() {
    let store = Store::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Every authenticated answer 400 ms late: time to change the entry while a rotation proves.
    let slow = Scenario::parse(&format!(
        "{}\n[[faults]]\nkind = \"latency\"\nms = 400\n",
        patwiz::emulator::scenario::DEFAULT_SCENARIO
    ))
    .unwrap();
    let emu = rt
        .block_on(crate::support::clock::start(slow, "127.0.0.1:0"))
        .unwrap();
    let org = emu.org_url();
    let config = tempfile::tempdir().unwrap();
    let first = emu.token("git-zen").unwrap();
    let to = "pass://ado/demo/git-zen";
    let out = crate::support::cmd::output(
        &mut store.patwiz(
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
            ],
        ),
        Some(&first),
    );
    let text = crate::support::cmd::text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Stored in pass://ado/demo/git-zen"), "{text}");
    assert!(!text.contains(&first[..10]));
    // pass's own client: the token on the first line, the facts after it.
    let shown = store.show("ado/demo/git-zen");
    let mut lines = shown.lines();
    assert_eq!(lines.next(), Some(first.as_str()));
    assert!(shown.contains(&format!("org_url: {org}\n")), "{shown}");
    assert!(shown.contains("profile: git-zen\n"), "{shown}");
    assert!(shown.contains("last_verdict: pass\n"), "{shown}");

    // Someone changes the entry while a rotation is proving its token: nothing is overwritten.
    let next = emu.token("legacy-format").unwrap();
    let mut rotate = store.patwiz(
        config.path(),
        &["rotate", "--to", to, "--org", &org, "--token-stdin"],
    );
    rotate.stdin(std::process::Stdio::piped());
    let mut child = rotate.spawn().unwrap();
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(next.as_bytes())
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut edit = store.cmd("pass");
    edit.args(["insert", "--multiline", "--force", "ado/demo/git-zen"])
        .stdin(std::process::Stdio::piped());
    let mut editor = edit.spawn().unwrap();
    {
        use std::io::Write as _;
        editor
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{first}\nprofile: git-zen\nnote: edited by hand\n").as_bytes())
            .unwrap();
    }
    assert!(editor.wait().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(75), "{text}");
    assert!(
        text.contains("someone else changed pass://ado/demo/git-zen"),
        "{text}"
    );
    assert!(
        store
            .show("ado/demo/git-zen")
            .contains("note: edited by hand"),
        "kept"
    );

    // Run again on the entry as it is now: the rotation lands and the team's own line stays.
    let out = crate::support::cmd::output(
        &mut store.patwiz(
            config.path(),
            &["rotate", "--org", &org, "--to", to, "--token-stdin"],
        ),
        Some(&next),
    );
    let text = crate::support::cmd::text(&out);
    assert!(out.status.success(), "{text}");
    let shown = store.show("ado/demo/git-zen");
    assert_eq!(shown.lines().next(), Some(next.as_str()));
    assert!(shown.contains("note: edited by hand"), "{shown}");

    // The fleet view over the store, proven again.
    let out = crate::support::cmd::output(
        &mut store.patwiz(
            config.path(),
            &[
                "status",
                "--from",
                "pass://ado",
                "--check",
                "--trust-server",
                &crate::support::fixtures::local_port_of(&org),
                "--json",
            ],
        ),
        None,
    );
    let text = crate::support::cmd::text(&out);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{text}"));
    assert_eq!(json["tokens"][0]["path"], "ado/demo/git-zen", "{text}");
    assert_eq!(json["tokens"][0]["last_verdict"], "pass", "{text}");
    assert!(!text.contains(&next[..10]));
}
