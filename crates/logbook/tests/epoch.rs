//! The epoch is a number every client can hold exactly: a browser reads JSON numbers as f64, so
//! it is at most 2^53 − 1 — for new logs, and for logs made before that rule.

use std::io::Write;
use std::path::Path;

use logbook::{Bytes, LOG_FILE_NAME, Logbook, Options};

/// The largest integer an f64 (a JavaScript number) holds exactly.
const JSON_SAFE: u64 = (1 << 53) - 1;

/// A log file as an older build made it: the 32-byte header with `epoch`, and one record.
fn old_log(dir: &Path, epoch: u64) {
    let mut h = [0u8; 32];
    h[0..8].copy_from_slice(b"HUBLOGBK");
    h[8..12].copy_from_slice(&1u32.to_le_bytes());
    h[16..24].copy_from_slice(&epoch.to_le_bytes());
    let crc = crc32fast::hash(&h[0..24]);
    h[24..28].copy_from_slice(&crc.to_le_bytes());
    let payload = b"from before";
    let mut check = crc32fast::Hasher::new();
    check.update(&1u64.to_le_bytes());
    check.update(payload);
    let mut file = h.to_vec();
    file.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    file.extend_from_slice(&check.finalize().to_le_bytes());
    file.extend_from_slice(&1u64.to_le_bytes());
    file.extend_from_slice(payload);
    std::fs::File::create(dir.join(LOG_FILE_NAME))
        .unwrap()
        .write_all(&file)
        .unwrap();
}

#[test]
fn a_new_log_gets_an_epoch_a_javascript_number_holds_exactly() {
    for _ in 0..64 {
        let tmp = tempfile::tempdir().unwrap();
        let epoch = Logbook::open(tmp.path(), Options::default())
            .unwrap()
            .epoch();
        assert!((1..=JSON_SAFE).contains(&epoch), "{epoch:#x}");
        assert_eq!(epoch as f64 as u64, epoch);
        assert_eq!(logbook::MAX_EPOCH, JSON_SAFE);
    }
}

#[test]
fn a_log_made_with_a_larger_epoch_reads_as_a_json_safe_one_and_always_the_same() {
    for stored in [
        u64::MAX,
        0xffff_ffff_ffff_fff1,
        JSON_SAFE + 1,
        1 << 53,
        0x8000_0000_0000_0000,
    ] {
        let tmp = tempfile::tempdir().unwrap();
        old_log(tmp.path(), stored);
        let header = std::fs::read(tmp.path().join(LOG_FILE_NAME)).unwrap();
        let mut log = Logbook::open(tmp.path(), Options::default()).unwrap();
        let epoch = log.epoch();
        assert!((1..=JSON_SAFE).contains(&epoch), "{stored:#x} → {epoch:#x}");
        log.append(Bytes::from_static(b"still a log")).unwrap();
        drop(log);
        // The same file always gives the same epoch, by either way of reading it, and the
        // format-1 file itself is left as it was (new records go to a segment after it).
        let log = Logbook::open(tmp.path(), Options::default()).unwrap();
        assert_eq!(log.epoch(), epoch, "{stored:#x}");
        assert_eq!(log.head(), 3);
        assert_eq!(
            Logbook::iter_all_on_disk(tmp.path()).unwrap().epoch(),
            epoch
        );
        let now = std::fs::read(tmp.path().join(LOG_FILE_NAME)).unwrap();
        assert_eq!(now, header);
    }
}

#[test]
fn a_json_safe_epoch_on_disk_is_kept_as_it_is() {
    for stored in [1, 81_723, JSON_SAFE] {
        let tmp = tempfile::tempdir().unwrap();
        old_log(tmp.path(), stored);
        let log = Logbook::open(tmp.path(), Options::default()).unwrap();
        assert_eq!(log.epoch(), stored);
    }
}
