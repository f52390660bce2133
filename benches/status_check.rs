//! Wall time of `status --check` proving 1, 10, 100 and 200 stored organizations, each answering
//! every authenticated request after 100 ms (the demo's "slow" token), in round trips of that
//! latency. Goal: a few round trips for dozens of organizations (they are proven concurrently,
//! `engine::many::PARALLELISM` at a time), not one check after another.
//!
//! Run: `cargo bench --bench status_check` (prints figures; asserts nothing about time).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first broken step

use std::time::{Duration, Instant};

use patwiz::domain::org_url::OrgUrl;
use patwiz::domain::token::Token;
use patwiz::emulator::Emulator;
use patwiz::engine::{self, Wanted};

const LATENCY: Duration = Duration::from_millis(100);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut emulators = Vec::new();
        for _ in 0..200 {
            emulators.push(Emulator::start_demo().await.unwrap());
        }
        let profile = patwiz::domain::profiles::find("git-zen").unwrap();
        let scopes: Vec<Wanted> = profile
            .scopes
            .iter()
            .map(|s| Wanted::required(s.id.as_str()))
            .collect();
        println!(
            "status --check, {} ms per authenticated answer, {} organizations at once",
            LATENCY.as_millis(),
            engine::many::PARALLELISM
        );
        println!("| organizations | wall ms | round trips | floor | passed |");
        println!("|---|---|---|---|---|");
        for n in [1usize, 10, 100, 200] {
            let requests: Vec<_> = emulators[..n]
                .iter()
                .map(|emu| {
                    let mut r = engine::request_for(
                        OrgUrl::parse(&emu.org_url()).unwrap(),
                        Token::new(emu.token("slow").unwrap()),
                        scopes.clone(),
                        "Git-Zen",
                    );
                    r.http.deadline = Duration::from_secs(120);
                    r
                })
                .collect();
            let started = Instant::now();
            let reports = engine::many::check_all(requests, engine::many::PARALLELISM).await;
            let wall = started.elapsed();
            let passed = reports
                .iter()
                .filter(|r| r.verdict == patwiz::domain::checks::Verdict::Pass)
                .count();
            // The floor: a check is 2 round trips (identity with the floor probes, then the
            // rest), and PARALLELISM of them run at once.
            let floor = 2 * n.div_ceil(engine::many::PARALLELISM);
            println!(
                "| {n} | {:.0} | {:.1} | {floor} | {passed}/{n} |",
                wall.as_secs_f64() * 1000.0,
                wall.as_secs_f64() / LATENCY.as_secs_f64()
            );
        }
    });
}
