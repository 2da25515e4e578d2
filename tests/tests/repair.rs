//! A damaged event log, as an operator meets it: the hub refuses to start on it (never dropping
//! what follows the damage as a "torn tail"), names the byte and the way out, and `hub repair`
//! keeps every record that can be proven — the calls after the damage included, at their offsets.

use std::process::Command;

use integration::TestHub;
use protocol::{Command as Cmd, EventKind, ReplyBody};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

#[tokio::test]
async fn a_damaged_log_stops_the_hub_and_hub_repair_keeps_every_provable_record() {
    let dir = tempfile::tempdir().unwrap();
    let hub = TestHub::start_in(dir.path(), |_| {}).await;
    let mut g1 = hub.tablet("G1").await;
    let mut ids = Vec::new();
    for k in 1..=3 {
        let placed = g1
            .say(&format!(
                "我是大客户管家，呼叫水吧，请送咖啡至VIP{k}室，收到请回答。"
            ))
            .await
            .unwrap();
        ids.push(placed.call_id);
    }
    drop(g1);
    hub.stop().await;

    // One bit of the second call's length field flips on disk.
    let (log_path, damaged) = integration::record_on_disk(dir.path(), ids[1]);
    let mut log = std::fs::read(&log_path).unwrap();
    log[damaged + 2] ^= 0x10;
    std::fs::write(&log_path, &log).unwrap();
    let size = log.len();

    let data = dir.path().to_str().unwrap();
    let out = Command::new(HUB)
        .args(["serve", "--listen", "127.0.0.1:0", "--data", data])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the hub must not start: {err}");
    assert!(err.contains(&format!("byte {damaged}")), "{err}");
    assert!(err.contains("hub repair --data"), "{err}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("listening"),
        "the hub never said it was listening"
    );
    assert_eq!(
        std::fs::metadata(&log_path).unwrap().len() as usize,
        size,
        "nothing was cut away"
    );

    let out = Command::new(HUB)
        .args(["repair", "--data", data])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains(&format!("offsets {}", ids[1])), "{said}");
    assert!(
        said.contains(&format!(
            "{}.damaged-",
            log_path.file_name().unwrap().to_string_lossy()
        )),
        "{said}"
    );

    // The hub starts; the calls before and after the damage are there, at their offsets.
    let hub = TestHub::start_in(dir.path(), |_| {}).await;
    let mut sup = hub.tablet("SUP").await;
    let ReplyBody::State { state } = sup.command(Cmd::State).await.unwrap() else {
        panic!("a state")
    };
    let open: Vec<u64> = state["open_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_id"].as_u64().unwrap())
        .collect();
    assert!(open.contains(&ids[0]) && open.contains(&ids[2]), "{open:?}");
    assert!(!open.contains(&ids[1]), "the lost call is not made up");
    // Replayed from the start, the damaged offset holds a record_lost event.
    let replay = tablet::Options {
        resume: Some(protocol::envelope::Resume {
            epoch: None,
            from: ids[1],
        }),
        ..tablet::Options::default()
    };
    let (mut reader, _) = hub.tablet_with("SUP", replay).await;
    let first = reader.next_event().await.unwrap();
    assert_eq!(first.offset, ids[1]);
    assert!(
        matches!(first.what, EventKind::RecordLost { .. }),
        "{first:?}"
    );
    hub.stop().await;
}
