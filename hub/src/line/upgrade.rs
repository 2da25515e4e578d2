//! The WebSocket handshake (RFC 6455 §4.2), done by the hub rather than a framework so that it
//! keeps the socket itself: the answer `101 Switching Protocols` naming the subprotocol chosen,
//! then the TCP stream (and its TLS state) taken back from HTTP for the tablet's line.
//!
//! A request that is not a WebSocket handshake is answered 400, naming the header at fault; one
//! of another WebSocket version 426 with the version the hub speaks.

use std::future::Future;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use protocol::Codec;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use super::{Outlet, Wire};

/// Answers a WebSocket handshake and, once HTTP hands the socket over, runs `serve` on it with
/// the codec chosen (the client's first offered that the hub speaks; `None` if it offered none
/// the hub speaks — the upgrade then names none, and `serve` closes it 4503).
pub fn accept<F, Fut>(mut req: Request, serve: F) -> Response
where
    F: FnOnce(Wire, Option<Codec>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let headers = req.headers();
    let key = match check(headers) {
        Ok(key) => key,
        Err(refusal) => return refusal.answer(),
    };
    let offer = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok());
    let codec = Codec::choose(offer);
    let accept = derive_accept_key(key.as_bytes());
    let upgraded = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = upgraded.await else {
            return; // the client went away before the switch
        };
        match wire(upgraded) {
            Some(wire) => serve(wire, codec).await,
            None => tracing::error!("a WebSocket came over a transport the hub does not know"),
        }
    });
    let mut answer = Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, HeaderValue::from_static("upgrade"))
        .header(header::UPGRADE, HeaderValue::from_static("websocket"))
        .header(header::SEC_WEBSOCKET_ACCEPT, accept);
    if let Some(codec) = codec {
        answer = answer.header(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(codec.subprotocol()),
        );
    }
    answer
        .body(axum::body::Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Why a request is not a WebSocket handshake the hub takes.
struct Refusal {
    status: StatusCode,
    why: &'static str,
}

impl Refusal {
    fn answer(self) -> Response {
        let mut answer = (
            self.status,
            format!(
                "{}: a tablet connects with a WebSocket handshake (RFC 6455) to /ws\n",
                self.why
            ),
        )
            .into_response();
        if self.status == StatusCode::UPGRADE_REQUIRED {
            answer.headers_mut().insert(
                header::SEC_WEBSOCKET_VERSION,
                HeaderValue::from_static("13"),
            );
        }
        answer
    }
}

/// The handshake's headers checked; the client's key.
fn check(headers: &HeaderMap) -> Result<String, Refusal> {
    let refuse = |status: StatusCode, why: &'static str| Err(Refusal { status, why });
    if !has_token(headers, header::CONNECTION, "upgrade") {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the Connection header lacks `upgrade`",
        );
    }
    if !has_token(headers, header::UPGRADE, "websocket") {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the Upgrade header is not `websocket`",
        );
    }
    let version = headers.get(header::SEC_WEBSOCKET_VERSION);
    if version.is_none_or(|v| v.as_bytes() != b"13") {
        return refuse(
            StatusCode::UPGRADE_REQUIRED,
            "Sec-WebSocket-Version must be 13",
        );
    }
    match headers
        .get(header::SEC_WEBSOCKET_KEY)
        .and_then(|k| k.to_str().ok())
    {
        Some(key) if !key.trim().is_empty() && key.len() <= 64 => Ok(key.trim().to_owned()),
        _ => refuse(
            StatusCode::BAD_REQUEST,
            "the Sec-WebSocket-Key header is missing",
        ),
    }
}

/// Whether a comma-separated header holds `token` (in any case).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// The socket HTTP hands back: plain TCP, or TCP with its TLS state.
fn wire(upgraded: hyper::upgrade::Upgraded) -> Option<Wire> {
    let upgraded = match upgraded.downcast::<TokioIo<TcpStream>>() {
        Ok(parts) => {
            return Some(Wire {
                outlet: Arc::new(Outlet::new(parts.io.into_inner(), None)),
                early: own(parts.read_buf),
            });
        }
        Err(upgraded) => upgraded,
    };
    type Tls = tokio_rustls::server::TlsStream<TcpStream>;
    let parts = upgraded.downcast::<TokioIo<Tls>>().ok()?;
    let (tcp, tls) = parts.io.into_inner().into_inner();
    Some(Wire {
        outlet: Arc::new(Outlet::new(tcp, Some(tls))),
        early: own(parts.read_buf),
    })
}

/// The bytes read ahead, copied out of HTTP's read buffer: a slice of it would keep the whole
/// buffer (kilobytes) alive for as long as the tablet stays.
fn own(read_ahead: bytes::Bytes) -> bytes::Bytes {
    if read_ahead.is_empty() {
        bytes::Bytes::new()
    } else {
        bytes::Bytes::copy_from_slice(&read_ahead)
    }
}
