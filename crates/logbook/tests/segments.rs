//! A log as a run of segment files: offsets continue across them, sealed ones never change, an
//! older single-file log opens as the first of them, the oldest can be compacted away, and
//! checking, copying and repairing work across all of them — against real files.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use logbook::{LOG_FILE_NAME, LogError, Logbook, Lost, Options, segment_file_name, segments};

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn open(dir: &Path) -> Logbook {
    Logbook::open(dir, Options::default()).unwrap()
}

fn on_disk(dir: &Path) -> Vec<(u64, Bytes)> {
    Logbook::iter_all_on_disk(dir)
        .unwrap()
        .map(|r| r.map(|r| (r.offset, r.payload)).unwrap())
        .collect()
}

/// A log of three days: records 1–3 (day 10), 4–5 (day 11), 6–7 (day 12, being written).
fn three_days(dir: &Path) -> u64 {
    let mut log = open(dir);
    log.roll(10, b"before day 10").unwrap();
    log.append_batch(&[b("a1"), b("a2"), b("a3")]).unwrap();
    assert_eq!(log.roll(11, b"before day 11").unwrap(), 4);
    log.append_batch(&[b("b4"), b("b5")]).unwrap();
    assert_eq!(log.roll(12, b"before day 12").unwrap(), 6);
    log.append_batch(&[b("c6"), b("c7")]).unwrap();
    log.epoch()
}

/// A format-1 log as an older build wrote it: `logbook.log` with `payloads` from offset 1.
fn format_1_log(dir: &Path, epoch: u64, payloads: &[&str]) -> Vec<u8> {
    let mut f = vec![0u8; 32];
    f[0..8].copy_from_slice(b"HUBLOGBK");
    f[8..12].copy_from_slice(&1u32.to_le_bytes());
    f[16..24].copy_from_slice(&epoch.to_le_bytes());
    let crc = crc32fast::hash(&f[0..24]);
    f[24..28].copy_from_slice(&crc.to_le_bytes());
    for (offset, p) in (1u64..).zip(payloads) {
        let mut h = crc32fast::Hasher::new();
        h.update(&offset.to_le_bytes());
        h.update(p.as_bytes());
        f.extend_from_slice(&(p.len() as u32).to_le_bytes());
        f.extend_from_slice(&h.finalize().to_le_bytes());
        f.extend_from_slice(&offset.to_le_bytes());
        f.extend_from_slice(p.as_bytes());
    }
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(LOG_FILE_NAME), &f).unwrap();
    f
}

#[test]
fn offsets_run_on_across_segments_and_a_sealed_segment_never_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let epoch = three_days(tmp.path());
    let list = segments(tmp.path()).unwrap();
    let shape: Vec<(u64, Option<u64>, &[u8])> = list
        .iter()
        .map(|s| (s.first, s.label, &s.preamble[..]))
        .collect();
    assert_eq!(
        shape,
        [
            (1, Some(10), &b"before day 10"[..]),
            (4, Some(11), &b"before day 11"[..]),
            (6, Some(12), &b"before day 12"[..]),
        ],
        "the empty first segment was relabelled in place, not left behind"
    );
    assert!(list.iter().all(|s| s.epoch == epoch && s.format == 2));
    let sealed = fs::read(&list[0].path).unwrap();

    let mut log = open(tmp.path());
    assert_eq!((log.epoch(), log.head(), log.label()), (epoch, 8, Some(12)));
    assert_eq!(log.segment_first(), 6);
    let all: Vec<u64> = log.read_from(0).unwrap().map(|r| r.offset).collect();
    assert_eq!(
        all,
        (1..=7).collect::<Vec<_>>(),
        "the window spans segments"
    );
    log.append(b("c8")).unwrap();
    drop(log);
    assert_eq!(fs::read(&list[0].path).unwrap(), sealed);
    let offsets: Vec<u64> = on_disk(tmp.path()).into_iter().map(|(o, _)| o).collect();
    assert_eq!(offsets, (1..=8).collect::<Vec<_>>());
    let from_5: Vec<(u64, Bytes)> = Logbook::iter_on_disk_from(tmp.path(), 5)
        .unwrap()
        .map(Result::unwrap)
        .map(|r| (r.offset, r.payload))
        .collect();
    assert_eq!(
        from_5,
        [(5, b("b5")), (6, b("c6")), (7, b("c7")), (8, b("c8"))]
    );
}

#[test]
fn the_window_is_filled_from_older_segments_only_as_far_as_it_needs() {
    let tmp = tempfile::tempdir().unwrap();
    three_days(tmp.path());
    let opts = Options {
        retain_in_memory: 3,
        ..Options::default()
    };
    // Damage the oldest segment: a window of three never reads it.
    let first = tmp.path().join(segment_file_name(1));
    let mut bytes = fs::read(&first).unwrap();
    let at = bytes.len() - 20;
    bytes[at] ^= 0xff;
    fs::write(&first, &bytes).unwrap();
    let log = Logbook::open(tmp.path(), opts).unwrap();
    let kept: Vec<u64> = log.read_from(5).unwrap().map(|r| r.offset).collect();
    assert_eq!(kept, [5, 6, 7]);
    assert_eq!(log.read_from(4).err(), Some(Lost { first_retained: 5 }));
    drop(log);
    // A window that needs it finds the damage.
    assert!(matches!(
        Logbook::open(tmp.path(), Options::default()),
        Err(LogError::Corrupt { .. })
    ));
}

#[test]
fn a_format_1_log_opens_as_the_first_segment_and_is_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let before = format_1_log(tmp.path(), 4242, &["one", "two", "three"]);
    let mut log = open(tmp.path());
    assert_eq!((log.epoch(), log.head()), (4242, 4));
    assert_eq!(log.append(b("four")).unwrap(), 4);
    log.roll(7, b"").unwrap();
    log.append(b("five")).unwrap();
    drop(log);
    assert_eq!(
        fs::read(tmp.path().join(LOG_FILE_NAME)).unwrap(),
        before,
        "the old file is kept as it was"
    );
    let list = segments(tmp.path()).unwrap();
    let shape: Vec<(u32, u64)> = list.iter().map(|s| (s.format, s.first)).collect();
    assert_eq!(shape, [(1, 1), (2, 4), (2, 5)]);
    let all: Vec<Bytes> = on_disk(tmp.path()).into_iter().map(|(_, p)| p).collect();
    assert_eq!(all, [b("one"), b("two"), b("three"), b("four"), b("five")]);
    let log = open(tmp.path());
    assert_eq!((log.epoch(), log.head()), (4242, 6));
}

#[test]
fn a_format_1_log_with_a_torn_tail_is_cut_before_segments_follow_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut before = format_1_log(tmp.path(), 9, &["one", "two"]);
    let whole = before.len();
    before.extend_from_slice(&[5, 0, 0]);
    fs::write(tmp.path().join(LOG_FILE_NAME), &before).unwrap();
    let mut log = open(tmp.path());
    assert_eq!(log.head(), 3);
    log.append(b("three")).unwrap();
    drop(log);
    assert_eq!(
        fs::metadata(tmp.path().join(LOG_FILE_NAME)).unwrap().len() as usize,
        whole
    );
    assert_eq!(on_disk(tmp.path()).len(), 3);
}

#[test]
fn compaction_removes_only_the_oldest_segments_and_never_the_one_being_written() {
    let tmp = tempfile::tempdir().unwrap();
    three_days(tmp.path());
    let mut live = open(tmp.path());
    let done = logbook::compact(tmp.path(), 5).unwrap();
    // The writer's window forgets what was removed, so nobody is served it from memory.
    assert_eq!(live.read_from(1).unwrap().count(), 7);
    live.forget_before(done.first_on_disk);
    assert_eq!(live.read_from(1).err(), Some(Lost { first_retained: 4 }));
    assert_eq!(live.head(), 8);
    drop(live);
    assert_eq!(done.removed, [tmp.path().join(segment_file_name(1))]);
    assert_eq!(done.first_on_disk, 4, "segment 4–5 still holds offset 5");
    assert!(matches!(
        Logbook::iter_on_disk_from(tmp.path(), 2),
        Err(LogError::Compacted {
            requested: 2,
            first_on_disk: 4
        })
    ));
    let offsets: Vec<u64> = on_disk(tmp.path()).into_iter().map(|(o, _)| o).collect();
    assert_eq!(offsets, [4, 5, 6, 7]);

    let everything = logbook::compact(tmp.path(), u64::MAX).unwrap();
    assert_eq!(
        everything.first_on_disk, 6,
        "the segment being written stays"
    );
    let mut log = open(tmp.path());
    assert_eq!(log.head(), 8);
    let kept: Vec<u64> = log.read_from(6).unwrap().map(|r| r.offset).collect();
    assert_eq!(kept, [6, 7]);
    assert_eq!(log.read_from(1).err(), Some(Lost { first_retained: 6 }));
    assert_eq!(log.append(b("c8")).unwrap(), 8);
}

#[test]
fn a_sealed_segment_cut_short_or_missing_is_damage_and_repair_fills_the_gap() {
    let tmp = tempfile::tempdir().unwrap();
    three_days(tmp.path());
    let middle = tmp.path().join(segment_file_name(4));
    fs::remove_file(&middle).unwrap();
    let read: Vec<Result<u64, String>> = Logbook::iter_all_on_disk(tmp.path())
        .unwrap()
        .map(|r| r.map(|r| r.offset).map_err(|e| e.to_string()))
        .collect();
    assert_eq!(read.len(), 4, "{read:?}");
    let err = read[3].as_ref().unwrap_err();
    assert!(err.contains("offsets 4..5 are missing"), "{err}");
    assert!(matches!(
        Logbook::open(tmp.path(), Options::default()),
        Err(LogError::Corrupt { .. })
    ));

    let done = logbook::repair(tmp.path(), 1, |o| Bytes::from(format!("lost {o}")))
        .unwrap()
        .expect("something to mend");
    assert_eq!(done.lost, [4, 5]);
    assert_eq!(done.kept, 5);
    let all: Vec<(u64, Bytes)> = on_disk(tmp.path());
    assert_eq!(all[3], (4, b("lost 4")));
    assert_eq!(all[4], (5, b("lost 5")));
    assert_eq!(all[5], (6, b("c6")));
    assert_eq!(open(tmp.path()).head(), 8);
}

#[test]
fn repair_mends_a_damaged_sealed_segment_and_leaves_the_others_alone() {
    let tmp = tempfile::tempdir().unwrap();
    three_days(tmp.path());
    let sealed = tmp.path().join(segment_file_name(4));
    let newest = tmp.path().join(segment_file_name(6));
    let untouched = fs::read(&newest).unwrap();
    let mut bytes = fs::read(&sealed).unwrap();
    let header = segments(tmp.path()).unwrap()[1].header_len as usize;
    bytes[header + 16] ^= 0x01; // record 4's payload
    fs::write(&sealed, &bytes).unwrap();
    let done = logbook::repair(tmp.path(), 77, |_| b("gone"))
        .unwrap()
        .unwrap();
    assert_eq!(done.lost, [4]);
    assert_eq!(
        done.set_aside,
        [tmp.path()
            .join(format!("{}.damaged-77", segment_file_name(4)))]
    );
    assert_eq!(fs::read(&done.set_aside[0]).unwrap(), bytes);
    assert_eq!(fs::read(&newest).unwrap(), untouched);
    let list = segments(tmp.path()).unwrap();
    assert_eq!(list[1].label, Some(11), "the header is kept");
    assert_eq!(on_disk(tmp.path())[3], (4, b("gone")));
}

#[test]
fn check_names_every_damaged_place_and_a_torn_tail_is_not_damage() {
    let tmp = tempfile::tempdir().unwrap();
    three_days(tmp.path());
    let clean = logbook::check(tmp.path(), |_, _, _| Ok(())).unwrap();
    assert!(clean.damage.is_empty(), "{:?}", clean.damage);
    assert_eq!(clean.records(), 7);
    assert_eq!((clean.first(), clean.head()), (Some(1), Some(8)));
    assert_eq!(clean.segments.len(), 3);

    // A flipped byte in the oldest segment, a payload its inspector refuses, and a torn tail.
    let first = tmp.path().join(segment_file_name(1));
    let mut bytes = fs::read(&first).unwrap();
    let header = clean.segments[0].segment.header_len as usize;
    let record_2 = header + 16 + 2;
    bytes[record_2 + 16] ^= 0x10;
    fs::write(&first, &bytes).unwrap();
    let newest = tmp.path().join(segment_file_name(6));
    let mut tail = fs::read(&newest).unwrap();
    tail.extend_from_slice(&[1, 2, 3]);
    fs::write(&newest, &tail).unwrap();
    let found = logbook::check(tmp.path(), |r, _, _| {
        if r.payload == b("b5") {
            Err("not an event".into())
        } else {
            Ok(())
        }
    })
    .unwrap();
    let places: Vec<(String, u64, Option<u64>)> = found
        .damage
        .iter()
        .map(|d| {
            (
                d.path.file_name().unwrap().to_string_lossy().into_owned(),
                d.position,
                d.offset,
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            (segment_file_name(1), record_2 as u64, Some(2)),
            (
                segment_file_name(4),
                found.segments[1].segment.header_len + 18,
                Some(5)
            ),
        ]
    );
    assert!(
        found.damage[0].detail.contains("checksum"),
        "{:?}",
        found.damage
    );
    let torn = found.segments[2].torn.as_ref().expect("a torn tail noted");
    assert_eq!(torn.1, 3);
}

#[test]
fn a_copy_taken_while_the_writer_appends_and_rolls_opens_as_a_prefix_of_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let mut log = open(&dir);
    log.roll(1, b"").unwrap();
    for i in 0..200 {
        log.append(b(&format!("early {i}"))).unwrap();
    }
    logbook::write_checkpoint(&dir, log.epoch(), log.head(), b"state").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut day = 2;
            while !stop.load(Ordering::Relaxed) {
                for i in 0..50 {
                    log.append(b(&format!("day {day} event {i}"))).unwrap();
                }
                log.roll(day, b"").unwrap();
                day += 1;
            }
            log
        })
    };
    let mut copies = Vec::new();
    for n in 0..5 {
        let dest = tmp.path().join(format!("copy{n}"));
        let done = logbook::backup(&dir, &dest).unwrap();
        copies.push((dest, done));
    }
    stop.store(true, Ordering::Relaxed);
    let log = writer.join().unwrap();
    let original = on_disk(&dir);
    assert!(original.len() as u64 == log.head() - 1);
    for (dest, done) in copies {
        let copied = on_disk(&dest);
        assert_eq!(copied.len() as u64, done.head - 1);
        assert_eq!(
            copied[..],
            original[..copied.len()],
            "a prefix, byte for byte"
        );
        assert_eq!(done.checkpoints, 1);
        let reopened = open(&dest);
        assert_eq!(
            (reopened.epoch(), reopened.head()),
            (log.epoch(), done.head)
        );
        let clean = logbook::check(&dest, |_, _, _| Ok(())).unwrap();
        assert!(clean.damage.is_empty(), "{:?}", clean.damage);
    }
    assert!(matches!(
        logbook::backup(&dir, &tmp.path().join("copy0")),
        Err(LogError::Io { .. })
    ));
}

#[test]
fn readers_of_the_segment_being_written_see_a_whole_prefix_and_never_damage() {
    // The writer writes over the zeros it made ready, makes more, and cuts them off at each
    // roll, while readers read the same files: every read is a run of whole records from the
    // first, never an error.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let mut log = Logbook::open(
        &dir,
        Options {
            preallocate: 4096,
            ..Options::default()
        },
    )
    .unwrap();
    log.append(b("first")).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) && n < 200_000 {
                let batch: Vec<Bytes> = (0..1 + n % 7)
                    .map(|i| {
                        Bytes::from(format!("record {n} {i} {}", "x".repeat((n % 97) as usize)))
                    })
                    .collect();
                log.append_batch(&batch).unwrap();
                n += 1;
                if n % 500 == 0 {
                    log.roll(n, b"").unwrap();
                }
            }
            log
        })
    };
    let mut reads = 0;
    let mut longest = 0;
    let began = std::time::Instant::now();
    while began.elapsed() < std::time::Duration::from_millis(1500) {
        let mut next = 1;
        for r in Logbook::iter_all_on_disk(&dir).unwrap() {
            let r = r.unwrap_or_else(|e| panic!("read {reads}: after offset {}: {e}", next - 1));
            assert_eq!(r.offset, next, "read {reads}: offsets run on");
            next += 1;
        }
        longest = longest.max(next - 1);
        reads += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let log = writer.join().unwrap();
    assert!(
        reads > 3 && longest > 1000,
        "{reads} reads, the longest {longest} records"
    );
    drop(log);
    assert_eq!(
        on_disk(&dir).len() as u64,
        Logbook::open(&dir, Options::default()).unwrap().head() - 1
    );
}

#[test]
fn a_reader_reads_on_from_its_bookmark_across_a_roll_and_a_wrong_bookmark_reads_from_the_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let mut log = open(&dir);
    for i in 0..30 {
        log.append(b(&format!("day 1 event {i}"))).unwrap();
    }
    let offsets = |it: &mut logbook::DiskRecords| -> Vec<u64> {
        it.by_ref().map(|r| r.unwrap().offset).collect()
    };
    let mut first = Logbook::iter_on_disk_from(&dir, 25).unwrap();
    assert_eq!(offsets(&mut first), (25..=30).collect::<Vec<_>>());
    let mark = first.bookmark().expect("a bookmark");
    assert_eq!(mark.offset, 31);
    // Nothing logged since: nothing read.
    let mut again = Logbook::iter_on_disk_from_bookmark(&dir, &mark).unwrap();
    assert_eq!(offsets(&mut again), Vec::<u64>::new());
    // More of the day, then the next day in a new segment.
    for i in 30..40 {
        log.append(b(&format!("day 1 event {i}"))).unwrap();
    }
    log.roll(2, b"").unwrap();
    for i in 0..5 {
        log.append(b(&format!("day 2 event {i}"))).unwrap();
    }
    let mut on = Logbook::iter_on_disk_from_bookmark(&dir, &mark).unwrap();
    assert_eq!(offsets(&mut on), (31..=45).collect::<Vec<_>>());
    let later = on.bookmark().unwrap();
    assert_eq!(later.offset, 46);
    assert_ne!(later.path, mark.path, "it read on into the new segment");
    // A bookmark whose position does not hold its record is read from its offset.
    let wrong = logbook::Bookmark {
        position: mark.position + 1,
        ..mark.clone()
    };
    let mut fallback = Logbook::iter_on_disk_from_bookmark(&dir, &wrong).unwrap();
    assert_eq!(offsets(&mut fallback), (31..=45).collect::<Vec<_>>());
}
