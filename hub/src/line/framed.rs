//! A server frame made once and written as it is to every socket that may see it: the
//! WebSocket header (server frames are never masked, so it is the same for every tablet) beside
//! the payload, which is shared, not copied. Written with one vectored write per batch.

use bytes::Bytes;
use protocol::Codec;

/// The largest WebSocket header a server frame needs: 2 bytes, and 8 for a 64-bit length.
const MAX_HEAD: usize = 10;

/// A whole WebSocket frame, ready for the wire — or several, [joined](Framed::joined).
#[derive(Clone, Debug)]
pub struct Framed {
    head: [u8; MAX_HEAD],
    head_len: u8,
    /// How many server frames it is (a [joined](Framed::joined) run of WebSocket frames, or a
    /// [bundle](Framed::bundle)): a tablet's queue is bounded in frames.
    frames: u16,
    /// The payload is an array of server frames ([`Framed::bundle`]).
    bundle: bool,
    body: Bytes,
}

/// The WebSocket opcodes the hub sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opcode {
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
}

impl Framed {
    /// The most bytes of frames the hub puts in one bundle (a single frame may be larger, and
    /// goes on its own).
    pub const BUNDLE_BYTES: usize = 64 * 1024;

    /// A text frame; `body` is UTF-8 (the hub's JSON).
    pub fn text(body: Bytes) -> Framed {
        Framed::new(Opcode::Text, body)
    }

    /// A binary frame (MessagePack).
    pub fn binary(body: Bytes) -> Framed {
        Framed::new(Opcode::Binary, body)
    }

    /// The frame that carries `body` to a tablet speaking `codec`: text for JSON, binary for
    /// MessagePack.
    pub fn of(codec: Codec, body: Bytes) -> Framed {
        match codec {
            Codec::Json => Framed::text(body),
            Codec::MsgPack => Framed::binary(body),
        }
    }

    /// A ping with a short payload.
    pub fn ping(payload: &'static [u8]) -> Framed {
        Framed::new(Opcode::Ping, Bytes::from_static(payload))
    }

    /// A close frame with its code and reason, the reason cut (on a character boundary) to the
    /// 123 bytes a close frame may carry.
    pub fn close(code: u16, reason: &str) -> Framed {
        let mut end = reason.len().min(123);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let mut body = Vec::with_capacity(2 + end);
        body.extend_from_slice(&code.to_be_bytes());
        body.extend_from_slice(&reason.as_bytes()[..end]);
        Framed::new(Opcode::Close, Bytes::from(body))
    }

    /// Bytes that are already whole frames (tungstenite's own: a pong, a close's answer).
    pub(crate) fn raw(bytes: Bytes) -> Framed {
        Framed {
            head: [0; MAX_HEAD],
            head_len: 0,
            frames: 1,
            bundle: false,
            body: bytes,
        }
    }

    /// Frames one after another as one run of bytes, copied once: what every tablet of a burst
    /// gets alike, written to each with a single slice rather than two per frame.
    pub fn joined<'a>(frames: impl IntoIterator<Item = &'a Framed>) -> Framed {
        let mut bytes = Vec::new();
        let mut count = 0u16;
        for f in frames {
            bytes.extend_from_slice(f.head());
            bytes.extend_from_slice(f.body());
            count = count.saturating_add(f.frames);
        }
        Framed {
            head: [0; MAX_HEAD],
            head_len: 0,
            frames: count,
            bundle: false,
            body: Bytes::from(bytes),
        }
    }

    fn new(opcode: Opcode, body: Bytes) -> Framed {
        let mut head = [0u8; MAX_HEAD];
        head[0] = 0x80 | opcode as u8; // FIN: the hub never fragments
        let len = body.len();
        let head_len = if len < 126 {
            head[1] = len as u8;
            2
        } else if len <= usize::from(u16::MAX) {
            head[1] = 126;
            head[2..4].copy_from_slice(&(len as u16).to_be_bytes());
            4
        } else {
            head[1] = 127;
            head[2..10].copy_from_slice(&(len as u64).to_be_bytes());
            10
        };
        Framed {
            head,
            head_len,
            frames: 1,
            bundle: false,
            body,
        }
    }

    /// The header's bytes.
    pub fn head(&self) -> &[u8] {
        &self.head[..usize::from(self.head_len)]
    }

    /// The payload's bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The payload, shared.
    pub fn payload(&self) -> &Bytes {
        &self.body
    }

    /// The payload's length (what the frame limit is about).
    pub fn body_len(&self) -> usize {
        self.body.len()
    }

    /// The whole frame's length on the wire.
    pub fn wire_len(&self) -> usize {
        usize::from(self.head_len) + self.body.len()
    }

    /// How many WebSocket frames it is.
    pub fn frames(&self) -> usize {
        usize::from(self.frames)
    }

    /// The codec of the server frames (events, replies) this is — one, or a
    /// [bundle](Framed::bundle) of them — so that it may go into a bundle: JSON for a text
    /// frame, MessagePack for a binary one. `None` for a ping, a close, tungstenite's own bytes
    /// and frames [joined](Framed::joined) as they are.
    pub fn bundles_as(&self) -> Option<Codec> {
        if self.head_len == 0 || (self.frames != 1 && !self.bundle) {
            return None;
        }
        match self.head[0] & 0x0f {
            op if op == Opcode::Text as u8 => Some(Codec::Json),
            op if op == Opcode::Binary as u8 => Some(Codec::MsgPack),
            _ => None,
        }
    }

    /// The server frames in this one as they sit inside an array: the whole payload of one
    /// frame; a bundle's without its array's opening (and, in JSON, its closing bracket).
    fn items(&self) -> &[u8] {
        let body = &self.body[..];
        if !self.bundle {
            return body;
        }
        match body.first() {
            Some(b'[') => &body[1..body.len() - 1],
            Some(0xdc) => &body[3..],
            Some(0xdd) => &body[5..],
            _ => &body[1..],
        }
    }

    /// Server frames of one codec — each one, or a bundle — as a single WebSocket frame: a JSON
    /// array of them (a text frame), or a MessagePack array (a binary frame). A tablet that reads
    /// bundles takes them in order, as if each had come in its own frame
    /// ([`protocol::Codec::decode_bundle_within`]).
    pub fn bundle<'a>(codec: Codec, frames: impl Iterator<Item = &'a Framed> + Clone) -> Framed {
        let count: usize = frames.clone().map(Framed::frames).sum();
        let len: usize = frames.clone().map(|f| f.body_len() + 1).sum();
        let mut body = Vec::with_capacity(len + 5);
        match codec {
            Codec::Json => {
                body.push(b'[');
                for (i, f) in frames.enumerate() {
                    if i > 0 {
                        body.push(b',');
                    }
                    body.extend_from_slice(f.items());
                }
                body.push(b']');
            }
            Codec::MsgPack => {
                if count < 16 {
                    body.push(0x90 | count as u8);
                } else if let Ok(n) = u16::try_from(count) {
                    body.push(0xdc);
                    body.extend_from_slice(&n.to_be_bytes());
                } else {
                    body.push(0xdd);
                    body.extend_from_slice(&(count as u32).to_be_bytes());
                }
                frames.for_each(|f| body.extend_from_slice(f.items()));
            }
        }
        let mut bundle = Framed::of(codec, Bytes::from(body));
        bundle.frames = u16::try_from(count).unwrap_or(u16::MAX);
        bundle.bundle = true;
        bundle
    }

    /// Whether this is a close frame.
    pub fn is_close(&self) -> bool {
        self.head_len > 0 && self.head[0] & 0x0f == Opcode::Close as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

    /// tungstenite, which the tablets use, reads each length class back as it was written.
    fn read_back(f: &Framed) -> (FrameHeader, u64) {
        let mut wire = f.head().to_vec();
        wire.extend_from_slice(f.body());
        let mut cursor = std::io::Cursor::new(wire);
        FrameHeader::parse(&mut cursor).unwrap().unwrap()
    }

    #[test]
    fn every_length_class_reads_back_as_one_final_unmasked_frame() {
        for len in [0, 1, 125, 126, 65_535, 65_536, 300_000] {
            let f = Framed::binary(Bytes::from(vec![7u8; len]));
            let (head, length) = read_back(&f);
            assert_eq!(length, len as u64, "length {len}");
            assert!(head.is_final && head.mask.is_none());
            assert_eq!(f.wire_len(), f.head().len() + len);
        }
    }

    #[test]
    fn joined_frames_read_back_one_after_another() {
        let parts = [
            Framed::text(Bytes::from_static(b"{\"a\":1}")),
            Framed::binary(Bytes::from(vec![9u8; 300])),
        ];
        let joined = Framed::joined(&parts);
        assert_eq!(joined.frames(), 2);
        assert!(joined.head().is_empty());
        assert_eq!(joined.wire_len(), parts[0].wire_len() + parts[1].wire_len());
        let mut cursor = std::io::Cursor::new(joined.body().to_vec());
        let first = FrameHeader::parse(&mut cursor).unwrap().unwrap();
        assert_eq!(first.1, 7);
        cursor.set_position(cursor.position() + 7);
        let second = FrameHeader::parse(&mut cursor).unwrap().unwrap();
        assert_eq!(second.1, 300);
        assert_eq!(cursor.position() as usize + 300, joined.wire_len());
    }

    /// A bundle's payload as a client reads it.
    fn read_bundle(codec: Codec, f: &Framed) -> Vec<serde_json::Value> {
        codec
            .decode_bundle_within(f.body(), protocol::codec::MAX_SERVER_FRAME_BYTES)
            .unwrap()
    }

    #[test]
    fn frames_and_bundles_bundle_into_one_flat_array_in_order() {
        for codec in Codec::ALL {
            let frame = |n: u64| {
                let body = codec.encode(&serde_json::json!({"type": "event", "offset": n}));
                Framed::of(codec, body.unwrap())
            };
            let offsets = |values: Vec<serde_json::Value>| -> Vec<u64> {
                values
                    .iter()
                    .map(|v| v["offset"].as_u64().unwrap())
                    .collect()
            };
            let first = Framed::bundle(codec, [frame(1), frame(2)].iter());
            assert_eq!(first.frames(), 2);
            assert_eq!(first.bundles_as(), Some(codec));
            assert_eq!(offsets(read_bundle(codec, &first)), [1, 2]);
            // A bundle bundled again with more frames: one array, not an array in an array.
            let more: Vec<Framed> = (3..=20).map(frame).collect();
            let all = Framed::bundle(codec, std::iter::once(&first).chain(&more));
            assert_eq!(all.frames(), 20);
            assert_eq!(
                offsets(read_bundle(codec, &all)),
                (1..=20).collect::<Vec<_>>()
            );
            // One WebSocket frame, of the codec's kind.
            let (head, len) = read_back(&all);
            assert_eq!(len as usize, all.body_len());
            assert_eq!(
                head.opcode.to_string(),
                if codec.is_binary() { "BINARY" } else { "TEXT" }
            );
        }
        // What is not a server frame never goes into a bundle.
        assert_eq!(Framed::ping(b"radio").bundles_as(), None);
        assert_eq!(Framed::close(4001, "slow").bundles_as(), None);
        let text = Framed::text(Bytes::from_static(b"{}"));
        assert_eq!(Framed::joined([&text, &text]).bundles_as(), None);
    }

    #[test]
    fn a_close_reason_is_cut_on_a_character_boundary() {
        let f = Framed::close(4001, &"慢".repeat(60));
        assert!(f.is_close());
        assert!(f.body_len() <= 125);
        assert_eq!(&f.body()[..2], &4001u16.to_be_bytes());
        assert!(std::str::from_utf8(&f.body()[2..]).is_ok());
    }
}
