//! Drawing: a frame (progress header, message line, key hints) around one screen per step.
//! Views read the state and never change it.

mod create_token;
mod done;
mod handoff;
mod organization;
mod overlay;
mod paste;
mod save;
mod scopes;
mod start;
mod validate;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::state::{App, Level, Step};
use super::theme::Theme;

pub const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    let area = frame.area();
    if area.width < 20 || area.height < 8 {
        frame.render_widget(
            Paragraph::new("patwiz needs a bigger window (at least 20x8)."),
            area,
        );
        return;
    }
    let [header, body, message, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, app, theme);
    let inner = Block::default().borders(Borders::NONE);
    frame.render_widget(inner, body);
    match app.step {
        Step::Start => start::draw(frame, body, app, theme),
        Step::Organization => organization::draw(frame, body, app, theme),
        Step::CreateToken => create_token::draw(frame, body, app, theme),
        Step::Scopes => scopes::draw(frame, body, app, theme),
        Step::Paste => paste::draw(frame, body, app, theme),
        Step::Validate => validate::draw(frame, body, app, theme),
        Step::Save => save::draw(frame, body, app, theme),
        Step::HandOff => handoff::draw(frame, body, app, theme),
        Step::Done => done::draw(frame, body, app, theme),
    }
    if let Some((level, text)) = &app.message {
        let text = &crate::domain::text::safe_message(text);
        let style = match level {
            Level::Info => theme.dim(),
            Level::Warn => theme.warn(),
            Level::Error => theme.fail(),
        };
        let mark = match level {
            Level::Info => "i",
            Level::Warn => "!",
            Level::Error => "✗",
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::styled(text.as_str(), style),
            ]))
            .wrap(Wrap { trim: true }),
            message,
        );
    }
    draw_footer(frame, footer, app, theme);
    if let Some(kind) = app.overlay {
        overlay::draw(frame, area, app, kind, theme);
    }
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let total = Step::ALL.len();
    let dots: String = Step::ALL
        .iter()
        .map(|s| {
            if *s == app.step {
                "●"
            } else if *s < app.step {
                "•"
            } else {
                "·"
            }
        })
        .collect::<Vec<_>>()
        .join("");
    let mode = if app.rotating.is_some() {
        " · rotating"
    } else {
        ""
    };
    let left = format!(
        " patwiz · Step {} of {total} · {}{mode}",
        app.step.number(),
        app.step.title()
    );
    let pad = (area.width as usize).saturating_sub(left.chars().count() + dots.chars().count() + 1);
    let line = Line::from(vec![
        Span::styled(left, theme.title()),
        Span::raw(" ".repeat(pad)),
        Span::styled(dots, theme.dim()),
    ]);
    let [top, rule] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(line), top);
    frame.render_widget(
        Paragraph::new("─".repeat(area.width as usize)).style(theme.dim()),
        rule,
    );
}

/// The keys of the current screen, shown in the footer and the help overlay.
pub fn key_hints(app: &App) -> Vec<(&'static str, &'static str)> {
    let mut keys: Vec<(&str, &str)> = match app.step {
        Step::Start => vec![("↑↓", "choose"), ("Enter", "next")],
        Step::Organization => vec![("type", "URL"), ("Enter", "check"), ("Esc", "back")],
        Step::CreateToken => vec![
            ("o", "open page"),
            ("c", "copy link"),
            ("Enter", "next"),
            ("Esc", "back"),
        ],
        Step::Scopes => vec![
            ("↑↓", "move"),
            ("Space", "tick"),
            ("f", "Full access"),
            ("Enter", "next"),
            ("Esc", "back"),
        ],
        Step::Paste => {
            let mut k = vec![
                ("p", "paste"),
                ("Del", "clear"),
                ("Enter", "validate"),
                ("Esc", "back"),
            ];
            if app.pasted_from_clipboard && app.token.is_some() {
                k.insert(1, ("x", "clear clipboard"));
            }
            if !app.demo_tokens.is_empty() {
                k.insert(1, ("1-9", "demo token"));
            }
            k
        }
        Step::Validate => vec![
            ("r", "re-run"),
            ("b", "new token"),
            ("s", "scopes"),
            ("Enter", "save"),
            ("Esc", "back"),
        ],
        Step::Save => vec![("type", "YYYY-MM-DD"), ("Enter", "save"), ("Esc", "back")],
        Step::HandOff => vec![
            ("t", "copy token"),
            ("u", "copy org URL"),
            ("Enter", "next"),
            ("Esc", "back"),
        ],
        Step::Done => {
            let mut k = vec![
                ("c", "copy report"),
                ("n", "another org"),
                ("Enter", "quit"),
            ];
            if !app.expires_input.trim().is_empty() {
                k.insert(1, ("r", "reminder"));
            }
            k
        }
    };
    if app.step.takes_text() {
        keys.push(("F1", "help"));
        keys.push(("^Q", "quit"));
    } else {
        keys.push(("?", "help"));
        keys.push(("q", "quit"));
    }
    keys
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let mut spans = vec![Span::raw(" ")];
    for (i, (key, what)) in key_hints(app).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A paragraph of wrapped lines.
pub fn text<'a>(lines: Vec<Line<'a>>) -> Paragraph<'a> {
    Paragraph::new(lines).wrap(Wrap { trim: false })
}

/// `s` cut to `width` characters, with an ellipsis when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else if width == 0 {
        String::new()
    } else {
        format!("{}…", s.chars().take(width - 1).collect::<String>())
    }
}
