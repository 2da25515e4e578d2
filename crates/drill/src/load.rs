//! Load mode (`radio drill --load N --rate R --duration D`): N tablets spread over the posts and
//! managers, a call mix driven at R calls a second, every call answered at once by one tablet of
//! the post it is for. It measures what the tablets saw — throughput, call → placed, call →
//! delivered (to the target's tablets), call → 收到 — the hub's CPU and memory from /proc, and
//! checks the hub's `/metrics` against what the tablets received: calls placed and answered, and
//! every event frame the hub says it wrote (`hub_frames_out_total`) counted on arrival. At the
//! end every tablet is dropped and resumes at once (a reconnect storm), and that is timed too.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use protocol::envelope::{CallId, Resume};
use protocol::{Answer, Call, Codec, Event, EventKind, Intent, Post, Station, Target, Visitor};
use serde::Serialize;
use tablet::{Options, Tablet};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::mirror::addressed_to;
use crate::ownhub::{self, OwnHub};
use crate::progress::Progress;
use crate::rng::Rng;
use crate::run::HubChoice;

#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub tablets: usize,
    /// Calls a second.
    pub rate: f64,
    pub duration: Duration,
    pub hub: HubChoice,
    pub seed: u64,
    pub progress: Progress,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
    pub n: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Latency {
    fn of(mut v: Vec<Duration>) -> Latency {
        v.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pick = |p: f64| {
            if v.is_empty() {
                0.0
            } else {
                ms(v[((v.len() - 1) as f64 * p).round() as usize])
            }
        };
        Latency {
            n: v.len(),
            p50_ms: pick(0.5),
            p90_ms: pick(0.9),
            p99_ms: pick(0.99),
            max_ms: v.last().map(|d| ms(*d)).unwrap_or(0.0),
            mean_ms: if v.is_empty() {
                0.0
            } else {
                v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64
            },
        }
    }
}

/// The hub process as /proc tells it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct HubProcess {
    pub pid: Option<u32>,
    /// CPU used during the load, as a share of one core (100 = one core busy).
    pub cpu_percent: Option<f64>,
    pub rss_idle_kib: Option<u64>,
    pub rss_connected_kib: Option<u64>,
    pub rss_end_kib: Option<u64>,
    pub rss_peak_kib: Option<u64>,
    pub kib_per_idle_tablet: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricCheck {
    pub what: String,
    pub tablets: u64,
    pub metrics: u64,
    pub agree: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoadReport {
    pub hub: String,
    pub tablets: usize,
    pub stations: usize,
    pub rate: f64,
    pub duration_s: f64,
    pub calls_placed: u64,
    pub calls_failed: u64,
    pub answers: u64,
    /// Calls placed per second, as achieved.
    pub throughput: f64,
    /// Event frames the tablets received per second during the load.
    pub deliveries_per_s: f64,
    pub events_received: u64,
    pub placed: Latency,
    pub delivered: Latency,
    pub answered: Latency,
    pub mix: Vec<(String, u64)>,
    pub process: HubProcess,
    /// The hub's own answer latency (its histogram's mean over the load), ms.
    pub hub_ack_mean_ms: Option<f64>,
    pub checks: Vec<MetricCheck>,
    pub metrics_agree: bool,
    /// Every tablet dropped and resumed at once: how long until all were back.
    pub reconnect_storm_s: Option<f64>,
}

/// One tablet's command.
enum Order {
    Place {
        call: Call,
        kind: &'static str,
        sent: oneshot::Sender<()>,
    },
    Drop {
        reply: oneshot::Sender<Resume>,
    },
}

/// What the tablets saw, shared.
#[derive(Default)]
struct Seen {
    placed: Vec<(CallId, Instant, Instant, &'static str)>,
    failed: u64,
    delivered: Vec<(CallId, Instant)>,
    answered: Vec<(CallId, Instant)>,
    answers: u64,
}

const NAMES: [&str; 8] = [
    "张伟", "李娜", "王强", "赵敏", "刘洋", "陈静", "孙磊", "周婷",
];

pub async fn run(o: LoadOptions) -> Result<LoadReport, String> {
    // The hub.
    let mut temp = None;
    let (own, url, data) = match &o.hub {
        HubChoice::Own { bin, listen } => {
            let bin = ownhub::find_bin(bin.as_deref())?;
            let dir = crate::ownhub::scratch("radio-load-")
                .map_err(|e| format!("cannot make a data folder: {e}"))?;
            token::Keys::load_or_create(dir.path()).map_err(|e| e.to_string())?;
            let listen = listen.unwrap_or_else(|| "127.0.0.1:0".parse().expect("an address"));
            let hub = OwnHub::start(&bin, dir.path(), listen, None)?;
            let url = hub.url();
            let data = dir.path().to_owned();
            temp = Some(dir);
            (Some(hub), url, data)
        }
        HubChoice::Running { url, data } => (None, url.clone(), data.clone()),
    };
    let addr = http_addr(&url)?;
    let pid = own
        .as_ref()
        .and_then(OwnHub::pid)
        .or_else(|| pid_listening_on(addr.port()));
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The stations and their tablets.
    let stations: Vec<Station> = Post::ALL
        .into_iter()
        .filter(|p| *p != Post::Sup)
        .map(Station::Post)
        .chain(NAMES.iter().map(|n| Station::manager(n).expect("a name")))
        .collect();
    let mut assignment: Vec<Station> = vec![Station::Post(Post::Sup)];
    let mut i = 0;
    while assignment.len() < o.tablets.max(stations.len() + 1) {
        assignment.push(stations[i % stations.len()].clone());
        i += 1;
    }
    assignment.truncate(o.tablets.max(stations.len() + 1));
    let passes = crate::passes::Passes::mint(&data, &assignment)?;

    let rss_idle = pid.and_then(|p| proc_status(p, "VmRSS:"));
    let seen = Arc::new(std::sync::Mutex::new(Seen::default()));
    let events = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut senders: HashMap<Station, Vec<mpsc::UnboundedSender<Order>>> = HashMap::new();
    let mut tasks = Vec::new();
    let connect_started = Instant::now();
    // The first tablet of each station answers its calls.
    let mut answering: std::collections::HashSet<Station> = Default::default();
    let mut pending = tokio::task::JoinSet::new();
    let mut to_connect = assignment.iter();
    // 200 connecting at a time; each one on is started at once (a tablet left unread would be
    // dropped as silent before ten thousand are on).
    loop {
        while pending.len() < 200 {
            let Some(station) = to_connect.next() else {
                break;
            };
            let answers = answering.insert(station.clone());
            let token = passes.of(station);
            let to = url.clone();
            let station = station.clone();
            pending.spawn(async move {
                let opts = Options {
                    codec: Codec::MsgPack,
                    resume: None,
                    reply_timeout: Duration::from_secs(30),
                    ..Options::default()
                };
                Tablet::connect(&to, &token, opts)
                    .await
                    .map(|(t, _)| (station, token, t, answers))
                    .map_err(|e| e.to_string())
            });
        }
        let Some(r) = pending.join_next().await else {
            break;
        };
        let (s, tok, t, a) = joined(r)?;
        start_tablet(
            s,
            tok,
            t,
            a,
            &url,
            &seen,
            &events,
            &stop,
            &mut senders,
            &mut tasks,
        );
    }
    let connect_s = connect_started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_connected = pid.and_then(|p| proc_status(p, "VmRSS:"));

    // Before. The metrics are the supervisor's: ask with a SUP token.
    let sup = passes.of(&protocol::Station::Post(protocol::Post::Sup));
    let before = metrics(addr, &sup).await?;
    let cpu_before = pid.and_then(proc_cpu_ticks);
    let events_before = events.load(Ordering::Relaxed);

    // The load: calls at the rate, each from a tablet of its caller (round robin).
    let mut rng = Rng::new(o.seed);
    let mut next_of: HashMap<Station, usize> = HashMap::new();
    let mut mix: HashMap<&'static str, u64> = HashMap::new();
    let started = Instant::now();
    let end = started + o.duration;
    let every = Duration::from_secs_f64(1.0 / o.rate);
    let mut due = started;
    let mut n = 0u64;
    let mut waits = Vec::new();
    let progress = o.progress;
    while due < end {
        tokio::time::sleep_until(due).await;
        let (kind, call) = pick_call(&mut rng, n);
        n += 1;
        *mix.entry(kind).or_default() += 1;
        let list = senders.get(&call.caller).expect("every caller has tablets");
        let k = next_of.entry(call.caller.clone()).or_default();
        let tx = &list[*k % list.len()];
        *k += 1;
        let (sent, done) = oneshot::channel();
        let _ = tx.send(Order::Place { call, kind, sent });
        waits.push(done);
        if progress == Progress::Bar && n % (o.rate.ceil() as u64).max(1) == 0 {
            let s = seen.lock().expect("seen");
            eprint!(
                "\r\x1b[2K[load] {:>5.1}/{:.0} s · {} calls placed · {} answers · {} events received",
                started.elapsed().as_secs_f64(),
                o.duration.as_secs_f64(),
                s.placed.len(),
                s.answers,
                events.load(Ordering::Relaxed) - events_before
            );
        }
        due += every;
    }
    for w in waits {
        let _ = tokio::time::timeout(Duration::from_secs(30), w).await;
    }
    let load_wall = started.elapsed();
    // Drain: until no event has arrived for half a second.
    let mut last = events.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = events.load(Ordering::Relaxed);
        if now == last {
            break;
        }
        last = now;
    }
    if progress == Progress::Bar {
        eprintln!();
    }
    let cpu_after = pid.and_then(proc_cpu_ticks);
    let after = metrics(addr, &sup).await?;
    let events_during = events.load(Ordering::Relaxed) - events_before;
    let rss_end = pid.and_then(|p| proc_status(p, "VmRSS:"));
    let rss_peak = pid.and_then(|p| proc_status(p, "VmHWM:"));

    // The measurements.
    let (placed_lat, delivered_lat, answered_lat, calls_placed, answers, calls_failed) = {
        let s = seen.lock().expect("seen");
        let sent_at: HashMap<CallId, Instant> =
            s.placed.iter().map(|(id, t, _, _)| (*id, *t)).collect();
        let placed_lat: Vec<Duration> = s.placed.iter().map(|(_, t, r, _)| *r - *t).collect();
        let delivered_lat: Vec<Duration> = s
            .delivered
            .iter()
            .filter_map(|(id, at)| Some(at.saturating_duration_since(*sent_at.get(id)?)))
            .collect();
        let answered_lat: Vec<Duration> = s
            .answered
            .iter()
            .filter_map(|(id, at)| Some(at.saturating_duration_since(*sent_at.get(id)?)))
            .collect();
        let calls_placed = s.placed.len() as u64;
        let answers = s.answers;
        let calls_failed = s.failed;
        (
            placed_lat,
            delivered_lat,
            answered_lat,
            calls_placed,
            answers,
            calls_failed,
        )
    };

    let delta = |name: &str| {
        after.get(name).copied().unwrap_or(0.0) - before.get(name).copied().unwrap_or(0.0)
    };
    let checks = vec![
        metric_check(
            "calls placed",
            calls_placed,
            delta("hub_calls_total{state=\"placed\"}"),
        ),
        metric_check(
            "answers",
            answers,
            delta("hub_calls_total{state=\"answered\"}"),
        ),
        metric_check(
            "event frames delivered",
            events_during,
            delta("hub_frames_out_total"),
        ),
        metric_check(
            "tablets connected",
            assignment.len() as u64,
            after.get("hub_connections").copied().unwrap_or(0.0),
        ),
    ];
    let metrics_agree = checks.iter().all(|c| c.agree);
    let ack_count = delta("hub_ack_latency_seconds_count");
    let hub_ack_mean_ms =
        (ack_count > 0.0).then(|| delta("hub_ack_latency_seconds_sum") / ack_count * 1000.0);
    let ticks = clock_ticks();
    let cpu_percent = match (cpu_before, cpu_after) {
        (Some(a), Some(b)) => {
            Some((b - a) as f64 / ticks / load_wall.as_secs_f64().max(1e-3) * 100.0)
        }
        _ => None,
    };

    // A reconnect storm: every tablet dropped and resumed at once.
    stop.store(true, Ordering::Relaxed);
    let storm = reconnect_storm(&senders, &url, &passes, &assignment).await;

    let process = HubProcess {
        pid,
        cpu_percent,
        rss_idle_kib: rss_idle,
        rss_connected_kib: rss_connected,
        rss_end_kib: rss_end,
        rss_peak_kib: rss_peak,
        kib_per_idle_tablet: match (rss_idle, rss_connected) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 / assignment.len() as f64),
            _ => None,
        },
    };
    for t in tasks {
        t.abort();
    }
    let hub = match &own {
        Some(h) => format!(
            "its own hub ({}) on {}; {} tablets connected in {connect_s:.2} s",
            h.bin().display(),
            h.addr(),
            assignment.len()
        ),
        None => format!(
            "the running hub at {url}; {} tablets connected in {connect_s:.2} s",
            assignment.len()
        ),
    };
    drop(own);
    drop(temp);
    let mut mix: Vec<(String, u64)> = mix.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    mix.sort();
    Ok(LoadReport {
        hub,
        tablets: assignment.len(),
        stations: stations.len() + 1,
        rate: o.rate,
        duration_s: load_wall.as_secs_f64(),
        calls_placed,
        calls_failed,
        answers,
        throughput: calls_placed as f64 / load_wall.as_secs_f64(),
        deliveries_per_s: events_during as f64 / load_wall.as_secs_f64(),
        events_received: events_during,
        placed: Latency::of(placed_lat),
        delivered: Latency::of(delivered_lat),
        answered: Latency::of(answered_lat),
        mix,
        process,
        hub_ack_mean_ms,
        checks,
        metrics_agree,
        reconnect_storm_s: storm,
    })
}

type Connected = (Station, String, Tablet, bool);

fn joined(
    r: Result<Result<Connected, String>, tokio::task::JoinError>,
) -> Result<Connected, String> {
    match r {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(format!("a tablet could not connect: {e}")),
        Err(e) => Err(e.to_string()),
    }
}

#[allow(clippy::too_many_arguments)]
fn start_tablet(
    station: Station,
    token: String,
    tablet: Tablet,
    answers: bool,
    url: &str,
    seen: &Arc<std::sync::Mutex<Seen>>,
    events: &Arc<AtomicU64>,
    stop: &Arc<AtomicBool>,
    senders: &mut HashMap<Station, Vec<mpsc::UnboundedSender<Order>>>,
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    senders.entry(station.clone()).or_default().push(tx);
    let t = LoadTablet {
        station,
        token,
        url: url.to_owned(),
        tablet: Some(tablet),
        answers,
        seen: seen.clone(),
        events: events.clone(),
        stop: stop.clone(),
        mine: HashMap::new(),
    };
    tasks.push(tokio::spawn(t.run(rx)));
}

struct LoadTablet {
    station: Station,
    token: String,
    url: String,
    tablet: Option<Tablet>,
    /// This tablet answers the calls for its station (one per station does).
    answers: bool,
    seen: Arc<std::sync::Mutex<Seen>>,
    events: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    /// Calls this tablet placed: when the answer that closes them arrives, it is timed.
    mine: HashMap<CallId, ()>,
}

impl LoadTablet {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Order>) {
        loop {
            tokio::select! {
                order = rx.recv() => match order {
                    None => break,
                    Some(Order::Place { call, kind, sent }) => {
                        self.place(call, kind).await;
                        let _ = sent.send(());
                    }
                    Some(Order::Drop { reply }) => {
                        let Some(t) = self.tablet.take() else { continue };
                        let resume = t.resume();
                        drop(t);
                        let _ = reply.send(resume);
                        // Back as soon as told (the storm reconnects from outside).
                        break;
                    }
                },
                e = next(&mut self.tablet) => match e {
                    Some(e) => self.heard(e).await,
                    None => {
                        if self.stop.load(Ordering::Relaxed) {
                            break;
                        }
                        self.tablet = None;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        if let Ok((t, _)) = Tablet::connect(&self.url, &self.token, Options::default()).await {
                            self.tablet = Some(t);
                        }
                    }
                },
            }
        }
    }

    async fn place(&mut self, call: Call, kind: &'static str) {
        let Some(t) = self.tablet.as_mut() else {
            self.seen.lock().expect("seen").failed += 1;
            return;
        };
        let sent = Instant::now();
        match t.call(call).await {
            Ok(p) => {
                let now = Instant::now();
                self.mine.insert(p.call_id, ());
                self.seen
                    .lock()
                    .expect("seen")
                    .placed
                    .push((p.call_id, sent, now, kind));
            }
            Err(_) => self.seen.lock().expect("seen").failed += 1,
        }
    }

    async fn heard(&mut self, e: Event) {
        let now = Instant::now();
        self.events.fetch_add(1, Ordering::Relaxed);
        match &e.what {
            EventKind::CallPlaced { call, awaiting } if addressed_to(&self.station, call) => {
                let call_id = e.offset;
                self.seen
                    .lock()
                    .expect("seen")
                    .delivered
                    .push((call_id, now));
                let waits_for_me = match awaiting {
                    Some(list) => list.contains(&self.station),
                    None => call.target.station() == Some(&self.station),
                };
                if self.answers && waits_for_me {
                    if let Some(t) = self.tablet.as_mut() {
                        if t.answer(call_id, Answer::Received).await.is_ok() {
                            self.seen.lock().expect("seen").answers += 1;
                        }
                    }
                }
            }
            EventKind::CallAnswered {
                call_id,
                closes: true,
                ..
            } if self.mine.remove(call_id).is_some() => {
                self.seen
                    .lock()
                    .expect("seen")
                    .answered
                    .push((*call_id, now));
            }
            _ => {}
        }
    }
}

async fn next(t: &mut Option<Tablet>) -> Option<Event> {
    match t.as_mut() {
        Some(t) => t.next_event().await.ok(),
        None => std::future::pending().await,
    }
}

/// Drops every tablet at once and reconnects them all, resuming: seconds until all are back.
async fn reconnect_storm(
    senders: &HashMap<Station, Vec<mpsc::UnboundedSender<Order>>>,
    url: &str,
    passes: &crate::passes::Passes,
    assignment: &[Station],
) -> Option<f64> {
    let mut resumes = Vec::new();
    for (station, list) in senders {
        for tx in list {
            let (reply, rx) = oneshot::channel();
            if tx.send(Order::Drop { reply }).is_ok() {
                if let Ok(Ok(r)) = tokio::time::timeout(Duration::from_secs(5), rx).await {
                    resumes.push((station.clone(), r));
                }
            }
        }
    }
    if resumes.len() != assignment.len() {
        return None;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let mut back = Vec::new();
    for (station, resume) in resumes {
        let (url, token) = (url.to_owned(), passes.of(&station));
        set.spawn(async move {
            let opts = Options {
                codec: Codec::MsgPack,
                resume: Some(resume),
                reply_timeout: Duration::from_secs(30),
                ..Options::default()
            };
            Tablet::connect(&url, &token, opts)
                .await
                .ok()
                .map(|(t, _)| t)
        });
        while set.len() >= 200 {
            back.push(set.join_next().await?.ok()??);
        }
    }
    while let Some(r) = set.join_next().await {
        back.push(r.ok()??);
    }
    let took = started.elapsed().as_secs_f64();
    drop(back);
    Some(took)
}

/// The call mix: routing-only hails, orders the board keeps (drinks, documents, restocking),
/// free text, and the gate's broadcast to every tablet.
fn pick_call(rng: &mut Rng, n: u64) -> (&'static str, Call) {
    const WEIGHTS: [f64; 6] = [0.30, 0.20, 0.10, 0.10, 0.20, 0.10];
    let manager = || Station::manager(NAMES[(n % NAMES.len() as u64) as usize]).expect("a name");
    let posts = [
        Post::L1,
        Post::L2,
        Post::Y1,
        Post::Y2,
        Post::G1,
        Post::S1,
        Post::Rc,
        Post::Lobby,
    ];
    match rng.weighted(&WEIGHTS) {
        0 => {
            let target = *rng.pick(&posts);
            ("hail", Call::new(manager(), target, Intent::Hail))
        }
        1 => (
            "drinks",
            Call::new(
                manager(),
                Post::S1,
                Intent::Drinks {
                    drink: "两杯柠檬水".into(),
                    room: None,
                },
            ),
        ),
        2 => (
            "documents",
            Call::new(
                manager(),
                Post::G1,
                Intent::Documents {
                    copies: 2,
                    material: "户型".into(),
                },
            ),
        ),
        3 => (
            "restock",
            Call::new(
                Post::S1,
                Post::Ops,
                Intent::Restock {
                    items: "柠檬和冰块".into(),
                },
            ),
        ),
        4 => {
            let from = *rng.pick(&posts);
            let mut to = *rng.pick(&posts);
            if to == from {
                to = Post::Rc;
            }
            if to == from {
                to = Post::L1;
            }
            (
                "free",
                Call::new(
                    from,
                    to,
                    Intent::Free {
                        text: "东侧车位已满".into(),
                    },
                ),
            )
        }
        _ => {
            let surnames = ["王", "李", "赵", "陈", "周", "吴"];
            let visitor =
                Visitor::parse(&format!("{}先生", surnames[(n % 6) as usize])).expect("a name");
            (
                "arrival_broadcast",
                Call::new(
                    Post::L1,
                    Target::All,
                    Intent::ArrivalBroadcast {
                        visitor,
                        party: 2,
                        appointment: true,
                        description: None,
                    },
                ),
            )
        }
    }
}

fn metric_check(what: &str, tablets: u64, metrics: f64) -> MetricCheck {
    MetricCheck {
        what: what.to_owned(),
        tablets,
        metrics: metrics.max(0.0) as u64,
        agree: tablets == metrics.max(0.0) as u64,
    }
}

/// host:port of a ws:// URL.
fn http_addr(url: &str) -> Result<SocketAddr, String> {
    let rest = url
        .strip_prefix("ws://")
        .ok_or_else(|| format!("{url}: load mode speaks plain ws:// to the hub"))?;
    let host = rest.split('/').next().unwrap_or(rest);
    use std::net::ToSocketAddrs;
    host.to_socket_addrs()
        .map_err(|e| format!("{url}: {e}"))?
        .next()
        .ok_or_else(|| format!("{url}: no address"))
}

/// The hub's `/metrics`, as name (with labels) → value, asked with the supervisor's token.
pub async fn metrics(addr: SocketAddr, sup: &str) -> Result<HashMap<String, f64>, String> {
    let body = http_get(addr, "/metrics", sup).await?;
    Ok(parse_metrics(&body))
}

pub fn parse_metrics(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.trim().to_owned(), value.trim().parse().ok()?))
        })
        .collect()
}

async fn http_get(addr: SocketAddr, path: &str, bearer: &str) -> Result<String, String> {
    let fail = |e: std::io::Error| format!("GET http://{addr}{path}: {e}");
    let mut s = tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| format!("GET http://{addr}{path}: timed out"))?
        .map_err(fail)?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {bearer}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.map_err(fail)?;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .map_err(|_| format!("GET http://{addr}{path}: timed out"))?
        .map_err(fail)?;
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("GET http://{addr}{path}: not HTTP"))?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "GET http://{addr}{path}: {}",
            head.lines().next().unwrap_or("")
        ));
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return Ok(dechunk(body));
    }
    Ok(body.to_owned())
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A field of /proc/PID/status in KiB (VmRSS:, VmHWM:).
pub fn proc_status(pid: u32, field: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// utime + stime of a process, in clock ticks.
pub fn proc_cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat are the 12th and 13th after the name.
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// utime + stime of a process, in seconds.
pub fn proc_cpu_seconds(pid: u32) -> Option<f64> {
    Some(proc_cpu_ticks(pid)? as f64 / clock_ticks())
}

/// The clock ticks in a second that `/proc` counts CPU time in.
pub fn clock_ticks() -> f64 {
    // SAFETY: sysconf with a valid name has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

/// The process listening on a TCP port of this machine (a hub started on its own), from /proc.
pub fn pid_listening_on(port: u16) -> Option<u32> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(inode)) = (f.get(1), f.get(3), f.get(9)) else {
                continue;
            };
            let p = local
                .rsplit(':')
                .next()
                .and_then(|h| u16::from_str_radix(h, 16).ok());
            if *state == "0A" && p == Some(port) {
                inodes.push(format!("socket:[{inode}]"));
            }
        }
    }
    if inodes.is_empty() {
        return None;
    }
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(link) = std::fs::read_link(fd.path()) {
                if inodes.iter().any(|i| link.to_string_lossy() == *i) {
                    return Some(pid);
                }
            }
        }
    }
    None
}

impl LoadReport {
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        let lat = |l: &Latency| {
            format!(
                "n={:<7} p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
                l.n, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms
            )
        };
        let _ = writeln!(
            o,
            "radio drill --load: {} tablets over {} stations on {}",
            self.tablets, self.stations, self.hub
        );
        let _ = writeln!(
            o,
            "{:.1} s at {} calls/s asked: {} calls placed ({:.1}/s achieved), {} failed, {} answers; {} event frames received ({:.0}/s)",
            self.duration_s,
            self.rate,
            self.calls_placed,
            self.throughput,
            self.calls_failed,
            self.answers,
            self.events_received,
            self.deliveries_per_s
        );
        let mix: Vec<String> = self.mix.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(o, "call mix: {}", mix.join(", "));
        let _ = writeln!(o, "\nlatency (as the tablets saw it)");
        let _ = writeln!(o, "  call → placed      {}", lat(&self.placed));
        let _ = writeln!(o, "  call → delivered   {}", lat(&self.delivered));
        let _ = writeln!(o, "  call → 收到        {}", lat(&self.answered));
        if let Some(m) = self.hub_ack_mean_ms {
            let _ = writeln!(
                o,
                "  the hub's own placed → 收到 mean (hub_ack_latency_seconds): {m:.2} ms"
            );
        }
        let p = &self.process;
        let kib = |v: Option<u64>| {
            v.map(|v| format!("{:.1} MiB", v as f64 / 1024.0))
                .unwrap_or_else(|| "?".into())
        };
        let _ = writeln!(
            o,
            "\nthe hub (pid {}): CPU {} of one core during the load; memory {} idle, {} with every tablet connected ({} per idle tablet), {} at the end, {} peak",
            p.pid
                .map(|p| p.to_string())
                .unwrap_or_else(|| "unknown".into()),
            p.cpu_percent
                .map(|c| format!("{c:.0}%"))
                .unwrap_or_else(|| "?".into()),
            kib(p.rss_idle_kib),
            kib(p.rss_connected_kib),
            p.kib_per_idle_tablet
                .map(|k| format!("{k:.1} KiB"))
                .unwrap_or_else(|| "?".into()),
            kib(p.rss_end_kib),
            kib(p.rss_peak_kib),
        );
        if let Some(s) = self.reconnect_storm_s {
            let _ = writeln!(
                o,
                "reconnect storm: all {} tablets dropped and resumed in {s:.2} s",
                self.tablets
            );
        }
        let _ = writeln!(o, "\n/metrics against the tablets");
        for c in &self.checks {
            let _ = writeln!(
                o,
                "  {} {:<24} tablets {:>9}   /metrics {:>9}",
                if c.agree { "✓" } else { "✗" },
                c.what,
                c.tablets,
                c.metrics
            );
        }
        let _ = writeln!(
            o,
            "\n{}",
            if self.metrics_agree {
                "The hub's /metrics agree with what the tablets received."
            } else {
                "The hub's /metrics DISAGREE with what the tablets received."
            }
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_text_reads() {
        let m = parse_metrics(
            "# HELP x\nhub_calls_total{state=\"placed\"} 12\nhub_frames_out_total 340\nhub_connections 5\n",
        );
        assert_eq!(m["hub_calls_total{state=\"placed\"}"], 12.0);
        assert_eq!(m["hub_frames_out_total"], 340.0);
        assert_eq!(dechunk("5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n"), "helloabc");
    }

    #[test]
    fn this_process_has_cpu_and_memory() {
        let me = std::process::id();
        assert!(proc_status(me, "VmRSS:").unwrap() > 0);
        assert!(proc_cpu_ticks(me).is_some());
    }

    #[test]
    fn every_call_of_the_mix_is_a_valid_call() {
        let mut rng = Rng::new(3);
        for n in 0..500 {
            let (_, call) = pick_call(&mut rng, n);
            call.check().unwrap_or_else(|e| panic!("{call:?}: {e}"));
        }
    }
}
