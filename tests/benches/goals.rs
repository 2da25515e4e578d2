//! The hub's performance goals that the other benches do not measure, measured and printed (a
//! timing is never asserted): `cargo bench -p integration --bench goals`.
//!
//! Each part runs against a hub of its own — the hub's command line built with the bench
//! profile (`hub-under-test`), a fresh data folder, 127.0.0.1 — with clients speaking the real
//! protocol over real sockets from this process (so the figures include the clients' own cost),
//! and prints one `RESULT part=… key=value …` line and a short summary:
//! - `storm`: 10,000 tablets away while 50 calls to all posts are logged, then all back at once
//!   resuming where they were: how long until every one has its welcome and the 50 events, and
//!   whether each got exactly those, in order (a gap, a duplicate or a snapshot fails the bench);
//! - `memory`: the hub's memory per event it keeps for resumes;
//! - `durable`: a call answered 收到, its acknowledgement held until the log is on disk: the
//!   highest rate the hub sustains, then call → placed and call → 收到 at half of it, and beside
//!   them the machine's own floor (a bare durable echo on the same schedule, and how much a
//!   running thread is frozen);
//! - `stall`: delivery to 1,000 tablets at 10% and then 50% of the highest fan-out rate, while
//!   `/api/report` and `/api/state` are fetched every second: p99 per 10 s window.
//!
//! `BENCH_PART=storm|memory|durable|stall|all` (default all; a comma-separated list works too).
//! Every other knob is named in its part and in docs/OPERATIONS.md. The bench exits 1 when a
//! part could not run or a correctness check failed.

#[path = "goals/cores.rs"]
mod cores;
#[path = "goals/crowd.rs"]
mod crowd;
#[path = "goals/durable.rs"]
mod durable;
#[path = "goals/floor.rs"]
mod floor;
#[path = "goals/histogram.rs"]
mod histogram;
#[path = "goals/hub.rs"]
mod hub;
#[path = "goals/lean.rs"]
mod lean;
#[path = "goals/machine.rs"]
mod machine;
#[path = "goals/memory.rs"]
mod memory;
#[path = "goals/pair.rs"]
mod pair;
#[path = "goals/posts.rs"]
mod posts;
#[path = "goals/ramp.rs"]
mod ramp;
#[path = "goals/stall.rs"]
mod stall;
#[path = "goals/storm.rs"]
mod storm;
#[path = "goals/timer.rs"]
mod timer;
#[path = "goals/wire.rs"]
mod wire;

use std::process::ExitCode;
use std::str::FromStr;

const PARTS: [&str; 4] = ["storm", "memory", "durable", "stall"];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let asked = std::env::var("BENCH_PART").unwrap_or_else(|_| "all".into());
    let parts: Vec<&str> = if asked.trim() == "all" {
        PARTS.to_vec()
    } else {
        let mut parts = Vec::new();
        for p in asked.split(',').map(str::trim) {
            match PARTS.iter().find(|k| **k == p) {
                Some(k) => parts.push(*k),
                None => {
                    eprintln!(
                        "BENCH_PART={asked}: {p:?} is no part; say storm, memory, durable, stall or all"
                    );
                    return ExitCode::from(2);
                }
            }
        }
        parts
    };
    let files = raise_open_files();
    println!(
        "hub goals bench: parts {}; hub and clients share this machine ({} cores); open files allowed: {files} (the hub inherits it)",
        parts.join(", "),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let mut failed = Vec::new();
    for part in parts {
        println!("\n== {part}");
        let outcome = match part {
            "storm" => storm::run().await,
            "memory" => memory::run().await,
            "durable" => durable::run().await,
            _ => stall::run().await,
        };
        if let Err(e) = outcome {
            println!("{part} FAILED: {e}");
            failed.push(part);
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("\nfailed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

/// A knob from the environment, or its default; a value that does not read stops the bench
/// naming it.
pub fn knob<T: FromStr + Copy>(name: &str, default: T) -> T {
    knob_maybe(name).unwrap_or(default)
}

/// A knob with no default: `None` when it is not set.
pub fn knob_maybe<T: FromStr>(name: &str) -> Option<T> {
    let raw = std::env::var(name).ok()?;
    match raw.trim().parse() {
        Ok(v) => Some(v),
        Err(_) => {
            eprintln!("{name}={raw}: not a number");
            std::process::exit(2);
        }
    }
}

/// Raises this process's limit of open files to its hard limit (thousands of tablets are
/// thousands of sockets); the hub, started from here, inherits it. Returns the limit in force.
fn raise_open_files() -> libc::rlim_t {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the rlimit given, which lives on the stack.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    limit.rlim_cur
}
