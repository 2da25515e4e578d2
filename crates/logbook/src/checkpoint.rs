//! Checkpoints: the writer's own state as of an offset, kept beside the segments so that
//! whoever folds the log can start from the newest one and read only the records after it.
//! The payload is opaque here, like a record's.
//!
//! ```text
//! checkpoint-<offset, 20 digits>.ckpt, all integers little-endian:
//!   0..8    magic  b"HUBCKPNT"
//!   8..12   u32    format version = 1
//!   12..16  u32    flags = 0
//!   16..24  u64    epoch of the log it belongs to
//!   24..32  u64    offset: the state covers every record below it
//!   32..40  u64    payload length
//!   40..44  u32    crc32 of the payload
//!   44..48  u32    crc32 of bytes 0..44
//!   48..           payload
//! ```
//!
//! A checkpoint is written whole or not at all (a temporary file, fsynced, renamed, the
//! directory fsynced), so one that is there and checks is the state its writer handed over.
//! The writer must have synced the log up to `offset` first: a checkpoint must never be ahead of
//! what a power cut leaves of the log.

use std::fs;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::LogError;
use crate::file::{sync_dir, write_whole};

const MAGIC: [u8; 8] = *b"HUBCKPNT";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 48;
const PREFIX: &str = "checkpoint-";
const SUFFIX: &str = ".ckpt";

/// The file name of the checkpoint at `offset`.
pub fn checkpoint_file_name(offset: u64) -> String {
    crate::file::offset_name(PREFIX, offset, SUFFIX)
}

fn parse_name(name: &str) -> Option<u64> {
    crate::file::offset_of_name(name, PREFIX, SUFFIX)
}

/// A checkpoint file found in a log's directory (not yet read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointFile {
    pub path: PathBuf,
    /// The offset its name gives: the state covers the records below it.
    pub offset: u64,
}

/// A checkpoint read back and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub epoch: u64,
    /// The state covers every record below this offset.
    pub offset: u64,
    /// The writer's state, as it handed it over.
    pub payload: Bytes,
}

/// Writes the checkpoint for `offset` into `dir`, whole or not at all, and returns its path.
pub fn write_checkpoint(
    dir: &Path,
    epoch: u64,
    offset: u64,
    payload: &[u8],
) -> Result<PathBuf, LogError> {
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(&MAGIC);
    h.extend_from_slice(&VERSION.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(&epoch.to_le_bytes());
    h.extend_from_slice(&offset.to_le_bytes());
    h.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    h.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    let crc = crc32fast::hash(&h);
    h.extend_from_slice(&crc.to_le_bytes());
    let name = checkpoint_file_name(offset);
    write_whole(dir, &name, &[&h, payload])?;
    Ok(dir.join(name))
}

/// The checkpoint files in `dir`, oldest first, by their names (none is read).
pub fn checkpoints(dir: &Path) -> Result<Vec<CheckpointFile>, LogError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| LogError::io(dir, e))? {
        let entry = entry.map_err(|e| LogError::io(dir, e))?;
        if let Some(offset) = entry.file_name().to_str().and_then(parse_name) {
            found.push(CheckpointFile {
                path: entry.path(),
                offset,
            });
        }
    }
    found.sort_by_key(|c| c.offset);
    Ok(found)
}

/// Reads a checkpoint and checks it whole: its header, its payload's checksum and length, and
/// that its name matches the offset inside.
pub fn read_checkpoint(path: &Path) -> Result<Checkpoint, LogError> {
    let bad = |detail: String| LogError::BadCheckpoint {
        path: path.to_owned(),
        detail,
    };
    let bytes = fs::read(path).map_err(|e| LogError::io(path, e))?;
    if bytes.len() < HEADER_LEN {
        return Err(bad(format!(
            "the file is {} bytes, shorter than a checkpoint's {HEADER_LEN}-byte header",
            bytes.len()
        )));
    }
    if bytes[0..8] != MAGIC {
        return Err(bad("it does not start with a checkpoint's magic".into()));
    }
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let long = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    if word(8) != VERSION {
        return Err(bad(format!(
            "format version {}; this build reads {VERSION}",
            word(8)
        )));
    }
    if crc32fast::hash(&bytes[0..44]) != word(44) {
        return Err(bad("its header fails its checksum".into()));
    }
    let (epoch, offset, len) = (long(16), long(24), long(32));
    if len != (bytes.len() - HEADER_LEN) as u64 {
        return Err(bad(format!(
            "its header says {len} bytes of state, the file holds {}",
            bytes.len() - HEADER_LEN
        )));
    }
    let payload = &bytes[HEADER_LEN..];
    if crc32fast::hash(payload) != word(40) {
        return Err(bad("its state fails its checksum".into()));
    }
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(parse_name);
    if named.is_some_and(|n| n != offset) {
        return Err(bad(format!(
            "it is named for offset {} but holds the state at offset {offset}",
            named.unwrap_or(0)
        )));
    }
    Ok(Checkpoint {
        epoch,
        offset,
        payload: Bytes::copy_from_slice(payload),
    })
}

/// Removes checkpoint files (durably: the directory is synced once after).
pub fn remove_checkpoints(dir: &Path, paths: &[PathBuf]) -> Result<(), LogError> {
    if paths.is_empty() {
        return Ok(());
    }
    for p in paths {
        match fs::remove_file(p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(LogError::io(p, e)),
        }
    }
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_reads_back_as_written_and_any_flipped_byte_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_checkpoint(dir.path(), 77, 1234, b"the board").unwrap();
        assert_eq!(
            path.file_name().unwrap(),
            "checkpoint-00000000000000001234.ckpt"
        );
        let c = read_checkpoint(&path).unwrap();
        assert_eq!(
            (c.epoch, c.offset, &c.payload[..]),
            (77, 1234, &b"the board"[..])
        );
        assert_eq!(
            checkpoints(dir.path()).unwrap(),
            [CheckpointFile {
                path: path.clone(),
                offset: 1234
            }]
        );
        let good = fs::read(&path).unwrap();
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x20;
            fs::write(&path, &bad).unwrap();
            assert!(
                matches!(read_checkpoint(&path), Err(LogError::BadCheckpoint { .. })),
                "a flip at byte {at} is caught"
            );
        }
        fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(read_checkpoint(&path).is_err(), "a short one is caught");
        assert!(
            !dir.path()
                .join("checkpoint-00000000000000001234.ckpt.tmp")
                .exists()
        );
    }
}
