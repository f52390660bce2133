//! The keys, one table per step: the same table turns a key into an [`Intent`] and draws the
//! footer and the help, so the screen can never advertise a key that does nothing nor hide one
//! that works. `update` only ever sees intents.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::{App, Overlay, Step};

/// What the person wants, whatever key they pressed for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter: the step's main action.
    Next,
    /// Esc: one step back.
    Back,
    Quit,
    Help,
    /// Any key while the help is open.
    CloseOverlay,
    /// `y` in the quit confirmation.
    ConfirmQuit,
    /// `a` on the create step: sign in and have Azure DevOps create the token.
    CreateForMe,
    /// `m` on Validate: add the missing scopes to the same token (created by patwiz).
    Mend,
    /// Esc while a sign-in waits for the person: stop waiting.
    StopSignIn,
    /// `v` on the hand-over: show the token once (asks first).
    Reveal,
    /// `y` in the reveal confirmation.
    ConfirmReveal,
    /// `o` in the reveal: the token on one line, to select it.
    RevealLine,
    /// Choose the n-th entry (0-based) and go on.
    Choose(usize),
    /// Rotate the first stored organization's token.
    RotateStored,
    /// Extend the first stored token patwiz created (90 more days), in place.
    ExtendStored,
    Toggle,
    /// ← / →: one level less / more of a scope group, a shorter / longer expiry.
    Less,
    More,
    /// `/`: letters go into the scope filter.
    Filter,
    /// Enter while filtering: stop typing, keep what the filter shows.
    EndFilter,
    /// Esc while filtering: show every row again.
    ClearFilter,
    FullAccess,
    OpenPage,
    CopyLink,
    PasteFromClipboard,
    ClearClipboard,
    ClearField,
    DemoToken(usize),
    Rerun,
    NewToken,
    ChangeScopes,
    CopyToken,
    CopyOrgUrl,
    CopyReport,
    WriteReminder,
    AnotherOrg,
    Type(char),
    Erase,
}

/// A key, as the tables name it.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    Code(KeyCode),
    Char(char),
    Ctrl(char),
    /// 1 to 9 (the intent gets the digit's 0-based index).
    Digit,
}

impl Key {
    fn matches(self, key: &KeyEvent) -> Option<Option<usize>> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let hit = match self {
            Key::Code(code) => key.code == code && !ctrl,
            Key::Char(c) => key.code == KeyCode::Char(c) && !ctrl,
            Key::Ctrl(c) => ctrl && key.code == KeyCode::Char(c),
            Key::Digit => {
                if let KeyCode::Char(d @ '1'..='9') = key.code
                    && !ctrl
                {
                    return Some(Some(d as usize - '1' as usize));
                }
                false
            }
        };
        hit.then_some(None)
    }
}

/// One line of a table: the keys, what they are called on screen, what they do, the intent,
/// and when they apply (a key that does not apply now is neither shown nor handled).
pub struct Binding {
    pub keys: &'static [Key],
    pub label: &'static str,
    pub what: &'static str,
    pub intent: Intent,
    /// Shown in the footer (every binding that applies is in the help).
    pub footer: bool,
    /// False for a footer-only summary of keys that have lines of their own ("↑↓ move").
    pub handled: bool,
    pub when: fn(&App) -> bool,
}

fn always(_: &App) -> bool {
    true
}

const fn bind(
    keys: &'static [Key],
    label: &'static str,
    what: &'static str,
    intent: Intent,
) -> Binding {
    Binding {
        keys,
        label,
        what,
        intent,
        footer: true,
        handled: true,
        when: always,
    }
}

/// A footer entry that sums up keys handled by their own lines.
const fn summary(label: &'static str, what: &'static str) -> Binding {
    Binding {
        keys: &[],
        label,
        what,
        intent: Intent::Up,
        footer: true,
        handled: false,
        when: always,
    }
}

const fn extra(
    keys: &'static [Key],
    label: &'static str,
    what: &'static str,
    intent: Intent,
) -> Binding {
    Binding {
        keys,
        label,
        what,
        intent,
        footer: false,
        handled: true,
        when: always,
    }
}

const fn only(mut b: Binding, when: fn(&App) -> bool) -> Binding {
    b.when = when;
    b
}

use Intent as I;
use KeyCode as C;

const BACK: Binding = bind(&[Key::Code(C::Esc)], "Esc", "back", I::Back);
/// Esc while a sign-in waits (first in its tables: it wins over Esc's other meaning, and the
/// footer and help show only the first binding of a key).
const STOP_SIGN_IN: Binding = only(
    bind(
        &[Key::Code(C::Esc)],
        "Esc",
        "stop signing in",
        I::StopSignIn,
    ),
    signing_in,
);
const PAGE_UP: Binding = extra(&[Key::Code(C::PageUp)], "PgUp", "a page up", I::PageUp);
const PAGE_DOWN: Binding = extra(
    &[Key::Code(C::PageDown)],
    "PgDn",
    "a page down",
    I::PageDown,
);
const HOME_END: Binding = extra(
    &[Key::Code(C::Home), Key::Code(C::End)],
    "Home End",
    "first / last",
    I::Home,
);

fn filtered(app: &App) -> bool {
    !app.scopes.filter.is_empty()
}
fn not_filtered(app: &App) -> bool {
    !filtered(app)
}
fn nothing_typed(app: &App) -> bool {
    app.paste.typed.is_empty()
}
fn on_clipboard(app: &App) -> bool {
    nothing_typed(app) && app.paste.from_clipboard && app.paste.token.is_some()
}
fn demo(app: &App) -> bool {
    nothing_typed(app) && !app.demo_tokens.is_empty()
}
fn signing_in(app: &App) -> bool {
    app.create.minting
}
fn not_signing_in(app: &App) -> bool {
    !app.create.minting
}
fn idle(app: &App) -> bool {
    !app.validation.running
}
fn has_expiry(app: &App) -> bool {
    !app.save.expires.as_str().trim().is_empty()
}
fn has_token(app: &App) -> bool {
    app.paste.token.is_some()
}
/// The token was created by patwiz (its id is known) and a scope is missing: it can be added
/// to the same token.
fn can_mend(app: &App) -> bool {
    app.create.authorization_id.is_some()
        && !app.validation.running
        && !app.create.minting
        && app
            .validation
            .failing()
            .any(|r| r.class == crate::domain::checks::CheckClass::MissingScope)
}
/// Azure DevOps Services answered (the lifecycle API needs Microsoft Entra, never a Server).
fn can_mint(app: &App) -> bool {
    matches!(&app.org.check, super::state::OrgCheck::Found(kind) if kind.contains("Services") || kind.starts_with("cloud"))
        && !app.create.minting
}
/// Whether `v` (show it once) is offered: the words on screen say `v` only when it works.
pub fn can_reveal(app: &App) -> bool {
    has_token(app) && app.reveal_allowed && !app.handoff.revealed
}
fn reveal_needed(app: &App) -> bool {
    can_reveal(app) && app.handoff.no_clipboard
}
fn reveal_possible(app: &App) -> bool {
    can_reveal(app) && !app.handoff.no_clipboard
}
/// A stored token patwiz created, still valid (Azure DevOps cannot extend an expired one).
fn can_extend(app: &App) -> bool {
    !app.create.minting
        && app.start.choices.iter().any(|c| {
            matches!(c, super::state::StartChoice::Rotate(r)
                if r.settings.authorization_id.is_some()
                    && r.settings.expires.is_none_or(|d| d >= app.today))
        })
}
fn has_stored(app: &App) -> bool {
    app.start
        .choices
        .iter()
        .any(|c| matches!(c, super::state::StartChoice::Rotate(_)))
}
fn has_report(app: &App) -> bool {
    app.validation.report.is_some()
}
fn passed(app: &App) -> bool {
    app.validation.verdict() == Some(crate::domain::checks::Verdict::Pass)
}
fn failed(app: &App) -> bool {
    !app.validation.running && !passed(app)
}
/// Every required scope proven, and nothing more held than the integration needs.
fn passed_plainly(app: &App) -> bool {
    passed(app) && app.validation.extras().is_empty()
}
/// Proven, but the token holds powerful scopes the integration does not need: storing it is a
/// decision (a second Enter, named in the footer), and `b` pastes a narrower one instead.
fn passed_with_extras(app: &App) -> bool {
    passed(app) && !app.validation.extras().is_empty()
}
fn extras_unconfirmed(app: &App) -> bool {
    passed_with_extras(app) && !app.validation.extras_confirmed
}
fn extras_confirmed(app: &App) -> bool {
    passed_with_extras(app) && app.validation.extras_confirmed
}
/// A finished run that did not pass: Enter says what stops the saving.
fn failed_with_report(app: &App) -> bool {
    failed(app) && has_report(app)
}

static START: [Binding; 10] = [
    STOP_SIGN_IN,
    extra(&[Key::Code(C::Up), Key::Char('k')], "↑ k", "up", I::Up),
    extra(
        &[Key::Code(C::Down), Key::Char('j')],
        "↓ j",
        "down",
        I::Down,
    ),
    summary("↑↓", "choose"),
    HOME_END,
    extra(
        &[Key::Digit],
        "1-9",
        "choose that one and go on",
        I::Choose(0),
    ),
    only(
        bind(&[Key::Char('r')], "r", "rotate it", I::RotateStored),
        has_stored,
    ),
    only(
        bind(&[Key::Char('e')], "e", "extend 90 days", I::ExtendStored),
        can_extend,
    ),
    bind(&[Key::Code(C::Enter)], "Enter", "next", I::Next),
    extra(&[Key::Code(C::Esc)], "Esc", "quit", I::Back),
];

static ORGANIZATION: [Binding; 5] = [
    bind(&[], "type", "URL", I::Type(' ')),
    bind(&[Key::Code(C::Enter)], "Enter", "check", I::Next),
    extra(&[Key::Code(C::Backspace)], "Backspace", "erase", I::Erase),
    extra(
        &[Key::Ctrl('u')],
        "Ctrl+U",
        "clear the field",
        I::ClearField,
    ),
    BACK,
];

static CREATE_TOKEN: [Binding; 9] = [
    STOP_SIGN_IN,
    only(
        bind(&[Key::Char('a')], "a", "create it for me", I::CreateForMe),
        can_mint,
    ),
    bind(&[Key::Char('o')], "o", "open page", I::OpenPage),
    // While patwiz signs in and creates the token, its expiry is already asked for and the
    // next step would hide the sign-in's code: Esc stops it first.
    only(
        extra(
            &[Key::Code(C::Left), Key::Char('h')],
            "← h",
            "shorter expiry",
            I::Less,
        ),
        not_signing_in,
    ),
    only(
        extra(
            &[Key::Code(C::Right), Key::Char('l')],
            "→ l",
            "longer expiry",
            I::More,
        ),
        not_signing_in,
    ),
    only(summary("←→", "expiry"), not_signing_in),
    bind(&[Key::Char('c')], "c", "copy link", I::CopyLink),
    only(
        bind(&[Key::Code(C::Enter)], "Enter", "next", I::Next),
        not_signing_in,
    ),
    BACK,
];

static SCOPES: [Binding; 15] = [
    extra(&[Key::Code(C::Up), Key::Char('k')], "↑ k", "up", I::Up),
    extra(
        &[Key::Code(C::Down), Key::Char('j')],
        "↓ j",
        "down",
        I::Down,
    ),
    extra(
        &[Key::Code(C::Left), Key::Char('h')],
        "← h",
        "less access",
        I::Less,
    ),
    extra(
        &[Key::Code(C::Right), Key::Char('l')],
        "→ l",
        "more access",
        I::More,
    ),
    summary("←→", "level"),
    bind(&[Key::Char(' ')], "Space", "on/off", I::Toggle),
    bind(&[Key::Char('/')], "/", "filter", I::Filter),
    PAGE_UP,
    PAGE_DOWN,
    HOME_END,
    bind(&[Key::Char('f')], "f", "Full access", I::FullAccess),
    // Last of the step's keys: the first left out of a narrow footer.
    summary("↑↓", "move"),
    bind(&[Key::Code(C::Enter)], "Enter", "next", I::Next),
    only(
        bind(
            &[Key::Code(C::Esc)],
            "Esc",
            "clear the filter",
            I::ClearFilter,
        ),
        filtered,
    ),
    only(BACK, not_filtered),
];

/// The scope picker while `/` is typing a filter: letters go into the filter, the arrows still
/// move and change levels.
static SCOPES_FILTERING: [Binding; 11] = [
    bind(&[], "type", "filter", I::Type(' ')),
    extra(&[Key::Code(C::Up)], "↑", "up", I::Up),
    extra(&[Key::Code(C::Down)], "↓", "down", I::Down),
    summary("↑↓", "move"),
    extra(&[Key::Code(C::Left)], "←", "less access", I::Less),
    extra(&[Key::Code(C::Right)], "→", "more access", I::More),
    summary("←→", "level"),
    extra(&[Key::Code(C::Backspace)], "Backspace", "erase", I::Erase),
    bind(
        &[Key::Code(C::Enter)],
        "Enter",
        "keep the filter",
        I::EndFilter,
    ),
    bind(
        &[Key::Code(C::Esc)],
        "Esc",
        "clear the filter",
        I::ClearFilter,
    ),
    HOME_END,
];

static PASTE: [Binding; 9] = [
    only(
        bind(&[Key::Char('p')], "p", "paste", I::PasteFromClipboard),
        nothing_typed,
    ),
    extra(
        &[Key::Ctrl('v')],
        "Ctrl+V",
        "paste from the clipboard",
        I::PasteFromClipboard,
    ),
    only(
        bind(&[Key::Digit], "1-9", "demo token", I::DemoToken(0)),
        demo,
    ),
    only(
        bind(&[Key::Char('x')], "x", "clear clipboard", I::ClearClipboard),
        on_clipboard,
    ),
    bind(&[Key::Code(C::Delete)], "Del", "clear", I::ClearField),
    extra(&[Key::Ctrl('u')], "Ctrl+U", "clear", I::ClearField),
    extra(&[Key::Code(C::Backspace)], "Backspace", "erase", I::Erase),
    bind(&[Key::Code(C::Enter)], "Enter", "validate", I::Next),
    BACK,
];

static VALIDATE: [Binding; 17] = [
    STOP_SIGN_IN,
    // First, so that a narrow footer keeps it (the footer drops the step's keys from the right).
    only(
        bind(
            &[Key::Char('b')],
            "b",
            "paste a narrower token",
            I::NewToken,
        ),
        passed_with_extras,
    ),
    only(
        bind(&[Key::Char('m')], "m", "add the missing scopes", I::Mend),
        can_mend,
    ),
    only(bind(&[Key::Char('r')], "r", "re-run", I::Rerun), idle),
    only(
        bind(&[Key::Char('b')], "b", "new token", I::NewToken),
        failed,
    ),
    only(
        bind(&[Key::Char('c')], "c", "copy report", I::CopyReport),
        has_report,
    ),
    extra(&[Key::Char('s')], "s", "change the scopes", I::ChangeScopes),
    extra(
        &[Key::Code(C::Up), Key::Char('k')],
        "↑ k",
        "scroll up",
        I::Up,
    ),
    extra(
        &[Key::Code(C::Down), Key::Char('j')],
        "↓ j",
        "scroll down",
        I::Down,
    ),
    PAGE_UP,
    PAGE_DOWN,
    extra(
        &[Key::Code(C::Home), Key::Code(C::End)],
        "Home End",
        "top / bottom",
        I::Home,
    ),
    only(
        bind(&[Key::Code(C::Enter)], "Enter", "save", I::Next),
        passed_plainly,
    ),
    only(
        bind(
            &[Key::Code(C::Enter)],
            "Enter",
            "save (asks first)",
            I::Next,
        ),
        extras_unconfirmed,
    ),
    only(
        bind(&[Key::Code(C::Enter)], "Enter", "store it anyway", I::Next),
        extras_confirmed,
    ),
    only(
        extra(
            &[Key::Code(C::Enter)],
            "Enter",
            "say what stops saving",
            I::Next,
        ),
        failed_with_report,
    ),
    BACK,
];

static SAVE: [Binding; 6] = [
    bind(&[], "type", "YYYY-MM-DD", I::Type(' ')),
    bind(&[Key::Code(C::Enter)], "Enter", "save", I::Next),
    bind(&[Key::Code(C::Tab)], "Tab", "team vault", I::Toggle),
    extra(&[Key::Code(C::Backspace)], "Backspace", "erase", I::Erase),
    extra(
        &[Key::Ctrl('u')],
        "Ctrl+U",
        "clear the field",
        I::ClearField,
    ),
    BACK,
];

static HAND_OFF: [Binding; 6] = [
    only(
        bind(&[Key::Char('t')], "t", "copy token", I::CopyToken),
        has_token,
    ),
    // Shown in the footer once a copy found no system clipboard; in the help always.
    only(
        bind(&[Key::Char('v')], "v", "show it once", I::Reveal),
        reveal_needed,
    ),
    only(
        extra(&[Key::Char('v')], "v", "show it once", I::Reveal),
        reveal_possible,
    ),
    bind(&[Key::Char('u')], "u", "copy org URL", I::CopyOrgUrl),
    bind(&[Key::Code(C::Enter)], "Enter", "next", I::Next),
    BACK,
];

static DONE: [Binding; 5] = [
    only(
        bind(&[Key::Char('c')], "c", "copy report", I::CopyReport),
        has_report,
    ),
    only(
        bind(&[Key::Char('r')], "r", "reminder", I::WriteReminder),
        has_expiry,
    ),
    bind(&[Key::Char('n')], "n", "another org", I::AnotherOrg),
    bind(&[Key::Code(C::Enter)], "Enter", "quit", I::Next),
    // Said on the screen itself ("Esc goes back to the hand-over"); the footer has no room.
    extra(
        &[Key::Code(C::Esc)],
        "Esc",
        "back to the hand-over",
        I::Back,
    ),
];

/// The step's own table (the scope picker's while it filters).
pub fn table(app: &App) -> &'static [Binding] {
    match app.step {
        Step::Start => &START,
        Step::Organization => &ORGANIZATION,
        Step::CreateToken => &CREATE_TOKEN,
        Step::Scopes if app.scopes.filtering => &SCOPES_FILTERING,
        Step::Scopes => &SCOPES,
        Step::Paste => &PASTE,
        Step::Validate => &VALIDATE,
        Step::Save => &SAVE,
        Step::HandOff => &HAND_OFF,
        Step::Done => &DONE,
    }
}

/// The keys every step has. On steps that take text, letters are typed, so help and quit are
/// F1 and Ctrl+Q there.
fn global(app: &App) -> [Binding; 3] {
    if app.typing() {
        [
            bind(&[Key::Code(C::F(1))], "F1", "help", I::Help),
            bind(&[Key::Ctrl('q')], "^Q", "quit", I::Quit),
            extra(&[Key::Ctrl('c')], "Ctrl+C", "quit", I::Quit),
        ]
    } else {
        [
            bind(&[Key::Char('?'), Key::Code(C::F(1))], "?", "help", I::Help),
            bind(&[Key::Char('q'), Key::Ctrl('q')], "q", "quit", I::Quit),
            extra(&[Key::Ctrl('c')], "Ctrl+C", "quit", I::Quit),
        ]
    }
}

/// What `key` means now, if anything.
pub fn intent(app: &App, key: &KeyEvent) -> Option<Intent> {
    // A window too small to draw in shows only a notice: no key acts on a screen the person
    // cannot see, except quitting (which still asks first when a proven token is unsaved).
    if app.too_small() {
        let quit = key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('c' | 'q'));
        return quit.then_some(I::Quit);
    }
    match app.overlay {
        Some(Overlay::Help) => return Some(I::CloseOverlay),
        Some(Overlay::ConfirmQuit) => {
            return Some(match key.code {
                KeyCode::Char('y' | 'Y') => I::ConfirmQuit,
                _ => I::CloseOverlay,
            });
        }
        Some(Overlay::ConfirmReveal) => {
            return Some(match key.code {
                KeyCode::Char('y' | 'Y') => I::ConfirmReveal,
                _ => I::CloseOverlay,
            });
        }
        Some(Overlay::Reveal) => {
            return Some(match key.code {
                KeyCode::Char('o' | 'O') => I::RevealLine,
                _ => I::CloseOverlay,
            });
        }
        Some(Overlay::RevealLine) => return Some(I::CloseOverlay),
        None => {}
    }
    for binding in global(app).iter().chain(table(app)) {
        if !binding.handled || !(binding.when)(app) {
            continue;
        }
        for k in binding.keys {
            match k.matches(key) {
                Some(Some(n)) => {
                    return Some(match binding.intent {
                        I::DemoToken(_) => I::DemoToken(n),
                        _ => I::Choose(n),
                    });
                }
                Some(None) => {
                    return Some(match binding.intent {
                        I::Home if key.code == KeyCode::End => I::End,
                        other => other,
                    });
                }
                None => {}
            }
        }
    }
    match key.code {
        KeyCode::Char(c) if app.typing() && !key.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(I::Type(c))
        }
        _ => None,
    }
}

/// One key hint: what the key is called and what it does.
pub type Hint = (&'static str, &'static str);

/// The footer: the step's main keys that apply now, then help and quit.
pub fn footer(app: &App) -> Vec<Hint> {
    let global = global(app);
    let live = live(app, &global);
    live.into_iter()
        .filter(|b| b.footer)
        .map(|b| (b.label, b.what))
        .collect()
}

/// The bindings that work now, the step's then help and quit, each key once: where two name
/// the same key, the first is what the key does ([`intent`] takes the first too).
fn live<'a>(app: &App, global: &'a [Binding]) -> Vec<&'a Binding>
where
    'static: 'a,
{
    let mut seen: Vec<&str> = Vec::new();
    table(app)
        .iter()
        .chain(global.iter())
        .filter(|b| (b.when)(app))
        .filter(|b| {
            let first = !seen.contains(&b.label);
            seen.push(b.label);
            first
        })
        .collect()
}

/// The keys that work now and can be typed as a character (plain mode reads lines, so it has
/// no arrows, Enter or Esc of its own): the step's, then help and quit.
pub fn typeable(app: &App) -> Vec<(Hint, Intent)> {
    let global = global(app);
    table(app)
        .iter()
        .chain(global.iter())
        .filter(|b| b.handled && (b.when)(app))
        .filter(|b| {
            b.keys
                .iter()
                .any(|k| matches!(k, Key::Char(_) | Key::Digit))
        })
        .map(|b| ((b.label, b.what), b.intent))
        .collect()
}

/// What Enter does on this step now, if anything.
pub fn enter(app: &App) -> Option<&'static str> {
    table(app)
        .iter()
        .find(|b| {
            b.handled
                && (b.when)(app)
                && b.keys
                    .iter()
                    .any(|k| matches!(k, Key::Code(KeyCode::Enter)))
        })
        .map(|b| b.what)
}

/// The help: every key that works now, each with whether the footer names it too (the help
/// shows the rest apart, so a key it lists and the footer does not is never a surprise).
pub fn help(app: &App) -> Vec<(Hint, bool)> {
    let global = global(app);
    let footer = footer(app);
    live(app, &global)
        .into_iter()
        .filter(|b| b.handled)
        .map(|b| {
            let first = b.label.split_whitespace().next().unwrap_or_default();
            let in_footer = b.footer
                || footer
                    .iter()
                    .any(|(label, _)| names(label).contains(&first));
            ((b.label, b.what), in_footer)
        })
        .collect()
}

/// The keys a footer label names: its words, and each arrow of a summary such as `↑↓`.
fn names(label: &str) -> Vec<&str> {
    let arrows = |w: &str| w.chars().all(|c| "←→↑↓".contains(c));
    label
        .split_whitespace()
        .flat_map(|word| {
            let mut all = vec![word];
            if arrows(word) {
                all.extend(word.char_indices().map(|(i, c)| &word[i..i + c.len_utf8()]));
            }
            all
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::state::App;

    fn press(app: &App, code: KeyCode, modifiers: KeyModifiers) -> Option<Intent> {
        intent(app, &KeyEvent::new(code, modifiers))
    }

    #[test]
    fn every_advertised_key_does_something_and_every_handled_key_is_in_the_help() {
        let mut app = App::for_tests();
        for (step, filtering) in Step::ALL.into_iter().flat_map(|s| [(s, false), (s, true)]) {
            app.step = step;
            app.scopes.filtering = filtering;
            let help: Vec<Hint> = help(&app).into_iter().map(|(hint, _)| hint).collect();
            for binding in table(&app).iter().filter(|b| b.handled && (b.when)(&app)) {
                assert!(
                    help.contains(&(binding.label, binding.what)),
                    "{step:?}: {} is handled but not in the help",
                    binding.label
                );
                for key in binding.keys {
                    let event = match *key {
                        Key::Code(c) => KeyEvent::new(c, KeyModifiers::NONE),
                        Key::Char(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                        Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
                        Key::Digit => KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE),
                    };
                    assert!(
                        intent(&app, &event).is_some(),
                        "{step:?}: {} is shown but does nothing",
                        binding.label
                    );
                }
            }
            for (label, _) in footer(&app) {
                assert!(
                    help.iter().any(|(l, _)| *l == label)
                        || table(&app).iter().any(|b| b.label == label),
                    "{step:?}: footer key {label} has no binding"
                );
            }
        }
    }

    #[test]
    fn while_patwiz_signs_in_to_create_the_token_only_stopping_moves_on() {
        let mut app = App::for_tests();
        app.step = Step::CreateToken;
        app.create.minting = true;
        assert_eq!(press(&app, KeyCode::Enter, KeyModifiers::NONE), None);
        assert_eq!(press(&app, KeyCode::Right, KeyModifiers::NONE), None);
        assert_eq!(
            press(&app, KeyCode::Esc, KeyModifiers::NONE),
            Some(Intent::StopSignIn)
        );
        assert!(!footer(&app).iter().any(|(k, _)| *k == "Enter"));
        app.create.minting = false;
        assert_eq!(
            press(&app, KeyCode::Enter, KeyModifiers::NONE),
            Some(Intent::Next)
        );
    }

    #[test]
    fn a_window_too_small_to_draw_in_takes_no_key_but_quitting() {
        let mut app = App::for_tests();
        app.step = Step::Start;
        app.size = (60, 20);
        assert_eq!(press(&app, KeyCode::Enter, KeyModifiers::NONE), None);
        assert_eq!(press(&app, KeyCode::Char('q'), KeyModifiers::NONE), None);
        assert_eq!(
            press(&app, KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Intent::Quit)
        );
        app.size = (80, 24);
        assert_eq!(
            press(&app, KeyCode::Enter, KeyModifiers::NONE),
            Some(Intent::Next)
        );
        app.plain = true;
        app.size = (10, 10);
        assert!(!app.too_small(), "plain mode draws no window");
    }

    #[test]
    fn the_help_sets_apart_the_keys_the_footer_does_not_name() {
        let mut app = App::for_tests();
        app.step = Step::Validate;
        let help = help(&app);
        let shown = |label: &str| help.iter().find(|((l, _), _)| *l == label).map(|(_, s)| *s);
        assert_eq!(shown("s"), Some(false), "s is in the help only: {help:?}");
        assert_eq!(shown("?"), Some(true), "{help:?}");
        app.step = Step::Start;
        let help = self::help(&app);
        let shown = |label: &str| help.iter().find(|((l, _), _)| *l == label).map(|(_, s)| *s);
        assert_eq!(
            shown("↑ k"),
            Some(true),
            "the footer's ↑↓ names it: {help:?}"
        );
        assert_eq!(names("↑↓"), ["↑↓", "↑", "↓"]);
    }

    #[test]
    fn text_steps_type_letters_and_the_others_treat_them_as_keys() {
        let mut app = App::for_tests();
        app.step = Step::Organization;
        assert_eq!(
            press(&app, KeyCode::Char('q'), KeyModifiers::NONE),
            Some(Intent::Type('q'))
        );
        assert_eq!(
            press(&app, KeyCode::Char('q'), KeyModifiers::CONTROL),
            Some(Intent::Quit)
        );
        assert_eq!(
            press(&app, KeyCode::Char('u'), KeyModifiers::CONTROL),
            Some(Intent::ClearField)
        );
        app.step = Step::Validate;
        assert_eq!(
            press(&app, KeyCode::Char('q'), KeyModifiers::NONE),
            Some(Intent::Quit)
        );
        assert_eq!(press(&app, KeyCode::Char('z'), KeyModifiers::NONE), None);
        app.step = Step::Scopes;
        assert_eq!(
            press(&app, KeyCode::End, KeyModifiers::NONE),
            Some(Intent::End)
        );
        assert_eq!(
            press(&app, KeyCode::Char('j'), KeyModifiers::NONE),
            Some(Intent::Down)
        );
        app.scopes.filtering = true;
        for c in ['j', 'q', 'f', ' ', '/'] {
            assert_eq!(
                press(&app, KeyCode::Char(c), KeyModifiers::NONE),
                Some(Intent::Type(c)),
                "{c} goes into the filter"
            );
        }
        assert_eq!(
            press(&app, KeyCode::Esc, KeyModifiers::NONE),
            Some(Intent::ClearFilter)
        );
        assert_eq!(
            press(&app, KeyCode::Left, KeyModifiers::NONE),
            Some(Intent::Less)
        );
    }

    #[test]
    fn keys_that_do_not_apply_now_are_neither_shown_nor_handled() {
        let mut app = App::for_tests();
        app.step = Step::Paste;
        assert_eq!(
            press(&app, KeyCode::Char('x'), KeyModifiers::NONE),
            Some(Intent::Type('x'))
        );
        assert!(!footer(&app).iter().any(|(k, _)| *k == "x"));
        app.step = Step::Done;
        assert_eq!(press(&app, KeyCode::Char('r'), KeyModifiers::NONE), None);
        assert!(!footer(&app).iter().any(|(k, _)| *k == "r"));
    }
}
