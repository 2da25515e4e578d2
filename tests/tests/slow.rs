//! Backpressure: a tablet that stops reading is cut off with 4001 once its bounded queue fills,
//! while every other tablet keeps receiving; it can then resume from where it stopped.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use integration::TestHub;
use protocol::envelope::{Recovery, Resume};
use protocol::{Call, ClientFrame, Codec, Command, Intent, Post, ServerFrame, Target, Visitor};
use tablet::Options;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const CALLS: usize = 600;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_tablet_is_cut_off_and_the_others_keep_receiving() {
    let hub = TestHub::start_with(|c| {
        c.queue_frames = 16;
        c.write_timeout = Duration::from_secs(30);
    })
    .await;

    // The stalled tablet: a raw WebSocket with a tiny receive buffer, which connects and then
    // stops reading.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket.connect(hub.addr).await.unwrap();
    let mut req = hub.url().into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "radio.v1.msgpack".parse().unwrap(),
    );
    let (mut stalled, _) = tokio_tungstenite::client_async(req, tcp).await.unwrap();
    let connect = ClientFrame {
        id: 1,
        cmd: Command::Connect {
            token: hub.token("Y1"),
            resume: None,
            bundles: false,
        },
    };
    stalled
        .send(Message::Binary(Codec::MsgPack.encode(&connect).unwrap()))
        .await
        .unwrap();
    let welcome = match stalled.next().await {
        Some(Ok(Message::Binary(b))) => Codec::MsgPack.decode::<ServerFrame>(&b).unwrap(),
        other => panic!("{other:?}"),
    };
    let ServerFrame::Reply {
        body: protocol::ReplyBody::Welcome { epoch, .. },
        ..
    } = welcome
    else {
        panic!("{welcome:?}")
    };

    let mut l1 = hub.tablet("L1").await;
    let mut reader = hub.tablet("Y2").await;
    let broadcast = Call::new(
        Post::L1,
        Target::All,
        Intent::ArrivalBroadcast {
            visitor: Visitor::parse("王先生").unwrap(),
            party: 2,
            appointment: true,
            description: Some(
                "黑色轿车，灰色西装，戴眼镜，带着两个孩子和一位老人，手里拿着户型图".into(),
            ),
        },
    );
    let reading = tokio::spawn(async move {
        let mut got = BTreeSet::new();
        while got.len() < CALLS {
            if let Some((call_id, _)) = reader.next_event().await.unwrap().placed() {
                got.insert(call_id);
            }
        }
        got
    });
    let mut placed = BTreeSet::new();
    for _ in 0..CALLS {
        placed.insert(l1.call(broadcast.clone()).await.unwrap().call_id);
    }
    let got = tokio::time::timeout(Duration::from_secs(30), reading)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got, placed,
        "the reading tablet got every call despite the stalled one"
    );

    let (_, metrics) = integration::http_get(hub.addr, "/metrics", Some(&hub.token("SUP"))).await;
    assert!(
        metrics.contains("hub_disconnects_total{reason=\"slow\"} 1"),
        "the stalled tablet was cut off as slow:\n{metrics}"
    );

    // Now it reads: what was in flight, then the close frame saying "slow, reconnect".
    let mut seen = BTreeSet::new();
    let code = loop {
        match tokio::time::timeout(Duration::from_secs(10), stalled.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Binary(b))) => {
                if let Ok(ServerFrame::Event(e)) = Codec::MsgPack.decode::<ServerFrame>(&b) {
                    if let Some((call_id, _)) = e.placed() {
                        seen.insert(call_id);
                    }
                }
            }
            Some(Ok(Message::Close(Some(f)))) => break Some(u16::from(f.code)),
            Some(Ok(_)) => {}
            _ => break None,
        }
    };
    assert_eq!(code, Some(4001));
    assert!(seen.len() < CALLS, "it was cut off before the end");

    // It resumes from its last offset and gets the rest, with nothing doubled.
    let from = seen.iter().max().map(|m| m + 1).unwrap_or(1);
    let opts = Options {
        resume: Some(Resume {
            epoch: Some(epoch),
            from,
        }),
        ..Options::default()
    };
    let (mut y1, welcome) = hub.tablet_with("Y1", opts).await;
    assert!(matches!(welcome.recovery, Recovery::Recovered { .. }));
    while seen.len() < CALLS {
        if let Some((call_id, _)) = y1.next_event().await.unwrap().placed() {
            assert!(seen.insert(call_id), "call {call_id} delivered twice");
        }
    }
    assert_eq!(seen, placed);
}
