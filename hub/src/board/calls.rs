//! What the scripted calls mean for the board (the visitor's way, docs/DOMAIN.md): the radio is
//! the source of truth. Every call is evidence of where a group is and what the posts are doing,
//! and the board follows it with no tap at all:
//!
//! - the gate's calls make and move visitor groups; the reception desk's assignment, once the
//!   manager answers 收到, puts the group in a manager's care;
//! - a manager's VIP request means the group is with them; the butler's ready report holds a room,
//!   and the next call naming that room (drinks, an ID copy, the departure) means it is in use;
//! - the departure, the taxi and the butler's clear-room call move the group out, and the taxi's
//!   arrival or the room being cleared means it has left;
//! - the service calls open orders, which 收到 acknowledges (see `alarms` for when they count done).
//!
//! A call is refused only when the board can prove it impossible: a room another group is sitting
//! in. Where the radio and the board disagree and the hub cannot tell which is right, the call is
//! taken as said and the supervisor gets a discrepancy to look at.

use protocol::alert::{Alert, AlertKind};
use protocol::mode::{IMPORTANT_EVENT_WORDS, MEDIA_DAY_WORDS, RAIN_POSTS, RAIN_WORDS};
use protocol::order::{Order, OrderKind, OrderState};
use protocol::room::{Room, RoomState};
use protocol::visit::{Stage, Visit, VisitId};
use protocol::{Answer, Call, EventKind, Intent, Post, Station, Visitor};

use super::{Board, Contradiction};

impl Board {
    /// The board's updates for a call about to be logged with id `call_id`, or why it is refused.
    pub fn on_call(
        &self,
        call: &Call,
        call_id: u64,
        now: u64,
    ) -> Result<Vec<EventKind>, Contradiction> {
        let mut out = self.call_updates(call, call_id, now)?;
        self.follow_rota(&mut out, now);
        Ok(out)
    }

    fn call_updates(
        &self,
        call: &Call,
        call_id: u64,
        now: u64,
    ) -> Result<Vec<EventKind>, Contradiction> {
        let mut out = Vec::new();
        let caller = &call.caller;
        match &call.intent {
            Intent::WalkInQuery => {
                self.reception_open(false, now)?;
                let mut v = Visit::new(call_id, None, None, false);
                v.enter(Stage::AwaitingReception, now);
                out.push(visit(v));
            }
            Intent::HeadingIn { visitor, party } => {
                self.reception_open(false, now)?;
                let mut v = match self.early_visit(visitor).or_else(|| self.walk_in_waiting()) {
                    Some(v) => v.clone(),
                    None => Visit::new(call_id, None, None, false),
                };
                v.who = Some(visitor.clone());
                v.party = Some(*party);
                // Sent in by the gate: the desk took them, whether or not its answer was heard.
                v.reception_ok = true;
                if v.stage < Stage::Parking {
                    v.enter(Stage::Parking, now);
                }
                out.push(visit(v));
            }
            Intent::AppointmentArrived { visitor, party } => {
                self.reception_open(true, now)?;
                let mut v = match self.early_visit(visitor) {
                    Some(v) => v.clone(),
                    None => Visit::new(call_id, Some(visitor.clone()), Some(*party), true),
                };
                v.party = Some(*party);
                v.appointment = true;
                if v.stage == Stage::AwaitingReception {
                    v.enter(Stage::AtGate, now);
                }
                v.times.entry(Stage::AtGate.name().into()).or_insert(now);
                out.push(visit(v));
            }
            Intent::ArrivalBroadcast {
                visitor,
                party,
                appointment,
                description,
            } => {
                self.reception_open(*appointment, now)?;
                let mut v = match self.early_visit(visitor) {
                    Some(v) => v.clone(),
                    None => Visit::new(call_id, Some(visitor.clone()), Some(*party), *appointment),
                };
                v.party = Some(*party);
                v.appointment |= *appointment;
                if description.is_some() {
                    v.description = description.clone();
                }
                if v.stage < Stage::Parking {
                    v.enter(Stage::Parking, now);
                }
                out.push(visit(v));
                if self.mode.rain {
                    out.push(EventKind::Announcement {
                        to: RAIN_POSTS.iter().map(|p| Station::Post(*p)).collect(),
                        words: format!("{visitor}一行{party}人即将到达。{RAIN_WORDS}"),
                        milestone: None,
                    });
                }
            }
            Intent::VipRequest { visitor } => {
                // A manager asking for a room for the group: the group is in their care.
                let mut v = self.visit_for(visitor, caller, call_id, Stage::WithManager, now);
                if v.manager.is_none() && caller.is_manager() {
                    v.manager = Some(caller.clone());
                }
                if v.stage < Stage::WithManager {
                    v.enter(Stage::WithManager, now);
                }
                if v.room.is_none() {
                    v.times.insert("room_requested".into(), now);
                }
                out.push(visit(v));
            }
            Intent::VipReady { room } => self.room_ready(call, call_id, *room, now, &mut out)?,
            Intent::VipDeparting { room, visitor } => {
                let current = self.room(*room)?;
                let group = self.visit_named(visitor, Some(caller));
                self.check_not_sitting(current, group.map(|v| v.id), Some(visitor))?;
                let mut v = match group {
                    Some(v) => v.clone(),
                    None => self.taken_in(visitor, caller, call_id, Stage::InVip, now),
                };
                if v.manager.is_none() && caller.is_manager() {
                    v.manager = Some(caller.clone());
                }
                v.room = Some(*room);
                if current.state != RoomState::ToClear
                    && !(current.state == RoomState::Occupied && current.visit == Some(v.id))
                {
                    // Leaving the room now means they were in it.
                    out.extend(self.clear_orders_done(*room, now));
                    out.push(EventKind::RoomUpdated {
                        room: Room {
                            room: *room,
                            state: RoomState::Occupied,
                            manager: v.manager.clone(),
                            visit: Some(v.id),
                            since: now,
                        },
                    });
                }
                if v.stage.is_active() {
                    v.enter(Stage::Departing, now);
                }
                out.push(visit(v));
            }
            Intent::SeeOff { visitor } | Intent::LineUp { visitor } => {
                let mut v = match self.visit_named(visitor, Some(caller)) {
                    Some(v) => v.clone(),
                    None => self.taken_in(visitor, caller, call_id, Stage::Departing, now),
                };
                if v.stage.is_active() {
                    v.enter(Stage::Departing, now);
                    out.push(visit(v));
                }
            }
            Intent::Drinks { drink, room } => {
                let group = match room {
                    Some(k) => self.in_use(*k, caller, now, &mut out)?,
                    None => None,
                };
                let detail = match room {
                    Some(_) => drink.clone(),
                    None => format!("{drink}（接待区）"),
                };
                out.push(self.order(call_id, OrderKind::Drinks, detail, *room, group, call, now));
            }
            Intent::IdCopy { room } => {
                let group = self.in_use(*room, caller, now, &mut out)?;
                out.push(self.order(
                    call_id,
                    OrderKind::IdCopy,
                    format!("VIP{room}复印身份证"),
                    Some(*room),
                    group,
                    call,
                    now,
                ));
            }
            Intent::Documents { copies, material } => {
                out.push(self.order(
                    call_id,
                    OrderKind::Documents,
                    format!("{copies}份{material}资料放至前台"),
                    None,
                    None,
                    call,
                    now,
                ));
            }
            Intent::Restock { items } => {
                out.push(self.order(
                    call_id,
                    OrderKind::Restock,
                    format!("{items}送至水吧台"),
                    None,
                    None,
                    call,
                    now,
                ));
            }
            Intent::Taxi { visitor } => {
                // Waiting for a taxi: leaving, and still here even if the room was cleared.
                let mut v = match self.visit_named(visitor, Some(caller)) {
                    Some(v) => v.clone(),
                    None => self.taken_in(visitor, caller, call_id, Stage::Departing, now),
                };
                v.stage = Stage::Departing;
                v.times.entry(Stage::Departing.name().into()).or_insert(now);
                let id = v.id;
                out.push(visit(v));
                out.push(self.order(
                    call_id,
                    OrderKind::Taxi,
                    format!("{visitor}的出租车"),
                    None,
                    Some(id),
                    call,
                    now,
                ));
            }
            Intent::TaxiArrived { visitor, plate } => {
                let manager = call.target.station();
                let group = self.visit_named(visitor, manager);
                let taxi = self.taxi_orders().rev().find(|o| {
                    o.kind == OrderKind::Taxi
                        && o.state != OrderState::Done
                        && (group.is_some_and(|g| o.visit == Some(g.id))
                            || (Some(&o.asked_by) == manager
                                && o.detail.starts_with(&visitor.to_string())))
                });
                if let Some(o) = taxi {
                    let mut o = o.clone();
                    if let Some(p) = plate {
                        o.detail = format!("{visitor}的出租车（车牌{p}）");
                    }
                    o.state = OrderState::Done;
                    o.acknowledged_at.get_or_insert(now);
                    o.done_at = Some(now);
                    out.push(EventKind::OrderUpdated { order: o });
                }
                // The taxi is here: the group is gone.
                if let Some(v) = group.filter(|v| v.stage.is_active()) {
                    let mut v = v.clone();
                    v.enter(Stage::Left, now);
                    out.push(visit(v));
                }
            }
            Intent::ClearRoom { room } => {
                let current = self.room(*room)?;
                if let Some(v) = current.visit.and_then(|id| self.visits.get(&id)) {
                    out.extend(self.gone_from_room(v, *room, now).map(visit));
                }
                if current.state != RoomState::ToClear {
                    out.push(EventKind::RoomUpdated {
                        room: Room {
                            state: RoomState::ToClear,
                            since: now,
                            ..current.clone()
                        },
                    });
                }
                // Said again while the water bar still has it: the same order, not a second one.
                if !self.open_clear_order(*room) {
                    out.push(self.order(
                        call_id,
                        OrderKind::ClearRoom,
                        format!("打扫VIP{room}"),
                        Some(*room),
                        current.visit,
                        call,
                        now,
                    ));
                }
            }
            Intent::RoomCleared { room } => {
                let current = self.room(*room)?;
                if let Some(v) = current.visit.and_then(|id| self.visits.get(&id)) {
                    out.extend(self.gone_from_room(v, *room, now).map(visit));
                }
                if current.state != RoomState::Free {
                    out.push(freed(*room, now));
                }
                out.extend(self.clear_orders_done(*room, now));
            }
            Intent::ModelHouseReady { party } => {
                // The lobby sends n guests up: the one group of that size with a manager.
                let found = self.one_group(*party, |s| {
                    matches!(s, Stage::AtDoor | Stage::WithManager | Stage::InVip)
                });
                match found {
                    Some(v) => {
                        let mut v = v.clone();
                        v.enter(Stage::ModelHouse, now);
                        out.push(visit(v));
                    }
                    None => out.push(self.discrepancy(
                        call_id,
                        now,
                        format!(
                            "大堂通报{party}位客人前往样板房，看板上找不到唯一一组{party}人的客户：请巡场主管核对"
                        ),
                    )),
                }
            }
            Intent::GuestsDown { party } => {
                match self.one_group(*party, |s| s == Stage::ModelHouse) {
                    Some(v) => {
                        let mut v = v.clone();
                        v.stage = Stage::WithManager;
                        out.push(visit(v));
                    }
                    None => out.push(self.discrepancy(
                        call_id,
                        now,
                        format!(
                            "样板房通报{party}位客人下楼，看板上没有唯一一组{party}人的客户在样板房：请巡场主管核对"
                        ),
                    )),
                }
            }
            // The turn counts (and the group gets its manager) on 收到.
            Intent::Assign { .. } | Intent::Hail | Intent::Free { .. } | Intent::Shuttle { .. } => {
            }
        }
        Ok(out)
    }

    /// The board's updates for an answer to an open call.
    pub fn on_answer(
        &self,
        call: &Call,
        call_id: u64,
        by: &Station,
        answer: Answer,
        now: u64,
    ) -> Vec<EventKind> {
        let mut out = Vec::new();
        match &call.intent {
            Intent::WalkInQuery => {
                if let Some(v) = self.visits.get(&call_id) {
                    let mut v = v.clone();
                    match answer {
                        Answer::CanReceive => {
                            v.reception_ok = true;
                            v.times.insert("can_receive".into(), now);
                        }
                        _ => v.enter(Stage::Declined, now),
                    }
                    out.push(visit(v));
                }
            }
            Intent::VipRequest { visitor } => {
                // The butler has it: the lowest free room is being prepared for the group.
                let group = self.find_visit(visitor, Some(&call.caller));
                let has_room = group.is_some_and(|v| v.room.is_some());
                match (
                    has_room,
                    self.rooms.values().find(|r| r.state == RoomState::Free),
                ) {
                    (true, _) => {}
                    (false, Some(free)) => {
                        out.push(EventKind::RoomUpdated {
                            room: Room {
                                room: free.room,
                                state: RoomState::Preparing,
                                manager: Some(call.caller.clone()),
                                visit: group.map(|v| v.id),
                                since: now,
                            },
                        });
                        if let Some(v) = group {
                            let mut v = v.clone();
                            v.room = Some(free.room);
                            out.push(visit(v));
                        }
                    }
                    (false, None) => {
                        if let Some(v) = group {
                            out.push(EventKind::AlertRaised {
                                alert: Alert {
                                    id: format!("no_room_free:{}", v.id),
                                    kind: AlertKind::NoRoomFree,
                                    text: format!(
                                        "{}的{visitor}需要VIP室，但所有VIP室都在使用中",
                                        call.caller.radio_name()
                                    ),
                                    to: vec![Station::Post(Post::G1), call.caller.clone()],
                                    raised_at: now,
                                },
                            });
                        }
                    }
                }
            }
            Intent::Assign {
                visitor,
                party,
                turn,
            } => {
                out.extend(self.turn_taken(by, visitor, *turn, now));
                let mut v = match self.find_visit(visitor, None) {
                    Some(v) => v.clone(),
                    None => Visit::new(
                        call_id,
                        Some(visitor.clone()),
                        Some(*party),
                        *turn == protocol::rota::Turn::Appointment,
                    ),
                };
                v.party.get_or_insert(*party);
                v.manager = Some(by.clone());
                // The manager meets the group at the door and takes them in.
                if v.stage < Stage::AtDoor {
                    v.enter(Stage::AtDoor, now);
                }
                if v.stage < Stage::WithManager {
                    v.enter(Stage::WithManager, now);
                }
                out.push(visit(v));
            }
            _ => {}
        }
        if let Some(o) = self.orders.get(&call_id) {
            if o.state == OrderState::Asked {
                let mut o = o.clone();
                o.state = OrderState::Acknowledged;
                o.acknowledged_at = Some(now);
                out.push(EventKind::OrderUpdated { order: o });
            }
        }
        self.follow_rota(&mut out, now);
        out
    }

    /// The butler reports room `k` ready for a manager (#5's follow-up).
    fn room_ready(
        &self,
        call: &Call,
        call_id: u64,
        k: u8,
        now: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), Contradiction> {
        let manager = call
            .target
            .station()
            .cloned()
            .unwrap_or(call.caller.clone());
        let current = self.room(k)?;
        let wanting = self.visits.values().rev().find(|v| {
            v.stage.is_active()
                && v.manager.as_ref() == Some(&manager)
                && (v.room.is_none() || v.room == Some(k) || self.preparing(v.id))
                && v.times.contains_key("room_requested")
        });
        self.check_not_sitting(current, wanting.map(|v| v.id), None)?;
        match current.state {
            // Cleared and made ready again: whatever the water bar owed for it is done.
            RoomState::ToClear => out.extend(self.clear_orders_done(k, now)),
            RoomState::Preparing | RoomState::Ready
                if current.manager.as_ref().is_some_and(|m| *m != manager) =>
            {
                // The butler gives the room to another manager: his word holds, and the
                // supervisor sees whose hold was dropped.
                if let Some(v) = current.visit.and_then(|id| self.visits.get(&id)) {
                    let mut v = v.clone();
                    v.room = None;
                    out.push(visit(v));
                }
                out.push(self.discrepancy(
                    call_id,
                    now,
                    format!(
                        "管家将VIP{k}安排给{}，此前该室为{}准备",
                        manager.radio_name(),
                        super::calls::holder_text(current, self).trim_start_matches(" for ")
                    ),
                ));
            }
            _ => {}
        }
        // A room the butler was preparing for the same manager, other than k, is free again.
        for r in self.rooms.values() {
            if r.room != k
                && r.state == RoomState::Preparing
                && r.manager.as_ref() == Some(&manager)
            {
                out.push(freed(r.room, now));
            }
        }
        out.push(EventKind::RoomUpdated {
            room: Room {
                room: k,
                state: RoomState::Ready,
                manager: Some(manager.clone()),
                visit: wanting.map(|v| v.id),
                since: now,
            },
        });
        if let Some(v) = wanting {
            let mut v = v.clone();
            v.room = Some(k);
            out.push(visit(v));
        }
        Ok(())
    }

    /// A call naming room `k` (drinks, an ID copy) means someone is in it: the group the room was
    /// held for, or the caller's group waiting for a room. Returns the group, if known.
    fn in_use(
        &self,
        k: u8,
        caller: &Station,
        now: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<Option<VisitId>, Contradiction> {
        let current = self.room(k)?;
        let held = current
            .visit
            .and_then(|id| self.visits.get(&id))
            .filter(|v| v.stage.is_active() && current.state != RoomState::ToClear);
        let group = held.or_else(|| self.waiting_for_room(caller, k));
        if current.state != RoomState::Occupied || (current.visit.is_none() && group.is_some()) {
            out.extend(self.clear_orders_done(k, now));
            out.push(EventKind::RoomUpdated {
                room: Room {
                    room: k,
                    state: RoomState::Occupied,
                    manager: group
                        .and_then(|v| v.manager.clone())
                        .or_else(|| caller.is_manager().then(|| caller.clone()))
                        .or(current.manager.clone()),
                    visit: group.map(|v| v.id),
                    since: now,
                },
            });
        }
        if let Some(v) = group {
            let mut v = v.clone();
            v.room = Some(k);
            if v.stage < Stage::InVip || v.stage == Stage::ModelHouse {
                v.enter(Stage::InVip, now);
            }
            // A room held for the group elsewhere is let go.
            for r in self.rooms.values() {
                if r.room != k
                    && r.visit == Some(v.id)
                    && matches!(r.state, RoomState::Preparing | RoomState::Ready)
                {
                    out.push(freed(r.room, now));
                }
            }
            let id = v.id;
            out.push(visit(v));
            return Ok(Some(id));
        }
        Ok(None)
    }

    /// The caller's one group that could be in room `k`: in their care, in no other room.
    fn waiting_for_room(&self, caller: &Station, k: u8) -> Option<&Visit> {
        if !caller.is_manager() {
            return None;
        }
        let mut mine = self.visits.values().rev().filter(|v| {
            v.stage.is_active()
                && v.stage >= Stage::AtDoor
                && v.manager.as_ref() == Some(caller)
                && v.room.is_none_or(|r| r == k || !self.sitting_in(r, v.id))
        });
        let first = mine.next()?;
        // Two groups could be meant: the board does not guess which.
        mine.next().is_none().then_some(first)
    }

    fn sitting_in(&self, room: u8, visit: VisitId) -> bool {
        self.rooms
            .get(&room)
            .is_some_and(|r| r.state == RoomState::Occupied && r.visit == Some(visit))
    }

    /// Refuses a call that would put a group in a room another group is sitting in.
    fn check_not_sitting(
        &self,
        room: &Room,
        group: Option<VisitId>,
        who: Option<&Visitor>,
    ) -> Result<(), Contradiction> {
        if room.state != RoomState::Occupied {
            return Ok(());
        }
        let Some(sitter) = room
            .visit
            .and_then(|id| self.visits.get(&id))
            .filter(|v| v.stage.is_active())
        else {
            return Ok(());
        };
        let same = group == Some(sitter.id) || who.is_some_and(|w| sitter.is(w));
        if same { Ok(()) } else { Err(held(room, self)) }
    }

    /// The group that was in room `k`, now cleared: gone, unless it waits for a taxi. `None`
    /// when nothing about it changes.
    fn gone_from_room(&self, v: &Visit, k: u8, now: u64) -> Option<Visit> {
        if !v.stage.is_active() && v.room != Some(k) {
            return None;
        }
        let mut v = v.clone();
        if v.room == Some(k) {
            v.room = None;
        }
        if !v.stage.is_active() {
            return Some(v);
        }
        let taxi_pending = self.taxi_orders().any(|o| {
            o.kind == OrderKind::Taxi && o.visit == Some(v.id) && o.state != OrderState::Done
        });
        if taxi_pending {
            if v.stage < Stage::Departing {
                v.enter(Stage::Departing, now);
            }
        } else {
            v.enter(Stage::Left, now);
        }
        Some(v)
    }

    fn open_clear_order(&self, room: u8) -> bool {
        self.clear_orders().any(|o| {
            o.kind == OrderKind::ClearRoom && o.room == Some(room) && o.state != OrderState::Done
        })
    }

    /// The clear-room orders for `room` that are done now that the room is in use or free again.
    pub(super) fn clear_orders_done(&self, room: u8, now: u64) -> Vec<EventKind> {
        self.clear_orders()
            .filter(|o| {
                o.kind == OrderKind::ClearRoom
                    && o.room == Some(room)
                    && o.state != OrderState::Done
            })
            .map(|o| {
                let mut o = o.clone();
                o.state = OrderState::Done;
                o.acknowledged_at.get_or_insert(now);
                o.done_at = Some(now);
                EventKind::OrderUpdated { order: o }
            })
            .collect()
    }

    /// The one active group of `party` people at a stage `at` admits; `None` when there are
    /// none or several (the model-house calls name no visitor).
    fn one_group(&self, party: u16, at: impl Fn(Stage) -> bool) -> Option<&Visit> {
        let mut found = self
            .visits
            .values()
            .filter(|v| v.stage.is_active() && at(v.stage) && v.party == Some(party));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// A discrepancy for the supervisor, about call `call_id`.
    fn discrepancy(&self, call_id: u64, now: u64, text: String) -> EventKind {
        EventKind::AlertRaised {
            alert: Alert {
                id: format!("discrepancy:{call_id}"),
                kind: AlertKind::Discrepancy,
                text,
                to: Vec::new(),
                raised_at: now,
            },
        }
    }

    /// Whether the gate may take this group now, given the site's mode.
    fn reception_open(&self, appointment: bool, now: u64) -> Result<(), Contradiction> {
        if self.mode.media_day {
            return Err(Contradiction::new("media_day", MEDIA_DAY_WORDS));
        }
        if !appointment && self.mode.appointments_only(now) {
            return Err(Contradiction::new(
                "appointments_only",
                IMPORTANT_EVENT_WORDS,
            ));
        }
        Ok(())
    }

    /// A group of this name still at the gate or on its way in.
    fn early_visit(&self, who: &Visitor) -> Option<&Visit> {
        self.visits.values().rev().find(|v| {
            v.is(who)
                && matches!(
                    v.stage,
                    Stage::AtGate | Stage::AwaitingReception | Stage::Parking
                )
        })
    }

    /// The walk-in the gate asked about first and has not yet sent in: queries are answered and
    /// groups sent in in the order they came (first in, first out).
    fn walk_in_waiting(&self) -> Option<&Visit> {
        let unnamed = || {
            self.visits
                .values()
                .filter(|v| v.stage == Stage::AwaitingReception && v.who.is_none())
        };
        unnamed()
            .find(|v| v.reception_ok)
            .or_else(|| unnamed().next())
    }

    /// The group a call about `who` is about: the latest active one of that name (preferring
    /// the manager's), or one of that name that left earlier today — a group the board thought
    /// gone, now named again on the radio, is still here.
    pub(super) fn visit_named(&self, who: &Visitor, manager: Option<&Station>) -> Option<&Visit> {
        self.find_visit(who, manager).or_else(|| {
            let today = self.day_start(self.latest_time());
            self.visits.values().rev().find(|v| {
                v.is(who)
                    && v.stage == Stage::Left
                    && super::finished_at(v) >= today
                    && manager.is_none_or(|m| v.manager.as_ref().is_none_or(|vm| vm == m))
            })
        })
    }

    /// The latest time the board has seen (for "today" without a clock).
    fn latest_time(&self) -> u64 {
        self.visits
            .values()
            .next_back()
            .map(super::finished_at)
            .unwrap_or(0)
    }

    /// The group a manager's call is about; one the hub has not seen (it came before the hub
    /// was running) is taken in as it is now, rather than losing the call's meaning.
    fn visit_for(
        &self,
        who: &Visitor,
        manager: &Station,
        id: VisitId,
        stage: Stage,
        now: u64,
    ) -> Visit {
        match self.find_visit(who, Some(manager)) {
            Some(v) => v.clone(),
            None => self.taken_in(who, manager, id, stage, now),
        }
    }

    /// A group first heard of at `stage` (the gate's calls were missed, or came before the hub).
    fn taken_in(
        &self,
        who: &Visitor,
        manager: &Station,
        id: VisitId,
        stage: Stage,
        now: u64,
    ) -> Visit {
        let mut v = Visit::new(id, Some(who.clone()), None, false);
        v.manager = manager.is_manager().then(|| manager.clone());
        v.enter(stage, now);
        v
    }

    fn preparing(&self, visit: VisitId) -> bool {
        self.rooms
            .values()
            .any(|r| r.visit == Some(visit) && r.state == RoomState::Preparing)
    }

    pub(crate) fn room(&self, k: u8) -> Result<&Room, Contradiction> {
        self.rooms.get(&k).ok_or_else(|| {
            Contradiction::new("no_such_room", format!("VIP{k} is not a room on this site"))
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn order(
        &self,
        id: u64,
        kind: OrderKind,
        detail: String,
        room: Option<u8>,
        visit: Option<VisitId>,
        call: &Call,
        now: u64,
    ) -> EventKind {
        EventKind::OrderUpdated {
            order: Order {
                id,
                kind,
                detail,
                room,
                visit,
                asked_by: call.caller.clone(),
                owed_by: call
                    .target
                    .station()
                    .cloned()
                    .unwrap_or(Station::Post(Post::Sup)),
                state: OrderState::Asked,
                asked_at: now,
                acknowledged_at: None,
                done_at: None,
            },
        }
    }
}

/// A room free again from `now`.
pub(super) fn freed(room: u8, now: u64) -> EventKind {
    EventKind::RoomUpdated {
        room: Room {
            since: now,
            ..Room::free(room)
        },
    }
}

pub(super) fn visit(v: Visit) -> EventKind {
    EventKind::VisitUpdated { visit: v }
}

/// "VIP2 is occupied by 大客户经理张伟's 王先生": who holds a room.
pub(super) fn held(room: &Room, board: &Board) -> Contradiction {
    Contradiction::new(
        "room_held",
        format!(
            "VIP{} is {}{}; choose another room",
            room.room,
            room.state.name(),
            holder_text(room, board)
        ),
    )
}

pub(super) fn holder_text(room: &Room, board: &Board) -> String {
    let who = room
        .visit
        .and_then(|id| board.visits.get(&id))
        .and_then(|v| v.who.as_ref())
        .map(|w| w.to_string());
    match (&room.manager, who) {
        (Some(m), Some(w)) => format!(" for {}'s {w}", m.radio_name()),
        (Some(m), None) => format!(" for {}", m.radio_name()),
        (None, Some(w)) => format!(" for {w}"),
        (None, None) => String::new(),
    }
}
