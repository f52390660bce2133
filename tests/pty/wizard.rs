//! The real binary in a pseudo-terminal, read as a person reads the screen: `patwiz demo` at
//! 80x24 with NO_COLOR, driven by keys and bracketed paste.

use crate::support::pty::{GIT_ZEN, MISSING, Session, to_create_at, to_paste};

#[test]
fn first_time_admin_reaches_stored() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(config.path());
    to_paste(&mut s);
    s.paste(GIT_ZEN);
    s.wait_for("Looks like an 84-character Azure DevOps PAT");
    assert!(s.screen().contains("AwfE••••"), "masked to four characters");
    s.assert_no_token_on_screen();
    s.send("\r");
    s.wait_for("5 of 5 proven");
    assert!(s.screen().contains("Token of Git-Zen Service"));
    s.send("\r");
    s.wait_for("Step 7 of 9");
    s.send("2027-05-31");
    s.send("\r");
    s.wait_for("Step 8 of 9");
    s.wait_for("Switch from OAuth to PAT");
    s.wait_for("Organization URL: http://127.0.0.1:");
    s.send("\r");
    s.wait_for("Step 9 of 9");
    s.wait_for("is stored");
    s.assert_no_token_on_screen();
    s.send("\r");
    assert!(s.finish(), "exit status");
    assert!(
        !s.parser.screen().alternate_screen(),
        "the terminal was restored"
    );
    s.assert_no_token_on_screen();
}

#[test]
fn helpdesk_fixes_a_missing_service_connections_scope() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(config.path());
    to_paste(&mut s);
    s.paste(MISSING);
    s.send("\r");
    s.wait_for("not on the token");
    s.wait_for("4 of 5 proven");
    assert!(
        s.screen()
            .contains("tick Service Connections: Read & query"),
        "{}",
        s.screen()
    );
    s.send("b");
    s.wait_for("Step 5 of 9");
    s.wait_for("Edit the token and tick Service Connections: Read & query");
    s.paste(GIT_ZEN);
    s.wait_for("Looks like");
    s.send("\r");
    s.wait_for("5 of 5 proven");
    s.assert_no_token_on_screen();
    s.send("\x11"); // Ctrl+Q: a proven, unsaved token asks first
    s.wait_for("Quit anyway?");
    s.send("y");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn helpdesk_is_warned_of_a_mistyped_paste_before_it_is_sent() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(config.path());
    to_paste(&mut s);
    // One character changed, as when a token is read out over the phone and typed.
    let mut typo = GIT_ZEN.as_bytes().to_vec();
    typo[40] = if typo[40] == b'x' { b'y' } else { b'x' };
    let typo = String::from_utf8(typo).unwrap();
    s.paste(&typo);
    s.wait_for("it looks mistyped or cut short");
    assert!(
        s.screen().contains("created in November 2026"),
        "{}",
        s.screen()
    );
    assert!(
        s.screen().contains("press Enter to check it"),
        "{}",
        s.screen()
    );
    s.assert_no_token_on_screen();
    // The right one: no warning, the checksum is said to match.
    s.send("\x7f");
    s.paste(GIT_ZEN);
    s.wait_for("checksum matches");
    assert!(!s.screen().contains("mistyped"), "{}", s.screen());
    // Nothing was checked yet, so nothing is lost: Ctrl+Q quits at once.
    s.send("\x11");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn a_team_lead_stores_the_proven_token_in_the_team_vault_from_the_save_step() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kv = rt
        .block_on(patwiz::emulator::kv::KvDouble::start(
            "team-root",
            std::time::Duration::ZERO,
        ))
        .unwrap();
    let config = tempfile::tempdir().unwrap();
    let addr = kv.addr();
    let mut s = Session::start_full(
        config.path(),
        &["demo"],
        &[("VAULT_ADDR", &addr), ("VAULT_TOKEN", "team-root")],
    );
    to_paste(&mut s);
    s.paste(GIT_ZEN);
    s.send("\r");
    s.wait_for("5 of 5 proven");
    s.send("\r");
    s.wait_for("Step 7 of 9");
    s.wait_for("Tab: store it in a team vault");
    s.send("\t");
    s.wait_for("Team vault (vault://MOUNT/PATH");
    s.send("vault://secret/ado/git-zen");
    s.wait_for("Where: the team vault vault://secret/ado/git-zen");
    s.send("\r");
    s.wait_for("Step 8 of 9");
    s.send("\r");
    s.wait_for("Step 9 of 9");
    s.wait_for("Stored in:");
    assert!(
        s.screen().contains("vault://secret/ado/git-zen"),
        "{}",
        s.screen()
    );
    s.assert_no_token_on_screen();
    assert_eq!(
        kv.version("secret/ado/git-zen", 1).unwrap()["token"],
        GIT_ZEN,
        "the vault holds the proven token"
    );
    assert_eq!(
        kv.custom_metadata("secret/ado/git-zen").unwrap()["profile"],
        "git-zen"
    );
    s.send("\r");
    assert!(s.finish());
}

#[test]
fn esc_goes_back_through_every_step() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(config.path());
    to_paste(&mut s);
    s.send("1"); // a demo token
    s.send("\r");
    s.wait_for("5 of 5 proven");
    for step in (1..=5).rev() {
        s.send("\x1b");
        s.wait_for(&format!("Step {step} of 9"));
    }
    s.send("\x1b"); // on the first step Esc quits, asking first: the proven token is unsaved
    s.wait_for("Quit anyway?");
    s.send("n");
    assert!(s.screen().contains("Step 1 of 9") && !s.screen().contains("Quit anyway?"));
    s.send("\x1b");
    s.wait_for("Quit anyway?");
    s.send("y");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn resizing_mid_validation_redraws_cleanly() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(config.path());
    to_paste(&mut s);
    s.send("9"); // the slow token: every answer takes 100 ms
    s.send("\r");
    s.resize(30, 100);
    s.wait_for("5 of 5 proven");
    let screen = s.screen();
    assert!(
        screen.lines().next().unwrap().contains("Step 6 of 9"),
        "{screen}"
    );
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .trim_end()
            .ends_with("•••••●···"),
        "the header spans the new width:\n{screen}"
    );
    s.resize(24, 80);
    // Keys go in once the wizard has redrawn at the new size (its footer on the last row).
    s.wait_until("the footer on row 24", |screen| {
        screen.lines().nth(23).is_some_and(|l| l.contains("? help"))
    });
    s.send("?");
    s.wait_for("keys on this screen");
    s.send("x");
    s.send("q");
    s.wait_for("Quit anyway?");
    s.send("y");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn without_a_clipboard_the_report_goes_through_the_terminal_and_into_a_file() {
    // No X11 and no Wayland: no system clipboard, as over SSH.
    let no_clipboard = [("DISPLAY", ""), ("WAYLAND_DISPLAY", "")];
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start_full(config.path(), &["demo"], &no_clipboard);
    to_paste(&mut s);
    s.send("2"); // the token without Service Connections: a failing check, the report matters
    s.send("\r");
    s.wait_for("4 of 5 proven");
    s.send("c");
    s.wait_for("the report is in");
    // The terminal was asked to put the report on its clipboard (OSC 52).
    let output = s.output();
    let start = output.find("\x1b]52;c;").expect("an OSC 52 request");
    let end = output[start..].find('\x07').unwrap() + start;
    use base64::Engine as _;
    let sent = base64::engine::general_purpose::STANDARD
        .decode(&output[start + 7..end])
        .unwrap();
    let sent = String::from_utf8(sent).unwrap();
    assert!(
        sent.starts_with("The token will not work for Git-Zen yet"),
        "{sent}"
    );
    assert!(!sent.contains(&MISSING[..12]), "the report holds no token");
    // And a file, readable by its owner only.
    let reports: Vec<_> = std::fs::read_dir(config.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(reports.len(), 1);
    assert_eq!(std::fs::read_to_string(&reports[0]).unwrap(), sent);
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&reports[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");

    // With OSC 52 turned off, the file alone, and the screen says so.
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start_full(
        config.path(),
        &["demo"],
        &[
            ("DISPLAY", ""),
            ("WAYLAND_DISPLAY", ""),
            ("PATWIZ_OSC52", "0"),
        ],
    );
    to_paste(&mut s);
    s.send("2");
    s.send("\r");
    s.wait_for("4 of 5 proven");
    s.send("c");
    s.wait_for("the report is in");
    assert!(
        !s.output().contains("\x1b]52;"),
        "no OSC 52 when turned off"
    );
    assert!(!s.screen().contains("OSC 52"), "{}", s.screen());
    // N-M4: named after the organization and the time, and shown whole on one line, so a
    // selection of it is the path.
    let report = std::fs::read_dir(config.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .unwrap();
    let name = report.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("patwiz-report-demo-2026-12-01-") && name.ends_with(".txt"),
        "{name}"
    );
    let path = report.display().to_string();
    assert!(
        s.screen().lines().any(|l| l.trim() == path),
        "the path alone on one line: {}",
        s.screen()
    );
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn without_a_clipboard_the_hand_off_copies_through_the_terminal_and_clears_it_on_leaving() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start_full(
        config.path(),
        &["demo"],
        &[("DISPLAY", ""), ("WAYLAND_DISPLAY", "")],
    );
    to_paste(&mut s);
    s.paste(GIT_ZEN);
    s.send("\r");
    s.wait_for("5 of 5 proven");
    s.send("\r");
    s.wait_for("Step 7 of 9");
    s.send("\r");
    s.wait_for("Step 8 of 9");
    s.send("t");
    s.wait_for("your terminal's clipboard");
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(GIT_ZEN);
    assert!(
        s.output().contains(&format!("\x1b]52;c;{encoded}\x07")),
        "the token went to the terminal's clipboard for one paste"
    );
    s.assert_no_token_on_screen();
    s.send("\r"); // leaving the step takes it off again
    s.wait_for("Step 9 of 9");
    s.pump(std::time::Duration::from_millis(300));
    assert!(s.output().contains("\x1b]52;c;!\x07"), "cleared on leaving");
    s.send("\r");
    assert!(s.finish());
}

#[test]
fn power_user_filters_the_scopes_and_raises_a_level_with_the_arrows() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(config.path());
    s.wait_for("Step 1 of 9");
    s.send("\r");
    s.wait_for("/demo");
    s.send("\r");
    s.wait_for("Step 3 of 9 · Scopes");
    s.wait_for("5 scopes chosen");
    s.send("/");
    s.send("wiki");
    s.wait_for("1 group matches");
    s.send("\r"); // keep the filter, letters are keys again
    s.send("\x1b[C"); // →: Wiki: Read
    s.wait_for("6 scopes chosen");
    s.wait_for("Git-Zen does not need Wiki at all");
    s.send("\x1b[C"); // →: Wiki: Read & write
    s.wait_until("Wiki at Read & write", |screen| {
        screen.contains("[Read & write]")
    });
    s.send("\x1b"); // Esc clears the filter first
    s.wait_for("of 37");
    assert!(s.screen().contains("Step 3 of 9"), "{}", s.screen());
    s.send("\r");
    s.wait_for("Step 4 of 9 · Create the token");
    s.wait_for("☑ Wiki: Read & write");
    s.send("\x1b");
    s.wait_for("Step 3 of 9");
    s.send(" "); // the cursor is still on Wiki: Space turns it off
    s.wait_for("5 scopes chosen");
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn without_a_clipboard_the_token_can_be_shown_once_after_a_warning_and_the_screen_is_cleared() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start_full(
        config.path(),
        &["demo"],
        &[
            ("DISPLAY", ""),
            ("WAYLAND_DISPLAY", ""),
            ("PATWIZ_OSC52", "0"),
        ],
    );
    to_paste(&mut s);
    s.paste(GIT_ZEN);
    s.send("\r");
    s.wait_for("5 of 5 proven");
    s.send("\r");
    s.wait_for("Step 7 of 9");
    s.send("\r");
    s.wait_for("Step 8 of 9");
    s.send("t");
    s.wait_for("v shows the token");
    s.wait_for("v show it once"); // now in the footer
    s.send("v");
    s.wait_for("Anyone who can see it");
    s.assert_no_token_on_screen();
    s.send("n"); // anything but y cancels
    s.wait_until("the question closed", |screen| {
        !screen.contains("Anyone who can see it")
    });
    s.assert_no_token_on_screen();
    s.send("v");
    s.wait_for("Anyone who can see it");
    s.send("y");
    let groups: Vec<String> = GIT_ZEN
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect())
        .collect();
    let first_row = groups[..8].join(" ");
    s.wait_for(&first_row);
    s.send(" ");
    s.wait_for("shown once and the screen cleared");
    s.assert_no_token_on_screen_now();
    assert!(!s.screen().contains("v show it once"), "offered once only");
    s.send("v");
    s.pump(std::time::Duration::from_millis(200));
    assert!(!s.screen().contains("Anyone who can see it"), "not again");
    s.send("\r");
    s.wait_for("Step 9 of 9");
    s.send("\r");
    assert!(s.finish());
}

#[test]
fn first_time_admin_has_the_token_created_for_them_without_copying_anything() {
    let config = tempfile::tempdir().unwrap();
    // The person's browser: signs in at the (emulated) Microsoft Entra and is sent back.
    let browser = crate::support::fixtures::fake_browser(config.path());
    let browser = browser.to_str().unwrap().to_string();
    let mut s = Session::start_full(config.path(), &["demo"], &[("BROWSER", &browser)]);
    s.wait_for("Step 1 of 9");
    s.send("\r");
    s.wait_for("/demo");
    s.send("\r");
    s.wait_for("Step 3 of 9");
    s.send("\r");
    s.wait_for("Step 4 of 9");
    s.wait_for("a create it for me");
    s.send("a");
    s.wait_for("5 of 5 proven");
    assert!(
        s.screen()
            .contains("Created by patwiz through Azure DevOps' API"),
        "{}",
        s.screen()
    );
    s.assert_no_token_on_screen_now();
    s.send("\r");
    s.wait_for("Step 7 of 9");
    s.send("\r");
    s.wait_for("Step 8 of 9");
    s.send("\r");
    s.wait_for("is stored");
    s.wait_for("patwiz keeps its id");
    s.send("\r");
    assert!(s.finish());
}

#[test]
fn a_token_created_in_the_wizard_and_kept_in_the_team_vault_is_never_taken_for_a_leftover() {
    // The real wizard (not the demo, whose settings are scratch) against the emulator.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let kv = rt
        .block_on(patwiz::emulator::kv::KvDouble::start(
            "team-root",
            std::time::Duration::ZERO,
        ))
        .unwrap();
    let config = tempfile::tempdir().unwrap();
    let browser = crate::support::fixtures::fake_browser(config.path());
    let browser = browser.to_str().unwrap().to_string();
    let addr = kv.addr();
    let mut s = Session::start_full(
        config.path(),
        &["wizard"],
        &[
            ("BROWSER", &browser),
            ("VAULT_ADDR", &addr),
            ("VAULT_TOKEN", "team-root"),
        ],
    );
    to_create_at(&mut s, &emu.org_url());
    s.wait_for("a create it for me");
    s.send("a");
    s.wait_for("5 of 5 proven");
    s.send("\r");
    s.wait_for("Tab: store it in a team vault");
    s.send("\t");
    s.wait_for("Team vault (vault://MOUNT/PATH");
    s.send("vault://secret/ado/created");
    s.wait_for("Where: the team vault vault://secret/ado/created");
    s.send("\r");
    s.wait_for("Step 8 of 9");
    s.send("\r");
    s.wait_for("Step 9 of 9");
    s.send("\r");
    assert!(s.finish());
    let facts = kv.custom_metadata("secret/ado/created").unwrap();
    let id = facts["authorization_id"].clone();
    assert!(!id.is_empty(), "{facts:?}");
    // The journal lets go of it: a later cleanup must not revoke the team's token.
    let settings = std::fs::read_to_string(config.path().join("settings.toml")).unwrap();
    assert!(
        !settings.contains(&id),
        "the created token is still journaled as never stored: {settings}"
    );
    assert_eq!(emu.minted_live(), 1);
}

#[test]
fn the_wizard_signs_in_to_a_key_vault_in_the_browser_when_there_is_no_azure_cli() {
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
    let config = tempfile::tempdir().unwrap();
    let ca = config.path().join("ca.pem");
    std::fs::write(&ca, vault.ca_pem()).unwrap();
    let browser = crate::support::fixtures::fake_browser(config.path());
    let (browser, ca) = (
        browser.to_str().unwrap().to_string(),
        ca.to_str().unwrap().to_string(),
    );
    let mut s = Session::start_full(
        config.path(),
        &["wizard"],
        &[
            ("BROWSER", &browser),
            ("PATWIZ_AZ", "/nonexistent/az"),
            ("SSL_CERT_FILE", &ca),
        ],
    );
    to_create_at(&mut s, &emu.org_url());
    s.send("\r");
    s.wait_for("Step 5 of 9");
    s.paste(&emu.token("git-zen").unwrap());
    s.send("\r");
    s.wait_for("5 of 5 proven");
    s.send("\r");
    s.wait_for("Tab: store it in a team vault");
    s.send("\t");
    s.wait_for("Team vault (vault://MOUNT/PATH");
    let to = format!("{}/secrets/ado-git-zen", vault.url());
    s.send(&to);
    s.send("\r");
    s.wait_for("Step 8 of 9");
    s.send("\r");
    s.wait_for("Step 9 of 9");
    assert!(s.screen().contains("ado-git-zen"), "{}", s.screen());
    s.assert_no_token_on_screen();
    s.send("\r");
    assert!(s.finish());
    assert_eq!(
        vault.versions("ado-git-zen"),
        1,
        "stored after a browser sign-in"
    );
    assert_eq!(vault.tags("ado-git-zen")["profile"], "git-zen");
}

#[test]
fn helpdesk_adds_a_missing_scope_to_the_token_patwiz_created_without_a_new_one() {
    let config = tempfile::tempdir().unwrap();
    let browser = crate::support::fixtures::fake_browser(config.path());
    let browser = browser.to_str().unwrap().to_string();
    let mut s = Session::start_full(config.path(), &["demo"], &[("BROWSER", &browser)]);
    s.wait_for("Step 1 of 9");
    s.send("\r");
    s.wait_for("/demo");
    s.send("\r");
    s.wait_for("Step 3 of 9");
    s.send("\r");
    s.wait_for("Step 4 of 9");
    s.send("a");
    s.wait_for("5 of 5 proven");
    // The helpdesk then finds the integration needs one more group: the token lacks it.
    s.send("s");
    s.wait_for("Step 3 of 9");
    for _ in 0..5 {
        s.send("\x1b[B");
    }
    s.send(" ");
    s.wait_for("6 scopes chosen");
    s.send("\r");
    s.wait_for("Step 4 of 9");
    s.send("\r");
    s.wait_for("Step 5 of 9");
    s.send("\r");
    s.wait_for("not on the token");
    s.wait_for("m add the missing scopes");
    s.send("m");
    s.wait_until("every scope proven", |screen| {
        !screen.contains("not on the token") && screen.contains("Enter save")
    });
    s.assert_no_token_on_screen_now();
    s.send("\x11");
    s.wait_for("Quit anyway?");
    s.send("y");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

/// A window too small to draw in shows a notice that says keys wait: Enter there moves no
/// step the person cannot see, and once the window is large enough the same screen is back.
#[test]
fn keys_wait_while_the_window_is_too_small() {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start(config.path());
    s.wait_for("Step 1 of 9");
    s.resize(20, 60);
    s.wait_for("keys wait");
    s.send("\r");
    s.send("\r");
    s.send("q");
    s.pump(std::time::Duration::from_millis(300));
    s.resize(24, 80);
    s.wait_for("Step");
    let screen = s.screen();
    assert!(screen.contains("Step 1 of 9"), "{screen}");
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}
