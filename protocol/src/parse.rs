//! Reading a typed or dictated sentence back into a typed call, the way a trained listener does:
//! who is calling (「我是…」), whom (「呼叫…」, or a manager addressed by name), the matter against
//! the script, and the closing. What the sentence leaves out, the listener fills in from what it
//! knows ([`Context`]): who is speaking, whom they hailed, which managers are on duty, and who the
//! catalogue says makes and takes the call. Each step that fails names the rule that was broken.

mod mention;

use crate::call::{Call, Utterance, sole_caller, sole_target};
use crate::intent::Answer;
use crate::normalize;
use crate::post::{ManagerName, Station, Target};
use crate::refusal::{MAX_SENTENCE_CHARS, Refusal};
use crate::script::{self, Closing};

use mention::Side;

/// What the listener knows beyond the sentence itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// Who is speaking, when known (the hub knows it from the tablet's token). A sentence
    /// without 「我是…」 is theirs.
    pub speaker: Option<&'a Station>,
    /// Whom the speaker last hailed and is still talking to (a bare hail opens the channel; the matter follows).
    pub hailed: Option<&'a Target>,
    /// The client managers on duty, to resolve 「李经理」 to 李明. Empty: surname-only managers are refused.
    pub managers: &'a [ManagerName],
}

/// A sentence read: what was said, and in which form of the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub utterance: Utterance,
    /// The script form the matter was read with ([`script::Line::form`]); `None` for an answer.
    pub form: Option<&'static str>,
    /// Which of the form's patterns: 0 its standard words, k its k-th variant.
    pub pattern: usize,
}

/// Closings people say, longest first; 回答/回话/回复 are all accepted.
const CLOSINGS: [(&str, Closing); 6] = [
    ("收到请回答", Closing::Answer),
    ("收到请回话", Closing::Reply),
    ("收到请回复", Closing::Answer),
    ("请回答", Closing::Answer),
    ("请回话", Closing::Reply),
    ("谢谢", Closing::Thanks),
];

/// Parses one sentence with nothing known beyond it: a call, or an answer (收到, 可以接待, 无法接待).
pub fn utterance(said: &str) -> Result<Utterance, Refusal> {
    utterance_in(said, &Context::default())
}

/// Parses one sentence, filling in what it leaves out from `cx`:
/// - no 「我是…」: a station named just before 「呼叫」 is the caller (「L1岗，呼叫接待中心，…」);
///   else `cx.speaker`; without one, the one post the catalogue has make this call (the taxi
///   report: L1); else `no_caller`. A caller said is kept as said, even if `cx.speaker` is
///   someone else (the hub refuses impersonation itself).
/// - no 「呼叫…」: the manager addressed by name (「张伟经理，…」); else the one post (or all posts)
///   the catalogue has take this call (drinks: the water bar); else `cx.hailed`; else `no_target`.
/// - a manager said by surname (李经理, 大客户经理李): the one manager on duty whose name starts
///   with it (the speaker first, for 「我是张经理」); none or several: `unknown_manager`.
/// - no closing: allowed only when the channel is open — the target is the one `cx.hailed`.
pub fn utterance_in(said: &str, cx: &Context) -> Result<Utterance, Refusal> {
    read_in(said, cx).map(|r| r.utterance)
}

/// As [`utterance_in`], and says which form of the script the sentence was read in.
pub fn read_in(said: &str, cx: &Context) -> Result<Reading, Refusal> {
    let len = said.chars().take(MAX_SENTENCE_CHARS * 4 + 1).count();
    if len > MAX_SENTENCE_CHARS * 4 {
        return Err(Refusal::TooLong {
            len,
            max: MAX_SENTENCE_CHARS,
        });
    }
    let s = normalize::sentence(said);
    let len = s.chars().count();
    if len == 0 {
        return Err(Refusal::Empty);
    }
    if len > MAX_SENTENCE_CHARS {
        return Err(Refusal::TooLong {
            len,
            max: MAX_SENTENCE_CHARS,
        });
    }
    if let Some(answer) = answer(&s) {
        return Ok(Reading {
            utterance: Utterance::Answer { answer },
            form: None,
            pattern: 0,
        });
    }
    call(&s, cx)
}

/// Parses a sentence that must be a call.
pub fn call_sentence(said: &str) -> Result<Call, Refusal> {
    match utterance(said)? {
        Utterance::Call(c) => Ok(c),
        Utterance::Answer { .. } => Err(Refusal::NoCaller),
    }
}

fn answer(s: &str) -> Option<Answer> {
    let s = s
        .strip_prefix("好的,")
        .or(s.strip_prefix("好的"))
        .unwrap_or(s);
    match s {
        "收到" | "收到,谢谢" | "收到谢谢" | "收到了" => Some(Answer::Received),
        "可以接待" | "可以" => Some(Answer::CanReceive),
        "无法接待" | "不能接待" | "暂时无法接待" | "现在无法接待" => {
            Some(Answer::CannotReceive)
        }
        _ => None,
    }
}

/// Reads a call. The order of the checks is the order of the refusals' specificity: the words
/// said (posts, names), then the matter, then what had to be filled in, then the catalogue (the
/// right post for the call), and last the closing of an otherwise right call.
fn call(s: &str, cx: &Context) -> Result<Reading, Refusal> {
    // 「我是…」, or a station named just before 「呼叫」 (「L1岗，呼叫接待中心，…」).
    let (caller, rest) = match s.strip_prefix("我是") {
        Some(rest) => {
            let (m, rest) = mention::read(rest, Side::Caller)?;
            (Some(mention::caller(m, cx)?), skip_comma(rest))
        }
        None => match mention::before_hail(s) {
            Some((m, rest)) => (Some(mention::caller(m, cx)?), rest),
            None => (None, s),
        },
    };
    // 「呼叫…」, or a manager addressed by name: 「张伟经理，…」.
    let (target, rest) = match rest.strip_prefix("呼叫") {
        Some(rest) => {
            let (m, rest) = mention::read(rest, Side::Target)?;
            (Some(mention::target(m, cx)?), skip_comma(rest))
        }
        None => match mention::address(rest) {
            Some((m, rest)) => (Some(mention::target(m, cx)?), rest),
            None => (None, rest),
        },
    };
    let (matter, closing) = strip_closing(rest);
    let Some(read) = script::read(matter)? else {
        return Err(Refusal::MatterNotUnderstood {
            said: matter.chars().take(60).collect(),
        });
    };
    let intent = read.intent;
    let caller = caller
        .or_else(|| cx.speaker.cloned())
        .or_else(|| sole_caller(&intent))
        .ok_or(Refusal::NoCaller)?;
    let target = target
        .or_else(|| sole_target(&intent))
        .or_else(|| cx.hailed.cloned())
        .ok_or(Refusal::NoTarget)?;
    let channel_open = cx.hailed == Some(&target);
    let call = Call {
        caller,
        target,
        intent,
    };
    call.check()?;
    if closing.is_none() && read.line.closing.asks_answer() && !channel_open {
        return Err(Refusal::MissingClosing {
            expected: read.line.closing.words(),
        });
    }
    Ok(Reading {
        utterance: Utterance::Call(call),
        form: Some(read.line.form),
        pattern: read.pattern,
    })
}

fn skip_comma(s: &str) -> &str {
    s.strip_prefix(',').unwrap_or(s)
}

fn strip_closing(s: &str) -> (&str, Option<Closing>) {
    for (words, closing) in CLOSINGS {
        if let Some(m) = s.strip_suffix(words) {
            return (m.trim_end_matches(','), Some(closing));
        }
    }
    (s, None)
}
