//! The reception rota (接访轮序, seed 000 §二 and seed 003): which client manager takes the next
//! walk-in. Managers sign in on visit duty or phone duty; turns go in sign-in order; see the
//! hub's rota rules for how each kind of turn moves the queue.

use serde::{Deserialize, Serialize};

use crate::post::ManagerName;

/// Which duty a manager is on today; the groups alternate daily.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// 接访 — receiving visitors.
    Visit,
    /// 接电 — answering the phone.
    Phone,
}

/// What kind of turn an assignment is, which decides how it moves the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Turn {
    /// The next manager in turn takes a walk-in.
    Regular,
    /// A returning registered client goes to their original manager; that counts as the
    /// original's turn, and the manager next in turn keeps their place.
    Returning,
    /// Someone stands in for a returning client's original manager: no turn taken, and a turn
    /// given back afterwards.
    StandIn,
    /// The client asked for this manager by name: they serve, and skip their next turn.
    Requested,
    /// Not a sales visit (internal, asking the way): no turn taken.
    NonSales,
    /// An appointment client: the manager gets a turn back afterwards.
    Appointment,
}

impl Turn {
    /// Every kind of turn (each is a form of the assignment call).
    pub const ALL: [Turn; 6] = [
        Turn::Regular,
        Turn::Returning,
        Turn::StandIn,
        Turn::Requested,
        Turn::NonSales,
        Turn::Appointment,
    ];
}

/// One manager on the rota.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaEntry {
    pub manager: ManagerName,
    pub duty: Duty,
    /// Standing by at the door; the next two in turn must be, or they are skipped.
    pub standing_by: bool,
    /// Their next turn is skipped (after serving a client who asked for them).
    pub skip_next: bool,
    /// Turns given back (stand-in, appointment), taken before the queue's order.
    pub owed: u32,
    /// Phone turns given back for helping with visits while on phone duty.
    pub phone_owed: u32,
    /// Turns taken today.
    pub turns: u32,
    pub signed_in_at: u64,
    /// Signed in on a tablet; false for a manager the rota knows only from their 收到 to an
    /// assignment (proof enough that they are on duty).
    #[serde(default)]
    pub signed_in: bool,
    /// With a client who has not left yet: not free for the next walk-in (seed 003 rule 9).
    #[serde(default)]
    pub busy: bool,
    /// Away from the door on company business (因公): a turn passed over meanwhile is kept.
    #[serde(default)]
    pub on_business: bool,
}

impl RotaEntry {
    /// Free to take the next walk-in: at the door and not with a client.
    pub fn available(&self) -> bool {
        self.standing_by && !self.busy
    }
}

/// The rota: the visit-duty queue in turn order, and the phone-duty list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rota {
    pub visit: Vec<RotaEntry>,
    pub phone: Vec<RotaEntry>,
    /// Who takes the next walk-in, by the rules.
    #[serde(default)]
    pub next_up: Option<ManagerName>,
    /// Returning clients whose turn has counted today (「王先生」): counted once a day.
    #[serde(default)]
    pub returning_today: Vec<String>,
    /// Since when fewer than two managers signed in on visit duty are free at the door.
    #[serde(default)]
    pub short_since: Option<u64>,
}

impl Rota {
    pub fn entry(&self, name: &ManagerName) -> Option<&RotaEntry> {
        self.visit
            .iter()
            .chain(self.phone.iter())
            .find(|e| &e.manager == name)
    }
}
