//! A real terminal for tests: the binary in a pseudo-terminal (portable-pty), its output
//! kept draining into a screen model (vt100), keys and bracketed paste sent as bytes.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub use super::fixtures::{GIT_ZEN, MISSING};

pub struct Session {
    master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    output: Receiver<Vec<u8>>,
    pub parser: vt100::Parser,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    raw: Vec<u8>,
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("non-zero size")
}

pub fn wait_scale() -> u32 {
    if std::env::var_os("CI").is_some() {
        3
    } else {
        1
    }
}

impl Session {
    pub fn start(config: &std::path::Path) -> Session {
        Session::start_with(config, &["demo"])
    }

    pub fn start_with(config: &std::path::Path, args: &[&str]) -> Session {
        Session::start_full(config, args, &[])
    }

    /// The binary with `args` and extra environment; the token is kept in the memory store
    /// (the wizard saves and hands over in one process) unless `env` names another.
    pub fn start_full(config: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Session {
        Session::start_on(config, args, env, None)
    }

    /// As [`Session::start_full`], in a terminal whose background is `background` (an X11
    /// colour spec, "rgb:ffff/ffff/ffff"): it answers the OSC 11 question as xterm does. Every
    /// session answers the device-attributes query (DA1), as every terminal does.
    pub fn start_on(
        config: &std::path::Path,
        args: &[&str],
        env: &[(&str, &str)],
        background: Option<&'static str>,
    ) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_patwiz"));
        cmd.args(args);
        cmd.env("NO_COLOR", "1");
        cmd.env("TERM", "xterm-256color");
        cmd.env("PATWIZ_CONFIG_DIR", config);
        for var in ["DBUS_SESSION_BUS_ADDRESS", "HOME", "PATH"] {
            if let Some(v) = std::env::var_os(var) {
                cmd.env(var, v);
            }
        }
        cmd.env("PATWIZ_SECRET_STORE", "memory");
        cmd.env("PATWIZ_TEST_CLOCK", super::clock::TEST_DAY);
        for (k, v) in env {
            // An empty value takes the variable away (DISPLAY, for a session with no clipboard).
            if v.is_empty() {
                cmd.env_remove(k);
            } else {
                cmd.env(k, v);
            }
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = Arc::new(Mutex::new(pty.master.take_writer().unwrap()));
        let answers = Arc::clone(&writer);
        let (tx, rx) = channel();
        // Keep draining, or the child blocks writing into a full PTY; answer the terminal
        // queries a real terminal answers.
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let chunk = &buf[..n];
                let asks = |q: &[u8]| chunk.windows(q.len()).any(|w| w == q);
                let mut reply = Vec::new();
                if let Some(bg) = background {
                    // The foreground is the opposite of the background.
                    let fg = if bg.contains("ffff") {
                        "rgb:0000/0000/0000"
                    } else {
                        "rgb:ffff/ffff/ffff"
                    };
                    if asks(b"\x1b]10;?") {
                        reply.extend_from_slice(format!("\x1b]10;{fg}\x1b\\").as_bytes());
                    }
                    if asks(b"\x1b]11;?") {
                        reply.extend_from_slice(format!("\x1b]11;{bg}\x1b\\").as_bytes());
                    }
                }
                if asks(b"\x1b[c") {
                    reply.extend_from_slice(b"\x1b[?62;22c");
                }
                if !reply.is_empty()
                    && let Ok(mut w) = answers.lock()
                {
                    let _ = w.write_all(&reply);
                    let _ = w.flush();
                }
                if tx.send(chunk.to_vec()).is_err() {
                    break;
                }
            }
        });
        Session {
            master: pty.master,
            writer,
            output: rx,
            parser: vt100::Parser::new(nz(24), nz(80), 0),
            child,
            raw: Vec::new(),
        }
    }

    pub fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.output.recv_timeout(wait) {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
        while let Ok(bytes) = self.output.try_recv() {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
    }

    /// Everything the binary wrote to the terminal so far, escape sequences included.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.raw).to_string()
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn wait_for(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(15) * wait_scale();
        while Instant::now() < deadline {
            if self.screen().contains(needle) {
                return;
            }
            self.pump(Duration::from_millis(50));
        }
        panic!("\"{needle}\" never appeared. Screen:\n{}", self.screen());
    }

    /// Waits until `ready` holds for the screen.
    pub fn wait_until(&mut self, what: &str, ready: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15) * wait_scale();
        while Instant::now() < deadline {
            if ready(&self.screen()) {
                return;
            }
            self.pump(Duration::from_millis(50));
        }
        panic!("{what} never appeared. Screen:\n{}", self.screen());
    }

    pub fn send(&mut self, bytes: &str) {
        {
            let mut writer = self.writer.lock().unwrap();
            writer.write_all(bytes.as_bytes()).unwrap();
            writer.flush().unwrap();
        }
        // Give the key time to be read on its own (an Esc must not merge with the next key).
        std::thread::sleep(Duration::from_millis(120));
        self.pump(Duration::from_millis(10));
    }

    /// What the terminal does when its window closes or the SSH connection drops: SIGHUP to
    /// the program in it.
    #[cfg(unix)]
    pub fn hang_up(&mut self) {
        let pid = self.child.process_id().expect("patwiz is running");
        let sent = std::process::Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGHUP sent");
    }

    pub fn paste(&mut self, text: &str) {
        self.send(&format!("\x1b[200~{text}\x1b[201~"));
    }

    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.parser.screen_mut().set_size(nz(rows), nz(cols));
    }

    /// Waits for the process to end; returns its success.
    /// Waits for patwiz to exit: whether it exited 0 (a token was stored).
    pub fn finish(&mut self) -> bool {
        self.exit_code() == 0
    }

    /// Waits for patwiz to exit, and gives its exit code (1 when it was left with nothing
    /// stored; a signal is a panic).
    pub fn exit_code(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10) * wait_scale();
        while Instant::now() < deadline {
            self.pump(Duration::from_millis(50));
            if let Ok(Some(status)) = self.child.try_wait() {
                self.pump(Duration::from_millis(100));
                assert!(
                    status.signal().is_none(),
                    "patwiz ended by a signal: {status:?}\n{}",
                    self.screen()
                );
                return status.exit_code();
            }
        }
        let _ = self.child.kill();
        panic!("patwiz did not exit. Screen:\n{}", self.screen());
    }

    /// The screen holds no more than 4 characters of a token now (it may have been shown,
    /// on request, earlier: the raw output is not checked).
    pub fn assert_no_token_on_screen_now(&self) {
        let screen = self.screen();
        let squeezed: String = screen.chars().filter(|c| !c.is_whitespace()).collect();
        for token in [GIT_ZEN, MISSING] {
            assert!(
                !squeezed.contains(&token[4..12]),
                "a token is still on screen:\n{screen}"
            );
        }
    }

    pub fn assert_no_token_on_screen(&self) {
        let screen = self.screen();
        for token in [GIT_ZEN, MISSING] {
            assert!(
                !screen.contains(&token[..5]),
                "more than 4 characters of a token are on screen:\n{screen}"
            );
        }
        let raw = String::from_utf8_lossy(&self.raw);
        for token in [GIT_ZEN, MISSING] {
            assert!(
                !raw.contains(&token[..8]),
                "a token was written to the terminal"
            );
        }
    }
}

/// Enter through the first four steps of the demo (Git-Zen, the demo organization).
pub fn to_paste(s: &mut Session) {
    to_create_for(s, "\r");
    assert!(s.screen().contains("Name: Git-Zen Integration"));
    s.send("\r");
    s.wait_for("Step 5 of 9");
}

/// The demo wizard with the Start screen's integration `key` (`"3"` is Jira) chosen, through
/// the organization, the scopes and the creation guide, to step 5 (Paste).
#[allow(dead_code)]
pub fn to_paste_for(s: &mut Session, key: &str) {
    to_create_for(s, key);
    s.send("\r");
    s.wait_for("Step 5 of 9");
}

/// The demo wizard with the Start screen's `key` pressed (Enter: Git-Zen), through the
/// organization and the scopes, to step 4 (Create the token).
fn to_create_for(s: &mut Session, key: &str) {
    s.wait_for("Step 1 of 9");
    s.send(key);
    s.wait_for("Step 2 of 9");
    s.wait_for("/demo");
    s.send("\r");
    s.wait_for("Step 3 of 9 · Scopes");
    s.send("\r");
    s.wait_for("Step 4 of 9 · Create the token");
}

/// From the Paste step: demo token 1 pasted and proven (`proven` is the verdict's words), saved
/// on this computer with no expiry typed, to step 8 (the hand-over).
#[allow(dead_code)]
pub fn to_hand_off(s: &mut Session, proven: &str) {
    s.send("1");
    s.send("\r");
    s.wait_for(proven);
    s.send("\r");
    s.wait_for("Step 7 of 9");
    s.send("\r");
    s.wait_for("Step 8 of 9");
}

/// The real wizard (`patwiz wizard`, not the demo) through its first three steps: Git-Zen, the
/// organization typed in, the scopes; it stops on step 4.
#[allow(dead_code)]
pub fn to_create_at(s: &mut Session, org: &str) {
    s.wait_for("Step 1 of 9");
    s.send("\r");
    s.wait_for("Step 2 of 9");
    s.send(org);
    s.send("\r");
    s.wait_for("Step 3 of 9");
    s.send("\r");
    s.wait_for("Step 4 of 9");
}

/// Whether the store the binary will pick (Secret Service if one answers, else the kernel
/// session keyring; CI provides both) keeps a secret; the error says which step failed.
pub fn store_usable() -> Result<(), String> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = patwiz::store::secret::SecretStore::open()
            .await
            .map_err(|e| format!("no store opens: {e}"))?;
        // One key per call: tests run in parallel in one process, and a shared key lets one
        // probe delete what another is about to read back.
        static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let key = format!("patwiz-pty-probe-{}-{n}", std::process::id());
        let token = patwiz::domain::token::Token::new("probe");
        let outcome = match store.set(&key, &token).await {
            Err(e) => Err(format!("the store refuses to keep a secret: {e}")),
            Ok(()) => match store.get(&key).await {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err("the store lost a secret it just kept".to_string()),
                Err(e) => Err(format!("the store cannot read back a secret: {e}")),
            },
        };
        let _ = store.delete(&key).await;
        outcome
    })
}
