//! A plain HTTP/1.1 GET on loopback — over TCP, or over TLS trusting a given CA — that keeps
//! the response's headers and raw body: enough to check what the hub's pages are served with
//! (types, caching, security headers), without pulling an HTTP client into the tests.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A response as it came.
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    /// Names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Fetched {
    /// The value of a header, by its name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET path` with extra request headers (`If-None-Match`, …). The hub answers static files
/// with a `Content-Length`, so the body is read as it is.
pub async fn fetch(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Fetched {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    exchange(tcp, addr, path, headers).await
}

/// `GET path` over TLS, trusting only the CA certificate in `ca` (PEM), the hub named by its
/// address. Fails the test if the handshake does.
pub async fn fetch_https(addr: SocketAddr, path: &str, ca: &std::path::Path) -> Fetched {
    let tls = connect_tls(addr, ca).await.expect("the TLS handshake");
    exchange(tls, addr, path, &[]).await
}

/// A TLS connection to the hub at `addr`, trusting only the CA certificate in `ca`.
pub async fn connect_tls(
    addr: SocketAddr,
    ca: &std::path::Path,
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(ca).expect("the CA file") {
        roots.add(cert.expect("a CA certificate")).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = rustls_pki_types::ServerName::IpAddress(addr.ip().into());
    connector.connect(name, tcp).await
}

async fn exchange<S>(mut tcp: S, addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Fetched
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let extra: String = headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\r\n"))
        .collect();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let read = tokio::time::timeout(crate::WAIT, tcp.read_to_end(&mut raw))
        .await
        .expect("an HTTP answer in time");
    // A TLS peer that closes without close_notify still gave its whole answer.
    if let Err(e) = read {
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Fetched {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}
