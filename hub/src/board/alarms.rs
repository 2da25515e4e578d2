//! What is overdue, judged only on what the radio (or a tap) told the hub, so a day spoken by the
//! script raises no false alarm:
//!
//! - a group announced at the gate that no manager has taken over, nor the door greeted;
//! - a room left to clear that nobody answered 收到 for;
//! - an order nobody answered 收到 for, or a taxi that has not come;
//! - a walk-in the desk said 可以接待 to that the gate never sent in;
//! - fewer than two managers who signed in free at the door (seed 000 §二 4);
//! - no duty manager on the net (seed 000 §二 3: 案场必须保证有值班经理在岗).
//!
//! Raised to the supervisor and the post that owes it, resolved by itself once the cause is gone.
//! Also: an order answered 收到 counts done a short while later (the seed has no other word for
//! it), a group seen off with no taxi to wait for has left a while later, and the important event's T-60/T-30/T-20 milestones are announced when their time comes.

use protocol::alert::{Alert, AlertKind};
use protocol::mode::{MILESTONES, Mode};
use protocol::order::{Order, OrderKind, OrderState};
use protocol::room::RoomState;
use protocol::visit::{Stage, Visit};
use protocol::{EventKind, Post, Station};

use super::Board;
use super::calls::freed;

impl Board {
    /// When the next alarm, milestone or automatic completion falls due, if any (see
    /// `Board::next_due`, which keeps it).
    pub(super) fn work_out_next_due(&self) -> Option<u64> {
        // Alert ids are strings; look them up only when there are alerts at all.
        let raised = |id: String| !self.alerts.is_empty() && self.alerts.contains_key(&id);
        let greet = self
            .visits
            .values()
            .filter_map(|v| Some((v, self.greet_deadline(v)?)))
            .filter(|(v, _)| !raised(greet_id(v)))
            .map(|(_, t)| t);
        let walk_ins = self
            .visits
            .values()
            .filter_map(|v| Some((v, self.walk_in_deadline(v)?)))
            .filter(|(v, _)| !raised(walk_in_id(v)))
            .map(|(_, t)| t);
        let clear = self
            .rooms
            .values()
            .filter(|r| r.state == RoomState::ToClear && !self.clear_acknowledged(r.room))
            .filter(|r| !raised(format!("room_not_cleared:{}", r.room)))
            .map(|r| r.since + self.rules.clear_within_ms);
        // Each order's alarm (unless raised) and its counting done, kept in the index.
        let orders = self.order_index.first_due();
        let gone = self.visits.values().filter_map(|v| self.gone_at(v));
        let rota = self
            .rota
            .short_since
            .filter(|_| !raised(STANDING_BY_ID.into()))
            .map(|t| t + self.rules.standing_by_within_ms);
        let duty = self
            .duty_manager_away_since
            .filter(|_| !raised(DUTY_MANAGER_ID.into()))
            .map(|t| t + self.rules.duty_manager_within_ms);
        let milestones = self.mode.important_event_at.into_iter().flat_map(|t| {
            MILESTONES
                .into_iter()
                .filter(|m| !self.mode.announced.contains(m))
                .map(move |m| t.saturating_sub(u64::from(m) * 60_000))
        });
        greet
            .chain(walk_ins)
            .chain(clear)
            .chain(orders)
            .chain(gone)
            .chain(rota)
            .chain(duty)
            .chain(milestones)
            .chain(self.prunable_at())
            .min()
    }

    /// Alarms to raise, milestones to announce and orders that count done at `now`, and alarms
    /// whose cause is gone.
    pub fn due(&self, now: u64) -> Vec<EventKind> {
        let mut out = Vec::new();
        let sup = Station::Post(Post::Sup);
        let raise =
            |out: &mut Vec<EventKind>, id: String, kind, text: String, owe: Vec<Station>| {
                if !self.alerts.contains_key(&id) {
                    let mut to = owe;
                    to.retain(|s| *s != sup);
                    out.push(EventKind::AlertRaised {
                        alert: Alert {
                            id,
                            kind,
                            text,
                            to,
                            raised_at: now,
                        },
                    });
                }
            };
        let door = || vec![Post::Y1.into(), Post::Y2.into(), Post::Rc.into()];
        for v in self.visits.values() {
            if self.greet_deadline(v).is_some_and(|t| t <= now) {
                raise(
                    &mut out,
                    greet_id(v),
                    AlertKind::NotGreeted,
                    format!(
                        "{}已在门岗通报，超过{}分钟仍无人在大门接待",
                        who(v),
                        self.rules.greet_within_ms / 60_000
                    ),
                    door(),
                );
            }
            if self.walk_in_deadline(v).is_some_and(|t| t <= now) {
                raise(
                    &mut out,
                    walk_in_id(v),
                    AlertKind::WalkInNotArrived,
                    format!(
                        "接待中心已回复可以接待，超过{}分钟门岗仍未通报客户前往展示中心",
                        self.rules.walk_in_within_ms / 60_000
                    ),
                    vec![Post::L1.into()],
                );
            }
        }
        for v in self.visits.values() {
            if self.gone_at(v).is_some_and(|t| t <= now) {
                let mut v = v.clone();
                v.enter(Stage::Left, now);
                out.push(EventKind::VisitUpdated { visit: v });
            }
        }
        for r in self.rooms.values() {
            if r.state == RoomState::ToClear
                && !self.clear_acknowledged(r.room)
                && r.since + self.rules.clear_within_ms <= now
            {
                raise(
                    &mut out,
                    format!("room_not_cleared:{}", r.room),
                    AlertKind::RoomNotCleared,
                    format!(
                        "VIP{}等待打扫已超过{}分钟，水吧尚未回复收到",
                        r.room,
                        self.rules.clear_within_ms / 60_000
                    ),
                    vec![Post::S1.into(), Post::G1.into()],
                );
            }
        }
        for o in self
            .order_index
            .due_by(now)
            .filter_map(|id| self.orders.get(&id))
        {
            if let Some((o, t)) = self.order_deadline(o).filter(|(_, t)| *t <= now) {
                let text = match o.state {
                    OrderState::Asked => format!(
                        "「{}」超过{}分钟无人回复收到",
                        o.detail,
                        self.rules.order_within_ms / 60_000
                    ),
                    _ => format!(
                        "「{}」已回复收到，超过{}分钟仍未叫到",
                        o.detail,
                        (t - o.asked_at) / 60_000
                    ),
                };
                raise(
                    &mut out,
                    order_id(o),
                    AlertKind::OrderOverdue,
                    text,
                    vec![o.owed_by.clone()],
                );
            }
            if self.done_at(o).is_some_and(|t| t <= now) {
                let mut done = o.clone();
                done.state = OrderState::Done;
                done.done_at = Some(now);
                if let (OrderKind::ClearRoom, Some(k)) = (o.kind, o.room) {
                    if self
                        .rooms
                        .get(&k)
                        .is_some_and(|r| r.state == RoomState::ToClear)
                    {
                        out.push(freed(k, now));
                    }
                }
                out.push(EventKind::OrderUpdated { order: done });
            }
        }
        if let Some(t) = self.rota.short_since {
            if t + self.rules.standing_by_within_ms <= now {
                let free: Vec<String> = self
                    .rota
                    .visit
                    .iter()
                    .filter(|e| e.signed_in && e.available())
                    .map(|e| e.manager.to_string())
                    .collect();
                raise(
                    &mut out,
                    STANDING_BY_ID.into(),
                    AlertKind::FewStandingBy,
                    format!(
                        "门口等候接待的大客户经理不足两位（{}）：请安排接电组支援",
                        if free.is_empty() {
                            "无人".to_owned()
                        } else {
                            free.join("、")
                        }
                    ),
                    vec![Post::Rc.into()],
                );
            }
        }
        if let Some(t) = self.duty_manager_away_since {
            if t + self.rules.duty_manager_within_ms <= now {
                raise(
                    &mut out,
                    DUTY_MANAGER_ID.into(),
                    AlertKind::NoDutyManager,
                    format!(
                        "值班经理（巡场主管）不在对讲网上已超过{}分钟：案场必须有值班经理在岗",
                        self.rules.duty_manager_within_ms / 60_000
                    ),
                    vec![Post::Rc.into()],
                );
            }
        }
        for a in self.alerts.values() {
            if !self.still_wrong(a) {
                out.push(EventKind::AlertResolved {
                    id: a.id.clone(),
                    to: a.to.clone(),
                    by: None,
                });
            }
        }
        if self.prunable_at().is_some_and(|t| t <= now) {
            out.push(EventKind::BoardPruned {
                before: self.day_start(now),
            });
        }
        if let Some(t) = self.mode.important_event_at {
            for m in MILESTONES {
                let at = t.saturating_sub(u64::from(m) * 60_000);
                if at <= now && now <= t && !self.mode.announced.contains(&m) {
                    out.push(EventKind::Announcement {
                        to: Vec::new(),
                        words: Mode::milestone_words(m).to_owned(),
                        milestone: Some(m),
                    });
                }
            }
        }
        self.follow_rota(&mut out, now);
        out
    }

    /// When a group announced at the gate must have been taken over by a manager (or greeted).
    fn greet_deadline(&self, v: &Visit) -> Option<u64> {
        if !matches!(v.stage, Stage::AtGate | Stage::Parking) {
            return None;
        }
        let announced = [Stage::AtGate, Stage::Parking]
            .iter()
            .filter_map(|s| v.times.get(s.name()))
            .min()?;
        Some(announced + self.rules.greet_within_ms)
    }

    /// When a walk-in the desk accepted must have been sent in by the gate.
    fn walk_in_deadline(&self, v: &Visit) -> Option<u64> {
        if v.stage != Stage::AwaitingReception || v.who.is_some() || !v.reception_ok {
            return None;
        }
        Some(v.times.get("can_receive")? + self.rules.walk_in_within_ms)
    }

    /// When an order is overdue: nobody answered it, or its taxi has not come.
    pub(super) fn order_deadline<'a>(&self, o: &'a Order) -> Option<(&'a Order, u64)> {
        match (o.state, o.kind) {
            (OrderState::Done, _) | (_, OrderKind::ClearRoom) => None,
            (OrderState::Asked, _) => Some((o, o.asked_at + self.rules.order_within_ms)),
            (OrderState::Acknowledged, OrderKind::Taxi) => {
                Some((o, o.asked_at + self.rules.taxi_within_ms))
            }
            (OrderState::Acknowledged, _) => None,
        }
    }

    /// When an answered order counts done by itself: everything but a taxi, whose arrival is a
    /// call of its own.
    pub(super) fn done_at(&self, o: &Order) -> Option<u64> {
        match (o.state, o.kind) {
            (OrderState::Acknowledged, kind) if kind != OrderKind::Taxi => {
                Some(o.acknowledged_at? + self.rules.done_after_ack_ms)
            }
            _ => None,
        }
    }

    /// When a group seen off counts as gone: a while after its departure, unless it waits for a
    /// taxi (whose arrival says when it left).
    fn gone_at(&self, v: &Visit) -> Option<u64> {
        if v.stage != Stage::Departing {
            return None;
        }
        let waiting_for_taxi = self.taxi_orders().any(|o| {
            o.kind == OrderKind::Taxi && o.visit == Some(v.id) && o.state != OrderState::Done
        });
        if waiting_for_taxi {
            return None;
        }
        Some(v.times.get(Stage::Departing.name())? + self.rules.gone_after_departure_ms)
    }

    /// Whether the water bar has answered 收到 to clearing `room`.
    fn clear_acknowledged(&self, room: u8) -> bool {
        self.clear_orders().any(|o| {
            o.kind == OrderKind::ClearRoom
                && o.room == Some(room)
                && o.state == OrderState::Acknowledged
        })
    }

    fn still_wrong(&self, a: &Alert) -> bool {
        let key = a.id.split_once(':').map(|(_, k)| k).unwrap_or("");
        let visit = || key.parse().ok().and_then(|id: u64| self.visits.get(&id));
        match a.kind {
            AlertKind::NotGreeted => {
                visit().is_some_and(|v| matches!(v.stage, Stage::AtGate | Stage::Parking))
            }
            AlertKind::RoomNotCleared => key
                .parse()
                .ok()
                .and_then(|k: u8| self.rooms.get(&k))
                .is_some_and(|r| r.state == RoomState::ToClear && !self.clear_acknowledged(r.room)),
            AlertKind::OrderOverdue => key
                .parse()
                .ok()
                .and_then(|id: u64| self.orders.get(&id))
                .is_some_and(|o| o.state != OrderState::Done),
            AlertKind::NoRoomFree => {
                visit().is_some_and(|v| v.stage.is_active() && v.room.is_none())
            }
            AlertKind::WalkInNotArrived => {
                visit().is_some_and(|v| v.stage == Stage::AwaitingReception && v.who.is_none())
            }
            AlertKind::FewStandingBy => self.rota.short_since.is_some(),
            AlertKind::NoDutyManager => self.duty_manager_away_since.is_some(),
            // Only the supervisor can say the radio and the board agree again.
            AlertKind::Discrepancy => true,
        }
    }
}

const STANDING_BY_ID: &str = "few_standing_by:visit";
const DUTY_MANAGER_ID: &str = "no_duty_manager:SUP";

fn greet_id(v: &Visit) -> String {
    format!("not_greeted:{}", v.id)
}

fn walk_in_id(v: &Visit) -> String {
    format!("walk_in_not_arrived:{}", v.id)
}

fn order_id(o: &Order) -> String {
    order_alert_id(o.id)
}

/// The id of the alarm about order `id`.
pub(super) fn order_alert_id(id: protocol::order::OrderId) -> String {
    format!("order_overdue:{id}")
}

/// The order an alarm is about, if it is about one.
pub(super) fn order_of_alert(alert_id: &str) -> Option<protocol::order::OrderId> {
    alert_id.strip_prefix("order_overdue:")?.parse().ok()
}

fn who(v: &Visit) -> String {
    v.who
        .as_ref()
        .map(|w| w.to_string())
        .unwrap_or_else(|| "客人".into())
}
