//! Behaviour of the log against real files in a temporary directory.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use logbook::{LogError, Logbook, Lost, Options, Record, segment_file_name};

/// A segment's header with no preamble.
const HEADER_LEN: u64 = 48;
const FRAME_HEADER_LEN: u64 = 16;

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

/// The first (and, in these tests, only) segment file.
fn log_file(dir: &Path) -> PathBuf {
    dir.join(segment_file_name(1))
}

fn file_len(dir: &Path) -> u64 {
    fs::metadata(log_file(dir)).unwrap().len()
}

fn open(dir: &Path) -> Logbook {
    Logbook::open(dir, Options::default()).unwrap()
}

fn all(log: &Logbook) -> Vec<Record> {
    log.read_from(0).unwrap().cloned().collect()
}

fn payloads(log: &Logbook) -> Vec<Bytes> {
    all(log).into_iter().map(|r| r.payload).collect()
}

/// Byte position of the frame holding `offset` when the payloads are `lens` long.
fn frame_pos(lens: &[usize], offset: u64) -> u64 {
    HEADER_LEN
        + lens[..(offset - 1) as usize]
            .iter()
            .map(|l| FRAME_HEADER_LEN + *l as u64)
            .sum::<u64>()
}

fn append_raw(dir: &Path, bytes: &[u8]) {
    let mut f = OpenOptions::new().append(true).open(log_file(dir)).unwrap();
    f.write_all(bytes).unwrap();
}

fn flip_byte(dir: &Path, pos: u64) {
    let mut data = fs::read(log_file(dir)).unwrap();
    data[pos as usize] ^= 0x5a;
    fs::write(log_file(dir), data).unwrap();
}

fn truncate(dir: &Path, len: u64) {
    OpenOptions::new()
        .write(true)
        .open(log_file(dir))
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// Three records "one", "two", "three" in a fresh log; returns (tempdir, epoch).
fn three_records() -> (tempfile::TempDir, u64) {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = open(tmp.path());
    assert_eq!(log.append(b("one")).unwrap(), 1);
    assert_eq!(log.append(b("two")).unwrap(), 2);
    assert_eq!(log.append(b("three")).unwrap(), 3);
    let epoch = log.epoch();
    drop(log);
    (tmp, epoch)
}

#[test]
fn new_log_starts_at_offset_one_and_is_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let log = open(tmp.path());
    assert_ne!(log.epoch(), 0);
    assert_eq!(log.head(), 1);
    assert_eq!(log.first_retained(), 1);
    assert_eq!(log.read_from(0).unwrap().count(), 0);
    assert_eq!(log.len_bytes(), HEADER_LEN);
    assert_eq!(file_len(tmp.path()), HEADER_LEN);
}

#[test]
fn open_creates_missing_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a/b/c");
    let mut log = open(&dir);
    log.append(b("x")).unwrap();
    assert!(log_file(&dir).is_file());
    assert_eq!(log.dir(), dir.as_path());
    assert_eq!(log.path(), log_file(&dir).as_path());
}

#[test]
fn append_then_reopen_keeps_epoch_records_and_head() {
    let tmp = tempfile::tempdir().unwrap();
    let (epoch, before) = {
        let mut log = open(tmp.path());
        for i in 1..=5u64 {
            assert_eq!(log.append(b(&format!("event {i}"))).unwrap(), i);
        }
        log.append(Bytes::new()).unwrap();
        log.sync().unwrap();
        assert_eq!(log.head(), 7);
        (log.epoch(), all(&log))
    };
    let mut log = open(tmp.path());
    assert_eq!(log.epoch(), epoch);
    assert_eq!(log.head(), 7);
    assert_eq!(all(&log), before);
    assert_eq!(log.append(b("after reopen")).unwrap(), 7);
    drop(log);
    let log = open(tmp.path());
    assert_eq!(log.epoch(), epoch);
    assert_eq!(log.head(), 8);
    assert_eq!(
        log.read_from(7).unwrap().next().unwrap().payload,
        b("after reopen")
    );
}

#[test]
fn new_log_in_another_dir_gets_a_different_epoch() {
    let a = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let ea = open(a.path()).epoch();
    let ec = open(c.path()).epoch();
    assert_ne!(ea, 0);
    assert_ne!(ec, 0);
    assert_ne!(ea, ec);
}

#[test]
fn len_bytes_is_the_records_and_the_file_is_cut_to_them_when_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = open(tmp.path());
    log.append(b("12345")).unwrap();
    let first = HEADER_LEN + FRAME_HEADER_LEN + 5;
    log.append_batch(&[b("a"), Bytes::new()]).unwrap();
    let expected = first + (FRAME_HEADER_LEN + 1) + FRAME_HEADER_LEN;
    assert_eq!(log.len_bytes(), expected);
    // The first append made room for more, to a block's edge: the second went into it.
    let ready = Options::default().preallocate;
    let made = file_len(tmp.path());
    assert!(
        made >= first + ready && made < first + ready + 64 * 1024,
        "{made}"
    );
    assert_eq!(made % 512, 0, "{made} bytes end on a block's edge");
    drop(log);
    assert_eq!(file_len(tmp.path()), expected);
    assert_eq!(open(tmp.path()).len_bytes(), expected);
}

#[test]
fn with_no_space_made_ready_the_file_is_the_records() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        preallocate: 0,
        ..Options::default()
    };
    let mut log = Logbook::open(tmp.path(), opts).unwrap();
    log.append(b("12345")).unwrap();
    log.append_batch(&[b("a"), Bytes::new()]).unwrap();
    let expected = HEADER_LEN + (FRAME_HEADER_LEN + 5) + (FRAME_HEADER_LEN + 1) + FRAME_HEADER_LEN;
    assert_eq!(log.len_bytes(), expected);
    assert_eq!(file_len(tmp.path()), expected);
}

#[test]
fn the_space_a_crash_leaves_made_ready_is_cut_off_and_records_go_on_after_the_last() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = open(tmp.path());
    log.append(b("one")).unwrap();
    log.append(b("two")).unwrap();
    let records = log.len_bytes();
    // A crash (kill -9) runs no destructor: the zeros stay after the records.
    std::mem::forget(log);
    assert!(file_len(tmp.path()) > records);
    // A reader meanwhile sees the two records and a clean end.
    let seen: Vec<u64> = Logbook::iter_all_on_disk(tmp.path())
        .unwrap()
        .map(|r| r.unwrap().offset)
        .collect();
    assert_eq!(seen, [1, 2]);
    // A check (`hub log check` on a running hub) finds nothing torn there.
    let checked = logbook::check(tmp.path(), |_, _, _| Ok(())).unwrap();
    assert_eq!(checked.damage, []);
    assert_eq!(
        checked.segments[0].torn, None,
        "the zeros are no torn record"
    );
    // Nor does a repair find anything to mend, or set a file aside.
    let mended = logbook::repair(tmp.path(), 1_800_000_000, |_| Bytes::new()).unwrap();
    assert!(mended.is_none(), "{mended:?}");
    let mut log = open(tmp.path());
    assert_eq!(log.head(), 3);
    assert_eq!(
        file_len(tmp.path()),
        records,
        "the zeros are cut off on open"
    );
    assert_eq!(log.append(b("three")).unwrap(), 3);
    drop(log);
    assert_eq!(
        payloads(&open(tmp.path())),
        vec![b("one"), b("two"), b("three")]
    );
}

#[test]
fn a_record_zeroed_with_records_after_it_is_damage_not_the_end() {
    let (tmp, _) = three_records();
    let second = frame_pos(&[3, 3, 5], 2);
    let mut bytes = fs::read(log_file(tmp.path())).unwrap();
    let end = second as usize + FRAME_HEADER_LEN as usize + 3;
    bytes[second as usize..end].fill(0);
    fs::write(log_file(tmp.path()), &bytes).unwrap();
    match Logbook::open(tmp.path(), Options::default()) {
        Err(LogError::Corrupt { position, .. }) => assert_eq!(position, second),
        other => panic!("expected Corrupt at byte {second}, got {other:?}"),
    }
    assert_eq!(
        fs::read(log_file(tmp.path())).unwrap(),
        bytes,
        "left as it was"
    );
}

#[test]
fn torn_tail_cut_mid_record_is_truncated_and_appends_continue() {
    let (tmp, epoch) = three_records();
    let lens = [3, 3, 5];
    // Cut the third record in the middle of its payload.
    let third = frame_pos(&lens, 3);
    truncate(tmp.path(), third + FRAME_HEADER_LEN + 2);

    let mut log = open(tmp.path());
    assert_eq!(log.epoch(), epoch);
    assert_eq!(payloads(&log), vec![b("one"), b("two")]);
    assert_eq!(log.head(), 3);
    assert_eq!(file_len(tmp.path()), third, "torn bytes are cut off");
    assert_eq!(log.append(b("three again")).unwrap(), 3);
    assert_eq!(log.append(b("four")).unwrap(), 4);
    drop(log);

    let log = open(tmp.path());
    assert_eq!(
        payloads(&log),
        vec![b("one"), b("two"), b("three again"), b("four")]
    );
    assert_eq!(log.head(), 5);
}

#[test]
fn torn_tail_cut_inside_frame_header_is_truncated() {
    let (tmp, _) = three_records();
    let third = frame_pos(&[3, 3, 5], 3);
    truncate(tmp.path(), third + 7);
    let mut log = open(tmp.path());
    assert_eq!(payloads(&log), vec![b("one"), b("two")]);
    assert_eq!(log.append(b("x")).unwrap(), 3);
}

#[test]
fn torn_tail_of_garbage_after_records_is_truncated() {
    let (tmp, _) = three_records();
    let clean = file_len(tmp.path());
    // A partial header's worth of junk...
    append_raw(tmp.path(), &[0xde, 0xad, 0xbe, 0xef, 0x01]);
    let mut log = open(tmp.path());
    assert_eq!(payloads(&log), vec![b("one"), b("two"), b("three")]);
    assert_eq!(file_len(tmp.path()), clean);
    assert_eq!(log.append(b("four")).unwrap(), 4);
    drop(log);

    // ...and a frame header claiming a payload that never made it to disk.
    let mut junk = Vec::new();
    junk.extend_from_slice(&1000u32.to_le_bytes());
    junk.extend_from_slice(&0x1234_5678u32.to_le_bytes());
    junk.extend_from_slice(&5u64.to_le_bytes());
    junk.extend_from_slice(b"only a little of the payload");
    append_raw(tmp.path(), &junk);
    let mut log = open(tmp.path());
    assert_eq!(log.head(), 5);
    assert_eq!(log.append(b("five")).unwrap(), 5);
    drop(log);

    let log = open(tmp.path());
    assert_eq!(
        payloads(&log),
        vec![b("one"), b("two"), b("three"), b("four"), b("five")]
    );
}

#[test]
fn torn_tail_bad_checksum_on_last_record_is_truncated() {
    let (tmp, _) = three_records();
    let third = frame_pos(&[3, 3, 5], 3);
    flip_byte(tmp.path(), third + FRAME_HEADER_LEN + 1);
    let mut log = open(tmp.path());
    assert_eq!(payloads(&log), vec![b("one"), b("two")]);
    assert_eq!(file_len(tmp.path()), third);
    assert_eq!(log.append(b("3")).unwrap(), 3);
    drop(log);
    assert_eq!(open(tmp.path()).head(), 4);
}

#[test]
fn zero_filled_tail_after_power_loss_is_truncated() {
    let (tmp, _) = three_records();
    let clean = file_len(tmp.path());
    append_raw(tmp.path(), &[0u8; 100]);
    let log = open(tmp.path());
    assert_eq!(log.head(), 4);
    assert_eq!(file_len(tmp.path()), clean);
}

#[test]
fn corruption_in_the_middle_is_refused_with_its_position() {
    let (tmp, _) = three_records();
    let second = frame_pos(&[3, 3, 5], 2);
    flip_byte(tmp.path(), second + FRAME_HEADER_LEN); // first payload byte of record 2
    let before = fs::read(log_file(tmp.path())).unwrap();

    let err = Logbook::open(tmp.path(), Options::default()).unwrap_err();
    match &err {
        LogError::Corrupt { position, path, .. } => {
            assert_eq!(*position, second);
            assert_eq!(path, &log_file(tmp.path()));
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(err.to_string().contains(&format!("byte {second}")), "{err}");
    assert_eq!(
        fs::read(log_file(tmp.path())).unwrap(),
        before,
        "a refused open must not modify the file"
    );
    // The read-only replay reports the same thing after the good records.
    let mut it = Logbook::iter_all_on_disk(tmp.path()).unwrap();
    assert_eq!(it.next().unwrap().unwrap().payload, b("one"));
    assert!(matches!(it.next(), Some(Err(LogError::Corrupt { .. }))));
    assert!(it.next().is_none());
}

#[test]
fn a_damaged_length_with_good_records_after_it_is_corruption_not_a_torn_tail() {
    let (tmp, _) = three_records();
    let second = frame_pos(&[3, 3, 5], 2);
    // One flipped bit in record 2's length: it now claims far more bytes than the file holds.
    let mut bytes = fs::read(log_file(tmp.path())).unwrap();
    bytes[second as usize + 3] ^= 0x40;
    fs::write(log_file(tmp.path()), &bytes).unwrap();
    let before = fs::read(log_file(tmp.path())).unwrap();

    let err = Logbook::open(tmp.path(), Options::default()).unwrap_err();
    match &err {
        LogError::Corrupt {
            position, detail, ..
        } => {
            assert_eq!(*position, second);
            assert!(
                detail.contains("offset 3"),
                "names the record after: {detail}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(
        fs::read(log_file(tmp.path())).unwrap(),
        before,
        "nothing after the damage is cut away"
    );
}

#[test]
fn repair_keeps_every_provable_record_at_its_offset_and_sets_the_damaged_file_aside() {
    let (tmp, _) = three_records();
    let second = frame_pos(&[3, 3, 5], 2);
    let mut bytes = fs::read(log_file(tmp.path())).unwrap();
    bytes[second as usize + 3] ^= 0x40; // record 2's length
    bytes.extend_from_slice(&[7, 7, 7]); // and a torn tail
    fs::write(log_file(tmp.path()), &bytes).unwrap();
    let epoch_before = Logbook::iter_all_on_disk(tmp.path()).unwrap().epoch();

    let done = logbook::repair(tmp.path(), 1_800_000_000, |offset| {
        Bytes::from(format!("lost {offset}"))
    })
    .unwrap()
    .expect("something to mend");
    assert_eq!(done.kept, 2);
    assert_eq!(done.lost, [2]);
    assert_eq!(done.torn_bytes, 3);
    assert_eq!(
        fs::read(&done.set_aside[0]).unwrap(),
        bytes,
        "the damaged file is kept as it was"
    );
    let log = open(tmp.path());
    assert_eq!(log.epoch(), epoch_before, "the same log, the same epoch");
    assert_eq!(payloads(&log), vec![b("one"), b("lost 2"), b("three")]);
    assert_eq!(log.head(), 4);
    assert_eq!(
        logbook::repair(tmp.path(), 1_800_000_001, |_| Bytes::new()).unwrap(),
        None,
        "a sound log is left alone"
    );
}

#[test]
fn record_with_valid_checksum_but_wrong_offset_is_corrupt() {
    let (tmp, _) = three_records();
    // A well-formed frame claiming offset 7 where 4 is due, followed by more data.
    let mut frame = Vec::new();
    let payload = b"misplaced";
    let mut h = crc32fast::Hasher::new();
    h.update(&7u64.to_le_bytes());
    h.update(payload);
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(&h.finalize().to_le_bytes());
    frame.extend_from_slice(&7u64.to_le_bytes());
    frame.extend_from_slice(payload);
    let pos = file_len(tmp.path());
    append_raw(tmp.path(), &frame);
    match Logbook::open(tmp.path(), Options::default()) {
        Err(LogError::Corrupt {
            position, detail, ..
        }) => {
            assert_eq!(position, pos);
            assert!(detail.contains("offset 7"), "{detail}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn not_a_logbook_and_damaged_header_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(log_file(tmp.path()), b"{\"some\": \"json\"}").unwrap();
    assert!(matches!(
        Logbook::open(tmp.path(), Options::default()),
        Err(LogError::NotALogbook { .. })
    ));

    let (tmp, _) = three_records();
    flip_byte(tmp.path(), 18); // inside the epoch
    assert!(matches!(
        Logbook::open(tmp.path(), Options::default()),
        Err(LogError::BadHeader { .. })
    ));
}

#[test]
fn read_from_exact_middle_beyond_and_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = open(tmp.path());
    for i in 1..=10u64 {
        log.append(b(&i.to_string())).unwrap();
    }
    let offsets = |from| -> Vec<u64> { log.read_from(from).unwrap().map(|r| r.offset).collect() };
    assert_eq!(offsets(1), (1..=10).collect::<Vec<_>>());
    assert_eq!(
        offsets(0),
        (1..=10).collect::<Vec<_>>(),
        "0 means from the start"
    );
    assert_eq!(offsets(7), vec![7, 8, 9, 10]);
    assert_eq!(offsets(10), vec![10]);
    assert_eq!(offsets(11), Vec::<u64>::new(), "head itself: nothing yet");
    assert_eq!(offsets(1_000), Vec::<u64>::new());
    assert_eq!(offsets(u64::MAX), Vec::<u64>::new());
    let r = log.read_from(4).unwrap().next().unwrap();
    assert_eq!(r.payload, b("4"));
    assert_eq!(log.read_from(4).unwrap().len(), 7);
}

#[test]
fn read_from_below_the_window_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        retain_in_memory: 4,
        ..Options::default()
    };
    let mut log = Logbook::open(tmp.path(), opts.clone()).unwrap();
    for i in 1..=10u64 {
        log.append(b(&i.to_string())).unwrap();
    }
    assert_eq!(log.first_retained(), 7);
    assert_eq!(log.read_from(6).err(), Some(Lost { first_retained: 7 }));
    assert_eq!(log.read_from(1).err(), Some(Lost { first_retained: 7 }));
    assert_eq!(log.read_from(0).err(), Some(Lost { first_retained: 7 }));
    let got: Vec<u64> = log.read_from(7).unwrap().map(|r| r.offset).collect();
    assert_eq!(got, vec![7, 8, 9, 10]);
    assert_eq!(log.read_from(11).unwrap().count(), 0);
    drop(log);

    // Reopen fills the window with the newest records.
    let log = Logbook::open(tmp.path(), opts).unwrap();
    assert_eq!(log.first_retained(), 7);
    let got: Vec<Bytes> = log
        .read_from(7)
        .unwrap()
        .map(|r| r.payload.clone())
        .collect();
    assert_eq!(got, vec![b("7"), b("8"), b("9"), b("10")]);
    assert_eq!(log.read_from(2).err(), Some(Lost { first_retained: 7 }));
}

#[test]
fn zero_retention_keeps_nothing_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        retain_in_memory: 0,
        ..Options::default()
    };
    let mut log = Logbook::open(tmp.path(), opts.clone()).unwrap();
    log.append(b("a")).unwrap();
    log.append(b("b")).unwrap();
    assert_eq!(log.first_retained(), log.head());
    assert_eq!(log.read_from(1).err(), Some(Lost { first_retained: 3 }));
    assert_eq!(log.read_from(3).unwrap().count(), 0);
    drop(log);
    let log = Logbook::open(tmp.path(), opts).unwrap();
    assert_eq!(log.head(), 3);
    assert_eq!(log.first_retained(), 3);
}

#[test]
fn append_batch_returns_the_range_and_survives_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    let epoch = {
        let mut log = open(tmp.path());
        log.append(b("solo")).unwrap();
        let r = log.append_batch(&[b("a"), Bytes::new(), b("ccc")]).unwrap();
        assert_eq!(r, 2..5);
        assert_eq!(log.head(), 5);
        assert_eq!(log.append_batch(&[]).unwrap(), 5..5);
        assert_eq!(log.append_batch(&[b("d")]).unwrap(), 5..6);
        log.epoch()
    };
    let log = open(tmp.path());
    assert_eq!(log.epoch(), epoch);
    assert_eq!(
        payloads(&log),
        vec![b("solo"), b("a"), Bytes::new(), b("ccc"), b("d")]
    );
    let offsets: Vec<u64> = all(&log).iter().map(|r| r.offset).collect();
    assert_eq!(offsets, vec![1, 2, 3, 4, 5]);
}

#[test]
fn record_too_big_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        max_record_bytes: 8,
        ..Options::default()
    };
    let mut log = Logbook::open(tmp.path(), opts.clone()).unwrap();
    log.append(b("ok")).unwrap();
    let len = log.len_bytes();
    let file = file_len(tmp.path());

    match log.append(Bytes::from(vec![7u8; 9])) {
        Err(LogError::RecordTooBig { index, len, max }) => {
            assert_eq!((index, len, max), (0, 9, 8));
        }
        other => panic!("expected RecordTooBig, got {other:?}"),
    }
    // One oversized payload in a batch refuses the whole batch.
    match log.append_batch(&[b("fine"), b("also fine"), b("x")]) {
        Err(LogError::RecordTooBig { index, .. }) => assert_eq!(index, 1),
        other => panic!("expected RecordTooBig, got {other:?}"),
    }
    assert_eq!(log.head(), 2);
    assert_eq!(file_len(tmp.path()), file);
    assert_eq!(log.len_bytes(), len);
    // Exactly at the limit is fine.
    assert_eq!(log.append(Bytes::from(vec![1u8; 8])).unwrap(), 2);
    drop(log);

    let log = Logbook::open(tmp.path(), opts).unwrap();
    assert_eq!(payloads(&log), vec![b("ok"), Bytes::from(vec![1u8; 8])]);
}

#[test]
fn iter_all_on_disk_replays_everything_even_beyond_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        retain_in_memory: 2,
        ..Options::default()
    };
    let mut log = Logbook::open(tmp.path(), opts).unwrap();
    for i in 1..=20u64 {
        log.append(b(&format!("r{i}"))).unwrap();
    }
    let disk = Logbook::iter_all_on_disk(tmp.path()).unwrap();
    assert_eq!(disk.epoch(), log.epoch());
    let recs: Vec<Record> = disk.map(Result::unwrap).collect();
    assert_eq!(recs.len(), 20);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.offset, i as u64 + 1);
        assert_eq!(r.payload, b(&format!("r{}", i + 1)));
    }
}

#[test]
fn iter_all_on_disk_stops_at_a_torn_tail_without_touching_it() {
    let (tmp, _) = three_records();
    append_raw(tmp.path(), &[1, 2, 3]);
    let len = file_len(tmp.path());
    let recs: Vec<Record> = Logbook::iter_all_on_disk(tmp.path())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(recs.len(), 3);
    assert_eq!(file_len(tmp.path()), len);
}

#[test]
fn iter_all_on_disk_of_a_missing_log_is_an_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(matches!(
        Logbook::iter_all_on_disk(tmp.path()),
        Err(LogError::Io { .. })
    ));
}

#[cfg(unix)]
#[test]
fn files_are_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("fresh");
    let mut log = open(&dir);
    log.append(b("visitor: Ms. Example, +1 555 0100")).unwrap();
    let mode = fs::metadata(log_file(&dir)).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dmode = fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(dmode & 0o077, 0, "a directory we create is owner-only");
    assert!(!dir.join(format!("{}.tmp", segment_file_name(1))).exists());
}

#[test]
fn errors_explain_themselves() {
    let e = LogError::RecordTooBig {
        index: 2,
        len: 10,
        max: 5,
    };
    assert_eq!(
        e.to_string(),
        "record #2 of the append is 10 bytes, the limit is 5 bytes"
    );
    let lost = Lost { first_retained: 9 };
    assert!(lost.to_string().contains('9'));
}
