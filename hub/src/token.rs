//! Identity: signed tokens that name the station a tablet speaks for. The code lives in the
//! `token` crate (`crates/token`), which the drill simulator shares to sign its virtual posts'
//! tokens from a hub's data folder; this module is the hub's name for it.

pub use ::token::{MAX_TOKEN_BYTES, Secret, SecretError, TokenError};
