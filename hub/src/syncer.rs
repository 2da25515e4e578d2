//! Group commit: the thread that makes the log durable, so the switchboard never waits on the
//! disk. The switchboard writes each turn's events to the log (one `write(2)` to the page
//! cache) and says how far it wants the log on disk; this thread `fdatasync`s the log's current
//! segment — once for however many commands asked while the last sync ran, and syncs that
//! would come back to back are spaced [`SYNC_EVERY`] apart — and says how far the log is
//! durable. The switchboard holds each caller's acknowledgement until then: a call
//! is never acknowledged before it is on disk, and a slow disk delays only the callers, never
//! the fan-out to everyone else. The thread asks the scheduler for short turns, so it runs
//! as soon as the disk is done rather than after the switchboard's turn.

use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::histogram::Histogram;
use tokio::sync::watch;

/// The closest two syncs begin, when commands ask for them back to back. A sync costs the
/// machine far more than its wait on the disk: the system call, the disk's interrupt and the
/// wakeups on both sides (on the hub's test machine, about 40 µs of CPU for a 100 µs sync).
/// Synced back to back, a busy log took a sync for every record or two and left less CPU for
/// the calls themselves; with a sync at most this often, what comes meanwhile joins the next
/// one. Measured on the durable goal (12,800 calls/s, 2 cores): the hub's CPU fell from about
/// 85 % to 70 % of a core and p99 call → 收到 from 1.5–2.5 ms to 1.1–1.3 ms. A sync that
/// takes longer than this (a slower disk), or a log asked to sync after a quiet spell, waits
/// for nothing.
pub const SYNC_EVERY: Duration = Duration::from_micros(150);

/// The turn the sync thread asks the scheduler for (see [`ask_for_short_turns`]): the
/// shortest Linux grants.
const SHORT_TURN: Duration = Duration::from_micros(100);

/// How far the log is on disk: every offset below `upto`; or the sync that failed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Synced {
    pub upto: u64,
    /// The last sync's failure, for the offsets up to this `upto` it could not make durable.
    pub failed: Option<String>,
}

/// What the switchboard wants on disk: every offset below `upto`, in `file`.
struct Wanted {
    upto: u64,
    file: Option<(PathBuf, Arc<File>)>,
    stop: bool,
    /// The thread waits for work: only then does asking wake it. While it syncs, a command
    /// only notes what it wants (no system call), and the next sync takes it.
    waiting: bool,
}

/// The switchboard's end: ask for offsets to be made durable, learn when they are.
pub struct Syncer {
    wanted: Arc<(Mutex<Wanted>, Condvar)>,
    asked: u64,
    /// The current segment's file, shared with the thread (a second handle to it).
    file: Option<(PathBuf, Arc<File>)>,
    synced: watch::Receiver<Synced>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Syncer {
    /// Starts the thread; `durable` is how far the log is known to be on disk already. Syncs
    /// begin no closer together than `every` (see [`SYNC_EVERY`]).
    /// Each sync is counted in `syncs` (`hub_log_syncs_total`) and timed in `took`
    /// (`hub_log_sync_seconds`).
    pub fn start(durable: u64, every: Duration, syncs: Counter, took: Histogram) -> Syncer {
        let wanted = Arc::new((
            Mutex::new(Wanted {
                upto: durable,
                file: None,
                stop: false,
                waiting: false,
            }),
            Condvar::new(),
        ));
        let (tell, synced) = watch::channel(Synced {
            upto: durable,
            failed: None,
        });
        let shared = wanted.clone();
        let thread = std::thread::Builder::new()
            .name("log-sync".into())
            .spawn(move || run(&shared, &tell, durable, every, &syncs, &took))
            .expect("a thread for the log's syncs");
        Syncer {
            wanted,
            asked: durable,
            file: None,
            synced,
            thread: Some(thread),
        }
    }

    /// Asks for every offset below `upto` to be made durable, in the segment at `path` (whose
    /// handle `open` gives when it is not the one already held). Never waits on the disk.
    pub fn want(
        &mut self,
        upto: u64,
        path: &std::path::Path,
        open: impl FnOnce() -> std::io::Result<File>,
    ) {
        if upto <= self.asked {
            return;
        }
        if self.file.as_ref().is_none_or(|(p, _)| p != path) {
            match open() {
                Ok(f) => self.file = Some((path.to_path_buf(), Arc::new(f))),
                Err(e) => {
                    tracing::error!("cannot open the log's segment for syncing: {e}");
                    return;
                }
            }
        }
        self.asked = upto;
        let (lock, ready) = &*self.wanted;
        let mut w = lock.lock().unwrap_or_else(|p| p.into_inner());
        w.upto = upto;
        // The handle is passed on only when the segment changed (no copy of its path per call).
        let same = match (&w.file, &self.file) {
            (Some((_, a)), Some((_, b))) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if !same {
            w.file = self.file.clone();
        }
        let wake = w.waiting;
        // Woken after the lock is let go: a thread woken with it still held would only wait
        // for it again.
        drop(w);
        if wake {
            ready.notify_one();
        }
    }

    /// Says so when the log's durable offset moves (or a sync fails).
    pub fn synced(&mut self) -> &mut watch::Receiver<Synced> {
        &mut self.synced
    }

    /// Everything below this offset is on disk.
    pub fn durable(&self) -> u64 {
        self.synced.borrow().upto
    }

    /// Stops the thread after its last sync.
    pub fn stop(&mut self) {
        {
            let (lock, ready) = &*self.wanted;
            let mut w = lock.lock().unwrap_or_else(|p| p.into_inner());
            w.stop = true;
            ready.notify_one();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(
    wanted: &(Mutex<Wanted>, Condvar),
    tell: &watch::Sender<Synced>,
    mut done: u64,
    every: Duration,
    syncs: &Counter,
    took: &Histogram,
) {
    let (lock, ready) = wanted;
    ask_for_short_turns();
    let mut last: Option<Instant> = None;
    loop {
        {
            let mut w = lock.lock().unwrap_or_else(|p| p.into_inner());
            while w.upto <= done && !w.stop {
                w.waiting = true;
                w = ready.wait(w).unwrap_or_else(|p| p.into_inner());
                w.waiting = false;
            }
            if w.upto <= done && w.stop {
                return;
            }
        }
        // Back to back, syncs come no closer than `every`: what is written meanwhile joins the
        // next one, instead of a sync (and the wakeups around it) for every record or two.
        if let Some(since) = last.map(|t| t.elapsed()).filter(|&s| s < every) {
            std::thread::sleep(every - since);
        }
        let (upto, file) = {
            let w = lock.lock().unwrap_or_else(|p| p.into_inner());
            (w.upto, w.file.clone())
        };
        let began = Instant::now();
        last = Some(began);
        // Everything written before this moment is in the one sync: the group commit.
        let outcome = match &file {
            Some((_, f)) => f.sync_data().map_err(|e| e.to_string()),
            None => Ok(()),
        };
        syncs.inc();
        took.observe(began.elapsed().as_secs_f64());
        done = upto;
        let failed = outcome.err().map(|e| {
            let path = file.as_ref().map(|(p, _)| p.display().to_string());
            format!("cannot sync {}: {e}", path.unwrap_or_default())
        });
        tell.send_replace(Synced { upto, failed });
    }
}

/// Asks the scheduler for short turns for this thread, so that when the disk finishes a sync
/// the thread runs at once instead of after the turn of whatever runs on its core (the
/// switchboard, busy with the calls that came meanwhile). On Linux 6.12 and later that is
/// EEVDF's slice (`sched_attr.sched_runtime` for a normal thread): a thread that asks for a
/// short one is given an earlier deadline when it wakes, and needs no privilege to ask. The
/// thread's policy and nice value stay as they were. Measured on the durable goal (22,400
/// calls/s, the hub on one core): the median p99 call → 收到 of seven runs each went from
/// 1.74 ms to 1.40 ms. Best effort: an older kernel ignores it, and a refusal changes nothing.
#[cfg(target_os = "linux")]
fn ask_for_short_turns() {
    /// `struct sched_attr` as the kernel reads it (its first version, 56 bytes).
    #[repr(C)]
    #[derive(Default)]
    struct SchedAttr {
        size: u32,
        policy: u32,
        flags: u64,
        nice: i32,
        priority: u32,
        runtime: u64,
        deadline: u64,
        period: u64,
        util_min: u32,
        util_max: u32,
    }
    let size = std::mem::size_of::<SchedAttr>() as u32;
    let mut attr = SchedAttr::default();
    // SAFETY: sched_getattr writes at most `size` bytes into `attr`, which has them;
    // sched_setattr reads `attr.size` of them. Both act on the calling thread (pid 0).
    let done = unsafe {
        libc::syscall(
            libc::SYS_sched_getattr,
            0,
            &mut attr as *mut SchedAttr,
            size,
            0,
        ) == 0
            && {
                if attr.policy != libc::SCHED_OTHER as u32 {
                    // A real-time policy set by the operator is left alone.
                    return;
                }
                attr.size = size;
                attr.flags = 0;
                attr.runtime = SHORT_TURN.as_nanos() as u64;
                libc::syscall(libc::SYS_sched_setattr, 0, &attr as *const SchedAttr, 0) == 0
            }
    };
    if !done {
        tracing::debug!(
            "the sync thread keeps the scheduler's usual turns: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn ask_for_short_turns() {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asking for short turns keeps a thread's nice value (an operator's `nice -n 5 hub serve`
    /// stays in force for the sync thread too).
    #[cfg(target_os = "linux")]
    #[test]
    fn short_turns_keep_the_thread_s_nice_value() {
        std::thread::spawn(|| {
            // SAFETY: gettid, setpriority and getpriority act on the calling thread only.
            let nice = unsafe {
                let tid = libc::gettid() as libc::id_t;
                assert_eq!(libc::setpriority(libc::PRIO_PROCESS, tid, 5), 0);
                ask_for_short_turns();
                libc::getpriority(libc::PRIO_PROCESS, tid)
            };
            assert_eq!(nice, 5);
        })
        .join()
        .unwrap();
    }

    /// A histogram for the syncs' times that nothing reads.
    fn timed() -> Histogram {
        Histogram::new([1.0])
    }

    /// A segment file with some records, in a folder that lasts as long as the guard.
    fn segment() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("segment");
        std::fs::write(&path, b"records").unwrap();
        (dir, path)
    }

    /// Waits (5 s at most) until the log is said durable up to `upto`.
    async fn synced_to(s: &mut Syncer, upto: u64) {
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            s.synced().wait_for(|x| x.upto >= upto),
        )
        .await
        .unwrap_or_else(|_| panic!("offset {upto} was asked for and never synced"))
        .unwrap();
    }

    #[tokio::test]
    async fn what_is_asked_for_is_said_durable_once_synced() {
        let (_dir, path) = segment();
        let mut s = Syncer::start(1, Duration::ZERO, Counter::default(), timed());
        assert_eq!(s.durable(), 1);
        s.want(5, &path, || File::options().append(true).open(&path));
        synced_to(&mut s, 5).await;
        assert_eq!(s.durable(), 5);
        assert_eq!(s.synced().borrow().failed, None);
        // Asking again for less does nothing.
        s.want(3, &path, || unreachable!("the handle is held"));
        s.stop();
    }

    #[tokio::test]
    async fn syncs_asked_back_to_back_are_spaced_and_what_comes_meanwhile_joins_the_next() {
        let (_dir, path) = segment();
        let every = Duration::from_millis(500);
        let syncs = Counter::default();
        let mut s = Syncer::start(0, every, syncs.clone(), timed());
        let began = Instant::now();
        s.want(5, &path, || File::options().append(true).open(&path));
        synced_to(&mut s, 5).await;
        // Asked again at once, and again while the thread waits out the space: one more sync,
        // begun no sooner than `every` after the first.
        s.want(6, &path, || unreachable!("the handle is held"));
        s.want(7, &path, || unreachable!("the handle is held"));
        synced_to(&mut s, 7).await;
        assert!(
            began.elapsed() >= every,
            "the second sync began {:?} after the first was asked for, not {every:?}",
            began.elapsed()
        );
        assert_eq!(syncs.get(), 2, "6 and 7 were made durable by one sync");
        s.stop();
    }

    #[tokio::test]
    async fn every_ask_is_served_whether_the_thread_waits_or_syncs() {
        let (_dir, path) = segment();
        let mut s = Syncer::start(0, Duration::ZERO, Counter::default(), timed());
        let open = || File::options().append(true).open(&path);
        // Asks back to back (the thread is mid-sync: only noted) and after a pause (the
        // thread waits: woken). None may be left unsynced.
        for upto in 1..=200u64 {
            s.want(upto, &path, open);
            if upto % 20 == 0 {
                synced_to(&mut s, upto).await;
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        assert_eq!(s.durable(), 200);
        s.stop();
    }
}
