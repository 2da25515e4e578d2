//! Times typed on the command line (`radio tap set-mode --important-event-at …`): Unix
//! milliseconds as the wire has them, or a wall-clock time as people write it —
//! `2026-05-01T14:00`, `2026-05-01 14:00:30`, `2026-05-01T14:00:00+08:00`, `…Z`. A time with
//! no offset is the gallery's: it is read in the site's time zone, which the hub names when
//! the CLI connects ([`protocol::zone`] does the reading).

use protocol::zone::Zone;

/// A time as typed, checked for form at once and read once the site's zone is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeArg(String);

/// The clap parser: refuses what is no time in any zone before anything connects.
pub fn parse_time(s: &str) -> Result<TimeArg, String> {
    Zone::china()
        .parse_time(s)
        .map(|_| TimeArg(s.trim().to_owned()))
}

impl TimeArg {
    /// Milliseconds since the Unix epoch, reading a time with no offset in `zone`.
    pub fn at(&self, zone: &Zone) -> Result<u64, String> {
        zone.parse_time(&self.0)
    }
}
