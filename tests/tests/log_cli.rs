//! `hub log check` and `hub log export` as an operator runs them, beside a live hub: the check
//! says what the log holds and, for a flipped byte, which file, byte and offset is damaged and
//! what to do; the export prints one day's events as JSON lines and refuses a bad date or a day
//! with no log, saying why.

use std::process::{Command, Output};

use hub::{Clock, calendar};
use integration::{Posts, TestHub};
use protocol::envelope::Resume;
use tablet::Options;

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");
fn beijing() -> hub::calendar::Zone {
    hub::calendar::Zone::china()
}
const DAY: u64 = 86_400_000;

fn hub(args: &[&str]) -> (Output, String, String) {
    let out = Command::new(HUB).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// A hub with two days of log: 王先生 left by taxi on 2026-03-02, 李小姐 on 2026-03-03.
async fn two_days(data: &std::path::Path) -> TestHub {
    let day = calendar::parse_date("2026-03-02").unwrap();
    let clock = Clock::manual(calendar::start_of(day, &beijing()) + 10 * 3_600_000);
    let hub = TestHub::start_in(data, |c| c.clock = clock.clone()).await;
    let mut posts = Posts::connect(&hub, &["L1", "X:张伟"]).await;
    posts.leaves_by_taxi("X:张伟", "王先生", "粤B12345").await;
    clock.advance(DAY);
    posts.leaves_by_taxi("X:张伟", "李小姐", "粤B55555").await;
    hub
}

#[tokio::test]
async fn a_day_is_exported_as_json_lines_and_a_bad_or_empty_date_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let live = two_days(dir.path()).await;

    let (out, stdout, stderr) = hub(&["log", "export", "--data", data, "--date", "2026-03-02"]);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let start = calendar::start_of(calendar::parse_date("2026-03-02").unwrap(), &beijing());
    for l in &lines {
        assert_eq!(l["type"], "event", "{l}");
        let at = l["at"].as_u64().unwrap();
        assert!((start..start + DAY).contains(&at), "{l}");
    }
    assert!(stdout.contains("王先生") && stdout.contains("粤B12345"));
    assert!(!stdout.contains("李小姐"), "only that day");
    // Exactly the day's events, as the supervisor's tablet replays them from the live hub.
    let from_one = Options {
        resume: Some(Resume {
            epoch: None,
            from: 1,
        }),
        ..Options::default()
    };
    let (mut sup, welcome) = live.tablet_with("SUP", from_one).await;
    let mut that_day = Vec::new();
    while let Ok(Some(e)) = sup
        .next_event_within(std::time::Duration::from_millis(300))
        .await
    {
        if e.offset >= welcome.head {
            break;
        }
        if (start..start + DAY).contains(&e.at) {
            that_day.push(e.offset);
        }
    }
    let exported: Vec<u64> = lines
        .iter()
        .map(|l| l["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(exported, that_day);

    let (out, stdout, stderr) = hub(&["log", "export", "--data", data, "--date", "2026-02-30"]);
    assert!(!out.status.success());
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("is not a date") && stderr.contains("YYYY-MM-DD"),
        "{stderr}"
    );
    let (out, stdout, stderr) = hub(&["log", "export", "--data", data, "--date", "2026-01-15"]);
    assert!(!out.status.success());
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("no events were logged on 2026-01-15")
            && stderr.contains("2026-03-02 to 2026-03-03"),
        "{stderr}"
    );
}

#[tokio::test]
async fn check_passes_a_live_log_and_names_the_file_byte_and_offset_of_a_flipped_byte() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let live = two_days(dir.path()).await;

    // Beside the running hub: read-only, no lock.
    let (out, stdout, stderr) = hub(&["log", "check", "--data", data]);
    assert!(out.status.success(), "{stdout}{stderr}");
    for said in [
        "segments     2",
        "days         2026-03-02 to 2026-03-03 (2 with events)",
        "checkpoints",
        "sound",
    ] {
        assert!(stdout.contains(said), "{said:?} in\n{stdout}");
    }
    live.stop().await;

    // A byte of a record of the first day rots.
    let (path, at) = integration::record_on_disk(dir.path(), 3);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[at + 16 + 1] ^= 0x04;
    std::fs::write(&path, &bytes).unwrap();
    let (out, stdout, stderr) = hub(&["log", "check", "--data", data]);
    assert!(!out.status.success(), "{stdout}");
    let place = format!("DAMAGE in {} at byte {at}, offset 3:", path.display());
    assert!(stdout.contains(&place), "{place:?} in\n{stdout}");
    assert!(stdout.contains("checksum"), "{stdout}");
    assert!(
        stderr.contains(&format!("hub repair --data {data}")),
        "says what to do: {stderr}"
    );

    // Repaired, it checks sound again.
    let (out, _, stderr) = hub(&["repair", "--data", data]);
    assert!(out.status.success(), "{stderr}");
    let (out, stdout, _) = hub(&["log", "check", "--data", data]);
    assert!(out.status.success(), "{stdout}");
}
