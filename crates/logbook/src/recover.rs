//! Reading the file back: the frame scanner shared by [`Logbook::open`](crate::Logbook::open)
//! (which recovers and may truncate) and [`Logbook::iter_all_on_disk`](crate::Logbook::iter_all_on_disk)
//! (which only reads).
//!
//! The one judgement made here is *torn tail* versus *corruption*:
//!
//! - A crash (kill -9, or power loss before [`sync`](crate::Logbook::sync)) can only damage the
//!   end of the file: a partial frame, a last frame whose checksum fails, or — after power loss
//!   on filesystems that extend the file size before the data lands — a run of zero bytes. None
//!   of that was ever acknowledged as durable, so it is cut away.
//! - A bad frame with real data after it cannot come from a crash of an append-only writer. That
//!   is damage to records that were already accepted, and we refuse to guess: the caller gets
//!   [`LogError::Corrupt`] with the byte position.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::LogError;
use crate::file::{HEADER_LEN, log_path, read_header};
use crate::record::{FRAME_HEADER_LEN, FrameHeader, Record, checksum};

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

/// Walks the frames of a log file, checking each one, and reports how the file ends.
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
}

impl<R: Read> Scanner<R> {
    /// `reader` must be positioned just after the file header.
    pub(crate) fn new(reader: R, path: PathBuf, file_len: u64) -> Self {
        Scanner {
            reader,
            path,
            pos: HEADER_LEN as u64,
            file_len,
            next_offset: 1,
            tail: None,
            failed: false,
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
        self.read_exact(&mut hbuf)?;
        let hdr = FrameHeader::decode(&hbuf);
        let frame_len = FRAME_HEADER_LEN as u64 + u64::from(hdr.len);
        if frame_len > remaining {
            // An interrupted write, or a damaged length field with good records after it: only
            // the second leaves a whole, checksummed record further on.
            if let Some((at, offset)) = self.record_further_on(&hbuf, remaining)? {
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
        self.read_exact(&mut payload)?;
        let end = self.pos + frame_len;

        if checksum(hdr.offset, &payload) != hdr.crc {
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

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), LogError> {
        self.reader.read_exact(buf).map_err(|e| {
            // The length was checked against the file size, so EOF here means the file shrank
            // under us (someone else truncating it): report it as the I/O problem it is.
            LogError::io(&self.path, e)
        })
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
        self.read_exact(&mut bytes[start..])?;
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
            self.read_exact(chunk)?;
            if chunk.iter().any(|&b| b != 0) {
                return Ok(false);
            }
            left -= want as u64;
        }
        Ok(true)
    }
}

/// What [`recover`] hands to `Logbook::open`.
pub(crate) struct Recovered {
    pub epoch: u64,
    /// The newest `retain` records.
    pub window: VecDeque<Record>,
    /// Offset for the next append.
    pub head: u64,
    /// File length after any truncation.
    pub len: u64,
}

/// Reads the whole log at `path`, keeps the newest `retain` records, and cuts off a torn tail.
pub(crate) fn recover(path: &Path, retain: usize) -> Result<Recovered, LogError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| LogError::io(path, e))?;
    let file_len = file.metadata().map_err(|e| LogError::io(path, e))?.len();
    let mut reader = BufReader::with_capacity(256 * 1024, &file);
    let epoch = read_header(&mut reader, path)?;

    let mut scanner = Scanner::new(reader, path.to_owned(), file_len);
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

    if let Some(Tail::Torn { position, reason }) = scanner.tail() {
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
        epoch,
        window,
        head,
        len: valid_len,
    })
}

/// Streaming, read-only replay of every record on disk, oldest first.
///
/// Made by [`Logbook::iter_all_on_disk`](crate::Logbook::iter_all_on_disk). It reads the file
/// as it was when the iterator was created, never modifies it, and simply stops at a torn tail
/// (which is also what a record still being written by a live writer looks like). Corruption in
/// the middle is yielded as one `Err(LogError::Corrupt)`, after which the iterator ends.
pub struct DiskRecords {
    epoch: u64,
    scanner: Scanner<BufReader<File>>,
}

impl DiskRecords {
    pub(crate) fn open(dir: &Path) -> Result<Self, LogError> {
        let path = log_path(dir);
        let mut file = File::open(&path).map_err(|e| LogError::io(&path, e))?;
        let file_len = file.metadata().map_err(|e| LogError::io(&path, e))?.len();
        let epoch = read_header(&mut file, &path)?;
        // read_header consumed exactly the header on success; seek anyway so the scanner's
        // idea of the position can never drift from the file's.
        file.seek(SeekFrom::Start(HEADER_LEN as u64))
            .map_err(|e: io::Error| LogError::io(&path, e))?;
        let reader = BufReader::with_capacity(256 * 1024, file);
        Ok(DiskRecords {
            epoch,
            scanner: Scanner::new(reader, path, file_len),
        })
    }

    /// The epoch from the file header.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
}

impl Iterator for DiskRecords {
    type Item = Result<Record, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.scanner.next_record().transpose()
    }
}

impl std::fmt::Debug for DiskRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskRecords")
            .field("epoch", &self.epoch)
            .field("position", &self.scanner.valid_len())
            .finish_non_exhaustive()
    }
}
