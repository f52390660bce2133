//! Step 1: choose the integration profile, or a stored organization to rotate; for profiles
//! whose guide says when a PAT is the right choice, a "Before you start" panel.

use ratatui::text::{Line, Span};

use crate::domain::profiles::Profile;
use crate::domain::scopes::Catalogue;
use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::state::{App, OrgCheck, OrgStep, ScopesStep, StartChoice, Step};
use crate::ui::theme::Theme;
use crate::ui::view::fit;
use crate::ui::widgets::wrap::hanging;
use ratatui::style::Style;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    let last = app.start.choices.len().saturating_sub(1);
    match intent {
        Intent::Up => app.start.cursor = app.start.cursor.saturating_sub(1),
        Intent::Down => app.start.cursor = (app.start.cursor + 1).min(last),
        Intent::Home => app.start.cursor = 0,
        Intent::End => app.start.cursor = last,
        Intent::Choose(n) if n <= last && !app.start.choices.is_empty() => {
            app.start.cursor = n;
            choose(app);
        }
        Intent::Next => choose(app),
        Intent::ExtendStored => return extend(app),
        Intent::RotateStored => {
            if let Some(i) = app
                .start
                .choices
                .iter()
                .position(|c| matches!(c, StartChoice::Rotate(_)))
            {
                app.start.cursor = i;
                choose(app);
                return one_key_rotation(app);
            }
        }
        _ => {}
    }
    vec![]
}

fn choose(app: &mut App) {
    let Some(choice) = app.start.choices.get(app.start.cursor).cloned() else {
        return;
    };
    match choice {
        StartChoice::Profile(profile) => {
            app.scopes = ScopesStep::new(Some(&profile), &profile.scope_ids());
            app.create = crate::ui::state::CreateStep::offering(None, profile.default_expiry_days);
            app.profile = Some(profile);
            app.rotating = None;
            app.step = Step::Organization;
        }
        StartChoice::Rotate(rotation) => {
            let stored = &rotation.settings;
            app.org = OrgStep::with(&stored.url);
            app.org.check = OrgCheck::Found(stored.kind.to_string());
            app.scopes = ScopesStep::new(Some(&rotation.profile), &stored.scopes);
            // The stored expiry stays unless the person changes it.
            if let Some(expires) = stored.expires {
                app.save
                    .expires
                    .set(&crate::store::settings::format_date(expires));
            }
            app.create = crate::ui::state::CreateStep::new(stored.expires);
            app.profile = Some(rotation.profile.clone());
            app.rotating = Some(rotation);
            app.step = Step::CreateToken;
        }
    }
}

/// `e`: the first stored token patwiz created, 90 more days from today, in place.
fn extend(app: &mut App) -> Vec<Effect> {
    let Some(rotation) = app.start.choices.iter().find_map(|c| match c {
        StartChoice::Rotate(r) if r.settings.authorization_id.is_some() => Some(r.clone()),
        _ => None,
    }) else {
        return vec![];
    };
    let Ok(org) = crate::domain::org_url::OrgUrl::parse(&rotation.settings.url) else {
        return vec![];
    };
    let valid_to = (app.today + time::Duration::days(90))
        .with_hms(23, 59, 59)
        .expect("a valid time")
        .assume_utc();
    app.create.minting = true;
    app.message = Some((
        crate::ui::state::Level::Info,
        format!(
            "Extending the token for {} to {} (signing in with Microsoft Entra)…",
            rotation.settings.name,
            crate::store::settings::format_date(valid_to.date())
        ),
    ));
    vec![Effect::Extend { org, valid_to }]
}

/// The answer to `e`: the new date in the list, and whether the token still passes.
pub fn extended(
    app: &mut App,
    result: Result<(time::Date, crate::domain::checks::Verdict), crate::ui::msg::MintFailure>,
) {
    app.create.minting = false;
    app.create.waiting = None;
    app.message = Some(match result {
        Ok((date, verdict)) => {
            for choice in &mut app.start.choices {
                if let StartChoice::Rotate(r) = choice
                    && r.settings.authorization_id.is_some()
                {
                    r.settings.expires = Some(date);
                    break;
                }
            }
            let works = if verdict == crate::domain::checks::Verdict::Pass {
                "proven again: it works"
            } else {
                "but it no longer passes its check: rotate it (r)"
            };
            (
                crate::ui::state::Level::Info,
                format!(
                    "Extended in place to {} (the same value; nothing to hand over), {works}.",
                    crate::store::settings::format_date(date)
                ),
            )
        }
        Err(failure) => (
            crate::ui::state::Level::Error,
            match &failure.policy {
                Some(words) => format!("{} {}", words.what, words.now),
                None => failure.text,
            },
        ),
    });
}

/// `r` on a token patwiz created: the whole rotation on one key — Azure DevOps creates the new
/// token, patwiz proves and stores it, and stops at the hand-over (the integration needs it).
fn one_key_rotation(app: &mut App) -> Vec<Effect> {
    let created_by_patwiz = app
        .rotating
        .as_ref()
        .is_some_and(|r| r.settings.authorization_id.is_some());
    if !created_by_patwiz {
        return vec![];
    }
    // An old date already past cannot be kept: 90 days, as the dialog would offer.
    if app
        .create
        .chosen()
        .date(app.today)
        .is_none_or(|d| d <= app.today)
        && let Some(i) = app
            .create
            .choices
            .iter()
            .position(|c| *c == crate::domain::expiry::ExpiryChoice::Days(90))
    {
        app.create.choice = i;
    }
    app.create.auto = true;
    super::create_token::update(app, Intent::CreateForMe)
}

pub fn lines<'a>(app: &'a App, theme: Theme, width: u16) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::styled(" Which integration is the token for?", theme.strong()),
        Line::raw(""),
    ];
    let room = (width as usize).saturating_sub(31);
    for (i, choice) in app.start.choices.iter().enumerate() {
        let selected = i == app.start.cursor;
        let (name, what) = match choice {
            StartChoice::Profile(p) => (p.title.clone(), p.summary.clone()),
            StartChoice::Rotate(r) => (
                format!("Rotate: {}", r.settings.name),
                match crate::domain::expiry::Expiry::of(r.settings.expires, app.today) {
                    crate::domain::expiry::Expiry::Expired(d) => format!("expired {d} days ago"),
                    crate::domain::expiry::Expiry::Soon(d)
                    | crate::domain::expiry::Expiry::Fine(d) => {
                        format!("{d} days left · {}", r.settings.url)
                    }
                    crate::domain::expiry::Expiry::Unknown => {
                        format!("no expiry recorded · {}", r.settings.url)
                    }
                },
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
    lines.push(Line::raw(""));
    match app.start.choices.get(app.start.cursor) {
        Some(StartChoice::Profile(p)) => {
            // The rows the body has: the screen less the header (2), the message (2) and the
            // footer (1).
            let room = usize::from(app.size.1)
                .saturating_sub(5)
                .saturating_sub(lines.len());
            lines.extend(profile_panel(p, theme, width, room));
        }
        Some(StartChoice::Rotate(r)) => {
            let say = format!(
                "Replace the stored token for {}{}. The new token is proven first; the old one \
                 stays until it passes.",
                r.settings.url,
                used_by(app, &r.settings.profile)
            );
            lines.extend(hanging(
                &say,
                width,
                " ",
                Style::default(),
                Style::default(),
            ));
        }
        None => {}
    }
    lines
}

/// " (used by Git Integration for Jira)": the integration a stored token was made for, by the
/// title its profile shows on this screen, never the profile's command-line name; nothing for
/// a profile this computer no longer has.
fn used_by(app: &App, profile: &str) -> String {
    app.start
        .choices
        .iter()
        .find_map(|c| match c {
            StartChoice::Profile(p) if p.name == profile && !p.scopes.is_empty() => {
                Some(format!(" (used by {})", p.title))
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// What the chosen profile needs and when a PAT is the right choice, wrapped to `width` with
/// hanging indents and cut to `room` rows: the service-account advice comes before the reasons,
/// and reasons that do not fit are counted, never cut mid-sentence.
fn profile_panel(p: &Profile, theme: Theme, width: u16, room: usize) -> Vec<Line<'static>> {
    let catalogue = Catalogue::get();
    let advice = !p.when_to_use.is_empty() || !p.service_account.is_empty();
    let mut about = Vec::new();
    if p.scopes.is_empty() {
        about.push(Line::raw(" You pick the scopes; patwiz proves each one."));
    } else if advice {
        // Room for "Before you start" at 80x24: the checkboxes in one paragraph.
        let labels: Vec<String> = p.scopes.iter().map(|s| catalogue.label(&s.id)).collect();
        about.extend(hanging(
            &format!("{} needs: {}", p.title, labels.join(" · ")),
            width,
            " ",
            theme.strong(),
            theme.strong(),
        ));
    } else {
        about.extend(hanging(
            &format!("{} needs (from the {}):", p.title, p.source),
            width,
            " ",
            theme.dim(),
            theme.dim(),
        ));
        for s in &p.scopes {
            about.extend(hanging(
                &format!("{} — {}", catalogue.label(&s.id), s.why),
                width,
                "   • ",
                theme.strong(),
                Style::default(),
            ));
        }
    }
    if !advice {
        return about;
    }
    if let Some(first) = p.service_account.first() {
        about.extend(hanging(first, width, " ", theme.dim(), theme.dim()));
    }
    about.extend(hanging(
        &format!(
            "Before you start — {} prefers OAuth; use a PAT when:",
            p.title
        ),
        width,
        " ",
        theme.strong(),
        theme.strong(),
    ));
    let reasons: Vec<Vec<Line<'static>>> = p
        .when_to_use
        .iter()
        .skip(1)
        .map(|reason| hanging(reason, width, "   • ", Style::default(), Style::default()))
        .collect();
    let mut left = room.saturating_sub(about.len());
    for (i, reason) in reasons.iter().enumerate() {
        let rest = reasons.len() - i;
        // The last row left says how many did not fit, unless this one is the last and fits.
        let fits = reason.len() < left || (rest == 1 && reason.len() <= left);
        if !fits {
            about.push(Line::styled(
                format!(
                    "   • and {rest} more (a taller window shows {})",
                    if rest == 1 { "it" } else { "them" }
                ),
                theme.dim(),
            ));
            break;
        }
        left -= reason.len();
        about.extend(reason.iter().cloned());
    }
    about
}
