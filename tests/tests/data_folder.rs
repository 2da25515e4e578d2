//! The data folder holds the secret and the visitors' names: whoever makes it — the hub, or
//! `hub token` before the first start — makes it owner-only, and a hub started on one left open
//! to others closes it and says so.

#![cfg(unix)]

use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Runs `hub serve` on `data` until it says it listens, stops it, and returns what it said on
/// stderr.
fn serve_once(data: &Path, stderr_to: &Path) -> String {
    let mut child = Command::new(HUB)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr_to).unwrap())
        .spawn()
        .unwrap();
    // Read on until the hub ends, as an operator's terminal would.
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("listening"), "{first}");
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let exit = child.wait().unwrap();
    drop(lines);
    let said = std::fs::read_to_string(stderr_to).unwrap();
    assert!(exit.success(), "{exit:?}: {said}");
    said
}

#[test]
fn a_data_folder_the_hub_makes_is_owner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("site/data");
    serve_once(&data, &tmp.path().join("stderr"));
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("log")), 0o700);
    assert_eq!(mode(&data.join("secret")), 0o600);
    for f in std::fs::read_dir(data.join("log")).unwrap() {
        let f = f.unwrap().path();
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }

    let minted = tmp.path().join("minted");
    let out = Command::new(HUB)
        .args(["token", "L1", "--data"])
        .arg(&minted)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(mode(&minted), 0o700, "`hub token` on a new folder");
}

#[test]
fn a_data_folder_open_to_others_is_made_owner_only_and_the_hub_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let said = serve_once(&data, &tmp.path().join("stderr"));
    assert_eq!(mode(&data), 0o700);
    assert!(
        said.contains("open to others") && said.contains("owner-only"),
        "the operator is told: {said}"
    );
    let again = serve_once(&data, &tmp.path().join("stderr2"));
    assert!(!again.contains("open to others"), "{again}");
}
