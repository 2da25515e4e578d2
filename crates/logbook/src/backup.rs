//! A consistent copy of a live log: every sealed segment as it is (they never change again),
//! the segment being written up to its last whole record, and the checkpoints the copy can use
//! (those at or below the copy's head). The copy opens as a log that ends where the copy was
//! taken. Read-only on the source; it takes no lock, so it runs beside a live writer.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::checkpoint::{checkpoints, read_checkpoint};
use crate::error::LogError;
use crate::file::{ensure_dir, private_options, sync_dir};
use crate::recover::scan;
use crate::segment::{LOG_FILE_NAME, segments};

/// How often a copy is begun again when the source changed under it (a segment compacted
/// away while it was copied, or no checkpoint yet for what was copied).
const ATTEMPTS: usize = 5;

/// What [`backup`] copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackedUp {
    /// Segment files copied.
    pub segments: usize,
    /// Checkpoint files copied.
    pub checkpoints: usize,
    /// The first offset in the copy.
    pub first: u64,
    /// The offset after the copy's last record.
    pub head: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Copies the log in `dir` into `dest` (created owner-only if missing; it must not hold a log
/// already). When the source log was compacted (it does not start at offset 1), the copy needs
/// a checkpoint at or below its head to be of use, and the copy is begun again until it has one.
pub fn backup(dir: &Path, dest: &Path) -> Result<BackedUp, LogError> {
    ensure_dir(dest)?;
    let existing = fs::read_dir(dest)
        .map_err(|e| LogError::io(dest, e))?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name == LOG_FILE_NAME || name.starts_with("segment-") || name.starts_with("checkpoint-")
        })
        .count();
    if existing > 0 {
        return Err(LogError::io(
            dest,
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                "the destination already holds a log: give an empty or new folder",
            ),
        ));
    }
    let mut last_reason = String::new();
    for _ in 0..ATTEMPTS {
        match attempt(dir, dest)? {
            Ok(done) => {
                sync_dir(dest)?;
                return Ok(done);
            }
            Err(reason) => {
                last_reason = reason;
                clear(dest)?;
            }
        }
    }
    Err(LogError::io(
        dir,
        io::Error::other(format!(
            "the log kept changing under the copy ({last_reason}); try again"
        )),
    ))
}

/// One try: `Ok(Err(reason))` when the source changed under it and it should be begun again.
fn attempt(dir: &Path, dest: &Path) -> Result<Result<BackedUp, String>, LogError> {
    let list = segments(dir)?;
    let Some(last) = list.last() else {
        return Err(LogError::io(
            dir,
            io::Error::new(io::ErrorKind::NotFound, "there is no log here"),
        ));
    };
    let mut bytes = 0;
    for sealed in &list[..list.len() - 1] {
        match copy(&sealed.path, dest, None) {
            Ok(n) => bytes += n,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Err(format!(
                    "{} was compacted away while being copied",
                    sealed.path.display()
                )));
            }
            Err(e) => return Err(LogError::io(&sealed.path, e)),
        }
    }
    // The segment being written: up to its last whole record, as a reader sees it now.
    let mut scanner = scan(last)?;
    while scanner.next_record()?.is_some() {}
    let head = scanner.next_offset();
    let whole = scanner.valid_len();
    drop(scanner);
    bytes += copy(&last.path, dest, Some(whole)).map_err(|e| LogError::io(&last.path, e))?;
    let first = list[0].first;
    let mut copied = 0;
    for c in checkpoints(dir)? {
        if c.offset > head || c.offset < first {
            continue;
        }
        // One removed meanwhile, or damaged, is not worth copying either way.
        if read_checkpoint(&c.path).is_err() {
            continue;
        }
        match copy(&c.path, dest, None) {
            Ok(n) => {
                bytes += n;
                copied += 1;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(LogError::io(&c.path, e)),
        }
    }
    if first > 1 && copied == 0 {
        return Ok(Err(format!(
            "the log starts at offset {first} and no checkpoint at or below offset {head} was there to copy"
        )));
    }
    Ok(Ok(BackedUp {
        segments: list.len(),
        checkpoints: copied,
        first,
        head,
        bytes,
    }))
}

/// Copies `src` (its first `len` bytes, or all of it) into `dest` under the same name, whole
/// or not at all. Returns the bytes copied.
fn copy(src: &Path, dest: &Path, len: Option<u64>) -> io::Result<u64> {
    let name = src
        .file_name()
        .ok_or_else(|| io::Error::other("a file with no name"))?;
    let to: PathBuf = dest.join(name);
    let tmp = dest.join(format!("{}.tmp", name.to_string_lossy()));
    let from = File::open(src)?;
    let mut out = private_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    let n = match len {
        Some(len) => io::copy(&mut from.take(len), &mut out)?,
        None => io::copy(&mut &from, &mut out)?,
    };
    out.sync_all()?;
    drop(out);
    fs::rename(&tmp, &to)?;
    Ok(n)
}

/// Removes what an abandoned try copied into `dest`.
fn clear(dest: &Path) -> Result<(), LogError> {
    for entry in fs::read_dir(dest).map_err(|e| LogError::io(dest, e))? {
        let entry = entry.map_err(|e| LogError::io(dest, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == LOG_FILE_NAME || name.starts_with("segment-") || name.starts_with("checkpoint-")
        {
            fs::remove_file(entry.path()).map_err(|e| LogError::io(entry.path(), e))?;
        }
    }
    Ok(())
}
