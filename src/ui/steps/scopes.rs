//! Step 4: the scope checklist, least privilege first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::state::{App, Level, Step};
use crate::ui::theme::Theme;
use crate::ui::view::{fit, text};

/// How far PgUp / PgDn move.
const PAGE: usize = 10;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    let last = app.scopes.rows.len().saturating_sub(1);
    let cursor = &mut app.scopes.cursor;
    match intent {
        Intent::Up => *cursor = cursor.saturating_sub(1),
        Intent::Down => *cursor = (*cursor + 1).min(last),
        Intent::PageUp => *cursor = cursor.saturating_sub(PAGE),
        Intent::PageDown => *cursor = (*cursor + PAGE).min(last),
        Intent::Home => *cursor = 0,
        Intent::End => *cursor = last,
        Intent::Toggle => toggle(app),
        Intent::FullAccess => {
            app.scopes.full_access = !app.scopes.full_access;
            app.message = app.scopes.full_access.then(|| {
                (
                    Level::Error,
                    "\"Full access\" grants every scope: never use it for an integration (Git-Zen guide). patwiz will still check only the ticked scopes.".to_string(),
                )
            });
        }
        Intent::Next => {
            if app.ticked_scopes().is_empty() {
                app.message = Some((Level::Error, "Tick at least one scope (Space).".into()));
            } else {
                app.step = Step::CreateToken;
                app.message = None;
            }
        }
        _ => {}
    }
    vec![]
}

fn toggle(app: &mut App) {
    let integration = app.integration();
    let Some(row) = app.scopes.rows.get_mut(app.scopes.cursor) else {
        return;
    };
    row.ticked = !row.ticked;
    app.message = match (row.ticked, row.required) {
        (false, true) => Some((
            Level::Warn,
            format!(
                "{integration} needs {}: {} It is still checked: without it {integration} will not work.",
                row.label,
                row.why
                    .clone()
                    .unwrap_or_default()
                    .trim_end_matches('.')
                    .to_string()
                    + "."
            ),
        )),
        (true, false) => Some((
            Level::Warn,
            format!(
                "{} does not need {}: least privilege says leave it off{}.",
                integration,
                row.label,
                if row.high_privilege {
                    " (a high-privilege scope)"
                } else {
                    ""
                }
            ),
        )),
        _ => None,
    };
}

fn head<'a>(app: &'a App, theme: Theme) -> Vec<Line<'a>> {
    let ticked = app.scopes.rows.iter().filter(|r| r.ticked).count();
    let required = app.scopes.rows.iter().filter(|r| r.required).count();
    let full = if app.scopes.full_access {
        "☒ Full access — every scope: never for an integration"
    } else {
        "☐ Full access (f) — avoid"
    };
    vec![
        Line::from(vec![
            Span::styled(format!(" {ticked} scope(s) ticked"), theme.strong()),
            Span::styled(
                format!(
                    " · {required} required by {} · these are what patwiz checks",
                    app.integration()
                ),
                theme.dim(),
            ),
        ]),
        Line::styled(
            format!(" {full}"),
            if app.scopes.full_access {
                theme.fail()
            } else {
                theme.dim()
            },
        ),
    ]
}

/// The rows from `first`, `count` of them, `wide` with the scope ids.
fn rows<'a>(app: &'a App, theme: Theme, first: usize, count: usize, wide: bool) -> Vec<Line<'a>> {
    app.scopes
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(count)
        .map(|(i, row)| {
            let mark = if row.ticked { "☑" } else { "☐" };
            let tag = match (row.required, row.ticked) {
                (true, true) => Span::styled(" required", theme.ok()),
                (true, false) => Span::styled(" required: unticked!", theme.fail()),
                (false, true) => Span::styled(" not needed", theme.warn()),
                _ if row.high_privilege => Span::styled(" high privilege", theme.dim()),
                _ => Span::raw(""),
            };
            let here = i == app.scopes.cursor;
            let cursor = if here { "▶" } else { " " };
            let style = if here {
                theme.selected()
            } else {
                ratatui::style::Style::default()
            };
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
        .collect()
}

fn why(app: &App) -> Option<String> {
    let row = app.scopes.rows.get(app.scopes.cursor)?;
    Some(match &row.why {
        Some(why) => format!(" Why: {why}"),
        None => format!(" {} is not needed by {}.", row.label, app.integration()),
    })
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let [top, list, bottom] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(3),
    ])
    .areas(area);
    frame.render_widget(text(head(app, theme)), top);
    let height = list.height as usize;
    let first = app.scopes.cursor.saturating_sub(height.saturating_sub(1));
    frame.render_widget(
        ratatui::widgets::Paragraph::new(rows(app, theme, first, height, list.width >= 100)),
        list,
    );
    if let Some(about) = why(app) {
        frame.render_widget(text(vec![Line::styled(about, theme.dim())]), bottom);
    }
}

/// Every row at once, numbered (plain mode toggles a row by its number), with the reasons of
/// the required ones.
pub fn lines<'a>(app: &'a App, theme: Theme) -> Vec<Line<'a>> {
    let mut lines = head(app, theme);
    for (i, mut row) in rows(app, theme, 0, usize::MAX, false)
        .into_iter()
        .enumerate()
    {
        row.spans
            .insert(0, Span::styled(format!("{:>3}", i + 1), theme.key()));
        lines.push(row);
    }
    for row in app.scopes.rows.iter().filter(|r| r.ticked || r.required) {
        if let Some(why) = &row.why {
            lines.push(Line::styled(format!(" {}: {why}", row.label), theme.dim()));
        }
    }
    lines
}
