//! The envelope's two encodings, one schema: MessagePack (binary frames, for native tablets) and
//! JSON (text frames, for browsers and people debugging), chosen by WebSocket subprotocol.
//! Decoding takes untrusted bytes: it is bounded in size and returns an error, never panics.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Subprotocol for MessagePack frames.
pub const SUBPROTOCOL_MSGPACK: &str = "radio.v1.msgpack";
/// Subprotocol for JSON frames.
pub const SUBPROTOCOL_JSON: &str = "radio.v1.json";
/// The largest frame a tablet sends (and the hub accepts). A radio call is a few hundred bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// How deeply a MessagePack frame may nest. Ours nest a handful of levels (frame, command, call,
/// intent, visitor); rmp-serde's own limit (1024) overflows a 2 MiB stack — a tokio worker's —
/// on a hostile frame, where this one refuses it. JSON has serde_json's limit (128), which fits.
pub const MAX_MSGPACK_DEPTH: usize = 64;
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

    /// The codec for a client's `Sec-WebSocket-Protocol` offer: the first subprotocol in the
    /// client's order that is one of ours. Each item is one header line, itself a
    /// comma-separated list; several lines read as one list, in order. `None` when nothing
    /// offered is ours (the hub then upgrades without a subprotocol and closes 4503).
    pub fn choose<'a>(offer: impl IntoIterator<Item = &'a str>) -> Option<Codec> {
        offer
            .into_iter()
            .flat_map(|line| line.split(','))
            .find_map(Codec::from_subprotocol)
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
        let mut out = Vec::new();
        self.encode_into(value, &mut out)?;
        Ok(Bytes::from(out))
    }

    /// Encodes a value at the end of `out`: a buffer used again and again grows once, where
    /// [`encode`](Self::encode) grows a new one, by doubling, for every value. On an error,
    /// `out` may hold part of the value.
    pub fn encode_into<T: Serialize + ?Sized>(
        self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        match self {
            Codec::MsgPack => {
                rmp_serde::encode::write_named(out, value).map_err(|e| EncodeError(e.to_string()))
            }
            Codec::Json => {
                serde_json::to_writer(out, value).map_err(|e| EncodeError(e.to_string()))
            }
        }
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
        within(bytes, max)?;
        match self {
            Codec::MsgPack => {
                let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
                de.set_max_depth(MAX_MSGPACK_DEPTH);
                let value =
                    T::deserialize(&mut de).map_err(|e| DecodeError::Malformed(e.to_string()))?;
                Ok(value)
            }
            Codec::Json => {
                serde_json::from_slice(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))
            }
        }
    }

    /// Decodes a frame from the hub to a client that reads bundles (`connect` with `bundles`):
    /// one value, or a bundle of them — an array, read in order, as if each had come in its own
    /// frame. Bounded like [`Codec::decode_within`]; a bundle inside a bundle does not decode.
    pub fn decode_bundle_within<T: DeserializeOwned>(
        self,
        bytes: &[u8],
        max: usize,
    ) -> Result<Vec<T>, DecodeError> {
        // Refused by size before anything of it is read, even the look for an array.
        within(bytes, max)?;
        if self.is_bundle(bytes) {
            self.decode_within(bytes, max)
        } else {
            self.decode_within(bytes, max).map(|one| vec![one])
        }
    }

    /// Whether these bytes are an array (a bundle) rather than a map (one frame).
    fn is_bundle(self, bytes: &[u8]) -> bool {
        match self {
            Codec::MsgPack => matches!(bytes.first(), Some(0x90..=0x9f | 0xdc | 0xdd)),
            Codec::Json => bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'['),
        }
    }

    /// The request `id` of a client frame that did not decode, if it can still be read: the
    /// frame is a well-formed map of this encoding whose `id` is an integer that fits a `u32`,
    /// whatever else it carries. The hub answers `bad_frame` under this id, so a client waiting
    /// on its request is told. Bounded like [`Codec::decode`]; `None` when there is no such id.
    pub fn request_id(self, bytes: &[u8]) -> Option<u32> {
        /// Only the id; every other field is skipped unread.
        #[derive(Deserialize)]
        struct IdOnly {
            id: u32,
        }
        match self.decode::<IdOnly>(bytes) {
            Ok(IdOnly { id }) => Some(id),
            Err(_) => None,
        }
    }
}

/// Refuses bytes over `max` before any of them is read.
fn within(bytes: &[u8], max: usize) -> Result<(), DecodeError> {
    if bytes.len() > max {
        return Err(DecodeError::TooBig {
            len: bytes.len(),
            max,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_clients_first_subprotocol_that_is_ours_is_chosen() {
        assert_eq!(
            Codec::choose(["radio.v1.json, radio.v1.msgpack"]),
            Some(Codec::Json)
        );
        assert_eq!(
            Codec::choose(["radio.v2.cbor,radio.v1.msgpack", "radio.v1.json"]),
            Some(Codec::MsgPack)
        );
        assert_eq!(
            Codec::choose(["chat", " radio.v1.json "]),
            Some(Codec::Json)
        );
        assert_eq!(Codec::choose(["radio.v2.json", "RADIO.V1.JSON"]), None);
        assert_eq!(Codec::choose([""]), None);
        assert_eq!(Codec::choose([]), None);
    }

    #[test]
    fn the_id_of_a_frame_that_does_not_decode_is_read_in_both_encodings() {
        for codec in Codec::ALL {
            for (frame, id) in [
                (json!({"id": 9, "cmd": {"type": "dance"}}), Some(9)),
                (
                    json!({"cmd": {"type": "call"}, "id": 4_294_967_295_u64}),
                    Some(u32::MAX),
                ),
                (
                    json!({"id": 4_294_967_296_u64, "cmd": {"type": "ping"}}),
                    None,
                ),
                (json!({"id": -1, "cmd": {"type": "ping"}}), None),
                (json!({"id": "9", "cmd": {"type": "ping"}}), None),
                (json!({"cmd": {"type": "ping"}}), None),
                (json!("id"), None),
            ] {
                let bytes = codec.encode(&frame).unwrap();
                assert_eq!(codec.request_id(&bytes), id, "{codec:?} {frame}");
            }
        }
    }

    #[test]
    fn broken_or_oversized_bytes_have_no_id_and_do_not_panic() {
        assert_eq!(Codec::Json.request_id(br#"{"id": 7, "cmd": "#), None);
        assert_eq!(Codec::MsgPack.request_id(&[0xde, 0xad, 0xbe, 0xef]), None);
        assert_eq!(Codec::MsgPack.request_id(&[0x81, 0xa2, b'i', b'd']), None);
        let mut deep = br#"{"id": 3, "cmd": "#.to_vec();
        deep.extend(std::iter::repeat_n(b'[', 60_000));
        assert_eq!(Codec::Json.request_id(&deep), None);
        let mut deep = vec![0x82, 0xa2, b'i', b'd', 0x03, 0xa3, b'c', b'm', b'd'];
        deep.extend(std::iter::repeat_n(0x91, 60_000));
        assert_eq!(Codec::MsgPack.request_id(&deep), None);
        let huge = format!(r#"{{"id": 3, "pad": "{}"}}"#, "x".repeat(MAX_FRAME_BYTES));
        assert_eq!(Codec::Json.request_id(huge.as_bytes()), None);
    }

    #[test]
    fn a_field_nested_deeper_than_any_frame_is_refused_not_a_stack_overflow() {
        // {"id": 3, "x": [[[…2000 deep…nil]]], "cmd": …}: an unknown field is skipped by
        // recursion, which rmp-serde's own depth limit (1024) lets overflow a 2 MiB stack —
        // a tokio worker's, and a test thread's.
        let mut deep = vec![0x82, 0xa2, b'i', b'd', 0x03, 0xa1, b'x'];
        deep.extend(std::iter::repeat_n(0x91, 2_000));
        deep.push(0xc0);
        assert!(Codec::MsgPack.decode::<crate::ClientFrame>(&deep).is_err());
        assert_eq!(Codec::MsgPack.request_id(&deep), None);
        let mut deep = br#"{"id": 3, "x": "#.to_vec();
        deep.extend(std::iter::repeat_n(b'[', 2_000));
        deep.extend(std::iter::repeat_n(b']', 2_000));
        deep.push(b'}');
        assert!(Codec::Json.decode::<crate::ClientFrame>(&deep).is_err());
        // serde_json skips an unknown field without recursing: the id is still read.
        assert_eq!(Codec::Json.request_id(&deep), Some(3));
    }

    #[test]
    fn a_bundle_reads_as_its_frames_in_order_and_one_frame_as_itself() {
        use crate::envelope::{ReplyBody, ServerFrame};
        let frames: Vec<ServerFrame> = (1..=3)
            .map(|head| ServerFrame::Reply {
                id: head as u32,
                body: ReplyBody::Pong { head },
            })
            .collect();
        for codec in Codec::ALL {
            let parts: Vec<Bytes> = frames.iter().map(|f| codec.encode(f).unwrap()).collect();
            // What the hub writes: the frames' own bytes inside an array.
            let bundle = match codec {
                Codec::Json => {
                    let inner: Vec<&str> = parts
                        .iter()
                        .map(|p| std::str::from_utf8(p).unwrap())
                        .collect();
                    format!(" [{}]", inner.join(",")).into_bytes()
                }
                Codec::MsgPack => {
                    let mut b = vec![0x93];
                    parts.iter().for_each(|p| b.extend_from_slice(p));
                    b
                }
            };
            let read = codec.decode_bundle_within::<ServerFrame>(&bundle, MAX_SERVER_FRAME_BYTES);
            assert_eq!(read.unwrap(), frames, "{codec:?}");
            let one = codec.decode_bundle_within::<ServerFrame>(&parts[1], MAX_SERVER_FRAME_BYTES);
            assert_eq!(one.unwrap(), vec![frames[1].clone()], "{codec:?}");
            // Bounded like any frame, and a bundle of bundles is not a frame.
            let small = codec.decode_bundle_within::<ServerFrame>(&bundle, bundle.len() - 1);
            assert!(
                matches!(small, Err(DecodeError::TooBig { .. })),
                "{codec:?}"
            );
            let nested = match codec {
                Codec::Json => format!("[{}]", String::from_utf8(bundle).unwrap()).into_bytes(),
                Codec::MsgPack => [&[0x91][..], &bundle].concat(),
            };
            let nested = codec.decode_bundle_within::<ServerFrame>(&nested, MAX_SERVER_FRAME_BYTES);
            assert!(nested.is_err(), "{codec:?}");
        }
    }
}
