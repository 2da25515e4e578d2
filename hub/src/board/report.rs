//! The daily report, read back from the log: visitor groups by appointment and walk-in, time from
//! the gate to the door and to a VIP room, how fast each post answers (median, 95th percentile),
//! turns per manager, repeats and escalations, room turnover, orders.

use std::collections::{BTreeMap, HashMap, HashSet};

use protocol::room::RoomState;
use protocol::rota::Turn;
use protocol::visit::Visit;
use protocol::{Call, Event, EventKind, Intent};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::board::Board;
use crate::calendar::{self, DAY_MS};
use crate::state::NetState;

pub use crate::calendar::DateError as ReportError;

/// The day a date names, or today's (`None`).
pub fn day_of(
    date: Option<&str>,
    now_ms: u64,
    zone: &crate::calendar::Zone,
) -> Result<i64, ReportError> {
    match date {
        None => Ok(calendar::day_of(now_ms, zone)),
        Some(d) => calendar::parse_date(d),
    }
}

/// What a report needs from before the events it reads: the calls still open whose answer
/// counts as a manager's turn, and the state of each VIP room. The hub writes it at the start
/// of each day's segment of the log, so a day's report reads from that day's segment on and no
/// older one — even after older days were removed. It names no visitor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seed {
    /// (call id, when it was placed) of each open call whose answer counts as a turn.
    pub turn_calls: Vec<(u64, u64)>,
    /// Each VIP room's state.
    pub rooms: BTreeMap<u8, RoomState>,
}

impl Seed {
    /// The seed for a report that reads the events after this state.
    pub fn of(state: &NetState, board: &Board) -> Seed {
        Seed {
            turn_calls: state
                .open
                .values()
                .filter(|o| counts_a_turn(&o.call))
                .map(|o| (o.call_id, o.placed_at))
                .collect(),
            rooms: board.rooms.iter().map(|(k, r)| (*k, r.state)).collect(),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a seed always encodes")
    }

    /// A seed as [`encode`](Self::encode) wrote it; `None` for anything else (an empty
    /// preamble: a segment with no seed).
    pub fn decode(bytes: &[u8]) -> Option<Seed> {
        serde_json::from_slice(bytes).ok()
    }
}

/// Whether the answer to `call` counts as a turn of the manager who answers it.
fn counts_a_turn(call: &Call) -> bool {
    matches!(&call.intent, Intent::Assign { turn, .. } if *turn != Turn::NonSales && *turn != Turn::StandIn)
}

/// Builds the report for `day` from `seed` (what was so before the first of `events`) and the
/// log's events after it, oldest first.
pub fn build(
    seed: Seed,
    events: impl IntoIterator<Item = Event>,
    day: i64,
    zone: &crate::calendar::Zone,
) -> Value {
    let mut report = DayReport::new(seed, day, zone);
    events.into_iter().for_each(|e| report.fold(e));
    report.value()
}

/// A day's report as it is read from the log, event by event: kept between requests, so the
/// next report of the day reads only what was logged since (a report asked every second of a
/// busy day costs what the last second logged, not the whole day again).
#[derive(Debug)]
pub struct DayReport {
    day: i64,
    start: u64,
    end: u64,
    turn_calls: HashSet<u64>,
    visits: BTreeMap<u64, Visit>,
    latency: BTreeMap<String, Vec<u64>>,
    turns: BTreeMap<String, u64>,
    turnover: BTreeMap<u8, u64>,
    last_room: HashMap<u8, RoomState>,
    orders: BTreeMap<String, (u64, u64)>,
    placed: u64,
    repeated: u64,
    escalated: u64,
    offline: u64,
}

impl DayReport {
    /// The report of `day` before any event, from `seed`: what was so before the first event.
    pub fn new(seed: Seed, day: i64, zone: &crate::calendar::Zone) -> DayReport {
        let start = calendar::start_of(day, zone);
        let end = start + DAY_MS as u64;
        let mut report = DayReport {
            day,
            start,
            end,
            turn_calls: HashSet::new(),
            visits: BTreeMap::new(),
            latency: BTreeMap::new(),
            turns: BTreeMap::new(),
            turnover: BTreeMap::new(),
            last_room: seed.rooms.into_iter().collect(),
            orders: BTreeMap::new(),
            placed: 0,
            repeated: 0,
            escalated: 0,
            offline: 0,
        };
        report.turn_calls = seed
            .turn_calls
            .iter()
            .filter(|(_, at)| report.in_reach(*at))
            .map(|(id, _)| *id)
            .collect();
        report
    }

    /// Only calls an answer of the day can be for: the memory a report takes is the day's,
    /// however long the log.
    fn in_reach(&self, at: u64) -> bool {
        at + DAY_MS as u64 >= self.start && at < self.end
    }

    /// Takes in the next event of the log (events of other days count only for what they leave
    /// behind: a room's state, a call whose answer may come today).
    pub fn fold(&mut self, e: Event) {
        let today = (self.start..self.end).contains(&e.at);
        match e.what {
            EventKind::CallPlaced { call, .. } => {
                self.placed += u64::from(today);
                if self.in_reach(e.at) && counts_a_turn(&call) {
                    self.turn_calls.insert(e.offset);
                }
            }
            EventKind::CallAnswered {
                call_id,
                by,
                latency_ms,
                ..
            } if today => {
                self.latency
                    .entry(by.to_string())
                    .or_default()
                    .push(latency_ms);
                if self.turn_calls.contains(&call_id) {
                    *self.turns.entry(by.to_string()).or_default() += 1;
                }
            }
            EventKind::CallRepeated { .. } if today => self.repeated += 1,
            EventKind::CallEscalated { .. } if today => self.escalated += 1,
            EventKind::TargetOffline { .. } if today => self.offline += 1,
            EventKind::VisitUpdated { visit } if today => {
                self.visits.insert(visit.id, visit);
            }
            EventKind::RoomUpdated { room } => {
                let before = self.last_room.insert(room.room, room.state);
                if today && room.state == RoomState::Free && before == Some(RoomState::ToClear) {
                    *self.turnover.entry(room.room).or_default() += 1;
                }
            }
            EventKind::OrderUpdated { order } if today => {
                let kind = serde_json::to_value(order.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let counts = self.orders.entry(kind).or_default();
                if order.state == protocol::order::OrderState::Asked {
                    counts.0 += 1;
                }
                if order.state == protocol::order::OrderState::Done {
                    counts.1 += 1;
                }
            }
            _ => {}
        }
    }

    /// The report as it stands.
    pub fn value(&self) -> Value {
        let visits = &self.visits;
        let appointment = visits.values().filter(|v| v.appointment).count();
        let declined = visits
            .values()
            .filter(|v| v.stage.name() == "declined")
            .count();
        let minutes = |from: &[&str], to: &str| -> Vec<u64> {
            visits
                .values()
                .filter_map(|v| {
                    let start = from.iter().filter_map(|f| v.times.get(*f)).min()?;
                    let end = v.times.get(to)?;
                    Some(end.saturating_sub(*start))
                })
                .collect()
        };
        let gate = ["at_gate", "awaiting_reception", "parking"];
        let (placed, repeated, escalated, offline) =
            (self.placed, self.repeated, self.escalated, self.offline);
        json!({
            "date": calendar::date(self.day),
            "visitor_groups": {
                "total": visits.len(),
                "appointment": appointment,
                "walk_in": visits.len() - appointment,
                "declined": declined,
            },
            "gate_to_door_ms": stats(minutes(&gate, "at_door")),
            "gate_to_vip_ms": stats(minutes(&gate, "in_vip")),
            "ack_latency_ms": self.latency.iter().map(|(k, v)| (k.clone(), stats(v.clone()))).collect::<BTreeMap<_, _>>(),
            "turns": self.turns,
            "calls": { "placed": placed, "repeated": repeated, "escalated": escalated, "target_offline": offline },
            "room_turnover": self.turnover.iter().map(|(k, n)| (format!("VIP{k}"), *n)).collect::<BTreeMap<_, _>>(),
            "orders": self.orders.iter().map(|(k, (asked, done))| (k.clone(), json!({"asked": asked, "done": done}))).collect::<BTreeMap<_, _>>(),
        })
    }
}

/// Count, median and 95th percentile.
fn stats(mut v: Vec<u64>) -> Value {
    v.sort_unstable();
    let pick = |p: f64| -> Option<u64> {
        if v.is_empty() {
            None
        } else {
            Some(v[((v.len() - 1) as f64 * p).round() as usize])
        }
    };
    json!({ "n": v.len(), "median": pick(0.5), "p95": pick(0.95) })
}
