//! A real crash: a child process appends as fast as it can and reports each offset on stdout;
//! the parent SIGKILLs it mid-stream and checks that every reported record is on disk.
//!
//! The child is this same test binary, re-run with `LOGBOOK_CRASH_CHILD_DIR` set so that the
//! `crash_child_writer` "test" acts as the writer. Without the variable that test does nothing.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use logbook::{Logbook, Options};

const CHILD_ENV: &str = "LOGBOOK_CRASH_CHILD_DIR";
/// How many acknowledged appends the parent waits for before pulling the plug.
const KILL_AFTER: u64 = 2_000;

/// Deterministic payload for an offset, varying in size so kills land inside frames of all
/// shapes.
fn payload_for(offset: u64) -> Bytes {
    let unit = format!("visitor-event-{offset};");
    Bytes::from(unit.repeat((offset % 13) as usize * 7 + 1))
}

#[test]
fn crash_child_writer() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return; // normal test run: nothing to do
    };
    let mut log = Logbook::open(Path::new(&dir), Options::default()).unwrap();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for _ in 0..1_000_000 {
        let offset = log.append(payload_for(log.head())).unwrap();
        // Only report once append has returned: that is the promise being tested.
        writeln!(out, "appended {offset}").unwrap();
        out.flush().unwrap();
    }
    // Should never get here before the parent kills us; don't linger forever if it died.
    std::thread::sleep(Duration::from_secs(60));
}

/// Kills the child if the parent test fails before doing so itself.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a writer child on `dir` (whose log already holds `existing` records), kills it after
/// `KILL_AFTER` acknowledged appends and returns the last offset it reported.
fn run_and_kill(dir: &Path, existing: u64) -> u64 {
    let exe = std::env::current_exe().unwrap();
    let child = Command::new(exe)
        .args([
            "--exact",
            "crash_child_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let stdout = child.0.stdout.take().unwrap();
    let mut reported = existing;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        // libtest prints "test crash_child_writer ... " without a newline before the test's
        // own output, so the first report shares its line with that.
        if let Some(at) = line.find("appended ") {
            let n: u64 = line[at + "appended ".len()..].trim().parse().unwrap();
            assert_eq!(n, reported + 1, "the child reports offsets in order");
            reported = n;
            if reported >= existing + KILL_AFTER {
                break;
            }
        }
    }
    // SIGKILL while the child is still appending.
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert!(
        !status.success(),
        "the child was killed, not finished: {status:?}"
    );
    reported
}

fn check_log(dir: &Path, at_least: u64) -> Logbook {
    let log = Logbook::open(dir, Options::default()).unwrap();
    assert!(
        log.head() > at_least,
        "{} records reported as appended, only {} on disk",
        at_least,
        log.head() - 1
    );
    for r in log.read_from(1).unwrap() {
        assert_eq!(
            r.payload,
            payload_for(r.offset),
            "record {} differs",
            r.offset
        );
    }
    log
}

fn log_head_after_reopen(dir: &Path) -> u64 {
    Logbook::open(dir, Options::default()).unwrap().head()
}

#[test]
fn kill_9_mid_stream_loses_no_reported_record() {
    let tmp = tempfile::tempdir().unwrap();
    let reported = run_and_kill(tmp.path(), 0);
    assert!(reported >= KILL_AFTER);
    let log = check_log(tmp.path(), reported);
    let epoch = log.epoch();
    drop(log);

    // A second writer life after the crash continues the same stream, and survives another kill.
    // Everything the first child wrote survived (possibly more than it reported).
    let existing = log_head_after_reopen(tmp.path()) - 1;
    let reported_again = run_and_kill(tmp.path(), existing);
    assert!(reported_again >= existing + KILL_AFTER);
    let mut log = check_log(tmp.path(), reported_again);
    assert_eq!(log.epoch(), epoch);
    let next = log.head();
    assert_eq!(log.append(payload_for(next)).unwrap(), next);
}
