//! The data folder's signing keys: the *current* key (`secret`), which signs every new token,
//! and after a rotation the *previous* one (`secret.previous`), whose tokens keep working until
//! it is retired. Both files are owner-only and replaced whole (see `files`).

use std::path::Path;

use crate::files::create_private;
use crate::id::KeyId;
use crate::key::{Key, SecretError};

/// The current key's file in the data folder.
pub const SECRET_FILE: &str = "secret";
/// The previous key's file, present between `hub token rotate` and its retirement.
pub const PREVIOUS_FILE: &str = "secret.previous";

/// The keys a hub accepts tokens from.
#[derive(Clone, Debug)]
pub struct Keys {
    current: Key,
    previous: Option<Key>,
}

impl Keys {
    /// Keys from known parts (tests).
    pub fn new(current: Key, previous: Option<Key>) -> Keys {
        Keys { current, previous }
    }

    /// A single key of this version from known bytes (tests).
    pub fn from_bytes(bytes: [u8; 32]) -> Keys {
        Keys::new(Key::from_bytes(bytes), None)
    }

    /// The keys of `data_dir`, creating the folder and a first key if there is none. Two
    /// processes making it at once (the hub and `hub token`) end up with the same key.
    pub fn load_or_create(data_dir: &Path) -> Result<Keys, SecretError> {
        let path = data_dir.join(SECRET_FILE);
        if Key::read(&path)?.is_none() {
            crate::files::make_private_dir(data_dir)?;
            // Someone else may make it first: then theirs is read below.
            create_private(&path, &Key::new(crate::now_ms())?.encode())?;
        }
        Keys::load(data_dir)
    }

    /// The keys of an existing data folder, never making one: for a tool that signs tokens for
    /// a hub already running there (`radio drill --data DIR`), and for the running hub's reloads.
    pub fn load(data_dir: &Path) -> Result<Keys, SecretError> {
        let path = data_dir.join(SECRET_FILE);
        let current = Key::read(&path)?.ok_or_else(|| {
            SecretError::Io(crate::files::FileError {
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no signing key"),
            })
        })?;
        let previous = Key::read(&data_dir.join(PREVIOUS_FILE))?;
        Ok(Keys { current, previous })
    }

    /// The key that signs new tokens.
    pub fn current(&self) -> &Key {
        &self.current
    }

    /// The key a rotation replaced, while it is still accepted.
    pub fn previous(&self) -> Option<&Key> {
        self.previous.as_ref()
    }

    /// The accepted key with this id.
    pub fn get(&self, id: KeyId) -> Option<&Key> {
        self.all().find(|k| k.id() == id)
    }

    /// Every accepted key, the current one first.
    pub fn all(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.current).chain(self.previous.as_ref())
    }

    /// Whether a key made before token ids is among them (old-format tokens are accepted).
    pub fn has_legacy(&self) -> bool {
        self.all().any(Key::is_legacy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_makers_at_once_agree_on_one_key() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("data");
            let makers: Vec<_> = (0..4)
                .map(|_| {
                    let p = path.clone();
                    std::thread::spawn(move || Keys::load_or_create(&p).unwrap().current.id())
                })
                .collect();
            let ids: Vec<_> = makers.into_iter().map(|m| m.join().unwrap()).collect();
            assert!(ids.windows(2).all(|w| w[0] == w[1]));
        }
    }

    #[test]
    fn load_reads_the_keys_and_never_makes_one() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Keys::load(dir.path()), Err(SecretError::Io(_))));
        assert!(!dir.path().join(SECRET_FILE).exists());
        let made = Keys::load_or_create(dir.path()).unwrap();
        let loaded = Keys::load(dir.path()).unwrap();
        assert_eq!(loaded.current.id(), made.current.id());
        assert!(loaded.previous.is_none() && !loaded.has_legacy());
    }

    #[test]
    fn the_key_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = Keys::load_or_create(dir.path()).unwrap();
        let b = Keys::load_or_create(dir.path()).unwrap();
        assert_eq!(a.current.id(), b.current.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_secret_from_before_token_ids_is_read_as_legacy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SECRET_FILE), [5u8; 32]).unwrap();
        let keys = Keys::load_or_create(dir.path()).unwrap();
        assert!(keys.current.is_legacy() && keys.has_legacy());
        std::fs::write(dir.path().join(SECRET_FILE), [5u8; 31]).unwrap();
        let e = Keys::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a hub signing key"), "{e}");
    }
}
