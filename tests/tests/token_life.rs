//! A token's life as the operator sees it, against the hub's own command line running as a
//! process: minted with an id and an expiry, listed, revoked, its key rotated and retired — and
//! the running hub following each change live: new connections with a dead token refused, a
//! tablet connected with one cut off with the close code that says why, within seconds.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use integration::{TestHub, hub_process, until_closed};
use protocol::{CloseCode, Station};
use tablet::{Options, Tablet, TabletError};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");
/// A change on disk reaches the running hub within a couple of seconds; this only guards
/// against a hang.
const CUT_OFF_WITHIN: Duration = Duration::from_secs(8);

fn hub(args: &[&str]) -> std::process::Output {
    Command::new(HUB).args(args).output().expect("the hub runs")
}

/// `hub token …` that must succeed; its stdout and stderr.
fn ok(args: &[&str]) -> (String, String) {
    let out = hub(args);
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(out.status.success(), "hub {args:?}: {stderr}");
    (stdout, stderr)
}

/// Mints with `hub token` as the operator does: the token and its id.
fn mint(data: &Path, post: &str, extra: &[&str]) -> (String, String) {
    let mut args = vec!["token", post, "--data", data.to_str().unwrap()];
    args.extend(extra);
    let (stdout, stderr) = ok(&args);
    let token = stdout.trim().to_owned();
    let id = stderr
        .split_whitespace()
        .skip_while(|w| *w != "token")
        .nth(1)
        .expect("the token's id on stderr")
        .to_owned();
    (token, id)
}

async fn refused(url: &str, token: &str) -> TabletError {
    match Tablet::connect(url, token, Options::default()).await {
        Ok(_) => panic!("a dead token was accepted"),
        Err(e) => e,
    }
}

fn code(e: &TabletError) -> Option<CloseCode> {
    match e {
        TabletError::Closed { code, .. } => *code,
        _ => None,
    }
}

async fn cut_off(tablet: &mut Tablet) -> TabletError {
    tokio::time::timeout(CUT_OFF_WITHIN, until_closed(tablet))
        .await
        .expect("the hub cut the tablet off within seconds")
}

fn stop(mut child: std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn a_revoked_token_is_cut_off_live_and_refused_after() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (child, url, _lines) = hub_process(HUB, data);
    let (l1, l1_id) = mint(data, "L1", &["--ttl", "30d"]);
    let (other, _) = mint(data, "L1", &[]);
    let (mut tablet, _) = Tablet::connect(&url, &l1, Options::default())
        .await
        .unwrap();
    let (mut spare, _) = Tablet::connect(&url, &other, Options::default())
        .await
        .unwrap();

    let (said, _) = ok(&["token", "revoke", &l1_id, "--data", data.to_str().unwrap()]);
    assert!(said.contains(&format!("revoked {l1_id} (L1")), "{said}");
    let e = cut_off(&mut tablet).await;
    assert_eq!(code(&e), Some(CloseCode::TokenRevoked), "{e}");
    assert!(!e.reconnect(), "a revoked token is final: {e}");
    assert!(e.to_string().contains("revoked"), "{e}");
    let e = refused(&url, &l1).await;
    assert_eq!(code(&e), Some(CloseCode::TokenRevoked), "{e}");

    // The other tablet of the post, with its own token, stays on the net.
    let placed = spare
        .say("我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。")
        .await;
    assert!(placed.is_ok(), "{placed:?}");

    // The list says so; a second revoke says it already was; an unknown id is refused.
    let (list, _) = ok(&["token", "list", "--data", data.to_str().unwrap()]);
    let row = list
        .lines()
        .find(|l| l.starts_with(&l1_id))
        .expect("listed");
    assert!(row.contains("revoked") && row.contains("L1"), "{list}");
    assert!(list.contains("1 of 2 tokens valid"), "{list}");
    let (again, _) = ok(&["token", "revoke", &l1_id, "--data", data.to_str().unwrap()]);
    assert!(again.contains("already revoked"), "{again}");
    let unknown = hub(&[
        "token",
        "revoke",
        "zzzzzzzz",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("hub token list"));
    stop(child);
}

#[tokio::test]
async fn rotation_keeps_old_tokens_until_the_previous_key_is_retired_then_cuts_them_off() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let d = data.to_str().unwrap();
    let (child, url, _lines) = hub_process(HUB, data);
    let (old, _) = mint(data, "S1", &[]);
    let (mut veteran, _) = Tablet::connect(&url, &old, Options::default())
        .await
        .unwrap();

    let (said, _) = ok(&["token", "rotate", "--data", d]);
    assert!(said.contains("retire-previous"), "{said}");
    // A token of the new key works at once, before the hub's next look at the files.
    let (new, _) = mint(data, "G1", &[]);
    let (mut newcomer, _) = Tablet::connect(&url, &new, Options::default())
        .await
        .expect("a token of the new key is accepted");
    // The old key's token still lets a tablet in, and the connected one stays.
    let (again, _) = Tablet::connect(&url, &old, Options::default())
        .await
        .expect("the previous key is still accepted");
    drop(again);
    // Rotating again would retire the previous key unasked: refused.
    let twice = hub(&["token", "rotate", "--data", d]);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("retire-previous"));

    let (said, _) = ok(&["token", "retire-previous", "--data", d]);
    assert!(said.contains("S1"), "names the tokens it ends: {said}");
    let e = cut_off(&mut veteran).await;
    assert_eq!(code(&e), Some(CloseCode::TokenRevoked), "{e}");
    assert!(e.to_string().contains("retired"), "{e}");
    let e = refused(&url, &old).await;
    assert_eq!(code(&e), Some(CloseCode::TokenRevoked), "{e}");
    // The new key's tablet is untouched.
    let placed = newcomer
        .say("我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。")
        .await;
    assert!(placed.is_ok(), "{placed:?}");
    let (list, _) = ok(&["token", "list", "--data", d]);
    assert!(list.contains("revoked (key retired)"), "{list}");
    assert!(!list.contains("previous key"), "{list}");
    stop(child);
}

#[tokio::test]
async fn an_expired_token_is_refused_with_4504_and_a_connected_one_cut_off_at_expiry() {
    // The connection checks its token's time with its liveness timer (a third of ping_after).
    let hub = TestHub::start_with(|c| c.ping_after = Duration::from_millis(900)).await;
    let keys = hub::Keys::load(&hub.data).unwrap();
    let id = || hub::token::TokenId::random().unwrap();
    let now = hub::token::now_ms();
    let l2 = Station::Post(protocol::Post::L2);
    let stale = keys.mint(&l2, id(), now - 90_000, Some(now - 1));
    let e = refused(&hub.url(), &stale).await;
    assert_eq!(code(&e), Some(CloseCode::TokenExpired), "{e}");
    assert!(!e.reconnect());
    assert!(e.to_string().contains("expired"), "{e}");

    let soon = keys.mint(&l2, id(), now, Some(now + 1_500));
    let (mut tablet, _) = Tablet::connect(&hub.url(), &soon, Options::default())
        .await
        .unwrap();
    let e = cut_off(&mut tablet).await;
    assert_eq!(code(&e), Some(CloseCode::TokenExpired), "{e}");
    assert!(hub::token::now_ms() >= now + 1_500, "not before its time");

    // Over HTTP, an expired token is a 401 that says so.
    let (status, body) = integration::http_get(hub.addr, "/api/state", Some(&stale)).await;
    assert_eq!(status, 401);
    assert!(body.contains("expired"), "{body}");
}

#[test]
fn the_lifetime_is_read_and_shown_and_a_bad_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (_, stderr) = ok(&["token", "L1", "--ttl", "12h", "--data", d]);
    assert!(
        stderr.contains("expires") && stderr.contains("in 12 hours"),
        "{stderr}"
    );
    let (_, stderr) = ok(&["token", "SUP", "--ttl", "never", "--data", d]);
    assert!(stderr.contains("never expires"), "{stderr}");
    let (_, stderr) = ok(&["token", "S1", "--data", d]);
    assert!(
        stderr.contains("in 90 days"),
        "the default is 90 days: {stderr}"
    );
    for bad in ["0d", "30", "1w", "forever"] {
        let out = hub(&["token", "L1", "--ttl", bad, "--data", d]);
        assert!(!out.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--ttl"), "{err}");
    }
    let (list, _) = ok(&["token", "list", "--data", d]);
    assert!(list.contains("3 of 3 tokens valid"), "{list}");
    assert!(list.contains("never"), "{list}");
    // The registry holds no token: nothing in it signs a tablet in.
    let registry = std::fs::read_to_string(dir.path().join("tokens")).unwrap();
    assert!(!registry.contains('.'), "{registry}");
    #[cfg(unix)]
    for file in ["tokens", "secret"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
}

#[tokio::test]
async fn a_secret_deleted_while_the_hub_runs_is_made_again_and_old_tokens_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (child, url, _lines) = hub_process(HUB, data);
    let (old, _) = mint(data, "OPS", &[]);
    let (mut tablet, _) = Tablet::connect(&url, &old, Options::default())
        .await
        .unwrap();
    std::fs::remove_file(data.join("secret")).unwrap();
    let e = cut_off(&mut tablet).await;
    assert_eq!(code(&e), Some(CloseCode::BadToken), "{e}");
    // `hub token` signs with the key the hub now uses: its tokens work.
    let (new, _) = mint(data, "OPS", &[]);
    assert!(
        Tablet::connect(&url, &new, Options::default())
            .await
            .is_ok(),
        "a token minted after the deletion is accepted"
    );
    let e = refused(&url, &old).await;
    assert_eq!(code(&e), Some(CloseCode::BadToken), "{e}");
    stop(child);
}

#[tokio::test]
async fn old_format_tokens_keep_working_after_the_upgrade_until_their_key_is_retired() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let d = data.to_str().unwrap();
    // A data folder as a version before token ids left it: a raw 32-byte secret, and a token
    // of the old format on a tablet.
    std::fs::write(data.join("secret"), [42u8; 32]).unwrap();
    let legacy = hub::token::Key::legacy_from_bytes([42u8; 32]);
    let old = hub::token::mint_legacy(&legacy, &Station::Post(protocol::Post::Rc), 0);
    let (child, url, _lines) = hub_process(HUB, data);
    let (mut tablet, welcome) = Tablet::connect(&url, &old, Options::default())
        .await
        .expect("an old-format token still works after the upgrade");
    assert_eq!(welcome.station, Station::Post(protocol::Post::Rc));
    let (list, _) = ok(&["token", "list", "--data", d]);
    assert!(list.contains("legacy") && list.contains("rotate"), "{list}");

    ok(&["token", "rotate", "--data", d]);
    let (new, _) = mint(data, "RC", &[]);
    assert!(
        Tablet::connect(&url, &new, Options::default())
            .await
            .is_ok()
    );
    let (said, _) = ok(&["token", "retire-previous", "--data", d]);
    assert!(said.contains("old-format"), "{said}");
    let e = cut_off(&mut tablet).await;
    assert_eq!(code(&e), Some(CloseCode::TokenRevoked), "{e}");
    let e = refused(&url, &old).await;
    assert_eq!(code(&e), Some(CloseCode::BadToken), "{e}");
    let (list, _) = ok(&["token", "list", "--data", d]);
    assert!(!list.contains("legacy"), "{list}");
    stop(child);
}
