//! The writer never waits for the disk to read: an append whose block has left the page cache
//! (the kernel reclaims pages no one looked at lately, and a host may ask it to) must not make
//! the kernel read that block back before it can take the write. On Linux, against a real
//! file on the disk the build is on.

#![cfg(target_os = "linux")]

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use bytes::Bytes;
use logbook::{Logbook, Options};

/// Bytes this thread has had read from storage (not from the page cache) so far.
fn read_from_storage() -> u64 {
    let io = std::fs::read_to_string("/proc/thread-self/io").expect("/proc/thread-self/io");
    io.lines()
        .find_map(|l| l.strip_prefix("read_bytes:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("a read_bytes line")
}

/// Asks the kernel to drop the file's pages from its cache (they are clean: synced first).
fn evict(path: &Path) {
    let f = File::open(path).unwrap();
    // SAFETY: a valid open descriptor, for the whole file.
    let r = unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    assert_eq!(r, 0, "posix_fadvise");
}

fn record(i: usize) -> Bytes {
    // Odd lengths, so the log's end falls inside a block, never on its edge.
    Bytes::from(format!("call {i:05}: 我是L1岗，呼叫前台，收到请回答").into_bytes())
}

#[test]
fn appending_after_the_segment_left_the_page_cache_reads_nothing_back_from_disk() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut log = Logbook::open(dir.path(), Options::default()).unwrap();
    for i in 0..100 {
        log.append_later(&[record(i)]).unwrap();
    }
    log.sync().unwrap();
    let path = log.path().to_owned();

    // The check can fail here: a read of the synced, evicted file comes from the disk.
    evict(&path);
    let before = read_from_storage();
    let mut first = [0u8; 1];
    std::os::unix::fs::FileExt::read_exact_at(&File::open(&path).unwrap(), &mut first, 0).unwrap();
    assert!(
        read_from_storage() > before,
        "the file's pages stayed cached after POSIX_FADV_DONTNEED: run the test on a disk-backed filesystem"
    );

    for round in 0..20 {
        evict(&path);
        let before = read_from_storage();
        log.append_later(&[record(1000 + round)]).unwrap();
        log.flush().unwrap();
        // Records that do not fit the space made ready are written at once, with new zeros.
        log.append_batch(
            &(0..40)
                .map(|i| record(2000 + 40 * round + i))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let read = read_from_storage() - before;
        assert_eq!(
            read, 0,
            "round {round}: appending read {read} bytes back from the disk first"
        );
        log.sync().unwrap();
    }

    // What was written is whole: every record, in order, on disk and after a reopen.
    let head = log.head();
    drop(log);
    let on_disk: Vec<u64> = Logbook::iter_all_on_disk(dir.path())
        .unwrap()
        .map(|r| r.unwrap().offset)
        .collect();
    assert_eq!(on_disk, (1..head).collect::<Vec<_>>());
    let log = Logbook::open(dir.path(), Options::default()).unwrap();
    assert_eq!(log.head(), head);
    assert_eq!(
        log.read_from(head - 1).unwrap().next().unwrap().payload,
        record(2000 + 40 * 19 + 39)
    );
}
