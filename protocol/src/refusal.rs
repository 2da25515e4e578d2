//! Why a sentence or a typed call was refused: each variant names the radio rule it broke and,
//! in its message, what to say instead. Refusals are values, never panics.

use crate::intent::{FieldError, Role};
use crate::post::NameError;

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
    /// Rule 1: the caller names its own post first — start with 「我是…」.
    #[error("no caller: name your own post first, e.g. 「我是L1岗，呼叫…」")]
    NoCaller,
    /// Rule 1: after naming yourself, call the target — 「呼叫…」.
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
            Refusal::MatterNotUnderstood { .. } => "matter_not_understood",
            Refusal::BadField(_) => "bad_field",
            Refusal::MissingClosing { .. } => "missing_closing",
            Refusal::WrongTarget { .. } => "wrong_target",
            Refusal::WrongCaller { .. } => "wrong_caller",
        }
    }
}

pub(crate) fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.radio_name())
        .collect::<Vec<_>>()
        .join("/")
}
