//! Styles in one place, readable on dark and on light backgrounds. With NO_COLOR set, no colour
//! at all: marks and words carry the meaning.

use ratatui::style::{Color, Modifier, Style};

/// The terminal's background, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Background {
    #[default]
    Dark,
    Light,
}

impl Background {
    /// What the environment says without asking the terminal: `PATWIZ_THEME=light|dark`, else
    /// `COLORFGBG` ("15;0": the background is colour 0) as rxvt, Konsole and others set it.
    pub fn from_env_vars(theme: Option<&str>, colorfgbg: Option<&str>) -> Option<Background> {
        match theme.map(str::trim).map(str::to_ascii_lowercase).as_deref() {
            Some("light") => return Some(Background::Light),
            Some("dark") => return Some(Background::Dark),
            _ => {}
        }
        let bg: u8 = colorfgbg?.rsplit(';').next()?.trim().parse().ok()?;
        // 7 (white) and 9–15 (the bright colours but for 8, bright black) are light.
        Some(if bg == 7 || (9..=15).contains(&bg) {
            Background::Light
        } else {
            Background::Dark
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub background: Background,
}

impl Theme {
    /// Colour unless NO_COLOR is set (to anything non-empty), per no-color.org, for `background`.
    pub fn new(background: Background) -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            background,
        }
    }

    /// No colour at all (plain mode, measuring).
    pub fn plain() -> Theme {
        Theme {
            color: false,
            background: Background::Dark,
        }
    }

    /// `dark` on a dark background, `light` on a light one. The light palette is the 256-colour
    /// cube's darker shades, each at least 4.5:1 against white (WCAG AA); the dark one is the
    /// terminal's own ANSI colours, which its theme keeps readable on its background.
    fn fg(self, dark: Color, light: Color) -> Style {
        match (self.color, self.background) {
            (false, _) => Style::default(),
            (true, Background::Dark) => Style::default().fg(dark),
            (true, Background::Light) => Style::default().fg(light),
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan, Color::Indexed(25))
            .add_modifier(Modifier::BOLD)
    }
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray, Color::Indexed(242))
    }
    pub fn ok(self) -> Style {
        self.fg(Color::Green, Color::Indexed(28))
    }
    pub fn fail(self) -> Style {
        self.fg(Color::Red, Color::Indexed(160))
            .add_modifier(Modifier::BOLD)
    }
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow, Color::Indexed(130))
    }
    pub fn key(self) -> Style {
        self.fg(Color::Cyan, Color::Indexed(25))
            .add_modifier(Modifier::BOLD)
    }
    pub fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn strong(self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG's relative luminance of an sRGB colour.
    fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    /// The 256-colour cube's RGB for an index in 16..=255.
    fn rgb(index: u8) -> (u8, u8, u8) {
        if index >= 232 {
            let v = 8 + 10 * (index - 232);
            return (v, v, v);
        }
        let i = index - 16;
        let level = |n: u8| if n == 0 { 0 } else { 55 + 40 * n };
        (level(i / 36), level((i / 6) % 6), level(i % 6))
    }

    #[test]
    fn every_light_colour_reads_at_4_5_to_1_on_white() {
        let theme = Theme {
            color: true,
            background: Background::Light,
        };
        for (name, style) in [
            ("title", theme.title()),
            ("dim", theme.dim()),
            ("ok", theme.ok()),
            ("fail", theme.fail()),
            ("warn", theme.warn()),
            ("key", theme.key()),
        ] {
            let Some(Color::Indexed(i)) = style.fg else {
                panic!("{name}: not a 256-colour index")
            };
            let ratio = (1.0 + 0.05) / (luminance(rgb(i)) + 0.05);
            assert!(ratio >= 4.5, "{name} (colour {i}) is {ratio:.1}:1 on white");
        }
    }

    #[test]
    fn the_background_comes_from_patwiz_theme_then_colorfgbg() {
        use Background::*;
        assert_eq!(
            Background::from_env_vars(Some("light"), Some("15;0")),
            Some(Light)
        );
        assert_eq!(Background::from_env_vars(Some("Dark"), None), Some(Dark));
        assert_eq!(Background::from_env_vars(None, Some("0;15")), Some(Light));
        assert_eq!(
            Background::from_env_vars(None, Some("0;default;7")),
            Some(Light)
        );
        assert_eq!(Background::from_env_vars(None, Some("15;0")), Some(Dark));
        assert_eq!(Background::from_env_vars(None, Some("15;8")), Some(Dark));
        assert_eq!(
            Background::from_env_vars(Some("auto"), Some("nonsense")),
            None
        );
        assert_eq!(Background::from_env_vars(None, None), None);
    }
}
