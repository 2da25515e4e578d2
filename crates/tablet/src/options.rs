//! How a tablet connects: the encoding it offers, where it resumes, how long it waits for
//! replies — and the WebSocket limits every tablet uses (small buffers: a radio call is a few
//! hundred bytes, and a site has hundreds of tablets on one hub).

use std::time::Duration;

use protocol::Codec;
use protocol::codec::MAX_SERVER_FRAME_BYTES;
use protocol::envelope::Resume;

use crate::roots::Roots;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// What [`crate::Tablet::connect`] needs besides the URL and token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The encoding offered as subprotocol: MessagePack (binary frames) unless JSON is asked.
    pub codec: Codec,
    /// Where to pick the event stream up again; `None` for live events only.
    pub resume: Option<Resume>,
    /// How long a command (and connecting) waits for its reply before [`crate::TabletError::Timeout`].
    pub reply_timeout: Duration,
    /// Hearing nothing from the hub this long, the tablet pings it; nothing for as long again,
    /// and the link counts as lost (a reconnectable error).
    pub silence: Duration,
    /// Whom to trust for a `wss://` hub: the site's CA ([`Roots::ca_file`]); `None`, the
    /// system's authorities. Unused for `ws://`.
    pub roots: Option<Roots>,
}

impl Options {
    /// The default reply timeout: long enough for a loaded hub, short enough for a person.
    pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

    /// The default options with another codec.
    pub fn with_codec(codec: Codec) -> Options {
        Options {
            codec,
            ..Options::default()
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            codec: Codec::MsgPack,
            resume: None,
            reply_timeout: Options::REPLY_TIMEOUT,
            silence: crate::link::SILENCE,
            roots: None,
        }
    }
}

/// The tungstenite settings of every tablet: 8 KiB buffers and the protocol's frame limit, so a
/// hostile or broken peer cannot make a tablet buffer more than one legal frame.
pub(crate) fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
        .max_message_size(Some(MAX_SERVER_FRAME_BYTES))
        .max_frame_size(Some(MAX_SERVER_FRAME_BYTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_msgpack_live_and_ten_seconds() {
        let o = Options::default();
        assert_eq!(o.codec, Codec::MsgPack);
        assert_eq!(o.resume, None);
        assert_eq!(o.reply_timeout, Duration::from_secs(10));
        assert_eq!(Options::with_codec(Codec::Json).codec, Codec::Json);
    }

    #[test]
    fn websocket_limits_follow_the_protocol() {
        let c = ws_config();
        assert_eq!(c.read_buffer_size, 8192);
        assert_eq!(c.write_buffer_size, 8192);
        assert_eq!(c.max_message_size, Some(MAX_SERVER_FRAME_BYTES));
        assert_eq!(c.max_frame_size, Some(MAX_SERVER_FRAME_BYTES));
    }
}
