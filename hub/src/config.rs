//! How a hub is set up: where it keeps its data, the site roster, and the timing and sizing knobs.
//! Every knob has a default that suits one sales gallery on one small machine.

use std::path::PathBuf;
use std::time::Duration;

use crate::board::Rules;
use crate::clock::Clock;
use crate::site::Site;

#[derive(Clone, Debug)]
pub struct Config {
    /// Where the secret, the event log and its checkpoints live (owner-only).
    pub data_dir: PathBuf,
    pub site: Site,
    /// How long a call waits for its answer before the hub repeats it, and again before it
    /// escalates to the supervisor.
    pub ack_deadline: Duration,
    /// How long a new connection has to send `connect`.
    pub connect_timeout: Duration,
    /// Frames queued for one tablet that its socket will not take, before it counts as too slow
    /// and is cut off (4001).
    pub queue_frames: usize,
    /// How long one batched write to a tablet may take before the tablet is dropped.
    pub write_timeout: Duration,
    /// A tablet heard nothing from this long is pinged (WebSocket ping); one silent for twice
    /// this long is dropped (4004), so a frozen tablet does not stay "online".
    pub ping_after: Duration,
    /// Tablets connected at once; more are refused with 4003.
    pub max_connections: usize,
    /// Connections of any kind open at once (tablets, pages, health checks); more are refused
    /// with a short 503, so a flood cannot use up the hub's file descriptors.
    pub max_open: usize,
    /// How long a client has to send a request's head; a slower one is cut off.
    pub head_within: Duration,
    /// `/metrics` without a token (for a scraper on a private network); otherwise a SUP token.
    pub metrics_open: bool,
    /// Events kept in memory for resumes.
    pub retain_in_memory: usize,
    /// The most events one resume replays; a tablet further behind takes a snapshot instead,
    /// so what a reconnecting tablet may make the hub hold is bounded.
    pub max_backlog: u64,
    /// Snapshots (`state`, `/api/state`) the switchboard builds per second, with a burst of
    /// twice that; beyond, they are refused for a moment (busy), so a flood of them cannot
    /// hold up the calls.
    pub snapshots_per_second: u32,
    /// How often the log is fsynced (appends always reach the OS at once).
    pub sync_every: Duration,
    /// The closest two syncs of the log begin when commands ask for them back to back: what is
    /// written meanwhile joins the next one (see [`crate::syncer::SYNC_EVERY`], the default).
    /// Tests widen it to hold the callers' acknowledgements as a slow disk would.
    pub sync_gap: Duration,
    /// The least time between two rounds of writes of events for everyone: what comes within
    /// it waits for its end and goes out in one write per tablet (see
    /// [`crate::switchboard::FANOUT_GAP`], the default). Zero writes each batch at once.
    pub fanout_gap: Duration,
    /// How many days of the log are kept, besides today, in the site's days: the events of a
    /// day more than this many days before today — visitors' names, plates — are removed from
    /// disk (at start and at each new day), once a checkpoint holds the board after them. The
    /// board itself is kept; a report of a removed day says it is past retention. `None` (the
    /// default): the log is kept for good.
    pub retention_days: Option<u32>,
    /// The board's time limits (alarms) and rota groups.
    pub rules: Rules,
    /// Where the hub's time comes from: the system, or a hand-set clock (tests, drills).
    pub clock: Clock,
    /// Serve the pages from this folder (laid out like `hub/web/`), read on every request and
    /// never cached, instead of the copy built into the binary: for working on the pages.
    pub web_dir: Option<PathBuf>,
    /// Serve https and wss with this certificate and key (PEM) instead of plain http and ws.
    pub tls: Option<crate::tls::CertFiles>,
}

impl Config {
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            site: Site::longfor(),
            ack_deadline: Duration::from_secs(8),
            connect_timeout: Duration::from_secs(10),
            queue_frames: 512,
            write_timeout: Duration::from_secs(10),
            ping_after: Duration::from_secs(15),
            max_connections: 16_384,
            max_open: 16_384 + 256,
            head_within: Duration::from_secs(10),
            metrics_open: false,
            retain_in_memory: 100_000,
            max_backlog: 20_000,
            snapshots_per_second: 20,
            sync_every: Duration::from_secs(1),
            sync_gap: crate::syncer::SYNC_EVERY,
            fanout_gap: crate::switchboard::FANOUT_GAP,
            retention_days: None,
            rules: Rules::default(),
            clock: Clock::System,
            web_dir: None,
            tls: None,
        }
    }

    /// Sets the site, taking its rota groups and time zone into the board's rules and its
    /// `[settings]` into the knobs here.
    pub fn with_site(mut self, site: Site) -> Config {
        self.rules.groups = site.rota_groups.clone();
        self.rules.zone = site.zone.clone();
        site.settings.apply(&mut self);
        self.site = site;
        self
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("log")
    }
}
