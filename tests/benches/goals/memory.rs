//! Part `memory`: what the hub's memory grows by for each event it keeps for resumes. The
//! events are calls from L2 to L1 answered 收到 (a `call_placed` and a `call_answered` each):
//! once answered, nothing of them stays open on the board or among the open calls, so what
//! grows is the log's window in memory — the frames it keeps of each event to serve resumes —
//! which holds the newest 100,000 events (`Config::retain_in_memory`; no flag or setting
//! changes it), more than the part logs. The hub's VmRSS before and after, divided by the events logged;
//! the frames' mean size in each encoding, as the two posts received them (L2 speaks
//! MessagePack, L1 JSON); and the log's bytes on disk per event.
//!
//! Knobs: BENCH_MEMORY_EVENTS (20000).

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use protocol::envelope::Resume;
use protocol::{Codec, Post, Station};
use tablet::{Options, Tablet};
use tokio::time::Instant;

use crate::hub::Hub;
use crate::knob;
use crate::pair::{Pair, Tally};

/// Calls in flight at once while logging.
const WINDOW: usize = 64;
/// Events one resume replays (`resume_backlog`'s default): the check resumes no further back.
const RESUME_BACKLOG: u64 = 20_000;

pub async fn run() -> Result<(), String> {
    let events: u64 = knob("BENCH_MEMORY_EVENTS", 20_000);
    let hub = Hub::start(&["--ack-deadline", "3600"]);
    let pair = Pair::open(&hub, Post::L2, Post::L1, Codec::MsgPack, Codec::Json).await?;

    // Warm up: the first calls make the maps, buffers and pools every later call reuses.
    call_answered(&pair, 500).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = hub.rss_kib();
    let head_before = hub.metric("hub_log_head").await?;
    let log_before = hub.metric("hub_log_bytes").await?;

    let began = Instant::now();
    call_answered(&pair, events.div_ceil(2)).await?;
    let took = began.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = hub.rss_kib();
    let head_after = hub.metric("hub_log_head").await?;
    let log_after = hub.metric("hub_log_bytes").await?;
    let logged = (head_after - head_before).max(1.0);
    let grown = rss_after as f64 - rss_before as f64;
    let per_event = grown * 1024.0 / logged;
    let log_per_event = (log_after - log_before) / logged;

    // The events are there for a resume: a tablet of L1 resuming from as far back as one resume
    // replays is recovered, not sent to a snapshot.
    let from = head_after as u64 - (logged as u64).min(RESUME_BACKLOG);
    let opts = Options {
        resume: Some(Resume {
            epoch: Some(pair.epoch()),
            from,
        }),
        reply_timeout: Duration::from_secs(30),
        ..Options::default()
    };
    let resumed = match Tablet::connect(&hub.url, &hub.token(&Station::Post(Post::L1)), opts).await
    {
        Ok((_, welcome)) => match welcome.snapshot_needed() {
            None => "recovered".to_owned(),
            Some(why) => format!("snapshot_needed ({why})"),
        },
        Err(e) => format!("failed ({e})"),
    };

    let msgpack = pair.caller_sizes.mean();
    let json = pair.target_sizes.mean();
    println!(
        "{logged:.0} events logged in {took:.1} s; the hub's memory {:.1} → {:.1} MiB (peak {:.1} MiB): {per_event:.0} bytes per event",
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        hub.peak_rss_kib() as f64 / 1024.0,
    );
    println!(
        "an event frame is {msgpack:.0} bytes in MessagePack, {json:.0} bytes in JSON (mean of what L2 and L1 received); the log on disk {log_per_event:.0} bytes per event"
    );
    println!(
        "a resume from {from} (the head less {}): {resumed}",
        head_after as u64 - from
    );
    println!(
        "RESULT part=memory events={logged:.0} rss_before_kib={rss_before} rss_after_kib={rss_after} bytes_per_event={per_event:.0} msgpack_event_bytes={msgpack:.0} json_event_bytes={json:.0} log_bytes_per_event={log_per_event:.0} resume_from_oldest={}",
        resumed.split_whitespace().next().unwrap_or("")
    );
    if resumed != "recovered" {
        return Err(format!(
            "the events logged are not all kept for a resume: {resumed}"
        ));
    }
    Ok(())
}

/// `calls` calls placed and answered, [`WINDOW`] in flight at once.
async fn call_answered(pair: &Pair, calls: u64) -> Result<(), String> {
    let tally = Arc::new(Tally::default());
    let mut placed = 0;
    while placed < calls {
        while pair.in_flight() < WINDOW && placed < calls {
            pair.place(Instant::now(), &tally);
            placed += 1;
        }
        if let Some(why) = pair.broken() {
            return Err(format!("a connection ended: {why}"));
        }
        pair.progress().await;
    }
    if !pair.settle(Duration::from_secs(30)).await {
        return Err(format!(
            "{} calls still unanswered 30 s after the last was placed",
            pair.in_flight()
        ));
    }
    let refused = tally.refused.load(Relaxed);
    if refused > 0 {
        return Err(format!(
            "{refused} calls refused: {:?}",
            tally.last_refusal.lock().unwrap()
        ));
    }
    Ok(())
}
