//! What any client may make the hub do is bounded: reports are made a few at a time and the last
//! one reused while the log has not moved; a damaged log fails the report with the reason rather
//! than handing out part of a day; a resume replays at most so far back; snapshots are budgeted
//! so a flood of them never holds up the calls.

use integration::{TestHub, expect_event, http_get};
use protocol::envelope::{Recovery, Resume};
use protocol::{Command, ErrorCode, ReplyBody};
use tablet::{Options, TabletError};

async fn drinks(hub: &TestHub, n: usize) -> Vec<u64> {
    let mut g1 = hub.tablet("G1").await;
    let mut ids = Vec::new();
    for _ in 0..n {
        ids.push(
            g1.say("我是大客户管家，呼叫水吧，请送咖啡至VIP1室，收到请回答。")
                .await
                .unwrap()
                .call_id,
        );
    }
    ids
}

#[tokio::test]
async fn many_reports_at_once_are_served_from_one_reading_of_the_log() {
    let hub = TestHub::start().await;
    drinks(&hub, 20).await;
    let token = hub.token("SUP");
    let mut asks = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let (addr, token) = (hub.addr, token.clone());
        asks.spawn(async move { http_get(addr, "/api/report", Some(&token)).await });
    }
    let mut bodies = Vec::new();
    while let Some(done) = asks.join_next().await {
        let (status, body) = done.unwrap();
        assert!(status == 200 || status == 503, "{status} {body}");
        if status == 200 {
            bodies.push(body);
        }
    }
    assert!(!bodies.is_empty());
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "the same report for the same log"
    );
}

#[tokio::test]
async fn a_log_damaged_under_a_running_hub_fails_the_report_with_the_reason() {
    let hub = TestHub::start().await;
    // Enough records that the first is blocks before the log's end: the writer rewrites the
    // block the log ends in whole (from its own copy) at each append, so damage there would
    // be written over by the next event, whenever one comes.
    drinks(&hub, 60).await;
    // A bit of an early record rots on disk while the hub runs.
    let (path, first) = integration::record_on_disk(&hub.data, 1);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[first + 16 + 2] ^= 0x01; // the first record's payload
    std::fs::write(&path, &bytes).unwrap();
    let (status, body) = http_get(hub.addr, "/api/report", Some(&hub.token("SUP"))).await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("cannot be read to its end"), "{body}");
}

#[tokio::test]
async fn a_tablet_too_far_behind_takes_a_snapshot_instead_of_a_replay() {
    let hub = TestHub::start_with(|c| c.max_backlog = 10).await;
    drinks(&hub, 30).await;
    let opts = Options {
        resume: Some(Resume {
            epoch: None,
            from: 1,
        }),
        ..Options::default()
    };
    let (_, welcome) = hub.tablet_with("SUP", opts).await;
    match &welcome.recovery {
        Recovery::SnapshotNeeded { reason } => assert!(reason.contains("behind"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let near = Options {
        resume: Some(Resume {
            epoch: None,
            from: welcome.head - 5,
        }),
        ..Options::default()
    };
    let (_, welcome) = hub.tablet_with("SUP", near).await;
    assert!(matches!(welcome.recovery, Recovery::Recovered { .. }));
}

#[tokio::test]
async fn a_flood_of_snapshots_is_refused_for_a_moment_and_calls_still_go_through() {
    let hub = TestHub::start_with(|c| c.snapshots_per_second = 2).await;
    let mut sup = hub.tablet("SUP").await;
    let mut s1 = hub.tablet("S1").await;
    let mut refused = 0;
    for _ in 0..20 {
        match sup.command(Command::State).await {
            Ok(ReplyBody::State { .. }) => {}
            Err(TabletError::Refused {
                code: ErrorCode::Overloaded,
                ..
            }) => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!(refused >= 10, "only {refused} refused");
    let (status, _) = http_get(hub.addr, "/api/state", Some(&hub.token("SUP"))).await;
    assert_eq!(status, 503, "the budget holds over HTTP too");
    // The calls are not held up.
    let ids = drinks(&hub, 1).await;
    let heard = expect_event(&mut s1, "call_placed").await;
    assert_eq!(integration::call_id(&heard), ids[0]);
}
