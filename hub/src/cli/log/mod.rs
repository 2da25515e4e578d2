//! `hub log …`: looking after the event log — `check` it, `export` a day, `backup` it. Each
//! only reads the data folder and takes no lock, so it runs beside a live hub. One file per
//! subcommand.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::Site;

mod backup;
mod check;
mod export;

#[derive(Subcommand)]
pub(crate) enum LogCmd {
    /// Verify every record of every segment and every checkpoint; print what the log holds and
    /// where any damage is (file, byte, offset). Exits non-zero if anything is damaged.
    Check {
        /// The hub's data folder.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// The site roster (TOML), for its time zone; the Longfor site's if not given.
        #[arg(long)]
        site: Option<PathBuf>,
    },
    /// Print one day's events (the site's day) as JSON lines, each the frame a JSON client
    /// receives for it.
    Export {
        /// The hub's data folder.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// The site roster (TOML), for its time zone; the Longfor site's if not given.
        #[arg(long)]
        site: Option<PathBuf>,
    },
    /// Copy the data folder consistently while the hub runs (the secret, every sealed segment,
    /// today's up to its last whole record, the checkpoints it can use) into a new folder a
    /// hub can start on.
    Backup {
        /// The hub's data folder.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// Where the copy goes: a folder that does not exist yet, or an empty one.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
}

pub(super) fn run(command: LogCmd) -> Result<(), String> {
    match command {
        LogCmd::Check { data, site } => check::check(&data, &zone_of(site.as_deref())?),
        LogCmd::Export { data, date, site } => {
            export::export(&data, &date, &zone_of(site.as_deref())?)
        }
        LogCmd::Backup { data, to } => backup::backup(&data, &to),
    }
}

/// The site's time zone, from its site file (the built-in one if none is given).
fn zone_of(site: Option<&Path>) -> Result<crate::calendar::Zone, String> {
    let site = match site {
        Some(path) => Site::load(path).map_err(|e| e.to_string())?,
        None => Site::longfor(),
    };
    Ok(site.zone)
}

/// The log folder of a data folder, which must hold a log.
fn log_dir(data: &Path) -> Result<PathBuf, String> {
    let dir = data.join("log");
    if !dir.is_dir() {
        return Err(format!(
            "there is no event log in {} (no {} folder): give the hub's data folder with --data",
            data.display(),
            dir.display()
        ));
    }
    Ok(dir)
}
