//! Step 4: the scope checklist, least privilege first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::{fit, text};
use crate::ui::state::App;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let [head, list, why] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(3),
    ])
    .areas(area);
    let ticked = app.scopes.iter().filter(|r| r.ticked).count();
    let required = app.scopes.iter().filter(|r| r.required).count();
    let mut head_lines = vec![Line::from(vec![
        Span::styled(format!(" {} scope(s) ticked", ticked), theme.strong()),
        Span::styled(
            format!(
                " · {required} required by {} · these are what patwiz checks",
                app.integration()
            ),
            theme.dim(),
        ),
    ])];
    let full = if app.full_access {
        "☒ Full access — every scope: never for an integration"
    } else {
        "☐ Full access (f) — avoid"
    };
    head_lines.push(Line::styled(
        format!(" {full}"),
        if app.full_access {
            theme.fail()
        } else {
            theme.dim()
        },
    ));
    frame.render_widget(text(head_lines), head);

    let height = list.height as usize;
    let first = app.scope_cursor.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = app
        .scopes
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, row)| {
            let mark = if row.ticked { "☑" } else { "☐" };
            let tag = match (row.required, row.ticked) {
                (true, true) => Span::styled(" required", theme.ok()),
                (true, false) => Span::styled(" required: unticked!", theme.fail()),
                (false, true) => Span::styled(" not needed", theme.warn()),
                _ if row.high_privilege => Span::styled(" high privilege", theme.dim()),
                _ => Span::raw(""),
            };
            let cursor = if i == app.scope_cursor { "▶" } else { " " };
            let style = if i == app.scope_cursor {
                theme.selected()
            } else {
                ratatui::style::Style::default()
            };
            let wide = list.width >= 100;
            let id = if wide {
                format!(" {:<34}", row.id)
            } else {
                String::new()
            };
            Line::from(vec![
                Span::raw(format!(" {cursor} {mark} ")),
                Span::styled(format!("{:<44}", fit(&row.label, 44)), style),
                Span::styled(id, theme.dim()),
                tag,
            ])
        })
        .collect();
    frame.render_widget(ratatui::widgets::Paragraph::new(lines), list);
    if let Some(row) = app.scopes.get(app.scope_cursor) {
        let about = match &row.why {
            Some(why) => format!(" Why: {why}"),
            None => format!(" {} is not needed by {}.", row.label, app.integration()),
        };
        frame.render_widget(text(vec![Line::styled(about, theme.dim())]), why);
    }
}
