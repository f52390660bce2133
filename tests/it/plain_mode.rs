//! `patwiz demo --plain`: the same steps as line prompts (screen readers, TERM=dumb).

use std::io::Write;
use std::process::Stdio;

#[test]
fn plain_prompts_walk_through_every_step_without_showing_the_token() {
    let config = tempfile::tempdir().unwrap();
    let mut child = crate::support::cmd::patwiz()
        .args(["demo", "--plain"])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // profile (default Git-Zen), organization (the demo's), scopes (as listed), create, a demo
    // token that lacks a scope, b for a new token, another token, save, the expiry date,
    // the hand-off, done.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\n\n\n\n2\nb\n1\n\n2027-05-31\n\n\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "Step 1 of 9: Choose the integration",
        "Step 2 of 9: Your organization",
        "Step 3 of 9: Scopes",
        "Step 4 of 9: Create the token",
        "Name: Git-Zen Integration",
        "Step 5 of 9: Paste the token",
        "✗ Service Connections: Read & query        not on the token",
        "What to do now",
        "Edit the token in Azure DevOps",
        "tick Service Connections: Read & query",
        "The token will not work for Git-Zen yet · 4 of 5 proven.",
        "or a key, then Enter: r re-run · b new token",
        "The token works for Git-Zen · 5 of 5 proven.",
        "Step 7 of 9: Save",
        "Step 8 of 9: Hand it over",
        "Organization URL: http://127.0.0.1:",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    for token in [
        crate::support::fixtures::GIT_ZEN,
        crate::support::fixtures::MISSING,
    ] {
        assert!(!text.contains(&token[..5]), "token on screen:\n{text}");
    }
    assert!(text.contains("Step 9 of 9: Done"), "not stored:\n{text}");
    assert!(
        text.contains("A proven token for Git-Zen is stored."),
        "{text}"
    );
    for glyph in ['▏', '▶'] {
        assert!(
            !text.contains(glyph),
            "a screen glyph in plain text: {glyph}"
        );
    }
    assert!(out.status.success());
}

#[test]
fn plain_mode_stores_in_a_team_vault_when_the_save_answer_names_one() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kv = rt
        .block_on(patwiz::emulator::kv::KvDouble::start(
            "team-root",
            std::time::Duration::ZERO,
        ))
        .unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut child = crate::support::cmd::patwiz()
        .args(["demo", "--plain"])
        .env("PATWIZ_CONFIG_DIR", config.path())
        .env("TERM", "dumb")
        .env("VAULT_ADDR", kv.addr())
        .env("VAULT_TOKEN", "team-root")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // profile, organization, scopes, create, the good demo token, then the date and the vault.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\n\n\n\n1\n\n2027-05-31 vault://secret/ado/git-zen\n\n\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("add vault://"), "{text}");
    assert!(
        !text.contains("Tab: store it"),
        "no key hints in plain mode: {text}"
    );
    assert!(text.contains("Step 9 of 9: Done"), "{text}");
    assert!(text.contains("vault://secret/ado/git-zen"), "{text}");
    assert_eq!(
        kv.version("secret/ado/git-zen", 1).unwrap()["token"],
        crate::support::fixtures::GIT_ZEN
    );
    assert_eq!(
        kv.custom_metadata("secret/ado/git-zen").unwrap()["expires"],
        "2027-05-31"
    );
    assert!(!text.contains(&crate::support::fixtures::GIT_ZEN[..5]));
    assert!(out.status.success());
}
