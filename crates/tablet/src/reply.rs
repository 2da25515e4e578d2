//! What the hub tells a tablet back: the welcome on connecting, and the placement of a call.
//! Both are plain values (serializable, so the CLI prints them as they are).

use protocol::Station;
use protocol::envelope::{CallId, Recovery, ReplyBody, Resume};
use serde::{Deserialize, Serialize};

/// The hub accepted the tablet: who it is, which log it follows, and what came of the resume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    /// The station the token names; every call this tablet places is from it.
    pub station: Station,
    /// The hub log's epoch; a different one on reconnecting means offsets started over.
    pub epoch: u64,
    /// The offset the next event will get.
    pub head: u64,
    pub recovery: Recovery,
    /// The site's time zone, as the hub names it (`None` from an older hub).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

impl Welcome {
    /// The first offset this connection will deliver: where a resume left off, or the head for a
    /// live (or unresumable) stream. Resuming from here after a drop loses nothing.
    pub fn first_offset(&self) -> u64 {
        match self.recovery {
            Recovery::Recovered { from } => from,
            Recovery::Live | Recovery::SnapshotNeeded { .. } => self.head,
        }
    }

    /// Whether the tablet must fetch the hub's state (`/api/state`): the events it asked for are gone.
    pub fn snapshot_needed(&self) -> Option<&str> {
        match &self.recovery {
            Recovery::SnapshotNeeded { reason } => Some(reason),
            _ => None,
        }
    }

    /// Where to resume to continue this stream from its start.
    pub fn resume(&self) -> Resume {
        Resume {
            epoch: Some(self.epoch),
            from: self.first_offset(),
        }
    }

    /// The welcome in a reply, or the reply back if it is something else.
    pub(crate) fn from_reply(body: ReplyBody) -> Result<Welcome, ReplyBody> {
        match body {
            ReplyBody::Welcome {
                station,
                epoch,
                head,
                recovery,
                time_zone,
                ..
            } => Ok(Welcome {
                station,
                epoch,
                head,
                recovery,
                time_zone,
            }),
            other => Err(other),
        }
    }
}

/// A call is on the net: its id (to match answers), its offset in the log, and the standard
/// sentence the target hears.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    pub call_id: CallId,
    pub offset: u64,
    pub sentence: String,
}

impl Placed {
    /// The placement in a reply, or the reply back if it is something else.
    pub(crate) fn from_reply(body: ReplyBody) -> Result<Placed, ReplyBody> {
        match body {
            ReplyBody::Placed {
                call_id,
                offset,
                sentence,
            } => Ok(Placed {
                call_id,
                offset,
                sentence,
            }),
            other => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::post::Post;

    fn welcome(recovery: Recovery) -> Welcome {
        Welcome {
            station: Post::L1.into(),
            epoch: 7,
            head: 40,
            recovery,
            time_zone: None,
        }
    }

    #[test]
    fn the_first_offset_is_the_resume_point_or_the_head() {
        assert_eq!(welcome(Recovery::Live).first_offset(), 40);
        assert_eq!(welcome(Recovery::Recovered { from: 12 }).first_offset(), 12);
        let lost = welcome(Recovery::SnapshotNeeded {
            reason: "epoch changed".into(),
        });
        assert_eq!(lost.first_offset(), 40);
        assert_eq!(lost.snapshot_needed(), Some("epoch changed"));
        assert_eq!(
            lost.resume(),
            Resume {
                epoch: Some(7),
                from: 40
            }
        );
    }
}
