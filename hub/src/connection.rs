//! One tablet's WebSocket, from handshake to close, in one task: it reads the tablet's commands
//! and hands them to the switchboard, and drains the tablet's bounded queue onto the socket —
//! feeding every queued frame, then flushing once, so a burst costs one write, not many.
//!
//! The first frame must be `connect` with a valid token, within the connect timeout. Any other
//! command is answered `not_connected`, and a frame that does not decode `bad_frame` (each under
//! the frame's id), before the close 4501; a bad or missing token closes with 4500, an expired
//! one 4504, a revoked one 4505. The token stays checked while the tablet is connected: a
//! revocation or a retired key ([`crate::gate`]) or the token's expiry cuts it off with the same
//! codes. Every close carries a code that says whether to reconnect.

use std::sync::Arc;

use std::net::SocketAddr;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::SinkExt;
use protocol::{ClientFrame, CloseCode, Codec, Command, ErrorCode, ServerFrame};
use tokio::sync::{mpsc, oneshot};
use tokio::time::timeout;

use crate::App;
use crate::reports::ReportFailed;
use crate::switchboard::{ConnId, Join, Joined, Kick, Request, encode, encode_reply};
use crate::token::Grant;

/// Most frames written between two flushes.
const BATCH: usize = 64;

/// Serves one upgraded WebSocket until it closes.
/// Logs one line as a tablet joins and one as it leaves (with its station and address), and
/// one per refused sign-in.
pub async fn serve(mut socket: WebSocket, app: Arc<App>, peer: Option<SocketAddr>) {
    let peer = Addr(peer);
    let Some(codec) = socket
        .protocol()
        .and_then(|p| p.to_str().ok())
        .and_then(Codec::from_subprotocol)
    else {
        app.metrics.disconnect("no_subprotocol");
        tracing::info!(%peer, "connection refused: it offered no subprotocol the hub speaks (close 4503)");
        return close(&mut socket, CloseCode::NoSubprotocol, None).await;
    };
    let Ok(_permit) = app.connections.clone().try_acquire_owned() else {
        app.metrics.disconnect("overloaded");
        tracing::warn!(%peer, max_tablets = app.config.max_connections, "tablet refused: the hub has as many tablets as it takes (close 4003)");
        return close(&mut socket, CloseCode::Overloaded, None).await;
    };
    let Some((conn, queue, kick, grant)) = admit(&mut socket, codec, &app, peer).await else {
        return;
    };
    let since = tokio::time::Instant::now();
    let closing = pump(&mut socket, codec, conn, queue, &kick, &grant, &app).await;
    let _ = app.switchboard.send(Request::Leave { conn }).await;
    let code = closing.as_ref().map(|(code, _)| *code);
    tracing::info!(
        conn,
        station = %grant.station,
        %peer,
        online_s = since.elapsed().as_secs(),
        reason = code.map_or("closed by the tablet, or the link dropped", CloseCode::reason),
        close = code.map_or(0, CloseCode::code),
        "tablet left"
    );
    if let Some((code, why)) = closing {
        close_within(&mut socket, code, why.as_deref(), app.config.write_timeout).await;
    }
}

/// The handshake: `connect` in time, a good token, a post on this site; then the welcome and
/// whatever the tablet missed.
async fn admit(
    socket: &mut WebSocket,
    codec: Codec,
    app: &App,
    peer: Addr,
) -> Option<(ConnId, mpsc::Receiver<Message>, Arc<Kick>, Grant)> {
    let first = first_frame(socket, app).await?;
    // The first frame must decode, and be `connect`; anything else is answered, then closed.
    let (id, token, resume) = match decode(codec, &first) {
        Some(Ok(ClientFrame {
            id,
            cmd: Command::Connect { token, resume },
        })) => (id, token, resume),
        Some(Ok(ClientFrame { id, .. })) => {
            let error = ServerFrame::Error {
                id,
                code: ErrorCode::NotConnected,
                message: "the first frame must be connect, with the tablet's token: open a new \
                          connection and send connect first"
                    .into(),
                rule: None,
            };
            refuse_handshake(socket, codec, &error, app).await;
            return None;
        }
        Some(Err(e)) => {
            refuse_handshake(socket, codec, &bad_frame(codec, &first, &e), app).await;
            return None;
        }
        None => return None,
    };
    let grant = match app.gate.check_fresh(&token).await {
        Ok(grant) => grant,
        Err(e) => {
            app.metrics.disconnect(e.close_code().name());
            tracing::warn!(%peer, "token refused (close {}): {e}", e.close_code().code());
            close(socket, e.close_code(), Some(&e.to_string())).await;
            return None;
        }
    };
    let station = grant.station.clone();
    if !app.config.site.has_station(&station) {
        app.metrics.disconnect("bad_token");
        let why = format!("{station} is not a post on this site");
        tracing::warn!(%peer, %station, "token refused (close 4500): {why}");
        close(socket, CloseCode::BadToken, Some(&why)).await;
        return None;
    }
    let (queue_tx, queue) = mpsc::channel(app.config.queue_frames);
    let kick = Arc::new(Kick::default());
    let (reply, joined) = oneshot::channel();
    let join = Request::Join(Join {
        station: station.clone(),
        codec,
        queue: queue_tx,
        kick: kick.clone(),
        resume,
        reply,
    });
    let joined: Joined = match app.switchboard.send(join).await {
        Ok(()) => joined.await.ok(),
        Err(_) => None,
    }?;
    let welcome_body = joined.welcome.clone();
    let welcome = ServerFrame::Reply {
        id,
        body: joined.welcome,
    };
    // The welcome and the backlog go out within the write timeout, or the tablet is dropped:
    // a tablet that resumes far back and never reads holds nothing for long.
    let send_all = async {
        let Some(m) = encode(codec, &welcome) else {
            return false;
        };
        if socket.feed(m).await.is_err() {
            return false;
        }
        for m in joined.backlog {
            if socket.feed(m).await.is_err() {
                return false;
            }
        }
        socket.flush().await.is_ok()
    };
    let ok = matches!(timeout(app.config.write_timeout, send_all).await, Ok(true));
    if !ok {
        let _ = app
            .switchboard
            .send(Request::Leave { conn: joined.conn })
            .await;
        return None;
    }
    if let protocol::ReplyBody::Welcome { recovery, .. } = &welcome_body {
        tracing::info!(
            conn = joined.conn,
            %station,
            %peer,
            codec = codec.subprotocol(),
            recovery = ?recovery,
            "tablet on the net"
        );
    }
    signed_in(&grant);
    Some((joined.conn, queue, kick, grant))
}

/// Says in the hub's log what the operator should act on about a token just used: an old-format
/// one (no id, never expires), or one about to expire.
fn signed_in(grant: &Grant) {
    const SOON_MS: u64 = 7 * 24 * 3_600_000;
    let station = &grant.station;
    match (grant.id, grant.expires_ms) {
        (None, _) => tracing::warn!(
            "{station} signed in with an old-format token (no id, never expires, cannot be \
             revoked alone): give it a new link with `{} --link`",
            crate::link::token_command(station)
        ),
        (Some(id), Some(exp)) if exp.saturating_sub(crate::token::now_ms()) < SOON_MS => {
            tracing::warn!(
                "{station}'s token {id} expires {}: give it a new link with `{} --link`",
                crate::token::span_words(crate::token::now_ms(), exp),
                crate::link::token_command(station)
            )
        }
        _ => {}
    }
}

/// The tablet's first protocol frame, within the connect timeout. WebSocket pings on the way
/// are answered, not taken for a command. `None` once the connection is over (closed here if
/// the tablet was too slow or sent too much).
async fn first_frame(socket: &mut WebSocket, app: &App) -> Option<Message> {
    let deadline = tokio::time::Instant::now() + app.config.connect_timeout;
    loop {
        match tokio::time::timeout_at(deadline, socket.recv()).await {
            Err(_) => {
                app.metrics.disconnect("connect_timeout");
                close(socket, CloseCode::ConnectTimeout, None).await;
                return None;
            }
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {
                // tungstenite queued the pong; send it.
                if socket.flush().await.is_err() {
                    return None;
                }
            }
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) => return None,
            Ok(Some(Ok(msg))) => return Some(msg),
            Ok(Some(Err(e))) => {
                if too_big(e) {
                    app.metrics.disconnect("frame_too_big");
                    close(socket, CloseCode::FrameTooBig, None).await;
                }
                return None;
            }
        }
    }
}

/// Ends a handshake that broke the protocol: the error for the frame (under its id, so the
/// client knows which request failed), then the close 4501.
async fn refuse_handshake(socket: &mut WebSocket, codec: Codec, error: &ServerFrame, app: &App) {
    app.metrics.disconnect("protocol_violation");
    if let Some(m) = encode(codec, error) {
        if !matches!(
            timeout(app.config.write_timeout, socket.send(m)).await,
            Ok(Ok(()))
        ) {
            return;
        }
    }
    let why = match error {
        ServerFrame::Error { code, .. } if *code == ErrorCode::NotConnected => {
            "not connected: the first frame must be connect"
        }
        _ => "bad frame: the first frame must be a connect that decodes",
    };
    close(socket, CloseCode::ProtocolViolation, Some(why)).await;
}

/// A close to send, and its reason when it is not the code's own.
type Closing = (CloseCode, Option<String>);

/// Moves frames both ways until the tablet leaves or is cut off. Returns the close to send, if
/// the socket is still there to send it on.
async fn pump(
    socket: &mut WebSocket,
    codec: Codec,
    conn: ConnId,
    mut queue: mpsc::Receiver<Message>,
    kick: &Kick,
    grant: &Grant,
    app: &App,
) -> Option<Closing> {
    let refused = |e: crate::token::TokenError| {
        app.metrics.disconnect(e.close_code().name());
        tracing::info!("{} cut off: {e}", grant.station);
        Some((e.close_code(), Some(e.to_string())))
    };
    // The keys and revocations as they change; `None` once the hub stops following them.
    let mut trust = Some(app.gate.follow());
    // Liveness: any frame from the tablet (a pong included) counts as heard.
    let mut heard = tokio::time::Instant::now();
    let mut pinged = false;
    let mut check = tokio::time::interval(app.config.ping_after / 3);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let limit = app.config.write_timeout;
    loop {
        tokio::select! {
            biased;
            _ = check.tick() => {
                if grant.expired(crate::token::now_ms()) {
                    return refused(crate::token::TokenError::Expired);
                }
                let quiet = heard.elapsed();
                if quiet >= app.config.ping_after * 2 {
                    app.metrics.disconnect("silent");
                    return Some((CloseCode::Silent, None));
                }
                if quiet >= app.config.ping_after && !pinged {
                    pinged = true;
                    let ping = Message::Ping(axum::body::Bytes::from_static(b"radio"));
                    if !matches!(timeout(limit, socket.send(ping)).await, Ok(Ok(()))) {
                        return None;
                    }
                }
            }
            changed = changed(&mut trust) => {
                match changed {
                    Some(now) => if let Err(e) = now.recheck(grant, crate::token::now_ms()) {
                        return refused(e);
                    },
                    None => trust = None,
                }
            }
            out = queue.recv() => {
                let Some(first) = out else {
                    return Some((kick.code(), None));
                };
                if socket.feed(first).await.is_err() {
                    return None;
                }
                for _ in 1..BATCH {
                    match queue.try_recv() {
                        Ok(m) => if socket.feed(m).await.is_err() { return None },
                        Err(_) => break,
                    }
                }
                match timeout(app.config.write_timeout, socket.flush()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return None,
                    Err(_) => {
                        app.metrics.disconnect("write_timeout");
                        return None;
                    }
                }
            }
            inbound = socket.recv() => {
                let msg = match inbound {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => {
                        let e = e.into_inner();
                        let ws = e.downcast_ref::<tokio_tungstenite::tungstenite::Error>();
                        if ws.is_some_and(|e| matches!(e, tokio_tungstenite::tungstenite::Error::Capacity(_))) {
                            return Some((CloseCode::FrameTooBig, None));
                        }
                        // A frame that breaks the WebSocket rules is answered with the standard
                        // close code and the reason, not a silent drop.
                        if let Some((code, why)) = ws.and_then(broken_frame) {
                            let frame = CloseFrame { code, reason: why.into() };
                            let _ = timeout(limit, socket.send(Message::Close(Some(frame)))).await;
                        }
                        return None;
                    }
                    None => return None,
                };
                heard = tokio::time::Instant::now();
                pinged = false;
                match msg {
                    Message::Close(_) => return None,
                    Message::Ping(_) | Message::Pong(_) => {
                        // tungstenite queued the pong; send it, in bounded time.
                        if !matches!(timeout(limit, socket.flush()).await, Ok(Ok(()))) {
                            return None;
                        }
                    }
                    msg => match read_command(codec, &msg) {
                        Some(Ok(ClientFrame { id, cmd: Command::Report { date } })) => {
                            let frame = match crate::reports::report(app, date.as_deref()).await {
                                Ok(report) => ServerFrame::Reply { id, body: protocol::ReplyBody::Report { report } },
                                Err(ReportFailed::BadDate(message)) => ServerFrame::Error { id, code: ErrorCode::Refused, message, rule: Some("bad_date".into()) },
                                Err(ReportFailed::PastRetention(message)) => ServerFrame::Error { id, code: ErrorCode::Refused, message, rule: Some("past_retention".into()) },
                                Err(ReportFailed::Busy(message)) => ServerFrame::Error { id, code: ErrorCode::Overloaded, message, rule: None },
                                Err(ReportFailed::Internal(message)) => ServerFrame::Error { id, code: ErrorCode::Internal, message, rule: None },
                            };
                            if let Some(m) = encode_reply(codec, &frame) {
                                if !matches!(timeout(limit, socket.send(m)).await, Ok(Ok(()))) {
                                    return None;
                                }
                            }
                        }
                        Some(Ok(ClientFrame { id, cmd })) => {
                            let forwarded = app.switchboard.send(Request::Command { conn, id, cmd }).await;
                            if forwarded.is_err() {
                                return Some((CloseCode::Shutdown, None));
                            }
                        }
                        Some(Err(error)) => {
                            app.metrics.refusal(ErrorCode::BadFrame.name());
                            if let Some(m) = encode(codec, &error) {
                                if !matches!(timeout(limit, socket.send(m)).await, Ok(Ok(()))) {
                                    return None;
                                }
                            }
                        }
                        None => {}
                    },
                }
            }
        }
    }
}

/// The trust once it changed; `None` if the hub stopped following it (then never again).
async fn changed(
    trust: &mut Option<tokio::sync::watch::Receiver<Arc<crate::Trust>>>,
) -> Option<Arc<crate::Trust>> {
    match trust {
        Some(rx) => match rx.changed().await {
            Ok(()) => Some(rx.borrow_and_update().clone()),
            Err(_) => None,
        },
        None => std::future::pending().await,
    }
}

/// Reads a client frame in the connection's codec. `None` for frames that carry no command.
fn decode(codec: Codec, msg: &Message) -> Option<Result<ClientFrame, protocol::DecodeError>> {
    match msg {
        Message::Binary(b) => Some(codec.decode(b)),
        Message::Text(t) => Some(codec.decode(t.as_bytes())),
        _ => None,
    }
}

/// A command from a connected tablet, or the `bad_frame` error to answer it with: a frame that
/// does not decode, or a command carrying a number beyond 2^53 − 1, which the hub would log and
/// send on to clients that cannot hold it (PROTOCOL.md §1). `None` for messages that carry no
/// command.
fn read_command(codec: Codec, msg: &Message) -> Option<Result<ClientFrame, ServerFrame>> {
    let frame = match decode(codec, msg)? {
        Ok(frame) => frame,
        Err(e) => return Some(Err(bad_frame(codec, msg, &e))),
    };
    if let Some(n) = frame.cmd.unsafe_number() {
        return Some(Err(ServerFrame::Error {
            id: frame.id,
            code: ErrorCode::BadFrame,
            message: format!(
                "the number {n} is beyond 2^53 − 1, the largest every client holds exactly \
                 (PROTOCOL.md §1): send a smaller one"
            ),
            rule: None,
        }));
    }
    Some(Ok(frame))
}

/// The `bad_frame` error for a frame that did not decode, under the frame's own `id` when it can
/// be read (else 0), so the client waiting on that request hears why.
fn bad_frame(codec: Codec, msg: &Message, e: &protocol::DecodeError) -> ServerFrame {
    let id = match msg {
        Message::Binary(b) => codec.request_id(b),
        Message::Text(t) => codec.request_id(t.as_bytes()),
        _ => None,
    };
    ServerFrame::Error {
        id: id.unwrap_or(0),
        code: ErrorCode::BadFrame,
        message: format!(
            "cannot read that frame ({e}): send a {} frame as protocol/PROTOCOL.md §2 shows",
            codec.subprotocol()
        ),
        rule: None,
    }
}

/// Whether a read failed because the tablet sent more than the frame limit.
/// The standard close for a frame that breaks the WebSocket rules: 1007 for text that is not
/// UTF-8, 1002 for any other protocol error (an unmasked client frame, a bad opcode, …).
fn broken_frame(e: &tokio_tungstenite::tungstenite::Error) -> Option<(u16, &'static str)> {
    use tokio_tungstenite::tungstenite::Error;
    match e {
        Error::Utf8(_) => Some((1007, "a text frame that is not UTF-8: send text as UTF-8")),
        Error::Protocol(_) => Some((
            1002,
            "a frame that breaks the WebSocket protocol (e.g. unmasked): fix the client",
        )),
        _ => None,
    }
}

fn too_big(e: axum::Error) -> bool {
    e.into_inner()
        .downcast_ref::<tokio_tungstenite::tungstenite::Error>()
        .is_some_and(|e| matches!(e, tokio_tungstenite::tungstenite::Error::Capacity(_)))
}

async fn close(socket: &mut WebSocket, code: CloseCode, why: Option<&str>) {
    close_within(socket, code, why, std::time::Duration::from_secs(2)).await
}

/// Sends a close frame, giving up after `limit` (a stalled tablet may never read it).
async fn close_within(
    socket: &mut WebSocket,
    code: CloseCode,
    why: Option<&str>,
    limit: std::time::Duration,
) {
    let reason = why.unwrap_or(code.reason());
    // Close reasons are limited to 123 bytes by the WebSocket spec.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let frame = CloseFrame {
        code: code.code(),
        reason: reason[..end].into(),
    };
    let _ = timeout(limit, socket.send(Message::Close(Some(frame)))).await;
}

/// A client's address for the log, or `-` when the request came without one.
#[derive(Clone, Copy)]
struct Addr(Option<SocketAddr>);

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(a) => write!(f, "{a}"),
            None => f.write_str("-"),
        }
    }
}
