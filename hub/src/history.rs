//! The hub's side of the event log: each event is encoded once per codec when it is logged, and
//! the same bytes go to every tablet that may see it — live, and again on a resume.
//!
//! The MessagePack frame *is* the record written to the logbook, and the history keeps the newest
//! events for resumes itself (the logbook's own window is taken over at opening), so each event's
//! bytes are held in memory once. The log is written one segment per day of the site (the
//! segment's label is the day, its preamble the report's seed; see `switchboard`), and read back
//! from a checkpoint's offset on ([`History::replay`]).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use logbook::{Bytes, LogError, Logbook, Lost, Options};
use protocol::{Codec, Event, EventKind, ServerFrame, Station};

use crate::audience::Audience;
use crate::line::{Framed, Press};

/// How many of the newest events keep their JSON frame too; older ones keep only their
/// MessagePack frame (the log's own record), and a tablet speaking JSON that resumes from
/// further back has theirs made again. Memory per event kept stays small.
const JSON_KEPT: usize = 1024;

/// The chunks records are made in (see [`Press`]): about 400 events each.
const RECORDS_CHUNK: usize = 64 * 1024;

/// The chunks the newest events' JSON frames are made in: [`JSON_KEPT`] of them fit in a few.
const TEXTS_CHUNK: usize = 16 * 1024;

/// One event just logged, with its frame in each codec: what the switchboard fans out.
#[derive(Clone, Debug)]
pub struct Served {
    pub offset: u64,
    pub audience: Audience,
    binary: Framed,
    text: Framed,
}

impl Served {
    /// Encodes a new event in both codecs, each frame into its press's chunk; hands the event
    /// back (it is framed without a copy of it).
    fn encode(
        event: Event,
        records: &mut Press,
        texts: &mut Press,
    ) -> Result<(Event, Served), HistoryError> {
        let frame = ServerFrame::Event(event);
        let made = records
            .framed(&frame)
            .and_then(|binary| Ok((binary, texts.framed(&frame)?)));
        let ServerFrame::Event(event) = frame else {
            unreachable!("the frame was made from an event just above")
        };
        let (binary, text) = made.map_err(|e| HistoryError::Encode(e.to_string()))?;
        let served = Served {
            offset: event.offset,
            audience: Audience::of(&event.what),
            binary,
            text,
        };
        Ok((event, served))
    }

    /// The frame for a tablet speaking `codec`: a cheap clone of shared bytes.
    pub fn framed(&self, codec: Codec) -> Framed {
        self.frame(codec).clone()
    }

    /// The frame for a tablet speaking `codec`.
    pub fn frame(&self, codec: Codec) -> &Framed {
        match codec {
            Codec::MsgPack => &self.binary,
            Codec::Json => &self.text,
        }
    }
}

/// One event kept for resumes: whom it is for and its MessagePack encoding, which is the log's
/// record itself (its WebSocket header is made again when it is sent; its offset is its place
/// in [`History::kept`]). The newest [`JSON_KEPT`] have their JSON frame in [`History::json`].
#[derive(Debug)]
struct Kept {
    audience: Audience,
    record: Bytes,
}

impl Kept {
    /// The event's JSON frame, made again from its record (for an event older than the newest
    /// [`JSON_KEPT`]).
    fn json_again(&self, offset: u64) -> Framed {
        decode(offset, &self.record)
            .and_then(|event| json(&ServerFrame::Event(event)))
            .unwrap_or_else(|e| {
                // The record was read back whole once already; this is not expected.
                tracing::error!("cannot make event {offset}'s JSON frame again: {e}");
                Framed::binary(self.record.clone())
            })
    }
}

/// An event's JSON frame.
fn json(frame: &ServerFrame) -> Result<Framed, HistoryError> {
    let json = Codec::Json
        .encode(frame)
        .map_err(|e| HistoryError::Encode(e.to_string()))?;
    Ok(Framed::text(json))
}

/// Why the history could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The log file failed; see the inner error for what to do.
    #[error(transparent)]
    Log(#[from] LogError),
    /// A record in the log is not an event of this protocol version. Restore the log from a
    /// backup, or move it aside to start a new epoch.
    #[error("log record {offset} is not an event: {detail}")]
    Unreadable { offset: u64, detail: String },
    #[error("cannot encode an event: {0}")]
    Encode(String),
    /// Older days were removed from the log (retention) and no checkpoint at or after them can
    /// be read: the board cannot be rebuilt from what is left. Restore the data folder (log
    /// and checkpoints) from a backup.
    #[error(
        "the log in {} starts at offset {first_on_disk} (older days were removed) and no checkpoint at or after it can be read, so the board cannot be rebuilt: restore the data folder from a backup (docs/OPERATIONS.md)",
        dir.display()
    )]
    NoCheckpoint { dir: PathBuf, first_on_disk: u64 },
}

impl HistoryError {
    /// Whether the log is damaged (what `hub repair` mends).
    pub fn is_damage(&self) -> bool {
        matches!(self, HistoryError::Log(e) if e.is_damage())
    }
}

pub struct History {
    book: Logbook,
    /// The newest events, oldest first, at most `retain` of them: what resumes are served
    /// from. They are the offsets `head - kept.len() .. head`. The logbook keeps none itself
    /// (its window is taken at opening), so each is held once.
    kept: VecDeque<Kept>,
    /// The JSON frames of the newest events (at most [`JSON_KEPT`]), aligned with the back of
    /// `kept`.
    json: VecDeque<Framed>,
    /// Where the records (MessagePack) are made, many to a chunk of memory: kept for resumes,
    /// they leave in the order they came, so a chunk is freed once its last record is.
    records: Press,
    /// Where the JSON frames are made: kept only for the newest events, in chunks of their own.
    texts: Press,
    retain: usize,
    /// The first offset still on disk when the log was opened (1 unless older days were
    /// removed).
    first_on_disk: u64,
}

impl History {
    /// Opens the log in `dir` and the frames of its newest `retain_in_memory` events. What the
    /// log says is folded by the caller with [`replay`](Self::replay).
    pub fn open(dir: &Path, retain_in_memory: usize) -> Result<History, HistoryError> {
        let mut book = Logbook::open(
            dir,
            Options {
                retain_in_memory,
                ..Options::default()
            },
        )?;
        let first_on_disk = logbook::segments(dir)?
            .first()
            .map(|s| s.first)
            .unwrap_or(1);
        let window = book.take_window();
        let mut kept = VecDeque::with_capacity(window.len());
        let mut json_frames = VecDeque::with_capacity(JSON_KEPT);
        let json_from = window.len().saturating_sub(JSON_KEPT);
        for (i, record) in window.into_iter().enumerate() {
            let event = decode(record.offset, &record.payload)?;
            if i >= json_from {
                json_frames.push_back(json(&ServerFrame::Event(event.clone()))?);
            }
            // Share the log's own bytes rather than encoding (and keeping) a second copy.
            kept.push_back(Kept {
                audience: Audience::of(&event.what),
                record: record.payload,
            });
        }
        Ok(History {
            book,
            kept,
            json: json_frames,
            records: Press::new(Codec::MsgPack, RECORDS_CHUNK),
            texts: Press::new(Codec::Json, TEXTS_CHUNK),
            retain: retain_in_memory,
            first_on_disk,
        })
    }

    /// The oldest offset kept in memory (the head when none is).
    fn first_retained(&self) -> u64 {
        self.book.head() - self.kept.len() as u64
    }

    /// Drops kept events to `retain`, and JSON frames to [`JSON_KEPT`] and to what is kept.
    fn trim(&mut self) {
        while self.kept.len() > self.retain {
            self.kept.pop_front();
        }
        while self.json.len() > JSON_KEPT.min(self.kept.len()) {
            self.json.pop_front();
        }
    }

    /// Hands every event on disk from offset `from` on, oldest first, to `fold`; returns how
    /// many there were.
    pub fn replay(&self, from: u64, mut fold: impl FnMut(&Event)) -> Result<u64, HistoryError> {
        let mut replayed = 0;
        if from >= self.book.head() {
            return Ok(0);
        }
        for record in Logbook::iter_on_disk_from(self.book.dir(), from)? {
            let record = record?;
            fold(&decode(record.offset, &record.payload)?);
            replayed += 1;
        }
        Ok(replayed)
    }

    /// Forgets the events below `offset` (removed from disk by retention): a tablet asking for
    /// them is sent a snapshot.
    pub fn forget_before(&mut self, offset: u64) {
        self.book.forget_before(offset);
        while !self.kept.is_empty() && self.first_retained() < offset {
            self.kept.pop_front();
        }
        self.trim();
        self.first_on_disk = self.first_on_disk.max(offset);
    }

    /// The first offset on disk when the log was opened.
    pub fn first_on_disk(&self) -> u64 {
        self.first_on_disk
    }

    /// The site's day the segment being written is for (`None`: a log not yet rolled by day).
    pub fn day(&self) -> Option<i64> {
        self.book.label().map(|l| l as i64)
    }

    /// Seals the segment being written (synced) and begins the one for `day`, starting with
    /// `seed`; returns its first offset. Everything logged before it is then on disk for good.
    pub fn roll(&mut self, day: i64, seed: &[u8]) -> Result<u64, HistoryError> {
        Ok(self.book.roll(day.max(0) as u64, seed)?)
    }

    /// The log's directory.
    pub fn dir(&self) -> &Path {
        self.book.dir()
    }

    pub fn epoch(&self) -> u64 {
        self.book.epoch()
    }

    /// The offset the next event gets.
    pub fn head(&self) -> u64 {
        self.book.head()
    }

    pub fn len_bytes(&self) -> u64 {
        self.book.len_bytes()
    }

    /// Logs events stamped `at` and returns them with their frames. They have their offsets and
    /// are served to resuming tablets at once; they reach the file, with whatever else was
    /// logged meanwhile, in one write at the next [`flush`](Self::flush) (a batch of calls is
    /// one system call, not one each). Events that do not fit the space made ready in the
    /// segment are written at once, so a full disk refuses them here.
    pub fn append(
        &mut self,
        at: u64,
        kinds: Vec<EventKind>,
    ) -> Result<Vec<(Event, Served)>, HistoryError> {
        let first = self.book.head();
        let mut out = Vec::with_capacity(kinds.len());
        for (i, what) in kinds.into_iter().enumerate() {
            let event = Event {
                offset: first + i as u64,
                at,
                what,
            };
            out.push(Served::encode(event, &mut self.records, &mut self.texts)?);
        }
        let payloads: Vec<Bytes> = out
            .iter()
            .map(|(_, s)| s.binary.payload().clone())
            .collect();
        let range = self.book.append_later(&payloads)?;
        debug_assert_eq!(range.start, first);
        for (_, s) in &out {
            self.kept.push_back(Kept {
                audience: s.audience.clone(),
                record: s.binary.payload().clone(),
            });
            self.json.push_back(s.text.clone());
        }
        self.trim();
        Ok(out)
    }

    /// Everything from `from` on that `station` may see, as frames for `codec`.
    pub fn backlog(&self, from: u64, station: &Station, codec: Codec) -> Result<Vec<Framed>, Lost> {
        let from = from.max(1);
        let first = self.first_retained();
        if from < first {
            return Err(Lost {
                first_retained: first,
            });
        }
        let skip = (from - first) as usize;
        let json_from = self.kept.len() - self.json.len();
        Ok(self
            .kept
            .iter()
            .enumerate()
            .skip(skip)
            .filter(|(_, k)| k.audience.admits(station))
            .map(|(i, k)| match codec {
                Codec::MsgPack => Framed::binary(k.record.clone()),
                Codec::Json => match i.checked_sub(json_from) {
                    Some(j) => self.json[j].clone(),
                    None => k.json_again(first + i as u64),
                },
            })
            .collect())
    }

    /// Every event of the log in `dir` from offset `from` on, read from disk: a reader beside
    /// the writer, which stops at a record still being written. A damaged record, or one that
    /// is not an event, is an error (the reader stops there): a reader must not pass what it
    /// read before it off as the whole log.
    pub fn events_on_disk(
        dir: &Path,
        from: u64,
    ) -> Result<impl Iterator<Item = Result<Event, HistoryError>> + Send + 'static, HistoryError>
    {
        Ok(Logbook::iter_on_disk_from(dir, from)?.map(event_of))
    }

    /// The segment being written, and a second handle to it for the sync thread.
    pub fn segment(&self) -> (&Path, impl FnOnce() -> std::io::Result<std::fs::File> + '_) {
        (self.book.path(), || self.book.sync_handle())
    }

    /// Writes the events logged since the last flush to the file (one write). What the sync
    /// thread is asked to make durable must have been flushed first.
    pub fn flush(&mut self) -> Result<(), HistoryError> {
        Ok(self.book.flush()?)
    }

    /// Every event below this offset is in the file (see [`flush`](Self::flush)).
    pub fn written(&self) -> u64 {
        self.book.written()
    }

    /// Hands the log to the OS for good (fdatasync): on shutdown and on a timer.
    pub fn sync(&mut self) -> Result<(), HistoryError> {
        Ok(self.book.sync()?)
    }
}

/// What `hub repair` did: the log's segments mended, and checkpoints set aside.
pub struct Mended {
    pub log: Option<logbook::Repaired>,
    /// Checkpoints that could not be used, set aside (renamed `….damaged-<secs>`), each with why.
    pub checkpoints: Vec<(PathBuf, String)>,
    /// Checkpoints taken after a record now lost, removed: they hold what the lost records
    /// said, and the board is rebuilt from the mended log instead.
    pub superseded: Vec<PathBuf>,
    /// Set when such checkpoints had to be kept: the log was compacted and no checkpoint from
    /// before the damage is left to rebuild the board from.
    pub kept_past_damage: bool,
}

/// Mends a damaged log in `dir` (see [`logbook::repair`]): an offset whose record cannot be
/// proven gets a `record_lost` event, so the hub replays the log as it was, less what was lost.
/// A checkpoint that cannot be read back whole, or is of another log, is set aside too.
pub fn repair(dir: &Path, now_ms: u64) -> Result<Mended, HistoryError> {
    let lost = |offset| {
        let frame = ServerFrame::Event(Event {
            offset,
            at: now_ms,
            what: EventKind::RecordLost {
                repaired_at: now_ms,
            },
        });
        Codec::MsgPack
            .encode(&frame)
            .expect("a record_lost event always encodes")
    };
    let log = logbook::repair(dir, now_ms / 1000, lost)?;
    let segments = logbook::segments(dir)?;
    let epoch = segments.first().map(|s| s.epoch);
    let first_on_disk = segments.first().map(|s| s.first).unwrap_or(1);
    let mut checkpoints = Vec::new();
    for file in logbook::checkpoints(dir)? {
        let verdict = match epoch {
            Some(epoch) => crate::checkpoint::verify(&file, epoch),
            None => Ok(()),
        };
        if let Err(why) = verdict {
            let aside = file.path.with_file_name(format!(
                "{}.damaged-{}",
                file.path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("checkpoint"),
                now_ms / 1000
            ));
            std::fs::rename(&file.path, &aside).map_err(|e| LogError::Io {
                path: file.path.clone(),
                source: e,
            })?;
            checkpoints.push((aside, why));
        }
    }
    // A checkpoint after a lost record would bring back what the log no longer says: the board
    // follows the mended log, from an older checkpoint or from the start.
    let mut superseded = Vec::new();
    let mut kept_past_damage = false;
    if let Some(first_lost) = log.as_ref().and_then(|r| r.lost.first().copied()) {
        let all = logbook::checkpoints(dir)?;
        let (after, before): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|c| c.offset > first_lost);
        let can_rebuild = first_on_disk == 1 || before.iter().any(|c| c.offset >= first_on_disk);
        if can_rebuild {
            superseded = after.into_iter().map(|c| c.path).collect();
            logbook::remove_checkpoints(dir, &superseded)?;
        } else {
            kept_past_damage = !after.is_empty();
        }
    }
    Ok(Mended {
        log,
        checkpoints,
        superseded,
        kept_past_damage,
    })
}

/// An event from a log record (the MessagePack frame the hub wrote), checked against the
/// record's offset.
pub fn decode_record(offset: u64, payload: &[u8]) -> Result<Event, HistoryError> {
    decode(offset, payload)
}

/// The event a record read from disk holds, or why there is none.
pub fn event_of(record: Result<logbook::Record, logbook::LogError>) -> Result<Event, HistoryError> {
    record
        .map_err(HistoryError::from)
        .and_then(|r| decode(r.offset, &r.payload))
}

fn decode(offset: u64, payload: &[u8]) -> Result<Event, HistoryError> {
    match Codec::MsgPack.decode::<ServerFrame>(payload) {
        Ok(ServerFrame::Event(e)) if e.offset == offset => Ok(e),
        Ok(_) => Err(HistoryError::Unreadable {
            offset,
            detail: "not an event frame, or its offset differs from the record's".into(),
        }),
        Err(e) => Err(HistoryError::Unreadable {
            offset,
            detail: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Post;

    fn announcement(n: usize) -> EventKind {
        EventKind::Announcement {
            to: Vec::new(),
            words: format!("第{n}条通知"),
            milestone: None,
        }
    }

    /// An event past the newest JSON_KEPT keeps only its record, yet a JSON tablet resuming
    /// from it gets exactly the frame it would have got live — after a reopen too.
    #[test]
    fn a_json_tablet_resuming_from_far_back_gets_the_same_frames_as_live() {
        let dir = tempfile::tempdir().unwrap();
        let total = JSON_KEPT + 200;
        let mut live = Vec::new();
        {
            let mut history = History::open(dir.path(), 100_000).unwrap();
            for n in 0..total {
                let (_, served) = history
                    .append(1_000, vec![announcement(n)])
                    .unwrap()
                    .remove(0);
                live.push(served.framed(Codec::Json).body().to_vec());
            }
            assert_eq!(history.kept.len(), total);
            assert_eq!(
                history.json.len(),
                JSON_KEPT,
                "the oldest keep only their record"
            );
            check(&history, &live);
        }
        check(&History::open(dir.path(), 100_000).unwrap(), &live);

        fn check(history: &History, live: &[Vec<u8>]) {
            let sup = Station::Post(Post::Sup);
            let resumed = history.backlog(1, &sup, Codec::Json).unwrap();
            assert_eq!(resumed.len(), live.len());
            for (i, (got, want)) in resumed.iter().zip(live).enumerate() {
                assert_eq!(got.body(), &want[..], "event {}", i + 1);
            }
        }
    }
}
