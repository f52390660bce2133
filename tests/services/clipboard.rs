//! The real X11 clipboard (Xvfb + xclip): the hand-off copies the token for one paste and the
//! clipboard forgets it when its time is up or the step is left.

use std::time::{Duration, Instant};

use crate::support::pty::{GIT_ZEN, Session, to_paste, wait_scale};

fn clipboard_text() -> Option<String> {
    let out = std::process::Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
#[ignore = "needs an X11 display (Xvfb) and xclip; .ci/run provides them"]
fn the_hand_off_copies_the_token_once_and_the_clipboard_forgets_it_when_its_time_is_up() {
    assert!(
        std::env::var_os("DISPLAY").is_some()
            && std::process::Command::new("xclip")
                .arg("-version")
                .output()
                .is_ok(),
        "this test needs an X11 display (DISPLAY) and xclip"
    );
    let config = tempfile::tempdir().unwrap();
    // The clipboard holds the token for 3 seconds here (30 by default).
    let mut s = Session::start_full(
        config.path(),
        &["demo"],
        &[("PATWIZ_CLIPBOARD_SECONDS", "3")],
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
    s.wait_for("on the clipboard for one paste");
    let started = Instant::now();
    assert_eq!(
        clipboard_text().as_deref(),
        Some(GIT_ZEN),
        "the copy key puts the token on the clipboard"
    );
    s.assert_no_token_on_screen();
    // The countdown is shown and the clipboard is cleared when it ends.
    s.wait_for("cleared in");
    let deadline = Instant::now() + Duration::from_secs(20) * wait_scale();
    while clipboard_text().as_deref() == Some(GIT_ZEN) && Instant::now() < deadline {
        s.pump(Duration::from_millis(500));
    }
    let held_for = started.elapsed();
    assert_ne!(
        clipboard_text().as_deref(),
        Some(GIT_ZEN),
        "the clipboard still holds the token"
    );
    assert!(
        held_for >= Duration::from_secs(2),
        "cleared too early ({held_for:?})"
    );
    s.wait_for("cleared from the clipboard");
    // Copy again, then leave the step: cleared at once.
    s.send("t");
    s.wait_for("on the clipboard for one paste");
    assert_eq!(clipboard_text().as_deref(), Some(GIT_ZEN));
    s.send("\r");
    s.wait_for("Step 9 of 9");
    s.pump(Duration::from_millis(500));
    assert_ne!(
        clipboard_text().as_deref(),
        Some(GIT_ZEN),
        "leaving the step clears the clipboard"
    );
    s.assert_no_token_on_screen();
    s.send("\r");
    assert!(s.finish());
}
