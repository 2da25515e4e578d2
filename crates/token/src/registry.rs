//! The registry of minted tokens, `DATA/tokens`: one JSON object per line — a token's id, its
//! station, the key that signed it, when it was issued and when it expires, and who minted it —
//! never the token itself, so the file lets nobody sign in. `hub token list` reads it with the
//! revocation list and the keys to say which tokens are still good.

use std::path::Path;

use protocol::Station;
use serde::{Deserialize, Serialize};

use crate::error::BookError;
use crate::files::read_small;
use crate::id::{KeyId, TokenId};
use crate::keys::Keys;
use crate::revoked::Revoked;

/// The registry's file in the data folder.
pub const TOKENS_FILE: &str = "tokens";
const MAX_BYTES: u64 = 64 << 20;

/// One minted token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: TokenId,
    #[serde(rename = "st")]
    pub station: Station,
    pub key: KeyId,
    #[serde(rename = "iat")]
    pub issued_ms: u64,
    #[serde(rename = "exp")]
    pub expires_ms: Option<u64>,
    /// What minted it: `hub token`, `radio drill`.
    pub by: String,
}

/// Whether a recorded token still lets a tablet in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Valid,
    Expired,
    /// Revoked by id, at this time.
    Revoked(u64),
    /// Its key was retired, at this time.
    KeyRetired(u64),
    /// Its key is gone without being retired (the `secret` file was deleted or replaced).
    KeyGone,
}

impl Status {
    pub fn is_valid(self) -> bool {
        self == Status::Valid
    }

    /// One word for a listing.
    pub fn word(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Expired => "expired",
            Status::Revoked(_) => "revoked",
            Status::KeyRetired(_) => "revoked (key retired)",
            Status::KeyGone => "invalid (key gone)",
        }
    }
}

/// The tokens minted in a data folder, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    records: Vec<Record>,
}

impl Registry {
    /// The data folder's registry (empty if there is none).
    pub fn load(data_dir: &Path) -> Result<Registry, BookError> {
        let path = data_dir.join(TOKENS_FILE);
        let Some(bytes) = read_small(&path, MAX_BYTES)? else {
            return Ok(Registry::default());
        };
        let damaged = |line, why: String| BookError::Damaged {
            path: path.clone(),
            line,
            why,
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| damaged(0, "not text".into()))?;
        let records = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| serde_json::from_str(l).map_err(|e| damaged(n + 1, e.to_string())))
            .collect::<Result<_, _>>()?;
        Ok(Registry { records })
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn get(&self, id: TokenId) -> Option<&Record> {
        self.records.iter().find(|r| r.id == id)
    }

    pub(crate) fn push(&mut self, record: Record) {
        self.records.push(record);
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for r in &self.records {
            out.extend(serde_json::to_vec(r).expect("records serialize"));
            out.push(b'\n');
        }
        out
    }

    /// A recorded token's standing with these keys (`None`: the folder has none) and
    /// revocations at `now_ms`.
    pub fn status(record: &Record, keys: Option<&Keys>, revoked: &Revoked, now_ms: u64) -> Status {
        if let Some(at) = revoked.token(record.id) {
            return Status::Revoked(at);
        }
        if let Some(at) = revoked.key(record.key) {
            return Status::KeyRetired(at);
        }
        if keys.and_then(|k| k.get(record.key)).is_none() {
            return Status::KeyGone;
        }
        if record.expires_ms.is_some_and(|e| e <= now_ms) {
            return Status::Expired;
        }
        Status::Valid
    }
}
