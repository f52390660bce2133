//! `patwiz demo`: the emulated Azure DevOps, alone (--serve) or behind the wizard.

use std::process::ExitCode;

use super::{DemoArgs, EXIT_USAGE};

fn load_scenario(path: Option<&std::path::Path>) -> Result<crate::emulator::Scenario, String> {
    match path {
        Some(path) => crate::emulator::Scenario::load(path).map_err(|e| e.to_string()),
        None => Ok(crate::emulator::Scenario::default_demo()),
    }
}

pub async fn serve(args: DemoArgs) -> ExitCode {
    let scenario = match load_scenario(args.scenario.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("patwiz: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let emulator = match crate::emulator::Emulator::start(scenario, &args.addr).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("patwiz: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
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
    ExitCode::SUCCESS
}
