//! The hub's door: which tokens let a tablet in, as the data folder says *now*. The keys
//! (`secret`, `secret.previous`) and the revocation list (`revoked`) are read at start, and a
//! small task looks at those three files once a second (their size, time and inode: a few
//! `stat`s, off the switchboard, on the blocking pool) and reads them again when one changed.
//! Every connection holds a receiver of the current [`Trust`] and checks its own token again
//! when it changes, so `hub token revoke`, `rotate` and `retire-previous` take effect in a
//! second or two with no restart: new connections with a dead token are refused, and a tablet
//! connected with one is cut off with the close code that says why.
//!
//! A damaged file read while running is not taken: the hub keeps what it had and logs the
//! error. A `secret` deleted by hand while the hub runs (once the way to revoke everything) is
//! replaced by a new key at once, as at start — every token the old key signed is refused and
//! their tablets cut off, the log says so — rather than leaving the hub checking tokens against
//! a key `hub token` no longer uses.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::token::{
    BookError, Grant, Keys, PREVIOUS_FILE, REVOKED_FILE, Revoked, SECRET_FILE, TokenError, Trust,
};

/// How often the files are looked at.
pub const POLL: Duration = Duration::from_secs(1);

/// A token signed by a key the hub does not know may have been minted a moment ago by a
/// `hub token rotate` the hub has not seen yet: it is checked again once the files were looked
/// at next, within this long.
const FRESH_WITHIN: Duration = Duration::from_millis(2500);

/// The current trust, shared with every connection.
#[derive(Clone)]
pub struct Gate {
    trust: watch::Receiver<Arc<Trust>>,
}

/// The task that follows the files; hand it to [`Watcher::run`].
pub struct Watcher {
    dir: PathBuf,
    seen: Seen,
    trust: watch::Sender<Arc<Trust>>,
}

/// What the three files looked like when last read.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Seen([Option<(u64, std::time::SystemTime, u64)>; 3]);

impl Seen {
    fn look(dir: &Path) -> Seen {
        let one = |name| {
            let m = std::fs::metadata(dir.join(name)).ok()?;
            #[cfg(unix)]
            let ino = std::os::unix::fs::MetadataExt::ino(&m);
            #[cfg(not(unix))]
            let ino = 0;
            Some((m.len(), m.modified().ok()?, ino))
        };
        Seen([one(SECRET_FILE), one(PREVIOUS_FILE), one(REVOKED_FILE)])
    }
}

impl Gate {
    /// Reads the data folder's keys (making the first one if there is none) and revocations.
    pub fn open(dir: &Path) -> Result<(Gate, Watcher), BookError> {
        let seen = Seen::look(dir);
        let trust = Trust::load_or_create(dir)?;
        let keys = trust.keys();
        if keys.has_legacy() {
            tracing::warn!(
                "{} holds a signing key made before tokens had ids: tokens it signed then never \
                 expire and cannot be revoked one by one. They are still accepted. To end them: \
                 `hub token rotate`, give every tablet a new link (`hub token POST --link`), \
                 then `hub token retire-previous` (docs/OPERATIONS.md, \"Old tokens\")",
                dir.display()
            );
        }
        if let Some(previous) = keys.previous() {
            tracing::info!(
                "the previous signing key {} is still accepted: retire it with `hub token \
                 retire-previous` once every tablet has a new link",
                previous.id()
            );
        }
        let (tx, rx) = watch::channel(Arc::new(trust));
        // The look taken before reading: a change since is read again at the first tick.
        let watcher = Watcher {
            dir: dir.to_owned(),
            seen,
            trust: tx,
        };
        Ok((Gate { trust: rx }, watcher))
    }

    /// Checks a token presented now (the system's real time, whatever the hub's clock).
    pub fn check(&self, token: &str) -> Result<Grant, TokenError> {
        self.trust.borrow().check(token, crate::token::now_ms())
    }

    /// [`Gate::check`], but a token signed by a key not (yet) known is checked again once the
    /// files have been looked at: a rotation a moment ago is not refused for the hub's delay.
    pub async fn check_fresh(&self, token: &str) -> Result<Grant, TokenError> {
        match self.check(token) {
            Err(TokenError::UnknownKey) => {
                let mut trust = self.trust.clone();
                trust.mark_unchanged();
                let _ = tokio::time::timeout(FRESH_WITHIN, trust.changed()).await;
                self.check(token)
            }
            checked => checked,
        }
    }

    /// The trust as it changes, for a connection to check its grant again.
    pub fn follow(&self) -> watch::Receiver<Arc<Trust>> {
        let mut rx = self.trust.clone();
        rx.mark_unchanged();
        rx
    }
}

impl Watcher {
    /// Looks at the files every [`POLL`] until every receiver is gone.
    pub async fn run(mut self) {
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = self.trust.closed() => return,
            }
            let dir = self.dir.clone();
            let seen = self.seen.clone();
            let current = self.trust.borrow().clone();
            let looked = tokio::task::spawn_blocking(move || reload(&dir, &seen, &current)).await;
            if let Ok(Some((seen, trust))) = looked {
                self.seen = seen;
                if let Some(trust) = trust {
                    self.trust.send_replace(Arc::new(trust));
                }
            }
        }
    }
}

/// Reads the files again if they changed since `seen`: the new look, and the new trust if
/// anything in it changed. `None` when nothing changed on disk.
fn reload(dir: &Path, seen: &Seen, current: &Trust) -> Option<(Seen, Option<Trust>)> {
    let now = Seen::look(dir);
    if now == *seen {
        return None;
    }
    let keys = match Keys::load(dir) {
        Ok(keys) => keys,
        Err(_) if now.0[0].is_none() => remade(dir)?,
        Err(e) => {
            tracing::error!(
                "the signing keys changed but cannot be read: {e}. The hub keeps the keys it had"
            );
            return Some((now, None));
        }
    };
    let revoked = match Revoked::load(dir) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(
                "the revocation list changed but cannot be read: {e}. The hub keeps the list it had"
            );
            current.revoked().clone()
        }
    };
    let (old, new) = (current.keys(), &keys);
    let ids = |k: &Keys| (k.current().id(), k.previous().map(|p| p.id()));
    if ids(old) != ids(new) {
        match new.previous() {
            Some(p) => tracing::info!(
                "signing keys changed: new tokens are signed by {}; tokens of {} keep working \
                 until it is retired",
                new.current().id(),
                p.id()
            ),
            None => tracing::info!(
                "signing keys changed: only {} is accepted now",
                new.current().id()
            ),
        }
    }
    if revoked != *current.revoked() {
        tracing::info!("the revocation list changed: tablets it names are being cut off");
    }
    // Read after the look: a change in between is seen again at the next look.
    Some((now, Some(Trust::new(keys, revoked))))
}

/// `secret` is gone while the hub runs: a new key, as at start (the same one `hub token`
/// makes if it gets there first).
fn remade(dir: &Path) -> Option<Keys> {
    match Keys::load_or_create(dir) {
        Ok(keys) => {
            tracing::warn!(
                "{} was deleted while the hub ran: a new signing key {} was made, and every \
                 token the old key signed is refused from now on (their tablets are cut off \
                 with 4500). To end one tablet's token, use `hub token revoke ID` instead; to \
                 change keys, `hub token rotate`",
                dir.join(SECRET_FILE).display(),
                keys.current().id()
            );
            Some(keys)
        }
        Err(e) => {
            tracing::error!("the signing key was deleted and cannot be made again: {e}");
            None
        }
    }
}
