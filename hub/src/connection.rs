//! A tablet's handshake, in the task that took its WebSocket over from HTTP; and the steps its
//! own task ([`crate::online`]) takes on the way: replies, reports, closes. What the tablet is
//! sent is written by the switchboard itself, straight to the socket
//! ([`crate::line::Outlet`]); the tablet's task takes over only when the socket is full, and
//! for its own replies and the close.
//!
//! The first frame must be `connect` with a valid token, within the connect timeout. Any other
//! command is answered `not_connected`, and a frame that does not decode `bad_frame` (each under
//! the frame's id), before the close 4501; a bad or missing token closes with 4500, an expired
//! one 4504, a revoked one 4505. The token stays checked while the tablet is connected: a
//! revocation or a retired key ([`crate::gate`]) or the token's expiry cuts it off with the same
//! codes. Every close carries a code that says whether to reconnect.

use std::sync::Arc;
use std::time::Duration;

use std::net::SocketAddr;

use protocol::{ClientFrame, CloseCode, Codec, Command, ErrorCode, ServerFrame};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::App;
use crate::line::{Framed, Inlet, Outlet, Wire};
use crate::online::Online;
use crate::reports::ReportFailed;
use crate::switchboard::{ConnId, Join, Joined, Request, encode, encode_reply};
use crate::token::Grant;

/// How long a closed line waits for the tablet's own close before letting go of the socket.
const LINGER: Duration = Duration::from_secs(1);

/// Serves one upgraded WebSocket through its handshake, then hands it to its own small task
/// ([`Online`]) until it closes. Logs one line as a tablet joins (and `Online` one as it
/// leaves), and one per refused sign-in.
pub async fn serve(wire: Wire, codec: Option<Codec>, app: Arc<App>, peer: Option<SocketAddr>) {
    let peer = Addr(peer);
    let outlet = wire.outlet.clone();
    let mut inlet = Inlet::new(wire, protocol::codec::MAX_FRAME_BYTES);
    let Some(codec) = codec else {
        app.metrics.disconnect("no_subprotocol");
        tracing::info!(%peer, "connection refused: it offered no subprotocol the hub speaks (close 4503)");
        return close(&outlet, CloseCode::NoSubprotocol, None).await;
    };
    let Ok(permit) = app.connections.clone().try_acquire_owned() else {
        app.metrics.disconnect("overloaded");
        tracing::warn!(%peer, max_tablets = app.config.max_connections, "tablet refused: the hub has as many tablets as it takes (close 4003)");
        return close(&outlet, CloseCode::Overloaded, None).await;
    };
    let Some((conn, grant)) = admit(&mut inlet, &outlet, codec, &app, peer).await else {
        return;
    };
    // On the net: the tablet's own small task from here on (`online`); this one, sized for
    // the handshake, ends.
    let about = crate::online::About {
        station: grant.station.clone(),
        peer: peer.0,
        since: tokio::time::Instant::now(),
        permit,
    };
    tokio::spawn(Online::new(inlet, outlet, app, conn, codec, about));
}

/// The handshake: `connect` in time, a good token, a post on this site; then the welcome and
/// whatever the tablet missed, written within the write timeout.
async fn admit(
    inlet: &mut Inlet,
    outlet: &Arc<Outlet>,
    codec: Codec,
    app: &App,
    peer: Addr,
) -> Option<(ConnId, Grant)> {
    let first = first_frame(inlet, outlet, app).await?;
    // The first frame must decode, and be `connect`; anything else is answered, then closed.
    let (id, token, resume, bundles) = match decode(codec, &first) {
        Some(Ok(ClientFrame {
            id,
            cmd:
                Command::Connect {
                    token,
                    resume,
                    bundles,
                },
        })) => (id, token, resume, bundles),
        Some(Ok(ClientFrame { id, .. })) => {
            let error = ServerFrame::Error {
                id,
                code: ErrorCode::NotConnected,
                message: "the first frame must be connect, with the tablet's token: open a new \
                          connection and send connect first"
                    .into(),
                rule: None,
            };
            refuse_handshake(outlet, codec, &error, app).await;
            return None;
        }
        Some(Err(e)) => {
            refuse_handshake(outlet, codec, &bad_frame(codec, &first, &e), app).await;
            return None;
        }
        None => return None,
    };
    let grant = match app.gate.check_fresh(&token).await {
        Ok(grant) => grant,
        Err(e) => {
            app.metrics.disconnect(e.close_code().name());
            tracing::warn!(%peer, "token refused (close {}): {e}", e.close_code().code());
            close(outlet, e.close_code(), Some(&e.to_string())).await;
            return None;
        }
    };
    let station = grant.station.clone();
    if !app.config.site.has_station(&station) {
        app.metrics.disconnect("bad_token");
        let why = format!("{station} is not a post on this site");
        tracing::warn!(%peer, %station, "token refused (close 4500): {why}");
        close(outlet, CloseCode::BadToken, Some(&why)).await;
        return None;
    }
    if bundles {
        // Before the welcome is queued, so that it and what the tablet missed go together.
        outlet.read_bundles();
    }
    let (reply, joined) = oneshot::channel();
    let join = Request::Join(Join {
        grant: grant.clone(),
        codec,
        outlet: outlet.clone(),
        id,
        resume,
        reply,
    });
    let joined: Option<Joined> = match app.switchboard.send(join).await {
        Ok(()) => joined.await.ok(),
        Err(_) => None,
    };
    let Some(joined) = joined else {
        // The hub is going down.
        close(outlet, CloseCode::Shutdown, None).await;
        return None;
    };
    // The switchboard queued the welcome and the backlog, and wrote what the socket took. The
    // rest goes out within the write timeout, or the tablet is dropped: a tablet that resumes
    // far back and never reads holds nothing for long.
    if outlet.drain(app.config.write_timeout).await.is_err() {
        let _ = app
            .switchboard
            .send(Request::Leave { conn: joined.conn })
            .await;
        return None;
    }
    if let protocol::ReplyBody::Welcome { recovery, .. } = &joined.welcome {
        tracing::info!(
            conn = joined.conn,
            %station,
            %peer,
            codec = codec.subprotocol(),
            recovery = ?recovery,
            "tablet on the net"
        );
    }
    signed_in(&grant, app);
    Some((joined.conn, grant))
}

/// Says in the hub's log what the operator should act on about a token just used: an old-format
/// one (no id, never expires), or one about to expire. Once a site's day for each token
/// ([`crate::reminders::Reminders`]): a tablet that reconnects all day, or a whole site back
/// at once, does not repeat it.
fn signed_in(grant: &Grant, app: &App) {
    const SOON_MS: u64 = 7 * 24 * 3_600_000;
    let station = &grant.station;
    let now = crate::token::now_ms();
    let day = crate::calendar::day_of(now, &app.config.site.zone);
    let reminders = &app.reminders;
    match (grant.id, grant.expires_ms) {
        (None, _) if reminders.due(grant, day) => tracing::warn!(
            "{station} signed in with an old-format token (no id, never expires, cannot be \
             revoked alone): give it a new link with `{} --link`",
            crate::link::token_command(station)
        ),
        (Some(id), Some(exp)) if exp.saturating_sub(now) < SOON_MS && reminders.due(grant, day) => {
            tracing::warn!(
                "{station}'s token {id} expires {}: give it a new link with `{} --link`",
                crate::token::span_words(now, exp),
                crate::link::token_command(station)
            )
        }
        _ => {}
    }
}

/// The tablet's first protocol frame, within the connect timeout. WebSocket pings on the way
/// are answered, not taken for a command. `None` once the connection is over (closed here if
/// the tablet was too slow or sent too much).
async fn first_frame(inlet: &mut Inlet, outlet: &Outlet, app: &App) -> Option<Message> {
    let deadline = tokio::time::Instant::now() + app.config.connect_timeout;
    loop {
        match tokio::time::timeout_at(deadline, inlet.next()).await {
            Err(_) => {
                app.metrics.disconnect("connect_timeout");
                close(outlet, CloseCode::ConnectTimeout, None).await;
                return None;
            }
            // tungstenite queued the pong; it goes out with the next read.
            Ok(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
            Ok(Ok(Message::Close(_))) => {
                inlet.flush();
                answer_close(outlet, app.config.write_timeout).await;
                return None;
            }
            Ok(Ok(msg)) => return Some(msg),
            Ok(Err(e)) => {
                if matches!(e, tungstenite::Error::Capacity(_)) {
                    app.metrics.disconnect("frame_too_big");
                    close(outlet, CloseCode::FrameTooBig, None).await;
                } else {
                    refuse_broken(outlet, &e, app.config.write_timeout).await;
                }
                return None;
            }
        }
    }
}

/// Ends a handshake that broke the protocol: the error for the frame (under its id, so the
/// client knows which request failed), then the close 4501.
async fn refuse_handshake(outlet: &Outlet, codec: Codec, error: &ServerFrame, app: &App) {
    app.metrics.disconnect("protocol_violation");
    if let Some(f) = encode(codec, error) {
        if !send_own(outlet, f, app.config.write_timeout).await {
            return;
        }
    }
    let why = match error {
        ServerFrame::Error { code, .. } if *code == ErrorCode::NotConnected => {
            "not connected: the first frame must be connect"
        }
        _ => "bad frame: the first frame must be a connect that decodes",
    };
    close(outlet, CloseCode::ProtocolViolation, Some(why)).await;
}

/// A close to send, and its reason when it is not the code's own.
pub type Closing = (CloseCode, Option<String>);

/// Answers a `report` command (read from the log off the switchboard). `false`: the tablet is
/// gone.
pub async fn answer_report(
    outlet: &Outlet,
    codec: Codec,
    id: u32,
    date: Option<String>,
    app: &App,
) -> bool {
    let frame = match crate::reports::report(app, date.as_deref()).await {
        Ok(report) => ServerFrame::Reply {
            id,
            body: protocol::ReplyBody::Report { report },
        },
        Err(ReportFailed::BadDate(message)) => ServerFrame::Error {
            id,
            code: ErrorCode::Refused,
            message,
            rule: Some("bad_date".into()),
        },
        Err(ReportFailed::PastRetention(message)) => ServerFrame::Error {
            id,
            code: ErrorCode::Refused,
            message,
            rule: Some("past_retention".into()),
        },
        Err(ReportFailed::Busy(message)) => ServerFrame::Error {
            id,
            code: ErrorCode::Overloaded,
            message,
            rule: None,
        },
        Err(ReportFailed::Internal(message)) => ServerFrame::Error {
            id,
            code: ErrorCode::Internal,
            message,
            rule: None,
        },
    };
    match encode_reply(codec, &frame) {
        Some(f) => send_own(outlet, f, app.config.write_timeout).await,
        None => true,
    }
}

/// Sends one of the task's own frames, and whatever is queued before it, within `limit`.
pub async fn send_own(outlet: &Outlet, frame: Framed, limit: Duration) -> bool {
    outlet.queue_own(frame);
    outlet.drain(limit).await.is_ok()
}

/// The tablet closed: tungstenite's answer (handed to the outlet by `Inlet::flush`) goes out,
/// then the socket is let go.
pub async fn answer_close(outlet: &Outlet, limit: Duration) {
    let _ = outlet.drain(limit.min(LINGER)).await;
    outlet.shut();
}

/// A frame that breaks the WebSocket rules is answered with the standard close code and the
/// reason, not a silent drop.
pub async fn refuse_broken(outlet: &Outlet, e: &tungstenite::Error, limit: Duration) {
    if let Some((code, why)) = broken_frame(e) {
        let _ = send_own(outlet, Framed::close(code, why), limit).await;
        outlet.shut();
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
pub fn read_command(codec: Codec, msg: &Message) -> Option<Result<ClientFrame, ServerFrame>> {
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

/// Closes the line with `code` (and `why`, or the code's own reason).
async fn close(outlet: &Outlet, code: CloseCode, why: Option<&str>) {
    close_within(outlet, code, why, Duration::from_secs(2)).await
}

/// Sends a close frame after whatever is queued, giving up after `limit` (a stalled tablet may
/// never read it); then says goodbye at the transport and waits a moment for the tablet's own
/// close, so the socket ends cleanly rather than with a reset.
pub async fn close_within(outlet: &Outlet, code: CloseCode, why: Option<&str>, limit: Duration) {
    let reason = why.unwrap_or(code.reason());
    if !send_own(outlet, Framed::close(code.code(), reason), limit).await {
        return;
    }
    outlet.shut();
    let _ = tokio::time::timeout(LINGER, async {
        let mut sink = [0u8; 256];
        loop {
            if outlet.tcp().readable().await.is_err() {
                return;
            }
            // What the sink has no room for is dropped too.
            match outlet.read(&mut sink, &mut bytes::Bytes::new()) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
    })
    .await;
}

/// A client's address for the log, or `-` when the request came without one.
#[derive(Clone, Copy)]
pub struct Addr(pub Option<SocketAddr>);

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(a) => write!(f, "{a}"),
            None => f.write_str("-"),
        }
    }
}
