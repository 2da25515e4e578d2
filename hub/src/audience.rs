//! Who may see an event. The supervisor (SUP) sees everything; a post sees what is addressed to
//! it, what it said, and what is addressed to all. Computed once per event, when it is logged.

use protocol::{EventKind, Station, Target};

/// The stations an event is for, besides every supervisor tablet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every tablet on the net (the gate's arrival broadcast and its repeats).
    Everyone,
    /// These stations (often the caller and the target), and SUP.
    Stations(Vec<Station>),
}

impl Audience {
    pub fn of(event: &EventKind) -> Audience {
        use EventKind::*;
        match event {
            // A post that may answer in the target's stead hears the call too (the butler the
            // departure call to the reception desk).
            CallPlaced { call, .. } => match (
                between(&call.caller, &call.target),
                call.intent.also_answered_by(),
            ) {
                (Audience::Stations(mut v), also) if !also.is_empty() => {
                    v.extend(also.iter().map(|p| Station::Post(*p)));
                    stations(v)
                }
                (audience, _) => audience,
            },
            CallRepeated { caller, target, .. } => between(caller, target),
            CallAnswered {
                caller, target, by, ..
            } => {
                let mut v = vec![caller.clone(), by.clone()];
                if let Target::Station(t) = target {
                    v.push(t.clone());
                }
                stations(v)
            }
            CallEscalated { caller, target, .. } => match target {
                Target::All => stations(vec![caller.clone()]),
                Target::Station(t) => stations(vec![caller.clone(), t.clone()]),
            },
            TargetOffline { caller, .. } => stations(vec![caller.clone()]),
            StationOnline { .. } | StationOffline { .. } | RecordLost { .. } => {
                Audience::Stations(Vec::new())
            }
            Tapped { by, .. } => stations(vec![by.clone()]),
            VisitUpdated { .. }
            | RoomUpdated { .. }
            | RotaUpdated { .. }
            | ModeChanged { .. }
            | BoardPruned { .. } => Audience::Everyone,
            OrderUpdated { order } => stations(vec![order.asked_by.clone(), order.owed_by.clone()]),
            Announcement { to, .. } if to.is_empty() => Audience::Everyone,
            Announcement { to, .. } => stations(to.clone()),
            AlertRaised { alert } => stations(alert.to.clone()),
            AlertResolved { to, .. } => stations(to.clone()),
        }
    }

    /// Whether a tablet of `station` may see it.
    pub fn admits(&self, station: &Station) -> bool {
        station.is_supervisor()
            || match self {
                Audience::Everyone => true,
                Audience::Stations(v) => v.contains(station),
            }
    }
}

fn between(caller: &Station, target: &Target) -> Audience {
    match target {
        Target::All => Audience::Everyone,
        Target::Station(t) => stations(vec![caller.clone(), t.clone()]),
    }
}

fn stations(mut v: Vec<Station>) -> Audience {
    v.sort();
    v.dedup();
    Audience::Stations(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Call, Intent, Post};

    #[test]
    fn a_call_is_seen_by_caller_target_and_supervisor_only() {
        let call = Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 1 });
        let a = Audience::of(&EventKind::CallPlaced {
            call_id: 1,
            call,
            awaiting: None,
        });
        assert!(a.admits(&Station::Post(Post::G1)));
        assert!(a.admits(&Station::Post(Post::S1)));
        assert!(a.admits(&Station::Post(Post::Sup)));
        assert!(!a.admits(&Station::Post(Post::L1)));
        assert!(!a.admits(&Station::manager("张伟").unwrap()));
    }

    #[test]
    fn presence_is_for_the_supervisor() {
        let a = Audience::of(&EventKind::StationOnline {
            station: Station::Post(Post::L1),
        });
        assert!(!a.admits(&Station::Post(Post::L1)));
        assert!(a.admits(&Station::Post(Post::Sup)));
    }
}
