//! The daily report, read back from the log: visitor groups by appointment and walk-in, time from
//! the gate to the door and to a VIP room, how fast each post answers (median, 95th percentile),
//! turns per manager, repeats and escalations, room turnover, orders.

use std::collections::{BTreeMap, HashMap};

use protocol::room::RoomState;
use protocol::rota::Turn;
use protocol::visit::Visit;
use protocol::zone::Zone;
use protocol::{Call, Event, EventKind, Intent};
use serde_json::{Value, json};

/// How far before the day a call may have been placed and still be answered on it.
const DAY_MS: u64 = 86_400_000;

/// The day (days since 1970-01-01 in the site's time zone) a date `YYYY-MM-DD` names, or
/// today's; a date that is not one is refused saying how to write it.
pub fn day_of(date: Option<&str>, now_ms: u64, zone: &Zone) -> Result<i64, String> {
    match date {
        None => Ok(zone.day_of(now_ms)),
        Some(d) => protocol::zone::parse_date(d),
    }
}

/// Builds the report for `day` from the log's events, oldest first.
pub fn build(events: impl IntoIterator<Item = Event>, day: i64, zone: &Zone) -> Value {
    let std::ops::Range { start, end } = zone.day_span(day);
    let mut calls: HashMap<u64, Call> = HashMap::new();
    let mut visits: BTreeMap<u64, Visit> = BTreeMap::new();
    let mut latency: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut turns: BTreeMap<String, u64> = BTreeMap::new();
    let mut turnover: BTreeMap<u8, u64> = BTreeMap::new();
    let mut last_room: HashMap<u8, RoomState> = HashMap::new();
    let mut orders: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut placed, mut repeated, mut escalated, mut offline) = (0u64, 0u64, 0u64, 0u64);
    for e in events {
        let today = (start..end).contains(&e.at);
        match e.what {
            EventKind::CallPlaced { call_id, call, .. } => {
                placed += u64::from(today);
                // Only calls an answer of the day can be for: the memory a report takes is the
                // day's, however long the log.
                if e.at + DAY_MS >= start && e.at < end {
                    calls.insert(call_id, call);
                }
            }
            EventKind::CallAnswered {
                call_id,
                by,
                latency_ms,
                ..
            } if today => {
                latency.entry(by.to_string()).or_default().push(latency_ms);
                if let Some(Intent::Assign { turn, .. }) = calls.get(&call_id).map(|c| &c.intent) {
                    if *turn != Turn::NonSales && *turn != Turn::StandIn {
                        *turns.entry(by.to_string()).or_default() += 1;
                    }
                }
            }
            EventKind::CallRepeated { .. } if today => repeated += 1,
            EventKind::CallEscalated { .. } if today => escalated += 1,
            EventKind::TargetOffline { .. } if today => offline += 1,
            EventKind::VisitUpdated { visit } if today => {
                visits.insert(visit.id, visit);
            }
            EventKind::RoomUpdated { room } => {
                let before = last_room.insert(room.room, room.state);
                if today && room.state == RoomState::Free && before == Some(RoomState::ToClear) {
                    *turnover.entry(room.room).or_default() += 1;
                }
            }
            EventKind::OrderUpdated { order } if today => {
                let kind = serde_json::to_value(order.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let counts = orders.entry(kind).or_default();
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
    json!({
        "date": protocol::zone::date_string(day),
        "visitor_groups": {
            "total": visits.len(),
            "appointment": appointment,
            "walk_in": visits.len() - appointment,
            "declined": declined,
        },
        "gate_to_door_ms": stats(minutes(&gate, "at_door")),
        "gate_to_vip_ms": stats(minutes(&gate, "in_vip")),
        "ack_latency_ms": latency.into_iter().map(|(k, v)| (k, stats(v))).collect::<BTreeMap<_, _>>(),
        "turns": turns,
        "calls": { "placed": placed, "repeated": repeated, "escalated": escalated, "target_offline": offline },
        "room_turnover": turnover.into_iter().map(|(k, n)| (format!("VIP{k}"), n)).collect::<BTreeMap<_, _>>(),
        "orders": orders.into_iter().map(|(k, (asked, done))| (k, json!({"asked": asked, "done": done}))).collect::<BTreeMap<_, _>>(),
    })
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
