//! The wizard as a person starts it, in a pseudo-terminal: time to the first frame, CPU used
//! while idle on a screen for 5 s, and peak memory (RSS) after a whole validation.
//! Goals: first frame ≤ 30 ms, idle CPU ≈ 0, RSS ≤ 20 MB. Prints figures; asserts nothing.
//!
//! Run: `cargo bench --bench wizard`

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first broken step

use std::io::{Read, Write};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const RUNS: usize = 5;

fn ticks_per_second() -> f64 {
    100.0 // USER_HZ on Linux
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks_per_second())
}

/// Peak resident set size (VmHWM) in MB.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct Run {
    first_frame: Duration,
    idle_cpu_ms: f64,
    rss_mb: f64,
}

fn one_run(args: &[&str], validate: bool) -> Run {
    let config = tempfile::tempdir().unwrap();
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
    cmd.env("TERM", "xterm-256color");
    cmd.env("PATWIZ_CONFIG_DIR", config.path());
    let started = Instant::now();
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let pid = child.process_id().unwrap();
    let mut reader = pty.master.try_clone_reader().unwrap();
    let writer = std::sync::Arc::new(std::sync::Mutex::new(pty.master.take_writer().unwrap()));
    let answers = std::sync::Arc::clone(&writer);
    let (tx, rx) = channel::<Vec<u8>>();
    // A terminal answers the colour and attribute queries (a dark xterm here), as every
    // terminal people use does; one that answers nothing costs the query's 0.5 s timeout.
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let chunk = &buf[..n];
            let asks = |q: &[u8]| chunk.windows(q.len()).any(|w| w == q);
            let mut reply = Vec::new();
            if asks(b"\x1b]10;?") {
                reply.extend_from_slice(b"\x1b]10;rgb:ffff/ffff/ffff\x1b\\");
            }
            if asks(b"\x1b]11;?") {
                reply.extend_from_slice(b"\x1b]11;rgb:0000/0000/0000\x1b\\");
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
    let send = |bytes: &[u8]| {
        let mut w = writer.lock().unwrap();
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    };
    let mut seen = Vec::new();
    let wait_for = |needle: &str, seen: &mut Vec<u8>| -> Duration {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(bytes) = rx.recv_timeout(Duration::from_millis(5)) {
                seen.extend_from_slice(&bytes);
                if String::from_utf8_lossy(seen).contains(needle) {
                    return started.elapsed();
                }
            }
        }
        panic!("{needle} never appeared");
    };
    let first_frame = wait_for("Step 1 of 9", &mut seen);
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_seconds(pid).unwrap_or(0.0);
    std::thread::sleep(Duration::from_secs(5));
    let idle_cpu_ms = (cpu_seconds(pid).unwrap_or(0.0) - before) * 1000.0;
    if validate {
        for key in ["\r", "\r", "\r", "\r"] {
            send(key.as_bytes());
            std::thread::sleep(Duration::from_millis(300));
        }
        send(b"1");
        std::thread::sleep(Duration::from_millis(200));
        send(b"\r");
        seen.clear();
        wait_for("5 of 5 proven", &mut seen);
    }
    let rss_mb = peak_rss_mb(pid).unwrap_or(0.0);
    send(&[0x11]); // Ctrl+Q
    std::thread::sleep(Duration::from_millis(200));
    send(b"y");
    let _ = child.wait();
    Run {
        first_frame,
        idle_cpu_ms,
        rss_mb,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    for (label, args, validate) in [
        ("patwiz (wizard)", vec!["wizard"], false),
        (
            "patwiz demo (wizard + in-process emulator)",
            vec!["demo"],
            true,
        ),
    ] {
        let runs: Vec<Run> = (0..RUNS).map(|_| one_run(&args, validate)).collect();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!("wizard: {label}, 80x24, median of {RUNS} runs");
        println!(
            "  first frame (spawn to \"Step 1 of 9\")  {:>7.1} ms   (goal ≤ 30 ms)",
            median(runs.iter().map(|r| ms(r.first_frame)).collect())
        );
        println!(
            "  CPU while idle on a screen for 5 s   {:>7.1} ms   (goal ≈ 0)",
            median(runs.iter().map(|r| r.idle_cpu_ms).collect())
        );
        println!(
            "  peak RSS{}       {:>7.1} MB   (goal ≤ 20 MB)",
            if validate {
                " (after a whole validation)"
            } else {
                " (idle on the first screen)  "
            },
            median(runs.iter().map(|r| r.rss_mb).collect())
        );
    }
}
