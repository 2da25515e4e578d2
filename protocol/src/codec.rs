//! The envelope's two encodings, one schema: MessagePack (binary frames, for native tablets) and
//! JSON (text frames, for browsers and people debugging), chosen by WebSocket subprotocol.
//! Decoding takes untrusted bytes: it is bounded in size and returns an error, never panics.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Subprotocol for MessagePack frames.
pub const SUBPROTOCOL_MSGPACK: &str = "radio.v1.msgpack";
/// Subprotocol for JSON frames.
pub const SUBPROTOCOL_JSON: &str = "radio.v1.json";
/// The largest frame a tablet sends (and the hub accepts). A radio call is a few hundred bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// The largest frame the hub sends (and a tablet accepts): a `state` or `report` reply carries a
/// whole day's board. Events are far smaller.
pub const MAX_SERVER_FRAME_BYTES: usize = 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    MsgPack,
    Json,
}

/// Why bytes could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Frames are at most MAX_FRAME_BYTES. The sender is broken or hostile.
    #[error("frame of {len} bytes is over the limit of {max}")]
    TooBig { len: usize, max: usize },
    /// Not a valid frame of this encoding and schema. Fix the sender.
    #[error("malformed frame: {0}")]
    Malformed(String),
}

/// Encoding failed (a value the schema cannot represent). Not expected for this crate's types.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode: {0}")]
pub struct EncodeError(String);

impl Codec {
    pub const ALL: [Codec; 2] = [Codec::MsgPack, Codec::Json];

    /// The codec for a subprotocol name, if it is one of ours.
    pub fn from_subprotocol(name: &str) -> Option<Codec> {
        match name.trim() {
            SUBPROTOCOL_MSGPACK => Some(Codec::MsgPack),
            SUBPROTOCOL_JSON => Some(Codec::Json),
            _ => None,
        }
    }

    pub fn subprotocol(self) -> &'static str {
        match self {
            Codec::MsgPack => SUBPROTOCOL_MSGPACK,
            Codec::Json => SUBPROTOCOL_JSON,
        }
    }

    /// Binary frames carry MessagePack; text frames carry JSON.
    pub fn is_binary(self) -> bool {
        self == Codec::MsgPack
    }

    /// Encodes a value. MessagePack maps carry field names, so both encodings share one schema.
    pub fn encode<T: Serialize + ?Sized>(self, value: &T) -> Result<Bytes, EncodeError> {
        match self {
            Codec::MsgPack => rmp_serde::to_vec_named(value).map(Bytes::from),
            Codec::Json => {
                return serde_json::to_vec(value)
                    .map(Bytes::from)
                    .map_err(|e| EncodeError(e.to_string()));
            }
        }
        .map_err(|e| EncodeError(e.to_string()))
    }

    /// Decodes untrusted bytes, refusing anything over [`MAX_FRAME_BYTES`] before reading it.
    pub fn decode<T: DeserializeOwned>(self, bytes: &[u8]) -> Result<T, DecodeError> {
        self.decode_within(bytes, MAX_FRAME_BYTES)
    }

    /// Decodes untrusted bytes, refusing anything over `max` bytes before reading it. Tablets
    /// read the hub's frames with [`MAX_SERVER_FRAME_BYTES`].
    pub fn decode_within<T: DeserializeOwned>(
        self,
        bytes: &[u8],
        max: usize,
    ) -> Result<T, DecodeError> {
        if bytes.len() > max {
            return Err(DecodeError::TooBig {
                len: bytes.len(),
                max,
            });
        }
        match self {
            Codec::MsgPack => {
                let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
                let value =
                    T::deserialize(&mut de).map_err(|e| DecodeError::Malformed(e.to_string()))?;
                Ok(value)
            }
            Codec::Json => {
                serde_json::from_slice(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))
            }
        }
    }
}
