//! The switchboard: the one task that owns the net's state and the event log. Every command that
//! changes anything comes here in order, is checked against the state, becomes events, is logged,
//! folded into the state, and is handed to the tablets that may see it — the same encoded bytes
//! to all of them, never waiting on any one of them.
//!
//! Why one task and no locks: ordering. An event's offset, its place in every tablet's queue and
//! its effect on the state are decided together, so a resume can never see a gap or a double.
//! A tablet whose queue is full is cut off (4001, reconnect and resume) rather than waited for.
//!
//! At a day's first event (in the site's time zone) the log begins that day's segment, which
//! starts with what the day's report needs from before it (`report::Seed`), and a checkpoint of
//! the state is handed to the checkpoint writer's thread (`checkpoint`) — the switchboard never
//! waits for it. At start, the state is loaded from the newest checkpoint and only the events
//! after it are replayed.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use protocol::envelope::{PROTOCOL_VERSION, Recovery, Resume};
use protocol::{
    Call, CloseCode, Codec, Command, ErrorCode, EventKind, ManagerName, ReplyBody, ServerFrame,
    Station, Target, Utterance,
};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::board::report::Seed;
use crate::board::{Board, Contradiction};
use crate::calendar;
use crate::checkpoint::{self, Fit};
use crate::config::Config;
use crate::history::{History, HistoryError, Served};
use crate::line::{Flushed, Framed, Outlet, Press};
use crate::metrics::Metrics;
use crate::state::{AnswerError, Due, NetState};

mod outbox;
mod pacing;

pub use pacing::FANOUT_GAP;

pub type ConnId = u64;

/// What connections and the HTTP side ask of the switchboard.
pub enum Request {
    Join(Join),
    Leave {
        conn: ConnId,
    },
    Command {
        conn: ConnId,
        id: u32,
        cmd: Command,
    },
    /// A JSON snapshot of what `station` may see, with the offset it is valid at; `None` when
    /// the hub is too busy making snapshots (ask again in a second).
    Snapshot {
        station: Station,
        reply: oneshot::Sender<Option<serde_json::Value>>,
    },
    /// Whether the log's last write or sync failed, and why (`/healthz`).
    Health {
        reply: oneshot::Sender<Option<String>>,
    },
    /// Sync the log, hand a checkpoint to the writer, and close every tablet with 4000.
    Shutdown {
        reply: oneshot::Sender<()>,
    },
    /// Catch up on what fell due (a new day's pruning), begin today's segment if the log is
    /// still on an older day, sync the log, and write a checkpoint of the state as it is now;
    /// `reply` is told its offset once it is on disk (for retention: a checkpoint after every
    /// segment it may remove).
    Checkpoint {
        reply: oneshot::Sender<Result<u64, String>>,
    },
    /// The events below `before` were removed from disk (retention): stop serving them from
    /// memory too.
    Forget {
        before: u64,
        done: oneshot::Sender<()>,
    },
}

/// How long the switchboard waits before it tries again to log what fell due, after a failure.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// How long after a failed write or sync of the log `/healthz` still fails.
pub const TROUBLE_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// The switchboard's state in figures, for the startup log.
pub struct Facts {
    pub epoch: u64,
    pub head: u64,
    pub log_bytes: u64,
    pub open_calls: usize,
}

/// A tablet asking to join the net, once its token is checked.
pub struct Join {
    /// What the tablet's token says (its station; the switchboard rechecks it as keys and
    /// revocations change, and cuts the tablet off when it expires).
    pub grant: crate::token::Grant,
    pub codec: Codec,
    /// Where the tablet's frames go (the switchboard writes them there itself).
    pub outlet: Arc<Outlet>,
    /// The `connect` frame's id, for the welcome.
    pub id: u32,
    pub resume: Option<Resume>,
    pub reply: oneshot::Sender<Joined>,
}

/// A tablet's admission: its id and the welcome, which is queued on its outlet with what it
/// missed behind it.
pub struct Joined {
    pub conn: ConnId,
    pub welcome: ReplyBody,
}

/// How many times `queue_frames` a tablet's frames held for the disk may number. With the
/// default 512 that is 16,384 frames, at most about a MiB of handles (the events' bytes are
/// shared with every other tablet): a caller placing 32,000 calls a second (three frames each:
/// the acknowledgement, its call, the answer) rides out a disk that pauses for about 170 ms.
/// At four queues it was cut off (4001) by pauses of 20 ms, which a busy disk has now and then.
/// A disk stopped for longer still cuts it off rather than let its frames grow without end.
const HELD_PER_QUEUE: usize = 32;

/// The chunks replies are made in (see [`Press`]): a hundred or so replies each, freed once
/// the last of them is written.
const REPLIES_CHUNK: usize = 16 * 1024;

/// Most requests handled before what they sent is written: a burst of calls reaches each
/// tablet in one write.
const BATCH: usize = 64;

/// Most tablets written in one turn of the switchboard's loop. A call to everyone queues a
/// frame on every tablet at once (cheap) and the writes (a system call each) go out this many at
/// a time, with new requests let in between: a call never waits for the whole fan-out of the
/// calls before it to be written before its own frames are queued behind theirs.
const WRITE_CHUNK: usize = 128;

struct Tablet {
    station: Station,
    codec: Codec,
    outlet: Arc<Outlet>,
    grant: Box<crate::token::Grant>,
    /// A quiet tablet was pinged; it is cut off if it stays silent.
    pinged: bool,
    /// Frames were queued since the last write.
    dirty: bool,
    /// The frames queued are all for everyone and wait for the pacing gap (see [`pacing`]):
    /// the tablet is on the pacing's list, not yet on the switchboard's `dirty`.
    paced: bool,
    /// How many of the outbox's events this tablet has already (see [`outbox`]).
    caught_up: usize,
    /// A command's acknowledgement waiting for the log to be on disk, and whatever else this
    /// tablet was sent after it (kept in order behind it).
    held: Option<Box<Held>>,
    /// How many frames waited on the outlet when the disk last let some go (at most what a
    /// tablet may have held): the outlet may hold that many more than `queue_frames` before
    /// the tablet counts as slow. After a pause of the disk, a caller's backlog arrives all at
    /// once, and a frame sent right behind it — or behind the next sync's few — is no sign of
    /// a slow reader.
    released: usize,
}

/// Frames held for one tablet, in order, each until the log is durable up to the offset it
/// waits for: a tablet calling again and again gets each acknowledgement as soon as its own
/// call is on disk, not once the log is durable past its latest.
struct Held {
    /// What a frame queued from now on waits for.
    until: u64,
    frames: std::collections::VecDeque<(u64, Framed)>,
}

impl Tablet {
    /// Queues a frame, or holds it behind a held acknowledgement. A full queue (or hold) is a
    /// tablet too slow to keep. Returns whether the tablet is to be put on the list of tablets
    /// to write: `dirty`, or with `paced` the pacing's (see [`Tablet::queue_now`]).
    fn send(&mut self, frame: Framed, most: usize, paced: bool) -> Result<bool, CloseCode> {
        match &mut self.held {
            // Held frames wait for the disk, not for the tablet: a tablet calling fast gathers
            // a sync's worth of its own acknowledgements and events, so they get more room
            // (still bounded: a disk that stops lets no tablet's frames grow without end).
            Some(h) if h.frames.len() >= HELD_PER_QUEUE * most => Err(CloseCode::Slow),
            Some(h) => {
                h.frames.push_back((h.until, frame));
                Ok(false)
            }
            None => self.queue_now(frame, most, paced),
        }
    }

    /// Lets go of the held frames the log is now durable for (every offset below `upto`), in
    /// order, onto the outlet. The outlet may then hold `most` (`queue_frames`) more frames
    /// than it holds now before the tablet counts as slow (see [`Tablet::released`]).
    fn let_go(&mut self, upto: u64, most: usize) -> Result<LetGo, CloseCode> {
        let Some(held) = self.held.as_mut() else {
            return Ok(LetGo::default());
        };
        let mut released = 0;
        while held.frames.front().is_some_and(|(until, _)| *until <= upto) {
            let Some((_, frame)) = held.frames.pop_front() else {
                break;
            };
            self.outlet.queue(frame, usize::MAX)?;
            released += 1;
        }
        if released > 0 {
            // All that waits on the outlet, not only what this sync let go: the backlog of a
            // long pause may still be on its way when the next sync lets go of a frame or two.
            self.released = self.outlet.queued().min(HELD_PER_QUEUE * most);
        }
        let holding = !held.frames.is_empty() || held.until > upto;
        if !holding {
            self.held = None;
        }
        Ok(LetGo { released, holding })
    }

    /// Queues a frame on the outlet, ahead of anything held (a ping, or what the disk now
    /// allows). Returns whether the tablet is to be put on a list of tablets to write: with
    /// `paced` (an event for everyone while the pacing's gap runs), on the pacing's, when it had
    /// nothing to write before; otherwise on `dirty`, when it had nothing to write before or
    /// what it had waited for the gap (it is written at once, with what waited).
    fn queue_now(&mut self, frame: Framed, most: usize, paced: bool) -> Result<bool, CloseCode> {
        self.outlet
            .queue(frame, most.saturating_add(self.released))?;
        if paced {
            let newly = !std::mem::replace(&mut self.dirty, true);
            self.paced |= newly;
            Ok(newly)
        } else {
            Ok(self.write_at_once())
        }
    }

    /// Marks the tablet as having frames to write at once. Returns whether it is to be put on
    /// `dirty`: it had nothing to write, or what it had waited for the pacing's gap.
    fn write_at_once(&mut self) -> bool {
        let newly = !std::mem::replace(&mut self.dirty, true);
        newly | std::mem::take(&mut self.paced)
    }
}

/// What [`Tablet::let_go`] did: how many frames it let go, and whether it still holds some.
#[derive(Default)]
struct LetGo {
    released: usize,
    holding: bool,
}

pub struct Switchboard {
    config: Arc<Config>,
    history: History,
    state: NetState,
    board: Board,
    metrics: Arc<Metrics>,
    tablets: HashMap<ConnId, Tablet>,
    by_station: HashMap<Station, Vec<ConnId>>,
    next_conn: ConnId,
    closing: bool,
    snapshot_budget: Budget,
    /// After a failed write of what fell due (repeats, alarms), when to try again.
    retry_at: Option<Instant>,
    /// The log's sync thread (group commit): the switchboard never waits on the disk.
    syncer: crate::syncer::Syncer,
    /// Tablets with frames held until the log is durable.
    holding: Vec<ConnId>,
    /// Where replies are made, for MessagePack and for JSON tablets (see [`Press`]).
    replies: [Press; 2],
    /// Tablets with frames queued and not yet written, in the order they are to be written
    /// ([`WRITE_CHUNK`] a turn); each once, while its `dirty` is set.
    dirty: VecDeque<ConnId>,
    /// Events for everyone written at most once every gap (see [`pacing`]).
    pacing: pacing::Pacing,
    /// The batch's events, handed to the tablets at its end.
    outbox: outbox::Outbox,
    /// When the log's last write or sync failed, and why: `/healthz` fails for
    /// [`TROUBLE_FOR`] after, so a scraper sees a disk that fails now and then.
    log_trouble: Option<(std::time::Instant, String)>,
    /// A command logged events this turn: its caller waits for them on disk, so the sync
    /// thread is asked at the turn's end, once the turn's events are written in one go.
    sync_wanted: bool,
    checkpoints: checkpoint::Writer,
    /// The offset of the last checkpoint handed to the writer (0: none).
    checkpointed: u64,
    /// The site's day the log is on, for whoever waits for a new day (retention).
    days: watch::Sender<i64>,
}

/// A token bucket: `rate` a second, a burst of twice that. Time in ms, from the hub's clock.
struct Budget {
    rate: f64,
    tokens: f64,
    at: u64,
}

impl Budget {
    fn new(rate: u32) -> Budget {
        Budget {
            rate: f64::from(rate),
            tokens: f64::from(rate) * 2.0,
            at: 0,
        }
    }

    /// Takes one token if there is one.
    fn take(&mut self, now: u64) -> bool {
        let elapsed = now.saturating_sub(self.at) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate * 2.0);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Milliseconds since the Unix epoch, from the system (the switchboard reads its config's clock).
pub fn now_ms() -> u64 {
    crate::clock::Clock::System.now_ms()
}

impl Switchboard {
    /// Opens the log, loads the newest checkpoint and folds the events after it (all of them
    /// if there is none), and marks every station that was online when the hub last stopped as
    /// offline (their tablets will reconnect).
    pub fn open(
        config: Arc<Config>,
        metrics: Arc<Metrics>,
    ) -> Result<Switchboard, crate::HubError> {
        let deadline = config.ack_deadline.as_millis() as u64;
        let snapshots_per_second = config.snapshots_per_second;
        let dir = config.log_dir();
        let mut history = History::open(&dir, config.retain_in_memory)?;
        let fit = Fit {
            deadline_ms: deadline,
            vip_rooms: &config.site.vip_rooms,
            rules: &config.rules,
        };
        let first_on_disk = history.first_on_disk();
        let restored =
            checkpoint::newest(&dir, history.epoch(), first_on_disk, history.head(), &fit)
                .map_err(HistoryError::from)?;
        let loaded = restored.as_ref().map(|r| r.offset);
        let (mut state, mut board, from) = match restored {
            Some(r) => (r.net, r.board, r.offset),
            None if first_on_disk > 1 => {
                return Err(HistoryError::NoCheckpoint { dir, first_on_disk }.into());
            }
            None => (
                NetState::default(),
                Board::new(&config.site.vip_rooms, config.rules.clone()),
                1,
            ),
        };
        let replayed = history.replay(from, |e| {
            state.apply(e, deadline);
            board.apply(e);
        })?;
        if loaded.is_some() {
            tracing::info!(
                checkpoint = from,
                replayed,
                "board loaded from the checkpoint at offset {from}; replayed the {replayed} events after it"
            );
        } else if replayed > 0 {
            tracing::info!(
                replayed,
                "no checkpoint: replayed the whole log ({replayed} events)"
            );
        }
        metrics.replayed_at_start.set(replayed as i64);
        let today = history.day().unwrap_or(i64::MIN);
        let checkpointed = loaded.unwrap_or(0);
        // What was replayed is on disk as far as anyone was ever told; from here on the sync
        // thread says how far the log is durable.
        history.sync()?;
        let durable = history.head();
        let (syncs, took) = (metrics.log_syncs.clone(), metrics.log_sync_seconds.clone());
        let (sync_gap, fanout_gap) = (config.sync_gap, config.fanout_gap);
        let mut sb = Switchboard {
            checkpoints: checkpoint::Writer::start(dir),
            checkpointed,
            days: watch::Sender::new(today),
            config,
            history,
            state,
            board,
            metrics,
            tablets: HashMap::new(),
            by_station: HashMap::new(),
            next_conn: 1,
            closing: false,
            snapshot_budget: Budget::new(snapshots_per_second),
            log_trouble: None,
            sync_wanted: false,
            retry_at: None,
            syncer: crate::syncer::Syncer::start(durable, sync_gap, syncs, took),
            holding: Vec::new(),
            replies: [
                Press::new(Codec::MsgPack, REPLIES_CHUNK),
                Press::new(Codec::Json, REPLIES_CHUNK),
            ],
            dirty: Default::default(),
            pacing: pacing::Pacing::new(fanout_gap),
            outbox: outbox::Outbox::default(),
        };
        let stale: Vec<EventKind> = sb
            .state
            .online
            .iter()
            .map(|s| EventKind::StationOffline { station: s.clone() })
            .collect();
        if !stale.is_empty() {
            sb.log(stale)?;
        }
        sb.metrics.calls_open.set(sb.state.open.len() as i64);
        sb.update_log_metrics();
        Ok(sb)
    }

    /// What the operator is told at start: the log's epoch, head and size, and the calls open.
    pub fn facts(&self) -> Facts {
        Facts {
            epoch: self.history.epoch(),
            head: self.history.head(),
            log_bytes: self.history.len_bytes(),
            open_calls: self.state.open.len(),
        }
    }

    /// Told the site's day each time the log begins a new day's segment.
    pub fn days(&self) -> watch::Receiver<i64> {
        self.days.subscribe()
    }

    /// Runs until every sender of `requests` is gone; returns the checkpoint writer, for the
    /// caller to let it finish off the runtime.
    pub async fn run(
        mut self,
        mut requests: mpsc::Receiver<Request>,
        trust: watch::Receiver<Arc<crate::Trust>>,
    ) -> checkpoint::Writer {
        let mut sync = tokio::time::interval(self.config.sync_every);
        sync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Every tablet's liveness and token, checked together (not a timer per tablet).
        let mut liveness = tokio::time::interval(self.config.ping_after / 3);
        liveness.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The keys and revocations as they change; `None` once the hub stops following them.
        let mut trust = Some(trust);
        loop {
            // The next call deadline or board alarm, whichever is first.
            let due = [self.state.next_due(), self.board.next_due()]
                .into_iter()
                .flatten()
                .min();
            let now = self.now();
            let clock = &self.config.clock;
            let wake = due.map(|due| Instant::now() + clock.wall(due.saturating_sub(now)));
            // After a failed write, what fell due waits for the retry.
            let wake = match (wake, self.retry_at) {
                (Some(w), Some(r)) => Some(w.max(r)),
                (w, _) => w,
            };
            tokio::select! {
                req = requests.recv() => match req {
                    Some(req) => {
                        self.handle(req);
                        // What else has come is handled before anything is written, so a burst
                        // goes to each tablet in one write. When nothing more has come yet,
                        // the other tasks run once first: a tablet's task handing over a burst
                        // it read at once (the gate's calls back to back) finishes handing it
                        // over, rather than the switchboard writing to every tablet once for
                        // its first call and again for the rest.
                        let mut handled = 1;
                        let mut yielded = false;
                        while handled < BATCH {
                            match requests.try_recv() {
                                Ok(req) => {
                                    self.handle(req);
                                    handled += 1;
                                }
                                Err(_) if !yielded => {
                                    yielded = true;
                                    tokio::task::yield_now().await;
                                }
                                Err(_) => break,
                            }
                        }
                    }
                    None => break,
                },
                _ = sleep_until_opt(wake) => self.tick(self.now()),
                _ = liveness.tick() => self.sweep(),
                changed = changed(&mut trust) => match changed {
                    Some(now) => self.recheck(&now),
                    None => trust = None,
                },
                // What no command waits for (repeats, presence) is made durable on a timer, by
                // the sync thread too.
                _ = sync.tick() => self.want_durable(),
                changed = self.syncer.synced().changed() => {
                    if changed.is_ok() {
                        self.release();
                    }
                }
                // The pacing's gap ended: what waited for it goes out with the next chunks.
                _ = sleep_until_opt(self.pacing.due()) => self.let_paced_go(),
                // Tablets still to write: the next chunk, after whatever else is ready.
                _ = std::future::ready(()), if !self.dirty.is_empty() => {}
            }
            // The turn's events go to the file in one write, then the sync thread is asked.
            if std::mem::take(&mut self.sync_wanted) {
                self.want_durable();
            } else {
                self.flush_log();
            }
            self.write();
        }
        if let Err(e) = self.history.sync() {
            tracing::error!("cannot sync the event log: {e}");
        }
        self.checkpoints
    }

    fn handle(&mut self, req: Request) {
        // Whatever asks the switchboard for more than a command finds the log's file up to
        // date (a checkpoint, a report's head, a roll).
        if !matches!(req, Request::Command { .. }) {
            self.flush_log();
        }
        match req {
            Request::Join(join) => self.join(join),
            Request::Leave { conn } => self.leave(conn, None),
            Request::Command { conn, id, cmd } => self.command(conn, id, cmd),
            Request::Snapshot { station, reply } => {
                let snapshot = self
                    .snapshot_budget
                    .take(self.now())
                    .then(|| self.snapshot(&station));
                let _ = reply.send(snapshot);
            }
            Request::Health { reply } => {
                let trouble = self
                    .log_trouble
                    .as_ref()
                    .filter(|(at, _)| at.elapsed() < TROUBLE_FOR)
                    .map(|(at, why)| format!("{why} ({} s ago)", at.elapsed().as_secs()));
                let _ = reply.send(trouble);
            }
            Request::Checkpoint { reply } => {
                let now = self.now();
                self.tick(now);
                if let Err(e) = self.turn_day(now) {
                    let _ = reply.send(Err(format!("cannot begin today's segment: {e}")));
                    return;
                }
                match self.history.sync() {
                    Ok(()) => self.checkpoint(Some(reply)),
                    Err(e) => {
                        let _ = reply.send(Err(format!("cannot sync the log: {e}")));
                    }
                }
            }
            Request::Forget { before, done } => {
                self.history.forget_before(before);
                let _ = done.send(());
            }
            Request::Shutdown { reply } => {
                self.closing = true;
                self.hand_out();
                match self.history.sync() {
                    // What a start replays is what came after the last checkpoint.
                    Ok(()) if self.checkpointed != self.history.head() => self.checkpoint(None),
                    Ok(()) => {}
                    Err(e) => tracing::error!("cannot sync the event log: {e}"),
                }
                // Synced here: the acknowledgements still held go out ahead of the close.
                for conn in std::mem::take(&mut self.holding) {
                    if let Some(t) = self.tablets.get_mut(&conn) {
                        for (_, frame) in t.held.take().map(|h| h.frames).unwrap_or_default() {
                            t.outlet.queue_own(frame);
                        }
                    }
                }
                for (_, t) in self.tablets.drain() {
                    t.outlet.flush();
                    t.outlet.close(CloseCode::Shutdown);
                }
                self.dirty.clear();
                self.pacing.clear();
                self.metrics.connections.set(0);
                self.by_station.clear();
                let _ = reply.send(());
            }
        }
    }

    fn join(&mut self, join: Join) {
        let Join {
            grant,
            codec,
            outlet,
            id,
            resume,
            reply,
        } = join;
        let station = grant.station.clone();
        if self.closing {
            return; // dropping `reply` tells the connection to close
        }
        let head = self.history.head();
        let epoch = self.history.epoch();
        let (recovery, backlog) = match resume {
            None => (Recovery::Live, Vec::new()),
            Some(r) if r.epoch.is_some_and(|e| e != epoch) => (
                Recovery::SnapshotNeeded {
                    reason: format!(
                        "the log's epoch is now {epoch}, not {}: offsets from before mean nothing",
                        r.epoch.unwrap_or(0)
                    ),
                },
                Vec::new(),
            ),
            Some(r) if head.saturating_sub(r.from) > self.config.max_backlog => (
                Recovery::SnapshotNeeded {
                    reason: format!(
                        "{} events behind, more than a resume replays ({}): take a snapshot",
                        head.saturating_sub(r.from),
                        self.config.max_backlog
                    ),
                },
                Vec::new(),
            ),
            Some(r) if r.from > head => (
                Recovery::SnapshotNeeded {
                    reason: format!("offset {} is beyond the log's head {head}", r.from),
                },
                Vec::new(),
            ),
            Some(r) => match self.history.backlog(r.from, &station, codec) {
                Ok(backlog) => (
                    Recovery::Recovered {
                        from: r.from.max(1),
                    },
                    backlog,
                ),
                Err(lost) => (
                    Recovery::SnapshotNeeded {
                        reason: format!(
                            "offset {} is no longer kept (oldest kept: {})",
                            r.from, lost.first_retained
                        ),
                    },
                    Vec::new(),
                ),
            },
        };
        let conn = self.next_conn;
        self.next_conn += 1;
        let welcome = ReplyBody::Welcome {
            protocol: PROTOCOL_VERSION,
            station: station.clone(),
            epoch,
            head,
            recovery,
            time_zone: Some(self.config.rules.zone.name().to_owned()),
        };
        // The welcome, then what the tablet missed, ahead of anything live; the tablet's task
        // writes what the socket does not take at once, within the write timeout.
        let frame = ServerFrame::Reply {
            id,
            body: welcome.clone(),
        };
        outlet.queue_own_all(encode(codec, &frame).into_iter().chain(backlog));
        if reply.send(Joined { conn, welcome }).is_err() {
            return; // the connection went away while waiting
        }
        let ids = self.by_station.entry(station.clone()).or_default();
        ids.push(conn);
        let first = ids.len() == 1;
        let mut tablet = Tablet {
            station: station.clone(),
            codec,
            outlet,
            grant: Box::new(grant),
            pinged: false,
            dirty: true,
            paced: false,
            caught_up: 0,
            held: None,
            released: 0,
        };
        // What the batch logged before the join came with the welcome, from the log.
        self.outbox.mark(conn, &mut tablet);
        self.tablets.insert(conn, tablet);
        self.dirty.push_back(conn);
        self.metrics.connections.inc();
        if first {
            self.log_and_deliver(vec![EventKind::StationOnline { station }]);
        }
    }

    /// Removes a tablet (gone, or cut off with `kick`), logging its station offline if it was
    /// the last one.
    fn leave(&mut self, conn: ConnId, kick: Option<CloseCode>) {
        let Some(tablet) = self.tablets.remove(&conn) else {
            return;
        };
        if kick == Some(CloseCode::Slow) {
            // What the operator needs to tell a tablet that stopped reading from a backlog the
            // disk let go at once: how much waited, how much was held, and the room it had.
            self.metrics.disconnect("slow");
            tracing::info!(
                conn,
                station = %tablet.station,
                waiting = tablet.outlet.queued(),
                held = tablet.held.as_ref().map_or(0, |h| h.frames.len()),
                room = self.config.queue_frames.saturating_add(tablet.released),
                "tablet too slow to read: cut off (4001); it may resume"
            );
        }
        if let Some(code) = kick {
            tablet.outlet.close(code);
        }
        self.metrics.connections.dec();
        let last = match self.by_station.get_mut(&tablet.station) {
            Some(ids) => {
                ids.retain(|c| *c != conn);
                ids.is_empty()
            }
            None => false,
        };
        if last {
            self.by_station.remove(&tablet.station);
            if !self.closing {
                self.log_and_deliver(vec![EventKind::StationOffline {
                    station: tablet.station,
                }]);
            }
        }
    }

    fn command(&mut self, conn: ConnId, id: u32, cmd: Command) {
        let Some(station) = self.tablets.get(&conn).map(|t| t.station.clone()) else {
            return;
        };
        // At debug, every command as it came (names included: not for a shipped log).
        tracing::debug!(conn, %station, id, ?cmd, "command");
        if self.config.clock.is_manual() {
            // A hand-set clock moves without waking the timer: catch up on what fell due.
            self.tick(self.now());
        }
        let mut logged = Vec::new();
        let result = match cmd {
            Command::Call { call } => self.place(&station, call, &mut logged),
            Command::Say { sentence } => match self.hear(&station, &sentence) {
                Ok(Utterance::Call(call)) => self.place(&station, call, &mut logged),
                Ok(Utterance::Answer { .. }) => Err(Refused::new(
                    ErrorCode::NotUnderstood,
                    "that is an answer, not a call: send it with `answer` and the call's id",
                )),
                Err(r) => Err(Refused::new(ErrorCode::NotUnderstood, r.to_string()).rule(r.rule())),
            },
            Command::Answer { call_id, answer } => {
                self.answer(&station, call_id, answer, &mut logged)
            }
            Command::Tap { tap } => self.tap(&station, tap, &mut logged),
            Command::State => {
                if self.snapshot_budget.take(self.now()) {
                    Ok(ReplyBody::State {
                        state: self.snapshot(&station),
                    })
                } else {
                    Err(Refused::new(
                        ErrorCode::Overloaded,
                        "the hub is busy making snapshots: ask again in a second",
                    ))
                }
            }
            // Reports are read from the log file by the connection, off this task.
            Command::Report { .. } => Err(Refused::new(
                ErrorCode::Internal,
                "the report is made by the connection; this is a hub bug",
            )),
            Command::Ping => Ok(ReplyBody::Pong {
                head: self.history.head(),
            }),
            Command::Preview { call, sentence } => self.preview(&station, call, sentence),
            Command::Catalogue => Ok(ReplyBody::Catalogue {
                calls: protocol::catalogue::for_station(&station),
                answers: protocol::catalogue::answers(),
            }),
            Command::Connect { .. } => Err(Refused::new(
                ErrorCode::AlreadyConnected,
                "already connected: open a new connection to connect again",
            )),
        };
        let frame = match result {
            Ok(body) => ServerFrame::Reply { id, body },
            Err(r) => {
                self.metrics.refusal(r.code_name());
                tracing::info!(
                    %station,
                    code = r.code_name(),
                    rule = r.rule.as_deref().unwrap_or("-"),
                    "refused: {}",
                    r.message
                );
                ServerFrame::Error {
                    id,
                    code: r.code,
                    message: r.message,
                    rule: r.rule,
                }
            }
        };
        // The caller is told only once what it caused is on disk (the sync thread says when;
        // until then its frames wait, in order). Everyone else hears at once.
        if !logged.is_empty() {
            let head = self.history.head();
            self.hold(conn, head);
            self.sync_wanted = true;
        }
        // The reply goes ahead of the events it caused, so a caller learns the id first.
        self.reply(conn, &frame);
        self.deliver_all(logged);
        self.settle(self.now());
    }

    /// Reads a sentence the way a listener on the net does: knowing who is speaking (the
    /// tablet's post), whom they just hailed, and which client managers are on duty (to tell
    /// 「李经理」 is 李明).
    fn hear(&self, speaker: &Station, sentence: &str) -> Result<Utterance, protocol::Refusal> {
        let managers = self.managers_on_duty();
        let hailed = self.state.hailed(speaker, self.now()).cloned();
        let cx = protocol::parse::Context {
            speaker: Some(speaker),
            hailed: hailed.as_ref(),
            managers: &managers,
        };
        protocol::parse::utterance_in(sentence, &cx)
    }

    /// The client managers on duty: on the rota, online, or in the site's rota groups.
    fn managers_on_duty(&self) -> Vec<ManagerName> {
        let rota = &self.board.rota;
        let mut names: Vec<ManagerName> = rota
            .visit
            .iter()
            .chain(rota.phone.iter())
            .map(|e| e.manager.clone())
            .chain(
                self.by_station
                    .keys()
                    .filter_map(|s| s.manager_name().cloned()),
            )
            .chain(self.config.site.rota_groups.iter().flatten().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The time now, by the hub's clock.
    fn now(&self) -> u64 {
        self.config.clock.now_ms()
    }

    /// Raises what has become overdue and resolves what no longer is.
    fn settle(&mut self, now: u64) {
        if !self.board.needs_settling(now) {
            return;
        }
        let due = self.board.due(now);
        if !due.is_empty() {
            self.log_and_deliver(due);
        }
    }

    /// A status tap: checked against the board, logged with its words and its updates.
    fn tap(
        &mut self,
        station: &Station,
        tap: protocol::Tap,
        logged: &mut Vec<Served>,
    ) -> Result<ReplyBody, Refused> {
        let now = self.now();
        let (words, updates) = self
            .board
            .on_tap(station, &tap, now)
            .map_err(Refused::contradiction)?;
        let mut events = vec![EventKind::Tapped {
            by: station.clone(),
            tap,
            words,
        }];
        events.extend(updates);
        let served = self.log_command(events, "tap")?;
        let offset = served.first().map(|s| s.offset).unwrap_or(0);
        logged.extend(served);
        Ok(ReplyBody::Tapped { offset })
    }

    /// Reads a call as `call` or `say` would and checks it the same way, logging nothing.
    fn preview(
        &self,
        station: &Station,
        call: Option<Call>,
        sentence: Option<String>,
    ) -> Result<ReplyBody, Refused> {
        let call = match (call, sentence) {
            (Some(call), None) => call,
            (None, Some(sentence)) => match self.hear(station, &sentence) {
                Ok(Utterance::Call(call)) => call,
                Ok(Utterance::Answer { answer }) => {
                    return Err(Refused::new(
                        ErrorCode::NotUnderstood,
                        format!(
                            "「{}」 is an answer, not a call: answer the call it is for",
                            answer.word()
                        ),
                    )
                    .rule("an_answer"));
                }
                Err(r) => {
                    return Err(
                        Refused::new(ErrorCode::NotUnderstood, r.to_string()).rule(r.rule())
                    );
                }
            },
            _ => {
                return Err(Refused::new(
                    ErrorCode::BadFrame,
                    "preview takes either `call` or `sentence`, not both or neither",
                ));
            }
        };
        self.check_call(station, &call)?;
        self.board
            .on_call(&call, self.history.head(), self.now())
            .map_err(Refused::contradiction)?;
        let sentence = call.render();
        Ok(ReplyBody::Preview {
            call: Box::new(call),
            sentence,
        })
    }

    /// The checks every call passes before the board sees it: the caller is this tablet's
    /// station, the call is in the catalogue, and the site has what it names.
    fn check_call(&self, station: &Station, call: &Call) -> Result<(), Refused> {
        if call.caller != *station {
            return Err(Refused::new(
                ErrorCode::Impersonation,
                format!(
                    "this tablet speaks for {station}, not {}: a post calls only as itself",
                    call.caller
                ),
            ));
        }
        call.check()
            .map_err(|r| Refused::new(ErrorCode::Refused, r.to_string()).rule(r.rule()))?;
        self.config
            .site
            .admits(call)
            .map_err(|e| Refused::new(ErrorCode::Refused, e.to_string()).rule("off_site"))
    }

    /// Places a call: checks it against the catalogue, the caller's identity and the site, and
    /// logs it — flagged at once if no tablet of the target is online.
    fn place(
        &mut self,
        station: &Station,
        call: Call,
        logged: &mut Vec<Served>,
    ) -> Result<ReplyBody, Refused> {
        self.check_call(station, &call)?;
        let call_id = self.history.head();
        let updates = self
            .board
            .on_call(&call, call_id, self.now())
            .map_err(Refused::contradiction)?;
        let sentence = call.render();
        let heard = match &call.target {
            Target::Station(t) => self.by_station.contains_key(t),
            Target::All => self.by_station.keys().any(|s| *s != call.caller),
        };
        let awaiting = self.state.awaiting_for(&call);
        let just_the_target =
            awaiting.len() == 1 && call.target.station().is_some_and(|t| awaiting.contains(t));
        // Logged first, so its offset is `call_id`: the event does not carry it again.
        let mut events = vec![EventKind::CallPlaced {
            call: call.clone(),
            awaiting: (!just_the_target).then(|| awaiting.into_iter().collect()),
        }];
        if !heard {
            events.push(EventKind::TargetOffline {
                call_id,
                caller: call.caller.clone(),
                target: call.target.clone(),
            });
        }
        events.extend(updates);
        logged.extend(self.log_command(events, "call")?);
        Ok(ReplyBody::Placed {
            call_id,
            offset: call_id,
            sentence,
        })
    }

    fn answer(
        &mut self,
        station: &Station,
        call_id: u64,
        answer: protocol::Answer,
        logged: &mut Vec<Served>,
    ) -> Result<ReplyBody, Refused> {
        let open = self
            .state
            .check_answer(call_id, station, answer)
            .map_err(|e| match e {
                AnswerError::Unknown => Refused::new(
                    ErrorCode::UnknownCall,
                    format!("call {call_id} is not open: it was answered already, or never placed"),
                ),
                AnswerError::NotYours => Refused::new(
                    ErrorCode::NotYours,
                    format!(
                        "call {call_id} is not addressed to {station}: only its target answers"
                    ),
                ),
                AnswerError::AlreadyAnswered => Refused::new(
                    ErrorCode::UnknownCall,
                    format!("{station} has already answered call {call_id}"),
                ),
                AnswerError::Wrong(accepted) => Refused::new(
                    ErrorCode::BadAnswer,
                    format!(
                        "call {call_id} is answered with {}",
                        accepted
                            .iter()
                            .map(|a| a.word())
                            .collect::<Vec<_>>()
                            .join(" / ")
                    ),
                ),
            })?;
        let now = self.now();
        let latency_ms = now.saturating_sub(open.placed_at);
        let event = EventKind::CallAnswered {
            call_id,
            caller: open.call.caller.clone(),
            target: open.call.target.clone(),
            by: station.clone(),
            answer,
            latency_ms,
            closes: self.state.closes(call_id, station),
        };
        let mut events = vec![event];
        events.extend(
            self.board
                .on_answer(&open.call, call_id, station, answer, now),
        );
        let served = self.log_command(events, "answer")?;
        self.metrics.ack_latency.observe(latency_ms as f64 / 1000.0);
        let offset = served.first().map(|s| s.offset).unwrap_or(0);
        logged.extend(served);
        Ok(ReplyBody::Answered { offset })
    }

    /// Repeats or escalates every open call whose deadline has passed.
    fn tick(&mut self, now: u64) {
        let mut events = Vec::new();
        for due in self.state.due(now) {
            let (Due::Repeat(id) | Due::Escalate(id)) = due;
            let Some(open) = self.state.open.get(&id) else {
                continue;
            };
            let (caller, target) = (open.call.caller.clone(), open.call.target.clone());
            let sentence = open.sentence.clone();
            events.push(match due {
                Due::Repeat(_) => EventKind::CallRepeated {
                    call_id: id,
                    caller,
                    target,
                    attempt: open.attempt + 1,
                    sentence,
                },
                Due::Escalate(_) => EventKind::CallEscalated {
                    call_id: id,
                    caller,
                    target,
                    sentence,
                },
            });
        }
        if !events.is_empty() {
            self.log_and_deliver(events);
        }
        self.settle(now);
    }

    /// Logs a command's events; a failure to write is the hub's, and the command may be retried.
    fn log_command(&mut self, events: Vec<EventKind>, what: &str) -> Result<Vec<Served>, Refused> {
        self.log(events).map_err(|e| {
            tracing::error!("cannot log a {what}: {e}");
            let full = matches!(&e, crate::history::HistoryError::Log(l) if l.is_full());
            if full {
                self.metrics.refusal("log_full");
                Refused::new(
                    ErrorCode::Internal,
                    format!(
                        "the hub's disk is full (or its file size limit is reached): the {what} was not logged, and nothing new can be until the operator makes room; everything logged so far is kept and served"
                    ),
                )
                .rule("log_full")
            } else {
                Refused::new(
                    ErrorCode::Internal,
                    format!("the hub could not log the {what}; try again"),
                )
            }
        })
    }

    /// Logs events (written with the rest of the turn's, see [`Self::flush_log`]), folds them
    /// into the state, and returns their frames. The
    /// first events of a new day begin its segment first; if that fails, nothing is logged
    /// (a day's events never go to an older day's segment).
    fn log(&mut self, events: Vec<EventKind>) -> Result<Vec<Served>, crate::history::HistoryError> {
        let deadline = self.config.ack_deadline.as_millis() as u64;
        let now = self.now();
        let logged = match self
            .turn_day(now)
            .and_then(|()| self.history.append(now, events))
        {
            Ok(logged) => logged,
            Err(e) => {
                self.log_trouble = Some((
                    std::time::Instant::now(),
                    format!("the last write to the log failed: {e}"),
                ));
                return Err(e);
            }
        };
        let mut served = Vec::with_capacity(logged.len());
        for (event, s) in logged {
            self.state.apply(&event, deadline);
            self.board.apply(&event);
            let state = match &event.what {
                EventKind::CallPlaced { .. } => Some("placed"),
                EventKind::CallAnswered { .. } => Some("answered"),
                EventKind::CallRepeated { .. } => Some("repeated"),
                EventKind::CallEscalated { .. } => Some("escalated"),
                EventKind::TargetOffline { .. } => Some("target_offline"),
                _ => None,
            };
            if let Some(state) = state {
                self.metrics.call(state);
            }
            served.push(s);
        }
        self.metrics.calls_open.set(self.state.open.len() as i64);
        Ok(served)
    }

    /// If `now` is on a later day than the segment being written, seals it and begins the
    /// day's segment, starting with the report's seed; then hands a checkpoint of the state at
    /// the day's start to the writer, and says the new day to whoever waits for one.
    fn turn_day(&mut self, now: u64) -> Result<(), HistoryError> {
        let today = calendar::day_of(now, &self.config.rules.zone);
        if self.history.day().is_some_and(|day| day >= today) {
            return Ok(());
        }
        let seed = Seed::of(&self.state, &self.board);
        let first = self.history.roll(today, &seed.encode())?;
        tracing::info!(
            day = %calendar::date(today),
            first,
            "the log begins the day's segment"
        );
        // The roll synced everything before `first`: a checkpoint there is never ahead of
        // the disk.
        self.checkpoint(None);
        self.days.send_replace(today);
        Ok(())
    }

    /// Hands a copy of the state, as of the log's head, to the checkpoint writer. The caller
    /// has synced the log up to here.
    fn checkpoint(&mut self, done: Option<oneshot::Sender<Result<u64, String>>>) {
        let offset = self.history.head();
        self.checkpoints.offer(checkpoint::Job {
            epoch: self.history.epoch(),
            offset,
            net: self.state.clone(),
            board: self.board.clone(),
            done,
        });
        self.checkpointed = offset;
    }

    fn log_and_deliver(&mut self, events: Vec<EventKind>) {
        match self.log(events) {
            Ok(served) => self.deliver_all(served),
            Err(e) => {
                // What fell due stays due; it is tried again after a pause, not at once (a full
                // disk would otherwise keep the switchboard spinning on it).
                if self.retry_at.is_none_or(|t| t <= Instant::now()) {
                    tracing::error!(
                        "cannot log an event: {e}; trying again in {} s",
                        RETRY_AFTER.as_secs()
                    );
                }
                self.retry_at = Some(Instant::now() + RETRY_AFTER);
            }
        }
    }

    /// Hands events to every tablet that may see them, at the end of the batch (see
    /// [`outbox`]). Never waits: a full queue cuts that tablet off.
    fn deliver_all(&mut self, served: Vec<Served>) {
        for s in served {
            self.outbox.push(s);
        }
    }

    fn reply(&mut self, conn: ConnId, frame: &ServerFrame) {
        self.catch_up(conn);
        let most = self.config.queue_frames;
        let Some(t) = self.tablets.get_mut(&conn) else {
            return;
        };
        let press = match t.codec {
            Codec::MsgPack => &mut self.replies[0],
            Codec::Json => &mut self.replies[1],
        };
        let made = reply_within_limit(frame, |f| {
            press
                .framed(f)
                .map_err(|e| tracing::error!("cannot encode a reply: {e}"))
                .ok()
        });
        let Some(f) = made else {
            return;
        };
        match t.send(f, most, false) {
            // A reply is what a tablet waits for: written before a fan-out's rest.
            Ok(true) => self.dirty.push_front(conn),
            Ok(false) => {}
            Err(_) => {
                self.leave(conn, Some(CloseCode::Slow));
            }
        }
    }

    /// Hands out the batch's events, then writes what the next [`WRITE_CHUNK`] tablets were
    /// sent, straight to their sockets, as far as each socket takes it now (the tablet's task
    /// writes the rest). Never waits; the loop comes back for the rest.
    fn write(&mut self) {
        self.hand_out();
        let (tablets, dirty) = (&mut self.tablets, &mut self.dirty);
        for conn in dirty.drain(..dirty.len().min(WRITE_CHUNK)) {
            if let Some(t) = tablets.get_mut(&conn) {
                // A full or failed socket is the tablet's task's to handle (it was woken).
                if std::mem::take(&mut t.dirty) {
                    let _: Flushed = t.outlet.flush();
                }
            }
        }
    }

    /// The pacing's gap ended: the tablets whose frames waited for it are written, after those
    /// already waiting to be.
    fn let_paced_go(&mut self) {
        let (tablets, dirty) = (&mut self.tablets, &mut self.dirty);
        for conn in self.pacing.let_go(Instant::now()) {
            // Written meanwhile (a reply took what waited), or gone: nothing to do.
            if let Some(t) = tablets.get_mut(&conn)
                && std::mem::take(&mut t.paced)
            {
                dirty.push_back(conn);
            }
        }
    }

    /// Holds what `conn` is sent from here on until the log is durable up to `until`: a
    /// command's acknowledgement, and the events behind it, in order.
    fn hold(&mut self, conn: ConnId, until: u64) {
        if self.syncer.durable() >= until {
            return;
        }
        // What the tablet was sent before is not held for this.
        self.catch_up(conn);
        let Some(t) = self.tablets.get_mut(&conn) else {
            return;
        };
        match &mut t.held {
            Some(h) => h.until = h.until.max(until),
            None => {
                t.held = Some(Box::new(Held {
                    until,
                    frames: Default::default(),
                }));
                self.holding.push(conn);
            }
        }
    }

    /// Writes what was logged since the last flush to the file, in one write. A write that
    /// fails there leaves events logged that the file does not have: the log refuses every
    /// append from then on, and the tablets waiting for the disk are cut off (4000), as after
    /// a failed sync, to resume and see what the log kept.
    fn flush_log(&mut self) {
        match self.history.flush() {
            Ok(()) => self.update_log_metrics(),
            Err(e) => {
                tracing::error!("cannot write the event log: {e}");
                self.log_failed(format!("the last write to the log failed: {e}"));
            }
        }
    }

    /// The log could not be written or synced: `/healthz` says why for [`TROUBLE_FOR`], and
    /// the tablets waiting for the disk are cut off (4000), to resume and see what the log
    /// kept.
    fn log_failed(&mut self, trouble: String) {
        self.log_trouble = Some((std::time::Instant::now(), trouble));
        for conn in std::mem::take(&mut self.holding) {
            if let Some(t) = self.tablets.get_mut(&conn)
                && t.held.take().is_some()
            {
                self.leave(conn, Some(CloseCode::Shutdown));
            }
        }
    }

    /// Writes what was logged and asks the sync thread for the log up to its head; never
    /// waits on the disk.
    fn want_durable(&mut self) {
        self.flush_log();
        // Up to what the file has: events lost with a failed write are never called durable.
        let head = self.history.written();
        let (path, open) = self.history.segment();
        self.syncer.want(head, path, open);
    }

    /// The log is durable further: what was held for it goes out. A failed sync cuts the
    /// tablets that waited on it off with 4000, so they resume and see what the log kept.
    fn release(&mut self) {
        let synced = self.syncer.synced().borrow_and_update().clone();
        if let Some(why) = &synced.failed {
            tracing::error!("cannot sync the event log: {why}");
            self.log_failed(format!("the last sync of the log failed: {why}"));
            return;
        }
        if self.holding.is_empty() {
            return;
        }
        let most = self.config.queue_frames;
        let mut still = Vec::new();
        let mut gone = Vec::new();
        for conn in std::mem::take(&mut self.holding) {
            let Some(t) = self.tablets.get_mut(&conn) else {
                continue;
            };
            match t.let_go(synced.upto, most) {
                Ok(LetGo { released, holding }) => {
                    if holding {
                        still.push(conn);
                    }
                    // An acknowledgement the caller waits for: written before a fan-out's rest.
                    if released > 0 && t.write_at_once() {
                        self.dirty.push_front(conn);
                    }
                }
                Err(code) => gone.push((conn, code)),
            }
        }
        self.holding = still;
        for (conn, code) in gone {
            self.leave(conn, Some(code));
        }
    }

    /// Pings each tablet quiet for `ping_after`, cuts off one silent for twice that (4004), and
    /// one whose token expired (4504).
    fn sweep(&mut self) {
        let ping_after = self.config.ping_after.as_millis() as u64;
        let now = crate::token::now_ms();
        let mut cut = Vec::new();
        for (conn, t) in self.tablets.iter_mut() {
            if t.grant.expired(now) {
                cut.push((
                    *conn,
                    crate::token::TokenError::Expired.close_code(),
                    Some(crate::token::TokenError::Expired),
                ));
                continue;
            }
            let quiet = t.outlet.quiet_ms();
            if quiet >= 2 * ping_after {
                cut.push((*conn, CloseCode::Silent, None));
            } else if quiet >= ping_after && !t.pinged {
                t.pinged = true;
                if t.queue_now(Framed::ping(b"radio"), usize::MAX, false) == Ok(true) {
                    self.dirty.push_back(*conn);
                }
            } else if quiet < ping_after {
                t.pinged = false;
            }
        }
        for (conn, code, why) in cut {
            self.cut_off(conn, code, why);
        }
    }

    /// Keys or revocations changed: every tablet's token is checked again, and those no longer
    /// good are cut off (4505, or 4504).
    fn recheck(&mut self, trust: &crate::Trust) {
        let now = crate::token::now_ms();
        let cut: Vec<_> = self
            .tablets
            .iter()
            .filter_map(|(conn, t)| {
                let e = trust.recheck(&t.grant, now).err()?;
                Some((*conn, e.close_code(), Some(e)))
            })
            .collect();
        for (conn, code, why) in cut {
            self.cut_off(conn, code, why);
        }
    }

    /// Cuts a tablet off with `code`, saying why (a token's refusal) in the close and the log.
    fn cut_off(&mut self, conn: ConnId, code: CloseCode, why: Option<crate::token::TokenError>) {
        let Some(t) = self.tablets.get(&conn) else {
            return;
        };
        match &why {
            Some(e) => {
                self.metrics.disconnect(code.name());
                tracing::info!(conn, "{} cut off: {e}", t.station);
            }
            None => self.metrics.disconnect("silent"),
        }
        t.outlet.close_because(code, why.map(|e| e.to_string()));
        self.leave(conn, None);
    }

    fn update_log_metrics(&self) {
        self.metrics.log_bytes.set(self.history.len_bytes() as i64);
        self.metrics.log_head.set(self.history.head() as i64);
    }

    fn snapshot(&self, station: &Station) -> serde_json::Value {
        let mut presence: std::collections::BTreeMap<String, usize> = Default::default();
        if station.is_supervisor() {
            for (s, ids) in &self.by_station {
                presence.insert(s.to_string(), ids.len());
            }
        }
        let mut snapshot = serde_json::json!({
            "offset": self.state.offset,
            "epoch": self.history.epoch(),
            "head": self.history.head(),
            "site": self.config.site.name,
            "posts": self.config.site.posts.iter().map(|p| p.code()).collect::<Vec<_>>(),
            "station": station.to_string(),
            "open_calls": self.state.open_for(station).collect::<Vec<_>>(),
            "presence": presence,
            "counts": self.state.counts,
        });
        if let (Some(all), serde_json::Value::Object(board)) =
            (snapshot.as_object_mut(), self.board.snapshot(station))
        {
            all.extend(board);
        }
        snapshot
    }
}

/// Encodes a frame for one tablet.
pub fn encode(codec: Codec, frame: &ServerFrame) -> Option<Framed> {
    let bytes = match codec.encode(frame) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("cannot encode a frame: {e}");
            return None;
        }
    };
    Some(Framed::of(codec, bytes))
}

/// Encodes a reply for one tablet, within the frame limit a tablet accepts: a reply that would
/// be larger (a `state` of a very busy day) becomes an error pointing to the HTTP snapshot.
pub fn encode_reply(codec: Codec, frame: &ServerFrame) -> Option<Framed> {
    reply_within_limit(frame, |f| encode(codec, f))
}

/// A reply made with `make`, or the error that replaces one too large for a frame.
fn reply_within_limit(
    frame: &ServerFrame,
    mut make: impl FnMut(&ServerFrame) -> Option<Framed>,
) -> Option<Framed> {
    let framed = make(frame)?;
    let len = framed.body_len();
    if len <= protocol::codec::MAX_SERVER_FRAME_BYTES {
        return Some(framed);
    }
    let id = match frame {
        ServerFrame::Reply { id, .. } | ServerFrame::Error { id, .. } => *id,
        ServerFrame::Event(_) => 0,
    };
    make(&ServerFrame::Error {
        id,
        code: ErrorCode::Internal,
        message: format!(
            "the reply is {} bytes, over the {} a frame may carry: read /api/state or /api/report over HTTP",
            len,
            protocol::codec::MAX_SERVER_FRAME_BYTES
        ),
        rule: Some("too_large".into()),
    })
}

/// The trust once it changed; `None` if the hub stopped following it (then never again).
async fn changed(
    trust: &mut Option<watch::Receiver<Arc<crate::Trust>>>,
) -> Option<Arc<crate::Trust>> {
    match trust {
        Some(rx) => match rx.changed().await {
            Ok(()) => Some(rx.borrow_and_update().clone()),
            Err(_) => None,
        },
        None => std::future::pending().await,
    }
}

async fn sleep_until_opt(wake: Option<Instant>) {
    match wake {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// A command refused, with what the client should know.
struct Refused {
    code: ErrorCode,
    message: String,
    rule: Option<String>,
}

impl Refused {
    fn new(code: ErrorCode, message: impl Into<String>) -> Refused {
        Refused {
            code,
            message: message.into(),
            rule: None,
        }
    }

    fn contradiction(c: Contradiction) -> Refused {
        Refused::new(ErrorCode::Refused, c.message).rule(c.rule)
    }

    fn rule(mut self, rule: &str) -> Refused {
        self.rule = Some(rule.to_owned());
        self
    }

    fn code_name(&self) -> &'static str {
        self.code.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tablet on a real loopback socket that nobody reads.
    async fn tablet() -> (Tablet, tokio::net::TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let client = tokio::net::TcpStream::connect(listener.local_addr().expect("an address"))
            .await
            .expect("connects");
        let (server, _) = listener.accept().await.expect("accepts");
        let station = Station::Post(protocol::Post::L1);
        let tablet = Tablet {
            station: station.clone(),
            codec: Codec::MsgPack,
            outlet: Arc::new(Outlet::new(server, None)),
            grant: Box::new(crate::token::Grant {
                station,
                id: None,
                key: crate::token::KeyId::of(b"key"),
                issued_ms: 0,
                expires_ms: None,
            }),
            pinged: false,
            dirty: false,
            paced: false,
            caught_up: 0,
            held: None,
            released: 0,
        };
        (tablet, client)
    }

    fn frame() -> Framed {
        Framed::binary(bytes::Bytes::from_static(b"\x80"))
    }

    /// Holds what `t` is sent from here on until the log is durable up to `until`.
    fn hold(t: &mut Tablet, until: u64) {
        t.held = Some(Box::new(Held {
            until,
            frames: Default::default(),
        }));
    }

    /// Holds what `t` is sent until `until`, and sends it `n` frames, each held.
    fn hold_and_send(t: &mut Tablet, until: u64, n: usize, most: usize) {
        hold(t, until);
        for _ in 0..n {
            assert_eq!(t.send(frame(), most, false), Ok(false), "held, not queued");
        }
    }

    #[tokio::test]
    async fn a_backlog_the_disk_lets_go_at_once_is_not_a_slow_reader() {
        let most = 4;
        let (mut t, _peer) = tablet().await;
        crate::line::fill(t.outlet.tcp());
        // A caller's acknowledgement and what came behind it, held through a pause of the disk.
        hold_and_send(&mut t, 7, 3 * most, most);
        let LetGo { released, holding } = t.let_go(7, most).expect("let go");
        assert_eq!((released, holding), (3 * most, false));
        assert!(t.held.is_none());
        // Sent right behind the backlog, before the switchboard wrote any of it: not slow.
        assert_eq!(t.send(frame(), most, false), Ok(true));
        for _ in 0..most - 1 {
            assert_eq!(t.send(frame(), most, false), Ok(false));
        }
        // A reader that lets `most` more pile up behind the backlog is slow.
        assert_eq!(t.send(frame(), most, false), Err(CloseCode::Slow));
    }

    /// A caller calling again while the backlog of a pause is still on its way: the next sync
    /// lets go of one acknowledgement, and what follows it is not counted against the backlog.
    /// (The stall part's gate, placing 240 calls a second to everyone, was most likely cut off
    /// this way just after a sync of over 800 ms.)
    #[tokio::test]
    async fn a_backlog_still_unread_when_the_next_sync_lets_go_is_not_a_slow_reader() {
        let most = 4;
        let (mut t, _peer) = tablet().await;
        crate::line::fill(t.outlet.tcp());
        hold_and_send(&mut t, 7, 3 * most, most);
        let LetGo { released, .. } = t.let_go(7, most).expect("let go");
        assert_eq!(released, 3 * most);
        // The caller calls again before it has read any of the backlog: its acknowledgement
        // is held, then let go on its own.
        hold_and_send(&mut t, 9, 1, most);
        let LetGo { released, holding } = t.let_go(9, most).expect("let go");
        assert_eq!((released, holding), (1, false));
        // `most` more behind the whole backlog still fit; one more is a slow reader.
        for _ in 0..most {
            assert!(
                t.send(frame(), most, false).is_ok(),
                "room behind the backlog"
            );
        }
        assert_eq!(t.send(frame(), most, false), Err(CloseCode::Slow));
    }

    /// A tablet that reads nothing and keeps calling is cut off: the room a backlog gets
    /// stops at what a tablet may have held.
    #[tokio::test]
    async fn room_behind_backlogs_is_bounded() {
        let most = 2;
        let (mut t, _peer) = tablet().await;
        crate::line::fill(t.outlet.tcp());
        let mut cut_off = false;
        for until in 1..=1_000u64 {
            hold(&mut t, until);
            let sent = (0..most).try_for_each(|_| t.send(frame(), most, false).map(|_| ()));
            let let_go = t.let_go(until, most).map(|_| ());
            let after = (0..most).try_for_each(|_| t.send(frame(), most, false).map(|_| ()));
            if sent.and(let_go).and(after).is_err() {
                cut_off = true;
                break;
            }
        }
        assert!(cut_off, "a tablet that never reads was never cut off");
        assert!(
            t.outlet.queued() <= (HELD_PER_QUEUE + 1) * most + most,
            "{} frames waited for a tablet that reads nothing",
            t.outlet.queued()
        );
    }

    #[tokio::test]
    async fn a_tablet_that_held_nothing_is_slow_past_its_queue() {
        let most = 4;
        let (mut t, _peer) = tablet().await;
        crate::line::fill(t.outlet.tcp());
        for _ in 0..most {
            assert!(t.send(frame(), most, false).is_ok());
        }
        assert_eq!(t.send(frame(), most, false), Err(CloseCode::Slow));
    }

    /// A frame for everyone within the pacing's gap puts the tablet on the pacing's list; the
    /// next frame that may not wait (a reply) puts it on `dirty`, taking what waited with it.
    #[tokio::test]
    async fn a_frame_that_may_not_wait_takes_what_waited_for_the_gap() {
        let (mut t, _peer) = tablet().await;
        assert_eq!(
            t.send(frame(), 64, true),
            Ok(true),
            "newly: the pacing's list"
        );
        assert!(t.paced && t.dirty);
        assert_eq!(t.send(frame(), 64, true), Ok(false), "already on it");
        assert_eq!(
            t.send(frame(), 64, false),
            Ok(true),
            "a reply: on dirty, at once"
        );
        assert!(!t.paced && t.dirty, "no longer waiting for the gap");
        assert_eq!(t.send(frame(), 64, false), Ok(false), "already on dirty");
        assert_eq!(
            t.send(frame(), 64, true),
            Ok(false),
            "written with the rest"
        );
        assert_eq!(t.outlet.queued(), 5);
    }

    #[tokio::test]
    async fn only_what_the_log_is_durable_for_is_let_go_in_order() {
        let (mut t, _peer) = tablet().await;
        hold(&mut t, 5);
        assert!(t.send(frame(), 64, false).is_ok());
        t.held.as_mut().expect("holding").until = 9;
        assert!(t.send(frame(), 64, false).is_ok());
        let LetGo { released, holding } = t.let_go(5, 64).expect("let go");
        assert_eq!((released, holding), (1, true));
        let LetGo { released, holding } = t.let_go(9, 64).expect("let go");
        assert_eq!((released, holding), (1, false));
    }
}
