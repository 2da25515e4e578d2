//! The read side of a tablet's line: tungstenite's WebSocket reading the tablet's frames from
//! the socket as they come (it unmasks, answers pings and closes, joins fragments, checks
//! UTF-8 and the size limits). It never blocks: with nothing to read it waits for the socket.
//! What tungstenite writes (a pong, the answer to a close) goes to the outlet, in order with
//! everything else.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocket, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error, Message};

use super::{Outlet, Wire, outlet};

/// Bytes tungstenite reads at a time; a tablet's command is a few hundred bytes, and a frame
/// larger than this grows the buffer only while it is read.
const READ_CHUNK: usize = 128;

pub struct Inlet {
    ws: WebSocket<Io>,
}

/// The socket as tungstenite sees it: first the bytes read ahead (by HTTP, or by the outlet's
/// last read), then the outlet's reads; writes go to the outlet's queue.
struct Io {
    outlet: Arc<Outlet>,
    early: Bytes,
}

impl Read for Io {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.early.is_empty() {
            let n = buf.len().min(self.early.len());
            buf[..n].copy_from_slice(&self.early[..n]);
            self.early.advance(n);
            if self.early.is_empty() {
                self.early = Bytes::new();
            }
            return Ok(n);
        }
        self.outlet.read(buf, &mut self.early)
    }
}

impl Write for Io {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outlet.queue_own(outlet::raw(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Inlet {
    /// Reads the tablet's frames of at most `max_frame` bytes.
    pub fn new(wire: Wire, max_frame: usize) -> Inlet {
        let config = WebSocketConfig::default()
            .read_buffer_size(READ_CHUNK)
            .write_buffer_size(0)
            .max_message_size(Some(max_frame))
            .max_frame_size(Some(max_frame));
        let io = Io {
            outlet: wire.outlet,
            early: wire.early,
        };
        Inlet {
            ws: WebSocket::from_raw_socket(io, Role::Server, Some(config)),
        }
    }

    /// The next message from the tablet, if one has come; else `cx` is woken when the socket
    /// has more. What was read of a frame stays in the inlet.
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Message, Error>> {
        loop {
            match self.ws.read() {
                Ok(m) => return Poll::Ready(Ok(m)),
                Err(Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
            let outlet = &self.ws.get_ref().outlet;
            // A pong tungstenite queued goes out now (a full socket wakes the task to finish).
            if outlet.has_pending() {
                outlet.flush();
            }
            match outlet.tcp().poll_read_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(Error::Io(e))),
            }
        }
    }

    /// The next message from the tablet, waiting for the socket as needed. Cancel-safe.
    pub async fn next(&mut self) -> Result<Message, Error> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    /// Hands what tungstenite still holds to write (the answer to a close) to the outlet.
    pub fn flush(&mut self) {
        let _ = self.ws.flush();
    }
}
