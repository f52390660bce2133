//! Plain mode: the same wizard (the same state, `update`, effects and runner) as line-by-line
//! prompts, for screen readers, dumb terminals and scripts (`--plain`, `TERM=dumb`), as
//! charmbracelet/huh's accessible mode does. Each screen is printed as text once it has
//! settled; each answer is turned into the intents the full-screen keys would give. The token
//! is read without echo when standard input is a terminal, and never printed.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::zeroize::Zeroizing;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::keymap::{self, Intent};
use super::msg::Msg;
use super::runner::Runner;
use super::state::{App, Step};
use super::theme::Theme;
use super::update::update;
use super::{WizardOptions, event_loop, initial_app, steps, view};
use crate::domain::checks::EXIT_USAGE;

pub async fn run(options: WizardOptions) -> ExitCode {
    let mut app = initial_app(&options);
    app.plain = true;
    // Printed lines have no height and no width to fit: nothing is cut or left for "a taller
    // window"; `wrapped` breaks long lines between words instead.
    app.size = (LAYOUT_WIDTH, LAYOUT_WIDTH);
    // Shown once on request only to a person at a terminal, never into a file or a pipe.
    app.reveal_allowed = std::io::stdout().is_terminal();
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let (terminal_tx, mut terminal_rx) = unbounded_channel();
    let mut runner = Runner::new(tx, &options);
    if std::io::stdout().is_terminal() {
        // Only a terminal has a clipboard to ask: a script's output stays clean.
        runner = runner.with_terminal(terminal_tx);
    }
    let mut printer = Printer::default();
    // A closed terminal or a dropped SSH connection ends the wizard as input ending does,
    // never by dying on the spot (the demo's token is removed, the clipboard cleared).
    let mut hangup = super::services::hangup::Hangup::listen();
    let ended = loop {
        settle(&mut app, &mut runner, &mut rx).await;
        if app.quit {
            break false;
        }
        printer.show(&app);
        let answer = tokio::select! {
            answer = read(&app) => answer,
            () = hangup.wait() => None,
        };
        let Some(answer) = answer else {
            break true;
        };
        let Some(msgs) = translate(&app, &answer, &mut printer) else {
            // Never silence for an answer that does nothing (nor an echo of it: it may be a
            // token typed at the wrong prompt).
            say(&format!(
                "That answer does nothing on this screen. {}",
                keys_line(&app)
            ));
            continue;
        };
        for msg in msgs {
            for effect in update(&mut app, msg) {
                runner.run(effect);
            }
            settle(&mut app, &mut runner, &mut rx).await;
            while let Ok(copy) = terminal_rx.try_recv() {
                event_loop::write_to_terminal(&copy);
            }
        }
    };
    runner.finish();
    while let Ok(copy) = terminal_rx.try_recv() {
        event_loop::write_to_terminal(&copy);
    }
    event_loop::forget_demo(&app, &options).await;
    if options.forget_on_exit && !app.stored_orgs.is_empty() {
        say("(Demo: the demo token was removed again.)");
    }
    if ended && !app.saved_once {
        say("Input ended before the wizard did: nothing was stored.");
        return ExitCode::from(EXIT_USAGE);
    }
    ExitCode::from(app.exit_code())
}

/// Handles the runner's answers until nothing is under way.
async fn settle(app: &mut App, runner: &mut Runner, rx: &mut UnboundedReceiver<Msg>) {
    loop {
        let msg = if runner.busy() {
            match tokio::time::timeout(std::time::Duration::from_millis(200), rx.recv()).await {
                Ok(Some(msg)) => msg,
                Ok(None) => return,
                Err(_) => Msg::Tick(Instant::now()),
            }
        } else {
            match rx.try_recv() {
                Ok(msg) => msg,
                Err(_) => return,
            }
        };
        for effect in update(app, msg) {
            runner.run(effect);
        }
    }
}

/// The width the steps lay their lines out at in plain mode: wide enough that none is cut.
const LAYOUT_WIDTH: u16 = 1000;
/// The width printed lines are wrapped at, between words (a terminal narrower than this wraps
/// them again itself; a screen reader reads them either way).
const PRINT_WIDTH: usize = 80;

fn say(text: &str) {
    let mut out = std::io::stdout();
    // Nothing token-shaped and no control sequence ever reaches the terminal.
    let text = crate::domain::text::safe_message(text);
    for line in text.lines() {
        let _ = writeln!(out, "{}", wrapped(line));
    }
    if text.is_empty() {
        let _ = writeln!(out);
    }
    let _ = out.flush();
}

/// One printed line broken between words at [`PRINT_WIDTH`], its continuations lined up under
/// its text: under a table row's last column, or after its indent and a leading mark such as
/// `1.`, `✓` or `Fix:`.
fn wrapped(line: &str) -> String {
    if line.chars().count() <= PRINT_WIDTH {
        return line.to_string();
    }
    let body = line.trim_start();
    let lead = line.len() - body.len();
    let indent = column(line).unwrap_or_else(|| lead + mark_width(body));
    let indent = " ".repeat(indent);
    let options = textwrap::Options::new(PRINT_WIDTH)
        .subsequent_indent(&indent)
        .break_words(false)
        // Lines break at spaces, never at the hyphens of a GUID, a date or a name.
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(line, options).join("\n")
}

/// Where a table row's last column starts (the text after its last gap of two or more
/// spaces), when that is in the left half of the line.
fn column(line: &str) -> Option<usize> {
    let chars: Vec<char> = line.chars().collect();
    let lead = chars.iter().take_while(|c| **c == ' ').count();
    let mut start = None;
    let mut i = lead;
    while i + 1 < chars.len() && i < PRINT_WIDTH / 2 {
        if chars[i] == ' ' && chars[i + 1] == ' ' {
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            start = Some(j);
            i = j;
        } else {
            i += 1;
        }
    }
    start.filter(|s| *s < PRINT_WIDTH / 2)
}

/// The width of a leading mark (`1.`, `✓`, `Fix:`) and the space after it, or 0.
fn mark_width(body: &str) -> usize {
    body.split_once(' ')
        .filter(|(word, _)| {
            let numbered = word.ends_with('.')
                && word
                    .trim_end_matches('.')
                    .chars()
                    .all(|c| c.is_ascii_digit());
            let glyph = word.chars().count() <= 5 && !word.chars().any(char::is_alphanumeric);
            let label = word.ends_with(':') && word.chars().count() <= 8;
            numbered || glyph || label
        })
        .map_or(0, |(word, _)| word.chars().count() + 1)
}

/// Prints what changed since the last answer: a new step in full, otherwise the new lines.
#[derive(Default)]
struct Printer {
    step: Option<Step>,
    lines: Vec<String>,
    message: Option<String>,
    help_shown: bool,
    /// The person asked for every scope, not only the ticked and required ones.
    all_scopes: bool,
}

/// A screen line as plain text: no cursor glyph, a pointer a screen reader says plainly.
fn plain_text(line: &ratatui::text::Line<'_>) -> String {
    view::plain(line)
        .replace('▏', "")
        .replace('▶', ">")
        .trim_end()
        .to_string()
}

impl Printer {
    fn show(&mut self, app: &App) {
        let theme = Theme::plain();
        if app.overlay == Some(super::state::Overlay::Help) {
            if !self.help_shown {
                for line in view::overlay::help_lines(app, theme) {
                    say(&view::plain(&line));
                }
                self.help_shown = true;
            }
            return;
        }
        self.help_shown = false;
        if app.overlay == Some(super::state::Overlay::ConfirmQuit) {
            say("The token is proven but not saved. Quit anyway? It will not be stored.");
            return;
        }
        if app.overlay == Some(super::state::Overlay::ConfirmReveal) {
            say(
                "Show the token? The whole token will be printed on the next line. Anyone who can see this terminal (a screen-share, a recording) can use it, and it stays in the terminal's scrollback: patwiz cannot take it out of there.",
            );
            say("Type y then Enter to show it; anything else cancels.");
            return;
        }
        if app.overlay == Some(super::state::Overlay::Reveal) {
            if let Some(checked) = &app.paste.token {
                // The one line patwiz prints a token on, after the person said yes: not
                // through `say`, which would hide it as token-shaped.
                let mut out = std::io::stdout();
                // On a line of its own, so that selecting the line selects the token alone.
                let _ = writeln!(
                    out,
                    "The token, alone on the next line:\n{}",
                    checked.token.expose()
                );
                let _ = out.flush();
            }
            say(
                "Paste or type it into the integration, then press Enter. Clear this terminal's scrollback once it is pasted (patwiz cannot).",
            );
            return;
        }
        let mut lines: Vec<String> = steps::lines(app, theme, LAYOUT_WIDTH)
            .iter()
            .map(plain_text)
            .collect();
        if app.step == Step::Scopes && !self.all_scopes {
            // The groups with a level or a need; the others on request.
            let total = lines.len();
            let row = |l: &String| l.trim_start().starts_with(|c: char| c.is_ascii_digit());
            lines.retain(|l| !(row(l) && l.contains(" none") && !l.contains('✗')));
            let hidden = total - lines.len();
            if hidden > 0 {
                lines.push(format!(
                    " {hidden} other scope groups, at none: type all to list them."
                ));
            }
        }
        if self.step != Some(app.step) {
            say(&format!(
                "\nStep {} of {}: {}",
                app.step.number(),
                Step::ALL.len(),
                app.step.title()
            ));
            self.lines.clear();
            self.step = Some(app.step);
            self.message = None;
        }
        let same = self
            .lines
            .iter()
            .zip(&lines)
            .take_while(|(a, b)| a == b)
            .count();
        for line in &lines[same..] {
            say(line);
        }
        let message = app.message.as_ref().map(|(_, m)| m.clone());
        if message != self.message {
            if let Some(m) = &message {
                say(m);
            }
            self.message = message;
        }
        if same < lines.len() || self.lines.is_empty() {
            say(&keys_line(app));
        }
        self.lines = lines;
    }
}

/// What can be answered here, in words.
fn keys_line(app: &App) -> String {
    let mut parts = Vec::new();
    if let Some(what) = keymap::enter(app) {
        parts.push(format!("Enter alone: {what}"));
    }
    // Each part after the first begins with "or"; the first begins the sentence.
    let next = |parts: &Vec<String>, first: &str, then: &str| {
        if parts.is_empty() {
            first.to_string()
        } else {
            then.to_string()
        }
    };
    if app.step.takes_text() {
        parts.push(next(&parts, "Type the answer", "or type the answer"));
    }
    // Moving a cursor or scrolling means nothing between printed lines (rows are chosen by
    // their numbers here).
    let keys: Vec<String> = keymap::typeable(app)
        .into_iter()
        .filter(|(_, intent)| {
            let levels = app.step == Step::Scopes && matches!(intent, Intent::Less | Intent::More);
            !levels
                && !matches!(
                    intent,
                    Intent::Up
                        | Intent::Down
                        | Intent::PageUp
                        | Intent::PageDown
                        | Intent::Home
                        | Intent::End
                        | Intent::Toggle
                        | Intent::Filter
                )
        })
        // Arrows cannot be typed on a line: the letter is the key.
        .map(|(hint, _)| {
            let key = hint.0.rsplit(' ').next().unwrap_or(hint.0);
            format!("{key} {}", hint.1)
        })
        .collect();
    if !keys.is_empty() {
        let lead = next(&parts, "Type a key, then Enter", "or a key, then Enter");
        parts.push(format!("{lead}: {}", keys.join(" · ")));
    }
    if app.step != Step::Start && app.step != Step::Done {
        parts.push("- goes back".to_string());
    }
    format!("{}.", parts.join("; "))
}

/// Reads one answer: a line, or the token without echo on the Paste step.
async fn read(app: &App) -> Option<Zeroizing<String>> {
    let secret = app.step == Step::Paste && app.overlay.is_none();
    let prompt = match app.step {
        _ if app.overlay.is_some() => "> ".to_string(),
        Step::Start => format!(
            "Choose 1-{} (Enter: {}): ",
            app.start.choices.len(),
            app.start.cursor + 1
        ),
        Step::Organization if !app.org.input.is_empty() => {
            format!("Organization URL (Enter: {}): ", app.org.input.as_str())
        }
        Step::Organization => "Organization URL: ".into(),
        Step::Scopes => {
            "Enter to check these, or group numbers to turn on or off, + or - after one for more or less access (e.g. 3 7+): ".into()
        }
        Step::Paste if !app.demo_tokens.is_empty() => {
            "Paste the token (it is not shown), or a demo token's number, then Enter: ".into()
        }
        Step::Paste => "Paste the token (it is not shown), then Enter: ".into(),
        Step::Save if app.rotating.is_none() => {
            "Expiry date you chose (YYYY-MM-DD, Enter to skip); add vault://…, keyvault://… or pass://… to store it in a team vault: ".into()
        }
        Step::Save => "Expiry date you chose (YYYY-MM-DD, Enter to skip): ".into(),
        _ => "> ".into(),
    };
    tokio::task::spawn_blocking(move || {
        if secret {
            ask_secret(&prompt)
        } else {
            ask(&prompt)
        }
    })
    .await
    .ok()
    .flatten()
}

fn ask(prompt: &str) -> Option<Zeroizing<String>> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = Zeroizing::new(String::new());
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(Zeroizing::new(
            line.trim_end_matches(['\n', '\r']).to_string(),
        )),
    }
}

/// Reads a secret: without echo on a terminal, as a plain line otherwise.
fn ask_secret(prompt: &str) -> Option<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        return ask(prompt);
    }
    crate::ui::services::hidden_input::read_hidden(prompt, &mut std::io::stdout())
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// The intents an answer stands for: an empty line is Enter; on a step that takes text the
/// line is the text; elsewhere each character is the key of the same name.
/// What an answer does on this screen; `None` when it does nothing here.
fn translate(app: &App, answer: &str, printer: &mut Printer) -> Option<Vec<Msg>> {
    if app.step == Step::Scopes && answer.trim().eq_ignore_ascii_case("all") {
        printer.all_scopes = true;
        printer.lines.clear();
        return Some(vec![]);
    }
    let msgs = intents_of(app, answer);
    (!msgs.is_empty()).then_some(msgs)
}

/// The messages an answer stands for: a key, a typed value, group numbers, Enter.
fn intents_of(app: &App, answer: &str) -> Vec<Msg> {
    let text = answer.trim();
    let enter = Msg::Intent(Intent::Next);
    if app.overlay.is_some() {
        let first = text.chars().next().unwrap_or('\n');
        return keymap::intent(app, &key(first))
            .map(Msg::Intent)
            .into_iter()
            .collect();
    }
    if text == "?" {
        return vec![Msg::Intent(Intent::Help)];
    }
    if text == "-" {
        return vec![Msg::Intent(Intent::Back)];
    }
    if text.is_empty() {
        return vec![enter];
    }
    match app.step {
        Step::Save => {
            // "2027-05-31", "vault://secret/ado/x" or both: the address goes to the team vault
            // field (Tab), the rest to the date.
            let (addresses, date): (Vec<&str>, Vec<&str>) =
                text.split_whitespace().partition(|w| w.contains("://"));
            let mut msgs = Vec::new();
            // Only an address: the date already there (the create step's choice) stays.
            if !date.is_empty() {
                msgs.push(Msg::Intent(Intent::ClearField));
                msgs.extend(date.join("").chars().map(|c| Msg::Intent(Intent::Type(c))));
            }
            if let Some(address) = addresses.first() {
                msgs.push(Msg::Intent(Intent::Toggle));
                msgs.push(Msg::Intent(Intent::ClearField));
                msgs.extend(address.chars().map(|c| Msg::Intent(Intent::Type(c))));
                msgs.push(Msg::Intent(Intent::Toggle));
            }
            msgs.push(enter);
            msgs
        }
        Step::Organization => {
            let mut msgs = vec![Msg::Intent(Intent::ClearField)];
            msgs.extend(text.chars().map(|c| Msg::Intent(Intent::Type(c))));
            msgs.push(enter);
            msgs
        }
        Step::Paste if text.chars().count() == 1 => {
            // A one-character answer is a key (a demo token's number, p for the clipboard).
            keymap::intent(app, &key(text.chars().next().unwrap_or(' ')))
                .map(|i| match i {
                    Intent::DemoToken(_) => vec![Msg::Intent(i), Msg::Intent(Intent::Next)],
                    other => vec![Msg::Intent(other)],
                })
                .unwrap_or_default()
        }
        Step::Paste => vec![Msg::Paste(Zeroizing::new(text.to_string())), enter],
        Step::Scopes
            if text
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ',' | ' ' | '+' | '-')) =>
        {
            text.split([',', ' '])
                .filter_map(|item| {
                    let digits = item.trim_end_matches(['+', '-']);
                    let n = digits.parse::<usize>().ok()?;
                    (1..=app.scopes.rows.len())
                        .contains(&n)
                        .then_some((n, &item[digits.len()..]))
                })
                .flat_map(|(n, changes)| {
                    // The rows are numbered unfiltered; a number is a row, from the top.
                    let mut msgs =
                        vec![Msg::Intent(Intent::ClearFilter), Msg::Intent(Intent::Home)];
                    msgs.extend((1..n).map(|_| Msg::Intent(Intent::Down)));
                    if changes.is_empty() {
                        msgs.push(Msg::Intent(Intent::Toggle));
                    }
                    msgs.extend(
                        changes.chars().map(|c| {
                            Msg::Intent(if c == '+' { Intent::More } else { Intent::Less })
                        }),
                    );
                    msgs
                })
                .collect()
        }
        Step::Start if text.chars().all(|c| c.is_ascii_digit()) => match text.parse::<usize>() {
            Ok(n) if (1..=app.start.choices.len()).contains(&n) => {
                vec![Msg::Intent(Intent::Choose(n - 1))]
            }
            _ => vec![],
        },
        _ => text
            .chars()
            .filter_map(|c| keymap::intent(app, &key(c)).map(Msg::Intent))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_breaks_between_words_under_its_text() {
        let line = " 1. Inside Zendesk, open any ticket and find the Git-Zen sidebar, then click the gear icon and open Settings.";
        let out = wrapped(line);
        let rows: Vec<&str> = out.lines().collect();
        assert!(rows.len() > 1, "{out}");
        assert!(
            rows.iter().all(|r| r.chars().count() <= PRINT_WIDTH),
            "{out}"
        );
        assert!(
            rows[1].starts_with("    ") && !rows[1].starts_with("     "),
            "{out}"
        );
        let words: Vec<&str> = line.split_whitespace().collect();
        let again: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(words, again, "no word broken, none lost");
        assert_eq!(wrapped(" short"), " short");
        let row = "  1 jira-git       Code: Read only, legacy format (Git Integration for Jira's minimum).";
        let out = wrapped(row);
        assert!(
            out.lines().nth(1).unwrap().starts_with(&" ".repeat(19)),
            "{out}"
        );
    }
}
