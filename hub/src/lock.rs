//! One hub per data folder. Two hubs appending to one log would hand out the same offsets and
//! leave a file the next start must refuse; so the hub holds an exclusive lock on
//! `DATA/hub.lock` for as long as it runs (released by the kernel even after `kill -9`), and
//! writes its pid there so the one refused can say who holds it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The lock file's name in the data folder.
pub const LOCK_FILE: &str = "hub.lock";

/// Times a held lock is tried again, 25 ms apart, before the folder counts as taken.
const RELEASE_TRIES: usize = 8;

/// The data folder, held: dropped, the lock is released.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

/// Why the data folder could not be held.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Stop the other hub first (or give this one another `--data`).
    #[error(
        "the data folder {} is in use by another hub (pid {pid}): one hub per data folder — stop that one first, or use another --data",
        dir.display()
    )]
    Held { dir: PathBuf, pid: String },
    #[error("cannot lock the data folder {}: {source}", dir.display())]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
}

impl DataLock {
    /// Takes the data folder, or says which process holds it. Waits at most a fraction of a
    /// second, for a lock on its way to being released: a hub that has just stopped, or a
    /// process started at that moment that still carries the lock's file until it runs its own
    /// program.
    pub fn take(dir: &Path) -> Result<DataLock, LockError> {
        let io = |source| LockError::Io {
            dir: dir.to_owned(),
            source,
        };
        crate::data_dir::make_private(dir).map_err(io)?;
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let mut locked = try_lock(&file);
        for _ in 0..RELEASE_TRIES {
            if !matches!(locked, Ok(false)) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
            locked = try_lock(&file);
        }
        match locked {
            Ok(true) => {}
            Ok(false) => {
                // The holder writes its pid just after it takes the lock: give it a moment.
                let mut pid = String::new();
                for _ in 0..20 {
                    pid.clear();
                    let _ = file.seek(SeekFrom::Start(0));
                    let _ = file.read_to_string(&mut pid);
                    if !pid.trim().is_empty() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                return Err(LockError::Held {
                    dir: dir.to_owned(),
                    pid: match pid.trim() {
                        "" => "unknown".to_owned(),
                        p => p.chars().take(20).collect(),
                    },
                });
            }
            Err(e) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(DataLock { _file: file })
    }
}

/// An exclusive advisory lock on the whole file, without waiting: `Ok(false)` if another open
/// file description holds it. The kernel drops it when the process ends, however it ends.
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor this `File` owns for the duration of the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(not(unix))]
fn try_lock(_: &File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_naming_the_first_and_the_lock_goes_with_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataLock::take(dir.path()).unwrap();
        let refused = DataLock::take(dir.path()).unwrap_err();
        let said = refused.to_string();
        assert!(said.contains(&std::process::id().to_string()), "{said}");
        assert!(said.contains("another hub"), "{said}");
        drop(first);
        DataLock::take(dir.path()).expect("free again");
    }
}
