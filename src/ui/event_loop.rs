//! The full-screen loop: input and the runner's answers in, `update`, effects out, one redraw
//! per batch; it ticks only while something on screen moves. Generic over the backend and the
//! input stream, so tests drive the real loop on a `TestBackend`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::unbounded_channel;

use super::msg::Msg;
use super::runner::Runner;
use super::services::osc52::TerminalCopy;
use super::state::{App, Overlay};
use super::theme::Theme;
pub use super::tui::Input;
use super::update::update;
use super::{WizardOptions, keymap, view};

/// How often the screen moves while something animates.
const TICK: Duration = Duration::from_millis(120);

/// How the wizard ended: its exit code, and one line to say in the shell afterwards.
pub struct Outcome {
    pub code: ExitCode,
    pub summary: String,
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The line said in the shell when the wizard has closed.
pub fn summary(app: &App, demo: bool) -> String {
    let org = app
        .org
        .parsed
        .as_ref()
        .map(|o| o.to_string())
        .unwrap_or_default();
    match (&app.save.state, app.validation.report.as_ref()) {
        // The demo forgets what it stored as it ends.
        (super::state::SaveState::Saved(_), _) if demo => format!(
            "patwiz: the demo proved and stored a token for {} at {org}, and removed it again as it ended.",
            app.integration()
        ),
        (super::state::SaveState::Saved(stored), _) => format!(
            "patwiz: a proven token for {} is stored for {org} ({}).",
            app.integration(),
            stored.backend.name()
        ),
        (super::state::SaveState::SavedTeam(where_), _) => format!(
            "patwiz: a proven token for {} is stored for {org} in {where_}.",
            app.integration()
        ),
        (_, Some(report)) => format!(
            "patwiz: nothing was stored. Last check of the token for {org}: {}.",
            lowercase_first(&report.headline(&app.integration()))
        ),
        _ => "patwiz: nothing was stored.".to_string(),
    }
}

pub async fn run<B, S>(
    terminal: &mut Terminal<B>,
    mut app: App,
    mut input: S,
    options: &WizardOptions,
    theme: Theme,
) -> Result<Outcome, B::Error>
where
    B: Backend,
    S: futures_util::Stream<Item = Input> + Unpin,
{
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let (terminal_tx, mut terminal_rx) = unbounded_channel::<TerminalCopy>();
    let mut runner = Runner::new(tx, options).with_terminal(terminal_tx);
    let mut tick = tokio::time::interval(TICK);
    if let Ok(size) = terminal.size() {
        update(&mut app, Msg::Resized(size.width, size.height));
    }
    terminal.draw(|f| view::draw(f, &app, theme))?;
    loop {
        let first = tokio::select! {
            Some(input) = input.next() => match input {
                Input::Key(key) => keymap::intent(&app, &key).map(Msg::Intent),
                // A paste into a screen that is not drawn is not taken (see keymap::intent).
                Input::Paste(_) if app.too_small() => None,
                Input::Paste(text) => Some(Msg::Paste(text)),
                Input::Resize(w, h) => Some(Msg::Resized(w, h)),
                // Nobody is left to answer a question: end as quitting does.
                Input::Closed => break,
            },
            Some(msg) = rx.recv() => Some(msg),
            Some(copy) = terminal_rx.recv() => {
                // Between two frames, so no frame is cut by the sequence.
                write_to_terminal(&copy);
                None
            }
            _ = tick.tick(), if app.animating() => Some(Msg::Tick(Instant::now())),
            else => break,
        };
        // Whatever else is ready is handled before drawing once.
        let mut pending: Vec<Msg> = first.into_iter().collect();
        while let Ok(msg) = rx.try_recv() {
            pending.push(msg);
        }
        let was_one_line = app.overlay == Some(Overlay::RevealLine);
        for msg in pending {
            for effect in update(&mut app, msg) {
                runner.run(effect);
            }
        }
        if was_one_line && app.overlay != Some(Overlay::RevealLine) {
            // Written past ratatui's buffer, so erased past it too.
            one_line_reveal(None);
        }
        if app.quit {
            break;
        }
        if std::mem::take(&mut app.repaint) {
            // A blank frame first overwrites every cell that held anything (the token among
            // them), then the screen is drawn again. (No terminal query: `clear` asks the
            // terminal for its cursor, which not every terminal answers.)
            terminal.draw(|f| f.render_widget(ratatui::widgets::Clear, f.area()))?;
        }
        terminal.draw(|f| view::draw(f, &app, theme))?;
        if app.overlay == Some(Overlay::RevealLine)
            && let Some(token) = &app.paste.token
        {
            one_line_reveal(Some(token.token.expose()));
        }
    }
    runner.finish();
    while let Ok(copy) = terminal_rx.try_recv() {
        write_to_terminal(&copy);
    }
    forget_demo(&app, options).await;
    Ok(Outcome {
        code: ExitCode::from(app.exit_code()),
        summary: summary(&app, options.forget_on_exit),
    })
}

/// The one-line reveal, written straight to the terminal after the frame (`Some`): plain text
/// from the row's first column, wrapped by the terminal itself, so that a selection across the
/// rows is the token and nothing else. `None` erases it again (ratatui's buffer never held it,
/// so its own clearing would not).
fn one_line_reveal(token: Option<&str>) {
    use crossterm::cursor::MoveTo;
    use crossterm::style::Print;
    use crossterm::terminal::{Clear, ClearType};
    use std::io::Write as _;
    let row = view::overlay::REVEAL_LINE_ROW;
    let mut out = std::io::stdout().lock();
    let _ = match token {
        Some(token) => crossterm::queue!(out, MoveTo(0, row), Print(token)),
        None => crossterm::queue!(out, MoveTo(0, row), Clear(ClearType::FromCursorDown)),
    };
    let _ = out.flush();
}

/// Writes an OSC 52 request straight to the terminal.
pub fn write_to_terminal(copy: &TerminalCopy) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(copy.sequence().as_bytes());
    let _ = out.flush();
}

/// The demo's tokens are forgotten when the wizard ends: every one it stored, also those of
/// organizations set up with `n` before the last.
pub async fn forget_demo(app: &App, options: &WizardOptions) {
    if options.forget_on_exit
        && !app.stored_orgs.is_empty()
        && let Ok(vault) = options.ctx().local_store().await
    {
        for org in &app.stored_orgs {
            let _ = crate::flows::keep::forget(&vault, org).await;
        }
    }
}
