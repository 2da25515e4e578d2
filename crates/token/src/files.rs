//! How the token files of a data folder are written: whole or not at all (a new file is written
//! beside the old one, synced, then renamed over it, so a hub reading it at that moment sees the
//! old or the new, never half), readable by the owner only — and one writer at a time (a lock
//! file that `hub token` and the drill take around each read-change-write).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The lock file beside the token files, held while one process changes them.
const LOCK_FILE: &str = "tokens.lock";
/// How long a writer waits for another to finish.
const LOCK_WAIT: Duration = Duration::from_secs(5);
/// A lock file older than this was left by a writer that died (writers hold it for
/// milliseconds): it is taken over.
const LOCK_STALE: Duration = Duration::from_secs(30);

/// A file operation that failed, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl FileError {
    pub(crate) fn at(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
        move |source| FileError {
            path: path.to_owned(),
            source,
        }
    }
}

/// Options for a new file only its owner may read and write.
pub(crate) fn private_new() -> std::fs::OpenOptions {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts
}

/// A temporary name beside `path`, unique to this process and moment.
fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut salt = [0u8; 6];
    let _ = getrandom::fill(&mut salt);
    let salt: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    path.with_file_name(format!(".{name}.{}-{salt}.new", std::process::id()))
}

/// Writes a synced owner-only temporary file beside `path` holding `bytes`; its path.
pub(crate) fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf, FileError> {
    let temp = temp_beside(path);
    let written = (|| {
        let mut file = private_new().open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(FileError { path: temp, source });
    }
    Ok(temp)
}

/// Replaces `path` with `bytes`, owner-only, all at once.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let temp = write_temp(path, bytes)?;
    std::fs::rename(&temp, path).map_err(|source| {
        let _ = std::fs::remove_file(&temp);
        FileError {
            path: path.to_owned(),
            source,
        }
    })?;
    sync_folder(path);
    Ok(())
}

/// Makes `path` hold `bytes` only if it does not exist yet (owner-only, all at once): false if
/// another process made it first.
pub(crate) fn create_private(path: &Path, bytes: &[u8]) -> Result<bool, FileError> {
    let temp = write_temp(path, bytes)?;
    // A hard link names the finished file at once, and fails if the name is taken.
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            sync_folder(path);
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(source) => Err(FileError {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Makes a rename or a new name in `path`'s folder durable (best effort: not every system
/// lets a folder be synced).
fn sync_folder(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Reads a file of at most `limit` bytes; `None` if it does not exist.
pub(crate) fn read_small(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, FileError> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FileError::at(path)(e)),
    };
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::at(path))?;
    if bytes.len() as u64 > limit {
        return Err(FileError {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("larger than {limit} bytes: not a file the hub wrote"),
            ),
        });
    }
    Ok(Some(bytes))
}

/// The data folder's token files, held by this process until dropped.
#[derive(Debug)]
pub struct WriteLock {
    path: PathBuf,
}

impl WriteLock {
    /// Takes the folder's token lock, waiting a few seconds for another writer to finish.
    pub fn take(dir: &Path) -> Result<WriteLock, FileError> {
        make_private_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        let started = std::time::Instant::now();
        loop {
            match private_new().open(&path) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(WriteLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok());
                    if age.is_some_and(|a| a > LOCK_STALE) {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if started.elapsed() > LOCK_WAIT {
                        return Err(FileError {
                            path,
                            source: std::io::Error::new(
                                std::io::ErrorKind::WouldBlock,
                                "another `hub token` is changing the token files; try again \
                                 (if none runs, delete this file)",
                            ),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(FileError::at(&path)(e)),
            }
        }
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Makes `dir` (and its parents) if missing; the data folder itself is owner-only (0700): it
/// holds the keys and the site's visitor data.
pub fn make_private_dir(dir: &Path) -> Result<(), FileError> {
    let mut folder = std::fs::DirBuilder::new();
    folder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
    folder.create(dir).map_err(FileError::at(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(!create_private(&path, b"three").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(create_private(&dir.path().join("g"), b"g").unwrap());
    }

    #[test]
    fn one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let first = WriteLock::take(dir.path()).unwrap();
        let d = dir.path().to_owned();
        let second = std::thread::spawn(move || {
            let t = std::time::Instant::now();
            let _l = WriteLock::take(&d).unwrap();
            t.elapsed()
        });
        std::thread::sleep(Duration::from_millis(150));
        drop(first);
        assert!(second.join().unwrap() >= Duration::from_millis(100));
    }

    #[test]
    fn big_files_are_refused_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; 100]).unwrap();
        assert!(read_small(&path, 99).is_err());
        assert_eq!(read_small(&path, 100).unwrap().unwrap().len(), 100);
        assert!(read_small(&dir.path().join("none"), 1).unwrap().is_none());
    }
}
