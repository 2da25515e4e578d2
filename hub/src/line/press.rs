//! Where the server's frames are made: encoded into one buffer used again and again, then
//! copied into a large shared chunk that many frames share.
//!
//! Encoded on its own, each frame grew a new buffer by doubling (five reallocations for a
//! 150-byte event), was copied once more to fit, and was freed on its own when the last tablet
//! and the history let it go. At thousands of calls a second that was a quarter of the
//! switchboard's time in the allocator. A press grows its buffer once, and a frame costs one
//! copy into the current chunk; a chunk is freed when the last frame in it is dropped.
//!
//! Frames kept for a long time (the history's records) and frames kept briefly (replies, the
//! newest events' JSON) are made by different presses, so a chunk never holds a short-lived
//! frame's bytes for the lifetime of a long-lived one beside it.

use bytes::{Bytes, BytesMut};
use protocol::Codec;
use protocol::codec::EncodeError;
use serde::Serialize;

use super::Framed;

/// Frames larger than this get an allocation of their own (a state or a report): they would
/// waste a chunk's end, and seldom come.
const OWN_ALLOCATION: usize = 2048;

/// The most the encoder's buffer keeps between frames: one busy day's `state` (up to a MiB)
/// does not leave each press holding a MiB for good.
const SCRATCH_KEEP: usize = 64 * 1024;

pub struct Press {
    codec: Codec,
    /// The encoder's buffer, kept with its capacity between frames.
    scratch: Vec<u8>,
    /// The chunk frames are copied into; what is left of it after the last frame.
    chunk: BytesMut,
    chunk_size: usize,
}

impl Press {
    /// A press for `codec` whose chunks are `chunk_size` bytes.
    pub fn new(codec: Codec, chunk_size: usize) -> Press {
        Press {
            codec,
            scratch: Vec::new(),
            chunk: BytesMut::new(),
            chunk_size,
        }
    }

    /// Encodes `value` as a frame: binary for MessagePack, text for JSON.
    pub fn framed<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<Framed, EncodeError> {
        Ok(Framed::of(self.codec, self.make(value)?))
    }

    /// Encodes `value`; the bytes share the current chunk.
    pub fn make<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<Bytes, EncodeError> {
        self.scratch.clear();
        self.codec.encode_into(value, &mut self.scratch)?;
        let bytes = &self.scratch[..];
        if bytes.len() > OWN_ALLOCATION.min(self.chunk_size) {
            let own = Bytes::copy_from_slice(bytes);
            if self.scratch.capacity() > SCRATCH_KEEP {
                self.scratch = Vec::new();
            }
            return Ok(own);
        }
        if self.chunk.capacity() < bytes.len() {
            // The rest of the old chunk stays with the frames made in it.
            self.chunk = BytesMut::with_capacity(self.chunk_size);
        }
        self.chunk.extend_from_slice(bytes);
        Ok(self.chunk.split().freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Event, EventKind, ServerFrame};

    fn event(offset: u64, text: &str) -> ServerFrame {
        ServerFrame::Event(Event {
            offset,
            at: 1,
            what: EventKind::Announcement {
                to: Vec::new(),
                words: text.to_string(),
                milestone: None,
            },
        })
    }

    #[test]
    fn frames_share_a_chunk_and_each_decodes_to_what_was_made() {
        for codec in Codec::ALL {
            let mut press = Press::new(codec, 4096);
            let frames: Vec<(ServerFrame, Bytes)> = (1..200)
                .map(|n| {
                    let f = event(n, &"话".repeat(n as usize % 17));
                    let b = press.make(&f).expect("encodes");
                    (f, b)
                })
                .collect();
            for (f, b) in &frames {
                assert_eq!(b, &codec.encode(f).expect("encodes"), "{codec:?}");
                let back: ServerFrame = codec.decode(b).expect("decodes");
                assert_eq!(&back, f);
            }
            // Many frames to a chunk: consecutive frames sit side by side in memory.
            let side_by_side = frames
                .windows(2)
                .filter(|w| w[0].1.as_ptr().wrapping_add(w[0].1.len()) == w[1].1.as_ptr())
                .count();
            assert!(side_by_side > 150, "{side_by_side} of 198 {codec:?}");
        }
    }

    #[test]
    fn a_large_frame_gets_its_own_allocation_and_the_chunk_goes_on() {
        let mut press = Press::new(Codec::Json, 4096);
        let small = press.make(&event(1, "a")).expect("encodes");
        let large = press.make(&event(2, &"x".repeat(10_000))).expect("encodes");
        let next = press.make(&event(3, "b")).expect("encodes");
        assert!(large.len() > 10_000);
        assert_eq!(small.as_ptr().wrapping_add(small.len()), next.as_ptr());
    }

    #[test]
    fn a_frame_of_a_mebibyte_does_not_stay_in_the_press() {
        let mut press = Press::new(Codec::MsgPack, 4096);
        let huge = press
            .make(&event(1, &"x".repeat(1 << 20)))
            .expect("encodes");
        assert!(huge.len() > 1 << 20);
        assert!(
            press.scratch.capacity() <= SCRATCH_KEEP,
            "{}",
            press.scratch.capacity()
        );
        let after = press.make(&event(2, "b")).expect("encodes");
        assert_eq!(
            Codec::MsgPack
                .decode::<ServerFrame>(&after)
                .expect("decodes"),
            event(2, "b")
        );
    }
}
