//! A server frame made once and written as it is to every socket that may see it: the
//! WebSocket header (server frames are never masked, so it is the same for every tablet) beside
//! the payload, which is shared, not copied. Written with one vectored write per batch.

use bytes::Bytes;

/// The largest WebSocket header a server frame needs: 2 bytes, and 8 for a 64-bit length.
const MAX_HEAD: usize = 10;

/// A whole WebSocket frame, ready for the wire — or several, [joined](Framed::joined).
#[derive(Clone, Debug)]
pub struct Framed {
    head: [u8; MAX_HEAD],
    head_len: u8,
    /// How many WebSocket frames it is: a tablet's queue is bounded in frames.
    frames: u16,
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
    /// A text frame; `body` is UTF-8 (the hub's JSON).
    pub fn text(body: Bytes) -> Framed {
        Framed::new(Opcode::Text, body)
    }

    /// A binary frame (MessagePack).
    pub fn binary(body: Bytes) -> Framed {
        Framed::new(Opcode::Binary, body)
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

    #[test]
    fn a_close_reason_is_cut_on_a_character_boundary() {
        let f = Framed::close(4001, &"慢".repeat(60));
        assert!(f.is_close());
        assert!(f.body_len() <= 125);
        assert_eq!(&f.body()[..2], &4001u16.to_be_bytes());
        assert!(std::str::from_utf8(&f.body()[2..]).is_ok());
    }
}
