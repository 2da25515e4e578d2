//! Error types. Every [`LogError`] variant says what the caller is expected to do about it,
//! because the hub has to decide between "retry", "reject this one event" and "stop serving".

use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong opening or writing a [`Logbook`](crate::Logbook).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The operating system refused a file operation on `path` (permissions, disk full, I/O
    /// error, missing mount...).
    ///
    /// What to do: surface it to the operator with the path. A failed append has been rolled
    /// back (the file is cut back to its previous length), so the log is still consistent and the
    /// call may be retried once the cause is fixed; if the rollback itself failed you get
    /// [`LogError::Poisoned`] on the next append instead.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory the operation was about.
        path: PathBuf,
        /// The underlying OS error.
        #[source]
        source: io::Error,
    },

    /// A payload is larger than [`Options::max_record_bytes`](crate::Options::max_record_bytes)
    /// (or than the format's 4 GiB limit). Nothing was written, not even the other payloads of
    /// the same batch.
    ///
    /// What to do: reject that one event to its sender; the log is untouched and keeps working.
    #[error("record #{index} of the append is {len} bytes, the limit is {max} bytes")]
    RecordTooBig {
        /// Position of the offending payload within the batch (0 for a single append).
        index: usize,
        /// Its length in bytes.
        len: usize,
        /// The limit in force.
        max: usize,
    },

    /// A record that is *not* the last one in the file fails its checksum, or a record carries an
    /// offset out of sequence. That is not what a crash leaves behind (a crash only damages the
    /// tail), so it is real corruption of data that was already accepted, and the log refuses to
    /// open rather than silently dropping it.
    ///
    /// What to do: do not start serving and do not delete the file. An operator has to look at the
    /// file at byte `position` (restore from backup, or deliberately cut the file there and accept
    /// the loss).
    #[error("log file {} is corrupt at byte {position}: {detail}", path.display())]
    Corrupt {
        /// The segment file.
        path: PathBuf,
        /// Byte position in the file where the bad record starts.
        position: u64,
        /// What exactly is wrong with it.
        detail: String,
    },

    /// The segment files of the log do not fit together: two of them belong to different logs
    /// (epochs), start at the same offset, are named for another offset than their header
    /// says, or a segment's records do not end where the next segment begins (a segment file
    /// missing, or cut short).
    ///
    /// What to do: do not start serving; restore the missing or foreign file from a backup, or
    /// mend the log by hand with [`repair`](crate::repair) (`hub repair`), which fills what is
    /// missing with placeholders at their offsets.
    #[error("the log in {} does not hold together: {detail}", dir.display())]
    Segments {
        /// The log's directory.
        dir: PathBuf,
        /// What does not fit.
        detail: String,
    },

    /// Records below `first_on_disk` were asked for, but the segments holding them were
    /// removed by compaction (see [`compact`](crate::compact)).
    ///
    /// What to do: start from a checkpoint at or after `first_on_disk`, or from there; what came
    /// before is gone from this log on purpose.
    #[error(
        "offset {requested} was compacted away: the log on disk starts at offset {first_on_disk}"
    )]
    Compacted {
        /// The offset asked for.
        requested: u64,
        /// The first offset still on disk.
        first_on_disk: u64,
    },

    /// The file does not start with the logbook magic: `dir` is pointing at something that is
    /// not a logbook.
    ///
    /// What to do: fix the configured directory; never let the log overwrite that file.
    #[error("{} is not a logbook file (bad magic)", path.display())]
    NotALogbook {
        /// The file that was found.
        path: PathBuf,
    },

    /// The file header is truncated or fails its checksum, so the epoch cannot be trusted.
    ///
    /// What to do: operator intervention (restore from backup). The header is written once,
    /// atomically, when the log is created, so this is never the result of a crash.
    #[error("logbook header of {} is damaged: {detail}", path.display())]
    BadHeader {
        /// The log file.
        path: PathBuf,
        /// What is wrong with the header.
        detail: String,
    },

    /// The file was written by a newer (or unknown) version of the format.
    ///
    /// What to do: run a build of the hub that understands `found`; do not downgrade.
    #[error(
        "logbook {} has format version {found}, this build supports {supported}",
        path.display()
    )]
    UnsupportedVersion {
        /// The log file.
        path: PathBuf,
        /// Version found in the header.
        found: u32,
        /// Version this build writes and reads.
        supported: u32,
    },

    /// A checkpoint file does not read back whole: its header or its state fails its checksum,
    /// or it is cut short.
    ///
    /// What to do: ignore it (an older checkpoint, or the log itself, still rebuilds the
    /// state); set it aside so that it is not looked at again.
    #[error("checkpoint {} is damaged: {detail}", path.display())]
    BadCheckpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },

    /// An earlier append failed *and* cutting the file back to its previous length failed too,
    /// so the file may end in a partial record. Appending after it would turn that torn tail into
    /// corruption in the middle, so this handle refuses all further appends.
    ///
    /// What to do: drop the [`Logbook`](crate::Logbook) and open it again once the disk is
    /// healthy; recovery truncates the partial record.
    #[error("logbook {} refused the append: an earlier write failed and could not be rolled back", path.display())]
    Poisoned {
        /// The log file.
        path: PathBuf,
    },

    /// The OS random generator failed while creating the epoch of a new log.
    ///
    /// What to do: treat as fatal at startup; nothing was created.
    #[error("could not draw a random epoch for a new log: {0}")]
    Entropy(#[source] getrandom::Error),
}

impl LogError {
    /// Whether the log could not grow: the disk is full, or the process's file-size limit is
    /// reached. Nothing already in the log is touched; appends work again once there is room.
    pub fn is_full(&self) -> bool {
        match self {
            LogError::Io { source, .. } => {
                source.kind() == io::ErrorKind::StorageFull
                    || source.kind() == io::ErrorKind::FileTooLarge
                    || matches!(source.raw_os_error(), Some(28 | 27 | 122)) // ENOSPC, EFBIG, EDQUOT
            }
            _ => false,
        }
    }

    /// Whether the log is damaged (as opposed to unreadable for a reason outside it, or a bad
    /// argument): what [`repair`](crate::repair) is for.
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            LogError::Corrupt { .. } | LogError::Segments { .. } | LogError::BadHeader { .. }
        )
    }

    pub(crate) fn segments(dir: &Path, detail: String) -> Self {
        LogError::Segments {
            dir: dir.to_owned(),
            detail,
        }
    }

    /// Helper for the very common "wrap an io::Error with the path it was about".
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        LogError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Returned by [`Logbook::read_from`](crate::Logbook::read_from) when the requested offset has
/// already been evicted from the in-memory window.
///
/// What to do: the reader (typically a reconnecting client) cannot be caught up incrementally;
/// send it a full snapshot and resume it from `first_retained` (or rebuild from
/// [`Logbook::iter_all_on_disk`](crate::Logbook::iter_all_on_disk)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("offset is no longer retained in memory; the oldest retained offset is {first_retained}")]
pub struct Lost {
    /// The lowest offset that is still readable from memory.
    pub first_retained: u64,
}
