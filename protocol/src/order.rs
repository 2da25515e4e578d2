//! Service orders: drinks to a room, ID copies, document packs, restocking, taxis, clearing a
//! room — each asked → acknowledged → done, so the water bar and the butler see a queue.

use serde::{Deserialize, Serialize};

use crate::post::Station;
use crate::visit::VisitId;

/// An order's id: the id of the call that asked for it.
pub type OrderId = u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Drinks,
    IdCopy,
    Documents,
    Restock,
    Taxi,
    ClearRoom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Asked,
    Acknowledged,
    Done,
}

/// One order and its times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub kind: OrderKind,
    /// What, in the staff's words: 两杯柠檬水, 2份户型资料, 王先生的出租车 (粤B12345).
    pub detail: String,
    #[serde(default)]
    pub room: Option<u8>,
    #[serde(default)]
    pub visit: Option<VisitId>,
    pub asked_by: Station,
    /// The post that owes it.
    pub owed_by: Station,
    pub state: OrderState,
    pub asked_at: u64,
    #[serde(default)]
    pub acknowledged_at: Option<u64>,
    #[serde(default)]
    pub done_at: Option<u64>,
}
