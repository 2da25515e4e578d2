//! The `hub` command line: run the sales gallery radio hub, or mint a tablet's token.
//! The binary is a thin wrapper over [`main`], which tests run as a real process too.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::{Config, Secret, Site};
use clap::{Args, Parser, Subcommand};
use protocol::Station;

#[derive(Parser)]
#[command(name = "hub", version, about = "The sales gallery radio hub")]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the hub (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Print a signed token for a post's tablet, alone on one line; with --link, also the
    /// tablet's sign-in link and its QR code.
    Token {
        /// The post: L1 L2 Y1 Y2 G1 S1 OPS RC SUP LOBBY MODEL SHUTTLE, or X for a client manager (with --name).
        post: String,
        /// The client manager's name, for X.
        #[arg(long)]
        name: Option<String>,
        /// The hub's data folder (its secret signs the token).
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// Also print the link that signs a tablet in (http://HOST:PORT/#token=…; the
        /// supervisor's opens /dashboard) and its QR code.
        #[arg(long)]
        link: bool,
        /// The hub's address as the tablet reaches it, HOST:PORT (for --link); the hub's default
        /// listen address if not given, which only this machine can open.
        #[arg(long, requires = "link", value_name = "HOST:PORT")]
        host: Option<String>,
    },
    /// Mend a damaged event log (the hub refuses to start on one): the damaged file is set
    /// aside as it is, and a new log keeps every record its checksum proves, each at its
    /// offset. Run it with the hub stopped.
    Repair {
        /// The hub's data folder.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
    },
}

#[derive(Args)]
struct ServeArgs {
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

/// Runs the command line as given in the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Cmd::Serve(ServeArgs::default())) {
        Cmd::Serve(args) => serve(args),
        Cmd::Token {
            post,
            name,
            data,
            link,
            host,
        } => token(&post, name.as_deref(), &data, link.then_some(host)),
        Cmd::Repair { data } => repair(&data),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hub: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Mends a damaged log and says what it did.
fn repair(data: &std::path::Path) -> Result<(), String> {
    let _held = crate::lock::DataLock::take(data).map_err(|e| e.to_string())?;
    let dir = data.join("log");
    let now = crate::switchboard::now_ms();
    let done = crate::history::repair(&dir, now).map_err(|e| e.to_string())?;
    let text = match done {
        None => format!(
            "hub: the log in {} is sound: nothing to repair\n",
            dir.display()
        ),
        Some(r) => format!(
            "hub: repaired the log in {}: kept {} records; lost {} ({}); dropped a torn tail of {} bytes; the damaged file is kept as {}\n",
            dir.display(),
            r.kept,
            r.lost.len(),
            if r.lost.is_empty() {
                "none".to_owned()
            } else {
                format!(
                    "offsets {}",
                    r.lost
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            r.torn_bytes,
            r.set_aside.display()
        ),
    };
    print(&text)
}

/// Mints a token; with `link` (`Some(host)`), also prints the sign-in link and its QR code.
fn token(
    post: &str,
    name: Option<&str>,
    data: &std::path::Path,
    link: Option<Option<String>>,
) -> Result<(), String> {
    let station = match (post.trim(), name) {
        ("X" | "x", Some(name)) => Station::manager(name).map_err(|e| e.to_string())?,
        ("X" | "x", None) => return Err("a client manager's token needs --name NAME".into()),
        (code, None) => code.parse::<Station>().map_err(|e| e.to_string())?,
        (_, Some(_)) => return Err("--name is only for a client manager (post X)".into()),
    };
    let secret = Secret::load_or_create(data).map_err(|e| e.to_string())?;
    let token = secret.mint(&station, crate::switchboard::now_ms());
    let Some(host) = link else {
        return print(&format!("{token}\n"));
    };
    let host = host.as_deref().unwrap_or(crate::link::DEFAULT_HOST);
    let url = crate::link::link_to(host, crate::link::page_for(&station), &token)?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let qr = crate::link::qr_lines(&url, ansi)?;
    print(&format!("{token}\n{url}\n{}\n", qr.join("\n")))?;
    if crate::link::is_loopback(&url) {
        let post = match name {
            Some(name) => format!("{post} --name {name}"),
            None => post.to_owned(),
        };
        eprintln!(
            "hub: this link opens on this machine only. For a tablet, run the hub on the \
             gallery's network (`hub serve --listen 0.0.0.0:7700`) and name this machine's \
             address on it: `hub token {post} --link --host ADDRESS:7700`"
        );
    }
    Ok(())
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("stdout: {e}")),
        _ => Ok(()),
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
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
            crate::HubError::History(crate::history::HistoryError::Log(
                logbook::LogError::Corrupt { .. },
            )) => format!(
                "{e}\nThe hub does not start on a damaged log, so nothing more is lost. \
                 Stop anything using {data}, then run `hub repair --data {data}`: it sets \
                 the damaged file aside as it is and keeps every record it can prove \
                 (docs/OPERATIONS.md)."
            ),
            e => e.to_string(),
        };
        // Everything that can fail at start is tried before the hub says it is listening.
        let opened = crate::Opened::open(config).map_err(starting)?;
        println!(
            "hub: {site} listening on ws://{addr}/ws (tablet page http://{addr}/, dashboard /dashboard, health /healthz, metrics /metrics, state /api/state); data in {data}"
        );
        if fresh {
            println!(
                "hub: new data folder. Mint a tablet's token with `hub token L1 --data {data}` \
                 (client manager: `hub token X --name 张伟 --data {data}`; supervisor: `hub token SUP --data {data}`)"
            );
        }
        opened.serve(listener, shutdown_signal()).await.map_err(starting)
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

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let term = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
