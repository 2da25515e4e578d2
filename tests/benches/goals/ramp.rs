//! Sending at a rate, and finding the highest rate a hub sustains. Calls go out on a fixed
//! schedule whatever the hub answers (open loop), each timed from when it was due — so a hub
//! that falls behind shows it as latency, not as a load that politely slowed down with it.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::timer::Timer;

/// How a pacer waits between calls.
#[derive(Clone, Copy, Debug)]
pub enum Wait {
    /// A periodic `timerfd`: the thread sleeps until the next call falls due. For a load that
    /// shares its runtime with many tablets' tasks.
    Timer,
    /// Spins on the clock, handing the turn to the runtime's other tasks (the posts' sockets)
    /// and the core to any other thread ready on it (`sched_yield`) between two looks. The
    /// thread never sleeps: no call waits for a timer's interrupt, and no frame from the hub
    /// for the thread to be woken. Sleeping between calls 26 µs apart cost
    /// the durable goal's load thread a fifth of its core in re-arming the timer alone (a trip
    /// to the hypervisor each), and every frame a wake-up: at 38,400 calls/s it was 90 % busy,
    /// and its own queueing was most of the p99 measured. For a load on a core of its own.
    Spin,
}

/// What a pacer did.
pub struct Paced {
    /// Calls sent.
    pub sent: u64,
    /// With [`Wait::Spin`]: the share (0–1) of the time paced that the thread was busy with
    /// something other than looking at the clock (its sockets, the calls). Each look that found
    /// nothing to do costs at least the cheapest look seen; everything above that was work. A
    /// load near 1 is the limit of what is measured. `None` with [`Wait::Timer`] (the thread's
    /// CPU time says it there).
    pub busy: Option<f64>,
}

/// Calls `send` at `rate` a second for `duration`, with the moment each one was due; stops
/// early when `send` says so. Call `n` is due `n / rate` after the start. Waits as `wait` says:
/// a periodic `timerfd` (to the microsecond, not tokio's millisecond, and armed once), or a spin;
/// either way a late turn sends what fell due meanwhile at once.
pub async fn pace(
    rate: f64,
    duration: Duration,
    wait: Wait,
    mut send: impl FnMut(Instant) -> bool,
) -> Paced {
    let period = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let timer = match wait {
        Wait::Timer => Some(Timer::every(period).expect("a timerfd for the pacer")),
        Wait::Spin => None,
    };
    let end = start + duration;
    // From the rate itself, not `period * n`: a period rounded to the nanosecond drifted, and
    // at 76,800 calls/s a 3 s step sent two calls fewer than it planned.
    let due_of = |n: u64| start + Duration::from_secs_f64(n as f64 / rate);
    let mut sent = 0u64;
    let mut fell_due = 1u64;
    // The spin's looks: how many, and the cheapest.
    let (mut looks, mut cheapest) = (0u64, Duration::MAX);
    loop {
        while sent < fell_due {
            let due = due_of(sent);
            if due >= end || !send(due) {
                return Paced {
                    sent,
                    busy: timer
                        .is_none()
                        .then(|| busy(start.elapsed(), looks, cheapest)),
                };
            }
            sent += 1;
        }
        match &timer {
            Some(timer) => {
                fell_due += timer
                    .tick()
                    .await
                    .expect("the pacer's timerfd keeps working");
            }
            None => {
                let next = due_of(sent);
                let mut now = Instant::now();
                while now < next {
                    tokio::task::yield_now().await;
                    // And the core itself, to whatever else is ready to run on it. The disk's
                    // interrupt comes to this core, and so does the kernel's work after it
                    // (ext4 turning the log's newly written blocks from unwritten to written,
                    // which the hub's sync waits for); behind a spin that never gave way it
                    // waited for the spin's turn to end: 1.8–5 ms, 40 times a second.
                    std::thread::yield_now();
                    let after = Instant::now();
                    cheapest = cheapest.min(after - now);
                    looks += 1;
                    now = after;
                }
                fell_due = sent + 1;
            }
        }
    }
}

/// The share of `spent` a spinning pacer was busy: all of it but its `looks` that found
/// nothing to do, each charged at the `cheapest` one.
fn busy(spent: Duration, looks: u64, cheapest: Duration) -> f64 {
    let idle = looks as f64 * cheapest.min(Duration::from_secs(1)).as_secs_f64();
    (1.0 - idle / spent.as_secs_f64().max(1e-9)).clamp(0.0, 1.0)
}

/// One rate tried.
pub struct Step {
    pub rate: f64,
    pub sustained: bool,
    /// What was seen, for the table.
    pub note: String,
}

/// Tries rates from `start`, doubling while the hub sustains them; then halves the gap between
/// the last sustained and the first not sustained twice. A rate not sustained is tried once
/// more before it counts as such: on a shared machine one hiccup — a disk's 40 ms stall, a
/// virtual core taken away — fails a short step on its own, and the highest rate found then
/// swung by a factor of ten from run to run. Returns the highest rate sustained (0 if not even
/// `start / 8` was) and every step tried.
pub async fn find_max<F, Fut>(start: f64, mut try_rate: F) -> (f64, Vec<Step>)
where
    F: FnMut(f64) -> Fut,
    Fut: Future<Output = Step>,
{
    let mut steps: Vec<Step> = Vec::new();
    let mut attempt = async |rate: f64, steps: &mut Vec<Step>| -> bool {
        for _ in 0..2 {
            let step = try_rate(rate).await;
            print_step(&step);
            let sustained = step.sustained;
            steps.push(step);
            if sustained {
                return true;
            }
        }
        false
    };
    let mut good: Option<f64> = None;
    let mut bad: Option<f64> = None;
    let mut rate = start;
    for _ in 0..16 {
        let sustained = attempt(rate, &mut steps).await;
        if sustained {
            good = Some(rate);
            if bad.is_some() {
                break;
            }
            rate *= 2.0;
        } else {
            bad = Some(rate);
            if good.is_some() || rate <= start / 8.0 {
                break;
            }
            rate /= 2.0;
        }
    }
    let (Some(mut lo), Some(mut hi)) = (good, bad) else {
        return (good.unwrap_or(0.0), steps);
    };
    for _ in 0..2 {
        let mid = ((lo + hi) / 2.0).round();
        if mid <= lo || mid >= hi {
            break;
        }
        if attempt(mid, &mut steps).await {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo, steps)
}

fn print_step(step: &Step) {
    println!(
        "  {:>8.0}/s  {}  {}",
        step.rate,
        if step.sustained {
            "sustained    "
        } else {
            "NOT sustained"
        },
        step.note
    );
}
