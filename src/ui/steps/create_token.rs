//! Step 3: the guide's steps for creating the token, adapted to the profile.

use ratatui::text::{Line, Span};

use crate::domain::GLOBAL_PAT_RETIREMENT;
use crate::domain::expiry::ExpiryChoice;
use crate::store::settings::format_date;
use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::msg::Copied;
use crate::ui::state::{App, Level, Step};
use crate::ui::theme::Theme;
use crate::ui::widgets::wrap::hanging;
use ratatui::style::Style;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    let Ok(org) = &app.org.parsed else {
        return vec![];
    };
    match intent {
        Intent::OpenPage => vec![Effect::OpenBrowser(org.token_page())],
        Intent::CopyLink => vec![Effect::CopyText(org.token_page(), Copied::Link)],
        Intent::CreateForMe => {
            let Some(valid_to) = app
                .create
                .chosen()
                .date(app.today)
                .and_then(|d| d.with_hms(23, 59, 59).ok())
                .map(time::PrimitiveDateTime::assume_utc)
            else {
                app.message = Some((
                    Level::Warn,
                    "Choose an expiration first (←/→): Azure DevOps needs the date.".into(),
                ));
                return vec![];
            };
            app.create.minting = true;
            app.create.failure = None;
            app.message = Some((
                Level::Info,
                "Signing in with Microsoft Entra, then Azure DevOps creates the token…".into(),
            ));
            vec![Effect::Mint(Box::new(crate::ui::effect::MintRequest {
                org: org.clone(),
                token_name: app
                    .profile
                    .as_ref()
                    .map_or_else(|| "Integration token".to_string(), |p| p.token_name.clone()),
                scopes: app
                    .scopes
                    .to_create()
                    .into_iter()
                    .map(|(s, _)| s.id.clone())
                    .collect(),
                valid_to,
            }))]
        }
        Intent::Less => choose_expiry(app, -1),
        Intent::More => choose_expiry(app, 1),
        Intent::Next => {
            if let Some(date) = app.create.chosen().date(app.today) {
                app.save.expires.set(&format_date(date));
                app.save.expires_chosen = true;
            }
            app.step = Step::Paste;
            app.message = None;
            vec![]
        }
        _ => vec![],
    }
}

fn choose_expiry(app: &mut App, delta: isize) -> Vec<Effect> {
    let last = app.create.choices.len() - 1;
    app.create.choice = app.create.choice.saturating_add_signed(delta).min(last);
    app.message = match app.create.chosen() {
        ExpiryChoice::Custom => Some((
            Level::Info,
            "Pick the date in the dialog; patwiz asks for it when you save.".to_string(),
        )),
        ExpiryChoice::Keep(date) if date < app.today => Some((
            Level::Warn,
            format!(
                "The old token's date, {}, has passed: choose another.",
                format_date(date)
            ),
        )),
        _ => None,
    };
    vec![]
}

/// The expiration line: the choice, the date it means, and the keys that change it.
fn expiry_line(app: &App, theme: Theme) -> Line<'static> {
    let chosen = app.create.chosen();
    let less = if app.create.choice > 0 { "◂ " } else { "  " };
    let more = if app.create.choice + 1 < app.create.choices.len() {
        " ▸"
    } else {
        "  "
    };
    let date = chosen
        .date(app.today)
        .map_or_else(|| "a date you pick".to_string(), format_date);
    Line::from(vec![
        Span::raw(" 4. Expiration: "),
        Span::styled(format!("{less}{}{more}", chosen.words()), theme.selected()),
        Span::raw(" → "),
        Span::styled(date, theme.strong()),
        Span::styled(format!("  ({} to change)", app.change_keys()), theme.dim()),
    ])
}

pub fn lines<'a>(app: &'a App, theme: Theme, width: u16) -> Vec<Line<'a>> {
    let Ok(org) = &app.org.parsed else {
        return vec![];
    };
    let profile = app.profile.as_ref();
    let name = profile.map_or("Integration token", |p| p.token_name.as_str());
    let mut lines = Vec::new();
    if let Some(failure) = &app.create.failure {
        lines.extend(refusal_panel(failure, theme, width));
    } else if app.create.minting {
        let doing = match &app.create.waiting {
            Some(crate::ui::msg::SignInWait::DeviceCode { .. }) => {
                "Signing in by device code (below), then creating the token…".to_string()
            }
            Some(crate::ui::msg::SignInWait::Browser) => {
                "Signing in in your browser, then creating the token…".to_string()
            }
            None => "Signing in and creating the token…".to_string(),
        };
        lines.extend(hanging(&doing, width, " ", theme.strong(), theme.strong()));
        lines.push(Line::raw(""));
    }
    if app.rotating.is_some() {
        lines.extend(regenerate(app, theme, width, name));
    }
    lines.extend([
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
    ]);
    if profile.is_some_and(|p| p.global_pat_retired) {
        let said = format!(
            "The {} says \"All accessible organizations\": Microsoft {} those global PATs on \
             {GLOBAL_PAT_RETIREMENT}.",
            profile.map_or("guide", |p| p.source.as_str()),
            crate::domain::retires_on(app.today)
        );
        lines.extend(hanging(&said, width, "    ", theme.warn(), theme.warn()));
    }
    lines.push(expiry_line(app, theme));
    // A refusal's panel takes the room of the expiry advice (all of it fits at 80×24).
    if app.rotating.is_none() && app.create.failure.is_none() {
        lines.extend(hanging(
            profile.map_or(
                "The shortest your policy allows (1 year at most; some orgs cap at 90 days).",
                |p| p.expiry_advice.as_str(),
            ),
            width,
            "    ",
            theme.dim(),
            theme.dim(),
        ));
    }
    lines.push(Line::from(vec![
        Span::raw(" 5. Scopes: "),
        Span::styled("Custom defined", theme.strong()),
        Span::raw(", then "),
        Span::styled("Show all scopes", theme.strong()),
        Span::raw(", and tick exactly:"),
    ]));
    for (scope, raised) in app.scopes.to_create() {
        lines.push(Line::styled(
            format!("      ☑ {}", scope.label()),
            theme.strong(),
        ));
        if raised {
            lines.extend(hanging(
                &format!(
                    "{} needs this, though step 3 leaves it out: without it the check fails.",
                    app.integration()
                ),
                width,
                "        ",
                theme.warn(),
                theme.warn(),
            ));
        }
    }
    lines.push(Line::from(vec![
        Span::raw(" 6. Click Create and "),
        Span::styled("copy the token now: it is shown once.", theme.warn()),
    ]));
    if let Some(p) = profile.filter(|_| app.rotating.is_none() && app.create.failure.is_none()) {
        for pre in &p.prerequisites {
            lines.extend(hanging(pre, width, " Note: ", theme.dim(), theme.dim()));
        }
    }
    lines
}

/// Why Azure DevOps did not create the token: the policy, who can change it, what to do now.
fn refusal_panel(
    failure: &crate::ui::msg::MintFailure,
    theme: Theme,
    width: u16,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        " Azure DevOps did not create the token",
        theme.fail(),
    )];
    match &failure.policy {
        Some(words) => {
            lines.extend(hanging(
                &words.what,
                width,
                "   ",
                Style::default(),
                Style::default(),
            ));
            lines.extend(hanging(
                &words.who,
                width,
                "   Who can change it: ",
                theme.dim(),
                Style::default(),
            ));
            lines.extend(hanging(
                &words.now,
                width,
                "   What to do now: ",
                theme.strong(),
                Style::default(),
            ));
        }
        None => lines.extend(hanging(
            &crate::domain::text::safe_message(&failure.text),
            width,
            "   ",
            Style::default(),
            Style::default(),
        )),
    }
    lines.push(Line::styled(
        "   Or create it yourself with the same scopes:",
        theme.dim(),
    ));
    lines
}

/// A rotation's quickest path: Azure DevOps' Regenerate keeps the token's name, organization
/// and scopes and gives it a new value; creating a second token keeps the old one working
/// while the integration switches.
fn regenerate(app: &App, theme: Theme, width: u16, name: &str) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        " Quickest: regenerate the same token",
        theme.strong(),
    )];
    let org = app
        .org
        .parsed
        .as_ref()
        .map(|o| o.token_page())
        .unwrap_or_default();
    lines.extend(hanging(
        &format!(
            "On {org}, find \"{name}\" → ⋯ → Regenerate, choose the expiration below, and copy the new value (shown once). The name, organization and scopes stay; anything still using the old value needs the new one. An expired or revoked token cannot be regenerated: then create one as below."
        ),
        width,
        " ",
        theme.dim(),
        Style::default(),
    ));
    lines.push(Line::styled(
        " Or create a second token (the old one keeps working until you revoke it):",
        theme.strong(),
    ));
    lines
}

/// Azure DevOps created the token (or refused): a created one is proven at once, like a
/// pasted one, and stored on Save with its id.
pub fn minted(
    app: &mut App,
    result: Result<Box<crate::flows::mint::CreatedHere>, crate::ui::msg::MintFailure>,
) -> Vec<Effect> {
    app.create.minting = false;
    app.create.waiting = None;
    match result {
        Ok(created) => {
            let created = *created;
            app.create.authorization_id = Some(created.authorization_id);
            app.create.capped_from = created.capped_from.map(|t| t.date());
            if let Some(valid_to) = created.valid_to {
                app.save.expires.set(&format_date(valid_to.date()));
                app.save.expires_chosen = true;
            }
            let read = crate::domain::token::check_pasted(created.token.expose()).ok();
            let mut notes = vec![format!(
                "Created by patwiz through Azure DevOps' API as \"{}\".",
                created.display_name
            )];
            if let Some(asked) = created.capped_from {
                notes.push(format!(
                    "You chose {}; your tenant's maximum lifespan cut the expiry to {}.",
                    format_date(asked.date()),
                    created
                        .valid_to
                        .map(|t| format_date(t.date()))
                        .unwrap_or_default()
                ));
            }
            app.paste.token = Some(crate::domain::token::CheckedToken {
                token: created.token,
                format: read
                    .as_ref()
                    .map_or(crate::domain::token::TokenFormat::Current, |c| c.format),
                notes,
                checksum: read.as_ref().and_then(|c| c.checksum),
                created: read.as_ref().and_then(|c| c.created),
            });
            app.step = Step::Validate;
            app.message = None;
            super::validate::run(app)
        }
        Err(failure) => {
            app.message = None;
            app.create.failure = Some(failure);
            app.create.auto = false;
            vec![]
        }
    }
}
