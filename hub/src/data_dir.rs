//! The data folder is the owner's alone: it holds the secret that signs every token and the
//! log with the visitors' names and cars. The hub makes it owner-only (0700) when it creates it,
//! and tightens one it finds open to others — saying so, since an operator may have opened it
//! on purpose — before it takes the folder.

use std::path::Path;

/// Creates `dir` owner-only if missing; if it exists and others may read or enter it, makes it
/// owner-only and returns the mode it had. Never fails for the tightening itself: if the mode
/// cannot be changed (the folder is someone else's), it says so and goes on.
pub fn make_private(dir: &Path) -> std::io::Result<Option<u32>> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o7777;
        if mode & 0o077 == 0 {
            return Ok(None);
        }
        match std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)) {
            Ok(()) => {
                tracing::warn!(
                    folder = %dir.display(),
                    "the data folder was open to others (mode {mode:o}): made it owner-only (700) — it holds the hub's secret and the visitors' names; keep it so"
                );
                return Ok(Some(mode));
            }
            Err(e) => tracing::warn!(
                folder = %dir.display(),
                "the data folder is open to others (mode {mode:o}) and cannot be made owner-only ({e}): run `chmod 700 {}` as its owner",
                dir.display()
            ),
        }
    }
    Ok(None)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(dir: &Path) -> u32 {
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_folder_is_owner_only_and_an_open_one_is_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let fresh = tmp.path().join("a/data");
        assert_eq!(make_private(&fresh).unwrap(), None);
        assert_eq!(mode(&fresh), 0o700);

        let open = tmp.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(make_private(&open).unwrap(), Some(0o755));
        assert_eq!(mode(&open), 0o700);
        assert_eq!(make_private(&open).unwrap(), None, "once is enough");
    }
}
