//! A tablet that stays on the net: when the hub restarts, sheds load or the network drops, it
//! reconnects with [`Backoff`] and resumes right after the last event it handed out, so a listener
//! sees every event once — no gap, no duplicate. It gives up only when the hub says not to come
//! back as it is (close codes 4500–4999) or refuses the tablet outright.

use std::time::Duration;

use protocol::Event;
use protocol::envelope::Resume;
use tokio::time::Instant;

use crate::backoff::Backoff;
use crate::error::TabletError;
use crate::options::Options;
use crate::reply::Welcome;
use crate::tablet::Tablet;

/// What [`Reconnecting::next`] has to tell.
#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    /// The next event, in log order, never one already handed out.
    Event(Event),
    /// The connection dropped (or an attempt to reconnect failed) for a reason worth reconnecting
    /// after; the next call to [`Reconnecting::next`] tries again after `retry_in`. `failures`
    /// counts the failures in a row: 1 when a live connection drops, more while the hub is away.
    Lost {
        error: TabletError,
        retry_in: Duration,
        failures: u32,
    },
    /// Connected again; the welcome says whether the stream resumed or a snapshot is needed.
    Reconnected(Welcome),
    /// A frame from the hub could not be read and was skipped; the connection is still up.
    Skipped(TabletError),
}

/// Boxed: a tablet is a few hundred bytes, the wait a few.
enum State {
    Up(Box<Tablet>),
    Down { retry_at: Instant },
}

/// A [`Tablet`] that reconnects and resumes by itself.
pub struct Reconnecting {
    url: String,
    token: String,
    opts: Options,
    backoff: Backoff,
    state: State,
    /// Where the next connection resumes; refreshed from the tablet before it is dropped.
    resume: Resume,
    /// The last event handed out (epoch, offset): anything at or before it is not handed out again.
    seen: Option<(u64, u64)>,
    /// Failures in a row since the last good connection.
    failures: u32,
}

impl Reconnecting {
    /// Connects once, as [`Tablet::connect`] does: a hub that is down or a bad token is an error
    /// here, so a person sees it at once rather than a tablet retrying forever.
    pub async fn connect(
        url: &str,
        token: &str,
        opts: Options,
    ) -> Result<(Reconnecting, Welcome), TabletError> {
        let (tablet, welcome) = Tablet::connect(url, token, opts.clone()).await?;
        let rc = Reconnecting {
            url: url.to_owned(),
            token: token.to_owned(),
            opts,
            backoff: Backoff::default(),
            resume: tablet.resume(),
            state: State::Up(Box::new(tablet)),
            seen: None,
            failures: 0,
        };
        Ok((rc, welcome))
    }

    /// Uses another backoff schedule (tests and drills want it faster).
    pub fn with_backoff(mut self, backoff: Backoff) -> Reconnecting {
        self.backoff = backoff;
        self
    }

    /// The connected tablet, for commands; `None` while waiting to reconnect.
    pub fn tablet(&mut self) -> Option<&mut Tablet> {
        match &mut self.state {
            State::Up(t) => Some(t),
            State::Down { .. } => None,
        }
    }

    /// Where the next connection would resume.
    pub fn resume(&self) -> Resume {
        match &self.state {
            State::Up(t) => t.resume(),
            State::Down { .. } => self.resume,
        }
    }

    /// The next thing that happened: an event, a drop, a reconnection. Returns an error only when
    /// reconnecting cannot help (4500+ close, bad token, a refused connect, a broken hub).
    pub async fn next(&mut self) -> Result<Update, TabletError> {
        loop {
            match &mut self.state {
                State::Up(tablet) => match tablet.next_event().await {
                    Ok(event) => {
                        let epoch = tablet.epoch();
                        if self.already_seen(epoch, &event) {
                            continue;
                        }
                        self.seen = Some((epoch, event.offset));
                        return Ok(Update::Event(event));
                    }
                    Err(error) if tablet.is_closed() => {
                        self.resume = tablet.resume();
                        return self.lost(error);
                    }
                    Err(error) => return Ok(Update::Skipped(error)),
                },
                State::Down { retry_at } => {
                    tokio::time::sleep_until(*retry_at).await;
                    let opts = Options {
                        resume: Some(self.resume),
                        ..self.opts.clone()
                    };
                    match Tablet::connect(&self.url, &self.token, opts).await {
                        Ok((tablet, welcome)) => {
                            self.backoff.reset();
                            self.failures = 0;
                            self.resume = tablet.resume();
                            self.state = State::Up(Box::new(tablet));
                            return Ok(Update::Reconnected(welcome));
                        }
                        Err(error) => return self.lost(error),
                    }
                }
            }
        }
    }

    /// Closes the connection, if there is one.
    pub async fn close(self) -> Result<(), TabletError> {
        match self.state {
            State::Up(t) => (*t).close().await,
            State::Down { .. } => Ok(()),
        }
    }

    fn lost(&mut self, error: TabletError) -> Result<Update, TabletError> {
        if !error.reconnect() {
            return Err(error);
        }
        let retry_in = self.backoff.next_delay();
        self.failures = self.failures.saturating_add(1);
        self.state = State::Down {
            retry_at: Instant::now() + retry_in,
        };
        Ok(Update::Lost {
            error,
            retry_in,
            failures: self.failures,
        })
    }

    fn already_seen(&self, epoch: u64, event: &Event) -> bool {
        matches!(self.seen, Some((e, o)) if e == epoch && event.offset <= o)
    }
}
