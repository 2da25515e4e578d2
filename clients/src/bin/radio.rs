//! `radio`: the sales gallery's radio net from a terminal. See `radio --help`; the work is in the
//! `clients` library ([`clients::cli`]).

use std::process::ExitCode;

fn main() -> ExitCode {
    clients::cli::main()
}
