//! What the scripted calls mean for the board (DOMAIN.md §4): the gate's calls make and move
//! visitor groups, the butler's and the managers' calls move the VIP rooms, the service calls
//! open orders — and a call that contradicts the board is refused, naming who holds what.

use protocol::mode::{IMPORTANT_EVENT_WORDS, MEDIA_DAY_WORDS, RAIN_WORDS};
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
        let mut out = Vec::new();
        let caller = &call.caller;
        match &call.intent {
            Intent::WalkInQuery => {
                self.reception_open(false, now)?;
                let mut v = self.new_visit(call_id, None, None, false);
                v.enter(Stage::AwaitingReception, now);
                out.push(visit(v));
            }
            Intent::HeadingIn { visitor, party } => {
                self.reception_open(false, now)?;
                let waiting = self.visits.values().rev().find(|v| {
                    v.stage == Stage::AwaitingReception && v.reception_ok && v.who.is_none()
                });
                let mut v = match waiting {
                    Some(v) => v.clone(),
                    None => self.new_visit(call_id, None, None, false),
                };
                v.who = Some(visitor.clone());
                v.party = Some(*party);
                v.enter(Stage::Parking, now);
                out.push(visit(v));
            }
            Intent::AppointmentArrived { visitor, party } => {
                self.reception_open(true, now)?;
                let mut v = match self.early_visit(visitor) {
                    Some(v) => v.clone(),
                    None => self.new_visit(call_id, Some(visitor), Some(*party), true),
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
                    None => self.new_visit(call_id, Some(visitor), Some(*party), *appointment),
                };
                v.party = Some(*party);
                v.appointment |= *appointment;
                if description.is_some() {
                    v.description = description.clone();
                }
                if matches!(v.stage, Stage::AtGate | Stage::AwaitingReception) || v.id == call_id {
                    v.enter(Stage::Parking, now);
                }
                out.push(visit(v));
                if self.mode.rain {
                    out.push(EventKind::Announcement {
                        to: vec![Post::L2.into(), Post::Y1.into(), Post::Y2.into()],
                        words: format!("{visitor}一行{party}人即将到达。{RAIN_WORDS}"),
                        milestone: None,
                    });
                }
            }
            Intent::VipRequest { visitor } => {
                let mut v = self.visit_for(visitor, caller, call_id, Stage::WithManager, now);
                if v.manager.is_none() {
                    v.manager = Some(caller.clone());
                }
                if v.room.is_none() {
                    v.times.insert("room_requested".into(), now);
                }
                out.push(visit(v));
            }
            Intent::VipReady { room } => {
                let manager = call.target.station().cloned().unwrap_or(caller.clone());
                let k = *room;
                let current = self.room(k)?;
                let held_by_other = current.manager.as_ref().is_some_and(|m| *m != manager);
                match current.state {
                    RoomState::Free => {}
                    RoomState::Preparing | RoomState::Ready if !held_by_other => {}
                    _ => return Err(held(current, self)),
                }
                let wanting = self.visits.values().rev().find(|v| {
                    v.stage.is_active()
                        && v.manager.as_ref() == Some(&manager)
                        && (v.room.is_none() || v.room == Some(k) || self.preparing(v.id))
                        && v.times.contains_key("room_requested")
                });
                // A room the butler was preparing for the same group, other than k, is free again.
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
            }
            Intent::VipDeparting { room, visitor } => {
                let current = self.room(*room)?;
                if current.state != RoomState::Occupied {
                    return Err(Contradiction::new(
                        "room_not_occupied",
                        format!(
                            "VIP{room} is {}: nobody is leaving it",
                            current.state.name()
                        ),
                    ));
                }
                if let Some(holder) = current.visit.and_then(|id| self.visits.get(&id)) {
                    if holder.who.as_ref().is_some_and(|w| w != visitor) {
                        return Err(held(current, self));
                    }
                }
                let mut v = self.visit_for(visitor, caller, call_id, Stage::Departing, now);
                v.enter(Stage::Departing, now);
                out.push(visit(v));
            }
            Intent::SeeOff { visitor } => {
                let mut v = self.visit_for(visitor, caller, call_id, Stage::Departing, now);
                v.enter(Stage::Departing, now);
                out.push(visit(v));
            }
            Intent::Drinks { drink, room } => {
                // No room: the reception area (接待区) — an order for no room and no group.
                let visit = match room {
                    Some(k) => self.room(*k)?.visit,
                    None => None,
                };
                out.push(self.order(
                    call_id,
                    OrderKind::Drinks,
                    drink.clone(),
                    *room,
                    visit,
                    call,
                    now,
                ));
            }
            Intent::IdCopy { room } => {
                let r = self.room(*room)?;
                out.push(self.order(
                    call_id,
                    OrderKind::IdCopy,
                    format!("VIP{room}复印身份证"),
                    Some(*room),
                    r.visit,
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
                let v = self.find_visit(visitor, Some(caller)).map(|v| v.id);
                out.push(self.order(
                    call_id,
                    OrderKind::Taxi,
                    format!("{visitor}的出租车"),
                    None,
                    v,
                    call,
                    now,
                ));
            }
            Intent::TaxiArrived { visitor, plate } => {
                let manager = call.target.station();
                let taxi = self.orders.values().rev().find(|o| {
                    o.kind == OrderKind::Taxi
                        && o.state != OrderState::Done
                        && Some(&o.asked_by) == manager
                        && o.detail.starts_with(&visitor.to_string())
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
            }
            Intent::ClearRoom { room } => {
                let current = self.room(*room)?;
                match current.state {
                    RoomState::Occupied | RoomState::Ready => {}
                    RoomState::Free => {
                        return Err(Contradiction::new(
                            "room_free",
                            format!("VIP{room} is free: there is nothing to clear"),
                        ));
                    }
                    RoomState::ToClear => {
                        return Err(Contradiction::new(
                            "room_to_clear",
                            format!("VIP{room} is already waiting to be cleared"),
                        ));
                    }
                    RoomState::Preparing => return Err(held(current, self)),
                }
                if let Some(v) = current.visit.and_then(|id| self.visits.get(&id)) {
                    let mut v = v.clone();
                    v.room = None;
                    if v.stage == Stage::InVip {
                        v.enter(Stage::Departing, now);
                    }
                    out.push(visit(v));
                }
                out.push(EventKind::RoomUpdated {
                    room: Room {
                        state: RoomState::ToClear,
                        since: now,
                        ..current.clone()
                    },
                });
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
            Intent::RoomCleared { room } => {
                let current = self.room(*room)?;
                if current.state != RoomState::ToClear {
                    return Err(Contradiction::new(
                        "room_not_to_clear",
                        format!(
                            "VIP{room} is {}, not waiting to be cleared{}",
                            current.state.name(),
                            holder_text(current, self)
                        ),
                    ));
                }
                out.push(freed(*room, now));
                for o in self.orders.values().filter(|o| {
                    o.kind == OrderKind::ClearRoom
                        && o.room == Some(*room)
                        && o.state != OrderState::Done
                }) {
                    let mut o = o.clone();
                    o.state = OrderState::Done;
                    o.acknowledged_at.get_or_insert(now);
                    o.done_at = Some(now);
                    out.push(EventKind::OrderUpdated { order: o });
                }
            }
            // The turn is checked now; it counts (and the group gets its manager) on 收到.
            Intent::Assign { turn, .. } => {
                let manager = call
                    .target
                    .station()
                    .and_then(|s| s.manager_name())
                    .ok_or_else(|| {
                        Contradiction::new("not_a_manager", "assign a client manager")
                    })?;
                self.check_assignment(manager, *turn)?;
            }
            Intent::Hail
            | Intent::Free { .. }
            | Intent::ModelHouseReady { .. }
            | Intent::GuestsDown { .. }
            | Intent::Shuttle { .. }
            | Intent::LineUp { .. } => {}
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
                if let (false, Some(free)) = (
                    has_room,
                    self.rooms.values().find(|r| r.state == RoomState::Free),
                ) {
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
            }
            Intent::Assign {
                visitor,
                party,
                turn,
            } => {
                if let Some(name) = by.manager_name() {
                    out.extend(self.turn_taken(name, *turn, now));
                    let mut v = match self.find_visit(visitor, None) {
                        Some(v) => v.clone(),
                        None => self.new_visit(
                            call_id,
                            Some(visitor),
                            Some(*party),
                            *turn == protocol::rota::Turn::Appointment,
                        ),
                    };
                    v.manager = Some(by.clone());
                    if v.id == call_id {
                        v.enter(Stage::AtDoor, now);
                    }
                    out.push(visit(v));
                }
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
        out
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

    fn new_visit(
        &self,
        id: VisitId,
        who: Option<&Visitor>,
        party: Option<u16>,
        appointment: bool,
    ) -> Visit {
        Visit::new(id, who.cloned(), party, appointment)
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
            None => {
                let mut v = self.new_visit(id, Some(who), None, false);
                v.manager = manager.is_manager().then(|| manager.clone());
                v.enter(stage, now);
                v
            }
        }
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
