//! Error codes (in replies) and close codes (on the WebSocket), each with what a client should do.
//! Close codes are grouped by range: 4000–4499 mean "reconnect and resume", 4500–4999 mean
//! "do not reconnect as you are: fix the token or the client first".

use serde::{Deserialize, Serialize};

/// Why a command failed. Retrying the same command only helps where the doc says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame could not be decoded, or carries a number beyond 2^53 − 1. Sent under the
    /// frame's id when it can be read (else 0); before `connect`, the close 4501 follows. Fix
    /// the client; do not resend it.
    BadFrame,
    /// A command other than `connect` came first, under its id; the close 4501 follows. Open a
    /// new connection and send `connect` first.
    NotConnected,
    /// A second `connect` on one connection. Open a new connection instead.
    AlreadyConnected,
    /// The sentence breaks the radio discipline (`rule` says which). Say it again correctly.
    NotUnderstood,
    /// The call breaks the catalogue or contradicts the site's state (`rule` says why). Don't resend.
    Refused,
    /// The call names another station as caller. A tablet speaks only for its own post.
    Impersonation,
    /// No such call (never placed, or already closed). Don't resend.
    UnknownCall,
    /// The call is not addressed to this station. Only its target answers.
    NotYours,
    /// That answer does not close this call (e.g. 收到 to 是否能接待). Answer with one it accepts.
    BadAnswer,
    /// The hub failed; the command may or may not have taken effect. Retry after reading the log.
    Internal,
    /// The hub is busy. Retry after a short backoff.
    Overloaded,
}

impl ErrorCode {
    /// The code's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::NotConnected => "not_connected",
            ErrorCode::AlreadyConnected => "already_connected",
            ErrorCode::NotUnderstood => "not_understood",
            ErrorCode::Refused => "refused",
            ErrorCode::Impersonation => "impersonation",
            ErrorCode::UnknownCall => "unknown_call",
            ErrorCode::NotYours => "not_yours",
            ErrorCode::BadAnswer => "bad_answer",
            ErrorCode::Internal => "internal",
            ErrorCode::Overloaded => "overloaded",
        }
    }

    /// Whether resending the same command later may succeed.
    pub fn retry(self) -> bool {
        matches!(self, ErrorCode::Internal | ErrorCode::Overloaded)
    }
}

/// Why the hub closed the WebSocket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum CloseCode {
    /// The hub is shutting down or restarting. Reconnect with backoff and resume from your offset.
    Shutdown = 4000,
    /// The tablet read too slowly and its queue filled. Reconnect and resume from your offset.
    Slow = 4001,
    /// No `connect` came in time. Reconnect and send `connect` first.
    ConnectTimeout = 4002,
    /// The hub is at its connection limit. Reconnect after a backoff.
    Overloaded = 4003,
    /// Nothing came from the tablet — no frame, no pong to the hub's pings — for the silence
    /// limit (30 s): the link looked dead (a frozen app, Wi-Fi gone without a goodbye).
    /// Reconnect and resume.
    Silent = 4004,
    /// The token is missing, malformed, forged or for another site. Get a new token; don't retry.
    BadToken = 4500,
    /// The first frame was not a `connect` that decodes; an error (`not_connected` or
    /// `bad_frame`) under its id came just before. Fix the client to send `connect` first.
    ProtocolViolation = 4501,
    /// A frame was larger than the hub accepts. Fix the client.
    FrameTooBig = 4502,
    /// No known subprotocol was offered. Offer `radio.v1.msgpack` or `radio.v1.json`.
    NoSubprotocol = 4503,
    /// The token's time is up (`hub token … --ttl`), at connect or while connected. Ask for a
    /// new link; don't retry.
    TokenExpired = 4504,
    /// The token was revoked (`hub token revoke`), or the key that signed it retired (`hub token
    /// retire-previous`), at connect or while connected. Ask for a new link; don't retry.
    TokenRevoked = 4505,
}

impl CloseCode {
    pub const ALL: [CloseCode; 11] = [
        CloseCode::Shutdown,
        CloseCode::Slow,
        CloseCode::ConnectTimeout,
        CloseCode::Overloaded,
        CloseCode::Silent,
        CloseCode::BadToken,
        CloseCode::ProtocolViolation,
        CloseCode::FrameTooBig,
        CloseCode::NoSubprotocol,
        CloseCode::TokenExpired,
        CloseCode::TokenRevoked,
    ];

    pub fn code(self) -> u16 {
        self as u16
    }

    pub fn from_code(code: u16) -> Option<CloseCode> {
        CloseCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether a client should reconnect (and resume) after this close.
    pub fn reconnect(self) -> bool {
        self.code() < 4500
    }

    /// The code's name, as PROTOCOL.md §6 lists it (`bad_token`).
    pub fn name(self) -> &'static str {
        match self {
            CloseCode::Shutdown => "shutdown",
            CloseCode::Slow => "slow",
            CloseCode::ConnectTimeout => "connect_timeout",
            CloseCode::Overloaded => "overloaded",
            CloseCode::Silent => "silent",
            CloseCode::BadToken => "bad_token",
            CloseCode::ProtocolViolation => "protocol_violation",
            CloseCode::FrameTooBig => "frame_too_big",
            CloseCode::NoSubprotocol => "no_subprotocol",
            CloseCode::TokenExpired => "token_expired",
            CloseCode::TokenRevoked => "token_revoked",
        }
    }

    /// The short reason sent in the close frame.
    pub fn reason(self) -> &'static str {
        match self {
            CloseCode::Shutdown => "shutdown: reconnect and resume",
            CloseCode::Slow => "slow: reconnect and resume",
            CloseCode::ConnectTimeout => "connect timeout: send connect first",
            CloseCode::Overloaded => "overloaded: reconnect later",
            CloseCode::Silent => "silent: no frame or pong in time; reconnect and resume",
            CloseCode::BadToken => "bad token: get a new token",
            CloseCode::ProtocolViolation => "protocol violation: send connect first",
            CloseCode::FrameTooBig => "frame too big: at most 65536 bytes",
            CloseCode::NoSubprotocol => "no subprotocol: offer radio.v1.msgpack or radio.v1.json",
            CloseCode::TokenExpired => "token expired: get a new token",
            CloseCode::TokenRevoked => "token revoked: get a new token",
        }
    }
}
