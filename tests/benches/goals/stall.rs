//! Part `stall`: whether reading the day (`/api/report`) and the board (`/api/state`) holds up
//! the calls. 1,000 tablets over the listening posts; the gate (L1) and a few managers call all
//! posts in turn (free text, so nothing piles up on the board) at a steady rate — first a short ramp finds the highest rate
//! at which every tablet hears every call in time; then 10% of it, then 50% of it — while the
//! supervisor's report and state are each fetched once a second. Delivery latency (from when
//! the call was due to when a tablet has the event) by 10 s window of when the call was due,
//! p99 of each window and of the whole; the goal: the worst window at 50% within twice the
//! p99 at 10%. Beside each load, the CPU the hub and this process (the tablets) used: they
//! share the machine's cores. A tablet the hub cuts off reconnects and resumes, so every
//! delivery is counted; one never made fails the bench.
//!
//! The listening tablets are [`lean`] ones by default: the tablet crate's full clients cost
//! more CPU than the hub, and on two cores the ramp then found where the machine ran out of
//! cores, not what the hub sustains. BENCH_STALL_LISTENERS=tablet uses the full clients.
//!
//! Knobs: BENCH_STALL_TABLETS (1000), BENCH_STALL_SECONDS (600, at 50%),
//! BENCH_STALL_LOW_SECONDS (60 or BENCH_STALL_SECONDS if shorter, at 10%), BENCH_STALL_MAX to
//! skip the ramp, BENCH_STALL_START (10 calls/s, the ramp's first rate),
//! BENCH_STALL_STEP_SECONDS (5) and BENCH_STALL_WARM_UP_SECONDS (1: each step of the ramp first
//! sends at its rate for this long, not counted, as the side-by-side's sweep does),
//! BENCH_RAMP_P99_MS (50: the p99 delivery a sustained step stays under, the rule fan-out servers are compared by),
//! BENCH_STALL_CALLERS (8: the gate and up to 7 managers, taking the calls in turn),
//! BENCH_STALL_LISTENERS (lean or tablet).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use protocol::envelope::Resume;
use protocol::{Call, Codec, Command, Event, EventKind, Intent, Post, ReplyBody, ServerFrame};
use protocol::{Station, Target};
use tablet::{Options, Tablet};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::histogram::Histogram;
use crate::hub::Hub;
use crate::lean::{self, Lean};
use crate::ramp::{Step, Wait, find_max, pace};
use crate::wire::{Heard, Wire};
use crate::{crowd, knob, knob_maybe};

/// The calls to all posts say this and their number, which times them.
const TAG: &str = "压测扇出";
/// When each call was due, by its number modulo this.
const RING: usize = 1 << 20;
/// Delivery latency is reported by window of this many seconds.
const WINDOW_S: u64 = 10;
/// Phases: the ramp's steps, then the two measured loads.
const RAMP_STEPS: usize = 24;
const LOW: usize = RAMP_STEPS;
const HIGH: usize = RAMP_STEPS + 1;
/// A ramp step's first second, not counted.
const WARM_UP: usize = RAMP_STEPS + 2;
const NANOS: u64 = (1 << 56) - 1;

pub async fn run() -> Result<(), String> {
    let n: usize = knob("BENCH_STALL_TABLETS", 1000);
    let high_s: u64 = knob("BENCH_STALL_SECONDS", 600);
    let low_s: u64 = knob("BENCH_STALL_LOW_SECONDS", high_s.min(60));
    let given: Option<f64> = knob_maybe("BENCH_STALL_MAX");
    let start: f64 = knob("BENCH_STALL_START", 10.0);
    let step_s: f64 = knob("BENCH_STALL_STEP_SECONDS", 5.0);
    let warm_s: f64 = knob("BENCH_STALL_WARM_UP_SECONDS", 1.0);
    let limit_ms: f64 = knob("BENCH_RAMP_P99_MS", 50.0);
    let callers: usize = knob("BENCH_STALL_CALLERS", 8);
    let lean = lean::chosen("BENCH_STALL_LISTENERS")?;
    let hub = Hub::start(&[]);

    let mut phases: Vec<Phase> = (0..RAMP_STEPS).map(|_| Phase::new(1, u64::MAX)).collect();
    phases.push(Phase::new(windows(low_s), WINDOW_S * 1_000_000_000));
    phases.push(Phase::new(windows(high_s), WINDOW_S * 1_000_000_000));
    phases.push(Phase::new(1, u64::MAX));
    let timing = Arc::new(Timing {
        origin: Instant::now(),
        due: (0..RING).map(|_| AtomicU64::new(0)).collect(),
        seq: AtomicU64::new(0),
        phases,
    });

    let health = Arc::new(Health::default());
    let (stop, stopping) = watch::channel(false);
    let mut listeners = Vec::with_capacity(n);
    let connect_s = if lean {
        connect_lean(&hub, n, &timing, &health, &mut listeners).await?
    } else {
        crowd::connect(&hub, n, 200, |i, t| {
            let listener = Listener {
                url: hub.url.clone(),
                token: hub.token(&crowd::station(i)),
                timing: timing.clone(),
                health: health.clone(),
            };
            listeners.push(tokio::spawn(listener.run(t, stopping.clone())));
        })
        .await?
    };
    println!(
        "{n} tablets over {} posts connected in {connect_s:.1} s ({})",
        crowd::listeners().len(),
        if lean {
            "lean listeners, BENCH_STALL_LISTENERS=lean"
        } else {
            "the tablet crate's clients, BENCH_STALL_LISTENERS=tablet"
        }
    );

    // A step the hub cannot keep up with may cut a caller off (4001): the next step starts on
    // fresh connections.
    let current = RefCell::new(Arc::new(Gate::open(&hub, timing.clone(), callers).await?));
    let receivers = n as u64;

    let max = match given {
        Some(m) => {
            println!("highest fan-out rate given: {m} calls/s (BENCH_STALL_MAX); no ramp");
            m
        }
        None => {
            println!(
                "ramp: {step_s} s a step after {warm_s} s at the rate not counted (as the side-by-side's sweep); sustained = every tablet hears every call, none cut off, none refused, p99 delivery ≤ {limit_ms} ms"
            );
            let mut phase = 0;
            let (max, _) = find_max(start, |rate| {
                let (current, hub, health, timing) = (&current, &hub, &health, &timing);
                let p = phase.min(RAMP_STEPS - 1);
                phase += 1;
                async move {
                    let gate = match Gate::fresh(current, hub, timing, callers).await {
                        Ok(g) => g,
                        Err(e) => {
                            return Step {
                                rate,
                                sustained: false,
                                note: e,
                            };
                        }
                    };
                    let drops = health.drops.load(Ordering::Relaxed);
                    let refused = gate.refused();
                    let planned = (rate * step_s).ceil() as u64;
                    if warm_s > 0.0 {
                        gate.at(rate, Duration::from_secs_f64(warm_s), WARM_UP).await;
                    }
                    // Calls of the warm-up are not waited for below.
                    let placed = gate.placed();
                    let sent = gate.at(rate, Duration::from_secs_f64(step_s), p).await;
                    let on_time = timing.phases[p]
                        .delivered(sent * receivers, Duration::from_secs(2))
                        .await;
                    let all = &timing.phases[p].all;
                    let (heard, p99) = (all.count(), all.quantile_ms(0.99));
                    let cut_off = health.drops.load(Ordering::Relaxed) - drops;
                    let refused = gate.refused() - refused;
                    let broken = gate.broken();
                    // A step left behind is caught up before the next one starts (a caller cut
                    // off never had some of its calls placed: those are not waited for).
                    let placed = if broken.is_some() {
                        gate.placed() - placed
                    } else {
                        sent
                    };
                    timing.phases[p]
                        .delivered(placed * receivers, Duration::from_secs(30))
                        .await;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    Step {
                        rate,
                        sustained: sent + 1 >= planned
                            && on_time
                            && cut_off == 0
                            && refused == 0
                            && broken.is_none()
                            && p99 <= limit_ms,
                        note: format!(
                            "{sent} calls, {heard} of {} deliveries within 2 s; p99 {p99:.1} ms; {cut_off} tablets cut off{}",
                            sent * receivers,
                            broken
                                .map(|why| format!("; caller {why}"))
                                .unwrap_or_default()
                        ),
                    }
                }
            })
            .await;
            max
        }
    };
    if max <= 0.0 {
        return Err(format!(
            "the hub sustained no fan-out rate tried, down to {} calls/s",
            start / 8.0
        ));
    }

    let gate = Gate::fresh(&current, &hub, &timing, callers).await?;
    let refused_before = gate.refused();
    // The ramp's steps past what the hub sustains may cut tablets off, and one that comes back
    // more than the hub replays behind is sent to a snapshot: the hub doing as it should under
    // a load it cannot carry. What counts is the two loads measured.
    let ramp_drops = health.drops.load(Ordering::Relaxed);
    let ramp_snapshots = health.snapshots.load(Ordering::Relaxed);
    let mut sent = [0u64; 2];
    // The hub's CPU and this process's (the tablets and callers) in each load, in % of a core:
    // the two share the machine, so at 50% it shows how much of it was left.
    let mut cpu = [(0.0, 0.0); 2];
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut fetched = Vec::new();
    for (k, (phase, share, seconds)) in [(LOW, 0.1, low_s), (HIGH, 0.5, high_s)]
        .into_iter()
        .enumerate()
    {
        let rate = max * share;
        println!(
            "\n{:.0}% of {max:.0} calls/s: {rate:.1} calls/s to all {n} tablets for {seconds} s, /api/report and /api/state fetched every second",
            share * 100.0
        );
        let (quit, quitting) = watch::channel(false);
        let fetchers: Vec<_> = ["/api/report", "/api/state"]
            .into_iter()
            .map(|path| {
                tokio::spawn(fetch_every_second(
                    hub.addr,
                    path,
                    hub.sup_token().to_owned(),
                    quitting.clone(),
                ))
            })
            .collect();
        let (began, hub_cpu, own_cpu) = (
            Instant::now(),
            hub.cpu_seconds(),
            crate::hub::own_cpu_seconds(),
        );
        let machine = tokio::spawn(crate::machine::sample(
            hub.pid(),
            hub.addr,
            hub.sup_token().to_owned(),
            Duration::from_secs(WINDOW_S),
            windows(seconds),
            quitting.clone(),
        ));
        sent[k] = gate.at(rate, Duration::from_secs(seconds), phase).await;
        timing.phases[phase]
            .delivered(sent[k] * receivers, Duration::from_secs(30))
            .await;
        let elapsed = began.elapsed().as_secs_f64();
        cpu[k] = (
            (hub.cpu_seconds() - hub_cpu) / elapsed * 100.0,
            (crate::hub::own_cpu_seconds() - own_cpu) / elapsed * 100.0,
        );
        let _ = quit.send(true);
        timing.phases[phase].table(&machine.await.unwrap_or_default());
        println!(
            "  {} calls sent of {:.0} planned",
            sent[k],
            (rate * seconds as f64).ceil()
        );
        println!(
            "  CPU, in % of one core: the hub {:.0}, the tablets and callers (this process) {:.0}; of the machine's {cores} cores {:.0}% busy with the two",
            cpu[k].0,
            cpu[k].1,
            (cpu[k].0 + cpu[k].1) / cores as f64,
        );
        for f in fetchers {
            if let Ok(f) = f.await {
                println!(
                    "  {}: {} fetched, {} not 200 ({}), slowest {:.0} ms",
                    f.path, f.n, f.failed, f.statuses, f.slowest_ms
                );
                fetched.push(f);
            }
        }
    }
    let refused = gate.refused() - refused_before;
    let _ = stop.send(true);
    for l in listeners {
        if lean {
            l.abort();
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), l).await;
    }

    let low = &timing.phases[LOW];
    let high = &timing.phases[HIGH];
    let low_p99 = low.all.quantile_ms(0.99);
    let (worst_at, worst) = high.worst_window();
    let ratio = if low_p99 > 0.0 { worst / low_p99 } else { 0.0 };
    // The 10 % load's p99 is the goal's yardstick; one bad window in it (the hypervisor taking
    // the cores: its `steal`) raises it and flatters the ratio. Against its best window the
    // ratio cannot be flattered so.
    let (best_at, best) = low.best_window();
    let strict = if best > 0.0 { worst / best } else { 0.0 };
    let expected = (sent[0] + sent[1]) * receivers;
    let delivered = low.all.count() + high.all.count();
    let missing = expected.saturating_sub(delivered);
    let drops = health.drops.load(Ordering::Relaxed) - ramp_drops;
    let snapshots = health.snapshots.load(Ordering::Relaxed) - ramp_snapshots;
    println!(
        "p99 delivery: {low_p99:.2} ms at 10%, {:.2} ms at 50%; the worst 10 s window at 50% ({worst_at} s in) {worst:.2} ms = {ratio:.2}× the p99 at 10% (goal ≤ 2×: {})",
        high.all.quantile_ms(0.99),
        if ratio <= 2.0 { "met" } else { "missed" }
    );
    println!(
        "  against the 10% load's best window ({best_at} s in, p99 {best:.2} ms): {strict:.2}× (its windows and their steal are in its table)"
    );
    println!(
        "deliveries: {delivered} of {expected}; tablets cut off and resumed {drops}, sent to a snapshot {snapshots}; calls refused {refused} (in the ramp's steps before: cut off {ramp_drops}, sent to a snapshot {ramp_snapshots})"
    );
    let fetches: u64 = fetched.iter().map(|f| f.n).sum();
    let fetch_failures: u64 = fetched.iter().map(|f| f.failed).sum();
    let fetch_max = fetched.iter().map(|f| f.slowest_ms).fold(0.0, f64::max);
    println!(
        "RESULT part=stall tablets={n} max_rate={max:.0} low_rate={:.1} high_rate={:.1} low_seconds={low_s} high_seconds={high_s} low_p99_ms={low_p99:.2} high_p99_ms={:.2} worst_window_p99_ms={worst:.2} worst_window_s={worst_at} ratio={ratio:.2} low_best_window_p99_ms={best:.2} ratio_to_low_best_window={strict:.2} goal_ratio=2 deliveries={delivered} missing={missing} cut_off={drops} snapshots={snapshots} refused={refused} ramp_cut_off={ramp_drops} ramp_snapshots={ramp_snapshots} fetches={fetches} fetch_failures={fetch_failures} fetch_max_ms={fetch_max:.0} low_hub_cpu_percent={:.0} low_clients_cpu_percent={:.0} high_hub_cpu_percent={:.0} high_clients_cpu_percent={:.0}",
        max * 0.1,
        max * 0.5,
        high.all.quantile_ms(0.99),
        cpu[0].0,
        cpu[0].1,
        cpu[1].0,
        cpu[1].1,
    );
    if let Some(why) = gate.broken() {
        return Err(format!("a caller's connection ended: {why}"));
    }
    if missing > 0 || snapshots > 0 {
        return Err(format!(
            "{missing} deliveries never made ({snapshots} resumes sent to a snapshot)"
        ));
    }
    Ok(())
}

fn windows(seconds: u64) -> usize {
    seconds.div_ceil(WINDOW_S).max(1) as usize
}

/// When each call was due, and what the tablets made of it, by phase.
struct Timing {
    origin: Instant,
    /// By call number modulo [`RING`]: the phase (top byte) and ns since `origin` it was due.
    due: Box<[AtomicU64]>,
    /// The number of the last call made.
    seq: AtomicU64,
    phases: Vec<Phase>,
}

impl Timing {
    fn ns(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.origin).as_nanos() as u64 & NANOS
    }

    fn due(&self, seq: u64, phase: usize, at: Instant) {
        self.due[seq as usize % RING]
            .store(((phase as u64) << 56) | self.ns(at), Ordering::Release);
    }

    /// A tablet has `e` at `at`: a call of the load's is timed.
    fn heard(&self, e: &Event, at: Instant) {
        let EventKind::CallPlaced { call, .. } = &e.what else {
            return;
        };
        if let Intent::Free { text } = &call.intent {
            self.heard_call(text.as_bytes(), at);
        }
    }

    /// A tablet has a free-text call saying `text` at `at`: a call of the load's is timed.
    fn heard_call(&self, text: &[u8], at: Instant) {
        let Some(seq) = text.strip_prefix(TAG.as_bytes()).and_then(number) else {
            return;
        };
        let packed = self.due[seq as usize % RING].load(Ordering::Acquire);
        let due = packed & NANOS;
        let latency = Duration::from_nanos(self.ns(at).saturating_sub(due));
        if let Some(phase) = self.phases.get((packed >> 56) as usize) {
            phase.record(due, latency);
        }
    }
}

/// The number a call's text ends with, read from its bytes (a text that is not the load's,
/// none).
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })
}

/// One load: its deliveries by window of when the calls were due.
struct Phase {
    start_ns: AtomicU64,
    window_ns: u64,
    windows: Vec<Histogram>,
    calls: Vec<AtomicU64>,
    all: Histogram,
}

impl Phase {
    fn new(windows: usize, window_ns: u64) -> Phase {
        Phase {
            start_ns: AtomicU64::new(0),
            window_ns,
            windows: (0..windows).map(|_| Histogram::default()).collect(),
            calls: (0..windows).map(|_| AtomicU64::new(0)).collect(),
            all: Histogram::default(),
        }
    }

    fn window(&self, due_ns: u64) -> usize {
        let since = due_ns.saturating_sub(self.start_ns.load(Ordering::Relaxed));
        ((since / self.window_ns) as usize).min(self.windows.len() - 1)
    }

    fn record(&self, due_ns: u64, latency: Duration) {
        self.windows[self.window(due_ns)].record(latency);
        self.all.record(latency);
    }

    /// Waits until `expected` deliveries are in, or `within`; whether they are.
    async fn delivered(&self, expected: u64, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while self.all.count() < expected {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// The window with the highest p99: its start in seconds, and the p99.
    fn worst_window(&self) -> (u64, f64) {
        self.window_p99s()
            .fold((0, 0.0), |worst, w| if w.1 > worst.1 { w } else { worst })
    }

    /// The window with the lowest p99: when it is (seconds from the start) and the p99 in ms.
    fn best_window(&self) -> (u64, f64) {
        self.window_p99s()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0))
    }

    /// Each window that had deliveries: when it is (seconds from the start) and its p99 in ms.
    fn window_p99s(&self) -> impl Iterator<Item = (u64, f64)> + '_ {
        self.windows
            .iter()
            .enumerate()
            .filter(|(_, h)| h.count() > 0)
            .map(|(i, h)| (i as u64 * WINDOW_S, h.quantile_ms(0.99)))
    }

    /// Each window's deliveries, beside what the machine's cores did in it (`machine`, a
    /// window of wall time from the load's start, as the windows of due time are).
    fn table(&self, machine: &[crate::machine::Window]) {
        println!(
            "  | from s | calls | deliveries | p50 ms | p99 ms | max ms | CPU %: hub | tablets and callers | rest of the machine | steal | slowest sync ms | a sleeper woke late, ms |"
        );
        println!("  |---|---|---|---|---|---|---|---|---|---|---|---|");
        for (i, h) in self.windows.iter().enumerate() {
            let cpu = machine.get(i).map_or("| | | | | |".to_owned(), |w| {
                format!(
                    "{:.0} | {:.0} | {:.0} | {:.1} | {} | {} |",
                    w.hub,
                    w.load,
                    w.rest,
                    w.steal,
                    w.slowest_sync_ms
                        .map_or("?".to_owned(), |ms| format!("≤ {ms}")),
                    w.late_wake_ms
                        .map_or("?".to_owned(), |ms| format!("{ms:.1}"))
                )
            });
            println!(
                "  | {} | {} | {} | {:.2} | {:.2} | {:.2} | {cpu}",
                i as u64 * WINDOW_S,
                self.calls[i].load(Ordering::Relaxed),
                h.count(),
                h.quantile_ms(0.5),
                h.quantile_ms(0.99),
                h.max_ms()
            );
        }
        println!("  overall: {}", self.all.line());
    }
}

/// The tablets' troubles: cut off (and resumed), or sent to a snapshot on resuming.
#[derive(Default)]
struct Health {
    drops: AtomicU64,
    snapshots: AtomicU64,
}

/// One tablet hearing the calls to all posts; cut off, it reconnects and resumes.
struct Listener {
    url: String,
    token: String,
    timing: Arc<Timing>,
    health: Arc<Health>,
}

impl Listener {
    async fn run(self, mut t: Tablet, stop: watch::Receiver<bool>) {
        // One wait for the stop for the whole run, not a new one (a waiter added to the
        // channel and taken off again) for every event heard.
        let mut told = stop.clone();
        let stopped = told.wait_for(|s| *s);
        tokio::pin!(stopped);
        loop {
            let resume = tokio::select! {
                _ = &mut stopped => return,
                e = t.next_event() => match e {
                    Ok(e) => {
                        self.timing.heard(&e, Instant::now());
                        continue;
                    }
                    Err(_) => t.resume(),
                },
            };
            self.health.drops.fetch_add(1, Ordering::Relaxed);
            loop {
                if *stop.borrow() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                let opts = Options {
                    resume: Some(resume),
                    ..crowd::options()
                };
                if let Ok((back, welcome)) = Tablet::connect(&self.url, &self.token, opts).await {
                    if welcome.snapshot_needed().is_some() {
                        self.health.snapshots.fetch_add(1, Ordering::Relaxed);
                    }
                    t = back;
                    break;
                }
            }
        }
    }
}

/// Connects `n` lean listeners (tablet `i` as [`crowd::station`]`(i)`), 200 at a time, each
/// started as soon as its welcome came; how long it took.
async fn connect_lean(
    hub: &Hub,
    n: usize,
    timing: &Arc<Timing>,
    health: &Arc<Health>,
    listeners: &mut Vec<tokio::task::JoinHandle<()>>,
) -> Result<f64, String> {
    let began = Instant::now();
    let mut pending = tokio::task::JoinSet::new();
    let mut next = 0;
    while next < n || !pending.is_empty() {
        while next < n && pending.len() < 200 {
            let listener = LeanListener {
                addr: hub.addr,
                path: hub.path().to_owned(),
                token: hub.token(&crowd::station(next)),
                timing: timing.clone(),
                health: health.clone(),
            };
            pending.spawn(async move {
                let mut last = String::new();
                for _ in 0..5 {
                    match listener.open(None).await {
                        Ok(on) => return Ok((listener, on)),
                        Err(e) => last = e,
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(last)
            });
            next += 1;
        }
        match pending.join_next().await {
            Some(Ok(Ok((listener, (line, resume))))) => {
                listeners.push(tokio::spawn(listener.run(line, resume)));
            }
            Some(Ok(Err(e))) => return Err(format!("a tablet could not connect: {e}")),
            Some(Err(e)) => return Err(format!("a connecting task failed: {e}")),
            None => {}
        }
    }
    Ok(began.elapsed().as_secs_f64())
}

/// One lean listener ([`lean`]) hearing the calls to all posts; cut off, it reconnects and
/// resumes from the event after the last it heard.
struct LeanListener {
    addr: std::net::SocketAddr,
    path: String,
    token: String,
    timing: Arc<Timing>,
    health: Arc<Health>,
}

impl LeanListener {
    /// Connects (resuming from `resume`) and reads up to the welcome; the line, and where to
    /// resume from should it end (the epoch, and the offset of the next event to come).
    async fn open(&self, resume: Option<Resume>) -> Result<(Lean, Resume), String> {
        let mut line = Lean::connect(self.addr, &self.path, &self.token, resume).await?;
        let mut welcome = None;
        while welcome.is_none() {
            line.hear(|h| {
                if let lean::Heard::Welcome(w) = h {
                    welcome = Some(w);
                }
            })
            .await?;
        }
        let w = welcome.expect("the loop ends with the welcome");
        if w.snapshot_needed() {
            self.health.snapshots.fetch_add(1, Ordering::Relaxed);
        }
        let from = match resume {
            Some(r) if !w.snapshot_needed() => r.from,
            _ => w.head,
        };
        Ok((
            line,
            Resume {
                epoch: Some(w.epoch),
                from,
            },
        ))
    }

    /// Hears the calls until the bench aborts it (frames that came with the welcome are read
    /// here too).
    async fn run(self, mut line: Lean, mut resume: Resume) {
        loop {
            let heard = line
                .hear(|h| {
                    if let lean::Heard::Event {
                        offset,
                        free_text,
                        at,
                    } = h
                    {
                        resume.from = offset + 1;
                        if let Some(text) = free_text {
                            self.timing.heard_call(text, at);
                        }
                    }
                })
                .await;
            if heard.is_ok() {
                continue;
            }
            self.health.drops.fetch_add(1, Ordering::Relaxed);
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if let Ok((back, from)) = self.open(Some(resume)).await {
                    (line, resume) = (back, from);
                    break;
                }
            }
        }
    }
}

/// The gate and a few managers, calling all posts in turn, each on a pipelined connection.
/// Several callers, not one: the hub holds everything it sends a caller behind that caller's
/// newest acknowledgement until the log is on disk past it, so a single connection calling
/// faster than the log syncs hears nothing until it is cut off (4001) — a load generator's
/// problem, not a tablet's, which calls a few times a minute.
struct Gate {
    callers: Vec<(Station, Wire)>,
    next: AtomicU64,
    timing: Arc<Timing>,
    /// Calls sent, placed and refused (and why the last was).
    sent: AtomicU64,
    placed: Arc<AtomicU64>,
    refusals: Arc<Mutex<(u64, Option<String>)>>,
    ended: Arc<Mutex<Option<String>>>,
}

/// The managers who call all posts beside the gate (a name is letters only).
const MANAGERS: [&str; 7] = ["甲", "乙", "丙", "丁", "戊", "己", "庚"];

impl Gate {
    /// The gate in `current`, connected afresh if the hub cut a caller off.
    async fn fresh(
        current: &RefCell<Arc<Gate>>,
        hub: &Hub,
        timing: &Arc<Timing>,
        callers: usize,
    ) -> Result<Arc<Gate>, String> {
        let gate = current.borrow().clone();
        if gate.broken().is_none() {
            return Ok(gate);
        }
        let gate = Arc::new(Gate::open(hub, timing.clone(), callers).await?);
        *current.borrow_mut() = gate.clone();
        Ok(gate)
    }

    async fn open(hub: &Hub, timing: Arc<Timing>, callers: usize) -> Result<Gate, String> {
        let placed = Arc::new(AtomicU64::new(0));
        let refusals = Arc::new(Mutex::new((0, None)));
        let ended = Arc::new(Mutex::new(None));
        let stations = std::iter::once(Station::Post(Post::L1)).chain(
            MANAGERS
                .iter()
                .map(|n| Station::manager(n).expect("a manager's name")),
        );
        let mut wires = Vec::new();
        for station in stations.take(callers.clamp(1, MANAGERS.len() + 1)) {
            let (p, r, e) = (placed.clone(), refusals.clone(), ended.clone());
            let who = station.to_string();
            let wire = Wire::open(
                &hub.url,
                &hub.token(&station),
                Codec::MsgPack,
                move |heard, _| match heard {
                    Heard::Frame {
                        frame:
                            ServerFrame::Reply {
                                body: ReplyBody::Placed { .. },
                                ..
                            },
                        ..
                    } => {
                        p.fetch_add(1, Ordering::Relaxed);
                    }
                    Heard::Frame {
                        frame: ServerFrame::Error { message, .. },
                        ..
                    } => {
                        let mut r = r.lock().unwrap();
                        r.0 += 1;
                        r.1 = Some(message);
                    }
                    Heard::Frame { .. } => {}
                    Heard::Ended(why) => {
                        e.lock().unwrap().get_or_insert(format!("{who} {why}"));
                    }
                },
            )
            .await
            .map_err(|e| format!("{station} connects: {e}"))?;
            wires.push((station, wire));
        }
        Ok(Gate {
            callers: wires,
            next: AtomicU64::new(0),
            timing,
            sent: AtomicU64::new(0),
            placed,
            refusals,
            ended,
        })
    }

    /// Calls all posts at `rate` for `duration`, timed in `phase`; stops early once more than
    /// five seconds' worth wait for their placement. How many were sent.
    async fn at(&self, rate: f64, duration: Duration, phase: usize) -> u64 {
        let p = &self.timing.phases[phase];
        p.start_ns
            .store(self.timing.ns(Instant::now()), Ordering::Relaxed);
        let cap = ((rate * 5.0) as u64).max(1_000);
        pace(rate, duration, Wait::Timer, |due| {
            let waiting = self.sent.load(Ordering::Relaxed) - self.placed() - self.refused();
            if waiting > cap || self.broken().is_some() {
                return false;
            }
            let seq = self.timing.seq.fetch_add(1, Ordering::Relaxed) + 1;
            self.timing.due(seq, phase, due);
            p.calls[p.window(self.timing.ns(due))].fetch_add(1, Ordering::Relaxed);
            let k = self.next.fetch_add(1, Ordering::Relaxed) as usize % self.callers.len();
            let (station, wire) = &self.callers[k];
            let call = Call::new(
                station.clone(),
                Target::All,
                Intent::Free {
                    text: format!("{TAG}{seq}"),
                },
            );
            wire.sender.send(Command::Call { call });
            self.sent.fetch_add(1, Ordering::Relaxed);
            true
        })
        .await
        .sent
    }

    fn placed(&self) -> u64 {
        self.placed.load(Ordering::Relaxed)
    }

    fn refused(&self) -> u64 {
        self.refusals.lock().unwrap().0
    }

    fn broken(&self) -> Option<String> {
        self.ended.lock().unwrap().clone()
    }
}

/// What fetching one path every second came to.
struct Fetched {
    path: &'static str,
    n: u64,
    failed: u64,
    /// The answers other than 200, as `status×count`.
    statuses: String,
    slowest_ms: f64,
}

/// Fetches `path` with the supervisor's token once a second (one at a time) until told to
/// quit.
async fn fetch_every_second(
    addr: std::net::SocketAddr,
    path: &'static str,
    token: String,
    mut quit: watch::Receiver<bool>,
) -> Fetched {
    let mut f = Fetched {
        path,
        n: 0,
        failed: 0,
        statuses: String::new(),
        slowest_ms: 0.0,
    };
    let mut other: std::collections::BTreeMap<String, u64> = Default::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = quit.wait_for(|q| *q) => break,
            _ = tick.tick() => {}
        }
        let began = Instant::now();
        let token = token.clone();
        // The tests' HTTP client fails loudly (a panic) on a refused connection or an answer
        // slower than its 5 s: that is a failed fetch here.
        let got =
            tokio::spawn(async move { integration::http_get(addr, path, Some(&token)).await })
                .await;
        f.n += 1;
        f.slowest_ms = f.slowest_ms.max(began.elapsed().as_secs_f64() * 1000.0);
        match got {
            Ok((200, _)) => {}
            Ok((status, _)) => {
                f.failed += 1;
                *other.entry(status.to_string()).or_default() += 1;
            }
            Err(_) => {
                f.failed += 1;
                *other.entry("no answer".into()).or_default() += 1;
            }
        }
    }
    f.statuses = if other.is_empty() {
        "none".into()
    } else {
        other
            .iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    f
}
