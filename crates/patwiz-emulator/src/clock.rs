//! The emulator's clock: the system's, or a given day ticking on from when the emulator
//! started (a test that runs patwiz on a fixed day runs its Azure DevOps on the same day, so
//! expiry dates and lifespans agree between the two).

use std::time::Instant;

use time::OffsetDateTime;

/// What time it is for the emulated service.
#[derive(Debug, Clone, Copy, Default)]
pub enum EmulatorClock {
    /// The operating system's clock.
    #[default]
    System,
    /// `from` when `since` was taken, moving on as time passes.
    From {
        from: OffsetDateTime,
        since: Instant,
    },
}

impl EmulatorClock {
    /// A clock that says `from` now and moves on from there.
    pub fn starting_at(from: OffsetDateTime) -> EmulatorClock {
        EmulatorClock::From {
            from,
            since: Instant::now(),
        }
    }

    /// Now, in UTC.
    pub fn now(&self) -> OffsetDateTime {
        match self {
            EmulatorClock::System => OffsetDateTime::now_utc(),
            EmulatorClock::From { from, since } => *from + since.elapsed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_started_at_a_day_says_that_day() {
        let day = time::macros::datetime!(2026-12-01 12:00 UTC);
        let clock = EmulatorClock::starting_at(day);
        assert_eq!(clock.now().date(), day.date());
        assert!(clock.now() >= day);
    }
}
