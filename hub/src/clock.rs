//! The hub's one clock. Every time the hub stamps on an event, and every deadline it checks,
//! comes from here: the system's time in service, or a hand-set clock that a test or a drill
//! moves forward to play a gallery's day in seconds, with the same rules and alarms.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// Milliseconds since the Unix epoch, from the system.
    #[default]
    System,
    /// A clock that moves only when told to (shared by every clone).
    Manual(Arc<AtomicU64>),
}

impl Clock {
    /// A hand-set clock showing `start_ms`.
    pub fn manual(start_ms: u64) -> Clock {
        Clock::Manual(Arc::new(AtomicU64::new(start_ms)))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        match self {
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            Clock::Manual(t) => t.load(Ordering::Relaxed),
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
