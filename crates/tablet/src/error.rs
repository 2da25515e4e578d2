//! Every way talking to the hub can fail, and — because a tablet on shift must keep listening —
//! which of them are worth reconnecting after ([`TabletError::reconnect`]).

use protocol::{CloseCode, ErrorCode};
use tokio_tungstenite::tungstenite;

/// Why a command or a read failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TabletError {
    /// The hub closed the connection; `code` tells whether to reconnect (CloseCode::reconnect()).
    /// `raw_code` is the WebSocket close code as sent (also for codes outside the protocol's),
    /// `None` when the connection ended without a close frame.
    #[error("{}", closed_text(*raw_code, reason))]
    Closed {
        code: Option<CloseCode>,
        raw_code: Option<u16>,
        reason: String,
    },
    /// The hub answered the command with an error.
    #[error("refused ({}): {message}{}", code_name(*code), rule_text(rule))]
    Refused {
        code: ErrorCode,
        message: String,
        rule: Option<String>,
    },
    /// The WebSocket could not be opened: bad URL, HTTP refusal, or the hub chose no subprotocol
    /// we offered.
    #[error("handshake failed: {0}")]
    Handshake(String),
    /// The network failed under the WebSocket (refused, reset, broken pipe).
    #[error("network: {0}")]
    Io(String),
    /// The hub sent a frame that does not decode as a `ServerFrame`.
    #[error("undecodable frame from the hub: {0}")]
    Decode(String),
    /// No reply (or, when connecting, no welcome) within the reply timeout.
    #[error("no reply from the hub in time")]
    Timeout,
    /// The hub broke the protocol (wrong frame type, wrong version, unexpected reply).
    #[error("protocol: {0}")]
    Protocol(String),
}

impl TabletError {
    /// Builds [`TabletError::Closed`] from a WebSocket close code and reason.
    pub fn closed(raw_code: Option<u16>, reason: impl Into<String>) -> TabletError {
        TabletError::Closed {
            code: raw_code.and_then(CloseCode::from_code),
            raw_code,
            reason: reason.into(),
        }
    }

    /// Whether reconnecting (with backoff) and resuming may help: the hub said so (4000–4499), the
    /// network dropped, the hub went quiet, or it was busy. Not for bad tokens, broken clients
    /// (4500–4999) or refused commands.
    pub fn reconnect(&self) -> bool {
        match self {
            TabletError::Closed { raw_code, .. } => match raw_code {
                // The hub's own codes say it outright.
                Some(c @ 4000..=4999) => *c < 4500,
                // Going away, abnormal end, server restart: a network event, not a verdict.
                Some(_) | None => true,
            },
            TabletError::Io(_) | TabletError::Timeout => true,
            TabletError::Refused { code, .. } => code.retry(),
            TabletError::Handshake(_) | TabletError::Decode(_) | TabletError::Protocol(_) => false,
        }
    }

    /// Whether this is the end of the connection (as opposed to a failed command on a live one).
    pub fn is_closed(&self) -> bool {
        matches!(self, TabletError::Closed { .. } | TabletError::Io(_))
    }
}

/// Maps a WebSocket library error met while reading or writing an open connection.
pub(crate) fn from_ws(e: tungstenite::Error) -> TabletError {
    use tungstenite::Error as E;
    match e {
        E::ConnectionClosed | E::AlreadyClosed => TabletError::closed(None, "connection closed"),
        E::Io(e) => TabletError::Io(e.to_string()),
        E::Protocol(p) => match p {
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake => {
                TabletError::Io("connection reset without a close frame".to_owned())
            }
            other => TabletError::Protocol(other.to_string()),
        },
        E::Capacity(c) => TabletError::Protocol(format!("frame over the limit: {c}")),
        E::Utf8(s) => TabletError::Decode(format!("text frame is not UTF-8: {s}")),
        other => TabletError::Io(other.to_string()),
    }
}

/// Maps a WebSocket library error met while opening the connection to `url`. The messages leave
/// the URL out (the caller knows it) except where the URL itself is the problem.
pub(crate) fn from_handshake(url: &str, e: tungstenite::Error) -> TabletError {
    use tungstenite::Error as E;
    match e {
        E::Io(e) => match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            Some(tls) => TabletError::Handshake(untrusted(tls)),
            None => TabletError::Io(e.to_string()),
        },
        E::Tls(tungstenite::error::TlsError::Rustls(tls)) => {
            TabletError::Handshake(untrusted(&tls))
        }
        E::Tls(tls) => TabletError::Handshake(format!("TLS: {tls} in {url:?}")),
        E::Http(resp) => TabletError::Handshake(match resp.status().as_u16() {
            301 | 308 => format!(
                "the hub answered HTTP {}: it serves wss:// only — use wss:// in the URL",
                resp.status()
            ),
            _ => format!("the hub answered HTTP {}", resp.status()),
        }),
        E::Url(u) => TabletError::Handshake(format!("bad hub URL {url:?}: {u}")),
        E::HttpFormat(h) => TabletError::Handshake(format!("bad hub URL {url:?}: {h}")),
        E::Protocol(p) => TabletError::Handshake(p.to_string()),
        E::ConnectionClosed | E::AlreadyClosed => {
            TabletError::Io("the connection closed during the handshake".to_owned())
        }
        other => TabletError::Handshake(other.to_string()),
    }
}

/// Why TLS with the hub failed, and what to do: a certificate this tablet does not trust is not
/// something a retry mends.
fn untrusted(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
            "the hub's certificate is not signed by an authority this tablet trusts: give the \
             site's CA with --ca FILE (RADIO_CA), e.g. the hub's DATA/tls/ca.crt"
                .to_owned()
        }
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => "the hub's certificate does not name the address in the URL: use an address it was \
             made for (`hub tls new --host …`)"
            .to_owned(),
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the hub's certificate has expired: make a new one with `hub tls new`".to_owned()
        }
        rustls::Error::InvalidMessage(_) => {
            "the hub did not answer TLS: does it serve wss://? (for a plain hub, use ws://)"
                .to_owned()
        }
        e => format!("TLS with the hub failed: {e}"),
    }
}

fn closed_text(raw_code: Option<u16>, reason: &str) -> String {
    let name = raw_code.and_then(CloseCode::from_code).map(|c| c.reason());
    match (raw_code, name, reason.is_empty()) {
        (None, _, true) => "the hub closed the connection".to_owned(),
        (None, _, false) => format!("the hub closed the connection: {reason}"),
        (Some(c), Some(n), true) => format!("the hub closed the connection ({c}: {n})"),
        (Some(c), _, false) => format!("the hub closed the connection ({c}: {reason})"),
        (Some(c), None, true) => format!("the hub closed the connection ({c})"),
    }
}

fn code_name(code: ErrorCode) -> String {
    // The wire name (`not_understood`), as PROTOCOL.md §6 lists it.
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{code:?}"),
    }
}

fn rule_text(rule: &Option<String>) -> String {
    match rule {
        Some(r) => format!(" [rule {r}]"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_decide_reconnecting() {
        for c in CloseCode::ALL {
            let e = TabletError::closed(Some(c.code()), "");
            assert_eq!(e.reconnect(), c.reconnect(), "{c:?}");
            assert!(matches!(e, TabletError::Closed { code: Some(x), .. } if x == c));
        }
        // Unknown codes of the hub's ranges follow the range.
        assert!(TabletError::closed(Some(4123), "").reconnect());
        assert!(!TabletError::closed(Some(4999), "").reconnect());
        // A dropped connection or a going-away close is a network event.
        assert!(TabletError::closed(None, "").reconnect());
        assert!(TabletError::closed(Some(1001), "").reconnect());
        assert!(TabletError::Io("reset".into()).reconnect());
        assert!(TabletError::Timeout.reconnect());
        assert!(!TabletError::Handshake("x".into()).reconnect());
    }

    #[test]
    fn refusals_reconnect_only_when_the_hub_was_busy() {
        let refused = |code| TabletError::Refused {
            code,
            message: String::new(),
            rule: None,
        };
        assert!(refused(ErrorCode::Overloaded).reconnect());
        assert!(!refused(ErrorCode::Impersonation).reconnect());
    }

    #[test]
    fn messages_name_the_code_and_rule() {
        let e = TabletError::Refused {
            code: ErrorCode::NotUnderstood,
            message: "no caller".into(),
            rule: Some("no_caller".into()),
        };
        assert_eq!(
            e.to_string(),
            "refused (not_understood): no caller [rule no_caller]"
        );
        let e = TabletError::closed(Some(4500), "");
        assert_eq!(
            e.to_string(),
            "the hub closed the connection (4500: bad token: get a new token)"
        );
    }
}
