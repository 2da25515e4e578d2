//! The board's events — visits, rooms, orders, the rota, modes, alerts, taps — travel in both
//! encodings and come back the same, their tags first (as encoded) or anywhere.

mod key_order;

use std::collections::BTreeMap;

use key_order::{TagPlace, reencode};

use protocol::alert::{Alert, AlertKind};
use protocol::mode::Mode;
use protocol::order::{Order, OrderKind, OrderState};
use protocol::room::{Room, RoomState};
use protocol::rota::{Duty, Rota, RotaEntry};
use protocol::visit::{Stage, Visit};
use protocol::{Codec, Event, EventKind, ManagerName, Post, ServerFrame, Station, Tap, Visitor};

fn zhang() -> Station {
    Station::manager("张伟").unwrap()
}

fn events() -> Vec<EventKind> {
    let visit = Visit {
        id: 12,
        who: Some(Visitor::parse("欧阳女士").unwrap()),
        party: Some(3),
        appointment: true,
        description: Some("黑色轿车，灰色西装".into()),
        plate: None,
        stage: Stage::InVip,
        manager: Some(zhang()),
        room: Some(2),
        times: BTreeMap::from([("at_gate".into(), 1), ("in_vip".into(), 9)]),
        reception_ok: false,
    };
    vec![
        EventKind::VisitUpdated {
            visit: visit.clone(),
        },
        EventKind::VisitUpdated {
            visit: Visit {
                who: None,
                party: None,
                ..visit
            },
        },
        EventKind::RoomUpdated {
            room: Room {
                room: 2,
                state: RoomState::Occupied,
                manager: Some(zhang()),
                visit: Some(12),
                since: 5,
            },
        },
        EventKind::OrderUpdated {
            order: Order {
                id: 40,
                kind: OrderKind::Drinks,
                detail: "两杯柠檬水".into(),
                room: Some(2),
                visit: Some(12),
                asked_by: zhang(),
                owed_by: Station::Post(Post::S1),
                state: OrderState::Acknowledged,
                asked_at: 10,
                acknowledged_at: Some(11),
                done_at: None,
            },
        },
        EventKind::RotaUpdated {
            rota: Rota {
                visit: vec![RotaEntry {
                    manager: ManagerName::new("张伟").unwrap(),
                    duty: Duty::Visit,
                    standing_by: true,
                    skip_next: false,
                    owed: 1,
                    phone_owed: 0,
                    turns: 2,
                    signed_in_at: 3,
                    signed_in: true,
                    busy: true,
                    on_business: false,
                }],
                phone: Vec::new(),
                next_up: Some(ManagerName::new("张伟").unwrap()),
                returning_today: vec!["王先生".into()],
                short_since: Some(4),
            },
            change: "张伟 took the turn".into(),
        },
        EventKind::ModeChanged {
            mode: Mode {
                important_event_at: Some(99),
                media_day: false,
                rain: true,
                announced: vec![60],
            },
        },
        EventKind::AlertRaised {
            alert: Alert {
                id: "order_overdue:40".into(),
                kind: AlertKind::OrderOverdue,
                text: "「两杯柠檬水」超过10分钟未完成".into(),
                to: vec![Station::Post(Post::S1)],
                raised_at: 20,
            },
        },
        EventKind::Tapped {
            by: zhang(),
            tap: Tap::EnteredVip { visit: 12, room: 2 },
            words: "…".into(),
        },
        EventKind::Announcement {
            to: Vec::new(),
            words: "距重要活动开始还有60分钟".into(),
            milestone: Some(60),
        },
    ]
}

#[test]
fn board_events_round_trip_in_both_codecs() {
    for (i, what) in events().into_iter().enumerate() {
        let frame = ServerFrame::Event(Event {
            offset: i as u64 + 1,
            at: 7,
            what,
        });
        for codec in Codec::ALL {
            let bytes = codec.encode(&frame).unwrap();
            assert_eq!(
                codec.decode::<ServerFrame>(&bytes).unwrap(),
                frame,
                "{codec:?}"
            );
            for order in TagPlace::ALL {
                let bytes = reencode(codec, &frame, order);
                assert_eq!(
                    codec.decode::<ServerFrame>(&bytes).unwrap(),
                    frame,
                    "{codec:?} {order:?}"
                );
            }
        }
    }
}

#[test]
fn a_visit_names_its_visitor_as_the_staff_say_it() {
    let EventKind::VisitUpdated { visit } = &events()[0] else {
        unreachable!()
    };
    let json = serde_json::to_value(visit).unwrap();
    assert_eq!(json["who"], "欧阳女士");
    assert_eq!(json["stage"], "in_vip");
    assert!(
        serde_json::from_str::<Visit>(&json.to_string().replace("欧阳女士", "欧阳老板")).is_err()
    );
}
