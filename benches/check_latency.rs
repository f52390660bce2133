//! Wall time of `check` for the Git-Zen profile with 100 ms of emulator latency per
//! authenticated request, next to that latency, and the round trips of other profiles, with
//! and without a missing scope. Goal: once discovery is done, the rest of the
//! check (identity, then every probe in parallel) stays under 2 round trips per stage, i.e.
//! the probes take about one round trip however many scopes there are.
//!
//! Run: `cargo bench --bench check_latency` (prints figures; asserts nothing about time).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first broken step

use std::time::{Duration, Instant};

use patwiz::domain::org_url::OrgUrl;
use patwiz::domain::token::Token;
use patwiz::emulator::Emulator;
use patwiz::engine::{self, Event, Wanted};

const RUNS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emu = Emulator::start_demo().await.unwrap();
        let token = emu.token("slow").unwrap(); // every authenticated answer takes 100 ms
        let profile = patwiz::domain::profiles::find("git-zen").unwrap();
        let scopes: Vec<Wanted> = profile
            .scopes
            .iter()
            .map(|s| Wanted { scope: s.id.clone(), why: None, required: true })
            .collect();

        // One round trip: a single authenticated request through the engine's client.
        let http = engine::http::Http::new(Token::new(token.clone()), &Default::default()).unwrap();
        let url = format!("{}/_apis/connectionData", emu.org_url());
        let mut rtts = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            http.send(reqwest::Method::GET, &url, engine::http::Auth::Rest, None)
                .await
                .unwrap();
            rtts.push(t.elapsed());
        }
        let rtt = median(rtts);

        let (mut totals, mut discovery, mut identity, mut probes) = (vec![], vec![], vec![], vec![]);
        for _ in 0..RUNS {
            let mut request = engine::request_for(
                OrgUrl::parse(&emu.org_url()).unwrap(),
                Token::new(token.clone()),
                scopes.clone(),
                "Git-Zen",
            );
            request.probe_extras = false;
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let started = Instant::now();
            let run = tokio::spawn(engine::run(request, Some(tx)));
            let (mut discovered, mut identified, mut finished) = (None, None, None);
            while let Some(event) = rx.recv().await {
                let at = started.elapsed();
                match event {
                    Event::Discovered { .. } => discovered = Some(at),
                    Event::Identity(_) => identified = Some(at),
                    Event::Finished(report) => {
                        assert_eq!(report.exit_code(), 0, "{}", report.to_text(None));
                        finished = Some(at);
                    }
                    _ => {}
                }
            }
            run.await.unwrap();
            let (d, i, f) = (discovered.unwrap(), identified.unwrap(), finished.unwrap());
            totals.push(f);
            discovery.push(d);
            identity.push(i - d);
            probes.push(f - i);
        }
        let (total, discovery, identity, probes) =
            (median(totals), median(discovery), median(identity), median(probes));
        println!(
            "check_latency: Git-Zen profile ({} scopes), 100 ms emulator latency per authenticated request, median of {RUNS} runs",
            scopes.len()
        );
        println!("  one round trip (connectionData)      {:>7.1} ms", ms(rtt));
        println!("  discovery (anonymous, no latency)    {:>7.1} ms", ms(discovery));
        println!("  identity + context (parallel)        {:>7.1} ms", ms(identity));
        println!("  all probes (parallel)                {:>7.1} ms  = {:.2} round trips (goal < 2)", ms(probes), probes.as_secs_f64() / rtt.as_secs_f64());
        println!("  after discovery                      {:>7.1} ms  = {:.2} round trips", ms(total - discovery), (total - discovery).as_secs_f64() / rtt.as_secs_f64());
        println!("  whole check                          {:>7.1} ms", ms(total));

        // Round trips per profile once discovery is done, with every authenticated answer
        // 100 ms late (a Full access token, so every profile passes).
        let exalate = emu_token_body("exalate");
        let slow_everything = patwiz::emulator::Scenario::parse(&format!(
            "{}\n[[faults]]\nkind = \"latency\"\nms = 100\n{}",
            patwiz::emulator::scenario::DEFAULT_SCENARIO,
            missing_project_token(&exalate),
        ))
        .unwrap();
        let emu = Emulator::start(slow_everything, "127.0.0.1:0").await.unwrap();
        let full = emu.token("full-access").unwrap();
        println!("  round trips after discovery, per profile (median of {RUNS}):");
        for name in ["git-zen", "exalate", "jira-git", "nango"] {
            let after = after_discovery(&emu, &full, name, false, 0).await;
            println!("    {name:<10} {:>7.1} ms = {:.2} round trips", ms(after), after.as_secs_f64() / 0.1);
        }
        // A scope the token lacks is asked twice (the service has refused once and then
        // allowed the same request): that second ask shares the round of the probes that need
        // the project, and of the over-scope probes, instead of adding one. Floor: 2.
        println!("  one organization-level scope missing, over-scope probes on (median of {RUNS}):");
        let git_zen = emu.token("git-zen").unwrap();
        let without_project = emu.token("bench-exalate-without-project").unwrap();
        for (name, token, lacks) in [
            ("exalate", &without_project, "vso.project"),
            ("azure-artifacts", &git_zen, "vso.packaging"),
        ] {
            let after = after_discovery(&emu, token, name, true, 1).await;
            println!(
                "    {name:<16} without {lacks:<14} {:>7.1} ms = {:.2} round trips",
                ms(after),
                after.as_secs_f64() / 0.1
            );
        }
    });
}

/// The demo token `name`'s value without its checksum (to make another token from).
fn emu_token_body(name: &str) -> String {
    let scenario =
        patwiz::emulator::Scenario::parse(patwiz::emulator::scenario::DEFAULT_SCENARIO).unwrap();
    let value = &scenario
        .tokens
        .iter()
        .find(|t| t.name == name)
        .unwrap()
        .value;
    value[..80].to_string()
}

/// A token with Exalate's scopes but "Project and Team: Read".
fn missing_project_token(exalate_body: &str) -> String {
    let value =
        patwiz::domain::checksum::seal_annotated(&format!("Bnch{}", &exalate_body[4..])).unwrap();
    format!(
        "[[tokens]]\nname = \"bench-exalate-without-project\"\nvalue = \"{value}\"\nuser = \"ada\"\nscopes = [\"vso.work_write\", \"vso.profile\", \"vso.identity\", \"vso.memberentitlementmanagement\"]\n"
    )
}

/// Median time from discovery to the report, checking `profile` with `token`.
async fn after_discovery(
    emu: &Emulator,
    token: &str,
    profile: &str,
    extras: bool,
    exit: u8,
) -> Duration {
    let profile = patwiz::domain::profiles::find(profile).unwrap();
    let scopes: Vec<Wanted> = profile
        .scopes
        .iter()
        .map(|s| Wanted::required(s.id.as_str()))
        .collect();
    let mut after = Vec::new();
    for _ in 0..RUNS {
        let mut request = engine::request_for(
            OrgUrl::parse(&emu.org_url()).unwrap(),
            Token::new(token.to_string()),
            scopes.clone(),
            &profile.title,
        );
        request.probe_extras = extras;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let started = Instant::now();
        let run = tokio::spawn(engine::run(request, Some(tx)));
        let (mut discovered, mut finished) = (None, None);
        while let Some(event) = rx.recv().await {
            match event {
                Event::Discovered { .. } => discovered = Some(started.elapsed()),
                Event::Finished(report) => {
                    assert_eq!(
                        report.exit_code(),
                        exit,
                        "{}: {}",
                        profile.name,
                        report.to_text(None)
                    );
                    finished = Some(started.elapsed());
                }
                _ => {}
            }
        }
        run.await.unwrap();
        after.push(finished.unwrap() - discovered.unwrap());
    }
    median(after)
}
