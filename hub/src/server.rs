//! Accepting connections, with a deadline on every phase and a cap on how many are open: the
//! request head must arrive within a few seconds (a client sending its headers a byte at a time
//! is cut off, not waited for), a connection past the cap is refused with a short 503 at once,
//! and on shutdown every connection is asked to finish. axum's own `serve` sets no timer, so a
//! slow client there is waited for without end; this loop is that one, with the limits.
//!
//! With TLS, the handshake must end within the same head deadline; a connection whose first
//! byte is not a TLS handshake (someone typing `http://`) is answered in plain text — a redirect
//! to the same page over https when it names its host — and closed at once.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

/// The address a request came from, put on every request this loop serves.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub std::net::SocketAddr);

/// The first byte of every TLS connection: a handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

/// Serves `router` on `listener` until `stop` turns true, then asks each connection to finish.
/// At most `cap` connections are open at once; a request's head (and with `tls`, the handshake
/// before it) must come within `head_within`.
pub async fn run(
    listener: TcpListener,
    router: Router,
    cap: usize,
    head_within: Duration,
    mut stop: watch::Receiver<bool>,
    tune: impl Fn(&TcpStream) + Send + 'static,
    tls: Option<TlsAcceptor>,
) {
    let open = Arc::new(Semaphore::new(cap));
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most likely: wait a moment rather than spin.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = stopping(&mut stop) => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tokio::spawn(refuse(tcp));
            continue;
        };
        tune(&tcp);
        // Each request knows whom it came from (the hub's log names the tablet's address).
        let service = TowerToHyperService::new(WithPeer {
            router: router.clone(),
            peer,
        });
        let stop = stop.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            // A connection that sends nothing at all is dropped at the head deadline too.
            let mut first = [0u8; 1];
            if !matches!(
                tokio::time::timeout(head_within, tcp.peek(&mut first)).await,
                Ok(Ok(n)) if n > 0
            ) {
                return;
            }
            match tls {
                None => serve(TokioIo::new(tcp), service, head_within, stop).await,
                Some(_) if first[0] != TLS_HANDSHAKE => not_tls(tcp, head_within).await,
                Some(tls) => {
                    let left = head_within.saturating_sub(started.elapsed());
                    if let Ok(Ok(stream)) = tokio::time::timeout(left, tls.accept(tcp)).await {
                        serve(TokioIo::new(stream), service, head_within, stop).await;
                    }
                }
            }
            drop(permit);
        });
    }
}

/// Serves one connection's requests until it ends, or stopping asks it to finish.
async fn serve<I>(
    io: TokioIo<I>,
    service: TowerToHyperService<WithPeer>,
    head_within: Duration,
    mut stop: watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // HTTP/1.1 only (the WebSocket upgrade is HTTP/1.1), served by hyper itself so that an
    // upgrade hands back the socket as it is (`line::upgrade` takes it over).
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(head_within)
        .serve_connection(io, service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stopping(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// A plain-HTTP request on the TLS port: redirected to the same page over https when its head
/// names a host (a browser keeps the link's `#token=…` across the redirect), else told in one
/// line to use https; then closed. Bounded: a few KB read, within a couple of seconds.
async fn not_tls(mut tcp: TcpStream, head_within: Duration) {
    let limit = head_within.min(Duration::from_secs(2));
    let mut head = [0u8; 4096];
    let mut got = 0;
    let _ = tokio::time::timeout(limit, async {
        while got < head.len() && !head[..got].windows(4).any(|w| w == b"\r\n\r\n") {
            match tcp.read(&mut head[got..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
    })
    .await;
    let (status, location, body) = match redirect_target(&head[..got]) {
        Some(to) => (
            "301 Moved Permanently",
            format!("Location: {to}\r\n"),
            format!("this hub speaks https only: {to}\n"),
        ),
        None => (
            "400 Bad Request",
            String::new(),
            "this hub speaks https only: open https:// and this address\n".to_owned(),
        ),
    };
    let answer = format!(
        "HTTP/1.1 {status}\r\n{location}Connection: close\r\nContent-Type: text/plain; \
         charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(limit, async {
        tcp.write_all(answer.as_bytes()).await?;
        tcp.shutdown().await
    })
    .await;
}

/// `https://HOST/PATH` for a plain request's head, if it names a plain host and path.
fn redirect_target(head: &[u8]) -> Option<String> {
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let mut request = lines.next()?.split(' ');
    let (_method, path) = (request.next()?, request.next()?);
    let host = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("host")
            .then(|| value.trim())
    })?;
    let plain_host = !host.is_empty()
        && host.len() <= 260
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    let plain_path =
        path.starts_with('/') && path.len() <= 2048 && path.bytes().all(|b| b.is_ascii_graphic());
    (plain_host && plain_path).then(|| format!("https://{host}{path}"))
}

/// The router, with the client's address put on each request.
#[derive(Clone)]
struct WithPeer {
    router: Router,
    peer: std::net::SocketAddr,
}

type Incoming = axum::http::Request<hyper::body::Incoming>;

impl tower::Service<Incoming> for WithPeer {
    type Response = <Router as tower::Service<Incoming>>::Response;
    type Error = <Router as tower::Service<Incoming>>::Error;
    type Future = <Router as tower::Service<Incoming>>::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        tower::Service::<Incoming>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, mut req: Incoming) -> Self::Future {
        req.extensions_mut().insert(Peer(self.peer));
        self.router.call(req)
    }
}

/// Resolves once stopping starts (or the hub is gone).
async fn stopping(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// A connection past the cap: told so in one short answer, and closed.
async fn refuse(mut tcp: TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 53\r\nRetry-After: 5\r\n\r\nthe hub has too many connections open: retry shortly\n";
    let answer = async {
        tcp.write_all(BUSY).await?;
        tcp.shutdown().await?;
        // Read what the client sent (a little, briefly) so closing does not reset the
        // connection before the client has read the answer.
        let mut sink = [0u8; 2048];
        while tcp.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_request_is_sent_to_the_same_page_over_https() {
        let head = b"GET /dashboard HTTP/1.1\r\nHost: 192.0.2.10:7700\r\n\r\n";
        assert_eq!(
            redirect_target(head).as_deref(),
            Some("https://192.0.2.10:7700/dashboard")
        );
        for bad in [
            &b"GET / HTTP/1.1\r\n\r\n"[..],
            b"GET / HTTP/1.1\r\nHost: evil/x\r\n\r\n",
            b"GET nopath HTTP/1.1\r\nHost: h\r\n\r\n",
            b"\xff\xfe",
        ] {
            assert_eq!(redirect_target(bad), None, "{bad:?}");
        }
    }
}
