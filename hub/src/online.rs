//! A tablet on the net, after its admission: its own small task that reads its commands and
//! hands them to the switchboard, and takes over writing when the switchboard finds its socket
//! full. Written as a plain future over its few fields rather than an `async fn`, so that a
//! thousand idle tablets cost a thousand small structs: every step that has to wait (a busy
//! switchboard, a report, a reply to a full socket, the close) is boxed for as long as it lasts.
//!
//! The tablet's liveness and its token are watched by the switchboard, for every tablet at once
//! (`Switchboard::sweep`): it pings a quiet tablet and closes the line of a silent one, or one
//! whose token expired or was revoked — this task then sends the close.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use protocol::{ClientFrame, CloseCode, Codec, Command, ErrorCode, Station};
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::App;
use crate::connection::{self, Closing};
use crate::line::{DrainFailed, Inlet, Outlet};
use crate::switchboard::{ConnId, Request, encode};

/// Most messages handled in one go before the task lets others run.
const HEARD_PER_POLL: usize = 32;

/// A tablet's task once it is on the net.
pub struct Online {
    inlet: Inlet,
    outlet: Arc<Outlet>,
    app: Arc<App>,
    conn: ConnId,
    codec: Codec,
    /// What the log line at its leaving needs.
    about: Box<About>,
    /// A step that has to wait; the loop goes on when it is done.
    step: Option<Pin<Box<dyn Future<Output = Next> + Send>>>,
    /// The line is over: the last step (leaving) is running or done.
    leaving: bool,
}

/// Who the tablet is, for the log, and its place among the hub's connections.
pub struct About {
    pub station: Station,
    pub peer: Option<SocketAddr>,
    pub since: tokio::time::Instant,
    pub permit: OwnedSemaphorePermit,
}

/// What comes after a step.
enum Next {
    /// Read on.
    Continue,
    /// The line is over; close it with this, if the socket is still there.
    End(Option<Closing>),
}

type Step = Pin<Box<dyn Future<Output = Next> + Send>>;

impl Online {
    pub fn new(
        inlet: Inlet,
        outlet: Arc<Outlet>,
        app: Arc<App>,
        conn: ConnId,
        codec: Codec,
        about: About,
    ) -> Online {
        Online {
            inlet,
            outlet,
            app,
            conn,
            codec,
            about: Box::new(about),
            step: None,
            leaving: false,
        }
    }

    /// One message from the tablet, handled as far as it can be without waiting; a step to
    /// wait on, or the end of the line.
    fn hear(&mut self, inbound: Result<Message, tungstenite::Error>) -> Option<Step> {
        let limit = self.app.config.write_timeout;
        // The outlet is cloned only for a step that waits (most messages need none).
        let msg = match inbound {
            Ok(m) => m,
            Err(tungstenite::Error::Capacity(_)) => {
                return Some(end(Some((CloseCode::FrameTooBig, None))));
            }
            Err(e) => {
                let outlet = self.outlet.clone();
                return Some(Box::pin(async move {
                    connection::refuse_broken(&outlet, &e, limit).await;
                    Next::End(None)
                }));
            }
        };
        self.outlet.heard();
        let (codec, conn) = (self.codec, self.conn);
        match msg {
            Message::Close(_) => {
                self.inlet.flush();
                let outlet = self.outlet.clone();
                Some(Box::pin(async move {
                    connection::answer_close(&outlet, limit).await;
                    Next::End(None)
                }))
            }
            // tungstenite queued the pong; it goes out with the next read.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
            msg => match connection::read_command(codec, &msg)? {
                Ok(ClientFrame {
                    id,
                    cmd: Command::Report { date },
                }) => {
                    let (app, outlet) = (self.app.clone(), self.outlet.clone());
                    Some(Box::pin(async move {
                        match connection::answer_report(&outlet, codec, id, date, &app).await {
                            true => Next::Continue,
                            false => Next::End(None),
                        }
                    }))
                }
                Ok(ClientFrame { id, cmd }) => {
                    let command = Request::Command { conn, id, cmd };
                    match self.app.switchboard.try_send(command) {
                        Ok(()) => None,
                        // The switchboard is busy: wait for room (the tablet waits too).
                        Err(mpsc::error::TrySendError::Full(command)) => {
                            let app = self.app.clone();
                            Some(Box::pin(async move {
                                match app.switchboard.send(command).await {
                                    Ok(()) => Next::Continue,
                                    Err(_) => Next::End(Some((CloseCode::Shutdown, None))),
                                }
                            }))
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => {
                            Some(end(Some((CloseCode::Shutdown, None))))
                        }
                    }
                }
                Err(error) => {
                    self.app.metrics.refusal(ErrorCode::BadFrame.name());
                    let frame = encode(codec, &error)?;
                    let outlet = self.outlet.clone();
                    Some(Box::pin(async move {
                        match connection::send_own(&outlet, frame, limit).await {
                            true => Next::Continue,
                            false => Next::End(None),
                        }
                    }))
                }
            },
        }
    }

    /// The switchboard wants this task: the socket is full (write the rest), or the line is
    /// closed (write the rest, then end).
    fn answer_switchboard(&self) -> Step {
        let outlet = self.outlet.clone();
        let app = self.app.clone();
        Box::pin(async move {
            match outlet.drain(app.config.write_timeout).await {
                Ok(()) => match outlet.closing() {
                    Some(closing) => Next::End(Some(closing)),
                    None => Next::Continue,
                },
                Err(DrainFailed::Timeout) => {
                    app.metrics.disconnect("write_timeout");
                    Next::End(None)
                }
                Err(DrainFailed::Broken) => Next::End(None),
            }
        })
    }

    /// The last step: the switchboard is told, the log says why the tablet left, and the close
    /// is sent.
    fn leave(&mut self, closing: Option<Closing>) -> Step {
        let (app, outlet, conn) = (self.app.clone(), self.outlet.clone(), self.conn);
        let station = self.about.station.clone();
        let (peer, since) = (self.about.peer, self.about.since);
        Box::pin(async move {
            let _ = app.switchboard.send(Request::Leave { conn }).await;
            let code = closing.as_ref().map(|(code, _)| *code);
            tracing::info!(
                conn,
                %station,
                peer = %connection::Addr(peer),
                online_s = since.elapsed().as_secs(),
                reason = code.map_or("closed by the tablet, or the link dropped", CloseCode::reason),
                close = code.map_or(0, CloseCode::code),
                "tablet left"
            );
            if let Some((code, why)) = closing {
                let limit = app.config.write_timeout;
                connection::close_within(&outlet, code, why.as_deref(), limit).await;
            }
            Next::End(None)
        })
    }
}

fn end(closing: Option<Closing>) -> Step {
    Box::pin(std::future::ready(Next::End(closing)))
}

impl Future for Online {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        // A tablet that keeps sending yields now and then, so others are served too.
        let mut heard = 0;
        loop {
            if let Some(step) = this.step.as_mut() {
                match step.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(_) if this.leaving => return Poll::Ready(()),
                    Poll::Ready(Next::Continue) => this.step = None,
                    Poll::Ready(Next::End(closing)) => {
                        this.leaving = true;
                        this.step = Some(this.leave(closing));
                        continue;
                    }
                }
            }
            // The switchboard first: a full socket or a close.
            if this.outlet.take_woken(cx) {
                this.step = Some(this.answer_switchboard());
                continue;
            }
            if heard == HEARD_PER_POLL {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            match this.inlet.poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(inbound) => {
                    heard += 1;
                    this.step = this.hear(inbound);
                }
            }
        }
    }
}
