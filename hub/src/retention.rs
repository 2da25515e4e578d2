//! Retention: with `retention_days = N`, the events of every day more than N days before today
//! (the site's days) are removed from disk — the visitors' names and plates with them — while
//! the board is kept, in a checkpoint taken just before.
//!
//! A pass runs at start and at each new day (the switchboard says when the log begins a day's
//! segment; a timer covers a quiet hub), always off the switchboard: it asks the switchboard
//! for a checkpoint of the state as it is now (written and synced by the checkpoint thread),
//! then, on a blocking thread, removes every sealed segment of a removed day that the
//! checkpoint covers (`logbook::compact`: the oldest first, never today's), every older
//! checkpoint that still holds something of a removed day, and the damaged copies `hub repair`
//! set aside before the first kept day. What is left is still one run of offsets with a
//! checkpoint to start from. Before any segment goes, the switchboard forgets its events from
//! memory too, so a tablet asking for a removed offset is sent a snapshot.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use crate::calendar;
use crate::config::Config;
use crate::history::History;
use crate::reports::Reports;
use crate::switchboard::Request;

/// The longest a pass waits before it looks at the day again (a clock put forward, a quiet
/// hub).
const LOOK_AGAIN: Duration = Duration::from_secs(3600);

/// What one pass removed.
#[derive(Debug, Default)]
pub struct Removed {
    /// Segment files removed, and their bytes.
    pub segments: usize,
    pub bytes: u64,
    /// The first offset left on disk.
    pub first_on_disk: u64,
    /// The newest day removed, if any.
    pub last_day: Option<i64>,
    /// Checkpoints and damaged copies removed.
    pub checkpoints: usize,
    pub damaged: usize,
}

/// Runs retention for as long as the hub runs (nothing, if `retention_days` is not set).
/// Holds the switchboard only weakly, so it never keeps the hub from stopping.
pub async fn run(
    config: Arc<Config>,
    switchboard: mpsc::WeakSender<Request>,
    reports: Arc<Reports>,
    mut days: watch::Receiver<i64>,
    mut stopping: watch::Receiver<bool>,
) {
    let Some(keep) = config.retention_days else {
        return;
    };
    let zone = config.rules.zone.clone();
    let mut done_for = None;
    loop {
        let today = calendar::day_of(config.clock.now_ms(), &zone);
        if done_for != Some(today) {
            match pass(&config, &switchboard, keep).await {
                Ok(removed) => {
                    done_for = Some(today);
                    // A report kept from before is of a day that may be gone now.
                    reports.forget_before(today - i64::from(keep));
                    if removed.segments > 0 || removed.checkpoints > 0 || removed.damaged > 0 {
                        tracing::info!(
                            segments = removed.segments,
                            bytes = removed.bytes,
                            checkpoints = removed.checkpoints,
                            damaged_copies = removed.damaged,
                            first_on_disk = removed.first_on_disk,
                            "retention ({keep} days besides today): removed the log up to {}; it now starts at offset {}",
                            removed
                                .last_day
                                .map(calendar::date)
                                .unwrap_or_else(|| "no day".into()),
                            removed.first_on_disk
                        );
                    }
                }
                Err(e) => tracing::warn!("retention could not run: {e}; it tries again later"),
            }
            days.borrow_and_update();
        }
        let next_day = calendar::start_of(today + 1, &zone);
        let wait = config
            .clock
            .wall(next_day.saturating_sub(config.clock.now_ms()) + 1000)
            .min(LOOK_AGAIN);
        tokio::select! {
            changed = days.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep(wait) => {}
            _ = stopping.changed() => return,
        }
        if *stopping.borrow() {
            return;
        }
    }
}

/// One pass: a fresh checkpoint, then the removal, on a blocking thread.
async fn pass(
    config: &Config,
    switchboard: &mpsc::WeakSender<Request>,
    keep: u32,
) -> Result<Removed, String> {
    let stopping = || "the hub is stopping".to_owned();
    let sb = switchboard.upgrade().ok_or_else(stopping)?;
    let (reply, done) = oneshot::channel();
    sb.send(Request::Checkpoint { reply })
        .await
        .map_err(|_| stopping())?;
    drop(sb);
    let checkpoint = done.await.map_err(|_| stopping())??;
    let zone = config.rules.zone.clone();
    let today = calendar::day_of(config.clock.now_ms(), &zone);
    let cutoff = today - i64::from(keep);
    let dir = config.log_dir();
    let plan = {
        let dir = dir.clone();
        let zone = zone.clone();
        tokio::task::spawn_blocking(move || plan(&dir, cutoff, &zone, checkpoint))
            .await
            .map_err(|e| format!("retention failed: {e}"))??
    };
    if plan.removes_segments {
        // Forgotten from memory first: a tablet resuming from a removed day is sent a snapshot
        // from the moment its events start to leave the disk.
        let sb = switchboard.upgrade().ok_or_else(stopping)?;
        let (forgotten, done) = oneshot::channel();
        sb.send(Request::Forget {
            before: plan.keep_from,
            done: forgotten,
        })
        .await
        .map_err(|_| stopping())?;
        drop(sb);
        done.await.map_err(|_| stopping())?;
    }
    tokio::task::spawn_blocking(move || remove(&dir, &plan, cutoff, &zone, checkpoint))
        .await
        .map_err(|e| format!("retention failed: {e}"))?
}

/// What a pass will remove: the segments below `keep_from`.
pub struct Plan {
    /// The first offset kept on disk.
    pub keep_from: u64,
    /// Whether any segment goes.
    pub removes_segments: bool,
    /// The newest day removed, if any.
    pub last_day: Option<i64>,
}

/// Which segments of the log in `dir` hold only days before `cutoff` and are covered by the
/// checkpoint at `checkpoint`: a run from the oldest, never the segment being written.
pub fn plan(
    dir: &Path,
    cutoff: i64,
    zone: &crate::calendar::Zone,
    checkpoint: u64,
) -> Result<Plan, String> {
    let list = logbook::segments(dir).map_err(|e| e.to_string())?;
    let (Some(first), Some(last)) = (list.first(), list.last()) else {
        return Ok(Plan {
            keep_from: 1,
            removes_segments: false,
            last_day: None,
        });
    };
    let mut keep_from = last.first;
    let mut last_day = None;
    for pair in list.windows(2) {
        let (segment, next) = (&pair[0], &pair[1]);
        if next.first > checkpoint {
            keep_from = segment.first;
            break; // no checkpoint covers what comes after it yet
        }
        let newest = match segment.label {
            Some(day) => Some(day as i64),
            None => newest_day(dir, segment.first, next.first, zone)?,
        };
        if newest.is_some_and(|d| d >= cutoff) {
            keep_from = segment.first;
            break;
        }
        last_day = newest.or(last_day);
    }
    Ok(Plan {
        keep_from,
        removes_segments: keep_from > first.first,
        last_day,
    })
}

/// Carries out `plan` on the log in `dir`: removes its segments, then every checkpoint older
/// than the one at `checkpoint` that still holds anything from before `cutoff`, and the damaged
/// copies set aside before it.
pub fn remove(
    dir: &Path,
    plan: &Plan,
    cutoff: i64,
    zone: &crate::calendar::Zone,
    checkpoint: u64,
) -> Result<Removed, String> {
    let fail = |e: logbook::LogError| e.to_string();
    let keep_from = plan.keep_from;
    let last_day = plan.last_day;
    let compacted = logbook::compact(dir, keep_from).map_err(fail)?;
    let since = calendar::start_of(cutoff, zone);
    let mut old = Vec::new();
    for c in logbook::checkpoints(dir).map_err(fail)? {
        if c.offset >= checkpoint {
            continue; // the one just taken, and any after it
        }
        let holds_old = c.offset < compacted.first_on_disk
            || match crate::checkpoint::holds_since(&c) {
                Ok(Some(t)) => t < since,
                Ok(None) => false,
                // Unusable, and maybe holding what must go: it goes too.
                Err(_) => true,
            };
        if holds_old {
            old.push(c.path);
        }
    }
    logbook::remove_checkpoints(dir, &old).map_err(fail)?;
    let damaged = damaged_copies_before(dir, since);
    for p in &damaged {
        if let Err(e) = std::fs::remove_file(p) {
            tracing::warn!(file = %p.display(), "cannot remove an old damaged copy: {e}");
        }
    }
    Ok(Removed {
        segments: compacted.removed.len(),
        bytes: compacted.bytes,
        first_on_disk: compacted.first_on_disk,
        last_day: if compacted.removed.is_empty() {
            None
        } else {
            last_day
        },
        checkpoints: old.len(),
        damaged: damaged.len(),
    })
}

/// The newest day of the events `first..next` (a segment with no label: an older log's).
fn newest_day(
    dir: &Path,
    first: u64,
    next: u64,
    zone: &crate::calendar::Zone,
) -> Result<Option<i64>, String> {
    let mut newest = None;
    for e in History::events_on_disk(dir, first).map_err(|e| e.to_string())? {
        let e = e.map_err(|e| e.to_string())?;
        if e.offset >= next {
            break;
        }
        let day = calendar::day_of(e.at, zone);
        newest = Some(newest.map_or(day, |n: i64| n.max(day)));
    }
    Ok(newest)
}

/// The damaged copies `hub repair` set aside (`….damaged-<unix seconds>`) before `since`.
fn damaged_copies_before(dir: &Path, since: u64) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.rsplit_once(".damaged-")
                .and_then(|(_, secs)| secs.parse::<u64>().ok())
                .is_some_and(|secs| secs.saturating_mul(1000) < since)
        })
        .map(|e| e.path())
        .collect()
}
