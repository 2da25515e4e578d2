//! `radio` where no hub is needed to judge it: sentences and taps refused before anything is
//! sent, a missing token, and a hub that is down — real processes, stderr, exit codes.

use std::net::TcpListener;
use std::process::{Command, Output};

/// A local URL where nothing listens: a port the OS just gave out and took back.
fn dead_hub() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free local port")
        .port();
    format!("ws://127.0.0.1:{port}/ws")
}

fn radio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_radio"))
        .args(args)
        .env_remove("RADIO_HUB")
        .env_remove("RADIO_TOKEN")
        .output()
        .expect("radio runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const RESTOCK: &str = "我是水吧，呼叫操作间，请将柠檬和冰块送至水吧台，收到请回话。";

#[test]
fn a_refused_sentence_is_not_sent() {
    // The hub is down: had radio tried to connect, the error would name it instead.
    let hub = dead_hub();
    let out = radio(&[
        "say",
        "呼叫水吧，请送咖啡至VIP1室，收到请回答。",
        "--hub",
        &hub,
        "--token",
        "t",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("no_caller"), "{err}");
    assert!(!err.contains(&hub), "{err}");
}

#[test]
fn an_answer_is_not_waited_for_like_a_call() {
    let hub = dead_hub();
    let out = radio(&[
        "say",
        "收到",
        "--wait-ack",
        "2",
        "--token",
        "t",
        "--hub",
        &hub,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("drop --wait-ack"), "{err}");
    assert!(!err.contains(&hub), "refused before connecting: {err}");
}

#[test]
fn connecting_needs_a_token() {
    for args in [
        &["say", RESTOCK][..],
        &["say", "可以接待"][..],
        &["answer", "7", "收到"][..],
        &["listen"][..],
        &["state"][..],
        &["report"][..],
        &["tap", "sign-in"][..],
    ] {
        let out = radio(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains("RADIO_TOKEN"), "{}", stderr(&out));
    }
}

#[test]
fn a_hub_that_is_down_is_one_clear_line_naming_it() {
    let hub = dead_hub();
    for args in [
        &["say", RESTOCK, "--wait-ack", "1"][..],
        &["say", "无法接待"][..],
        &["answer", "7", "收到"][..],
        &["listen", "--ack", "--walk-in", "cannot"][..],
        &["--json", "listen", "--from", "3"][..],
        &["state"][..],
        &["report", "--date", "2026-05-01"][..],
        &["tap", "greeted", "--visit", "7"][..],
    ] {
        let mut all = args.to_vec();
        all.extend(["--hub", &hub, "--token", "t"]);
        let out = radio(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.starts_with("radio: cannot connect"), "{err}");
        assert!(err.contains(&hub), "{err}");
    }
}

#[test]
fn a_bad_tap_is_refused_before_connecting() {
    let hub = dead_hub();
    for args in [
        &["tap", "greeted"][..],
        &["tap", "entered-vip", "--visit", "7", "--room", "VIP3"][..],
        &["tap", "set-mode", "--important-event-at", "1790000000"][..],
        &["tap", "rota-move", "--manager", "张伟 1", "--position", "0"][..],
    ] {
        let mut all = args.to_vec();
        all.extend(["--hub", &hub, "--token", "t"]);
        let out = radio(&all);
        // clap's usage error: exit 2, before any connection is tried.
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(!err.contains("cannot connect"), "{err}");
    }
    let out = radio(&["tap", "set-mode", "--important-event-at", "1790000000"]);
    assert!(stderr(&out).contains("seconds"), "{}", stderr(&out));
}
