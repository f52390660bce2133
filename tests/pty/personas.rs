//! Persona journeys, the real binary in a pseudo-terminal at 80x24 with NO_COLOR, against the
//! emulator. (The first-time admin and the helpdesk's missing Service Connections are in
//! wizard_pty.rs.)

use crate::support::pty::{GIT_ZEN, Session, store_usable, to_paste};

const OTHER_ORG: &str =
    "WXAsbtLmGrZ4WaYmcImaYRpwUun4rjYXWyheKIgze6ZV0U6tA10uJQQJ99CKP5GR2ItWVSElAAAAAZDO2B84";
const LEGACY: &str = "zcybhbtdd2gkj4iur66nam5wa5yydx5s6kcq46oya7vngcngsuuq";

#[test]
fn helpdesk_fixes_a_token_made_for_the_wrong_organization() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(config.path());
    to_paste(&mut s);
    s.paste(OTHER_ORG);
    s.send("\r");
    s.wait_for("Token not accepted");
    s.wait_for(" Azure DevOps rejected this token.");
    s.wait_for("The token will not work for Git-Zen · 0 of 5 proven.");
    assert!(
        s.screen().contains("Confirm you copied it without"),
        "{}",
        s.screen()
    );
    assert!(
        s.screen().contains("token's organization is"),
        "{}",
        s.screen()
    );
    s.assert_no_token_on_screen();
    assert!(!s.screen().contains(&OTHER_ORG[..5]));
    s.send("b");
    s.wait_for("Step 5 of 9");
    s.paste(GIT_ZEN);
    s.send("\r");
    s.wait_for("5 of 5 proven");
    s.send("\x11");
    s.wait_for("Quit anyway?");
    s.send("y");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
#[ignore = "needs an OS secret store that outlives a process (Secret Service or a kernel session keyring); .ci/run provides them"]
fn a_power_user_rotates_from_the_keyboard_then_checks_status() {
    if let Err(why) = store_usable() {
        panic!("this test needs a working OS secret store: {why}");
    }
    // The store this machine offers (empty: the binary's own choice), in every process.
    let real_store = std::env::var("PATWIZ_SECRET_STORE").unwrap_or_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emu = runtime
        .block_on(crate::support::clock::start_demo())
        .unwrap();
    let org = emu.org_url();
    let config = tempfile::tempdir().unwrap();
    let patwiz = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write as _;
        let mut child = crate::support::cmd::patwiz()
            .args(args)
            .env("PATWIZ_CONFIG_DIR", config.path())
            .env("PATWIZ_SECRET_STORE", &real_store)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
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

    // The wizard offers the stored organization; keys only.
    let mut s = Session::start_full(
        config.path(),
        &["wizard"],
        &[("PATWIZ_SECRET_STORE", &real_store)],
    );
    s.wait_for("Rotate: demo");
    s.send("r"); // the stored organization's hotkey
    s.wait_for("Step 4 of 9");
    assert!(s.screen().contains("rotating"), "{}", s.screen());
    s.send("\r");
    s.wait_for("Step 5 of 9");
    s.paste(LEGACY);
    s.wait_for("52-character");
    s.send("\r");
    s.wait_for("5 of 5 proven");
    s.send("\r");
    s.wait_for("Replace the stored token for");
    s.send("\r");
    s.wait_for("Step 8 of 9");
    s.send("\r");
    s.wait_for("Step 9 of 9");
    s.assert_no_token_on_screen();
    assert!(!s.screen().contains(&LEGACY[..5]));
    s.send("\r");
    assert!(s.finish());

    // status: the rotation kept the profile and recorded a fresh check.
    let out = patwiz(&["status", "--json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = &json["orgs"][0];
    assert_eq!(entry["profile"], "git-zen");
    assert_eq!(entry["last_verdict"], "pass");
    assert_eq!(entry["rotation_interrupted"], false);
    assert_eq!(entry["token_stored"], true);
    // check uses the stored token, which is now the new one.
    let out = patwiz(
        &["check", "--org", &org, "--profile", "git-zen", "--json"],
        None,
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(&LEGACY[..12]) && !text.contains(&GIT_ZEN[..12]));
    let requests = emu.requests();
    assert!(
        requests
            .iter()
            .rev()
            .any(|r| r.token.as_deref() == Some("legacy-format")),
        "check used the rotated token"
    );
    let _ = patwiz(&["forget", "--org", &org], None);
}

#[test]
fn a_power_user_pastes_at_logins_hidden_prompt() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(crate::support::clock::start_demo())
        .unwrap();
    let url = emulator.org_url();
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start_full(
        config.path(),
        &["login", "--org", &url, "--profile", "git-zen"],
        &[],
    );
    s.wait_for("Paste the new token for");
    s.wait_for("(it is not shown)");
    s.send(GIT_ZEN);
    s.assert_no_token_on_screen();
    assert!(!s.screen().contains(&GIT_ZEN[..3]), "no echo");
    s.send("\r");
    assert!(s.finish(), "login succeeds:\n{}", s.screen());
    assert!(s.screen().contains("5 of 5"), "{}", s.screen());
    s.assert_no_token_on_screen();
    drop(emulator);
}

#[test]
#[ignore = "needs an OS secret store that outlives a process (Secret Service or a kernel session keyring); .ci/run provides them"]
fn a_power_user_rotates_a_token_patwiz_created_and_the_old_one_is_revoked() {
    if let Err(why) = store_usable() {
        panic!("this test needs a working OS secret store: {why}");
    }
    let real_store = std::env::var("PATWIZ_SECRET_STORE").unwrap_or_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emu = runtime
        .block_on(crate::support::clock::start_demo())
        .unwrap();
    let org = emu.org_url();
    let config = tempfile::tempdir().unwrap();
    let browser = crate::support::fixtures::fake_browser(config.path());
    let browser = browser.to_str().unwrap().to_string();
    let out = crate::support::cmd::patwiz()
        .args(["create", "--org", &org, "--profile", "git-zen"])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .env("PATWIZ_SECRET_STORE", &real_store)
        .env("BROWSER", &browser)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(emu.minted_live(), 1);
    let mut s = Session::start_full(
        config.path(),
        &["wizard"],
        &[("PATWIZ_SECRET_STORE", &real_store), ("BROWSER", &browser)],
    );
    s.wait_for("Rotate: demo");
    // e extends the same token in place (90 days), proven again, nothing to hand over.
    s.wait_for("e extend 90 days");
    s.send("e");
    s.wait_for("Extended in place to");
    s.wait_for("it works");
    s.wait_for("90 days left");
    // One key: Azure DevOps creates the new token, patwiz proves and stores it, and stops at
    // the hand-over (the integration needs the new one).
    s.send("r");
    s.wait_for("Step 8 of 9");
    s.wait_for("in place of the old one");
    s.send("\r");
    s.wait_for("revoke the old token");
    s.assert_no_token_on_screen_now();
    s.send("\r");
    assert!(s.finish());
    assert_eq!(
        emu.minted_live(),
        1,
        "the old token was revoked, the new one is live"
    );
    let _ = crate::support::cmd::patwiz()
        .args(["forget", "--org", &org])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .env("PATWIZ_SECRET_STORE", &real_store)
        .output();
}
