//! The site's time zone: which day a moment falls in (the rota's groups alternate by day, the
//! report is a day's), where that day starts and ends, and the times and dates people type —
//! `2026-05-01T14:00` means 14:00 at the gallery, wherever the hub or the CLI runs.
//!
//! A zone is named as the site file names it: an IANA name (`Asia/Shanghai`, the default) or a
//! fixed offset (`+08:00`). The zone database is built in, so a machine or container without
//! one reads the same days. Days are counted from 1970-01-01 in the zone; a day is not always
//! 24 hours (daylight saving elsewhere), so its end is the next day's start.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan};

/// A site's time zone, known by the name it was given.
#[derive(Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

/// The gallery's default zone: China Standard Time.
pub const CHINA: &str = "Asia/Shanghai";

/// Below this, a bare number is surely seconds, not milliseconds (it would be before 1973).
const SMALLEST_MS: u64 = 100_000_000_000;

/// A zone name that is neither an IANA zone nor a fixed offset.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a time zone: give an IANA name such as \"Asia/Shanghai\" or an offset such as \"+08:00\""
)]
pub struct UnknownZone(pub String);

impl Zone {
    /// The zone of an IANA name (`Asia/Shanghai`) or a fixed offset (`+08:00`, `+8`, `UTC`).
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let name = name.trim();
        let unknown = || UnknownZone(name.chars().take(64).collect());
        let tz = match name.as_bytes().first() {
            Some(b'+' | b'-') => TimeZone::fixed(parse_offset(name).ok_or_else(unknown)?),
            Some(_) => TimeZone::get(name).map_err(|_| unknown())?,
            None => return Err(unknown()),
        };
        Ok(Zone {
            name: name.to_owned(),
            tz,
        })
    }

    /// A fixed offset of whole hours east of UTC (the site file's older `utc_offset_hours`).
    pub fn hours_east(hours: i8) -> Result<Zone, UnknownZone> {
        let sign = if hours < 0 { '-' } else { '+' };
        Zone::named(&format!("{sign}{:02}:00", hours.unsigned_abs()))
    }

    /// China Standard Time, the default.
    pub fn china() -> Zone {
        Zone::named(CHINA).expect("the built-in zone database has Asia/Shanghai")
    }

    /// The name the zone was given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The day (days since 1970-01-01, in this zone) the moment `ms` falls in.
    pub fn day_of(&self, ms: u64) -> i64 {
        let date = self.timestamp(ms).to_zoned(self.tz.clone()).date();
        days_since_epoch(date)
    }

    /// When `day` starts, in ms since the Unix epoch (0 for days before the epoch's).
    pub fn day_start(&self, day: i64) -> u64 {
        let Some(date) = date_of_day(day) else {
            return if day < 0 { 0 } else { u64::MAX };
        };
        match date.to_zoned(self.tz.clone()) {
            Ok(z) => u64::try_from(z.timestamp().as_millisecond()).unwrap_or(0),
            Err(_) => 0,
        }
    }

    /// The moments of `day`: from its start up to the next day's.
    pub fn day_span(&self, day: i64) -> std::ops::Range<u64> {
        self.day_start(day)..self.day_start(day + 1)
    }

    /// The start of the day that `ms` falls in.
    pub fn start_of_day_at(&self, ms: u64) -> u64 {
        self.day_start(self.day_of(ms))
    }

    /// A time as typed: Unix milliseconds, or `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` read in this
    /// zone, or the same with an offset (`Z`, `+08:00`, `+0800`, `+08`) that says where it is.
    pub fn parse_time(&self, s: &str) -> Result<u64, String> {
        let t = s.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            let ms: u64 = t
                .parse()
                .map_err(|_| format!("{s:?} is too large for milliseconds since the epoch"))?;
            if ms < SMALLEST_MS {
                return Err(format!(
                    "{s:?} looks like seconds since the epoch: give milliseconds ({t}000) or a \
                     time such as 2026-05-01T14:00"
                ));
            }
            return Ok(ms);
        }
        let bad = || {
            format!(
                "{s:?} is not a time: give Unix milliseconds, or YYYY-MM-DDTHH:MM[:SS] (in the \
                 site's zone, {}, unless an offset such as +08:00 is given)",
                self.name
            )
        };
        // A date alone, or a time with no minutes, is not precise enough to act on.
        if t.len() < "2026-05-01T14:00".len() {
            return Err(bad());
        }
        let ms = match Timestamp::from_str(t) {
            Ok(ts) => ts.as_millisecond(),
            Err(_) => {
                let civil = DateTime::from_str(t).map_err(|_| bad())?;
                civil
                    .to_zoned(self.tz.clone())
                    .map_err(|_| bad())?
                    .timestamp()
                    .as_millisecond()
            }
        };
        u64::try_from(ms).map_err(|_| format!("{s:?} is before 1970"))
    }

    fn timestamp(&self, ms: u64) -> Timestamp {
        let ms = i64::try_from(ms).unwrap_or(i64::MAX);
        Timestamp::from_millisecond(ms).unwrap_or(Timestamp::MAX)
    }
}

/// The day a date `YYYY-MM-DD` names (days since 1970-01-01); a date that does not exist
/// (2026-02-31) is refused, saying how to write one.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "{:?} is not a date; give it as YYYY-MM-DD",
            t.chars().take(20).collect::<String>()
        )
    };
    // Exactly the ten characters of YYYY-MM-DD: no times, no week dates.
    if t.len() != 10 || t.as_bytes()[4] != b'-' || t.as_bytes()[7] != b'-' {
        return Err(bad());
    }
    let date = Date::from_str(t).map_err(|_| bad())?;
    if date.year() < 1970 {
        return Err(bad());
    }
    Ok(days_since_epoch(date))
}

/// The date `YYYY-MM-DD` of a day counted from 1970-01-01.
pub fn date_string(day: i64) -> String {
    match date_of_day(day) {
        Some(d) => d.to_string(),
        None => format!("day {day}"),
    }
}

fn days_since_epoch(date: Date) -> i64 {
    let epoch = Date::constant(1970, 1, 1);
    // Subtracting dates gives whole days (no larger unit).
    i64::from((date - epoch).get_days())
}

fn date_of_day(day: i64) -> Option<Date> {
    let days = i32::try_from(day).ok()?;
    Date::constant(1970, 1, 1).checked_add(days.days()).ok()
}

/// `+08:00`, `+0800`, `+08`, `-05:30`, or `+8`.
fn parse_offset(s: &str) -> Option<Offset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = match digits.len() {
        1 | 2 => (digits.parse().ok()?, 0),
        4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    if h > 14 || m > 59 || (rest.contains(':') && digits.len() != 4) {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Zone {
        Zone::china()
    }
}

impl FromStr for Zone {
    type Err = UnknownZone;
    fn from_str(s: &str) -> Result<Zone, UnknownZone> {
        Zone::named(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-05-01T06:00:00Z, i.e. 14:00 in the gallery.
    const MAY_DAY_2PM: u64 = 1_777_615_200_000;

    #[test]
    fn milliseconds_pass_through_and_seconds_are_refused() {
        let z = Zone::china();
        assert_eq!(z.parse_time("1777615200000"), Ok(MAY_DAY_2PM));
        assert_eq!(z.parse_time(" 1777615200000 "), Ok(MAY_DAY_2PM));
        let e = z.parse_time("1777615200").unwrap_err();
        assert!(e.contains("seconds"), "{e}");
        assert!(z.parse_time("99999999999999999999999").is_err());
    }

    #[test]
    fn a_time_without_an_offset_is_the_sites() {
        let z = Zone::china();
        for t in [
            "2026-05-01T14:00",
            "2026-05-01 14:00",
            "2026-05-01t14:00:00",
            "2026-05-01T14:00:00+08:00",
            "2026-05-01T14:00:00+0800",
            "2026-05-01T14:00+08",
            "2026-05-01T06:00:00Z",
            "2026-05-01T06:00:00.000z",
            "2026-04-30T22:00:00-08:00",
        ] {
            assert_eq!(z.parse_time(t), Ok(MAY_DAY_2PM), "{t}");
        }
        assert_eq!(
            z.parse_time("2026-05-01T14:00:30.25"),
            Ok(MAY_DAY_2PM + 30_250)
        );
        // The same words at a gallery two hours west mean two hours later.
        let dubai = Zone::named("Asia/Dubai").unwrap();
        assert_eq!(
            dubai.parse_time("2026-05-01T10:00"),
            Ok(MAY_DAY_2PM),
            "10:00 in Dubai is 14:00 in Shanghai"
        );
        assert_eq!(
            Zone::named("+06:00")
                .unwrap()
                .parse_time("2026-05-01T12:00"),
            Ok(MAY_DAY_2PM)
        );
    }

    #[test]
    fn what_is_not_a_time_is_refused_naming_the_zone() {
        let z = Zone::china();
        for t in [
            "",
            "tomorrow",
            "2026-05-01",
            "2026-13-01T10:00",
            "2026-02-30T10:00",
            "2026-05-01T24:00",
            "2026-05-01T14",
            "1969-12-31T23:00Z",
        ] {
            assert!(z.parse_time(t).is_err(), "{t:?} was taken");
        }
        assert!(z.parse_time("soon").unwrap_err().contains("Asia/Shanghai"));
    }

    #[test]
    fn days_follow_the_site_zone() {
        let z = Zone::china();
        // 23:30 UTC on 30 April is 07:30 on 1 May in Shanghai.
        let late = 1_777_591_800_000;
        assert_eq!(date_string(z.day_of(late)), "2026-05-01");
        let utc = Zone::named("+00:00").unwrap();
        assert_eq!(date_string(utc.day_of(late)), "2026-04-30");
        let day = parse_date("2026-05-01").unwrap();
        assert_eq!(z.day_start(day), 1_777_564_800_000, "midnight in Shanghai");
        assert_eq!(z.day_span(day).end - z.day_span(day).start, 86_400_000);
        assert_eq!(z.start_of_day_at(MAY_DAY_2PM), 1_777_564_800_000);
    }

    #[test]
    fn a_daylight_saving_day_is_not_24_hours() {
        let ny = Zone::named("America/New_York").unwrap();
        let day = parse_date("2026-03-08").unwrap();
        let span = ny.day_span(day);
        assert_eq!(span.end - span.start, 23 * 3_600_000);
    }

    #[test]
    fn dates_are_whole_and_real() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(
            parse_date("2026-05-01").map(date_string).as_deref(),
            Ok("2026-05-01")
        );
        for bad in [
            "2026-13-01",
            "2026-02-31",
            "2026-5-1",
            "1969-12-31",
            "yesterday",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?}");
        }
        assert!(parse_date("2026-02-31").unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn zones_are_named_by_iana_name_or_offset() {
        assert_eq!(
            Zone::named("Asia/Shanghai").unwrap().name(),
            "Asia/Shanghai"
        );
        assert_eq!(Zone::hours_east(8).unwrap().name(), "+08:00");
        assert_eq!(Zone::hours_east(-5).unwrap().name(), "-05:00");
        for bad in ["Mars/Olympus", "", "+25:00", "+08:0", "8"] {
            assert!(Zone::named(bad).is_err(), "{bad:?}");
        }
        assert!(
            Zone::named("Mars/Olympus")
                .unwrap_err()
                .to_string()
                .contains("Asia/Shanghai")
        );
    }
}
