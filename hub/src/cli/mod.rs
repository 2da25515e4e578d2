//! The `hub` command line: run the sales gallery radio hub, mint a tablet's token, mend or look
//! after its event log.
//! The binary is a thin wrapper over [`main`], which tests run as a real process too. Each
//! subcommand is its own file here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod log;
mod repair;
mod serve;
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
    /// Mend a damaged event log (the hub refuses to start on one): each damaged segment is set
    /// aside as it is and written anew with every record its checksum proves, each at its
    /// offset; a damaged checkpoint is set aside. Run it with the hub stopped.
    Repair {
        /// The hub's data folder.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
    },
    /// Look after the event log: check it, export a day, back it up (all safe while the hub
    /// runs).
    Log {
        #[command(subcommand)]
        command: log::LogCmd,
    },
}

/// Runs the command line as given in the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Cmd::Serve(ServeArgs::default())) {
        Cmd::Serve(args) => serve::serve(args),
        Cmd::Token {
            post,
            name,
            data,
            link,
            host,
        } => token::token(&post, name.as_deref(), &data, link.then_some(host)),
        Cmd::Repair { data } => repair::repair(&data),
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
