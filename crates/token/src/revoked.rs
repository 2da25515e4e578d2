//! The revocation list, `DATA/revoked`: one JSON object per line, a token revoked by id
//! (`{"token":"k3xq7m2a","at":MS}`, `hub token revoke`) or a key retired
//! (`{"key":"9fz2kq4e","at":MS}`, `hub token retire-previous`). Only ever added to; a running hub
//! reads it again whenever it changes and cuts off the tablets it names.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::BookError;
use crate::files::read_small;
use crate::id::{KeyId, TokenId};

/// The list's file in the data folder.
pub const REVOKED_FILE: &str = "revoked";
/// Far more than any site revokes; a bigger file is not one the hub wrote.
const MAX_BYTES: u64 = 16 << 20;

#[derive(Serialize, Deserialize)]
struct Line {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<TokenId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<KeyId>,
    at: u64,
}

/// What has been revoked, and when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revoked {
    tokens: HashMap<TokenId, u64>,
    keys: HashMap<KeyId, u64>,
}

impl Revoked {
    /// The data folder's list (empty if there is none).
    pub fn load(data_dir: &Path) -> Result<Revoked, BookError> {
        let path = data_dir.join(REVOKED_FILE);
        let Some(bytes) = read_small(&path, MAX_BYTES)? else {
            return Ok(Revoked::default());
        };
        let damaged = |line, why: String| BookError::Damaged {
            path: path.clone(),
            line,
            why,
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| damaged(0, "not text".into()))?;
        let mut list = Revoked::default();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let l: Line = serde_json::from_str(line).map_err(|e| damaged(n + 1, e.to_string()))?;
            match (l.token, l.key) {
                (Some(t), None) => {
                    list.tokens.insert(t, l.at);
                }
                (None, Some(k)) => {
                    list.keys.insert(k, l.at);
                }
                _ => return Err(damaged(n + 1, "names neither one token nor one key".into())),
            }
        }
        Ok(list)
    }

    /// When this token was revoked, if it was.
    pub fn token(&self, id: TokenId) -> Option<u64> {
        self.tokens.get(&id).copied()
    }

    /// When this key was retired, if it was.
    pub fn key(&self, id: KeyId) -> Option<u64> {
        self.keys.get(&id).copied()
    }

    pub(crate) fn add_token(&mut self, id: TokenId, at: u64) {
        self.tokens.entry(id).or_insert(at);
    }

    pub(crate) fn add_key(&mut self, id: KeyId, at: u64) {
        self.keys.entry(id).or_insert(at);
    }

    /// The file's contents, oldest first.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut lines: Vec<(u64, Line)> = self
            .tokens
            .iter()
            .map(|(t, at)| {
                let line = Line {
                    token: Some(*t),
                    key: None,
                    at: *at,
                };
                (*at, line)
            })
            .chain(self.keys.iter().map(|(k, at)| {
                let line = Line {
                    token: None,
                    key: Some(*k),
                    at: *at,
                };
                (*at, line)
            }))
            .collect();
        lines.sort_by(|a, b| {
            (
                a.0,
                a.1.token.map(|t| t.to_string()),
                a.1.key.map(|k| k.to_string()),
            )
                .cmp(&(
                    b.0,
                    b.1.token.map(|t| t.to_string()),
                    b.1.key.map(|k| k.to_string()),
                ))
        });
        let mut out = Vec::new();
        for (_, line) in lines {
            out.extend(serde_json::to_vec(&line).expect("lines serialize"));
            out.push(b'\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_back_and_refuses_a_line_it_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Revoked::load(dir.path()).unwrap(), Revoked::default());
        let mut r = Revoked::default();
        let t = TokenId::random().unwrap();
        let k = KeyId::of(&[1; 32]);
        r.add_token(t, 5);
        r.add_key(k, 7);
        r.add_token(t, 9); // revoked once: the first time stays
        std::fs::write(dir.path().join(REVOKED_FILE), r.encode()).unwrap();
        let back = Revoked::load(dir.path()).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.token(t), Some(5));
        assert_eq!(back.key(k), Some(7));
        std::fs::write(
            dir.path().join(REVOKED_FILE),
            b"{\"token\":\"x\",\"at\":1}\n",
        )
        .unwrap();
        let e = Revoked::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
