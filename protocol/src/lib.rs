//! The sales gallery's radio script as typed messages. This crate is the project's vocabulary:
//! the hub, the tablets, the `radio` CLI and the drill simulator all speak it.
//!
//! - [`post`]: who is on the net — posts by code, client managers by name, the site-wide target.
//! - [`visitor`]: visitors as the radio names them, surname + title.
//! - [`intent`]: the catalogue of scripted calls, with who makes each, whom it is for, what answers it.
//! - [`call`]: a typed call and its standard sentence ([`Call::render`]).
//! - [`parse`]: a typed or dictated sentence back to a call, or a refusal naming the broken rule.
//! - [`script`]: the one table of trained words both of the above read.
//! - [`script_table`]: that table as data, for a client (the pages) that says a call's sentence itself.
//! - [`catalogue`]: the scripted calls as data for a tablet's quick actions.
//! - [`visit`], [`room`], [`order`], [`rota`], [`mode`], [`alert`]: the site's live board — visitor
//!   groups and their stages, the VIP rooms, service orders, the reception rota, modes, alarms.
//! - [`tap`]: one-tap status updates for what no radio call marks.
//! - [`envelope`]: what travels on the WebSocket: commands, replies, events.
//! - [`codec`]: the two encodings of the envelope (MessagePack, JSON), bounded and panic-free.
//! - [`codes`]: error codes and close codes, with what a client should do about each.
//! - [`zone`]: the site's time zone: its days, and the times and dates people type.
//!
//! Invariants: no I/O, no clock, no tokio. Time comes in as an argument (milliseconds since the
//! Unix epoch); everything here is testable without sockets.

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod alert;
pub mod call;
pub mod catalogue;
pub mod codec;
pub mod codes;
pub mod envelope;
pub mod intent;
pub mod mode;
pub mod normalize;
pub mod numeral;
pub mod order;
pub mod parse;
pub mod post;
pub mod refusal;
pub mod room;
pub mod rota;
pub mod script;
pub mod script_table;
mod tag_first;
pub mod tap;
mod template;
mod unsafe_number;
pub mod visit;
pub mod visitor;
pub mod zone;

pub use call::{Call, Utterance};
pub use codec::{Codec, DecodeError};
pub use codes::{CloseCode, ErrorCode};
pub use envelope::{ClientFrame, Command, Event, EventKind, ReplyBody, ServerFrame};
pub use intent::{Answer, Intent};
pub use post::{ManagerName, Post, Station, Target};
pub use refusal::Refusal;
pub use tap::Tap;
pub use visitor::{Title, Visitor};
