//! The files behind the pages: built into the binary from `hub/web/`, or read from a folder on
//! each request while someone is working on them (`hub serve --web DIR`).
//!
//! Built in with `rust-embed` (`debug-embed`, so tests and debug builds serve the very bytes a
//! release build carries) rather than a hand-kept `include_bytes!` table: the page authors add
//! and rename files, and a table they must remember to edit would drift. `build.rs` makes cargo
//! notice a file added to the folder.
//!
//! The embedded files have a **version**, a hash of them all: a page refers to its assets as
//! `/assets/v-<version>/…`, so they can be cached for good, and a new hub changes the URL.
//!
//! One asset is made rather than stored: `assets/lib/script_table.js`, the script table the pages
//! say a call's sentence from (`protocol::script_table`), made from the protocol this hub is
//! built with, so the pages can never say a call differently from the hub. It counts in the
//! version like any file.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(rust_embed::Embed)]
#[folder = "web/"]
struct Embedded;

/// Where the page files come from.
#[derive(Debug)]
pub enum Assets {
    /// Built into the binary, with the version of the whole set.
    Embedded { version: String },
    /// Read from a folder on each request, never cached: `hub serve --web DIR`.
    Folder(PathBuf),
}

impl Assets {
    pub fn embedded() -> Assets {
        let mut names: Vec<_> = Embedded::iter().collect();
        names.sort();
        let mut all = Sha256::new();
        for name in names {
            let file = Embedded::get(&name).expect("a listed file is embedded");
            all.update(name.as_bytes());
            all.update([0]);
            all.update(file.metadata.sha256_hash());
        }
        all.update(SCRIPT_TABLE.as_bytes());
        all.update([0]);
        all.update(script_table());
        Assets::Embedded {
            version: hex(&all.finalize()[..6]),
        }
    }

    /// A folder laid out like `hub/web/`; refused if it has no tablet page.
    pub fn folder(dir: &Path) -> Result<Assets, String> {
        if !dir.join("index.html").is_file() {
            return Err(format!(
                "--web {}: no index.html there; point it at a folder laid out like hub/web/",
                dir.display()
            ));
        }
        Ok(Assets::Folder(dir.to_path_buf()))
    }

    /// The version of the embedded set; none when files come from a folder and may change.
    pub fn version(&self) -> Option<&str> {
        match self {
            Assets::Embedded { version } => Some(version),
            Assets::Folder(_) => None,
        }
    }

    /// The file at `path` (relative, `/`-separated, as under `hub/web/`).
    pub async fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        if !is_safe(path) {
            return None;
        }
        if path == SCRIPT_TABLE {
            return Some(Cow::Borrowed(script_table()));
        }
        match self {
            Assets::Embedded { .. } => Embedded::get(path).map(|f| f.data),
            Assets::Folder(dir) => tokio::fs::read(dir.join(path)).await.ok().map(Cow::Owned),
        }
    }

    /// Every embedded file's path, and the made one (tests check each has a content type).
    pub fn embedded_paths() -> impl Iterator<Item = Cow<'static, str>> {
        Embedded::iter().chain([Cow::Borrowed(SCRIPT_TABLE)])
    }
}

/// Where the pages import the script table from.
const SCRIPT_TABLE: &str = "assets/lib/script_table.js";

/// The script table as an ES module (`export default {…};`), made once.
fn script_table() -> &'static [u8] {
    static MODULE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    MODULE.get_or_init(|| {
        let json = serde_json::to_string(&protocol::script_table::table())
            .expect("the script table is plain data");
        format!(
            "// Made by the hub from its protocol (protocol/src/script_table.rs); not a file in hub/web.\nexport default {json};\n"
        )
        .into_bytes()
    })
}

/// A relative path with no way out of the folder: no `..`, no empty or hidden segments, no
/// backslashes.
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && !seg.starts_with('.'))
}

/// The `Content-Type` for a file, by its extension; `None` for a kind the pages do not use, which
/// is then not served (with `nosniff`, a script or style under the wrong type would not run).
pub fn content_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1;
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "txt" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_has_a_content_type() {
        let paths: Vec<_> = Assets::embedded_paths().collect();
        assert!(paths.iter().any(|p| p == "index.html"));
        for path in paths {
            assert!(content_type(&path).is_some(), "{path} has no content type");
        }
    }

    #[test]
    fn paths_cannot_leave_the_folder() {
        for bad in [
            "",
            "../secret",
            "assets/../../secret",
            "/etc/passwd",
            "assets//x",
            "assets/.hidden",
            "a\\b",
        ] {
            assert!(!is_safe(bad), "{bad:?}");
        }
        assert!(is_safe("assets/lib/hub.js"));
    }

    #[test]
    fn the_version_is_stable_and_short() {
        let a = Assets::embedded();
        let b = Assets::embedded();
        assert_eq!(a.version(), b.version());
        assert_eq!(a.version().unwrap().len(), 12);
    }
}
