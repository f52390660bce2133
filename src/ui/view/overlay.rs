//! The help overlay (every key that works on this screen, from the step's key table) and the
//! quit confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::ui::keymap;
use crate::ui::state::{App, Overlay};
use crate::ui::theme::Theme;

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The help's lines (also plain mode's `?`).
pub fn help_lines(app: &App, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!("{} — keys on this screen", app.step.title()),
        theme.strong(),
    )];
    // The quit-anywhere keys are the closing sentence's, not rows of their own: the help of
    // the busiest screen fits 80x24 (a test holds it).
    let anywhere = ["Ctrl+C", "Ctrl+Q"];
    let keys: Vec<_> = keymap::help(app)
        .into_iter()
        .filter(|((label, _), _)| !anywhere.contains(label))
        .collect();
    let row = |(key, what): keymap::Hint| {
        Line::from(vec![
            Span::styled(format!("  {key:<10}"), theme.key()),
            Span::raw(what),
        ])
    };
    lines.extend(
        keys.iter()
            .filter(|(_, shown)| *shown)
            .map(|(h, _)| row(*h)),
    );
    let more: Vec<Line> = keys
        .iter()
        .filter(|(_, shown)| !*shown)
        .map(|(h, _)| row(*h))
        .collect();
    if !more.is_empty() {
        lines.push(Line::styled(
            "Also on this screen (not in the footer):",
            theme.strong(),
        ));
        lines.extend(more);
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(if app.plain {
        "- goes back a step; Ctrl+C quits anywhere."
    } else {
        "Esc goes back a step; Ctrl+C or Ctrl+Q quits anywhere."
    }));
    lines.push(Line::raw(
        "The token is never shown unless you ask (v, on the hand-over).",
    ));
    lines
}

/// The token in full, in groups of four to read or type, and on one line to select where it
/// fits. Only ever drawn after the person said yes.
fn reveal(app: &App, theme: Theme) -> (&'static str, Vec<Line<'static>>, (u16, u16)) {
    let token = app
        .paste
        .token
        .as_ref()
        .map(|t| secrecy::zeroize::Zeroizing::new(t.token.expose().to_string()))
        .unwrap_or_default();
    let chars: Vec<char> = token.chars().collect();
    let groups: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
    let mut lines = vec![
        Line::raw("Type it, or select it, into the integration:"),
        Line::raw(""),
    ];
    for row in groups.chunks(8) {
        lines.push(Line::styled(format!("  {}", row.join(" ")), theme.strong()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("o", theme.key()),
        Span::raw(" one unbroken line, to select it"),
    ]));
    lines.push(Line::styled(
        "Any other key hides it and clears the screen.",
        theme.dim(),
    ));
    let w = 50;
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    (" The token — shown once ", lines, (w, h))
}

/// The row the one-line reveal's token starts on (the event loop writes it there itself).
pub const REVEAL_LINE_ROW: u16 = 2;

/// The one-line reveal: the screen cleared but for what it is and how it ends; the token itself
/// is written by the event loop, after the frame, as plain text the terminal wraps ([`REVEAL_LINE_ROW`]).
fn reveal_line(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    frame.render_widget(Clear, area);
    let rows = app
        .paste
        .token
        .as_ref()
        .map_or(0, |t| t.token.expose().chars().count())
        .div_ceil(usize::from(area.width.max(1)));
    let below = REVEAL_LINE_ROW + u16::try_from(rows).unwrap_or(area.height) + 1;
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                " The token, as one string: select it and paste it into {}.",
                app.integration()
            ),
            theme.strong(),
        )),
        Rect { height: 1, ..area },
    );
    if below < area.height {
        frame.render_widget(
            Paragraph::new(Line::styled(
                " Any key hides it and clears the screen.",
                theme.dim(),
            )),
            Rect {
                y: area.y + below,
                height: 1,
                ..area
            },
        );
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, kind: Overlay, theme: Theme) {
    let (title, lines, size) = match kind {
        Overlay::Help => {
            let mut lines = help_lines(app, theme);
            lines.push(Line::styled("Any key closes this help.", theme.dim()));
            let h = lines.len() as u16 + 2;
            (" Help ", lines, (64, h))
        }
        Overlay::ConfirmQuit => (
            " Quit? ",
            vec![
                Line::raw("The token is proven but not saved."),
                Line::raw("Quit anyway? It will not be stored."),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("y", theme.key()),
                    Span::raw(" quit · "),
                    Span::styled("any other key", theme.key()),
                    Span::raw(" stay"),
                ]),
            ],
            (44, 6),
        ),
        Overlay::ConfirmReveal => (
            " Show the token? ",
            vec![
                Line::raw("The whole token will be on this screen until you"),
                Line::raw("press a key. Anyone who can see it (a screen-share,"),
                Line::raw("a recording, someone beside you) can use it."),
                Line::raw(""),
                Line::raw("It is shown once; then the screen is cleared."),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("y", theme.key()),
                    Span::raw(" show it · "),
                    Span::styled("any other key", theme.key()),
                    Span::raw(" cancel"),
                ]),
            ],
            (56, 9),
        ),
        Overlay::Reveal => reveal(app, theme),
        Overlay::RevealLine => {
            reveal_line(frame, area, app, theme);
            return;
        }
    };
    let rect = centered(area, size.0, size.1);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}
