//! Step 1: choose the integration profile, or a stored organization to rotate.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::{fit, text};
use crate::domain::scopes::Catalogue;
use crate::ui::state::{App, StartChoice};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let catalogue = Catalogue::get();
    let mut lines = vec![
        Line::styled(" Which integration is the token for?", theme.strong()),
        Line::raw(""),
    ];
    for (i, choice) in app.choices.iter().enumerate() {
        let selected = i == app.choice_cursor;
        let (name, what) = match choice {
            StartChoice::Profile(p) => (p.title.clone(), p.summary.clone()),
            StartChoice::Rotate(o) => (
                format!("Rotate: {}", o.name),
                format!("replace the token for {}", o.url),
            ),
        };
        let marker = if selected { " ▶ " } else { "   " };
        let style = if selected {
            theme.selected()
        } else {
            theme.strong()
        };
        let room = (area.width as usize).saturating_sub(31);
        lines.push(Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{:<26}", fit(&name, 26)), style),
            Span::styled(format!(" {}", fit(&what, room)), theme.dim()),
        ]));
    }
    let [list, detail] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 1),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(text(lines), list);
    let mut about = Vec::new();
    match app.choices.get(app.choice_cursor) {
        Some(StartChoice::Profile(p)) if !p.scopes.is_empty() => {
            about.push(Line::styled(
                format!(" {} needs (from the {}):", p.title, p.source),
                theme.dim(),
            ));
            for s in &p.scopes {
                about.push(Line::from(vec![
                    Span::styled(format!("   • {}", catalogue.label(&s.id)), theme.strong()),
                    Span::raw(format!(" — {}", s.why)),
                ]));
            }
        }
        Some(StartChoice::Profile(_)) => {
            about.push(Line::raw(" You pick the scopes; patwiz proves each one."))
        }
        Some(StartChoice::Rotate(o)) => {
            about.push(Line::raw(format!(
                " Replace the stored token for {} ({}).",
                o.url, o.profile
            )));
            about.push(Line::raw(
                " The new token is proven first; the old one stays until it passes.",
            ));
        }
        None => {}
    }
    frame.render_widget(text(about), detail);
}
