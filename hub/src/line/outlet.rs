//! A tablet's outlet: the write side of its socket, shared by the switchboard and the tablet's
//! own task. The switchboard queues frames (shared bytes, no copy) and, once per batch of work,
//! writes what each tablet has queued straight to its socket with one vectored write — no task
//! is woken and nothing is copied for a tablet whose socket takes it. Only when a socket is full
//! does the tablet's task take over: it waits for the socket and writes the rest, within the
//! write timeout.
//!
//! Over TLS the frames go through the connection's rustls state (encrypted per tablet, as they
//! must be), behind the same lock, which is never held across an `.await`.

use std::collections::VecDeque;
use std::io::{self, IoSlice, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use protocol::CloseCode;
#[cfg(test)]
use protocol::Codec;
use std::task::{Context, Waker};

use tokio::net::TcpStream;

use super::Framed;

/// Most frames handed to one vectored write.
const FRAMES_PER_WRITE: usize = 64;

/// Most bytes one read takes from a tablet's socket ([`Outlet::read`]).
const READ_AHEAD: usize = 16 * 1024;

thread_local! {
    /// The buffer a worker thread reads tablets' sockets into; only what a tablet's own
    /// buffer has no room for is kept for it.
    static READ_BUFFER: std::cell::RefCell<Box<[u8]>> =
        std::cell::RefCell::new(vec![0; READ_AHEAD].into_boxed_slice());
}

pub struct Outlet {
    tcp: TcpStream,
    pending: Mutex<Pending>,
    /// When the tablet was last heard from ([`now_ms`]): the switchboard pings a quiet tablet
    /// and cuts off a silent one.
    heard: AtomicU64,
    /// The tablet reads bundles (it said so in `connect`): the server frames waiting when its
    /// socket is written go as one WebSocket frame ([`Framed::bundle`]).
    bundles: AtomicBool,
}

/// Milliseconds on the hub's monotonic clock, for when a tablet was last heard from.
pub fn now_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

struct Pending {
    frames: VecDeque<Framed>,
    /// WebSocket frames queued (a [joined](Framed::joined) entry counts each of its frames).
    count: usize,
    /// Bytes of the front frame already written.
    sent: usize,
    /// The connection's TLS state, when the tablet came over TLS.
    tls: Option<Box<rustls::ServerConnection>>,
    /// A write would have blocked: the tablet's task waits for the socket and writes the rest.
    stalled: bool,
    /// The socket failed: nothing more is written or queued.
    broken: bool,
    /// The hub ends the line with this close code (and reason, when not the code's own) once
    /// what is queued is written.
    closing: Option<(CloseCode, Option<Box<str>>)>,
    /// The tablet's task is wanted: its socket was full, or the hub closes the line.
    woken: bool,
    /// How to wake the tablet's task.
    waker: Option<Waker>,
}

/// What a [`Outlet::flush`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Flushed {
    /// Everything queued is on its way.
    Done,
    /// The socket is full; the tablet's task writes the rest when it can.
    Stalled,
    /// The socket failed.
    Broken,
}

/// Why [`Outlet::drain`] gave up.
#[derive(Debug, PartialEq, Eq)]
pub enum DrainFailed {
    /// The socket took nothing for the write timeout: a tablet that stopped reading.
    Timeout,
    /// The socket failed (the tablet is gone).
    Broken,
}

impl Outlet {
    pub fn new(tcp: TcpStream, tls: Option<rustls::ServerConnection>) -> Outlet {
        Outlet {
            tcp,
            pending: Mutex::new(Pending {
                frames: VecDeque::new(),
                count: 0,
                sent: 0,
                tls: tls.map(Box::new),
                stalled: false,
                broken: false,
                closing: None,
                woken: false,
                waker: None,
            }),
            heard: AtomicU64::new(now_ms()),
            bundles: AtomicBool::new(false),
        }
    }

    /// The tablet reads bundles (it said so in `connect`): from now on, the server frames
    /// waiting when its socket is written go as one frame ([`Framed::bundle`]).
    pub fn read_bundles(&self) {
        self.bundles.store(true, Ordering::Relaxed);
    }

    /// Whether the tablet reads bundles.
    pub fn reads_bundles(&self) -> bool {
        self.bundles.load(Ordering::Relaxed)
    }

    /// The tablet was heard from (any frame, a pong included).
    pub fn heard(&self) {
        self.heard.store(now_ms(), Ordering::Relaxed);
    }

    /// How long the tablet has been quiet, in ms.
    pub fn quiet_ms(&self) -> u64 {
        now_ms().saturating_sub(self.heard.load(Ordering::Relaxed))
    }

    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        // A panic while holding this lock leaves plain data behind, still usable.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a frame, without writing. A tablet that would have more than `most` frames
    /// waiting that its socket will not take is too slow to keep (4001); one whose socket
    /// failed or whose line is closing is gone.
    ///
    /// Past `most`, what is queued is first written as far as the socket takes it now: frames
    /// wait here until the switchboard writes its batch, so one busy turn (the calls that came
    /// in while the machine froze for a few milliseconds) can queue more than `most` for a
    /// tablet that reads everything at once. Only a socket that is full is a slow reader.
    pub fn queue(&self, frame: Framed, most: usize) -> Result<(), CloseCode> {
        let mut p = self.lock();
        if p.count.saturating_add(frame.frames()) > most && !p.stalled {
            let _: Flushed = self.write_now(p);
            p = self.lock();
        }
        p.admit(frame, most)
    }

    /// How many frames wait to be written.
    pub fn queued(&self) -> usize {
        self.lock().count
    }

    /// Writes what is queued, as far as the socket takes it now; never waits. A full socket
    /// wakes the tablet's task to write the rest.
    pub fn flush(&self) -> Flushed {
        self.write_now(self.lock())
    }

    fn write_now(&self, mut p: MutexGuard<'_, Pending>) -> Flushed {
        if p.broken {
            return Flushed::Broken;
        }
        if p.stalled {
            return Flushed::Stalled;
        }
        match write(&self.tcp, &mut p, self.reads_bundles()) {
            Ok(()) => Flushed::Done,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                p.stalled = true;
                wake(p);
                Flushed::Stalled
            }
            Err(_) => {
                p.broken = true;
                wake(p);
                Flushed::Broken
            }
        }
    }

    /// For the tablet's task: writes everything queued, waiting for the socket as needed, each
    /// wait at most `limit`.
    pub async fn drain(&self, limit: Duration) -> Result<(), DrainFailed> {
        loop {
            {
                let mut p = self.lock();
                if p.broken {
                    return Err(DrainFailed::Broken);
                }
                p.stalled = false;
                match write(&self.tcp, &mut p, self.reads_bundles()) {
                    Ok(()) => return Ok(()),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => p.stalled = true,
                    Err(_) => {
                        p.broken = true;
                        return Err(DrainFailed::Broken);
                    }
                }
            }
            match tokio::time::timeout(limit, self.tcp.writable()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    self.lock().broken = true;
                    return Err(DrainFailed::Broken);
                }
                Err(_) => return Err(DrainFailed::Timeout),
            }
        }
    }

    /// Whether frames wait to be written.
    pub fn has_pending(&self) -> bool {
        let p = self.lock();
        !p.frames.is_empty() || p.tls.as_ref().is_some_and(|t| t.wants_write())
    }

    /// Ends the line with `code` once what is queued is written (the first reason given wins).
    pub fn close(&self, code: CloseCode) {
        self.close_because(code, None);
    }

    /// The same, saying why in the close frame (`None`: the code's own reason).
    pub fn close_because(&self, code: CloseCode, why: Option<String>) {
        let mut p = self.lock();
        if p.closing.is_none() {
            p.closing = Some((code, why.map(String::into_boxed_str)));
        }
        wake(p);
    }

    /// The close the hub asked for, if any, and its reason when not the code's own.
    pub fn closing(&self) -> Option<(CloseCode, Option<String>)> {
        let p = self.lock();
        let (code, why) = p.closing.as_ref()?;
        Some((*code, why.as_deref().map(str::to_owned)))
    }

    /// Whether the switchboard wants the tablet's task (a full socket, or a close) — once per
    /// wake; if not, `cx` is woken when it does.
    pub fn take_woken(&self, cx: &Context<'_>) -> bool {
        let mut p = self.lock();
        if std::mem::take(&mut p.woken) {
            return true;
        }
        match &p.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => p.waker = Some(cx.waker().clone()),
        }
        false
    }

    /// The tablet's task's own frames (replies, pings, a close): queued whatever the count —
    /// the task writes them itself with [`drain`](Self::drain).
    pub fn queue_own(&self, frame: Framed) {
        self.lock().push(frame);
    }

    /// [`queue_own`](Self::queue_own) for several frames at once (a welcome and the backlog
    /// behind it): one lock, and the queue grown once.
    pub fn queue_own_all(&self, frames: impl Iterator<Item = Framed>) {
        let mut p = self.lock();
        p.frames.reserve(frames.size_hint().0);
        for frame in frames {
            p.push(frame);
        }
    }

    /// Plaintext read from the socket: straight from it, or through TLS. `WouldBlock` when
    /// nothing has come. Straight from the socket, one read takes all that has come (up to
    /// [`READ_AHEAD`]): what `buf` has no room for is put in `rest`, to be read before the
    /// socket is asked again.
    pub fn read(&self, buf: &mut [u8], rest: &mut Bytes) -> io::Result<usize> {
        let mut p = self.lock();
        let Some(tls) = p.tls.as_mut() else {
            drop(p);
            return self.read_plain(buf, rest);
        };
        loop {
            match tls.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            if tls.read_tls(&mut Socket(&self.tcp))? == 0 {
                return Ok(0);
            }
            if let Err(e) = tls.process_new_packets() {
                // Tell the tablet why (a TLS alert), as far as the socket takes it now.
                let _ = tls.write_tls(&mut Socket(&self.tcp));
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
        }
    }

    /// [`read`](Self::read) from a plain socket. tungstenite asks for a small chunk at a time
    /// (see `inlet::READ_CHUNK`, which keeps an idle tablet small); read that way, a tablet
    /// calling fast cost the hub a system call for every command or two, and one more to
    /// find the socket empty. Here one read takes what has come, and a read that leaves the
    /// socket empty (it gave less than asked for) tells tokio so — as tokio's own
    /// `AsyncRead` does — so the next read waits for the socket to be ready again without
    /// asking it. Data that comes meanwhile makes it ready again: tokio clears only the
    /// readiness it saw before the read.
    fn read_plain(&self, buf: &mut [u8], rest: &mut Bytes) -> io::Result<usize> {
        READ_BUFFER.with_borrow_mut(|ahead| {
            let mut got = None;
            let read = self.tcp.try_io(tokio::io::Interest::READABLE, || {
                let sock = socket2::SockRef::from(&self.tcp);
                let n = (&*sock).read(ahead)?;
                got = Some(n);
                if n > 0 && n < ahead.len() {
                    // Emptied: tokio clears the socket's readiness on this.
                    Err(io::ErrorKind::WouldBlock.into())
                } else {
                    Ok(n)
                }
            });
            let Some(n) = got else {
                return read;
            };
            let k = n.min(buf.len());
            buf[..k].copy_from_slice(&ahead[..k]);
            if n > k {
                *rest = Bytes::copy_from_slice(&ahead[k..n]);
            }
            Ok(k)
        })
    }

    /// Says goodbye at the transport: TLS's close_notify, then no more writes from the hub.
    pub fn shut(&self) {
        let mut p = self.lock();
        if let Some(tls) = p.tls.as_mut() {
            tls.send_close_notify();
            let _ = tls.write_tls(&mut Socket(&self.tcp));
        }
        drop(p);
        let _ = socket2::SockRef::from(&self.tcp).shutdown(std::net::Shutdown::Write);
    }
}

impl Pending {
    /// Queues a frame unless the line is gone or the queue would pass `most` frames.
    fn admit(&mut self, frame: Framed, most: usize) -> Result<(), CloseCode> {
        if self.broken || self.closing.is_some() {
            return Err(CloseCode::Shutdown);
        }
        if self.count.saturating_add(frame.frames()) > most {
            return Err(CloseCode::Slow);
        }
        self.push(frame);
        Ok(())
    }

    fn push(&mut self, frame: Framed) {
        self.count += frame.frames();
        self.frames.push_back(frame);
    }

    fn pop(&mut self) {
        if let Some(f) = self.frames.pop_front() {
            self.count -= f.frames();
        }
        self.sent = 0;
    }
}

/// Fills a socket's buffers with bytes nobody reads, until it takes no more: a tablet that
/// stopped reading, for tests.
#[cfg(test)]
pub(crate) fn fill(tcp: &TcpStream) {
    let junk = [0u8; 64 * 1024];
    while tcp.try_write(&junk).is_ok() {}
}

/// Wants the tablet's task, and wakes it (after letting go of the lock).
fn wake(mut p: MutexGuard<'_, Pending>) {
    p.woken = true;
    let waker = p.waker.take();
    drop(p);
    if let Some(w) = waker {
        w.wake();
    }
}

/// Writes the queued frames until they are all written, or the socket would block (an error
/// of kind `WouldBlock`), or fails.
fn write(tcp: &TcpStream, p: &mut Pending, bundles: bool) -> io::Result<()> {
    if p.tls.is_some() {
        return write_tls(tcp, p, bundles);
    }
    while !p.frames.is_empty() {
        if bundles {
            bundle_runs(p);
        }
        let mut slices = [IoSlice::new(&[]); 2 * FRAMES_PER_WRITE];
        let mut n = 0;
        let mut skip = p.sent;
        for frame in p.frames.iter().take(FRAMES_PER_WRITE) {
            for part in [frame.head(), frame.body()] {
                if skip >= part.len() {
                    skip -= part.len();
                    continue;
                }
                slices[n] = IoSlice::new(&part[skip..]);
                skip = 0;
                n += 1;
            }
        }
        let written = send(tcp, &slices[..n])?;
        if written == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        advance(p, written);
    }
    // The queue's memory goes back once a burst is written: an idle tablet holds none.
    if p.frames.capacity() > FRAMES_PER_WRITE {
        p.frames = VecDeque::new();
    }
    Ok(())
}

/// For a tablet that reads bundles: puts each run of server frames about to be written — of
/// one codec, none of them begun, up to [`Framed::BUNDLE_BYTES`] — into one bundle. The tablet then
/// reads one frame where it would have read many. Pings and closes stay frames of their own,
/// in their place.
fn bundle_runs(p: &mut Pending) {
    // A frame begun is written on as it is.
    let mut i = usize::from(p.sent != 0);
    let mut end = p.frames.len().min(FRAMES_PER_WRITE);
    while i + 1 < end {
        if let Some(codec) = p.frames[i].bundles_as() {
            let mut bytes = 0;
            let run = p
                .frames
                .range(i..end)
                .take_while(|f| {
                    bytes += f.body_len() + 1;
                    f.bundles_as() == Some(codec) && bytes <= Framed::BUNDLE_BYTES
                })
                .count();
            if run >= 2 {
                let bundle = Framed::bundle(codec, p.frames.range(i..i + run));
                p.frames.drain(i..i + run);
                p.frames.insert(i, bundle);
                end -= run - 1;
            }
        }
        i += 1;
    }
}

/// Sends what it can of `slices` now, with `send`/`sendmsg` straight to the socket (not
/// `write`/`writev`, which go through the file layer first: a few percent of a fan-out's CPU).
/// `WouldBlock` when the socket is full.
fn send(tcp: &TcpStream, slices: &[IoSlice<'_>]) -> io::Result<usize> {
    let sock = socket2::SockRef::from(tcp);
    tcp.try_io(tokio::io::Interest::WRITABLE, || match slices {
        [one] => sock.send_with_flags(one, libc::MSG_NOSIGNAL),
        _ => sock.send_vectored_with_flags(slices, libc::MSG_NOSIGNAL),
    })
}

/// Marks `written` bytes of the queue as sent.
fn advance(p: &mut Pending, mut written: usize) {
    while written > 0 {
        let Some(front) = p.frames.front() else {
            return;
        };
        let left = front.wire_len() - p.sent;
        if written >= left {
            written -= left;
            p.pop();
        } else {
            p.sent += written;
            written = 0;
        }
    }
}

/// The same through TLS: frames are handed to rustls as far as its buffer takes them, and its
/// records written to the socket.
fn write_tls(tcp: &TcpStream, p: &mut Pending, bundles: bool) -> io::Result<()> {
    loop {
        if bundles {
            bundle_runs(p);
        }
        while let Some(front) = p.frames.front() {
            let (head, body) = (front.head(), front.body());
            let rest = if p.sent < head.len() {
                &head[p.sent..]
            } else {
                &body[p.sent - head.len()..]
            };
            if rest.is_empty() {
                // Nothing at all in it.
                p.pop();
                continue;
            }
            let tls = p.tls.as_mut().expect("write_tls is called with TLS");
            let taken = tls.writer().write(rest)?;
            if taken == 0 {
                break; // rustls's buffer is full: write its records first
            }
            advance(p, taken);
        }
        let tls = p.tls.as_mut().expect("write_tls is called with TLS");
        if !tls.wants_write() {
            if p.frames.is_empty() {
                return Ok(());
            }
            continue;
        }
        tls.write_tls(&mut Socket(tcp))?;
    }
}

/// The tokio socket as a non-blocking `Read + Write` for rustls.
struct Socket<'a>(&'a TcpStream);

impl Read for Socket<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }
}

impl Write for Socket<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Bytes tungstenite writes on its own (a pong, the answer to a close), queued as they are.
pub fn raw(bytes: &[u8]) -> Framed {
    Framed::raw(Bytes::copy_from_slice(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;
    use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

    /// An outlet on a real socket, and the tablet's end of it.
    async fn line() -> (Outlet, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tablet = TcpStream::connect(listener.local_addr().unwrap());
        let (tablet, hub) = tokio::join!(tablet, listener.accept());
        (Outlet::new(hub.unwrap().0, None), tablet.unwrap())
    }

    /// Every WebSocket frame the tablet reads until the hub is done: its opcode and payload.
    async fn read_all(tablet: &mut TcpStream) -> Vec<(String, String)> {
        let mut wire = Vec::new();
        tablet.read_to_end(&mut wire).await.unwrap();
        let mut cursor = io::Cursor::new(&wire[..]);
        let mut frames = Vec::new();
        while (cursor.position() as usize) < wire.len() {
            let (head, len) = FrameHeader::parse(&mut cursor).unwrap().unwrap();
            let start = cursor.position() as usize;
            let payload = &wire[start..start + len as usize];
            frames.push((
                head.opcode.to_string(),
                String::from_utf8_lossy(payload).into_owned(),
            ));
            cursor.set_position((start + len as usize) as u64);
        }
        frames
    }

    /// Reads what the tablet sent until `got` has `n` bytes, through a buffer as small as
    /// tungstenite's, with what a read took beyond it kept in `rest` (as the inlet does).
    async fn read_to(outlet: &Outlet, rest: &mut Bytes, got: &mut Vec<u8>, n: usize) {
        let mut buf = [0u8; 128];
        while got.len() < n {
            if !rest.is_empty() {
                let k = buf.len().min(rest.len());
                got.extend_from_slice(&rest.split_to(k));
                continue;
            }
            match outlet.read(&mut buf, rest) {
                Ok(0) => panic!("the tablet's end closed after {} bytes", got.len()),
                Ok(k) => got.extend_from_slice(&buf[..k]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    tokio::time::timeout(Duration::from_secs(5), outlet.tcp().readable())
                        .await
                        .expect("the socket never became readable again: its readiness was lost")
                        .unwrap();
                }
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    #[tokio::test]
    async fn a_burst_is_read_whole_and_in_order_and_what_comes_after_it_is_still_read() {
        use tokio::io::AsyncWriteExt;
        let (outlet, mut tablet) = line().await;
        // More than one read takes, in one go.
        let burst: Vec<u8> = (0..3 * READ_AHEAD + 77).map(|i| (i % 251) as u8).collect();
        tablet.write_all(&burst).await.unwrap();
        let (mut rest, mut got) = (Bytes::new(), Vec::new());
        read_to(&outlet, &mut rest, &mut got, burst.len()).await;
        assert_eq!(got, burst, "the burst as sent");
        // The socket was emptied by a read that took less than it asked for: the next bytes
        // still wake the reader.
        for word in [&b"after"[..], b"and again"] {
            tokio::time::sleep(Duration::from_millis(20)).await;
            tablet.write_all(word).await.unwrap();
            let mut after = Vec::new();
            read_to(&outlet, &mut rest, &mut after, word.len()).await;
            assert_eq!(after, word);
        }
    }

    fn event(offset: u64) -> Framed {
        Framed::text(Bytes::from(format!(r#"{{"offset":{offset}}}"#)))
    }

    #[tokio::test]
    async fn what_waits_for_a_tablet_that_reads_bundles_goes_as_one_frame() {
        for bundles in [false, true] {
            let (outlet, mut tablet) = line().await;
            if bundles {
                outlet.read_bundles();
            }
            let queued = [
                event(1),
                event(2),
                Framed::ping(b"radio"),
                event(3),
                event(4),
                event(5),
            ];
            for frame in queued {
                outlet.queue(frame, 10).unwrap();
            }
            assert_eq!(outlet.flush(), Flushed::Done);
            assert!(!outlet.has_pending());
            outlet.shut();
            let frames = read_all(&mut tablet).await;
            let frames: Vec<(&str, &str)> = frames
                .iter()
                .map(|(op, p)| (op.as_str(), p.as_str()))
                .collect();
            let want: &[(&str, &str)] = if bundles {
                &[
                    ("TEXT", r#"[{"offset":1},{"offset":2}]"#),
                    ("PING", "radio"),
                    ("TEXT", r#"[{"offset":3},{"offset":4},{"offset":5}]"#),
                ]
            } else {
                &[
                    ("TEXT", r#"{"offset":1}"#),
                    ("TEXT", r#"{"offset":2}"#),
                    ("PING", "radio"),
                    ("TEXT", r#"{"offset":3}"#),
                    ("TEXT", r#"{"offset":4}"#),
                    ("TEXT", r#"{"offset":5}"#),
                ]
            };
            assert_eq!(frames, want, "bundles: {bundles}");
        }
    }

    #[tokio::test]
    async fn a_tablet_is_still_bounded_by_the_frames_it_has_waiting() {
        let (outlet, _tablet) = line().await;
        fill(outlet.tcp());
        outlet.read_bundles();
        let burst = Framed::bundle(Codec::Json, [event(1), event(2), event(3)].iter());
        outlet.queue(burst, 4).unwrap();
        assert_eq!(outlet.queue(event(4), 4), Ok(()));
        // Five frames waiting would be more than four, bundled or not.
        assert_eq!(outlet.queue(event(5), 4), Err(CloseCode::Slow));
    }

    #[tokio::test]
    async fn a_turn_that_queues_past_the_limit_for_a_tablet_that_reads_is_written_not_cut_off() {
        let (outlet, mut tablet) = line().await;
        // Ten frames in one turn, for a tablet allowed four waiting: its socket takes them.
        for n in 1..=10 {
            assert_eq!(outlet.queue(event(n), 4), Ok(()), "frame {n}");
        }
        assert_eq!(outlet.flush(), Flushed::Done);
        outlet.shut();
        let frames = read_all(&mut tablet).await;
        let want: Vec<_> = (1..=10)
            .map(|n| ("TEXT".to_owned(), format!("{{\"offset\":{n}}}")))
            .collect();
        assert_eq!(frames, want, "every frame, in order");
    }
}
