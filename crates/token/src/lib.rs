//! Identity: signed tokens that name the station a tablet speaks for. Shared by the hub (which
//! makes the secret, mints tokens with `hub token` and checks every tablet's) and the drill
//! simulator (which signs its virtual posts' tokens from a running hub's data folder).
//!
//! A token is `base64url(payload).base64url(HMAC-SHA256(secret, payload))`, where the payload is a
//! small JSON object naming the station. The secret is 32 random bytes kept in the data folder,
//! readable by the owner only; rotating it (deleting the file) revokes every token.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use protocol::Station;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const SECRET_FILE: &str = "secret";
const SECRET_LEN: usize = 32;
/// Tokens longer than this are refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 512;

/// The hub's signing key.
#[derive(Clone)]
pub struct Secret([u8; SECRET_LEN]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Why the secret could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The data folder is not usable: check its path and permissions.
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The secret file was altered. Delete it to make a new one (this revokes every token).
    #[error(
        "{path} is not a hub secret ({len} bytes); delete it to make a new one, which revokes every token"
    )]
    Damaged { path: PathBuf, len: usize },
    /// The operating system gave no randomness.
    #[error("no randomness for a new secret: {0}")]
    Entropy(getrandom::Error),
}

impl Secret {
    /// Loads the secret from `data_dir`, creating the folder (mode 0700) and a new secret (mode
    /// 0600) if needed.
    /// Two processes creating it at once (the hub and `hub token`) end up with the same secret.
    pub fn load_or_create(data_dir: &Path) -> Result<Secret, SecretError> {
        let path = data_dir.join(SECRET_FILE);
        let io = |source| SecretError::Io {
            path: path.clone(),
            source,
        };
        for _ in 0..50 {
            match std::fs::read(&path) {
                // A secret still being written by another process reads short: wait for it.
                Ok(bytes) if bytes.len() < SECRET_LEN => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                Ok(bytes) => {
                    let key: [u8; SECRET_LEN] =
                        bytes
                            .as_slice()
                            .try_into()
                            .map_err(|_| SecretError::Damaged {
                                path: path.clone(),
                                len: bytes.len(),
                            })?;
                    return Ok(Secret(key));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // The folder holds the secret: owner-only when it is made here.
                    let mut folder = std::fs::DirBuilder::new();
                    folder.recursive(true);
                    #[cfg(unix)]
                    std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
                    folder.create(data_dir).map_err(io)?;
                    let mut key = [0u8; SECRET_LEN];
                    getrandom::fill(&mut key).map_err(SecretError::Entropy)?;
                    let mut opts = std::fs::OpenOptions::new();
                    opts.write(true).create_new(true);
                    #[cfg(unix)]
                    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
                    match opts.open(&path) {
                        Ok(mut file) => {
                            file.write_all(&key).map_err(io)?;
                            file.sync_all().map_err(io)?;
                            return Ok(Secret(key));
                        }
                        // Someone else made it first: read theirs.
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                        Err(e) => return Err(io(e)),
                    }
                }
                Err(e) => return Err(io(e)),
            }
        }
        let len = std::fs::metadata(&path)
            .map(|m| m.len() as usize)
            .unwrap_or(0);
        Err(SecretError::Damaged { path, len })
    }

    /// Loads the secret of an existing data folder, never making one: for a tool that signs
    /// tokens for a hub that is already running there (`radio drill --data DIR`).
    pub fn load(data_dir: &Path) -> Result<Secret, SecretError> {
        let path = data_dir.join(SECRET_FILE);
        let bytes = std::fs::read(&path).map_err(|source| SecretError::Io {
            path: path.clone(),
            source,
        })?;
        let key: [u8; SECRET_LEN] =
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| SecretError::Damaged {
                    path: path.clone(),
                    len: bytes.len(),
                })?;
        Ok(Secret(key))
    }

    /// A secret from known bytes (tests).
    pub fn from_bytes(key: [u8; SECRET_LEN]) -> Secret {
        Secret(key)
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length")
    }

    /// Mints a token for a station.
    pub fn mint(&self, station: &Station, issued_at_ms: u64) -> String {
        let claims = Claims {
            v: 1,
            st: station.clone(),
            iat: issued_at_ms,
        };
        let payload = serde_json::to_vec(&claims).expect("claims always serialize");
        let mut mac = self.mac();
        mac.update(&payload);
        let tag = mac.finalize().into_bytes();
        format!("{}.{}", B64.encode(&payload), B64.encode(tag))
    }

    /// Checks a token and returns the station it names.
    pub fn verify(&self, token: &str) -> Result<Station, TokenError> {
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed);
        }
        let (payload, tag) = token.trim().split_once('.').ok_or(TokenError::Malformed)?;
        let payload = B64.decode(payload).map_err(|_| TokenError::Malformed)?;
        let tag = B64.decode(tag).map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag).map_err(|_| TokenError::Forged)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if claims.v != 1 {
            return Err(TokenError::Malformed);
        }
        Ok(claims.st)
    }
}

#[derive(Serialize, Deserialize)]
struct Claims {
    v: u8,
    st: Station,
    iat: u64,
}

/// Why a token was refused. Every case closes the connection with 4500 (`bad_token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Mint one with `hub token POST`.
    #[error("no token given: mint one with `hub token POST`")]
    Missing,
    /// Not a token at all: copy it whole, as `hub token` printed it.
    #[error("malformed token: copy it whole, as `hub token` printed it")]
    Malformed,
    /// Signed by another secret (another hub, or a rotated secret) or altered.
    #[error("token not signed by this hub: mint a new one with `hub token POST`")]
    Forged,
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Post;

    #[test]
    fn a_token_names_its_station_and_only_this_secret_accepts_it() {
        let a = Secret::from_bytes([7; 32]);
        let b = Secret::from_bytes([8; 32]);
        let x = Station::manager("张伟").unwrap();
        let t = a.mint(&x, 1);
        assert_eq!(a.verify(&t), Ok(x));
        assert_eq!(b.verify(&t), Err(TokenError::Forged));
    }

    #[test]
    fn altered_and_malformed_tokens_are_refused() {
        let s = Secret::from_bytes([7; 32]);
        let t = s.mint(&Station::Post(Post::L1), 1);
        let (payload, tag) = t.split_once('.').unwrap();
        let forged_payload = B64.encode(br#"{"v":1,"st":"SUP","iat":1}"#);
        assert_eq!(
            s.verify(&format!("{forged_payload}.{tag}")),
            Err(TokenError::Forged)
        );
        assert_eq!(s.verify(payload), Err(TokenError::Malformed));
        assert_eq!(s.verify(""), Err(TokenError::Missing));
        assert_eq!(s.verify("!!.??"), Err(TokenError::Malformed));
        assert_eq!(s.verify(&"a.".repeat(600)), Err(TokenError::Malformed));
    }

    #[test]
    fn two_makers_at_once_agree_on_one_secret() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("data");
            let makers: Vec<_> = (0..4)
                .map(|_| {
                    let p = path.clone();
                    std::thread::spawn(move || Secret::load_or_create(&p).unwrap().0)
                })
                .collect();
            let keys: Vec<_> = makers.into_iter().map(|m| m.join().unwrap()).collect();
            assert!(keys.windows(2).all(|w| w[0] == w[1]));
        }
    }

    #[test]
    fn load_reads_a_secret_and_never_makes_one() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Secret::load(dir.path()),
            Err(SecretError::Io { .. })
        ));
        assert!(!dir.path().join(SECRET_FILE).exists());
        let made = Secret::load_or_create(dir.path()).unwrap();
        assert_eq!(Secret::load(dir.path()).unwrap().0, made.0);
    }

    #[test]
    fn the_secret_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = Secret::load_or_create(dir.path()).unwrap();
        let b = Secret::load_or_create(dir.path()).unwrap();
        assert_eq!(a.0, b.0);
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
}
