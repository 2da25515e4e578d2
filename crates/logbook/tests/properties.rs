//! Property tests: whatever is appended comes back byte-exactly, and no tail of garbage can
//! make `open` panic.

use std::fs::{self, OpenOptions};
use std::io::Write;

use bytes::Bytes;
use logbook::{LogError, Logbook, Options, segment_file_name};
use proptest::prelude::*;

/// Payloads of mixed sizes, empty ones included, grouped into appends (a group of one is a
/// plain `append`, larger groups go through `append_batch`).
fn groups() -> impl Strategy<Value = Vec<Vec<Vec<u8>>>> {
    let payload = prop_oneof![
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>(), 0..16),
        proptest::collection::vec(any::<u8>(), 0..600),
    ];
    proptest::collection::vec(proptest::collection::vec(payload, 1..5), 0..25)
}

fn write_groups(log: &mut Logbook, groups: &[Vec<Vec<u8>>]) -> Vec<Bytes> {
    let mut all = Vec::new();
    for g in groups {
        let batch: Vec<Bytes> = g.iter().cloned().map(Bytes::from).collect();
        let head = log.head();
        if batch.len() == 1 {
            assert_eq!(log.append(batch[0].clone()).unwrap(), head);
        } else {
            let r = log.append_batch(&batch).unwrap();
            assert_eq!(r, head..head + batch.len() as u64);
        }
        all.extend(batch);
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn payloads_survive_reopen_byte_exactly(groups in groups(), retain in 0usize..200) {
        let tmp = tempfile::tempdir().unwrap();
        let opts = Options { retain_in_memory: retain, ..Options::default() };
        let (epoch, written) = {
            let mut log = Logbook::open(tmp.path(), opts.clone()).unwrap();
            let w = write_groups(&mut log, &groups);
            (log.epoch(), w)
        };
        let log = Logbook::open(tmp.path(), opts).unwrap();
        prop_assert_eq!(log.epoch(), epoch);
        prop_assert_eq!(log.head(), written.len() as u64 + 1);

        // From memory: the newest `retain` records, at the right offsets.
        let first = log.first_retained();
        prop_assert_eq!(first, (written.len() as u64 + 1).saturating_sub(retain as u64).max(1));
        for (r, expected_off) in log.read_from(first).unwrap().zip(first..) {
            prop_assert_eq!(r.offset, expected_off);
            prop_assert_eq!(&r.payload, &written[(expected_off - 1) as usize]);
        }

        // From disk: all of them.
        let disk: Vec<Bytes> = Logbook::iter_all_on_disk(tmp.path())
            .unwrap()
            .map(|r| r.unwrap().payload)
            .collect();
        prop_assert_eq!(disk, written);
    }

    #[test]
    fn garbage_tail_never_panics(
        groups in groups(),
        cut_back in 0usize..400,
        garbage in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let written = {
            let mut log = Logbook::open(tmp.path(), Options::default()).unwrap();
            write_groups(&mut log, &groups)
        };
        // Cut a random amount off the end (possibly into the header) and add random bytes.
        let path = tmp.path().join(segment_file_name(1));
        let len = fs::metadata(&path).unwrap().len();
        let keep = len.saturating_sub(cut_back as u64);
        OpenOptions::new().write(true).open(&path).unwrap().set_len(keep).unwrap();
        OpenOptions::new().append(true).open(&path).unwrap().write_all(&garbage).unwrap();

        // Replay must not panic either, whatever it yields.
        if let Ok(it) = Logbook::iter_all_on_disk(tmp.path()) {
            for r in it { let _ = r; }
        }

        match Logbook::open(tmp.path(), Options::default()) {
            Ok(mut log) => {
                // Whatever survived is a prefix of what was written, byte-exact.
                let got: Vec<Bytes> = log.read_from(1).unwrap().map(|r| r.payload.clone()).collect();
                prop_assert!(got.len() <= written.len());
                prop_assert_eq!(&got[..], &written[..got.len()]);
                prop_assert_eq!(log.head(), got.len() as u64 + 1);
                // And the log is usable after recovery.
                let off = log.append(Bytes::from_static(b"after")).unwrap();
                drop(log);
                let log = Logbook::open(tmp.path(), Options::default()).unwrap();
                prop_assert_eq!(log.head(), off + 1);
            }
            Err(LogError::Corrupt { position, .. }) => {
                // Only the damaged region can be blamed.
                prop_assert!(position >= 48);
                prop_assert!(position <= keep + garbage.len() as u64);
            }
            Err(LogError::NotALogbook { .. } | LogError::BadHeader { .. } | LogError::UnsupportedVersion { .. }) => {
                prop_assert!(keep < 48, "header errors only when the header itself was cut");
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}
