//! Step 1: choose the integration profile, or a stored organization to rotate; for profiles
//! whose guide says when a PAT is the right choice, a "Before you start" panel.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::{fit, text};
use crate::domain::profiles::Profile;
use crate::domain::scopes::Catalogue;
use crate::ui::state::{App, StartChoice};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let mut lines = vec![
        Line::styled(" Which integration is the token for?", theme.strong()),
        Line::raw(""),
    ];
    let room = (area.width as usize).saturating_sub(31);
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
    let about = match app.choices.get(app.choice_cursor) {
        Some(StartChoice::Profile(p)) => profile_panel(p, theme),
        Some(StartChoice::Rotate(o)) => vec![
            Line::raw(format!(
                " Replace the stored token for {} ({}).",
                o.url, o.profile
            )),
            Line::raw(" The new token is proven first; the old one stays until it passes."),
        ],
        None => Vec::new(),
    };
    frame.render_widget(text(about), detail);
}

fn profile_panel(p: &Profile, theme: Theme) -> Vec<Line<'static>> {
    let catalogue = Catalogue::get();
    let advice = !p.when_to_use.is_empty() || !p.service_account.is_empty();
    let mut about = Vec::new();
    if p.scopes.is_empty() {
        about.push(Line::raw(" You pick the scopes; patwiz proves each one."));
    } else {
        if advice {
            // Room for "Before you start" at 80x24: the checkboxes on one line.
            let labels: Vec<String> = p.scopes.iter().map(|s| catalogue.label(&s.id)).collect();
            about.push(Line::from(vec![
                Span::styled(format!(" {} needs: ", p.title), theme.dim()),
                Span::styled(labels.join(" · "), theme.strong()),
            ]));
        } else {
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
    }
    if advice {
        about.push(Line::styled(
            format!(
                " Before you start — {} prefers OAuth; use a PAT when:",
                p.title
            ),
            theme.strong(),
        ));
        for reason in p.when_to_use.iter().skip(1) {
            about.push(Line::raw(format!("   • {reason}")));
        }
        if let Some(first) = p.service_account.first() {
            about.push(Line::styled(format!(" {first}"), theme.dim()));
        }
    }
    about
}
