//! A backup as an operator takes it: `hub log backup` while the hub is busy writing, then a
//! hub started on the copy — it starts, shows the board as it was when the copy was taken, and
//! keeps the log's epoch (its tablets' tokens still work: the secret came along).

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use integration::{Posts, TestHub, state, visitor};
use tablet::{Options, Tablet};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

#[tokio::test]
async fn a_backup_taken_while_the_hub_writes_restores_to_a_hub_that_shows_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let copy = dir.path().join("copy");
    let hub = TestHub::start_in(&data, |_| {}).await;
    let (_, live) = hub.tablet_with("SUP", Options::default()).await;
    let mut posts = Posts::connect(&hub, &["SUP", "L1"]).await;
    posts
        .say(
            "L1",
            "我是L1岗，呼叫各岗位，预约客户周先生到访，共2人，请各岗位做好接待工作，收到请回答。",
            &[],
        )
        .await;

    let group = visitor(&state(posts.tablet("SUP")).await, "周先生").clone();

    // The butler keeps ordering drinks while the copy is taken.
    let placed = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut g1 = hub.tablet("G1").await;
    let writer = {
        let (placed, stop) = (placed.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                g1.say("我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP2室，收到请回答。")
                    .await
                    .unwrap();
                placed.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while placed.load(Ordering::Relaxed) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before = placed.load(Ordering::Relaxed);
    let out = tokio::task::spawn_blocking({
        let (data, copy) = (data.clone(), copy.clone());
        move || {
            Command::new(HUB)
                .args(["log", "backup", "--data"])
                .arg(&data)
                .arg("--to")
                .arg(&copy)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let after = placed.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("copied the data folder"), "{said}");
    assert!(
        after > before,
        "the hub was writing while the copy was taken"
    );
    drop(posts);
    hub.stop().await;

    // Restored: a hub process on the copy starts and shows the board of that moment.
    let check = Command::new(HUB)
        .args(["log", "check", "--data"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let (mut restored, url, _lines) = integration::hub_process(HUB, &copy);
    let token = integration::token_for(&copy, "SUP");
    let (mut sup, welcome) = Tablet::connect(&url, &token, Options::default())
        .await
        .expect("the copy's secret signs the tablets' tokens");
    assert_eq!(welcome.epoch, live.epoch, "the same log");
    let board = state(&mut sup).await;
    assert_eq!(visitor(&board, "周先生"), &group);
    let orders = board["orders"].as_array().unwrap().len();
    // The butler has one call in flight at a time: logged, maybe, but not yet counted.
    assert!(
        (before..=after + 1).contains(&orders),
        "{orders} orders: every one placed before the copy began ({before}), none after it ended ({after})"
    );
    restored.kill().unwrap();
    restored.wait().unwrap();
}
