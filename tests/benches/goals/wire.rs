//! A tablet's connection taken apart for measuring: commands go out pipelined — many in flight,
//! each under its own id, none waiting for the one before — and every frame from the hub is
//! handed to the caller's handler with the moment it arrived and its size on the wire. (The
//! `tablet` crate's `Tablet` waits for each reply before sending the next command and keeps no
//! arrival times: right for a tablet, wrong for a load that must not slow down with the hub.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use protocol::{ClientFrame, Codec, Command, ReplyBody, ServerFrame};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// What the reading side hands over.
pub enum Heard {
    Frame {
        at: Instant,
        /// The frame's size as it came over the WebSocket (a bundle's, shared among its frames).
        bytes: usize,
        frame: ServerFrame,
    },
    /// The connection is over; why.
    Ended(String),
}

/// The sending side: cheap to clone, usable from any task, never waits.
#[derive(Clone)]
pub struct Sender {
    out: mpsc::UnboundedSender<Message>,
    ids: Arc<AtomicU32>,
    codec: Codec,
}

impl Sender {
    /// Sends a command; its request id, which the reply will carry.
    pub fn send(&self, cmd: Command) -> u32 {
        let id = self.ids.fetch_add(1, Relaxed);
        let bytes = self
            .codec
            .encode(&ClientFrame { id, cmd })
            .expect("a command encodes");
        let _ = self.out.send(message(self.codec, bytes));
        id
    }
}

/// What the welcome said that a load needs.
pub struct Welcome {
    /// The log's epoch, for a later resume.
    pub epoch: u64,
}

/// One connection; closed (abruptly) when dropped.
pub struct Wire {
    pub sender: Sender,
    pub welcome: Welcome,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Wire {
    /// Opens `/ws` at `url`, signs in with `token` (live, no resume) and, once welcomed, hands
    /// every later frame to `on` — on a task of its own, in order — with a sender for answering.
    pub async fn open(
        url: &str,
        token: &str,
        codec: Codec,
        mut on: impl FnMut(Heard, &Sender) + Send + 'static,
    ) -> Result<Wire, String> {
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(codec.subprotocol()),
        );
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let connect = ClientFrame {
            id: 1,
            cmd: Command::Connect {
                token: token.to_owned(),
                resume: None,
                // As the tablets do: several frames written together come as one.
                bundles: true,
            },
        };
        let bytes = codec.encode(&connect).map_err(|e| e.to_string())?;
        ws.send(message(codec, bytes))
            .await
            .map_err(|e| e.to_string())?;
        // What came with the welcome, in the same bundle: handed out first.
        let mut early = Vec::new();
        let welcome = loop {
            let next = tokio::time::timeout(Duration::from_secs(60), ws.next())
                .await
                .map_err(|_| "no welcome within 60 s".to_owned())?;
            let (bytes, mut frames) = match next {
                Some(Ok(Message::Binary(b))) => (b.len(), decode(codec, &b)?.into_iter()),
                Some(Ok(Message::Text(t))) => (t.len(), decode(codec, t.as_bytes())?.into_iter()),
                Some(Ok(Message::Close(c))) => return Err(closed(c)),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.to_string()),
                None => return Err("the connection ended before the welcome".into()),
            };
            let count = frames.len();
            match frames.next() {
                Some(ServerFrame::Reply {
                    id: 1,
                    body: ReplyBody::Welcome { epoch, .. },
                }) => {
                    let share = bytes / count;
                    early.extend(frames.map(|frame| (share, frame)));
                    break Welcome { epoch };
                }
                other => return Err(format!("expected the welcome, got {other:?}")),
            }
        };
        let (mut sink, mut stream) = ws.split();
        let (out, mut queued) = mpsc::unbounded_channel::<Message>();
        let sender = Sender {
            out,
            ids: Arc::new(AtomicU32::new(2)),
            codec,
        };
        let writer = tokio::spawn(async move {
            while let Some(m) = queued.recv().await {
                if sink.feed(m).await.is_err() {
                    return;
                }
                while let Ok(m) = queued.try_recv() {
                    if sink.feed(m).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    return;
                }
            }
        });
        let answers = sender.clone();
        let reader = tokio::spawn(async move {
            for (bytes, frame) in early {
                let at = Instant::now();
                on(Heard::Frame { at, bytes, frame }, &answers);
            }
            loop {
                let (bytes, frame) = match stream.next().await {
                    Some(Ok(Message::Binary(b))) => (b.len(), decode(codec, &b)),
                    Some(Ok(Message::Text(t))) => (t.len(), decode(codec, t.as_bytes())),
                    Some(Ok(Message::Close(c))) => {
                        on(Heard::Ended(closed(c)), &answers);
                        return;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => {
                        on(Heard::Ended(e.to_string()), &answers);
                        return;
                    }
                    None => {
                        on(Heard::Ended("the connection ended".into()), &answers);
                        return;
                    }
                };
                let at = Instant::now();
                match frame {
                    Ok(frames) => {
                        // A bundle's bytes are shared among its frames.
                        let share = bytes / frames.len().max(1);
                        for frame in frames {
                            on(
                                Heard::Frame {
                                    at,
                                    bytes: share,
                                    frame,
                                },
                                &answers,
                            );
                        }
                    }
                    Err(e) => {
                        on(Heard::Ended(e), &answers);
                        return;
                    }
                }
            }
        });
        Ok(Wire {
            sender,
            welcome,
            reader,
            writer,
        })
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.reader.abort();
        self.writer.abort();
    }
}

fn message(codec: Codec, bytes: tokio_tungstenite::tungstenite::Bytes) -> Message {
    if codec.is_binary() {
        Message::Binary(bytes)
    } else {
        Message::Text(
            bytes
                .try_into()
                .expect("a JSON frame is UTF-8, as the codec made it"),
        )
    }
}

fn closed(frame: Option<CloseFrame>) -> String {
    match frame {
        Some(f) => format!("closed by the hub: {} {}", u16::from(f.code), f.reason),
        None => "closed by the hub, with no code".to_owned(),
    }
}

/// One frame from the hub, or a bundle of them.
fn decode(codec: Codec, bytes: &[u8]) -> Result<Vec<ServerFrame>, String> {
    codec
        .decode_bundle_within(bytes, protocol::codec::MAX_SERVER_FRAME_BYTES)
        .map_err(|e| format!("a frame from the hub does not decode: {e}"))
}
