//! One signing key and its file. A key made by this version is a line of text,
//! `hub-key 2 <base64url of 32 random bytes> <made, ms since the epoch>`; a key made before
//! tokens had ids is the 32 bytes themselves. Such a *legacy* key is still read and still
//! accepted for the old-format tokens it signed (no id, no expiry), until it is retired
//! (`hub token rotate`, then `hub token retire-previous`); a key of this version never accepts
//! an old-format token.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::files::{FileError, read_small};
use crate::id::KeyId;

pub(crate) const KEY_LEN: usize = 32;
const HEADER: &str = "hub-key 2 ";
/// A key file is a short line; anything much longer is not one.
const MAX_KEY_FILE: u64 = 256;

/// A key that signs tokens.
#[derive(Clone)]
pub struct Key {
    bytes: [u8; KEY_LEN],
    id: KeyId,
    legacy: bool,
    made_ms: Option<u64>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Key({}{})",
            self.id,
            if self.legacy { ", legacy" } else { "" }
        )
    }
}

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The data folder or the file is not usable: check its path and permissions.
    #[error("cannot use {}", .0)]
    Io(#[from] FileError),
    /// The file was altered or is not a key.
    #[error(
        "{} is not a hub signing key ({why}); if it was damaged, restore it from a backup — or \
         delete it to make a new one, which ends every token it signed",
        path.display()
    )]
    Damaged { path: PathBuf, why: String },
    /// The operating system gave no randomness.
    #[error("no randomness for a new key: {0}")]
    Entropy(getrandom::Error),
}

impl Key {
    /// A new random key, made at `made_ms`.
    pub fn new(made_ms: u64) -> Result<Key, SecretError> {
        let mut bytes = [0u8; KEY_LEN];
        getrandom::fill(&mut bytes).map_err(SecretError::Entropy)?;
        Ok(Key {
            id: KeyId::of(&bytes),
            bytes,
            legacy: false,
            made_ms: Some(made_ms),
        })
    }

    /// A key of this version from known bytes (tests).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Key {
        Key {
            id: KeyId::of(&bytes),
            bytes,
            legacy: false,
            made_ms: None,
        }
    }

    /// A key as a version before token ids made it (tests of the upgrade).
    pub fn legacy_from_bytes(bytes: [u8; KEY_LEN]) -> Key {
        Key {
            legacy: true,
            ..Key::from_bytes(bytes)
        }
    }

    pub fn id(&self) -> KeyId {
        self.id
    }

    /// Whether this key was made before tokens had ids (it accepts old-format tokens).
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// When it was made, if the file says (a legacy key's does not).
    pub fn made_ms(&self) -> Option<u64> {
        self.made_ms
    }

    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.bytes).expect("HMAC takes a key of any length")
    }

    /// The file's contents for this key: a legacy key keeps its old form, so that it stays
    /// legacy when it moves to `secret.previous`.
    pub(crate) fn encode(&self) -> Vec<u8> {
        if self.legacy {
            return self.bytes.to_vec();
        }
        format!(
            "{HEADER}{} {}\n",
            B64.encode(self.bytes),
            self.made_ms.unwrap_or(0)
        )
        .into_bytes()
    }

    /// Reads a key file; `None` if there is none.
    pub(crate) fn read(path: &Path) -> Result<Option<Key>, SecretError> {
        let Some(bytes) = read_small(path, MAX_KEY_FILE)? else {
            return Ok(None);
        };
        Key::decode(&bytes)
            .map(Some)
            .map_err(|why| SecretError::Damaged {
                path: path.to_owned(),
                why,
            })
    }

    fn decode(bytes: &[u8]) -> Result<Key, String> {
        if let Some(rest) = bytes.strip_prefix(HEADER.as_bytes()) {
            let text = std::str::from_utf8(rest).map_err(|_| "not text".to_owned())?;
            let mut parts = text.split_whitespace();
            let key = parts
                .next()
                .and_then(|k| B64.decode(k).ok())
                .and_then(|k| <[u8; KEY_LEN]>::try_from(k.as_slice()).ok())
                .ok_or("the key is not 32 bytes of base64url")?;
            let made = parts
                .next()
                .and_then(|m| m.parse::<u64>().ok())
                .ok_or("no time it was made")?;
            if parts.next().is_some() {
                return Err("more than a key on its line".into());
            }
            return Ok(Key {
                made_ms: (made > 0).then_some(made),
                ..Key::from_bytes(key)
            });
        }
        let key: [u8; KEY_LEN] = bytes.try_into().map_err(|_| {
            format!(
                "{} bytes, neither a key of this version nor an older one",
                bytes.len()
            )
        })?;
        Ok(Key::legacy_from_bytes(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_in_either_form() {
        let k = Key::new(1234).unwrap();
        let back = Key::decode(&k.encode()).unwrap();
        assert_eq!((back.bytes, back.id, back.legacy), (k.bytes, k.id, false));
        assert_eq!(back.made_ms(), Some(1234));
        let old = Key::decode(&[9u8; 32]).unwrap();
        assert!(old.is_legacy());
        assert_eq!(old.encode(), vec![9u8; 32]);
        for bad in [&b""[..], b"short", b"hub-key 2 abc 1\n", b"hub-key 2 \n"] {
            assert!(Key::decode(bad).is_err(), "{bad:?}");
        }
    }
}
