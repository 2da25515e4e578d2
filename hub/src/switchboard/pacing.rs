//! How often a call to everyone is written out: at most once every [`FANOUT_GAP`].
//!
//! A call to everyone is one write to every tablet's socket, and those writes are most of what
//! the hub's core does under a stream of such calls (on the test machine a write to a loopback
//! socket costs about 1.5 µs, a thousand of them per call). Written as each call comes, a
//! steady 500 calls a second to 1,000 tablets kept the core 85 % busy with one call a write;
//! what came while a round of writes was under way joined the next, but a round took less than
//! the time between two calls. So when the last round of writes to everyone began less than
//! the gap ago, what is handed out for everyone now waits, queued, for the gap to end, and
//! goes out in one round with whatever else comes meanwhile: one write per tablet per gap at
//! most. A call after a quiet spell goes at once.
//!
//! Only events for everyone are paced. Anything else a tablet is sent — a reply, an
//! acknowledgement the disk let go, an event for a few stations, a ping — is written at once,
//! and takes with it what waits for the gap on that tablet (its frames keep their order).

use tokio::time::{Duration, Instant};

use super::ConnId;

/// The least time between two rounds of writes to everyone. Measured with the stall part of
/// the goals bench (1,000 tablets; docs/OPERATIONS.md, "Pacing the calls to everyone").
pub const FANOUT_GAP: Duration = Duration::from_millis(4);

pub(super) struct Pacing {
    gap: Duration,
    /// When the last round of writes to everyone was let go.
    last: Option<Instant>,
    /// Tablets whose frames wait for the gap to end (each once, while its `paced` is set).
    waiting: Vec<ConnId>,
}

impl Pacing {
    pub(super) fn new(gap: Duration) -> Pacing {
        Pacing {
            gap,
            last: None,
            waiting: Vec::new(),
        }
    }

    /// Whether what is handed out to everyone now waits for the gap; if not, a round of writes
    /// begins now.
    pub(super) fn wait(&mut self, now: Instant) -> bool {
        if self.last.is_some_and(|last| now < last + self.gap) {
            return true;
        }
        self.last = Some(now);
        false
    }

    /// A tablet to write when the gap ends.
    pub(super) fn hold(&mut self, conn: ConnId) {
        self.waiting.push(conn);
    }

    /// When the gap ends, if anything waits for it.
    pub(super) fn due(&self) -> Option<Instant> {
        match (self.waiting.is_empty(), self.last) {
            (false, Some(last)) => Some(last + self.gap),
            _ => None,
        }
    }

    /// The gap has ended: the tablets that waited, and a round of writes begins now.
    pub(super) fn let_go(&mut self, now: Instant) -> std::vec::Drain<'_, ConnId> {
        self.last = Some(now);
        self.waiting.drain(..)
    }

    pub(super) fn clear(&mut self) {
        self.waiting.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_after_a_quiet_spell_goes_at_once_and_the_next_within_the_gap_waits() {
        let gap = Duration::from_millis(4);
        let mut p = Pacing::new(gap);
        let t0 = Instant::now();
        assert!(!p.wait(t0), "the first round goes at once");
        assert_eq!(p.due(), None, "nothing waits");
        assert!(p.wait(t0 + Duration::from_millis(1)), "1 ms later: waits");
        p.hold(7);
        p.hold(9);
        assert_eq!(p.due(), Some(t0 + gap));
        let t1 = t0 + gap;
        assert_eq!(p.let_go(t1).collect::<Vec<_>>(), vec![7, 9]);
        assert_eq!(p.due(), None);
        // The round let go at the gap's end counts as the last one.
        assert!(p.wait(t1 + Duration::from_millis(3)));
        assert!(!p.wait(t1 + gap), "a whole gap after: at once");
    }

    #[test]
    fn no_gap_paces_nothing() {
        let mut p = Pacing::new(Duration::ZERO);
        let t0 = Instant::now();
        assert!(!p.wait(t0));
        assert!(!p.wait(t0));
    }
}
