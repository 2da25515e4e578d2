//! The framed WebSocket under a tablet: sends `ClientFrame`s in the chosen encoding, reads
//! `ServerFrame`s, matches replies to requests by id, and keeps the events that arrive while a
//! request waits, in order, for the next read. It knows nothing of stations or calls.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use protocol::envelope::{ReplyBody, ServerFrame};
use protocol::{ClientFrame, Codec, Command, Event};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WsCloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{
    Connector, MaybeTlsStream, WebSocketStream, connect_async_tls_with_config,
};

use crate::error::{TabletError, from_handshake, from_ws};
use crate::incoming::{Incoming, classify};
use crate::options::{Options, ws_config};
use crate::roots::Roots;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long [`Link::close`] waits for the hub to acknowledge the close.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// Nothing heard from the hub this long (counted from its last frame, or from the connection),
/// a read pings it (a WebSocket ping); nothing for as long again, and the link counts as lost —
/// a hub whose machine froze or whose network vanished sends no close, and TCP alone would wait
/// for minutes.
pub(crate) const SILENCE: Duration = Duration::from_secs(15);

/// One open WebSocket to the hub, speaking one codec.
pub(crate) struct Link {
    ws: Ws,
    codec: Codec,
    next_id: u32,
    /// Events read while waiting for a reply, not yet handed out. Unbounded: a tablet that only
    /// sends commands and never reads events accumulates them (read them, or close the tablet).
    pending: VecDeque<Event>,
    /// The rest of a bundle (several frames the hub wrote as one), read before the socket.
    unread: VecDeque<ServerFrame>,
    /// Set once the connection is over; every later read or send returns it.
    closed: Option<TabletError>,
    /// A ping went out and nothing has been heard since.
    pinged: bool,
    /// See [`SILENCE`].
    silence: Duration,
    /// When the hub was last heard from (or pinged).
    heard: Instant,
    /// The one timer that watches for silence, for the life of the link: a read that finds it
    /// run out looks at `heard` and sets it again, rather than every read setting a timer of
    /// its own (a tablet hearing many events would set and clear one per event).
    quiet: Pin<Box<Sleep>>,
}

impl Link {
    /// Opens the WebSocket to `url`, offering the codec's subprotocol, and checks the hub chose
    /// it. A `wss://` hub's certificate is verified against `opts.roots` (or the system's).
    pub(crate) async fn open(url: &str, opts: &Options) -> Result<Link, TabletError> {
        let (codec, within, silence) = (opts.codec, opts.reply_timeout, opts.silence);
        let mut request = url
            .into_client_request()
            .map_err(|e| from_handshake(url, e))?;
        request.headers_mut().insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(codec.subprotocol()),
        );
        let connector = match request.uri().scheme_str() {
            Some("wss") => {
                let roots = match &opts.roots {
                    Some(r) => r.clone(),
                    None => Roots::system().map_err(TabletError::Handshake)?,
                };
                Connector::Rustls(roots.client_config())
            }
            _ => Connector::Plain,
        };
        // Nagle off: calls are small and latency is the point.
        let opened =
            connect_async_tls_with_config(request, Some(ws_config()), true, Some(connector));
        let (ws, response) = tokio::time::timeout(within, opened)
            .await
            .map_err(|_| TabletError::Timeout)?
            .map_err(|e| from_handshake(url, e))?;
        let chosen = response
            .headers()
            .get(SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        if chosen != Some(codec.subprotocol()) {
            return Err(TabletError::Handshake(format!(
                "{url} chose subprotocol {chosen:?}, not the offered {}",
                codec.subprotocol()
            )));
        }
        Ok(Link {
            ws,
            codec,
            next_id: 1,
            pending: VecDeque::new(),
            unread: VecDeque::new(),
            closed: None,
            pinged: false,
            silence,
            heard: Instant::now(),
            quiet: Box::pin(tokio::time::sleep(silence)),
        })
    }

    pub(crate) fn codec(&self) -> Codec {
        self.codec
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Sends `cmd` and waits up to `within` for the reply with its id. Events that arrive
    /// meanwhile are kept for [`Link::next_event`]; replies to other ids (a request that timed
    /// out earlier) are dropped.
    pub(crate) async fn request(
        &mut self,
        cmd: Command,
        within: Duration,
    ) -> Result<ReplyBody, TabletError> {
        let id = self.take_id();
        self.send_frame(&ClientFrame { id, cmd }).await?;
        let deadline = Instant::now() + within;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.read_frame())
                .await
                .map_err(|_| TabletError::Timeout)??;
            match frame {
                ServerFrame::Event(e) => self.pending.push_back(e),
                ServerFrame::Reply { id: r, body } if r == id => return Ok(body),
                ServerFrame::Error {
                    id: r,
                    code,
                    message,
                    rule,
                } if r == id => {
                    return Err(TabletError::Refused {
                        code,
                        message,
                        rule,
                    });
                }
                stray => tracing::debug!(?stray, want = id, "reply to another request dropped"),
            }
        }
    }

    /// The next event: buffered ones first, then from the socket. Stray replies and errors (to
    /// requests that timed out, or to raw frames) are skipped.
    pub(crate) async fn next_event(&mut self) -> Result<Event, TabletError> {
        if let Some(e) = self.pending.pop_front() {
            return Ok(e);
        }
        loop {
            match self.read_frame().await? {
                ServerFrame::Event(e) => return Ok(e),
                stray => tracing::debug!(?stray, "reply outside a request skipped"),
            }
        }
    }

    /// The next frame of any kind: buffered events first, then from the socket.
    pub(crate) async fn next_frame(&mut self) -> Result<ServerFrame, TabletError> {
        if let Some(e) = self.pending.pop_front() {
            return Ok(ServerFrame::Event(e));
        }
        self.read_frame().await
    }

    /// Sends a message as is.
    pub(crate) async fn send_raw(&mut self, msg: Message) -> Result<(), TabletError> {
        if let Some(e) = &self.closed {
            return Err(e.clone());
        }
        self.ws.send(msg).await.map_err(|e| self.fail(from_ws(e)))
    }

    /// Says goodbye (close 1000) and waits briefly for the hub's close, so it logs a clean exit.
    pub(crate) async fn close(mut self) -> Result<(), TabletError> {
        if self.closed.is_some() {
            return Ok(());
        }
        let bye = CloseFrame {
            code: WsCloseCode::Normal,
            reason: Utf8Bytes::from_static("tablet closing"),
        };
        match self.ws.close(Some(bye)).await {
            Ok(()) => {}
            Err(e) => {
                let e = from_ws(e);
                return if e.is_closed() { Ok(()) } else { Err(e) };
            }
        }
        let drain = async { while let Some(Ok(_)) = self.ws.next().await {} };
        let _ = tokio::time::timeout(CLOSE_GRACE, drain).await;
        Ok(())
    }

    async fn send_frame(&mut self, frame: &ClientFrame) -> Result<(), TabletError> {
        let bytes = self
            .codec
            .encode(frame)
            .map_err(|e| TabletError::Protocol(e.to_string()))?;
        let msg = if self.codec.is_binary() {
            Message::Binary(bytes)
        } else {
            Message::Text(
                Utf8Bytes::try_from(bytes).map_err(|e| TabletError::Protocol(e.to_string()))?,
            )
        };
        self.send_raw(msg).await
    }

    /// Reads the socket until a protocol frame, answering pings on the way. Cancel-safe: nothing
    /// read is lost if the future is dropped (the stream keeps its state).
    async fn read_frame(&mut self) -> Result<ServerFrame, TabletError> {
        if let Some(frame) = self.unread.pop_front() {
            return Ok(frame);
        }
        if let Some(e) = &self.closed {
            return Err(e.clone());
        }
        loop {
            let next = tokio::select! {
                biased;
                next = self.ws.next() => Some(next),
                () = &mut self.quiet => None,
            };
            let msg = match next {
                Some(Some(Ok(msg))) => {
                    self.heard = Instant::now();
                    self.pinged = false;
                    msg
                }
                Some(Some(Err(e))) => return Err(self.fail(from_ws(e))),
                Some(None) => {
                    return Err(self.fail(TabletError::closed(None, "connection ended")));
                }
                None => {
                    let now = Instant::now();
                    let due = self.heard + self.silence;
                    if now < due {
                        // Heard from since the timer was set: it watches from then.
                        self.quiet.as_mut().reset(due);
                        continue;
                    }
                    if self.pinged {
                        return Err(self.fail(TabletError::closed(
                            None,
                            "the hub went silent: no frame and no pong after a ping; the link is lost",
                        )));
                    }
                    self.pinged = true;
                    self.heard = now;
                    self.quiet.as_mut().reset(now + self.silence);
                    let ping = Message::Ping(tokio_tungstenite::tungstenite::Bytes::from_static(
                        b"tablet",
                    ));
                    self.send_raw(ping).await?;
                    continue;
                }
            };
            match classify(self.codec, msg) {
                Ok(Incoming::Frames(frames)) => {
                    self.unread.extend(frames);
                    if let Some(frame) = self.unread.pop_front() {
                        return Ok(frame);
                    }
                }
                // The library queued a pong (or a close reply): put it on the wire now.
                Ok(Incoming::Control) => {
                    let _ = self.ws.flush().await;
                }
                Ok(Incoming::Closed(e)) => {
                    let _ = self.ws.flush().await;
                    return Err(self.fail(e));
                }
                // A frame we cannot read; the connection itself is fine.
                Err(e) => return Err(e),
            }
        }
    }

    /// Remembers that the connection is over. A WebSocket-level error leaves the stream unusable,
    /// so it ends the link too; the first reason given is kept.
    fn fail(&mut self, e: TabletError) -> TabletError {
        self.closed.get_or_insert(e).clone()
    }

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        id
    }
}
