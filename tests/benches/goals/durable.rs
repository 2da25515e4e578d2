//! Part `durable`: a call from one post to another (L2 → L1, free text) answered 收到 at once,
//! end to end, with the caller's acknowledgement held until the log is on disk (group commit).
//! First a short ramp finds the highest rate the hub sustains; then, at half of it, call →
//! placed (the caller's acknowledgement: the call is durable) and call → 收到 (the caller hears
//! the answer), each from when the call was due. Then, beside it, the machine's own floor
//! ([`crate::floor`]): the same schedule to a bare durable echo, and how much a running thread
//! is frozen.
//!
//! As the side-by-side measures servers, the hub runs on CPU 0 and the two posts on CPU 1
//! ([`crate::cores`]; `BENCH_PIN=0` shares the cores); the posts, the pacer and the floor's
//! client run on one thread of their own (a current-thread runtime), so a call and its answer
//! are never handed between threads on the load's side. That thread spins between calls
//! ([`Wait::Spin`]) rather than sleeping: what is measured is the hub and the disk, not the
//! load's timer interrupts and wake-ups. It prints how busy the thread was apart from spinning.
//!
//! Knobs: BENCH_SECONDS (10) at half the rate; BENCH_RAMP_SECONDS (5) a step, measured after
//! BENCH_RAMP_WARM_UP_SECONDS (1) at the rate not counted (as the side-by-side's sweep: a rate
//! the hub only keeps up with for its first seconds is not its maximum);
//! BENCH_DURABLE_START (50 calls/s) the ramp's first rate; BENCH_RAMP_P99_MS (50, the rule fan-out servers are compared by) the p99
//! call → 收到 a sustained step stays under; BENCH_DURABLE_MAX to skip the ramp;
//! BENCH_DURABLE_QUEUE (16,384) the frames a tablet may have waiting (the site file's
//! `tablet_queue_frames`, 512 by default: the two posts stand for a whole site);
//! BENCH_DURABLE_PAIRS (1) the pairs of posts taking the calls in turn ([`crate::posts`]).

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use tokio::time::Instant;

use crate::cores::Cores;
use crate::floor;
use crate::hub::{Hub, Syncs};
use crate::pair::Tally;
use crate::posts::Posts;
use crate::ramp::{Step, Wait, find_max, pace};
use crate::{knob, knob_maybe};

/// The goal: p99 call → 收到 at half the highest rate.
const GOAL_MS: f64 = 1.0;

/// The site the hub serves by default, whose settings the part adds to.
const SITE: &str = include_str!("../../../hub/site/longfor.toml");

pub async fn run() -> Result<(), String> {
    let cores = Cores::split();
    println!("{}", Cores::describe(cores));
    let (tell, told) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("durable-load".into())
        .spawn(move || {
            let outcome = (|| {
                if let Some(c) = cores {
                    integration::pin_to(c.load)
                        .map_err(|e| format!("cannot keep the load on CPU {}: {e}", c.load))?;
                }
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("a runtime for the load: {e}"))?
                    .block_on(measure(cores))
            })();
            let _ = tell.send(outcome);
        })
        .map_err(|e| format!("a thread for the load: {e}"))?;
    told.await
        .map_err(|_| "the load's thread ended with no outcome".to_owned())?
}

async fn measure(cores: Option<Cores>) -> Result<(), String> {
    let seconds: f64 = knob("BENCH_SECONDS", 10.0);
    let step_s: f64 = knob("BENCH_RAMP_SECONDS", 5.0);
    let warm_s: f64 = knob("BENCH_RAMP_WARM_UP_SECONDS", 1.0);
    let start: f64 = knob("BENCH_DURABLE_START", 50.0);
    let limit_ms: f64 = knob("BENCH_RAMP_P99_MS", 50.0);
    let given: Option<f64> = knob_maybe("BENCH_DURABLE_MAX");
    let pairs: usize = knob("BENCH_DURABLE_PAIRS", 1);

    // No repeats: an answer comes at once, and a repeat would be an event of its own.
    // The two posts stand for a whole site calling: the caller hears three frames a call, and
    // a freeze of the load's thread for a few milliseconds (the machine's, below) fills its
    // socket past the 512 frames a tablet may have waiting. Its queue here is a site's.
    let site_dir = tempfile::tempdir().map_err(|e| format!("a temp dir for the site: {e}"))?;
    let site = site_dir.path().join("site.toml");
    let queue = knob("BENCH_DURABLE_QUEUE", 16_384.0) as u64;
    let header = "\n[settings]\n";
    if !SITE.contains(header) {
        return Err("the built-in site file has no [settings] table to add to".to_owned());
    }
    let text = SITE.replacen(
        header,
        &format!("{header}tablet_queue_frames = {queue}\n"),
        1,
    );
    std::fs::write(&site, text).map_err(|e| format!("cannot write {}: {e}", site.display()))?;
    let site = site.display().to_string();
    let hub = Hub::start_on(
        &["--ack-deadline", "3600", "--site", &site],
        cores.map(|c| c.hub),
    );
    // Spinning takes the load's core whole: only when it has one of its own.
    let wait = if cores.is_some() {
        Wait::Spin
    } else {
        Wait::Timer
    };
    // A step the hub cannot keep up with may cut the caller off (4001): the next step starts
    // on fresh connections.
    let current = RefCell::new(Arc::new(Posts::open(&hub, pairs).await?));
    if pairs > 1 {
        println!(
            "the calls taken in turn by {pairs} pairs of posts (L2 → L1 and {} pairs of client managers), each answering at once",
            pairs - 1
        );
    }

    let max = match given {
        Some(m) => {
            println!("highest rate given: {m} calls/s (BENCH_DURABLE_MAX); no ramp");
            m
        }
        None => {
            println!(
                "ramp: {step_s} s a step after {warm_s} s at the rate not counted (as the side-by-side's sweep); sustained = every call placed and answered, none refused, p99 call → 收到 ≤ {limit_ms} ms"
            );
            let (max, _) = find_max(start, |rate| {
                let (current, hub) = (&current, &hub);
                async move {
                    let posts = match fresh(current, hub, pairs).await {
                        Ok(p) => p,
                        Err(e) => {
                            return Step {
                                rate,
                                sustained: false,
                                note: e,
                            };
                        }
                    };
                    let posts = &*posts;
                    let planned = (rate * step_s).ceil() as u64;
                    if warm_s > 0.0 {
                        // Its calls are tallied apart and answered during the step: not counted.
                        run_at(posts, rate, Duration::from_secs_f64(warm_s), wait, Tally::default()).await;
                    }
                    let (tally, _) = run_at(posts, rate, Duration::from_secs_f64(step_s), wait, Tally::default()).await;
                    let settled = posts.settle(Duration::from_secs(2)).await;
                    let sent = tally.sent.load(Relaxed);
                    let answered = tally.answered.count();
                    let refused = tally.refused.load(Relaxed);
                    let p99 = tally.answered.quantile_ms(0.99);
                    // A step left behind drains before the next one starts.
                    if !settled {
                        posts.settle(Duration::from_secs(30)).await;
                    }
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    let broken = posts.broken();
                    Step {
                        rate,
                        sustained: settled
                            && sent + 1 >= planned
                            && answered == sent
                            && refused == 0
                            && p99 <= limit_ms
                            && broken.is_none(),
                        note: format!(
                            "sent {sent}, answered {answered}, refused {refused}; call → 收到 p99 {p99:.1} ms{}",
                            broken.map(|why| format!("; {why}")).unwrap_or_default()
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
            "the hub sustained no rate tried, down to {} calls/s",
            start / 8.0
        ));
    }

    let posts = fresh(&current, &hub, pairs).await?;
    let rate = max / 2.0;
    println!("measuring at half the highest rate: {rate} calls/s for {seconds} s");
    let (cpu, own) = (hub.cpu_seconds(), crate::hub::own_cpu_seconds());
    let metrics = hub.metrics().await?;
    let began = Instant::now();
    // Only the measured run keeps call → 收到 by the second: the ramp's steps print one p99
    // each, and their load's thread need not record every answer twice.
    let by_second = Tally::by_second(Instant::now(), seconds.ceil() as usize);
    let (tally, busy) = run_at(
        &posts,
        rate,
        Duration::from_secs_f64(seconds),
        wait,
        by_second,
    )
    .await;
    let busy = busy.map(|b| b * 100.0);
    let settled = posts.settle(Duration::from_secs(30)).await;
    let elapsed = began.elapsed().as_secs_f64();
    let cpu = (hub.cpu_seconds() - cpu) / elapsed * 100.0;
    let own = (crate::hub::own_cpu_seconds() - own) / elapsed * 100.0;
    let syncs = Syncs::between(&metrics, &hub.metrics().await?);
    let sent = tally.sent.load(Relaxed);
    let refused = tally.refused.load(Relaxed);
    println!("  call → placed (durable) {}", tally.placed.line());
    println!("  call → 收到             {}", tally.answered.line());
    // Whether the tail is every second's or a few bad seconds' (a freeze, a slow sync).
    let p99s: Vec<f64> = tally
        .seconds()
        .iter()
        .map(|h| h.quantile_ms(0.99))
        .collect();
    let within = p99s.iter().filter(|p99| **p99 <= GOAL_MS).count();
    let by_second: Vec<String> = p99s.iter().map(|p| format!("{p:.2}")).collect();
    println!(
        "  call → 收到 p99 by second: {} ms; {within} of {} seconds within the goal's {GOAL_MS} ms",
        by_second.join(" "),
        by_second.len()
    );
    println!(
        "  {sent} calls sent, {} placed, {} answered, {refused} refused{}; the hub's CPU {cpu:.0}% of one core; the posts' (this process) {own:.0}%{}",
        tally.placed.count(),
        tally.answered.count(),
        match &*tally.last_refusal.lock().unwrap() {
            Some(why) => format!(" (last: {why})"),
            None => String::new(),
        },
        match busy {
            Some(b) => format!(", spinning between calls: busy {b:.0}% of the time"),
            None => String::new(),
        }
    );
    println!("  the hub's own syncs meanwhile: {}", syncs.line());
    let answer_refusals = posts.answer_refusals();
    let busy_field = busy.map_or("-".to_owned(), |b| format!("{b:.0}"));
    let floor = floor::durable_echo(
        rate,
        Duration::from_secs_f64(seconds),
        cores.map(|c| c.hub),
        wait,
    )
    .await?;
    println!(
        "  the machine's floor (no hub; a bare echo answering after one fdatasync per read, the same schedule): {}",
        floor.line()
    );
    let frozen = floor::freezes(3.0);
    println!(
        "  the machine's freezes: a thread spinning on each core lost {:.2}% of its time in jumps over 1 ms, the longest {:.1} ms",
        frozen.percent, frozen.longest_ms
    );
    println!(
        "RESULT part=durable pairs={pairs} max_rate={max:.0} rate={rate:.0} seconds={seconds} calls={sent} placed={} answered={} refused={refused} answers_refused={} {} {} hub_cpu_percent={cpu:.0} clients_cpu_percent={own:.0} clients_busy_percent={busy_field} syncs={} sync_p50_ms={} sync_p99_ms={} sync_max_ms={} {} frozen_percent={:.2} frozen_longest_ms={:.1} answered_seconds_within_goal={within} answered_p99_by_second_ms={}",
        tally.placed.count(),
        tally.answered.count(),
        answer_refusals.0,
        tally.placed.fields("placed"),
        tally.answered.fields("answered"),
        syncs.n,
        syncs.p50_ms,
        syncs.p99_ms,
        syncs.max_ms,
        floor.fields("floor"),
        frozen.percent,
        frozen.longest_ms,
        by_second.join(","),
    );
    if let Some(why) = posts.broken() {
        return Err(format!("a connection ended: {why}"));
    }
    if !settled || tally.answered.count() + refused != sent {
        return Err(format!(
            "{} of {sent} calls were never answered",
            sent - tally.answered.count() - refused
        ));
    }
    Ok(())
}

/// The calling posts, connected afresh if the hub cut one of them off.
async fn fresh(
    current: &RefCell<Arc<Posts>>,
    hub: &Hub,
    pairs: usize,
) -> Result<Arc<Posts>, String> {
    let posts = current.borrow().clone();
    if posts.broken().is_none() {
        return Ok(posts);
    }
    let posts = Arc::new(Posts::open(hub, pairs).await?);
    *current.borrow_mut() = posts.clone();
    Ok(posts)
}

/// Calls at `rate` for `duration`, open loop, waiting between calls as `wait` says; stops early
/// once more than five seconds' worth are in flight (the hub is far behind), counting them in
/// `tally`. The calls' tally, and how busy the load's thread was apart from spinning (0–1;
/// `None` when it did not spin).
async fn run_at(
    posts: &Posts,
    rate: f64,
    duration: Duration,
    wait: Wait,
    tally: Tally,
) -> (Arc<Tally>, Option<f64>) {
    let tally = Arc::new(tally);
    let cap = ((rate * 5.0) as usize).max(2_000);
    let paced = pace(rate, duration, wait, |due| {
        // Only the pair that calls next is looked at: a call costs the same however many there are.
        let pair = posts.next();
        if pair.in_flight() > cap / posts.len() {
            return false;
        }
        pair.place(due, &tally);
        true
    })
    .await;
    (tally, paced.busy)
}
