//! One module per step: what its intents do (`update`) and what it shows (`lines`, or `draw`
//! where the screen needs a layout). The full-screen wizard and plain mode both show these.

pub mod create_token;
pub mod done;
pub mod handoff;
pub mod organization;
pub mod paste;
pub mod save;
pub mod scopes;
pub mod start;
pub mod validate;

use ratatui::text::Line;

use super::state::{App, Step};
use super::theme::Theme;

/// The step's content as lines, every line of it (plain mode; most full-screen steps too).
pub fn lines<'a>(app: &'a App, theme: Theme, width: u16) -> Vec<Line<'a>> {
    let spinner = app.spinner;
    match app.step {
        Step::Start => start::lines(app, theme, width),
        Step::Organization => organization::lines(app, theme, spinner, width),
        Step::CreateToken => create_token::lines(app, theme, width),
        Step::Scopes => scopes::lines(app, theme, width),
        Step::Paste => paste::lines(app, theme, width),
        Step::Validate => validate::lines(app, theme, spinner, width),
        Step::Save => save::lines(app, theme, width),
        Step::HandOff => handoff::lines(app, theme, width),
        Step::Done => done::lines(app, theme, width),
    }
}
