//! Backpressure: a tablet that stops reading is cut off with 4001 once its bounded queue fills,
//! while every other tablet keeps receiving; it can then resume from where it stopped. A caller
//! whose frames the disk held and then let go all at once is not taken for such a tablet.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use integration::TestHub;
use protocol::envelope::{Recovery, Resume};
use protocol::{
    Call, ClientFrame, Codec, Command, Intent, Post, ServerFrame, Station, Target, Visitor,
};
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
    let (mut stalled, epoch) = raw_tablet(&hub, "Y1", Some(4096)).await;

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

/// A raw MessagePack WebSocket for `station`, past its welcome, and the log's epoch the welcome
/// gave; with `receive_buffer`, its socket takes only that much before the hub's writes to it
/// wait.
async fn raw_tablet(
    hub: &TestHub,
    station: &str,
    receive_buffer: Option<u32>,
) -> (
    tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    u64,
) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    if let Some(size) = receive_buffer {
        socket.set_recv_buffer_size(size).unwrap();
    }
    let tcp = socket.connect(hub.addr).await.unwrap();
    let mut req = hub.url().into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "radio.v1.msgpack".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::client_async(req, tcp).await.unwrap();
    let connect = ClientFrame {
        id: 1,
        cmd: Command::Connect {
            token: hub.token(station),
            resume: None,
            bundles: false,
        },
    };
    ws.send(Message::Binary(Codec::MsgPack.encode(&connect).unwrap()))
        .await
        .unwrap();
    let welcome = match ws.next().await {
        Some(Ok(Message::Binary(b))) => Codec::MsgPack.decode::<ServerFrame>(&b).unwrap(),
        other => panic!("{station} was not welcomed: {other:?}"),
    };
    match welcome {
        ServerFrame::Reply {
            body: protocol::ReplyBody::Welcome { epoch, .. },
            ..
        } => (ws, epoch),
        other => panic!("{station} was not welcomed: {other:?}"),
    }
}

/// Sends `call` as request `id` without waiting for its acknowledgement.
async fn send_call<S>(ws: &mut S, id: u32, call: Call)
where
    S: futures_util::Sink<Message> + Unpin,
    S::Error: std::fmt::Debug,
{
    let frame = ClientFrame {
        id,
        cmd: Command::Call { call },
    };
    ws.send(Message::Binary(Codec::MsgPack.encode(&frame).unwrap()))
        .await
        .unwrap();
}

/// Waits for the acknowledgement of request `id`, the next one to come.
async fn acknowledged_in_time(acked: &mut tokio::sync::mpsc::UnboundedReceiver<u32>, id: u32) {
    let next = tokio::time::timeout(Duration::from_secs(10), acked.recv()).await;
    assert_eq!(next.expect("acknowledged in time"), Some(id));
}

/// A caller's acknowledgement waits for the disk, and every call to everyone heard meanwhile
/// waits behind it; when the disk is done they go out at once, more than the caller's socket
/// takes. A call to everyone right after is queued behind that backlog: the caller is not a
/// slow reader for it, and gets everything, in order, without being cut off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_behind_what_the_disk_let_go_at_once_is_not_cut_off() {
    const HELD: usize = 450;
    const AFTER: usize = 5;
    // Syncs at most every 4 s: a disk that slow holds a caller's acknowledgement that long
    // (and the calls below, a few hundred milliseconds' work, all come within one wait).
    let hub = TestHub::start_with(|c| {
        // Room for the gate's own 900 frames held (32 queues' worth), and a caller's socket
        // that takes a few hundred.
        c.queue_frames = 32;
        c.sync_gap = Duration::from_secs(4);
        c.write_timeout = Duration::from_secs(30);
    })
    .await;
    let (mut caller, _) = raw_tablet(&hub, "Y1", Some(4096)).await;
    let (mut gate, mut gate_in) = raw_tablet(&hub, "L1", None).await.0.split();
    // The gate reads everything it is sent, passes on the ids of its acknowledgements, and
    // says when it hears the caller's call (which the caller itself is told only once on disk).
    let (acks, mut acked) = tokio::sync::mpsc::unbounded_channel::<u32>();
    let (heard_tx, mut heard_caller) = tokio::sync::mpsc::unbounded_channel::<()>();
    tokio::spawn(async move {
        while let Some(Ok(message)) = gate_in.next().await {
            let Message::Binary(b) = message else {
                continue;
            };
            match Codec::MsgPack.decode::<ServerFrame>(&b) {
                Ok(ServerFrame::Reply { id, .. }) => {
                    let _ = acks.send(id);
                }
                Ok(ServerFrame::Event(e))
                    if e.placed()
                        .is_some_and(|(_, c)| c.caller == Station::Post(Post::Y1)) =>
                {
                    let _ = heard_tx.send(());
                }
                _ => {}
            }
        }
    });
    let to_all = |n: usize| {
        Call::new(
            Post::L1,
            Target::All,
            Intent::Free {
                text: format!(
                    "第{n}次：请各岗位注意，{}",
                    "贵宾车队即将到达请做好接待准备".repeat(6)
                ),
            },
        )
    };
    // A sync now; the next one no sooner than 4 s from it.
    send_call(&mut gate, 2, to_all(0)).await;
    acknowledged_in_time(&mut acked, 2).await;
    // The caller calls, and stops reading: its acknowledgement waits for that next sync.
    let to_gate = Call::new(
        Post::Y1,
        Station::Post(Post::L1),
        Intent::Free {
            text: "门口有访客找李经理".into(),
        },
    );
    send_call(&mut caller, 2, to_gate).await;
    // Logged before any of the calls below.
    tokio::time::timeout(Duration::from_secs(10), heard_caller.recv())
        .await
        .expect("the gate hears the caller's call")
        .expect("the gate's line is up");
    // Calls to everyone meanwhile: the caller's copies wait behind its acknowledgement.
    for n in 1..=HELD {
        send_call(&mut gate, 2 + n as u32, to_all(n)).await;
    }
    for n in 1..=HELD {
        acknowledged_in_time(&mut acked, 2 + n as u32).await;
    }
    // The disk has let them all go at once: far more than the caller's socket took.
    for n in HELD + 1..=HELD + AFTER {
        send_call(&mut gate, 2 + n as u32, to_all(n)).await;
    }
    for n in HELD + 1..=HELD + AFTER {
        acknowledged_in_time(&mut acked, 2 + n as u32).await;
    }

    // Now the caller reads: its acknowledgement, then every call to everyone, and no close.
    let mut heard = Vec::new();
    let mut acknowledged = false;
    while heard.len() < HELD + AFTER + 1 {
        let message = tokio::time::timeout(Duration::from_secs(10), caller.next())
            .await
            .unwrap_or_else(|_| panic!("the caller heard only {} calls", heard.len()));
        match message {
            Some(Ok(Message::Binary(b))) => match Codec::MsgPack.decode::<ServerFrame>(&b).unwrap()
            {
                ServerFrame::Reply { id: 2, .. } => acknowledged = true,
                ServerFrame::Event(e) => {
                    if let Some((_, call)) = e.placed()
                        && call.caller == Station::Post(Post::L1)
                    {
                        // Only the call before the caller's own may come ahead of its
                        // acknowledgement.
                        let first = matches!(&call.intent, Intent::Free { text } if text.starts_with("第0次"));
                        assert!(
                            acknowledged || first,
                            "a call heard before the caller's own acknowledgement"
                        );
                        heard.push(e.offset);
                    }
                }
                _ => {}
            },
            Some(Ok(Message::Close(f))) => {
                panic!("the caller was cut off after {} calls: {f:?}", heard.len())
            }
            Some(Ok(_)) => {}
            other => panic!(
                "the caller's line ended after {} calls: {other:?}",
                heard.len()
            ),
        }
    }
    assert!(heard.windows(2).all(|w| w[0] < w[1]), "in the log's order");
    let (_, metrics) = integration::http_get(hub.addr, "/metrics", Some(&hub.token("SUP"))).await;
    assert!(
        metrics.contains("hub_disconnects_total{reason=\"slow\"} 0"),
        "no tablet was cut off as slow:\n{metrics}"
    );
}
