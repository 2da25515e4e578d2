//! Which calls a listening tablet answers by itself (`radio listen --ack`): the ones addressed to
//! it that 收到 closes. The walk-in query asks for a decision (可以接待 / 无法接待) that only a
//! person at the reception desk can make, and a report (VIP室已准备好) needs no answer at all.

use protocol::envelope::CallId;
use protocol::{Answer, Event, EventKind, Station, Target};

/// What to do about an event, for a tablet that acknowledges its calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ack {
    /// Answer this call 收到.
    Received(CallId),
    /// The call is for us but needs a person's decision among these answers.
    NeedsPerson {
        call_id: CallId,
        intent: &'static str,
        answers: &'static [Answer],
    },
}

/// What `me` should do about `event`, or `None` (not a call, not for us, a report).
pub fn decide(me: &Station, event: &Event) -> Option<Ack> {
    let EventKind::CallPlaced { call_id, call, .. } = &event.what else {
        return None;
    };
    let for_me = match &call.target {
        Target::Station(s) => s == me,
        // A site-wide broadcast is for every post but the one that made it.
        Target::All => call.caller != *me,
    };
    let answers = call.intent.answers();
    if !for_me || answers.is_empty() {
        return None;
    }
    if answers.contains(&Answer::Received) {
        Some(Ack::Received(*call_id))
    } else {
        Some(Ack::NeedsPerson {
            call_id: *call_id,
            intent: call.intent.kind(),
            answers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::post::Post;
    use protocol::{Call, Intent, Title, Visitor};

    fn placed(call: Call) -> Event {
        Event {
            offset: 5,
            at: 0,
            what: EventKind::CallPlaced {
                call_id: 5,
                sentence: call.render(),
                call,
            },
        }
    }

    fn wang() -> Visitor {
        Visitor {
            surname: "王".into(),
            title: Title::Mr,
        }
    }

    #[test]
    fn calls_for_me_are_received() {
        let call = Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 3 });
        let me = Station::from(Post::S1);
        assert_eq!(decide(&me, &placed(call.clone())), Some(Ack::Received(5)));
        assert_eq!(decide(&Post::G1.into(), &placed(call.clone())), None);
        assert_eq!(decide(&Post::Sup.into(), &placed(call)), None);
    }

    #[test]
    fn a_broadcast_is_for_everyone_but_its_caller() {
        let call = Call::new(
            Post::L1,
            Target::All,
            Intent::ArrivalBroadcast {
                visitor: wang(),
                party: 3,
                appointment: true,
                description: None,
            },
        );
        assert_eq!(
            decide(&Post::Rc.into(), &placed(call.clone())),
            Some(Ack::Received(5))
        );
        assert_eq!(decide(&Post::L1.into(), &placed(call)), None);
    }

    #[test]
    fn the_walk_in_query_needs_a_person_and_reports_need_nothing() {
        let query = Call::new(Post::L1, Post::Rc, Intent::WalkInQuery);
        assert_eq!(
            decide(&Post::Rc.into(), &placed(query)),
            Some(Ack::NeedsPerson {
                call_id: 5,
                intent: "walk_in_query",
                answers: &[Answer::CanReceive, Answer::CannotReceive],
            })
        );
        let me = Station::manager("张伟").unwrap();
        let report = Call::new(Post::G1, me.clone(), Intent::VipReady { room: 3 });
        assert_eq!(decide(&me, &placed(report)), None);
    }

    #[test]
    fn other_events_need_nothing() {
        let online = Event {
            offset: 1,
            at: 0,
            what: EventKind::StationOnline {
                station: Post::S1.into(),
            },
        };
        assert_eq!(decide(&Post::S1.into(), &online), None);
    }
}
