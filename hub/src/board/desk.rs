//! A reception desk in memory, for the board's tests: it logs what the rules return, folds it,
//! and moves the clock by hand — the board with no hub around it.

use protocol::rota::Turn;
use protocol::{Answer, Call, Event, EventKind, Intent, ManagerName, Post, Station, Tap, Visitor};

use super::{Board, Contradiction, Rules};

pub(crate) fn x(name: &str) -> Station {
    Station::manager(name).unwrap()
}

/// A manager by name, or a post by code (`SUP`).
pub(crate) fn station(name: &str) -> Station {
    name.parse().unwrap_or_else(|_| x(name))
}

pub(crate) struct Desk {
    pub(crate) board: Board,
    pub(crate) offset: u64,
    pub(crate) now: u64,
}

impl Desk {
    pub(crate) fn new() -> Desk {
        Desk::with_rules(Rules::default())
    }

    pub(crate) fn with_rules(rules: Rules) -> Desk {
        Desk {
            board: Board::new(&[1, 2, 3], rules),
            offset: 0,
            now: 1_800_000_000_000,
        }
    }

    pub(crate) fn log(&mut self, events: Vec<EventKind>) {
        for what in events {
            self.offset += 1;
            self.board.apply(&Event {
                offset: self.offset,
                at: self.now,
                what,
            });
        }
    }

    pub(crate) fn tap(&mut self, by: &Station, tap: Tap) -> Result<(), Contradiction> {
        let (_, events) = self.board.on_tap(by, &tap, self.now)?;
        self.log(events);
        Ok(())
    }

    pub(crate) fn sign_in(&mut self, names: &[&str]) {
        for n in names {
            self.tap(&x(n), Tap::SignIn { duty: None }).unwrap();
        }
    }

    /// Reception assigns a new group (a surname of its own); returns the call to answer.
    pub(crate) fn assign(&mut self, name: &str, turn: Turn) -> Result<(u64, Call), Contradiction> {
        const SURNAMES: [&str; 8] = ["王", "李", "赵", "钱", "孙", "周", "吴", "郑"];
        let surname = SURNAMES[self.offset as usize % SURNAMES.len()];
        let visitor = Visitor::new(surname, protocol::Title::Mr).unwrap();
        self.assign_group(name, visitor, turn)
    }

    /// Reception assigns `visitor`'s group to a manager (or the supervisor, `SUP`).
    pub(crate) fn assign_group(
        &mut self,
        name: &str,
        visitor: Visitor,
        turn: Turn,
    ) -> Result<(u64, Call), Contradiction> {
        let call = Call::new(
            Post::Rc,
            station(name),
            Intent::Assign {
                visitor,
                party: 2,
                turn,
            },
        );
        let id = self.offset + 1;
        let updates = self.board.on_call(&call, id, self.now)?;
        self.log(vec![EventKind::CallPlaced {
            call: call.clone(),
            awaiting: None,
        }]);
        self.log(updates);
        Ok((id, call))
    }

    pub(crate) fn answer(&mut self, name: &str, (id, call): (u64, Call)) {
        let updates = self
            .board
            .on_answer(&call, id, &station(name), Answer::Received, self.now);
        self.log(updates);
    }

    /// The manager takes a new group, serves it, and sees it off: the rota's order after a turn.
    pub(crate) fn take(&mut self, name: &str, turn: Turn) {
        let visit = self.receive(name, turn);
        self.tap(&x(name), Tap::Left { visit }).unwrap();
    }

    /// The manager takes a new group and is still with it; the group's visit id.
    pub(crate) fn receive(&mut self, name: &str, turn: Turn) -> u64 {
        let assigned = self.assign(name, turn).unwrap();
        let who = match &assigned.1.intent {
            Intent::Assign { visitor, .. } => visitor.clone(),
            _ => unreachable!("assign places an assignment"),
        };
        self.answer(name, assigned);
        self.board
            .find_visit(&who, None)
            .map(|v| v.id)
            .expect("the group is on the board")
    }

    pub(crate) fn queue(&self) -> Vec<String> {
        self.board
            .rota
            .visit
            .iter()
            .map(|e| e.manager.to_string())
            .collect()
    }

    pub(crate) fn next_up(&self) -> Option<String> {
        self.board.rota.next_up.as_ref().map(ManagerName::to_string)
    }

    pub(crate) fn entry(&self, name: &str) -> protocol::rota::RotaEntry {
        self.board
            .rota
            .entry(&ManagerName::new(name).unwrap())
            .unwrap()
            .clone()
    }
}

impl Desk {
    /// Places a call as its caller and logs what the board makes of it; the call's id.
    pub(crate) fn say(&mut self, sentence: &str) -> Result<(u64, Call), Contradiction> {
        let call = Call::parse(sentence)
            .ok()
            .and_then(|u| match u {
                protocol::Utterance::Call(c) => Some(c),
                _ => None,
            })
            .unwrap_or_else(|| panic!("not a call: {sentence}"));
        let id = self.offset + 1;
        let updates = self.board.on_call(&call, id, self.now)?;
        self.log(vec![EventKind::CallPlaced {
            call: call.clone(),
            awaiting: None,
        }]);
        self.log(updates);
        Ok((id, call))
    }

    /// What is due at the desk's clock, logged.
    pub(crate) fn settle(&mut self) {
        let due = self.board.due(self.now);
        self.log(due);
    }
}
