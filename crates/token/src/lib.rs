//! Identity: signed tokens that name the station a tablet speaks for. Shared by the hub (which
//! checks every tablet's token, and follows the data folder's keys and revocations live) and the
//! `hub token` command and the drill simulator (which mint tokens into a hub's data folder).
//!
//! - A token (`claims`) is `base64url(payload).base64url(HMAC-SHA256(key, payload))`; the payload
//!   names its id, its key, its station, when it was issued and when it expires.
//! - The data folder holds the signing keys (`keys`: `secret`, and `secret.previous` between a
//!   rotation and its retirement), the registry of minted tokens (`registry`: `tokens`, never the
//!   tokens themselves) and the revocation list (`revoked`), all owner-only and replaced whole
//!   (`files`). [`Book`] changes them, one writer at a time; [`Trust`] is what a hub reads.
//! - Expiry is judged against the system's real time ([`now_ms`]), never a drill's clock.

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod book;
mod claims;
mod error;
mod files;
mod id;
mod key;
mod keys;
mod registry;
mod revoked;
mod trust;
mod ttl;

pub use book::{Book, Minted, Revocation, Rotation};
pub use claims::{Grant, MAX_TOKEN_BYTES, TokenError, mint_legacy};
pub use error::BookError;
pub use files::{FileError, write_private};
pub use id::{KeyId, TokenId};
pub use key::{Key, SecretError};
pub use keys::{Keys, PREVIOUS_FILE, SECRET_FILE};
pub use registry::{Record, Registry, Status, TOKENS_FILE};
pub use revoked::{REVOKED_FILE, Revoked};
pub use trust::Trust;
pub use ttl::{BadTtl, Ttl, span_words, utc_words};

/// The system's time, in ms since the Unix epoch: what tokens are issued and expire in.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
