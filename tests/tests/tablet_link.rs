//! `hub token POST --link`: the token, the tablet's sign-in link with the token in its fragment,
//! and a QR code of that link that a camera can read.

use std::process::Command;

use protocol::Station;

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

fn hub(args: &[&str]) -> std::process::Output {
    Command::new(HUB).args(args).output().expect("the hub runs")
}

/// Reads the half-block QR code as a camera would: each character is two modules, drawn
/// 4×4 pixels each, dark modules black.
fn scan(lines: &[&str]) -> String {
    let grid: Vec<Vec<char>> = lines.iter().map(|l| l.chars().collect()).collect();
    let (cols, rows) = (grid[0].len(), grid.len() * 2);
    const PX: usize = 4;
    let dark = |x: usize, y: usize| {
        let c = grid[y / 2][x];
        match (c, y % 2) {
            ('█', _) | ('▀', 0) | ('▄', 1) => true,
            (' ', _) | ('▀', _) | ('▄', _) => false,
            (other, _) => panic!("not a half block: {other:?}"),
        }
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(cols * PX, rows * PX, |x, y| {
        if dark(x / PX, y / PX) { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the output");
    grids[0].decode().expect("the QR code decodes").1
}

#[test]
fn the_link_carries_a_token_that_verifies_and_its_qr_code_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = hub(&[
        "token",
        "X",
        "--name",
        "张伟",
        "--link",
        "--host",
        "192.0.2.10:7700",
        "--data",
        data,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let (token, link, qr) = (lines[0], lines[1], &lines[2..]);

    let trust = hub::Trust::load(dir.path()).unwrap();
    let station = |t: &str| trust.check(t, hub::token::now_ms()).map(|g| g.station);
    assert_eq!(station(token), Ok(Station::manager("张伟").unwrap()));
    assert_eq!(link, format!("http://192.0.2.10:7700/#token={token}"));
    let in_fragment = hub::link::token_of(link).expect("a token in the fragment");
    assert_eq!(station(in_fragment), Ok(Station::manager("张伟").unwrap()));
    assert!(
        !link.split('#').next().unwrap().contains(token),
        "the token is only in the fragment, which no server sees"
    );

    // Not a terminal: plain half blocks, no colour codes.
    assert!(qr.iter().all(|l| !l.contains('\x1b')));
    assert_eq!(scan(qr), link);
    // An address given, nothing to warn about: only the token's id and expiry, to end it early.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let id = trust
        .check(token, hub::token::now_ms())
        .unwrap()
        .id
        .unwrap();
    assert!(
        stderr.contains(&format!("token {id} for X:张伟, expires"))
            && stderr.contains(&format!("hub token revoke {id}")),
        "{stderr}"
    );
}

#[test]
fn without_a_host_the_link_names_the_default_address_and_says_how_to_give_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = hub(&[
        "token",
        "S1",
        "--link",
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[1],
        format!("http://127.0.0.1:7700/#token={}", lines[0])
    );
    assert_eq!(scan(&lines[2..]), lines[1]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--host") && stderr.contains("this machine only"),
        "{stderr}"
    );

    // The supervisor's link opens the dashboard.
    let sup = hub(&[
        "token",
        "SUP",
        "--link",
        "--host",
        "192.0.2.10",
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    let stdout = String::from_utf8(sup.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[1],
        format!("http://192.0.2.10:7700/dashboard#token={}", lines[0])
    );

    // Without --link, the token alone as before; --host needs --link; a bad host is refused.
    let plain = hub(&["token", "S1", "--data", dir.path().to_str().unwrap()]);
    assert_eq!(String::from_utf8(plain.stdout).unwrap().lines().count(), 1);
    let stray = hub(&[
        "token",
        "S1",
        "--host",
        "x:1",
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!stray.status.success());
    let bad = hub(&[
        "token",
        "S1",
        "--link",
        "--host",
        "x/y",
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!bad.status.success() && bad.stdout.is_empty());
}
