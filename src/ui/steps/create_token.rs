//! Step 3: the guide's steps for creating the token, adapted to the profile.

use ratatui::text::{Line, Span};

use crate::domain::GLOBAL_PAT_RETIREMENT;
use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::msg::Copied;
use crate::ui::state::{App, Step};
use crate::ui::theme::Theme;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    let Ok(org) = &app.org.parsed else {
        return vec![];
    };
    match intent {
        Intent::OpenPage => vec![Effect::OpenBrowser(org.token_page())],
        Intent::CopyLink => vec![Effect::CopyText(org.token_page(), Copied::Link)],
        Intent::Next => {
            app.step = Step::Paste;
            app.message = None;
            vec![]
        }
        _ => vec![],
    }
}

pub fn lines<'a>(app: &'a App, theme: Theme) -> Vec<Line<'a>> {
    let Ok(org) = &app.org.parsed else {
        return vec![];
    };
    let profile = app.profile.as_ref();
    let name = profile.map_or("Integration token", |p| p.token_name.as_str());
    let mut lines = vec![
        Line::from(vec![
            Span::raw(" 1. Open "),
            Span::styled(org.token_page(), theme.key()),
        ]),
        Line::from(vec![
            Span::raw("    and click "),
            Span::styled("+ New Token", theme.strong()),
            Span::raw("."),
        ]),
        Line::from(vec![
            Span::raw(" 2. Name: "),
            Span::styled(name.to_string(), theme.strong()),
        ]),
        Line::from(vec![
            Span::raw(" 3. Organization: "),
            Span::styled(org.name().to_string(), theme.strong()),
            Span::raw(" (this one, not \"All accessible organizations\")"),
        ]),
    ];
    if profile.is_some_and(|p| p.global_pat_retired) {
        lines.push(Line::styled(
            format!("    The {} says \"All accessible organizations\": Microsoft retires those global PATs on {GLOBAL_PAT_RETIREMENT}.", profile.map(|p| p.source.as_str()).unwrap_or("guide")),
            theme.warn(),
        ));
    }
    lines.push(Line::raw(format!(
        " 4. Expiration: {}",
        profile.map_or(
            "the shortest your policy allows (1 year at most; some orgs cap at 90 days).",
            |p| p.expiry_advice.as_str()
        )
    )));
    lines.push(Line::from(vec![
        Span::raw(" 5. Scopes: "),
        Span::styled("Custom defined", theme.strong()),
        Span::raw(", then "),
        Span::styled("Show all scopes", theme.strong()),
        Span::raw(", and tick exactly:"),
    ]));
    for scope in app.scopes.rows.iter().filter_map(|r| r.chosen_scope()) {
        lines.push(Line::styled(
            format!("      ☑ {}", scope.label()),
            theme.strong(),
        ));
    }
    lines.push(Line::from(vec![
        Span::raw(" 6. Click Create and "),
        Span::styled("copy the token now: it is shown once.", theme.warn()),
    ]));
    if let Some(p) = profile {
        for pre in &p.prerequisites {
            lines.push(Line::styled(format!(" Note: {pre}"), theme.dim()));
        }
    }
    lines
}
