//! Checking a whole log, read-only: every segment's header, every record's checksum and offset,
//! that each sealed segment ends where the next begins, and — through the caller's inspector —
//! what each payload means to it. Unlike opening, it does not stop at the first damage: it says
//! where each damaged place is (file, byte, offset), so an operator knows what `repair` will
//! have to mend. It takes no lock and writes nothing, so it runs beside a live writer.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::LogError;
use crate::record::Record;
use crate::recover::{Tail, check_sealed_end, scan};
use crate::segment::{LOG_FILE_NAME, Segment, read_segment, segment_file_name};

/// A damaged place in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The segment file.
    pub path: PathBuf,
    /// Byte position in it where the damage starts.
    pub position: u64,
    /// The offset the record there holds or should hold, when known.
    pub offset: Option<u64>,
    /// What is wrong.
    pub detail: String,
}

/// One segment, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentCheck {
    /// The segment as its header describes it.
    pub segment: Segment,
    /// Sound records read (up to the first damage, if any).
    pub records: u64,
    /// The offset after the last sound record.
    pub next: u64,
    /// For the segment being written: bytes at its end that hold no whole record (a record
    /// being written, or what a crash left; the writer cuts them on its next open) — the byte
    /// position they start at, their length, and why they are not a record.
    pub torn: Option<(u64, u64, String)>,
}

/// What [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checked {
    /// The log's epoch (of its first readable segment).
    pub epoch: Option<u64>,
    /// The readable segments, oldest first.
    pub segments: Vec<SegmentCheck>,
    /// Every damaged place found, in file order.
    pub damage: Vec<Damage>,
}

impl Checked {
    /// Sound records in all segments.
    pub fn records(&self) -> u64 {
        self.segments.iter().map(|s| s.records).sum()
    }

    /// Bytes of all segments.
    pub fn bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.segment.bytes).sum()
    }

    /// The first offset on disk.
    pub fn first(&self) -> Option<u64> {
        self.segments.first().map(|s| s.segment.first)
    }

    /// The offset after the last sound record of the last segment.
    pub fn head(&self) -> Option<u64> {
        self.segments.last().map(|s| s.next)
    }
}

/// Checks the log in `dir`. `inspect` is handed every sound record with its file and byte
/// position, and says what is wrong with its payload, if anything (that is damage too).
/// `Err` only when the directory itself cannot be read.
pub fn check(
    dir: &Path,
    mut inspect: impl FnMut(&Record, &Path, u64) -> Result<(), String>,
) -> Result<Checked, LogError> {
    let mut out = Checked::default();
    let mut listed = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| LogError::io(dir, e))? {
        let entry = entry.map_err(|e| LogError::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_segment = name == LOG_FILE_NAME
            || (name.starts_with("segment-")
                && name.ends_with(".log")
                && name.len() == segment_file_name(0).len());
        if !is_segment {
            continue;
        }
        match read_segment(&entry.path()) {
            Ok(s) => listed.push(s),
            Err(LogError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => out.damage.push(Damage {
                path: entry.path(),
                position: 0,
                offset: None,
                detail: format!("its header cannot be read: {e}"),
            }),
        }
    }
    listed.sort_by_key(|s| s.first);
    out.epoch = listed.first().map(|s| s.epoch);
    for (i, segment) in listed.iter().enumerate() {
        if Some(segment.epoch) != out.epoch {
            out.damage.push(Damage {
                path: segment.path.clone(),
                position: 0,
                offset: None,
                detail: format!(
                    "it belongs to another log (epoch {}, not {})",
                    segment.epoch,
                    out.epoch.unwrap_or(0)
                ),
            });
            continue;
        }
        let next_first = listed.get(i + 1).map(|s| s.first);
        let mut scanner = match scan(segment) {
            Ok(s) => s,
            Err(LogError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                continue; // compacted away while we were checking
            }
            Err(e) => {
                out.damage.push(Damage {
                    path: segment.path.clone(),
                    position: segment.header_len,
                    offset: Some(segment.first),
                    detail: e.to_string(),
                });
                continue;
            }
        };
        let mut records = 0;
        let mut broken = false;
        loop {
            match scanner.next_record() {
                Ok(Some(r)) => {
                    records += 1;
                    if let Err(detail) = inspect(&r, &segment.path, scanner.last_position()) {
                        out.damage.push(Damage {
                            path: segment.path.clone(),
                            position: scanner.last_position(),
                            offset: Some(r.offset),
                            detail,
                        });
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let (position, detail) = match e {
                        LogError::Corrupt {
                            position, detail, ..
                        } => (position, detail),
                        other => (scanner.valid_len(), other.to_string()),
                    };
                    out.damage.push(Damage {
                        path: segment.path.clone(),
                        position,
                        offset: Some(scanner.next_offset()),
                        detail,
                    });
                    broken = true;
                    break;
                }
            }
        }
        let mut torn = None;
        match next_first {
            Some(next_first) if !broken => {
                if let Err(LogError::Corrupt {
                    position, detail, ..
                }) = check_sealed_end(&scanner, next_first)
                {
                    out.damage.push(Damage {
                        path: segment.path.clone(),
                        position,
                        offset: Some(scanner.next_offset()),
                        detail,
                    });
                }
            }
            None => {
                if let Some(Tail::Torn { position, reason }) = scanner.tail() {
                    let len = scanner.file_len().saturating_sub(*position);
                    torn = Some((*position, len, reason.clone()));
                }
            }
            _ => {}
        }
        out.segments.push(SegmentCheck {
            segment: segment.clone(),
            records,
            next: scanner.next_offset(),
            torn,
        });
    }
    Ok(out)
}
