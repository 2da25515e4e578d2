//! Encoding and decoding of a single record frame.
//!
//! ```text
//! [u32 LE payload length][u32 LE crc32(offset LE ‖ payload)][u64 LE offset][payload]
//! ```
//!
//! The checksum covers the offset as well as the payload so that a record that is intact but
//! sitting in the wrong place (e.g. a block written twice by a confused disk) is still detected.
//! The length is deliberately *not* covered: it is needed to find the end of the record before
//! anything can be checked, and a damaged length shows up as a checksum failure of the frame it
//! mis-delimits.

use bytes::Bytes;

/// Bytes of framing in front of every payload.
pub(crate) const FRAME_HEADER_LEN: usize = 16;

/// The format cannot express a payload longer than the `u32` length field.
pub(crate) const FORMAT_MAX_PAYLOAD: usize = u32::MAX as usize;

/// One entry of the log: the offset it was given and the opaque bytes the hub appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Position of the record in the stream; 1 for the first record of a log, then +1 each.
    pub offset: u64,
    /// The bytes exactly as appended. The logbook never interprets them.
    pub payload: Bytes,
}

/// The fixed-size part of a frame, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameHeader {
    pub len: u32,
    pub crc: u32,
    pub offset: u64,
}

impl FrameHeader {
    pub(crate) fn decode(buf: &[u8; FRAME_HEADER_LEN]) -> Self {
        // The slices are fixed-size sub-ranges of a fixed-size array, so the conversions
        // cannot fail.
        let len = u32::from_le_bytes(buf[0..4].try_into().expect("4 bytes"));
        let crc = u32::from_le_bytes(buf[4..8].try_into().expect("4 bytes"));
        let offset = u64::from_le_bytes(buf[8..16].try_into().expect("8 bytes"));
        FrameHeader { len, crc, offset }
    }
}

/// crc32 (IEEE) of `offset LE ‖ payload`.
pub(crate) fn checksum(offset: u64, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&offset.to_le_bytes());
    h.update(payload);
    h.finalize()
}

/// Size of the encoded frame for a payload of `payload_len` bytes.
pub(crate) fn encoded_len(payload_len: usize) -> usize {
    FRAME_HEADER_LEN + payload_len
}

/// Appends the frame for (`offset`, `payload`) to `out`.
///
/// The caller has already checked `payload.len() <= FORMAT_MAX_PAYLOAD`; encoding into a shared
/// buffer (instead of returning a fresh one) is what lets a whole batch go out in one `write`.
pub(crate) fn encode_into(out: &mut Vec<u8>, offset: u64, payload: &[u8]) {
    let len = u32::try_from(payload.len()).expect("payload length checked by the caller");
    out.reserve(encoded_len(payload.len()));
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&checksum(offset, payload).to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(payload);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_decode_header_round_trips() {
        let mut buf = Vec::new();
        encode_into(&mut buf, 42, b"hello");
        assert_eq!(buf.len(), encoded_len(5));
        let hdr = FrameHeader::decode(buf[..FRAME_HEADER_LEN].try_into().unwrap());
        assert_eq!(hdr.len, 5);
        assert_eq!(hdr.offset, 42);
        assert_eq!(hdr.crc, checksum(42, b"hello"));
        assert_eq!(&buf[FRAME_HEADER_LEN..], b"hello");
    }

    #[test]
    fn checksum_depends_on_offset() {
        assert_ne!(checksum(1, b"same"), checksum(2, b"same"));
    }

    #[test]
    fn empty_payload_is_a_bare_header() {
        let mut buf = Vec::new();
        encode_into(&mut buf, 1, b"");
        assert_eq!(buf.len(), FRAME_HEADER_LEN);
        assert_eq!(&buf[0..4], &[0, 0, 0, 0]);
    }
}
