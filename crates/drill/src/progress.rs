//! The live view while a drill runs, on stderr: a bar over the simulated day with live counts —
//! groups in, on site, calls open, escalations, alarms — redrawn in place on a terminal, or a
//! plain line every simulated half hour when stderr is a file or a pipe.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::ctx::{Ctx, hhmm};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Redrawn in place (a terminal).
    Bar,
    /// A plain line every half hour of the day.
    Lines,
    Quiet,
}

impl Progress {
    /// A bar on a terminal, lines otherwise.
    pub fn for_stderr() -> Progress {
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            Progress::Bar
        } else {
            Progress::Lines
        }
    }
}

pub struct Running {
    task: JoinHandle<()>,
    stop: oneshot::Sender<()>,
}

pub fn start(ctx: Arc<Ctx>, mode: Progress) -> Option<Running> {
    if mode == Progress::Quiet {
        return None;
    }
    let (stop, mut stopped) = oneshot::channel();
    let task = tokio::spawn(async move {
        let mut last_line = None;
        loop {
            let done = tokio::time::timeout(Duration::from_millis(200), &mut stopped)
                .await
                .is_ok();
            let (line, fraction) = status(&ctx);
            match mode {
                Progress::Bar => {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[2K{} {line}", bar(fraction, 24));
                    if done {
                        let _ = writeln!(err);
                    }
                    let _ = err.flush();
                }
                Progress::Lines => {
                    let slot = ctx.time_of_day() / (30 * 60_000);
                    if done || last_line != Some(slot) {
                        last_line = Some(slot);
                        eprintln!("radio drill: {line}");
                    }
                }
                Progress::Quiet => {}
            }
            if done {
                break;
            }
        }
    });
    Some(Running { task, stop })
}

pub async fn stop(r: Option<Running>) {
    if let Some(r) = r {
        let _ = r.stop.send(());
        let _ = r.task.await;
    }
}

fn status(ctx: &Ctx) -> (String, f64) {
    let t = ctx.time_of_day();
    let (opens, closes) = (ctx.plan.opens, ctx.plan.closes);
    let fraction = (t.saturating_sub(opens)) as f64 / (closes - opens) as f64;
    let arrived = ctx.records.lock().expect("records").arrived;
    let b = ctx.mirror.lock();
    let line = format!(
        "{}  groups in {}/{} · on site {} · calls open {} · escalations {} · alarms {}",
        hhmm(t),
        arrived,
        ctx.plan.groups.len(),
        b.on_site(),
        b.open_calls(),
        b.escalations(),
        b.raised.len()
    );
    (line, fraction.clamp(0.0, 1.0))
}

fn bar(fraction: f64, width: usize) -> String {
    let full = (fraction * width as f64).round() as usize;
    format!(
        "[{}{}]",
        "█".repeat(full.min(width)),
        "░".repeat(width - full.min(width))
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bar_fills_with_the_day() {
        assert_eq!(super::bar(0.0, 4), "[░░░░]");
        assert_eq!(super::bar(0.5, 4), "[██░░]");
        assert_eq!(super::bar(1.0, 4), "[████]");
    }
}
