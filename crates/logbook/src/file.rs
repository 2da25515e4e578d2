//! What every file of the log shares: owner-only creation, whole-or-absent writes (a temporary
//! file, fsynced, renamed into place, the directory fsynced), and the epoch.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use crate::error::LogError;

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

/// A fresh random epoch in `1..=MAX_EPOCH`. Zero is reserved so that callers can use it as
/// "no log".
pub(crate) fn new_epoch() -> Result<u64, LogError> {
    loop {
        let e = getrandom::u64().map_err(LogError::Entropy)? & MAX_EPOCH;
        if e != 0 {
            return Ok(e);
        }
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

/// A file named for an offset: `PREFIX` + the offset in 20 digits + `SUFFIX`, so that names
/// sort as offsets do (segments, checkpoints).
pub(crate) fn offset_name(prefix: &str, offset: u64, suffix: &str) -> String {
    format!("{prefix}{offset:020}{suffix}")
}

/// The offset a name made by [`offset_name`] stands for; `None` for any other name.
pub(crate) fn offset_of_name(name: &str, prefix: &str, suffix: &str) -> Option<u64> {
    let digits = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
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
pub(crate) fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

/// Writes `parts` as the file `dir/name`, whole or not at all: into `name.tmp` (owner-only),
/// fsynced, renamed over `name`, and the directory fsynced. A crash leaves either the old file
/// (or none) or the new one, never half of it; a leftover `.tmp` never became anything.
pub(crate) fn write_whole(dir: &Path, name: &str, parts: &[&[u8]]) -> Result<(), LogError> {
    let tmp = dir.join(format!("{name}.tmp"));
    let path = dir.join(name);
    {
        let mut f = private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| LogError::io(&tmp, e))?;
        for p in parts {
            if let Err(e) = f.write_all(p) {
                drop(f);
                let _ = fs::remove_file(&tmp);
                return Err(LogError::io(&tmp, e));
            }
        }
        if let Err(e) = f.sync_all() {
            drop(f);
            let _ = fs::remove_file(&tmp);
            return Err(LogError::io(&tmp, e));
        }
    }
    fs::rename(&tmp, &path).map_err(|e| LogError::io(&path, e))?;
    sync_dir(dir)
}

/// Opens the segment being written, for writing at positions the writer keeps (not
/// `O_APPEND`: records go where the last one ended, over the zeros made ready for them).
pub(crate) fn open_for_writing(path: &Path) -> Result<File, LogError> {
    private_options()
        .write(true)
        .open(path)
        .map_err(|e| LogError::io(path, e))
}

/// The block size a writer should fill whole (see `Logbook::write_at_end`): the file system's
/// own (`st_blksize`) where it is a power of two from 512 bytes to 64 KiB, else 4 KiB.
pub(crate) fn block_size(file: &File) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = file.metadata() {
            let b = m.blksize();
            if b.is_power_of_two() && (512..=64 * 1024).contains(&b) {
                return b;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    4096
}

/// Reads the `n` bytes of the file at `path` from byte `at`.
pub(crate) fn read_exact_at(path: &Path, at: u64, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; n];
    if n == 0 {
        return Ok(buf);
    }
    let file = File::open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(&mut buf, at)?;
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(at))?;
        f.read_exact(&mut buf)?;
    }
    Ok(buf)
}

/// Writes all of `buf` at byte `at` of `file` (one `pwrite` on unix).
pub(crate) fn write_at(file: &File, buf: &[u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.write_all_at(buf, at)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = file;
        f.seek(SeekFrom::Start(at))?;
        f.write_all(buf)
    }
}

/// Writes `n` zero bytes at byte `at` of `file`, a block at a time.
pub(crate) fn write_zeros(file: &File, at: u64, n: u64) -> std::io::Result<()> {
    static BLOCK: [u8; 64 * 1024] = [0; 64 * 1024];
    let mut done = 0;
    while done < n {
        let step = (n - done).min(BLOCK.len() as u64);
        write_at(file, &BLOCK[..step as usize], at + done)?;
        done += step;
    }
    Ok(())
}

/// Makes a rename, creation or removal in `dir` durable. Only meaningful (and only possible) on
/// unix.
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
