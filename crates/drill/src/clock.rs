//! The drill's sense of time: simulated milliseconds since the Unix epoch, running `speed` times
//! faster than the wall, kept in step with the hub's own clock. The hub stamps every event; the
//! drill reads those stamps as they arrive and never lets its clock fall behind them, so "now" is
//! the same moment of the simulated day on both sides (to within a few real milliseconds).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub struct SimClock {
    speed: f64,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The simulated time shown at `wall`.
    sim: f64,
    wall: Instant,
    /// Whether an event stamp has set the clock since the start (or the last restart).
    set: bool,
}

impl SimClock {
    /// A clock showing `sim_ms` now, running `speed` times faster than the wall.
    pub fn new(sim_ms: u64, speed: f64) -> SimClock {
        SimClock {
            speed,
            inner: Mutex::new(Inner {
                sim: sim_ms as f64,
                wall: Instant::now(),
                set: false,
            }),
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated ms since the Unix epoch.
    pub fn now(&self) -> u64 {
        let i = self.inner.lock().expect("clock");
        (i.sim + i.wall.elapsed().as_secs_f64() * 1000.0 * self.speed) as u64
    }

    /// The wall instant when the simulated clock shows `sim_ms` (now, if that has passed).
    pub fn wall_at(&self, sim_ms: u64) -> Instant {
        let i = self.inner.lock().expect("clock");
        let ahead = (sim_ms as f64 - i.sim) / self.speed / 1000.0;
        if ahead <= 0.0 {
            return i.wall.max(Instant::now());
        }
        i.wall + Duration::from_secs_f64(ahead)
    }

    /// How long the wall takes for `sim_ms` of simulated time.
    pub fn wall(&self, sim_ms: f64) -> Duration {
        Duration::from_secs_f64((sim_ms / self.speed / 1000.0).max(0.0))
    }

    /// An event the hub stamped `at` has arrived: the hub's clock shows at least that now.
    pub fn observe(&self, at: u64) {
        let mut i = self.inner.lock().expect("clock");
        let now = i.sim + i.wall.elapsed().as_secs_f64() * 1000.0 * self.speed;
        let behind = at as f64 - now;
        if !i.set || behind > 0.0 {
            i.sim = at as f64;
            i.wall = Instant::now();
            i.set = true;
        }
    }

    /// The hub restarted with a fresh clock: take the next stamp as it comes, earlier or not.
    pub fn reset(&self, sim_ms: u64) {
        let mut i = self.inner.lock().expect("clock");
        i.sim = sim_ms as f64;
        i.wall = Instant::now();
        i.set = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn it_runs_fast_and_follows_the_hubs_stamps() {
        let c = SimClock::new(1_000_000, 600.0);
        tokio::time::sleep(Duration::from_millis(10)).await;
        let t = c.now();
        assert!(t >= 1_000_000 + 6_000, "{t}");
        c.observe(2_000_000);
        assert!(c.now() >= 2_000_000);
        c.observe(1_500_000);
        assert!(c.now() >= 2_000_000, "never back, once set");
        c.reset(1_000);
        c.observe(500);
        assert!(c.now() < 10_000, "after a restart the hub's stamp rules");
        let w = c.wall_at(c.now() + 60_000);
        let d = w - Instant::now();
        assert!(
            d <= Duration::from_millis(101) && d >= Duration::from_millis(90),
            "{d:?}"
        );
        assert_eq!(c.wall(6_000.0), Duration::from_millis(10));
    }
}
