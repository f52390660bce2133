//! `rotate --create` killed after each of its steps (created and journaled, marked, staged,
//! swapped, recorded, cleaned, stored): a working token is stored every time, and the next
//! `rotate --create` finishes the job. The real kernel keyring; the emulator's Entra and API.

use std::process::Output;

fn run(
    dir: &std::path::Path,
    browser: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(args)
        .env("PATWIZ_CONFIG_DIR", dir)
        .env("PATWIZ_SECRET_STORE", "keyutils")
        .env("BROWSER", browser)
        .env_remove("PATWIZ_TEST_CRASH_AFTER")
        .env_remove("PATWIZ_TEST_CRASH_MINT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
#[ignore = "needs a kernel session keyring (keyctl session -); .ci/run provides it"]
fn a_rotation_by_creating_killed_after_any_step_leaves_a_working_token() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(crate::support::clock::start_demo()).unwrap();
    let org = emu.org_url();
    for (variable, step) in [
        ("PATWIZ_TEST_CRASH_MINT", "journaled"),
        ("PATWIZ_TEST_CRASH_AFTER", "marked"),
        ("PATWIZ_TEST_CRASH_AFTER", "staged"),
        ("PATWIZ_TEST_CRASH_AFTER", "swapped"),
        ("PATWIZ_TEST_CRASH_AFTER", "recorded"),
        ("PATWIZ_TEST_CRASH_AFTER", "cleaned"),
        ("PATWIZ_TEST_CRASH_MINT", "stored"),
    ] {
        let home = tempfile::tempdir().unwrap();
        let browser = crate::support::fixtures::fake_browser(home.path());
        let dir = home.path();
        let out = run(
            dir,
            &browser,
            &["create", "--org", &org, "--profile", "nango"],
            &[],
        );
        assert!(
            out.status.success(),
            "{step}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(
            dir,
            &browser,
            &["rotate", "--org", &org, "--create"],
            &[(variable, step)],
        );
        assert!(!out.status.success(), "{step}: the process was stopped");
        // Whatever is stored works.
        let out = run(dir, &browser, &["check", "--org", &org, "--json"], &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "after {step}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        // The next rotation finishes what was left and works.
        let out = run(dir, &browser, &["rotate", "--org", &org, "--create"], &[]);
        assert!(
            out.status.success(),
            "after {step}, rotating again: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(dir, &browser, &["check", "--org", &org, "--json"], &[]);
        assert_eq!(out.status.code(), Some(0), "after {step} and a rotation");
        let _ = run(dir, &browser, &["forget", "--org", &org], &[]);
    }
}
