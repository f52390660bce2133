//! The clock the use cases are given. The program runs on the system's; a test gives a fixed
//! one, so that nothing a test asserts depends on the day it runs.

use time::{Date, OffsetDateTime};

/// What time it is, as a use case asks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The operating system's clock.
    #[default]
    System,
    /// Always this instant (tests, benchmarks).
    Fixed(OffsetDateTime),
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

    /// Now, in UTC.
    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::Fixed(at) => *at,
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
}
