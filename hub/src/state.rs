//! The live state of the net, folded from the event log: which stations are online, and which
//! calls are open, with when each is next due for a repeat or an escalation. Pure: it reads no
//! clock and does no I/O — every time comes from an event's `at` or a `now` argument — so
//! replaying the log from zero rebuilds exactly the state the hub had.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use protocol::envelope::CallId;
use protocol::{Answer, Call, Event, EventKind, Station, Target};
use serde::{Deserialize, Serialize};

/// A call that went out and is not yet fully answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenCall {
    pub call_id: CallId,
    pub call: Call,
    pub sentence: String,
    /// When it was placed (ms since the Unix epoch).
    pub placed_at: u64,
    /// When it was last said on the net (placed or repeated).
    pub last_said_at: u64,
    /// 1 when placed, 2 after the repeat.
    pub attempt: u8,
    pub escalated: bool,
    /// Whose answer it still waits for. For a call to one station, that station; for a call to
    /// all posts, the posts the catalogue says must answer it (`Intent::must_answer`) that were
    /// online when it went out.
    pub awaiting: BTreeSet<Station>,
    pub answers: Vec<(Station, Answer)>,
    /// The target had no tablet online when it went out.
    pub target_offline: bool,
}

/// What the deadline asks of an open call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Due {
    Repeat(CallId),
    Escalate(CallId),
}

/// Serializable, for the hub's checkpoints: a state saved and loaded again is the same state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NetState {
    /// The last offset folded in (0 before any).
    pub offset: u64,
    pub online: BTreeSet<Station>,
    pub open: BTreeMap<CallId, OpenCall>,
    /// (time due, call) for every open call not yet escalated. Not saved: it follows from the
    /// open calls and the answer deadline in force ([`NetState::restored`]).
    #[serde(skip)]
    due: BTreeSet<(u64, CallId)>,
    pub counts: Counts,
    /// Whom each station last hailed, and when: a bare 「我是…，呼叫…，收到请回答」 opens the
    /// channel, and the matter said next without naming the target again is for that target.
    pub hails: HashMap<Station, (Target, u64)>,
}

/// How long a hail keeps the channel open for a matter said without naming the target.
pub const HAIL_OPEN_MS: u64 = 120_000;

/// Running totals, for metrics and the report.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Counts {
    pub placed: u64,
    pub answered: u64,
    pub repeated: u64,
    pub escalated: u64,
    pub target_offline: u64,
}

impl NetState {
    /// Folds one event in. Events must come in offset order.
    pub fn apply(&mut self, event: &Event, deadline_ms: u64) {
        self.offset = event.offset;
        match &event.what {
            EventKind::CallPlaced { call, awaiting } => {
                let call_id = event.offset;
                self.counts.placed += 1;
                if call.intent == protocol::Intent::Hail {
                    self.hails
                        .insert(call.caller.clone(), (call.target.clone(), event.at));
                } else if self.hails.remove(&call.caller).is_some() {
                    // The matter follows the hail: the hail is done with, answered or not.
                    let superseded: Vec<CallId> = self
                        .open
                        .values()
                        .filter(|o| {
                            o.call.intent == protocol::Intent::Hail
                                && o.call.caller == call.caller
                                && o.call.target == call.target
                        })
                        .map(|o| o.call_id)
                        .collect();
                    for id in superseded {
                        self.close(id, deadline_ms);
                    }
                }
                // Logs from before `awaiting` was written: work it out as the hub did then.
                let awaiting: BTreeSet<Station> = match awaiting {
                    Some(list) => list.iter().cloned().collect(),
                    None => self.awaiting_for(call),
                };
                if awaiting.is_empty() {
                    return; // an announcement with nobody bound to answer it
                }
                self.due.insert((event.at + deadline_ms, call_id));
                self.open.insert(
                    call_id,
                    OpenCall {
                        call_id,
                        call: call.clone(),
                        sentence: call.render(),
                        placed_at: event.at,
                        last_said_at: event.at,
                        attempt: 1,
                        escalated: false,
                        awaiting,
                        answers: Vec::new(),
                        target_offline: false,
                    },
                );
            }
            EventKind::CallAnswered {
                call_id,
                by,
                answer,
                closes,
                ..
            } => {
                self.counts.answered += 1;
                let Some(open) = self.open.get_mut(call_id) else {
                    return;
                };
                open.answers.push((by.clone(), *answer));
                open.awaiting.remove(by);
                if *closes {
                    self.close(*call_id, deadline_ms);
                }
            }
            EventKind::CallRepeated {
                call_id, attempt, ..
            } => {
                self.counts.repeated += 1;
                if let Some(open) = self.open.get_mut(call_id) {
                    self.due
                        .remove(&(open.last_said_at + deadline_ms, *call_id));
                    open.attempt = *attempt;
                    open.last_said_at = event.at;
                    self.due.insert((event.at + deadline_ms, *call_id));
                }
            }
            EventKind::CallEscalated { call_id, .. } => {
                self.counts.escalated += 1;
                if let Some(open) = self.open.get_mut(call_id) {
                    self.due
                        .remove(&(open.last_said_at + deadline_ms, *call_id));
                    open.escalated = true;
                }
            }
            EventKind::TargetOffline { call_id, .. } => {
                self.counts.target_offline += 1;
                if let Some(open) = self.open.get_mut(call_id) {
                    open.target_offline = true;
                }
            }
            EventKind::StationOnline { station } => {
                self.online.insert(station.clone());
            }
            EventKind::StationOffline { station } => {
                self.online.remove(station);
            }
            // A new day: calls from before it that nobody ever answered (escalated long ago)
            // stop being tracked, so open calls cannot pile up without end.
            EventKind::BoardPruned { before } => {
                let stale: Vec<CallId> = self
                    .open
                    .values()
                    .filter(|c| c.placed_at < *before)
                    .map(|c| c.call_id)
                    .collect();
                for id in stale {
                    self.close(id, deadline_ms);
                }
                self.hails.retain(|_, (_, at)| *at >= *before);
            }
            // The site's board folds these (see `board`).
            _ => {}
        }
    }

    /// A state loaded from a checkpoint, its deadlines worked out again with the answer
    /// deadline in force — as a replay under that deadline would have them.
    pub fn restored(mut self, deadline_ms: u64) -> NetState {
        self.due = self
            .open
            .values()
            .filter(|o| !o.escalated)
            .map(|o| (o.last_said_at + deadline_ms, o.call_id))
            .collect();
        self
    }

    /// The earliest time anything the state holds is from (an open call, a hail).
    pub fn holds_since(&self) -> Option<u64> {
        let calls = self.open.values().map(|o| o.placed_at);
        let hails = self.hails.values().map(|(_, at)| *at);
        calls.chain(hails).min()
    }

    /// Whose answers a call about to go out will wait for: its target; for a call to all posts,
    /// the posts the catalogue says it sets to work (`Intent::must_answer`) that are online; for
    /// a report, nobody.
    pub fn awaiting_for(&self, call: &Call) -> BTreeSet<Station> {
        if call.is_report() {
            return BTreeSet::new();
        }
        match &call.target {
            Target::Station(s) => BTreeSet::from([s.clone()]),
            Target::All => {
                let must = call.intent.must_answer();
                self.online
                    .iter()
                    .filter(|s| **s != call.caller && s.post().is_some_and(|p| must.contains(&p)))
                    .cloned()
                    .collect()
            }
        }
    }

    /// Whether an answer by `by` closes open call `call_id`: any accepted answer closes a call
    /// to one station; a call to all posts closes with the last post it waits for, or the
    /// supervisor's answer.
    pub fn closes(&self, call_id: CallId, by: &Station) -> bool {
        let Some(open) = self.open.get(&call_id) else {
            return false;
        };
        match &open.call.target {
            Target::Station(_) => true,
            Target::All => by.is_supervisor() || open.awaiting.iter().all(|s| s == by),
        }
    }

    fn close(&mut self, call_id: CallId, deadline_ms: u64) {
        if let Some(open) = self.open.remove(&call_id) {
            self.due.remove(&(open.last_said_at + deadline_ms, call_id));
        }
    }

    /// Whom `station` hailed last, if the channel is still open at `now`.
    pub fn hailed(&self, station: &Station, now: u64) -> Option<&Target> {
        self.hails
            .get(station)
            .filter(|(_, at)| now.saturating_sub(*at) <= HAIL_OPEN_MS)
            .map(|(t, _)| t)
    }

    /// When the next open call falls due, if any.
    pub fn next_due(&self) -> Option<u64> {
        self.due.first().map(|(t, _)| *t)
    }

    /// The open calls whose deadline has passed at `now`: the first silence earns a repeat, the
    /// second an escalation to the supervisor.
    pub fn due(&self, now: u64) -> Vec<Due> {
        self.due
            .iter()
            .take_while(|(t, _)| *t <= now)
            .filter_map(|(_, id)| {
                let open = self.open.get(id)?;
                Some(if open.attempt < 2 {
                    Due::Repeat(*id)
                } else {
                    Due::Escalate(*id)
                })
            })
            .collect()
    }

    /// Checks an answer against the open call, returning the call it answers.
    pub fn check_answer(
        &self,
        call_id: CallId,
        by: &Station,
        answer: Answer,
    ) -> Result<&OpenCall, AnswerError> {
        let open = self.open.get(&call_id).ok_or(AnswerError::Unknown)?;
        let addressed = match &open.call.target {
            Target::Station(t) => {
                t == by
                    || by
                        .post()
                        .is_some_and(|p| open.call.intent.also_answered_by().contains(&p))
            }
            Target::All => *by != open.call.caller,
        };
        if !addressed && !by.is_supervisor() {
            return Err(AnswerError::NotYours);
        }
        if open.answers.iter().any(|(s, _)| s == by) {
            return Err(AnswerError::AlreadyAnswered);
        }
        if !open.call.intent.answers().contains(&answer) {
            return Err(AnswerError::Wrong(open.call.intent.answers()));
        }
        Ok(open)
    }

    /// Calls per station still waiting for them, for the snapshot.
    pub fn open_for(&self, station: &Station) -> impl Iterator<Item = &OpenCall> {
        self.open.values().filter(move |c| {
            station.is_supervisor() || c.call.caller == *station || c.awaiting.contains(station)
        })
    }
}

/// Why an answer was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerError {
    Unknown,
    NotYours,
    AlreadyAnswered,
    Wrong(&'static [Answer]),
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Intent, Post};

    const DEADLINE: u64 = 8_000;

    fn ev(offset: u64, at: u64, what: EventKind) -> Event {
        Event { offset, at, what }
    }

    fn placed(offset: u64, at: u64, call: Call) -> Event {
        ev(
            offset,
            at,
            EventKind::CallPlaced {
                call,
                awaiting: None,
            },
        )
    }

    #[test]
    fn silence_earns_a_repeat_then_an_escalation_then_nothing_more() {
        let mut s = NetState::default();
        let call = Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 1 });
        s.apply(&placed(1, 1_000, call.clone()), DEADLINE);
        assert_eq!(s.due(8_999), vec![]);
        assert_eq!(s.due(9_000), vec![Due::Repeat(1)]);
        s.apply(
            &ev(
                2,
                9_000,
                EventKind::CallRepeated {
                    call_id: 1,
                    caller: call.caller.clone(),
                    target: call.target.clone(),
                    attempt: 2,
                    sentence: String::new(),
                },
            ),
            DEADLINE,
        );
        assert_eq!(s.next_due(), Some(17_000));
        assert_eq!(s.due(17_000), vec![Due::Escalate(1)]);
        s.apply(
            &ev(
                3,
                17_000,
                EventKind::CallEscalated {
                    call_id: 1,
                    caller: call.caller.clone(),
                    target: call.target.clone(),
                    sentence: String::new(),
                },
            ),
            DEADLINE,
        );
        assert_eq!(s.due(1_000_000), vec![]);
        assert!(s.open.contains_key(&1), "still open until answered");
    }

    #[test]
    fn a_new_day_stops_tracking_the_calls_nobody_ever_answered() {
        let mut s = NetState::default();
        let call = Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 1 });
        s.apply(&placed(1, 1_000, call.clone()), DEADLINE);
        s.apply(&placed(2, 90_000_000, call), DEADLINE);
        s.apply(
            &ev(3, 90_000_001, EventKind::BoardPruned { before: 86_400_000 }),
            DEADLINE,
        );
        assert!(!s.open.contains_key(&1), "yesterday's call is let go");
        assert!(s.open.contains_key(&2), "today's stays");
        assert_eq!(s.next_due(), Some(90_000_000 + DEADLINE));
    }

    #[test]
    fn an_answer_closes_the_call_and_its_deadline() {
        let mut s = NetState::default();
        let call = Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 1 });
        s.apply(&placed(1, 1_000, call.clone()), DEADLINE);
        let s1 = Station::Post(Post::S1);
        assert_eq!(
            s.check_answer(1, &Station::Post(Post::L1), Answer::Received),
            Err(AnswerError::NotYours)
        );
        assert!(matches!(
            s.check_answer(1, &s1, Answer::CanReceive),
            Err(AnswerError::Wrong(_))
        ));
        assert!(s.check_answer(1, &s1, Answer::Received).is_ok());
        s.apply(
            &ev(
                2,
                2_000,
                EventKind::CallAnswered {
                    call_id: 1,
                    caller: call.caller,
                    target: call.target,
                    by: s1,
                    answer: Answer::Received,
                    latency_ms: 1_000,
                    closes: true,
                },
            ),
            DEADLINE,
        );
        assert!(s.open.is_empty());
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn a_broadcast_waits_for_every_station_online_when_it_went_out() {
        let mut s = NetState::default();
        for (i, p) in [Post::L1, Post::L2, Post::Y1].into_iter().enumerate() {
            s.apply(
                &ev(
                    i as u64 + 1,
                    0,
                    EventKind::StationOnline {
                        station: Station::Post(p),
                    },
                ),
                DEADLINE,
            );
        }
        let call = Call::new(
            Post::L1,
            Target::All,
            Intent::ArrivalBroadcast {
                visitor: protocol::Visitor::parse("王先生").unwrap(),
                party: 2,
                appointment: true,
                description: None,
            },
        );
        s.apply(&placed(4, 10, call.clone()), DEADLINE);
        assert_eq!(s.open[&4].awaiting.len(), 2);
        for (i, p) in [Post::L2, Post::Y1].into_iter().enumerate() {
            let by = Station::Post(p);
            let closes = s.closes(4, &by);
            assert_eq!(closes, i == 1, "the last one waited for closes it");
            s.apply(
                &ev(
                    5 + i as u64,
                    20,
                    EventKind::CallAnswered {
                        call_id: 4,
                        caller: call.caller.clone(),
                        target: Target::All,
                        by,
                        answer: Answer::Received,
                        latency_ms: 10,
                        closes,
                    },
                ),
                DEADLINE,
            );
            assert_eq!(s.open.contains_key(&4), i == 0);
        }
    }
}
