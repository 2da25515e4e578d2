//! The reception rota's rules (接访轮序, seed 000 §二, seed 003, DOMAIN.md §5):
//!
//! - managers sign in on visit duty or phone duty; the rota groups alternate daily;
//! - turns go in sign-in order;
//! - the next managers in turn must stand by at the door, or they are skipped (and go behind);
//! - a returning registered client goes to their original manager, which counts as that
//!   manager's turn, and the manager next in turn keeps their place;
//! - whoever stands in for an original manager takes no turn and gets one back;
//! - a client who asks for a manager by name gets them, and that manager skips their next turn;
//! - a visit unrelated to sales takes no turn;
//! - whoever receives an appointment client gets a turn back;
//! - a phone-duty manager who helps with visits gets a phone turn back;
//! - a turn counts once the manager answers the assignment (收到);
//! - the supervisor can move or remove managers; every change is logged.

use protocol::rota::{Duty, Rota, RotaEntry, Turn};
use protocol::{EventKind, ManagerName};

use super::{Board, Contradiction};

impl Board {
    /// Checks that `manager` may take a turn of this kind now.
    pub(super) fn check_assignment(
        &self,
        manager: &ManagerName,
        turn: Turn,
    ) -> Result<(), Contradiction> {
        let Some(entry) = self.rota.entry(manager) else {
            return Err(Contradiction::new(
                "not_signed_in",
                format!("大客户经理{manager} is not signed in on the rota"),
            ));
        };
        if turn != Turn::Regular {
            return Ok(());
        }
        match next_up(&self.rota) {
            Some(next) if &next == manager => Ok(()),
            Some(next) => Err(Contradiction::new(
                "not_next_up",
                format!(
                    "it is 大客户经理{next}'s turn, not {manager}'s (a returning client, a named manager or a non-sales visit is another kind of turn)"
                ),
            )),
            // Nobody on visit duty stands by: the phone group helps (seed 000 §二 4).
            None if entry.duty == Duty::Phone => Ok(()),
            None => Err(Contradiction::new(
                "nobody_standing_by",
                "no manager on visit duty is standing by at the door; a phone-duty manager may help",
            )),
        }
    }

    /// The rota after `manager` answered an assignment of this kind.
    pub(super) fn turn_taken(
        &self,
        manager: &ManagerName,
        turn: Turn,
        _now: u64,
    ) -> Vec<EventKind> {
        let mut rota = self.rota.clone();
        let phone = rota.phone.iter().any(|e| &e.manager == manager);
        let change;
        match turn {
            Turn::Regular => {
                if let Some(pos) = rota.visit.iter().position(|e| &e.manager == manager) {
                    if rota.visit[pos].owed > 0 && rota.visit[pos].standing_by {
                        rota.visit[pos].owed -= 1;
                        rota.visit[pos].turns += 1;
                        change = format!("{manager} took a turn given back");
                    } else {
                        // Everyone ahead who was passed over loses this turn and goes behind.
                        let mut passed: Vec<RotaEntry> = rota.visit.drain(..pos).collect();
                        let mut me = rota.visit.remove(0);
                        for p in &mut passed {
                            p.skip_next = false;
                        }
                        me.turns += 1;
                        let skipped: Vec<String> =
                            passed.iter().map(|p| p.manager.to_string()).collect();
                        rota.visit.extend(passed);
                        rota.visit.push(me);
                        change = if skipped.is_empty() {
                            format!("{manager} took the turn")
                        } else {
                            format!("{manager} took the turn; skipped: {}", skipped.join(", "))
                        };
                    }
                } else {
                    change = format!("{manager} (phone duty) helped with a walk-in");
                }
            }
            Turn::Returning => {
                if let Some(pos) = rota.visit.iter().position(|e| &e.manager == manager) {
                    let mut me = rota.visit.remove(pos);
                    me.turns += 1;
                    rota.visit.push(me);
                } else if let Some(e) = entry_mut(&mut rota, manager) {
                    e.turns += 1;
                }
                change =
                    format!("{manager} received their returning client (counts as their turn)");
            }
            Turn::StandIn => {
                if let Some(e) = entry_mut(&mut rota, manager) {
                    e.owed += 1;
                }
                change = format!(
                    "{manager} stood in for a returning client's manager: a turn given back"
                );
            }
            Turn::Requested => {
                if let Some(e) = entry_mut(&mut rota, manager) {
                    e.turns += 1;
                    e.skip_next = true;
                }
                change = format!("{manager} was asked for by name: skips their next turn");
            }
            Turn::NonSales => {
                change = format!("{manager} took a non-sales visit (no turn)");
            }
            Turn::Appointment => {
                if let Some(e) = entry_mut(&mut rota, manager) {
                    e.turns += 1;
                    e.owed += 1;
                }
                change = format!("{manager} received an appointment client: a turn given back");
            }
        }
        if phone && turn != Turn::NonSales {
            if let Some(e) = entry_mut(&mut rota, manager) {
                e.phone_owed += 1;
            }
        }
        vec![rota_updated(rota, change)]
    }

    /// Visit or phone duty for a manager signing in, from the day's groups.
    pub(super) fn duty_today(&self, manager: &ManagerName, now: u64) -> Duty {
        let groups = &self.rules.groups;
        let Some(group) = groups.iter().position(|g| g.contains(manager)) else {
            return Duty::Visit;
        };
        let day = (now as i64 + self.rules.utc_offset_ms).div_euclid(86_400_000);
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
        let entry = RotaEntry {
            manager: manager.clone(),
            duty,
            standing_by: true,
            skip_next: false,
            owed: 0,
            phone_owed: 0,
            turns: 0,
            signed_in_at: now,
        };
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
        let what = if at_door {
            "stands by at the door"
        } else {
            "stepped away from the door"
        };
        Ok(vec![rota_updated(rota, format!("{manager} {what}"))])
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
/// who stands by at the door and is not skipping this turn.
pub fn next_up(rota: &Rota) -> Option<ManagerName> {
    rota.visit
        .iter()
        .find(|e| e.owed > 0 && e.standing_by)
        .or_else(|| rota.visit.iter().find(|e| e.standing_by && !e.skip_next))
        .map(|e| e.manager.clone())
}

fn entry_mut<'a>(rota: &'a mut Rota, manager: &ManagerName) -> Option<&'a mut RotaEntry> {
    rota.visit
        .iter_mut()
        .chain(rota.phone.iter_mut())
        .find(|e| &e.manager == manager)
}

fn rota_updated(mut rota: Rota, change: String) -> EventKind {
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
        let refused = d.assign("张伟", Turn::Regular).unwrap_err();
        assert_eq!(refused.rule, "not_next_up");
        assert!(refused.message.contains("李娜"), "{}", refused.message);
        d.take("李娜", Turn::Regular);
        // 张伟 was passed over: his turn is lost and he goes behind.
        assert_eq!(d.queue(), ["王强", "张伟", "李娜"]);
        d.tap(&x("张伟"), Tap::StandBy { at_door: true }).unwrap();
        assert_eq!(d.next_up().as_deref(), Some("王强"));
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
        d.tap(
            &x("赵敏"),
            Tap::SignIn {
                duty: Some(Duty::Phone),
            },
        )
        .unwrap();
        // While the visit group has someone at the door, the phone group does not take turns.
        assert_eq!(
            d.assign("赵敏", Turn::Regular).unwrap_err().rule,
            "not_next_up"
        );
        d.tap(&x("张伟"), Tap::StandBy { at_door: false }).unwrap();
        assert_eq!(d.next_up(), None);
        d.take("赵敏", Turn::Regular);
        assert_eq!(d.entry("赵敏").phone_owed, 1);
        assert_eq!(d.board.rota.phone.len(), 1, "back to phone duty");
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
            utc_offset_ms: 8 * 3_600_000,
            ..Rules::default()
        };
        let mut d = Desk::with_rules(rules.clone());
        let day = (d.now as i64 + rules.utc_offset_ms) / 86_400_000;
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
    fn only_managers_on_the_rota_are_assigned() {
        let mut d = Desk::new();
        assert_eq!(
            d.assign("张伟", Turn::Returning).unwrap_err().rule,
            "not_signed_in"
        );
    }
}
