//! The board's checkpoints: the state folded from the log (the net's and the board's) saved at
//! an offset, so that a start loads the newest one and replays only the events after it — the
//! time a start takes does not grow with the log's age.
//!
//! When: at each day's first event (the segment before it was just synced and sealed), when
//! retention asks for one, and on a clean stop (after the log's last sync) — never ahead of what
//! is synced, so a power cut cannot leave a checkpoint past the log. How: the switchboard hands
//! a copy of its state to the writer thread here and goes on (if the writer is still busy with
//! the last one, this one is skipped, never waited for); the thread encodes it and writes it
//! whole or not at all (`logbook::write_checkpoint`), then removes all but the newest
//! [`KEEP`]. Which: at start, the newest that reads back whole, belongs to this log and is not
//! ahead of it; a damaged one is passed over with a warning for an older one, or the whole log.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use logbook::{CheckpointFile, LogError};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::board::{Board, Rules};
use crate::state::NetState;

/// The version of what a checkpoint holds (beside the file format, which is the logbook's).
/// A build that changes the saved state in a way an older checkpoint cannot be read as bumps
/// it; an older checkpoint is then passed over (and the log replayed) rather than misread.
const FORMAT: u32 = 1;
/// Checkpoints kept; older ones are removed as newer ones are written.
pub const KEEP: usize = 3;
/// Checkpoints waiting for the writer; past that, the switchboard skips one.
const QUEUE: usize = 2;

#[derive(Serialize)]
struct Saving<'a> {
    format: u32,
    holds_since: Option<u64>,
    net: &'a NetState,
    board: &'a Board,
}

#[derive(Deserialize)]
struct Saved {
    format: u32,
    #[serde(default)]
    holds_since: Option<u64>,
    net: NetState,
    board: Board,
}

/// A checkpoint read back, ready to go on from.
pub struct Restored {
    /// The state covers every event below this offset.
    pub offset: u64,
    pub net: NetState,
    pub board: Board,
    pub path: PathBuf,
}

/// How a hub's state is put back: its answer deadline, its site's VIP rooms, its board rules.
pub struct Fit<'a> {
    pub deadline_ms: u64,
    pub vip_rooms: &'a [u8],
    pub rules: &'a Rules,
}

/// The bytes of a checkpoint of `net` and `board`.
pub fn encode(net: &NetState, board: &Board) -> Vec<u8> {
    let holds_since = [net.holds_since(), board.holds_since()]
        .into_iter()
        .flatten()
        .min();
    serde_json::to_vec(&Saving {
        format: FORMAT,
        holds_since,
        net,
        board,
    })
    .expect("the state always encodes")
}

fn decode(payload: &[u8]) -> Result<Saved, String> {
    let saved: Saved = serde_json::from_slice(payload)
        .map_err(|e| format!("it does not hold a state this build reads: {e}"))?;
    if saved.format != FORMAT {
        return Err(format!(
            "it holds a state of format {}, this build reads {FORMAT}",
            saved.format
        ));
    }
    Ok(saved)
}

/// Reads and checks one checkpoint for a log with `epoch` (any epoch: `None`), and says what
/// is wrong with it if it cannot be used. Returns the offset, the earliest time its state holds
/// anything from, and the state.
fn read(
    file: &CheckpointFile,
    epoch: Option<u64>,
) -> Result<(u64, Option<u64>, NetState, Board), String> {
    let c = logbook::read_checkpoint(&file.path).map_err(|e| e.to_string())?;
    if let Some(epoch) = epoch.filter(|e| *e != c.epoch) {
        return Err(format!(
            "it belongs to another log (epoch {}, this log's is {epoch})",
            c.epoch
        ));
    }
    let saved = decode(&c.payload)?;
    Ok((c.offset, saved.holds_since, saved.net, saved.board))
}

/// Checks a checkpoint as [`newest`] would use it; `Err` says why it could not be.
pub fn verify(file: &CheckpointFile, epoch: u64) -> Result<(), String> {
    read(file, Some(epoch)).map(|_| ())
}

/// The earliest time the state in a checkpoint holds anything from (`Ok(None)`: nothing), for
/// retention to know whether it still holds a removed day's data.
pub fn holds_since(file: &CheckpointFile) -> Result<Option<u64>, String> {
    read(file, None).map(|(_, since, _, _)| since)
}

/// The newest usable checkpoint of the log in `dir` (`epoch`, events `first_on_disk..head` on
/// disk). A checkpoint ahead of the log — the log lost its end after it was written, or it was
/// copied in from elsewhere — is removed: once the log grows past it again under the same
/// epoch, it would stand for other events. One that is damaged or from another log is passed
/// over with a warning, for the next older one.
pub fn newest(
    dir: &Path,
    epoch: u64,
    first_on_disk: u64,
    head: u64,
    fit: &Fit<'_>,
) -> Result<Option<Restored>, LogError> {
    let mut ahead = Vec::new();
    let mut found = None;
    for file in logbook::checkpoints(dir)?.into_iter().rev() {
        if file.offset > head {
            tracing::warn!(
                checkpoint = %file.path.display(),
                head,
                "a checkpoint ahead of the log (the log ends at offset {}): removed, it cannot be used",
                head.saturating_sub(1)
            );
            ahead.push(file.path);
            continue;
        }
        if file.offset < first_on_disk {
            break; // the events after it are no longer on disk; nor are older ones'
        }
        match read(&file, Some(epoch)) {
            Ok((offset, _, net, board)) => {
                found = Some(Restored {
                    offset,
                    net: net.restored(fit.deadline_ms),
                    board: board.restored(fit.vip_rooms, fit.rules.clone()),
                    path: file.path,
                });
                break;
            }
            Err(reason) => tracing::warn!(
                checkpoint = %file.path.display(),
                "a checkpoint cannot be used ({reason}): trying an older one, or the whole log (`hub repair` sets it aside)"
            ),
        }
    }
    logbook::remove_checkpoints(dir, &ahead)?;
    Ok(found)
}

/// A checkpoint to write.
pub struct Job {
    pub epoch: u64,
    /// The state covers every event below this offset (the log is synced up to it).
    pub offset: u64,
    pub net: NetState,
    pub board: Board,
    /// Told the offset once the checkpoint is on disk, or why it is not.
    pub done: Option<oneshot::Sender<Result<u64, String>>>,
}

/// The thread that writes checkpoints, off the switchboard.
pub struct Writer {
    jobs: Option<SyncSender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer for the log in `dir`.
    pub fn start(dir: PathBuf) -> Writer {
        let (jobs, queue) = sync_channel::<Job>(QUEUE);
        let thread = std::thread::Builder::new()
            .name("checkpoints".into())
            .spawn(move || {
                for job in queue {
                    let result = write(&dir, &job);
                    if let Err(e) = &result {
                        tracing::warn!("cannot write a checkpoint: {e}");
                    }
                    if let Some(done) = job.done {
                        let _ = done.send(result);
                    }
                }
            })
            .ok();
        if thread.is_none() {
            tracing::warn!("cannot start the checkpoint writer: the hub will replay more at start");
        }
        Writer {
            jobs: thread.is_some().then_some(jobs),
            thread,
        }
    }

    /// Hands a checkpoint to the writer without waiting; if it is still busy, the job is
    /// dropped (its `done`, if any, is told so).
    pub fn offer(&self, job: Job) {
        let Some(jobs) = &self.jobs else {
            if let Some(done) = job.done {
                let _ = done.send(Err("the checkpoint writer is not running".into()));
            }
            return;
        };
        match jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => {
                tracing::info!(
                    offset = job.offset,
                    "the checkpoint writer is busy: this checkpoint is skipped"
                );
                if let Some(done) = job.done {
                    let _ = done.send(Err("the checkpoint writer is busy: try again".into()));
                }
            }
        }
    }

    /// Writes what is queued and stops the thread (blocking: at shutdown, off the runtime).
    pub fn finish(mut self) {
        drop(self.jobs.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Writes one checkpoint and removes all but the newest [`KEEP`].
fn write(dir: &Path, job: &Job) -> Result<u64, String> {
    let bytes = encode(&job.net, &job.board);
    logbook::write_checkpoint(dir, job.epoch, job.offset, &bytes).map_err(|e| e.to_string())?;
    let all = logbook::checkpoints(dir).map_err(|e| e.to_string())?;
    let old: Vec<PathBuf> = all
        .iter()
        .rev()
        .skip(KEEP)
        .map(|c| c.path.clone())
        .collect();
    logbook::remove_checkpoints(dir, &old).map_err(|e| e.to_string())?;
    Ok(job.offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::desk::{Desk, x};
    use protocol::rota::Turn;

    #[test]
    fn a_board_saved_and_loaded_is_the_same_board() {
        let mut d = Desk::new();
        d.sign_in(&["张伟", "李娜"]);
        d.say(
            "我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。",
        )
        .unwrap();
        d.take("张伟", Turn::Regular);
        d.receive("李娜", Turn::Regular);
        d.settle();
        let net = NetState::default();
        let bytes = encode(&net, &d.board);
        let saved = decode(&bytes).unwrap();
        let back = saved.board.restored(&[1, 2, 3], d.board.rules.clone());
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&d.board).unwrap()
        );
        assert_eq!(back.next_due(), d.board.next_due());
        assert_eq!(
            back.snapshot(&x("李娜")),
            d.board.snapshot(&x("李娜")),
            "what a manager sees, the rota's `with a client` included"
        );
        assert_eq!(saved.holds_since, d.board.holds_since());
        assert!(saved.holds_since.is_some());
    }

    #[test]
    fn a_state_of_another_format_is_refused_not_misread() {
        let bytes = serde_json::to_vec(&serde_json::json!({
            "format": FORMAT + 1, "net": {}, "board": {}
        }))
        .unwrap();
        let refused = decode(&bytes).err().unwrap();
        assert!(refused.contains("format"), "{refused}");
        assert!(decode(b"{").is_err());
    }
}
