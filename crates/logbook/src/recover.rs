//! Reading segments back: the frame scanner shared by [`Logbook::open`](crate::Logbook::open)
//! (which recovers the segment being written and may truncate it), [`DiskRecords`] (which only
//! reads, across segments), [`check`](crate::check) and [`backup`](crate::backup).
//!
//! The one judgement made here is *torn tail* versus *corruption*:
//!
//! - Zeros after the last record end the records: the space the writer makes ready ahead of
//!   them ([`Options::preallocate`](crate::Options::preallocate)), which a crash leaves in place
//!   and the next open cuts off. No record is all zeros: a record's offset is never 0.
//! - A crash (kill -9, or power loss before [`sync`](crate::Logbook::sync)) can only damage the
//!   end of the segment being written: a partial frame, or a last frame whose checksum fails,
//!   followed by nothing or by zeros. None of that was ever acknowledged as durable, so it is
//!   cut away.
//! - A reader of the segment being written may meet a record the writer is still writing over
//!   the zeros, half there, with the writer's later records already after it. So a record
//!   that fails its checksum, or zeros followed by data, are read once more before they count
//!   as damage.
//! - A bad frame with real data after it cannot come from a crash of an append-only writer. That
//!   is damage to records that were already accepted, and we refuse to guess: the caller gets
//!   [`LogError::Corrupt`] with the byte position. So is any end but a clean one of a *sealed*
//!   segment (one with a segment after it): it was fsynced before the next one was begun.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::LogError;
use crate::record::{FRAME_HEADER_LEN, FrameHeader, Record, checksum};
use crate::segment::{Segment, segments};

/// How far past a damaged length field the scan looks for a whole record (64 MiB): enough to
/// find the next record after any damaged one, bounded so a damaged file cannot take all memory.
const RESYNC_WINDOW: u64 = 64 * 1024 * 1024;
/// How many offsets past the damaged record a record found further on may carry.
const RESYNC_OFFSETS: u64 = 1_000_000;

/// How the scan ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tail {
    /// The last frame ended exactly at the end of the file.
    Clean,
    /// Bytes from `position` to the end of the file are the remains of an interrupted write.
    Torn { position: u64, reason: String },
}

/// Walks the frames of one segment file, checking each one, and reports how the file ends.
pub(crate) struct Scanner<R> {
    reader: R,
    path: PathBuf,
    /// Byte position of the next frame (= end of the valid prefix so far).
    pos: u64,
    /// File length when the scan started; bytes appended later are not looked at.
    file_len: u64,
    /// The offset the next frame must carry.
    next_offset: u64,
    /// Set once the scan is over (clean end or torn tail). Stays `None` after an error, but
    /// `failed` stops the scan.
    tail: Option<Tail>,
    failed: bool,
    /// Byte position of the record last returned.
    last_pos: u64,
    /// The frame at `pos` is being read a second time (see [`Scanner::read_again`]).
    reading_again: bool,
}

impl<R: Read + Seek> Scanner<R> {
    /// `reader` must be positioned at `start` (just after the segment's header), whose first
    /// record is `first`.
    pub(crate) fn new(reader: R, path: PathBuf, start: u64, file_len: u64, first: u64) -> Self {
        Scanner {
            reader,
            path,
            pos: start,
            file_len: file_len.max(start),
            next_offset: first,
            tail: None,
            failed: false,
            last_pos: start,
            reading_again: false,
        }
    }

    pub(crate) fn tail(&self) -> Option<&Tail> {
        self.tail.as_ref()
    }

    /// End of the valid prefix: where appends continue after recovery.
    pub(crate) fn valid_len(&self) -> u64 {
        self.pos
    }

    /// The offset the next record appended after the valid prefix gets.
    pub(crate) fn next_offset(&self) -> u64 {
        self.next_offset
    }

    /// The file's length when the scan began: bytes after it are not looked at.
    pub(crate) fn file_len(&self) -> u64 {
        self.file_len
    }

    /// Byte position of the record last returned.
    pub(crate) fn last_position(&self) -> u64 {
        self.last_pos
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The next valid record, `Ok(None)` once the (clean or torn) end is reached.
    pub(crate) fn next_record(&mut self) -> Result<Option<Record>, LogError> {
        if self.tail.is_some() || self.failed {
            return Ok(None);
        }
        match self.step() {
            Ok(r) => Ok(r),
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }

    fn step(&mut self) -> Result<Option<Record>, LogError> {
        let remaining = self.file_len - self.pos;
        if remaining == 0 {
            self.tail = Some(Tail::Clean);
            return Ok(None);
        }
        if remaining < FRAME_HEADER_LEN as u64 {
            return self.torn(format!(
                "partial frame header ({remaining} of {FRAME_HEADER_LEN} bytes)"
            ));
        }
        let mut hbuf = [0u8; FRAME_HEADER_LEN];
        if !self.read_unless_cut(&mut hbuf)? {
            // The writer cut the zeros after its last record off while we read.
            self.tail = Some(Tail::Clean);
            return Ok(None);
        }
        if hbuf == [0; FRAME_HEADER_LEN] {
            if self.rest_is_zero(remaining - FRAME_HEADER_LEN as u64)? {
                self.tail = Some(Tail::Clean);
                return Ok(None);
            }
            // Data after the zeros: a record written since they were read, or damage.
            if let Some(again) = self.read_again() {
                return again;
            }
            self.seek_to(self.pos + FRAME_HEADER_LEN as u64)?;
        }
        let hdr = FrameHeader::decode(&hbuf);
        let frame_len = FRAME_HEADER_LEN as u64 + u64::from(hdr.len);
        if frame_len > remaining {
            // An interrupted write, or a damaged length field with good records after it: only
            // the second leaves a whole, checksummed record further on.
            if let Some((at, offset)) = self.record_further_on(&hbuf, remaining)? {
                if let Some(again) = self.read_again() {
                    return again;
                }
                return Err(LogError::Corrupt {
                    path: self.path.clone(),
                    position: self.pos,
                    detail: format!(
                        "the record expected to hold offset {} claims {frame_len} bytes, past the end of the file, yet a whole record (offset {offset}) starts at byte {at} after it: the record was damaged, not cut short by a crash",
                        self.next_offset
                    ),
                });
            }
            return self.torn(format!(
                "frame of {frame_len} bytes runs past the end of the file ({remaining} bytes left)"
            ));
        }
        // Bounded by the file length checked just above, so a garbage length cannot make us
        // allocate more than the file holds.
        let mut payload = vec![0u8; hdr.len as usize];
        if !self.read_unless_cut(&mut payload)? {
            return self.torn("the file was cut short while the record was read".into());
        }
        let end = self.pos + frame_len;

        if checksum(hdr.offset, &payload) != hdr.crc {
            if end < self.file_len {
                if let Some(again) = self.read_again() {
                    return again;
                }
            }
            if end == self.file_len {
                return self.torn("checksum mismatch on the last record".into());
            }
            if self.rest_is_zero(self.file_len - end)? {
                return self.torn(
                    "checksum mismatch followed only by zero bytes (blocks never written before a power loss)"
                        .into(),
                );
            }
            return Err(LogError::Corrupt {
                path: self.path.clone(),
                position: self.pos,
                detail: format!(
                    "record expected to hold offset {} fails its checksum and {} bytes of data follow it",
                    self.next_offset,
                    self.file_len - end
                ),
            });
        }
        if hdr.offset != self.next_offset {
            return Err(LogError::Corrupt {
                path: self.path.clone(),
                position: self.pos,
                detail: format!(
                    "record carries offset {} where offset {} was expected",
                    hdr.offset, self.next_offset
                ),
            });
        }
        self.last_pos = self.pos;
        self.pos = end;
        self.next_offset += 1;
        Ok(Some(Record {
            offset: hdr.offset,
            payload: Bytes::from(payload),
        }))
    }

    fn torn(&mut self, reason: String) -> Result<Option<Record>, LogError> {
        self.tail = Some(Tail::Torn {
            position: self.pos,
            reason,
        });
        Ok(None)
    }

    /// The frame at `pos` read once more, from the file as it is now, when it has not been
    /// yet: a reader of the segment being written may have met a record half written, with
    /// the writer's next ones after it by the time it looked further. `None` on the second
    /// reading, which stands.
    fn read_again(&mut self) -> Option<Result<Option<Record>, LogError>> {
        if self.reading_again {
            return None;
        }
        if let Err(e) = self.seek_to(self.pos) {
            return Some(Err(e));
        }
        self.reading_again = true;
        let again = self.step();
        self.reading_again = false;
        Some(again)
    }

    /// Reads on from byte `pos` of the file, as it is now (what was buffered is dropped).
    fn seek_to(&mut self, pos: u64) -> Result<(), LogError> {
        self.reader
            .seek(SeekFrom::Start(pos))
            .map(drop)
            .map_err(|e| LogError::io(&self.path, e))
    }

    /// Fills `buf`; `false` when the file ends first. The length was checked against the file's
    /// size, so the file was cut shorter while it was read: by its writer, cutting off the
    /// zeros it had made ready after its records (a roll, or the writer closing).
    fn read_unless_cut(&mut self, buf: &mut [u8]) -> Result<bool, LogError> {
        match self.reader.read_exact(buf) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
            Err(e) => Err(LogError::io(&self.path, e)),
        }
    }

    /// After a frame header `hbuf` whose length runs past the end: the byte position and offset
    /// of a whole, checksummed record that starts somewhere in the `remaining` bytes from the
    /// bad header on, if there is one. Only the first [`RESYNC_WINDOW`] bytes are looked at.
    fn record_further_on(
        &mut self,
        hbuf: &[u8; FRAME_HEADER_LEN],
        remaining: u64,
    ) -> Result<Option<(u64, u64)>, LogError> {
        let after = (remaining - FRAME_HEADER_LEN as u64).min(RESYNC_WINDOW);
        let mut bytes = hbuf.to_vec();
        let start = bytes.len();
        bytes.resize(start + after as usize, 0);
        if !self.read_unless_cut(&mut bytes[start..])? {
            return Ok(None);
        }
        let plausible = self.next_offset + 1..=self.next_offset + RESYNC_OFFSETS;
        for at in 1..bytes.len().saturating_sub(FRAME_HEADER_LEN) {
            let hdr = FrameHeader::decode(
                bytes[at..at + FRAME_HEADER_LEN]
                    .try_into()
                    .expect("a header's worth of bytes"),
            );
            if !plausible.contains(&hdr.offset) {
                continue;
            }
            let body = at + FRAME_HEADER_LEN;
            let Some(payload) = bytes.get(body..body + hdr.len as usize) else {
                continue;
            };
            if checksum(hdr.offset, payload) == hdr.crc {
                return Ok(Some((self.pos + at as u64, hdr.offset)));
            }
        }
        Ok(None)
    }

    /// Whether the next `n` bytes of the file are all zero.
    fn rest_is_zero(&mut self, n: u64) -> Result<bool, LogError> {
        let mut left = n;
        let mut buf = vec![0u8; 64 * 1024];
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let chunk = &mut buf[..want];
            if !self.read_unless_cut(chunk)? {
                // Cut off by the writer while we read: zeros it made ready and took back.
                return Ok(true);
            }
            if chunk.iter().any(|&b| b != 0) {
                return Ok(false);
            }
            left -= want as u64;
        }
        Ok(true)
    }
}

/// A scanner over the records of `segment`, read from the file as it is now.
pub(crate) fn scan(segment: &Segment) -> Result<Scanner<BufReader<File>>, LogError> {
    scan_from(segment, segment.header_len, segment.first)
}

/// A scanner over the records of `segment` from byte `position`, where record `offset` starts.
fn scan_from(
    segment: &Segment,
    position: u64,
    offset: u64,
) -> Result<Scanner<BufReader<File>>, LogError> {
    let path = &segment.path;
    let mut file = File::open(path).map_err(|e| LogError::io(path, e))?;
    let file_len = file.metadata().map_err(|e| LogError::io(path, e))?.len();
    file.seek(SeekFrom::Start(position))
        .map_err(|e: io::Error| LogError::io(path, e))?;
    Ok(Scanner::new(
        BufReader::with_capacity(256 * 1024, file),
        path.clone(),
        position,
        file_len,
        offset,
    ))
}

/// Whether `mark.position` of `segment` starts record `mark.offset`, or nothing whole yet (the
/// end of the file, or the zeros made ready after the last record).
fn holds_at(segment: &Segment, mark: &Bookmark) -> Result<bool, LogError> {
    let path = &segment.path;
    let mut file = File::open(path).map_err(|e| LogError::io(path, e))?;
    file.seek(SeekFrom::Start(mark.position))
        .map_err(|e| LogError::io(path, e))?;
    let mut hbuf = [0u8; FRAME_HEADER_LEN];
    match file.read_exact(&mut hbuf) {
        Ok(()) => {
            Ok(hbuf == [0; FRAME_HEADER_LEN] || FrameHeader::decode(&hbuf).offset == mark.offset)
        }
        // No whole record there yet: the scanner reads what there is.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(true),
        Err(e) => Err(LogError::io(path, e)),
    }
}

/// The error for a sealed segment whose records do not end where the next segment begins.
pub(crate) fn unsealed_end(
    path: &Path,
    position: u64,
    reached: u64,
    next_first: u64,
    reason: &str,
) -> LogError {
    if reached < next_first {
        LogError::Corrupt {
            path: path.to_owned(),
            position,
            detail: format!(
                "the segment's records stop at offset {} ({reason}) but the next segment starts at offset {next_first}: offsets {reached}..{} are missing",
                reached.saturating_sub(1),
                next_first - 1
            ),
        }
    } else {
        LogError::Corrupt {
            path: path.to_owned(),
            position,
            detail: format!(
                "the segment holds records up to offset {} but the next segment starts at offset {next_first}",
                reached - 1
            ),
        }
    }
}

/// The newest `keep` records of a sealed segment, which must end exactly where `next_first`
/// begins.
pub(crate) fn tail_of_sealed(
    segment: &Segment,
    next_first: u64,
    keep: usize,
) -> Result<VecDeque<Record>, LogError> {
    let mut scanner = scan(segment)?;
    let mut kept = VecDeque::new();
    while let Some(rec) = scanner.next_record()? {
        if kept.len() == keep {
            kept.pop_front();
        }
        if keep > 0 {
            kept.push_back(rec);
        }
    }
    check_sealed_end(&scanner, next_first)?;
    Ok(kept)
}

/// A sealed segment must end cleanly, with the offset the next segment starts at.
pub(crate) fn check_sealed_end<R>(scanner: &Scanner<R>, next_first: u64) -> Result<(), LogError> {
    let reached = scanner.next_offset;
    match &scanner.tail {
        Some(Tail::Clean) if reached == next_first => Ok(()),
        Some(Tail::Clean) => Err(unsealed_end(
            &scanner.path,
            scanner.pos,
            reached,
            next_first,
            "the file ends there",
        )),
        Some(Tail::Torn { position, reason }) => Err(unsealed_end(
            &scanner.path,
            *position,
            reached,
            next_first,
            reason,
        )),
        None => Ok(()),
    }
}

/// What [`recover`] hands to `Logbook::open`.
pub(crate) struct Recovered {
    /// The newest `retain` records of the segment.
    pub window: VecDeque<Record>,
    /// Offset for the next append.
    pub head: u64,
    /// File length after any truncation.
    pub len: u64,
}

/// Reads the whole segment being written, keeps its newest `retain` records, and cuts off a
/// torn tail.
pub(crate) fn recover(segment: &Segment, retain: usize) -> Result<Recovered, LogError> {
    let path = &segment.path;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| LogError::io(path, e))?;
    let file_len = file.metadata().map_err(|e| LogError::io(path, e))?.len();
    let mut reader = BufReader::with_capacity(256 * 1024, &file);
    reader
        .seek(SeekFrom::Start(segment.header_len))
        .map_err(|e| LogError::io(path, e))?;

    let mut scanner = Scanner::new(
        reader,
        path.to_owned(),
        segment.header_len,
        file_len,
        segment.first,
    );
    let mut window = VecDeque::new();
    while let Some(rec) = scanner.next_record()? {
        if retain == 0 {
            continue;
        }
        if window.len() == retain {
            window.pop_front();
        }
        window.push_back(rec);
    }
    let valid_len = scanner.valid_len();
    let head = scanner.next_offset();

    if valid_len < file_len && scanner.tail() == Some(&Tail::Clean) {
        // Zeros made ready for records that a crash left: cut off, and made again by the
        // writer as it needs them.
        drop(scanner);
        file.set_len(valid_len).map_err(|e| LogError::io(path, e))?;
        file.sync_all().map_err(|e| LogError::io(path, e))?;
    } else if let Some(Tail::Torn { position, reason }) = scanner.tail() {
        tracing::warn!(
            path = %path.display(),
            position,
            dropped_bytes = file_len - position,
            next_offset = head,
            reason = %reason,
            "logbook: truncating torn tail left by an interrupted write"
        );
        drop(scanner);
        file.set_len(valid_len).map_err(|e| LogError::io(path, e))?;
        // Make the cut durable before anything is appended after it, so a later power loss
        // cannot resurrect the torn bytes in front of new records.
        file.sync_all().map_err(|e| LogError::io(path, e))?;
    }

    Ok(Recovered {
        window,
        head,
        len: valid_len,
    })
}

/// Streaming, read-only replay of the records on disk, oldest first, across segments.
///
/// Made by [`Logbook::iter_all_on_disk`](crate::Logbook::iter_all_on_disk) and
/// [`Logbook::iter_on_disk_from`](crate::Logbook::iter_on_disk_from). It reads the segments
/// listed when it was made, each as it is when the reader gets to it, never modifies them, and
/// simply stops at a torn tail of the last one (which is also what a record still being written
/// by a live writer looks like). Damage — in a record, or a sealed segment that does not end
/// where the next begins — is yielded as one `Err`, after which the iterator ends.
pub struct DiskRecords {
    epoch: u64,
    /// Segments still to read, oldest first.
    ahead: VecDeque<Segment>,
    /// The segment being read, and the first offset of the one after it (if any).
    current: Option<(Scanner<BufReader<File>>, Option<u64>)>,
    /// Records below this are skipped.
    from: u64,
    failed: bool,
}

/// Where a reader of the log on disk stopped: the segment file it was reading, the byte position
/// of the record it would read next, and that record's offset. A reader that keeps it reads on
/// from there later ([`Logbook::iter_on_disk_from_bookmark`](crate::Logbook::iter_on_disk_from_bookmark))
/// without reading the segment again from its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub path: PathBuf,
    pub position: u64,
    pub offset: u64,
}

impl DiskRecords {
    /// Every record from where `mark` says, when the segment it names is still there and holds
    /// the record it says at that position (or nothing yet); otherwise from `mark.offset` found
    /// from the start of its segment.
    pub(crate) fn open_at(dir: &Path, mark: &Bookmark) -> Result<Self, LogError> {
        let mut list: VecDeque<Segment> = segments(dir)?.into();
        let Some(at) = list.iter().position(|s| s.path == mark.path) else {
            return DiskRecords::open(dir, Some(mark.offset));
        };
        let segment = &list[at];
        if mark.position < segment.header_len || !holds_at(segment, mark)? {
            return DiskRecords::open(dir, Some(mark.offset));
        }
        let epoch = list[0].epoch;
        let segment = list.drain(..=at).last().expect("the bookmarked segment");
        let next_first = list.front().map(|s| s.first);
        let scanner = scan_from(&segment, mark.position, mark.offset)?;
        Ok(DiskRecords {
            epoch,
            ahead: list,
            current: Some((scanner, next_first)),
            from: mark.offset,
            failed: false,
        })
    }

    /// Where this reader stopped (see [`Bookmark`]); `None` before it read from any segment.
    pub fn bookmark(&self) -> Option<Bookmark> {
        self.current.as_ref().map(|(s, _)| Bookmark {
            path: s.path().to_owned(),
            position: s.valid_len(),
            offset: s.next_offset(),
        })
    }

    /// Every record from `from` on (`None`: from the first on disk).
    pub(crate) fn open(dir: &Path, from: Option<u64>) -> Result<Self, LogError> {
        let mut list: VecDeque<Segment> = segments(dir)?.into();
        let Some(oldest) = list.front() else {
            return Err(LogError::io(
                dir,
                io::Error::new(io::ErrorKind::NotFound, "there is no log in this folder"),
            ));
        };
        let epoch = oldest.epoch;
        let first_on_disk = oldest.first;
        let from = match from {
            Some(from) if from.max(1) < first_on_disk => {
                return Err(LogError::Compacted {
                    requested: from,
                    first_on_disk,
                });
            }
            Some(from) => from.max(1),
            None => first_on_disk,
        };
        // Start at the segment that holds `from`.
        while list.len() > 1 && list[1].first <= from {
            list.pop_front();
        }
        Ok(DiskRecords {
            epoch,
            ahead: list,
            current: None,
            from,
            failed: false,
        })
    }

    /// The log's epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The segment file being read and the byte position of the record last returned.
    pub fn position(&self) -> Option<(&Path, u64)> {
        self.current
            .as_ref()
            .map(|(s, _)| (s.path(), s.last_position()))
    }

    fn step(&mut self) -> Result<Option<Record>, LogError> {
        loop {
            if self.current.is_none() {
                let Some(segment) = self.ahead.pop_front() else {
                    return Ok(None);
                };
                let next_first = self.ahead.front().map(|s| s.first);
                self.current = Some((scan(&segment)?, next_first));
            }
            let (scanner, next_first) = self.current.as_mut().expect("a segment being read");
            match scanner.next_record()? {
                Some(r) if r.offset < self.from => continue,
                Some(r) => return Ok(Some(r)),
                None => {
                    if let Some(next_first) = *next_first {
                        check_sealed_end(scanner, next_first)?;
                        self.current = None;
                    } else {
                        return Ok(None);
                    }
                }
            }
        }
    }
}

impl Iterator for DiskRecords {
    type Item = Result<Record, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.step() {
            Ok(r) => r.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

impl std::fmt::Debug for DiskRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskRecords")
            .field("epoch", &self.epoch)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::record::encode_into;

    /// A segment as a reader of a live one sees it: `before` until the reader seeks, then
    /// `after` — the writer finished its write in between.
    struct Live {
        before: Cursor<Vec<u8>>,
        after: Cursor<Vec<u8>>,
        sought: bool,
    }

    impl Read for Live {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.sought {
                self.after.read(buf)
            } else {
                self.before.read(buf)
            }
        }
    }

    impl Seek for Live {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.sought = true;
            self.after.seek(to)
        }
    }

    fn records(payloads: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for (offset, p) in (1..).zip(payloads) {
            encode_into(&mut out, offset, p);
        }
        out
    }

    fn scanner(before: Vec<u8>, after: Vec<u8>) -> Scanner<Live> {
        let len = after.len() as u64;
        let live = Live {
            before: Cursor::new(before),
            after: Cursor::new(after),
            sought: false,
        };
        Scanner::new(live, PathBuf::from("segment"), 0, len, 1)
    }

    fn offsets(s: &mut Scanner<Live>) -> Result<Vec<u64>, LogError> {
        let mut seen = Vec::new();
        while let Some(r) = s.next_record()? {
            seen.push(r.offset);
        }
        Ok(seen)
    }

    #[test]
    fn a_record_met_half_written_with_the_next_after_it_is_read_again() {
        let whole = records(&[b"one", b"two", b"three"]);
        // The reader met record 2's payload still zeros, and record 3 already there.
        let mut half = whole.clone();
        let second = FRAME_HEADER_LEN + 3;
        half[second + FRAME_HEADER_LEN..second + FRAME_HEADER_LEN + 3].fill(0);
        let mut s = scanner(half, whole);
        assert_eq!(offsets(&mut s).unwrap(), [1, 2, 3]);
        assert_eq!(s.tail(), Some(&Tail::Clean));
    }

    #[test]
    fn a_record_met_as_zeros_with_the_next_after_it_is_read_again() {
        let mut whole = records(&[b"one", b"two", b"three"]);
        let mut zeros = whole.clone();
        zeros[FRAME_HEADER_LEN + 3..].fill(0);
        zeros.truncate(whole.len());
        // Record 3 was there when the reader looked past the zeros.
        let third = 2 * FRAME_HEADER_LEN + 6;
        zeros[third..].copy_from_slice(&whole[third..]);
        whole.extend_from_slice(&[0; 64]);
        zeros.extend_from_slice(&[0; 64]);
        let mut s = scanner(zeros, whole);
        assert_eq!(offsets(&mut s).unwrap(), [1, 2, 3]);
        assert_eq!(s.tail(), Some(&Tail::Clean));
    }

    #[test]
    fn a_record_damaged_both_times_it_is_read_is_damage() {
        let mut damaged = records(&[b"one", b"two", b"three"]);
        damaged[2 * FRAME_HEADER_LEN + 3 + 1] ^= 0xff;
        let mut s = scanner(damaged.clone(), damaged);
        match offsets(&mut s) {
            Err(LogError::Corrupt { position, .. }) => {
                assert_eq!(position, (FRAME_HEADER_LEN + 3) as u64)
            }
            other => panic!("expected Corrupt at record 2, got {other:?}"),
        }
    }

    #[test]
    fn zeros_after_the_last_record_end_the_records() {
        let mut ready = records(&[b"one", b"two"]);
        let records_end = ready.len() as u64;
        ready.extend_from_slice(&[0; 4096]);
        let mut s = scanner(ready.clone(), ready);
        assert_eq!(offsets(&mut s).unwrap(), [1, 2]);
        assert_eq!(s.tail(), Some(&Tail::Clean));
        assert_eq!(s.valid_len(), records_end);
    }
}
