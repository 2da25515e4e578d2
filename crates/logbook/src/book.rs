//! The [`Logbook`] handle: the single writer plus the in-memory window readers are served from.

use std::collections::VecDeque;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::{LogError, Lost};
use crate::file::{
    block_size, ensure_dir, new_epoch, open_for_writing, read_exact_at, write_at, write_zeros,
};
use crate::record::{FORMAT_MAX_PAYLOAD, Record, encode_into};
use crate::recover::{Bookmark, DiskRecords, recover, tail_of_sealed};
use crate::segment::{self, segments};

/// Tuning knobs for [`Logbook::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How many of the newest records are kept in memory for [`Logbook::read_from`]. Readers
    /// further behind than this get [`Lost`] and need a snapshot instead. Default 100 000.
    pub retain_in_memory: usize,
    /// Largest payload [`Logbook::append`] accepts, in bytes. Default 1 MiB. It only guards the
    /// write path: records already on disk are read back whatever this is set to now.
    pub max_record_bytes: usize,
    /// How far ahead of its records the segment being written is made ready, in bytes: written
    /// as zeros that records then overwrite. A `sync` after an append into space made ready
    /// has only the records to write, not the file's new length as well (on ext4, one disk
    /// write instead of two, and no block allocated on the way). The zeros reach the disk with
    /// the next sync, so the step is small: default 64 KiB (a larger step makes that one sync
    /// slower), rounded up to the end of a block so that every write there is of whole blocks
    /// (see `Logbook::write_at_end`). 0 appends at the end of the file. The zeros are cut off
    /// when the segment ends (a roll, or the handle dropped); a crash leaves them, and the
    /// next open cuts them off.
    pub preallocate: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            retain_in_memory: 100_000,
            max_record_bytes: 1024 * 1024,
            preallocate: 64 * 1024,
        }
    }
}

/// Scratch buffers above this are released after use, so one large batch does not pin its
/// memory for the life of the process.
const SCRATCH_KEEP: usize = 4 * 1024 * 1024;

/// An open, append-only log. See the crate docs for the format and the guarantees.
///
/// One `Logbook` per directory, in one process: nothing stops two writers from interleaving
/// frames, and that would produce exactly the mid-file corruption `open` refuses.
#[derive(Debug)]
pub struct Logbook {
    dir: PathBuf,
    /// The segment being written.
    path: PathBuf,
    /// Written at `len`: every append is one positional write.
    file: File,
    epoch: u64,
    head: u64,
    /// The offset of the first record of the segment being written.
    segment_first: u64,
    /// The label of the segment being written.
    label: Option<u64>,
    /// Length of the segment being written as far as we know it is valid: where the next frame
    /// starts. Used to roll back a failed write.
    len: u64,
    /// Length of the file: `len` and the zeros made ready after it (see
    /// [`Options::preallocate`]).
    allocated: u64,
    /// Newest records, oldest at the front. Invariant: `window` holds exactly the offsets
    /// `head - window.len() .. head`, contiguous.
    window: VecDeque<Record>,
    opts: Options,
    /// Set when a failed write could not be rolled back; see [`LogError::Poisoned`].
    poisoned: bool,
    /// Reused encode buffer so that steady-state appends do not allocate.
    scratch: Vec<u8>,
    /// Frames appended with [`append_later`](Logbook::append_later) and not yet written: they
    /// go at `len`, in one write, at the next [`flush`](Logbook::flush).
    pending: Vec<u8>,
    /// Every record below this offset is in the file (the others wait for a flush).
    written: u64,
    /// The file's block size (see [`Logbook::write_at_end`]).
    block: u64,
    /// The bytes of the block the segment's records end in, from its start to `len`: what a
    /// write there from the block's start repeats, so the kernel never reads the block back
    /// first (see [`Logbook::write_at_end`]).
    tail: Vec<u8>,
    /// Reused buffer for those whole-block writes.
    whole: Vec<u8>,
}

impl Logbook {
    /// Opens (or creates) the log in `dir`, creating the directory if missing.
    ///
    /// The segment being written is read and checked to its end (a torn tail is truncated, with
    /// a `tracing::warn!`; damage anywhere else is refused with [`LogError::Corrupt`]); older
    /// segments are read, newest first, only as far as it takes to fill the in-memory window
    /// with the newest `opts.retain_in_memory` records — so opening takes the same time however
    /// old the log is. A format-1 log (one `logbook.log`) is kept as the first segment, and new
    /// records go to a segment after it.
    pub fn open(dir: &Path, opts: Options) -> Result<Logbook, LogError> {
        ensure_dir(dir)?;
        let mut list = segments(dir)?;
        if list.is_empty() {
            segment::create(dir, new_epoch()?, 1, None, &[])?;
            list = segments(dir)?;
        }
        let last = list.last().expect("at least one segment").clone();
        let rec = recover(&last, opts.retain_in_memory)?;
        let mut window = rec.window;
        for i in (1..list.len()).rev() {
            let need = opts.retain_in_memory - window.len();
            if need == 0 {
                break;
            }
            let older = tail_of_sealed(&list[i - 1], list[i].first, need)?;
            for r in older.into_iter().rev() {
                window.push_front(r);
            }
        }
        let (path, len, segment_first, label) = if last.format == segment::LEGACY_FORMAT {
            // A format-1 log: it stays as it is, the first segment; records go on in a new one.
            let (path, len) = segment::create(dir, last.epoch, rec.head, None, &[])?;
            if rec.head == 1 {
                // It holds no record, only the epoch, which the new segment carries too.
                std::fs::remove_file(&last.path).map_err(|e| LogError::io(&last.path, e))?;
                crate::file::sync_dir(dir)?;
            }
            tracing::info!(
                legacy = %last.path.display(),
                segment = %path.display(),
                "logbook: a format-1 log is kept as the first segment; new records go to segments after it"
            );
            (path, len, rec.head, None)
        } else {
            (last.path.clone(), rec.len, last.first, last.label)
        };
        let file = open_for_writing(&path)?;
        let allocated = file.metadata().map_err(|e| LogError::io(&path, e))?.len();
        let block = block_size(&file);
        let tail = read_tail(&path, len, block)?;
        Ok(Logbook {
            dir: dir.to_owned(),
            path,
            file,
            epoch: last.epoch,
            head: rec.head,
            segment_first,
            label,
            len,
            allocated,
            window,
            opts,
            poisoned: false,
            scratch: Vec::new(),
            pending: Vec::new(),
            written: rec.head,
            block,
            tail,
            whole: Vec::new(),
        })
    }

    /// Identity of this log's stream: random, in `1..=`[`MAX_EPOCH`](crate::MAX_EPOCH), fixed
    /// when the log was created and persisted in its header. Offsets are only comparable between two parties that agree on
    /// the epoch; a new epoch means "a different log, start over".
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The offset the next append will get. Offsets start at 1 and grow by one per record.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Lowest offset still readable from memory; equals [`head`](Self::head) when nothing is
    /// retained.
    pub fn first_retained(&self) -> u64 {
        self.head - self.window.len() as u64
    }

    /// Appends one record and returns its offset.
    ///
    /// When this returns, the bytes have been handed to the kernel with `write(2)`: they survive
    /// the process being killed, but not a power loss until [`sync`](Self::sync).
    pub fn append(&mut self, payload: Bytes) -> Result<u64, LogError> {
        self.append_batch(std::slice::from_ref(&payload))
            .map(|r| r.start)
    }

    /// Appends several records with a single `write` and returns their contiguous offsets.
    ///
    /// All-or-nothing from the caller's view: if any payload is too big nothing is written, and
    /// if the write fails the file is cut back to where it was. An empty slice returns the empty
    /// range `head..head`.
    pub fn append_batch(&mut self, payloads: &[Bytes]) -> Result<Range<u64>, LogError> {
        self.check(payloads)?;
        let start = self.head;
        if payloads.is_empty() {
            return Ok(start..start);
        }
        // Records appended for later go first: the file keeps the offsets' order.
        self.flush()?;

        self.scratch.clear();
        for (offset, p) in (start..).zip(payloads) {
            encode_into(&mut self.scratch, offset, p);
        }
        let records = std::mem::take(&mut self.scratch);
        let written = self
            .make_room(records.len() as u64)
            .and_then(|()| self.write_at_end(&records));
        self.scratch = records;
        if let Err(e) = written {
            self.roll_back();
            self.release_scratch();
            return Err(LogError::io(&self.path, e));
        }
        self.release_scratch();

        let range = self.take_in(start, payloads);
        self.written = self.head;
        Ok(range)
    }

    /// Gives `payloads` their offsets from `start` on: kept in the window (as far as it
    /// reaches), with the head past them.
    fn take_in(&mut self, start: u64, payloads: &[Bytes]) -> Range<u64> {
        if self.opts.retain_in_memory > 0 {
            for (offset, p) in (start..).zip(payloads) {
                self.window.push_back(Record {
                    offset,
                    payload: p.clone(),
                });
            }
        }
        self.head = start + payloads.len() as u64;
        self.evict();
        start..self.head
    }

    /// Appends several records like [`append_batch`](Self::append_batch), but writes them only
    /// at the next [`flush`](Self::flush) (or [`sync`](Self::sync), a roll, or the handle
    /// dropped), in one write with whatever else was appended for later meanwhile: a writer
    /// taking many small appends in a row (the hub's switchboard, a batch of calls) makes one
    /// system call for all of them instead of one each. The records have their offsets, and
    /// [`read_from`](Self::read_from) serves them, at once; readers of the file see them after
    /// the flush.
    ///
    /// Only records that fit in the space made ready ([`Options::preallocate`]) wait: a write
    /// there has its blocks already and cannot find the disk full. Records that do not fit are
    /// written at once, as `append_batch` does, so a disk that is full or a file at its size
    /// limit refuses this append, not a later flush.
    pub fn append_later(&mut self, payloads: &[Bytes]) -> Result<Range<u64>, LogError> {
        self.check(payloads)?;
        let start = self.head;
        if payloads.is_empty() {
            return Ok(start..start);
        }
        let before = self.pending.len();
        for (offset, p) in (start..).zip(payloads) {
            encode_into(&mut self.pending, offset, p);
        }
        let end = self.len + self.pending.len() as u64;
        if end > self.allocated {
            // Zeros that cannot be written leave `allocated` as it was: the records then do
            // not fit, and the write at once below says why.
            let _ = self.make_room(self.pending.len() as u64);
        }
        if end > self.allocated {
            self.pending.truncate(before);
            return self.append_batch(payloads);
        }
        Ok(self.take_in(start, payloads))
    }

    /// Writes what [`append_later`](Self::append_later) holds, in one positional write into the
    /// space made ready for it. A write that fails there (an I/O error: the space was
    /// allocated) leaves records that have offsets but are not in the file, so the log refuses
    /// every append after them ([`LogError::Poisoned`]) rather than write past a hole.
    pub fn flush(&mut self) -> Result<(), LogError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.poisoned {
            return Err(LogError::Poisoned {
                path: self.path.clone(),
            });
        }
        let mut records = std::mem::take(&mut self.pending);
        let written = self.write_at_end(&records);
        records.clear();
        if records.capacity() <= SCRATCH_KEEP {
            self.pending = records;
        }
        match written {
            Ok(()) => {
                self.written = self.head;
                Ok(())
            }
            Err(e) => {
                self.roll_back();
                self.poisoned = true;
                tracing::error!(
                    path = %self.path.display(),
                    error = %e,
                    "logbook: records appended for later could not be written; refusing further appends"
                );
                Err(LogError::io(&self.path, e))
            }
        }
    }

    /// Every record below this offset is in the file: [`head`](Self::head) but for the
    /// records [`append_later`](Self::append_later) holds until the next flush (or lost with a
    /// flush that failed). What a sync makes durable ends here.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Refuses an append to a poisoned log, or with a payload over the limit.
    fn check(&self, payloads: &[Bytes]) -> Result<(), LogError> {
        if self.poisoned {
            return Err(LogError::Poisoned {
                path: self.path.clone(),
            });
        }
        let max = self.opts.max_record_bytes.min(FORMAT_MAX_PAYLOAD);
        if let Some((index, p)) = payloads.iter().enumerate().find(|(_, p)| p.len() > max) {
            return Err(LogError::RecordTooBig {
                index,
                len: p.len(),
                max,
            });
        }
        Ok(())
    }

    /// Ends the segment being written and begins a new one with the next offset, named for
    /// `label` (for the hub: the day it holds) and starting with `preamble` (a note the writer
    /// reads back with [`segments`](crate::segments): for the hub, what a report of that day
    /// needs from before it). Returns the new segment's first offset.
    ///
    /// The ended segment is synced first (`fdatasync`), so a segment with one after it is whole
    /// on disk and never changes again; the new one is created whole or not at all. If the
    /// segment being written holds no record yet, it is relabelled in place instead. A failure
    /// leaves the log as it was (appends go on in the old segment), unless the new segment was
    /// made but cannot be opened: then the handle refuses further appends
    /// ([`LogError::Poisoned`]) rather than write past it.
    pub fn roll(&mut self, label: u64, preamble: &[u8]) -> Result<u64, LogError> {
        if self.poisoned {
            return Err(LogError::Poisoned {
                path: self.path.clone(),
            });
        }
        self.flush()?;
        self.cut_spare().map_err(|e| LogError::io(&self.path, e))?;
        if self.head != self.segment_first {
            self.file
                .sync_data()
                .map_err(|e| LogError::io(&self.path, e))?;
        }
        let (path, len) = segment::create(&self.dir, self.epoch, self.head, Some(label), preamble)?;
        match open_for_writing(&path).and_then(|f| Ok((f, read_tail(&path, len, self.block)?))) {
            Ok((file, tail)) => (self.file, self.tail) = (file, tail),
            Err(e) => {
                self.poisoned = true;
                return Err(e);
            }
        }
        self.path = path;
        self.len = len;
        self.allocated = len;
        self.segment_first = self.head;
        self.label = Some(label);
        Ok(self.head)
    }

    /// The label of the segment being written (see [`roll`](Self::roll)).
    pub fn label(&self) -> Option<u64> {
        self.label
    }

    /// The first offset of the segment being written.
    pub fn segment_first(&self) -> u64 {
        self.segment_first
    }

    /// A second handle to the segment being written, for another thread to sync it with
    /// (`File::sync_data`) while this one goes on appending: a group commit. A roll syncs the
    /// segment it leaves itself, so only the current one needs this.
    pub fn sync_handle(&self) -> std::io::Result<std::fs::File> {
        self.file.try_clone()
    }

    /// Forces everything appended so far to stable storage (`fdatasync`). Call on shutdown and
    /// periodically; appends never do it themselves because it costs milliseconds.
    pub fn sync(&mut self) -> Result<(), LogError> {
        self.flush()?;
        self.file
            .sync_data()
            .map_err(|e| LogError::io(&self.path, e))
    }

    /// Records with `offset >= from`, oldest first, served from memory.
    ///
    /// `from == 0` is treated as 1 (the start of the stream); `from >= head()` yields nothing.
    /// If `from` is older than [`first_retained`](Self::first_retained) the reader has fallen
    /// behind what is kept and gets [`Lost`].
    pub fn read_from(&self, from: u64) -> Result<impl ExactSizeIterator<Item = &Record>, Lost> {
        let from = from.max(1);
        let first = self.first_retained();
        if from < first {
            return Err(Lost {
                first_retained: first,
            });
        }
        // `from - first` is at most `window.len()` once clamped to head, so the range is valid.
        let skip = (from.min(self.head) - first) as usize;
        Ok(self.window.range(skip..))
    }

    /// Takes the records kept in memory, oldest first, and keeps none from now on (reads from
    /// memory then find nothing; reads from disk are unchanged): for a caller that keeps its own
    /// copy of the newest records — the hub keeps them as frames ready to send — so that they
    /// are not held twice.
    pub fn take_window(&mut self) -> VecDeque<Record> {
        self.opts.retain_in_memory = 0;
        std::mem::take(&mut self.window)
    }

    /// Drops the records below `offset` from the in-memory window (after [`compact`] removed
    /// them from disk, they are not to be served from memory either): a reader asking for them
    /// gets [`Lost`]. The head does not move.
    ///
    /// [`compact`]: crate::compact
    pub fn forget_before(&mut self, offset: u64) {
        while self.window.front().is_some_and(|r| r.offset < offset) {
            self.window.pop_front();
        }
    }

    /// Streams every record of the log in `dir`, oldest first, straight from disk, from the
    /// first segment still there — for rebuilding state when the in-memory window is not
    /// enough. Read-only; safe to use while a writer appends or rolls (it reads the segments
    /// there were at the call).
    pub fn iter_all_on_disk(dir: &Path) -> Result<DiskRecords, LogError> {
        DiskRecords::open(dir, None)
    }

    /// Like [`iter_all_on_disk`](Self::iter_all_on_disk), from offset `from` on: only the
    /// segments from the one holding `from` are read. [`LogError::Compacted`] if `from` was
    /// compacted away.
    pub fn iter_on_disk_from(dir: &Path, from: u64) -> Result<DiskRecords, LogError> {
        DiskRecords::open(dir, Some(from))
    }

    /// Like [`iter_on_disk_from`](Self::iter_on_disk_from), from where an earlier reader stopped
    /// ([`DiskRecords::bookmark`]): a reader that comes back for what was logged since reads
    /// only that. A bookmark that no longer fits the log (its segment compacted away, or not
    /// holding that record there) is read as `iter_on_disk_from(mark.offset)`.
    pub fn iter_on_disk_from_bookmark(
        dir: &Path,
        mark: &Bookmark,
    ) -> Result<DiskRecords, LogError> {
        DiskRecords::open_at(dir, mark)
    }

    /// Size of the segment being written in bytes (header included), for metrics; records
    /// appended for later count once written.
    pub fn len_bytes(&self) -> u64 {
        self.len
    }

    /// The directory this log lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The segment file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options the log was opened with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// When `n` more bytes after `len` would not fit in the space made ready: zeros up to
    /// [`Options::preallocate`] past them. A disk with no room for the zeros is left as it was,
    /// and the records are written past the end of the file as they would be without them.
    ///
    /// The zeros end on a block's edge and are written in whole blocks, from the start of the
    /// block the file ended in (repeating the records' last bytes, `Logbook::tail`, when they
    /// end in that block): see [`write_at_end`](Self::write_at_end).
    fn make_room(&mut self, n: u64) -> std::io::Result<()> {
        let end = self.len + n;
        if end <= self.allocated || self.opts.preallocate == 0 {
            return Ok(());
        }
        let to = (end + self.opts.preallocate).next_multiple_of(self.block);
        let from = self.allocated - self.allocated % self.block;
        let zeroed = if from < self.len {
            // The records end in the block the file ends in: it is written whole first.
            debug_assert_eq!(from, self.len - self.tail.len() as u64);
            self.write_from_tail(&[], from + self.block)
                .and_then(|()| write_zeros(&self.file, from + self.block, to - from - self.block))
        } else {
            write_zeros(&self.file, from, to - from)
        };
        match zeroed {
            Ok(()) => self.allocated = to,
            Err(_) => self.file.set_len(self.allocated)?,
        }
        Ok(())
    }

    /// Writes `records` at `len` and moves `len` past them.
    ///
    /// The kernel takes a write to part of a block only once it has the rest of that block: when
    /// the block has left its page cache (pages no one has read for a while are reclaimed, and
    /// on some virtual machines the host has them reclaimed), it first reads the block back from
    /// the disk, and the writer — the hub's switchboard — waits for the disk, as long as the
    /// disk takes. So where the zeros made ready reach the end of the block the records end in,
    /// the write starts at the block's start (repeating `Logbook::tail`, the bytes already
    /// there) and runs to the block's end (with the zeros already there): whole blocks, which
    /// the kernel takes without reading anything. The bytes in the file are the same either way.
    fn write_at_end(&mut self, records: &[u8]) -> std::io::Result<()> {
        let end = self.len + records.len() as u64;
        let to = end.next_multiple_of(self.block);
        if to <= self.allocated {
            self.write_from_tail(records, to)?;
        } else {
            write_at(&self.file, records, self.len)?;
        }
        // The new tail: the records' last bytes in the block they end in, after the old tail
        // when they end in the same block it began.
        let keep = (end % self.block) as usize;
        if keep <= records.len() {
            self.tail.clear();
            self.tail
                .extend_from_slice(&records[records.len() - keep..]);
        } else {
            self.tail.extend_from_slice(records);
        }
        self.len = end;
        self.allocated = self.allocated.max(end);
        Ok(())
    }

    /// Writes from the start of the block the records end in up to `to` (a block's edge): the
    /// bytes already there (`tail`), then `records`, then zeros — whole blocks, which the kernel
    /// takes without reading the block back first.
    fn write_from_tail(&mut self, records: &[u8], to: u64) -> std::io::Result<()> {
        let from = self.len - self.tail.len() as u64;
        self.whole.clear();
        self.whole.extend_from_slice(&self.tail);
        self.whole.extend_from_slice(records);
        self.whole.resize((to - from) as usize, 0);
        let written = write_at(&self.file, &self.whole, from);
        if self.whole.capacity() > SCRATCH_KEEP {
            self.whole = Vec::new();
        }
        written
    }

    /// Cuts the zeros made ready off the end of the segment being written.
    fn cut_spare(&mut self) -> std::io::Result<()> {
        if self.allocated > self.len {
            self.file.set_len(self.len)?;
            self.allocated = self.len;
        }
        Ok(())
    }

    /// After a failed write: cut the file back to the last complete frame so the partial bytes
    /// cannot become mid-file corruption once later appends land after them.
    fn roll_back(&mut self) {
        self.allocated = self.len;
        if let Err(e) = self.file.set_len(self.len) {
            tracing::error!(
                path = %self.path.display(),
                error = %e,
                "logbook: could not roll back a failed append; refusing further appends"
            );
            self.poisoned = true;
        }
    }

    fn release_scratch(&mut self) {
        if self.scratch.capacity() > SCRATCH_KEEP {
            self.scratch = Vec::new();
        }
    }

    fn evict(&mut self) {
        let excess = self.window.len().saturating_sub(self.opts.retain_in_memory);
        self.window.drain(..excess);
    }
}

/// The bytes of the segment at `path` from the start of the block (of `block` bytes) that its
/// first `len` bytes end in, to `len`: the writer's `Logbook::tail`.
fn read_tail(path: &Path, len: u64, block: u64) -> Result<Vec<u8>, LogError> {
    read_exact_at(path, len - len % block, (len % block) as usize)
        .map_err(|e| LogError::io(path, e))
}

/// A segment left as it is read: its records, without the zeros made ready after them.
impl Drop for Logbook {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::error!(error = %e, "logbook: records appended for later were lost at close");
        }
        if !self.poisoned {
            if let Err(e) = self.cut_spare() {
                tracing::warn!(
                    path = %self.path.display(),
                    error = %e,
                    "logbook: could not cut the space made ready off the segment; the next open does"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>() {}

    #[test]
    fn logbook_can_move_to_the_writer_thread() {
        assert_send::<Logbook>();
        assert_send::<DiskRecords>();
    }

    #[test]
    fn a_taken_window_is_handed_over_whole_and_not_kept_again() {
        let tmp = tempfile::tempdir().unwrap();
        let mut log = Logbook::open(tmp.path(), Options::default()).unwrap();
        for p in [&b"one"[..], b"two", b"three"] {
            log.append(Bytes::copy_from_slice(p)).unwrap();
        }
        let window = log.take_window();
        let offsets: Vec<u64> = window.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, [1, 2, 3]);
        assert_eq!(&window[2].payload[..], b"three");
        log.append(Bytes::from_static(b"four")).unwrap();
        assert_eq!(
            log.first_retained(),
            5,
            "nothing is kept in memory any more"
        );
        assert!(matches!(log.read_from(4), Err(Lost { first_retained: 5 })));
        // What is on disk is unchanged, and a reopen keeps its window as asked.
        let disk: Vec<u64> = Logbook::iter_all_on_disk(tmp.path())
            .unwrap()
            .map(|r| r.unwrap().offset)
            .collect();
        assert_eq!(disk, [1, 2, 3, 4]);
        drop(log);
        let log = Logbook::open(tmp.path(), Options::default()).unwrap();
        assert_eq!(log.read_from(1).unwrap().count(), 4);
    }

    #[test]
    fn a_failed_write_that_cannot_be_rolled_back_poisons_the_handle() {
        let tmp = tempfile::tempdir().unwrap();
        let mut log = Logbook::open(tmp.path(), Options::default()).unwrap();
        log.append(Bytes::from_static(b"kept")).unwrap();
        // A read-only handle makes both the write and the rollback (ftruncate) fail, which is
        // the situation `Poisoned` exists for.
        log.file = File::open(&log.path).unwrap();
        assert!(matches!(
            log.append(Bytes::from_static(b"lost")),
            Err(LogError::Io { .. })
        ));
        assert_eq!(log.head(), 2, "a failed append hands out no offset");
        assert_eq!(log.read_from(1).unwrap().count(), 1);
        assert!(matches!(
            log.append(Bytes::from_static(b"again")),
            Err(LogError::Poisoned { .. })
        ));
        drop(log);
        let log = Logbook::open(tmp.path(), Options::default()).unwrap();
        assert_eq!(log.head(), 2);
    }

    fn on_disk(dir: &Path) -> Vec<u64> {
        Logbook::iter_all_on_disk(dir)
            .unwrap()
            .map(|r| r.unwrap().offset)
            .collect()
    }

    #[test]
    fn records_appended_for_later_are_served_at_once_and_reach_the_file_in_order_at_the_flush() {
        let tmp = tempfile::tempdir().unwrap();
        let mut log = Logbook::open(tmp.path(), Options::default()).unwrap();
        assert_eq!(
            log.append_later(&[Bytes::from_static(b"one")]).unwrap(),
            1..2
        );
        let two = [Bytes::from_static(b"two"), Bytes::from_static(b"three")];
        assert_eq!(log.append_later(&two).unwrap(), 2..4);
        assert_eq!(log.head(), 4);
        assert_eq!(
            log.read_from(1).unwrap().count(),
            3,
            "served from memory at once"
        );
        assert!(
            on_disk(tmp.path()).is_empty(),
            "not written before the flush"
        );
        assert_eq!(log.written(), 1);
        log.flush().unwrap();
        assert_eq!(log.written(), 4);
        assert_eq!(on_disk(tmp.path()), [1, 2, 3]);
        // An append written at once first writes what waits, so the file keeps the order.
        log.append_later(&[Bytes::from_static(b"four")]).unwrap();
        log.append(Bytes::from_static(b"five")).unwrap();
        assert_eq!(on_disk(tmp.path()), [1, 2, 3, 4, 5]);
        // A sync writes what waits too; so does closing.
        log.append_later(&[Bytes::from_static(b"six")]).unwrap();
        log.sync().unwrap();
        assert_eq!(on_disk(tmp.path()), [1, 2, 3, 4, 5, 6]);
        log.append_later(&[Bytes::from_static(b"seven")]).unwrap();
        drop(log);
        let log = Logbook::open(tmp.path(), Options::default()).unwrap();
        assert_eq!(log.head(), 8);
        let payloads: Vec<Vec<u8>> = log
            .read_from(6)
            .unwrap()
            .map(|r| r.payload.to_vec())
            .collect();
        assert_eq!(payloads, [b"six".to_vec(), b"seven".to_vec()]);
    }

    #[test]
    fn records_that_do_not_fit_the_space_made_ready_are_written_at_once() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = Options {
            preallocate: 0,
            ..Options::default()
        };
        let mut log = Logbook::open(tmp.path(), opts).unwrap();
        log.append_later(&[Bytes::from_static(b"now")]).unwrap();
        assert_eq!(
            on_disk(tmp.path()),
            [1],
            "no space made ready: nothing waits"
        );
    }

    #[test]
    fn a_flush_that_fails_poisons_the_handle_and_the_log_keeps_what_was_written() {
        let tmp = tempfile::tempdir().unwrap();
        let mut log = Logbook::open(tmp.path(), Options::default()).unwrap();
        log.append(Bytes::from_static(b"kept")).unwrap();
        log.append_later(&[Bytes::from_static(b"lost")]).unwrap();
        log.file = File::open(&log.path).unwrap();
        assert!(matches!(log.flush(), Err(LogError::Io { .. })));
        assert_eq!(
            (log.head(), log.written()),
            (3, 2),
            "the lost record is not in the file"
        );
        assert!(matches!(
            log.append_later(&[Bytes::from_static(b"after")]),
            Err(LogError::Poisoned { .. })
        ));
        drop(log);
        let log = Logbook::open(tmp.path(), Options::default()).unwrap();
        assert_eq!(log.head(), 2, "only what was written is in the log");
    }
}
