//! Any bytes, as a client frame in either encoding: decoding returns a frame or an error, never
//! panics; the id the hub answers an undecodable frame under is read without panicking too; a
//! frame that decodes encodes back to one that decodes the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{ClientFrame, Codec};

fuzz_target!(|data: &[u8]| {
    for codec in [Codec::MsgPack, Codec::Json] {
        let _ = codec.request_id(data);
        if let Ok(frame) = codec.decode::<ClientFrame>(data) {
            let _ = frame.cmd.unsafe_number();
            let again = codec.encode(&frame).expect("a decoded frame encodes");
            let back: ClientFrame = codec.decode(&again).expect("and decodes again");
            assert_eq!(back, frame);
        }
    }
});
