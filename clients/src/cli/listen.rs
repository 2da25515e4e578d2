//! `radio listen`: follow the net from a terminal — every event this station may see, one JSON
//! line each, as it happens — through hub restarts and load shedding, without a gap or a
//! duplicate line. With `--ack` it also answers every call for its station, like a tablet on a
//! busy post: 收到, and the walk-in query with the desk's standing decision (`--walk-in`).

use std::collections::VecDeque;

use clap::ValueEnum;
use protocol::envelope::Resume;
use protocol::{Answer, ErrorCode, Event, Station};
use tablet::{Reconnecting, TabletError, Update, Welcome};

use super::Failure;
use super::hub::{Hub, lost_text};
use super::output::{Written, stderr_line, stdout_line};
use crate::ack::{Ack, decide};

/// How `radio listen --ack` answers the walk-in query (`--walk-in`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum WalkIn {
    /// 可以接待: the desk can take the group now.
    #[default]
    Can,
    /// 无法接待: the desk cannot take them now.
    Cannot,
}

impl WalkIn {
    pub fn answer(self) -> Answer {
        match self {
            WalkIn::Can => Answer::CanReceive,
            WalkIn::Cannot => Answer::CannotReceive,
        }
    }
}
use crate::line::event_line;

/// Why listening stopped without a failure.
enum Stop {
    /// Ctrl-C (or SIGTERM).
    Signal,
    /// Nobody reads stdout any more.
    StdoutClosed,
}

/// Listens until stopped; see the module doc. With `ack`, answers the calls for this station,
/// walk-in queries as it says.
pub(crate) async fn listen(
    hub: &Hub,
    from: Option<u64>,
    ack: Option<WalkIn>,
) -> Result<(), Failure> {
    let resume = from.map(|from| Resume { epoch: None, from });
    let (mut rc, welcome) = Reconnecting::connect(&hub.url, &hub.token, hub.options(resume))
        .await
        .map_err(|e| hub.cannot_connect(&e))?;
    stderr_line(&format!(
        "radio: listening as {} on {}",
        welcome.station, hub.url
    ));
    note_recovery(&welcome);
    let mut acker = ack.map(|walk_in| Acker::new(welcome.station.clone(), walk_in.answer()));
    let outcome = tokio::select! {
        r = follow(&mut rc, acker.as_mut()) => r,
        () = stop_signal() => Ok(Stop::Signal),
    };
    let _ = rc.close().await;
    match outcome {
        Ok(Stop::Signal | Stop::StdoutClosed) => Ok(()),
        Err(f) => Err(f),
    }
}

/// Prints events as they come, reconnecting as the hub allows, until stdout closes or the hub
/// says not to come back.
async fn follow(rc: &mut Reconnecting, mut acker: Option<&mut Acker>) -> Result<Stop, Failure> {
    loop {
        let update = rc.next().await.map_err(|e| gave_up(&e))?;
        match update {
            Update::Event(event) => {
                match stdout_line(&event_line(&event)) {
                    Written::Ok => {}
                    Written::Closed => return Ok(Stop::StdoutClosed),
                    Written::Failed(e) => {
                        return Err(Failure::new(format!("cannot write stdout: {e}")));
                    }
                }
                if let Some(acker) = acker.as_deref_mut() {
                    acker.on_event(rc, &event).await;
                }
            }
            Update::Lost {
                error,
                retry_in,
                failures,
            } => stderr_line(&lost_text(&error, retry_in, failures)),
            Update::Reconnected(welcome) => {
                stderr_line(&format!(
                    "radio: reconnected, resuming at offset {}",
                    welcome.first_offset()
                ));
                note_recovery(&welcome);
                if let Some(acker) = acker.as_deref_mut() {
                    acker.retry(rc).await;
                }
            }
            Update::Skipped(e) => stderr_line(&format!("radio: skipped a frame: {e}")),
        }
    }
}

fn note_recovery(welcome: &Welcome) {
    if let Some(reason) = welcome.snapshot_needed() {
        stderr_line(&format!(
            "radio: cannot replay the events asked for ({reason}); fetch /api/state for the \
             current state — following live events from offset {}",
            welcome.head
        ));
    }
}

fn gave_up(e: &TabletError) -> Failure {
    Failure::new(format!("{e}; not reconnecting"))
}

/// Answers the calls for this station, keeping the ones a dropped connection interrupted for
/// after the reconnect (the resumed stream will not show their `call_placed` again).
struct Acker {
    me: Station,
    /// What walk-in queries are answered with: 可以接待 or 无法接待.
    walk_in: Answer,
    unsent: VecDeque<Ack>,
}

impl Acker {
    fn new(me: Station, walk_in: Answer) -> Acker {
        Acker {
            me,
            walk_in,
            unsent: VecDeque::new(),
        }
    }

    async fn on_event(&mut self, rc: &mut Reconnecting, event: &Event) {
        if let Some(ack) = decide(&self.me, event, self.walk_in) {
            self.answer(rc, ack).await;
        }
    }

    async fn retry(&mut self, rc: &mut Reconnecting) {
        for ack in std::mem::take(&mut self.unsent) {
            self.answer(rc, ack).await;
        }
    }

    async fn answer(&mut self, rc: &mut Reconnecting, ack: Ack) {
        let Some(tablet) = rc.tablet() else {
            self.unsent.push_back(ack);
            return;
        };
        let Ack { call_id, answer } = ack;
        match tablet.answer(call_id, answer).await {
            Ok(_) => {}
            Err(e) if tablet.is_closed() => {
                stderr_line(&format!(
                    "radio: call {call_id} will be answered {} after reconnecting ({e})",
                    answer.word()
                ));
                self.unsent.push_back(ack);
            }
            // Replayed calls are often closed already (answered by another tablet of the post).
            Err(TabletError::Refused {
                code: ErrorCode::UnknownCall,
                ..
            }) => stderr_line(&format!("radio: call {call_id} is no longer open")),
            Err(e) => stderr_line(&format!("radio: could not answer call {call_id}: {e}")),
        }
    }
}

/// Resolves on Ctrl-C, or SIGTERM where there is one, so a supervisor's stop is a clean exit too.
/// A signal that cannot be watched never resolves (rather than stopping at once).
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = async {
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    if term.recv().await.is_none() {
                        std::future::pending::<()>().await;
                    }
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = ctrl_c => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
