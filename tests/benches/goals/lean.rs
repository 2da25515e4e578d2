//! A listening tablet cut down to what the stall and storm parts measure, so that the load's
//! own cost weighs as little as it can on the cores it shares with the hub: the real protocol
//! over a real socket — the WebSocket upgrade, `connect` (with bundles, and a resume after a cut-off),
//! every frame the hub sends read and taken apart, pings answered — but each frame decoded
//! only as far as those parts look (a frame's type, an event's offset, a free-text call's
//! text, the welcome's epoch and recovery), borrowing from the read buffer instead of building
//! the typed [`protocol::Event`] the `tablet` crate hands out.
//!
//! The stall part's 1,000 `tablet`-crate clients used more CPU than the hub did (at 50% load,
//! 96% of a core against the hub's 85%, on a machine of two): the hub's p99 there measured the
//! machine running out of cores as much as the hub. These measure the hub.

use std::net::SocketAddr;

use integration::skim::{Read, Skim};
use protocol::envelope::Resume;
use protocol::{ClientFrame, Codec, Command};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Whether a part's clients are lean (`lean`, the default) or the `tablet` crate's full ones
/// (`tablet`), as the knob `var` says.
pub fn chosen(var: &str) -> Result<bool, String> {
    match std::env::var(var).as_deref() {
        Err(_) | Ok("lean") => Ok(true),
        Ok("tablet") => Ok(false),
        Ok(other) => Err(format!("{var}={other}: lean (the default) or tablet")),
    }
}

/// What a read buffer starts at; it grows for a frame larger than it (a resume's replay).
const BUFFER: usize = 16 * 1024;

/// What the welcome said.
pub struct Welcome {
    pub epoch: u64,
    /// The offset the next event will get.
    pub head: u64,
    /// Where the hub resumes from, when it said `recovered`.
    pub recovered_from: Option<u64>,
    /// The welcome's recovery outcome as it was sent (`live`, `recovered`, …), or `none`.
    pub outcome: String,
}

impl Welcome {
    /// The hub could not resume from where the tablet asked (it must take a snapshot).
    pub fn snapshot_needed(&self) -> bool {
        self.outcome == "snapshot_needed"
    }
}

/// One frame as far as the parts read it; everything else in it is stepped over unread.
#[derive(Default)]
struct Frame<'a> {
    kind: &'a [u8],
    offset: u64,
    /// An event's text, when it is a free-text call.
    free_text: Option<&'a [u8]>,
    /// A reply's body, when it is a welcome.
    welcome: Option<Welcome>,
}

impl<'a> Frame<'a> {
    /// `{type, offset, what: {kind, call: {intent: {kind, text}}}, body: {…}}`, in any order.
    fn read(s: &mut Skim<'a>) -> Read<Frame<'a>> {
        let mut f = Frame::default();
        for _ in 0..s.map()? {
            match s.str()? {
                b"type" => f.kind = s.str()?,
                b"offset" => f.offset = s.uint()?,
                b"what" => f.free_text = free_text(s)?,
                b"body" => f.welcome = welcome(s)?,
                _ => s.skip()?,
            }
        }
        Ok(f)
    }
}

/// An event's `what`: its text when it is a call placed with a free-text intent.
fn free_text<'a>(s: &mut Skim<'a>) -> Read<Option<&'a [u8]>> {
    let (mut kind, mut text) = (&b""[..], None);
    for _ in 0..s.map()? {
        match s.str()? {
            b"kind" => kind = s.str()?,
            b"call" => {
                for _ in 0..s.map()? {
                    if s.str()? != b"intent" {
                        s.skip()?;
                        continue;
                    }
                    let mut free = false;
                    for _ in 0..s.map()? {
                        match s.str()? {
                            b"kind" => free = s.str()? == b"free",
                            b"text" => text = s.str_or_nil()?,
                            _ => s.skip()?,
                        }
                    }
                    text = text.filter(|_| free);
                }
            }
            _ => s.skip()?,
        }
    }
    Ok(text.filter(|_| kind == b"call_placed"))
}

/// A reply's `body`: the welcome, when it is one.
fn welcome(s: &mut Skim<'_>) -> Read<Option<Welcome>> {
    let mut w = Welcome {
        epoch: 0,
        head: 0,
        recovered_from: None,
        outcome: "none".into(),
    };
    let mut is_welcome = false;
    for _ in 0..s.map()? {
        match s.str()? {
            b"kind" => is_welcome = s.str()? == b"welcome",
            b"epoch" => w.epoch = s.uint()?,
            b"head" => w.head = s.uint()?,
            b"recovery" => {
                let mut from = None;
                for _ in 0..s.map()? {
                    match s.str()? {
                        b"outcome" => w.outcome = String::from_utf8_lossy(s.str()?).into_owned(),
                        b"from" => from = Some(s.uint()?),
                        _ => s.skip()?,
                    }
                }
                w.recovered_from = from.filter(|_| w.outcome == "recovered");
            }
            _ => s.skip()?,
        }
    }
    Ok(is_welcome.then_some(w))
}

/// What a listening tablet hears: the events it is sent, and the welcome.
pub enum Heard<'a> {
    Welcome(Welcome),
    /// An event at this offset, read at `at`; the text's bytes (unchecked) when it is a
    /// free-text call.
    Event {
        offset: u64,
        free_text: Option<&'a [u8]>,
        at: Instant,
    },
}

/// One listening tablet's connection.
pub struct Lean {
    tcp: TcpStream,
    buf: Vec<u8>,
    /// Bytes of `buf` read and not yet taken apart: `buf[start..end]`.
    start: usize,
    end: usize,
}

impl Lean {
    /// Upgrades a socket to `path` on `addr` and sends `connect` with `token` (and `resume`).
    pub async fn connect(
        addr: SocketAddr,
        path: &str,
        token: &str,
        resume: Option<Resume>,
    ) -> Result<Lean, String> {
        let mut tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: {}\r\n\r\n",
            Codec::MsgPack.subprotocol()
        );
        tcp.write_all(request.as_bytes())
            .await
            .map_err(|e| format!("cannot send the upgrade: {e}"))?;
        let mut lean = Lean {
            tcp,
            buf: vec![0; BUFFER],
            start: 0,
            end: 0,
        };
        // The hub's answer to the upgrade: nothing else comes before `connect` is sent.
        let head_end = loop {
            if let Some(i) = lean.buf[..lean.end]
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
            {
                break i + 4;
            }
            if lean.end == lean.buf.len() {
                return Err("the upgrade's answer is too long".into());
            }
            lean.fill().await?;
        };
        let head = String::from_utf8_lossy(&lean.buf[..head_end]);
        if !head.starts_with("HTTP/1.1 101") {
            return Err(format!(
                "the hub refused the upgrade: {}",
                head.lines().next().unwrap_or("")
            ));
        }
        lean.start = head_end;
        let connect = ClientFrame {
            id: 0,
            cmd: Command::Connect {
                token: token.to_owned(),
                resume,
                bundles: true,
            },
        };
        let bytes = Codec::MsgPack
            .encode(&connect)
            .map_err(|e| format!("cannot encode connect: {e}"))?;
        lean.send(0x2, &bytes).await?;
        Ok(lean)
    }

    /// Reads what the hub sent next and hands each event (and a welcome) to `heard`, in
    /// order; answers a ping on the way. An error when the line ended (a close from the hub,
    /// or the socket), saying why.
    pub async fn hear(&mut self, mut heard: impl FnMut(Heard<'_>)) -> Result<(), String> {
        loop {
            match self.frame()? {
                Some((0x2, range)) => {
                    let at = Instant::now();
                    let unreadable = |e: String| format!("a frame the bench cannot read: {e}");
                    let mut s = Skim::new(&self.buf[range]);
                    // A bundle is an array, a frame alone a map: the first byte tells which.
                    let frames = match s.peek() {
                        Some(0x90..=0x9f | 0xdc | 0xdd) => s.array().map_err(unreadable)?,
                        _ => 1,
                    };
                    for _ in 0..frames {
                        hand(Frame::read(&mut s).map_err(unreadable)?, at, &mut heard);
                    }
                    return Ok(());
                }
                Some((0x9, range)) => {
                    let ping = self.buf[range].to_vec();
                    self.send(0xA, &ping).await?;
                }
                Some((0x8, range)) => {
                    let code = self.buf[range]
                        .get(..2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]));
                    return Err(format!("the hub closed the line ({code:?})"));
                }
                Some((opcode, _)) => {
                    return Err(format!("a frame of opcode {opcode:#x} the hub never sends"));
                }
                None => self.fill().await?,
            }
        }
    }

    /// The next whole WebSocket frame in the buffer (its opcode and where its payload is), or
    /// `None` when more must be read first.
    fn frame(&mut self) -> Result<Option<(u8, std::ops::Range<usize>)>, String> {
        let b = &self.buf[self.start..self.end];
        if b.len() < 2 {
            return Ok(None);
        }
        if b[0] & 0x80 == 0 || b[1] & 0x80 != 0 {
            return Err("a fragmented or masked frame: the hub sends neither".into());
        }
        let (len, head) = match b[1] & 0x7f {
            126 if b.len() >= 4 => (u16::from_be_bytes([b[2], b[3]]) as usize, 4),
            127 if b.len() >= 10 => {
                let mut n = [0; 8];
                n.copy_from_slice(&b[2..10]);
                (u64::from_be_bytes(n) as usize, 10)
            }
            126 | 127 => return Ok(None),
            n => (n as usize, 2),
        };
        if b.len() < head + len {
            // A frame longer than the buffer: grow it to take the whole frame.
            if self.start + head + len > self.buf.len() {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
                if head + len > self.buf.len() {
                    self.buf.resize(head + len, 0);
                }
            }
            return Ok(None);
        }
        let opcode = b[0] & 0x0f;
        let range = self.start + head..self.start + head + len;
        self.start = range.end;
        Ok(Some((opcode, range)))
    }

    /// Reads more from the socket (what is left of the buffer moved to its front first).
    async fn fill(&mut self) -> Result<(), String> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        match self.tcp.read(&mut self.buf[self.end..]).await {
            Ok(0) => Err("the hub ended the connection".into()),
            Ok(n) => {
                self.end += n;
                Ok(())
            }
            Err(e) => Err(format!("the socket failed: {e}")),
        }
    }

    /// Sends one frame from the tablet (masked, as a client's must be).
    async fn send(&mut self, opcode: u8, payload: &[u8]) -> Result<(), String> {
        const MASK: [u8; 4] = [0x5a, 0xa5, 0x3c, 0xc3];
        let mut frame = Vec::with_capacity(payload.len() + 14);
        frame.push(0x80 | opcode);
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= u16::MAX as usize => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&MASK);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
        self.tcp
            .write_all(&frame)
            .await
            .map_err(|e| format!("cannot write to the hub: {e}"))
    }
}

/// Hands one frame on: an event, or the welcome; other replies and errors are not the parts'.
fn hand<'a>(f: Frame<'a>, at: Instant, heard: &mut impl FnMut(Heard<'a>)) {
    match (f.kind, f.welcome) {
        (b"event", _) => heard(Heard::Event {
            offset: f.offset,
            at,
            free_text: f.free_text,
        }),
        (b"reply", Some(w)) => heard(Heard::Welcome(w)),
        _ => {}
    }
}
