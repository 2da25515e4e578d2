//! Accepting connections, with a deadline on every phase and a cap on how many are open: the
//! request head must arrive within a few seconds (a client sending its headers a byte at a time
//! is cut off, not waited for), a connection past the cap is refused with a short 503 at once,
//! and on shutdown every connection is asked to finish. axum's own `serve` sets no timer, so a
//! slow client there is waited for without end; this loop is that one, with the limits.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// The address a request came from, put on every request this loop serves.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub std::net::SocketAddr);

/// Serves `router` on `listener` until `stop` turns true, then asks each connection to finish.
/// At most `cap` connections are open at once; a request's head must come within `head_within`.
pub async fn run(
    listener: TcpListener,
    router: Router,
    cap: usize,
    head_within: Duration,
    mut stop: watch::Receiver<bool>,
    tune: impl Fn(&TcpStream) + Send + 'static,
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
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(Peer(peer));
                req
            },
        ));
        let mut stop = stop.clone();
        tokio::spawn(async move {
            // A connection that sends nothing at all is dropped at the head deadline too.
            let mut first = [0u8; 1];
            if !matches!(
                tokio::time::timeout(head_within, tcp.peek(&mut first)).await,
                Ok(Ok(n)) if n > 0
            ) {
                return;
            }
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(head_within);
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(tcp), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = stopping(&mut stop) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(permit);
        });
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
