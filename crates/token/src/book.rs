//! The data folder's token files, open for changing by one process at a time (`hub token`, the
//! drill): minting records each token; revoking adds to the revocation list; rotating makes a
//! new current key and keeps the old one as previous; retiring the previous key revokes every
//! token it signed. A running hub only reads these files, and follows their changes live.

use std::path::{Path, PathBuf};

use protocol::Station;

use crate::error::BookError;
use crate::files::{WriteLock, write_private};
use crate::id::{KeyId, TokenId};
use crate::key::Key;
use crate::keys::{Keys, PREVIOUS_FILE, SECRET_FILE};
use crate::registry::{Record, Registry, TOKENS_FILE};
use crate::revoked::{REVOKED_FILE, Revoked};
use crate::ttl::Ttl;

/// A token just minted, and its record.
#[derive(Clone, Debug)]
pub struct Minted {
    pub token: String,
    pub record: Record,
}

/// What `revoke` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// Revoked now.
    Revoked(Record),
    /// It already was, at this time.
    Already(Record, u64),
}

/// What `rotate` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// The new current key.
    pub current: KeyId,
    /// The key it replaced, now previous: its tokens keep working until it is retired.
    pub previous: KeyId,
    /// The previous key before this rotation, retired by `--retire-previous`.
    pub retired: Option<KeyId>,
}

/// The token files of a data folder, held for changing.
#[derive(Debug)]
pub struct Book {
    dir: PathBuf,
    _lock: WriteLock,
}

impl Book {
    /// Takes the folder's token files (waiting briefly for another writer), making the folder
    /// if needed.
    pub fn open(data_dir: &Path) -> Result<Book, BookError> {
        Ok(Book {
            _lock: WriteLock::take(data_dir)?,
            dir: data_dir.to_owned(),
        })
    }

    /// Mints a token for `station` good for `ttl` from now (real time), and records it.
    pub fn mint(&self, station: &Station, ttl: Ttl, by: &str) -> Result<Minted, BookError> {
        let mut all = self.mint_all(std::slice::from_ref(station), ttl, by)?;
        Ok(all.remove(0))
    }

    /// Mints one token for each station, recording them all in one write.
    pub fn mint_all(
        &self,
        stations: &[Station],
        ttl: Ttl,
        by: &str,
    ) -> Result<Vec<Minted>, BookError> {
        let keys = Keys::load_or_create(&self.dir)?;
        let mut registry = Registry::load(&self.dir)?;
        let now = crate::now_ms();
        let mut minted = Vec::with_capacity(stations.len());
        for station in stations {
            let id = loop {
                let id = TokenId::random().map_err(BookError::Entropy)?;
                if registry.get(id).is_none() {
                    break id;
                }
            };
            let record = Record {
                id,
                station: station.clone(),
                key: keys.current().id(),
                issued_ms: now,
                expires_ms: ttl.expires(now),
                by: by.to_owned(),
            };
            let token = keys.mint(station, id, now, record.expires_ms);
            registry.push(record.clone());
            minted.push(Minted { token, record });
        }
        write_private(&self.dir.join(TOKENS_FILE), &registry.encode())?;
        Ok(minted)
    }

    /// Revokes a token by id. A running hub refuses it within a couple of seconds and cuts off
    /// a tablet connected with it.
    pub fn revoke(&self, id: &str) -> Result<Revocation, BookError> {
        let registry = Registry::load(&self.dir)?;
        let no_such = || BookError::NoSuchToken {
            id: id.trim().to_owned(),
            path: self.dir.join(TOKENS_FILE),
        };
        let parsed = TokenId::parse(id).ok_or_else(no_such)?;
        let record = registry.get(parsed).ok_or_else(no_such)?.clone();
        let mut revoked = Revoked::load(&self.dir)?;
        if let Some(at) = revoked.token(parsed) {
            return Ok(Revocation::Already(record, at));
        }
        revoked.add_token(parsed, crate::now_ms());
        write_private(&self.dir.join(REVOKED_FILE), &revoked.encode())?;
        Ok(Revocation::Revoked(record))
    }

    /// Makes a new current key; the old one becomes previous and keeps its tokens working. With
    /// a previous key still accepted, `retire_previous` retires it first, else this is refused.
    pub fn rotate(&self, retire_previous: bool) -> Result<Rotation, BookError> {
        let keys = Keys::load_or_create(&self.dir)?;
        let retired = match keys.previous() {
            Some(p) if !retire_previous => {
                return Err(BookError::PreviousStillAccepted { previous: p.id() });
            }
            Some(_) => self.retire_previous()?,
            None => None,
        };
        let new = Key::new(crate::now_ms())?;
        // The old key is saved as previous before it is replaced: at no moment is a key that
        // signed live tokens on no file.
        write_private(&self.dir.join(PREVIOUS_FILE), &keys.current().encode())?;
        write_private(&self.dir.join(SECRET_FILE), &new.encode())?;
        Ok(Rotation {
            current: new.id(),
            previous: keys.current().id(),
            retired,
        })
    }

    /// Retires the previous key: every token it signed is refused from now on, and a running
    /// hub cuts off tablets using them. `None` if there was no previous key.
    pub fn retire_previous(&self) -> Result<Option<KeyId>, BookError> {
        let keys = Keys::load(&self.dir)?;
        let Some(previous) = keys.previous() else {
            return Ok(None);
        };
        // Revoked first, so a hub reading between the two steps already says "retired".
        let mut revoked = Revoked::load(&self.dir)?;
        revoked.add_key(previous.id(), crate::now_ms());
        write_private(&self.dir.join(REVOKED_FILE), &revoked.encode())?;
        let path = self.dir.join(PREVIOUS_FILE);
        std::fs::remove_file(&path).map_err(crate::files::FileError::at(&path))?;
        Ok(Some(previous.id()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::TokenError;
    use crate::registry::Status;
    use crate::trust::Trust;
    use protocol::Post;

    #[test]
    fn minting_records_the_token_but_not_the_token_itself() {
        let dir = tempfile::tempdir().unwrap();
        let book = Book::open(dir.path()).unwrap();
        let l1 = Station::Post(Post::L1);
        let m = book.mint(&l1, "30d".parse().unwrap(), "hub token").unwrap();
        let trust = Trust::load(dir.path()).unwrap();
        let now = crate::now_ms();
        let grant = trust.check(&m.token, now).unwrap();
        assert_eq!(grant.id, Some(m.record.id));
        let days = (m.record.expires_ms.unwrap() - m.record.issued_ms) / 86_400_000;
        assert_eq!(days, 30);
        let file = std::fs::read_to_string(dir.path().join(TOKENS_FILE)).unwrap();
        assert!(file.contains(m.record.id.as_str()));
        let (_, tag) = m.token.split_once('.').unwrap();
        assert!(!file.contains(tag), "the registry holds no token");
        let registry = Registry::load(dir.path()).unwrap();
        assert_eq!(registry.records(), std::slice::from_ref(&m.record));
        assert_eq!(
            Registry::status(&m.record, Some(trust.keys()), trust.revoked(), now),
            Status::Valid
        );
    }

    #[test]
    fn a_revoked_token_is_refused_and_listed_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let book = Book::open(dir.path()).unwrap();
        let m = book
            .mint(&Station::Post(Post::S1), Ttl::Never, "hub token")
            .unwrap();
        let other = book
            .mint(&Station::Post(Post::S1), Ttl::Never, "hub token")
            .unwrap();
        assert!(matches!(
            book.revoke(m.record.id.as_str()).unwrap(),
            Revocation::Revoked(_)
        ));
        assert!(matches!(
            book.revoke(m.record.id.as_str()).unwrap(),
            Revocation::Already(..)
        ));
        assert!(matches!(
            book.revoke("zzzzzzzz"),
            Err(BookError::NoSuchToken { .. })
        ));
        assert!(matches!(
            book.revoke("nope"),
            Err(BookError::NoSuchToken { .. })
        ));
        let trust = Trust::load(dir.path()).unwrap();
        let now = crate::now_ms();
        assert_eq!(trust.check(&m.token, now), Err(TokenError::Revoked));
        assert!(trust.check(&other.token, now).is_ok());
        assert!(matches!(
            Registry::status(&m.record, Some(trust.keys()), trust.revoked(), now),
            Status::Revoked(_)
        ));
    }

    #[test]
    fn rotation_keeps_old_tokens_until_the_previous_key_is_retired() {
        let dir = tempfile::tempdir().unwrap();
        let book = Book::open(dir.path()).unwrap();
        let l1 = Station::Post(Post::L1);
        let old = book.mint(&l1, Ttl::DEFAULT, "hub token").unwrap();
        let r = book.rotate(false).unwrap();
        assert_eq!(r.previous, old.record.key);
        let new = book.mint(&l1, Ttl::DEFAULT, "hub token").unwrap();
        assert_eq!(new.record.key, r.current);
        let now = crate::now_ms();
        let trust = Trust::load(dir.path()).unwrap();
        assert!(trust.check(&old.token, now).is_ok());
        assert!(trust.check(&new.token, now).is_ok());
        // A second rotation would retire the previous key unasked: refused.
        assert!(matches!(
            book.rotate(false),
            Err(BookError::PreviousStillAccepted { .. })
        ));
        assert_eq!(book.retire_previous().unwrap(), Some(old.record.key));
        assert_eq!(book.retire_previous().unwrap(), None);
        let trust = Trust::load(dir.path()).unwrap();
        assert_eq!(trust.check(&old.token, now), Err(TokenError::KeyRetired));
        assert!(trust.check(&new.token, now).is_ok());
        assert!(matches!(
            Registry::status(&old.record, Some(trust.keys()), trust.revoked(), now),
            Status::KeyRetired(_)
        ));
        // Rotate and retire at once.
        let r2 = book.rotate(true).unwrap();
        assert_eq!(r2.retired, None);
        let r3 = book.rotate(true).unwrap();
        assert_eq!(r3.retired, Some(r2.previous));
        let trust = Trust::load(dir.path()).unwrap();
        assert_eq!(trust.check(&new.token, now), Err(TokenError::KeyRetired));
    }

    #[test]
    fn a_legacy_secret_keeps_its_old_tokens_through_a_rotation_until_retired() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SECRET_FILE), [6u8; 32]).unwrap();
        let legacy = Key::legacy_from_bytes([6; 32]);
        let old = crate::claims::mint_legacy(&legacy, &Station::Post(Post::G1), 0);
        let book = Book::open(dir.path()).unwrap();
        book.rotate(false).unwrap();
        let trust = Trust::load(dir.path()).unwrap();
        assert!(trust.keys().previous().unwrap().is_legacy());
        assert!(trust.check(&old, crate::now_ms()).unwrap().is_legacy());
        book.retire_previous().unwrap();
        let trust = Trust::load(dir.path()).unwrap();
        assert!(!trust.keys().has_legacy());
        assert!(trust.check(&old, crate::now_ms()).is_err());
    }
}
