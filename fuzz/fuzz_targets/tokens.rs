//! Any text, as a tablet's token: checking it says which station it names or why not, never
//! panics, and only a token this hub's secret signed is ever accepted.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn secret() -> &'static hub::Secret {
    static SECRET: OnceLock<(tempfile::TempDir, hub::Secret)> = OnceLock::new();
    &SECRET
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temp dir");
            let secret = hub::Secret::load_or_create(dir.path()).expect("a secret");
            (dir, secret)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    assert!(
        secret().verify(token).is_err(),
        "a token nobody signed was accepted: {token:?}"
    );
});
