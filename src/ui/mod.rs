//! The full-screen wizard: one `App` state, `Action`s from the terminal and from background
//! tasks, `update` returning `Effect`s, effects run as tokio tasks that answer with actions.
//! One async loop; it redraws after each batch of actions and ticks only while a spinner shows.

pub mod clipboard;
pub mod plain;
pub mod state;
pub mod theme;
pub mod update;
pub mod view;

use std::io::stdout;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent, EventStream, KeyEventKind,
};
use crossterm::execute;
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use secrecy::zeroize::Zeroizing;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use crate::domain::org_url::OrgUrl;
use crate::domain::profiles;
use crate::engine::discovery;
use crate::engine::http::{Http, HttpOptions};
use crate::engine::{self, Wanted};
use crate::store::rotation::Vault;
use crate::store::secret::SecretStore;
use crate::store::settings::{OrgSettings, SettingsFile, parse_date};
use state::{App, DemoToken, Effect, OrgCheck, StartChoice, Step};
use theme::Theme;
use update::{Action, update};

/// How the wizard starts.
#[derive(Debug, Clone)]
pub struct WizardOptions {
    pub org: Option<String>,
    pub profile: Option<String>,
    pub config_dir: PathBuf,
    pub demo_tokens: Vec<DemoToken>,
    /// Forget whatever was stored when the wizard ends (the demo organization).
    pub forget_on_exit: bool,
    pub http: HttpOptions,
}

/// Builds the first state: the profiles, then a "rotate" entry per stored organization.
pub fn initial_app(options: &WizardOptions) -> App {
    let (profiles, _) = profiles::load_all(Some(&options.config_dir.join("profiles")));
    let mut choices: Vec<StartChoice> = profiles.into_iter().map(StartChoice::Profile).collect();
    if let Ok((settings, _)) = SettingsFile::new(&options.config_dir).load() {
        choices.extend(settings.orgs.into_iter().map(StartChoice::Rotate));
    }
    let mut app = App::new(choices, options.org.clone(), options.demo_tokens.clone());
    if let Some(name) = &options.profile
        && let Some(i) = app
            .choices
            .iter()
            .position(|c| matches!(c, StartChoice::Profile(p) if p.name == *name))
    {
        app.choice_cursor = i;
    }
    app
}

/// Runs the wizard in the terminal until the user quits.
pub async fn run(options: WizardOptions) -> ExitCode {
    let app = initial_app(&options);
    let mut terminal = ratatui::init();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        ratatui::restore();
        previous(info);
    }));
    let _ = execute!(stdout(), EnableBracketedPaste);
    let events = EventStream::new().filter_map(|e| async move {
        match e {
            Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => Some(Action::Key(k)),
            Ok(TermEvent::Paste(text)) => Some(Action::Paste(Zeroizing::new(text))),
            Ok(TermEvent::Resize(..)) => Some(Action::Resize),
            _ => None,
        }
    });
    let outcome = event_loop(&mut terminal, app, Box::pin(events), &options).await;
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&e.to_string())
            );
            ExitCode::from(1)
        }
    }
}

/// The loop itself, generic over the backend so tests can drive it on a TestBackend.
pub async fn event_loop<B, S>(
    terminal: &mut Terminal<B>,
    mut app: App,
    mut input: S,
    options: &WizardOptions,
) -> Result<ExitCode, String>
where
    B: Backend,
    S: futures_util::Stream<Item = Action> + Unpin,
{
    let theme = Theme::from_env();
    let (tx, mut rx) = unbounded_channel::<Action>();
    let mut runner = Runner::new(tx, options.clone());
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    terminal
        .draw(|f| view::draw(f, &app, theme))
        .map_err(|e| e.to_string())?;
    loop {
        let animating = matches!(app.org_check, OrgCheck::Checking)
            || app.validation.running
            || app.save == state::SaveState::Saving
            || app.clipboard_clears_at.is_some();
        let action = tokio::select! {
            Some(a) = input.next() => a,
            Some(a) = rx.recv() => a,
            _ = tick.tick(), if animating => Action::Tick,
            else => break,
        };
        let mut pending = vec![action];
        // Drain whatever else is ready before drawing once.
        while let Ok(a) = rx.try_recv() {
            pending.push(a);
        }
        for action in pending {
            let leaving_validate = app.step == Step::Validate;
            let effects = update(&mut app, action);
            if leaving_validate && app.step != Step::Validate {
                runner.cancel_validation();
                app.validation.running = false;
            }
            for effect in effects {
                runner.run(effect, &mut app);
            }
        }
        if app.quit {
            break;
        }
        terminal
            .draw(|f| view::draw(f, &app, theme))
            .map_err(|e| e.to_string())?;
    }
    runner.cancel_validation();
    if let Some(checked) = &app.token {
        // Quitting from the hand-off step: the token leaves the clipboard with us.
        runner.clipboard.clear_token_now(&checked.token);
    }
    if options.forget_on_exit
        && app.saved_once
        && let Ok(org) = &app.org
        && let Ok(vault) = Vault::open(&options.config_dir).await
    {
        let _ = vault.forget(&org.key()).await;
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs effects as background tasks that answer with actions.
struct Runner {
    tx: UnboundedSender<Action>,
    options: WizardOptions,
    validation: Option<JoinHandle<()>>,
    clipboard: clipboard::Clipboard,
}

impl Runner {
    fn new(tx: UnboundedSender<Action>, options: WizardOptions) -> Runner {
        Runner {
            tx,
            options,
            validation: None,
            clipboard: clipboard::Clipboard::new(),
        }
    }

    fn cancel_validation(&mut self) {
        if let Some(handle) = self.validation.take() {
            handle.abort();
        }
    }

    fn run(&mut self, effect: Effect, app: &mut App) {
        let tx = self.tx.clone();
        match effect {
            Effect::Quit => {}
            Effect::CheckOrg(url) => {
                let http_options = self.options.http.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Action::OrgChecked(check_org(&url, &http_options).await));
                });
            }
            Effect::OpenBrowser(url) => {
                tokio::task::spawn_blocking(move || {
                    let result = webbrowser::open(&url).map_err(|e| {
                        format!("Could not open a browser ({e}); press c to copy the link instead")
                    });
                    let _ = tx.send(Action::Browser(result));
                });
            }
            Effect::CopyText(text) => self.clipboard.copy(text, tx),
            Effect::CopyToken => {
                if let Some(checked) = &app.token {
                    self.clipboard
                        .copy_token(checked.token.clone(), app.clipboard_seconds, tx);
                }
            }
            Effect::ClearToken => {
                if let Some(checked) = &app.token {
                    self.clipboard.clear_token(checked.token.clone(), tx);
                }
            }
            Effect::ReadClipboard => self.clipboard.read(tx),
            Effect::ClearClipboard => self.clipboard.clear(tx),
            Effect::Validate => {
                self.cancel_validation();
                let Some(request) = check_request(app, &self.options) else {
                    return;
                };
                app.validation.running = true;
                let (events_tx, mut events_rx) = unbounded_channel();
                let forward = tx.clone();
                self.validation = Some(tokio::spawn(async move {
                    let run = tokio::spawn(engine::run(request, Some(events_tx)));
                    while let Some(event) = events_rx.recv().await {
                        let _ = forward.send(Action::Engine(event));
                    }
                    let _ = run.await;
                }));
            }
            Effect::DescribeStore => {
                tokio::spawn(async move {
                    let line = match SecretStore::open().await {
                        Ok(store) => {
                            format!("{} — {}", store.backend().name(), store.backend().explain())
                        }
                        Err(e) => format!("✗ {e}"),
                    };
                    let _ = tx.send(Action::StoreDescribed(line));
                });
            }
            Effect::WriteReminder => {
                let result = write_reminder(app);
                let _ = tx.send(Action::ReminderWritten(result));
            }
            Effect::Save => {
                let job = save_job(app, &self.options);
                tokio::spawn(async move {
                    let _ = tx.send(Action::Saved(job.await));
                });
            }
        }
    }
}

/// Writes `patwiz-rotate-{org}.ics` in the current directory.
fn write_reminder(app: &App) -> Result<String, String> {
    let org = app.org.as_ref().map_err(|e| e.to_string())?;
    let expires = parse_date(&app.expires_input)?;
    let settings = OrgSettings {
        key: org.key(),
        url: org.as_str().to_string(),
        name: org.name().to_string(),
        profile: app
            .profile
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        ..Default::default()
    };
    let ics =
        crate::store::reminder::reminder_ics(&settings, expires, time::OffsetDateTime::now_utc());
    let path = std::env::current_dir()
        .map_err(|e| e.to_string())?
        .join(format!("patwiz-rotate-{}.ics", org.name()));
    crate::store::files::write_no_follow(&path, ics.as_bytes())
        .map_err(|e| format!("Could not write {}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

async fn check_org(url: &str, options: &HttpOptions) -> Result<String, String> {
    let org = OrgUrl::parse(url).map_err(|e| e.to_string())?;
    let http = Http::new(crate::domain::token::Token::new(String::new()), options)?;
    match discovery::discover(&http, &org).await {
        Ok(found) => Ok(if found.advertised {
            "Azure DevOps Services".into()
        } else {
            "Azure DevOps Server".into()
        }),
        Err(failure) => {
            let advice =
                crate::domain::checks::remediation(failure.class.as_str(), &Default::default());
            Err(format!("{} {}", failure.detail, advice.text))
        }
    }
}

fn check_request(app: &App, options: &WizardOptions) -> Option<engine::CheckRequest> {
    let org = app.org.clone().ok()?;
    let token = app.token.as_ref()?.token.clone();
    let scopes = app
        .scopes
        .iter()
        .filter(|r| r.ticked)
        .map(|r| Wanted {
            scope: r.id.clone(),
            why: r.why.clone(),
        })
        .collect();
    let mut request = engine::request_for(org, token, scopes, &app.integration());
    request.global_pat_retired = app.profile.as_ref().is_some_and(|p| p.global_pat_retired);
    request.http = options.http.clone();
    request.notes = app
        .token
        .as_ref()
        .map(|t| t.notes.clone())
        .unwrap_or_default();
    Some(request)
}

fn save_job(
    app: &App,
    options: &WizardOptions,
) -> impl std::future::Future<Output = Result<(String, String), String>> + Send + 'static {
    let org = app.org.clone();
    let token = app.token.as_ref().map(|t| t.token.clone());
    let report = app.validation.report.clone();
    let profile = app
        .profile
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "custom".into());
    let scopes = app.ticked_scopes();
    let rotating = app.rotating.clone();
    let expires = parse_date(&app.expires_input).ok();
    let dir = options.config_dir.clone();
    async move {
        let org = org.map_err(|e| e.to_string())?;
        let token = token.ok_or("no token to store")?;
        let report = report.ok_or("no proof to store")?;
        let vault = Vault::open(&dir).await.map_err(|e| e.to_string())?;
        let proven = crate::flows::keep::Proven {
            org: &org,
            token: &token,
            report: &report,
            profile: &profile,
            scopes: &scopes,
            expires,
        };
        let now = time::OffsetDateTime::now_utc();
        let stored = match rotating {
            Some(stored) => {
                crate::flows::keep::rotate_proven(&vault, &stored.key, proven, now).await
            }
            None => crate::flows::keep::store_proven(&vault, proven, now).await,
        }
        .map_err(|e| format!("{e}."))?;
        Ok((
            stored.backend.name().to_string(),
            format!("Token {}.", stored.backend.explain()),
        ))
    }
}

pub use state::DemoToken as WizardDemoToken;

/// True when the full-screen interface cannot work (TERM=dumb, or output is not a terminal).
pub fn wants_plain(flag: bool) -> bool {
    use std::io::IsTerminal as _;
    flag || std::env::var("TERM").is_ok_and(|t| t == "dumb") || !std::io::stdout().is_terminal()
}
