//! A virtual post: one [`Tablet`] on the net, as a person at that post holds it. It says what
//! the day's script gives it to say, taps where the script has no call, and answers every call
//! for it after its own delay — drawn from its manner (median and spread of its time to 收到),
//! missing some the first time (it answers the hub's repeat), and nothing at all while silent.
//! When its connection drops (a fault, a hub restart) it reconnects and resumes where it left
//! off, and answers what was said meanwhile, as a tablet back on the net does.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use protocol::envelope::{CallId, Resume};
use protocol::{Answer, Codec, Event, EventKind, Station, Tap};
use tablet::{Options, Placed, Tablet, TabletError};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::clock::SimClock;
use crate::mirror::{Mirror, addressed_to};
use crate::scenario::Manner;

/// How a post answers one call: draws made from the seed for this call and this post, turned
/// into a delay and a miss by the post's manner when the call comes.
#[derive(Clone, Copy, Debug)]
pub struct How {
    /// A standard normal draw: the delay is `answer_seconds · e^(spread · z)`.
    pub z: f64,
    /// A uniform draw: below the miss share, the post misses the first time; below its
    /// square, the repeat too (it answers after the escalation).
    pub u: f64,
    pub answer: Answer,
}

/// What a post is told to do.
pub enum Cmd {
    Say {
        sentence: String,
        reply: oneshot::Sender<Result<Placed, TabletError>>,
    },
    Tap {
        tap: Tap,
        reply: oneshot::Sender<Result<u64, TabletError>>,
    },
    /// Answer this call, this way.
    Expect {
        call_id: CallId,
        how: How,
    },
    State {
        reply: oneshot::Sender<Result<serde_json::Value, TabletError>>,
    },
    Report {
        date: String,
        reply: oneshot::Sender<Result<serde_json::Value, TabletError>>,
    },
    /// The tablet goes off the net until then (a fault).
    Offline {
        until: Instant,
    },
    /// The connection drops now and resumes (a fault).
    Drop,
    Silent(bool),
    /// Miss this share of calls (a fault); `None`: back to the post's manner.
    Miss(Option<f64>),
    Stop {
        reply: oneshot::Sender<()>,
    },
}

/// A post's handle: send it commands.
#[derive(Clone, Debug)]
pub struct PostHandle {
    pub station: Station,
    tx: mpsc::UnboundedSender<Cmd>,
}

impl PostHandle {
    pub fn send(&self, cmd: Cmd) {
        let _ = self.tx.send(cmd);
    }

    pub async fn say(&self, sentence: String) -> Result<Placed, TabletError> {
        let (reply, rx) = oneshot::channel();
        self.send(Cmd::Say { sentence, reply });
        rx.await
            .unwrap_or(Err(TabletError::Protocol("the post stopped".into())))
    }

    pub async fn tap(&self, tap: Tap) -> Result<u64, TabletError> {
        let (reply, rx) = oneshot::channel();
        self.send(Cmd::Tap { tap, reply });
        rx.await
            .unwrap_or(Err(TabletError::Protocol("the post stopped".into())))
    }

    pub async fn state(&self) -> Result<serde_json::Value, TabletError> {
        let (reply, rx) = oneshot::channel();
        self.send(Cmd::State { reply });
        rx.await
            .unwrap_or(Err(TabletError::Protocol("the post stopped".into())))
    }

    pub async fn report(&self, date: String) -> Result<serde_json::Value, TabletError> {
        let (reply, rx) = oneshot::channel();
        self.send(Cmd::Report { date, reply });
        rx.await
            .unwrap_or(Err(TabletError::Protocol("the post stopped".into())))
    }

    pub async fn stop(&self) {
        let (reply, rx) = oneshot::channel();
        self.send(Cmd::Stop { reply });
        let _ = tokio::time::timeout(Duration::from_secs(3), rx).await;
    }
}

/// Where and as whom a post connects.
#[derive(Clone, Debug)]
pub struct Setup {
    pub station: Station,
    pub url: String,
    pub token: String,
    pub manner: Manner,
    pub clock: Arc<SimClock>,
    /// The supervisor's tablet feeds the board every event it hears.
    pub mirror: Option<Arc<Mirror>>,
    /// How much sooner than its delay a post must speak so that the hub, at the end of the
    /// wire, measures the delay it meant (shared: every post's wire is the same).
    pub lead: Arc<Lead>,
}

/// The drill's own share of an answer's time — the wire, the timers, the hub's turn — learnt
/// from the hub's `latency_ms` of each answer against the delay the post meant, and taken off
/// the next ones. At 600 times real speed a millisecond of it is 0.6 s of the day; without this
/// every post would seem a second or two slower than its manner.
#[derive(Debug, Default)]
pub struct Lead {
    /// Simulated ms, smoothed.
    ms: std::sync::Mutex<f64>,
}

impl Lead {
    /// The current lead, simulated ms.
    pub fn get(&self) -> u64 {
        *self.ms.lock().expect("lead") as u64
    }

    /// An answer meant `meant` ms after its call went out was measured by the hub at
    /// `measured` ms, though it was said `lead` early.
    fn learn(&self, meant: u64, measured: u64) {
        let mut m = self.ms.lock().expect("lead");
        let error = measured as f64 - meant as f64 + *m;
        // A hiccup of the machine, or a call heard on coming back to the net, is not the wire.
        if !(-1_000.0..=3_000.0).contains(&error) {
            return;
        }
        *m = 0.8 * *m + 0.2 * error.max(0.0);
    }
}

/// Starts a post: connects it (failing if the hub turns it away), then runs it as a task.
pub async fn start(setup: Setup) -> Result<PostHandle, TabletError> {
    let opts = options(None);
    let (tablet, _) = Tablet::connect(&setup.url, &setup.token, opts).await?;
    let (tx, rx) = mpsc::unbounded_channel();
    let station = setup.station.clone();
    let post = Post {
        resume: tablet.resume(),
        tablet: Some(tablet),
        setup,
        retry_at: None,
        offline_until: None,
        heard: HashMap::new(),
        expect: HashMap::new(),
        due: BinaryHeap::new(),
        backlog: VecDeque::new(),
        silent: false,
        miss: None,
        failures: 0,
        meant: HashMap::new(),
    };
    tokio::spawn(post.run(rx));
    Ok(PostHandle { station, tx })
}

fn options(resume: Option<Resume>) -> Options {
    Options {
        codec: Codec::MsgPack,
        resume,
        reply_timeout: Duration::from_secs(5),
        ..Options::default()
    }
}

/// What the post heard of a call: when each attempt was said.
#[derive(Default)]
struct Heard {
    /// The call waits for this post's answer, and this is the answer it takes: what the post
    /// says if the script never told it how (a call said twice over a hub restart, say).
    owed: Option<Answer>,
    /// (when the call went out, when the post means to answer), simulated, once scheduled.
    meant: Option<(u64, u64)>,
    /// Simulated times of attempt 1 (the call), 2 (the repeat), 3 (the escalation): the hub's
    /// stamp, or when the post heard it if that was later (a tablet back on the net).
    attempts: Vec<u64>,
    scheduled: bool,
}

/// How long a post waits to be told how to answer a call for it before answering it in its own
/// manner anyway (simulated ms).
const GRACE_MS: u64 = 5_000;

/// An event heard this long after the hub stamped it is old news (a replay on resuming): the
/// post's delay runs from hearing it.
const STALE_MS: u64 = 2_000;

struct Post {
    setup: Setup,
    tablet: Option<Tablet>,
    resume: Resume,
    /// When to try to reconnect (the connection is down).
    retry_at: Option<Instant>,
    /// Off the net on purpose until then.
    offline_until: Option<Instant>,
    heard: HashMap<CallId, Heard>,
    expect: HashMap<CallId, How>,
    /// Answers to give, by when.
    due: BinaryHeap<Reverse<(Instant, CallId, bool)>>,
    /// Commands waiting for the connection.
    backlog: VecDeque<Cmd>,
    silent: bool,
    miss: Option<f64>,
    failures: u32,
    /// Answers given, by call: (when it went out, when the post meant to answer), to learn
    /// the lead from what the hub measured.
    meant: HashMap<CallId, (u64, u64)>,
}

impl Post {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Cmd>) {
        loop {
            let wake = [self.due.peek().map(|Reverse((t, _, _))| *t), self.retry_at]
                .into_iter()
                .flatten()
                .min();
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    None => break,
                    Some(Cmd::Stop { reply }) => {
                        if let Some(t) = self.tablet.take() {
                            tokio::spawn(t.close());
                        }
                        let _ = reply.send(());
                        break;
                    }
                    Some(cmd) => self.command(cmd).await,
                },
                event = next_event(&mut self.tablet) => match event {
                    Ok(e) => self.heard_event(e),
                    // A frame it could not read; the connection itself is fine.
                    Err(_) if self.tablet.as_ref().is_some_and(|t| !t.is_closed()) => {}
                    Err(e) => self.lost(e),
                },
                _ = sleep_until(wake) => self.wake().await,
            }
        }
    }

    async fn command(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Expect { call_id, how } => {
                self.expect.insert(call_id, how);
                self.schedule(call_id);
            }
            Cmd::Offline { until } => {
                // Dropped: the hub sees the tablet vanish.
                if let Some(t) = self.tablet.take() {
                    self.resume = t.resume();
                }
                self.offline_until = Some(until);
                self.retry_at = Some(until);
            }
            Cmd::Drop => {
                if let Some(t) = self.tablet.take() {
                    self.resume = t.resume();
                    // Back within a few (simulated) seconds, as a tablet on flaky Wi-Fi.
                    let gap = self.setup.clock.wall(3_000.0).max(Duration::from_millis(2));
                    self.retry_at = Some(Instant::now() + gap);
                }
            }
            Cmd::Silent(s) => {
                self.silent = s;
                if !s {
                    let ids: Vec<CallId> = self.heard.keys().copied().collect();
                    for id in ids {
                        self.schedule(id);
                    }
                }
            }
            Cmd::Miss(share) => self.miss = share,
            cmd => {
                if self.tablet.is_none() {
                    self.backlog.push_back(cmd);
                } else {
                    self.on_the_net(cmd).await;
                }
            }
        }
    }

    /// Runs a command that needs the connection; one that loses it waits for the next.
    async fn on_the_net(&mut self, cmd: Cmd) {
        let Some(tablet) = self.tablet.as_mut() else {
            self.backlog.push_back(cmd);
            return;
        };
        macro_rules! run {
            ($result:expr, $reply:ident, $again:expr) => {{
                let r = $result;
                match r {
                    Err(e) if tablet.is_closed() || matches!(e, TabletError::Timeout) => {
                        self.backlog.push_front($again);
                        self.lost(e);
                    }
                    r => {
                        let _ = $reply.send(r);
                    }
                }
            }};
        }
        match cmd {
            Cmd::Say { sentence, reply } => {
                run!(
                    tablet.say(&sentence).await,
                    reply,
                    Cmd::Say { sentence, reply }
                )
            }
            Cmd::Tap { tap, reply } => {
                run!(
                    tablet.tap(tap.clone()).await,
                    reply,
                    Cmd::Tap { tap, reply }
                )
            }
            Cmd::State { reply } => run!(tablet.state().await, reply, Cmd::State { reply }),
            Cmd::Report { date, reply } => {
                run!(
                    tablet.report(Some(&date)).await,
                    reply,
                    Cmd::Report { date, reply }
                )
            }
            // Expectations and faults never wait for the connection (see `command`).
            _ => {}
        }
    }

    fn heard_event(&mut self, e: Event) {
        self.setup.clock.observe(e.at);
        if let Some(m) = &self.setup.mirror {
            m.apply(&e);
        }
        let me = &self.setup.station;
        // When it was said: the hub's stamp, so the delay on the way here is not counted twice
        // (at 600 times real speed a millisecond on the wire is most of a second of the day).
        let now_sim = self.setup.clock.now();
        let now = if now_sim.saturating_sub(e.at) > STALE_MS {
            now_sim
        } else {
            e.at
        };
        match &e.what {
            EventKind::CallPlaced { call, awaiting } if addressed_to(me, call) => {
                let call_id = e.offset;
                let waits_for_me = match awaiting {
                    Some(list) => list.contains(me),
                    None => call.target.station() == Some(me),
                };
                let owed = waits_for_me
                    .then(|| crate::mirror::answer_for(call.intent.answers()))
                    .flatten();
                let h = self.heard.entry(call_id).or_default();
                if h.attempts.is_empty() {
                    h.attempts.push(now);
                }
                h.owed = owed;
                if owed.is_some() && !self.expect.contains_key(&call_id) {
                    // Told how to answer within moments, as a rule; if not, answer anyway.
                    let check = self.setup.clock.wall_at(now + GRACE_MS);
                    self.due.push(Reverse((check, call_id, true)));
                }
                self.schedule(call_id);
            }
            EventKind::CallRepeated { call_id, .. } | EventKind::CallEscalated { call_id, .. } => {
                if let Some(h) = self.heard.get_mut(call_id) {
                    if h.attempts.len() < 3 {
                        h.attempts.push(now);
                    }
                    self.schedule(*call_id);
                }
            }
            EventKind::CallAnswered {
                call_id,
                closes,
                by,
                latency_ms,
                ..
            } if *closes || by == me => {
                self.heard.remove(call_id);
                self.expect.remove(call_id);
                if let Some((placed, answer_at)) = self.meant.remove(call_id) {
                    if by == me {
                        // The post meant to answer this long after the call went out; the
                        // hub measured `latency_ms`.
                        self.setup
                            .lead
                            .learn(answer_at.saturating_sub(placed), *latency_ms);
                    }
                }
            }
            _ => {}
        }
    }

    /// Puts the answer to `call_id` on the clock once the post has heard it, knows how to
    /// answer it, and has heard the attempt it answers.
    fn schedule(&mut self, call_id: CallId) {
        if self.silent {
            return;
        }
        let (Some(h), Some(how)) = (self.heard.get_mut(&call_id), self.expect.get(&call_id)) else {
            return;
        };
        if h.scheduled {
            return;
        }
        let miss = self.miss.unwrap_or(self.setup.manner.miss_share);
        let misses = if how.u < miss * miss {
            2
        } else if how.u < miss {
            1
        } else {
            0
        };
        let Some(heard) = h.attempts.get(misses) else {
            return;
        };
        let m = &self.setup.manner;
        let delay_s = m.answer_seconds * (m.spread * how.z).exp();
        let answer_at = *heard + (delay_s * 1000.0) as u64;
        h.meant = Some((h.attempts[0], answer_at));
        let lead = self.setup.lead.get();
        let at = self
            .setup
            .clock
            .wall_at(answer_at.saturating_sub(lead).max(*heard));
        h.scheduled = true;
        if std::env::var_os("DRILL_DEBUG_POST").is_some() {
            eprintln!(
                "post {} call {call_id} misses {misses} heard {} delay {:.0} lead {lead} due in {:?} (clock {})",
                self.setup.station,
                heard,
                delay_s * 1000.0,
                at.saturating_duration_since(Instant::now()),
                self.setup.clock.now()
            );
        }
        self.due.push(Reverse((at, call_id, false)));
    }

    async fn wake(&mut self) {
        let now = Instant::now();
        if self.retry_at.is_some_and(|t| t <= now) {
            self.reconnect().await;
        }
        while let Some(Reverse((at, call_id, grace))) = self.due.peek().copied() {
            if at > now {
                break;
            }
            if grace {
                self.due.pop();
                self.owed_anyway(call_id);
                continue;
            }
            if self.tablet.is_none() {
                // Say it once back on the net.
                self.due.pop();
                let later = self.retry_at.unwrap_or(now) + Duration::from_millis(1);
                self.due.push(Reverse((
                    later.max(now + Duration::from_millis(5)),
                    call_id,
                    false,
                )));
                break;
            }
            self.due.pop();
            if self.silent {
                if let Some(h) = self.heard.get_mut(&call_id) {
                    h.scheduled = false;
                }
                continue;
            }
            let Some(how) = self.expect.remove(&call_id) else {
                continue;
            };
            if let Some(meant) = self.heard.remove(&call_id).and_then(|h| h.meant) {
                self.meant.insert(call_id, meant);
            }
            let tablet = self.tablet.as_mut().expect("checked");
            if std::env::var_os("DRILL_DEBUG_POST").is_some() {
                eprintln!(
                    "post {} call {call_id} answers, {:?} late (clock {})",
                    self.setup.station,
                    now.saturating_duration_since(at),
                    self.setup.clock.now()
                );
            }
            match tablet.answer(call_id, how.answer).await {
                Ok(_) => {}
                Err(e) if tablet.is_closed() || matches!(e, TabletError::Timeout) => {
                    // Lost mid-answer: say it again when back.
                    self.expect.insert(call_id, how);
                    let again = self.setup.clock.now();
                    let h = self.heard.entry(call_id).or_default();
                    h.attempts = vec![again; 3];
                    self.lost(e);
                    self.schedule(call_id);
                }
                // Closed already (a broadcast the supervisor closed, the repeat answered).
                Err(_) => {}
            }
        }
    }

    /// A call for this post that the script never said how to answer: the post answers it in
    /// its own manner, never missing it (it was heard; the draw is keyed by the call).
    fn owed_anyway(&mut self, call_id: CallId) {
        if self.expect.contains_key(&call_id) {
            return;
        }
        let Some(answer) = self.heard.get(&call_id).and_then(|h| h.owed) else {
            return;
        };
        let who = crate::ctx::fnv(&self.setup.station.to_string());
        let z = crate::rng::keyed_normal(call_id, &[who]);
        self.expect.insert(call_id, How { z, u: 1.0, answer });
        self.schedule(call_id);
    }

    fn lost(&mut self, _e: TabletError) {
        if let Some(t) = self.tablet.take() {
            self.resume = t.resume();
        }
        if self.retry_at.is_none() {
            self.retry_at = Some(Instant::now() + Duration::from_millis(10));
        }
    }

    async fn reconnect(&mut self) {
        self.retry_at = None;
        if let Some(until) = self.offline_until {
            if Instant::now() < until {
                self.retry_at = Some(until);
                return;
            }
            self.offline_until = None;
        }
        if let Some(t) = &self.tablet {
            self.resume = t.resume();
            return;
        }
        let s = &self.setup;
        match Tablet::connect(&s.url, &s.token, options(Some(self.resume))).await {
            Ok((tablet, _)) => {
                self.failures = 0;
                self.tablet = Some(tablet);
                while let Some(cmd) = self.backlog.pop_front() {
                    if self.tablet.is_none() {
                        self.backlog.push_front(cmd);
                        break;
                    }
                    self.on_the_net(cmd).await;
                }
            }
            Err(_) => {
                self.failures += 1;
                let wait = Duration::from_millis((10 * u64::from(self.failures)).min(200));
                self.retry_at = Some(Instant::now() + wait);
            }
        }
    }
}

async fn next_event(tablet: &mut Option<Tablet>) -> Result<Event, TabletError> {
    match tablet.as_mut() {
        Some(t) => t.next_event().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}
