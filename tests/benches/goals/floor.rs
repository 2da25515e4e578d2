//! The machine's own floor under the durable goal, measured beside the hub's figure so that a
//! p99 can be read for what it is.
//!
//! - **Freezes.** One thread per core spins for a while reading the clock; every jump of more
//!   than a millisecond between two reads is time that thread did not run although it wanted
//!   to (the host took the virtual core away, or the kernel ran something else). Printed as the
//!   share of the time frozen and the longest freeze. Where a running thread loses a few percent
//!   of its time in freezes of several milliseconds, every p99 of a round trip is at least that.
//! - **A bare durable echo.** The same open-loop schedule as the hub's calls, sent to the least a
//!   durable server can do: one thread reads what has come in on a loopback socket, writes it to
//!   a file whose space was written with zeros and synced before the run (the log makes its
//!   space ready 64 KiB at a time and syncs those zeros with its records, so the echo's syncs
//!   are, if anything, lighter than the hub's), `fdatasync`s once for all of it,
//!   and answers each request. No protocol, no hub. It is the floor under "call → placed": the
//!   hub cannot show less on this machine, and what it shows above it is the hub's own cost.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::histogram::Histogram;
use crate::ramp::{Wait, pace};

/// A request's size: about a call's two records on disk.
const REQUEST: usize = 300;

/// What the freezes probe saw.
pub struct Freezes {
    pub percent: f64,
    pub longest_ms: f64,
}

/// Spins one thread on each core online (each kept on its own, whatever core the caller is
/// kept on) for `seconds` and sums the clock's jumps over 1 ms.
pub fn freezes(seconds: f64) -> Freezes {
    // SAFETY: sysconf with a valid name has no preconditions.
    let cores = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as usize;
    let spinners: Vec<_> = (0..cores)
        .map(|cpu| {
            std::thread::spawn(move || {
                let _ = integration::pin_to(cpu);
                let start = std::time::Instant::now();
                let end = start + Duration::from_secs_f64(seconds);
                let (mut last, mut frozen, mut longest) = (start, Duration::ZERO, Duration::ZERO);
                while last < end {
                    let now = std::time::Instant::now();
                    let gap = now - last;
                    if gap > Duration::from_millis(1) {
                        frozen += gap;
                        longest = longest.max(gap);
                    }
                    last = now;
                }
                (frozen, longest)
            })
        })
        .collect();
    let (mut frozen, mut longest) = (Duration::ZERO, Duration::ZERO);
    for s in spinners {
        let (f, l) = s.join().expect("a spinner thread");
        frozen += f;
        longest = longest.max(l);
    }
    Freezes {
        percent: frozen.as_secs_f64() / (seconds * cores as f64) * 100.0,
        longest_ms: longest.as_secs_f64() * 1000.0,
    }
}

/// Requests at `rate` a second for `duration` to a bare durable echo (on CPU `cpu` when given,
/// where the hub ran), paced as the calls were (`wait`); the round trips, each timed from when
/// the request was due.
pub async fn durable_echo(
    rate: f64,
    duration: Duration,
    cpu: Option<usize>,
    wait: Wait,
) -> Result<Arc<Histogram>, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("a temp dir for the echo: {e}"))?;
    let path = dir.path().join("echo.log");
    // Space made ready for all the run writes, and a little more: no sync commits a longer file.
    let ready = ((rate * duration.as_secs_f64() * 1.2) as u64 + 1) * REQUEST as u64;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("echo binds: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (prepared, file_ready) = tokio::sync::oneshot::channel();
    let server = std::thread::Builder::new()
        .name("durable-echo".into())
        .spawn(move || {
            if let Some(cpu) = cpu {
                integration::pin_to(cpu).map_err(|e| format!("the echo on CPU {cpu}: {e}"))?;
            }
            serve(listener, &path, ready, prepared)
        })
        .map_err(|e| format!("echo thread: {e}"))?;
    // The schedule starts once the file is ready, or the zeros' writing would count as latency.
    if file_ready.await.is_err() {
        return Err(server
            .join()
            .map_err(|_| "the echo thread panicked".to_string())?
            .err()
            .unwrap_or_else(|| "the echo ended before it was ready".into()));
    }

    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("echo connects: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut rx, mut tx) = stream.into_split();
    let due: Arc<Mutex<VecDeque<Instant>>> = Arc::default();
    let (send, mut sends) = mpsc::unbounded_channel::<()>();
    let writer = tokio::spawn(async move {
        let request = [7u8; REQUEST];
        let mut batch = Vec::new();
        while sends.recv().await.is_some() {
            batch.clear();
            batch.extend_from_slice(&request);
            while sends.try_recv().is_ok() {
                batch.extend_from_slice(&request);
            }
            if tx.write_all(&batch).await.is_err() {
                break;
            }
        }
    });
    let trips = Arc::new(Histogram::default());
    let reader = {
        let (due, trips) = (due.clone(), trips.clone());
        tokio::spawn(async move {
            let mut answers = [0u8; 4096];
            loop {
                let n = match rx.read(&mut answers).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let at = Instant::now();
                let mut due = due.lock().unwrap();
                for _ in 0..n {
                    if let Some(d) = due.pop_front() {
                        trips.record(at.saturating_duration_since(d));
                    }
                }
            }
        })
    };
    let sent = pace(rate, duration, wait, |at| {
        due.lock().unwrap().push_back(at);
        send.send(()).is_ok()
    })
    .await
    .sent;
    drop(send);
    let deadline = Instant::now() + Duration::from_secs(10);
    while trips.count() < sent && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    writer.abort();
    reader.abort();
    // The aborted tasks let go of the socket (which ends the echo) only once the runtime has
    // dropped them: on a runtime of one thread, before this thread blocks on the join.
    let _ = writer.await;
    let _ = reader.await;
    let served = server
        .join()
        .map_err(|_| "the echo thread panicked".to_string())?;
    served?;
    if trips.count() < sent {
        return Err(format!(
            "the echo answered {} of {sent} requests",
            trips.count()
        ));
    }
    Ok(trips)
}

/// The echo. Once the file's space is ready (told on `prepared`), for each read: the bytes
/// written after the last ones, one `fdatasync`, one answer byte per whole request. Ends when
/// the client goes.
fn serve(
    listener: TcpListener,
    path: &std::path::Path,
    ready: u64,
    prepared: tokio::sync::oneshot::Sender<()>,
) -> Result<(), String> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(path)
        .map_err(|e| format!("echo file: {e}"))?;
    let zeros = vec![0u8; 1024 * 1024];
    for at in (0..ready).step_by(zeros.len()) {
        file.write_all_at(&zeros, at)
            .map_err(|e| format!("echo file: {e}"))?;
    }
    file.sync_all().map_err(|e| format!("echo file: {e}"))?;
    let _ = prepared.send(());
    let (mut stream, _) = listener.accept().map_err(|e| format!("echo: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 256 * 1024];
    let (mut at, mut partial) = (0u64, 0usize);
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) => return Err(format!("echo reads: {e}")),
        };
        file.write_all_at(&buf[..n], at)
            .map_err(|e| format!("echo writes: {e}"))?;
        at += n as u64;
        file.sync_data().map_err(|e| format!("echo syncs: {e}"))?;
        let whole = (partial + n) / REQUEST;
        partial = (partial + n) % REQUEST;
        if whole > 0 && stream.write_all(&vec![1u8; whole]).is_err() {
            return Ok(());
        }
    }
}
