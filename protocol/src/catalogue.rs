//! The call catalogue as data a tablet can build its quick actions from: for each scripted call,
//! who makes it, whom it is for, the fields to fill and the answers it takes — read from
//! [`Intent`] itself, so a page never keeps a second copy of the catalogue.

use serde::{Deserialize, Serialize};

use crate::intent::{Answer, Intent, Role};
use crate::post::Station;
use crate::rota::Turn;
use crate::visitor::{Title, Visitor};

/// One scripted call, described for a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The intent's `kind` on the wire.
    pub kind: String,
    /// Whom the call is for: a post code (`S1`), `X` (a client manager), `X|SUP` (a manager or
    /// the supervisor standing in), `ALL` (every post), or `*` (anyone).
    pub target: String,
    /// The fields of the intent, in the order a form asks for them.
    pub fields: Vec<Field>,
    /// The answers that close it; empty for a report.
    pub answers: Vec<Answer>,
}

/// One field of an intent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    /// `visitor` (「王先生」), `party` (1–999), `copies` (1–999), `room` (a VIP room number),
    /// `text` (a short phrase), `plate` (a Chinese plate), `bool`, `turn` (a rota turn).
    #[serde(rename = "type")]
    pub kind: String,
    /// May be left out (null): a room left out means the reception area (接待区), a plate or a
    /// description not noted.
    pub optional: bool,
}

/// The answers each kind of call takes, for every kind: what a tablet offers for a call it hears.
pub fn answers() -> std::collections::BTreeMap<String, Vec<Answer>> {
    samples()
        .iter()
        .map(|i| (i.kind().to_owned(), i.answers().to_vec()))
        .collect()
}

/// The calls `station` makes, in the catalogue's order (the supervisor may make every one).
pub fn for_station(station: &Station) -> Vec<Entry> {
    samples()
        .into_iter()
        .filter(|i| {
            station.is_supervisor() || i.callers().iter().any(|r| r.admits_station(station))
        })
        .map(|i| entry(&i))
        .collect()
}

fn entry(intent: &Intent) -> Entry {
    let target = match intent.target() {
        Role::Post(p) => p.code().to_owned(),
        Role::AnyManager => "X".into(),
        Role::ManagerOrSupervisor => "X|SUP".into(),
        Role::All => "ALL".into(),
        Role::Anyone => "*".into(),
    };
    Entry {
        kind: intent.kind().to_owned(),
        target,
        fields: fields(intent)
            .iter()
            .map(|(name, kind, optional)| Field {
                name: (*name).to_owned(),
                kind: (*kind).to_owned(),
                optional: *optional,
            })
            .collect(),
        answers: intent.answers().to_vec(),
    }
}

/// The fields of each intent. The match is exhaustive: a new intent must say its fields here.
fn fields(intent: &Intent) -> &'static [(&'static str, &'static str, bool)] {
    const WHO: (&str, &str, bool) = ("visitor", "visitor", false);
    const PARTY: (&str, &str, bool) = ("party", "party", false);
    const ROOM: (&str, &str, bool) = ("room", "room", false);
    match intent {
        Intent::Hail | Intent::WalkInQuery => &[],
        Intent::HeadingIn { .. } | Intent::AppointmentArrived { .. } => &[WHO, PARTY],
        Intent::ArrivalBroadcast { .. } => &[
            WHO,
            PARTY,
            ("appointment", "bool", false),
            ("description", "text", true),
        ],
        Intent::VipRequest { .. }
        | Intent::SeeOff { .. }
        | Intent::Taxi { .. }
        | Intent::LineUp { .. } => &[WHO],
        Intent::VipReady { .. }
        | Intent::IdCopy { .. }
        | Intent::ClearRoom { .. }
        | Intent::RoomCleared { .. } => &[ROOM],
        Intent::VipDeparting { .. } => &[ROOM, WHO],
        Intent::Drinks { .. } => &[("drink", "text", false), ("room", "room", true)],
        Intent::Documents { .. } => &[("copies", "copies", false), ("material", "text", false)],
        Intent::Restock { .. } => &[("items", "text", false)],
        Intent::TaxiArrived { .. } => &[WHO, ("plate", "plate", true)],
        Intent::ModelHouseReady { .. } | Intent::GuestsDown { .. } => &[PARTY],
        Intent::Shuttle { .. } => &[PARTY, ("next_run", "bool", false)],
        Intent::Assign { .. } => &[WHO, PARTY, ("turn", "turn", false)],
        Intent::Free { .. } => &[("text", "text", false)],
    }
}

/// One intent of each kind, in the catalogue's order (the values are placeholders).
pub(crate) fn samples() -> Vec<Intent> {
    let who = Visitor {
        surname: "王".into(),
        title: Title::Mr,
    };
    vec![
        Intent::WalkInQuery,
        Intent::HeadingIn {
            visitor: who.clone(),
            party: 1,
        },
        Intent::AppointmentArrived {
            visitor: who.clone(),
            party: 1,
        },
        Intent::ArrivalBroadcast {
            visitor: who.clone(),
            party: 1,
            appointment: true,
            description: None,
        },
        Intent::VipRequest {
            visitor: who.clone(),
        },
        Intent::VipReady { room: 1 },
        Intent::VipDeparting {
            room: 1,
            visitor: who.clone(),
        },
        Intent::Drinks {
            drink: "水".into(),
            room: Some(1),
        },
        Intent::IdCopy { room: 1 },
        Intent::Documents {
            copies: 1,
            material: "户型".into(),
        },
        Intent::Restock {
            items: "柠檬".into(),
        },
        Intent::ClearRoom { room: 1 },
        Intent::RoomCleared { room: 1 },
        Intent::SeeOff {
            visitor: who.clone(),
        },
        Intent::Taxi {
            visitor: who.clone(),
        },
        Intent::TaxiArrived {
            visitor: who.clone(),
            plate: None,
        },
        Intent::ModelHouseReady { party: 1 },
        Intent::GuestsDown { party: 1 },
        Intent::Shuttle {
            party: 1,
            next_run: false,
        },
        Intent::Assign {
            visitor: who.clone(),
            party: 1,
            turn: Turn::Regular,
        },
        Intent::LineUp { visitor: who },
        Intent::Hail,
        Intent::Free {
            text: "其他".into(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Post;

    #[test]
    fn every_post_gets_exactly_the_calls_it_makes() {
        let kinds =
            |s: Station| -> Vec<String> { for_station(&s).into_iter().map(|e| e.kind).collect() };
        assert_eq!(
            kinds(Station::Post(Post::L1)),
            [
                "walk_in_query",
                "heading_in",
                "appointment_arrived",
                "arrival_broadcast",
                "taxi_arrived",
                "hail",
                "free"
            ]
        );
        assert_eq!(
            kinds(Station::Post(Post::S1)),
            ["restock", "room_cleared", "hail", "free"]
        );
        let x = kinds(Station::manager("张伟").unwrap());
        for k in [
            "vip_request",
            "drinks",
            "id_copy",
            "documents",
            "see_off",
            "taxi",
        ] {
            assert!(x.contains(&k.to_owned()), "{k} in {x:?}");
        }
        assert!(!x.contains(&"vip_ready".to_owned()));
        assert_eq!(
            for_station(&Station::Post(Post::Sup)).len(),
            samples().len(),
            "the supervisor may make every call"
        );
    }

    #[test]
    fn the_samples_cover_every_kind_once() {
        let mut kinds: Vec<&str> = samples().iter().map(Intent::kind).collect();
        let n = kinds.len();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), n);
        assert_eq!(n, 23, "a new intent needs a sample here");
    }

    #[test]
    fn fields_and_targets_read_as_a_form_needs_them() {
        let x = Station::manager("张伟").unwrap();
        let drinks = for_station(&x)
            .into_iter()
            .find(|e| e.kind == "drinks")
            .unwrap();
        assert_eq!(drinks.target, "S1");
        assert_eq!(drinks.fields[1].name, "room");
        assert!(drinks.fields[1].optional, "no room: the reception area");
        let rc = for_station(&Station::Post(Post::Rc));
        let assign = rc.iter().find(|e| e.kind == "assign").unwrap();
        assert_eq!(assign.target, "X|SUP");
        let l1 = for_station(&Station::Post(Post::L1));
        let walk_in = l1.iter().find(|e| e.kind == "walk_in_query").unwrap();
        assert_eq!(walk_in.answers, [Answer::CanReceive, Answer::CannotReceive]);
    }
}
