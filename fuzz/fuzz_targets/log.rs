//! Any bytes after a valid header, as the hub's log segment: opening it recovers (cutting only a
//! torn tail) or refuses with the reason, never panics, never allocates past the file; what it
//! keeps reopens the same; and the read-only replay agrees with it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logbook::{Logbook, Options};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temp dir");
    // A real header (of the log's one segment), then the fuzzer's bytes as the records.
    let log = Logbook::open(dir.path(), Options::default()).expect("a new log");
    let path = log.path().to_owned();
    drop(log);
    let mut bytes = std::fs::read(&path).expect("the header");
    bytes.extend_from_slice(data);
    std::fs::write(&path, &bytes).expect("write");
    let on_disk: Vec<_> = match Logbook::iter_all_on_disk(dir.path()) {
        Ok(records) => records.collect(),
        Err(_) => return,
    };
    match Logbook::open(dir.path(), Options::default()) {
        Ok(log) => {
            let head = log.head();
            let kept: Vec<logbook::Record> = log
                .read_from(1)
                .map(|r| r.cloned().collect())
                .unwrap_or_default();
            drop(log);
            let again = Logbook::open(dir.path(), Options::default()).expect("reopens");
            assert_eq!(again.head(), head);
            let replayed: Vec<_> = on_disk.into_iter().map_while(Result::ok).collect();
            assert_eq!(replayed, kept);
        }
        Err(e) => {
            let _ = e.to_string();
            // A refused log is left as it was.
            assert_eq!(std::fs::read(&path).expect("still there"), bytes);
        }
    }
    let _ = logbook::repair(dir.path(), 0, |_| logbook::Bytes::new());
});
