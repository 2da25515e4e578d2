//! What the machine's cores did while a load ran, window by window: the hub's CPU, this
//! process's (the tablets and callers), the rest of the machine's, and the time the hypervisor
//! took from the machine (`steal`), each in % of one core, and the slowest of the hub's syncs
//! of its log (from its /metrics), and how late a thread that only sleeps woke — so that a
//! window slower than the others can be told apart: the hub working harder, the load, the
//! disk, or the machine itself not running what wanted to run.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use drill::load::clock_ticks;

use crate::hub::{Syncs, cpu_seconds_of, own_cpu_seconds};

/// One window's CPU, in % of one core.
#[derive(Clone, Copy, Default)]
pub struct Window {
    pub hub: f64,
    pub load: f64,
    /// Every other process and the kernel's own threads and interrupts.
    pub rest: f64,
    pub steal: f64,
    /// The bound of the bucket the window's slowest sync of the log fell in, ms (`None` when
    /// the hub's /metrics could not be read).
    pub slowest_sync_ms: Option<f64>,
    /// How late the [`Sleeper`] woke at worst in the window, ms (`None` when its thread could
    /// not be started).
    pub late_wake_ms: Option<f64>,
}

/// How long the [`Sleeper`] asks to sleep each time.
const NAP: Duration = Duration::from_millis(2);

/// A thread that sleeps [`NAP`] again and again and notes how late it woke at worst. It wants
/// almost no CPU, so it waits only for a turn on a busy core: with both cores 94 % busy it
/// woke up to about 17 ms late. Woken much later than that, it shows a spell in which the
/// machine ran nothing that wanted to run — the hypervisor held the virtual cores, or the
/// kernel was busy with its own work — whatever the hub and the load were doing.
struct Sleeper {
    /// The latest wake so far in the window, µs past when it was due.
    late_us: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sleeper {
    fn start() -> Sleeper {
        let late_us = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (late, quit) = (late_us.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("sleeper".to_owned())
            .spawn(move || {
                while !quit.load(Relaxed) {
                    let before = std::time::Instant::now();
                    std::thread::sleep(NAP);
                    let over = before.elapsed().saturating_sub(NAP);
                    late.fetch_max(over.as_micros() as u64, Relaxed);
                }
            })
            .ok();
        Sleeper {
            late_us,
            stop,
            thread,
        }
    }

    /// The latest wake since the last look, ms; starts the next window.
    fn take_ms(&self) -> Option<f64> {
        let late_us = self.late_us.swap(0, Relaxed);
        self.thread.as_ref().map(|_| late_us as f64 / 1000.0)
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The machine's busy and stolen seconds so far, over all its cores, from `/proc/stat`.
fn machine_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …
    let at = |i: usize| fields.get(i).copied().unwrap_or(0.0);
    let ticks = clock_ticks();
    let busy = at(0) + at(1) + at(2) + at(5) + at(6);
    (busy / ticks, at(7) / ticks)
}

/// Samples every `every` until `windows` are taken or `quit` says so; what each window saw.
/// The hub is `hub_pid`, its /metrics at `hub_addr`, read with the supervisor's token `sup`.
pub async fn sample(
    hub_pid: u32,
    hub_addr: SocketAddr,
    sup: String,
    every: Duration,
    windows: usize,
    mut quit: watch::Receiver<bool>,
) -> Vec<Window> {
    let now = || {
        let (busy, steal) = machine_seconds();
        (
            Instant::now(),
            cpu_seconds_of(hub_pid),
            own_cpu_seconds(),
            busy,
            steal,
        )
    };
    let metrics = async || -> Option<HashMap<String, f64>> {
        drill::load::metrics(hub_addr, &sup).await.ok()
    };
    let sleeper = Sleeper::start();
    let mut seen = Vec::with_capacity(windows);
    let mut last = now();
    let mut last_metrics = metrics().await;
    let mut tick = tokio::time::interval_at(Instant::now() + every, every);
    while seen.len() < windows {
        tokio::select! {
            _ = tick.tick() => {}
            _ = quit.wait_for(|q| *q) => break,
        }
        let next = now();
        let next_metrics = metrics().await;
        let secs = (next.0 - last.0).as_secs_f64().max(1e-3);
        let pct = |a: f64, b: f64| (a - b) / secs * 100.0;
        let (hub, load) = (pct(next.1, last.1), pct(next.2, last.2));
        seen.push(Window {
            hub,
            load,
            rest: (pct(next.3, last.3) - hub - load).max(0.0),
            steal: pct(next.4, last.4),
            slowest_sync_ms: last_metrics
                .as_ref()
                .zip(next_metrics.as_ref())
                .map(|(a, b)| Syncs::between(a, b).max_ms),
            late_wake_ms: sleeper.take_ms(),
        });
        last = next;
        last_metrics = next_metrics;
    }
    seen
}
