//! The daily report, read back from the log: visitor groups by appointment and walk-in, time from
//! the gate to the door and to a VIP room, how fast each post answers (median, 95th percentile),
//! turns per manager, repeats and escalations, room turnover, orders.

use std::collections::{BTreeMap, HashMap};

use protocol::room::RoomState;
use protocol::rota::Turn;
use protocol::visit::Visit;
use protocol::{Call, Event, EventKind, Intent};
use serde_json::{Value, json};

const DAY_MS: i64 = 86_400_000;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Give the date as YYYY-MM-DD.
    #[error("{0:?} is not a date; give it as YYYY-MM-DD")]
    BadDate(String),
}

/// The day (days since 1970-01-01 in the site's time zone) a date names, or today's.
pub fn day_of(date: Option<&str>, now_ms: u64, utc_offset_ms: i64) -> Result<i64, ReportError> {
    match date {
        None => Ok((now_ms as i64 + utc_offset_ms).div_euclid(DAY_MS)),
        Some(d) => {
            let bad = || ReportError::BadDate(d.chars().take(20).collect());
            let mut parts = d.trim().splitn(3, '-');
            let y: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            let m: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            let day: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            if !(1..=12).contains(&m) || !(1970..=9999).contains(&y) {
                return Err(bad());
            }
            let days = days_from_civil(y, m, day);
            // 2026-02-31 is not a day: it must read back as itself.
            if day == 0 || civil(days) != format!("{y:04}-{m:02}-{day:02}") {
                return Err(bad());
            }
            Ok(days)
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Builds the report for `day` from the log's events, oldest first.
pub fn build(events: impl IntoIterator<Item = Event>, day: i64, utc_offset_ms: i64) -> Value {
    let start = (day * DAY_MS - utc_offset_ms).max(0) as u64;
    let end = start + DAY_MS as u64;
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
                if e.at + DAY_MS as u64 >= start && e.at < end {
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
        "date": civil(day),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for d in ["1970-01-01", "2026-11-22", "2000-02-29", "2100-12-31"] {
            let day = day_of(Some(d), 0, 0).unwrap();
            assert_eq!(civil(day), d);
        }
        assert!(day_of(Some("2026-13-01"), 0, 0).is_err());
        assert!(day_of(Some("2026-02-31"), 0, 0).is_err());
        assert!(day_of(Some("2026-02-29"), 0, 0).is_err());
        assert!(day_of(Some("2028-02-29"), 0, 0).is_ok());
        assert!(day_of(Some("yesterday"), 0, 0).is_err());
    }
}
