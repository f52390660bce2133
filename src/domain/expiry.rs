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

    /// Expired or about to: the person must act.
    pub fn needs_action(self) -> bool {
        matches!(self, Expiry::Expired(_) | Expiry::Soon(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

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
