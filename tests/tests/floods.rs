//! Connections that never end, or too many of them: a client sending its request head a byte at
//! a time is cut off after the head deadline, and past the cap on open connections the hub
//! answers a short 503 at once — so real tablets and `/healthz` keep getting in.

use std::time::Duration;

use integration::{TestHub, http_get};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_client_sending_its_headers_a_byte_at_a_time_is_cut_off() {
    let hub = TestHub::start_with(|c| c.head_within = Duration::from_millis(300)).await;
    let mut slow = tokio::net::TcpStream::connect(hub.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    for b in b"st: x\r\n" {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if slow.write_all(&[*b]).await.is_err() {
            break;
        }
    }
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "the hub closed the slow connection");
    let said = String::from_utf8_lossy(&rest);
    assert!(!said.contains("200 OK"), "{said}");
    // Others are served meanwhile.
    assert_eq!(http_get(hub.addr, "/healthz", None).await.0, 200);
}

#[tokio::test]
async fn past_the_cap_on_open_connections_the_hub_says_503_at_once() {
    let hub = TestHub::start_with(|c| {
        c.max_open = 3;
        c.head_within = Duration::from_millis(800);
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(tokio::net::TcpStream::connect(hub.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, body) = http_get(hub.addr, "/healthz", None).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("too many connections"), "{body}");
    // The idle ones run out of time; the hub is reachable again.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(http_get(hub.addr, "/healthz", None).await.0, 200);
    drop(idle);
}
