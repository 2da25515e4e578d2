//! `hub log backup`: a consistent copy of a live data folder, that a hub can start on.

use std::path::Path;

use super::log_dir;
use crate::cli::print;

/// The data folder's files beside the log that a restored hub needs: the signing keys, the
/// token registry, the revocation list (each replaced whole when it changes, so a copy is never
/// half-written), and the TLS folder's certificates and keys.
const KEPT_BESIDE_THE_LOG: [&str; 4] = ["secret", "secret.previous", "tokens", "revoked"];

/// Copies the token files, the TLS folder and the log of `data` into `to`, and checks the copy.
pub(super) fn backup(data: &Path, to: &Path) -> Result<(), String> {
    let dir = log_dir(data)?;
    if to.exists()
        && std::fs::read_dir(to)
            .map_err(|e| format!("{}: {e}", to.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} is not empty: give a new or empty folder for the copy",
            to.display()
        ));
    }
    crate::data_dir::make_private(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let secret = data.join("secret");
    let mut beside = Vec::new();
    for name in KEPT_BESIDE_THE_LOG {
        let file = data.join(name);
        if file.exists() {
            copy_private(&file, &to.join(name))?;
            beside.push(name);
        }
    }
    let tls = data.join("tls");
    if tls.is_dir() {
        crate::data_dir::make_private(&to.join("tls"))
            .map_err(|e| format!("{}: {e}", to.display()))?;
        for entry in std::fs::read_dir(&tls).map_err(|e| format!("{}: {e}", tls.display()))? {
            let entry = entry.map_err(|e| format!("{}: {e}", tls.display()))?;
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                copy_private(&entry.path(), &to.join("tls").join(entry.file_name()))?;
            }
        }
        beside.push("tls/");
    }
    let copied = logbook::backup(&dir, &to.join("log")).map_err(|e| e.to_string())?;
    // The copy must read back whole: every record, as the hub would read it.
    let checked = logbook::check(&to.join("log"), |record, _, _| {
        crate::history::decode_record(record.offset, &record.payload)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .map_err(|e| e.to_string())?;
    if let Some(d) = checked.damage.first() {
        return Err(format!(
            "the copy in {} holds damage the log already had: {} at byte {}: {} — run `hub log check --data {}`",
            to.display(),
            d.path.display(),
            d.position,
            d.detail,
            data.display()
        ));
    }
    print(&format!(
        "hub: copied the data folder {} to {}: {} segments (offsets {} to {}), {} checkpoints, {} bytes{}\n\
         hub: to restore it, stop the hub and start it on the copy (`hub serve --data {}`, or put it in place of {})\n",
        data.display(),
        to.display(),
        copied.segments,
        copied.first,
        copied.head.saturating_sub(1),
        copied.checkpoints,
        copied.bytes,
        if secret.exists() {
            format!(", and {}", beside.join(" "))
        } else {
            "; there was no secret to copy".to_owned()
        },
        to.display(),
        data.display()
    ))
}

/// Copies one file, owner-only.
fn copy_private(from: &Path, to: &Path) -> Result<(), String> {
    let key = std::fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts
        .open(to)
        .map_err(|e| format!("{}: {e}", to.display()))?;
    std::io::Write::write_all(&mut file, &key).map_err(|e| format!("{}: {e}", to.display()))?;
    file.sync_all()
        .map_err(|e| format!("{}: {e}", to.display()))
}
