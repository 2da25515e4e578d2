//! A visitor group's way through the site (docs/DOMAIN.md): who they are, where they are now, who
//! takes care of them, and when they reached each stage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::post::Station;
use crate::visitor::Visitor;

/// A visit's id: the log offset of the event that first made it (the gate's call).
pub type VisitId = u64;

/// Where a visitor group is on its way through the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Announced at the gate (appointment).
    AtGate,
    /// A walk-in waiting for the reception desk's 可以接待 / 无法接待.
    AwaitingReception,
    /// Sent on to the car park (L2), on the way to the door.
    Parking,
    /// Greeted at the door (Y1/Y2).
    AtDoor,
    /// A client manager has taken over.
    WithManager,
    /// In a VIP room.
    InVip,
    /// Visiting the model house.
    ModelHouse,
    /// Leaving: reception and the gate are preparing the farewell.
    Departing,
    /// Gone.
    Left,
    /// Turned away at the gate (无法接待, an important event, a media day).
    Declined,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::AtGate => "at_gate",
            Stage::AwaitingReception => "awaiting_reception",
            Stage::Parking => "parking",
            Stage::AtDoor => "at_door",
            Stage::WithManager => "with_manager",
            Stage::InVip => "in_vip",
            Stage::ModelHouse => "model_house",
            Stage::Departing => "departing",
            Stage::Left => "left",
            Stage::Declined => "declined",
        }
    }

    /// Whether the group is still on the site.
    pub fn is_active(self) -> bool {
        !matches!(self, Stage::Left | Stage::Declined)
    }
}

/// One visitor group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: VisitId,
    /// 王先生 — unknown for a walk-in until the gate names them.
    #[serde(default, with = "who_text")]
    pub who: Option<Visitor>,
    #[serde(default)]
    pub party: Option<u16>,
    pub appointment: bool,
    #[serde(default)]
    pub description: Option<String>,
    /// The car's plate, if known.
    #[serde(default)]
    pub plate: Option<String>,
    pub stage: Stage,
    /// The client manager taking care of them.
    #[serde(default)]
    pub manager: Option<Station>,
    /// The VIP room they have or are about to have.
    #[serde(default)]
    pub room: Option<u8>,
    /// When each stage was first reached (ms since the Unix epoch), and `parked`.
    #[serde(default)]
    pub times: BTreeMap<String, u64>,
    /// For a walk-in: the reception desk said 可以接待.
    #[serde(default)]
    pub reception_ok: bool,
}

impl Visit {
    /// A group as the gate first knows it: at the gate, nobody in charge yet.
    pub fn new(id: VisitId, who: Option<Visitor>, party: Option<u16>, appointment: bool) -> Visit {
        Visit {
            id,
            who,
            party,
            appointment,
            description: None,
            plate: None,
            stage: Stage::AtGate,
            manager: None,
            room: None,
            times: BTreeMap::new(),
            reception_ok: false,
        }
    }

    /// Moves to a stage, noting when it was first reached.
    pub fn enter(&mut self, stage: Stage, at: u64) {
        self.stage = stage;
        self.times.entry(stage.name().to_owned()).or_insert(at);
    }

    pub fn is(&self, who: &Visitor) -> bool {
        self.who.as_ref() == Some(who)
    }
}

/// The visitor on the wire as people say it: "王先生".
mod who_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::visitor::Visitor;

    pub fn serialize<S: Serializer>(who: &Option<Visitor>, s: S) -> Result<S::Ok, S::Error> {
        match who {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Visitor>, D::Error> {
        let text = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.map(|t| Visitor::parse(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}
