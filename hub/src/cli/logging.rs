//! The hub's own log lines on stderr: text for a person at a terminal or in the journal, JSON
//! lines for a log shipper. Which lines come from `RUST_LOG`; a filter that does not parse is
//! refused at start rather than silently replaced.

use tracing_subscriber::EnvFilter;

/// What the hub logs when `RUST_LOG` is not set: its own lines at info (connections, refusals,
/// startup), and every crate's warnings (the log's torn tail).
pub const DEFAULT_FILTER: &str = "warn,hub=info,logbook=info";

/// `--log-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line: timestamp, level, target, message and fields.
    Json,
}

/// Installs the subscriber for the whole process.
pub fn init(format: LogFormat) -> Result<(), String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::builder().parse(&spec).map_err(|e| {
            format!(
                "RUST_LOG={spec:?} is not a log filter ({e}); write it as a level \
                     (`info`, `debug`) or per crate (`warn,hub=debug`), or unset it for the \
                     default `{DEFAULT_FILTER}`"
            )
        })?,
        _ => EnvFilter::new(DEFAULT_FILTER),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let done = match format {
        LogFormat::Text => builder
            // Colour only for a person at a terminal, not in a log file.
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
    // A second init in one process (tests calling `main` twice) keeps the first.
    let _ = done;
    Ok(())
}
