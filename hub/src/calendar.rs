//! The site's days: a day is counted from 1970-01-01 in the site's time zone (`utc_offset_ms`),
//! and named as YYYY-MM-DD. The report, the log's segments (one per day), retention and
//! `hub log export` all count days the same way, here.

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The day (in the site's time zone) that `at` (ms since the Unix epoch) falls in.
pub fn day_of(at: u64, utc_offset_ms: i64) -> i64 {
    (at as i64 + utc_offset_ms).div_euclid(DAY_MS)
}

/// When `day` begins, in ms since the Unix epoch (0 for a day that began before it).
pub fn start_of(day: i64, utc_offset_ms: i64) -> u64 {
    (day * DAY_MS - utc_offset_ms).max(0) as u64
}

/// Why a date was refused.
#[derive(Debug, thiserror::Error)]
pub enum DateError {
    /// Give the date as YYYY-MM-DD.
    #[error("{0:?} is not a date; give it as YYYY-MM-DD")]
    BadDate(String),
}

/// The day a date (YYYY-MM-DD) names.
pub fn parse_date(d: &str) -> Result<i64, DateError> {
    let bad = || DateError::BadDate(d.chars().take(20).collect());
    let mut parts = d.trim().splitn(3, '-');
    let y: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let m: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let day: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    if !(1..=12).contains(&m) || !(1970..=9999).contains(&y) {
        return Err(bad());
    }
    let days = days_from_civil(y, m, day);
    // 2026-02-31 is not a day: it must read back as itself.
    if day == 0 || date(days) != format!("{y:04}-{m:02}-{day:02}") {
        return Err(bad());
    }
    Ok(days)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (YYYY-MM-DD) of a day.
pub fn date(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
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
        let beijing = 8 * 3_600_000;
        let day = parse_date("2026-03-01").unwrap();
        let midnight = start_of(day, beijing);
        assert_eq!(day_of(midnight, beijing), day);
        assert_eq!(day_of(midnight - 1, beijing), day - 1);
        assert_eq!(midnight, 1_772_294_400_000); // 2026-02-28T16:00:00Z
    }
}
