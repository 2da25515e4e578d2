//! Two posts on pipelined connections: one places free-text calls to the other, which answers
//! each 收到 the moment it hears it. Every call is timed from when it was due to its placement
//! (the caller's acknowledgement, which the hub holds until the call is on disk) and to the
//! answer that closes it, as the caller hears them. A free-text call changes nothing on the
//! board, and once answered nothing of it stays open: what remains is the log.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use protocol::envelope::CallId;
use protocol::{Answer, Call, Codec, Command, Event, EventKind, Intent, ReplyBody};
use protocol::{ServerFrame, Station, Target};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::histogram::Histogram;
use crate::hub::Hub;
use crate::wire::{Heard, Wire};

/// What a run of calls came to.
#[derive(Default)]
pub struct Tally {
    pub sent: AtomicU64,
    pub placed: Histogram,
    pub answered: Histogram,
    pub refused: AtomicU64,
    pub last_refusal: Mutex<Option<String>>,
    /// Call → 收到 again, by the second the call was due in, when [`Tally::by_second`] asked.
    seconds: OnceLock<(Instant, Box<[Histogram]>)>,
}

impl Tally {
    /// Also keeps call → 收到 by the second (from `start`) each call was due in, for `n`
    /// seconds: a tail that comes from a few bad seconds shows apart from one every second has.
    pub fn by_second(start: Instant, n: usize) -> Tally {
        let tally = Tally::default();
        let _ = tally
            .seconds
            .set((start, (0..n).map(|_| Histogram::default()).collect()));
        tally
    }

    /// A call due at `due` was answered at `at`.
    fn answered(&self, due: Instant, at: Instant) {
        let took = at.saturating_duration_since(due);
        self.answered.record(took);
        if let Some((start, seconds)) = self.seconds.get() {
            let second = due.saturating_duration_since(*start).as_secs() as usize;
            if let Some(h) = seconds.get(second) {
                h.record(took);
            }
        }
    }

    /// Call → 收到 in each second, when kept.
    pub fn seconds(&self) -> &[Histogram] {
        self.seconds.get().map_or(&[], |(_, s)| s)
    }
}

/// Calls in flight: by request id until placed, by call id until answered.
#[derive(Default)]
struct Book {
    by_request: HashMap<u32, (Instant, Arc<Tally>)>,
    by_call: HashMap<CallId, (Instant, Arc<Tally>)>,
    /// Answers heard before their call's placement (the hub sends the acknowledgement first,
    /// so this stays empty; kept so that an answer is never lost for the timing).
    early: HashMap<CallId, Instant>,
}

/// Event frames one side received, and their bytes.
#[derive(Default)]
pub struct Sizes {
    pub n: AtomicU64,
    pub bytes: AtomicU64,
}

impl Sizes {
    pub fn mean(&self) -> f64 {
        let n = self.n.load(Relaxed);
        if n == 0 {
            0.0
        } else {
            self.bytes.load(Relaxed) as f64 / n as f64
        }
    }
}

pub struct Pair {
    caller: Wire,
    _target: Wire,
    from: Station,
    to: Station,
    book: Arc<Mutex<Book>>,
    progress: Arc<Notify>,
    /// Event frames the caller and the target received.
    pub caller_sizes: Arc<Sizes>,
    pub target_sizes: Arc<Sizes>,
    /// Answers the hub refused, and why the last one was.
    pub answer_refusals: Arc<Mutex<(u64, Option<String>)>>,
    /// Why a connection ended, if one did.
    pub ended: Arc<Mutex<Option<String>>>,
    calls: AtomicU64,
}

impl Pair {
    pub async fn open(
        hub: &Hub,
        from: impl Into<Station>,
        to: impl Into<Station>,
        from_codec: Codec,
        to_codec: Codec,
    ) -> Result<Pair, String> {
        let book = Arc::new(Mutex::new(Book::default()));
        let progress = Arc::new(Notify::new());
        let ended = Arc::new(Mutex::new(None));
        let caller_sizes = Arc::new(Sizes::default());
        let target_sizes = Arc::new(Sizes::default());
        let answer_refusals = Arc::new(Mutex::new((0, None)));
        let (from, to): (Station, Station) = (from.into(), to.into());

        let (b, p, e, s, name) = (
            book.clone(),
            progress.clone(),
            ended.clone(),
            caller_sizes.clone(),
            from.clone(),
        );
        let caller = Wire::open(
            &hub.url,
            &hub.token(&from),
            from_codec,
            move |heard, _| match heard {
                Heard::Frame { at, bytes, frame } => caller_heard(&b, &p, &s, at, bytes, frame),
                Heard::Ended(why) => {
                    e.lock().unwrap().get_or_insert(format!("{name}: {why}"));
                    p.notify_one();
                }
            },
        )
        .await
        .map_err(|e| format!("{from} connects: {e}"))?;

        let (e, s, r, name) = (
            ended.clone(),
            target_sizes.clone(),
            answer_refusals.clone(),
            to.clone(),
        );
        let me = Target::Station(to.clone());
        let target = Wire::open(
            &hub.url,
            &hub.token(&to),
            to_codec,
            move |heard, answers| match heard {
                Heard::Frame { bytes, frame, .. } => match frame {
                    ServerFrame::Event(event) => {
                        s.n.fetch_add(1, Relaxed);
                        s.bytes.fetch_add(bytes as u64, Relaxed);
                        if let Some((call_id, call)) = event.placed() {
                            if call.target == me {
                                answers.send(Command::Answer {
                                    call_id,
                                    answer: Answer::Received,
                                });
                            }
                        }
                    }
                    ServerFrame::Error { message, .. } => {
                        let mut r = r.lock().unwrap();
                        r.0 += 1;
                        r.1 = Some(message);
                    }
                    ServerFrame::Reply { .. } => {}
                },
                Heard::Ended(why) => {
                    e.lock().unwrap().get_or_insert(format!("{name}: {why}"));
                }
            },
        )
        .await
        .map_err(|e| format!("{to} connects: {e}"))?;
        Ok(Pair {
            caller,
            _target: target,
            from,
            to,
            book,
            progress,
            caller_sizes,
            target_sizes,
            answer_refusals,
            ended,
            calls: AtomicU64::new(0),
        })
    }

    /// Places one call now, timed from `due`, counted in `tally`.
    pub fn place(&self, due: Instant, tally: &Arc<Tally>) {
        let n = self.calls.fetch_add(1, Relaxed) + 1;
        let call = Call::new(
            self.from.clone(),
            Target::Station(self.to.clone()),
            Intent::Free {
                text: format!("压测呼叫{n}"),
            },
        );
        // The book is held while sending so that the fastest reply finds the call in it.
        let mut book = self.book.lock().unwrap();
        let id = self.caller.sender.send(Command::Call { call });
        book.by_request.insert(id, (due, tally.clone()));
        tally.sent.fetch_add(1, Relaxed);
    }

    /// Calls placed or answered not yet heard of.
    pub fn in_flight(&self) -> usize {
        let book = self.book.lock().unwrap();
        book.by_request.len() + book.by_call.len()
    }

    /// Waits until nothing is in flight, or `within` has passed; whether it got there.
    pub async fn settle(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while self.in_flight() > 0 {
            if self.ended.lock().unwrap().is_some() || Instant::now() >= deadline {
                return false;
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), self.progress.notified()).await;
        }
        true
    }

    /// Waits for the next answer (or 50 ms).
    pub async fn progress(&self) {
        let _ = tokio::time::timeout(Duration::from_millis(50), self.progress.notified()).await;
    }

    /// The log's epoch, as the caller was welcomed with.
    pub fn epoch(&self) -> u64 {
        self.caller.welcome.epoch
    }

    /// Why the pair cannot go on, if it cannot.
    pub fn broken(&self) -> Option<String> {
        self.ended.lock().unwrap().clone()
    }
}

fn caller_heard(
    book: &Mutex<Book>,
    progress: &Notify,
    sizes: &Sizes,
    at: Instant,
    bytes: usize,
    frame: ServerFrame,
) {
    let mut book = book.lock().unwrap();
    match frame {
        ServerFrame::Reply {
            id,
            body: ReplyBody::Placed { call_id, .. },
        } => {
            let Some((due, tally)) = book.by_request.remove(&id) else {
                return;
            };
            tally.placed.record(at.saturating_duration_since(due));
            match book.early.remove(&call_id) {
                Some(heard) => {
                    tally.answered(due, heard);
                    progress.notify_one();
                }
                None => {
                    book.by_call.insert(call_id, (due, tally));
                }
            }
        }
        ServerFrame::Error { id, message, .. } => {
            if let Some((_, tally)) = book.by_request.remove(&id) {
                tally.refused.fetch_add(1, Relaxed);
                *tally.last_refusal.lock().unwrap() = Some(message);
                progress.notify_one();
            }
        }
        ServerFrame::Event(Event { what, .. }) => {
            sizes.n.fetch_add(1, Relaxed);
            sizes.bytes.fetch_add(bytes as u64, Relaxed);
            if let EventKind::CallAnswered {
                call_id,
                closes: true,
                ..
            } = what
            {
                match book.by_call.remove(&call_id) {
                    Some((due, tally)) => {
                        tally.answered(due, at);
                        progress.notify_one();
                    }
                    None => {
                        book.early.insert(call_id, at);
                    }
                }
            }
        }
        ServerFrame::Reply { .. } => {}
    }
}
