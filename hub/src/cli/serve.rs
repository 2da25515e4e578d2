//! `hub serve` (the default): run the hub until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Config, Site};
use clap::Args;

use super::logging::{self, LogFormat};

/// `hub serve`'s flags. Every one can also be given in the environment (`HUB_LISTEN`,
/// `HUB_DATA`, …), for a container or a service manager; a flag wins over the environment.
#[derive(Args, Debug)]
pub(super) struct ServeArgs {
    /// Address to listen on; the WebSocket is at /ws. 0.0.0.0:7700 to reach the tablets.
    #[arg(long, env = "HUB_LISTEN", default_value = "127.0.0.1:7700")]
    listen: SocketAddr,
    /// Where the secret, the tokens and the event log live (made owner-only).
    #[arg(long, env = "HUB_DATA", default_value = "./data")]
    data: PathBuf,
    /// The site file (TOML): its posts, rooms, time zone and [settings]; the Longfor layout
    /// (hub/site/longfor.toml) if not given. Check one with `hub config check --site FILE`.
    #[arg(long, env = "HUB_SITE")]
    site: Option<PathBuf>,
    /// Serve the pages from this folder (laid out like hub/web/), re-read on every request,
    /// instead of the copy built into the binary: for working on the pages.
    #[arg(long, env = "HUB_WEB", value_name = "DIR")]
    web: Option<PathBuf>,
    /// Seconds a call waits for its answer before it is repeated, then escalated; over the
    /// site file's settings.ack_deadline (8 s if neither says).
    #[arg(long, env = "HUB_ACK_DEADLINE", value_name = "SECS")]
    ack_deadline: Option<f64>,
    /// Serve /metrics to anyone who can reach the port (a scraper on a private network);
    /// without it, /metrics needs the supervisor's token as `Authorization: Bearer`.
    #[arg(long, env = "HUB_METRICS_OPEN")]
    metrics_open: bool,
    /// How the hub's own log lines are written to stderr: `text` for a person, `json` (one
    /// object per line) for a log shipper. Which lines: RUST_LOG (default
    /// `warn,hub=info,logbook=info`).
    #[arg(long, env = "HUB_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// For drills (`radio drill`): the hub's clock runs N times faster than the wall, and
    /// everything timed by it with it — the answer deadline, the board's alarms, the times on
    /// events and the day of the report. Not for a real day.
    #[arg(long, env = "HUB_CLOCK_SPEED", value_name = "N")]
    clock_speed: Option<f64>,
    /// For drills: what the hub's clock shows when it starts, in ms since the Unix epoch
    /// (with or without --clock-speed).
    #[arg(long, env = "HUB_CLOCK_START", value_name = "MS")]
    clock_start: Option<u64>,
    /// Serve https and wss with this certificate (PEM; the chain, the hub's own first), e.g.
    /// DATA/tls/hub.crt from `hub tls new`. Needs --tls-key.
    #[arg(long, env = "HUB_TLS_CERT", value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM), e.g. DATA/tls/hub.key.
    #[arg(long, env = "HUB_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

pub(super) fn serve(args: ServeArgs) -> Result<(), String> {
    // Past a file-size limit (ulimit -f) a write then fails with EFBIG, which the hub reports
    // and survives, instead of the process being killed by SIGXFSZ.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" before any thread is started.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    logging::init(args.log_format)?;
    let site = match &args.site {
        Some(path) => Site::load(path).map_err(|e| e.to_string())?,
        None => Site::longfor(),
    };
    let fresh = !args.data.join(crate::token::SECRET_FILE).exists();
    let mut config = Config::new(&args.data).with_site(site);
    if let Some(secs) = args.ack_deadline {
        if !(secs > 0.0 && secs <= 3600.0) {
            return Err("--ack-deadline is in seconds, more than 0 and at most 3600".into());
        }
        config.ack_deadline = Duration::from_secs_f64(secs);
    }
    config.web_dir = args.web.clone();
    config.metrics_open = args.metrics_open;
    config.clock = drill_clock(args.clock_speed, args.clock_start)?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        site = %config.site.name,
        posts = config.site.posts.len(),
        vip_rooms = ?config.site.vip_rooms,
        time_zone = %config.rules.zone,
        data = %args.data.display(),
        "hub starting"
    );
    let changed: Vec<String> = crate::settings::effective(&config)
        .into_iter()
        .zip(crate::settings::effective(&Config::new(&args.data)))
        .filter(|(now, default)| now != default)
        .map(|((name, value), _)| format!("{name}={value}"))
        .collect();
    if !changed.is_empty() {
        tracing::info!(settings = %changed.join(" "), "settings that differ from the defaults");
    }
    if !matches!(config.clock, crate::Clock::System) {
        tracing::warn!(
            "the hub runs on a drill clock (--clock-speed/--clock-start): not for a real day"
        );
    }
    config.tls = match (args.tls_cert.clone(), args.tls_key.clone()) {
        (Some(cert), Some(key)) => Some(crate::tls::CertFiles { cert, key }),
        _ => None,
    };
    let (ws, web) = match config.tls {
        Some(_) => ("wss", "https"),
        None => ("ws", "http"),
    };
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
        tracing::info!(%addr, "listening: tablets at {ws}://{addr}/ws, pages at {web}://{addr}/");
        // The banner is for whoever started the hub; one that stopped reading (a closed
        // stdout) must not stop the hub.
        let _ = super::print(&format!(
            "hub: {site} listening on {ws}://{addr}/ws (tablet page {web}://{addr}/, dashboard /dashboard, health /healthz, metrics /metrics, state /api/state); data in {data}\n"
        ));
        if web == "http" && crate::local_ca::TlsFiles::of(&args.data).made() {
            eprintln!(
                "hub: {data}/tls holds a certificate (`hub tls new`) but the hub serves plain \
                 http: the https links `hub token --link` now prints will not open. Serve with \
                 --tls-cert {data}/tls/hub.crt --tls-key {data}/tls/hub.key, or mint links with \
                 --scheme http"
            );
        }
        if fresh {
            let _ = super::print(&format!(
                "hub: new data folder. Mint a tablet's token with `hub token L1 --data {data}` \
                 (client manager: `hub token X --name 张伟 --data {data}`; supervisor: `hub token SUP --data {data}`)\n"
            ));
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
