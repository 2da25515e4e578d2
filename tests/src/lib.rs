//! The harness for end-to-end tests: a real hub on 127.0.0.1:0 with its own data folder, tokens
//! minted from its secret, and tablets connected over real WebSockets; [`browser`] drives the
//! hub's pages in a real headless Chromium.

// Every dependency in Cargo.toml is used by the library; one that is not is a warning (CI
// denies it). Test-only crates belong in dev-dependencies.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod browser;
pub mod fetch;
pub mod posts;
pub mod site;
pub mod skim;

pub use posts::Posts;
pub use site::Site;

use std::path::{Path, PathBuf};
use std::time::Duration;

use hub::{Config, Keys};
use protocol::{Codec, Event, Station};
use tablet::{Options, Tablet, Welcome};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a test waits for something that should happen, and for proof that something did not.
pub const WAIT: Duration = Duration::from_secs(5);
pub const QUIET: Duration = Duration::from_millis(400);

/// A hub running inside the test process.
pub struct TestHub {
    pub addr: std::net::SocketAddr,
    pub data: PathBuf,
    /// Whether it serves https and wss (see [`TestHub::start_tls`]).
    pub tls: bool,
    _dir: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), hub::HubError>>>,
}

impl TestHub {
    /// A hub with the default site and the given changes to its config.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestHub {
        let dir = tempfile::tempdir().expect("a temp dir");
        let data = dir.path().to_path_buf();
        let mut hub = TestHub::start_in(&data, tweak).await;
        hub._dir = Some(dir);
        hub
    }

    pub async fn start() -> TestHub {
        TestHub::start_with(|_| {}).await
    }

    /// A hub serving https and wss with a certificate for 127.0.0.1 and localhost, made in its
    /// data folder as `hub tls new` makes it (the CA at [`TestHub::ca`]).
    pub async fn start_tls(tweak: impl FnOnce(&mut Config)) -> TestHub {
        let dir = tempfile::tempdir().expect("a temp dir");
        let data = dir.path().to_path_buf();
        let hosts = ["127.0.0.1".to_owned(), "localhost".to_owned()];
        let made = hub::local_ca::make(&data, &hosts, 30, false).expect("a test certificate");
        let mut hub = TestHub::start_in(&data, |c| {
            c.tls = Some(hub::tls::CertFiles {
                cert: made.files.cert.clone(),
                key: made.files.key.clone(),
            });
            tweak(c)
        })
        .await;
        hub._dir = Some(dir);
        hub
    }

    /// Another site's CA and its hub certificate for 127.0.0.1, made in `dir`: what a tablet
    /// must not trust. Its files (`ca.crt`, `hub.key`, …) are in `dir/tls`.
    pub fn another_sites_tls(dir: &Path) -> hub::local_ca::TlsFiles {
        hub::local_ca::make(dir, &["127.0.0.1".to_owned()], 30, false)
            .expect("another site's certificate")
            .files
    }

    /// The site's CA certificate, for a TLS hub.
    pub fn ca(&self) -> PathBuf {
        hub::local_ca::TlsFiles::of(&self.data).ca_cert
    }

    /// A hub on an existing data folder (to test restarts).
    pub async fn start_in(data: &Path, tweak: impl FnOnce(&mut Config)) -> TestHub {
        TestHub::start_at(data, "127.0.0.1:0".parse().unwrap(), tweak).await
    }

    /// A hub on an existing data folder and a given address: a restart where the tablets
    /// expect it.
    pub async fn start_at(
        data: &Path,
        addr: std::net::SocketAddr,
        tweak: impl FnOnce(&mut Config),
    ) -> TestHub {
        let mut config = Config::new(data);
        // A test's own tablets read only when the test asks them something, so they answer
        // the hub's pings late on a busy machine; the liveness tests set their own.
        config.ping_after = std::time::Duration::from_secs(120);
        tweak(&mut config);
        let tls = config.tls.is_some();
        Keys::load_or_create(data).expect("the hub's signing key");
        let listener = hub::listen(addr).expect("bind the hub's address");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = hub::serve(listener, config, async move {
                let _ = stopped.await;
            })
            .await;
            // A hub that could not start shows up as a refused connection: say why.
            if let Err(e) = &served {
                eprintln!("the test hub stopped: {e}");
            }
            served
        });
        TestHub {
            addr,
            data: data.to_path_buf(),
            tls,
            _dir: None,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        format!("{scheme}://{}/ws", self.addr)
    }

    pub fn http(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// A token for a station, signed with this hub's secret.
    pub fn token(&self, station: &str) -> String {
        token_for(&self.data, station)
    }

    /// Connects a tablet for `station` ("L1", "X:张伟", …) speaking MessagePack.
    pub async fn tablet(&self, station: &str) -> Tablet {
        self.tablet_with(station, Options::default()).await.0
    }

    /// A TLS hub's tablets trust its CA unless told otherwise.
    pub async fn tablet_with(&self, station: &str, mut opts: Options) -> (Tablet, Welcome) {
        if self.tls && opts.roots.is_none() {
            opts.roots = Some(tablet::Roots::ca_file(&self.ca()).expect("the hub's CA"));
        }
        Tablet::connect(&self.url(), &self.token(station), opts)
            .await
            .unwrap_or_else(|e| panic!("{station} connects: {e}"))
    }

    pub async fn json_tablet(&self, station: &str) -> Tablet {
        self.tablet_with(station, Options::with_codec(Codec::Json))
            .await
            .0
    }

    /// Shuts the hub down as SIGTERM would, and waits for it.
    pub async fn stop(mut self) {
        self.stop_in_place().await;
    }

    async fn stop_in_place(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("the hub stops within 10 s")
                .expect("the hub task does not panic")
                .expect("the hub stops cleanly");
        }
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Where a test's hand-set hub clock starts, to play `span_ms` of one day of the test site
/// (the default zone, Beijing time) that began `ago_ms` before now — so the day ends about now.
/// When that span would cross the site's midnight, it is moved to end just before it: a test of
/// one day's board must not see the day roll over (groups, orders and calls pruned) because of
/// the hour it happens to run at.
pub fn day_span_start(ago_ms: u64, span_ms: u64) -> u64 {
    let zone = hub::calendar::Zone::china();
    let start = hub::token::now_ms() - ago_ms;
    let midnight = hub::calendar::end_of(hub::calendar::day_of(start, &zone), &zone);
    if start + span_ms < midnight {
        start
    } else {
        midnight - span_ms - 60_000
    }
}

/// Mints a token good for a day from the key in a data folder (making it if needed). Not
/// recorded in the folder's registry (tests connect many tablets); a test of `hub token list`
/// or `revoke` mints with `hub token` or [`hub::token::Book`].
pub fn token_for(data: &Path, station: &str) -> String {
    let station: Station = station.parse().expect("a station code");
    let now = hub::token::now_ms();
    Keys::load_or_create(data)
        .expect("the hub's signing key")
        .mint(
            &station,
            hub::token::TokenId::random().expect("randomness"),
            now,
            Some(now + 24 * 3_600_000),
        )
}

/// The next event of a kind, skipping others (presence, …); fails the test after [`WAIT`].
pub async fn expect_event(tablet: &mut Tablet, kind: &str) -> Event {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tablet.next_event_within(left).await {
            Ok(Some(e)) if e.what.name() == kind => return e,
            Ok(Some(_)) => continue,
            Ok(None) => panic!("{} waited {WAIT:?} for a {kind} event", tablet.station()),
            Err(e) => panic!("{} waiting for {kind}: {e}", tablet.station()),
        }
    }
}

/// Asserts that no event of a kind arrives within [`QUIET`].
pub async fn expect_no_event(tablet: &mut Tablet, kind: &str) {
    let deadline = tokio::time::Instant::now() + QUIET;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tablet.next_event_within(left).await {
            Ok(Some(e)) if e.what.name() == kind => {
                panic!("{} got an unexpected {kind}: {e:?}", tablet.station())
            }
            Ok(Some(_)) => continue,
            Ok(None) => return,
            Err(e) => panic!("{} while checking quiet: {e}", tablet.station()),
        }
    }
}

/// The call id of a `call_placed` event.
pub fn call_id(e: &Event) -> u64 {
    match e.placed() {
        Some((call_id, _)) => call_id,
        None => panic!("not a call_placed event: {:?}", e.what),
    }
}

/// A plain HTTP/1.1 GET on loopback: status code and body. Enough for `/healthz`, `/metrics` and
/// `/api/state`, without pulling an HTTP client into the tests.
pub async fn http_get(
    addr: std::net::SocketAddr,
    path: &str,
    bearer: Option<&str>,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, tcp.read_to_end(&mut raw))
        .await
        .expect("an HTTP answer in time")
        .unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The live state as `tablet`'s station sees it (the `state` command).
pub async fn state(tablet: &mut Tablet) -> serde_json::Value {
    match tablet.command(protocol::Command::State).await {
        Ok(protocol::ReplyBody::State { state }) => state,
        other => panic!("state: {other:?}"),
    }
}

/// Taps a status update; the offset it was logged at.
pub async fn tap(tablet: &mut Tablet, tap: protocol::Tap) -> Result<u64, tablet::TabletError> {
    match tablet.command(protocol::Command::Tap { tap }).await? {
        protocol::ReplyBody::Tapped { offset } => Ok(offset),
        other => panic!("tap: {other:?}"),
    }
}

/// The one visitor group in a state whose `who` is `who`.
pub fn visitor<'a>(state: &'a serde_json::Value, who: &str) -> &'a serde_json::Value {
    let all = state["visitors"].as_array().expect("visitors");
    let mut named = all.iter().filter(|v| v["who"] == who);
    let v = named
        .next()
        .unwrap_or_else(|| panic!("no visitor {who} in {all:?}"));
    assert!(named.next().is_none(), "two visitors named {who}");
    v
}

/// A VIP room in a state.
pub fn room(state: &serde_json::Value, k: u8) -> &serde_json::Value {
    state["rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .find(|r| r["room"] == k)
        .unwrap_or_else(|| panic!("no VIP{k}"))
}

/// An order in a state, by id.
pub fn order(state: &serde_json::Value, id: u64) -> &serde_json::Value {
    state["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no order {id} in {}", state["orders"]))
}

/// Reads past whatever was in flight until the connection ends; the error it ended with.
pub async fn until_closed(tablet: &mut Tablet) -> tablet::TabletError {
    loop {
        match tablet.next_event().await {
            Ok(_) => continue,
            Err(e) => return e,
        }
    }
}

/// The hub's own command line as a real process (`hub serve`) on 127.0.0.1:0 with `data`: the
/// child, the WebSocket URL it printed, and the rest of its stdout lines. `bin` is the test's
/// `env!("CARGO_BIN_EXE_hub-under-test")` (cargo names it only to the tests themselves).
pub fn hub_process(
    bin: &str,
    data: &Path,
) -> (
    std::process::Child,
    String,
    std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
) {
    hub_process_with(bin, data, &[])
}

/// [`hub_process`] with more arguments to `hub serve` (`--tls-cert …`); the URL is `ws://` or
/// `wss://`, as the hub says.
pub fn hub_process_with(
    bin: &str,
    data: &Path,
    args: &[&str],
) -> (
    std::process::Child,
    String,
    std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
) {
    hub_process_on(bin, data, args, None, std::process::Stdio::null())
}

/// [`hub_process_with`], kept on one CPU from its start when `cpu` is given (a benchmark's
/// server core): the hub sees one core and starts its runtime with one worker. Its log (its
/// stderr) goes to `log`.
pub fn hub_process_on(
    bin: &str,
    data: &Path,
    args: &[&str],
    cpu: Option<usize>,
    log: impl Into<std::process::Stdio>,
) -> (
    std::process::Child,
    String,
    std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
) {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(bin);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(log);
    if let Some(cpu) = cpu {
        // SAFETY: between fork and exec the closure makes one system call (sched_setaffinity),
        // which is async-signal-safe, and touches no lock or allocation.
        unsafe {
            command.pre_exec(move || pin_to(cpu));
        }
    }
    let mut child = command.spawn().expect("the hub process starts");
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines
        .next()
        .expect("the hub prints where it listens")
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("ws://") || w.starts_with("wss://"))
        .expect("a ws:// or wss:// address")
        .to_owned();
    (child, url, lines)
}

/// Keeps the calling thread, and the threads and processes it starts from now on, on `cpu`.
pub fn pin_to(cpu: usize) -> std::io::Result<()> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET writes inside it (a cpu beyond
    // CPU_SETSIZE is refused first), and sched_setaffinity reads exactly its size.
    unsafe {
        if cpu >= libc::CPU_SETSIZE as usize {
            return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        }
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The segment file of a hub's log (in data folder `data`) that holds the record at `offset`,
/// and the byte position of that record in it: where a test flips a bit to play a disk fault.
pub fn record_on_disk(data: &Path, offset: u64) -> (PathBuf, usize) {
    let segments = logbook::segments(&data.join("log")).expect("the hub's log");
    let segment = segments
        .iter()
        .rev()
        .find(|s| s.first <= offset)
        .unwrap_or_else(|| panic!("no segment holds offset {offset}"));
    let bytes = std::fs::read(&segment.path).unwrap();
    let mut pos = segment.header_len as usize;
    while pos + 16 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        let at = u64::from_le_bytes(bytes[pos + 8..pos + 16].try_into().unwrap());
        if at == offset {
            return (segment.path.clone(), pos);
        }
        pos += 16 + len;
    }
    panic!("no record {offset} in {}", segment.path.display());
}

/// A client as a browser's JavaScript is one: JSON text frames (`radio.v1.json`), and every
/// number read as an f64 — so a number above 2^53 − 1 comes back rounded.
pub struct Browser {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Browser {
    /// Opens the WebSocket offering `radio.v1.json` only.
    pub async fn open(url: &str) -> Browser {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = url.into_client_request().unwrap();
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", "radio.v1.json".parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("the browser connects");
        Browser { ws }
    }

    /// Sends one frame as `JSON.stringify` would.
    pub async fn send(&mut self, frame: serde_json::Value) {
        use futures_util::SinkExt;
        let text = serde_json::to_string(&frame).unwrap();
        self.ws
            .send(tokio_tungstenite::tungstenite::Message::text(text))
            .await
            .expect("the frame is sent");
    }

    /// Sends frames back to back, written together as one burst.
    pub async fn send_all(&mut self, frames: impl IntoIterator<Item = serde_json::Value>) {
        use futures_util::SinkExt;
        for frame in frames {
            let text = serde_json::to_string(&frame).unwrap();
            self.ws
                .feed(tokio_tungstenite::tungstenite::Message::text(text))
                .await
                .expect("the frame is queued");
        }
        self.ws.flush().await.expect("the burst is sent");
    }

    /// The next frame, as `JSON.parse` would give it; fails the test after [`WAIT`].
    pub async fn next(&mut self) -> serde_json::Value {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("the connection is open")
                .expect("a message");
            match msg {
                Message::Text(t) => return serde_json::from_str(&t).expect("JSON"),
                Message::Close(c) => panic!("the hub closed the browser's connection: {c:?}"),
                _ => continue,
            }
        }
    }
}

/// A number as JavaScript holds it: through an f64 and back, as `JSON.parse` then
/// `JSON.stringify` would carry it.
pub fn as_javascript(v: &serde_json::Value) -> u64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number")) as u64
}

/// The next call placed that `tablet` hears from `caller` ("G1", "X:张伟"), skipping others.
pub async fn expect_call_from(tablet: &mut Tablet, caller: &str) -> (u64, protocol::Call) {
    let caller: Station = caller.parse().expect("a station code");
    loop {
        let e = expect_event(tablet, "call_placed").await;
        if let Some((call_id, call)) = e.placed()
            && call.caller == caller
        {
            return (call_id, call.clone());
        }
    }
}

/// The answers a tablet page offers for the calls it shows, in order.
pub async fn answers_shown(page: &browser::Page) -> serde_json::Value {
    page.js(
        "return [...document.querySelectorAll('#incoming-list .call')].map(c =>
           [...c.querySelectorAll('.answers button')].map(b => b.dataset.answer));",
        vec![],
    )
    .await
}
