//! A link that died without a goodbye — a tablet frozen (SIGSTOP, a crashed app) or a hub whose
//! network vanished — is noticed by the other side within a bounded silence, not kept "online"
//! for ever: the hub pings an idle tablet and drops a silent one (4004), so calls to its post are
//! flagged at once; the tablet pings a quiet hub and, unanswered, reconnects.

// tungstenite's handshake callback returns its own (large) error type.
#![allow(clippy::result_large_err)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use integration::{TestHub, expect_event, until_closed};
use protocol::envelope::{Recovery, ReplyBody, ServerFrame};
use protocol::{ClientFrame, CloseCode, Codec, EventKind, Station};
use tablet::{Options, Tablet, TabletError};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;

#[tokio::test]
async fn a_frozen_tablet_is_dropped_and_its_post_counts_as_offline() {
    let hub = TestHub::start_with(|c| c.ping_after = Duration::from_millis(200)).await;
    let mut sup = hub.tablet("SUP").await;
    // The water bar's tablet connects, then freezes: it reads nothing, answers no ping.
    let mut frozen = hub.tablet("S1").await;
    let e = expect_event(&mut sup, "station_offline").await;
    assert!(
        matches!(&e.what, EventKind::StationOffline { station } if *station == Station::Post(protocol::Post::S1)),
        "{e:?}"
    );
    // A call to the water bar is now flagged at once.
    let mut g1 = hub.tablet("G1").await;
    g1.say("我是大客户管家，呼叫水吧，请送咖啡至VIP1室，收到请回答。")
        .await
        .unwrap();
    expect_event(&mut g1, "target_offline").await;
    // When the tablet thaws, it reads why it was cut off, and may reconnect and resume.
    let err = until_closed(&mut frozen).await;
    assert!(
        matches!(
            err,
            TabletError::Closed {
                code: Some(CloseCode::Silent),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.reconnect());
}

#[tokio::test]
async fn a_tablet_whose_hub_goes_silent_counts_the_link_as_lost_and_may_reconnect() {
    // A "hub" that welcomes the tablet, then neither sends nor reads anything.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let silent_hub = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let pick = |req: &Request, mut resp: Response| {
            let offered = req
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let codec = Codec::choose(offered.split(',').map(str::trim)).unwrap();
            resp.headers_mut().insert(
                "sec-websocket-protocol",
                HeaderValue::from_static(codec.subprotocol()),
            );
            Ok(resp)
        };
        let mut ws = tokio_tungstenite::accept_hdr_async(tcp, pick)
            .await
            .unwrap();
        let Some(Ok(Message::Binary(first))) = ws.next().await else {
            panic!("a connect frame")
        };
        let connect: ClientFrame = Codec::MsgPack.decode(&first).unwrap();
        let welcome = ServerFrame::Reply {
            id: connect.id,
            body: ReplyBody::Welcome {
                protocol: protocol::envelope::PROTOCOL_VERSION,
                station: Station::Post(protocol::Post::S1),
                epoch: 1,
                head: 1,
                recovery: Recovery::Live,
                time_zone: None,
            },
        };
        ws.send(Message::Binary(Codec::MsgPack.encode(&welcome).unwrap()))
            .await
            .unwrap();
        // Silence: the socket stays open, nothing is read (so no pong), nothing is sent.
        tokio::time::sleep(Duration::from_secs(20)).await;
        drop(ws);
    });
    let opts = Options {
        silence: Duration::from_millis(200),
        ..Options::default()
    };
    let (mut tablet, _) = Tablet::connect(&format!("ws://{addr}/ws"), "token", opts)
        .await
        .unwrap();
    let waited = tokio::time::timeout(Duration::from_secs(5), tablet.next_event()).await;
    let err = waited
        .expect("the tablet notices the silence")
        .expect_err("no event from a silent hub");
    assert!(err.is_closed() && err.reconnect(), "{err}");
    assert!(err.to_string().contains("silent"), "{err}");
    silent_hub.abort();
}

#[tokio::test]
async fn a_quiet_hub_that_answers_pings_keeps_the_tablets_link() {
    // The hub says nothing for a while (no events for this post, its own pings far off); the
    // tablet, hearing nothing for its silence, pings, hears the pong, and keeps its link.
    let hub = TestHub::start().await;
    let opts = Options {
        silence: Duration::from_millis(100),
        ..Options::default()
    };
    let (mut quiet, _) = hub.tablet_with("S1", opts).await;
    for _ in 0..10 {
        let heard = quiet
            .next_event_within(Duration::from_millis(100))
            .await
            .expect("a hub that answers pings is not silent");
        assert!(heard.is_none(), "{heard:?}");
    }
    assert!(!quiet.is_closed());
    // A second of quiet, ten times the silence, and the link still carries a command.
    quiet.ping().await.expect("the link is kept");
}
