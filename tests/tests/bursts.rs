//! A burst of calls sent back to back — the gate reading out a coach's worth of arrivals in one
//! breath — reaches every tablet whole and in order, in both codecs, with calls to everyone and
//! calls to one post mixed in the same burst; the caller hears each acknowledgement ahead of
//! its own call.

use integration::{Browser, TestHub, expect_event};
use protocol::{EventKind, Intent, Post, Station, Target};
use serde_json::{Value, json};

/// Calls in the burst: every fourth to the water bar (S1), the rest to everyone.
const BURST: u32 = 16;

fn to_water_bar(i: u32) -> bool {
    i % 4 == 3
}

fn call_frame(id: u32, target: &str, text: &str) -> Value {
    json!({"id": id, "cmd": {"type": "call", "call": {
        "caller": "L1", "target": target,
        "intent": {"kind": "free", "text": text},
    }}})
}

fn burst_call(i: u32) -> Value {
    let target = if to_water_bar(i) { "S1" } else { "ALL" };
    call_frame(i, target, &format!("第{i}位来访"))
}

/// The burst's calls a tablet of `station` hears, in the order sent: the calls to everyone, and
/// the water bar's (which the supervisor hears too).
fn heard_by(station: &Station) -> Vec<(Target, String)> {
    let water_bar = Station::Post(Post::S1);
    (1..=BURST)
        .filter(|i| !to_water_bar(*i) || *station == water_bar || station.is_supervisor())
        .map(|i| {
            let target = if to_water_bar(i) {
                Target::Station(water_bar.clone())
            } else {
                Target::All
            };
            (target, format!("第{i}位来访"))
        })
        .collect()
}

/// The next `n` calls a tablet hears, each its target and text; offsets only grow.
async fn calls_heard(tablet: &mut tablet::Tablet, n: usize) -> Vec<(Target, String)> {
    let mut calls = Vec::new();
    let mut last = 0;
    while calls.len() < n {
        let e = expect_event(tablet, "call_placed").await;
        assert!(e.offset > last, "{}: offsets only grow", tablet.station());
        last = e.offset;
        let EventKind::CallPlaced { call, .. } = e.what else {
            unreachable!("expect_event gives the kind asked for")
        };
        assert_eq!(call.caller, Station::Post(Post::L1));
        let Intent::Free { text } = call.intent else {
            panic!("{}: a free call, not {:?}", tablet.station(), call.intent);
        };
        calls.push((call.target, text));
    }
    calls
}

#[tokio::test]
async fn a_burst_reaches_every_tablet_whole_and_in_order_in_both_codecs() {
    let hub = TestHub::start().await;
    // MessagePack tablets and JSON tablets: posts that hear only the calls to everyone, the
    // post some calls are for, and the supervisor, who hears everything.
    let mut listeners = Vec::new();
    for station in ["L2", "S1", "SUP", "RC"] {
        listeners.push(hub.tablet(station).await);
        listeners.push(hub.json_tablet(station).await);
    }
    // The gate concierge, as a page is: JSON, its calls written back to back in one go.
    let mut gate = Browser::open(&hub.url()).await;
    gate.send(json!({"id": 0, "cmd": {"type": "connect", "token": hub.token("L1")}}))
        .await;
    assert_eq!(gate.next().await["body"]["kind"], "welcome");

    gate.send_all((1..=BURST).map(burst_call)).await;

    // The gate hears each call's acknowledgement, then the call itself, in the order sent.
    let mut acknowledged = 0;
    let mut placed = None;
    while acknowledged < BURST || placed.is_some() {
        let frame = gate.next().await;
        let kind = (&frame["type"], &frame["what"]["kind"]);
        match (kind, &placed) {
            ((Value::String(t), _), None) if t == "reply" => {
                acknowledged += 1;
                assert_eq!(frame["id"], acknowledged, "replies in order: {frame}");
                assert_eq!(frame["body"]["kind"], "placed", "{frame}");
                placed = Some(frame["body"]["call_id"].clone());
            }
            ((Value::String(t), Value::String(k)), Some(id))
                if t == "event" && k == "call_placed" =>
            {
                // A placed call's id is its event's offset.
                assert_eq!(&frame["offset"], id, "its own call after its reply");
                placed = None;
            }
            ((Value::String(t), Value::String(k)), _) if t == "event" && k != "call_placed" => {}
            _ => panic!("out of order after {acknowledged} replies: {frame}"),
        }
    }

    each_hears_the_burst_once(&mut listeners, &mut gate).await;
    hub.stop().await;
}

/// Every tablet hears the burst's calls it may hear, whole and in order; and nothing of the
/// burst comes twice (nor stays unwritten): the next call each hears is the one after it.
async fn each_hears_the_burst_once(listeners: &mut [tablet::Tablet], gate: &mut Browser) {
    for tablet in listeners.iter_mut() {
        let station = tablet.station().clone();
        let want = heard_by(&station);
        let got = calls_heard(tablet, want.len()).await;
        assert_eq!(got, want, "{station} hears the burst whole, in order");
    }
    gate.send(call_frame(BURST + 1, "ALL", "完")).await;
    for tablet in listeners.iter_mut() {
        let station = tablet.station().clone();
        let got = calls_heard(tablet, 1).await;
        assert_eq!(got, vec![(Target::All, "完".to_string())], "{station}");
    }
}

/// More tablets than the switchboard writes in one turn of its loop (128), so a fan-out is
/// written over several turns with the next calls let in between.
const CROWD: usize = 300;

#[tokio::test]
async fn calls_made_while_a_long_fan_out_is_written_reach_every_tablet_once_and_in_order() {
    let hub = TestHub::start().await;
    let stations = ["L2", "S1", "SUP", "RC"];
    let mut listeners = Vec::with_capacity(CROWD);
    for i in 0..CROWD {
        let station = stations[i % stations.len()];
        listeners.push(if i % 2 == 0 {
            hub.tablet(station).await
        } else {
            hub.json_tablet(station).await
        });
    }
    let mut gate = Browser::open(&hub.url()).await;
    gate.send(json!({"id": 0, "cmd": {"type": "connect", "token": hub.token("L1")}}))
        .await;
    assert_eq!(gate.next().await["body"]["kind"], "welcome");

    // The burst's calls in small groups, back to back, so that most groups come in while the
    // ones before them are still being written to the crowd.
    let calls: Vec<Value> = (1..=BURST).map(burst_call).collect();
    for group in calls.chunks(3) {
        gate.send_all(group.iter().cloned()).await;
        tokio::task::yield_now().await;
    }
    let mut acknowledged = 0;
    while acknowledged < BURST {
        let frame = gate.next().await;
        if frame["type"] == "reply" {
            acknowledged += 1;
            assert_eq!(frame["id"], acknowledged, "replies in order: {frame}");
            assert_eq!(frame["body"]["kind"], "placed", "{frame}");
        }
    }

    each_hears_the_burst_once(&mut listeners, &mut gate).await;
    hub.stop().await;
}

/// A tablet that says in `connect` that it reads bundles gets what waits for its socket as one
/// frame — here the welcome and every call it missed, one array, in order — where a tablet
/// that does not say so reads each as a frame of its own.
#[tokio::test]
async fn a_tablet_that_reads_bundles_gets_its_welcome_and_missed_calls_in_one_frame() {
    let hub = TestHub::start().await;
    let mut gate = Browser::open(&hub.url()).await;
    gate.send(json!({"id": 0, "cmd": {"type": "connect", "token": hub.token("L1")}}))
        .await;
    assert_eq!(gate.next().await["body"]["kind"], "welcome");
    gate.send_all((1..=BURST).map(|i| call_frame(i, "ALL", &format!("第{i}位来访"))))
        .await;
    let mut acknowledged = 0;
    while acknowledged < BURST {
        if gate.next().await["type"] == "reply" {
            acknowledged += 1;
        }
    }
    let mut missed: Vec<String> = (1..=BURST).map(|i| format!("第{i}位来访")).collect();
    for bundles in [false, true] {
        let mut late = Browser::open(&hub.url()).await;
        late.send(
            json!({"id": 7, "cmd": {"type": "connect", "token": hub.token("Y1"),
            "resume": {"from": 1}, "bundles": bundles}}),
        )
        .await;
        let first = late.next().await;
        if bundles {
            let frames = first
                .as_array()
                .expect("one array: the welcome and the backlog");
            assert_eq!(frames[0]["body"]["kind"], "welcome", "{first}");
            assert_eq!(frames[0]["body"]["recovery"]["outcome"], "recovered");
            assert_eq!(call_texts(frames), missed, "every missed call, in order");
            let offsets: Vec<u64> = frames[1..].iter().map(as_offset).collect();
            assert!(offsets.is_sorted(), "{offsets:?}");
        } else {
            assert_eq!(
                first["body"]["kind"], "welcome",
                "the welcome on its own: {first}"
            );
            let mut frames = Vec::new();
            while call_texts(&frames).len() < missed.len() {
                let next = late.next().await;
                assert!(next.is_object(), "one frame at a time: {next}");
                frames.push(next);
            }
            assert_eq!(call_texts(&frames), missed);
        }
        // Live calls keep coming.
        let now = format!("完{bundles}");
        gate.send(call_frame(100, "ALL", &now)).await;
        let live = loop {
            let frames = next_frames(&mut late).await;
            if !call_texts(&frames).is_empty() {
                break frames;
            }
        };
        assert_eq!(call_texts(&live), [now.as_str()], "bundles: {bundles}");
        missed.push(now);
    }
    hub.stop().await;
}

fn as_offset(frame: &Value) -> u64 {
    frame["offset"].as_u64().expect("an event's offset")
}

/// Connects a JSON tablet that reads bundles, as the pages do, and reads its welcome.
async fn bundled(hub: &TestHub, station: &str) -> Browser {
    let mut b = Browser::open(&hub.url()).await;
    b.send(
        json!({"id": 0, "cmd": {"type": "connect", "token": hub.token(station),
        "bundles": true}}),
    )
    .await;
    assert_eq!(b.next().await["body"]["kind"], "welcome");
    b
}

/// The frames of the next WebSocket frame: a bundle's, or the one.
async fn next_frames(b: &mut Browser) -> Vec<Value> {
    let next = b.next().await;
    next.as_array().cloned().unwrap_or_else(|| vec![next])
}

/// The free calls' texts among `frames`, in order.
fn call_texts(frames: &[Value]) -> Vec<&str> {
    frames
        .iter()
        .filter(|f| f["what"]["kind"] == "call_placed")
        .filter_map(|f| f["what"]["call"]["intent"]["text"].as_str())
        .collect()
}

/// Calls to everyone are written at most once every gap (the pacing): the first after a quiet
/// spell at once; those that come within the gap, even one by one, wait for its end and reach
/// a tablet together, in one bundle. A tablet's own reply is not held by the gap: it goes at
/// once, and takes with it, ahead of it, the calls that waited for that tablet.
#[tokio::test]
async fn calls_to_everyone_within_the_pacing_gap_go_out_together_and_a_reply_does_not_wait() {
    use std::time::{Duration, Instant};
    // Wide, so that what waits for it is plain to see on any machine.
    let gap = Duration::from_secs(2);
    let hub = TestHub::start_with(|c| c.fanout_gap = gap).await;
    let mut listener = bundled(&hub, "L2").await;
    let mut desk = bundled(&hub, "RC").await;
    let mut gate = Browser::open(&hub.url()).await;
    gate.send(json!({"id": 0, "cmd": {"type": "connect", "token": hub.token("L1")}}))
        .await;
    assert_eq!(gate.next().await["body"]["kind"], "welcome");

    // After a quiet spell: at once.
    let began = Instant::now();
    gate.send(call_frame(1, "ALL", "一")).await;
    assert_eq!(call_texts(&next_frames(&mut listener).await), ["一"]);
    assert!(
        began.elapsed() < gap / 2,
        "the first call waited {:?}",
        began.elapsed()
    );
    assert_eq!(call_texts(&next_frames(&mut desk).await), ["一"]);

    // Three more, each on its own, well apart but within the gap: one bundle at its end.
    for (id, text) in [(2, "二"), (3, "三"), (4, "四")] {
        gate.send(call_frame(id, "ALL", text)).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        call_texts(&next_frames(&mut listener).await),
        ["二", "三", "四"],
        "the calls that came within the gap, together"
    );
    assert!(
        began.elapsed() >= gap - Duration::from_millis(100),
        "they went out {:?} after the first, within the gap of {gap:?}",
        began.elapsed()
    );
    assert_eq!(
        call_texts(&next_frames(&mut desk).await),
        ["二", "三", "四"]
    );

    // The next one waits for the gap again; meanwhile the desk asks the hub something. Its
    // answer comes at once, behind the call that waited for the desk.
    let again = Instant::now();
    gate.send(call_frame(5, "ALL", "五")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    desk.send(json!({"id": 9, "cmd": {"type": "ping"}})).await;
    let mut frames = next_frames(&mut desk).await;
    while !frames.iter().any(|f| f["id"] == 9) {
        frames.extend(next_frames(&mut desk).await);
    }
    assert!(
        again.elapsed() < gap / 2,
        "the desk's reply waited {:?} for the gap",
        again.elapsed()
    );
    assert_eq!(call_texts(&frames), ["五"], "{frames:?}");
    assert_eq!(
        frames.last().map(|f| (&f["type"], &f["id"])),
        Some((&json!("reply"), &json!(9))),
        "the call first, then the reply: {frames:?}"
    );
    // The listener, which asked nothing, hears it at the gap's end.
    assert_eq!(call_texts(&next_frames(&mut listener).await), ["五"]);
    assert!(again.elapsed() >= gap - Duration::from_millis(100));
    hub.stop().await;
}
