//! The sales gallery radio hub. Every post's tablet connects here over a WebSocket; the hub
//! stamps each call with its caller's identity, logs it, routes it to the target's tablets and
//! the supervisor's, and tracks it until it is answered — repeating it, then escalating it, when
//! nobody answers.
//!
//! - [`serve`]: the entry point. Takes a bound listener and a shutdown future (the binary passes
//!   Ctrl-C/SIGTERM, tests pass a listener on 127.0.0.1:0).
//! - `switchboard`: the one task that owns the state and the log, and fans events out.
//! - `state`: the state folded from the log (presence, open calls, deadlines). Pure.
//! - `history`: the log plus each event's encoded frames (encoded once, shared by all).
//! - `checkpoint`: the state saved at an offset, so a start replays only what came after it.
//! - `daybook`: the log read by the site's day (reports, exports); `calendar`: the days.
//! - `retention`: removing the days past `retention_days` from disk, keeping the board.
//! - `data_dir`: the data folder, owner-only.
//! - `board`: the site's board — visitors, VIP rooms, orders, rota, modes, alarms — and its rules.
//! - `audience`: who may see each event.
//! - `connection`: a tablet's handshake (`connect`, its token, the welcome and backlog);
//!   `online`: its small task after that — commands in, and its socket when full.
//! - `line`: a tablet's WebSocket taken over from HTTP: frames made once, written by the
//!   switchboard straight to every socket that may see them, a burst in one write.
//! - `http`: `/ws`, `/healthz`, `/metrics`, `/api/state`, and the pages' routes.
//! - `web`: the pages — the tablet (`/`), the dashboard (`/dashboard`), their assets — built
//!   into the binary (or read from `--web DIR`), with their caching and security headers.
//! - `cli`: the `hub` command line (serve, token, tls, config, repair, log); `link`: a tablet's
//!   sign-in link and its QR code.
//! - `server`: the accept loop (limits, deadlines; TLS when configured); `tls`: the certificate
//!   served, followed live; `local_ca`: a small site's own CA and server certificate.
//! - `token`: signed tokens naming a station; `gate`: which tokens the hub accepts now, followed
//!   live from the data folder (revocations, key rotation); `reminders`: a token's warning (old
//!   format, expiring soon) said once a day; `site`: the roster; `config`: the knobs.
//!
//! Invariants: no lock is held across an `.await`; no queue is unbounded; the switchboard never
//! waits on a tablet.

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod audience;
pub mod board;
pub mod calendar;
pub mod checkpoint;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connection;
pub mod data_dir;
pub mod daybook;
pub mod gate;
pub mod health;
pub mod history;
pub mod http;
pub mod line;
pub mod link;
pub mod local_ca;
pub mod lock;
pub mod metrics;
pub mod online;
pub mod process;
pub mod reminders;
pub mod reports;
pub mod retention;
pub mod server;
pub mod settings;
pub mod site;
pub mod state;
pub mod switchboard;
pub mod syncer;
pub mod tls;
pub mod token;
pub mod web;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

pub use clock::Clock;
pub use config::Config;
pub use gate::Gate;
pub use site::Site;
pub use token::{Keys, Trust};

use crate::metrics::Metrics;
use crate::switchboard::{Request, Switchboard};

/// Requests queued for the switchboard before connections wait their turn.
const SWITCHBOARD_QUEUE: usize = 8192;

/// The kernel send buffer per tablet socket.
const SEND_BUFFER: usize = 64 * 1024;

/// What every connection and handler shares.
pub struct App {
    pub config: Arc<Config>,
    /// Which tokens let a tablet in, as the data folder says now.
    pub gate: Gate,
    pub switchboard: mpsc::Sender<Request>,
    pub metrics: Arc<Metrics>,
    pub connections: Arc<Semaphore>,
    pub reports: Arc<reports::Reports>,
    /// The token warnings said today (once a day each, not at every sign-in).
    pub reminders: reminders::Reminders,
}

/// Why the hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Tokens(#[from] token::BookError),
    #[error(transparent)]
    History(#[from] history::HistoryError),
    /// `--web DIR` does not hold the pages.
    #[error("{0}")]
    Web(String),
    #[error("cannot serve: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    /// `--tls-cert` / `--tls-key` cannot be served.
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
}

/// How long tablets' connections may take to close once shutdown began, before the hub stops
/// anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Connections the kernel may hold ready for accepting. The default (128, as std and mio use)
/// overflows when a whole site's tablets reconnect at once after a restart, and every dropped
/// handshake then waits a full second to retry.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds the hub's port with a backlog deep enough for a reconnect storm.
pub fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Runs a hub on `listener` until `shutdown` resolves, then closes every tablet with 4000
/// (reconnect) and syncs the log.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), HubError> {
    Opened::open(config)?.serve(listener, shutdown).await
}

/// A hub ready to serve: its data folder held, its keys and log open, its pages found —
/// everything that can fail at start has been tried.
pub struct Opened {
    config: Arc<Config>,
    held: lock::DataLock,
    pages: web::Assets,
    gate: (Gate, gate::Watcher),
    tls: Option<tls::Tls>,
    metrics: Arc<Metrics>,
    switchboard: Switchboard,
}

impl Opened {
    /// Makes the data folder owner-only, takes it (one hub per folder), reads its keys and
    /// revocations, and loads the state (the newest checkpoint and the events after it).
    pub fn open(config: Config) -> Result<Opened, HubError> {
        let config = Arc::new(config);
        data_dir::make_private(&config.data_dir).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("the data folder {}: {e}", config.data_dir.display()),
            )
        })?;
        // Held until the hub has stopped writing: one hub per data folder.
        let held = lock::DataLock::take(&config.data_dir)?;
        let pages = match &config.web_dir {
            Some(dir) => web::Assets::folder(dir).map_err(HubError::Web)?,
            None => web::Assets::embedded(),
        };
        let gate = Gate::open(&config.data_dir)?;
        let tls = config.tls.as_ref().map(tls::Tls::open).transpose()?;
        let metrics = Arc::new(Metrics::default());
        let replay = std::time::Instant::now();
        let switchboard = Switchboard::open(config.clone(), metrics.clone())?;
        let facts = switchboard.facts();
        tracing::info!(
            epoch = facts.epoch,
            head = facts.head,
            log_bytes = facts.log_bytes,
            open_calls = facts.open_calls,
            replay_ms = replay.elapsed().as_millis() as u64,
            "event log opened"
        );
        Ok(Opened {
            config,
            held,
            pages,
            gate,
            tls,
            metrics,
            switchboard,
        })
    }

    /// Serves until `shutdown` resolves (see [`serve`]).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), HubError> {
        run(listener, self, shutdown).await
    }
}

async fn run(
    listener: TcpListener,
    opened: Opened,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), HubError> {
    let Opened {
        config,
        // Held until the hub has stopped writing.
        held: _held,
        pages,
        gate: (gate, watcher),
        tls,
        metrics,
        switchboard,
    } = opened;
    let (requests, inbox) = mpsc::channel(SWITCHBOARD_QUEUE);
    let days = switchboard.days();
    let board = tokio::spawn(switchboard.run(inbox, gate.follow()));
    let watching = tokio::spawn(watcher.run());
    let acceptor = tls.as_ref().map(tls::Tls::acceptor);
    let renewing = tls.map(|t| tokio::spawn(t.follow()));
    let app = Arc::new(App {
        config: config.clone(),
        gate,
        switchboard: requests.clone(),
        metrics,
        connections: Arc::new(Semaphore::new(config.max_connections)),
        reports: Arc::new(reports::Reports::default()),
        reminders: reminders::Reminders::default(),
    });
    let router = crate::http::router(app.clone(), pages);
    let (stopping_tx, stopping) = watch::channel(false);
    let switchboard = requests.clone();
    let stop = async move {
        shutdown.await;
        tracing::info!("shutting down: closing tablets with 4000 (reconnect), syncing the log");
        let (reply, done) = oneshot::channel();
        if switchboard.send(Request::Shutdown { reply }).await.is_ok() {
            let _ = done.await;
        }
        let _ = stopping_tx.send(true);
    };
    let tune = |tcp: &tokio::net::TcpStream| {
        // Answers and calls are small and latency matters more than packing.
        let _ = tcp.set_nodelay(true);
        // A bounded kernel send buffer: a stalled tablet fills its queue (and is cut off) in
        // kilobytes, not megabytes, and an idle one costs little.
        let _ = socket2::SockRef::from(tcp).set_send_buffer_size(SEND_BUFFER);
    };
    tokio::spawn(stop);
    tokio::spawn(retention::run(
        config.clone(),
        requests.downgrade(),
        app.reports.clone(),
        days,
        stopping.clone(),
    ));
    // Accepts until stopping starts; each open connection is then asked to finish, and the hub
    // waits for them at most a few seconds more (below): it stops in bounded time whatever
    // clients do, and no tablet can write once stopping starts.
    server::run(
        listener,
        router,
        config.max_open,
        config.head_within,
        stopping,
        tune,
        acceptor,
    )
    .await;
    if let Some(r) = renewing {
        r.abort();
    }
    // Give every connection a moment to send its close frame and leave.
    let all = config.max_connections as u32;
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, app.connections.acquire_many(all)).await;
    watching.abort();
    drop(requests);
    drop(app);
    if let Ok(Ok(writer)) = tokio::time::timeout(Duration::from_secs(3), board).await {
        // The checkpoint handed over at shutdown goes to disk before the hub says it stopped.
        let finished = tokio::task::spawn_blocking(move || writer.finish());
        if tokio::time::timeout(Duration::from_secs(5), finished)
            .await
            .is_err()
        {
            tracing::warn!(
                "the last checkpoint was not written in time: the next start replays more"
            );
        }
        tracing::info!("hub stopped: every tablet told to reconnect, the log synced");
    } else {
        tracing::warn!("hub stopped before the switchboard finished syncing the log");
    }
    Ok(())
}
