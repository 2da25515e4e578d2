//! The people-facing clients of the hub. For now one: the `radio` CLI, the radio net from a
//! terminal — read and write standard sentences, place calls, listen to the net.
//!
//! - [`cli`]: the `radio` command line: arguments and one module per subcommand.
//! - [`line`](mod@line): an event as the one JSON line `radio listen` prints.
//! - [`ack`]: which calls a listening tablet answers by itself, and with what
//!   (`radio listen --ack`).
//! - [`open_call`]: which open call an answer said on its own is for (`radio say 可以接待`).

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod ack;
pub mod cli;
pub mod line;
pub mod open_call;
