//! The events of one batch of work, handed to the tablets once the batch is done rather than
//! one event at a time.
//!
//! When the gate sends a burst of calls to everyone, the switchboard used to visit all 1,000
//! tablets once per call (16 passes over their queues for a burst of 16), then once more to
//! write. Now the events wait in the outbox, and at the end of the batch each tablet is visited
//! once: its share is queued. A tablet that gets every event of the burst alike gets them in one
//! piece made once for the batch: a [bundle](Framed::bundle) (one WebSocket frame) if it reads
//! bundles, else [joined](Framed::joined) (one run of bytes); either is written to each socket
//! as a single slice. The writes come after, a chunk of tablets at a time (see
//! [`Switchboard::write`]), so the next requests are let in while a long fan-out is written;
//! their frames are queued behind it, and a tablet not yet written gets both in one write.
//!
//! A tablet's frames keep the order they were sent in: before anything else is queued for a
//! tablet (a reply, or holding its frames for the disk) the tablet is first [caught
//! up](Switchboard::catch_up) with the outbox, and a mark says how many of the outbox's events
//! it already has. A tablet that joins mid-batch is marked as having them all (what it missed
//! comes with its welcome, from the log).

use protocol::{CloseCode, Codec, Post, Station};

use super::{ConnId, Switchboard, Tablet};
use crate::audience::Audience;
use crate::history::Served;
use crate::line::Framed;

#[derive(Default)]
pub(super) struct Outbox {
    served: Vec<Served>,
    /// Whether an event is for everyone: then every tablet is visited once, tablet by tablet.
    everyone: bool,
    /// Tablets with a mark this batch (caught up, or joined), to clear at its end.
    marked: Vec<ConnId>,
}

impl Outbox {
    pub(super) fn push(&mut self, served: Served) {
        self.everyone |= matches!(served.audience, Audience::Everyone);
        self.served.push(served);
    }

    pub(super) fn len(&self) -> usize {
        self.served.len()
    }

    /// Marks a tablet as having the outbox's events up to here.
    pub(super) fn mark(&mut self, conn: ConnId, t: &mut Tablet) {
        if t.caught_up == 0 {
            self.marked.push(conn);
        }
        t.caught_up = self.served.len();
    }
}

/// What one hand-out did: frames queued, and tablets too slow to keep.
#[derive(Default)]
struct Handed {
    sent: u64,
    slow: Vec<(ConnId, CloseCode)>,
}

impl Handed {
    /// Queues `frame` on `t` (or holds it behind a held acknowledgement). Returns whether the
    /// tablet is to be put on a list of tablets to write (the pacing's, with `paced`; see
    /// [`Tablet::send`]); a tablet too slow to keep is noted.
    fn send(
        &mut self,
        conn: ConnId,
        t: &mut Tablet,
        frame: Framed,
        most: usize,
        paced: bool,
    ) -> bool {
        let count = frame.frames() as u64;
        match t.send(frame, most, paced) {
            Ok(newly) => {
                self.sent += count;
                newly
            }
            Err(code) => {
                self.slow.push((conn, code));
                false
            }
        }
    }
}

impl Switchboard {
    /// Queues on `conn` the outbox's events it may see and does not have yet, so that what is
    /// queued for it next comes after them.
    pub(super) fn catch_up(&mut self, conn: ConnId) {
        let Some(t) = self.tablets.get_mut(&conn) else {
            return;
        };
        let from = t.caught_up;
        if from == self.outbox.len() {
            return;
        }
        let most = self.config.queue_frames;
        let mut handed = Handed::default();
        for s in &self.outbox.served[from..] {
            if s.audience.admits(&t.station) && handed.send(conn, t, s.framed(t.codec), most, false)
            {
                self.dirty.push_back(conn);
            }
        }
        self.outbox.mark(conn, t);
        self.settle_handed(handed);
    }

    /// Hands the batch's events to every tablet that may see them and has not got them yet.
    /// With an event for everyone, tablet by tablet; otherwise event by event, to the few
    /// tablets of its stations. Queued only: each tablet is written in its turn.
    pub(super) fn hand_out(&mut self) {
        // A tablet cut off on the way may log its station offline: that goes out too.
        while !self.outbox.served.is_empty() {
            let mut served = std::mem::take(&mut self.outbox.served);
            let handed = if self.outbox.everyone {
                self.hand_to_all(&served)
            } else {
                self.hand_to_stations(&served)
            };
            for conn in self.outbox.marked.drain(..) {
                if let Some(t) = self.tablets.get_mut(&conn) {
                    t.caught_up = 0;
                }
            }
            served.clear();
            self.outbox.served = served;
            self.outbox.everyone = false;
            self.settle_handed(handed);
        }
    }

    fn hand_to_all(&mut self, served: &[Served]) -> Handed {
        let most = self.config.queue_frames;
        let mut handed = Handed::default();
        // Within the pacing's gap of the last round of writes to everyone, these wait for the
        // gap to end (see [`super::pacing`]).
        let paced = self.pacing.wait(tokio::time::Instant::now());
        // Every event is for everyone: a tablet that has none of them yet and holds nothing for
        // the disk gets them all alike, in the codec it speaks: bundled into one frame if it
        // reads bundles, else joined.
        let alike = served
            .iter()
            .all(|s| matches!(s.audience, Audience::Everyone));
        let bundled = served
            .iter()
            .map(|s| s.frame(Codec::Json).body_len() + 1)
            .sum::<usize>()
            <= Framed::BUNDLE_BYTES;
        // Made once for the batch: for each codec, joined and bundled.
        let mut alike_frames: [Option<Framed>; 4] = [None, None, None, None];
        let (tablets, dirty, pacing) = (&mut self.tablets, &mut self.dirty, &mut self.pacing);
        let mut to_write = |conn: ConnId, paced: bool| match paced {
            true => pacing.hold(conn),
            false => dirty.push_back(conn),
        };
        for (conn, t) in tablets.iter_mut() {
            let from = std::mem::take(&mut t.caught_up);
            if from == served.len() {
                continue;
            }
            if alike && from == 0 && t.held.is_none() {
                let bundles = bundled && t.outlet.reads_bundles();
                let slot = usize::from(t.codec == Codec::Json) * 2 + usize::from(bundles);
                let frame = alike_frames[slot]
                    .get_or_insert_with(|| {
                        let frames = served.iter().map(|s| s.frame(t.codec));
                        match (bundles, served) {
                            (_, [one]) => one.framed(t.codec),
                            (true, _) => Framed::bundle(t.codec, frames),
                            (false, _) => Framed::joined(frames),
                        }
                    })
                    .clone();
                // Queued as any frame is (`Tablet::send`): behind a backlog the disk let go
                // at once, a caller gets the room that backlog was given, here as anywhere.
                if handed.send(*conn, t, frame, most, paced) {
                    to_write(*conn, paced);
                }
                continue;
            }
            for s in &served[from..] {
                // An event for a few stations among them is not paced: the tablet is written
                // at once, with what waited for the gap.
                let paced = paced && matches!(s.audience, Audience::Everyone);
                if s.audience.admits(&t.station)
                    && handed.send(*conn, t, s.framed(t.codec), most, paced)
                {
                    to_write(*conn, paced);
                }
            }
        }
        handed
    }

    fn hand_to_stations(&mut self, served: &[Served]) -> Handed {
        let most = self.config.queue_frames;
        let mut handed = Handed::default();
        let (tablets, by_station, dirty) = (&mut self.tablets, &self.by_station, &mut self.dirty);
        let sup = Station::Post(Post::Sup);
        for (i, s) in served.iter().enumerate() {
            let Audience::Stations(stations) = &s.audience else {
                continue; // not here: an event for everyone goes by hand_to_all
            };
            let extra = (!stations.contains(&sup)).then_some(&sup);
            let posts = stations.posts().map(Station::Post);
            let mut to = |station: &Station| {
                for conn in by_station.get(station).into_iter().flatten() {
                    let Some(t) = tablets.get_mut(conn) else {
                        continue;
                    };
                    if t.caught_up <= i && handed.send(*conn, t, s.framed(t.codec), most, false) {
                        dirty.push_back(*conn);
                    }
                }
            };
            posts.for_each(|p| to(&p));
            extra.into_iter().for_each(&mut to);
            stations.managers().iter().for_each(to);
        }
        handed
    }

    /// Counts what was queued and cuts off the tablets too slow to keep.
    fn settle_handed(&mut self, handed: Handed) {
        self.metrics.frames_out.inc_by(handed.sent);
        for (conn, code) in handed.slow {
            self.leave(conn, Some(code));
        }
    }
}
