//! The VIP rooms' board: each room goes free → preparing → ready → occupied → to_clear → free.

use serde::{Deserialize, Serialize};

use crate::post::Station;
use crate::visit::VisitId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomState {
    Free,
    /// The butler is preparing it for a manager's visitors.
    Preparing,
    /// 已经做好接待准备.
    Ready,
    Occupied,
    /// The guests left; the water bar is to clear it.
    ToClear,
}

impl RoomState {
    pub fn name(self) -> &'static str {
        match self {
            RoomState::Free => "free",
            RoomState::Preparing => "preparing",
            RoomState::Ready => "ready",
            RoomState::Occupied => "occupied",
            RoomState::ToClear => "to_clear",
        }
    }
}

/// One VIP room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub room: u8,
    pub state: RoomState,
    /// The manager it is held for (preparing, ready, occupied).
    #[serde(default)]
    pub manager: Option<Station>,
    #[serde(default)]
    pub visit: Option<VisitId>,
    /// When it entered its state.
    pub since: u64,
}

impl Room {
    pub fn free(room: u8) -> Room {
        Room {
            room,
            state: RoomState::Free,
            manager: None,
            visit: None,
            since: 0,
        }
    }
}
