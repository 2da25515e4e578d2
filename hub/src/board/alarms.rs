//! What is overdue: a group announced at the gate and not greeted at the door, a room waiting
//! too long to be cleared, an order not done in time — raised to the supervisor and the post
//! that owes it, resolved by itself once done. Also the important event's T-60/T-30/T-20
//! milestones, announced to every post when their time comes.

use protocol::alert::{Alert, AlertKind};
use protocol::mode::{MILESTONES, Mode};
use protocol::order::{OrderKind, OrderState};
use protocol::room::RoomState;
use protocol::visit::{Stage, Visit};
use protocol::{EventKind, Post, Station};

use super::Board;

impl Board {
    /// When the next alarm or milestone falls due, if any (see `Board::next_due`, which keeps it).
    pub(super) fn work_out_next_due(&self) -> Option<u64> {
        // Alert ids are strings; look them up only when there are alerts at all.
        let raised = |id: String| !self.alerts.is_empty() && self.alerts.contains_key(&id);
        let greet = self
            .visits
            .values()
            .filter_map(|v| Some((v, self.greet_deadline(v)?)))
            .filter(|(v, _)| !raised(greet_id(v)))
            .map(|(_, t)| t);
        let clear = self
            .rooms
            .values()
            .filter(|r| r.state == RoomState::ToClear)
            .filter(|r| !raised(format!("room_not_cleared:{}", r.room)))
            .map(|r| r.since + self.rules.clear_within_ms);
        let orders = self
            .orders
            .values()
            .filter(|o| o.state != OrderState::Done && o.kind != OrderKind::ClearRoom)
            .filter(|o| !raised(format!("order_overdue:{}", o.id)))
            .map(|o| o.asked_at + self.rules.order_within_ms);
        let milestones = self.mode.important_event_at.into_iter().flat_map(|t| {
            MILESTONES
                .into_iter()
                .filter(|m| !self.mode.announced.contains(m))
                .map(move |m| t.saturating_sub(u64::from(m) * 60_000))
        });
        greet
            .chain(clear)
            .chain(orders)
            .chain(milestones)
            .chain(self.prunable_at())
            .min()
    }

    /// Alarms to raise and milestones to announce at `now`, and alarms whose cause is gone.
    pub fn due(&self, now: u64) -> Vec<EventKind> {
        let mut out = Vec::new();
        let sup = Station::Post(Post::Sup);
        let raise = |out: &mut Vec<EventKind>, id: String, kind, text: String, owes: Station| {
            if !self.alerts.contains_key(&id) {
                let mut to = vec![owes];
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
        for v in self.visits.values() {
            if self.greet_deadline(v).is_some_and(|t| t <= now) {
                let who = v
                    .who
                    .as_ref()
                    .map(|w| w.to_string())
                    .unwrap_or_else(|| "客人".into());
                raise(
                    &mut out,
                    greet_id(v),
                    AlertKind::NotGreeted,
                    format!(
                        "{who}已在门岗通报，超过{}分钟仍未在大门迎接",
                        self.rules.greet_within_ms / 60_000
                    ),
                    Station::Post(Post::Y1),
                );
            }
        }
        // Y2 covers Y1 at the door: the door alarm goes to both.
        for e in &mut out {
            if let EventKind::AlertRaised { alert } = e {
                if alert.kind == AlertKind::NotGreeted {
                    alert.to.push(Station::Post(Post::Y2));
                }
            }
        }
        for r in self.rooms.values() {
            if r.state == RoomState::ToClear && r.since + self.rules.clear_within_ms <= now {
                raise(
                    &mut out,
                    format!("room_not_cleared:{}", r.room),
                    AlertKind::RoomNotCleared,
                    format!(
                        "VIP{}等待打扫已超过{}分钟",
                        r.room,
                        self.rules.clear_within_ms / 60_000
                    ),
                    Station::Post(Post::S1),
                );
            }
        }
        for o in self.orders.values() {
            if o.state != OrderState::Done
                && o.kind != OrderKind::ClearRoom
                && o.asked_at + self.rules.order_within_ms <= now
            {
                raise(
                    &mut out,
                    format!("order_overdue:{}", o.id),
                    AlertKind::OrderOverdue,
                    format!(
                        "「{}」超过{}分钟未完成",
                        o.detail,
                        self.rules.order_within_ms / 60_000
                    ),
                    o.owed_by.clone(),
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
        out
    }

    /// When a group announced at the gate must have been greeted at the door.
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

    fn still_wrong(&self, a: &Alert) -> bool {
        let key = a.id.split_once(':').map(|(_, k)| k).unwrap_or("");
        match a.kind {
            AlertKind::NotGreeted => key
                .parse()
                .ok()
                .and_then(|id: u64| self.visits.get(&id))
                .is_some_and(|v| matches!(v.stage, Stage::AtGate | Stage::Parking)),
            AlertKind::RoomNotCleared => key
                .parse()
                .ok()
                .and_then(|k: u8| self.rooms.get(&k))
                .is_some_and(|r| r.state == RoomState::ToClear),
            AlertKind::OrderOverdue => key
                .parse()
                .ok()
                .and_then(|id: u64| self.orders.get(&id))
                .is_some_and(|o| o.state != OrderState::Done),
        }
    }
}

fn greet_id(v: &Visit) -> String {
    format!("not_greeted:{}", v.id)
}
