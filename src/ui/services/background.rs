//! Which background the terminal has: the environment first (`PATWIZ_THEME`, `COLORFGBG`), else
//! the terminal is asked (OSC 11, with a timeout so a terminal that does not answer costs at
//! most half a second), else dark. Run before the wizard takes the terminal.

use std::io::IsTerminal;
use std::time::Duration;

use crate::ui::theme::Background;

const ASK_TIMEOUT: Duration = Duration::from_millis(500);

pub fn detect() -> Background {
    let var = |name| std::env::var(name).ok();
    if let Some(known) =
        Background::from_env_vars(var("PATWIZ_THEME").as_deref(), var("COLORFGBG").as_deref())
    {
        return known;
    }
    if !std::io::stdout().is_terminal()
        || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    {
        return Background::Dark;
    }
    let mut options = terminal_colorsaurus::QueryOptions::default();
    options.timeout = ASK_TIMEOUT;
    match terminal_colorsaurus::theme_mode(options) {
        Ok(terminal_colorsaurus::ThemeMode::Light) => Background::Light,
        _ => Background::Dark,
    }
}
