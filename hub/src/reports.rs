//! The daily report as the hub serves it: read from the log on a blocking thread (never on the
//! switchboard) — from the day's segment on, with the seed at its start (`daybook`) — at most a
//! few at a time however many are asked for, the last one kept while the log has not moved, and
//! never a partial day passed off as whole: a log damaged in what is read fails the report with
//! the reason, and a day past retention is refused as such, not reported empty.
//!
//! The report of a day as read so far is kept too, with the offset it reads from next and where
//! that is in the log's files: the next report of that day reads only what was logged since, so
//! a dashboard asking every second of a busy day costs the hub what the last second logged, not
//! the whole day again (nor a pass over the day's file to find where it stopped).

use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Semaphore;

use crate::App;
use crate::board::report::DayReport;

/// Reports built at once; more wait their turn.
const AT_ONCE: usize = 2;
/// How long a request waits for its turn before it is told the hub is busy.
const WAIT: Duration = Duration::from_secs(10);

/// The hub's report budget and its last report.
#[derive(Debug)]
pub struct Reports {
    turns: Semaphore,
    /// (day, log head when it was made, the report).
    last: Mutex<Option<(i64, u64, Value)>>,
    /// The report of a day as read so far.
    reading: Mutex<Option<Reading>>,
}

/// A day's report read up to an offset of the log.
#[derive(Debug)]
struct Reading {
    day: i64,
    /// The offset to read from next.
    next: u64,
    /// Where in the log's files that offset is, once the day has been read on from `next`
    /// (the day's first reading does not say): read on from there, not from its segment's
    /// start.
    mark: Option<logbook::Bookmark>,
    report: DayReport,
}

impl Default for Reports {
    fn default() -> Reports {
        Reports {
            turns: Semaphore::new(AT_ONCE),
            last: Mutex::new(None),
            reading: Mutex::new(None),
        }
    }
}

/// Why a report could not be made.
pub enum ReportFailed {
    /// The date given is not a date: say it again.
    BadDate(String),
    /// Too many reports asked at once: try again in a moment.
    Busy(String),
    /// The day is older than the oldest day the log still keeps (retention): there is no report
    /// of it any more.
    PastRetention(String),
    /// The log could not be read (or is damaged): the hub's fault, and the reason.
    Internal(String),
}

impl Reports {
    fn cached(&self, day: i64, head: u64) -> Option<Value> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|(d, h, _)| *d == day && *h == head)
            .map(|(_, _, v)| v.clone())
    }

    /// Forgets the report kept, if it is of a day before `day` (retention removed those).
    pub fn forget_before(&self, day: i64) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.as_ref().is_some_and(|(d, _, _)| *d < day) {
            *last = None;
        }
        drop(last);
        let mut reading = self.reading.lock().unwrap_or_else(|p| p.into_inner());
        if reading.as_ref().is_some_and(|r| r.day < day) {
            *reading = None;
        }
    }

    /// The report of `day` as read so far, if it is kept (taken: a report made meanwhile by
    /// another request reads the day from its start).
    fn take_reading(&self, day: i64) -> Option<Reading> {
        let mut reading = self.reading.lock().unwrap_or_else(|p| p.into_inner());
        reading.take_if(|r| r.day == day)
    }

    /// Keeps a report as read so far, unless one read further is kept already.
    fn keep_reading(&self, read: Reading) {
        let mut reading = self.reading.lock().unwrap_or_else(|p| p.into_inner());
        if reading
            .as_ref()
            .is_none_or(|r| r.day != read.day || r.next < read.next)
        {
            *reading = Some(read);
        }
    }

    fn keep(&self, day: i64, head: u64, report: &Value) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        *last = Some((day, head, report.clone()));
    }
}

/// The report for `date` (today if `None`).
pub async fn report(app: &App, date: Option<&str>) -> Result<Value, ReportFailed> {
    let zone = app.config.rules.zone.clone();
    let day = crate::board::report::day_of(date, app.config.clock.now_ms(), &zone)
        .map_err(|e| ReportFailed::BadDate(e.to_string()))?;
    let head = app.metrics.log_head.get() as u64;
    if let Some(report) = app.reports.cached(day, head) {
        return Ok(report);
    }
    let _turn = tokio::time::timeout(WAIT, app.reports.turns.acquire())
        .await
        .map_err(|_| {
            ReportFailed::Busy(format!(
                "{AT_ONCE} reports are being made and more are waiting: try again in a moment"
            ))
        })?
        .map_err(|_| ReportFailed::Internal("the hub is stopping".into()))?;
    // Another request may have made it while this one waited.
    let head = app.metrics.log_head.get() as u64;
    if let Some(report) = app.reports.cached(day, head) {
        return Ok(report);
    }
    let dir = app.config.log_dir();
    let so_far = app.reports.take_reading(day);
    let (report, read) = tokio::task::spawn_blocking(move || {
        // What was logged since the report kept, or (none kept, or that part of the log gone)
        // the day from its start.
        let since = so_far.and_then(|r| {
            let records = match &r.mark {
                Some(mark) => logbook::Logbook::iter_on_disk_from_bookmark(&dir, mark),
                None => logbook::Logbook::iter_on_disk_from(&dir, r.next),
            };
            Some((r, records.ok()?))
        });
        let read = match since {
            Some((mut read, mut records)) => {
                fold(&mut read, records.by_ref().map(crate::history::event_of))?;
                read.mark = records.bookmark();
                read
            }
            None => {
                let (seed, events) =
                    crate::daybook::open(&dir, day, &zone).map_err(|e| match e {
                        crate::daybook::DayError::PastRetention { .. } => {
                            ReportFailed::PastRetention(e.to_string())
                        }
                        e => ReportFailed::Internal(format!("cannot read the log: {e}")),
                    })?;
                let report = DayReport::new(seed, day, &zone);
                let mut read = Reading {
                    day,
                    next: 0,
                    mark: None,
                    report,
                };
                fold(&mut read, events)?;
                read
            }
        };
        Ok((read.report.value(), read))
    })
    .await
    .map_err(|e| ReportFailed::Internal(format!("the report failed: {e}")))??;
    // A day with nothing logged yet is read from its start next time.
    if read.next > 0 {
        app.reports.keep_reading(read);
    }
    app.reports.keep(day, head, &report);
    Ok(report)
}

/// Folds the events read into the report, up to the end of the log.
fn fold(
    read: &mut Reading,
    events: impl Iterator<Item = Result<protocol::Event, crate::history::HistoryError>>,
) -> Result<(), ReportFailed> {
    for event in events {
        match event {
            Ok(e) => {
                read.next = e.offset + 1;
                read.report.fold(e);
            }
            Err(e) => {
                return Err(ReportFailed::Internal(format!(
                    "the log cannot be read to its end ({e}): a report from it would leave part of the day out — see docs/OPERATIONS.md"
                )));
            }
        }
    }
    Ok(())
}
