//! Who may see an event. The supervisor (SUP) sees everything; a post sees what is addressed to
//! it, what it said, and what is addressed to all. Computed once per event, when it is logged,
//! and kept with the event's frames for resumes — so it is small: the posts as bits, and only a
//! client manager's name (rare in an audience) on the heap.

use protocol::{EventKind, Post, Station, Target};

/// The stations an event is for, besides every supervisor tablet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every tablet on the net (the gate's arrival broadcast and its repeats).
    Everyone,
    /// These stations (often the caller and the target), and SUP.
    Stations(Stations),
}

/// A set of stations: posts as one bit each (in [`Post::ALL`]'s order), managers by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stations {
    posts: u16,
    /// Only `Station::Manager`s.
    managers: Box<[Station]>,
}

// A post's bit is its place in the enum, which is `Post::ALL`'s order; both hold at compile time.
const _: () = {
    assert!(
        Post::ALL.len() <= u16::BITS as usize,
        "a bit for every post"
    );
    let mut i = 0;
    while i < Post::ALL.len() {
        assert!(
            Post::ALL[i] as usize == i,
            "Post::ALL is in the enum's order"
        );
        i += 1;
    }
};

fn bit(p: Post) -> u16 {
    1 << (p as u16)
}

impl Stations {
    fn of(list: Vec<Station>) -> Stations {
        let mut posts = 0;
        let mut managers = Vec::new();
        for s in list {
            match s {
                Station::Post(p) => posts |= bit(p),
                m @ Station::Manager(_) if !managers.contains(&m) => managers.push(m),
                Station::Manager(_) => {}
            }
        }
        Stations {
            posts,
            managers: managers.into_boxed_slice(),
        }
    }

    pub fn contains(&self, station: &Station) -> bool {
        match station {
            Station::Post(p) => self.posts & bit(*p) != 0,
            Station::Manager(_) => self.managers.contains(station),
        }
    }

    /// The posts in the set.
    pub fn posts(&self) -> impl Iterator<Item = Post> + '_ {
        Post::ALL.into_iter().filter(|p| self.posts & bit(*p) != 0)
    }

    /// The client managers in the set.
    pub fn managers(&self) -> &[Station] {
        &self.managers
    }
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
                    for p in also {
                        v.posts |= bit(*p);
                    }
                    Audience::Stations(v)
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
                Audience::Stations(Stations::default())
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

fn stations(v: Vec<Station>) -> Audience {
    Audience::Stations(Stations::of(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Call, Intent, Post};

    #[test]
    fn a_call_is_seen_by_caller_target_and_supervisor_only() {
        let call = Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 1 });
        let a = Audience::of(&EventKind::CallPlaced {
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
