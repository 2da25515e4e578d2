//! The Rust client of the dispatch hub: what one tablet on the radio net does over its WebSocket.
//! The `radio` CLI, the integration tests, the benchmark and the drill simulator all talk to the
//! hub through this crate, so the wire (subprotocol, frames, close codes) is handled in one place.
//!
//! - [`Tablet`]: one connection — connect as a station, place calls, answer, tap, ask for the
//!   state or the daily report, read events.
//! - [`Reconnecting`]: a tablet that reconnects with [`Backoff`] and resumes where it left off.
//! - [`Options`], [`Welcome`], [`Placed`]: what goes into a connection and what comes back.
//! - [`Roots`]: which certificate authorities a tablet trusts for `wss://` (the site's CA, or
//!   the system's); the hub's certificate is always verified.
//! - [`TabletError`]: every way a command or a read can fail, with whether to reconnect.
//!
//! The wire types themselves live in [`protocol`]; nothing here redefines them.

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod backoff;
mod error;
mod incoming;
mod link;
mod options;
mod reconnecting;
mod reply;
mod roots;
mod tablet;

pub use backoff::Backoff;
pub use error::TabletError;
pub use incoming::{Incoming, classify};
pub use options::Options;
pub use reconnecting::{Reconnecting, Update};
pub use reply::{Placed, Welcome};
pub use roots::Roots;
pub use tablet::Tablet;

pub use protocol::envelope::{Recovery, Resume};
pub use protocol::{Codec, Event, EventKind};
