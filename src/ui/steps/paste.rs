//! Step 5: the token, pasted or typed, masked (four characters at most) and shape-checked.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::domain::token::{CHECKSUM_WARNING, check_pasted, mask};
use crate::ui::effect::Effect;
use crate::ui::keymap::Intent;
use crate::ui::state::{App, Level, PasteStep, Step, Validation};
use crate::ui::theme::Theme;
use crate::ui::view::fit;
use crate::ui::widgets::wrap::hanging;

pub fn update(app: &mut App, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::Next => match &app.paste.token {
            Some(_) => start_validation(app),
            None => {
                if app.paste.error.is_none() {
                    app.paste.error = Some(
                        "Paste the token first (p or Ctrl+V, or your terminal's paste).".into(),
                    );
                }
                vec![]
            }
        },
        Intent::PasteFromClipboard => vec![Effect::ReadClipboard],
        Intent::ClearClipboard => vec![Effect::ClearClipboard],
        Intent::DemoToken(index) => match app.demo_offer().get(index).map(|t| t.value.clone()) {
            Some(value) => pasted(app, &value, false),
            None => vec![],
        },
        Intent::ClearField => {
            app.paste = PasteStep::default();
            vec![]
        }
        Intent::Erase if app.paste.typed.is_empty() => {
            app.paste = PasteStep::default();
            vec![]
        }
        Intent::Erase => {
            app.paste.typed.pop();
            recheck_typed(app);
            vec![]
        }
        Intent::Type(c) => {
            app.paste.typed.push(c);
            recheck_typed(app);
            vec![]
        }
        _ => vec![],
    }
}

/// Enter with a token: step 6 starts, the validation with it.
fn start_validation(app: &mut App) -> Vec<Effect> {
    app.step = Step::Validate;
    app.message = None;
    super::validate::run(app)
}

/// Takes pasted text (terminal or clipboard): trimmed and checked, never shown.
pub fn pasted(app: &mut App, text: &str, from_clipboard: bool) -> Vec<Effect> {
    if app.step != Step::Paste {
        return vec![];
    }
    app.paste.typed.clear();
    match check_pasted(text) {
        Ok(checked) => {
            app.paste.error = None;
            // The checksum's warning is on the step itself; the message line has the rest.
            app.message = checked
                .notes
                .iter()
                .find(|n| *n != CHECKSUM_WARNING)
                .map(|n| (Level::Info, n.clone()));
            app.paste.token = Some(checked);
            app.create.authorization_id = None;
            app.paste.from_clipboard = from_clipboard;
        }
        Err(e) => {
            app.paste.token = None;
            app.paste.error = Some(e.to_string());
            app.paste.from_clipboard = false;
        }
    }
    vec![]
}

fn recheck_typed(app: &mut App) {
    app.paste.from_clipboard = false;
    match check_pasted(app.paste.typed.as_str()) {
        Ok(checked) => {
            app.paste.token = Some(checked);
            app.create.authorization_id = None;
            app.paste.error = None;
        }
        Err(e) => {
            app.paste.token = None;
            app.paste.error = (!app.paste.typed.is_empty()).then(|| e.to_string());
        }
    }
}

/// Back to this step to paste another token, with `hint` on the message line.
pub fn again(app: &mut App, hint: String) {
    app.paste = PasteStep::default();
    app.validation = Validation::default();
    app.step = Step::Paste;
    app.message = Some((Level::Info, hint));
}

pub fn lines<'a>(app: &'a App, theme: Theme, width: u16) -> Vec<Line<'a>> {
    let paste = &app.paste;
    let shown = match (&paste.token, paste.typed.is_empty()) {
        (Some(checked), _) => checked.token.masked(),
        (None, false) => mask(paste.typed.as_str()),
        (None, true) => String::new(),
    };
    let mut lines = vec![
        Line::styled(" Paste the token Azure DevOps showed you", theme.strong()),
        crate::ui::widgets::text_input::line(shown, theme),
        Line::raw(""),
    ];
    match (&paste.token, &paste.error) {
        (Some(checked), _) => {
            let (mark, mark_style, verdict) = if checked.checksum_mismatch() {
                let text = format!(
                    "Shaped like {}, but its built-in checksum does not match: it looks mistyped or cut short.",
                    checked.describe()
                );
                (" ! ", theme.warn(), text)
            } else if checked.checksum.is_some() {
                let text = format!("Looks like {}; its checksum matches.", checked.describe());
                (" ✓ ", theme.ok(), text)
            } else {
                let text = format!("Looks like {}.", checked.describe());
                (" ✓ ", theme.ok(), text)
            };
            lines.extend(hanging(&verdict, width, mark, mark_style, Style::default()));
            for note in checked.notes.iter().filter(|n| *n != CHECKSUM_WARNING) {
                lines.extend(hanging(note, width, "   ", theme.dim(), theme.dim()));
            }
            if checked.checksum_mismatch() {
                lines.extend(hanging(
                    "Copy it again from Azure DevOps and paste it, or press Enter to check it with Azure DevOps anyway: the service has the last word.",
                    width,
                    "   ",
                    theme.dim(),
                    theme.dim(),
                ));
            }
        }
        (None, Some(error)) => lines.push(Line::from(vec![
            Span::styled(" ✗ ", theme.fail()),
            Span::raw(error.clone()),
        ])),
        (None, None) => {
            lines.push(Line::raw(
                " p or Ctrl+V pastes from the clipboard; your terminal's paste works too;",
            ));
            lines.push(Line::raw(
                " or type it. It is never shown: at most its first four characters.",
            ));
        }
    }
    if paste.from_clipboard && paste.token.is_some() {
        lines.push(Line::styled(
            " The token is still on your clipboard: press x to clear it.",
            theme.warn(),
        ));
    }
    if !app.demo_tokens.is_empty() && paste.typed.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            " Demo organization: press a number to paste one of its tokens.",
            theme.dim(),
        ));
        for (i, t) in app.demo_offer().into_iter().enumerate() {
            // As much of what it shows as the width allows, cut with an ellipsis.
            let about = fit(&t.demonstrates, usize::from(width).saturating_sub(21));
            lines.push(Line::from(vec![
                Span::styled(format!("  {} ", i + 1), theme.key()),
                Span::raw(format!("{:<14} ", fit(&t.name, 14))),
                Span::styled(about, theme.dim()),
            ]));
        }
    }
    lines
}
