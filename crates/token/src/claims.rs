//! A token on the wire: `base64url(payload).base64url(HMAC-SHA256(key, payload))`, where the
//! payload is a small JSON object — `{"v":2,"id":…,"key":…,"st":…,"iat":…,"exp":…}`: the token's
//! id, the id of the key that signed it, the station it names, when it was issued and when it
//! expires (ms since the epoch; no `exp`: never). Tokens of versions before ids are
//! `{"v":1,"st":…,"iat":…}`; they are read as *legacy* grants, accepted only from a legacy key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::Mac;
use protocol::{CloseCode, Station};
use serde::{Deserialize, Serialize};

use crate::id::{KeyId, TokenId};
use crate::key::Key;
use crate::keys::Keys;

/// Tokens longer than this are refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 512;

/// What a good token grants: who its holder speaks for, and the facts the hub checks again
/// while the tablet stays connected (its id against revocations, its key, its expiry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub station: Station,
    /// `None` for a legacy token (minted before tokens had ids).
    pub id: Option<TokenId>,
    /// The key that signed it.
    pub key: KeyId,
    pub issued_ms: u64,
    /// `None`: never expires.
    pub expires_ms: Option<u64>,
}

impl Grant {
    /// Whether it is an old-format token: no id (cannot be revoked alone), no expiry.
    pub fn is_legacy(&self) -> bool {
        self.id.is_none()
    }

    pub fn expired(&self, now_ms: u64) -> bool {
        self.expires_ms.is_some_and(|e| e <= now_ms)
    }
}

/// Why a token was refused, and so how the hub closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("no token given: mint one with `hub token POST`")]
    Missing,
    #[error("malformed token: copy it whole, as `hub token` printed it")]
    Malformed,
    /// Signed by another hub's key, or altered.
    #[error("token not signed by this hub: mint a new one with `hub token POST`")]
    Forged,
    /// Signed by a key this hub no longer has (its `secret` was deleted or replaced).
    #[error("token signed by a key this hub no longer has: mint a new one with `hub token POST`")]
    UnknownKey,
    /// Signed by a key the operator retired (`hub token retire-previous`).
    #[error("token's signing key was retired: mint a new one with `hub token POST`")]
    KeyRetired,
    /// Revoked by id (`hub token revoke`).
    #[error("token revoked: mint a new one with `hub token POST`")]
    Revoked,
    #[error("token expired: mint a new one with `hub token POST`")]
    Expired,
}

impl TokenError {
    /// The close code a connection refused (or cut off) for this reason gets.
    pub fn close_code(self) -> CloseCode {
        match self {
            TokenError::Expired => CloseCode::TokenExpired,
            TokenError::Revoked | TokenError::KeyRetired => CloseCode::TokenRevoked,
            _ => CloseCode::BadToken,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Claims {
    v: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<TokenId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<KeyId>,
    st: Station,
    iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exp: Option<u64>,
}

fn sign(key: &Key, claims: &Claims) -> String {
    let payload = serde_json::to_vec(claims).expect("claims always serialize");
    let mut mac = key.mac();
    mac.update(&payload);
    let tag = mac.finalize().into_bytes();
    format!("{}.{}", B64.encode(&payload), B64.encode(tag))
}

impl Keys {
    /// Signs a token with the current key. It is not recorded anywhere: tokens given to
    /// tablets are minted through [`crate::Book::mint`], which records them.
    pub fn mint(
        &self,
        station: &Station,
        id: TokenId,
        issued_ms: u64,
        expires_ms: Option<u64>,
    ) -> String {
        let key = self.current();
        let claims = Claims {
            v: 2,
            id: Some(id),
            key: Some(key.id()),
            st: station.clone(),
            iat: issued_ms,
            exp: expires_ms,
        };
        sign(key, &claims)
    }

    /// Checks a token's form, signature and expiry against these keys (not revocations: see
    /// [`crate::Trust`]).
    pub fn verify(&self, token: &str, now_ms: u64) -> Result<Grant, TokenError> {
        verify(self, &|_| false, token, now_ms)
    }
}

/// A token as versions before ids minted it (tests of the upgrade).
pub fn mint_legacy(key: &Key, station: &Station, issued_ms: u64) -> String {
    let claims = Claims {
        v: 1,
        id: None,
        key: None,
        st: station.clone(),
        iat: issued_ms,
        exp: None,
    };
    sign(key, &claims)
}

/// Checks a token; `retired` says whether a key this hub does not have was retired (for the
/// clearer refusal).
pub(crate) fn verify(
    keys: &Keys,
    retired: &dyn Fn(KeyId) -> bool,
    token: &str,
    now_ms: u64,
) -> Result<Grant, TokenError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(TokenError::Missing);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed);
    }
    let (payload, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
    let payload = B64.decode(payload).map_err(|_| TokenError::Malformed)?;
    let tag = B64.decode(tag).map_err(|_| TokenError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    let signed_by = |key: &Key| {
        let mut mac = key.mac();
        mac.update(&payload);
        mac.verify_slice(&tag).is_ok()
    };
    let key = match claims {
        Claims {
            v: 1,
            id: None,
            key: None,
            exp: None,
            ..
        } => keys
            .all()
            .filter(|k| k.is_legacy())
            .find(|k| signed_by(k))
            .ok_or(TokenError::Forged)?,
        Claims {
            v: 2,
            id: Some(_),
            key: Some(kid),
            ..
        } => {
            let key = match keys.get(kid) {
                Some(k) => k,
                None if retired(kid) => return Err(TokenError::KeyRetired),
                None => return Err(TokenError::UnknownKey),
            };
            if !signed_by(key) {
                return Err(TokenError::Forged);
            }
            key
        }
        _ => return Err(TokenError::Malformed),
    };
    let grant = Grant {
        station: claims.st,
        id: claims.id,
        key: key.id(),
        issued_ms: claims.iat,
        expires_ms: claims.exp,
    };
    if grant.expired(now_ms) {
        return Err(TokenError::Expired);
    }
    Ok(grant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Post;

    fn id() -> TokenId {
        TokenId::random().unwrap()
    }

    #[test]
    fn a_token_names_its_station_and_only_these_keys_accept_it() {
        let a = Keys::from_bytes([7; 32]);
        let b = Keys::from_bytes([8; 32]);
        let x = Station::manager("张伟").unwrap();
        let i = id();
        let t = a.mint(&x, i, 1, Some(1000));
        let grant = a.verify(&t, 999).unwrap();
        assert_eq!(grant.station, x);
        assert_eq!(grant.id, Some(i));
        assert_eq!(grant.key, a.current().id());
        assert_eq!(grant.expires_ms, Some(1000));
        assert_eq!(b.verify(&t, 999), Err(TokenError::UnknownKey));
        assert!(t.len() < MAX_TOKEN_BYTES);
    }

    #[test]
    fn an_expired_token_is_refused_at_its_expiry() {
        let k = Keys::from_bytes([7; 32]);
        let t = k.mint(&Station::Post(Post::L1), id(), 1, Some(1000));
        assert!(k.verify(&t, 999).is_ok());
        assert_eq!(k.verify(&t, 1000), Err(TokenError::Expired));
        let forever = k.mint(&Station::Post(Post::L1), id(), 1, None);
        assert!(k.verify(&forever, u64::MAX).is_ok());
        assert_eq!(TokenError::Expired.close_code(), CloseCode::TokenExpired);
        assert_eq!(TokenError::Revoked.close_code(), CloseCode::TokenRevoked);
        assert_eq!(TokenError::Forged.close_code(), CloseCode::BadToken);
    }

    #[test]
    fn altered_and_malformed_tokens_are_refused() {
        let k = Keys::from_bytes([7; 32]);
        let t = k.mint(&Station::Post(Post::L1), id(), 1, None);
        let (payload, tag) = t.split_once('.').unwrap();
        let claims = String::from_utf8(B64.decode(payload).unwrap()).unwrap();
        let forged = B64.encode(claims.replace("\"L1\"", "\"SUP\""));
        assert_eq!(
            k.verify(&format!("{forged}.{tag}"), 2),
            Err(TokenError::Forged)
        );
        assert_eq!(k.verify(payload, 2), Err(TokenError::Malformed));
        assert_eq!(k.verify("", 2), Err(TokenError::Missing));
        assert_eq!(k.verify("!!.??", 2), Err(TokenError::Malformed));
        assert_eq!(k.verify(&"a.".repeat(600), 2), Err(TokenError::Malformed));
        // A v2 token without its id, or a v1 token with an expiry, is not a token.
        for claims in [
            format!(
                r#"{{"v":2,"key":"{}","st":"L1","iat":1}}"#,
                k.current().id()
            ),
            r#"{"v":1,"st":"L1","iat":1,"exp":5}"#.to_owned(),
            r#"{"v":3,"st":"L1","iat":1}"#.to_owned(),
        ] {
            let t = format!("{}.{tag}", B64.encode(claims));
            assert_eq!(k.verify(&t, 2), Err(TokenError::Malformed), "{t}");
        }
    }

    #[test]
    fn old_format_tokens_are_accepted_only_from_a_legacy_key() {
        let legacy = Key::legacy_from_bytes([3; 32]);
        let old = mint_legacy(&legacy, &Station::Post(Post::Y1), 0);
        let keys = Keys::new(legacy.clone(), None);
        let grant = keys.verify(&old, u64::MAX).unwrap();
        assert!(grant.is_legacy() && grant.expires_ms.is_none());
        assert_eq!(grant.key, legacy.id());
        // The same bytes as a key of this version: an old-format token is not accepted.
        let modern = Keys::from_bytes([3; 32]);
        assert_eq!(modern.verify(&old, 1), Err(TokenError::Forged));
        // After a rotation the legacy key, now previous, still accepts it.
        let rotated = Keys::new(Key::from_bytes([4; 32]), Some(legacy));
        assert!(rotated.verify(&old, 1).is_ok());
    }
}
