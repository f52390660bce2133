//! Drawing: a frame (progress header, message line, key hints) around the current step's
//! screen, and the overlays. Views read the state and never change it.

pub mod overlay;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::keymap;
use super::state::{App, Level, Step};
use super::steps;
use super::theme::Theme;

pub const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// The smallest window the wizard draws in; below it, a notice says so.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!(
                "patwiz needs a window of at least {MIN_WIDTH}×{MIN_HEIGHT} (this one is {}×{}). Make it larger: until then keys wait and nothing is lost (Ctrl+C quits).",
                area.width, area.height
            ))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    // The message takes the rows it needs (two at least, so the body does not jump; four at
    // most).
    let message_text = message_lines(app, theme, area.width);
    let message_rows = u16::try_from(message_text.len()).unwrap_or(4).clamp(2, 4);
    let [header, body, message, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(message_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(header_lines(app, theme, area.width)), header);
    match app.step {
        Step::Scopes => steps::scopes::draw(frame, body, app, theme),
        Step::Validate => draw_validate(frame, body, app, theme),
        _ => frame.render_widget(
            text(marked_when_cut(
                steps::lines(app, theme, body.width),
                body,
                theme,
            )),
            body,
        ),
    }
    frame.render_widget(Paragraph::new(message_text), message);
    frame.render_widget(
        Paragraph::new(footer_line(app, theme, footer.width)),
        footer,
    );
    if let Some(kind) = app.overlay {
        overlay::draw(frame, area, app, kind, theme);
    }
}

/// Validate: the identity pinned at the top, the rest scrolling, with "more" marks when it
/// does not fit.
fn draw_validate(frame: &mut Frame, area: ratatui::layout::Rect, app: &App, theme: Theme) {
    let pinned = steps::validate::pinned(app, theme, app.spinner, area.width);
    let [top, rest] = Layout::vertical([
        Constraint::Length(u16::try_from(pinned.len()).unwrap_or(2)),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(pinned), top);
    let body = steps::validate::body(app, theme, app.spinner, rest.width);
    let rows = usize::from(rest.height);
    let max = body.len().saturating_sub(rows);
    let scroll = usize::from(app.validation.scroll).min(max);
    let mut shown: Vec<Line> = body.into_iter().skip(scroll).take(rows).collect();
    if scroll < max
        && let Some(last) = shown.last_mut()
    {
        let n = max - scroll;
        *last = Line::styled(
            format!(
                " ↓ {n} more line{} below: ↓ or PgDn",
                if n == 1 { "" } else { "s" }
            ),
            theme.key(),
        );
    }
    if scroll > 0
        && let Some(first) = shown.first_mut()
    {
        *first = Line::styled(
            format!(
                " ↑ {scroll} line{} above: ↑ or PgUp",
                if scroll == 1 { "" } else { "s" }
            ),
            theme.key(),
        );
    }
    frame.render_widget(Paragraph::new(shown), rest);
}

/// "patwiz · Step n of 9 · Title" with the progress dots at the right, and a rule.
pub fn header_lines(app: &App, theme: Theme, width: u16) -> Vec<Line<'static>> {
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
        .collect();
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
    let pad = (width as usize).saturating_sub(left.chars().count() + dots.chars().count() + 1);
    vec![
        Line::from(vec![
            Span::styled(left, theme.title()),
            Span::raw(" ".repeat(pad)),
            Span::styled(dots, theme.dim()),
        ]),
        Line::styled("─".repeat(width as usize), theme.dim()),
    ]
}

/// The message line, if there is a message: a mark and the text, in the level's style.
/// The message under the step, its mark first and wrapped lines under its text.
pub fn message_lines(app: &App, theme: Theme, width: u16) -> Vec<Line<'static>> {
    let Some((level, text)) = app.message.as_ref() else {
        return vec![];
    };
    let text = crate::domain::text::safe_message(text);
    let (style, mark) = match level {
        Level::Info => (theme.dim(), "i "),
        Level::Warn => (theme.warn(), "! "),
        Level::Error => (theme.fail(), "✗ "),
    };
    crate::ui::widgets::wrap::hanging(&text, width, mark, style, style)
}

fn footer_line(app: &App, theme: Theme, width: u16) -> Line<'static> {
    let mut hints = keymap::footer(app);
    // What does not fit is left out from the step's keys (help and quit always stay; `?` lists
    // everything).
    let len = |hints: &[(&str, &str)]| {
        1 + hints
            .iter()
            .map(|(k, w)| k.chars().count() + 1 + w.chars().count())
            .sum::<usize>()
            + 3 * hints.len().saturating_sub(1)
    };
    while len(&hints) > usize::from(width) && hints.len() > 2 {
        // The least needed first: neither Enter nor Esc while another can go.
        let last = hints.len() - 2;
        let drop = (0..last)
            .rev()
            .find(|&i| !matches!(hints[i].0, "Enter" | "Esc"))
            .unwrap_or(last - 1);
        hints.remove(drop);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (key, what)) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

/// A paragraph of wrapped lines.
/// `lines` as they fit in `area`; when they do not, the last row that fits says how many are
/// left out and that a taller window shows them (these steps do not scroll).
fn marked_when_cut<'a>(
    lines: Vec<Line<'a>>,
    area: ratatui::layout::Rect,
    theme: Theme,
) -> Vec<Line<'a>> {
    let width = usize::from(area.width.max(1));
    let rows = |line: &Line| line.width().div_ceil(width).max(1);
    let total: usize = lines.iter().map(rows).sum();
    let room = usize::from(area.height);
    if total <= room || room == 0 {
        return lines;
    }
    let mut kept = Vec::new();
    let mut used = 0;
    for line in lines {
        let need = rows(&line);
        if used + need > room - 1 {
            break;
        }
        used += need;
        kept.push(line);
    }
    let left = total - used;
    kept.push(Line::styled(
        format!(
            " ↓ {left} more line{} (a taller window shows {})",
            if left == 1 { "" } else { "s" },
            if left == 1 { "it" } else { "them" }
        ),
        theme.key(),
    ));
    kept
}

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

/// A line's text without its styles (plain mode).
pub fn plain(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}
