//! Compaction: removing the oldest segments once what they hold is no longer wanted on disk
//! (the caller has a checkpoint at or after their end, so nothing needs them to rebuild its
//! state). Only a prefix of the log is ever removed, oldest first, and never the segment being
//! written, so what stays is still one run of offsets.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::LogError;
use crate::file::sync_dir;
use crate::segment::segments;

/// What [`compact`] removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compacted {
    /// The segment files removed, oldest first.
    pub removed: Vec<PathBuf>,
    /// Their size in bytes.
    pub bytes: u64,
    /// The first offset left on disk.
    pub first_on_disk: u64,
}

/// Removes every segment of the log in `dir` whose records all lie below `keep_from`, oldest
/// first; a segment with no segment after it (the one being written) is never removed. The
/// directory is synced once at the end.
///
/// Safe beside a live writer: it only touches sealed segments, which the writer never opens
/// again. A reader that is in the middle of a removed segment reads on from its open file.
pub fn compact(dir: &Path, keep_from: u64) -> Result<Compacted, LogError> {
    let list = segments(dir)?;
    let mut removed = Vec::new();
    let mut bytes = 0;
    let mut first_on_disk = list.first().map(|s| s.first).unwrap_or(1);
    for pair in list.windows(2) {
        let (old, next) = (&pair[0], &pair[1]);
        if next.first > keep_from {
            break;
        }
        match fs::remove_file(&old.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                // What was removed so far stays removed: make that durable before saying why
                // the rest could not be.
                let _ = sync_dir(dir);
                return Err(LogError::io(&old.path, e));
            }
        }
        removed.push(old.path.clone());
        bytes += old.bytes;
        first_on_disk = next.first;
    }
    if !removed.is_empty() {
        sync_dir(dir)?;
    }
    Ok(Compacted {
        removed,
        bytes,
        first_on_disk,
    })
}
