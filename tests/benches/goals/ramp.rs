//! Sending at a rate, and finding the highest rate a hub sustains. Calls go out on a fixed
//! schedule whatever the hub answers (open loop), each timed from when it was due — so a hub
//! that falls behind shows it as latency, not as a load that politely slowed down with it.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::timer::Timer;

/// Calls `send` at `rate` a second for `duration`, with the moment each one was due; stops
/// early when `send` says so. Returns how many were sent. Call `n` is due `n / rate` after the
/// start; the wait is a periodic `timerfd` (to the microsecond, not tokio's millisecond, and
/// armed once), and a late wake-up sends what fell due meanwhile at once.
pub async fn pace(rate: f64, duration: Duration, mut send: impl FnMut(Instant) -> bool) -> u64 {
    let period = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let timer = Timer::every(period).expect("a timerfd for the pacer");
    let end = start + duration;
    let mut sent = 0u64;
    let mut fell_due = 1u64;
    loop {
        while sent < fell_due {
            // From the rate itself, not `period * sent`: a period rounded to the nanosecond
            // drifted, and at 76,800 calls/s a 3 s step sent two calls fewer than it planned.
            let due = start + Duration::from_secs_f64(sent as f64 / rate);
            if due >= end {
                return sent;
            }
            if !send(due) {
                return sent;
            }
            sent += 1;
        }
        fell_due += timer
            .tick()
            .await
            .expect("the pacer's timerfd keeps working");
    }
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
