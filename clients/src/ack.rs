//! Which calls a listening tablet answers by itself (`radio listen --ack`), and with what: every
//! call addressed to it that takes an answer. A call that takes 收到 gets 收到; the walk-in query,
//! which takes only 可以接待 / 无法接待, gets the reception desk's standing decision (`--walk-in`).
//! A report (VIP室已准备好) needs no answer at all.

use protocol::envelope::CallId;
use protocol::{Answer, Call, Event, Station, Target};

/// Answer this call with this answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    pub call_id: CallId,
    pub answer: Answer,
}

/// Whether `call` is addressed to `me`: its target, or — for the site-wide broadcast — every
/// post but the one that made it.
pub fn addressed_to(me: &Station, call: &Call) -> bool {
    match &call.target {
        Target::Station(s) => s == me,
        Target::All => call.caller != *me,
    }
}

/// The answer a tablet gives by itself to a call that takes `answers`: 收到 where it is taken,
/// else `decision` (可以接待 or 无法接待, for the walk-in query) where that is taken, else the first
/// answer the call takes. `None` for a report, which takes none.
pub fn answer_for(answers: &[Answer], decision: Answer) -> Option<Answer> {
    [Answer::Received, decision]
        .into_iter()
        .find(|a| answers.contains(a))
        .or_else(|| answers.first().copied())
}

/// What `me` answers to `event`, deciding walk-in queries with `decision`; `None` when the
/// event is not a call for `me`, or the call is a report.
pub fn decide(me: &Station, event: &Event, decision: Answer) -> Option<Ack> {
    let (call_id, call) = event.placed()?;
    if !addressed_to(me, call) {
        return None;
    }
    answer_for(call.intent.answers(), decision).map(|answer| Ack { call_id, answer })
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::EventKind;
    use protocol::post::Post;
    use protocol::{Intent, Title, Visitor};

    fn placed(call: Call) -> Event {
        Event {
            offset: 5,
            at: 0,
            what: EventKind::CallPlaced {
                call,
                awaiting: None,
            },
        }
    }

    fn wang() -> Visitor {
        Visitor {
            surname: "王".into(),
            title: Title::Mr,
        }
    }

    fn ack(answer: Answer) -> Option<Ack> {
        Some(Ack { call_id: 5, answer })
    }

    #[test]
    fn calls_for_me_are_received() {
        let call = Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 3 });
        let me = Station::from(Post::S1);
        for decision in [Answer::CanReceive, Answer::CannotReceive] {
            assert_eq!(
                decide(&me, &placed(call.clone()), decision),
                ack(Answer::Received)
            );
        }
        assert_eq!(
            decide(&Post::G1.into(), &placed(call.clone()), Answer::CanReceive),
            None
        );
        assert_eq!(
            decide(&Post::Sup.into(), &placed(call), Answer::CanReceive),
            None
        );
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
            decide(&Post::Rc.into(), &placed(call.clone()), Answer::CanReceive),
            ack(Answer::Received)
        );
        assert_eq!(
            decide(&Post::L1.into(), &placed(call), Answer::CanReceive),
            None
        );
    }

    #[test]
    fn the_walk_in_query_gets_the_desks_decision_and_reports_need_nothing() {
        let query = Call::new(Post::L1, Post::Rc, Intent::WalkInQuery);
        let rc = Station::from(Post::Rc);
        for decision in [Answer::CanReceive, Answer::CannotReceive] {
            assert_eq!(decide(&rc, &placed(query.clone()), decision), ack(decision));
        }
        let me = Station::manager("张伟").unwrap();
        let report = Call::new(Post::G1, me.clone(), Intent::VipReady { room: 3 });
        assert_eq!(decide(&me, &placed(report), Answer::CanReceive), None);
    }

    #[test]
    fn a_call_that_takes_neither_gets_the_first_answer_it_takes() {
        let only = [Answer::CannotReceive];
        assert_eq!(
            answer_for(&only, Answer::CanReceive),
            Some(Answer::CannotReceive)
        );
        assert_eq!(answer_for(&[], Answer::CanReceive), None);
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
        assert_eq!(decide(&Post::S1.into(), &online, Answer::CanReceive), None);
    }
}
