//! One group's way through the site, spoken as the staff speak it (docs/DOMAIN.md §4): the gate
//! tells the desk and the whole site, the car park and the door tap what no call marks, the
//! desk hands the group to a manager by the rota, the manager presents, takes them up to the
//! model house, asks the butler for a VIP room, orders drinks, ID copies and documents, sees them
//! off, asks the gate for a taxi; the butler sends the water bar to clear the room. Every step is
//! a scripted call said on the net (or a tap where the script has none), and every post that must
//! answer it is told how it will.

use std::sync::Arc;

use protocol::rota::Turn;
use protocol::visit::VisitId;
use protocol::{Answer, Call, Intent, Post, Station, Tap, Target, Visitor};

use crate::ctx::{Assignment, Ctx, Outcome};
use crate::plan::{Group, Kind, MIN, SEC, WalkInTurn};

const GOT: Answer = Answer::Received;

fn post(p: Post) -> Station {
    Station::Post(p)
}

/// A tap, waited for half a minute at most: a post whose tablet is off the net taps once it is
/// back, and the group does not wait for that (the car is parked, the tablet is not).
async fn tap_in_time(ctx: &Ctx, by: Station, tap: Tap) {
    let _ = tokio::time::timeout(ctx.wall(30 * SEC), ctx.tap(&by, tap)).await;
}

fn name(n: &str) -> protocol::ManagerName {
    protocol::ManagerName::new(n).expect("roster names are checked")
}

/// The script of one group: waits until it arrives, then walks it through the site.
pub async fn run(ctx: Arc<Ctx>, g: Group) {
    ctx.sleep_until(ctx.at(g.arrive)).await;
    ctx.records.lock().expect("records").arrived += 1;
    let outcome = Visit::new(&ctx, &g).go().await;
    ctx.records
        .lock()
        .expect("records")
        .outcomes
        .insert(g.n, outcome);
}

struct Visit<'a> {
    ctx: &'a Ctx,
    g: &'a Group,
    who: Visitor,
    /// Calls said so far for this group: each one's draws are keyed by (group, this number).
    k: u64,
}

impl<'a> Visit<'a> {
    fn new(ctx: &'a Ctx, g: &'a Group) -> Visit<'a> {
        Visit {
            ctx,
            g,
            who: Visitor::parse(&g.visitor).expect("planned names are names"),
            k: 0,
        }
    }

    async fn call(&mut self, call: Call, answers: &[(Station, Answer)]) -> Option<u64> {
        self.k += 1;
        self.ctx
            .call(&[u64::from(self.g.n), self.k], call, answers)
            .await
            .ok()
    }

    /// Says a call and waits (up to `within` simulated ms) for it to be answered.
    async fn call_and_wait(
        &mut self,
        call: Call,
        answers: &[(Station, Answer)],
        within: u64,
    ) -> Option<Vec<(Station, Answer)>> {
        let id = self.call(call, answers).await?;
        self.ctx.answered(id, within).await
    }

    /// The group's id on the board (the hub gives it when the gate first names them).
    async fn visit_id(&self) -> Option<VisitId> {
        let who = self.who.clone();
        self.ctx
            .mirror
            .wait_for(self.ctx.wall(30 * SEC), |b| {
                b.visit_named(&who).map(|v| v.id)
            })
            .await
    }

    async fn go(mut self) -> Outcome {
        let g = self.g;
        let ctx = self.ctx;
        let (l1, rc) = (post(Post::L1), post(Post::Rc));
        // At the gate.
        match &g.kind {
            Kind::Appointment { .. } => {
                let arrived = Intent::AppointmentArrived {
                    visitor: self.who.clone(),
                    party: g.party,
                };
                if let Err(rule) = self
                    .gate_call(Call::new(Post::L1, Post::Rc, arrived), &rc)
                    .await
                {
                    return Outcome::TurnedAway(rule);
                }
                ctx.sleep(g.broadcast_after).await;
                self.broadcast(true).await;
            }
            Kind::WalkIn { desk_can, .. } => {
                let lane = ctx.gate.lock().await;
                let decision = if *desk_can {
                    Answer::CanReceive
                } else {
                    Answer::CannotReceive
                };
                self.k += 1;
                let query = Call::new(Post::L1, Post::Rc, Intent::WalkInQuery);
                let id = match ctx
                    .call(&[u64::from(g.n), self.k], query, &[(rc.clone(), decision)])
                    .await
                {
                    Ok(id) => id,
                    Err(rule) => return Outcome::TurnedAway(rule),
                };
                let said = ctx.answered(id, 2 * MIN).await.unwrap_or_default();
                if said.iter().any(|(_, a)| *a == Answer::CannotReceive) {
                    // L1 tells the guests the desk cannot receive them now.
                    return Outcome::Declined;
                }
                // 可以接待 (or no answer heard in time: the gate sends them in anyway).
                ctx.sleep(g.broadcast_after / 2).await;
                let heading = Intent::HeadingIn {
                    visitor: self.who.clone(),
                    party: g.party,
                };
                if let Err(rule) = self
                    .gate_call(Call::new(Post::L1, Post::Rc, heading), &rc)
                    .await
                {
                    return Outcome::TurnedAway(rule);
                }
                drop(lane);
                ctx.sleep(g.broadcast_after / 2).await;
                self.broadcast(false).await;
            }
        }
        // The car park and the door: taps, since no call marks them.
        let id = self.visit_id().await;
        if g.by_car {
            ctx.sleep(g.parked_after).await;
            if let Some(id) = id {
                tap_in_time(ctx, post(Post::L2), Tap::Parked { visit: id }).await;
            }
        } else {
            ctx.sleep(g.parked_after / 2).await;
        }
        ctx.sleep(g.greeted_after).await;
        let door = if g.n % 2 == 0 { Post::Y2 } else { Post::Y1 };
        if let Some(id) = id {
            tap_in_time(ctx, post(door), Tap::Greeted { visit: id }).await;
        }
        ctx.sleep(g.assign_after).await;

        // The desk hands the group to a manager.
        let manager = self.assign().await;
        let took_over = ctx.now();

        // In the reception area: lemon water, the model and the sand table.
        if let Some(d) = &g.reception_drinks {
            ctx.sleep(d.after).await;
            let drinks = Intent::Drinks {
                drink: d.drink.clone(),
                room: None,
            };
            self.call(
                Call::new(manager.clone(), Post::S1, drinks),
                &[(post(Post::S1), GOT)],
            )
            .await;
        }
        ctx.sleep_until(took_over + g.presentation).await;

        if let Some(m) = &g.model_house {
            let up = Intent::ModelHouseReady { party: g.party };
            self.call(
                Call::new(Post::Lobby, Post::ModelHouse, up),
                &[(post(Post::ModelHouse), GOT)],
            )
            .await;
            ctx.sleep(m.stay).await;
            let down = Intent::GuestsDown { party: g.party };
            self.call(
                Call::new(Post::ModelHouse, Post::Lobby, down),
                &[(post(Post::Lobby), GOT)],
            )
            .await;
            ctx.sleep(m.shuttle_after).await;
            let cart = Intent::Shuttle {
                party: g.party,
                next_run: false,
            };
            self.call(
                Call::new(Post::Lobby, Post::Shuttle, cart),
                &[(post(Post::Shuttle), GOT)],
            )
            .await;
        }

        // The VIP room (a manager's group: the supervisor standing in takes them no further).
        let mut room = None;
        if let (Some(v), true) = (&g.vip, manager.is_manager()) {
            room = self.vip_room(&manager, v.prepare).await;
            match room {
                Some(k) => {
                    ctx.sleep(v.drinks_after).await;
                    let entered = ctx.now();
                    let drinks = Intent::Drinks {
                        drink: v.drink.clone(),
                        room: Some(k),
                    };
                    self.call(
                        Call::new(manager.clone(), Post::S1, drinks),
                        &[(post(Post::S1), GOT)],
                    )
                    .await;
                    // What the room asks for, in the order it comes.
                    let mut asks: Vec<(u64, u8)> = Vec::new();
                    if let Some(t) = v.id_copy_after {
                        asks.push((t, 0));
                    }
                    if let Some(d) = &v.documents {
                        asks.push((d.after, 1));
                    }
                    if let Some(r) = &v.refill {
                        asks.push((r.after, 2));
                    }
                    asks.sort_unstable();
                    for (after, what) in asks {
                        if after >= v.stay {
                            continue;
                        }
                        ctx.sleep_until(entered + after).await;
                        let (caller, target, intent) = match what {
                            0 => (manager.clone(), Post::G1, Intent::IdCopy { room: k }),
                            1 => {
                                let d = v.documents.as_ref().expect("asked");
                                let docs = Intent::Documents {
                                    copies: d.copies,
                                    material: d.material.clone(),
                                };
                                (manager.clone(), Post::G1, docs)
                            }
                            _ => {
                                let r = v.refill.as_ref().expect("asked");
                                let more = Intent::Drinks {
                                    drink: r.drink.clone(),
                                    room: Some(k),
                                };
                                (post(Post::G1), Post::S1, more)
                            }
                        };
                        self.call(Call::new(caller, target, intent), &[(post(target), GOT)])
                            .await;
                    }
                    ctx.sleep_until(entered + v.stay).await;
                    if g.honour {
                        self.line_up().await;
                    }
                    let by = if g.departure_answered_by == "G1" {
                        post(Post::G1)
                    } else {
                        rc.clone()
                    };
                    let leaving = Intent::VipDeparting {
                        room: k,
                        visitor: self.who.clone(),
                    };
                    self.call(Call::new(manager.clone(), Post::Rc, leaving), &[(by, GOT)])
                        .await;
                }
                None => {
                    ctx.records.lock().expect("records").no_room.push(g.n);
                }
            }
        }
        if room.is_none() {
            ctx.sleep(g.stay).await;
            if g.honour {
                self.line_up().await;
            }
            let see_off = Intent::SeeOff {
                visitor: self.who.clone(),
            };
            self.call(
                Call::new(manager.clone(), Post::Rc, see_off),
                &[(rc.clone(), GOT)],
            )
            .await;
        }

        // Leaving: the taxi, and the room cleared behind them, at the same time.
        let mut taxi_visit = self.clone_for_taxi();
        let taxi = async {
            if let (Some(t), true) = (&g.taxi, manager.is_manager()) {
                ctx.sleep(t.call_after).await;
                let ask = Intent::Taxi {
                    visitor: taxi_visit.who.clone(),
                };
                taxi_visit
                    .call(
                        Call::new(manager.clone(), Post::L1, ask),
                        &[(l1.clone(), GOT)],
                    )
                    .await;
                ctx.sleep(t.arrives_after).await;
                let here = Intent::TaxiArrived {
                    visitor: taxi_visit.who.clone(),
                    plate: Some(t.plate.clone()),
                };
                taxi_visit
                    .call(
                        Call::new(Post::L1, manager.clone(), here),
                        &[(manager.clone(), GOT)],
                    )
                    .await;
            }
        };
        let clear = async {
            if let (Some(k), Some(v)) = (room, &g.vip) {
                ctx.sleep(v.clear_after).await;
                let clear = Intent::ClearRoom { room: k };
                let heard = self
                    .call_and_wait(
                        Call::new(Post::G1, Post::S1, clear),
                        &[(post(Post::S1), GOT)],
                        2 * MIN,
                    )
                    .await;
                if heard.is_some() {
                    ctx.sleep(v.cleared_after).await;
                    let done = Intent::RoomCleared { room: k };
                    self.call(
                        Call::new(Post::S1, Post::G1, done),
                        &[(post(Post::G1), GOT)],
                    )
                    .await;
                }
            }
        };
        tokio::join!(taxi, clear);
        Outcome::Left
    }

    /// A second speaker for the same group (the taxi runs beside the room being cleared), its
    /// calls keyed apart from the first's.
    fn clone_for_taxi(&self) -> Visit<'a> {
        Visit {
            ctx: self.ctx,
            g: self.g,
            who: self.who.clone(),
            k: 1_000,
        }
    }

    /// A gate call the desk answers 收到; the hub may turn the group away (an important event).
    async fn gate_call(&mut self, call: Call, rc: &Station) -> Result<(), String> {
        self.k += 1;
        self.ctx
            .call(&[u64::from(self.g.n), self.k], call, &[(rc.clone(), GOT)])
            .await
            .map(|_| ())
            .map_err(|rule| {
                if matches!(rule.as_str(), "appointments_only" | "media_day") {
                    rule
                } else {
                    format!("refused: {rule}")
                }
            })
    }

    /// The gate's broadcast to the whole site; the car park and the door answer.
    async fn broadcast(&mut self, appointment: bool) {
        let g = self.g;
        let all = Intent::ArrivalBroadcast {
            visitor: self.who.clone(),
            party: g.party,
            appointment,
            description: g.description.clone(),
        };
        let answers: Vec<(Station, Answer)> = Intent::ArrivalBroadcast {
            visitor: self.who.clone(),
            party: 1,
            appointment,
            description: None,
        }
        .must_answer()
        .iter()
        .map(|p| (post(*p), GOT))
        .collect();
        self.call(Call::new(Post::L1, Target::All, all), &answers)
            .await;
    }

    /// The butler calls every post to the entrance for the send-off (a guest of honour).
    async fn line_up(&mut self) {
        let intent = Intent::LineUp {
            visitor: self.who.clone(),
        };
        let answers: Vec<(Station, Answer)> = intent
            .must_answer()
            .iter()
            .map(|p| (post(*p), GOT))
            .collect();
        self.call(Call::new(Post::G1, Target::All, intent), &answers)
            .await;
    }

    /// The desk's assignment: the manager the plan or the rota says, told by radio, answering
    /// 收到. Returns who took the group (a manager, or the supervisor standing in). A walk-in
    /// for whoever is next up waits at the door until a manager is free (the desk looks at the
    /// board again each time it changes), up to the scenario's longest wait.
    async fn assign(&mut self) -> Station {
        let ctx = self.ctx;
        let g = self.g;
        let started = ctx.now();
        loop {
            let desk = ctx.desk.lock().await;
            let waited_ms = ctx.now().saturating_sub(started);
            let waited_out = waited_ms >= ctx.desk_wait_ms;
            let (next_up, available) = {
                let b = ctx.mirror.lock();
                let next = b.rota.next_up.as_ref().map(|n| n.as_str().to_owned());
                let original = match &g.kind {
                    Kind::WalkIn {
                        turn: WalkInTurn::Returning { manager },
                        ..
                    } => b.available(manager) || b.rota.entry(&name(manager)).is_none(),
                    _ => false,
                };
                (next, original)
            };
            let choice = match &g.kind {
                Kind::Appointment { manager } => {
                    Some((Turn::Appointment, Some(manager.clone()), false))
                }
                Kind::WalkIn { turn, .. } => match turn {
                    WalkInTurn::Requested { manager } => {
                        Some((Turn::Requested, Some(manager.clone()), false))
                    }
                    WalkInTurn::Returning { manager } if available => {
                        Some((Turn::Returning, Some(manager.clone()), false))
                    }
                    // The original manager is with a client: a free colleague stands in, or
                    // the supervisor (主管代替) once the desk has waited long enough.
                    WalkInTurn::Returning { .. } => match &next_up {
                        Some(n) => Some((Turn::StandIn, Some(n.clone()), false)),
                        None if ctx.now().saturating_sub(started) >= ctx.desk_wait_ms / 3 => {
                            Some((Turn::StandIn, None, false))
                        }
                        None => None,
                    },
                    WalkInTurn::Regular | WalkInTurn::NonSales => {
                        let turn = if matches!(turn, WalkInTurn::NonSales) {
                            Turn::NonSales
                        } else {
                            Turn::Regular
                        };
                        match &next_up {
                            Some(n) => Some((turn, Some(n.clone()), false)),
                            None if waited_out => Some((turn, self.least_busy(), true)),
                            None => None,
                        }
                    }
                },
            };
            let Some((turn, who, out_of_turn)) = choice else {
                drop(desk);
                // Nobody free yet: look again when the board changes (or in a minute).
                let seen = ctx.mirror.lock().events;
                ctx.mirror
                    .wait_for(ctx.wall(MIN), |b| (b.events > seen).then_some(()))
                    .await;
                ctx.sleep(5 * SEC).await;
                continue;
            };
            let manager = who
                .and_then(|n| Station::manager(&n).ok())
                .unwrap_or(post(Post::Sup));
            let intent = Intent::Assign {
                visitor: self.who.clone(),
                party: g.party,
                turn,
            };
            let heard = self
                .call_and_wait(
                    Call::new(Post::Rc, manager.clone(), intent),
                    &[(manager.clone(), GOT)],
                    2 * MIN,
                )
                .await;
            let answered = heard.is_some_and(|a| a.iter().any(|(s, _)| *s == manager));
            ctx.records
                .lock()
                .expect("records")
                .assignments
                .push(Assignment {
                    group: g.n,
                    manager: manager.to_string(),
                    turn,
                    next_up: if turn == Turn::Regular { next_up } else { None },
                    waited_ms,
                    out_of_turn,
                    answered,
                });
            drop(desk);
            return manager;
        }
    }

    /// Nobody free: the manager on visit duty with the fewest turns (the desk's fair guess).
    fn least_busy(&self) -> Option<String> {
        let b = self.ctx.mirror.lock();
        b.rota
            .visit
            .iter()
            .min_by_key(|e| e.turns)
            .map(|e| e.manager.as_str().to_owned())
    }

    /// The VIP request, the butler's 收到 and preparation, and his ready report for the room
    /// the board holds for the manager (or the first free one, once one is). `None` when no room
    /// came free in time.
    async fn vip_room(&mut self, manager: &Station, prepare: u64) -> Option<u8> {
        let ctx = self.ctx;
        let ask = Intent::VipRequest {
            visitor: self.who.clone(),
        };
        self.call_and_wait(
            Call::new(manager.clone(), Post::G1, ask),
            &[(post(Post::G1), GOT)],
            MIN,
        )
        .await;
        ctx.sleep(prepare).await;
        for _ in 0..3 {
            let (m, who) = (manager.clone(), self.who.clone());
            let k = ctx
                .mirror
                .wait_for(ctx.wall(15 * MIN), |b| b.room_for(&m, &who))
                .await?;
            let ready = Intent::VipReady { room: k };
            if self
                .call(Call::new(Post::G1, manager.clone(), ready), &[])
                .await
                .is_some()
            {
                return Some(k);
            }
            // Taken meanwhile (room_held): look again.
            ctx.sleep(30 * SEC).await;
        }
        None
    }
}
