//! One tablet on the radio net: connects as the station its token names, places calls, answers
//! the calls addressed to it, and reads the events the hub pushes — keeping track of where it is
//! in the hub's log so a new connection can resume without a gap.

use std::time::Duration;

use protocol::envelope::{CallId, ReplyBody, Resume, ServerFrame};
use protocol::{Answer, Call, Codec, Command, Event, Station, Tap};
use tokio_tungstenite::tungstenite::Message;

use crate::error::TabletError;
use crate::link::Link;
use crate::options::Options;
use crate::reply::{Placed, Welcome};

/// A connected tablet. Commands wait for their own reply; events that arrive meanwhile are kept,
/// in order, for [`Tablet::next_event`].
pub struct Tablet {
    link: Link,
    station: Station,
    epoch: u64,
    reply_timeout: Duration,
    last_offset: u64,
    /// The first offset not yet handed out: where a new connection should resume.
    resume_from: u64,
}

impl Tablet {
    /// Opens the WebSocket to `url` (e.g. "ws://127.0.0.1:7700/ws", or "wss://…" verified
    /// against `opts.roots`), sends Command::Connect{token, resume} (saying it reads bundles),
    /// waits for the Welcome reply.
    pub async fn connect(
        url: &str,
        token: &str,
        opts: Options,
    ) -> Result<(Tablet, Welcome), TabletError> {
        let mut link = Link::open(url, &opts).await?;
        let cmd = Command::Connect {
            token: token.to_owned(),
            resume: opts.resume,
            bundles: true,
        };
        let body = link.request(cmd, opts.reply_timeout).await?;
        let welcome = match body {
            ReplyBody::Welcome { protocol, .. }
                if protocol != protocol::envelope::PROTOCOL_VERSION =>
            {
                return Err(TabletError::Protocol(format!(
                    "the hub speaks protocol {protocol}, this tablet {}",
                    protocol::envelope::PROTOCOL_VERSION
                )));
            }
            body => Welcome::from_reply(body).map_err(|b| unexpected("welcome", &b))?,
        };
        let tablet = Tablet {
            link,
            station: welcome.station.clone(),
            epoch: welcome.epoch,
            reply_timeout: opts.reply_timeout,
            last_offset: 0,
            resume_from: welcome.first_offset(),
        };
        Ok((tablet, welcome))
    }

    /// The station this tablet is, as the hub stamped it from the token.
    pub fn station(&self) -> &Station {
        &self.station
    }

    /// The epoch of the hub's log this tablet follows.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn codec(&self) -> Codec {
        self.link.codec()
    }

    /// Offset of the last event handed out by next_event (0 if none yet) — what to resume from (+1).
    pub fn last_offset(&self) -> u64 {
        self.last_offset
    }

    /// Where a new connection picks up with no gap and no duplicate: after the last event handed
    /// out, or — before any — where this connection's stream began (see [`Welcome::first_offset`]).
    pub fn resume(&self) -> Resume {
        Resume {
            epoch: Some(self.epoch),
            from: self.resume_from,
        }
    }

    /// Whether the connection is over (closed by the hub, or failed); commands will fail.
    pub fn is_closed(&self) -> bool {
        self.link.is_closed()
    }

    /// Places a typed call (Command::Call) and waits for its placement.
    pub async fn call(&mut self, call: Call) -> Result<Placed, TabletError> {
        let body = self.command(Command::Call { call }).await?;
        Placed::from_reply(body).map_err(|b| unexpected("placed", &b))
    }

    /// Places a call given as a standard sentence (Command::Say); the hub parses it.
    pub async fn say(&mut self, sentence: &str) -> Result<Placed, TabletError> {
        let cmd = Command::Say {
            sentence: sentence.to_owned(),
        };
        let body = self.command(cmd).await?;
        Placed::from_reply(body).map_err(|b| unexpected("placed", &b))
    }

    /// Answers a call addressed to this station; returns the offset of the `call_answered` event.
    pub async fn answer(&mut self, call_id: CallId, answer: Answer) -> Result<u64, TabletError> {
        match self.command(Command::Answer { call_id, answer }).await? {
            ReplyBody::Answered { offset } => Ok(offset),
            body => Err(unexpected("answered", &body)),
        }
    }

    /// A status tap (Command::Tap): parked, greeted, entered VIP k, order done, the rota, modes…
    /// Returns the offset of its `tapped` event; a tap the board refuses comes back as
    /// [`TabletError::Refused`] with the rule (`wrong_post`, `no_such_visit`, …).
    pub async fn tap(&mut self, tap: Tap) -> Result<u64, TabletError> {
        match self.command(Command::Tap { tap }).await? {
            ReplyBody::Tapped { offset } => Ok(offset),
            body => Err(unexpected("tapped", &body)),
        }
    }

    /// The live state of the site as this station may see it (Command::State): the same JSON
    /// as `/api/state`, with the offset it is valid at.
    pub async fn state(&mut self) -> Result<serde_json::Value, TabletError> {
        match self.command(Command::State).await? {
            ReplyBody::State { state } => Ok(state),
            body => Err(unexpected("state", &body)),
        }
    }

    /// The daily report (Command::Report) for `date` (`YYYY-MM-DD` in the site's time zone), or
    /// today's: the same JSON as `/api/report`. A date the hub cannot read is refused
    /// (`bad_date`).
    pub async fn report(&mut self, date: Option<&str>) -> Result<serde_json::Value, TabletError> {
        let cmd = Command::Report {
            date: date.map(str::to_owned),
        };
        match self.command(cmd).await? {
            ReplyBody::Report { report } => Ok(report),
            body => Err(unexpected("report", &body)),
        }
    }

    /// Keep-alive; returns the hub's log head (the offset the next event will get).
    pub async fn ping(&mut self) -> Result<u64, TabletError> {
        match self.command(Command::Ping).await? {
            ReplyBody::Pong { head } => Ok(head),
            body => Err(unexpected("pong", &body)),
        }
    }

    /// Sends any command and waits for its reply, e.g. a second `connect` in a test.
    pub async fn command(&mut self, cmd: Command) -> Result<ReplyBody, TabletError> {
        self.link.request(cmd, self.reply_timeout).await
    }

    /// Next event pushed by the hub (events that arrived while waiting for a reply are buffered, in order, and handed out first).
    pub async fn next_event(&mut self) -> Result<Event, TabletError> {
        let event = self.link.next_event().await?;
        self.handed_out(&event);
        Ok(event)
    }

    /// Like next_event with a deadline: Ok(None) if nothing arrived in time ("nothing arrived" checks in tests).
    pub async fn next_event_within(&mut self, d: Duration) -> Result<Option<Event>, TabletError> {
        match tokio::time::timeout(d, self.next_event()).await {
            Ok(r) => r.map(Some),
            Err(_) => Ok(None),
        }
    }

    /// The next frame of any kind within `d` (buffered events first): for tests that send raw
    /// frames and expect the hub's error for them. Ok(None) if nothing arrived in time.
    pub async fn next_frame_within(
        &mut self,
        d: Duration,
    ) -> Result<Option<ServerFrame>, TabletError> {
        let frame = match tokio::time::timeout(d, self.link.next_frame()).await {
            Ok(r) => r?,
            Err(_) => return Ok(None),
        };
        if let ServerFrame::Event(e) = &frame {
            self.handed_out(e);
        }
        Ok(Some(frame))
    }

    /// Sends a raw frame (for tests of bad input): bytes as binary or text message.
    pub async fn send_raw(&mut self, msg: Message) -> Result<(), TabletError> {
        self.link.send_raw(msg).await
    }

    /// Closes the connection cleanly (close code 1000).
    pub async fn close(self) -> Result<(), TabletError> {
        self.link.close().await
    }

    fn handed_out(&mut self, event: &Event) {
        self.last_offset = event.offset;
        self.resume_from = self.resume_from.max(event.offset.saturating_add(1));
    }
}

impl std::fmt::Debug for Tablet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tablet")
            .field("station", &self.station)
            .field("epoch", &self.epoch)
            .field("codec", &self.link.codec())
            .field("last_offset", &self.last_offset)
            .field("closed", &self.link.is_closed())
            .finish()
    }
}

fn unexpected(wanted: &str, body: &ReplyBody) -> TabletError {
    TabletError::Protocol(format!("expected a {wanted} reply, got {body:?}"))
}
