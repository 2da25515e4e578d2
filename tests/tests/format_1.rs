//! An upgrade as a real site meets it: the data folder of an earlier build holds its whole log in
//! one file (`log/logbook.log`, format 1) and no checkpoint. The new hub starts on it with the
//! board, the epoch and the offsets it had, keeps the old file as it is, and writes on after it.

use std::path::Path;

use hub::Clock;
use integration::{Posts, TestHub, http_get, state, visitor};
use protocol::envelope::{Recovery, Resume};
use tablet::Options;

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

/// Turns the log in `data` into the one file an earlier build wrote: a 32-byte format-1 header
/// with the same epoch, then every record as it is; no segments, no checkpoints.
fn as_format_1(data: &Path) -> Vec<u8> {
    let log = data.join("log");
    let segments = logbook::segments(&log).unwrap();
    let mut file = vec![0u8; 32];
    file[0..8].copy_from_slice(b"HUBLOGBK");
    file[8..12].copy_from_slice(&1u32.to_le_bytes());
    file[16..24].copy_from_slice(&segments[0].epoch.to_le_bytes());
    let crc = crc32fast::hash(&file[0..24]);
    file[24..28].copy_from_slice(&crc.to_le_bytes());
    for s in &segments {
        let bytes = std::fs::read(&s.path).unwrap();
        file.extend_from_slice(&bytes[s.header_len as usize..]);
        std::fs::remove_file(&s.path).unwrap();
    }
    for c in logbook::checkpoints(&log).unwrap() {
        std::fs::remove_file(c.path).unwrap();
    }
    std::fs::write(log.join(logbook::LOG_FILE_NAME), &file).unwrap();
    file
}

#[tokio::test]
async fn a_log_of_one_file_from_an_earlier_build_opens_with_its_board_epoch_and_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let clock = Clock::manual(1_795_827_600_000);
    let hub = TestHub::start_in(data, |c| c.clock = clock.clone()).await;
    let (_, before) = hub.tablet_with("SUP", Options::default()).await;
    let mut posts = Posts::connect(&hub, &["SUP", "L1", "X:张伟"]).await;
    posts.leaves_by_taxi("X:张伟", "王先生", "粤B12345").await;
    let board = state(posts.tablet("SUP")).await;
    let report = http_get(hub.addr, "/api/report", Some(&hub.token("SUP"))).await;
    assert_eq!(report.0, 200);
    drop(posts);
    hub.stop().await;
    let old = as_format_1(data);

    let hub = TestHub::start_in(data, |c| c.clock = clock.clone()).await;
    let resume = Options {
        resume: Some(Resume {
            epoch: Some(before.epoch),
            from: 3,
        }),
        ..Options::default()
    };
    let (mut sup, welcome) = hub.tablet_with("SUP", resume).await;
    assert_eq!(welcome.epoch, before.epoch, "the same log, the same epoch");
    assert!(
        matches!(welcome.recovery, Recovery::Recovered { from: 3 }),
        "a tablet resumes across the upgrade: {:?}",
        welcome.recovery
    );
    let now = state(&mut sup).await;
    assert_eq!(now["visitors"], board["visitors"]);
    assert_eq!(now["orders"], board["orders"]);
    assert_eq!(visitor(&now, "王先生")["stage"], "left");
    let again = http_get(hub.addr, "/api/report", Some(&hub.token("SUP"))).await;
    assert_eq!(again, report, "the day's report reads the old file");
    let head = welcome.head;
    drop(sup);
    hub.stop().await;

    // The old file is kept as it was; what came after it is in segments after it.
    let log = data.join("log");
    assert_eq!(
        std::fs::read(log.join(logbook::LOG_FILE_NAME)).unwrap(),
        old
    );
    let segments = logbook::segments(&log).unwrap();
    assert_eq!(segments[0].format, 1);
    assert!(segments[1..].iter().all(|s| s.format == 2));
    let out = std::process::Command::new(HUB)
        .args(["log", "check", "--data", data.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("format 1"), "{said}");
    assert!(said.contains("sound"), "{said}");
    let hub = TestHub::start_in(data, |c| c.clock = clock.clone()).await;
    let (_, again) = hub.tablet_with("SUP", Options::default()).await;
    assert_eq!(again.epoch, before.epoch);
    assert!(again.head > head, "offsets run on");
}
