//! The people-facing clients of the hub. For now one: the `radio` CLI, the radio net from a
//! terminal — read and write standard sentences, place calls, listen to the net.
//!
//! - [`cli`]: the `radio` command line: arguments and one module per subcommand.
//! - [`line`](mod@line): an event as the one JSON line `radio listen` prints.
//! - [`ack`]: which calls a listening tablet answers 收到 by itself (`radio listen --ack`).

pub mod ack;
pub mod cli;
pub mod line;
