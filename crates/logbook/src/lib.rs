//! # logbook — the hub's append-only event log
//!
//! Every event the dispatch hub accepts (a call raised, a salesperson answering, a visitor
//! registered...) is appended here before it is broadcast, and given an **offset**. Clients that
//! reconnect say "I have everything up to offset N" and are caught up from the in-memory window
//! ([`Logbook::read_from`]); after a restart the hub rebuilds its state from its newest checkpoint and the records after it.
//!
//! The crate is deliberately small and boring:
//!
//! - **Opaque payloads.** It stores [`bytes::Bytes`] and knows nothing of the hub's event types,
//!   their encoding, or of tokio. It is plain blocking `std` I/O, meant to be driven by the one
//!   writer task (e.g. from `spawn_blocking` or a dedicated thread).
//! - **One writer.** A [`Logbook`] owns its directory; two processes appending to the same file
//!   would interleave frames.
//!
//! ```
//! use logbook::{Bytes, Logbook, Options};
//!
//! let dir = tempfile::tempdir()?;
//! let mut log = Logbook::open(dir.path(), Options::default())?;
//! let first = log.append(Bytes::from_static(b"call raised: gallery 2"))?;
//! let more = log.append_batch(&[Bytes::from_static(b"answered"), Bytes::new()])?;
//! assert_eq!((first, more), (1, 2..4));
//! log.sync()?; // e.g. on shutdown or on a timer
//!
//! // A client that has everything up to offset 1 catches up from memory:
//! let missed: Vec<u64> = log.read_from(2)?.map(|r| r.offset).collect();
//! assert_eq!(missed, [2, 3]);
//!
//! // After a restart the same stream continues.
//! let epoch = log.epoch();
//! drop(log);
//! let log = Logbook::open(dir.path(), Options::default())?;
//! assert_eq!((log.epoch(), log.head()), (epoch, 4));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Guarantees
//!
//! - Offsets start at 1 in a new log and increase by exactly 1 per record, with no gaps.
//! - [`Logbook::append`] / [`Logbook::append_batch`] return only after the bytes were handed to
//!   the kernel with `write(2)`: killing the process (even `kill -9`) right after loses nothing.
//!   Surviving **power loss** additionally needs [`Logbook::sync`] (`fdatasync`), which appends
//!   never do on their own. Records appended after the last `sync` can be lost to a power cut,
//!   and their offsets are then handed out again after restart under the same epoch — call
//!   `sync` before acknowledging anything whose loss would matter across a power cut.
//! - [`Logbook::append_later`] gives records their offsets (and serves them from memory) at
//!   once but writes them at the next [`Logbook::flush`] — or `sync`, a roll, or the handle
//!   dropped — in one `write(2)` with every record appended for later meanwhile. Only records
//!   that fit the space made ready wait (a write there cannot find the disk full); the others
//!   are written at once. A writer hands nothing on (an acknowledgement, a frame to a reader)
//!   before the flush, and syncs only up to [`Logbook::written`].
//! - The [`epoch`](Logbook::epoch) is a random number in `1..=`[`MAX_EPOCH`] (2^53 − 1, so a
//!   browser reading it from JSON as an f64 holds it exactly) drawn when the log is created and
//!   kept in every segment's header: same log ⇒ same epoch across restarts; a recreated log ⇒ a
//!   new epoch, which tells clients their offsets mean nothing any more. A log made before that
//!   rule, whose header stores a larger epoch, reads as a JSON-safe one derived from it (its
//!   high bits folded into the low 53), the same on every open; the header is not rewritten.
//! - Accepted data is never silently dropped. On open, only a *torn tail* (what an interrupted
//!   write leaves) is truncated, with a `tracing::warn!`. A damaged record with valid data after
//!   it makes [`Logbook::open`] fail with [`LogError::Corrupt`] naming the byte position — also
//!   when the damage is to a record's length, which would otherwise look like a torn tail. Only
//!   [`repair`], run by hand, mends such a log: it sets each damaged segment aside untouched and
//!   keeps every record its checksum proves, each at its offset.
//! - Offsets stay continuous across segments and across [`Logbook::roll`]; what [`compact`]
//!   removes is always the oldest run of them, and a reader asking for it gets
//!   [`LogError::Compacted`], never a silent gap.
//! - Files are created owner-only (`0o600`, and a directory it has to create `0o700`, on unix):
//!   the log holds the site's visitor data. Segments, checkpoints and headers are written whole
//!   or not at all (a temporary file, fsynced, renamed, the directory fsynced).
//!
//! ## On-disk format (version 2)
//!
//! A log is a directory of **segment** files, each holding a run of records with consecutive
//! offsets; the next segment starts with the offset after the last record of the one before, so
//! offsets run on across segments without a gap. Only the newest segment is ever written to.
//! [`Logbook::roll`] ends it (synced to the disk first, so a segment with one after it is whole
//! and never changes again) and begins the next, named for a *label* the writer chooses (the
//! hub: the site's day) and starting with an opaque *preamble* (the hub: what a report of that
//! day needs from before it). [`compact`] removes the oldest segments, never the newest, so what
//! is on disk is always one run of offsets, from the first segment's first offset on. Beside
//! the segments, [`checkpoints`](write_checkpoint) hold the writer's own state at an offset.
//!
//! ```text
//! <dir>/segment-<first offset, 20 digits>.log   a segment (format 2), e.g.
//!                                               segment-00000000000000000001.log
//! <dir>/logbook.log                             the single file of a format-1 log (below),
//!                                               read as the first segment
//! <dir>/checkpoint-<offset, 20 digits>.ckpt     a checkpoint (see `checkpoint` below)
//! <dir>/*.tmp                                   a file being made; never part of the log
//! <dir>/*.damaged-<unix seconds>                a segment [`repair`] set aside
//! ```
//!
//! A segment, all integers little-endian:
//!
//! ```text
//! header, 48 bytes + the preamble, written once when the segment is begun:
//!   0..8    magic  b"HUBLOGBK"
//!   8..12   u32    format version = 2
//!   12..16  u32    flags: bit 0 = the segment has a label
//!   16..24  u64    epoch (non-zero, at most MAX_EPOCH; the same in every segment of a log)
//!   24..32  u64    offset of the segment's first record (its name says the same)
//!   32..40  u64    label (0 when flag bit 0 is clear)
//!   40..44  u32    preamble length P (at most 1 MiB)
//!   44..48  u32    crc32 of bytes 0..44 ‖ preamble
//!   48..48+P       preamble
//!
//! then zero or more records, back to back:
//!   u32  payload length
//!   u32  crc32 (IEEE) of (u64 LE offset ‖ payload)
//!   u64  offset
//!   ...  payload (length bytes; may be empty)
//!
//! then, in the newest segment only, zeros up to the end of the file: space made ready for
//! records to come (Options::preallocate). No record is all zeros (its offset is at least 1),
//! so 16 zero bytes where a record would start end the records, when only zeros follow them.
//! ```
//!
//! **Format 1** (earlier builds) was one file, `<dir>/logbook.log`: a 32-byte header (magic,
//! `u32` version = 1, `u32` flags, `u64` epoch, `u32` crc32 of bytes 0..24, 4 reserved bytes)
//! and the same records from offset 1. Such a log still opens: the file is kept as it is, as the
//! log's first segment (offset 1, no label, no preamble), and new records go to format-2
//! segments after it, under the same epoch — a tablet resuming across the upgrade notices
//! nothing. It goes away like any old segment, by [`compact`].
//!
//! A segment header is written to `<name>.tmp`, fsynced and renamed into place (the directory
//! fsynced), so a crash while beginning a segment leaves no half-made one behind. Records are
//! only ever appended (the file is open with `O_APPEND`), one `write` per append or batch.
//!
//! ### Recovery rules on open
//!
//! Scanning the newest segment from its first record, the first frame that is not valid
//! decides:
//!
//! | what is found                                              | verdict     |
//! |------------------------------------------------------------|-------------|
//! | fewer than 16 bytes left (partial frame header)            | torn tail   |
//! | declared length runs past the end of the file              | torn tail   |
//! | bad checksum, and the frame ends exactly at end of file    | torn tail   |
//! | bad checksum, and only zero bytes follow it                | torn tail (unwritten blocks after power loss) |
//! | bad checksum with non-zero data after it                   | [`LogError::Corrupt`] |
//! | valid checksum but the offset is not previous + 1          | [`LogError::Corrupt`] |
//!
//! A torn tail is cut off (and the cut fsynced) before the first new append, so the next record
//! gets the offset right after the last valid one. The length field is not checksummed, so a
//! bit flip in the length of a *middle* record that makes it point past the end of the file is
//! told from a torn tail only by a whole record found after it; the warning logs how many bytes
//! were dropped. An older (sealed) segment has no torn tail: any end but a clean one, at the
//! offset the next segment starts with, is [`LogError::Corrupt`]. Older segments are read on
//! open only as far as the in-memory window needs; [`check`] reads them all.
//!
//! ## Modules
//!
//! - `record` — encoding/decoding one frame.
//! - `header` — a segment's header, formats 1 and 2.
//! - `segment` — the segment files: names, the list of them, beginning a new one.
//! - `file` — what all files share: owner-only, whole-or-absent writes, the epoch.
//! - `recover` — the frame scanner: recovery on open and [`DiskRecords`] replay across segments.
//! - `book` — [`Logbook`] itself: writes, rolls, the in-memory window, reads.
//! - `checkpoint` — the writer's state at an offset, whole or absent.
//! - `compact` — removing the oldest segments.
//! - `check` — verifying every record of every segment, read-only.
//! - `backup` — a consistent copy of a live log.
//! - `repair` — mending damage by hand.
//! - `error` — [`LogError`] and [`Lost`], each variant saying what the caller should do.

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod backup;
mod book;
mod check;
mod checkpoint;
mod compact;
mod error;
mod file;
mod header;
mod record;
mod recover;
mod repair;
mod segment;

pub use backup::{BackedUp, backup};
pub use book::{Logbook, Options};
pub use check::{Checked, Damage, SegmentCheck, check};
pub use checkpoint::{
    Checkpoint, CheckpointFile, checkpoint_file_name, checkpoints, read_checkpoint,
    remove_checkpoints, write_checkpoint,
};
pub use compact::{Compacted, compact};
pub use error::{LogError, Lost};
pub use file::MAX_EPOCH;
pub use header::MAX_PREAMBLE;
pub use record::Record;
pub use recover::{Bookmark, DiskRecords};
pub use repair::{Repaired, repair};
pub use segment::{LOG_FILE_NAME, Segment, segment_file_name, segments};

/// Re-exported so callers can name the payload type without depending on `bytes` themselves.
pub use bytes::Bytes;
