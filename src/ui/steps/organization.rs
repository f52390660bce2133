//! Step 2: the organization URL, parsed as it is typed, then checked anonymously.

use ratatui::text::{Line, Span};

use crate::domain::org_url::OrgUrl;
use crate::domain::text::{redact_tokens, safe_message};
use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::state::{App, Level, OrgCheck};
use crate::ui::theme::Theme;
use crate::ui::view::SPINNER;
use crate::ui::widgets::text_input;
use crate::ui::widgets::wrap::hanging;
use ratatui::style::Style;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::Next => match &app.org.parsed {
            Ok(org) if org.lookalike().is_some() && !app.org.lookalike_confirmed => {
                // A host that imitates Azure DevOps' own: ask once before anything goes there.
                app.org.lookalike_confirmed = true;
                app.message = Some((
                    Level::Warn,
                    format!(
                        "{}. If it really is your Azure DevOps Server, press Enter again; otherwise correct the address.",
                        org.lookalike().unwrap_or_default()
                    ),
                ));
                return vec![];
            }
            Ok(org) => {
                app.org.check = OrgCheck::Checking;
                return vec![Effect::CheckOrg(org.clone())];
            }
            Err(e) => {
                app.message = Some((Level::Error, e.to_string()));
                return vec![];
            }
        },
        Intent::Erase => app.org.input.pop(),
        Intent::ClearField => app.org.input.clear(),
        Intent::Type(c) => {
            app.org.input.push(c);
        }
        _ => return vec![],
    }
    app.org.parsed = OrgUrl::parse(app.org.input.as_str());
    app.org.lookalike_confirmed = false;
    if app.org.check != OrgCheck::Checking {
        app.org.check = OrgCheck::Idle;
    }
    vec![]
}

/// The answer of the anonymous check.
pub fn checked(app: &mut App, result: Result<String, crate::engine::Stop>) {
    if app.step != crate::ui::state::Step::Organization || app.org.check != OrgCheck::Checking {
        return;
    }
    match result {
        Ok(kind) => {
            app.org.check = OrgCheck::Found(kind);
            app.message = None;
            app.step = crate::ui::state::Step::Scopes;
        }
        Err(stop) => {
            // What happened, then what to do about it.
            let fix = crate::domain::checks::remediation(stop.class, &Default::default());
            app.org.check = OrgCheck::Failed(format!("{} {}", stop.detail, fix.text));
        }
    }
}

pub fn lines<'a>(app: &'a App, theme: Theme, spinner: usize, width: u16) -> Vec<Line<'a>> {
    // A token pasted into the wrong field is never shown (nor repeated by an error).
    let input = redact_tokens(app.org.input.as_str());
    let mut lines = vec![
        Line::styled(" Organization URL", theme.strong()),
        text_input::line(text_input::tail(&input, 70), theme),
        Line::raw(""),
    ];
    match &app.org.parsed {
        Ok(org) => {
            // Only the cloud's own addresses are known good from their shape; any other host
            // is an Azure DevOps Server address to be checked.
            let (mark, style, kind) = match org.kind() {
                // A well-formed address, not yet an organization that answers: no ✓ until
                // the check finds it.
                crate::domain::org_url::OrgKind::Cloud => {
                    (" → ", theme.dim(), "Azure DevOps Services; Enter checks it")
                }
                crate::domain::org_url::OrgKind::CloudLegacy => (
                    " → ",
                    theme.dim(),
                    "Azure DevOps Services, older address; Enter checks it",
                ),
                crate::domain::org_url::OrgKind::Server => (
                    " · ",
                    theme.dim(),
                    "Azure DevOps Server, if it answers; Enter checks it",
                ),
            };
            // Once checked, the check's own line says what was found.
            let kind = if app.org.check == OrgCheck::Idle {
                kind
            } else {
                kind.split(';').next().unwrap_or(kind)
            };
            lines.extend(hanging(
                &format!("{org} ({kind})"),
                width,
                mark,
                style,
                Style::default(),
            ));
            if let Some(cut) = org.trimmed() {
                lines.push(Line::styled(
                    format!("   (left out: /{})", cut.trim_start_matches('/')),
                    theme.dim(),
                ));
            }
        }
        Err(e) if !app.org.input.as_str().trim().is_empty() => lines.extend(hanging(
            &safe_message(&e.to_string()),
            width,
            " ✗ ",
            theme.fail(),
            Style::default(),
        )),
        Err(_) => lines.push(Line::styled(
            "   Paste or type it; the normalised URL appears here.",
            theme.dim(),
        )),
    }
    match &app.org.check {
        OrgCheck::Checking => lines.push(Line::raw(format!(
            " {} Checking that the organization exists (no token is sent)…",
            SPINNER[spinner % 4]
        ))),
        OrgCheck::Failed(message) => {
            lines.extend(hanging(
                message,
                width,
                " ✗ ",
                theme.fail(),
                Style::default(),
            ));
        }
        OrgCheck::Found(kind) => lines.push(Line::from(vec![
            Span::styled(" ✓ ", theme.ok()),
            Span::raw(format!("Found ({kind}).")),
        ])),
        OrgCheck::Idle => {}
    }
    if matches!(app.org.check, OrgCheck::Failed(_)) {
        // The failure says what to check; the forms are in it.
        return lines;
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Your organization URL has one of these forms (see https://dev.azure.com):",
        theme.dim(),
    ));
    lines.push(Line::from(vec![
        Span::raw("   https://dev.azure.com/{your-organization}"),
        Span::styled("      (both in Nango's guide)", theme.dim()),
    ]));
    lines.push(Line::raw("   https://{your-organization}.visualstudio.com"));
    lines.push(Line::styled(
        "   Server: https://{server}/tfs/{collection}",
        theme.dim(),
    ));
    lines
}
