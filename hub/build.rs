//! Rebuild the hub when a file under `web/` is added, removed or changed: the pages are embedded
//! in the binary (`src/web/assets.rs`), and cargo does not otherwise see a new file there.

fn main() {
    println!("cargo:rerun-if-changed=web");
}
