//! The reception rota's rules (接访轮序, seed 000 §二 and seed 003; docs/DOMAIN.md):
//!
//! - managers sign in on visit duty or phone duty; the rota groups alternate daily; a manager
//!   who answers 收到 to an assignment is on duty, signed in or not;
//! - turns go in sign-in order, taken by whoever is free at the door: standing by, and not with
//!   a client who has not left (a manager with a client takes no new one);
//! - those ahead who were passed over while away privately lose the turn and go behind (轮空);
//!   one away on company business (因公) keeps their place and has the turn made up first;
//! - a returning registered client goes to their original manager, which counts as that
//!   manager's turn once a day, and the manager next in turn keeps their place;
//! - whoever stands in for an original manager takes no turn and gets one back; the supervisor
//!   may stand in too, and takes no turn;
//! - a client who asks for a manager by name gets them, and that manager skips their next turn;
//! - a visit unrelated to sales takes no turn;
//! - whoever receives an appointment client gets a turn back;
//! - with nobody on visit duty free, the phone group supports in its own order, and a phone-duty
//!   manager who helps with visits gets a phone turn back;
//! - two managers must be free at the door: fewer, for long, is raised to the supervisor;
//! - a turn counts once the manager answers the assignment (收到); the reception desk's
//!   assignment is never refused for the rota's sake — the desk sees the door, the board does not;
//! - the supervisor can move or remove managers; every change is logged.

use protocol::rota::{Duty, Rota, RotaEntry, Turn};
use protocol::{EventKind, ManagerName, Station, Visitor};

use super::{Board, Contradiction};

impl Board {
    /// The rota after `by` answered 收到 to an assignment of this kind for `visitor`. The 收到 is
    /// proof the manager is on duty: one the rota did not know is signed in by it. The supervisor
    /// standing in for a returning client's manager takes no turn (seed 000 §二 6).
    pub(super) fn turn_taken(
        &self,
        by: &Station,
        visitor: &Visitor,
        turn: Turn,
        now: u64,
    ) -> Vec<EventKind> {
        let Some(manager) = by.manager_name() else {
            return vec![rota_updated(
                self.rota.clone(),
                format!("{} received {visitor} in person (no turn)", by.radio_name()),
            )];
        };
        let mut rota = self.rota.clone();
        let mut notes = Vec::new();
        if rota.entry(manager).is_none() {
            let duty = self.duty_today(manager, now);
            let entry = new_entry(manager, duty, now, false);
            match duty {
                Duty::Visit => rota.visit.push(entry),
                Duty::Phone => rota.phone.push(entry),
            }
            notes.push(format!("{manager} is on duty (answered an assignment)"));
        }
        let phone = rota.phone.iter().any(|e| &e.manager == manager);
        match turn {
            Turn::Regular => {
                if let Some(pos) = rota.visit.iter().position(|e| &e.manager == manager) {
                    if rota.visit[pos].owed > 0 {
                        rota.visit[pos].owed -= 1;
                        rota.visit[pos].turns += 1;
                        notes.push(format!("{manager} took a turn given back"));
                    } else {
                        notes.push(take_regular_turn(&mut rota, pos));
                    }
                } else {
                    // A phone-duty manager helping: the phone group takes these in its own order.
                    if let Some(pos) = rota.phone.iter().position(|e| &e.manager == manager) {
                        let me = rota.phone.remove(pos);
                        rota.phone.push(me);
                    }
                    notes.push(format!("{manager} (phone duty) helped with a walk-in"));
                }
            }
            Turn::Returning => {
                let who = visitor.to_string();
                if rota.returning_today.contains(&who) {
                    notes.push(format!(
                        "{manager} received their returning client {who} again (counted once a day)"
                    ));
                } else {
                    rota.returning_today.push(who);
                    if let Some(pos) = rota.visit.iter().position(|e| &e.manager == manager) {
                        let mut me = rota.visit.remove(pos);
                        me.turns += 1;
                        rota.visit.push(me);
                    } else if let Some(e) = entry_mut(&mut rota, manager) {
                        e.turns += 1;
                    }
                    notes.push(format!(
                        "{manager} received their returning client (counts as their turn)"
                    ));
                }
            }
            Turn::StandIn => {
                if let Some(e) = entry_mut(&mut rota, manager) {
                    e.owed += 1;
                }
                notes.push(format!(
                    "{manager} stood in for a returning client's manager: a turn given back"
                ));
            }
            Turn::Requested => {
                if let Some(e) = entry_mut(&mut rota, manager) {
                    e.turns += 1;
                    e.skip_next = true;
                }
                notes.push(format!(
                    "{manager} was asked for by name: skips their next turn"
                ));
            }
            Turn::NonSales => {
                notes.push(format!("{manager} took a non-sales visit (no turn)"));
            }
            Turn::Appointment => {
                if let Some(e) = entry_mut(&mut rota, manager) {
                    e.turns += 1;
                    e.owed += 1;
                }
                notes.push(format!(
                    "{manager} received an appointment client: a turn given back"
                ));
            }
        }
        if phone && turn != Turn::NonSales {
            if let Some(e) = entry_mut(&mut rota, manager) {
                e.phone_owed += 1;
            }
        }
        vec![rota_updated(rota, notes.join("; "))]
    }

    /// Visit or phone duty for a manager signing in, from the day's groups.
    pub(super) fn duty_today(&self, manager: &ManagerName, now: u64) -> Duty {
        let groups = &self.rules.groups;
        let Some(group) = groups.iter().position(|g| g.contains(manager)) else {
            return Duty::Visit;
        };
        let day = self.rules.zone.day_of(now);
        if day.rem_euclid(groups.len() as i64) as usize == group {
            Duty::Visit
        } else {
            Duty::Phone
        }
    }

    pub(super) fn sign_in(
        &self,
        manager: &ManagerName,
        duty: Option<Duty>,
        now: u64,
    ) -> Result<Vec<EventKind>, Contradiction> {
        if self.rota.entry(manager).is_some() {
            return Err(Contradiction::new(
                "already_signed_in",
                format!("{manager} is already on the rota"),
            ));
        }
        let duty = duty.unwrap_or_else(|| self.duty_today(manager, now));
        let mut rota = self.rota.clone();
        let entry = new_entry(manager, duty, now, true);
        match duty {
            Duty::Visit => rota.visit.push(entry),
            Duty::Phone => rota.phone.push(entry),
        }
        let duty = match duty {
            Duty::Visit => "visit",
            Duty::Phone => "phone",
        };
        Ok(vec![rota_updated(
            rota,
            format!("{manager} signed in on {duty} duty"),
        )])
    }

    pub(super) fn sign_out(&self, manager: &ManagerName) -> Result<Vec<EventKind>, Contradiction> {
        let mut rota = self.rota.clone();
        let before = rota.visit.len() + rota.phone.len();
        rota.visit.retain(|e| &e.manager != manager);
        rota.phone.retain(|e| &e.manager != manager);
        if rota.visit.len() + rota.phone.len() == before {
            return Err(Contradiction::new(
                "not_signed_in",
                format!("{manager} is not on the rota"),
            ));
        }
        Ok(vec![rota_updated(rota, format!("{manager} signed out"))])
    }

    pub(super) fn stand_by(
        &self,
        manager: &ManagerName,
        at_door: bool,
    ) -> Result<Vec<EventKind>, Contradiction> {
        let mut rota = self.rota.clone();
        let e = entry_mut(&mut rota, manager).ok_or_else(|| {
            Contradiction::new("not_signed_in", format!("{manager} is not on the rota"))
        })?;
        e.standing_by = at_door;
        e.on_business = false;
        let what = if at_door {
            "stands by at the door"
        } else {
            "stepped away from the door"
        };
        Ok(vec![rota_updated(rota, format!("{manager} {what}"))])
    }

    /// A manager steps away from the door on company business (因公, seed 003 rule 11).
    pub(super) fn away_on_business(
        &self,
        manager: &ManagerName,
    ) -> Result<Vec<EventKind>, Contradiction> {
        let mut rota = self.rota.clone();
        let e = entry_mut(&mut rota, manager).ok_or_else(|| {
            Contradiction::new("not_signed_in", format!("{manager} is not on the rota"))
        })?;
        e.standing_by = false;
        e.on_business = true;
        Ok(vec![rota_updated(
            rota,
            format!("{manager} stepped away on company business: keeps their turn"),
        )])
    }

    pub(super) fn rota_move(
        &self,
        manager: &ManagerName,
        position: u16,
    ) -> Result<Vec<EventKind>, Contradiction> {
        let mut rota = self.rota.clone();
        let pos = rota
            .visit
            .iter()
            .position(|e| &e.manager == manager)
            .ok_or_else(|| {
                Contradiction::new("not_signed_in", format!("{manager} is not on visit duty"))
            })?;
        let e = rota.visit.remove(pos);
        let to = (position as usize).min(rota.visit.len());
        rota.visit.insert(to, e);
        Ok(vec![rota_updated(
            rota,
            format!("supervisor moved {manager} to place {}", to + 1),
        )])
    }

    pub(super) fn rota_remove(
        &self,
        manager: &ManagerName,
    ) -> Result<Vec<EventKind>, Contradiction> {
        let mut events = self.sign_out(manager)?;
        if let Some(EventKind::RotaUpdated { change, .. }) = events.first_mut() {
            *change = format!("supervisor took {manager} off the rota");
        }
        Ok(events)
    }
}

/// Who takes the next walk-in: a turn given back comes first; then the first manager in order
/// who is free at the door (standing by, not with a client) and not skipping this turn; with
/// nobody on visit duty free, the phone group supports, in its own order (seed 000 §二 4, 9).
pub fn next_up(rota: &Rota) -> Option<ManagerName> {
    rota.visit
        .iter()
        .find(|e| e.owed > 0 && e.available())
        .or_else(|| rota.visit.iter().find(|e| e.available() && !e.skip_next))
        .or_else(|| rota.phone.iter().find(|e| e.available()))
        .map(|e| e.manager.clone())
}

/// A regular turn taken by the manager at `pos` of the visit queue. Those ahead were passed
/// over: one away privately or not at the door loses the turn and goes behind (轮空); one away
/// on company business, or with a client, keeps their place, and the one on business has the
/// turn made up first (seed 003 rules 6, 10, 11).
fn take_regular_turn(rota: &mut Rota, pos: usize) -> String {
    let passed: Vec<RotaEntry> = rota.visit.drain(..pos).collect();
    let mut me = rota.visit.remove(0);
    me.turns += 1;
    let (mut kept, mut behind) = (Vec::new(), Vec::new());
    for mut p in passed {
        if p.on_business {
            p.owed += 1;
            kept.push(p);
        } else if p.busy {
            kept.push(p);
        } else {
            p.skip_next = false;
            behind.push(p);
        }
    }
    let skipped: Vec<String> = behind.iter().map(|p| p.manager.to_string()).collect();
    let name = me.manager.to_string();
    let mut queue = kept;
    queue.append(&mut rota.visit);
    queue.extend(behind);
    queue.push(me);
    rota.visit = queue;
    if skipped.is_empty() {
        format!("{name} took the turn")
    } else {
        format!("{name} took the turn; skipped: {}", skipped.join(", "))
    }
}

fn new_entry(manager: &ManagerName, duty: Duty, now: u64, signed_in: bool) -> RotaEntry {
    RotaEntry {
        manager: manager.clone(),
        duty,
        standing_by: true,
        skip_next: false,
        owed: 0,
        phone_owed: 0,
        turns: 0,
        signed_in_at: now,
        signed_in,
        busy: false,
        on_business: false,
    }
}

fn entry_mut<'a>(rota: &'a mut Rota, manager: &ManagerName) -> Option<&'a mut RotaEntry> {
    rota.visit
        .iter_mut()
        .chain(rota.phone.iter_mut())
        .find(|e| &e.manager == manager)
}

pub(super) fn rota_updated(mut rota: Rota, change: String) -> EventKind {
    rota.next_up = next_up(&rota);
    EventKind::RotaUpdated { rota, change }
}

#[cfg(test)]
mod tests {
    //! One test per rule of the rota, named after the rule.

    use protocol::rota::{Duty, Turn};
    use protocol::{EventKind, ManagerName, Post, Station, Tap};

    use crate::board::Rules;
    use crate::board::desk::{Desk, x};

    #[test]
    fn turns_go_in_sign_in_order() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        assert_eq!(d.next_up().as_deref(), Some("张伟"));
        d.take("张伟", Turn::Regular);
        assert_eq!(d.queue(), ["李娜", "王强", "张伟"]);
        assert_eq!(d.next_up().as_deref(), Some("李娜"));
        assert_eq!(d.entry("张伟").turns, 1);
    }

    #[test]
    fn the_next_in_turn_must_stand_by_at_the_door_or_is_skipped() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        d.tap(&x("张伟"), Tap::StandBy { at_door: false }).unwrap();
        assert_eq!(d.next_up().as_deref(), Some("李娜"));
        d.take("李娜", Turn::Regular);
        // 张伟 was passed over while away privately: his turn is lost and he goes behind.
        assert_eq!(d.queue(), ["王强", "张伟", "李娜"]);
        d.tap(&x("张伟"), Tap::StandBy { at_door: true }).unwrap();
        assert_eq!(d.next_up().as_deref(), Some("王强"));
    }

    #[test]
    fn the_desk_assigning_out_of_turn_is_taken_as_said_and_passes_over_those_ahead() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        // The desk sees the door; the board does not. Its assignment stands.
        d.take("王强", Turn::Regular);
        assert_eq!(d.queue(), ["张伟", "李娜", "王强"]);
        assert_eq!(d.entry("王强").turns, 1);
        assert_eq!(d.next_up().as_deref(), Some("张伟"));
    }

    #[test]
    fn a_manager_with_a_client_is_not_next_up_until_the_client_leaves() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        let visit = d.receive("张伟", Turn::Regular);
        assert!(d.entry("张伟").busy);
        assert_eq!(d.next_up().as_deref(), Some("李娜"));
        // A returning client of 李娜's comes in: she is busy, and 王强 is next.
        d.receive("李娜", Turn::Returning);
        assert_eq!(d.next_up().as_deref(), Some("王强"));
        d.tap(&x("张伟"), Tap::Left { visit }).unwrap();
        assert!(!d.entry("张伟").busy, "free again once the group left");
        assert_eq!(d.next_up().as_deref(), Some("王强"), "he went behind");
    }

    #[test]
    fn a_manager_passed_over_on_company_business_keeps_their_place_and_makes_the_turn_up_first() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        d.tap(&x("张伟"), Tap::AwayOnBusiness).unwrap();
        assert_eq!(d.next_up().as_deref(), Some("李娜"));
        d.take("李娜", Turn::Regular);
        assert_eq!(
            d.queue(),
            ["张伟", "王强", "李娜"],
            "因公: 张伟 keeps his place"
        );
        assert_eq!(
            d.entry("张伟").owed,
            1,
            "the skipped turn is his to make up"
        );
        d.tap(&x("张伟"), Tap::StandBy { at_door: true }).unwrap();
        assert_eq!(d.next_up().as_deref(), Some("张伟"), "made up first");
    }

    #[test]
    fn a_returning_client_counts_once_a_day() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜"]);
        let chen = protocol::Visitor::parse("陈先生").unwrap();
        let first = d
            .assign_group("李娜", chen.clone(), Turn::Returning)
            .unwrap();
        d.answer("李娜", first);
        let visit = d.board.find_visit(&chen, None).unwrap().id;
        d.tap(&x("李娜"), Tap::Left { visit }).unwrap();
        let again = d.assign_group("李娜", chen, Turn::Returning).unwrap();
        d.answer("李娜", again);
        assert_eq!(
            d.entry("李娜").turns,
            1,
            "the same client twice in a day is one turn"
        );
    }

    #[test]
    fn the_supervisor_may_stand_in_and_takes_no_turn() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜"]);
        d.take("SUP", Turn::StandIn);
        assert_eq!(d.queue(), ["张伟", "李娜"]);
        assert_eq!(d.entry("张伟").turns + d.entry("李娜").turns, 0);
        assert_eq!(d.entry("张伟").owed + d.entry("李娜").owed, 0);
    }

    #[test]
    fn fewer_than_two_managers_free_at_the_door_is_raised_to_the_supervisor_after_a_while() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜"]);
        assert_eq!(d.board.rota.short_since, None);
        d.receive("张伟", Turn::Regular);
        assert_eq!(d.board.rota.short_since, Some(d.now));
        d.now += d.board.rules.standing_by_within_ms - 1;
        d.settle();
        assert!(d.board.alerts.is_empty(), "not yet");
        d.now += 1;
        d.settle();
        let alert = d.board.alerts.values().next().expect("raised");
        assert_eq!(alert.kind, protocol::alert::AlertKind::FewStandingBy);
        assert!(alert.text.contains("李娜"), "{}", alert.text);
        d.sign_in(&["王强"]);
        d.settle();
        assert!(d.board.alerts.is_empty(), "two free again: resolved");
    }

    #[test]
    fn a_returning_client_goes_to_their_original_manager_and_the_manager_next_in_turn_keeps_their_place()
     {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        d.take("王强", Turn::Returning);
        assert_eq!(
            d.entry("王强").turns,
            1,
            "counts as the original manager's turn"
        );
        assert_eq!(d.queue(), ["张伟", "李娜", "王强"]);
        assert_eq!(
            d.next_up().as_deref(),
            Some("张伟"),
            "the one next in turn keeps their place"
        );
    }

    #[test]
    fn whoever_stands_in_for_the_original_manager_gets_a_turn_back() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        d.take("李娜", Turn::StandIn);
        assert_eq!(d.entry("李娜").turns, 0, "standing in takes no turn");
        assert_eq!(d.entry("李娜").owed, 1);
        assert_eq!(
            d.next_up().as_deref(),
            Some("李娜"),
            "the turn given back comes first"
        );
        d.take("李娜", Turn::Regular);
        assert_eq!(d.entry("李娜").owed, 0);
        assert_eq!(
            d.queue(),
            ["张伟", "李娜", "王强"],
            "using a turn given back keeps her place"
        );
        assert_eq!(d.next_up().as_deref(), Some("张伟"));
    }

    #[test]
    fn a_client_who_asks_for_a_manager_gets_them_and_that_manager_skips_their_next_turn() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        d.take("李娜", Turn::Requested);
        assert!(d.entry("李娜").skip_next);
        d.take("张伟", Turn::Regular);
        assert_eq!(d.queue(), ["李娜", "王强", "张伟"]);
        assert_eq!(d.next_up().as_deref(), Some("王强"), "李娜 skips this turn");
        d.take("王强", Turn::Regular);
        assert!(
            !d.entry("李娜").skip_next,
            "one turn skipped, then back in order"
        );
        assert_eq!(d.next_up().as_deref(), Some("张伟"));
        assert_eq!(d.queue(), ["张伟", "李娜", "王强"]);
    }

    #[test]
    fn a_visit_unrelated_to_sales_takes_no_turn() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜"]);
        d.take("张伟", Turn::NonSales);
        assert_eq!(d.entry("张伟").turns, 0);
        assert_eq!(d.queue(), ["张伟", "李娜"]);
        assert_eq!(d.next_up().as_deref(), Some("张伟"));
    }

    #[test]
    fn whoever_receives_an_appointment_client_gets_a_turn_back() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜"]);
        d.take("李娜", Turn::Appointment);
        assert_eq!(d.entry("李娜").turns, 1);
        assert_eq!(d.entry("李娜").owed, 1);
        assert_eq!(d.next_up().as_deref(), Some("李娜"));
    }

    #[test]
    fn a_phone_duty_manager_who_helps_with_visits_gets_a_phone_turn_back() {
        let mut d = Desk::new();
        d.sign_in(&["张伟"]);
        for name in ["赵敏", "孙丽"] {
            d.tap(
                &x(name),
                Tap::SignIn {
                    duty: Some(Duty::Phone),
                },
            )
            .unwrap();
        }
        // While the visit group has someone at the door, the phone group does not take turns.
        assert_eq!(d.next_up().as_deref(), Some("张伟"));
        d.tap(&x("张伟"), Tap::StandBy { at_door: false }).unwrap();
        assert_eq!(
            d.next_up().as_deref(),
            Some("赵敏"),
            "nobody on visit duty at the door: the phone group supports, in its order"
        );
        d.take("赵敏", Turn::Regular);
        assert_eq!(d.entry("赵敏").phone_owed, 1);
        assert_eq!(d.board.rota.phone.len(), 2, "back to phone duty");
        assert_eq!(
            d.next_up().as_deref(),
            Some("孙丽"),
            "the phone group's next supporter"
        );
    }

    #[test]
    fn a_turn_counts_once_the_manager_answers() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜"]);
        let assigned = d.assign("张伟", Turn::Regular).unwrap();
        assert_eq!(d.queue(), ["张伟", "李娜"], "not yet: no 收到");
        assert_eq!(d.entry("张伟").turns, 0);
        d.answer("张伟", assigned);
        assert_eq!(d.queue(), ["李娜", "张伟"]);
        assert_eq!(d.entry("张伟").turns, 1);
    }

    #[test]
    fn the_supervisor_can_correct_the_queue_and_every_change_is_logged() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜", "王强"]);
        let sup = Station::Post(Post::Sup);
        let (_, events) = d
            .board
            .on_tap(
                &sup,
                &Tap::RotaMove {
                    manager: ManagerName::new("王强").unwrap(),
                    position: 0,
                },
                d.now,
            )
            .unwrap();
        assert!(
            matches!(&events[0], EventKind::RotaUpdated { change, .. } if change.contains("王强"))
        );
        d.log(events);
        assert_eq!(d.queue(), ["王强", "张伟", "李娜"]);
        d.tap(
            &sup,
            Tap::RotaRemove {
                manager: ManagerName::new("张伟").unwrap(),
            },
        )
        .unwrap();
        assert_eq!(d.queue(), ["王强", "李娜"]);
        let refused = d
            .tap(
                &x("李娜"),
                Tap::RotaMove {
                    manager: ManagerName::new("李娜").unwrap(),
                    position: 0,
                },
            )
            .unwrap_err();
        assert_eq!(refused.rule, "wrong_post");
    }

    #[test]
    fn the_groups_alternate_daily_between_visit_and_phone_duty() {
        let groups = vec![
            vec![
                ManagerName::new("张伟").unwrap(),
                ManagerName::new("李娜").unwrap(),
            ],
            vec![ManagerName::new("王强").unwrap()],
        ];
        let rules = Rules {
            groups,
            ..Rules::default()
        };
        let mut d = Desk::with_rules(rules.clone());
        let day = rules.zone.day_of(d.now);
        let today_is_group_0 = day % 2 == 0;
        d.sign_in(&["张伟", "王强"]);
        let (zhang, wang) = (d.entry("张伟").duty, d.entry("王强").duty);
        assert_ne!(zhang, wang);
        assert_eq!(zhang == Duty::Visit, today_is_group_0);
        let mut tomorrow = Desk::with_rules(rules);
        tomorrow.now = d.now + 86_400_000;
        tomorrow.sign_in(&["张伟", "王强"]);
        assert_eq!(tomorrow.entry("张伟").duty, wang);
        assert_eq!(tomorrow.entry("王强").duty, zhang);
    }

    #[test]
    fn a_manager_who_answers_an_assignment_is_on_duty() {
        let mut d = Desk::new();
        assert!(d.board.rota.visit.is_empty());
        d.take("张伟", Turn::Returning);
        let e = d.entry("张伟");
        assert_eq!((e.turns, e.signed_in), (1, false), "on duty by their 收到");
    }
}
