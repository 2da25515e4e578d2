//! What the hub has already told the operator about a token today.
//!
//! A token about to expire, or an old-format one, is worth a warning in the hub's log: the
//! operator should give that post a new link. But a tablet reconnects many times a day (the
//! water bar's Wi-Fi drops, a tablet sleeps and wakes), and after a restart every tablet of the
//! site signs in again at once. Said at every sign-in, the one thing to do would be buried under
//! hundreds of copies of itself. So each is said once a day: at the first sign-in of the site's
//! day ([`crate::calendar`]) on that token, or, for an old-format token (which has no id), on
//! that station.
//!
//! Only tokens the gate let in are remembered, and only those with something to say, so what is
//! kept is bounded by the tokens the operator minted; it is forgotten when the day turns.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use protocol::Station;

use crate::token::{Grant, TokenId};

/// Whom a reminder is about.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Whose {
    Token(TokenId),
    /// An old-format token: no id, so the station it speaks for.
    Station(Station),
}

#[derive(Default)]
struct Said {
    /// The site's day `whose` is for.
    day: i64,
    whose: HashSet<Whose>,
}

/// The reminders said today, shared by every connection.
#[derive(Default)]
pub struct Reminders {
    said: Mutex<Said>,
}

impl Reminders {
    /// Whether a reminder about `grant` is still to be said on the site's `day` (it is then
    /// taken as said): true at the first call of a day for a token, false after that until the
    /// day turns.
    pub fn due(&self, grant: &Grant, day: i64) -> bool {
        let whose = match grant.id {
            Some(id) => Whose::Token(id),
            None => Whose::Station(grant.station.clone()),
        };
        let mut said = self.said.lock().unwrap_or_else(PoisonError::into_inner);
        if said.day != day {
            said.day = day;
            said.whose.clear();
        }
        said.whose.insert(whose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::KeyId;
    use protocol::Post;

    fn grant(station: Post, id: Option<TokenId>) -> Grant {
        Grant {
            station: Station::Post(station),
            id,
            key: KeyId::of(b"a key"),
            issued_ms: 0,
            expires_ms: None,
        }
    }

    const DAY: i64 = 20_000;

    #[test]
    fn a_token_is_reminded_of_once_a_day_however_often_it_signs_in() {
        let reminders = Reminders::default();
        let water_bar = grant(Post::S1, Some(TokenId::random().unwrap()));
        assert!(reminders.due(&water_bar, DAY));
        for _ in 0..60 {
            assert!(!reminders.due(&water_bar, DAY));
        }
        assert!(
            reminders.due(&water_bar, DAY + 1),
            "the next day, it is said again"
        );
        assert!(!reminders.due(&water_bar, DAY + 1));
    }

    #[test]
    fn each_token_and_each_old_format_station_has_its_own_reminder() {
        let reminders = Reminders::default();
        let (first, second) = (TokenId::random().unwrap(), TokenId::random().unwrap());
        assert!(reminders.due(&grant(Post::S1, Some(first)), DAY));
        assert!(
            reminders.due(&grant(Post::S1, Some(second)), DAY),
            "a second token of the same post is a different token"
        );
        assert!(reminders.due(&grant(Post::L1, None), DAY));
        assert!(reminders.due(&grant(Post::L2, None), DAY));
        assert!(!reminders.due(&grant(Post::L1, None), DAY));
        assert!(!reminders.due(&grant(Post::S1, Some(second)), DAY));
    }
}
