//! Writing lines for people and scripts: stdout flushed per line (a pipe into `jq` or a drill
//! checker sees each event as it happens), and a closed stdout told apart from other failures,
//! because `radio listen | head -3` closing the pipe is a normal way to stop.

use std::io::{self, Write};

use super::Failure;

/// What became of a line written to stdout.
#[derive(Debug)]
pub(crate) enum Written {
    Ok,
    /// The reader went away (broken pipe): stop quietly.
    Closed,
    Failed(io::Error),
}

/// Writes one line to stdout and flushes it.
pub(crate) fn stdout_line(line: &str) -> Written {
    let mut out = io::stdout().lock();
    let r = out
        .write_all(line.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match r {
        Ok(()) => Written::Ok,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Written::Closed,
        Err(e) => Written::Failed(e),
    }
}

/// Writes one line to stderr; a closed stderr is not worth failing over.
pub(crate) fn stderr_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Writes one line (or a pretty-printed block) to stdout for a one-shot command: a reader that
/// went away is not a failure, any other write error is.
pub(crate) fn print_line(line: &str) -> Result<(), Failure> {
    match stdout_line(line) {
        Written::Ok | Written::Closed => Ok(()),
        Written::Failed(e) => Err(Failure::new(format!("cannot write stdout: {e}"))),
    }
}
