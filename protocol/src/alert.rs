//! Alarms: something that should have happened has not — a visitor not greeted, a room left
//! uncleared, an order not done. Raised to the supervisor and the post that owes it, shown until
//! resolved.

use serde::{Deserialize, Serialize};

use crate::post::Station;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Announced at the gate, not greeted at the door in time.
    NotGreeted,
    /// A room waiting to be cleared too long.
    RoomNotCleared,
    /// An order not done in time.
    OrderOverdue,
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
