//! Wall time of the fleet view (`status --from vault://…`) over 500 tokens in a team vault, with
//! 150 ms of latency on every vault answer and every authenticated Azure DevOps answer, in round
//! trips of that latency: reading the facts only, and proving every token again (`--check`).
//! Goal: hundreds of tokens in tens of round trips, not one after another (500 × 5).
//!
//! Run: `cargo bench --bench fleet_status` (prints figures; asserts nothing about time).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first broken step

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use patwiz::domain::team_vault::Facts;
use patwiz::domain::token::Token;
use patwiz::emulator::kv::KvDouble;
use patwiz::emulator::scenario::{DEFAULT_SCENARIO, TokenSpec};
use patwiz::emulator::{Emulator, Scenario};
use patwiz::engine::http::HttpOptions;
use patwiz::engine::kv::Kv;
use patwiz::flows::team_vault;

const LATENCY: Duration = Duration::from_millis(150);
const TOKENS: usize = 500;

fn token(i: usize) -> String {
    patwiz::domain::checksum::seal_annotated(&format!("Fleet{i:047}JQQJ99CK{i:016}AZDO")).unwrap()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut scenario = Scenario::parse(&format!(
            "{DEFAULT_SCENARIO}\n[[faults]]\nkind = \"latency\"\nms = {}\n",
            LATENCY.as_millis()
        ))
        .unwrap();
        for i in 0..TOKENS {
            scenario.tokens.push(TokenSpec::minted(
                &format!("fleet-{i}"),
                &token(i),
                "svc",
                vec!["vso.project".into()],
            ));
        }
        let emu = Emulator::start(scenario, "127.0.0.1:0").await.unwrap();
        let kv_double = KvDouble::start("root", LATENCY).await.unwrap();
        let kv = Kv::new(
            &kv_double.addr(),
            secrecy::SecretString::from("root".to_string()),
            None,
            &HttpOptions::default(),
        )
        .unwrap();
        // Fill the vault as `login --to` would (not timed).
        let org = emu.org_url();
        let local = {
            let url = url::Url::parse(&org).unwrap();
            format!("{}:{}", url.host_str().unwrap(), url.port().unwrap())
        };
        futures_util::stream::iter(0..TOKENS)
            .map(|i| {
                let (kv, org) = (&kv, org.clone());
                async move {
                    let path = format!("fleet/team-{:02}/integration-{i:03}", i % 20);
                    kv.write("secret", &path, &Token::new(token(i)), 0).await.unwrap();
                    let facts = Facts {
                        org_url: org,
                        profile: "nango".into(),
                        scopes: vec!["vso.project".into()],
                        expires: Some("2027-05-31".into()),
                        owner: Some("svc@fabrikam.example".into()),
                        verdict: "pass".into(),
                        ..Facts::default()
                    };
                    kv.set_metadata("secret", &path, &facts.to_metadata()).await.unwrap();
                }
            })
            .buffer_unordered(64)
            .collect::<Vec<_>>()
            .await;
        let store = team_vault::TeamStore::kv(kv, "secret".into());
        println!(
            "fleet_status: {TOKENS} tokens under vault://secret/fleet (20 folders), {} ms per vault answer and per authenticated Azure DevOps answer, {} at once",
            LATENCY.as_millis(),
            team_vault::PARALLELISM
        );
        println!("| | wall ms | round trips | passed |");
        println!("|---|---|---|---|");
        for (label, check) in [("facts only", false), ("--check (each proven again)", true)] {
            let started = Instant::now();
            let members = team_vault::fleet(
                &patwiz::flows::Ctx::default(),
                &store,
                "fleet",
                check,
                // The emulator's port, as `--trust-server 127.0.0.1:PORT` names it.
                std::slice::from_ref(&local),
                team_vault::PARALLELISM,
            )
            .await
            .unwrap()
            .members;
            let wall = started.elapsed();
            assert_eq!(members.len(), TOKENS);
            let passed = members.iter().filter(|m| m.verdict == "pass" && m.error.is_none()).count();
            println!(
                "| {label} | {:.0} | {:.1} | {passed}/{TOKENS} |",
                wall.as_secs_f64() * 1000.0,
                wall.as_secs_f64() / LATENCY.as_secs_f64()
            );
        }
    });
}
