//! What a hub trusts at one moment: the keys it accepts and the revocation list. A token is
//! good if one of the keys signed it, it has not expired, and neither it nor its key is revoked;
//! a tablet already connected is checked again ([`Trust::recheck`]) whenever either changes.

use std::path::Path;

use crate::claims::{Grant, TokenError, verify};
use crate::error::BookError;
use crate::keys::Keys;
use crate::revoked::Revoked;

#[derive(Clone, Debug)]
pub struct Trust {
    keys: Keys,
    revoked: Revoked,
}

impl Trust {
    pub fn new(keys: Keys, revoked: Revoked) -> Trust {
        Trust { keys, revoked }
    }

    /// The data folder's keys (made if there are none) and revocation list.
    pub fn load_or_create(data_dir: &Path) -> Result<Trust, BookError> {
        Ok(Trust {
            keys: Keys::load_or_create(data_dir)?,
            revoked: Revoked::load(data_dir)?,
        })
    }

    /// The data folder's keys and revocation list, never making a key.
    pub fn load(data_dir: &Path) -> Result<Trust, BookError> {
        Ok(Trust {
            keys: Keys::load(data_dir)?,
            revoked: Revoked::load(data_dir)?,
        })
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn revoked(&self) -> &Revoked {
        &self.revoked
    }

    /// Checks a token presented at `now_ms` (real time, ms since the epoch).
    pub fn check(&self, token: &str, now_ms: u64) -> Result<Grant, TokenError> {
        let grant = verify(
            &self.keys,
            &|k| self.revoked.key(k).is_some(),
            token,
            now_ms,
        )?;
        self.recheck(&grant, now_ms)?;
        Ok(grant)
    }

    /// Whether a grant let in earlier still stands: its token and key not revoked, its key still
    /// accepted, its time not up.
    pub fn recheck(&self, grant: &Grant, now_ms: u64) -> Result<(), TokenError> {
        if grant.id.is_some_and(|id| self.revoked.token(id).is_some()) {
            return Err(TokenError::Revoked);
        }
        if self.revoked.key(grant.key).is_some() {
            return Err(TokenError::KeyRetired);
        }
        if self.keys.get(grant.key).is_none() {
            return Err(TokenError::UnknownKey);
        }
        if grant.expired(now_ms) {
            return Err(TokenError::Expired);
        }
        Ok(())
    }
}
