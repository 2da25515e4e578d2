//! The log read by the site's day, for the daily report and `hub log export`: which segments can
//! hold a day's events, what was so before them (the seed at the start of the first one), and
//! whether the day is still on disk at all.
//!
//! Every event goes to the segment labelled with its day (the hub begins a new segment at a
//! day's first event), or — if the clock was put back — to a later one: a day's events are in
//! the segments labelled that day or later, never earlier. A segment with no label (the single
//! file of an older log, format 1) may hold any day.

use std::path::Path;

use protocol::Event;

use crate::board::report::Seed;
use crate::calendar;
use crate::history::{History, HistoryError};

/// The events from the first segment that may hold a day on, oldest first.
pub type Events = Box<dyn Iterator<Item = Result<Event, HistoryError>> + Send>;

/// Why a day cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DayError {
    /// The day is older than the oldest day still on disk: the log before that was removed
    /// (retention), and nothing of the day is kept.
    #[error(
        "{} is past retention: the log on disk starts on {} (older days were removed), so nothing of that day is kept",
        calendar::date(*day),
        calendar::date(*first_day)
    )]
    PastRetention { day: i64, first_day: i64 },
    /// The log cannot be read (or is damaged).
    #[error(transparent)]
    Log(#[from] HistoryError),
}

impl From<logbook::LogError> for DayError {
    fn from(e: logbook::LogError) -> DayError {
        DayError::Log(HistoryError::Log(e))
    }
}

/// The first day still on disk, if the log was compacted (its first segment does not start at
/// offset 1); `None` when the whole log is there.
pub fn first_day_kept(dir: &Path, zone: &crate::calendar::Zone) -> Result<Option<i64>, DayError> {
    let list = logbook::segments(dir)?;
    let Some(first) = list.first().filter(|s| s.first > 1) else {
        return Ok(None);
    };
    Ok(Some(match first.label {
        Some(label) => label as i64,
        None => match History::events_on_disk(dir, first.first)?.next() {
            Some(e) => calendar::day_of(e?.at, zone),
            None => return Ok(None),
        },
    }))
}

/// What a report or an export of `day` reads: the seed, and the events from the first segment
/// that may hold the day to the end of the log (events of other days among them are the
/// caller's to skip).
pub fn open(
    dir: &Path,
    day: i64,
    zone: &crate::calendar::Zone,
) -> Result<(Seed, Events), DayError> {
    if let Some(first_day) = first_day_kept(dir, zone)? {
        if day < first_day {
            return Err(DayError::PastRetention { day, first_day });
        }
    }
    let list = logbook::segments(dir)?;
    let compacted = list.first().is_some_and(|s| s.first > 1);
    let Some(mut i) = list
        .iter()
        .position(|s| s.label.is_none_or(|l| l as i64 >= day))
    else {
        // No segment can hold the day: nothing was logged on it, or after it.
        return Ok((Seed::default(), Box::new(std::iter::empty())));
    };
    // What was so before the segment: its seed, or an older segment's and the events between.
    let seed = loop {
        if let Some(seed) = Seed::decode(&list[i].preamble) {
            break seed;
        }
        if i == 0 {
            if compacted {
                tracing::warn!(
                    segment = %list[0].path.display(),
                    "the oldest segment on disk has no seed: a report of its first day may miss what was open before it"
                );
            }
            break Seed::default();
        }
        i -= 1;
    };
    let events = History::events_on_disk(dir, list[i].first)?;
    Ok((seed, Box::new(events)))
}
