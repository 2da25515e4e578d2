//! The hub's one clock. Every time the hub stamps on an event, and every deadline it checks,
//! comes from here: the system's time in service, a hand-set clock that a test moves forward to
//! play a gallery's day in seconds, or a sped-up clock for a drill (`hub serve --clock-speed N`),
//! so that a whole day runs in minutes under the same rules and alarms.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// Milliseconds since the Unix epoch, from the system.
    #[default]
    System,
    /// A clock that moves only when told to (shared by every clone).
    Manual(Arc<AtomicU64>),
    /// A drill's clock: shows `origin_ms` at `started` and runs `speed` times faster than the
    /// wall from then on. The hub's deadlines (the answer deadline, the board's alarms) are in
    /// this clock's time, so a drill at speed 600 sees an 8 s deadline pass in 13 ms.
    Scaled {
        origin_ms: u64,
        started: Instant,
        speed: f64,
    },
}

impl Clock {
    /// A hand-set clock showing `start_ms`.
    pub fn manual(start_ms: u64) -> Clock {
        Clock::Manual(Arc::new(AtomicU64::new(start_ms)))
    }

    /// A clock showing `origin_ms` now and running `speed` times faster than the wall
    /// (`speed` > 0; 1 is real time from another origin).
    pub fn scaled(origin_ms: u64, speed: f64) -> Clock {
        Clock::Scaled {
            origin_ms,
            started: Instant::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        match self {
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            Clock::Manual(t) => t.load(Ordering::Relaxed),
            Clock::Scaled {
                origin_ms,
                started,
                speed,
            } => origin_ms + (started.elapsed().as_secs_f64() * speed * 1000.0) as u64,
        }
    }

    /// How long the wall takes for `ms` of this clock's time: what a timer waits.
    pub fn wall(&self, ms: u64) -> Duration {
        match self {
            Clock::Scaled { speed, .. } => Duration::from_secs_f64(ms as f64 / 1000.0 / speed),
            _ => Duration::from_millis(ms),
        }
    }

    /// Moves a hand-set clock forward (a system clock cannot be moved; nothing happens).
    pub fn advance(&self, ms: u64) {
        if let Clock::Manual(t) = self {
            t.fetch_add(ms, Ordering::Relaxed);
        }
    }

    /// Whether the hub must look at its deadlines on every command, because this clock moves
    /// without the hub's timers knowing.
    pub fn is_manual(&self) -> bool {
        matches!(self, Clock::Manual(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_clock_runs_faster_from_its_origin() {
        let c = Clock::scaled(1_000_000, 600.0);
        let t0 = c.now_ms();
        assert!((1_000_000..1_000_000 + 600).contains(&t0), "{t0}");
        std::thread::sleep(Duration::from_millis(20));
        let t1 = c.now_ms();
        assert!(t1 - t0 >= 20 * 600, "{}", t1 - t0);
        assert_eq!(c.wall(8_000), Duration::from_secs_f64(8.0 / 600.0));
        assert_eq!(Clock::System.wall(8_000), Duration::from_secs(8));
        assert!(!c.is_manual());
    }

    #[test]
    fn a_nonsense_speed_is_real_time() {
        let Clock::Scaled { speed, .. } = Clock::scaled(0, -3.0) else {
            panic!()
        };
        assert_eq!(speed, 1.0);
    }
}
