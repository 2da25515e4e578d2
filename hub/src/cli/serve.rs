//! `hub serve` (the default): run the hub until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Config, Site};
use clap::Args;

#[derive(Args)]
pub(super) struct ServeArgs {
    /// Address to listen on; the WebSocket is at /ws.
    #[arg(long, default_value = "127.0.0.1:7700")]
    listen: SocketAddr,
    /// Where the secret and the event log live.
    #[arg(long, default_value = "./data")]
    data: PathBuf,
    /// The site roster (TOML); the Longfor layout with VIP rooms 1–3 if not given.
    #[arg(long)]
    site: Option<PathBuf>,
    /// Serve the pages from this folder (laid out like hub/web/), re-read on every request,
    /// instead of the copy built into the binary: for working on the pages.
    #[arg(long, value_name = "DIR")]
    web: Option<PathBuf>,
    /// Seconds a call waits for its answer before it is repeated, then escalated.
    #[arg(long, default_value_t = 8.0)]
    ack_deadline: f64,
    /// Serve /metrics to anyone who can reach the port (a scraper on a private network);
    /// without it, /metrics needs the supervisor's token as `Authorization: Bearer`.
    #[arg(long)]
    metrics_open: bool,
    /// For drills (`radio drill`): the hub's clock runs N times faster than the wall, and
    /// everything timed by it with it — the answer deadline, the board's alarms, the times on
    /// events and the day of the report. Not for a real day.
    #[arg(long, value_name = "N")]
    clock_speed: Option<f64>,
    /// For drills: what the hub's clock shows when it starts, in ms since the Unix epoch
    /// (with or without --clock-speed).
    #[arg(long, value_name = "MS")]
    clock_start: Option<u64>,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            listen: "127.0.0.1:7700".parse().expect("a valid address"),
            data: PathBuf::from("./data"),
            site: None,
            web: None,
            ack_deadline: 8.0,
            metrics_open: false,
            clock_speed: None,
            clock_start: None,
        }
    }
}

pub(super) fn serve(args: ServeArgs) -> Result<(), String> {
    // Past a file-size limit (ulimit -f) a write then fails with EFBIG, which the hub reports
    // and survives, instead of the process being killed by SIGXFSZ.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" before any thread is started.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // The hub's own lines, and every crate's warnings (the log's torn tail).
                .unwrap_or_else(|_| "warn,hub=info,logbook=info".into()),
        )
        .with_writer(std::io::stderr)
        // Colour only for a person at a terminal, not in a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let site = match &args.site {
        Some(path) => Site::load(path).map_err(|e| e.to_string())?,
        None => Site::longfor(),
    };
    if !(args.ack_deadline > 0.0 && args.ack_deadline < 3600.0) {
        return Err("--ack-deadline is in seconds, between 0 and 3600".into());
    }
    let fresh = !args.data.join("secret").exists();
    let mut config = Config::new(&args.data).with_site(site);
    config.ack_deadline = Duration::from_secs_f64(args.ack_deadline);
    config.web_dir = args.web.clone();
    config.metrics_open = args.metrics_open;
    config.clock = drill_clock(args.clock_speed, args.clock_start)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = crate::listen(args.listen).map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let site = config.site.name.clone();
        let data = args.data.display().to_string();
        let starting = |e: crate::HubError| match e {
            crate::HubError::History(h) if h.is_damage() => format!(
                "{h}\nThe hub does not start on a damaged log, so nothing more is lost. \
                 Stop anything using {data}, then run `hub repair --data {data}`: it sets \
                 the damaged segment aside as it is and keeps every record it can prove \
                 (docs/OPERATIONS.md)."
            ),
            e => e.to_string(),
        };
        // Everything that can fail at start is tried before the hub says it is listening.
        let opened = crate::Opened::open(config).map_err(starting)?;
        let stop = shutdown_signal();
        println!(
            "hub: {site} listening on ws://{addr}/ws (tablet page http://{addr}/, dashboard /dashboard, health /healthz, metrics /metrics, state /api/state); data in {data}"
        );
        if fresh {
            println!(
                "hub: new data folder. Mint a tablet's token with `hub token L1 --data {data}` \
                 (client manager: `hub token X --name 张伟 --data {data}`; supervisor: `hub token SUP --data {data}`)"
            );
        }
        opened.serve(listener, stop).await.map_err(starting)
    })
}

/// The clock of `--clock-speed` / `--clock-start`: the system's when neither is given.
fn drill_clock(speed: Option<f64>, start: Option<u64>) -> Result<crate::Clock, String> {
    if let Some(s) = speed {
        if !(s.is_finite() && s > 0.0 && s <= 100_000.0) {
            return Err("--clock-speed is a factor between 0 and 100000".into());
        }
    }
    Ok(match (speed, start) {
        (None, None) => crate::Clock::System,
        (speed, start) => crate::Clock::scaled(
            start.unwrap_or_else(crate::switchboard::now_ms),
            speed.unwrap_or(1.0),
        ),
    })
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. The handlers are in place when this returns, so a
/// signal sent as soon as the hub says it listens stops it cleanly rather than kills it.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt()).ok();
        let mut term = signal(SignalKind::terminate()).ok();
        async move {
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = int => {}
                _ = term => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
