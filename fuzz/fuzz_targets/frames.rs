//! Any bytes, as a client frame in either encoding: decoding returns a frame or an error, never
//! panics; the id the hub answers an undecodable frame under is read without panicking too; a
//! frame that decodes encodes back to one that decodes the same. And the same bytes as a frame
//! from the hub to a tablet that reads bundles: frames or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::codec::MAX_SERVER_FRAME_BYTES;
use protocol::{ClientFrame, Codec, ServerFrame};

fuzz_target!(|data: &[u8]| {
    for codec in [Codec::MsgPack, Codec::Json] {
        let _ = codec.request_id(data);
        if let Ok(frame) = codec.decode::<ClientFrame>(data) {
            let _ = frame.cmd.unsafe_number();
            let again = codec.encode(&frame).expect("a decoded frame encodes");
            let back: ClientFrame = codec.decode(&again).expect("and decodes again");
            assert_eq!(back, frame);
        }
        let _ = codec.decode_bundle_within::<ServerFrame>(data, MAX_SERVER_FRAME_BYTES);
    }
});
