//! Any text, as a tablet's token: checking it says which station it names or why not, never
//! panics, and only a token this hub's keys signed is ever accepted.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn trust() -> &'static hub::Trust {
    static TRUST: OnceLock<(tempfile::TempDir, hub::Trust)> = OnceLock::new();
    &TRUST
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temp dir");
            let trust = hub::Trust::load_or_create(dir.path()).expect("a key");
            (dir, trust)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    assert!(
        trust().check(token, 0).is_err(),
        "a token nobody signed was accepted: {token:?}"
    );
});
