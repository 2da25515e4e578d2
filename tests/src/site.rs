//! A test site: a hub, the clock it reads (hand-set when the test plays a stretch of the day),
//! and the posts' tablets, by post code. What a site's day is made of — a post says a sentence,
//! others answer, a post taps — is [`Posts`]'; a [`Site`] adds the hub and moving its clock.

use std::time::Duration;

use hub::{Clock, Config};
use serde_json::Value;

use crate::{Posts, TestHub, state, visitor};

const MIN: u64 = 60_000;

pub struct Site {
    pub hub: TestHub,
    /// The hub's clock when the test moves it ([`Site::at`]); `None`: the system clock.
    pub clock: Option<Clock>,
    /// When the site's stretch of the day began, in ms since the Unix epoch.
    pub start: u64,
    posts: Posts,
}

impl std::ops::Deref for Site {
    type Target = Posts;
    fn deref(&self) -> &Posts {
        &self.posts
    }
}

impl std::ops::DerefMut for Site {
    fn deref_mut(&mut self) -> &mut Posts {
        &mut self.posts
    }
}

impl Site {
    /// A hub on the system clock with `tweak` applied, and no tablets yet.
    pub async fn live(tweak: impl FnOnce(&mut Config)) -> Site {
        let hub = TestHub::start_with(tweak).await;
        Site {
            hub,
            clock: None,
            start: hub::token::now_ms(),
            posts: Posts::default(),
        }
    }

    /// A hub whose clock shows `start` and moves only when the test says ([`Site::at`]), with
    /// `tweak` applied, and no tablets yet.
    pub async fn from(start: u64, tweak: impl FnOnce(&mut Config)) -> Site {
        let clock = Clock::manual(start);
        let hub = TestHub::start_with({
            let clock = clock.clone();
            move |c| {
                tweak(c);
                c.clock = clock;
            }
        })
        .await;
        Site {
            hub,
            clock: Some(clock),
            start,
            posts: Posts::default(),
        }
    }

    /// A hand-set hub (as [`Site::from`]) whose stretch began `minutes` ago, so that the hour
    /// after it ends about now — earlier, when that would cross the site's midnight (see
    /// [`crate::day_span_start`]).
    pub async fn ago(minutes: u64, tweak: impl FnOnce(&mut Config)) -> Site {
        let start = crate::day_span_start(minutes * MIN, (minutes + 60) * MIN);
        Site::from(start, tweak).await
    }

    /// Connects a tablet for each of these posts, in order (the supervisor's first, as on a
    /// real site, where the supervisor's tablet is on before the day begins).
    pub async fn connect(&mut self, posts: &[&str]) {
        self.posts.connect_more(&self.hub, posts).await;
    }

    fn hand_set(&self) -> &Clock {
        self.clock.as_ref().expect("a hand-set clock")
    }

    /// Moves the hand-set clock to `minutes` after the start.
    pub fn at(&self, minutes: u64) {
        let clock = self.hand_set();
        let then = self.start + minutes * MIN;
        let now = clock.now_ms();
        assert!(then >= now, "the day runs forward");
        clock.advance(then - now);
    }

    /// Moves the hand-set clock `d` forward.
    pub fn later(&self, d: Duration) {
        self.hand_set().advance(d.as_millis() as u64);
    }

    /// The board as the supervisor's tablet reads it (`/api/state`'s content).
    pub async fn state(&mut self) -> Value {
        state(self.tablet("SUP")).await
    }

    /// The id of the one visitor group called `who` on the board.
    pub async fn visit(&mut self, who: &str) -> u64 {
        let s = self.state().await;
        visitor(&s, who)["id"].as_u64().unwrap()
    }

    /// Reads what the tablets were sent, so that none falls behind and is cut off.
    pub async fn drain(&mut self) {
        for t in self.posts.all() {
            while let Ok(Some(_)) = t.next_event_within(Duration::from_millis(1)).await {}
        }
    }
}
