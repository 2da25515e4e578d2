//! The site's board: visitor groups and their stages, the VIP rooms, service orders, the
//! reception rota, modes and alarms — what the supervisor and every post need to see.
//!
//! Folded from the log like the rest of the state: the update events (`visit_updated`,
//! `room_updated`, …) replace what they name, so replaying the log rebuilds the board exactly.
//! The rules that turn a call, an answer or a tap into those updates — or refuse it because it
//! contradicts the board — live beside this file and are pure: the time is an argument.
//!
//! - `calls`: what each scripted call and its answer mean for visits, rooms and orders.
//! - `taps`: the status taps.
//! - `rota`: the reception rota's rules.
//! - `alarms`: what is overdue, and the important event's milestones.
//! - `report`: the daily report, read back from the log.

mod alarms;
mod calls;
#[cfg(test)]
pub(crate) mod desk;
#[cfg(test)]
mod follows;
mod order_index;
pub mod report;
mod rota;
mod taps;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use protocol::alert::Alert;
use protocol::mode::Mode;
use protocol::order::{Order, OrderId};
use protocol::room::Room;
use protocol::rota::Rota;
use protocol::visit::{Visit, VisitId};
use protocol::{Event, EventKind, ManagerName, Station, Visitor};
use serde_json::{Value, json};

/// When a group's visit ended (its last stage time).
fn finished_at(v: &Visit) -> u64 {
    v.times.values().copied().max().unwrap_or(0)
}

/// The time limits and rota groups the board's rules use.
#[derive(Clone, Debug)]
pub struct Rules {
    /// A group announced at the gate should be greeted at the door within this.
    pub greet_within_ms: u64,
    /// A room left `to_clear` longer than this raises an alarm.
    pub clear_within_ms: u64,
    /// An order nobody answered 收到 within this raises an alarm.
    pub order_within_ms: u64,
    /// An order answered 收到 counts done this long after, unless it is done sooner (the seed's
    /// only word for it is 收到; a tap or a later call may close it earlier).
    pub done_after_ack_ms: u64,
    /// A taxi that has not come within this of its 收到 raises an alarm.
    pub taxi_within_ms: u64,
    /// A walk-in the desk said 可以接待 to, not sent in by the gate within this, raises an alarm.
    pub walk_in_within_ms: u64,
    /// Fewer than two managers free at the door for this long raises an alarm.
    pub standing_by_within_ms: u64,
    /// The duty manager's tablet off the net this long raises an alarm.
    pub duty_manager_within_ms: u64,
    /// A group seen off (departure, see-off, line-up) with no taxi to wait for has left this
    /// long after; a later call naming it brings it back.
    pub gone_after_departure_ms: u64,
    /// The site's time zone, for "today" (rota groups, the report, pruning at a new day).
    pub zone: protocol::zone::Zone,
    /// Rota groups that alternate daily between visit and phone duty.
    pub groups: Vec<Vec<ManagerName>>,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            greet_within_ms: 5 * 60_000,
            clear_within_ms: 10 * 60_000,
            order_within_ms: 10 * 60_000,
            done_after_ack_ms: 3 * 60_000,
            taxi_within_ms: 20 * 60_000,
            walk_in_within_ms: 10 * 60_000,
            standing_by_within_ms: 5 * 60_000,
            duty_manager_within_ms: 10 * 60_000,
            gone_after_departure_ms: 10 * 60_000,
            zone: protocol::zone::Zone::china(),
            groups: Vec::new(),
        }
    }
}

/// A call, answer or tap refused because it contradicts the board or the site's mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contradiction {
    /// Short rule name: `room_held`, `appointments_only`, `media_day`, `visit_over`, …
    pub rule: &'static str,
    /// What is wrong, naming the holder where there is one, and what to do.
    pub message: String,
}

impl Contradiction {
    pub(crate) fn new(rule: &'static str, message: impl Into<String>) -> Contradiction {
        Contradiction {
            rule,
            message: message.into(),
        }
    }
}

/// Serializable, for the hub's checkpoints: a board saved and loaded again (with the rules put
/// back, see [`Board::restored`]) is the same board.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Board {
    pub visits: BTreeMap<VisitId, Visit>,
    pub rooms: BTreeMap<u8, Room>,
    pub orders: BTreeMap<OrderId, Order>,
    pub rota: Rota,
    pub mode: Mode,
    pub alerts: BTreeMap<String, Alert>,
    /// From the hub's configuration, never saved.
    #[serde(skip)]
    pub rules: Rules,
    /// Each manager's groups still on the site (the rota's "with a client"). Not saved: it
    /// follows from the visits ([`Board::restored`]).
    #[serde(skip)]
    clients: HashMap<Station, BTreeSet<VisitId>>,
    /// Since when the duty manager (SUP) has had no tablet on the net, once it had one.
    pub duty_manager_away_since: Option<u64>,
    /// The next alarm or milestone time, worked out once per change rather than on every
    /// turn of the switchboard's loop (`None` = not yet worked out).
    #[serde(skip)]
    next_due: std::cell::Cell<Option<Option<u64>>>,
    /// The orders by what they have due, and the clear-room and taxi ones apart: what keeps a
    /// call's cost from growing with the orders open. Follows `orders`; never saved.
    #[serde(skip)]
    order_index: order_index::OrderIndex,
}

impl Board {
    pub fn new(vip_rooms: &[u8], rules: Rules) -> Board {
        Board {
            rooms: vip_rooms.iter().map(|k| (*k, Room::free(*k))).collect(),
            rules,
            ..Board::default()
        }
    }

    /// A board loaded from a checkpoint: the rules of this hub's configuration put back, what
    /// follows from the visits worked out again, and any VIP room of the site it does not know
    /// yet added free — as a replay would have it.
    pub fn restored(mut self, vip_rooms: &[u8], rules: Rules) -> Board {
        self.rules = rules;
        self.next_due.set(None);
        for k in vip_rooms {
            self.rooms.entry(*k).or_insert_with(|| Room::free(*k));
        }
        self.clients.clear();
        self.rebuild_order_index();
        let visits: Vec<Visit> = self.visits.values().cloned().collect();
        for v in &visits {
            self.index_clients(None, Some(v));
        }
        self
    }

    /// The earliest time anything on the board is from (a visit's first stage, an order, an
    /// alert, a sign-in): what the board still holds of the days before it. `None` when empty.
    pub fn holds_since(&self) -> Option<u64> {
        let visits = self
            .visits
            .values()
            .filter_map(|v| v.times.values().min().copied());
        let orders = self.orders.values().map(|o| o.asked_at);
        let alerts = self.alerts.values().map(|a| a.raised_at);
        let rota = self
            .rota
            .visit
            .iter()
            .chain(self.rota.phone.iter())
            .map(|e| e.signed_in_at);
        visits.chain(orders).chain(alerts).chain(rota).min()
    }

    /// Folds one event in: the update events replace what they name.
    pub fn apply(&mut self, event: &Event) {
        // Only what can move a deadline forgets the next one.
        if matches!(
            &event.what,
            EventKind::VisitUpdated { .. }
                | EventKind::RoomUpdated { .. }
                | EventKind::OrderUpdated { .. }
                | EventKind::ModeChanged { .. }
                | EventKind::Announcement { .. }
                | EventKind::AlertRaised { .. }
                | EventKind::AlertResolved { .. }
                | EventKind::BoardPruned { .. }
                | EventKind::RotaUpdated { .. }
                | EventKind::StationOnline { .. }
                | EventKind::StationOffline { .. }
        ) {
            self.next_due.set(None);
        }
        match &event.what {
            EventKind::VisitUpdated { visit } => {
                let before = self.visits.insert(visit.id, visit.clone());
                self.index_clients(before.as_ref(), Some(visit));
            }
            EventKind::StationOnline { station } if station.is_supervisor() => {
                self.duty_manager_away_since = None;
            }
            EventKind::StationOffline { station } if station.is_supervisor() => {
                self.duty_manager_away_since = Some(event.at);
            }
            EventKind::RoomUpdated { room } => {
                self.rooms.insert(room.room, room.clone());
            }
            EventKind::OrderUpdated { order } => {
                self.orders.insert(order.id, order.clone());
                self.reindex_order(order.id);
            }
            EventKind::RotaUpdated { rota, .. } => self.rota = rota.clone(),
            EventKind::ModeChanged { mode } => self.mode = mode.clone(),
            EventKind::Announcement {
                milestone: Some(m), ..
            } if !self.mode.announced.contains(m) => self.mode.announced.push(*m),
            EventKind::AlertRaised { alert } => {
                self.alerts.insert(alert.id.clone(), alert.clone());
                self.reindex_alerted(&alert.id);
            }
            EventKind::AlertResolved { id, .. } => {
                self.alerts.remove(id);
                self.reindex_alerted(id);
            }
            EventKind::BoardPruned { before } => self.prune(*before),
            _ => {}
        }
    }

    /// Files order `id` afresh in the index: what it has due next (its alarm, unless raised
    /// already; its counting done).
    fn reindex_order(&mut self, id: protocol::order::OrderId) {
        let Some(order) = self.orders.get(&id) else {
            return;
        };
        let alarm = self
            .order_deadline(order)
            .map(|(_, t)| t)
            .filter(|_| !self.alerts.contains_key(&alarms::order_alert_id(id)));
        let due = [alarm, self.done_at(order)].into_iter().flatten().min();
        let order = order.clone();
        self.order_index.set(&order, due);
    }

    /// After an alert about an order is raised or resolved, its alarm is (no longer) due.
    fn reindex_alerted(&mut self, alert_id: &str) {
        if let Some(id) = alarms::order_of_alert(alert_id) {
            self.reindex_order(id);
        }
    }

    fn rebuild_order_index(&mut self) {
        self.order_index = order_index::OrderIndex::default();
        let ids: Vec<_> = self.orders.keys().copied().collect();
        for id in ids {
            self.reindex_order(id);
        }
    }

    /// The clear-room orders, oldest first.
    fn clear_orders(&self) -> impl DoubleEndedIterator<Item = &Order> + '_ {
        self.order_index
            .clear_rooms()
            .filter_map(|id| self.orders.get(&id))
    }

    /// The taxi orders, oldest first.
    fn taxi_orders(&self) -> impl DoubleEndedIterator<Item = &Order> + '_ {
        self.order_index
            .taxis()
            .filter_map(|id| self.orders.get(&id))
    }

    /// When the next alarm or milestone falls due, if any.
    pub fn next_due(&self) -> Option<u64> {
        if let Some(known) = self.next_due.get() {
            return known;
        }
        let due = self.work_out_next_due();
        self.next_due.set(Some(due));
        due
    }

    /// Whether anything may have to be raised or resolved at `now`: something fell due, or an
    /// open alert's cause may have gone.
    pub fn needs_settling(&self, now: u64) -> bool {
        !self.alerts.is_empty() || self.next_due().is_some_and(|t| t <= now)
    }

    /// Takes what is over from before `before` off the board: groups that left or were
    /// declined, orders done, and the rota's sign-ins (each day's rota starts afresh).
    fn prune(&mut self, before: u64) {
        self.visits
            .retain(|_, v| v.stage.is_active() || finished_at(v) >= before);
        self.rota.returning_today.clear();
        self.orders
            .retain(|_, o| o.done_at.is_none_or(|t| t >= before));
        self.rebuild_order_index();
        self.rota.visit.retain(|e| e.signed_in_at >= before);
        self.rota.phone.retain(|e| e.signed_in_at >= before);
        self.rota.next_up = rota::next_up(&self.rota);
    }

    /// The start of the day (in the site's time zone) that `t` falls in.
    pub fn day_start(&self, t: u64) -> u64 {
        self.rules.zone.start_of_day_at(t)
    }

    /// When the board next has something from an earlier day to prune: the day after the
    /// earliest finished entry.
    fn prunable_at(&self) -> Option<u64> {
        let visits = self
            .visits
            .values()
            .filter(|v| !v.stage.is_active())
            .map(finished_at);
        let orders = self.order_index.first_done();
        let rota = self
            .rota
            .visit
            .iter()
            .chain(self.rota.phone.iter())
            .map(|e| e.signed_in_at);
        visits.chain(orders).chain(rota).min().map(|t| {
            let z = &self.rules.zone;
            z.day_start(z.day_of(t) + 1)
        })
    }

    /// Keeps `clients` in step with a visit replaced by `after`.
    fn index_clients(&mut self, before: Option<&Visit>, after: Option<&Visit>) {
        if let Some(m) = before.and_then(|v| v.manager.as_ref()) {
            if let Some(set) = self.clients.get_mut(m) {
                set.remove(&before.map(|v| v.id).unwrap_or_default());
                if set.is_empty() {
                    self.clients.remove(m);
                }
            }
        }
        if let Some(v) = after.filter(|v| v.stage.is_active()) {
            if let Some(m) = &v.manager {
                self.clients.entry(m.clone()).or_default().insert(v.id);
            }
        }
    }

    /// Brings the rota in step with what `out` does to the visits: who is with a client, who
    /// takes the next walk-in, and since when fewer than two managers are free at the door.
    /// The rota is small (the managers on duty), so this looks at each of them.
    pub(crate) fn follow_rota(&self, out: &mut Vec<EventKind>, now: u64) {
        let last = out
            .iter()
            .rposition(|e| matches!(e, EventKind::RotaUpdated { .. }));
        let base = match last.map(|i| &out[i]) {
            Some(EventKind::RotaUpdated { rota, .. }) => rota.clone(),
            _ => self.rota.clone(),
        };
        let mut rota = base.clone();
        let mut notes = Vec::new();
        for e in rota.visit.iter_mut().chain(rota.phone.iter_mut()) {
            let station = Station::Manager(e.manager.clone());
            let mut groups = self.clients.get(&station).cloned().unwrap_or_default();
            for u in out.iter() {
                if let EventKind::VisitUpdated { visit: v } = u {
                    groups.remove(&v.id);
                    if v.stage.is_active() && v.manager.as_ref() == Some(&station) {
                        groups.insert(v.id);
                    }
                }
            }
            let busy = !groups.is_empty();
            if busy != e.busy {
                notes.push(if busy {
                    format!("{} is with a client", e.manager)
                } else {
                    format!("{} is free again", e.manager)
                });
                e.busy = busy;
            }
        }
        let on_duty = rota.visit.iter().filter(|e| e.signed_in).count();
        let free = rota
            .visit
            .iter()
            .filter(|e| e.signed_in && e.available())
            .count();
        rota.short_since = match (on_duty > 0 && free < 2, rota.short_since) {
            (true, Some(t)) => Some(t),
            (true, None) => Some(now),
            (false, _) => None,
        };
        rota.next_up = rota::next_up(&rota);
        if rota == base {
            return;
        }
        match last {
            Some(i) => {
                if let EventKind::RotaUpdated { rota: r, change } = &mut out[i] {
                    *r = rota;
                    for n in notes {
                        change.push_str("; ");
                        change.push_str(&n);
                    }
                }
            }
            None => {
                let change = if !notes.is_empty() {
                    notes.join("; ")
                } else if rota.short_since.is_some() {
                    "fewer than two managers free at the door".into()
                } else {
                    "two managers free at the door again".into()
                };
                out.push(EventKind::RotaUpdated { rota, change });
            }
        }
    }

    /// The active visit a call about `who` refers to: the latest one of that name, preferring
    /// one in the care of `manager`.
    pub fn find_visit(&self, who: &Visitor, manager: Option<&Station>) -> Option<&Visit> {
        let mut named = self
            .visits
            .values()
            .rev()
            .filter(|v| v.stage.is_active() && v.is(who));
        let first = named.clone().next();
        match manager {
            Some(m) => named.find(|v| v.manager.as_ref() == Some(m)).or(first),
            None => first,
        }
    }

    /// The part of the board `station` may see (everything for the supervisor), as JSON.
    pub fn snapshot(&self, station: &Station) -> Value {
        let sup = station.is_supervisor();
        let orders: Vec<&Order> = self
            .orders
            .values()
            .filter(|o| sup || o.asked_by == *station || o.owed_by == *station)
            .collect();
        let alerts: Vec<&Alert> = self
            .alerts
            .values()
            .filter(|a| sup || a.to.contains(station))
            .collect();
        json!({
            "visitors": self.visits.values().collect::<Vec<_>>(),
            "rooms": self.rooms.values().collect::<Vec<_>>(),
            "orders": orders,
            "rota": self.rota,
            "mode": self.mode,
            "alerts": alerts,
        })
    }
}

#[cfg(test)]
mod index_tests {
    use protocol::alert::{Alert, AlertKind};
    use protocol::order::{Order, OrderKind, OrderState};
    use protocol::{Event, EventKind, Post, Station};

    use super::{Board, Rules};

    fn order(id: u64, kind: OrderKind, state: OrderState, at: u64) -> Order {
        Order {
            id,
            kind,
            detail: "咖啡".into(),
            room: (kind == OrderKind::ClearRoom).then_some(1),
            visit: None,
            asked_by: Station::Post(Post::G1),
            owed_by: Station::Post(Post::S1),
            state,
            asked_at: at,
            acknowledged_at: (state != OrderState::Asked).then_some(at + 1_000),
            done_at: (state == OrderState::Done).then_some(at + 2_000),
        }
    }

    fn apply(board: &mut Board, offset: u64, what: EventKind) {
        board.apply(&Event {
            offset,
            at: 1_000_000 + offset,
            what,
        });
    }

    /// What the index stands for, worked out the slow way: every order looked at.
    fn by_hand(board: &Board) -> Option<u64> {
        board
            .orders
            .values()
            .flat_map(|o| {
                let alarm = board.order_deadline(o).map(|(_, t)| t).filter(|_| {
                    !board
                        .alerts
                        .contains_key(&super::alarms::order_alert_id(o.id))
                });
                [alarm, board.done_at(o)]
            })
            .flatten()
            .min()
    }

    #[test]
    fn the_order_index_agrees_with_looking_at_every_order_through_changes_alarms_and_a_reload() {
        let mut board = Board::new(&[1, 2, 3], Rules::default());
        let kinds = [
            OrderKind::Drinks,
            OrderKind::Taxi,
            OrderKind::ClearRoom,
            OrderKind::Documents,
        ];
        let states = [
            OrderState::Asked,
            OrderState::Acknowledged,
            OrderState::Done,
        ];
        let mut offset = 0;
        for id in 1..=600u64 {
            let at = 1_000_000 + (id * 7_919) % 50_000;
            let o = order(id, kinds[id as usize % 4], states[id as usize % 3], at);
            offset += 1;
            apply(&mut board, offset, EventKind::OrderUpdated { order: o });
            assert_eq!(
                board.order_index.first_due(),
                by_hand(&board),
                "after order {id}"
            );
        }
        // Raising an order's alarm takes it out of what is due; resolving it puts it back.
        let asked = board
            .orders
            .values()
            .find(|o| o.state == OrderState::Asked)
            .unwrap();
        let deadline = board.order_deadline(asked).map(|(_, t)| t);
        assert_eq!(board.order_index.due_of(asked.id), deadline);
        let alert = Alert {
            id: super::alarms::order_alert_id(asked.id),
            kind: AlertKind::OrderOverdue,
            text: String::new(),
            to: Vec::new(),
            raised_at: 0,
        };
        let id = alert.id.clone();
        let asked_id = asked.id;
        offset += 1;
        apply(&mut board, offset, EventKind::AlertRaised { alert });
        assert_eq!(board.order_index.first_due(), by_hand(&board));
        assert_eq!(
            board.order_index.due_of(asked_id),
            None,
            "its alarm is raised"
        );
        offset += 1;
        apply(
            &mut board,
            offset,
            EventKind::AlertResolved {
                id,
                to: Vec::new(),
                by: None,
            },
        );
        assert_eq!(board.order_index.first_due(), by_hand(&board));
        assert_eq!(
            board.order_index.due_of(asked_id),
            deadline,
            "resolved: due again"
        );
        // Orders that change state move in the index.
        for id in (1..=600u64).step_by(5) {
            let mut o = board.orders[&id].clone();
            o.state = OrderState::Done;
            o.done_at = Some(2_000_000 + id);
            offset += 1;
            apply(&mut board, offset, EventKind::OrderUpdated { order: o });
        }
        assert_eq!(board.order_index.first_due(), by_hand(&board));
        assert_eq!(
            board.order_index.first_done(),
            board.orders.values().filter_map(|o| o.done_at).min()
        );
        assert_eq!(
            board.clear_orders().count(),
            board
                .orders
                .values()
                .filter(|o| o.kind == OrderKind::ClearRoom)
                .count()
        );
        // A board saved in a checkpoint and loaded again rebuilds the same index.
        let saved = serde_json::to_string(&board).unwrap();
        let loaded: Board = serde_json::from_str(&saved).unwrap();
        let loaded = loaded.restored(&[1, 2, 3], Rules::default());
        assert_eq!(
            loaded.order_index.first_due(),
            board.order_index.first_due()
        );
        assert_eq!(loaded.taxi_orders().count(), board.taxi_orders().count());
        // And so does a day's pruning.
        offset += 1;
        apply(
            &mut board,
            offset,
            EventKind::BoardPruned { before: 2_000_300 },
        );
        assert_eq!(board.order_index.first_due(), by_hand(&board));
        assert_eq!(
            board.order_index.first_done(),
            board.orders.values().filter_map(|o| o.done_at).min()
        );
    }
}

#[cfg(test)]
mod tests {
    use protocol::Tap;
    use protocol::room::RoomState;
    use protocol::visit::Stage;

    use super::desk::{Desk, x};
    use protocol::{Post, Station};

    #[test]
    fn a_new_day_takes_what_is_over_off_the_board_and_keeps_what_is_not() {
        let mut d = Desk::new();
        d.sign_in(&["张伟"]);
        d.say(
            "我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。",
        )
        .unwrap();
        d.say(
            "我是L1岗，呼叫各岗位，预约客户李小姐到访，共2人，请各岗位做好接待工作，收到请回答。",
        )
        .unwrap();
        let ids: Vec<u64> = d.board.visits.keys().copied().collect();
        d.tap(&Station::Post(Post::L1), Tap::Left { visit: ids[0] })
            .unwrap();
        d.settle();
        assert_eq!(d.board.visits.len(), 2, "nothing is pruned the same day");
        assert!(
            d.board.next_due().is_some_and(|t| t > d.now),
            "a wake-up at the next day"
        );

        d.now = d.board.day_start(d.now) + 86_400_000 + 1;
        d.settle();
        assert_eq!(
            d.board.visits.len(),
            1,
            "the group that left yesterday is off the board"
        );
        assert_eq!(
            d.board.visits.values().next().unwrap().stage,
            Stage::Parking,
            "the one still here stays"
        );
        assert!(
            d.board.rota.visit.is_empty(),
            "each day's rota starts afresh"
        );
        d.settle();
        assert_eq!(d.board.visits.len(), 1);
    }

    #[test]
    fn only_the_manager_himself_takes_a_group_over() {
        let mut d = Desk::new();
        d.say(
            "我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。",
        )
        .unwrap();
        let id = *d.board.visits.keys().next().unwrap();
        let refused = d
            .tap(&Station::Post(Post::Sup), Tap::TookOver { visit: id })
            .unwrap_err();
        assert_eq!(refused.rule, "wrong_post");
        d.tap(&x("张伟"), Tap::TookOver { visit: id }).unwrap();
        assert_eq!(d.board.visits[&id].manager, Some(x("张伟")));
    }

    #[test]
    fn a_room_cleared_by_tap_is_free_again() {
        let mut d = Desk::new();
        d.say(
            "我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。",
        )
        .unwrap();
        let id = *d.board.visits.keys().next().unwrap();
        d.tap(&x("张伟"), Tap::EnteredVip { visit: id, room: 2 })
            .unwrap();
        let (clear, _) = d
            .say("我是大客户管家，呼叫水吧，VIP2客人已离去请前去打扫，收到请回话。")
            .unwrap();
        assert_eq!(d.board.rooms[&2].state, RoomState::ToClear);
        d.tap(&Station::Post(Post::S1), Tap::OrderDone { order: clear })
            .unwrap();
        assert_eq!(d.board.rooms[&2].state, RoomState::Free);
    }
}
