//! How long a new token is good for: `30d`, `12h`, `45m`, or `never` — judged against the
//! system's real time (never a drill's sped-up clock: a token is a door key, not part of the
//! day being played).

use std::fmt;
use std::str::FromStr;

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MINUTE_MS;
const DAY_MS: u64 = 24 * HOUR_MS;
/// The longest a token may be given with a number: ten years. Longer is `never`, said outright.
const MAX_MS: u64 = 3650 * DAY_MS;

/// A token's lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ttl {
    /// Expires this many milliseconds after it is issued.
    For(u64),
    /// Never expires (it can still be revoked, and dies with its signing key).
    Never,
}

impl Ttl {
    /// The default for `hub token`: 90 days — a season of service, so a tablet on the counter
    /// is not re-linked every few weeks, yet a link forgotten in a drawer or a chat dies by
    /// itself. A lost tablet is revoked at once with `hub token revoke`, whatever its lifetime.
    pub const DEFAULT: Ttl = Ttl::For(90 * DAY_MS);

    /// When a token issued at `issued_ms` expires; `None` for never.
    pub fn expires(self, issued_ms: u64) -> Option<u64> {
        match self {
            Ttl::For(ms) => Some(issued_ms.saturating_add(ms)),
            Ttl::Never => None,
        }
    }
}

/// Why a lifetime could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--ttl {0:?}: give a number of days, hours or minutes (90d, 12h, 45m), from 1 minute to 3650 days, or `never`"
)]
pub struct BadTtl(pub String);

impl FromStr for Ttl {
    type Err = BadTtl;

    fn from_str(s: &str) -> Result<Ttl, BadTtl> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("never") {
            return Ok(Ttl::Never);
        }
        let bad = || BadTtl(s.to_owned());
        let unit = match t.chars().last().ok_or_else(bad)? {
            'd' | 'D' => DAY_MS,
            'h' | 'H' => HOUR_MS,
            'm' | 'M' => MINUTE_MS,
            _ => return Err(bad()),
        };
        let n: u64 = t[..t.len() - 1].parse().map_err(|_| bad())?;
        match n.checked_mul(unit) {
            Some(ms) if (MINUTE_MS..=MAX_MS).contains(&ms) => Ok(Ttl::For(ms)),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Ttl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Ttl::Never => f.write_str("never"),
            Ttl::For(ms) if ms % DAY_MS == 0 => write!(f, "{}d", ms / DAY_MS),
            Ttl::For(ms) if ms % HOUR_MS == 0 => write!(f, "{}h", ms / HOUR_MS),
            Ttl::For(ms) => write!(f, "{}m", ms / MINUTE_MS),
        }
    }
}

/// A span in words for a person: "in 89 days", "3 hours ago".
pub fn span_words(from_ms: u64, to_ms: u64) -> String {
    let (ms, future) = if to_ms >= from_ms {
        (to_ms - from_ms, true)
    } else {
        (from_ms - to_ms, false)
    };
    if ms < MINUTE_MS {
        return if future {
            "in under a minute"
        } else {
            "just now"
        }
        .to_owned();
    }
    let (n, unit) = if ms >= 2 * DAY_MS {
        (ms / DAY_MS, "days")
    } else if ms >= 2 * HOUR_MS {
        (ms / HOUR_MS, "hours")
    } else {
        (ms / MINUTE_MS, "min")
    };
    if future {
        format!("in {n} {unit}")
    } else {
        format!("{n} {unit} ago")
    }
}

/// A moment as a date and time in UTC, `2025-03-01 09:30 UTC`.
pub fn utc_words(ms: u64) -> String {
    let days = (ms / DAY_MS) as i64;
    let in_day = ms % DAY_MS;
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        in_day / HOUR_MS,
        in_day % HOUR_MS / MINUTE_MS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_in_days_hours_minutes_or_never() {
        assert_eq!("30d".parse(), Ok(Ttl::For(30 * DAY_MS)));
        assert_eq!("12h".parse(), Ok(Ttl::For(12 * HOUR_MS)));
        assert_eq!(" 45m ".parse(), Ok(Ttl::For(45 * MINUTE_MS)));
        assert_eq!("never".parse(), Ok(Ttl::Never));
        for bad in [
            "", "30", "d", "0d", "0m", "-1d", "1.5d", "3651d", "30s", "1w", "forever",
        ] {
            assert!(bad.parse::<Ttl>().is_err(), "{bad:?}");
        }
        assert_eq!(Ttl::DEFAULT.to_string(), "90d");
        assert_eq!(Ttl::For(36 * HOUR_MS).to_string(), "36h");
        assert_eq!(Ttl::For(90 * MINUTE_MS).to_string(), "90m");
        assert_eq!(Ttl::For(DAY_MS).expires(5), Some(5 + DAY_MS));
        assert_eq!(Ttl::Never.expires(5), None);
    }

    #[test]
    fn moments_read_as_people_say_them() {
        assert_eq!(utc_words(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_words(1_709_285_400_000), "2024-03-01 09:30 UTC");
        assert_eq!(span_words(0, 89 * DAY_MS + 5), "in 89 days");
        assert_eq!(span_words(3 * HOUR_MS, 0), "3 hours ago");
        assert_eq!(span_words(0, 30_000), "in under a minute");
        assert_eq!(span_words(30_000, 0), "just now");
        assert_eq!(span_words(0, 5 * MINUTE_MS + 1), "in 5 min");
    }
}
