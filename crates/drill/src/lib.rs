//! The drill simulator behind `radio drill`: rehearse a gallery day on a hub with virtual posts
//! that speak the real protocol (each one a [`tablet::Tablet`], as on a real tablet), score every
//! post, and load the hub.
//!
//! - [`scenario`]: the TOML scenarios — four shipped, any other from a file — checked line by line.
//! - [`plan`]: the day a scenario and a seed make (same seed, same day), drawn with [`rng`].
//! - [`run`]: the drill itself — the hub ([`ownhub`], or one already running), the posts
//!   ([`post`]), each group's way through the site ([`visit`]), faults, the wind-down.
//! - [`mirror`]: the board as the supervisor's tablet sees it, and every call's record.
//! - [`speech`]: the standard sentences, and the real variants people say.
//! - [`report`], [`html`], [`progress`]: the live view and the score.
//! - [`passes`]: the virtual posts' tokens, minted into the hub's data folder.
//! - [`load`]: load mode — many tablets, a call mix at a set rate, latency, the hub's CPU and
//!   memory, and its `/metrics` checked against what the tablets received.
//!
//! Diagnostics: `DRILL_DEBUG=1` prints every call's record (answers, repeats, escalation) on
//! stderr at the end of a drill; `DRILL_DEBUG_POST=1` prints when each post means to answer
//! each call and how late its timer woke.

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod clock;
pub mod ctx;
pub mod html;
pub mod load;
pub mod mirror;
pub mod ownhub;
pub mod passes;
pub mod plan;
pub mod post;
pub mod progress;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod speech;
pub mod visit;

pub use plan::Plan;
pub use progress::Progress;
pub use report::Report;
pub use run::{DrillOptions, HubChoice, run};
pub use scenario::{Scenario, ScenarioError};
