//! A start that does not grow with the log's age: the hub loads its newest checkpoint and
//! replays only the events after it — counted, not timed — and the board it ends up with is
//! the board a replay of the whole log makes, also when the newest checkpoint is damaged.

use std::path::Path;
use std::process::Command;

use hub::Clock;
use integration::{Posts, TestHub, http_get, state};
use protocol::{Answer, Tap};
use serde_json::Value;
use tablet::{Options, Tablet};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");
const MIN: u64 = 60_000;

/// The hub's count of events replayed at start.
async fn replayed_at_start(addr: std::net::SocketAddr, data: &Path) -> u64 {
    let token = integration::token_for(data, "SUP");
    let (status, metrics) = http_get(addr, "/metrics", Some(&token)).await;
    assert_eq!(status, 200);
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("hub_replayed_at_start "))
        .unwrap_or_else(|| panic!("no hub_replayed_at_start in\n{metrics}"))
        .trim()
        .parse()
        .unwrap()
}

fn addr_of(url: &str) -> std::net::SocketAddr {
    url.trim_start_matches("ws://")
        .trim_end_matches("/ws")
        .parse()
        .unwrap()
}

/// The offset after the last whole record on disk, and the newest checkpoint's offset.
fn head_and_checkpoint(data: &Path) -> (u64, u64) {
    let log = data.join("log");
    let checked = logbook::check(&log, |_, _, _| Ok(())).unwrap();
    assert!(checked.damage.is_empty(), "{:?}", checked.damage);
    let newest = logbook::checkpoints(&log)
        .unwrap()
        .last()
        .expect("a checkpoint")
        .offset;
    (checked.head().unwrap(), newest)
}

async fn drinks(url: &str, data: &Path, n: usize) {
    let token = integration::token_for(data, "G1");
    let (mut g1, _) = Tablet::connect(url, &token, Options::default())
        .await
        .unwrap();
    for i in 0..n {
        g1.say(&format!(
            "我是大客户管家，呼叫水吧，请送{}杯柠檬水至VIP1室，收到请回答。",
            i % 5 + 1
        ))
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_start_loads_the_newest_checkpoint_and_replays_only_what_came_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    // A long first life, ended cleanly: the hub checkpoints its state as it stops.
    let (mut hub, url, _lines) = integration::hub_process(HUB, data);
    assert_eq!(replayed_at_start(addr_of(&url), data).await, 0, "a new log");
    drinks(&url, data, 40).await;
    let term = Command::new("kill")
        .args(["-TERM", &hub.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    assert!(hub.wait().unwrap().success());
    let (head, checkpoint) = head_and_checkpoint(data);
    assert_eq!(
        checkpoint, head,
        "the checkpoint at the clean stop is at the head"
    );
    assert!(head > 80, "a log of {head} events");

    // The next life replays nothing, does a little, and is killed: no checkpoint at its end.
    let (mut hub, url, _lines) = integration::hub_process(HUB, data);
    assert_eq!(replayed_at_start(addr_of(&url), data).await, 0);
    drinks(&url, data, 3).await;
    hub.kill().unwrap();
    hub.wait().unwrap();
    let (head, checkpoint) = head_and_checkpoint(data);

    // The one after replays exactly the events after the newest checkpoint.
    let (mut hub, url, _lines) = integration::hub_process(HUB, data);
    let replayed = replayed_at_start(addr_of(&url), data).await;
    assert_eq!(replayed, head - checkpoint);
    assert!(
        replayed > 0 && replayed < 20,
        "replayed {replayed} of a log of {} events",
        head - 1
    );
    let token = integration::token_for(data, "SUP");
    let (mut sup, _) = Tablet::connect(&url, &token, Options::default())
        .await
        .unwrap();
    let board = state(&mut sup).await;
    assert_eq!(
        board["orders"].as_array().unwrap().len(),
        43,
        "every order is on the board"
    );
    hub.kill().unwrap();
    hub.wait().unwrap();
}

/// The parts of a snapshot the board is made of (not who is online, nor the offsets).
fn the_board(s: &Value) -> Value {
    serde_json::json!({
        "visitors": s["visitors"], "rooms": s["rooms"], "orders": s["orders"], "rota": s["rota"],
        "mode": s["mode"], "alerts": s["alerts"], "open_calls": s["open_calls"],
        "counts": s["counts"],
    })
}

async fn board_of(data: &Path, clock: &Clock) -> (Value, u64) {
    let hub = TestHub::start_in(data, |c| c.clock = clock.clone()).await;
    let mut sup = hub.tablet("SUP").await;
    let board = the_board(&state(&mut sup).await);
    let replayed = replayed_at_start(hub.addr, data).await;
    drop(sup);
    hub.stop().await;
    (board, replayed)
}

#[tokio::test]
async fn a_board_loaded_from_a_checkpoint_is_the_board_a_replay_of_the_whole_log_makes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    // Two days of a gallery: groups coming and going, a room, orders, the rota, a silent post.
    let clock = Clock::manual(1_795_827_600_000); // 2026-11-28 09:00 UTC+8
    let hub = TestHub::start_in(data, |c| c.clock = clock.clone()).await;
    let mut posts = Posts::connect(&hub, &["SUP", "L1", "G1", "S1", "RC", "X:张伟"]).await;
    posts.tap("X:张伟", Tap::SignIn { duty: None }).await;
    posts
        .say(
            "L1",
            "我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。",
            &[],
        )
        .await;
    posts.leaves_by_taxi("X:张伟", "陈先生", "粤B12345").await;
    posts
        .say(
            "G1",
            "我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP2室，收到请回答。",
            &[("S1", Answer::Received)],
        )
        .await;
    clock.advance(30 * MIN);
    posts
        .say(
            "G1",
            "我是大客户管家，呼叫水吧，VIP1客人已离去请前去打扫，收到请回话。",
            &[],
        )
        .await;
    clock.advance(24 * 60 * MIN);
    posts.leaves_by_taxi("X:张伟", "李小姐", "粤B55555").await;
    let live = the_board(&state(posts.tablet("SUP")).await);
    drop(posts);
    hub.stop().await;

    let (from_checkpoint, replayed) = board_of(data, &clock).await;
    assert_eq!(
        replayed, 0,
        "the start loaded the checkpoint taken at the stop"
    );
    assert_eq!(from_checkpoint, live);

    // The newest checkpoint damaged: an older one (or the whole log) gives the same board.
    let log = data.join("log");
    let newest = logbook::checkpoints(&log).unwrap().pop().unwrap();
    let mut bytes = std::fs::read(&newest.path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&newest.path, &bytes).unwrap();
    let (past_damage, replayed) = board_of(data, &clock).await;
    assert!(replayed > 0, "the damaged checkpoint was not used");
    assert_eq!(past_damage, live);

    // No checkpoint at all: the whole log is replayed, to the same board.
    for c in logbook::checkpoints(&log).unwrap() {
        std::fs::remove_file(c.path).unwrap();
    }
    let head = logbook::check(&log, |_, _, _| Ok(()))
        .unwrap()
        .head()
        .unwrap();
    let (replayed_board, replayed) = board_of(data, &clock).await;
    assert_eq!(replayed, head - 1, "the whole log");
    assert_eq!(replayed_board, live);
}
