//! The hub under load, measured (not asserted): `cargo bench -p integration --bench net`.
//!
//! Runs the drill's load mode (`radio drill --load`) against the hub's own command line, built
//! with the bench profile and started as its own process on 127.0.0.1 with a fresh data folder,
//! from this process (same machine, so the figures include the clients' own cost):
//! 1. fan-out — many tablets spread over the posts, the call mix at a steady rate (a tenth of it
//!    the gate's broadcast to every tablet): throughput, call → delivered, call → 收到, the hub's
//!    CPU, its memory idle and per idle tablet, and its /metrics against what the tablets got;
//! 2. round trip — a few tablets, calls one after another as fast as the rate allows;
//! 3. each run ends with a reconnect storm: every tablet dropped and resumed at once.
//!
//! Knobs (environment): BENCH_TABLETS (1000), BENCH_RATE (200 calls/s), BENCH_SECONDS (10).

use std::path::PathBuf;
use std::time::Duration;

use drill::load::{LoadOptions, run};
use drill::{HubChoice, Progress};

fn env(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tablets = env("BENCH_TABLETS", 1000.0) as usize;
    let rate = env("BENCH_RATE", 200.0);
    let seconds = env("BENCH_SECONDS", 10.0);
    println!(
        "hub bench: the drill's load mode against the hub's command line; hub and clients share this machine ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let hub = HubChoice::Own {
        bin: Some(PathBuf::from(env!("CARGO_BIN_EXE_hub-under-test"))),
        listen: None,
    };
    for (what, tablets, rate) in [("fan-out", tablets, rate), ("round trip", 20, 50.0)] {
        println!("\n== {what}: {tablets} tablets, {rate} calls/s for {seconds} s");
        let opts = LoadOptions {
            tablets,
            rate,
            duration: Duration::from_secs_f64(seconds),
            hub: hub.clone(),
            seed: 1,
            progress: Progress::Quiet,
        };
        match run(opts).await {
            Ok(report) => print!("{}", report.text()),
            Err(e) => println!("the load did not run: {e}"),
        }
    }
}
