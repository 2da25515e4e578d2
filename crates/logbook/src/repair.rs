//! Mending a damaged log by hand, never on open: [`repair`] sets each damaged segment aside,
//! untouched, and writes it anew with every record whose checksum proves it, in offset order.
//! Where records cannot be proven (the damaged one, any whose start is lost with it, or a whole
//! segment file gone), the caller's placeholder takes their offsets, so every offset after the
//! damage still means what it meant — the hub refers to records by offset (a call's id is its
//! offset).

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::LogError;
use crate::file::{sync_dir, write_whole};
use crate::header;
use crate::record::{FRAME_HEADER_LEN, FrameHeader, checksum, encode_into};
use crate::segment::{segment_file_name, segments};

/// The most offsets one stretch of damage may have swallowed; a "record" further on than that is
/// taken for noise that happens to checksum, not for a record.
const MAX_GAP: u64 = 1_000_000;

/// What [`repair`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// Where each damaged segment now is, as it was.
    pub set_aside: Vec<PathBuf>,
    /// Records kept, proven by their checksums.
    pub kept: u64,
    /// Offsets no record could be proven for, now held by placeholders.
    pub lost: Vec<u64>,
    /// Bytes at the end of the log that held no whole record (a torn tail), dropped.
    pub torn_bytes: u64,
}

/// Repairs the log in `dir`: every provable record is kept at its offset, the offsets in between
/// — and those of a segment file gone missing between two others — get `placeholder(offset)`, a
/// torn tail is dropped, and each segment that had to change is renamed to
/// `<its name>.damaged-<unix seconds>` beside its mended copy. `now_secs` names the copies. A
/// log with nothing to mend is left alone (`Ok(None)`). A segment whose header is damaged is not
/// guessed at: that is an error naming it (restore it from a backup).
pub fn repair(
    dir: &Path,
    now_secs: u64,
    placeholder: impl Fn(u64) -> Bytes,
) -> Result<Option<Repaired>, LogError> {
    let list = segments(dir)?;
    let mut done = Repaired {
        set_aside: Vec::new(),
        kept: 0,
        lost: Vec::new(),
        torn_bytes: 0,
    };
    let mut changed = false;
    let mut expected = list.first().map(|s| s.first).unwrap_or(1);
    for (i, segment) in list.iter().enumerate() {
        if segment.first > expected {
            // A segment file is missing: its offsets are held by placeholders in a new one.
            let mut out = header::encode(segment.epoch, expected, None, &[]);
            for offset in expected..segment.first {
                encode_into(&mut out, offset, &placeholder(offset));
                done.lost.push(offset);
            }
            write_whole(dir, &segment_file_name(expected), &[&out])?;
            changed = true;
        }
        let next_first = list.get(i + 1).map(|s| s.first);
        let bytes = fs::read(&segment.path).map_err(|e| LogError::io(&segment.path, e))?;
        let start = segment.header_len as usize;
        let limit = next_first.unwrap_or(u64::MAX);
        let (records, trailing) = provable_records(&bytes, start, segment.first, limit);
        // Zeros after the records of the segment being written are the space its writer made
        // ready (see `Options::preallocate`), not damage: the writer cuts them off on open.
        let records_end = bytes.len() - trailing as usize;
        let spare = next_first.is_none() && bytes[records_end..].iter().all(|&b| b == 0);
        let (bytes, trailing) = if spare {
            (&bytes[..records_end], 0)
        } else {
            (&bytes[..], trailing)
        };
        let mut out = bytes[..start].to_vec();
        let mut next = segment.first;
        for (offset, range) in &records {
            while next < *offset {
                encode_into(&mut out, next, &placeholder(next));
                done.lost.push(next);
                next += 1;
            }
            encode_into(&mut out, *offset, &bytes[range.clone()]);
            next = offset + 1;
        }
        done.kept += records.len() as u64;
        match next_first {
            Some(next_first) => {
                // A sealed segment must reach the next one: what it cannot prove is lost.
                while next < next_first {
                    encode_into(&mut out, next, &placeholder(next));
                    done.lost.push(next);
                    next += 1;
                }
            }
            None => done.torn_bytes = trailing,
        }
        expected = next.max(segment.first);
        if out != bytes {
            let name = segment
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("segment")
                .to_owned();
            let set_aside = segment
                .path
                .with_file_name(format!("{name}.damaged-{now_secs}"));
            fs::rename(&segment.path, &set_aside).map_err(|e| LogError::io(&set_aside, e))?;
            write_whole(dir, &name, &[&out])?;
            done.set_aside.push(set_aside);
            changed = true;
        }
    }
    if !changed {
        return Ok(None);
    }
    sync_dir(dir)?;
    done.lost.sort_unstable();
    Ok(Some(done))
}

/// Every record in `bytes` (a whole segment file, its records from byte `start`) whose checksum
/// holds and whose offset lies in `first..limit`, with offsets rising, as (offset, payload
/// range); and how many bytes at the end hold no whole record. After damage, the scan moves on
/// byte by byte until a whole record with a later offset starts.
fn provable_records(
    bytes: &[u8],
    start: usize,
    first: u64,
    limit: u64,
) -> (Vec<(u64, Range<usize>)>, u64) {
    let mut found = Vec::new();
    let mut pos = start;
    let mut last = first - 1;
    let mut end_of_last = start;
    while pos + FRAME_HEADER_LEN <= bytes.len() {
        let hdr = FrameHeader::decode(
            bytes[pos..pos + FRAME_HEADER_LEN]
                .try_into()
                .expect("a header's worth of bytes"),
        );
        let body = pos + FRAME_HEADER_LEN;
        let plausible = hdr.offset > last && hdr.offset <= last + MAX_GAP && hdr.offset < limit;
        let whole = bytes
            .get(body..body + hdr.len as usize)
            .filter(|p| plausible && checksum(hdr.offset, p) == hdr.crc);
        match whole {
            Some(_) => {
                found.push((hdr.offset, body..body + hdr.len as usize));
                last = hdr.offset;
                pos = body + hdr.len as usize;
                end_of_last = pos;
            }
            None => pos += 1,
        }
    }
    (found, (bytes.len() - end_of_last) as u64)
}
