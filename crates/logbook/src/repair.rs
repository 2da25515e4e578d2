//! Mending a damaged log by hand, never on open: [`repair`] sets the damaged file aside, untouched,
//! and writes a new log with every record whose checksum proves it, in offset order. Where records
//! cannot be proven (the damaged one, and any whose start is lost with it), the caller's
//! placeholder takes their offsets, so every offset after the damage still means what it meant —
//! the hub refers to records by offset (a call's id is its offset).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::LogError;
use crate::file::{HEADER_LEN, log_path, read_header, sync_dir};
use crate::record::{FRAME_HEADER_LEN, FrameHeader, checksum, encode_into};

/// The most offsets one stretch of damage may have swallowed; a "record" further on than that is
/// taken for noise that happens to checksum, not for a record.
const MAX_GAP: u64 = 1_000_000;

/// What [`repair`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// Where the damaged file now is, as it was.
    pub set_aside: PathBuf,
    /// Records kept, proven by their checksums.
    pub kept: u64,
    /// Offsets no record could be proven for, now held by placeholders.
    pub lost: Vec<u64>,
    /// Bytes at the end that held no whole record (a torn tail), dropped.
    pub torn_bytes: u64,
}

/// Repairs the log in `dir`: every provable record is kept at its offset, the offsets in between
/// get `placeholder(offset)`, a torn tail is dropped, and the damaged file is renamed to
/// `logbook.log.damaged-<unix seconds>` beside it. `now_secs` names the copy. A log with nothing
/// to mend is left alone (`Ok(None)`).
pub fn repair(
    dir: &Path,
    now_secs: u64,
    placeholder: impl Fn(u64) -> Bytes,
) -> Result<Option<Repaired>, LogError> {
    let path = log_path(dir);
    let bytes = fs::read(&path).map_err(|e| LogError::io(&path, e))?;
    read_header(&mut &bytes[..], &path)?;
    let (records, torn_bytes) = provable_records(&bytes);
    let mut lost = Vec::new();
    let mut next = 1u64;
    let mut out = bytes[..HEADER_LEN].to_vec();
    for (offset, range) in &records {
        while next < *offset {
            encode_into(&mut out, next, &placeholder(next));
            lost.push(next);
            next += 1;
        }
        encode_into(&mut out, *offset, &bytes[range.clone()]);
        next = offset + 1;
    }
    if lost.is_empty() && torn_bytes == 0 {
        return Ok(None);
    }
    let set_aside = path.with_file_name(format!("logbook.log.damaged-{now_secs}"));
    let tmp = path.with_file_name("logbook.log.repairing");
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| LogError::io(&tmp, e))?;
    restrict(&file);
    file.write_all(&out).map_err(|e| LogError::io(&tmp, e))?;
    file.sync_all().map_err(|e| LogError::io(&tmp, e))?;
    fs::rename(&path, &set_aside).map_err(|e| LogError::io(&set_aside, e))?;
    fs::rename(&tmp, &path).map_err(|e| LogError::io(&path, e))?;
    sync_dir(dir)?;
    Ok(Some(Repaired {
        set_aside,
        kept: records.len() as u64,
        lost,
        torn_bytes,
    }))
}

/// Every record in `bytes` (a whole log file) whose checksum holds, with offsets rising, as
/// (offset, payload range); and how many bytes at the end hold no whole record. After damage,
/// the scan moves on byte by byte until a whole record with a later offset starts.
fn provable_records(bytes: &[u8]) -> (Vec<(u64, std::ops::Range<usize>)>, u64) {
    let mut found = Vec::new();
    let mut pos = HEADER_LEN;
    let mut last = 0u64;
    let mut end_of_last = HEADER_LEN;
    while pos + FRAME_HEADER_LEN <= bytes.len() {
        let hdr = FrameHeader::decode(
            bytes[pos..pos + FRAME_HEADER_LEN]
                .try_into()
                .expect("a header's worth of bytes"),
        );
        let body = pos + FRAME_HEADER_LEN;
        let plausible = hdr.offset > last && hdr.offset <= last + MAX_GAP;
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

#[cfg(unix)]
fn restrict(file: &File) {
    use std::os::unix::fs::PermissionsExt;
    let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict(_: &File) {}
