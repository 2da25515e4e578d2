//! The log file itself: its name, its header, and how it is created and opened.
//!
//! Header (32 bytes, at the start of the file, written once):
//!
//! ```text
//! 0..8    magic  b"HUBLOGBK"
//! 8..12   u32 LE format version (currently 1)
//! 12..16  u32 LE flags, 0 (reserved)
//! 16..24  u64 LE epoch, non-zero (at most MAX_EPOCH in logs made by this build)
//! 24..28  u32 LE crc32 of bytes 0..24
//! 28..32  reserved, 0
//! ```
//!
//! A new log's header is written to a temporary file, fsynced and renamed into place (then the
//! directory is fsynced), so a crash during creation leaves either no log or a complete header,
//! never a log without an epoch.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::LogError;

/// Name of the log file inside the directory handed to [`Logbook::open`](crate::Logbook::open).
pub const LOG_FILE_NAME: &str = "logbook.log";
/// Scratch name used while creating a new log; only ever exists during `open`.
const TMP_FILE_NAME: &str = "logbook.log.tmp";

pub(crate) const MAGIC: [u8; 8] = *b"HUBLOGBK";
pub(crate) const FORMAT_VERSION: u32 = 1;
pub(crate) const HEADER_LEN: usize = 32;

pub(crate) fn log_path(dir: &Path) -> PathBuf {
    dir.join(LOG_FILE_NAME)
}

/// Builds the 32-byte header for `epoch`.
pub(crate) fn encode_header(epoch: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[0..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    // 12..16 flags stay 0.
    h[16..24].copy_from_slice(&epoch.to_le_bytes());
    let crc = crc32fast::hash(&h[0..24]);
    h[24..28].copy_from_slice(&crc.to_le_bytes());
    h
}

/// Reads and validates the header from the start of `r`, returning the epoch — as
/// [`json_safe`] makes it of what is stored, so a log from before that rule still has one.
///
/// The checks go from the most to the least telling: a wrong magic means "not our file", an
/// unknown version means "newer build" (checked before the checksum because a newer header
/// layout would not checksum the same way), and only then damage.
pub(crate) fn read_header(r: &mut impl Read, path: &Path) -> Result<u64, LogError> {
    let mut h = [0u8; HEADER_LEN];
    let got = read_up_to(r, &mut h).map_err(|e| LogError::io(path, e))?;
    let magic_len = got.min(MAGIC.len());
    if h[..magic_len] != MAGIC[..magic_len] {
        return Err(LogError::NotALogbook {
            path: path.to_owned(),
        });
    }
    if got >= 12 {
        let version = u32::from_le_bytes(h[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(LogError::UnsupportedVersion {
                path: path.to_owned(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
    }
    if got < HEADER_LEN {
        return Err(LogError::BadHeader {
            path: path.to_owned(),
            detail: format!("file is only {got} bytes long, the header needs {HEADER_LEN}"),
        });
    }
    let stored = u32::from_le_bytes(h[24..28].try_into().expect("4 bytes"));
    let actual = crc32fast::hash(&h[0..24]);
    if stored != actual {
        return Err(LogError::BadHeader {
            path: path.to_owned(),
            detail: format!("header checksum {stored:#010x} does not match {actual:#010x}"),
        });
    }
    let epoch = u64::from_le_bytes(h[16..24].try_into().expect("8 bytes"));
    if epoch == 0 {
        return Err(LogError::BadHeader {
            path: path.to_owned(),
            detail: "epoch is zero".into(),
        });
    }
    Ok(json_safe(epoch))
}

/// The largest epoch: 2^53 − 1, the largest integer a JSON number read as an f64 (every
/// browser) holds exactly. A larger one would come back rounded from a browser, and never match.
pub const MAX_EPOCH: u64 = (1 << 53) - 1;

/// The epoch of a log whose header stores `stored`: itself when it is at most [`MAX_EPOCH`]
/// (every log this build makes); otherwise — a log made before that rule — its high 11 bits
/// folded into the low 53, never 0. Deterministic: the same file always gives the same epoch,
/// and the header is never rewritten for it.
pub(crate) fn json_safe(stored: u64) -> u64 {
    if stored <= MAX_EPOCH {
        return stored;
    }
    match (stored ^ (stored >> 53)) & MAX_EPOCH {
        0 => 1,
        folded => folded,
    }
}

/// Like `read_exact` but reports how much was available instead of failing on a short file.
pub(crate) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A fresh random epoch in `1..=MAX_EPOCH`. Zero is reserved so that callers can use it as
/// "no log".
fn new_epoch() -> Result<u64, LogError> {
    loop {
        let e = getrandom::u64().map_err(LogError::Entropy)? & MAX_EPOCH;
        if e != 0 {
            return Ok(e);
        }
    }
}

/// Creates `dir` (and parents) if missing. New directories are owner-only on unix since the log
/// holds visitor data.
pub(crate) fn ensure_dir(dir: &Path) -> Result<(), LogError> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| LogError::io(dir, e))
}

/// Options for a file only the owner may read or write (0o600 on unix).
fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

/// Creates a brand-new log in `dir` atomically and returns its epoch.
pub(crate) fn create_log(dir: &Path) -> Result<u64, LogError> {
    let epoch = new_epoch()?;
    let tmp = dir.join(TMP_FILE_NAME);
    let path = log_path(dir);
    {
        // A leftover tmp file is from a crash during an earlier creation: it never became the
        // log, so overwriting it loses nothing.
        let mut f = private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| LogError::io(&tmp, e))?;
        f.write_all(&encode_header(epoch))
            .map_err(|e| LogError::io(&tmp, e))?;
        f.sync_all().map_err(|e| LogError::io(&tmp, e))?;
    }
    fs::rename(&tmp, &path).map_err(|e| LogError::io(&path, e))?;
    sync_dir(dir)?;
    Ok(epoch)
}

/// Opens the log for appending. `O_APPEND` makes every write land at the current end of file,
/// so the file position never has to be managed by hand.
pub(crate) fn open_append(path: &Path) -> Result<File, LogError> {
    private_options()
        .append(true)
        .open(path)
        .map_err(|e| LogError::io(path, e))
}

/// Makes a rename/creation in `dir` durable. Only meaningful (and only possible) on unix.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), LogError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| LogError::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let h = encode_header(0xdead_beef_1234);
        let epoch = read_header(&mut &h[..], Path::new("x")).unwrap();
        assert_eq!(epoch, 0xdead_beef_1234);
    }

    #[test]
    fn header_damage_is_classified() {
        let p = Path::new("x");
        let good = encode_header(7);

        let mut bad_magic = good;
        bad_magic[0] ^= 1;
        assert!(matches!(
            read_header(&mut &bad_magic[..], p),
            Err(LogError::NotALogbook { .. })
        ));

        let mut newer = good;
        newer[8] = 2;
        assert!(matches!(
            read_header(&mut &newer[..], p),
            Err(LogError::UnsupportedVersion { found: 2, .. })
        ));

        let mut flipped = good;
        flipped[17] ^= 0x40;
        assert!(matches!(
            read_header(&mut &flipped[..], p),
            Err(LogError::BadHeader { .. })
        ));

        assert!(matches!(
            read_header(&mut &good[..20], p),
            Err(LogError::BadHeader { .. })
        ));
    }
}
