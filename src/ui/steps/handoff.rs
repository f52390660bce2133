//! Step 8: where the token goes, in the integration guide's own words, with the organization
//! URL in the form the integration asks for. `t` puts the token on the clipboard for one paste;
//! it is cleared when its time is up or on leaving this step.

use ratatui::text::{Line, Span};

use crate::domain::profiles::UrlForm;
use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::msg::Copied;
use crate::ui::state::{App, Step};
use crate::ui::theme::Theme;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::CopyToken => match &app.paste.token {
            Some(checked) => vec![Effect::CopyToken(checked.token.clone(), app.clipboard_for)],
            None => vec![],
        },
        Intent::Reveal => {
            app.overlay = Some(crate::ui::state::Overlay::ConfirmReveal);
            vec![]
        }
        Intent::CopyOrgUrl => match &app.org.parsed {
            Ok(org) => vec![Effect::CopyText(url_for_integration(org), Copied::OrgUrl)],
            Err(_) => vec![],
        },
        Intent::Next => {
            let effects = leave(app);
            app.step = Step::Done;
            app.message = None;
            effects
        }
        _ => vec![],
    }
}

/// The token went onto the clipboard: the countdown starts.
pub fn copied_at(app: &mut App, at: std::time::Instant) {
    if app.step == Step::HandOff {
        app.handoff.clears_at = Some(at + app.clipboard_for);
        app.now = at;
    }
}

/// Leaving the hand-off step takes the token off the clipboard at once.
pub fn leave(app: &mut App) -> Vec<Effect> {
    match (app.handoff.clears_at.take(), &app.paste.token) {
        (Some(_), Some(checked)) => vec![Effect::ClearToken(checked.token.clone())],
        _ => vec![],
    }
}

/// A tick: the countdown ends with the token taken off the clipboard.
pub fn tick(app: &mut App) -> Vec<Effect> {
    match app.handoff.clears_at {
        Some(at) if app.now >= at => leave(app),
        _ => vec![],
    }
}

/// The organization URL in the form the integration's form asks for. (Integrations that
/// accept both cloud forms are shown both on screen; the key copies the modern one, which every
/// one of them accepts.)
pub fn url_for_integration(org: &crate::domain::org_url::OrgUrl) -> String {
    org.cloud_forms()
        .map_or_else(|| org.as_str().to_string(), |(modern, _)| modern)
}

pub fn lines<'a>(app: &'a App, theme: Theme, width: u16) -> Vec<Line<'a>> {
    let Ok(org) = &app.org.parsed else {
        return vec![];
    };
    let integration = app.integration();
    let mut lines = vec![
        Line::styled(
            if app.rotating.is_some() {
                format!(" Now give the new token to {integration}, in place of the old one:")
            } else {
                format!(" Now give the token to {integration}:")
            },
            theme.strong(),
        ),
        Line::raw(""),
    ];
    if let Some(profile) = &app.profile {
        for (i, step) in profile
            .handoff
            .steps_for(app.rotating.is_some())
            .enumerate()
        {
            lines.extend(crate::ui::widgets::wrap::hanging(
                step,
                width,
                &format!(" {}. ", i + 1),
                ratatui::style::Style::default(),
                ratatui::style::Style::default(),
            ));
        }
        lines.push(Line::styled(
            format!("    ({})", profile.handoff.source),
            theme.dim(),
        ));
        lines.push(Line::raw(""));
        let url = |label: &'static str, url: String| {
            Line::from(vec![Span::raw(label), Span::styled(url, theme.strong())])
        };
        match (org.cloud_forms(), profile.handoff.org_url_form) {
            (Some((modern, legacy)), UrlForm::Either) => {
                lines.push(url(" Organization URL: ", modern));
                lines.push(url("               or: ", legacy));
            }
            (Some((modern, _)), UrlForm::Modern) => lines.push(url(" Organization URL: ", modern)),
            (None, _) => lines.push(url(" Organization URL: ", org.as_str().to_string())),
        }
    }
    lines.push(Line::raw(""));
    match app.handoff.clears_at {
        Some(at) => {
            let left = at.saturating_duration_since(app.now);
            // Whole seconds, rounded up: "cleared in 30 s" until the last one has begun.
            let left = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            let said = if app.handoff.via_terminal {
                format!(
                    "The token is in your terminal's clipboard: in {left} s, or when you leave, \
                     patwiz asks the terminal to forget it (it cannot check that it did); u \
                     copies the URL."
                )
            } else {
                format!(
                    "The token is on the clipboard for one paste: cleared in {left} s, or when \
                     you leave; u copies the URL."
                )
            };
            lines.extend(crate::ui::widgets::wrap::hanging(
                &said,
                width,
                " ",
                theme.warn(),
                theme.warn(),
            ));
        }
        None => lines.push(Line::raw(format!(
            " t copies the token for one paste (cleared after {} s); u copies the URL.",
            app.clipboard_for.as_secs()
        ))),
    }
    lines.push(Line::styled(
        if app.handoff.revealed {
            " The token was shown once, on request; it is not shown again."
        } else if !app.reveal_allowed {
            " The token is never shown here."
        } else {
            " The token is never shown here unless you ask: v shows it once."
        },
        theme.dim(),
    ));
    lines
}
