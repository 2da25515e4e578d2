//! Times typed on the command line (`radio tap set-mode --important-event-at …`): Unix
//! milliseconds as the wire has them, or a wall-clock time as people write it —
//! `2026-05-01T14:00`, `2026-05-01 14:00:30`, `2026-05-01T14:00:00+08:00`, `…Z` — read in the
//! site's zone (+08:00) when no offset is given.

/// The offset assumed when a time names none: China Standard Time, the gallery's clock.
pub const DEFAULT_OFFSET_MINUTES: i64 = 8 * 60;

/// Below this, a bare number is surely seconds, not milliseconds (it would be before 1973).
const SMALLEST_MS: u64 = 100_000_000_000;

/// Milliseconds since the Unix epoch for a time given as Unix milliseconds or as
/// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:MM]]`.
pub fn parse_time(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let ms: u64 = t
            .parse()
            .map_err(|_| format!("{s:?} is too large for milliseconds since the epoch"))?;
        if ms < SMALLEST_MS {
            return Err(format!(
                "{s:?} looks like seconds since the epoch: give milliseconds ({t}000) or a time \
                 such as 2026-05-01T14:00"
            ));
        }
        return Ok(ms);
    }
    let bad = || {
        format!(
            "{s:?} is not a time: give Unix milliseconds, or YYYY-MM-DDTHH:MM[:SS][+08:00] \
             (+08:00 when no offset is given)"
        )
    };
    let mut r = Reader { b: t.as_bytes() };
    let year = r.number(4).ok_or_else(bad)?;
    r.expect(b"-").ok_or_else(bad)?;
    let month = r.number(2).ok_or_else(bad)?;
    r.expect(b"-").ok_or_else(bad)?;
    let day = r.number(2).ok_or_else(bad)?;
    r.expect(b"Tt ").ok_or_else(bad)?;
    let hour = r.number(2).ok_or_else(bad)?;
    r.expect(b":").ok_or_else(bad)?;
    let minute = r.number(2).ok_or_else(bad)?;
    let second = if r.expect(b":").is_some() {
        r.number(2).ok_or_else(bad)?
    } else {
        0
    };
    let mut millis = 0;
    if r.expect(b".,").is_some() {
        let digits = r.digits().ok_or_else(bad)?;
        // Milliseconds: the first three digits, padded (".5" is 500 ms); finer ones are dropped.
        for i in 0..3 {
            millis = millis * 10 + digits.get(i).map_or(0, |d| i64::from(d - b'0'));
        }
    }
    let offset_minutes = match r.b.first() {
        None => DEFAULT_OFFSET_MINUTES,
        Some(b'Z' | b'z') => {
            r.b = &r.b[1..];
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            r.b = &r.b[1..];
            let h = r.number(2).ok_or_else(bad)?;
            let m = if r.b.is_empty() {
                0
            } else {
                let _ = r.expect(b":");
                r.number(2).ok_or_else(bad)?
            };
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let total = h * 60 + m;
            if sign == b'-' { -total } else { total }
        }
        Some(_) => return Err(bad()),
    };
    if !r.b.is_empty()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        // 60: a leap second, as RFC 3339 allows.
        || second > 60
    {
        return Err(bad());
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
        - offset_minutes * 60;
    let ms = seconds * 1_000 + millis;
    u64::try_from(ms).map_err(|_| format!("{s:?} is before 1970"))
}

/// The unread rest of the text.
struct Reader<'a> {
    b: &'a [u8],
}

impl Reader<'_> {
    /// Exactly `n` ASCII digits.
    fn number(&mut self, n: usize) -> Option<i64> {
        let head = self.b.get(..n)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.b = &self.b[n..];
        head.iter()
            .try_fold(0i64, |acc, d| Some(acc * 10 + i64::from(d - b'0')))
    }

    /// One or more ASCII digits.
    fn digits(&mut self) -> Option<&[u8]> {
        let n = self.b.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let (digits, rest) = self.b.split_at(n);
        self.b = rest;
        Some(digits)
    }

    /// One byte among `any`.
    fn expect(&mut self, any: &[u8]) -> Option<()> {
        match self.b.first() {
            Some(c) if any.contains(c) => {
                self.b = &self.b[1..];
                Some(())
            }
            _ => None,
        }
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-05-01T06:00:00Z, i.e. 14:00 in the gallery.
    const MAY_DAY_2PM: u64 = 1_777_615_200_000;

    #[test]
    fn milliseconds_pass_through() {
        assert_eq!(parse_time("1777615200000"), Ok(MAY_DAY_2PM));
        assert_eq!(parse_time(" 1777615200000 "), Ok(MAY_DAY_2PM));
        let e = parse_time("1777615200").unwrap_err();
        assert!(e.contains("seconds"), "{e}");
        assert!(parse_time("99999999999999999999999").is_err());
    }

    #[test]
    fn a_time_without_an_offset_is_the_gallerys() {
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
            assert_eq!(parse_time(t), Ok(MAY_DAY_2PM), "{t}");
        }
        assert_eq!(
            parse_time("2026-05-01T14:00:30.25"),
            Ok(MAY_DAY_2PM + 30_250)
        );
        assert_eq!(parse_time("1970-01-01T08:00"), Ok(0));
        assert_eq!(parse_time("2000-02-29T08:00Z"), Ok(951_811_200_000));
    }

    #[test]
    fn what_is_not_a_time_is_refused() {
        for t in [
            "",
            "tomorrow",
            "2026-05-01",
            "2026-05-01T14",
            "2026-5-1T14:00",
            "2026-02-29T10:00",
            "2026-04-31T10:00",
            "2026-13-01T10:00",
            "2026-05-01T24:00",
            "2026-05-01T14:60",
            "2026-05-01T14:00+25:00",
            "2026-05-01T14:00 +08:00",
            "2026-05-01T14:00:00.",
            "2026-05-01T14:00Zx",
            "1970-01-01T07:59",
            "２０２６-05-01T14:00",
        ] {
            assert!(
                parse_time(t).is_err(),
                "{t:?} was read as {:?}",
                parse_time(t)
            );
        }
    }
}
