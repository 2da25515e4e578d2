//! The `hub` command line as the operator uses it: tokens alone on one line, a bad roster
//! refused with the reason, SIGTERM closing tablets with 4000 and exiting cleanly.

use std::process::Command;

use protocol::{CloseCode, Station};
use tablet::{Options, Tablet, TabletError};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

fn hub(args: &[&str]) -> std::process::Output {
    Command::new(HUB).args(args).output().expect("the hub runs")
}

#[test]
fn a_token_is_printed_alone_on_one_line_and_names_its_post() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = hub(&["token", "X", "--name", "张伟", "--data", data]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let trust = hub::Trust::load(dir.path()).unwrap();
    let grant = trust.check(stdout.trim(), hub::token::now_ms()).unwrap();
    assert_eq!(grant.station, Station::manager("张伟").unwrap());

    for bad in [
        vec!["token", "X", "--data", data],
        vec!["token", "KITCHEN", "--data", data],
        vec!["token", "L1", "--name", "张伟", "--data", data],
    ] {
        let out = hub(&bad);
        assert!(!out.status.success(), "{bad:?}");
        assert!(out.stdout.is_empty());
        assert!(!out.stderr.is_empty());
    }
    // A name the radio could not say is refused, naming why: nobody could call that manager.
    for (name, why) in [
        ("张经理", "经理"),
        ("我是张伟", "我是"),
        ("热合曼·", "not a person's name"),
    ] {
        let out = hub(&["token", "X", "--name", name, "--data", data]);
        assert!(!out.status.success(), "{name}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{name}: {err}");
    }
}

#[test]
fn a_bad_roster_file_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.toml");
    std::fs::write(
        &site,
        "name = 'x'\nposts = ['L1', 'KITCHEN']\nvip_rooms = [1]\n",
    )
    .unwrap();
    let out = hub(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data",
        dir.path().join("data").to_str().unwrap(),
        "--site",
        site.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("KITCHEN"));
}

#[tokio::test]
async fn sigterm_closes_tablets_with_4000_and_the_hub_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url, mut lines) = integration::hub_process(HUB, dir.path());
    let second = lines.next().unwrap().unwrap();
    assert!(
        second.contains("hub token"),
        "a fresh data folder says how to mint tokens: {second}"
    );
    let token = integration::token_for(dir.path(), "S1");
    let (mut s1, _) = Tablet::connect(&url, &token, Options::default())
        .await
        .unwrap();

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let err = integration::until_closed(&mut s1).await;
    assert!(
        matches!(
            err,
            TabletError::Closed {
                code: Some(CloseCode::Shutdown),
                ..
            }
        ),
        "{err}"
    );
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn a_second_hub_on_the_same_data_folder_is_refused_at_once_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let (mut first, _url, _lines) = integration::hub_process(HUB, dir.path());
    let out = hub(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(&first.id().to_string()),
        "names the pid: {err}"
    );
    assert!(err.contains("another hub"), "{err}");
    // Nor may a repair touch the log while a hub runs.
    let out = hub(&["repair", "--data", dir.path().to_str().unwrap()]);
    assert!(!out.status.success());
    let _ = first.kill();
    let _ = first.wait();
}

#[tokio::test]
async fn sigterm_stops_the_hub_in_bounded_time_whatever_a_client_does() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url, _lines) = integration::hub_process(HUB, dir.path());
    let addr = url
        .trim_start_matches("ws://")
        .trim_end_matches("/ws")
        .to_owned();
    // A request that never finishes: headers sent a little, then nothing.
    let mut stuck = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stuck
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let asked = std::time::Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let pid = child.id();
    let waited = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        tokio::task::spawn_blocking(move || child.wait()),
    )
    .await;
    let Ok(exit) = waited else {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        panic!("the hub was still running 30 s after SIGTERM");
    };
    let exit = exit.unwrap().unwrap();
    let took = asked.elapsed();
    assert!(exit.success(), "{exit:?}");
    assert!(
        took < hub::SHUTDOWN_GRACE + std::time::Duration::from_secs(5),
        "stopped after {took:?}"
    );
    println!("the hub stopped {took:?} after SIGTERM with a stuck client");
    drop(stuck);
}
