//! `radio say` and `radio listen` as people use them: real processes against a real hub on
//! 127.0.0.1, reading their stdout line by line.

use std::process::Stdio;
use std::time::Duration;

use integration::TestHub;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const RADIO: &str = env!("CARGO_BIN_EXE_radio");

fn radio(hub: &TestHub, station: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(RADIO);
    cmd.args(args)
        .env("RADIO_HUB", hub.url())
        .env("RADIO_TOKEN", hub.token(station))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// Reads stdout lines of a running process until one satisfies `want`.
async fn line_where(child: &mut Child, want: impl Fn(&Value) -> bool) -> Value {
    let stdout = child.stdout.as_mut().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
            if want(&v) {
                return v;
            }
        }
        panic!("stdout ended");
    })
    .await
    .expect("the line in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn say_waits_for_the_answer_that_listen_ack_gives() {
    let hub = TestHub::start().await;
    let mut bar = radio(&hub, "S1", &["listen", "--ack"]).spawn().unwrap();
    // Wait until the water bar is on the net.
    let mut sup = hub.tablet("SUP").await;
    integration::expect_event(&mut sup, "station_online").await;

    let said = "我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。";
    let out = radio(&hub, "G1", &["say", said, "--wait-ack", "5"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = stdout.lines();
    let placed: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(placed["sentence"], said);
    let call_id = placed["call_id"].as_u64().unwrap();
    assert_eq!(placed["offset"].as_u64(), Some(call_id));
    let answered: Value = serde_json::from_str(lines.next().expect("the answer line")).unwrap();
    assert_eq!(answered["kind"], "call_answered");
    assert_eq!(answered["call_id"].as_u64(), Some(call_id));
    assert_eq!(answered["by"], "S1");

    // The listener printed the call as one JSON line with the documented top-level fields.
    let line = line_where(&mut bar, |v| v["kind"] == "call_placed").await;
    assert!(line["offset"].is_u64());
    assert_eq!(line["call_id"].as_u64(), Some(call_id));
    assert_eq!(line["caller"], "G1");
    assert_eq!(line["target"], "S1");
    assert_eq!(line["intent"]["kind"], "drinks");
    assert_eq!(line["intent"]["room"], 1);
    assert_eq!(line["sentence"], said);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_call_exits_2_after_saying_the_target_is_offline() {
    let hub = TestHub::start().await;
    let out = radio(
        &hub,
        "G1",
        &[
            "say",
            "我是大客户管家，呼叫水吧，VIP2客人已离去请前去打扫，收到请回话。",
            "--wait-ack",
            "0.5",
        ],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("target_offline"), "{stderr}");
    assert!(stderr.contains("unanswered"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_cannot_say_what_another_post_says() {
    let hub = TestHub::start().await;
    let out = radio(
        &hub,
        "S1",
        &[
            "say",
            "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。",
        ],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("impersonation") || stderr.contains("speaks for"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_from_replays_the_log_first() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let placed = g1
        .say("我是大客户管家，呼叫水吧，请送咖啡至VIP3室，收到请回答。")
        .await
        .unwrap();
    let mut sup = radio(&hub, "SUP", &["listen", "--from", "1"])
        .spawn()
        .unwrap();
    let first = line_where(&mut sup, |_| true).await;
    assert_eq!(first["offset"], 1);
    let replayed = line_where(&mut sup, |v| v["kind"] == "call_placed").await;
    assert_eq!(replayed["call_id"].as_u64(), Some(placed.call_id));
    assert_eq!(replayed["intent"]["drink"], "咖啡");
}
