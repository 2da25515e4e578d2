//! Whether a call costs more as the board fills up (measured, not asserted):
//! `cargo bench -p integration --bench open_calls`.
//!
//! The butler's tablet places drinks orders for the water bar one after another, in batches of
//! 5,000, against the hub's own command line (bench profile, a fresh data folder, an answer
//! deadline long enough that nothing is repeated). Nobody answers, so the open calls and the
//! board's orders grow by 5,000 a batch; a hub whose work per call does not grow with what is
//! open takes as long for the sixth batch as for the first. Each call waits for its sync to
//! disk, so the time also moves with the disk; the hub's CPU per call, beside it, is its work
//! alone.
//!
//! Knobs (environment): BENCH_BATCH (5000), BENCH_BATCHES (6).

use std::time::Instant;

use protocol::{Call, Intent, Post};
use tablet::{Options, Tablet};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let batch = env("BENCH_BATCH", 5000);
    let batches = env("BENCH_BATCHES", 6);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let g1 = integration::token_for(&data, "G1");
    let s1 = integration::token_for(&data, "S1");
    let (mut hub, url, _lines) = integration::hub_process_with(
        env!("CARGO_BIN_EXE_hub-under-test"),
        &data,
        &["--ack-deadline", "3600"],
    );
    // The water bar is on the net (so no call is flagged offline) but never answers.
    let (_bar, _) = Tablet::connect(&url, &s1, Options::default())
        .await
        .unwrap();
    let (mut butler, _) = Tablet::connect(&url, &g1, Options::default())
        .await
        .unwrap();
    println!("open calls: {batches} batches of {batch} drinks orders, one tablet, one at a time");
    println!("| batch | open before | seconds | µs per call | hub CPU µs per call |");
    println!("|---|---|---|---|---|");
    let hub_cpu = || drill::load::proc_cpu_seconds(hub.id()).unwrap_or(0.0);
    let (mut times, mut cpus) = (Vec::new(), Vec::new());
    for b in 0..batches {
        let (start, cpu) = (Instant::now(), hub_cpu());
        for i in 0..batch {
            let call = Call::new(
                Post::G1,
                Post::S1,
                Intent::Drinks {
                    drink: ["咖啡", "柠檬水", "茶"][i % 3].into(),
                    room: Some(1 + (i % 3) as u8),
                },
            );
            butler.call(call).await.unwrap();
        }
        let took = start.elapsed().as_secs_f64();
        let used = hub_cpu() - cpu;
        times.push(took);
        cpus.push(used);
        println!(
            "| {} | {} | {took:.2} | {:.0} | {:.0} |",
            b + 1,
            b * batch,
            took * 1e6 / batch as f64,
            used * 1e6 / batch as f64
        );
    }
    println!(
        "last / first: {:.2} in time, {:.2} in the hub's CPU (1.00 = the cost of a call does not grow with what is open)",
        times.last().unwrap() / times[0],
        cpus.last().unwrap() / cpus[0].max(1e-9)
    );
    let _ = hub.kill();
    let _ = hub.wait();
}
