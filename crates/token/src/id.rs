//! Short printable names: a token's id (random, what `hub token list` shows and `hub token
//! revoke` takes) and a key's id (derived from the key, so a token can say which key signed it
//! without saying anything about the key). Eight characters from an alphabet without the look-
//! alikes (0/o, 1/l/i), easy to read aloud or type from a list.

use std::fmt;

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// The length of both kinds of id.
pub const ID_LEN: usize = 8;

fn valid(s: &str) -> Option<[u8; ID_LEN]> {
    let bytes: [u8; ID_LEN] = s.as_bytes().try_into().ok()?;
    bytes.iter().all(|b| ALPHABET.contains(b)).then_some(bytes)
}

/// `ID_LEN` characters of the alphabet from a stream of bytes, each byte used only when it maps
/// evenly (below 248 = 8 × 31), so every character is equally likely.
fn from_bytes(mut next: impl FnMut() -> u8) -> [u8; ID_LEN] {
    let mut out = [0u8; ID_LEN];
    let mut i = 0;
    while i < ID_LEN {
        let b = next();
        if b < 248 {
            out[i] = ALPHABET[usize::from(b % 31)];
            i += 1;
        }
    }
    out
}

/// A token's id: about 40 random bits, unique among a data folder's tokens.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenId([u8; ID_LEN]);

impl TokenId {
    /// A new random id.
    pub fn random() -> Result<TokenId, getrandom::Error> {
        let mut pool = [0u8; 32];
        getrandom::fill(&mut pool)?;
        let mut at = 0;
        let mut refills = Ok(());
        let id = from_bytes(|| {
            if at == pool.len() {
                at = 0;
                if let Err(e) = getrandom::fill(&mut pool) {
                    refills = Err(e);
                }
            }
            at += 1;
            pool[at - 1]
        });
        refills.map(|()| TokenId(id))
    }

    /// Reads an id as printed; `None` if it is not one.
    pub fn parse(s: &str) -> Option<TokenId> {
        valid(s.trim()).map(TokenId)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ids are ASCII")
    }
}

/// A signing key's id, derived from the key by a one-way hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; ID_LEN]);

impl KeyId {
    /// The id of a key.
    pub fn of(key: &[u8]) -> KeyId {
        let digest = Sha256::new()
            .chain_update(b"radio hub signing key id\0")
            .chain_update(key)
            .finalize();
        let mut bytes = digest.into_iter();
        // 32 bytes leave ample room for the few rejected ones; past them, fall back to 0.
        KeyId(from_bytes(|| bytes.next().unwrap_or(0)))
    }

    pub fn parse(s: &str) -> Option<KeyId> {
        valid(s.trim()).map(KeyId)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ids are ASCII")
    }
}

macro_rules! text {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self.as_str())
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$t>::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{s:?} is not an id ({ID_LEN} of 2-9 a-z without i l o)"
                    ))
                })
            }
        }
    };
}
text!(TokenId);
text!(KeyId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_printable_and_read_back() {
        let a = TokenId::random().unwrap();
        let b = TokenId::random().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), ID_LEN);
        assert!(a.as_str().bytes().all(|c| ALPHABET.contains(&c)));
        assert_eq!(TokenId::parse(a.as_str()), Some(a));
        assert_eq!(TokenId::parse(&format!(" {a}\n")), Some(a));
        for bad in [
            "",
            "abc",
            "abcdefgh1",
            "abcdefg1",
            "ABCDEFGH",
            "abcdefgi",
            "abcdéfgh",
        ] {
            assert_eq!(TokenId::parse(bad), None, "{bad:?}");
        }
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<TokenId>(&json).unwrap(), a);
        assert!(serde_json::from_str::<TokenId>("\"nope\"").is_err());
    }

    #[test]
    fn a_key_id_is_the_keys_own() {
        assert_eq!(KeyId::of(&[7; 32]), KeyId::of(&[7; 32]));
        assert_ne!(KeyId::of(&[7; 32]), KeyId::of(&[8; 32]));
        let k = KeyId::of(&[7; 32]);
        assert_eq!(KeyId::parse(k.as_str()), Some(k));
    }
}
