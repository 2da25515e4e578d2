//! Which call an answer said on its own is for (`radio say 可以接待`): as a person at the post
//! answers the call they heard first, the oldest call still open that is addressed to this
//! tablet's station, that the station has not answered yet, and that takes that answer — read
//! from the hub's state snapshot (`open_calls`, PROTOCOL.md §10).

use protocol::envelope::CallId;
use protocol::{Answer, Call, Station};
use serde::Deserialize;

use crate::ack::addressed_to;

/// An open call as the state snapshot lists it: the fields an answer needs.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct OpenCall {
    pub call_id: CallId,
    pub call: Call,
    /// The standard sentence the target heard: how a person tells the call apart.
    pub sentence: String,
    /// `[station, answer]` pairs already given (a broadcast waits for several).
    #[serde(default)]
    pub answers: Vec<(Station, Answer)>,
}

/// The calls in `state` (a snapshot as `me` sees it) that `me` may answer with `answer`, oldest
/// first. An error names what in the snapshot could not be read.
pub fn answerable(
    state: &serde_json::Value,
    me: &Station,
    answer: Answer,
) -> Result<Vec<OpenCall>, String> {
    let listed = state.get("open_calls").cloned().ok_or_else(|| {
        "the hub's state has no open_calls: is the hub older than this radio?".to_owned()
    })?;
    let mut calls: Vec<OpenCall> = serde_json::from_value(listed)
        .map_err(|e| format!("cannot read the hub's open_calls: {e}"))?;
    calls.retain(|c| {
        addressed_to(me, &c.call)
            && !c.answers.iter().any(|(by, _)| by == me)
            && c.call.intent.answers().contains(&answer)
    });
    calls.sort_by_key(|c| c.call_id);
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Intent, Post, Target, Title, Visitor};
    use serde_json::json;

    fn open(call_id: CallId, call: Call, answers: serde_json::Value) -> serde_json::Value {
        json!({
            "call_id": call_id,
            "sentence": call.render(),
            "call": call,
            "placed_at": 1,
            "attempt": 1,
            "awaiting": [],
            "answers": answers,
        })
    }

    fn state() -> serde_json::Value {
        let wang = Visitor {
            surname: "王".into(),
            title: Title::Mr,
        };
        let query = Call::new(Post::L1, Post::Rc, Intent::WalkInQuery);
        let heading = Call::new(
            Post::L1,
            Post::Rc,
            Intent::HeadingIn {
                visitor: wang.clone(),
                party: 3,
            },
        );
        let broadcast = Call::new(
            Post::L1,
            Target::All,
            Intent::ArrivalBroadcast {
                visitor: wang,
                party: 3,
                appointment: true,
                description: None,
            },
        );
        json!({"open_calls": [
            open(9, query.clone(), json!([])),
            open(4, heading, json!([])),
            open(7, query, json!([])),
            open(2, broadcast, json!([["S1", "received"]])),
        ]})
    }

    fn ids(me: Post, answer: Answer) -> Vec<CallId> {
        answerable(&state(), &me.into(), answer)
            .unwrap()
            .iter()
            .map(|c| c.call_id)
            .collect()
    }

    #[test]
    fn the_calls_for_me_that_take_the_answer_oldest_first() {
        assert_eq!(ids(Post::Rc, Answer::CanReceive), [7, 9]);
        assert_eq!(ids(Post::Rc, Answer::CannotReceive), [7, 9]);
        assert_eq!(ids(Post::Rc, Answer::Received), [2, 4]);
    }

    #[test]
    fn not_another_posts_call_nor_one_already_answered_nor_my_own() {
        assert_eq!(ids(Post::S1, Answer::Received), Vec::<CallId>::new());
        assert_eq!(ids(Post::G1, Answer::Received), [2]);
        assert_eq!(ids(Post::L1, Answer::Received), Vec::<CallId>::new());
        assert_eq!(ids(Post::G1, Answer::CanReceive), Vec::<CallId>::new());
    }

    #[test]
    fn a_snapshot_without_open_calls_is_an_error_that_says_so() {
        let e = answerable(&json!({}), &Post::Rc.into(), Answer::Received).unwrap_err();
        assert!(e.contains("open_calls"), "{e}");
        let e = answerable(
            &json!({"open_calls": [{"call_id": "x"}]}),
            &Post::Rc.into(),
            Answer::Received,
        )
        .unwrap_err();
        assert!(e.contains("cannot read"), "{e}");
    }
}
