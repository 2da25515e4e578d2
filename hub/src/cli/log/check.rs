//! `hub log check`: verify every record of every segment and every checkpoint, read-only.

use std::collections::BTreeSet;
use std::path::Path;

use super::log_dir;
use crate::calendar;
use crate::cli::print;

/// Checks the log in `data` and prints what it holds; `Err` (exit non-zero) if anything is
/// damaged.
pub(super) fn check(data: &Path, zone: &crate::calendar::Zone) -> Result<(), String> {
    let dir = log_dir(data)?;
    let mut days = BTreeSet::new();
    let checked = logbook::check(&dir, |record, _, _| {
        let event = crate::history::decode_record(record.offset, &record.payload)
            .map_err(|e| format!("the record is whole but not an event this hub reads: {e}"))?;
        days.insert(calendar::day_of(event.at, zone));
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    if checked.segments.is_empty() && checked.damage.is_empty() {
        return Err(format!(
            "there is no event log in {}: no segment file (segment-….log) is there",
            dir.display()
        ));
    }
    let mut out = format!("hub: the event log in {}\n", dir.display());
    let legacy = checked
        .segments
        .iter()
        .filter(|s| s.segment.format == 1)
        .count();
    out.push_str(&format!(
        "  segments     {}{}\n",
        checked.segments.len(),
        if legacy > 0 {
            " (the first is the single file of an older log, format 1)"
        } else {
            ""
        }
    ));
    match (checked.first(), checked.head()) {
        (Some(first), Some(head)) if head > first => out.push_str(&format!(
            "  records      {} — offsets {first} to {}{}\n",
            checked.records(),
            head - 1,
            if first > 1 {
                " (older ones were removed by retention)"
            } else {
                ""
            }
        )),
        _ => out.push_str(&format!("  records      {}\n", checked.records())),
    }
    match (days.first(), days.last()) {
        (Some(a), Some(b)) => out.push_str(&format!(
            "  days         {} to {} ({} with events)\n",
            calendar::date(*a),
            calendar::date(*b),
            days.len()
        )),
        _ => out.push_str("  days         none\n"),
    }
    out.push_str(&format!("  bytes        {}\n", checked.bytes()));
    let mut bad_checkpoints = Vec::new();
    let mut notes = Vec::new();
    let mut sound = Vec::new();
    let first = checked.first().unwrap_or(1);
    let head = checked.head().unwrap_or(1);
    for file in logbook::checkpoints(&dir).map_err(|e| e.to_string())? {
        let epoch = checked.epoch.unwrap_or(0);
        match crate::checkpoint::verify(&file, epoch) {
            Err(why) => bad_checkpoints.push((file.path, why)),
            Ok(()) if file.offset > head => notes.push(format!(
                "checkpoint {} is past what was read of the log (it was written while checking, or the log lost its end: the hub then removes it at start)",
                file.path.display()
            )),
            Ok(()) if file.offset < first => notes.push(format!(
                "checkpoint {} is older than the log on disk: unused",
                file.path.display()
            )),
            Ok(()) => sound.push(file.offset),
        }
    }
    out.push_str(&format!(
        "  checkpoints  {} sound{}\n",
        sound.len(),
        if sound.is_empty() {
            String::new()
        } else {
            format!(
                " (at offset{} {})",
                if sound.len() == 1 { "" } else { "s" },
                sound
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    if let Some(last) = checked.segments.last() {
        if let Some((position, bytes, reason)) = &last.torn {
            notes.push(format!(
                "{bytes} bytes at the end of {} (from byte {position}) hold no whole record yet ({reason}): a record being written, or what a crash left — the hub cuts it at its next start; not damage",
                last.segment.path.display()
            ));
        }
    }
    for n in notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    for d in &checked.damage {
        out.push_str(&format!(
            "DAMAGE in {} at byte {}{}: {}\n",
            d.path.display(),
            d.position,
            d.offset
                .map(|o| format!(", offset {o}"))
                .unwrap_or_default(),
            d.detail
        ));
    }
    for (path, why) in &bad_checkpoints {
        out.push_str(&format!(
            "DAMAGE in checkpoint {}: {why} (the hub passes it over for an older one, or the whole log)\n",
            path.display()
        ));
    }
    let damaged = checked.damage.len() + bad_checkpoints.len();
    if damaged == 0 {
        out.push_str("sound: every record and checkpoint checks\n");
        return print(&out);
    }
    print(&out)?;
    Err(format!(
        "the log in {} is damaged in {damaged} place(s), listed above. What to do: stop the hub (it does not start on a damaged log), then run `hub repair --data {}` — it sets each damaged segment and checkpoint aside as it is and keeps every record it can prove, each at its offset (docs/OPERATIONS.md). A backup from before the damage may keep more.",
        dir.display(),
        data.display()
    ))
}
