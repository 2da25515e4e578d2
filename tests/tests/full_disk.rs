//! A log that cannot grow — the disk full, or a file-size limit reached — refuses new calls
//! with a clear error and keeps serving everything already logged; the hub is not killed
//! (SIGXFSZ) and loses nothing; `/healthz` fails naming the log.

use std::io::BufRead;
use std::process::{Command, Stdio};

use protocol::ErrorCode;
use tablet::{Options, Tablet, TabletError};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

#[tokio::test]
async fn past_the_file_size_limit_calls_are_refused_and_what_was_logged_is_still_served() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    // Mint the tokens first (the secret file must fit, too).
    let token = integration::token_for(dir.path(), "G1");
    let sup_token = integration::token_for(dir.path(), "SUP");
    // 64 blocks: a few kilobytes of log, then no more.
    let mut child = Killed(Command::new("sh")
        .args([
            "-c",
            // A short answer deadline: the calls' repeats fall due while the disk is full.
            &format!(
                "ulimit -f 64 && exec {HUB} serve --listen 127.0.0.1:0 --ack-deadline 0.2 --data {data}"
            ),
        ])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
        .spawn()
        .unwrap());
    let first = std::io::BufReader::new(child.0.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("ws://"))
        .unwrap()
        .to_owned();
    let (mut g1, _) = Tablet::connect(&url, &token, Options::default())
        .await
        .unwrap();
    let mut placed = Vec::new();
    let refusal = loop {
        match g1
            .say("我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。")
            .await
        {
            Ok(p) => placed.push(p.call_id),
            Err(e) => break e,
        }
        assert!(placed.len() < 10_000, "the limit never came");
    };
    match &refusal {
        TabletError::Refused {
            code: ErrorCode::Internal,
            rule: Some(rule),
            message,
        } => {
            assert_eq!(rule, "log_full");
            assert!(message.contains("disk is full"), "{message}");
        }
        other => panic!("{other}"),
    }
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "the hub is still running"
    );
    // Everything logged is still there: a supervisor replays it from the start.
    let replay = Options {
        resume: Some(protocol::envelope::Resume {
            epoch: None,
            from: 1,
        }),
        ..Options::default()
    };
    let (mut sup, _) = Tablet::connect(&url, &sup_token, replay).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < placed.len() {
        let e = sup.next_event().await.unwrap();
        if let Some((call_id, _)) = e.placed() {
            seen.push(call_id);
        }
    }
    assert_eq!(seen, placed);
    // The health check says so, naming the log, while the switchboard itself is fine.
    let addr: std::net::SocketAddr = url
        .trim_start_matches("ws://")
        .trim_end_matches("/ws")
        .parse()
        .unwrap();
    let (status, body) = integration::http_get(addr, "/healthz", None).await;
    assert_eq!(status, 503, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "failing", "{health}");
    assert_eq!(health["switchboard"], "ok", "{health}");
    let log = health["log"].as_str().unwrap();
    assert!(log.contains("last write to the log failed"), "{log}");
    // What falls due meanwhile (the calls' repeats) is tried again after a pause, not in a
    // loop that keeps the hub busy and fills its own log with the same error.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    let errors = stderr.matches("cannot log an event").count();
    assert!(
        (1..=10).contains(&errors),
        "{errors} lines of 'cannot log an event' in 3 s:\n{}",
        stderr.lines().take(20).collect::<Vec<_>>().join("\n")
    );
    drop(child);
}

/// The hub process, killed when the test ends — also when an assertion fails, so a hub left
/// on a full disk does not run on behind the test.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
