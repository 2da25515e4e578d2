//! Why a sentence or a typed call was refused: each variant names the radio rule it broke and,
//! in its message, what to say instead. Refusals are values, never panics.

use crate::intent::{FieldError, Role};
use crate::post::{ManagerName, NameError};

/// The longest sentence read, in characters: a radio call is one breath, not a letter.
pub const MAX_SENTENCE_CHARS: usize = 300;

/// A call or sentence that breaks the radio discipline.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Say something.
    #[error("empty: nothing was said")]
    Empty,
    /// Keep the call to one brief sentence.
    #[error("too long: a call is at most {max} characters, this one has {len}")]
    TooLong { len: usize, max: usize },
    /// Rule 1: the caller names its own post first — start with 「我是…」. (Only when nobody
    /// knows who is speaking and the call is not one only a single post makes.)
    #[error("no caller: name your own post first, e.g. 「我是L1岗，呼叫…」")]
    NoCaller,
    /// Rule 1: after naming yourself, call the target — 「呼叫…」. (Only when the call is not for
    /// one post by the catalogue and no channel is open.)
    #[error("no target: after naming your post, call the target with 「呼叫…」")]
    NoTarget,
    /// The post named is not on this net.
    #[error(
        "unknown post {said:?}: say one of L1岗 L2岗 Y1岗 Y2岗 大客户管家 水吧 操作间 接待中心 巡场主管 大堂岗 样板房 电瓶车, or 大客户经理<name>"
    )]
    UnknownPost { said: String },
    /// A client manager's name is wrong.
    #[error("bad client manager name: {0}")]
    BadName(#[from] NameError),
    /// A client manager named by surname (李经理, 大客户经理李) who is not exactly one of the
    /// managers on duty: say the full name.
    #[error("{}", unknown_manager_text(said, candidates, on_duty))]
    UnknownManager {
        /// The words said, e.g. 「李经理」.
        said: String,
        /// The managers on duty the words could mean (empty: none).
        candidates: Vec<ManagerName>,
        /// Every manager on duty, as far as the listener knows (empty: not known).
        on_duty: Vec<ManagerName>,
    },
    /// The matter is not one of the scripted calls.
    #[error(
        "matter not understood: {said:?} is not a scripted call; use the standard words, or mark it 【其他】 to send it as free text"
    )]
    MatterNotUnderstood { said: String },
    /// The matter is scripted, but one of its fields is wrong.
    #[error("bad field: {0}")]
    BadField(#[from] FieldError),
    /// Rule 1: the call ends with 「收到请回答」 (or 「收到请回话」).
    #[error("no closing: end the call with 「{expected}」 so the target knows to answer")]
    MissingClosing { expected: &'static str },
    /// This call is for another post.
    #[error("wrong target: {intent} is for {expected}, not {said}")]
    WrongTarget {
        intent: &'static str,
        expected: &'static str,
        said: String,
    },
    /// This post does not make this call.
    #[error("wrong caller: {intent} is made by {allowed}, not {said}")]
    WrongCaller {
        intent: &'static str,
        allowed: String,
        said: String,
    },
}

impl Refusal {
    /// The rule broken, as a stable short name (for logs, metrics and error codes).
    pub fn rule(&self) -> &'static str {
        match self {
            Refusal::Empty => "empty",
            Refusal::TooLong { .. } => "too_long",
            Refusal::NoCaller => "no_caller",
            Refusal::NoTarget => "no_target",
            Refusal::UnknownPost { .. } => "unknown_post",
            Refusal::BadName(_) => "bad_name",
            Refusal::UnknownManager { .. } => "unknown_manager",
            Refusal::MatterNotUnderstood { .. } => "matter_not_understood",
            Refusal::BadField(_) => "bad_field",
            Refusal::MissingClosing { .. } => "missing_closing",
            Refusal::WrongTarget { .. } => "wrong_target",
            Refusal::WrongCaller { .. } => "wrong_caller",
        }
    }
}

impl Refusal {
    /// The field at fault, for a refusal of a bad field (`who`, `party`, `room`, `plate` …; see
    /// [`FieldError::field`]).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::BadField(e) => Some(e.field()),
            _ => None,
        }
    }
}

fn names(list: &[ManagerName], sep: &str) -> String {
    list.iter()
        .map(ManagerName::as_str)
        .collect::<Vec<_>>()
        .join(sep)
}

fn unknown_manager_text(said: &str, candidates: &[ManagerName], on_duty: &[ManagerName]) -> String {
    let example = candidates
        .first()
        .or(on_duty.first())
        .map_or("张伟", ManagerName::as_str);
    let whom = if candidates.len() > 1 {
        format!("it could be {}", names(candidates, " or "))
    } else if on_duty.is_empty() {
        "who is on duty is not known here".to_owned()
    } else {
        format!(
            "no manager on duty has that name; on duty: {}",
            names(on_duty, ", ")
        )
    };
    format!(
        "unknown manager {said:?}: a manager named by surname must be exactly one of those on duty, and {whom}. Say the full name, e.g. 「大客户经理{example}」"
    )
}

pub(crate) fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.radio_name())
        .collect::<Vec<_>>()
        .join("/")
}
