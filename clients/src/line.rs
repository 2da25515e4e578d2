//! An event as one JSON line, the way `radio listen` prints it for people and for scripts (`jq`,
//! drill checkers): flat, so a script reads `.kind`, `.call_id`, `.target` without knowing the
//! envelope. The line is `{"offset":N,"at":MS,"kind":"…", …the event's fields}`; a `call_placed`
//! line also has the call's `caller`, `target` and `intent` at the top level. The board's events
//! keep their object whole under its own key (`visit`, `room`, `order`, `rota`, `mode`, `alert`;
//! a `tapped` line's `tap`, which has its own `kind`), as `/api/state` shows them.

use protocol::envelope::CallId;
use protocol::{Call, Event, EventKind};
use serde::Serialize;

/// The envelope fields every line starts with, then the event's own.
#[derive(Serialize)]
struct Line<W: Serialize> {
    offset: u64,
    at: u64,
    #[serde(flatten)]
    what: W,
}

/// `call_placed` with its call spread out, so every call line reads alike.
#[derive(Serialize)]
struct PlacedLine<'a> {
    kind: &'static str,
    call_id: CallId,
    #[serde(flatten)]
    call: &'a Call,
    /// Said from the typed call, and `call_id` is the event's offset: the event carries neither.
    sentence: String,
}

/// The JSON line for an event (without the newline).
pub fn event_line(event: &Event) -> String {
    let json = match &event.what {
        EventKind::CallPlaced { call, .. } => serde_json::to_string(&Line {
            offset: event.offset,
            at: event.at,
            what: PlacedLine {
                kind: event.what.name(),
                call_id: event.offset,
                call,
                sentence: call.render(),
            },
        }),
        other => serde_json::to_string(&Line {
            offset: event.offset,
            at: event.at,
            what: other,
        }),
    };
    // The protocol's types always serialize; should one ever not, say so on the line itself.
    json.unwrap_or_else(|e| {
        format!(
            r#"{{"offset":{},"at":{},"kind":"{}","error":{:?}}}"#,
            event.offset,
            event.at,
            event.what.name(),
            e.to_string()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::alert::{Alert, AlertKind};
    use protocol::mode::Mode;
    use protocol::order::{Order, OrderKind, OrderState};
    use protocol::post::Post;
    use protocol::room::{Room, RoomState};
    use protocol::rota::{Duty, Rota, RotaEntry};
    use protocol::visit::{Stage, Visit};
    use protocol::{Answer, Intent, ManagerName, Station, Tap, Target, Title, Visitor};
    use serde_json::{Value, json};

    fn parse(event: &Event) -> serde_json::Map<String, Value> {
        let line = event_line(event);
        assert!(!line.contains('\n'), "{line}");
        match serde_json::from_str(&line).unwrap() {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn event(offset: u64, what: EventKind) -> Event {
        Event {
            offset,
            at: 1_790_000_000_000 + offset,
            what,
        }
    }

    fn manager() -> Station {
        Station::manager("张伟").unwrap()
    }

    #[test]
    fn call_placed_spreads_the_call_to_the_top() {
        let call = Call::new(
            manager(),
            Post::G1,
            Intent::VipRequest {
                visitor: Visitor {
                    surname: "王".into(),
                    title: Title::Mr,
                },
            },
        );
        let sentence = call.render();
        let line = event_line(&event(
            12,
            EventKind::CallPlaced {
                call,
                awaiting: None,
            },
        ));
        assert!(
            line.starts_with(r#"{"offset":12,"at":1790000000012,"kind":"call_placed","call_id":12,"caller":"X:张伟","target":"G1","intent":{"kind":"vip_request""#),
            "{line}"
        );
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["intent"]["visitor"], json!({"surname":"王","title":"mr"}));
        assert_eq!(v["sentence"], sentence.as_str());
        assert!(v.get("call").is_none());
    }

    #[test]
    fn every_kind_has_offset_at_kind_and_its_fields_on_top() {
        let caller = manager();
        let target = Target::from(Post::G1);
        let placed = Call::new(caller.clone(), target.clone(), Intent::IdCopy { room: 3 });
        let cases: Vec<(EventKind, Value)> = vec![
            (
                EventKind::CallPlaced {
                    call: placed,
                    awaiting: None,
                },
                json!({"call_id": 40, "caller": "X:张伟", "target": "G1",
                       "intent": {"kind": "id_copy", "room": 3}}),
            ),
            (
                EventKind::CallAnswered {
                    call_id: 1,
                    caller: caller.clone(),
                    target: target.clone(),
                    by: Post::G1.into(),
                    answer: Answer::Received,
                    latency_ms: 1500,
                    closes: true,
                },
                json!({"call_id": 1, "caller": "X:张伟", "target": "G1", "by": "G1",
                       "answer": "received", "latency_ms": 1500, "closes": true}),
            ),
            (
                EventKind::CallRepeated {
                    call_id: 1,
                    caller: caller.clone(),
                    target: target.clone(),
                    attempt: 2,
                    sentence: "s".into(),
                },
                json!({"call_id": 1, "caller": "X:张伟", "target": "G1", "attempt": 2,
                       "sentence": "s"}),
            ),
            (
                EventKind::CallEscalated {
                    call_id: 1,
                    caller: caller.clone(),
                    target: target.clone(),
                    sentence: "s".into(),
                },
                json!({"call_id": 1, "caller": "X:张伟", "target": "G1", "sentence": "s"}),
            ),
            (
                EventKind::TargetOffline {
                    call_id: 1,
                    caller: caller.clone(),
                    target: Target::All,
                },
                json!({"call_id": 1, "caller": "X:张伟", "target": "ALL"}),
            ),
            (
                EventKind::StationOnline {
                    station: Post::S1.into(),
                },
                json!({"station": "S1"}),
            ),
            (
                EventKind::StationOffline {
                    station: caller.clone(),
                },
                json!({"station": "X:张伟"}),
            ),
            (
                EventKind::Tapped {
                    by: Post::Y1.into(),
                    tap: Tap::Greeted { visit: 7 },
                    words: "Y1岗：已在门口迎接王先生一行3人".into(),
                },
                json!({"by": "Y1", "tap": {"kind": "greeted", "visit": 7},
                       "words": "Y1岗：已在门口迎接王先生一行3人"}),
            ),
            (
                EventKind::VisitUpdated { visit: visit() },
                json!({"visit": {"id": 7, "who": "王先生", "party": 3, "stage": "at_door"}}),
            ),
            (
                EventKind::RoomUpdated {
                    room: Room {
                        room: 2,
                        state: RoomState::Occupied,
                        manager: Some(caller.clone()),
                        visit: Some(7),
                        since: 1_790_000_000_000,
                    },
                },
                json!({"room": {"room": 2, "state": "occupied", "manager": "X:张伟", "visit": 7,
                                "since": 1_790_000_000_000u64}}),
            ),
            (
                EventKind::OrderUpdated { order: order() },
                json!({"order": {"id": 40, "kind": "drinks", "owed_by": "S1", "state": "asked"}}),
            ),
            (
                EventKind::RotaUpdated {
                    rota: rota(),
                    change: "张伟 signed in on visit duty".into(),
                },
                json!({"rota": {"next_up": "张伟"}, "change": "张伟 signed in on visit duty"}),
            ),
            (
                EventKind::ModeChanged {
                    mode: Mode {
                        rain: true,
                        ..Mode::default()
                    },
                },
                json!({"mode": {"rain": true, "media_day": false, "important_event_at": null}}),
            ),
            (
                EventKind::Announcement {
                    to: Vec::new(),
                    words: "距重要活动开始还有30分钟：请各岗位清场。".into(),
                    milestone: Some(30),
                },
                json!({"to": [], "words": "距重要活动开始还有30分钟：请各岗位清场。",
                       "milestone": 30}),
            ),
            (
                EventKind::AlertRaised { alert: alert() },
                json!({"alert": {"id": "order_overdue:40", "kind": "order_overdue",
                                 "to": ["S1"]}}),
            ),
            (
                EventKind::AlertResolved {
                    id: "order_overdue:40".into(),
                    to: vec![Post::S1.into()],
                    by: Some(Post::Sup.into()),
                },
                json!({"id": "order_overdue:40", "to": ["S1"], "by": "SUP"}),
            ),
        ];
        let mut named: Vec<&str> = Vec::new();
        for (offset, (what, fields)) in (40..).zip(cases) {
            let kind = what.name();
            named.push(kind);
            let line = parse(&event(offset, what));
            assert_eq!(line["offset"], json!(offset), "{kind}");
            assert_eq!(line["at"], json!(1_790_000_000_000 + offset), "{kind}");
            assert_eq!(line["kind"], json!(kind));
            for (k, v) in fields.as_object().unwrap() {
                assert_fields(&line[k], v, &format!("{kind}.{k}"));
            }
            assert!(!line.contains_key("what"), "{kind}");
            // The line starts with the envelope, in this order, for people reading it.
            let text = event_line(&event(offset, line_kind_back(&line)));
            assert!(text.starts_with(&format!(r#"{{"offset":{offset},"at":"#)));
        }
        // Every kind of event the hub can send is covered above.
        assert_eq!(named.len(), 16, "{named:?}");
    }

    /// `want`'s fields are in `got` with these values; objects are compared field by field, so a
    /// case names only the fields it is about.
    fn assert_fields(got: &Value, want: &Value, at: &str) {
        match want {
            Value::Object(fields) => {
                for (k, v) in fields {
                    assert_fields(&got[k], v, &format!("{at}.{k}"));
                }
            }
            _ => assert_eq!(got, want, "{at}"),
        }
    }

    fn visit() -> Visit {
        let wang = Visitor {
            surname: "王".into(),
            title: Title::Mr,
        };
        let mut v = Visit::new(7, Some(wang), Some(3), true);
        v.enter(Stage::AtGate, 1_790_000_000_000);
        v.enter(Stage::AtDoor, 1_790_000_060_000);
        v
    }

    fn order() -> Order {
        Order {
            id: 40,
            kind: OrderKind::Drinks,
            detail: "两杯柠檬水".into(),
            room: Some(2),
            visit: Some(7),
            asked_by: manager(),
            owed_by: Post::S1.into(),
            state: OrderState::Asked,
            asked_at: 1_790_000_000_000,
            acknowledged_at: None,
            done_at: None,
        }
    }

    fn rota() -> Rota {
        let zhang = ManagerName::new("张伟").unwrap();
        Rota {
            visit: vec![RotaEntry {
                manager: zhang.clone(),
                duty: Duty::Visit,
                standing_by: true,
                skip_next: false,
                owed: 0,
                phone_owed: 0,
                turns: 0,
                signed_in_at: 1_790_000_000_000,
                signed_in: true,
                busy: false,
                on_business: false,
            }],
            phone: Vec::new(),
            next_up: Some(zhang),
            returning_today: Vec::new(),
            short_since: None,
        }
    }

    fn alert() -> Alert {
        Alert {
            id: "order_overdue:40".into(),
            kind: AlertKind::OrderOverdue,
            text: "「两杯柠檬水」超过10分钟未完成".into(),
            to: vec![Post::S1.into()],
            raised_at: 1_790_000_600_000,
        }
    }

    #[test]
    fn a_tap_line_keeps_the_tap_whole_under_its_own_key() {
        let line = event_line(&event(
            9,
            EventKind::Tapped {
                by: manager(),
                tap: Tap::EnteredVip { visit: 7, room: 2 },
                words: "大客户经理张伟：王先生一行3人已进入VIP2室".into(),
            },
        ));
        // The event's kind is on top; the tap's own kind stays inside `tap`.
        assert!(
            line.starts_with(r#"{"offset":9,"at":1790000000009,"kind":"tapped","by":"X:张伟","tap":{"kind":"entered_vip","visit":7,"room":2}"#),
            "{line}"
        );
    }

    #[test]
    fn a_visit_line_names_the_visitor_as_people_say_it() {
        let v = parse(&event(10, EventKind::VisitUpdated { visit: visit() }));
        assert_eq!(v["kind"], "visit_updated");
        assert_eq!(v["visit"]["who"], "王先生");
        assert_eq!(v["visit"]["stage"], "at_door");
        assert_eq!(v["visit"]["times"]["at_gate"], 1_790_000_000_000u64);
        assert_eq!(v["visit"]["times"]["at_door"], 1_790_000_060_000u64);
    }

    #[test]
    fn a_rota_line_carries_the_whole_rota_and_what_changed() {
        let v = parse(&event(
            11,
            EventKind::RotaUpdated {
                rota: rota(),
                change: "张伟 signed in on visit duty".into(),
            },
        ));
        assert_eq!(v["kind"], "rota_updated");
        assert_eq!(v["rota"]["visit"][0]["manager"], "张伟");
        assert_eq!(v["rota"]["visit"][0]["duty"], "visit");
        assert_eq!(v["rota"]["phone"], json!([]));
        assert_eq!(v["rota"]["next_up"], "张伟");
        assert_eq!(v["change"], "张伟 signed in on visit duty");
    }

    #[test]
    fn a_resolved_alert_by_the_hub_itself_has_no_one_by() {
        let v = parse(&event(
            12,
            EventKind::AlertResolved {
                id: "not_greeted:7".into(),
                to: vec![Post::Y1.into(), Post::Y2.into()],
                by: None,
            },
        ));
        assert_eq!(v["kind"], "alert_resolved");
        assert_eq!(v["id"], "not_greeted:7");
        assert_eq!(v["to"], json!(["Y1", "Y2"]));
        assert_eq!(v["by"], Value::Null);
    }

    /// Rebuilds an event kind from a line (the line is all a script has).
    fn line_kind_back(line: &serde_json::Map<String, Value>) -> EventKind {
        let mut fields = line.clone();
        fields.remove("offset");
        fields.remove("at");
        if fields["kind"] == "call_placed" {
            let call = json!({
                "caller": fields.remove("caller").unwrap(),
                "target": fields.remove("target").unwrap(),
                "intent": fields.remove("intent").unwrap(),
            });
            fields.insert("call".into(), call);
        }
        serde_json::from_value(Value::Object(fields)).unwrap()
    }
}
