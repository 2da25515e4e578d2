//! `hub log export`: one day's events, as the JSON frames a client receives, one per line.

use std::io::Write;
use std::path::Path;

use protocol::{Codec, ServerFrame};

use super::log_dir;
use crate::calendar;
use crate::daybook;

/// Prints the events of `date` (the site's day) in the log in `data`.
pub(super) fn export(data: &Path, date: &str, zone: &crate::calendar::Zone) -> Result<(), String> {
    let day = calendar::parse_date(date).map_err(|e| e.to_string())?;
    let dir = log_dir(data)?;
    let (_, events) = daybook::open(&dir, day, zone).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut written = 0u64;
    for event in events {
        let event = event.map_err(|e| {
            format!(
                "the log cannot be read to the end of {date} ({e}): the export stops here, {written} events in; run `hub log check --data {}`",
                data.display()
            )
        })?;
        if calendar::day_of(event.at, zone) != day {
            continue;
        }
        let line = Codec::Json
            .encode(&ServerFrame::Event(event))
            .map_err(|e| format!("cannot write an event as JSON: {e}"))?;
        let done = out.write_all(&line).and_then(|()| out.write_all(b"\n"));
        match done {
            Ok(()) => written += 1,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(format!("stdout: {e}")),
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(format!("stdout: {e}"));
        }
        _ => {}
    }
    if written == 0 {
        return Err(format!(
            "no events were logged on {} in {}: nothing to export{}",
            calendar::date(day),
            dir.display(),
            covered(&dir, zone)
                .map(|(a, b)| format!(
                    " (the log holds {} to {})",
                    calendar::date(a),
                    calendar::date(b)
                ))
                .unwrap_or_default()
        ));
    }
    Ok(())
}

/// The first and last day the log holds events of, by its oldest and newest records.
fn covered(dir: &Path, zone: &crate::calendar::Zone) -> Option<(i64, i64)> {
    let list = logbook::segments(dir).ok()?;
    let first = crate::history::History::events_on_disk(dir, list.first()?.first)
        .ok()?
        .next()?
        .ok()?;
    let last = crate::history::History::events_on_disk(dir, list.last()?.first)
        .ok()?
        .map_while(Result::ok)
        .last()
        .or_else(|| Some(first.clone()))?;
    Some((
        calendar::day_of(first.at, zone),
        calendar::day_of(last.at, zone),
    ))
}
