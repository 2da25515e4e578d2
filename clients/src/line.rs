//! An event as one JSON line, the way `radio listen` prints it for people and for scripts (`jq`,
//! drill checkers): flat, so a script reads `.kind`, `.call_id`, `.target` without knowing the
//! envelope. The line is `{"offset":N,"at":MS,"kind":"…", …the event's fields}`; a `call_placed`
//! line also has the call's `caller`, `target` and `intent` at the top level.

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
    sentence: &'a str,
}

/// The JSON line for an event (without the newline).
pub fn event_line(event: &Event) -> String {
    let json = match &event.what {
        EventKind::CallPlaced {
            call_id,
            call,
            sentence,
        } => serde_json::to_string(&Line {
            offset: event.offset,
            at: event.at,
            what: PlacedLine {
                kind: event.what.name(),
                call_id: *call_id,
                call,
                sentence,
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
    use protocol::post::Post;
    use protocol::{Answer, Intent, Station, Target, Title, Visitor};
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
                call_id: 12,
                call,
                sentence: sentence.clone(),
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
                    call_id: 1,
                    sentence: placed.render(),
                    call: placed,
                },
                json!({"call_id": 1, "caller": "X:张伟", "target": "G1",
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
                },
                json!({"call_id": 1, "caller": "X:张伟", "target": "G1", "by": "G1",
                       "answer": "received", "latency_ms": 1500}),
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
        ];
        for (offset, (what, fields)) in (40..).zip(cases) {
            let kind = what.name();
            let line = parse(&event(offset, what));
            assert_eq!(line["offset"], json!(offset), "{kind}");
            assert_eq!(line["at"], json!(1_790_000_000_000 + offset), "{kind}");
            assert_eq!(line["kind"], json!(kind));
            for (k, v) in fields.as_object().unwrap() {
                assert_eq!(&line[k], v, "{kind}.{k}");
            }
            assert!(!line.contains_key("what"), "{kind}");
            // The line starts with the envelope, in this order, for people reading it.
            let text = event_line(&event(offset, line_kind_back(&line)));
            assert!(text.starts_with(&format!(r#"{{"offset":{offset},"at":"#)));
        }
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
