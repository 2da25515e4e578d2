//! Identity: signed tokens that name the station a tablet speaks for, the data folder's keys,
//! registry and revocation list. The code lives in the `token` crate (`crates/token`), which
//! `hub token` and the drill simulator share; this module is the hub's name for it. What the
//! running hub trusts, followed live, is [`crate::gate`].

pub use ::token::*;
