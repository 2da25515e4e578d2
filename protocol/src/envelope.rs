//! What travels on the WebSocket. Three shapes, as in every real-time hub worth copying:
//! a client sends a [`Command`] (with a request id), the hub sends back a reply or an error for
//! that id, and the hub pushes [`Event`]s — each carrying its offset in the hub's log — as they
//! happen. The version is in the WebSocket subprotocol (`radio.v1.*`, see [`crate::codec`]).

use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::call::Call;
use crate::codes::ErrorCode;
use crate::intent::Answer;
use crate::mode::Mode;
use crate::order::Order;
use crate::post::{Station, Target};
use crate::room::Room;
use crate::rota::Rota;
// The internally tagged enums below get their `Deserialize` from `tagged_enum!`: tag first.
use crate::tag_first::tagged_enum;
use crate::tap::Tap;
use crate::visit::Visit;

/// The envelope version this crate speaks; part of the subprotocol name.
pub const PROTOCOL_VERSION: u16 = 1;

/// The largest integer on the wire, 2^53 − 1 (JavaScript's `Number.MAX_SAFE_INTEGER`): every
/// client holds numbers up to it exactly, even one that reads JSON numbers as doubles.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A call's id: the log offset of the event that placed it, so it is unique within an epoch.
pub type CallId = u64;

/// Client → hub: one command with the client's request id (echoed in the reply).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    pub id: u32,
    pub cmd: Command,
}

tagged_enum! {
    /// What a client can ask of the hub.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub enum Command {
        /// Must be the first frame: authenticates the tablet as the station its token names, and
        /// optionally resumes the event stream from where it left off.
        Connect {
            /// A missing or null token reads as the empty token, which the hub refuses as a bad
            /// token (close 4500) — not as a frame it cannot read.
            #[serde(default, deserialize_with = "null_as_empty")]
            token: String,
            #[serde(default)]
            resume: Option<Resume>,
            /// The client reads bundles: a frame from the hub may then hold several server
            /// frames, in order, as an array ([`crate::codec::Codec::decode_bundle_within`]).
            /// Absent or false: one server frame in each WebSocket frame, as before bundles.
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            bundles: bool,
        },
        /// Places a typed call. `caller` must be the connection's own station.
        Call { call: Call },
        /// Places a call given as a standard sentence; the hub parses it as [`crate::parse`] does.
        Say { sentence: String },
        /// Answers a call addressed to this station: 收到, 可以接待, 无法接待.
        Answer { call_id: CallId, answer: Answer },
        /// A status tap (parked, greeted, entered VIP k, order done, rota, modes…).
        Tap { tap: Tap },
        /// The live state of the site as this station may see it, with the offset it is valid at.
        State,
        /// The daily report; `date` is `YYYY-MM-DD` in the site's time zone, today if omitted.
        Report {
            #[serde(default)]
            date: Option<String>,
        },
        /// Keep-alive; the reply carries the log head.
        Ping,
        /// Reads a call without placing it, for a tablet to show what will go out before it goes:
        /// a typed `call` (rendered to its standard sentence) or a `sentence` (read as `say` reads
        /// it). Checked as `call`/`say` would check it — the catalogue, the site, the board — and
        /// refused with the same errors. Nothing is logged.
        Preview {
            #[serde(default)]
            call: Option<Call>,
            #[serde(default)]
            sentence: Option<String>,
        },
        /// The scripted calls this station makes, for a tablet's quick actions.
        Catalogue,
    }
}

impl Command {
    /// The first integer in this command beyond ±[`MAX_SAFE_INTEGER`], if any. The hub refuses
    /// such a command (`bad_frame`) rather than log a number it would then send to clients that
    /// cannot hold it (an important event's time, echoed in `mode_changed`). Every field is
    /// looked at, so a field added later is covered too.
    pub fn unsafe_number(&self) -> Option<i128> {
        crate::unsafe_number::first_unsafe(self)
    }
}

/// Logs from before `closes` was written: an answer closed a call to one station.
fn closes_by_default() -> bool {
    true
}

/// A string that may be null, null read as empty.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Option::<String>::deserialize(d).map(Option::unwrap_or_default)
}

/// Where a reconnecting client left off: the epoch it saw, and the first offset it still needs
/// (its last seen offset + 1). Without an epoch (a person replaying from an offset by hand), the
/// hub's current epoch is assumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    #[serde(default)]
    pub epoch: Option<u64>,
    pub from: u64,
}

tagged_enum! {
    /// Hub → client.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub enum ServerFrame {
        /// The command with this id succeeded.
        Reply { id: u32, body: ReplyBody },
        /// The command with this id failed; `code` says what to do (see [`ErrorCode`]).
        Error {
            id: u32,
            code: ErrorCode,
            message: String,
            /// For refused sentences and calls: the rule broken (see [`crate::Refusal::rule`]).
            #[serde(default)]
            rule: Option<String>,
        },
        /// Something happened that this station may see. Offsets only grow.
        Event(Event),
    }
}

tagged_enum! {
    /// The successful result of a command.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    pub enum ReplyBody {
        /// Connected as `station`. `head` is the offset the next event will get.
        Welcome {
            protocol: u16,
            station: Station,
            epoch: u64,
            head: u64,
            recovery: Recovery,
            /// The site's time zone (an IANA name such as `Asia/Shanghai`, or `+08:00`): what a
            /// time typed without an offset means. Absent from hubs before it was added.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            time_zone: Option<String>,
        },
        /// The call is on the net, with its id and offset, and the sentence the target hears.
        Placed {
            call_id: CallId,
            offset: u64,
            sentence: String,
        },
        /// The answer is logged at `offset`.
        Answered {
            offset: u64,
        },
        /// The tap is logged at `offset`.
        Tapped {
            offset: u64,
        },
        /// The snapshot asked for with `state` (same JSON as `/api/state`).
        State {
            state: serde_json::Value,
        },
        /// The report asked for with `report` (same JSON as `/api/report`).
        Report {
            report: serde_json::Value,
        },
        Pong {
            head: u64,
        },
        /// What `preview` read: the typed call and the standard sentence the target would hear.
        Preview {
            call: Box<Call>,
            sentence: String,
        },
        /// The calls this station makes, and the answers every kind of call takes (see
        /// [`crate::catalogue`]).
        Catalogue {
            calls: Vec<crate::catalogue::Entry>,
            answers: std::collections::BTreeMap<String, Vec<Answer>>,
        },
    }
}

tagged_enum! {
    /// What came of a resume request.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    #[serde(tag = "outcome", rename_all = "snake_case")]
    pub enum Recovery {
        /// No resume was asked: only live events follow.
        Live,
        /// Every event from `from` this station may see follows before live events: no gap, no double.
        Recovered { from: u64 },
        /// The stream cannot be resumed (the epoch changed, or `from` is older than what is kept):
        /// take a fresh snapshot (`/api/state`), then follow live events.
        SnapshotNeeded { reason: String },
    }
}

/// One entry of the hub's log, as pushed to clients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub offset: u64,
    /// When the hub logged it, in milliseconds since the Unix epoch.
    pub at: u64,
    pub what: EventKind,
}

tagged_enum! {
    /// Everything that can happen on the net.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    pub enum EventKind {
        /// A call went out. Its id is this event's offset ([`Event::placed`]), and its sentence
        /// follows from the typed call ([`Call::render`]; the pages with
        /// [`crate::script_table`]): neither is carried, so no field goes twice to every tablet
        /// or into the log. (Events logged before this carried a `call_id` and a `sentence` too;
        /// they are ignored when read back.)
        CallPlaced {
            call: Call,
            /// Whose answers the call waits for, when that is not just its target: the posts a call
            /// to all posts sets to work (those online), or nobody (a report, an announcement — the
            /// call is closed as it goes out). Absent: it waits for its target.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            awaiting: Option<Vec<Station>>,
        },
        /// An answer to an open call.
        CallAnswered {
            call_id: CallId,
            caller: Station,
            target: Target,
            by: Station,
            answer: Answer,
            /// Time from placing to answer.
            latency_ms: u64,
            /// This answer closes the call: nobody else's is waited for.
            #[serde(default = "closes_by_default")]
            closes: bool,
        },
        /// No answer within the deadline: the hub calls again, as an operator would repeat.
        CallRepeated {
            call_id: CallId,
            caller: Station,
            target: Target,
            attempt: u8,
            sentence: String,
        },
        /// Still no answer after the repeat: the supervisor is told.
        CallEscalated {
            call_id: CallId,
            caller: Station,
            target: Target,
            sentence: String,
        },
        /// The target had no tablet online when the call went out.
        TargetOffline {
            call_id: CallId,
            caller: Station,
            target: Target,
        },
        /// A station's first tablet came online.
        StationOnline { station: Station },
        /// A station's last tablet went offline.
        StationOffline { station: Station },
        /// A status tap, with the words a tablet shows for it.
        Tapped {
            by: Station,
            tap: Tap,
            words: String,
        },
        /// A visitor group as it is now (replaces the one with the same id).
        VisitUpdated { visit: Visit },
        /// A VIP room as it is now.
        RoomUpdated { room: Room },
        /// A service order as it is now.
        OrderUpdated { order: Order },
        /// The rota as it is now, and what changed it.
        RotaUpdated { rota: Rota, change: String },
        /// The site's modes as they are now.
        ModeChanged { mode: Mode },
        /// Words for some posts (`to`), or every post when `to` is empty: milestones of an important
        /// event, rain reminders.
        Announcement {
            #[serde(default)]
            to: Vec<Station>,
            words: String,
            /// For an important event's milestone: minutes before it.
            #[serde(default)]
            milestone: Option<u8>,
        },
        /// Something that should have happened has not.
        AlertRaised { alert: Alert },
        AlertResolved {
            id: String,
            to: Vec<Station>,
            #[serde(default)]
            by: Option<Station>,
        },
        /// A new day: groups that left or were declined, orders done, and rota sign-ins from before
        /// `before` are taken off the board (they stay in the log and the reports).
        BoardPruned { before: u64 },
        /// `hub repair` could not prove the record that held this offset: what it said is lost.
        /// Kept so that every later offset still means what it meant.
        RecordLost {
            /// When the repair ran (ms since the Unix epoch).
            repaired_at: u64,
        },
    }
}

impl Event {
    /// The call this event placed, with its id (the event's offset), if it placed one.
    pub fn placed(&self) -> Option<(CallId, &Call)> {
        match &self.what {
            EventKind::CallPlaced { call, .. } => Some((self.offset, call)),
            _ => None,
        }
    }
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::CallPlaced { .. } => "call_placed",
            EventKind::CallAnswered { .. } => "call_answered",
            EventKind::CallRepeated { .. } => "call_repeated",
            EventKind::CallEscalated { .. } => "call_escalated",
            EventKind::TargetOffline { .. } => "target_offline",
            EventKind::StationOnline { .. } => "station_online",
            EventKind::StationOffline { .. } => "station_offline",
            EventKind::Tapped { .. } => "tapped",
            EventKind::VisitUpdated { .. } => "visit_updated",
            EventKind::RoomUpdated { .. } => "room_updated",
            EventKind::OrderUpdated { .. } => "order_updated",
            EventKind::RotaUpdated { .. } => "rota_updated",
            EventKind::ModeChanged { .. } => "mode_changed",
            EventKind::Announcement { .. } => "announcement",
            EventKind::AlertRaised { .. } => "alert_raised",
            EventKind::AlertResolved { .. } => "alert_resolved",
            EventKind::BoardPruned { .. } => "board_pruned",
            EventKind::RecordLost { .. } => "record_lost",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Post;

    #[test]
    fn a_number_beyond_2_53_anywhere_in_a_command_is_found() {
        let mode = |t: u64| Command::Tap {
            tap: Tap::SetMode {
                important_event_at: Some(t),
                media_day: false,
                rain: false,
            },
        };
        assert_eq!(mode(MAX_SAFE_INTEGER).unsafe_number(), None);
        assert_eq!(mode(MAX_SAFE_INTEGER + 1).unsafe_number(), Some(1 << 53));
        let answer = Command::Answer {
            call_id: u64::MAX,
            answer: Answer::Received,
        };
        assert_eq!(answer.unsafe_number(), Some(i128::from(u64::MAX)));
        let call = Command::Call {
            call: Call::new(Post::G1, Post::S1, crate::Intent::ClearRoom { room: 3 }),
        };
        assert_eq!(call.unsafe_number(), None);
        assert_eq!(Command::Ping.unsafe_number(), None);
    }
}
