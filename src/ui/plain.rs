//! The same wizard as plain line-by-line prompts, for screen readers and dumb terminals
//! (`--plain`, `TERM=dumb`), as charmbracelet/huh's accessible mode does. The token is read
//! without echo when standard input is a terminal, and never printed.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use secrecy::zeroize::Zeroizing;

use super::state::StartChoice;
use super::{WizardOptions, check_org, initial_app};
use crate::domain::checks::{CheckClass, Verdict};
use crate::domain::org_url::OrgUrl;
use crate::domain::scopes::Catalogue;
use crate::domain::token::{CheckedToken, check_pasted};
use crate::engine::{self, Event};
use crate::store::rotation::Vault;
use crate::store::settings::parse_date;

fn say(text: &str) {
    let mut out = std::io::stdout();
    // Nothing token-shaped and no control sequence ever reaches the terminal.
    let _ = writeln!(out, "{}", crate::domain::text::safe_message(text));
    let _ = out.flush();
}

fn ask(prompt: &str) -> Option<String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
    }
}

/// Reads a secret: without echo on a terminal, as a plain line otherwise.
fn ask_secret(prompt: &str) -> Option<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        return ask(prompt).map(Zeroizing::new);
    }
    use crossterm::event::{Event as TermEvent, KeyCode, KeyEventKind, read};
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let _ = crossterm::terminal::enable_raw_mode();
    let mut secret = Zeroizing::new(String::new());
    let finished = loop {
        match read() {
            Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => match k.code {
                KeyCode::Enter => break true,
                KeyCode::Esc => break false,
                KeyCode::Char('c')
                    if k.modifiers
                        .contains(crossterm::event::KeyModifiers::CONTROL) =>
                {
                    break false;
                }
                KeyCode::Backspace => {
                    secret.pop();
                }
                KeyCode::Char(c) => secret.push(c),
                _ => {}
            },
            Ok(TermEvent::Paste(text)) => secret.push_str(&text),
            Ok(_) => {}
            Err(_) => break false,
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    say("");
    finished.then_some(secret)
}

fn step(n: usize, title: &str) {
    say(&format!("\nStep {n} of 9: {title}"));
}

pub async fn run(options: WizardOptions) -> ExitCode {
    let app = initial_app(&options);
    let catalogue = Catalogue::get();

    step(1, "Choose the integration");
    for (i, choice) in app.choices.iter().enumerate() {
        match choice {
            StartChoice::Profile(p) => say(&format!("  {}. {} — {}", i + 1, p.title, p.summary)),
            StartChoice::Rotate(o) => say(&format!("  {}. Rotate the token for {}", i + 1, o.url)),
        }
    }
    let choice = loop {
        let default = app.choice_cursor + 1;
        let Some(answer) = ask(&format!("Choose 1-{} [{default}]: ", app.choices.len())) else {
            return ExitCode::from(crate::cli::EXIT_USAGE);
        };
        let n = if answer.trim().is_empty() {
            Some(default)
        } else {
            answer.trim().parse::<usize>().ok()
        };
        match n.and_then(|n| app.choices.get(n.wrapping_sub(1))) {
            Some(c) => break c.clone(),
            None => say("Type one of the numbers shown."),
        }
    };
    let (profile, rotating) = match choice {
        StartChoice::Profile(p) => (p, None),
        StartChoice::Rotate(o) => (
            crate::domain::profiles::find(&o.profile, None).unwrap_or_else(|_| {
                crate::domain::profiles::find("custom", None).expect("built in")
            }),
            Some(o),
        ),
    };
    let mut scopes: Vec<String> = rotating
        .as_ref()
        .map_or_else(|| profile.scope_ids(), |o| o.scopes.clone());
    for s in &profile.scopes {
        say(&format!("  needs {}: {}", catalogue.label(&s.id), s.why));
    }

    step(2, "Your organization");
    say(
        "Its URL is https://dev.azure.com/{your-organization} or https://{your-organization}.visualstudio.com.",
    );
    let org = loop {
        let given = rotating
            .as_ref()
            .map(|o| o.url.clone())
            .or(app.org_input.clone().into());
        let answer = match given.filter(|g| !g.is_empty()) {
            Some(g)
                if rotating.is_some()
                    || ask(&format!("Organization URL [{g}]: "))
                        .is_some_and(|a| a.trim().is_empty()) =>
            {
                g
            }
            _ => match ask("Organization URL: ") {
                Some(a) => a,
                None => return ExitCode::from(crate::cli::EXIT_USAGE),
            },
        };
        match OrgUrl::parse(&answer) {
            Ok(org)
                if org.lookalike().is_some_and(|why| {
                    !ask(&format!(
                        "{why}. Is it really your Azure DevOps Server? Type yes to go on: "
                    ))
                    .is_some_and(|a| a.trim().eq_ignore_ascii_case("yes"))
                }) =>
            {
                say("Then correct the address.");
            }
            Ok(org) => {
                say(&format!("Checking {org} (no token is sent)…"));
                match check_org(org.as_str(), &options.http).await {
                    Ok(kind) => {
                        say(&format!("Found: {kind}."));
                        break org;
                    }
                    Err(e) => say(&format!("Not found: {e}")),
                }
            }
            Err(e) => say(&format!("That URL does not work: {e}")),
        }
    };

    step(3, "Create the token");
    say(&format!("Open {} and click + New Token.", org.token_page()));
    say(&format!(
        "Name: {}. Organization: {} (not \"All accessible organizations\").",
        profile.token_name,
        org.name()
    ));
    say(&format!("Expiration: {}", profile.expiry_advice));
    say(
        "Scopes: Show all scopes, then Custom defined. Copy the token when it is shown: it is shown once.",
    );

    step(4, "Scopes");
    for s in &scopes {
        say(&format!("  [x] {}", catalogue.label(s)));
    }
    if let Some(answer) = ask("Press Enter to check these, or type scope ids separated by commas: ")
        && !answer.trim().is_empty()
    {
        let typed: Vec<String> = answer
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        match typed.iter().find(|s| catalogue.scope(s).is_none()) {
            Some(bad) => say(&format!("Unknown scope {bad}; keeping the list above.")),
            None => scopes = typed,
        }
    }

    let mut token: CheckedToken;
    loop {
        step(5, "Paste the token");
        for (i, t) in app.demo_tokens.iter().take(9).enumerate() {
            say(&format!(
                "  demo {}: {} — {}",
                i + 1,
                t.name,
                t.demonstrates
            ));
        }
        token = loop {
            let Some(secret) = ask_secret("Paste the token (it is not shown), then Enter: ") else {
                return ExitCode::from(crate::cli::EXIT_USAGE);
            };
            let demo = secret
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| app.demo_tokens.get(n.wrapping_sub(1)));
            let text = demo.map_or_else(|| secret.to_string(), |t| t.value.clone());
            match check_pasted(&text) {
                Ok(checked) => {
                    say(&format!(
                        "That looks like an {} ({}).",
                        checked.format.describe(),
                        checked.token.masked()
                    ));
                    for note in &checked.notes {
                        say(note);
                    }
                    break checked;
                }
                Err(e) => say(&e.to_string()),
            }
        };

        step(6, "Validate");
        let request = crate::flows::prove::request(crate::flows::prove::Proof {
            org: org.clone(),
            token: token.token.clone(),
            scopes: &scopes,
            profile: Some(&profile),
            notes: token.notes.clone(),
            http: options.http.clone(),
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let running = tokio::spawn(engine::run(request, Some(tx)));
        while let Some(event) = rx.recv().await {
            match event {
                Event::Identity(id) => say(&format!(
                    "Token of {} <{}>",
                    id.display_name, id.unique_name
                )),
                Event::Check(c) => {
                    say(&format!(
                        "{} {} — {}",
                        c.status.mark(),
                        c.label,
                        c.class.as_str()
                    ));
                    if c.class != CheckClass::Ok || !c.required {
                        say(&format!("    {}", c.detail));
                        say(&format!("    Fix: {}", c.remediation));
                        say(&format!("    Source: {}", c.source));
                    }
                }
                _ => {}
            }
        }
        let Ok(report) = running.await else {
            return ExitCode::from(3);
        };
        if report.identity.is_none() {
            for c in report.checks.iter().take(1) {
                say(&format!("✗ {}: {}", c.class.as_str(), c.detail));
                say(&format!("    Fix: {}", c.remediation));
            }
        }
        say(&format!("Verdict: {}", report.verdict.as_str()));
        if report.verdict == Verdict::Pass {
            step(7, "Save");
            let store = match Vault::open(&options.config_dir).await {
                Ok(v) => v,
                Err(e) => {
                    say(&format!("Cannot store the token: {e}"));
                    return ExitCode::from(3);
                }
            };
            say(&format!("It will be {}.", store.store.backend().explain()));
            let expires = loop {
                let Some(answer) = ask("Expiry date you chose (YYYY-MM-DD, blank to skip): ")
                else {
                    return ExitCode::from(crate::cli::EXIT_USAGE);
                };
                if answer.trim().is_empty() {
                    break None;
                }
                match parse_date(&answer) {
                    Ok(date) => break Some(date),
                    Err(e) => say(&e),
                }
            };
            let proven = crate::flows::keep::Proven {
                org: &org,
                token: &token.token,
                report: &report,
                profile: &profile.name,
                scopes: &scopes,
                expires,
            };
            let now = time::OffsetDateTime::now_utc();
            let saved = match &rotating {
                Some(stored) => {
                    crate::flows::keep::rotate_proven(&store, &stored.key, proven, now).await
                }
                None => crate::flows::keep::store_proven(&store, proven, now).await,
            };
            if let Err(e) = saved {
                say(&format!("Not stored: {e}"));
                return ExitCode::from(3);
            }
            step(8, "Done");
            say(&format!(
                "Stored: the token is {}.",
                store.store.backend().explain()
            ));
            if options.forget_on_exit {
                let _ = store.forget(&org.key()).await;
                say("(Demo: the demo token was removed again.)");
            }
            return ExitCode::SUCCESS;
        }
        match ask("Type p to paste another token, or Enter to quit: ") {
            Some(a) if a.trim() == "p" => continue,
            _ => return ExitCode::from(report.exit_code()),
        }
    }
}
