//! A tablet's line: its WebSocket, taken over from HTTP by the hub itself so that the write side
//! can be shared. The switchboard writes each event's frame — made once, header and all — to
//! every socket that may see it, batching a burst into one write per tablet; the tablet's task
//! reads commands and takes over writing only when a socket is full.
//!
//! - [`upgrade`]: the HTTP handshake to a WebSocket, and the socket (and its TLS) it yields.
//! - [`Framed`]: a server frame ready for the wire, shared by every tablet that gets it.
//! - [`Press`]: where frames are made, many to a shared chunk.
//! - [`Outlet`]: the write side, shared by the switchboard and the tablet's task.
//! - [`Inlet`]: the read side — tungstenite reading the tablet's frames (masking, control
//!   frames, fragments, limits) from the socket without a buffer of its own while idle.

mod framed;
mod inlet;
mod outlet;
mod press;
pub mod upgrade;

pub use framed::Framed;
pub use inlet::Inlet;
#[cfg(test)]
pub(crate) use outlet::fill;
pub use outlet::{DrainFailed, Flushed, Outlet};
pub use press::Press;

/// A tablet's socket once upgraded: its outlet, and the bytes the tablet sent right behind its
/// request (read by HTTP already), which come first.
pub struct Wire {
    pub outlet: std::sync::Arc<Outlet>,
    pub early: bytes::Bytes,
}
