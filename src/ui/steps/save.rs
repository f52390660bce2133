//! Step 7: store the proven token in the OS secret store, or in a team vault (Tab), with its
//! expiry date.

use ratatui::text::{Line, Span};

use crate::store::settings::parse_date;
use crate::ui::effect::{Effect, SaveRequest};
use crate::ui::keymap::Intent;
use crate::ui::state::{App, SaveState, Step};
use crate::ui::theme::Theme;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    if app.save.state == SaveState::Saving {
        return vec![];
    }
    // Editing either field takes back the last refusal.
    if matches!(intent, Intent::Type(_) | Intent::Erase | Intent::ClearField)
        && matches!(app.save.state, SaveState::Failed(_))
    {
        app.save.state = SaveState::Editing;
    }
    match intent {
        Intent::Next => save(app),
        Intent::Toggle if app.rotating.is_some() => {
            app.message = Some((
                crate::ui::state::Level::Info,
                "A rotation replaces the token stored on this computer. A team vault's token is rotated with `patwiz rotate --to`.".into(),
            ));
            vec![]
        }
        Intent::Toggle => {
            app.save.team_focus = !app.save.team_focus;
            if matches!(app.save.state, SaveState::Failed(_)) {
                app.save.state = SaveState::Editing;
            }
            vec![]
        }
        Intent::Erase if app.save.team_focus => {
            app.save.team.pop();
            vec![]
        }
        Intent::ClearField if app.save.team_focus => {
            app.save.team.clear();
            vec![]
        }
        Intent::Type(c) if app.save.team_focus => {
            if !c.is_control() {
                app.save.team.push(c);
            }
            vec![]
        }
        Intent::Erase => {
            app.save.expires_chosen = false;
            app.save.expires.pop();
            vec![]
        }
        Intent::ClearField => {
            app.save.expires_chosen = false;
            app.save.expires.clear();
            vec![]
        }
        Intent::Type(c) if c.is_ascii_digit() || c == '-' => {
            if std::mem::take(&mut app.save.expires_chosen) {
                app.save.expires.clear();
            }
            app.save.expires.push(c);
            vec![]
        }
        _ => vec![],
    }
}

fn save(app: &mut App) -> Vec<Effect> {
    let text = app.save.expires.as_str().trim().to_string();
    let expires = if text.is_empty() {
        None
    } else {
        match parse_date(&text) {
            Ok(date) if date < app.today => {
                app.save.state = SaveState::Failed(format!(
                    "{text} is in the past: enter the expiry date you chose"
                ));
                return vec![];
            }
            Ok(date) if date > app.today + time::Duration::days(366) => {
                app.save.state = SaveState::Failed(format!(
                    "{text} is more than a year away: Azure DevOps allows a token at most one year (your organization may allow less), so check the date it showed"
                ));
                return vec![];
            }
            Ok(date) => {
                if date <= app.today + time::Duration::days(crate::domain::expiry::WARN_DAYS) {
                    app.message = Some((
                        crate::ui::state::Level::Warn,
                        format!(
                            "{text} is within {} days: patwiz status will warn about it from now on; extend it in Azure DevOps soon.",
                            crate::domain::expiry::WARN_DAYS
                        ),
                    ));
                }
                Some(date)
            }
            Err(e) => {
                app.save.state = SaveState::Failed(e.to_string());
                return vec![];
            }
        }
    };
    let (Ok(org), Some(token), Some(report)) =
        (&app.org.parsed, &app.paste.token, &app.validation.report)
    else {
        return vec![];
    };
    let team = app.save.team.as_str().trim().to_string();
    if !team.is_empty()
        && let Err(e) = crate::domain::team_vault::Target::parse(&team, false)
    {
        app.save.state = SaveState::Failed(e.to_string());
        return vec![];
    }
    let request = SaveRequest {
        org: org.clone(),
        token: token.token.clone(),
        report: report.clone(),
        profile: app
            .profile
            .as_ref()
            .map_or_else(|| "custom".to_string(), |p| p.name.clone()),
        scopes: app.validation.asked.clone(),
        expires,
        rotating: app.rotating.as_ref().map(|r| r.settings.key.clone()),
        authorization_id: app.create.authorization_id.clone(),
        team: (!team.is_empty()).then_some(team),
    };
    app.save.state = SaveState::Saving;
    vec![Effect::Save(Box::new(request))]
}

/// When a rotation's new token belongs to another account than the stored one: in words.
pub fn identity_change(app: &App) -> Option<String> {
    let before = app.rotating.as_ref()?.settings.identity.as_ref()?;
    let after = app.validation.identity.as_ref()?;
    (!before.unique_name.eq_ignore_ascii_case(&after.unique_name)).then(|| {
        format!(
            "The new token belongs to {} <{}>; the stored one was {} <{}>. The integration will act as the new account.",
            after.display_name, after.unique_name, before.display_name, before.unique_name
        )
    })
}

/// The team vault's answer.
pub fn saved_team(app: &mut App, result: Result<String, crate::ui::msg::TeamSaveError>) {
    match result {
        Ok(where_) => {
            app.save.state = SaveState::SavedTeam(where_);
            app.saved_once = true;
            app.step = Step::HandOff;
            app.message = None;
        }
        Err(e) => app.save.state = SaveState::Failed(e.to_string()),
    }
}

/// The store's answer.
pub fn saved(
    app: &mut App,
    result: Result<crate::flows::keep::Stored, crate::store::rotation::LocalStoreError>,
) {
    match result {
        Ok(stored) => {
            app.save.state = SaveState::Saved(stored);
            app.saved_once = true;
            if let Ok(org) = &app.org.parsed
                && !app.stored_orgs.iter().any(|o| o.key() == org.key())
            {
                app.stored_orgs.push(org.clone());
            }
            app.step = Step::HandOff;
            app.message = None;
        }
        Err(e) => app.save.state = SaveState::Failed(format!("{e}.")),
    }
}

pub fn lines<'a>(app: &'a App, theme: Theme, width: u16) -> Vec<Line<'a>> {
    let org = app
        .org
        .parsed
        .as_ref()
        .map(|o| o.to_string())
        .unwrap_or_default();
    let verb = if app.rotating.is_some() {
        "Replace the stored token for"
    } else {
        "Store the token for"
    };
    let mut lines = vec![
        Line::from(vec![
            Span::raw(format!(" {verb} ")),
            Span::styled(org, theme.strong()),
        ]),
        Line::raw(""),
    ];
    if let Some(changed) = identity_change(app) {
        lines.push(Line::styled(format!(" ! {changed}"), theme.warn()));
        lines.push(Line::raw(""));
    }
    let team = app.save.team.as_str();
    let (where_, under) = if team.trim().is_empty() {
        (
            app.save
                .store_line
                .clone()
                .unwrap_or_else(|| "finding the secret store…".into()),
            "        Never a plain file: if no secret store works, patwiz says so.",
        )
    } else {
        (
            format!("the team vault {}", team.trim()),
            "        Written only if no one changed it meanwhile; the facts go beside it.",
        )
    };
    let field = |value: &str, focused: bool| {
        if focused {
            crate::ui::widgets::text_input::line(value.to_string(), theme)
        } else {
            Line::styled(format!("   {value}"), theme.dim())
        }
    };
    lines.extend(crate::ui::widgets::wrap::hanging(
        &where_,
        width,
        " Where: ",
        ratatui::style::Style::default(),
        ratatui::style::Style::default(),
    ));
    lines.extend([
        Line::styled(under, theme.dim()),
        Line::raw(""),
        Line::raw(if app.save.expires_chosen {
            " Expiry date (the one chosen for the dialog; type another to replace it):"
        } else {
            " Expiry date you chose (YYYY-MM-DD, optional, for reminders):"
        }),
        field(app.save.expires.as_str(), !app.save.team_focus),
    ]);
    lines.extend(reminders(app, theme, width));
    lines.push(Line::raw(""));
    if app.rotating.is_none() {
        if app.save.team_focus || !team.is_empty() {
            lines.push(Line::raw(
                " Team vault (vault://MOUNT/PATH, keyvault://VAULT/SECRET, pass://PATH; empty:",
            ));
            lines.push(Line::raw(" this computer):"));
            lines.push(field(team, app.save.team_focus));
        } else if !app.plain {
            lines.push(Line::styled(
                " Tab: store it in a team vault instead (OpenBao/Vault, Key Vault, pass).",
                theme.dim(),
            ));
        }
        lines.push(Line::raw(""));
    }
    lines.extend(state_line(app, theme, width));
    lines
}

/// Who warns before the chosen date, or that it is already within the 7-day warning.
fn reminders(app: &App, theme: Theme, width: u16) -> Vec<Line<'static>> {
    let soon = parse_date(app.save.expires.as_str().trim())
        .ok()
        .and_then(|d| crate::domain::expiry::Expiry::of(Some(d), app.today).soon_words());
    match soon {
        Some(when) => crate::ui::widgets::wrap::hanging(
            &format!(
                "It expires {when}, within Azure DevOps' 7-day warning: `patwiz status` warns from now on; rotate it before then (`patwiz rotate`, or r on the first screen)."
            ),
            width,
            " ",
            theme.warn(),
            theme.warn(),
        ),
        None => vec![
            Line::styled(
                " Azure DevOps emails you 7 days before; `patwiz status` warns then too,",
                theme.dim(),
            ),
            Line::styled(
                " and `patwiz remind` writes a calendar reminder.",
                theme.dim(),
            ),
        ],
    }
}

/// Where storing stands: waiting for Enter, storing, stored (and where), or why not.
fn state_line(app: &App, theme: Theme, width: u16) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &app.save.state {
        SaveState::Editing => lines.push(Line::raw(" Enter stores it.")),
        SaveState::Saving => lines.push(Line::raw(" Storing…")),
        SaveState::Saved(stored) => lines.push(Line::from(vec![
            Span::styled(" ✓ ", theme.ok()),
            Span::raw(format!("Token {}.", stored.backend.explain())),
        ])),
        SaveState::SavedTeam(where_) => lines.push(Line::from(vec![
            Span::styled(" ✓ ", theme.ok()),
            Span::raw(format!("Stored in {where_}.")),
        ])),
        SaveState::Failed(e) => lines.extend(crate::ui::widgets::wrap::hanging(
            e,
            width,
            " ✗ ",
            theme.fail(),
            ratatui::style::Style::default(),
        )),
    }
    lines
}
