//! The hub under load, measured (not asserted): run with `cargo bench -p hub`.
//!
//! Starts the release `hub` binary as its own process on 127.0.0.1 with a fresh data folder, then
//! from this process (same 2-core machine, so the figures include the clients' own cost):
//! 1. memory per idle tablet — the hub's RSS before and after 1,000 tablets connect;
//! 2. fan-out — the gate's broadcast to 1,000 tablets: time until the last one has it, and
//!    deliveries per second over a burst;
//! 3. call → 收到 round trip — one manager calling the water bar, which answers at once;
//! 4. a reconnect storm — all 1,000 tablets dropped and reconnected at once, resuming.
//!
//! Knobs (environment): BENCH_TABLETS (1000), BENCH_BROADCASTS (200), BENCH_CALLS (2000).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use protocol::envelope::Resume;
use protocol::{Answer, Call, EventKind, Intent, Post, Station, Target, Visitor};
use tablet::{Options, Tablet};
use tokio::sync::mpsc;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Hub {
    child: Child,
    url: String,
    data: tempfile::TempDir,
}

impl Hub {
    fn start() -> Hub {
        let data = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hub"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data.path())
            .env("RUST_LOG", "hub=warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the hub starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("ws://"))
            .unwrap()
            .to_owned();
        std::thread::spawn(move || for _ in lines {});
        Hub { child, url, data }
    }

    fn token(&self, station: &str) -> String {
        hub::Secret::load_or_create(self.data.path())
            .unwrap()
            .mint(&station.parse::<Station>().unwrap(), 0)
    }

    /// Resident memory of the hub process, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(name: &str, mut d: Vec<Duration>) {
    d.sort();
    println!(
        "{name:<50} n={:<6} p50={:>9.3?} p90={:>9.3?} p99={:>9.3?} max={:>9.3?}",
        d.len(),
        percentile(&d, 0.5),
        percentile(&d, 0.9),
        percentile(&d, 0.99),
        d.last().copied().unwrap_or_default()
    );
}

/// Connects `n` tablets, `in_flight` at a time.
async fn connect_many(
    hub: &Hub,
    n: usize,
    station: &str,
    resume: Option<Vec<Resume>>,
) -> (Vec<Tablet>, Duration) {
    let token = hub.token(station);
    let started = Instant::now();
    let mut tablets = Vec::with_capacity(n);
    let mut pending = tokio::task::JoinSet::new();
    let mut next = 0;
    let in_flight = 200;
    while tablets.len() < n {
        while next < n && pending.len() < in_flight {
            let (url, token) = (hub.url.clone(), token.clone());
            let resume = resume.as_ref().map(|r| r[next]);
            pending.spawn(async move {
                let opts = Options {
                    resume,
                    reply_timeout: Duration::from_secs(30),
                    ..Options::default()
                };
                Tablet::connect(&url, &token, opts).await.map(|(t, _)| t)
            });
            next += 1;
        }
        match pending.join_next().await {
            Some(Ok(Ok(t))) => tablets.push(t),
            Some(Ok(Err(e))) => panic!("a tablet failed to connect: {e}"),
            Some(Err(e)) => panic!("{e}"),
            None => break,
        }
    }
    (tablets, started.elapsed())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = env("BENCH_TABLETS", 1000);
    let broadcasts = env("BENCH_BROADCASTS", 200);
    let calls = env("BENCH_CALLS", 2000);
    println!(
        "hub bench: {n} tablets, {broadcasts} broadcasts, {calls} calls; hub and clients share this machine ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let hub = Hub::start();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // 1. Memory per idle tablet.
    let before = hub.rss_kib();
    let (tablets, took) = connect_many(&hub, n, "Y1", None).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = hub.rss_kib();
    println!(
        "connect {n} tablets                             {took:>9.3?} ({:.0} connects/s)",
        n as f64 / took.as_secs_f64()
    );
    println!(
        "hub RSS: {before} KiB idle, {after} KiB with {n} idle tablets => {:.1} KiB per idle tablet",
        (after.saturating_sub(before)) as f64 / n as f64
    );

    // 2. Fan-out of the gate's broadcast to every tablet.
    let (seen_tx, mut seen_rx) = mpsc::channel::<(u64, Instant)>(1 << 20);
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for mut t in tablets {
        let seen = seen_tx.clone();
        let stop = stop.clone();
        readers.push(tokio::spawn(async move {
            loop {
                match t.next_event_within(Duration::from_millis(200)).await {
                    Ok(Some(e)) => {
                        if let EventKind::CallPlaced { call_id, .. } = e.what {
                            let _ = seen.try_send((call_id, Instant::now()));
                        }
                    }
                    Ok(None) if stop.load(Ordering::Relaxed) => break,
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
            t
        }));
    }
    drop(seen_tx);
    let (mut l1, _) = Tablet::connect(&hub.url, &hub.token("L1"), Options::default())
        .await
        .unwrap();
    let broadcast = Call::new(
        Post::L1,
        Target::All,
        Intent::ArrivalBroadcast {
            visitor: Visitor::parse("王先生").unwrap(),
            party: 3,
            appointment: true,
            description: Some("黑色轿车，灰色西装".into()),
        },
    );
    // One at a time: the time until the last of n tablets has it.
    let mut last_delivery = Vec::new();
    let mut each_delivery = Vec::new();
    for _ in 0..broadcasts.min(100) {
        let sent = Instant::now();
        let placed = l1.call(broadcast.clone()).await.unwrap();
        let mut got = 0;
        let mut latest = sent;
        while got < n {
            let (id, at) = seen_rx.recv().await.unwrap();
            if id == placed.call_id {
                got += 1;
                latest = latest.max(at);
                each_delivery.push(at - sent);
            }
        }
        last_delivery.push(latest - sent);
    }
    summary(
        &format!("fan-out: one broadcast, last of {n} tablets"),
        last_delivery,
    );
    summary("fan-out: one broadcast, each delivery", each_delivery);

    // A burst: broadcasts back to back, deliveries per second.
    let sent = Instant::now();
    let mut burst_ids = std::collections::HashSet::new();
    for _ in 0..broadcasts {
        burst_ids.insert(l1.call(broadcast.clone()).await.unwrap().call_id);
    }
    let mut got = 0;
    while got < n * broadcasts {
        let (id, _) = seen_rx.recv().await.unwrap();
        if burst_ids.contains(&id) {
            got += 1;
        }
    }
    let took = sent.elapsed();
    println!(
        "fan-out burst: {broadcasts} broadcasts x {n} tablets      {took:>9.3?} ({:.0} deliveries/s)",
        got as f64 / took.as_secs_f64()
    );

    // 3. Call -> 收到 round trip, one at a time.
    let (mut x, _) = Tablet::connect(&hub.url, &hub.token("X:张伟"), Options::default())
        .await
        .unwrap();
    let (mut s1, _) = Tablet::connect(&hub.url, &hub.token("S1"), Options::default())
        .await
        .unwrap();
    let answering = tokio::spawn(async move {
        while let Ok(e) = s1.next_event().await {
            if let EventKind::CallPlaced { call_id, call, .. } = e.what {
                if call.target == Target::Station(Station::Post(Post::S1)) {
                    let _ = s1.answer(call_id, Answer::Received).await;
                }
            }
        }
    });
    let hail = Call::new(Station::manager("张伟").unwrap(), Post::S1, Intent::Hail);
    let order = Call::new(
        Station::manager("张伟").unwrap(),
        Post::S1,
        Intent::Drinks {
            drink: "柠檬水".into(),
            room: Some(1),
        },
    );
    for (what, call) in [
        ("hail (routing only)", hail),
        ("drinks order (with the board)", order),
    ] {
        let mut placed_rtt = Vec::with_capacity(calls);
        let mut answered_rtt = Vec::with_capacity(calls);
        for _ in 0..calls {
            let t0 = Instant::now();
            let placed = x.call(call.clone()).await.unwrap();
            placed_rtt.push(t0.elapsed());
            loop {
                let e = x.next_event().await.unwrap();
                if matches!(e.what, EventKind::CallAnswered { call_id, .. } if call_id == placed.call_id)
                {
                    break;
                }
            }
            answered_rtt.push(t0.elapsed());
        }
        summary(&format!("{what}: placed"), placed_rtt);
        summary(&format!("{what}: -> 收到 round trip"), answered_rtt);
    }
    answering.abort();

    // 4. Reconnect storm: drop every tablet, reconnect all at once, resuming where each was.
    stop.store(true, Ordering::Relaxed);
    let mut resumes: Vec<Resume> = Vec::with_capacity(n);
    for r in readers {
        let t = r.await.expect("a reader task");
        resumes.push(t.resume());
        drop(t);
    }
    drop(seen_rx);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (again, took) = connect_many(&hub, n, "Y1", Some(resumes)).await;
    println!(
        "reconnect storm: {n} tablets resume at once       {took:>9.3?} ({:.0} reconnects/s)",
        n as f64 / took.as_secs_f64()
    );
    println!("hub RSS at the end: {} KiB", hub.rss_kib());
    drop(again);
}
