//! Colours as a person sees them: the terminal's background decides the palette (asked with
//! OSC 11, or told by COLORFGBG / PATWIZ_THEME), and NO_COLOR takes colour away entirely.

use crate::support::pty::Session;

/// The colour of the first cell of `needle` on screen.
fn colour_of(s: &Session, needle: &str) -> vt100::Color {
    let screen = s.parser.screen();
    let (rows, cols) = screen.size();
    let (rows, cols) = (rows.get(), cols.get());
    for row in 0..rows {
        let line: String = (0..cols)
            .map(|c| {
                screen
                    .cell(row, c)
                    .map_or(" ".to_string(), |x| x.contents().to_string())
            })
            .map(|c| if c.is_empty() { " ".to_string() } else { c })
            .collect();
        if let Some(col) = line.find(needle) {
            let col = line[..col].chars().count();
            return screen
                .cell(row, u16::try_from(col).unwrap())
                .unwrap()
                .fgcolor();
        }
    }
    panic!("{needle} not on screen:\n{}", s.screen());
}

fn step_one(env: &[(&str, &str)], background: Option<&'static str>) -> Session {
    let config = tempfile::tempdir().unwrap();
    let mut s = Session::start_on(config.path(), &["demo"], env, background);
    s.wait_for("Step 1 of 9");
    s
}

#[test]
fn a_light_terminal_gets_the_dark_shades_that_read_on_white() {
    let mut s = step_one(&[("NO_COLOR", "")], Some("rgb:ffff/ffff/ffff"));
    assert_eq!(colour_of(&s, "patwiz"), vt100::Color::Idx(25), "title");
    assert!(s.output().contains("\x1b]11;?"), "the terminal was asked");
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn a_dark_terminal_keeps_its_own_ansi_colours() {
    let mut s = step_one(&[("NO_COLOR", "")], Some("rgb:0000/0000/0000"));
    assert_eq!(colour_of(&s, "patwiz"), vt100::Color::Idx(6), "cyan title");
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn colorfgbg_and_patwiz_theme_answer_without_asking() {
    let mut s = step_one(&[("NO_COLOR", ""), ("COLORFGBG", "0;15")], None);
    assert_eq!(colour_of(&s, "patwiz"), vt100::Color::Idx(25));
    assert!(
        !s.output().contains("\x1b]11;?"),
        "no question when the environment says"
    );
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
    let mut s = step_one(
        &[
            ("NO_COLOR", ""),
            ("COLORFGBG", "0;15"),
            ("PATWIZ_THEME", "dark"),
        ],
        None,
    );
    assert_eq!(colour_of(&s, "patwiz"), vt100::Color::Idx(6));
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn no_color_means_no_colour_and_no_question() {
    let mut s = step_one(&[], Some("rgb:ffff/ffff/ffff"));
    assert_eq!(colour_of(&s, "patwiz"), vt100::Color::Default);
    assert!(!s.output().contains("\x1b]11;?"));
    s.send("q");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}

#[test]
fn a_terminal_that_does_not_answer_costs_no_keys_and_stays_dark() {
    // Answers only DA1, as a terminal without colour queries does: patwiz goes on at once.
    let mut s = step_one(&[("NO_COLOR", "")], None);
    assert_eq!(colour_of(&s, "patwiz"), vt100::Color::Idx(6));
    s.send("\r");
    s.wait_for("Step 2 of 9");
    s.send("\x11");
    assert_eq!(s.exit_code(), 1, "left with nothing stored");
}
