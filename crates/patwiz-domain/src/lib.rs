//! Domain logic with no I/O and no UI: organization URLs, the scope catalogue, integration
//! profiles and the token's shape.

pub mod answer;
pub mod checks;
pub mod checksum;
pub mod expiry;
pub mod feed_config;
pub mod git_credential;
pub mod lifecycle;
pub mod org_url;
pub mod profiles;
pub mod scopes;
pub mod secret_scan;
pub mod service_codes;
pub mod team_vault;
pub mod text;
pub mod token;

/// The identity Azure DevOps reports for a caller it did not authenticate (an organization with
/// public projects answers a bad token with it).
pub const ANONYMOUS_ID: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";

/// Microsoft retires global ("All accessible organizations") PATs on this date.
pub const GLOBAL_PAT_RETIREMENT: &str = "2026-12-01";
const GLOBAL_PAT_RETIREMENT_DAY: time::Date = time::macros::date!(2026 - 12 - 01);

/// "retires" before the day global PATs are retired, "retired" from that day on.
pub fn retires_on(today: time::Date) -> &'static str {
    if today >= GLOBAL_PAT_RETIREMENT_DAY {
        "retired"
    } else {
        "retires"
    }
}

/// A profile's words about the retirement in the tense of `today` (`{retires}` in the file).
pub fn in_tense(text: &str, today: time::Date) -> String {
    text.replace("{retires}", retires_on(today))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    #[test]
    fn the_retirement_is_told_in_the_tense_of_the_day() {
        let text = "Microsoft {retires} global PATs on 2026-12-01";
        assert_eq!(
            super::in_tense(text, date!(2026 - 11 - 30)),
            "Microsoft retires global PATs on 2026-12-01"
        );
        assert_eq!(
            super::in_tense(text, date!(2026 - 12 - 01)),
            "Microsoft retired global PATs on 2026-12-01"
        );
    }
}
