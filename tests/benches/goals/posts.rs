//! The calling posts of the durable part: one or more [`Pair`]s taking the calls in turn.
//!
//! The first pair is the parking concierge calling the gate (L2 → L1); more pairs
//! (BENCH_DURABLE_PAIRS) are client managers calling each other. The hub holds everything it
//! sends a tablet behind that tablet's newest acknowledgement until the log is on disk past it.
//! One pair carries the whole rate on two connections, so at thousands of calls a second the
//! 收到 to call *n* waits behind the acknowledgements of the calls made since *n*, which a
//! second sync makes durable. Spread over more posts, a post calls seldom enough that its 收到
//! goes out with its own call's acknowledgement, as at a site, where a post calls a few times
//! a minute. But the hub then writes to more sockets, a few frames each instead of many to two,
//! and the load reads more of them: see docs/OPERATIONS.md for what each costs at which rate.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use protocol::{Codec, Post, Station};
use tokio::time::Instant;

use crate::hub::Hub;
use crate::pair::Pair;

/// Most pairs: the managers' names are two of [`STEMS`] after a prefix.
pub const MOST: usize = STEMS.len() * STEMS.len();

/// The letters the managers are named with (a name is letters only).
const STEMS: [char; 10] = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];

pub struct Posts {
    pairs: Vec<Pair>,
    /// The pair that calls next.
    turn: AtomicUsize,
}

impl Posts {
    /// Connects `pairs` pairs (at least one, at most [`MOST`]).
    pub async fn open(hub: &Hub, pairs: usize) -> Result<Posts, String> {
        if !(1..=MOST).contains(&pairs) {
            return Err(format!(
                "BENCH_DURABLE_PAIRS is {pairs}; give 1 to {MOST} pairs of posts"
            ));
        }
        let mut open =
            vec![Pair::open(hub, Post::L2, Post::L1, Codec::MsgPack, Codec::MsgPack).await?];
        for i in 1..pairs {
            let name = |prefix: &str| {
                Station::manager(&format!("{prefix}{}{}", STEMS[i / 10], STEMS[i % 10]))
                    .map_err(|e| format!("a manager's name for pair {i}: {e}"))
            };
            let (from, to) = (name("呼")?, name("答")?);
            open.push(Pair::open(hub, from, to, Codec::MsgPack, Codec::MsgPack).await?);
        }
        Ok(Posts {
            pairs: open,
            turn: AtomicUsize::new(0),
        })
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// The pair whose turn it is to call; the turn passes on.
    pub fn next(&self) -> &Pair {
        &self.pairs[self.turn.fetch_add(1, Relaxed) % self.pairs.len()]
    }

    /// Waits until no pair has a call in flight, or `within` has passed; whether it got there.
    pub async fn settle(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        for pair in &self.pairs {
            let left = deadline.saturating_duration_since(Instant::now());
            if !pair.settle(left).await {
                return false;
            }
        }
        true
    }

    /// Why a pair cannot go on, if one cannot.
    pub fn broken(&self) -> Option<String> {
        self.pairs.iter().find_map(Pair::broken)
    }

    /// Answers the hub refused in all, and why the last one (of the last pair with one) was.
    pub fn answer_refusals(&self) -> (u64, Option<String>) {
        self.pairs.iter().fold((0, None), |(n, why), pair| {
            let (m, last) = pair.answer_refusals.lock().unwrap().clone();
            (n + m, last.or(why))
        })
    }
}
