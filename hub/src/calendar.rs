//! The site's days, as the hub's log, its reports, retention and `hub log export` count them: a
//! day is counted from 1970-01-01 in the site's time zone and named YYYY-MM-DD. The reading of
//! zones and dates is [`protocol::zone`]'s; this is the hub's short name for it, so every part
//! counts days the same way.

pub use protocol::zone::Zone;

/// Milliseconds in most days: how far before a day a call may have been placed and still be
/// answered on it.
pub const DAY_MS: i64 = 86_400_000;

/// The day (in the site's time zone) that `at` (ms since the Unix epoch) falls in.
pub fn day_of(at: u64, zone: &Zone) -> i64 {
    zone.day_of(at)
}

/// When `day` begins, in ms since the Unix epoch (0 for a day that began before it).
pub fn start_of(day: i64, zone: &Zone) -> u64 {
    zone.day_start(day)
}

/// When `day` ends: the next day's start (a day is not always 24 hours).
pub fn end_of(day: i64, zone: &Zone) -> u64 {
    zone.day_start(day + 1)
}

/// Why a date was refused: it names the date and says how to write one.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DateError(String);

/// The day a date (YYYY-MM-DD) names.
pub fn parse_date(d: &str) -> Result<i64, DateError> {
    protocol::zone::parse_date(d).map_err(DateError)
}

/// The date (YYYY-MM-DD) of a day.
pub fn date(day: i64) -> String {
    protocol::zone::date_string(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for d in ["1970-01-01", "2026-11-22", "2000-02-29", "2100-12-31"] {
            assert_eq!(date(parse_date(d).unwrap()), d);
        }
        for bad in [
            "2026-13-01",
            "2026-02-31",
            "2026-02-29",
            "yesterday",
            "2026-1",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert!(parse_date("2028-02-29").is_ok());
    }

    #[test]
    fn a_day_begins_at_midnight_in_the_site_s_time_zone() {
        let beijing = Zone::china();
        let day = parse_date("2026-03-01").unwrap();
        let midnight = start_of(day, &beijing);
        assert_eq!(day_of(midnight, &beijing), day);
        assert_eq!(day_of(midnight - 1, &beijing), day - 1);
        assert_eq!(midnight, 1_772_294_400_000); // 2026-02-28T16:00:00Z
        assert_eq!(end_of(day, &beijing) - midnight, DAY_MS as u64);
    }
}
