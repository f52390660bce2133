//! The clock the use cases are given. The program runs on the system's; a test gives a fixed
//! one, so that nothing a test asserts depends on the day it runs.

use std::time::Instant;

use time::{Date, OffsetDateTime};

/// The variable a test sets to run the binary on a given day (RFC 3339, e.g.
/// `2026-12-01T12:00:00Z`); the clock then ticks on from that instant. Unset, patwiz runs on
/// the system's clock.
pub const TEST_CLOCK_VAR: &str = "PATWIZ_TEST_CLOCK";

/// What time it is, as a use case asks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The operating system's clock.
    #[default]
    System,
    /// Always this instant (tests, benchmarks).
    Fixed(OffsetDateTime),
    /// `from` when `since` was taken, moving on as time passes (a binary under test).
    Ticking {
        from: OffsetDateTime,
        since: Instant,
    },
}

impl Clock {
    /// The operating system's clock.
    pub fn system() -> Clock {
        Clock::System
    }

    /// A clock that always says `at`.
    pub fn fixed(at: OffsetDateTime) -> Clock {
        Clock::Fixed(at)
    }

    /// A clock that says `from` now and moves on from there.
    pub fn starting_at(from: OffsetDateTime) -> Clock {
        Clock::Ticking {
            from,
            since: Instant::now(),
        }
    }

    /// The clock of this process: [`TEST_CLOCK_VAR`]'s instant when it is set (and well
    /// formed), the system's otherwise.
    pub fn from_env() -> Clock {
        Clock::from_setting(std::env::var(TEST_CLOCK_VAR).ok().as_deref())
    }

    /// The clock `setting` (the test clock variable's value) names.
    pub fn from_setting(setting: Option<&str>) -> Clock {
        setting
            .and_then(|text| {
                OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .map_or(Clock::System, Clock::starting_at)
    }

    /// Now, in UTC.
    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::Fixed(at) => *at,
            Clock::Ticking { from, since } => *from + since.elapsed(),
        }
    }

    /// Today's date, in UTC.
    pub fn today(&self) -> Date {
        self.now().date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_says_its_instant_and_its_date() {
        let at = time::macros::datetime!(2031-02-03 04:05:06 UTC);
        let clock = Clock::fixed(at);
        assert_eq!(clock.now(), at);
        assert_eq!(clock.today(), time::macros::date!(2031 - 02 - 03));
    }

    #[test]
    fn the_test_setting_starts_a_ticking_clock_and_anything_else_is_the_systems() {
        let clock = Clock::from_setting(Some("2031-02-03T04:05:06Z"));
        assert!(matches!(clock, Clock::Ticking { .. }), "{clock:?}");
        let now = clock.now();
        assert!(now >= time::macros::datetime!(2031-02-03 04:05:06 UTC));
        assert!(now < time::macros::datetime!(2031-02-03 05:05:06 UTC));
        assert_eq!(Clock::from_setting(Some("next tuesday")), Clock::System);
        assert_eq!(Clock::from_setting(None), Clock::System);
    }
}
