//! The hub over TLS: `hub tls new` makes the site's CA and the hub's certificate; `hub serve
//! --tls-cert --tls-key` serves https and wss; tablets that trust the site's CA place and answer
//! calls, and one that does not is refused by its own side; the CA is served for tablets to
//! install; a bad certificate file stops the start, naming it; a plain-http request and a
//! stalled handshake on the TLS port are closed promptly.

use std::process::Command;
use std::time::Duration;

use integration::{TestHub, expect_call_from, hub_process_with};
use protocol::Answer;
use tablet::{Options, Roots, Tablet, TabletError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

fn hub(args: &[&str]) -> std::process::Output {
    Command::new(HUB).args(args).output().expect("the hub runs")
}

fn trusting(ca: &std::path::Path) -> Options {
    Options {
        roots: Some(Roots::ca_file(ca).expect("the CA file")),
        ..Options::default()
    }
}

#[tokio::test]
async fn a_hub_serving_its_own_certificate_carries_a_call_over_wss() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let d = data.to_str().unwrap();
    let out = hub(&[
        "tls",
        "new",
        "--data",
        d,
        "--host",
        "127.0.0.1",
        "--host",
        "localhost",
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("--tls-cert") && said.contains("/ca.crt"),
        "{said}"
    );
    assert!(
        said.contains("Certificate Trust Settings"),
        "says how on an iPad: {said}"
    );
    let tls = data.join("tls");
    #[cfg(unix)]
    for (file, want) in [("ca.key", 0o600), ("hub.key", 0o600), ("ca.crt", 0o644)] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tls.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, want, "{file}");
    }

    let cert = tls.join("hub.crt");
    let key = tls.join("hub.key");
    let (mut child, url, _lines) = hub_process_with(
        HUB,
        data,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(url.starts_with("wss://127.0.0.1:"), "{url}");
    let ca = tls.join("ca.crt");
    let token = |post| integration::token_for(data, post);
    let (mut bar, _) = Tablet::connect(&url, &token("S1"), trusting(&ca))
        .await
        .expect("the water bar connects over wss");
    let (mut butler, _) = Tablet::connect(&url, &token("G1"), trusting(&ca))
        .await
        .expect("the butler connects over wss");
    butler
        .say("我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。")
        .await
        .expect("the call is placed");
    let (call_id, _) = expect_call_from(&mut bar, "G1").await;
    bar.answer(call_id, Answer::Received)
        .await
        .expect("the water bar answers over wss");
    let e = integration::expect_event(&mut butler, "call_answered").await;
    assert!(matches!(e.what, protocol::EventKind::CallAnswered { call_id: c, .. } if c == call_id));

    // `hub token --link` now makes https links, since the folder has the certificate.
    let out = hub(&[
        "token",
        "S1",
        "--link",
        "--host",
        "192.0.2.10:7700",
        "--data",
        d,
    ]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let link = stdout.lines().nth(1).unwrap();
    assert!(
        link.starts_with("https://192.0.2.10:7700/#token="),
        "{link}"
    );
    let out = hub(&[
        "token",
        "S1",
        "--link",
        "--scheme",
        "http",
        "--host",
        "192.0.2.10",
        "--data",
        d,
    ]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.lines().nth(1).unwrap().starts_with("http://"),
        "{stdout}"
    );

    // Made again for another address, the certificate keeps the CA the tablets installed.
    let before = std::fs::read(&ca).unwrap();
    let out = hub(&["tls", "new", "--data", d, "--host", "192.0.2.10"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("kept"));
    assert_eq!(std::fs::read(&ca).unwrap(), before);
    // … and the running hub serves it to new connections without a restart: it names
    // 192.0.2.10 only, so a client asking for 127.0.0.1 now finds the name wrong.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    loop {
        match Tablet::connect(&url, &token("S1"), trusting(&ca)).await {
            Err(TabletError::Handshake(e)) if e.contains("does not name") => break,
            other => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "not reloaded: {other:?}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn a_tablet_that_does_not_trust_the_sites_ca_refuses_the_hub() {
    let hub = TestHub::start_tls(|_| {}).await;
    let other = tempfile::tempdir().unwrap();
    let foreign = TestHub::another_sites_tls(other.path());
    let token = hub.token("L1");
    let e = Tablet::connect(&hub.url(), &token, trusting(&foreign.ca_cert))
        .await
        .map(|_| ())
        .expect_err("another site's CA is not trusted");
    assert!(
        matches!(&e, TabletError::Handshake(m) if m.contains("not signed by an authority") && m.contains("--ca")),
        "{e}"
    );
    assert!(
        !e.reconnect(),
        "an untrusted certificate is not mended by retrying"
    );
    // Without --ca, the system's authorities do not know the site's CA either.
    let e = Tablet::connect(&hub.url(), &token, Options::default())
        .await
        .map(|_| ())
        .expect_err("the system does not trust the site's CA");
    assert!(matches!(e, TabletError::Handshake(_)), "{e}");
    // Plain ws:// to the TLS port is told to use wss://.
    let plain = hub.url().replacen("wss://", "ws://", 1);
    let e = Tablet::connect(&plain, &token, Options::default())
        .await
        .map(|_| ())
        .expect_err("plain ws is refused");
    assert!(e.to_string().contains("wss://"), "{e}");
    // The site's own CA is trusted.
    assert!(
        hub.tablet_with("L1", Options::default())
            .await
            .0
            .station()
            .to_string()
            == "L1"
    );
}

#[tokio::test]
async fn the_pages_and_the_ca_certificate_come_over_https() {
    let hub = TestHub::start_tls(|_| {}).await;
    let page = integration::fetch::fetch_https(hub.addr, "/", &hub.ca()).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<html"), "{}", page.text());
    let ca = integration::fetch::fetch_https(hub.addr, "/ca.crt", &hub.ca()).await;
    assert_eq!(ca.status, 200);
    assert_eq!(
        ca.header("content-type"),
        Some("application/x-x509-ca-cert")
    );
    assert_eq!(ca.body, std::fs::read(hub.ca()).unwrap());
    assert!(!ca.text().contains("PRIVATE KEY"));
    let (status, _) = integration::http_get(hub.addr, "/healthz", None).await;
    assert_eq!(status, 301, "plain http is sent to https");
}

#[tokio::test]
async fn a_plain_request_or_a_stalled_handshake_on_the_tls_port_is_closed_promptly() {
    let hub = TestHub::start_tls(|c| c.head_within = Duration::from_millis(1500)).await;
    // Someone typing http:// — the sign-in link's page, with its token in the fragment, which
    // the browser keeps across the redirect.
    let mut tcp = tokio::net::TcpStream::connect(hub.addr).await.unwrap();
    let head = format!("GET /dashboard HTTP/1.1\r\nHost: {}\r\n\r\n", hub.addr);
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer))
        .await
        .expect("answered and closed promptly")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 301"), "{answer}");
    assert!(
        answer.contains(&format!("Location: https://{}/dashboard", hub.addr)),
        "{answer}"
    );

    // A TLS handshake begun and never finished is cut off at the head deadline.
    let mut tcp = tokio::net::TcpStream::connect(hub.addr).await.unwrap();
    tcp.write_all(&[0x16, 0x03, 0x01]).await.unwrap();
    let mut sink = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut sink)).await;
    assert!(ended.is_ok(), "the hub closed the stalled handshake");

    // The hub still serves everyone else.
    assert_eq!(hub.tablet("S1").await.station().to_string(), "S1");
}

#[test]
fn a_bad_certificate_or_key_stops_the_start_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let made = hub::local_ca::make(&data, &["127.0.0.1".to_owned()], 30, false).unwrap();
    let other = TestHub::another_sites_tls(&dir.path().join("other"));
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let missing = dir.path().join("missing.pem");
    let cert = made.files.cert.to_str().unwrap();
    let key = made.files.key.to_str().unwrap();
    for (c, k, names, says) in [
        (
            garbage.to_str().unwrap(),
            key,
            "garbage.pem",
            "no certificate",
        ),
        (
            cert,
            garbage.to_str().unwrap(),
            "garbage.pem",
            "no private key",
        ),
        (missing.to_str().unwrap(), key, "missing.pem", "cannot read"),
        (
            cert,
            other.key.to_str().unwrap(),
            "hub.key",
            "not the key of the certificate",
        ),
    ] {
        let out = hub(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data",
            d,
            "--tls-cert",
            c,
            "--tls-key",
            k,
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{c} {k}");
        assert!(out.stdout.is_empty(), "never says it is listening");
        assert!(
            err.contains(names) && err.contains(says),
            "{names}/{says}: {err}"
        );
    }
    // A certificate without its key is refused by the command line itself.
    let out = hub(&["serve", "--data", d, "--tls-cert", cert]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}
