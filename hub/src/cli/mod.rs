//! The `hub` command line: run the sales gallery radio hub, mint and manage tablets' tokens,
//! make its TLS certificate, check its site file, mend or look after its event log.
//! The binary is a thin wrapper over [`main`], which tests run as a real process too. Each
//! subcommand is its own file here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod config;
mod log;
mod logging;
mod repair;
mod serve;
mod tls;
mod token;

use serve::ServeArgs;

#[derive(Parser)]
#[command(
    name = "hub",
    version,
    about = "The sales gallery radio hub",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// With no subcommand, the hub serves with these flags (as `hub serve`).
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the hub (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Print a signed token for a post's tablet, alone on one line (with --link, also the
    /// tablet's sign-in link and its QR code); or list, revoke and rotate the data folder's
    /// tokens (`hub token list|revoke|rotate|retire-previous`).
    Token(token::TokenArgs),
    /// The hub's TLS certificate: `hub tls new --host ADDRESS` makes one (and the site's own CA).
    Tls(tls::TlsArgs),
    /// Check the site file: print the roster, time zone and every setting it comes to, or the
    /// rule it breaks.
    Config {
        #[command(subcommand)]
        what: ConfigCmd,
    },
    /// Mend a damaged event log (the hub refuses to start on one): each damaged segment is set
    /// aside as it is and written anew with every record its checksum proves, each at its
    /// offset; a damaged checkpoint is set aside. Run it with the hub stopped.
    Repair {
        /// The hub's data folder.
        #[arg(long, env = "HUB_DATA", default_value = "./data")]
        data: PathBuf,
    },
    /// Look after the event log: check it, export a day, back it up (all safe while the hub
    /// runs).
    Log {
        #[command(subcommand)]
        command: log::LogCmd,
    },
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Read a site file as the hub would (the built-in one if none is given); exits 1 naming
    /// the rule a bad file breaks.
    Check {
        /// The site file (TOML).
        #[arg(long, env = "HUB_SITE")]
        site: Option<PathBuf>,
    },
}

/// Runs the command line as given in the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Cmd::Serve(cli.serve)) {
        Cmd::Serve(args) => serve::serve(args),
        Cmd::Token(args) => token::token(args),
        Cmd::Tls(args) => tls::tls(args),
        Cmd::Repair { data } => repair::repair(&data),
        Cmd::Config {
            what: ConfigCmd::Check { site },
        } => config::check(site.as_deref()),
        Cmd::Log { command } => log::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hub: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub(crate) fn print(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("stdout: {e}")),
        _ => Ok(()),
    }
}
