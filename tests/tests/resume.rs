//! Resuming after a reconnect: a tablet that says where it left off gets exactly what it missed,
//! then live events — no gap, no double — or is told to take a fresh snapshot.

use integration::{TestHub, call_id, expect_event};
use protocol::envelope::{Recovery, Resume};
use protocol::{Call, CloseCode, EventKind, Intent, Post};
use tablet::{Options, TabletError};

fn drinks(k: u8, drink: &str) -> Call {
    Call::new(
        Post::G1,
        Post::S1,
        Intent::Drinks {
            drink: drink.into(),
            room: Some(k),
        },
    )
}

#[tokio::test]
async fn a_reconnecting_tablet_gets_what_it_missed_then_live_with_nothing_lost_or_doubled() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let mut s1 = hub.tablet("S1").await;
    let first = g1.call(drinks(1, "咖啡")).await.unwrap();
    assert_eq!(
        call_id(&expect_event(&mut s1, "call_placed").await),
        first.call_id
    );
    let resume = Resume {
        epoch: Some(s1.epoch()),
        from: s1.last_offset() + 1,
    };
    s1.close().await.unwrap();

    // While the water bar is away: three calls (and its own presence going offline).
    let mut missed = Vec::new();
    for drink in ["绿茶", "柠檬水", "果汁"] {
        missed.push(g1.call(drinks(2, drink)).await.unwrap().call_id);
    }
    let opts = Options {
        resume: Some(resume),
        ..Options::default()
    };
    let (mut s1, welcome) = hub.tablet_with("S1", opts).await;
    assert_eq!(welcome.recovery, Recovery::Recovered { from: resume.from });
    let live = g1.call(drinks(3, "矿泉水")).await.unwrap().call_id;

    // Every event (calls, their orders, presence) in strictly increasing offsets: no double.
    let mut heard = Vec::new();
    let mut offsets = Vec::new();
    while heard.len() < 4 {
        let e = tokio::time::timeout(integration::WAIT, s1.next_event())
            .await
            .expect("the missed events come")
            .unwrap();
        offsets.push(e.offset);
        if matches!(e.what, EventKind::CallPlaced { .. }) {
            heard.push(call_id(&e));
        }
    }
    missed.push(live);
    assert_eq!(
        heard, missed,
        "exactly the missed calls, in order, then the live one"
    );
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
    integration::expect_no_event(&mut s1, "call_placed").await;
}

#[tokio::test]
async fn a_resume_from_another_epoch_is_told_to_take_a_snapshot() {
    let hub = TestHub::start().await;
    let (s1, welcome) = hub.tablet_with("S1", Options::default()).await;
    let opts = Options {
        resume: Some(Resume {
            epoch: Some(welcome.epoch ^ 1),
            from: 1,
        }),
        ..Options::default()
    };
    drop(s1);
    let (_, again) = hub.tablet_with("S1", opts).await;
    assert!(
        matches!(again.recovery, Recovery::SnapshotNeeded { .. }),
        "{:?}",
        again.recovery
    );
}

#[tokio::test]
async fn a_supervisor_replays_the_whole_log_from_offset_one() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let placed = g1.call(drinks(1, "咖啡")).await.unwrap();
    let opts = Options {
        resume: Some(Resume {
            epoch: None,
            from: 1,
        }),
        ..Options::default()
    };
    let (mut sup, _) = hub.tablet_with("SUP", opts).await;
    let first = sup.next_event().await.unwrap();
    assert_eq!(first.offset, 1, "the log starts at offset 1");
    let e = expect_event(&mut sup, "call_placed").await;
    assert_eq!(call_id(&e), placed.call_id);
}

#[tokio::test]
async fn shutdown_closes_tablets_with_4000_and_a_restart_keeps_epoch_and_offsets() {
    let keep = tempfile::tempdir().unwrap();
    let data = keep.path().join("data");
    let hub = TestHub::start_in(&data, |_| {}).await;
    let mut g1 = hub.tablet("G1").await;
    let (mut s1, welcome) = hub.tablet_with("S1", Options::default()).await;
    let placed = g1.call(drinks(1, "咖啡")).await.unwrap();
    expect_event(&mut s1, "call_placed").await;
    let last = s1.last_offset();
    hub.stop().await;
    // What was in flight comes first, then the close.
    let err = integration::until_closed(&mut s1).await;
    assert!(
        matches!(
            err,
            TabletError::Closed {
                code: Some(CloseCode::Shutdown),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.reconnect());

    let hub = TestHub::start_in(&data, |_| {}).await;
    let opts = Options {
        resume: Some(Resume {
            epoch: Some(welcome.epoch),
            from: last + 1,
        }),
        ..Options::default()
    };
    let (mut s1, again) = hub.tablet_with("S1", opts).await;
    assert_eq!(again.epoch, welcome.epoch);
    assert!(matches!(again.recovery, Recovery::Recovered { .. }));
    assert!(again.head > placed.offset);
    // The call is still open after the restart; the water bar can answer it.
    s1.answer(placed.call_id, protocol::Answer::Received)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_resume_from_an_offset_no_longer_kept_is_told_to_take_a_snapshot() {
    let hub = TestHub::start_with(|c| c.retain_in_memory = 8).await;
    let mut g1 = hub.tablet("G1").await;
    for drink in ["咖啡", "绿茶", "柠檬水", "果汁", "矿泉水", "红茶"] {
        g1.call(drinks(1, drink)).await.unwrap();
    }
    let (mut sup, welcome) = hub.tablet_with("SUP", Options::default()).await;
    let opts = Options {
        resume: Some(Resume {
            epoch: Some(welcome.epoch),
            from: 1,
        }),
        ..Options::default()
    };
    let (_, old) = hub.tablet_with("SUP", opts).await;
    match old.recovery {
        Recovery::SnapshotNeeded { reason } => {
            assert!(reason.contains("no longer kept"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // The snapshot is there to take.
    let state = integration::state(&mut sup).await;
    assert_eq!(state["orders"].as_array().unwrap().len(), 6);
    // A resume within what is kept still recovers.
    let recent = Options {
        resume: Some(Resume {
            epoch: Some(welcome.epoch),
            from: welcome.head - 2,
        }),
        ..Options::default()
    };
    let (_, near) = hub.tablet_with("SUP", recent).await;
    assert!(
        matches!(near.recovery, Recovery::Recovered { .. }),
        "{:?}",
        near.recovery
    );
}

/// A browser's connect, resuming from `from` under the epoch it holds.
fn connect_frame(id: u32, token: &str, resume: Option<(u64, u64)>) -> serde_json::Value {
    let mut cmd = serde_json::json!({"type": "connect", "token": token});
    if let Some((epoch, from)) = resume {
        cmd["resume"] = serde_json::json!({"epoch": epoch, "from": from});
    }
    serde_json::json!({"id": id, "cmd": cmd})
}

/// A browser connects live, misses a call while away, and resumes with the epoch and head it
/// read as JavaScript numbers: it gets `recovered` — the welcome first, then what it missed.
async fn a_browser_resumes_with_what_it_read(hub: &TestHub) -> u64 {
    let token = hub.token("S1");
    let mut browser = integration::Browser::open(&hub.url()).await;
    browser.send(connect_frame(1, &token, None)).await;
    let welcome = browser.next().await;
    assert_eq!(welcome["body"]["kind"], "welcome", "{welcome}");
    let epoch = integration::as_javascript(&welcome["body"]["epoch"]);
    let head = integration::as_javascript(&welcome["body"]["head"]);
    drop(browser);

    let mut g1 = hub.tablet("G1").await;
    let missed = g1.call(drinks(1, "咖啡")).await.unwrap().call_id;

    let mut browser = integration::Browser::open(&hub.url()).await;
    browser
        .send(connect_frame(2, &token, Some((epoch, head))))
        .await;
    let again = browser.next().await;
    assert_eq!(
        (&again["type"], &again["id"], &again["body"]["kind"]),
        (&"reply".into(), &2.into(), &"welcome".into()),
        "the welcome comes before any replayed event: {again}"
    );
    assert_eq!(
        again["body"]["recovery"]["outcome"], "recovered",
        "resuming under epoch {epoch} as a browser holds it: {again}"
    );
    assert_eq!(integration::as_javascript(&again["body"]["epoch"]), epoch);
    // Then what it missed, in order.
    loop {
        let e = browser.next().await;
        assert_eq!(e["type"], "event", "{e}");
        assert!(integration::as_javascript(&e["offset"]) >= head, "{e}");
        if e["what"]["kind"] == "call_placed" {
            // A placed call's id is its event's offset.
            assert_eq!(integration::as_javascript(&e["offset"]), missed);
            break;
        }
    }
    epoch
}

#[tokio::test]
async fn a_browser_resumes_with_the_epoch_it_read_as_a_javascript_number() {
    let hub = TestHub::start().await;
    let epoch = a_browser_resumes_with_what_it_read(&hub).await;
    assert!(epoch < 1 << 53, "{epoch:#x}");
    // The state carries the same epoch.
    let mut sup = hub.json_tablet("SUP").await;
    assert_eq!(integration::state(&mut sup).await["epoch"], epoch);
}

/// A log file as an older build made it: only the header, with an epoch above 2^53.
fn old_log(data: &std::path::Path, epoch: u64) {
    let mut h = [0u8; 32];
    h[0..8].copy_from_slice(b"HUBLOGBK");
    h[8..12].copy_from_slice(&1u32.to_le_bytes());
    h[16..24].copy_from_slice(&epoch.to_le_bytes());
    let crc = crc32fast::hash(&h[0..24]);
    h[24..28].copy_from_slice(&crc.to_le_bytes());
    let dir = data.join("log");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("logbook.log"), h).unwrap();
}

#[tokio::test]
async fn a_log_made_with_an_epoch_above_2_53_still_lets_a_browser_resume() {
    let keep = tempfile::tempdir().unwrap();
    old_log(keep.path(), 0xffff_ffff_ffff_fff1);
    let hub = TestHub::start_in(keep.path(), |_| {}).await;
    let epoch = a_browser_resumes_with_what_it_read(&hub).await;
    // Every codec and every way of asking sees that one epoch, and a restart keeps it.
    let (_, welcome) = hub.tablet_with("S1", Options::default()).await;
    assert_eq!(welcome.epoch, epoch);
    let (status, body) =
        integration::http_get(hub.addr, "/api/state", Some(&hub.token("SUP"))).await;
    assert_eq!(status, 200);
    let state: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(state["epoch"], epoch);
    hub.stop().await;
    let hub = TestHub::start_in(keep.path(), |_| {}).await;
    let (_, welcome) = hub.tablet_with("S1", Options::default()).await;
    assert_eq!(welcome.epoch, epoch);
}
