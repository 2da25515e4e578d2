//! The internally tagged enums — `Command`, `ServerFrame`, `ReplyBody`, `Recovery`, `EventKind`,
//! `Intent`, `Tap` — are read tag first (see `src/tag_first.rs`). Every variant travels in both
//! encodings and comes back the same, whether its tag comes first (as our encoders write it),
//! last, or first at some levels and last at others; and bad input gets serde's own errors,
//! never a panic or a stack overflow.

mod key_order;

use std::collections::BTreeSet;
use std::fmt::Debug;

use key_order::{TagPlace, reencode};
use protocol::alert::{Alert, AlertKind};
use protocol::codec::{MAX_MSGPACK_DEPTH, MAX_SERVER_FRAME_BYTES};
use protocol::envelope::{Recovery, Resume};
use protocol::mode::Mode;
use protocol::order::{Order, OrderKind, OrderState};
use protocol::room::Room;
use protocol::rota::{Duty, Rota, Turn};
use protocol::visit::{Stage, Visit};
use protocol::{
    Answer, Call, ClientFrame, Codec, Command, ErrorCode, Event, EventKind, Intent, ManagerName,
    Post, ReplyBody, ServerFrame, Station, Tap, Target, Title, Visitor, catalogue,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn wang() -> Visitor {
    Visitor::new("王", Title::Mr).unwrap()
}

fn zhang() -> Station {
    Station::manager("张伟").unwrap()
}

fn a_call() -> Call {
    Call::new(
        Post::L1,
        Post::Rc,
        Intent::HeadingIn {
            visitor: wang(),
            party: 3,
        },
    )
}

fn intents() -> Vec<Intent> {
    let visitor = wang();
    vec![
        Intent::Hail,
        Intent::WalkInQuery,
        Intent::HeadingIn {
            visitor: visitor.clone(),
            party: 3,
        },
        Intent::AppointmentArrived {
            visitor: visitor.clone(),
            party: 2,
        },
        Intent::ArrivalBroadcast {
            visitor: visitor.clone(),
            party: 4,
            appointment: true,
            description: Some("黑色轿车".into()),
        },
        Intent::VipRequest {
            visitor: visitor.clone(),
        },
        Intent::VipReady { room: 2 },
        Intent::VipDeparting {
            room: 2,
            visitor: visitor.clone(),
        },
        Intent::Drinks {
            drink: "两杯柠檬水".into(),
            room: None,
        },
        Intent::IdCopy { room: 5 },
        Intent::Documents {
            copies: 2,
            material: "户型".into(),
        },
        Intent::Restock {
            items: "纸巾".into(),
        },
        Intent::ClearRoom { room: 1 },
        Intent::RoomCleared { room: 1 },
        Intent::SeeOff {
            visitor: visitor.clone(),
        },
        Intent::Taxi {
            visitor: visitor.clone(),
        },
        Intent::TaxiArrived {
            visitor: visitor.clone(),
            plate: Some("粤B12345".into()),
        },
        Intent::ModelHouseReady { party: 3 },
        Intent::GuestsDown { party: 3 },
        Intent::Shuttle {
            party: 6,
            next_run: true,
        },
        Intent::Assign {
            visitor: visitor.clone(),
            party: 3,
            turn: Turn::ALL[0],
        },
        Intent::LineUp { visitor },
        Intent::Free {
            text: "请注意：大门口有车辆临停".into(),
        },
    ]
}

fn taps() -> Vec<Tap> {
    let manager = ManagerName::new("张伟").unwrap();
    vec![
        Tap::Parked { visit: 1 },
        Tap::Greeted { visit: 1 },
        Tap::TookOver { visit: 1 },
        Tap::EnteredVip { visit: 1, room: 2 },
        Tap::ModelHouse { visit: 1 },
        Tap::Left { visit: 1 },
        Tap::OrderDone { order: 4 },
        Tap::SignIn {
            duty: Some(Duty::Visit),
        },
        Tap::SignIn { duty: None },
        Tap::SignOut,
        Tap::StandBy { at_door: true },
        Tap::AwayOnBusiness,
        Tap::RotaMove {
            manager: manager.clone(),
            position: 0,
        },
        Tap::RotaRemove { manager },
        Tap::SetMode {
            important_event_at: Some(1_790_000_000_000),
            media_day: false,
            rain: true,
        },
        Tap::ResolveAlert {
            alert: "order_overdue:4".into(),
        },
    ]
}

fn commands() -> Vec<Command> {
    vec![
        Command::Connect {
            token: "t0k3n".into(),
            resume: Some(Resume {
                epoch: Some(2),
                from: 17,
            }),
            bundles: true,
        },
        Command::Connect {
            token: String::new(),
            resume: None,
            bundles: false,
        },
        Command::Call { call: a_call() },
        Command::Say {
            sentence: "我是停车场入口，呼叫前台，收到请回答。".into(),
        },
        Command::Answer {
            call_id: 9,
            answer: Answer::CanReceive,
        },
        Command::Tap {
            tap: Tap::Left { visit: 3 },
        },
        Command::State,
        Command::Report {
            date: Some("2026-11-29".into()),
        },
        Command::Report { date: None },
        Command::Ping,
        Command::Preview {
            call: Some(a_call()),
            sentence: None,
        },
        Command::Catalogue,
    ]
}

fn recoveries() -> Vec<Recovery> {
    vec![
        Recovery::Live,
        Recovery::Recovered { from: 12 },
        Recovery::SnapshotNeeded {
            reason: "the epoch changed".into(),
        },
    ]
}

fn replies() -> Vec<ReplyBody> {
    let mut replies: Vec<ReplyBody> = recoveries()
        .into_iter()
        .map(|recovery| ReplyBody::Welcome {
            protocol: 1,
            station: zhang(),
            epoch: 3,
            head: 40,
            recovery,
            time_zone: Some("Asia/Shanghai".into()),
        })
        .collect();
    replies.extend([
        ReplyBody::Placed {
            call_id: 40,
            offset: 40,
            sentence: a_call().render(),
        },
        ReplyBody::Answered { offset: 41 },
        ReplyBody::Tapped { offset: 42 },
        ReplyBody::State {
            state: json!({"head": 43, "visits": [{"id": 1, "stage": "in_vip"}]}),
        },
        ReplyBody::Report {
            report: json!({"date": "2026-11-29", "calls": 12}),
        },
        ReplyBody::Pong { head: 43 },
        ReplyBody::Preview {
            call: Box::new(a_call()),
            sentence: a_call().render(),
        },
        ReplyBody::Catalogue {
            calls: catalogue::for_station(&Station::Post(Post::Sup)),
            answers: catalogue::answers(),
        },
    ]);
    replies
}

fn events() -> Vec<EventKind> {
    let caller = Station::Post(Post::L1);
    let target = Target::from(Post::Rc);
    vec![
        EventKind::CallPlaced {
            call: a_call(),
            awaiting: None,
        },
        EventKind::CallPlaced {
            call: Call::new(Post::L1, Target::All, intents()[4].clone()),
            awaiting: Some(vec![Station::Post(Post::L2)]),
        },
        EventKind::CallAnswered {
            call_id: 5,
            caller: caller.clone(),
            target: target.clone(),
            by: Station::Post(Post::Rc),
            answer: Answer::Received,
            latency_ms: 1200,
            closes: false,
        },
        EventKind::CallRepeated {
            call_id: 5,
            caller: caller.clone(),
            target: target.clone(),
            attempt: 2,
            sentence: a_call().render(),
        },
        EventKind::CallEscalated {
            call_id: 5,
            caller: caller.clone(),
            target: target.clone(),
            sentence: a_call().render(),
        },
        EventKind::TargetOffline {
            call_id: 5,
            caller,
            target,
        },
        EventKind::StationOnline { station: zhang() },
        EventKind::StationOffline { station: zhang() },
        EventKind::Tapped {
            by: zhang(),
            tap: Tap::TookOver { visit: 1 },
            words: "张伟接待王先生".into(),
        },
        EventKind::VisitUpdated {
            visit: Visit {
                id: 1,
                who: Some(wang()),
                party: Some(3),
                appointment: false,
                description: None,
                plate: None,
                stage: Stage::InVip,
                manager: Some(zhang()),
                room: Some(2),
                times: [("in_vip".to_owned(), 9)].into(),
                reception_ok: true,
            },
        },
        EventKind::RoomUpdated {
            room: Room::free(2),
        },
        EventKind::OrderUpdated {
            order: Order {
                id: 4,
                kind: OrderKind::Drinks,
                detail: "两杯柠檬水".into(),
                room: Some(2),
                visit: Some(1),
                asked_by: zhang(),
                owed_by: Station::Post(Post::S1),
                state: OrderState::Acknowledged,
                asked_at: 10,
                acknowledged_at: Some(11),
                done_at: None,
            },
        },
        EventKind::RotaUpdated {
            rota: Rota::default(),
            change: "张伟 signed in".into(),
        },
        EventKind::ModeChanged {
            mode: Mode::default(),
        },
        EventKind::Announcement {
            to: vec![Station::Post(Post::L2)],
            words: "下雨了".into(),
            milestone: None,
        },
        EventKind::AlertRaised {
            alert: Alert {
                id: "order_overdue:4".into(),
                kind: AlertKind::OrderOverdue,
                text: "「两杯柠檬水」超过10分钟未完成".into(),
                to: vec![Station::Post(Post::S1)],
                raised_at: 20,
            },
        },
        EventKind::AlertResolved {
            id: "order_overdue:4".into(),
            to: vec![Station::Post(Post::S1)],
            by: Some(Station::Post(Post::Sup)),
        },
        EventKind::BoardPruned { before: 99 },
        EventKind::RecordLost { repaired_at: 100 },
    ]
}

fn server_frames() -> Vec<ServerFrame> {
    let mut frames: Vec<ServerFrame> = replies()
        .into_iter()
        .map(|body| ServerFrame::Reply { id: 7, body })
        .collect();
    frames.push(ServerFrame::Error {
        id: 8,
        code: ErrorCode::NotUnderstood,
        message: "say who calls first".into(),
        rule: Some("caller_first".into()),
    });
    frames.push(ServerFrame::Error {
        id: 0,
        code: ErrorCode::BadFrame,
        message: "malformed frame".into(),
        rule: None,
    });
    frames.extend(events().into_iter().enumerate().map(|(i, what)| {
        ServerFrame::Event(Event {
            offset: i as u64 + 1,
            at: 1_790_000_000_000,
            what,
        })
    }));
    frames
}

fn client_frames() -> Vec<ClientFrame> {
    let commands = commands().into_iter();
    let taps = taps().into_iter().map(|tap| Command::Tap { tap });
    let calls = intents().into_iter().map(|intent| Command::Call {
        call: Call::new(Post::Sup, Target::All, intent),
    });
    commands
        .chain(taps)
        .chain(calls)
        .enumerate()
        .map(|(id, cmd)| ClientFrame { id: id as u32, cmd })
        .collect()
}

fn decode<T: DeserializeOwned>(codec: Codec, bytes: &[u8]) -> Result<T, String> {
    codec
        .decode_within(bytes, MAX_SERVER_FRAME_BYTES)
        .map_err(|e| e.to_string())
}

/// `value` encoded as our encoders write it, then with its tags moved, decodes to itself.
fn assert_reads_back<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    for codec in Codec::ALL {
        let bytes = codec.encode(value).unwrap();
        assert_eq!(&decode::<T>(codec, &bytes).unwrap(), value, "{codec:?}");
        for order in TagPlace::ALL {
            let bytes = reencode(codec, value, order);
            assert_eq!(
                &decode::<T>(codec, &bytes).unwrap(),
                value,
                "{codec:?} {order:?}"
            );
        }
    }
}

/// The variant names serde knows for `T`, from its own `unknown variant` error.
fn variants<T: DeserializeOwned + Debug>(tag: &str) -> BTreeSet<String> {
    let err = serde_json::from_value::<T>(json!({ tag: "?" })).unwrap_err();
    let err = err.to_string();
    let (_, list) = err.split_once("expected one of ").expect(&err);
    list.split(", ")
        .map(|name| name.trim_matches('`').to_owned())
        .collect()
}

/// The tags of `samples`, as our encoder writes them.
fn tags<T: Serialize>(samples: &[T], tag: &str) -> BTreeSet<String> {
    samples
        .iter()
        .map(|s| {
            serde_json::to_value(s).unwrap()[tag]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn every_variant_has_a_sample() {
    assert_eq!(tags(&commands(), "type"), variants::<Command>("type"));
    assert_eq!(
        tags(&server_frames(), "type"),
        variants::<ServerFrame>("type")
    );
    assert_eq!(tags(&replies(), "kind"), variants::<ReplyBody>("kind"));
    assert_eq!(
        tags(&recoveries(), "outcome"),
        variants::<Recovery>("outcome")
    );
    assert_eq!(tags(&events(), "kind"), variants::<EventKind>("kind"));
    assert_eq!(tags(&intents(), "kind"), variants::<Intent>("kind"));
    assert_eq!(tags(&taps(), "kind"), variants::<Tap>("kind"));
}

#[test]
fn every_variant_reads_back_with_its_tag_anywhere_in_both_codecs() {
    for frame in server_frames() {
        assert_reads_back(&frame);
    }
    for frame in client_frames() {
        assert_reads_back(&frame);
    }
    // Each enum on its own too, not only inside a frame.
    commands().iter().for_each(assert_reads_back);
    replies().iter().for_each(assert_reads_back);
    recoveries().iter().for_each(assert_reads_back);
    events().iter().for_each(assert_reads_back);
    intents().iter().for_each(assert_reads_back);
    taps().iter().for_each(assert_reads_back);
}

/// The error decoding `value` as a `T`, in `codec`, with the tags placed as `order` says.
fn error<T: DeserializeOwned + Serialize + Debug>(
    codec: Codec,
    value: &Value,
    order: TagPlace,
) -> String {
    match decode::<T>(codec, &reencode(codec, value, order)) {
        Ok(read) => panic!("{codec:?} {order:?}: {value} read as {read:?}"),
        Err(e) => e,
    }
}

/// The error decoding `value` as a `T`, the same in both codecs and every order but for JSON's
/// position (`at line 1 column 9`).
fn same_error<T: DeserializeOwned + Serialize + Debug>(value: Value) -> String {
    let mut errors = BTreeSet::new();
    for codec in Codec::ALL {
        for order in TagPlace::ALL {
            let e = error::<T>(codec, &value, order);
            let e = e.split(" at line ").next().unwrap().to_owned();
            errors.insert(e);
        }
    }
    assert_eq!(errors.len(), 1, "{value}: {errors:#?}");
    errors.pop_first().unwrap()
}

#[test]
fn an_unknown_tag_is_named_with_the_variants_expected() {
    assert_eq!(
        same_error::<Command>(json!({"type": "dance", "steps": 3})),
        "malformed frame: unknown variant `dance`, expected one of `connect`, `call`, `say`, \
         `answer`, `tap`, `state`, `report`, `ping`, `preview`, `catalogue`"
    );
    assert_eq!(
        same_error::<Recovery>(json!({"outcome": "lost", "from": 3})),
        "malformed frame: unknown variant `lost`, expected one of `live`, `recovered`, \
         `snapshot_needed`"
    );
    // Nested: the intent inside a call inside a command inside a frame.
    let e = same_error::<ClientFrame>(json!({"id": 1, "cmd": {"type": "call", "call": {
        "caller": "L1", "target": "RC", "intent": {"kind": "teleport", "party": 3}}}}));
    assert!(
        e.starts_with("malformed frame: unknown variant `teleport`, expected one of `hail`"),
        "{e}"
    );
}

#[test]
fn a_missing_tag_is_a_missing_field() {
    assert_eq!(
        same_error::<Command>(json!({"sentence": "收到"})),
        "malformed frame: missing field `type`"
    );
    assert_eq!(
        same_error::<Tap>(json!({"visit": 3})),
        "malformed frame: missing field `kind`"
    );
    for codec in Codec::ALL {
        let empty = codec.encode(&json!({})).unwrap();
        let e = decode::<Intent>(codec, &empty).unwrap_err();
        assert!(
            e.starts_with("malformed frame: missing field `kind`"),
            "{e}"
        );
    }
}

#[test]
fn a_tag_of_the_wrong_type_is_refused() {
    assert_eq!(
        same_error::<Command>(json!({"type": true, "sentence": "收到"})),
        "malformed frame: invalid type: boolean `true`, expected variant identifier"
    );
    assert_eq!(
        same_error::<EventKind>(json!({"kind": {"name": "call_placed"}, "call_id": 1})),
        "malformed frame: invalid type: map, expected variant identifier"
    );
    assert_eq!(
        same_error::<Intent>(json!({"kind": ["hail"]})),
        "malformed frame: invalid type: sequence, expected variant identifier"
    );
}

#[test]
fn a_value_that_is_not_a_map_says_what_it_is() {
    for (value, what) in [
        (json!("ping"), "string \"ping\""),
        (json!(5), "integer `5`"),
        (json!(true), "boolean `true`"),
    ] {
        for codec in Codec::ALL {
            let e = decode::<Command>(codec, &codec.encode(&value).unwrap()).unwrap_err();
            let expected = format!(
                "malformed frame: invalid type: {what}, expected internally tagged enum Command"
            );
            assert!(e.starts_with(&expected), "{codec:?}: {e}");
        }
    }
    let e = decode::<ServerFrame>(Codec::Json, b"null").unwrap_err();
    assert!(
        e.starts_with(
            "malformed frame: invalid type: null, expected internally tagged enum ServerFrame"
        ),
        "{e}"
    );
}

#[test]
fn unknown_fields_are_ignored_as_before() {
    let read = |value: Value| {
        for codec in Codec::ALL {
            for order in TagPlace::ALL {
                let bytes = reencode(codec, &value, order);
                let cmd = decode::<Command>(codec, &bytes).unwrap();
                assert_eq!(cmd, commands()[3], "{codec:?} {order:?}");
            }
        }
    };
    read(
        json!({"type": "say", "sentence": "我是停车场入口，呼叫前台，收到请回答。", "x": [1, {"y": null}]}),
    );
    read(json!({"type": "say", "a": "b", "sentence": "我是停车场入口，呼叫前台，收到请回答。"}));
    // A unit variant reads and ignores whatever is beside its tag.
    for codec in Codec::ALL {
        for order in TagPlace::ALL {
            let bytes = reencode(
                codec,
                &json!({"type": "ping", "since": 3, "x": {"y": [1]}}),
                order,
            );
            assert_eq!(decode::<Command>(codec, &bytes).unwrap(), Command::Ping);
        }
    }
    // Defaults fill fields left out, in either read.
    for order in TagPlace::ALL {
        let bytes = reencode(
            Codec::Json,
            &json!({"type": "connect", "token": null}),
            order,
        );
        assert_eq!(
            decode::<Command>(Codec::Json, &bytes).unwrap(),
            commands()[1]
        );
    }
}

/// A placed call's id is its event's offset and is not carried; an event logged before that
/// (with `call_id` and the sentence beside the call) still reads back, in both codecs.
#[test]
fn a_placed_call_carries_no_id_and_old_ones_still_read() {
    let event = Event {
        offset: 121,
        at: 1_790_000_000_000,
        what: EventKind::CallPlaced {
            call: a_call(),
            awaiting: None,
        },
    };
    assert_eq!(event.placed(), Some((121, &a_call())));
    let fresh = serde_json::to_value(&event).unwrap();
    assert_eq!(fresh["what"].get("call_id"), None, "{fresh}");
    let mut old = fresh.clone();
    old["what"]["call_id"] = json!(121);
    old["what"]["sentence"] = json!(a_call().render());
    for codec in Codec::ALL {
        for order in TagPlace::ALL {
            let bytes = reencode(codec, &old, order);
            assert_eq!(
                decode::<Event>(codec, &bytes).unwrap(),
                event,
                "{codec:?} {order:?}"
            );
        }
    }
    let answered = Event {
        what: events()[2].clone(),
        ..event
    };
    assert_eq!(answered.placed(), None);
}

/// `[[[…depth…nil…]]]` in MessagePack.
fn nested_arrays(depth: usize) -> Vec<u8> {
    let mut bytes = vec![0x91; depth];
    bytes.push(0xc0);
    bytes
}

/// A MessagePack map of `entries`, each a string key and raw value bytes, in order.
fn msgpack_map(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = vec![0x80 | entries.len() as u8];
    for (key, value) in entries {
        bytes.extend(rmp_serde::to_vec(key).unwrap());
        bytes.extend(value);
    }
    bytes
}

#[test]
fn hostile_nesting_is_refused_not_a_stack_overflow() {
    let str = |s: &str| rmp_serde::to_vec(s).unwrap();
    let deep = || nested_arrays(20_000);
    let frames = [
        // Beside the tag of a unit variant (drained), of a struct variant (an unknown field),
        // before the tag (the buffered read), as a field's value, and as the first key.
        msgpack_map(&[("type", str("ping")), ("x", deep())]),
        msgpack_map(&[
            ("type", str("say")),
            ("sentence", str("收到")),
            ("x", deep()),
        ]),
        msgpack_map(&[("x", deep()), ("type", str("ping"))]),
        msgpack_map(&[("type", str("say")), ("sentence", deep())]),
        [vec![0x81], deep(), str("ping")].concat(),
    ];
    // On a thread with a tokio worker's stack: a frame the depth limit did not stop would
    // overflow it.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for bytes in frames {
                assert!(Codec::MsgPack.decode::<Command>(&bytes).is_err());
            }
            // Just within the limit still reads: the limit counts levels, not our frames.
            let mut ok = msgpack_map(&[
                ("type", str("state")),
                ("x", nested_arrays(MAX_MSGPACK_DEPTH - 3)),
            ]);
            assert_eq!(
                Codec::MsgPack.decode::<Command>(&ok).unwrap(),
                Command::State
            );
            ok = msgpack_map(&[
                ("x", nested_arrays(MAX_MSGPACK_DEPTH - 3)),
                ("type", str("state")),
            ]);
            assert_eq!(
                Codec::MsgPack.decode::<Command>(&ok).unwrap(),
                Command::State
            );
            // JSON: serde_json's own limit.
            let json = format!(r#"{{"type":"ping","x":{}}}"#, "[".repeat(20_000));
            assert!(Codec::Json.decode::<Command>(json.as_bytes()).is_err());
            let json = format!(r#"{{"x":{},"type":"ping"}}"#, "[".repeat(20_000));
            assert!(Codec::Json.decode::<Command>(json.as_bytes()).is_err());
        })
        .unwrap()
        .join()
        .unwrap();
}
