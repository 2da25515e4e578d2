//! Properties over generated calls: every intent renders to a sentence that parses back to the
//! same call, both codecs round-trip it (its tags first, as encoded, or anywhere), and no input —
//! bytes or text — makes a decoder or the parser panic.

mod key_order;

use key_order::{TagPlace, reencode};
use proptest::prelude::*;
use protocol::envelope::{ClientFrame, Command, Event, EventKind, ServerFrame};
use protocol::intent::Role;
use protocol::rota::Turn;
use protocol::{Call, Codec, Intent, Post, Station, Target, Title, Utterance, Visitor};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "欧阳", "司马", "上官", "诸葛", "Smith",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
];
/// Words for free-text fields: drinks, materials, items, descriptions.
const WORDS: &[&str] = &[
    "柠檬水",
    "咖啡",
    "绿茶",
    "两杯",
    "冰块",
    "户型图",
    "价格表",
    "楼书",
    "纸巾",
    "黑色",
    "轿车",
    "灰色西装",
    "戴眼镜",
    "带小孩",
    "Audi",
    "A6",
    "粤B12345",
    "3",
];

fn visitor() -> impl Strategy<Value = Visitor> {
    (
        prop::sample::select(SURNAMES),
        prop::sample::select(&Title::ALL[..]),
    )
        .prop_map(|(s, t)| Visitor::new(s, t).unwrap())
}

fn manager() -> impl Strategy<Value = Station> {
    (
        prop::sample::select(&SURNAMES[..20]),
        prop::collection::vec(prop::sample::select(GIVEN), 1..3),
    )
        .prop_map(|(s, g)| Station::manager(&format!("{s}{}", g.concat())).unwrap())
}

fn words(sep: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 1..4).prop_map(move |w| w.join(sep))
}

/// Chinese plates: province, office letter, five characters (six for new energy).
fn plate() -> impl Strategy<Value = String> {
    "[京沪粤川苏浙][A-HJ-NP-Z][0-9A-HJ-NP-Z]{5,6}"
}

fn party() -> impl Strategy<Value = u16> {
    1u16..=999
}

fn room() -> impl Strategy<Value = u8> {
    1u8..=99
}

fn intent() -> impl Strategy<Value = Intent> {
    prop_oneof![
        Just(Intent::Hail),
        Just(Intent::WalkInQuery),
        (visitor(), party()).prop_map(|(visitor, party)| Intent::HeadingIn { visitor, party }),
        (visitor(), party())
            .prop_map(|(visitor, party)| Intent::AppointmentArrived { visitor, party }),
        (
            visitor(),
            party(),
            any::<bool>(),
            prop::option::of(words("，"))
        )
            .prop_map(|(visitor, party, appointment, description)| {
                Intent::ArrivalBroadcast {
                    visitor,
                    party,
                    appointment,
                    description,
                }
            }),
        visitor().prop_map(|visitor| Intent::VipRequest { visitor }),
        room().prop_map(|room| Intent::VipReady { room }),
        (room(), visitor()).prop_map(|(room, visitor)| Intent::VipDeparting { room, visitor }),
        (words(""), prop::option::of(room()))
            .prop_map(|(drink, room)| Intent::Drinks { drink, room }),
        room().prop_map(|room| Intent::IdCopy { room }),
        (party(), words("")).prop_map(|(copies, material)| Intent::Documents { copies, material }),
        words("和").prop_map(|items| Intent::Restock { items }),
        room().prop_map(|room| Intent::ClearRoom { room }),
        room().prop_map(|room| Intent::RoomCleared { room }),
        visitor().prop_map(|visitor| Intent::SeeOff { visitor }),
        visitor().prop_map(|visitor| Intent::Taxi { visitor }),
        (visitor(), prop::option::of(plate()))
            .prop_map(|(visitor, plate)| Intent::TaxiArrived { visitor, plate }),
        visitor().prop_map(|visitor| Intent::LineUp { visitor }),
        party().prop_map(|party| Intent::ModelHouseReady { party }),
        party().prop_map(|party| Intent::GuestsDown { party }),
        (party(), any::<bool>()).prop_map(|(party, next_run)| Intent::Shuttle { party, next_run }),
        (visitor(), party(), prop::sample::select(&Turn::ALL[..])).prop_map(
            |(visitor, party, turn)| Intent::Assign {
                visitor,
                party,
                turn
            }
        ),
        words("，").prop_map(|text| Intent::Free { text }),
    ]
}

fn station_for(role: Role, any_station: Station, x: Station) -> Target {
    match role {
        Role::Post(p) => Target::from(p),
        Role::AnyManager | Role::ManagerOrSupervisor => Target::Station(x),
        Role::All => Target::All,
        Role::Anyone => Target::Station(any_station),
    }
}

fn any_station() -> impl Strategy<Value = Station> {
    prop_oneof![
        prop::sample::select(&Post::ALL[..]).prop_map(Station::Post),
        manager()
    ]
}

/// A call as the catalogue allows it: a caller that makes it (sometimes the supervisor standing
/// in), and its proper target.
fn call() -> impl Strategy<Value = Call> {
    (
        intent(),
        any_station(),
        any_station(),
        manager(),
        manager(),
        any::<prop::sample::Index>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(intent, a, b, x1, x2, pick, as_sup)| {
            let callers = intent.callers();
            let caller = if as_sup {
                Station::Post(Post::Sup)
            } else {
                match station_for(callers[pick.index(callers.len())], a, x1) {
                    Target::Station(s) => s,
                    Target::All => unreachable!("no call is made by all posts"),
                }
            };
            let target = station_for(intent.target(), b, x2);
            Call {
                caller,
                target,
                intent,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn render_then_parse_gives_back_the_call(call in call()) {
        prop_assert_eq!(call.check(), Ok(()));
        let sentence = call.render();
        match Call::parse(&sentence) {
            Ok(Utterance::Call(back)) => prop_assert_eq!(back, call, "sentence: {}", sentence),
            other => prop_assert!(false, "{} parsed as {:?}", sentence, other),
        }
    }

    #[test]
    fn both_codecs_round_trip_calls_in_every_frame(call in call(), offset in any::<u64>(), id in any::<u32>()) {
        let push = ServerFrame::Event(Event {
            offset,
            at: 1_790_000_000_000,
            what: EventKind::CallPlaced { call: call.clone(), awaiting: None },
        });
        let cmd = ClientFrame { id, cmd: Command::Call { call } };
        for codec in Codec::ALL {
            let bytes = codec.encode(&push).unwrap();
            prop_assert_eq!(&codec.decode::<ServerFrame>(&bytes).unwrap(), &push);
            let bytes = codec.encode(&cmd).unwrap();
            prop_assert_eq!(&codec.decode::<ClientFrame>(&bytes).unwrap(), &cmd);
            // The same frames with their tags moved, as a client typing JSON may write them.
            for order in TagPlace::ALL {
                let bytes = reencode(codec, &push, order);
                prop_assert_eq!(&codec.decode::<ServerFrame>(&bytes).unwrap(), &push);
                let bytes = reencode(codec, &cmd, order);
                prop_assert_eq!(&codec.decode::<ClientFrame>(&bytes).unwrap(), &cmd);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for codec in Codec::ALL {
            let _ = codec.decode::<ClientFrame>(&bytes);
            let _ = codec.decode::<ServerFrame>(&bytes);
        }
    }

    #[test]
    fn mutated_frames_never_panic_the_decoders(call in call(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let frame = ClientFrame { id: 7, cmd: Command::Call { call } };
        for codec in Codec::ALL {
            let mut bytes = codec.encode(&frame).unwrap().to_vec();
            for (at, b) in &flips {
                let i = at.index(bytes.len());
                bytes[i] = *b;
            }
            let _ = codec.decode::<ClientFrame>(&bytes);
        }
    }

    #[test]
    fn arbitrary_strings_never_panic_the_parser(said in any::<String>()) {
        let _ = Call::parse(&said);
    }

    #[test]
    fn near_standard_sentences_never_panic_the_parser(call in call(), cut in any::<prop::sample::Index>(), junk in "[，。,.\\s0-9a-zA-Z我是呼叫收到请回答VIP室一行人十两先生小姐\\u{0}-\\u{ffff}]{0,12}") {
        let sentence = call.render();
        let chars: Vec<char> = sentence.chars().collect();
        let at = cut.index(chars.len() + 1);
        let mutated: String = chars[..at].iter().collect::<String>() + &junk + &chars[at..].iter().collect::<String>();
        if let Err(refusal) = Call::parse(&mutated) {
            prop_assert!(!refusal.to_string().is_empty());
        }
    }
}

#[test]
fn oversized_frames_are_refused_before_reading() {
    let big = vec![b'['; protocol::codec::MAX_FRAME_BYTES + 1];
    for codec in Codec::ALL {
        let err = codec.decode::<ClientFrame>(&big).unwrap_err();
        assert!(err.to_string().contains("over the limit"), "{err}");
    }
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    let json = "[".repeat(60_000);
    assert!(Codec::Json.decode::<ClientFrame>(json.as_bytes()).is_err());
    // MessagePack: 60k nested one-element arrays.
    let msgpack = vec![0x91u8; 60_000];
    assert!(Codec::MsgPack.decode::<ClientFrame>(&msgpack).is_err());
}

#[test]
fn json_frames_read_as_documented() {
    let frame: ClientFrame = Codec::Json
        .decode(
            r#"{"id":1,"cmd":{"type":"call","call":{"caller":"X:张伟","target":"S1","intent":{"kind":"drinks","drink":"咖啡","room":2}}}}"#
                .as_bytes(),
        )
        .unwrap();
    let Command::Call { call } = frame.cmd else {
        panic!("not a call")
    };
    assert_eq!(
        call.render(),
        "我是大客户经理张伟，呼叫水吧，请送咖啡至VIP2室，收到请回答。"
    );
}
