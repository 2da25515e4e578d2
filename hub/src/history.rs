//! The hub's side of the event log: each event is encoded once per codec when it is logged, and
//! the same bytes go to every tablet that may see it — live, and again on a resume.
//!
//! The MessagePack frame *is* the record written to the logbook, so the bytes kept in memory for
//! serving are shared with the log's own window, not copied.

use std::collections::VecDeque;
use std::path::Path;

use axum::extract::ws::{Message, Utf8Bytes};
use logbook::{Bytes, LogError, Logbook, Lost, Options};
use protocol::{Codec, Event, EventKind, ServerFrame, Station};

use crate::audience::Audience;

/// One logged event, ready to send.
#[derive(Clone, Debug)]
pub struct Served {
    pub offset: u64,
    pub audience: Audience,
    binary: Bytes,
    text: Utf8Bytes,
}

impl Served {
    /// Encodes a new event in both codecs.
    fn encode(event: &Event) -> Result<Served, HistoryError> {
        let frame = ServerFrame::Event(event.clone());
        let binary = Codec::MsgPack
            .encode(&frame)
            .map_err(|e| HistoryError::Encode(e.to_string()))?;
        Served::with_binary(event, &frame, binary)
    }

    /// An event whose MessagePack frame is already at hand (the log's record): only the JSON
    /// frame is made.
    fn with_binary(
        event: &Event,
        frame: &ServerFrame,
        binary: Bytes,
    ) -> Result<Served, HistoryError> {
        let json = Codec::Json
            .encode(frame)
            .map_err(|e| HistoryError::Encode(e.to_string()))?;
        let text = Utf8Bytes::try_from(json).map_err(|e| HistoryError::Encode(e.to_string()))?;
        Ok(Served {
            offset: event.offset,
            audience: Audience::of(&event.what),
            binary,
            text,
        })
    }

    /// The WebSocket message for a tablet speaking `codec`: a cheap clone of shared bytes.
    pub fn message(&self, codec: Codec) -> Message {
        match codec {
            Codec::MsgPack => Message::Binary(self.binary.clone()),
            Codec::Json => Message::Text(self.text.clone()),
        }
    }
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
}

pub struct History {
    book: Logbook,
    served: VecDeque<Served>,
}

impl History {
    /// Opens the log in `dir`, handing every event on disk, oldest first, to `fold`.
    pub fn open(
        dir: &Path,
        retain_in_memory: usize,
        mut fold: impl FnMut(&Event),
    ) -> Result<History, HistoryError> {
        let book = Logbook::open(
            dir,
            Options {
                retain_in_memory,
                ..Options::default()
            },
        )?;
        for record in Logbook::iter_all_on_disk(dir)? {
            let record = record?;
            fold(&decode(record.offset, &record.payload)?);
        }
        let mut served = VecDeque::with_capacity(book.read_from(0).map(|r| r.len()).unwrap_or(0));
        for record in book.read_from(book.first_retained()).into_iter().flatten() {
            let event = decode(record.offset, &record.payload)?;
            let frame = ServerFrame::Event(event.clone());
            // Share the log's own bytes rather than encoding (and keeping) a second copy.
            served.push_back(Served::with_binary(&event, &frame, record.payload.clone())?);
        }
        Ok(History { book, served })
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

    /// Logs events stamped `at`, in one write, and returns them with their frames.
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
            let served = Served::encode(&event)?;
            out.push((event, served));
        }
        let payloads: Vec<Bytes> = out.iter().map(|(_, s)| s.binary.clone()).collect();
        let range = self.book.append_batch(&payloads)?;
        debug_assert_eq!(range.start, first);
        for (_, s) in &out {
            self.served.push_back(s.clone());
        }
        let keep_from = self.book.first_retained();
        while self.served.front().is_some_and(|s| s.offset < keep_from) {
            self.served.pop_front();
        }
        Ok(out)
    }

    /// Everything from `from` on that `station` may see, as frames for `codec`.
    pub fn backlog(
        &self,
        from: u64,
        station: &Station,
        codec: Codec,
    ) -> Result<Vec<Message>, Lost> {
        let from = from.max(1);
        let first = self.book.first_retained();
        if from < first {
            return Err(Lost {
                first_retained: first,
            });
        }
        let skip = (from - first) as usize;
        Ok(self
            .served
            .iter()
            .skip(skip)
            .filter(|s| s.audience.admits(station))
            .map(|s| s.message(codec))
            .collect())
    }

    /// Every event in the log in `dir`, read from disk (for the report): a reader beside the
    /// writer, which stops at a record still being written.
    /// A damaged record, or one that is not an event, is an error (the reader stops there): a
    /// reader must not pass what it read before it off as the whole log.
    pub fn events_on_disk(
        dir: &Path,
    ) -> Result<impl Iterator<Item = Result<Event, HistoryError>>, HistoryError> {
        Ok(Logbook::iter_all_on_disk(dir)?.map(|r| {
            r.map_err(HistoryError::from)
                .and_then(|r| decode(r.offset, &r.payload))
        }))
    }

    /// Hands the log to the OS for good (fdatasync): on shutdown and on a timer.
    pub fn sync(&mut self) -> Result<(), HistoryError> {
        Ok(self.book.sync()?)
    }
}

/// Mends a damaged log in `dir` (see [`logbook::repair`]): an offset whose record cannot be
/// proven gets a `record_lost` event, so the hub replays the log as it was, less what was lost.
pub fn repair(
    dir: &std::path::Path,
    now_ms: u64,
) -> Result<Option<logbook::Repaired>, HistoryError> {
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
    Ok(logbook::repair(dir, now_ms / 1000, lost)?)
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
