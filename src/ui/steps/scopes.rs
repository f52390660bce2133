//! Step 3: the scopes, as Azure DevOps' dialog offers them: one row per group, ←/→ for its
//! level, the integration's groups first, `/` to filter.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::scope_picker::ScopeRow;
use crate::ui::state::{App, Level, Step};
use crate::ui::theme::Theme;
use crate::ui::view::{fit, text};
use crate::ui::widgets::wrap::hanging;

/// How far PgUp / PgDn move.
const PAGE: isize = 10;
/// The columns of a row: the group's name and its level.
const NAME: usize = 29;
const LEVEL: usize = 34;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    let picker = &mut app.scopes;
    match intent {
        Intent::Up => picker.move_by(-1),
        Intent::Down => picker.move_by(1),
        Intent::PageUp => picker.move_by(-PAGE),
        Intent::PageDown => picker.move_by(PAGE),
        Intent::Home => picker.cursor = 0,
        Intent::End => picker.move_to_end(),
        Intent::Filter => picker.filtering = true,
        Intent::EndFilter => picker.filtering = false,
        Intent::ClearFilter => picker.clear_filter(),
        Intent::Type(c) if picker.filtering => picker.type_filter(c),
        Intent::Erase if picker.filtering => picker.erase_filter(),
        Intent::Toggle => changed(app, |p| p.toggle()),
        Intent::Less => changed(app, |p| p.step_level(-1)),
        Intent::More => changed(app, |p| p.step_level(1)),
        Intent::FullAccess => {
            picker.full_access = !picker.full_access;
            app.message = picker.full_access.then(|| {
                (
                    Level::Error,
                    "\"Full access\" grants every scope: never use it for an integration (Git-Zen guide). patwiz will still check only the chosen scopes.".to_string(),
                )
            });
        }
        Intent::Next => {
            if app.ticked_scopes().is_empty() {
                app.message = Some((
                    Level::Error,
                    "Choose a level for at least one scope (Space or →).".into(),
                ));
            } else {
                app.step = Step::CreateToken;
                app.message = None;
            }
        }
        _ => {}
    }
    vec![]
}

/// The person's choice is the need: a profile that names no scope (Custom) leaves every scope
/// to them, so nothing they pick is "not needed".
pub fn own_choice(app: &App) -> bool {
    app.profile.as_ref().is_some_and(|p| p.scopes.is_empty())
}

/// Changes the current row and says what the new level means for the integration.
fn changed(app: &mut App, change: impl FnOnce(&mut crate::ui::scope_picker::ScopesStep)) {
    change(&mut app.scopes);
    let integration = app.integration();
    let own = own_choice(app);
    app.message = app.scopes.current().and_then(|row| {
        if own {
            own_advice(row)
        } else {
            advice(row, &integration)
        }
    });
}

/// What a level chosen for a Custom token means: patwiz proves it; a high-privilege level is
/// named as one.
fn own_advice(row: &ScopeRow) -> Option<(Level, String)> {
    let chosen = row.chosen_scope()?;
    Some(if row.high_privilege() {
        (
            Level::Warn,
            format!(
                "{} is a high-privilege level: choose it only if the integration must manage {}. patwiz will prove it.",
                chosen.label(),
                row.name
            ),
        )
    } else {
        (
            Level::Info,
            format!("You chose {}: patwiz will prove it.", chosen.label()),
        )
    })
}

/// A warning when the row's level is not what the integration needs.
fn advice(row: &ScopeRow, integration: &str) -> Option<(Level, String)> {
    if row.short_of_requirement() {
        let needed = row.required_scope()?;
        let why = lower_first(row.why.as_deref().unwrap_or_default().trim_end_matches('.'));
        return Some((
            Level::Warn,
            format!(
                "{integration} needs {} (to {why}). patwiz still checks it: without it {integration} will not work.",
                needed.label()
            ),
        ));
    }
    if !row.beyond_requirement() {
        return None;
    }
    let high = if row.high_privilege() {
        " (a high-privilege level)"
    } else {
        ""
    };
    Some((
        Level::Warn,
        match row.required_scope() {
            Some(needed) => format!(
                "{integration} needs only {}: least privilege says stay at {}{high}.",
                needed.label(),
                needed.level
            ),
            None => format!(
                "{integration} does not need {} at all: least privilege says leave it at none{high}.",
                row.name
            ),
        },
    ))
}

/// "Read commits" → "read commits", to go on inside a sentence.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().chain(chars).collect::<String>()
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The count of chosen and needed scopes, then the Full access box (or the filter) with the
/// position in the list. The first sentence wraps under itself when a long integration name
/// would pass `width`, so the line below it is never pushed off the screen.
fn head(app: &App, theme: Theme, shown: Option<(usize, usize)>, width: u16) -> Vec<Line<'static>> {
    let picker = &app.scopes;
    let chosen = picker.rows.iter().filter(|r| r.chosen > 0).count();
    let needed = picker.rows.iter().filter(|r| r.required > 0).count();
    let need = if own_choice(app) {
        "you choose what the integration needs · patwiz proves each one".to_string()
    } else {
        format!(
            "{needed} needed by {} · patwiz checks the chosen ones",
            app.integration()
        )
    };
    let visible = picker.visible().len();
    let position = match shown {
        Some((first, last)) if visible > 0 => Span::styled(
            format!("   groups {}–{last} of {visible}", first + 1),
            theme.dim(),
        ),
        _ => Span::raw(""),
    };
    let mut lines = hanging(
        &need,
        width,
        &format!(" {} chosen · ", plural(chosen, "scope", "scopes")),
        theme.strong(),
        theme.dim(),
    );
    if picker.filtering || !picker.filter.is_empty() {
        let cursor = if picker.filtering { "▏" } else { "" };
        lines.push(Line::from(vec![
            Span::styled(" / ", theme.key()),
            Span::styled(format!("{}{cursor}", picker.filter), theme.strong()),
            Span::styled(
                if visible == 0 {
                    "  no group matches: Backspace to erase, Esc to clear".to_string()
                } else {
                    format!(
                        "  {} {}",
                        plural(visible, "group", "groups"),
                        if visible == 1 { "matches" } else { "match" }
                    )
                },
                theme.dim(),
            ),
            position,
        ]));
    } else {
        let full = if picker.full_access {
            Line::styled(
                " ☒ Full access — every scope: never for an integration",
                theme.fail(),
            )
        } else {
            Line::styled(" ☐ Full access (f) — avoid", theme.dim())
        };
        lines.push(full);
        if let Some(last) = lines.last_mut() {
            last.spans.push(position);
        }
    }
    lines
}

/// What a row says about its level against the integration's need (for a Custom token, the
/// person's choice is the need: only a high-privilege level is marked).
fn tag(row: &ScopeRow, own: bool, theme: Theme) -> Span<'static> {
    if own {
        return match row.chosen {
            0 => Span::raw(""),
            _ if row.high_privilege() => Span::styled("! high privilege", theme.warn()),
            _ => Span::styled("✓ chosen", theme.ok()),
        };
    }
    if row.short_of_requirement() {
        Span::styled("✗ too little", theme.fail())
    } else if row.required > 0 && !row.beyond_requirement() {
        Span::styled("✓ needed", theme.ok())
    } else if row.beyond_requirement() && row.required > 0 {
        Span::styled("! too much", theme.warn())
    } else if row.beyond_requirement() {
        Span::styled("! not needed", theme.warn())
    } else {
        Span::raw("")
    }
}

fn row_line(row: &ScopeRow, here: bool, own: bool, theme: Theme, wide: bool) -> Line<'static> {
    let level = if here {
        let less = if row.chosen > 0 { "◂ " } else { "  " };
        let more = if row.chosen < row.levels.len() {
            " ▸"
        } else {
            ""
        };
        format!("{less}{}{more}", row.level_words())
    } else {
        format!("  {}", row.level_words())
    };
    let level_style = match (here, row.chosen) {
        (true, _) => theme.selected(),
        (false, 0) => theme.dim(),
        _ => theme.strong(),
    };
    let mut spans = vec![
        Span::raw(if here { " ▶ " } else { "   " }),
        Span::styled(
            format!("{:<NAME$}", fit(&row.name, NAME)),
            if here {
                theme.selected()
            } else {
                Style::default()
            },
        ),
        Span::raw(" "),
        Span::styled(format!("{:<LEVEL$}", fit(&level, LEVEL)), level_style),
    ];
    if wide {
        let id = row.chosen_scope().map_or("", |s| s.id.as_str());
        spans.push(Span::styled(format!("{id:<32}"), theme.dim()));
    }
    spans.push(tag(row, own, theme));
    Line::from(spans)
}

/// The current row's levels, the chosen one marked, and why it matters.
fn about(app: &App, theme: Theme, width: u16) -> Vec<Line<'static>> {
    let Some(row) = app.scopes.current() else {
        return vec![];
    };
    let mut levels = vec![Span::styled(" Levels: ", theme.dim())];
    let names = std::iter::once("none").chain(row.levels.iter().map(|s| s.level.as_str()));
    for (i, name) in names.enumerate() {
        if i > 0 {
            levels.push(Span::styled(" · ", theme.dim()));
        }
        levels.push(if i == row.chosen {
            Span::styled(format!("[{name}]"), theme.strong())
        } else {
            Span::styled(name.to_string(), theme.dim())
        });
    }
    let why = match (&row.why, row.required_scope(), row.chosen_scope()) {
        (Some(why), Some(needed), _) => {
            format!("{} needs {} — {why}", app.integration(), needed.label())
        }
        (_, _, Some(chosen)) if own_choice(app) => {
            format!("{} — {}", chosen.label(), lower_first(&chosen.description))
        }
        _ if own_choice(app) => format!(
            "{}: not chosen. Choose the level the integration needs (→).",
            row.name
        ),
        (_, _, Some(chosen)) => format!(
            "{} — {} {} does not need it.",
            chosen.label(),
            lower_first(&chosen.description),
            app.integration(),
        ),
        _ => format!("{} does not need {}.", app.integration(), row.name),
    };
    let mut lines = vec![Line::from(levels)];
    lines.extend(hanging(&why, width, " ", theme.dim(), theme.dim()));
    lines
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let top_rows = head(app, theme, None, area.width).len();
    let [top, list, bottom] = Layout::vertical([
        Constraint::Length(u16::try_from(top_rows).unwrap_or(u16::MAX)),
        Constraint::Fill(1),
        Constraint::Length(3),
    ])
    .areas(area);
    let visible = app.scopes.visible();
    let height = usize::from(list.height);
    let first = app.scopes.cursor.saturating_sub(height.saturating_sub(1));
    let last = (first + height).min(visible.len());
    frame.render_widget(text(head(app, theme, Some((first, last)), area.width)), top);
    let wide = list.width >= 110;
    let rows: Vec<Line> = visible[first..last]
        .iter()
        .enumerate()
        .map(|(i, &row)| {
            row_line(
                &app.scopes.rows[row],
                first + i == app.scopes.cursor,
                own_choice(app),
                theme,
                wide,
            )
        })
        .collect();
    frame.render_widget(ratatui::widgets::Paragraph::new(rows), list);
    frame.render_widget(text(about(app, theme, bottom.width)), bottom);
}

/// Every group at once, numbered (plain mode turns a group on or off by its number, and `+` or
/// `-` after the number changes its level), with the reasons of the needed ones.
pub fn lines<'a>(app: &'a App, theme: Theme, width: u16) -> Vec<Line<'a>> {
    let mut lines = head(app, theme, None, width);
    for (i, row) in app.scopes.rows.iter().enumerate() {
        let mut line = row_line(row, false, own_choice(app), theme, false);
        line.spans
            .insert(0, Span::styled(format!("{:>3}", i + 1), theme.key()));
        lines.push(line);
    }
    for row in app.scopes.rows.iter().filter(|r| r.required > 0) {
        if let (Some(why), Some(needed)) = (&row.why, row.required_scope()) {
            lines.push(Line::styled(
                format!(" {}: {why}", needed.label()),
                theme.dim(),
            ));
        }
    }
    lines
}
