//! The segment files of a log directory: their names, how a new one is made, and the list of
//! them read from their headers (without reading their records).
//!
//! A segment is named for the offset of its first record, `segment-<20 digits>.log`, so the
//! names sort in offset order. The single file of a format-1 log, `logbook.log`, is read as the
//! first segment (offset 1) until it is compacted away.

use std::fs::{self, File};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::LogError;
use crate::file::write_whole;
use crate::header::{self, MAX_PREAMBLE};

/// The single file of a log made by an earlier build (format 1). Such a log still opens: the
/// file is read as the log's first segment and new records go to format-2 segments after it.
pub const LOG_FILE_NAME: &str = "logbook.log";

/// The format of a `logbook.log`.
pub(crate) const LEGACY_FORMAT: u32 = header::LEGACY_VERSION;

const PREFIX: &str = "segment-";
const SUFFIX: &str = ".log";

/// The file name of the segment whose first record is `first`.
pub fn segment_file_name(first: u64) -> String {
    crate::file::offset_name(PREFIX, first, SUFFIX)
}

/// The first offset a segment file name stands for, if it is one.
fn parse_name(name: &str) -> Option<u64> {
    crate::file::offset_of_name(name, PREFIX, SUFFIX)
}

/// One segment of a log on disk, as its header describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The file.
    pub path: PathBuf,
    /// 1 for the single file of an older log, 2 for a segment.
    pub format: u32,
    /// The log's epoch, as every segment of one log carries it.
    pub epoch: u64,
    /// The offset of the segment's first record (its last is the next segment's first − 1).
    pub first: u64,
    /// What the writer named the segment for when it began it (see
    /// [`Logbook::roll`](crate::Logbook::roll)); `None` when it gave nothing.
    pub label: Option<u64>,
    /// The writer's note at the start of the segment (see [`Logbook::roll`](crate::Logbook::roll)).
    pub preamble: Bytes,
    /// Bytes of header: where the first record starts.
    pub header_len: u64,
    /// The file's length when it was listed.
    pub bytes: u64,
}

/// Every segment in `dir`, oldest first, from their headers: each must read, belong to the same
/// log (one epoch) and start past the one before. Records are not read: a segment whose records
/// do not end where the next begins is found by reading it ([`DiskRecords`](crate::DiskRecords),
/// [`check`](crate::check)).
pub fn segments(dir: &Path) -> Result<Vec<Segment>, LogError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| LogError::io(dir, e))? {
        let entry = entry.map_err(|e| LogError::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let named_first = if name == LOG_FILE_NAME {
            None
        } else if let Some(first) = parse_name(name) {
            Some(first)
        } else {
            continue;
        };
        found.push((entry.path(), named_first));
    }
    let mut list = Vec::with_capacity(found.len());
    for (path, named_first) in found {
        let segment = match read_segment(&path) {
            Ok(s) => s,
            // Compacted away between the listing and the read: it is no longer part of the log.
            Err(LogError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                continue;
            }
            Err(e) => return Err(e),
        };
        match (named_first, segment.format) {
            (None, LEGACY_FORMAT) | (Some(_), header::FORMAT_VERSION) => {}
            (None, _) => {
                return Err(LogError::segments(
                    dir,
                    format!(
                        "{} has format {} but that name is for the single file of a format-1 log",
                        path.display(),
                        segment.format
                    ),
                ));
            }
            (Some(_), _) => {
                return Err(LogError::segments(
                    dir,
                    format!(
                        "{} has format {} but a segment has format 2",
                        path.display(),
                        segment.format
                    ),
                ));
            }
        }
        if let Some(named) = named_first.filter(|n| *n != segment.first) {
            return Err(LogError::segments(
                dir,
                format!(
                    "{} is named for offset {named} but its header says it starts at offset {}",
                    path.display(),
                    segment.first
                ),
            ));
        }
        list.push(segment);
    }
    list.sort_by_key(|s| s.first);
    // An empty format-1 log that a segment at offset 1 replaced (a crash between the two steps
    // of opening it): it holds nothing but the epoch, which the segment carries too.
    if list.len() > 1
        && list[0].format == LEGACY_FORMAT
        && list[0].bytes == list[0].header_len
        && list[1].first == 1
    {
        list.remove(0);
    }
    for pair in list.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.epoch != b.epoch {
            return Err(LogError::segments(
                dir,
                format!(
                    "{} (epoch {}) and {} (epoch {}) belong to different logs",
                    a.path.display(),
                    a.epoch,
                    b.path.display(),
                    b.epoch
                ),
            ));
        }
        if a.first == b.first {
            return Err(LogError::segments(
                dir,
                format!(
                    "{} and {} both start at offset {}",
                    a.path.display(),
                    b.path.display(),
                    a.first
                ),
            ));
        }
    }
    Ok(list)
}

/// Reads one segment's header.
pub(crate) fn read_segment(path: &Path) -> Result<Segment, LogError> {
    let file = File::open(path).map_err(|e| LogError::io(path, e))?;
    let bytes = file.metadata().map_err(|e| LogError::io(path, e))?.len();
    let h = header::read(&mut BufReader::new(file), path)?;
    Ok(Segment {
        path: path.to_owned(),
        format: h.format,
        epoch: h.epoch,
        first: h.first,
        label: h.label,
        preamble: h.preamble,
        header_len: h.len,
        bytes,
    })
}

/// Makes a new, empty segment in `dir` starting at `first`, whole or not at all (a file with
/// the same name is replaced: only an empty segment is ever rewritten). Returns its path and
/// header length.
pub(crate) fn create(
    dir: &Path,
    epoch: u64,
    first: u64,
    label: Option<u64>,
    preamble: &[u8],
) -> Result<(PathBuf, u64), LogError> {
    if preamble.len() > MAX_PREAMBLE {
        return Err(LogError::RecordTooBig {
            index: 0,
            len: preamble.len(),
            max: MAX_PREAMBLE,
        });
    }
    let name = segment_file_name(first);
    let h = header::encode(epoch, first, label, preamble);
    write_whole(dir, &name, &[&h])?;
    Ok((dir.join(name), h.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_in_offset_order_and_read_back() {
        assert_eq!(segment_file_name(1), "segment-00000000000000000001.log");
        assert_eq!(parse_name(&segment_file_name(u64::MAX)), Some(u64::MAX));
        assert!(segment_file_name(9) < segment_file_name(10));
        for not in [
            "segment-1.log",
            "segment-0000000000000000000x.log",
            "logbook.log",
            "segment-00000000000000000001.log.tmp",
        ] {
            assert_eq!(parse_name(not), None, "{not}");
        }
    }
}
