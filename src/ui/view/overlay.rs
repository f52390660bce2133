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
    let mut lines = vec![
        Line::styled(
            format!("{} — keys on this screen", app.step.title()),
            theme.strong(),
        ),
        Line::raw(""),
    ];
    for (key, what) in keymap::help(app) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {key:<10}"), theme.key()),
            Span::raw(what),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        "Esc goes back a step; Ctrl+C or Ctrl+Q quits anywhere.",
    ));
    lines.push(Line::raw(
        "The token is never shown: at most its first 4 characters.",
    ));
    lines
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
