//! `radio` against a hub serving wss://: trusting the site's CA (`--ca`, `RADIO_CA`) it places a
//! call another tablet answers; without it, or with a file that is no CA, it says what to do.

use std::process::Stdio;

use integration::{TestHub, expect_call_from};
use protocol::Answer;
use serde_json::Value;
use tokio::process::Command;

const RADIO: &str = env!("CARGO_BIN_EXE_radio");
const SAID: &str = "我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。";

fn radio(hub: &TestHub, station: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(RADIO);
    cmd.args(args)
        .env("RADIO_HUB", hub.url())
        .env("RADIO_TOKEN", hub.token(station))
        .env_remove("RADIO_CA")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn radio_says_a_call_over_wss_trusting_the_sites_ca_and_hears_the_answer() {
    let hub = TestHub::start_tls(|_| {}).await;
    assert!(hub.url().starts_with("wss://"));
    let mut bar = hub.tablet("S1").await;
    let ca = hub.ca();
    let say = radio(&hub, "G1", &["say", SAID, "--wait-ack", "10"])
        .env("RADIO_CA", &ca)
        .spawn()
        .unwrap();
    let (call_id, _) = expect_call_from(&mut bar, "G1").await;
    bar.answer(call_id, Answer::Received).await.unwrap();
    let out = say.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["call_id"].as_u64(), Some(call_id));
    assert_eq!(lines[1]["kind"], "call_answered");
    assert_eq!(lines[1]["by"], "S1");

    // The same with --ca on the command line.
    let out = radio(&hub, "SUP", &["state", "--ca", ca.to_str().unwrap()])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_sites_ca_radio_refuses_the_hub_and_says_to_give_it() {
    let hub = TestHub::start_tls(|_| {}).await;
    let out = radio(&hub, "G1", &["say", SAID]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&hub.url()), "names the hub: {stderr}");

    let other = tempfile::tempdir().unwrap();
    let foreign = TestHub::another_sites_tls(other.path());
    let out = radio(&hub, "G1", &["say", SAID])
        .env("RADIO_CA", &foreign.ca_cert)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--ca") && stderr.contains("not signed"),
        "{stderr}"
    );

    // A file that is not a CA certificate is named before anything is sent.
    let out = radio(
        &hub,
        "G1",
        &["say", SAID, "--ca", foreign.key.to_str().unwrap()],
    )
    .output()
    .await
    .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hub.key") && stderr.contains("no certificate"),
        "{stderr}"
    );
}
