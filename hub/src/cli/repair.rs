//! `hub repair`: mend a damaged event log, with the hub stopped.

use super::print;

/// Mends a damaged log and says what it did.
pub(super) fn repair(data: &std::path::Path) -> Result<(), String> {
    let _held = crate::lock::DataLock::take(data).map_err(|e| e.to_string())?;
    let dir = data.join("log");
    let now = crate::switchboard::now_ms();
    let done = crate::history::repair(&dir, now).map_err(|e| match e {
        crate::history::HistoryError::Log(logbook::LogError::BadHeader { path, detail }) => format!(
            "the header of {} is damaged ({detail}): it says which log and which offsets the file holds, and repair does not guess them. Put that file back from a backup (`hub log backup`); or, if it is neither the oldest nor the newest segment, move it out of {} and repair again: its offsets are then held by `record_lost` events",
            path.display(),
            dir.display()
        ),
        e => e.to_string(),
    })?;
    let mut text = match done.log {
        None => format!(
            "hub: the log in {} is sound: nothing to repair\n",
            dir.display()
        ),
        Some(r) => format!(
            "hub: repaired the log in {}: kept {} records; lost {} ({}); dropped a torn tail of {} bytes; the damaged segments are kept as {}\n",
            dir.display(),
            r.kept,
            r.lost.len(),
            if r.lost.is_empty() {
                "none".to_owned()
            } else {
                format!(
                    "offsets {}",
                    r.lost
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            r.torn_bytes,
            r.set_aside
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    for (aside, why) in &done.checkpoints {
        text.push_str(&format!(
            "hub: a checkpoint could not be used ({why}): set aside as {}\n",
            aside.display()
        ));
    }
    if !done.superseded.is_empty() {
        text.push_str(&format!(
            "hub: removed {} checkpoint(s) taken after the lost records: the board is rebuilt from the mended log at the next start\n",
            done.superseded.len()
        ));
    }
    if done.kept_past_damage {
        text.push_str(
            "hub: the log's older days were removed (retention) and no checkpoint from before the damage is left, so the board comes from a checkpoint taken after it: it still shows what the lost records said\n",
        );
    }
    print(&text)
}
