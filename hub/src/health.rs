//! `/healthz`: whether the hub can do its work, check by check, for a load balancer, a
//! container's health check or an operator's curl. The switchboard must answer within a
//! moment, and the log must take a write: its last write and sync succeeded, and a probe file
//! in the log's folder can be written and synced now (a failed write keeps the check failing
//! for a minute, so a scraper sees a disk that fails now and then). 200 when all pass; 503 naming what
//! failed otherwise.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::App;
use crate::switchboard::Request;

/// How long each check may take before it counts as failed.
const WITHIN: Duration = Duration::from_secs(2);
/// The probe written next to the log (never part of it).
const PROBE: &str = ".healthz-probe";

/// The checks and whether all passed.
pub async fn check(app: &App) -> (bool, Value) {
    let switchboard = switchboard(app).await;
    let log = match &switchboard {
        // The switchboard's own word on the log first: its last write failed.
        Ok(Some(trouble)) => Err(trouble.clone()),
        _ => probe(&app.config.log_dir()).await,
    };
    let switchboard = switchboard.map(|_| ());
    let ok = switchboard.is_ok() && log.is_ok();
    let word = |r: &Result<(), String>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.clone(),
    };
    let body = json!({
        "status": if ok { "ok" } else { "failing" },
        "switchboard": word(&switchboard),
        "log": word(&log),
    });
    (ok, body)
}

/// Asks the switchboard; its reply says whether the log's last write failed.
async fn switchboard(app: &App) -> Result<Option<String>, String> {
    let (reply, answer) = oneshot::channel();
    let asked = tokio::time::timeout(WITHIN, app.switchboard.send(Request::Health { reply }));
    match asked.await {
        Ok(Ok(())) => {}
        Ok(Err(_)) => return Err("the switchboard has stopped".into()),
        Err(_) => return Err(format!("the switchboard's queue is full for {WITHIN:?}")),
    }
    match tokio::time::timeout(WITHIN, answer).await {
        Ok(Ok(trouble)) => Ok(trouble),
        Ok(Err(_)) => Err("the switchboard has stopped".into()),
        Err(_) => Err(format!("the switchboard did not answer within {WITHIN:?}")),
    }
}

/// Writes, syncs and removes a small file in the log's folder, off the async threads.
async fn probe(dir: &Path) -> Result<(), String> {
    let path = dir.join(PROBE);
    let work = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut f = std::fs::File::create(&path)?;
        f.write_all(b"ok\n")?;
        f.sync_all()?;
        drop(f);
        std::fs::remove_file(&path)
    });
    match tokio::time::timeout(WITHIN, work).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(format!(
            "cannot write in the log's folder {}: {e}",
            dir.display()
        )),
        Ok(Err(e)) => Err(format!("the log check failed: {e}")),
        Err(_) => Err(format!(
            "writing in the log's folder {} took more than {WITHIN:?}: the disk is stalled",
            dir.display()
        )),
    }
}
