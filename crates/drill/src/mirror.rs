//! The net as the supervisor's tablet sees it: every event of the drill's day, folded into the
//! board (visitor groups, VIP rooms, the rota, alarms) the way a dashboard folds it, plus a record
//! of every call — when it went out, whom it waited for, who answered and how fast (the hub's own
//! `latency_ms`), repeats, escalations, a target offline. The virtual staff read the board as
//! staff read the dashboard (which room is being prepared for me, who is next up on the rota);
//! the report is counted from the records.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use protocol::alert::Alert;
use protocol::envelope::CallId;
use protocol::room::Room;
use protocol::rota::Rota;
use protocol::visit::{Stage, Visit, VisitId};
use protocol::{Answer, Call, Event, EventKind, Post, Station, Target, Visitor};
use tokio::sync::watch;

/// One call of the day.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub call: Call,
    pub placed_at: u64,
    /// The stations whose answer the call waits for.
    pub awaiting: Vec<Station>,
    /// (who, what, the hub's latency, when).
    pub answers: Vec<(Station, Answer, u64, u64)>,
    pub closed_at: Option<u64>,
    /// When the hub repeated it, and whom it was still waiting for then.
    pub repeats: Vec<(u64, Vec<Station>)>,
    pub escalated: Option<(u64, Vec<Station>)>,
    pub target_offline: bool,
}

impl CallRecord {
    /// The stations still owing an answer.
    pub fn owing(&self) -> Vec<Station> {
        if self.closed_at.is_some() {
            return Vec::new();
        }
        self.awaiting
            .iter()
            .filter(|s| !self.answers.iter().any(|(by, ..)| by == *s))
            .cloned()
            .collect()
    }
}

/// A visit's move to a stage, as the hub logged it.
#[derive(Clone, Debug)]
pub struct Transition {
    pub visit: VisitId,
    pub stage: Stage,
    pub at: u64,
}

/// The board and the day's records.
#[derive(Debug, Default)]
pub struct Board {
    pub visits: BTreeMap<VisitId, Visit>,
    pub rooms: BTreeMap<u8, Room>,
    pub rota: Rota,
    /// Alerts open now.
    pub alerts: BTreeMap<String, Alert>,
    /// Every alert raised today.
    pub raised: Vec<Alert>,
    pub calls: BTreeMap<CallId, CallRecord>,
    pub transitions: Vec<Transition>,
    /// Taps, by the station that made them and their kind.
    pub taps: Vec<(Station, &'static str, u64)>,
    /// Tablets online per station, as SUP hears it.
    pub online: BTreeMap<Station, bool>,
    pub announcements: u64,
    pub events: u64,
    pub last_offset: u64,
    pub first_at: Option<u64>,
    pub last_at: u64,
}

impl Board {
    /// Folds one event in.
    pub fn apply(&mut self, e: &Event) {
        self.events += 1;
        self.last_offset = self.last_offset.max(e.offset);
        self.first_at.get_or_insert(e.at);
        self.last_at = self.last_at.max(e.at);
        match &e.what {
            EventKind::CallPlaced { call, awaiting } => {
                let call_id = e.offset;
                let awaiting = match awaiting {
                    Some(list) => list.clone(),
                    None if call.intent.answers().is_empty() => Vec::new(),
                    None => call.target.station().cloned().into_iter().collect(),
                };
                let closed_at = awaiting.is_empty().then_some(e.at);
                self.calls.insert(
                    call_id,
                    CallRecord {
                        call: call.clone(),
                        placed_at: e.at,
                        awaiting,
                        answers: Vec::new(),
                        closed_at,
                        repeats: Vec::new(),
                        escalated: None,
                        target_offline: false,
                    },
                );
            }
            EventKind::CallAnswered {
                call_id,
                by,
                answer,
                latency_ms,
                closes,
                ..
            } => {
                if let Some(c) = self.calls.get_mut(call_id) {
                    c.answers.push((by.clone(), *answer, *latency_ms, e.at));
                    if *closes {
                        c.closed_at.get_or_insert(e.at);
                    }
                }
            }
            EventKind::CallRepeated { call_id, .. } => {
                if let Some(c) = self.calls.get_mut(call_id) {
                    let owing = c.owing();
                    c.repeats.push((e.at, owing));
                }
            }
            EventKind::CallEscalated { call_id, .. } => {
                if let Some(c) = self.calls.get_mut(call_id) {
                    let owing = c.owing();
                    c.escalated = Some((e.at, owing));
                }
            }
            EventKind::TargetOffline { call_id, .. } => {
                if let Some(c) = self.calls.get_mut(call_id) {
                    c.target_offline = true;
                }
            }
            EventKind::StationOnline { station } => {
                self.online.insert(station.clone(), true);
            }
            EventKind::StationOffline { station } => {
                self.online.insert(station.clone(), false);
            }
            EventKind::Tapped { by, tap, .. } => self.taps.push((by.clone(), tap.kind(), e.at)),
            EventKind::VisitUpdated { visit } => {
                let before = self.visits.get(&visit.id).map(|v| v.stage);
                if before != Some(visit.stage) {
                    self.transitions.push(Transition {
                        visit: visit.id,
                        stage: visit.stage,
                        at: e.at,
                    });
                }
                self.visits.insert(visit.id, visit.clone());
            }
            EventKind::RoomUpdated { room } => {
                self.rooms.insert(room.room, room.clone());
            }
            EventKind::RotaUpdated { rota, .. } => self.rota = rota.clone(),
            EventKind::AlertRaised { alert } => {
                self.alerts.insert(alert.id.clone(), alert.clone());
                self.raised.push(alert.clone());
            }
            EventKind::AlertResolved { id, .. } => {
                self.alerts.remove(id);
            }
            EventKind::Announcement { .. } => self.announcements += 1,
            EventKind::OrderUpdated { .. }
            | EventKind::ModeChanged { .. }
            | EventKind::BoardPruned { .. }
            | EventKind::RecordLost { .. } => {}
        }
    }

    /// The group of this name still on the site (the latest), if the hub knows it.
    pub fn visit_named(&self, who: &Visitor) -> Option<&Visit> {
        self.visits
            .values()
            .rev()
            .find(|v| v.is(who) && v.stage.is_active())
    }

    /// The group of this name, on the site or not (the latest).
    pub fn any_visit_named(&self, who: &Visitor) -> Option<&Visit> {
        self.visits.values().rev().find(|v| v.is(who))
    }

    /// Calls not yet closed.
    pub fn open_calls(&self) -> usize {
        self.calls
            .values()
            .filter(|c| c.closed_at.is_none())
            .count()
    }

    pub fn escalations(&self) -> usize {
        self.calls
            .values()
            .filter(|c| c.escalated.is_some())
            .count()
    }

    pub fn on_site(&self) -> usize {
        self.visits.values().filter(|v| v.stage.is_active()).count()
    }

    /// The room the butler should report ready for `who`, the group of `manager`: the one
    /// being prepared (or ready) for that group, else one held for the manager and no group in
    /// particular, else the lowest free one.
    pub fn room_for(&self, manager: &Station, who: &Visitor) -> Option<u8> {
        use protocol::room::RoomState::*;
        let group = self.visit_named(who).map(|v| v.id);
        let held =
            |r: &&Room| matches!(r.state, Preparing | Ready) && r.manager.as_ref() == Some(manager);
        self.rooms
            .values()
            .find(|r| held(r) && group.is_some() && r.visit == group)
            .or_else(|| self.rooms.values().find(|r| held(r) && r.visit.is_none()))
            .or_else(|| self.rooms.values().find(|r| r.state == Free))
            .map(|r| r.room)
    }

    /// Whether a manager (by name) is on the rota, at the door and free.
    pub fn available(&self, name: &str) -> bool {
        self.rota
            .visit
            .iter()
            .chain(self.rota.phone.iter())
            .any(|e| e.manager.as_str() == name && e.available())
    }
}

/// The shared board, with a signal for those waiting on it to change.
#[derive(Debug)]
pub struct Mirror {
    board: Mutex<Board>,
    changed: watch::Sender<u64>,
}

impl Mirror {
    pub fn new() -> Arc<Mirror> {
        Arc::new(Mirror {
            board: Mutex::new(Board::default()),
            changed: watch::channel(0).0,
        })
    }

    pub fn apply(&self, e: &Event) {
        let n = {
            let mut b = self.lock();
            b.apply(e);
            b.events
        };
        self.changed.send_replace(n);
    }

    /// The board, briefly (never held across an await).
    pub fn lock(&self) -> MutexGuard<'_, Board> {
        self.board.lock().expect("the board")
    }

    /// Waits until `pred` holds of the board, or `within` (of the wall) has passed; returns the
    /// value `pred` found.
    pub async fn wait_for<T>(
        &self,
        within: Duration,
        mut pred: impl FnMut(&Board) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(v) = pred(&self.lock()) {
                return Some(v);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return pred(&self.lock()),
            }
        }
    }
}

/// Whether a call is for `me`: its target, or every post but its caller for a broadcast.
pub fn addressed_to(me: &Station, call: &Call) -> bool {
    match &call.target {
        Target::Station(s) => s == me,
        Target::All => call.caller != *me && *me != Station::Post(Post::Sup),
    }
}

/// The answer a post gives to a call that takes `answers`: 收到 where it is taken, else 可以接待
/// (the walk-in query); `None` for a report.
pub fn answer_for(answers: &[Answer]) -> Option<Answer> {
    [Answer::Received, Answer::CanReceive]
        .into_iter()
        .find(|a| answers.contains(a))
}
