//! Status taps: what no radio call marks, tapped by the post that sees it — checked against the
//! board like a call, and turned into the same kind of updates.

use protocol::intent::Role;
use protocol::mode::{Mode, RAIN_POSTS, RAIN_WORDS};
use protocol::order::OrderState;
use protocol::room::{Room, RoomState};
use protocol::visit::{Stage, Visit, VisitId};
use protocol::{EventKind, Station, Tap};

use super::calls::{freed, held, visit};
use super::{Board, Contradiction};

impl Board {
    /// The words a tablet shows for a tap, and the board's updates — or why it is refused.
    pub fn on_tap(
        &self,
        by: &Station,
        tap: &Tap,
        now: u64,
    ) -> Result<(String, Vec<EventKind>), Contradiction> {
        let allowed = by.is_supervisor() || tap.tappers().iter().any(|r| r.admits_station(by));
        if !allowed {
            let who: Vec<&str> = tap.tappers().iter().map(|r| Role::radio_name(*r)).collect();
            return Err(Contradiction::new(
                "wrong_post",
                format!(
                    "{} is tapped by {}, not {}",
                    tap.kind(),
                    who.join("/"),
                    by.radio_name()
                ),
            ));
        }
        let me = by.radio_name();
        let manager = || {
            by.manager_name()
                .ok_or_else(|| Contradiction::new("wrong_post", "only a client manager taps this"))
        };
        let mut out = Vec::new();
        let words = match tap {
            Tap::Parked { visit: id } => {
                let mut v = self.active(*id)?;
                v.times.entry("parked".into()).or_insert(now);
                let words = format!("{me}：{}已停好车，正前往展示中心", name(&v));
                out.push(visit(v));
                words
            }
            Tap::Greeted { visit: id } => {
                let mut v = self.active(*id)?;
                v.times.entry("greeted".into()).or_insert(now);
                if v.stage < Stage::AtDoor {
                    v.enter(Stage::AtDoor, now);
                }
                let words = format!("{me}：已在门口迎接{}", name(&v));
                out.push(visit(v));
                words
            }
            Tap::TookOver { visit: id } => {
                // The group's manager is the one tapping: the supervisor cannot stand in here.
                manager()?;
                let mut v = self.active(*id)?;
                v.manager = Some(by.clone());
                if v.stage < Stage::WithManager {
                    v.enter(Stage::WithManager, now);
                }
                let words = format!("{me}：已接待{}", name(&v));
                out.push(visit(v));
                words
            }
            Tap::EnteredVip { visit: id, room } => {
                let mut v = self.active(*id)?;
                let current = self.room(*room)?;
                let mine = |r: &Room| {
                    r.visit == Some(v.id)
                        || (r.manager.is_some() && r.manager == v.manager)
                        || r.manager.as_ref() == Some(by)
                };
                match current.state {
                    RoomState::Free => {}
                    RoomState::Preparing | RoomState::Ready if mine(current) => {}
                    RoomState::Occupied if current.visit == Some(v.id) => {}
                    _ => return Err(held(current, self)),
                }
                // Another room held for this group is let go.
                for r in self.rooms.values() {
                    if r.room != *room
                        && r.visit == Some(v.id)
                        && matches!(r.state, RoomState::Preparing | RoomState::Ready)
                    {
                        out.push(freed(r.room, now));
                    }
                }
                out.push(EventKind::RoomUpdated {
                    room: Room {
                        room: *room,
                        state: RoomState::Occupied,
                        manager: v
                            .manager
                            .clone()
                            .or_else(|| by.is_manager().then(|| by.clone())),
                        visit: Some(v.id),
                        since: now,
                    },
                });
                v.room = Some(*room);
                if v.manager.is_none() && by.is_manager() {
                    v.manager = Some(by.clone());
                }
                v.enter(Stage::InVip, now);
                let words = format!("{me}：{}已进入VIP{room}室", name(&v));
                out.push(visit(v));
                words
            }
            Tap::ModelHouse { visit: id } => {
                let mut v = self.active(*id)?;
                v.enter(Stage::ModelHouse, now);
                let words = format!("{me}：{}前往样板房参观", name(&v));
                out.push(visit(v));
                words
            }
            Tap::Left { visit: id } => {
                let mut v = self.active(*id)?;
                v.enter(Stage::Left, now);
                let words = format!("{me}：{}已离开", name(&v));
                out.push(visit(v));
                words
            }
            Tap::OrderDone { order } => {
                let o = self.orders.get(order).ok_or_else(|| {
                    Contradiction::new("no_such_order", format!("there is no order {order}"))
                })?;
                if o.owed_by != *by && !by.is_supervisor() {
                    return Err(Contradiction::new(
                        "not_yours",
                        format!(
                            "order {order} is owed by {}, not {me}",
                            o.owed_by.radio_name()
                        ),
                    ));
                }
                if o.state == OrderState::Done {
                    return Err(Contradiction::new(
                        "already_done",
                        format!("order {order} is already done"),
                    ));
                }
                let mut o = o.clone();
                o.state = OrderState::Done;
                o.acknowledged_at.get_or_insert(now);
                o.done_at = Some(now);
                let words = format!("{me}：已完成「{}」", o.detail);
                // A room cleared by tap is as free as one reported cleared by radio.
                if let (protocol::order::OrderKind::ClearRoom, Some(k)) = (o.kind, o.room) {
                    if self
                        .rooms
                        .get(&k)
                        .is_some_and(|r| r.state == RoomState::ToClear)
                    {
                        out.push(freed(k, now));
                    }
                }
                out.push(EventKind::OrderUpdated { order: o });
                words
            }
            Tap::SignIn { duty } => {
                out.extend(self.sign_in(manager()?, *duty, now)?);
                format!("{me}签到")
            }
            Tap::SignOut => {
                out.extend(self.sign_out(manager()?)?);
                format!("{me}签退")
            }
            Tap::StandBy { at_door } => {
                out.extend(self.stand_by(manager()?, *at_door)?);
                if *at_door {
                    format!("{me}在门口等候接待")
                } else {
                    format!("{me}暂时离开门口")
                }
            }
            Tap::AwayOnBusiness => {
                out.extend(self.away_on_business(manager()?)?);
                format!("{me}因公暂时离开门口")
            }
            Tap::RotaMove { manager, position } => {
                out.extend(self.rota_move(manager, *position)?);
                format!(
                    "巡场主管调整轮序：大客户经理{manager}排第{}位",
                    *position as usize + 1
                )
            }
            Tap::RotaRemove { manager } => {
                out.extend(self.rota_remove(manager)?);
                format!("巡场主管将大客户经理{manager}移出轮序")
            }
            Tap::SetMode {
                important_event_at,
                media_day,
                rain,
            } => {
                let mode = Mode {
                    important_event_at: *important_event_at,
                    media_day: *media_day,
                    rain: *rain,
                    announced: if *important_event_at == self.mode.important_event_at {
                        self.mode.announced.clone()
                    } else {
                        Vec::new()
                    },
                };
                let rain_started = mode.rain && !self.mode.rain;
                out.push(EventKind::ModeChanged { mode });
                if rain_started {
                    out.push(EventKind::Announcement {
                        to: RAIN_POSTS.iter().map(|p| Station::Post(*p)).collect(),
                        words: RAIN_WORDS.to_owned(),
                        milestone: None,
                    });
                }
                let mut parts = Vec::new();
                if important_event_at.is_some() {
                    parts.push("重要活动");
                }
                if *media_day {
                    parts.push("媒体开放日");
                }
                if *rain {
                    parts.push("雨天");
                }
                if parts.is_empty() {
                    parts.push("正常接待");
                }
                format!("巡场主管设置模式：{}", parts.join("、"))
            }
            Tap::ResolveAlert { alert } => {
                let a = self.alerts.get(alert).ok_or_else(|| {
                    Contradiction::new("no_such_alert", format!("there is no open alert {alert}"))
                })?;
                out.push(EventKind::AlertResolved {
                    id: a.id.clone(),
                    to: a.to.clone(),
                    by: Some(by.clone()),
                });
                format!("巡场主管已处理：{}", a.text)
            }
        };
        self.follow_rota(&mut out, now);
        Ok((words, out))
    }

    fn active(&self, id: VisitId) -> Result<Visit, Contradiction> {
        match self.visits.get(&id) {
            Some(v) if v.stage.is_active() => Ok(v.clone()),
            Some(v) => Err(Contradiction::new(
                "visit_over",
                format!("{} has {}", name(v), v.stage.name()),
            )),
            None => Err(Contradiction::new(
                "no_such_visit",
                format!("there is no visitor group {id}"),
            )),
        }
    }
}

fn name(v: &Visit) -> String {
    match (&v.who, v.party) {
        (Some(w), Some(n)) => format!("{w}一行{n}人"),
        (Some(w), None) => w.to_string(),
        (None, Some(n)) => format!("{n}位客人"),
        (None, None) => format!("客人（{}）", v.id),
    }
}
