//! The `hub` command line: run the sales gallery radio hub, mint and manage tablets' tokens,
//! make its TLS certificate, mend its log.
//! The binary is a thin wrapper over [`main`], which tests run as a real process too. Each
//! subcommand is its own file here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod repair;
mod serve;
mod tls;
mod token;

use serve::ServeArgs;

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
    /// Print a signed token for a post's tablet, alone on one line (with --link, also the
    /// tablet's sign-in link and its QR code); or list, revoke and rotate the data folder's
    /// tokens (`hub token list|revoke|rotate|retire-previous`).
    Token(token::TokenArgs),
    /// The hub's TLS certificate: `hub tls new --host ADDRESS` makes one (and the site's own CA).
    Tls(tls::TlsArgs),
    /// Mend a damaged event log (the hub refuses to start on one): the damaged file is set
    /// aside as it is, and a new log keeps every record its checksum proves, each at its
    /// offset. Run it with the hub stopped.
    Repair {
        /// The hub's data folder.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
    },
}

/// Runs the command line as given in the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Cmd::Serve(ServeArgs::default())) {
        Cmd::Serve(args) => serve::serve(args),
        Cmd::Token(args) => token::token(args),
        Cmd::Tls(args) => tls::tls(args),
        Cmd::Repair { data } => repair::repair(&data),
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
