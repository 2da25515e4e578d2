//! Identity: a tablet speaks only for the station its token names; bad tokens and broken
//! handshakes are refused with a close code that says what to do.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use integration::{TestHub, expect_no_event};
use protocol::{
    Call, ClientFrame, CloseCode, Codec, Command, ErrorCode, Intent, Post, ReplyBody, ServerFrame,
};
use tablet::{Options, Tablet, TabletError};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn refused_with(hub: &TestHub, token: &str) -> CloseCode {
    match Tablet::connect(&hub.url(), token, Options::default()).await {
        Err(TabletError::Closed {
            code: Some(code), ..
        }) => code,
        Err(other) => panic!("expected a close code, got {other}"),
        Ok(_) => panic!("token {token:?} was accepted"),
    }
}

#[tokio::test]
async fn a_post_cannot_call_as_another() {
    let hub = TestHub::start().await;
    let mut zhang = hub.tablet("X:张伟").await;
    let mut sup = hub.tablet("SUP").await;
    let _rc = hub.tablet("RC").await;
    // A client manager's tablet pretending to be the gate.
    let forged = Call::new(Post::L1, Post::Rc, Intent::WalkInQuery);
    let err = zhang.call(forged).await.unwrap_err();
    assert!(
        matches!(
            err,
            TabletError::Refused {
                code: ErrorCode::Impersonation,
                ..
            }
        ),
        "{err}"
    );
    let err = zhang
        .say("我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TabletError::Refused {
                code: ErrorCode::Impersonation,
                ..
            }
        ),
        "{err}"
    );
    expect_no_event(&mut sup, "call_placed").await;
}

#[tokio::test]
async fn forged_malformed_and_missing_tokens_are_refused_with_4500() {
    let hub = TestHub::start().await;
    let other = tempfile::tempdir().unwrap();
    let foreign = integration::token_for(other.path(), "SUP");
    let good = hub.token("L1");
    let (payload, _) = good.split_once('.').unwrap();
    let (_, sup_sig) = hub
        .token("SUP")
        .split_once('.')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    for token in [
        foreign,
        format!("{payload}.{sup_sig}"),
        "not-a-token".into(),
        String::new(),
    ] {
        assert_eq!(
            refused_with(&hub, &token).await,
            CloseCode::BadToken,
            "{token:?}"
        );
    }
    // The good one works.
    hub.tablet("L1").await;
}

#[tokio::test]
async fn a_post_that_is_not_on_the_site_is_refused() {
    let site = hub::Site::from_toml("name='小案场'\nposts=['L1','RC']\nvip_rooms=[1]").unwrap();
    let hub = TestHub::start_with(|c| c.site = site).await;
    assert_eq!(
        refused_with(&hub, &hub.token("S1")).await,
        CloseCode::BadToken
    );
    hub.tablet("RC").await;
}

/// A WebSocket to the hub with no tablet on it: frames are sent and read by hand.
type Raw =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn raw(hub: &TestHub, protocol: Option<&str>) -> Raw {
    let mut req = hub.url().into_client_request().unwrap();
    if let Some(p) = protocol {
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", p.parse().unwrap());
    }
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

async fn close_code(ws: &mut Raw) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(Some(f)))) => return Some(f.code.into()),
            Some(Ok(_)) => continue,
            _ => return None,
        }
    }
}

#[tokio::test]
async fn a_handshake_without_our_subprotocol_is_closed_with_4503() {
    let hub = TestHub::start().await;
    let mut ws = raw(&hub, None).await;
    assert_eq!(close_code(&mut ws).await, Some(4503));
}

/// A frame as `codec` sends it: text for JSON, binary for MessagePack.
fn message(codec: Codec, frame: &ClientFrame) -> Message {
    raw_message(codec, &serde_json::to_value(frame).unwrap())
}

/// Any value as `codec` sends it, for frames no client would build.
fn raw_message(codec: Codec, value: &serde_json::Value) -> Message {
    let bytes = codec.encode(value).unwrap();
    match codec {
        Codec::Json => Message::text(String::from_utf8(bytes.to_vec()).unwrap()),
        Codec::MsgPack => Message::Binary(bytes),
    }
}

/// The next protocol frame from the hub on a raw socket.
async fn next_frame(ws: &mut Raw, codec: Codec) -> ServerFrame {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame in time")
            .expect("the socket is open")
            .expect("a message");
        match msg {
            Message::Text(t) => return codec.decode(t.as_bytes()).unwrap(),
            Message::Binary(b) => return codec.decode(&b).unwrap(),
            Message::Close(c) => panic!("closed before a frame: {c:?}"),
            _ => continue,
        }
    }
}

#[tokio::test]
async fn a_command_before_connect_is_answered_not_connected_then_closed_4501() {
    let hub = TestHub::start().await;
    for codec in Codec::ALL {
        let mut ws = raw(&hub, Some(codec.subprotocol())).await;
        let ping = ClientFrame {
            id: 5,
            cmd: Command::Ping,
        };
        ws.send(message(codec, &ping)).await.unwrap();
        match next_frame(&mut ws, codec).await {
            ServerFrame::Error {
                id, code, message, ..
            } => {
                assert_eq!((id, code), (5, ErrorCode::NotConnected), "{codec:?}");
                assert!(message.contains("connect"), "{message}");
            }
            other => panic!("{codec:?}: {other:?}"),
        }
        assert_eq!(close_code(&mut ws).await, Some(4501), "{codec:?}");
    }
}

#[tokio::test]
async fn a_first_frame_that_does_not_decode_is_answered_bad_frame_then_closed_4501() {
    let hub = TestHub::start().await;
    for codec in Codec::ALL {
        let mut ws = raw(&hub, Some(codec.subprotocol())).await;
        let garbled = serde_json::json!({"id": 6, "cmd": {"type": "connect", "token": 17}});
        ws.send(raw_message(codec, &garbled)).await.unwrap();
        match next_frame(&mut ws, codec).await {
            ServerFrame::Error { id, code, .. } => {
                assert_eq!((id, code), (6, ErrorCode::BadFrame), "{codec:?}")
            }
            other => panic!("{codec:?}: {other:?}"),
        }
        assert_eq!(close_code(&mut ws).await, Some(4501), "{codec:?}");
    }
    // Bytes with no readable id: the error has id 0, and the close follows.
    let mut ws = raw(&hub, Some("radio.v1.msgpack")).await;
    ws.send(Message::Binary(vec![0xc1, 0xff, 0x00].into()))
        .await
        .unwrap();
    assert!(matches!(
        next_frame(&mut ws, Codec::MsgPack).await,
        ServerFrame::Error {
            id: 0,
            code: ErrorCode::BadFrame,
            ..
        }
    ));
    assert_eq!(close_code(&mut ws).await, Some(4501));
}

#[tokio::test]
async fn a_connect_without_a_token_is_closed_with_4500() {
    let hub = TestHub::start().await;
    for codec in Codec::ALL {
        for connect in [
            serde_json::json!({"id": 1, "cmd": {"type": "connect"}}),
            serde_json::json!({"id": 1, "cmd": {"type": "connect", "token": null}}),
        ] {
            let mut ws = raw(&hub, Some(codec.subprotocol())).await;
            ws.send(raw_message(codec, &connect)).await.unwrap();
            assert_eq!(close_code(&mut ws).await, Some(4500), "{codec:?} {connect}");
        }
    }
}

#[tokio::test]
async fn a_websocket_ping_before_connect_is_no_command() {
    let hub = TestHub::start().await;
    let mut ws = raw(&hub, Some("radio.v1.json")).await;
    ws.send(Message::Ping(vec![1, 2].into())).await.unwrap();
    let connect = ClientFrame {
        id: 1,
        cmd: Command::Connect {
            token: hub.token("S1"),
            resume: None,
            bundles: false,
        },
    };
    ws.send(message(Codec::Json, &connect)).await.unwrap();
    assert!(matches!(
        next_frame(&mut ws, Codec::Json).await,
        ServerFrame::Reply { id: 1, .. }
    ));
}

/// A WebSocket handshake by hand, offering `offer` (one header line each), so nothing on the
/// client's side checks the answer: the response's head (lowercased) and the socket after it.
/// (A strict client — a browser, tungstenite — fails the handshake itself when the response
/// names none of its subprotocols, and tungstenite reads only the first offer line.)
async fn handshake_by_hand(hub: &TestHub, offer: &[&str]) -> (String, tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(hub.addr).await.unwrap();
    let mut request = format!(
        "GET /ws HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
        hub.addr
    );
    for line in offer {
        request.push_str(&format!("Sec-WebSocket-Protocol: {line}\r\n"));
    }
    request.push_str("\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    // Byte by byte, so no WebSocket frame after the head is read here.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.unwrap());
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    (head, tcp)
}

#[tokio::test]
async fn the_hub_takes_the_first_subprotocol_in_the_clients_order_that_it_speaks() {
    let hub = TestHub::start().await;
    for (offer, want) in [
        (&["radio.v1.json, radio.v1.msgpack"][..], "radio.v1.json"),
        (&["radio.v1.msgpack, radio.v1.json"][..], "radio.v1.msgpack"),
        (&["radio.v2.cbor, radio.v1.json"][..], "radio.v1.json"),
        // Offers on several header lines are one list, in order.
        (
            &["radio.v2.cbor", "radio.v1.json", "radio.v1.msgpack"][..],
            "radio.v1.json",
        ),
        (&["chat", "radio.v1.msgpack"][..], "radio.v1.msgpack"),
    ] {
        let (head, _) = handshake_by_hand(&hub, offer).await;
        assert!(
            head.contains(&format!("sec-websocket-protocol: {want}\r\n")),
            "{offer:?}: {head}"
        );
    }
    // And a tablet that offers both hears the one it put first.
    let mut req = hub.url().into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "radio.v1.json, radio.v1.msgpack".parse().unwrap(),
    );
    let (ws, response) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(
        response.headers()["Sec-WebSocket-Protocol"],
        "radio.v1.json"
    );
    drop(ws);
}

#[tokio::test]
async fn an_offer_of_only_unknown_subprotocols_is_upgraded_without_one_and_closed_with_4503() {
    let hub = TestHub::start().await;
    let (head, tcp) = handshake_by_hand(&hub, &["radio.v2.json, chat"]).await;
    assert!(!head.contains("sec-websocket-protocol"), "{head}");
    let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(
        tokio_tungstenite::MaybeTlsStream::Plain(tcp),
        tokio_tungstenite::tungstenite::protocol::Role::Client,
        None,
    )
    .await;
    assert_eq!(close_code(&mut ws).await, Some(4503));
}

#[tokio::test]
async fn silence_after_the_handshake_is_closed_with_4002() {
    let hub = TestHub::start_with(|c| c.connect_timeout = Duration::from_millis(300)).await;
    let mut ws = raw(&hub, Some("radio.v1.json")).await;
    assert_eq!(close_code(&mut ws).await, Some(4002));
}

#[tokio::test]
async fn an_oversized_frame_is_closed_with_4502() {
    let hub = TestHub::start().await;
    let mut s1 = hub.tablet("S1").await;
    let huge = vec![0x90u8; protocol::codec::MAX_FRAME_BYTES + 10];
    s1.send_raw(Message::Binary(huge.into())).await.unwrap();
    let err = s1.next_event().await.unwrap_err();
    assert!(
        matches!(
            err,
            TabletError::Closed {
                code: Some(CloseCode::FrameTooBig),
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_garbled_frame_after_connect_is_answered_and_the_tablet_stays_on_the_net() {
    let hub = TestHub::start().await;
    let mut s1 = hub.tablet("S1").await;
    s1.send_raw(Message::Binary(vec![0xde, 0xad, 0xbe, 0xef].into()))
        .await
        .unwrap();
    // Still connected and useful.
    assert!(s1.ping().await.is_ok());
}

/// Sends `request` as it is and reads the answer's head (lowercased) and the socket after it.
async fn ask_by_hand(hub: &TestHub, request: &[u8]) -> (String, tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(hub.addr).await.unwrap();
    tcp.write_all(request).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.unwrap());
    }
    (String::from_utf8(head).unwrap().to_ascii_lowercase(), tcp)
}

#[tokio::test]
async fn a_request_to_ws_that_is_no_websocket_handshake_is_told_which_header_is_wrong() {
    use tokio::io::AsyncReadExt;
    let hub = TestHub::start().await;
    let base = "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: close\r\n";
    for (headers, status, says) in [
        ("", "400", "the connection header lacks `upgrade`"),
        (
            "Connection: upgrade\r\n",
            "400",
            "the upgrade header is not `websocket`",
        ),
        (
            "Connection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 8\r\n",
            "426",
            "sec-websocket-version must be 13",
        ),
        (
            "Connection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n",
            "400",
            "the sec-websocket-key header is missing",
        ),
    ] {
        let request = format!("{base}{headers}\r\n");
        let (head, mut tcp) = ask_by_hand(&hub, request.as_bytes()).await;
        assert!(
            head.starts_with(&format!("http/1.1 {status}")),
            "{headers:?}: {head}"
        );
        if status == "426" {
            assert!(head.contains("sec-websocket-version: 13\r\n"), "{head}");
        }
        let mut body = String::new();
        tcp.read_to_string(&mut body).await.unwrap();
        assert!(
            body.to_ascii_lowercase().contains(says),
            "{headers:?}: {body}"
        );
    }
}

#[tokio::test]
async fn a_connect_sent_right_behind_the_handshake_is_read_and_answered() {
    use tokio_tungstenite::tungstenite::protocol::frame::{Frame, coding::Data, coding::OpCode};
    let hub = TestHub::start().await;
    // The request and the tablet's first frame in one write: HTTP reads both, and the frame
    // must still reach the hub's WebSocket.
    let connect = ClientFrame {
        id: 7,
        cmd: Command::Connect {
            token: hub.token("S1"),
            resume: None,
            bundles: false,
        },
    };
    let mut frame = Frame::message(
        Codec::Json.encode(&connect).unwrap(),
        OpCode::Data(Data::Text),
        true,
    );
    frame.header_mut().mask = Some([0x1b, 0x2c, 0x3d, 0x4e]);
    let mut wire = b"GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: radio.v1.json\r\n\r\n"
        .to_vec();
    frame.format(&mut wire).unwrap();
    let (head, tcp) = ask_by_hand(&hub, &wire).await;
    assert!(head.starts_with("http/1.1 101"), "{head}");
    let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(
        tokio_tungstenite::MaybeTlsStream::Plain(tcp),
        tokio_tungstenite::tungstenite::protocol::Role::Client,
        None,
    )
    .await;
    assert!(matches!(
        next_frame(&mut ws, Codec::Json).await,
        ServerFrame::Reply {
            id: 7,
            body: ReplyBody::Welcome { .. }
        }
    ));
}

#[tokio::test]
async fn a_handshake_in_one_piece_or_in_several_gets_the_same_answer_and_a_working_line() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hub = TestHub::start().await;
    let request = b"GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: radio.v1.json\r\n\r\n";
    // Whole in one write, or trickling in over a slow link: the same 101, and a line that
    // takes `connect`.
    for pieces in [1, 3] {
        let mut tcp = tokio::net::TcpStream::connect(hub.addr).await.unwrap();
        for piece in request.chunks(request.len().div_ceil(pieces)) {
            tcp.write_all(piece).await.unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(tcp.read_u8().await.unwrap());
        }
        let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
        assert!(
            head.starts_with("http/1.1 101 switching protocols\r\n"),
            "{head}"
        );
        for line in [
            "connection: upgrade",
            "upgrade: websocket",
            // RFC 6455 §1.3's own example key and answer.
            "sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=",
            "sec-websocket-protocol: radio.v1.json",
        ] {
            assert!(
                head.contains(&format!("\r\n{line}\r\n")),
                "{pieces} piece(s): {head}"
            );
        }
        let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(
            tokio_tungstenite::MaybeTlsStream::Plain(tcp),
            tokio_tungstenite::tungstenite::protocol::Role::Client,
            None,
        )
        .await;
        let connect = ClientFrame {
            id: 1,
            cmd: Command::Connect {
                token: hub.token("S1"),
                resume: None,
                bundles: false,
            },
        };
        let text = String::from_utf8(Codec::Json.encode(&connect).unwrap().to_vec()).unwrap();
        ws.send(Message::Text(text.into())).await.unwrap();
        assert!(
            matches!(
                next_frame(&mut ws, Codec::Json).await,
                ServerFrame::Reply {
                    id: 1,
                    body: ReplyBody::Welcome { .. }
                }
            ),
            "{pieces} piece(s)"
        );
    }
}
