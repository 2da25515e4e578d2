//! `hub repair`: mend a damaged event log, with the hub stopped.

use super::print;

/// Mends a damaged log and says what it did.
pub(super) fn repair(data: &std::path::Path) -> Result<(), String> {
    let _held = crate::lock::DataLock::take(data).map_err(|e| e.to_string())?;
    let dir = data.join("log");
    let now = crate::switchboard::now_ms();
    let done = crate::history::repair(&dir, now).map_err(|e| e.to_string())?;
    let text = match done {
        None => format!(
            "hub: the log in {} is sound: nothing to repair\n",
            dir.display()
        ),
        Some(r) => format!(
            "hub: repaired the log in {}: kept {} records; lost {} ({}); dropped a torn tail of {} bytes; the damaged file is kept as {}\n",
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
            r.set_aside.display()
        ),
    };
    print(&text)
}
