//! `hub log backup`: a consistent copy of a live data folder, that a hub can start on.

use std::path::Path;

use super::log_dir;
use crate::cli::print;

/// Copies the secret and the log of `data` into `to`, and checks the copy.
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
    if secret.exists() {
        copy_secret(&secret, &to.join("secret"))?;
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
            ", and the secret"
        } else {
            "; there was no secret to copy"
        },
        to.display(),
        data.display()
    ))
}

/// Copies the secret, owner-only.
fn copy_secret(from: &Path, to: &Path) -> Result<(), String> {
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
