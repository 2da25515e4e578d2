//! Alarms: something that should have happened has not — a visitor not received at the door, a
//! room left uncleared, an order nobody answered, a walk-in who never came, too few managers at
//! the door, no duty manager on site — or what was said on the radio disagrees with the board in
//! a way the hub cannot reconcile by itself. Raised to the supervisor and the post that owes it,
//! shown until resolved.

use serde::{Deserialize, Serialize};

use crate::post::Station;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Announced at the gate, not greeted at the door in time.
    NotGreeted,
    /// A room waiting to be cleared too long.
    RoomNotCleared,
    /// An order not done in time: nobody answered 收到, or a taxi that has not come.
    OrderOverdue,
    /// The butler answered a VIP request, but every room is taken.
    NoRoomFree,
    /// The reception desk said 可以接待 to a walk-in query, and the gate never sent the group in.
    WalkInNotArrived,
    /// Fewer than two managers on visit duty stand by at the door (seed 000 §二 4).
    FewStandingBy,
    /// No duty manager (巡场主管 / 值班经理) on the net while the site is open (seed 000 §二 3).
    NoDutyManager,
    /// What was said on the radio disagrees with the board and the hub cannot tell which is
    /// right; the supervisor looks and resolves it by hand.
    Discrepancy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable for what it is about: `not_greeted:12`, `room_not_cleared:2`, `order_overdue:40`.
    pub id: String,
    pub kind: AlertKind,
    /// What is wrong, in the staff's words.
    pub text: String,
    /// Who must act (the supervisor always sees it).
    pub to: Vec<Station>,
    pub raised_at: u64,
}
