//! A reception desk in memory, for the board's tests: it logs what the rules return, folds it,
//! and moves the clock by hand — the board with no hub around it.

use protocol::rota::Turn;
use protocol::{Answer, Call, Event, EventKind, Intent, ManagerName, Post, Station, Tap, Visitor};

use super::{Board, Contradiction, Rules};

pub(crate) fn x(name: &str) -> Station {
    Station::manager(name).unwrap()
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

    /// Reception assigns a group; returns the call to answer.
    pub(crate) fn assign(&mut self, name: &str, turn: Turn) -> Result<(u64, Call), Contradiction> {
        let call = Call::new(
            Post::Rc,
            x(name),
            Intent::Assign {
                visitor: Visitor::parse("王先生").unwrap(),
                party: 2,
                turn,
            },
        );
        let id = self.offset + 1;
        let updates = self.board.on_call(&call, id, self.now)?;
        self.log(vec![EventKind::CallPlaced {
            call_id: id,
            call: call.clone(),
            sentence: call.render(),
        }]);
        self.log(updates);
        Ok((id, call))
    }

    pub(crate) fn answer(&mut self, name: &str, (id, call): (u64, Call)) {
        let updates = self
            .board
            .on_answer(&call, id, &x(name), Answer::Received, self.now);
        self.log(updates);
    }

    pub(crate) fn take(&mut self, name: &str, turn: Turn) {
        let assigned = self.assign(name, turn).unwrap();
        self.answer(name, assigned);
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
            call_id: id,
            call: call.clone(),
            sentence: sentence.to_owned(),
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
