//! Frames the hub cannot read, after `connect`: answered with `bad_frame` under the frame's own
//! `id` whenever that id can be read, so a client waiting on its request is told, not left hanging.

use integration::{TestHub, WAIT};
use protocol::{Codec, ErrorCode, ServerFrame};
use serde_json::json;
use tablet::Tablet;
use tokio_tungstenite::tungstenite::Message;

/// The frame as the tablet's codec sends it: text for JSON, binary for MessagePack.
fn message(codec: Codec, value: &serde_json::Value) -> Message {
    let bytes = codec.encode(value).unwrap();
    match codec {
        Codec::Json => Message::text(String::from_utf8(bytes.to_vec()).unwrap()),
        Codec::MsgPack => Message::Binary(bytes),
    }
}

/// The next error frame, skipping events (presence, …).
async fn next_error(tablet: &mut Tablet) -> (u32, ErrorCode, String) {
    loop {
        match tablet.next_frame_within(WAIT).await.unwrap() {
            Some(ServerFrame::Error {
                id, code, message, ..
            }) => return (id, code, message),
            Some(ServerFrame::Event(_)) => continue,
            other => panic!("expected an error frame, got {other:?}"),
        }
    }
}

async fn tablet(hub: &TestHub, codec: Codec) -> Tablet {
    hub.tablet_with("S1", tablet::Options::with_codec(codec))
        .await
        .0
}

#[tokio::test]
async fn a_frame_that_does_not_decode_is_answered_under_its_own_id_in_both_codecs() {
    let hub = TestHub::start().await;
    for codec in Codec::ALL {
        let mut s1 = tablet(&hub, codec).await;
        // An unknown command, a call with no call, an answer whose call id is not a number.
        let bad = [
            (41, json!({"id": 41, "cmd": {"type": "dance"}})),
            (42, json!({"id": 42, "cmd": {"type": "call"}})),
            (
                43,
                json!({"cmd": {"type": "answer", "call_id": "seven", "answer": "received"}, "id": 43}),
            ),
        ];
        for (id, frame) in bad {
            s1.send_raw(message(codec, &frame)).await.unwrap();
            let (got, code, text) = next_error(&mut s1).await;
            assert_eq!((got, code), (id, ErrorCode::BadFrame), "{codec:?}: {text}");
            assert!(text.contains("cannot read"), "{text}");
        }
        // Still on the net.
        assert!(s1.ping().await.is_ok(), "{codec:?}");
    }
}

#[tokio::test]
async fn a_frame_whose_id_cannot_be_read_is_answered_with_id_0() {
    let hub = TestHub::start().await;
    let mut json = tablet(&hub, Codec::Json).await;
    for text in [
        r#"{"id": 7, "cmd": "#,                           // cut short: not JSON at all
        r#"{"id": "seven", "cmd": {"type": "ping"}}"#,    // id not a number
        r#"{"id": 4294967296, "cmd": {"type": "ping"}}"#, // id over u32
    ] {
        json.send_raw(Message::text(text)).await.unwrap();
        let (id, code, _) = next_error(&mut json).await;
        assert_eq!((id, code), (0, ErrorCode::BadFrame), "{text}");
    }
    let mut bin = tablet(&hub, Codec::MsgPack).await;
    bin.send_raw(Message::Binary(vec![0xde, 0xad, 0xbe, 0xef].into()))
        .await
        .unwrap();
    let (id, code, _) = next_error(&mut bin).await;
    assert_eq!((id, code), (0, ErrorCode::BadFrame));
}

#[tokio::test]
async fn a_frame_nested_deeper_than_any_of_ours_is_refused_and_the_hub_stays_up() {
    let hub = TestHub::start().await;
    let mut s1 = tablet(&hub, Codec::MsgPack).await;
    // {"id": 5, "x": [[[…2000 deep…nil]]]}: skipping the unknown field must not overflow the
    // connection task's stack.
    let mut deep = vec![0x82, 0xa2, b'i', b'd', 0x05, 0xa1, b'x'];
    deep.extend(std::iter::repeat_n(0x91, 2_000));
    deep.push(0xc0);
    s1.send_raw(Message::Binary(deep.into())).await.unwrap();
    let (id, code, _) = next_error(&mut s1).await;
    assert_eq!((id, code), (0, ErrorCode::BadFrame));
    assert!(s1.ping().await.is_ok());
}

#[tokio::test]
async fn a_command_with_a_number_no_javascript_client_can_hold_is_answered_bad_frame() {
    let hub = TestHub::start().await;
    for codec in Codec::ALL {
        let mut sup = hub
            .tablet_with("SUP", tablet::Options::with_codec(codec))
            .await
            .0;
        // An important event at 2^60 ms: logged, it would go out to every post in mode_changed.
        let too_big = json!({"id": 8, "cmd": {"type": "tap", "tap": {
            "kind": "set_mode", "important_event_at": 1_u64 << 60}}});
        sup.send_raw(message(codec, &too_big)).await.unwrap();
        let (id, code, text) = next_error(&mut sup).await;
        assert_eq!((id, code), (8, ErrorCode::BadFrame), "{codec:?}: {text}");
        assert!(text.contains("1152921504606846976"), "{text}");
        assert!(text.contains("2^53"), "{text}");
        integration::expect_no_event(&mut sup, "mode_changed").await;
        // The same tap with a time a browser holds is taken.
        let fine = protocol::Tap::SetMode {
            important_event_at: Some((1 << 53) - 1),
            media_day: false,
            rain: false,
        };
        sup.tap(fine).await.unwrap();
    }
}

/// Writes raw bytes under a connected JSON tablet's WebSocket and reads what the hub sends back.
async fn raw_frame_then_close_code(bytes: &[u8]) -> Option<u16> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let hub = integration::TestHub::start().await;
    let mut request = hub.url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "radio.v1.json".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let connect = format!(
        r#"{{"id":1,"cmd":{{"type":"connect","token":"{}"}}}}"#,
        hub.token("S1")
    );
    futures_util::SinkExt::send(&mut ws, Message::Text(connect.into()))
        .await
        .unwrap();
    let _welcome = ws.next().await;
    match ws.get_mut() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp.write_all(bytes).await.unwrap(),
        _ => unreachable!("plain TCP on loopback"),
    }
    loop {
        match tokio::time::timeout(integration::WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Close(Some(frame))))) => return Some(frame.code.into()),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

#[tokio::test]
async fn text_that_is_not_utf8_is_closed_with_1007_and_an_unmasked_frame_with_1002() {
    // A masked text frame (FIN, opcode 1) whose two bytes are not UTF-8.
    let key = [1u8, 2, 3, 4];
    let payload = [0xffu8, 0xfe];
    let mut bad_text = vec![0x81, 0x80 | payload.len() as u8];
    bad_text.extend_from_slice(&key);
    bad_text.extend(payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
    assert_eq!(raw_frame_then_close_code(&bad_text).await, Some(1007));
    // A client frame without a mask.
    let unmasked = [0x81u8, 0x02, b'h', b'i'];
    assert_eq!(raw_frame_then_close_code(&unmasked).await, Some(1002));
}
