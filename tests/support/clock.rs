//! The day every test lives on: the binary (through `PATWIZ_TEST_CLOCK`), each emulator a test
//! starts, and each use case a test calls in-process. Nothing a test asserts depends on the day
//! it runs, and all three agree on what "today" is.

use patwiz::clock::Clock;
use patwiz::emulator::{Emulator, EmulatorError, Scenario};
use time::OffsetDateTime;

/// The instant the test day starts at (RFC 3339).
pub const TEST_DAY: &str = "2026-12-01T12:00:00Z";

/// [`TEST_DAY`] as a time.
pub fn test_day() -> OffsetDateTime {
    OffsetDateTime::parse(TEST_DAY, &time::format_description::well_known::Rfc3339)
        .expect("TEST_DAY is RFC 3339")
}

/// The clock of a use case a test calls: the test day, ticking on.
pub fn clock() -> Clock {
    static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();
    *CLOCK.get_or_init(|| Clock::starting_at(test_day()))
}

/// The context of a use case a test calls: the test clock, the default client, no profiles of
/// the person's own.
pub fn ctx() -> patwiz::flows::Ctx {
    patwiz::flows::Ctx {
        clock: clock(),
        ..patwiz::flows::Ctx::default()
    }
}

/// Now, on the test day.
pub fn now() -> OffsetDateTime {
    clock().now()
}

/// The emulator with `scenario`, living on the test day.
pub async fn start(scenario: Scenario, addr: &str) -> Result<Emulator, EmulatorError> {
    Emulator::start(scenario.on_day(test_day()), addr).await
}

/// The built-in demo organization, living on the test day.
pub async fn start_demo() -> Result<Emulator, EmulatorError> {
    start(Scenario::default_demo(), "127.0.0.1:0").await
}
