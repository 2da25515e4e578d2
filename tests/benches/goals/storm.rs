//! Part `storm`: a whole site's tablets come back at once and catch up. 10,000 tablets over the
//! listening posts are connected (a few hundred at a time), then all leave; while they are away
//! the gate makes 50 calls to all posts, which every one of them may see; then all reconnect at
//! the same instant, each resuming from the first offset it has not seen. Timed from that
//! instant until every tablet has its welcome and all 50 events. Each tablet checks what it
//! got: the welcome says `recovered` from where it asked, and the events are exactly the 50
//! missed, in order, none missing, none twice — a failure there fails the bench. A tablet the
//! hub cannot take at once (a refused or dropped connection) tries again as a tablet does,
//! with backoff, resuming from what it has; those retries are counted.
//!
//! The tablets coming back are lean ([`lean`]) by default, as the stall part's listeners are:
//! the hub and the 10,000 share two cores, and the `tablet` crate's full clients, which build
//! every typed event, used more CPU than the hub did (1.5–1.8 CPU-s against 0.9–1.0), so the
//! storm timed the machine running out of cores as much as the hub.
//! BENCH_STORM_CLIENTS=tablet uses the full clients.
//!
//! Knobs: BENCH_STORM_TABLETS (10000), BENCH_STORM_BEHIND (50), BENCH_STORM_CONNECTING (500
//! at a time for the first connection), BENCH_STORM_DEADLINE (300 s for the storm),
//! BENCH_STORM_CLIENTS (lean or tablet).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use protocol::envelope::{Recovery, Resume};
use protocol::{Call, Intent, Post, Station, Target};
use tablet::{Backoff, Options, Tablet};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::histogram::Histogram;
use crate::hub::Hub;
use crate::lean::{self, Heard, Lean};
use crate::{crowd, knob};

pub async fn run() -> Result<(), String> {
    let n: usize = knob("BENCH_STORM_TABLETS", 10_000);
    let behind: usize = knob("BENCH_STORM_BEHIND", 50);
    let at_once: usize = knob("BENCH_STORM_CONNECTING", 500);
    let deadline_s: f64 = knob("BENCH_STORM_DEADLINE", 300.0);
    let lean = lean::chosen("BENCH_STORM_CLIENTS")?;
    let hub = Hub::start(&[]);

    // The supervisor's dashboard stays on the net throughout: with someone to hear them, the
    // gate's calls are not flagged `target_offline`, and their events follow one another.
    let (sup, _) = Tablet::connect(
        &hub.url,
        &hub.token(&Station::Post(Post::Sup)),
        crowd::options(),
    )
    .await
    .map_err(|e| format!("SUP connects: {e}"))?;
    let sup = tokio::spawn(read_until_closed(sup));

    // Each reads while it is on (answering the hub's pings), then leaves where it is.
    let (leave, told) = watch::channel(false);
    let mut holders: Vec<_> = (0..n).map(|_| None).collect();
    let connect_s = crowd::connect(&hub, n, at_once, |i, t| {
        holders[i] = Some(tokio::spawn(hold(t, told.clone())));
    })
    .await?;
    println!(
        "{n} tablets over {} posts connected in {connect_s:.1} s ({at_once} at a time); the hub's memory {:.0} MiB",
        crowd::listeners().len(),
        hub.rss_kib() as f64 / 1024.0
    );
    let _ = leave.send(true);
    let mut resumes = Vec::with_capacity(n);
    for (i, h) in holders.into_iter().enumerate() {
        match h.expect("every tablet connected").await {
            Ok(Ok(r)) => resumes.push(r),
            Ok(Err(e)) => return Err(format!("tablet {i}: {e}")),
            Err(e) => return Err(format!("tablet {i}'s task: {e}")),
        }
    }
    let away = connections_down_to(&hub, 1, Duration::from_secs(60)).await?;
    println!("all {n} left; the hub let them go in {away:.1} s");

    // While they are away, the gate calls all posts.
    let (mut gate, _) = Tablet::connect(
        &hub.url,
        &hub.token(&Station::Post(Post::L1)),
        crowd::options(),
    )
    .await
    .map_err(|e| format!("L1 connects: {e}"))?;
    let mut expected = Vec::with_capacity(behind);
    for k in 1..=behind {
        let call = Call::new(
            Post::L1,
            Target::All,
            Intent::Free {
                text: format!("压测广播{k}"),
            },
        );
        let placed = gate
            .call(call)
            .await
            .map_err(|e| format!("the gate's call {k}: {e}"))?;
        expected.push(placed.offset);
    }
    let _ = gate.close().await;
    let consecutive = expected.windows(2).all(|w| w[1] == w[0] + 1);
    println!(
        "while they were away the gate called all posts {behind} times: offsets {}–{}{}",
        expected.first().copied().unwrap_or(0),
        expected.last().copied().unwrap_or(0),
        if consecutive {
            ", one after another"
        } else {
            " (not consecutive: other events came between)"
        }
    );

    // The storm: every tablet waits at the line, then all go at once.
    let expected = Arc::new(expected);
    let (go, line) = watch::channel(false);
    let (finish, finishing) = watch::channel(false);
    let (report, mut outcomes) = mpsc::unbounded_channel();
    let later = Arc::new(AtomicU64::new(0));
    let tokens: Vec<String> = crowd::listeners().iter().map(|s| hub.token(s)).collect();
    let mut tasks = Vec::with_capacity(n);
    for (i, resume) in resumes.into_iter().enumerate() {
        let back = ComingBack {
            i,
            addr: hub.addr,
            path: hub.path().to_owned(),
            url: hub.url.clone(),
            lean,
            token: tokens[i % tokens.len()].clone(),
            resume,
            expected: expected.clone(),
            later: later.clone(),
        };
        tasks.push(tokio::spawn(back.run(
            line.clone(),
            finishing.clone(),
            report.clone(),
            Duration::from_secs_f64(deadline_s),
        )));
    }
    drop(report);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let cpu = hub.cpu_seconds();
    let clients_cpu = crate::hub::own_cpu_seconds();
    let t0 = Instant::now();
    // Let them go from a worker of the runtime, where a woken task goes on the worker's own
    // queue: from this thread, outside the workers, each of the 10,000 wakes took the runtime's
    // shared queue and woke a worker, and letting them all go took 0.45 s of the storm.
    let released = tokio::spawn(async move {
        let _ = go.send(true);
        t0.elapsed().as_secs_f64()
    });
    let released = released.await.unwrap_or(f64::NAN);
    let mut all = Vec::with_capacity(n);
    let end = t0 + Duration::from_secs_f64(deadline_s) + Duration::from_secs(10);
    while all.len() < n {
        match tokio::time::timeout_at(end, outcomes.recv()).await {
            Ok(Some(o)) => all.push(o),
            Ok(None) | Err(_) => break,
        }
    }
    let cpu = hub.cpu_seconds() - cpu;
    let clients_cpu = crate::hub::own_cpu_seconds() - clients_cpu;
    let rss = hub.rss_kib();
    let _ = finish.send(true);
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
    }
    sup.abort();

    // What it came to.
    let since = |t: Instant| t.saturating_duration_since(t0).as_secs_f64();
    let caught = Histogram::default();
    let mut welcomed_last: f64 = 0.0;
    let mut caught_last: f64 = 0.0;
    let mut s = Sums::default();
    for o in &all {
        if let Some(w) = o.welcomed {
            welcomed_last = welcomed_last.max(since(w));
        } else {
            s.never_welcomed += 1;
        }
        match o.caught_up {
            Some(c) => {
                caught_last = caught_last.max(since(c));
                caught.record(c.saturating_duration_since(t0));
            }
            None => s.not_caught_up += 1,
        }
        s.gaps += behind - o.got;
        s.duplicates += o.duplicates;
        s.out_of_order += o.out_of_order;
        s.extras += o.extras.len();
        s.retries += o.attempts.saturating_sub(1);
        s.drops += o.drops;
        if o.not_recovered.is_some() {
            s.not_recovered += 1;
        }
        if o.ok(behind) {
            s.resumed += 1;
        }
    }
    let missing = n - all.len();
    s.never_welcomed += missing;
    s.not_caught_up += missing;
    let welcomed = n - s.never_welcomed;
    let caught_up = n - s.not_caught_up;
    println!(
        "all {n} back at once (the last let go {released:.2} s in): {} within {welcomed_last:.2} s, {} ({behind} events) within {caught_last:.2} s; per tablet: p50 {:.2} s, p99 {:.2} s",
        if welcomed == n {
            "every welcome".to_owned()
        } else {
            format!("{welcomed} of {n} welcomed")
        },
        if caught_up == n {
            "every tablet caught up".to_owned()
        } else {
            format!("{caught_up} of {n} caught up")
        },
        caught.quantile_ms(0.5) / 1000.0,
        caught.quantile_ms(0.99) / 1000.0,
    );
    // A time "until every tablet" is only a time when every tablet got there.
    let until_all = |done: usize, t: f64| {
        if done == n {
            format!("{t:.2}")
        } else {
            "never".to_owned()
        }
    };
    println!(
        "resumed exactly (recovered, the {behind} missed events in order, none missing or twice): {} of {n}; {}; later events {}",
        s.resumed,
        s.said(),
        later.load(Relaxed)
    );
    println!(
        "the hub during the storm: {cpu:.1} CPU s; {:.0} MiB after it; the {n} tablets ({}, in this process, on the same 2 cores): {clients_cpu:.1} CPU s",
        rss as f64 / 1024.0,
        if lean {
            "lean, BENCH_STORM_CLIENTS=lean"
        } else {
            "the tablet crate's clients, BENCH_STORM_CLIENTS=tablet"
        }
    );
    for o in all.iter().filter(|o| !o.ok(behind)).take(5) {
        println!(
            "  tablet {}: got {}/{behind}, recovery {:?}, extras {:?}, last error {:?}",
            o.i, o.got, o.not_recovered, o.extras, o.error
        );
    }
    println!(
        "RESULT part=storm tablets={n} clients={} behind={behind} resumed={} all_welcomed_s={} all_caught_up_s={} caught_up_p50_s={:.2} caught_up_p99_s={:.2} released_s={released:.2} {} hub_cpu_s={cpu:.1} clients_cpu_s={clients_cpu:.1} connect_s={connect_s:.1}",
        if lean { "lean" } else { "tablet" },
        s.resumed,
        until_all(welcomed, welcomed_last),
        until_all(caught_up, caught_last),
        caught.quantile_ms(0.5) / 1000.0,
        caught.quantile_ms(0.99) / 1000.0,
        s.keyed(),
    );
    if s.resumed != n {
        return Err(format!(
            "{} of {n} tablets did not resume exactly ({})",
            n - s.resumed,
            s.said()
        ));
    }
    Ok(())
}

#[derive(Default)]
struct Sums {
    resumed: usize,
    gaps: usize,
    duplicates: usize,
    out_of_order: usize,
    extras: usize,
    not_recovered: usize,
    not_caught_up: usize,
    never_welcomed: usize,
    retries: u32,
    drops: u32,
}

impl Sums {
    /// Each count with its name for people and its key on the `RESULT` line, once.
    fn counts(&self) -> [(&'static str, &'static str, usize); 8] {
        [
            ("gaps", "gaps", self.gaps),
            ("duplicates", "duplicates", self.duplicates),
            ("out of order", "out_of_order", self.out_of_order),
            ("unexpected events", "extras", self.extras),
            ("not recovered", "not_recovered", self.not_recovered),
            ("not caught up", "not_caught_up", self.not_caught_up),
            ("retried connections", "retries", self.retries as usize),
            ("dropped mid-way", "drops", self.drops as usize),
        ]
    }

    /// The counts for people: "gaps 0, duplicates 0, …".
    fn said(&self) -> String {
        self.counts()
            .iter()
            .map(|(name, _, v)| format!("{name} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The counts as `key=value` for the `RESULT` line.
    fn keyed(&self) -> String {
        self.counts()
            .iter()
            .map(|(_, key, v)| format!("{key}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Reads a tablet until it is told to leave; where it would resume.
async fn hold(mut t: Tablet, mut leave: watch::Receiver<bool>) -> Result<Resume, String> {
    loop {
        tokio::select! {
            _ = leave.wait_for(|go| *go) => break,
            e = t.next_event() => if let Err(e) = e {
                return Err(format!("dropped while connected: {e}"));
            },
        }
    }
    let resume = t.resume();
    let _ = t.close().await;
    Ok(resume)
}

async fn read_until_closed(mut t: Tablet) {
    while t.next_event().await.is_ok() {}
}

/// Waits until the hub counts at most `left` tablets; how long that took.
async fn connections_down_to(hub: &Hub, left: u64, within: Duration) -> Result<f64, String> {
    let began = Instant::now();
    loop {
        let now = hub.metric("hub_connections").await? as u64;
        if now <= left {
            return Ok(began.elapsed().as_secs_f64());
        }
        if began.elapsed() > within {
            return Err(format!(
                "the hub still counts {now} tablets {within:?} after they left"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One tablet coming back: on the lean line ([`lean`]: the real upgrade, `connect` with its
/// resume, every frame read and answered, but each taken apart only as far as the check needs)
/// or, with BENCH_STORM_CLIENTS=tablet, on the `tablet` crate's full client.
struct ComingBack {
    i: usize,
    addr: SocketAddr,
    path: String,
    url: String,
    /// On the lean line, or on the `tablet` crate's full client.
    lean: bool,
    token: String,
    resume: Resume,
    expected: Arc<Vec<u64>>,
    /// Events heard after the missed ones, by every tablet (none are expected).
    later: Arc<AtomicU64>,
}

/// A tablet's line back: lean, or the full client with its welcome not yet handed on.
enum Line {
    Lean(Lean),
    Full(Box<Tablet>, Option<lean::Welcome>),
}

impl Line {
    /// What the hub sent next, handed to `heard` as the lean line hands it.
    async fn hear(&mut self, mut heard: impl FnMut(Heard<'_>)) -> Result<(), String> {
        match self {
            Line::Lean(l) => l.hear(heard).await,
            Line::Full(t, welcome) => {
                if let Some(w) = welcome.take() {
                    heard(Heard::Welcome(w));
                    return Ok(());
                }
                let e = t.next_event().await.map_err(|e| e.to_string())?;
                heard(Heard::Event {
                    offset: e.offset,
                    free_text: None,
                    at: Instant::now(),
                });
                Ok(())
            }
        }
    }
}

/// What one tablet saw.
#[derive(Default)]
struct Outcome {
    i: usize,
    welcomed: Option<Instant>,
    caught_up: Option<Instant>,
    attempts: u32,
    drops: u32,
    /// The welcome's recovery when it was not `recovered` from where the tablet asked.
    not_recovered: Option<String>,
    got: usize,
    duplicates: usize,
    out_of_order: usize,
    /// The offsets of events that are none of the missed ones.
    extras: Vec<u64>,
    error: Option<String>,
}

impl Outcome {
    fn ok(&self, behind: usize) -> bool {
        self.caught_up.is_some()
            && self.not_recovered.is_none()
            && self.got == behind
            && self.duplicates == 0
            && self.out_of_order == 0
            && self.extras.is_empty()
    }
}

impl ComingBack {
    async fn run(
        self,
        mut line: watch::Receiver<bool>,
        mut finishing: watch::Receiver<bool>,
        report: mpsc::UnboundedSender<Outcome>,
        within: Duration,
    ) {
        let _ = line.wait_for(|go| *go).await;
        let mut o = Outcome {
            i: self.i,
            ..Outcome::default()
        };
        let mut seen = vec![false; self.expected.len()];
        let mut last = 0u64;
        let mut resume = self.resume;
        // Each tablet its own waits, drawn from its number rather than the OS (a system call
        // each, at the line).
        let mut backoff = Backoff::seeded(Backoff::FIRST, Duration::from_secs(2), self.i as u64);
        // One deadline over the whole catch-up, not a timer per read: the bench's own timers
        // are not what is measured.
        let catching_up = async {
            'connecting: loop {
                o.attempts += 1;
                let mut t = match self.connect(resume).await {
                    Ok(t) => t,
                    Err(e) => {
                        o.error = Some(e);
                        tokio::time::sleep(backoff.next_delay()).await;
                        continue;
                    }
                };
                let mut welcomed = false;
                while o.got < self.expected.len() {
                    // The last missed event is here and an earlier one is not: it never will be.
                    if self.expected.last().is_some_and(|l| last >= *l) {
                        return None;
                    }
                    let mut refused = None;
                    let heard = t
                        .hear(|h| match h {
                            Heard::Welcome(w) => {
                                welcomed = true;
                                o.welcomed.get_or_insert_with(Instant::now);
                                if w.recovered_from != Some(resume.from) {
                                    refused = Some(w.outcome);
                                }
                            }
                            Heard::Event { offset, .. } => {
                                self.check(offset, &mut o, &mut seen, &mut last)
                            }
                        })
                        .await;
                    if let Some(outcome) = refused {
                        o.not_recovered = Some(outcome);
                        return None;
                    }
                    if let Err(e) = heard {
                        // Cut off before its welcome, the hub did not take it: as a refusal.
                        // Cut off after, it resumes from the event after the last it heard.
                        o.error = Some(e);
                        if welcomed {
                            o.drops += 1;
                            if last > 0 {
                                resume.from = last + 1;
                            }
                        } else {
                            tokio::time::sleep(backoff.next_delay()).await;
                        }
                        continue 'connecting;
                    }
                }
                o.caught_up = Some(Instant::now());
                return Some(t);
            }
        };
        let kept = tokio::time::timeout(within, catching_up)
            .await
            .ok()
            .flatten();
        let _ = report.send(o);
        // Stay on until every tablet is back, as a tablet would.
        if let Some(mut t) = kept {
            loop {
                let later = t.hear(|h| {
                    if let Heard::Event { .. } = h {
                        self.later.fetch_add(1, Relaxed);
                    }
                });
                tokio::select! {
                    _ = finishing.wait_for(|f| *f) => break,
                    heard = later => if heard.is_err() { break },
                }
            }
        }
    }

    /// A line back to the hub, resuming from `resume`.
    async fn connect(&self, resume: Resume) -> Result<Line, String> {
        if self.lean {
            return Lean::connect(self.addr, &self.path, &self.token, Some(resume))
                .await
                .map(Line::Lean);
        }
        let opts = Options {
            resume: Some(resume),
            ..crowd::options()
        };
        let (t, w) = Tablet::connect(&self.url, &self.token, opts)
            .await
            .map_err(|e| e.to_string())?;
        let (recovered_from, outcome) = match w.recovery {
            Recovery::Recovered { from } => (Some(from), "recovered"),
            Recovery::Live => (None, "live"),
            Recovery::SnapshotNeeded { .. } => (None, "snapshot_needed"),
        };
        let welcome = lean::Welcome {
            epoch: w.epoch,
            head: w.head,
            recovered_from,
            outcome: outcome.to_owned(),
        };
        Ok(Line::Full(Box::new(t), Some(welcome)))
    }

    fn check(&self, offset: u64, o: &mut Outcome, seen: &mut [bool], last: &mut u64) {
        match self.expected.binary_search(&offset) {
            Ok(k) if seen[k] => o.duplicates += 1,
            Ok(k) => {
                if offset <= *last {
                    o.out_of_order += 1;
                }
                seen[k] = true;
                o.got += 1;
            }
            Err(_) => o.extras.push(offset),
        }
        *last = (*last).max(offset);
    }
}
