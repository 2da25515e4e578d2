//! # logbook — the hub's append-only event log
//!
//! Every event the dispatch hub accepts (a call raised, a salesperson answering, a visitor
//! registered...) is appended here before it is broadcast, and given an **offset**. Clients that
//! reconnect say "I have everything up to offset N" and are caught up from the in-memory window
//! ([`Logbook::read_from`]); after a restart the hub rebuilds its state from the file.
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
//! - The [`epoch`](Logbook::epoch) is a random number in `1..=`[`MAX_EPOCH`] (2^53 − 1, so a
//!   browser reading it from JSON as an f64 holds it exactly) drawn when the log is created and
//!   kept in the file header: same log ⇒ same epoch across restarts; a recreated log ⇒ a new
//!   epoch, which tells clients their offsets mean nothing any more. A log made before that
//!   rule, whose header stores a larger epoch, reads as a JSON-safe one derived from it (its
//!   high bits folded into the low 53), the same on every open; the header is not rewritten.
//! - Accepted data is never silently dropped. On open, only a *torn tail* (what an interrupted
//!   write leaves) is truncated, with a `tracing::warn!`. A damaged record with valid data after
//!   it makes [`Logbook::open`] fail with [`LogError::Corrupt`] naming the byte position — also
//!   when the damage is to a record's length, which would otherwise look like a torn tail. Only
//!   [`repair`], run by hand, mends such a log: it sets the damaged file aside untouched and keeps
//!   every record its checksum proves, each at its offset.
//! - Files are created owner-only (`0o600`, and a directory it has to create `0o700`, on unix):
//!   the log holds the site's visitor data.
//!
//! ## On-disk format (version 1)
//!
//! One file, `<dir>/logbook.log` ([`LOG_FILE_NAME`]), all integers little-endian:
//!
//! ```text
//! header, 32 bytes, written once when the log is created:
//!   0..8    magic  b"HUBLOGBK"
//!   8..12   u32    format version = 1
//!   12..16  u32    flags = 0 (reserved)
//!   16..24  u64    epoch (non-zero; at most MAX_EPOCH in logs made since that rule)
//!   24..28  u32    crc32 of bytes 0..24
//!   28..32         reserved = 0
//!
//! then zero or more records, back to back:
//!   u32  payload length
//!   u32  crc32 (IEEE) of (u64 LE offset ‖ payload)
//!   u64  offset
//!   ...  payload (length bytes; may be empty)
//! ```
//!
//! The header is written to `logbook.log.tmp`, fsynced and renamed into place, so a crash while
//! creating a log leaves no half-made log behind. Records are only ever appended (the file is
//! open with `O_APPEND`), one `write` per append or batch.
//!
//! ### Recovery rules on open
//!
//! Scanning from the first record, the first frame that is not valid decides:
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
//! indistinguishable from a torn tail; the warning logs how many bytes were dropped.
//!
//! ## Modules
//!
//! - `record` — encoding/decoding one frame.
//! - `file` — the header, file creation (atomic, private), the append handle.
//! - `recover` — the frame scanner: recovery on open and [`DiskRecords`] replay.
//! - `book` — [`Logbook`] itself: writes, the in-memory window, reads.
//! - `error` — [`LogError`] and [`Lost`], each variant saying what the caller should do.

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod book;
mod error;
mod file;
mod record;
mod recover;
mod repair;

pub use book::{Logbook, Options};
pub use error::{LogError, Lost};
pub use file::{LOG_FILE_NAME, MAX_EPOCH};
pub use record::Record;
pub use recover::DiskRecords;
pub use repair::{Repaired, repair};

/// Re-exported so callers can name the payload type without depending on `bytes` themselves.
pub use bytes::Bytes;
