//! How soon a token expires, from the date the user recorded and today's date (given, never
//! read from a clock here).

use time::Date;

/// Azure DevOps emails 7 days before a PAT expires (Git-Zen guide); patwiz warns from then on.
pub const WARN_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "days")]
pub enum Expiry {
    /// Expired this many days ago.
    Expired(i64),
    /// Expires within `WARN_DAYS`: this many days left.
    Soon(i64),
    /// This many days left.
    Fine(i64),
    /// No expiry date was recorded.
    Unknown,
}

impl Expiry {
    pub fn of(expires: Option<Date>, today: Date) -> Expiry {
        match expires {
            None => Expiry::Unknown,
            Some(date) => {
                let days = (date - today).whole_days();
                if days < 0 {
                    Expiry::Expired(-days)
                } else if days <= WARN_DAYS {
                    Expiry::Soon(days)
                } else {
                    Expiry::Fine(days)
                }
            }
        }
    }

    /// The state's name in `status --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Expiry::Expired(_) => "expired",
            Expiry::Soon(_) => "soon",
            Expiry::Fine(_) => "ok",
            Expiry::Unknown => "unknown",
        }
    }

    /// Days until expiry (negative once expired).
    pub fn days_left(self) -> Option<i64> {
        match self {
            Expiry::Expired(d) => Some(-d),
            Expiry::Soon(d) | Expiry::Fine(d) => Some(d),
            Expiry::Unknown => None,
        }
    }

    /// When a token expiring within [`WARN_DAYS`] does ("today", "tomorrow", "in 3 days").
    pub fn soon_words(self) -> Option<String> {
        match self {
            Expiry::Soon(0) => Some("today".into()),
            Expiry::Soon(1) => Some("tomorrow".into()),
            Expiry::Soon(d) => Some(format!("in {d} days")),
            _ => None,
        }
    }

    /// Expired or about to: the person must act.
    pub fn needs_action(self) -> bool {
        matches!(self, Expiry::Expired(_) | Expiry::Soon(_))
    }
}

/// An expiration as the token dialog offers it: so many days from today, the date the old
/// token had (a rotation keeps it unless changed), or a date the person types later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryChoice {
    Days(i64),
    Keep(Date),
    Custom,
}

/// The dialog's presets: 7, 30, 60, 90 and 180 days and a year (Azure DevOps' longest).
pub const PRESET_DAYS: [i64; 6] = [7, 30, 60, 90, 180, 365];

impl ExpiryChoice {
    /// Every choice in order, the old token's date first when there is one.
    pub fn all(keep: Option<Date>) -> Vec<ExpiryChoice> {
        keep.map(ExpiryChoice::Keep)
            .into_iter()
            .chain(PRESET_DAYS.map(ExpiryChoice::Days))
            .chain([ExpiryChoice::Custom])
            .collect()
    }

    /// The date it means, from `today`; none for a date still to be typed.
    pub fn date(self, today: Date) -> Option<Date> {
        match self {
            ExpiryChoice::Days(n) => Some(today + time::Duration::days(n)),
            ExpiryChoice::Keep(date) => Some(date),
            ExpiryChoice::Custom => None,
        }
    }

    /// As the dialog says it: "30 days", "1 year", "Custom defined", "as before".
    pub fn words(self) -> String {
        match self {
            ExpiryChoice::Days(365) => "1 year".to_string(),
            ExpiryChoice::Days(n) => format!("{n} days"),
            ExpiryChoice::Keep(_) => "the old token's date".to_string(),
            ExpiryChoice::Custom => "Custom defined".to_string(),
        }
    }
}

/// The expiry a rotation records: the one the person gave, else the old token's while it is
/// still ahead (a new token made to replace it in Azure DevOps usually keeps its date, as the
/// wizard's rotation offers it), else none. Whether it was kept is the second value.
pub fn after_rotation(asked: Option<Date>, old: Option<Date>, today: Date) -> (Option<Date>, bool) {
    match (asked, old) {
        (Some(date), _) => (Some(date), false),
        (None, Some(old)) if old >= today => (Some(old), true),
        _ => (None, false),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rotation_keeps_the_old_date_unless_told_or_it_has_passed() {
        use time::macros::date;
        let today = date!(2026 - 12 - 01);
        assert_eq!(
            after_rotation(None, Some(date!(2027 - 03 - 01)), today),
            (Some(date!(2027 - 03 - 01)), true)
        );
        assert_eq!(
            after_rotation(
                Some(date!(2027 - 06 - 01)),
                Some(date!(2027 - 03 - 01)),
                today
            ),
            (Some(date!(2027 - 06 - 01)), false)
        );
        assert_eq!(
            after_rotation(None, Some(date!(2026 - 11 - 30)), today),
            (None, false)
        );
        assert_eq!(after_rotation(None, None, today), (None, false));
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn the_choices_are_the_dialogs_with_the_old_date_first() {
        let today = date!(2026 - 12 - 01);
        let fresh = ExpiryChoice::all(None);
        assert_eq!(fresh.len(), 7);
        assert_eq!(fresh[1].date(today), Some(date!(2026 - 12 - 31)));
        assert_eq!(fresh[5].words(), "1 year");
        assert_eq!(fresh[5].date(today), Some(date!(2027 - 12 - 01)));
        assert_eq!(fresh[6].date(today), None);
        let rotation = ExpiryChoice::all(Some(date!(2027 - 05 - 31)));
        assert_eq!(rotation[0].date(today), Some(date!(2027 - 05 - 31)));
        assert_eq!(rotation.len(), 8);
    }

    #[test]
    fn the_warning_starts_seven_days_before() {
        let today = date!(2026 - 12 - 01);
        assert_eq!(Expiry::of(None, today), Expiry::Unknown);
        assert_eq!(
            Expiry::of(Some(date!(2026 - 11 - 29)), today),
            Expiry::Expired(2)
        );
        assert_eq!(Expiry::of(Some(today), today), Expiry::Soon(0));
        assert_eq!(
            Expiry::of(Some(date!(2026 - 12 - 08)), today),
            Expiry::Soon(7)
        );
        assert_eq!(
            Expiry::of(Some(date!(2026 - 12 - 09)), today),
            Expiry::Fine(8)
        );
        assert_eq!(Expiry::Expired(2).days_left(), Some(-2));
        assert!(Expiry::Soon(3).needs_action() && !Expiry::Fine(30).needs_action());
    }
}
