//! How long to wait before reconnecting: short at first (a hub restart takes moments), doubling
//! up to a cap so a hub that stays down is not hammered by every tablet on site at once. Each
//! wait is drawn between half and all of its step ("equal jitter"), so the tablets a restart
//! dropped together do not all come back in the same instant, and again in step at every retry.

use std::time::Duration;

/// A doubling, jittered delay, from `first` up to `max`; [`Backoff::reset`] after a connection
/// succeeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
    /// xorshift64 state, seeded from the OS: each tablet draws its own waits.
    seed: u64,
}

impl Backoff {
    /// The first step after a drop.
    pub const FIRST: Duration = Duration::from_millis(100);
    /// The longest step between two attempts.
    pub const MAX: Duration = Duration::from_secs(5);

    pub fn new(first: Duration, max: Duration) -> Backoff {
        let mut seed = [0u8; 8];
        // Without randomness from the OS, the clock's nanoseconds still set tablets apart.
        if getrandom::fill(&mut seed).is_err() {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            seed = (u64::from(nanos) ^ u64::from(std::process::id()) << 32).to_le_bytes();
        }
        Backoff::seeded(first, max, u64::from_le_bytes(seed))
    }

    /// A backoff whose waits are drawn from `seed` (the same seed, the same waits).
    pub fn seeded(first: Duration, max: Duration, seed: u64) -> Backoff {
        let first = first.min(max);
        Backoff {
            first,
            max,
            next: first,
            seed: seed | 1,
        }
    }

    /// The wait before the next attempt: between half and all of this step; each call doubles
    /// the step, up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let step = self.next;
        self.next = step.saturating_mul(2).min(self.max);
        let half = step / 2;
        let spread = (step - half).as_micros() as u64;
        half + Duration::from_micros(self.draw() % (spread + 1))
    }

    /// Starts over from the first step, once a connection held.
    pub fn reset(&mut self) {
        self.next = self.first;
    }

    fn draw(&mut self) -> u64 {
        let mut x = self.seed;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed = x;
        x
    }
}

impl Default for Backoff {
    /// Steps of 100 ms, doubling to 5 s.
    fn default() -> Backoff {
        Backoff::new(Backoff::FIRST, Backoff::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_100ms_to_5s_each_between_half_and_all_of_its_step() {
        let mut b = Backoff::default();
        let steps = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000];
        for step in steps {
            let wait = b.next_delay().as_millis();
            assert!(
                wait >= step / 2 && wait <= step,
                "{wait} ms for a step of {step}"
            );
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }

    #[test]
    fn tablets_dropped_together_do_not_retry_in_step() {
        // A thousand tablets dropped by one restart: their first retries spread over the step.
        let firsts: std::collections::BTreeSet<u128> = (0..1000)
            .map(|_| Backoff::default().next_delay().as_micros())
            .collect();
        assert!(firsts.len() > 900, "only {} distinct waits", firsts.len());
        let (lo, hi) = (firsts.first().unwrap(), firsts.last().unwrap());
        assert!(*lo < 60_000 && *hi > 90_000, "{lo}..{hi} µs");
    }

    #[test]
    fn a_first_wait_over_the_cap_is_capped() {
        let mut b = Backoff::seeded(Duration::from_secs(9), Duration::from_secs(1), 7);
        assert!(b.next_delay() <= Duration::from_secs(1));
        assert!(b.next_delay() <= Duration::from_secs(1));
    }
}
