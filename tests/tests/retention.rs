//! Retention as an operator meets it: a hub kept running day after day with `retention_days`
//! set removes the older days from disk — no byte of a visitor's name or car plate from them is
//! left in the data folder — while the board stays, the report of a kept day is the same as
//! before, and a report of a removed day says it is past retention.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hub::{Clock, calendar};
use integration::{Posts, TestHub, WAIT, http_get, state, visitor};
use protocol::Answer;
use protocol::envelope::{Recovery, Resume};
use serde_json::Value;

fn beijing() -> hub::calendar::Zone {
    hub::calendar::Zone::china()
}
const DAY: u64 = 86_400_000;

/// 10:00 on `date` at the gallery (UTC+8).
fn ten_am(date: &str) -> u64 {
    calendar::start_of(calendar::parse_date(date).unwrap(), &beijing()) + 10 * 3_600_000
}

/// Every file under `dir` whose bytes hold `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(path);
                }
            }
        }
    }
    found
}

async fn report(hub: &TestHub, date: &str) -> (u16, Value) {
    let (status, body) = http_get(
        hub.addr,
        &format!("/api/report?date={date}"),
        Some(&hub.token("SUP")),
    )
    .await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn days_past_retention_leave_the_disk_while_the_board_and_the_kept_days_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let clock = Clock::manual(ten_am("2026-03-02"));
    let on = |clock: &Clock| {
        let clock = clock.clone();
        move |c: &mut hub::Config| c.clock = clock
    };
    let hub = TestHub::start_in(data, on(&clock)).await;
    let mut posts = Posts::connect(&hub, &["SUP", "L1", "G1", "S1", "X:张伟"]).await;
    posts.leaves_by_taxi("X:张伟", "王先生", "粤B12345").await;
    clock.advance(DAY); // 2026-03-03
    posts.leaves_by_taxi("X:张伟", "赵先生", "粤B22222").await;
    // A room left to clear that evening is cleared only days later: the later day's report
    // counts the turnover from what it knew before that day.
    posts
        .say(
            "G1",
            "我是大客户管家，呼叫水吧，VIP1客人已离去请前去打扫，收到请回话。",
            &[("S1", Answer::Received)],
        )
        .await;
    clock.advance(3 * DAY); // 2026-03-06
    posts.leaves_by_taxi("X:张伟", "李小姐", "粤B55555").await;
    posts
        .say(
            "S1",
            "我是水吧，呼叫大客户管家，VIP1已打扫完毕，可以接待，收到请回答。",
            &[("G1", Answer::Received)],
        )
        .await;
    let (status, kept_day) = report(&hub, "2026-03-06").await;
    assert_eq!(status, 200, "{kept_day}");
    assert_eq!(kept_day["visitor_groups"]["total"], 1, "{kept_day}");
    assert_eq!(kept_day["room_turnover"]["VIP1"], 1, "{kept_day}");
    assert_eq!(kept_day["orders"]["taxi"]["done"], 1, "{kept_day}");
    let (status, old_day) = report(&hub, "2026-03-02").await;
    assert_eq!(
        (status, &old_day["visitor_groups"]["total"]),
        (200, &1.into())
    );
    drop(posts);
    hub.stop().await;
    for old in ["王先生", "粤B12345", "赵先生", "粤B22222"] {
        assert!(!files_holding(data, old).is_empty(), "{old} is on disk");
    }

    // The hub runs again, keeping two days besides today (2026-03-04 to 2026-03-06).
    let hub = TestHub::start_in(data, |c| {
        c.clock = clock.clone();
        c.retention_days = Some(2);
    })
    .await;
    let old_days = ["王先生", "粤B12345", "赵先生", "粤B22222"];
    let still_there = || -> Vec<(&str, Vec<PathBuf>)> {
        old_days
            .iter()
            .map(|old| (*old, files_holding(data, old)))
            .filter(|(_, files)| !files.is_empty())
            .collect()
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while !still_there().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "from removed days, still on disk: {:?}",
            still_there()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for kept in ["李小姐", "粤B55555"] {
        assert!(!files_holding(data, kept).is_empty(), "{kept} is kept");
    }

    // The board is whole; the kept day's report is the same; a removed day's is refused.
    let mut sup = hub.tablet("SUP").await;
    let board = state(&mut sup).await;
    assert_eq!(visitor(&board, "李小姐")["stage"], "left");
    assert_eq!(integration::room(&board, 1)["state"], "free");
    assert_eq!(report(&hub, "2026-03-06").await, (200, kept_day.clone()));
    for removed in ["2026-03-02", "2026-03-03"] {
        let (status, body) = report(&hub, removed).await;
        assert_eq!(status, 410, "{body}");
        assert_eq!(body["rule"], "past_retention", "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("past retention"),
            "{body}"
        );
    }
    // A tablet asking for what was removed is sent a snapshot.
    let (_, welcome) = hub
        .tablet_with(
            "SUP",
            tablet::Options {
                resume: Some(Resume {
                    epoch: None,
                    from: 1,
                }),
                ..tablet::Options::default()
            },
        )
        .await;
    assert!(
        matches!(welcome.recovery, Recovery::SnapshotNeeded { .. }),
        "{:?}",
        welcome.recovery
    );
    drop(sup);
    hub.stop().await;

    // And it starts again on what is left: from a checkpoint, the same board.
    let hub = TestHub::start_in(data, on(&clock)).await;
    let mut sup = hub.tablet("SUP").await;
    let again = state(&mut sup).await;
    assert_eq!(again["visitors"], board["visitors"]);
    assert_eq!(again["rooms"], board["rooms"]);
    assert_eq!(again["orders"], board["orders"]);
    assert_eq!(report(&hub, "2026-03-06").await, (200, kept_day));
}

#[tokio::test]
async fn a_running_hub_removes_a_day_as_soon_as_it_falls_out_of_the_retention_period() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let clock = Clock::manual(ten_am("2026-03-02"));
    let hub = TestHub::start_in(data, |c| {
        c.clock = clock.clone();
        c.retention_days = Some(1);
    })
    .await;
    let mut posts = Posts::connect(&hub, &["SUP", "L1", "X:张伟"]).await;
    posts.leaves_by_taxi("X:张伟", "王先生", "粤B12345").await;
    clock.advance(DAY); // 2026-03-03: yesterday is still kept
    posts.leaves_by_taxi("X:张伟", "赵先生", "粤B22222").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!files_holding(data, "粤B12345").is_empty(), "kept a day");

    // The next day begins with its first call; the hub, still running, removes 2026-03-02.
    clock.advance(DAY);
    posts.leaves_by_taxi("X:张伟", "李小姐", "粤B55555").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while !(files_holding(data, "粤B12345").is_empty() && files_holding(data, "王先生").is_empty())
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the day was not removed: {:?} {:?}",
            files_holding(data, "粤B12345"),
            files_holding(data, "王先生")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !files_holding(data, "粤B22222").is_empty(),
        "yesterday is kept"
    );
    let (status, body) = report(&hub, "2026-03-02").await;
    assert_eq!(
        (status, &body["rule"]),
        (410, &"past_retention".into()),
        "{body}"
    );
    let (status, body) = report(&hub, "2026-03-03").await;
    assert_eq!(status, 200);
    assert_eq!(body["orders"]["taxi"]["done"], 1, "{body}");
    let board = state(posts.tablet("SUP")).await;
    assert_eq!(visitor(&board, "李小姐")["stage"], "left");
}
