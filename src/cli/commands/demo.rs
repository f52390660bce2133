//! `patwiz demo`: the emulated Azure DevOps, alone (--serve) or behind the wizard.

use crate::cli::CmdResult;
use std::process::ExitCode;

use crate::cli::{DemoArgs, UsageError};

fn load_scenario(path: Option<&std::path::Path>) -> Result<crate::emulator::Scenario, UsageError> {
    match path {
        Some(path) if !path.exists() => path
            .to_str()
            .and_then(crate::emulator::Scenario::built_in)
            .ok_or_else(|| {
                let names: Vec<&str> = crate::emulator::Scenario::BUILT_IN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect();
                UsageError(format!(
                    "no scenario file {} (built-in scenarios: {})",
                    path.display(),
                    names.join(", ")
                ))
            }),
        Some(path) => crate::emulator::Scenario::load(path).map_err(|e| UsageError(e.to_string())),
        None => Ok(crate::emulator::Scenario::default_demo()),
    }
}

/// The emulator for `demo` and `demo --serve`: the given scenario (or the built-in one), on
/// the day patwiz runs on (the test clock's, when one is set).
async fn start_emulator(args: &DemoArgs) -> Result<crate::emulator::Emulator, UsageError> {
    let mut scenario = load_scenario(args.scenario.as_deref())?;
    let clock = crate::cli::clock();
    if clock != crate::clock::Clock::system() {
        scenario = scenario.on_day(clock.now());
    }
    crate::emulator::Emulator::start(scenario, &args.addr)
        .await
        .map_err(|e| UsageError(e.to_string()))
}

pub async fn serve(args: DemoArgs) -> CmdResult {
    let emulator = match start_emulator(&args).await {
        Ok(e) => e,
        Err(e) => return Err(crate::cli::usage(e)),
    };
    println!(
        "Azure DevOps emulator: demo organization at {}",
        emulator.org_url()
    );
    println!("Every token below is made up and works only here.\n");
    for token in &emulator.scenario().tokens {
        println!("  {:<38} {}", token.name, token.demonstrates);
        println!("  {:<38} {}\n", "", token.value);
    }
    println!(
        "Try: curl -H 'X-TFS-FedAuthRedirect: Suppress' -u :TOKEN {}/_apis/connectionData",
        emulator.org_url()
    );
    println!("Serving until Ctrl+C.");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    drop(emulator);
    Ok(ExitCode::SUCCESS)
}

/// Demo tokens offered on the Paste screen (1-9), most instructive first.
const DEMO_ORDER: [&str; 9] = [
    "git-zen",
    "git-zen-missing-service-connections",
    "read-only",
    "stakeholder",
    "expired",
    "full-access",
    "process-rules",
    "no-access",
    "slow",
];

/// The scenario's tokens for the Paste screen: the instructive ones in `DEMO_ORDER`, then those
/// made for another integration (named after its profile, e.g. `exalate-not-admin`), each marked
/// with the integration it was made for, so the screen can offer the chosen one's own first.
fn offered(scenario: &crate::emulator::Scenario) -> Vec<crate::ui::state::DemoToken> {
    let profiles = crate::domain::profiles::built_in_names();
    let made_for = |token: &str| {
        profiles
            .iter()
            .find(|p| token == **p || token.starts_with(&format!("{p}-")))
            .map(|p| (*p).to_string())
    };
    let mut names: Vec<&str> = DEMO_ORDER
        .iter()
        .copied()
        .filter(|n| scenario.token(n).is_some())
        .collect();
    names.extend(
        scenario
            .tokens
            .iter()
            .map(|t| t.name.as_str())
            .filter(|n| !DEMO_ORDER.contains(n) && made_for(n).is_some()),
    );
    if names.is_empty() {
        names = scenario
            .tokens
            .iter()
            .map(|t| t.name.as_str())
            .take(9)
            .collect();
    }
    names
        .iter()
        .filter_map(|n| scenario.token(n))
        .map(|t| crate::ui::state::DemoToken {
            name: t.name.clone(),
            demonstrates: t.demonstrates.clone(),
            value: t.value.clone(),
            integration: made_for(&t.name),
        })
        .collect()
}

/// `patwiz demo`: the wizard on the built-in demo organization, served in-process on loopback.
/// Settings go to a throw-away directory and the demo token is removed from the keyring again.
pub async fn wizard(args: DemoArgs) -> CmdResult {
    let emulator = match start_emulator(&args).await {
        Ok(e) => e,
        Err(e) => return Err(crate::cli::usage(e)),
    };
    let demo_tokens = offered(emulator.scenario());
    let scratch = match tempfile_dir() {
        Ok(dir) => dir,
        Err(e) => return Err(crate::cli::usage(e)),
    };
    let config = scratch.path().to_path_buf();
    let options = crate::ui::WizardOptions {
        org: Some(emulator.org_url()),
        profile: Some("git-zen".into()),
        demo_tokens,
        forget_on_exit: true,
        // Reports outlive the demo's scratch settings: the real config directory keeps them.
        reports_dir: crate::cli::config_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("reports"),
        clock: crate::cli::clock(),
        ..crate::ui::WizardOptions::new(config.clone())
    };
    let code = if crate::ui::wants_plain(args.plain) {
        crate::ui::plain::run(options).await
    } else {
        crate::ui::run(options).await
    };
    drop(scratch);
    drop(emulator);
    Ok(code)
}

/// A private directory for the demo's settings, created fresh with an unpredictable name and
/// owner-only (never one that already exists, which another user could have planted), removed
/// when the demo ends.
fn tempfile_dir() -> Result<tempfile::TempDir, std::io::Error> {
    let failed = |e: std::io::Error| {
        std::io::Error::new(
            e.kind(),
            format!("cannot create a private scratch directory: {e}"),
        )
    };
    let dir = tempfile::Builder::new()
        .prefix("patwiz-demo-")
        .tempdir()
        .map_err(failed)?;
    patwiz_platform::private::restrict_to_owner(dir.path()).map_err(failed)?;
    Ok(dir)
}
