//! The fault suite: the hub as a real process on loopback, put through what goes wrong on a
//! site — kill -9 in the middle of a busy stream, floods of reports and snapshots, tablets that
//! resume far back and never read — each checked for what a user would notice: no accepted call
//! lost, the healthy tablets still served, the hub's memory under a stated bound. The figures are
//! printed (run with `--nocapture`); the bounds are generous on purpose, since the runs share two
//! cores with everything else.

use std::process::Child;
use std::time::{Duration, Instant};

use integration::token_for;
use protocol::envelope::Resume;
use protocol::{Call, Intent, Post};
use tablet::{Options, Tablet};

struct HubProcess {
    child: Child,
    url: String,
    addr: std::net::SocketAddr,
}

impl HubProcess {
    fn start(data: &std::path::Path) -> HubProcess {
        let (child, url, lines) =
            integration::hub_process(env!("CARGO_BIN_EXE_hub-under-test"), data);
        std::thread::spawn(move || for _ in lines {});
        let addr = url
            .trim_start_matches("ws://")
            .trim_end_matches("/ws")
            .parse()
            .unwrap();
        HubProcess { child, url, addr }
    }

    /// The hub's peak resident memory so far (VmHWM), in MiB.
    fn peak_mib(&self) -> f64 {
        status_kib(self.child.id(), "VmHWM") as f64 / 1024.0
    }

    fn rss_mib(&self) -> f64 {
        status_kib(self.child.id(), "VmRSS") as f64 / 1024.0
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The status of a GET, given up to 30 s (a flood is slow to answer, and that is allowed).
async fn status_of(addr: std::net::SocketAddr, path: &str, bearer: &str) -> u16 {
    match tokio::time::timeout(Duration::from_secs(30), async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {bearer}\r\nConnection: close\r\n\r\n"
        );
        tcp.write_all(req.as_bytes()).await.ok()?;
        let mut head = [0u8; 12];
        tcp.read_exact(&mut head).await.ok()?;
        let mut rest = Vec::new();
        let _ = tcp.read_to_end(&mut rest).await;
        std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
    })
    .await
    {
        Ok(Some(status)) => status,
        _ => 0,
    }
}

fn drinks(i: u32) -> Call {
    Call::new(
        Post::G1,
        Post::S1,
        Intent::Drinks {
            drink: format!("柠檬水{i}"),
            room: Some(1 + (i % 3) as u8),
        },
    )
}

/// Every call placed in the log, replayed by a supervisor from its start to the head the hub
/// had when it joined. The log may hold more calls than were acknowledged (a call logged as the
/// hub was killed, before its caller was told), so the replay reads to the head, not to a count.
async fn replayed(url: &str, data: &std::path::Path, epoch: u64) -> Vec<u64> {
    let opts = Options {
        resume: Some(Resume {
            epoch: Some(epoch),
            from: 1,
        }),
        ..Options::default()
    };
    let (mut sup, welcome) = Tablet::connect(url, &token_for(data, "SUP"), opts)
        .await
        .unwrap();
    let mut found = Vec::new();
    loop {
        let Ok(Ok(e)) = tokio::time::timeout(Duration::from_secs(5), sup.next_event()).await else {
            break;
        };
        if let Some((call_id, _)) = e.placed() {
            found.push(call_id);
        }
        if e.offset + 1 >= welcome.head {
            break;
        }
    }
    found
}

#[tokio::test]
async fn kill_9_under_load_three_times_loses_no_accepted_call() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let mut accepted: Vec<u64> = Vec::new();
    let mut epoch = None;
    for round in 0..3u32 {
        let mut hub = HubProcess::start(data);
        // Two tablets place calls as fast as the hub answers; the hub is killed mid-stream.
        let mut loaders = tokio::task::JoinSet::new();
        for _ in 0..2 {
            let (url, token) = (hub.url.clone(), token_for(data, "G1"));
            loaders.spawn(async move {
                let (mut g1, welcome) = Tablet::connect(&url, &token, Options::default())
                    .await
                    .unwrap();
                let mut mine = Vec::new();
                for i in 0.. {
                    match g1.call(drinks(i)).await {
                        Ok(placed) => mine.push(placed.call_id),
                        Err(_) => break, // the hub died under us: what was acknowledged counts
                    }
                }
                (welcome.epoch, mine)
            });
        }
        tokio::time::sleep(Duration::from_millis(300 + 150 * u64::from(round))).await;
        hub.child.kill().unwrap(); // SIGKILL: no flush, no goodbye
        hub.child.wait().unwrap();
        while let Some(done) = loaders.join_next().await {
            let (e, mine) = done.unwrap();
            epoch.get_or_insert(e);
            accepted.extend(mine);
        }
    }
    accepted.sort_unstable();
    let hub = HubProcess::start(data);
    let epoch = epoch.unwrap();
    let found = replayed(&hub.url, data, epoch).await;
    let lost: Vec<u64> = accepted
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect();
    println!(
        "kill -9 under load: 3 kills, {} calls acknowledged, {} lost",
        accepted.len(),
        lost.len()
    );
    assert!(accepted.len() > 100, "the load was real");
    assert!(lost.is_empty(), "acknowledged calls lost: {lost:?}");
}

/// p50 and p99 of how long healthy tablets take to hear `n` calls, placed one after another.
async fn delivery(hub: &HubProcess, data: &std::path::Path, n: u32) -> (Duration, Duration) {
    let (mut g1, _) = Tablet::connect(&hub.url, &token_for(data, "G1"), Options::default())
        .await
        .unwrap();
    let (mut s1, _) = Tablet::connect(&hub.url, &token_for(data, "S1"), Options::default())
        .await
        .unwrap();
    let mut took = Vec::new();
    for i in 0..n {
        let asked = Instant::now();
        let placed = g1.call(drinks(i)).await.unwrap();
        let call_id = placed.call_id;
        loop {
            let e = tokio::time::timeout(Duration::from_secs(10), s1.next_event())
                .await
                .expect("a healthy tablet is still served")
                .unwrap();
            if e.placed().is_some_and(|(id, _)| id == call_id) {
                break;
            }
        }
        took.push(asked.elapsed());
        s1.answer(call_id, protocol::Answer::Received)
            .await
            .unwrap();
    }
    took.sort_unstable();
    (
        took[took.len() / 2],
        took[(took.len() * 99 / 100).min(took.len() - 1)],
    )
}

#[tokio::test]
async fn floods_of_reports_snapshots_and_far_resumes_stay_within_bounds() {
    const BOUND_MIB: f64 = 400.0;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let hub = HubProcess::start(data);
    // A busy day's worth of log to read back: calls placed and answered.
    {
        let (mut g1, _) = Tablet::connect(&hub.url, &token_for(data, "G1"), Options::default())
            .await
            .unwrap();
        let (mut s1, _) = Tablet::connect(&hub.url, &token_for(data, "S1"), Options::default())
            .await
            .unwrap();
        for i in 0..1_500 {
            let placed = g1.call(drinks(i)).await.unwrap();
            s1.answer(placed.call_id, protocol::Answer::Received)
                .await
                .unwrap();
        }
    }
    let quiet = delivery(&hub, data, 50).await;
    let base = hub.rss_mib();
    println!(
        "baseline: RSS {base:.1} MiB; delivery p50 {:?}, p99 {:?}",
        quiet.0, quiet.1
    );

    // 48 reports at once, while calls go on.
    let sup = token_for(data, "SUP");
    let mut floods = tokio::task::JoinSet::new();
    for _ in 0..48 {
        let (addr, sup) = (hub.addr, sup.clone());
        floods.spawn(async move { status_of(addr, "/api/report", &sup).await });
    }
    let during = delivery(&hub, data, 50).await;
    let mut statuses = Vec::new();
    while let Some(s) = floods.join_next().await {
        statuses.push(s.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    println!(
        "report flood (48 at once): peak RSS {:.1} MiB (bound {BOUND_MIB}); delivery during it p50 {:?}, p99 {:?}; {} answered 200, {} told busy",
        hub.peak_mib(),
        during.0,
        during.1,
        statuses.iter().filter(|s| **s == 200).count(),
        statuses.iter().filter(|s| **s == 503).count()
    );

    // 200 snapshot requests as fast as they come.
    let mut floods = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (addr, sup) = (hub.addr, sup.clone());
        floods.spawn(async move { status_of(addr, "/api/state", &sup).await });
    }
    let during = delivery(&hub, data, 50).await;
    let (mut ok, mut busy) = (0, 0);
    while let Some(s) = floods.join_next().await {
        match s.unwrap() {
            200 => ok += 1,
            503 => busy += 1,
            other => panic!("a snapshot request got {other}"),
        }
    }
    println!(
        "snapshot flood (200 at once): {ok} served, {busy} told busy; delivery during it p50 {:?}, p99 {:?}; peak RSS {:.1} MiB",
        during.0,
        during.1,
        hub.peak_mib()
    );

    // 100 tablets resume from the start and never read.
    let mut stuck = Vec::new();
    for _ in 0..100 {
        let opts = Options {
            resume: Some(Resume {
                epoch: None,
                from: 1,
            }),
            ..Options::default()
        };
        if let Ok((t, _)) = Tablet::connect(&hub.url, &token_for(data, "SUP"), opts).await {
            stuck.push(t);
        }
    }
    let during = delivery(&hub, data, 50).await;
    println!(
        "100 tablets resuming the whole log back, never reading: RSS {:.1} MiB, peak {:.1} MiB (bound {BOUND_MIB}); delivery p50 {:?}, p99 {:?}",
        hub.rss_mib(),
        hub.peak_mib(),
        during.0,
        during.1
    );
    assert!(hub.peak_mib() < BOUND_MIB, "peak {} MiB", hub.peak_mib());
    drop(stuck);
}
