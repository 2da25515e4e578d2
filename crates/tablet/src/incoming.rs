//! What a WebSocket message from the hub means for a tablet: a frame of the protocol, a control
//! message to answer and forget, or the end of the connection. Pure, so it is tested without a hub;
//! whatever the bytes, it returns a value, never panics.

use protocol::{Codec, ServerFrame};
use tokio_tungstenite::tungstenite::Message;

use crate::error::TabletError;

/// One message from the hub, classified.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// Replies, errors and events, in order: one, or several the hub wrote as one bundle.
    Frames(Vec<ServerFrame>),
    /// Ping, pong or a raw frame: nothing to hand out (pongs are queued by the library; flush them).
    Control,
    /// The hub closed the connection, with its code and reason.
    Closed(TabletError),
}

/// Classifies a message on a connection that speaks `codec`: one server frame, or a bundle of
/// them (the tablet says in `connect` that it reads bundles). A frame of the other encoding is a
/// protocol error (the hub picked this subprotocol); bytes that don't decode are a decode error.
pub fn classify(codec: Codec, msg: Message) -> Result<Incoming, TabletError> {
    let decode = |bytes: &[u8]| {
        codec
            .decode_bundle_within::<ServerFrame>(bytes, protocol::codec::MAX_SERVER_FRAME_BYTES)
            .map(Incoming::Frames)
            .map_err(|e| TabletError::Decode(e.to_string()))
    };
    match msg {
        Message::Binary(b) if codec.is_binary() => decode(&b),
        Message::Text(t) if !codec.is_binary() => decode(t.as_bytes()),
        Message::Binary(_) | Message::Text(_) => Err(TabletError::Protocol(format!(
            "{} frame on a {} connection",
            if codec.is_binary() { "text" } else { "binary" },
            codec.subprotocol()
        ))),
        Message::Close(Some(frame)) => Ok(Incoming::Closed(TabletError::closed(
            Some(frame.code.into()),
            frame.reason.as_str(),
        ))),
        Message::Close(None) => Ok(Incoming::Closed(TabletError::closed(None, ""))),
        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Ok(Incoming::Control),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::envelope::ReplyBody;
    use protocol::{CloseCode, ErrorCode};
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;

    fn message(codec: Codec, frame: &ServerFrame) -> Message {
        let bytes = codec.encode(frame).unwrap();
        if codec.is_binary() {
            Message::Binary(bytes)
        } else {
            Message::text(String::from_utf8(bytes.to_vec()).unwrap())
        }
    }

    #[test]
    fn frames_decode_in_the_chosen_encoding() {
        let frame = ServerFrame::Reply {
            id: 3,
            body: ReplyBody::Pong { head: 9 },
        };
        for codec in Codec::ALL {
            assert_eq!(
                classify(codec, message(codec, &frame)).unwrap(),
                Incoming::Frames(vec![frame.clone()])
            );
        }
    }

    #[test]
    fn a_bundle_is_its_frames_in_order() {
        let frames: Vec<ServerFrame> = (1..=3)
            .map(|head| ServerFrame::Reply {
                id: 7,
                body: ReplyBody::Pong { head },
            })
            .collect();
        let json: Vec<String> = frames
            .iter()
            .map(|f| String::from_utf8(Codec::Json.encode(f).unwrap().to_vec()).unwrap())
            .collect();
        let bundle = Message::text(format!("[{}]", json.join(",")));
        assert_eq!(
            classify(Codec::Json, bundle).unwrap(),
            Incoming::Frames(frames.clone())
        );
        let mut bundle = vec![0x93];
        for f in &frames {
            bundle.extend_from_slice(&Codec::MsgPack.encode(f).unwrap());
        }
        assert_eq!(
            classify(Codec::MsgPack, Message::binary(bundle)).unwrap(),
            Incoming::Frames(frames)
        );
    }

    #[test]
    fn the_other_encoding_is_a_protocol_error() {
        let frame = ServerFrame::Error {
            id: 1,
            code: ErrorCode::BadFrame,
            message: "x".into(),
            rule: None,
        };
        let json = message(Codec::Json, &frame);
        assert!(matches!(
            classify(Codec::MsgPack, json),
            Err(TabletError::Protocol(_))
        ));
        let bin = message(Codec::MsgPack, &frame);
        assert!(matches!(
            classify(Codec::Json, bin),
            Err(TabletError::Protocol(_))
        ));
    }

    #[test]
    fn garbage_is_a_decode_error_not_a_panic() {
        for bytes in [&b""[..], b"\xc1", b"\x81\xa4type\xa5reply", &[0x92; 70_000]] {
            let r = classify(Codec::MsgPack, Message::binary(bytes.to_vec()));
            assert!(matches!(r, Err(TabletError::Decode(_))), "{r:?}");
        }
        let r = classify(Codec::Json, Message::text(r#"{"type":"nope"}"#));
        assert!(matches!(r, Err(TabletError::Decode(_))));
    }

    #[test]
    fn close_frames_carry_the_hubs_code() {
        let close = Message::Close(Some(CloseFrame {
            code: 4001.into(),
            reason: "slow".into(),
        }));
        match classify(Codec::MsgPack, close).unwrap() {
            Incoming::Closed(e @ TabletError::Closed { .. }) => {
                assert!(e.reconnect());
                assert_eq!(
                    e,
                    TabletError::Closed {
                        code: Some(CloseCode::Slow),
                        raw_code: Some(4001),
                        reason: "slow".into()
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify(Codec::Json, Message::Close(None)).unwrap(),
            Incoming::Closed(TabletError::closed(None, ""))
        );
        assert_eq!(
            classify(Codec::Json, Message::Ping(vec![1].into())).unwrap(),
            Incoming::Control
        );
    }
}
