//! Reading a typed or dictated sentence back into a typed call, the way a trained listener does:
//! who is calling (「我是…」), whom (「呼叫…」), the matter against the script, and the closing.
//! Each step that fails names the rule of the radio discipline that was broken.

use crate::call::{Call, Utterance};
use crate::intent::{Answer, Intent};
use crate::normalize;
use crate::post::{Post, Station, Target};
use crate::refusal::{MAX_SENTENCE_CHARS, Refusal};
use crate::script::{self, Closing};

/// Words for the whole site, as the target of the gate's arrival broadcast.
const ALL_WORDS: [&str; 5] = ["全体岗位", "所有岗位", "各岗位", "整个案场", "全体"];
/// How a client manager is named, before their name.
const MANAGER_WORDS: [&str; 3] = ["大客户经理", "客户经理", "销售员"];
/// Closings people say, longest first; 回答/回话/回复 are all accepted.
const CLOSINGS: [(&str, Closing); 6] = [
    ("收到请回答", Closing::Answer),
    ("收到请回话", Closing::Reply),
    ("收到请回复", Closing::Answer),
    ("请回答", Closing::Answer),
    ("请回话", Closing::Reply),
    ("谢谢", Closing::Thanks),
];

/// Parses one sentence: a call, or an answer (收到, 可以接待, 无法接待).
pub fn utterance(said: &str) -> Result<Utterance, Refusal> {
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
        return Ok(Utterance::Answer { answer });
    }
    call(&s).map(Utterance::Call)
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

fn call(s: &str) -> Result<Call, Refusal> {
    let Some(rest) = s.strip_prefix("我是") else {
        return short_taxi_report(s).ok_or(Refusal::NoCaller)?;
    };
    let (caller, rest) = station(rest, true)?;
    let caller = match caller {
        Target::Station(st) => st,
        Target::All => return Err(Refusal::NoCaller),
    };
    let rest = rest.strip_prefix(',').unwrap_or(rest);
    let Some(rest) = rest.strip_prefix("呼叫") else {
        return Err(Refusal::NoTarget);
    };
    let (target, rest) = station(rest, false)?;
    let rest = rest.strip_prefix(',').unwrap_or(rest);
    let (matter, closing) = strip_closing(rest);
    let Some((line, intent)) = script::read(matter)? else {
        return Err(Refusal::MatterNotUnderstood {
            said: matter.chars().take(60).collect(),
        });
    };
    if closing.is_none() && matches!(line.closing, Closing::Answer | Closing::Reply) {
        return Err(Refusal::MissingClosing {
            expected: line.closing.words(),
        });
    }
    let call = Call {
        caller,
        target,
        intent,
    };
    call.check()?;
    Ok(call)
}

/// The seed's own short form of the taxi report, said by L1 without naming itself:
/// 「张伟经理，您的客户王先生需要的出租车已经叫到。」 Only L1 calls taxis, so the caller is known.
fn short_taxi_report(s: &str) -> Option<Result<Call, Refusal>> {
    let (name, rest) = s.split_once("经理,")?;
    let Ok(Some((_, intent @ Intent::TaxiArrived { .. }))) = script::read(rest) else {
        return None;
    };
    Some(
        Station::manager(name)
            .map_err(Refusal::from)
            .map(|x| Call::new(Post::L1, x, intent)),
    )
}

fn strip_closing(s: &str) -> (&str, Option<Closing>) {
    for (words, closing) in CLOSINGS {
        if let Some(m) = s.strip_suffix(words) {
            return (m.trim_end_matches(','), Some(closing));
        }
    }
    (s, None)
}

/// Reads the station at the start of `s` (longest name wins). A caller's name must be followed
/// by a comma or 「呼叫」; a manager's name runs to the next comma (or 「呼叫」).
fn station(s: &str, is_caller: bool) -> Result<(Target, &str), Refusal> {
    for word in MANAGER_WORDS {
        if let Some(rest) = strip_prefix_ci(s, word) {
            let end = [rest.find(','), rest.find("呼叫")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(rest.len());
            let station = Station::manager(&rest[..end])?;
            return Ok((Target::Station(station), &rest[end..]));
        }
    }
    let mut best: Option<(Target, usize)> = None;
    let mut consider = |t: Target, word: &str| {
        if strip_prefix_ci(s, word).is_some() && best.as_ref().is_none_or(|(_, n)| word.len() > *n)
        {
            best = Some((t, word.len()));
        }
    };
    for post in Post::ALL {
        for word in post.aliases() {
            consider(Target::from(post), word);
        }
    }
    if !is_caller {
        for word in ALL_WORDS {
            consider(Target::All, word);
        }
    }
    let unknown = || Refusal::UnknownPost {
        said: s
            .split([','])
            .next()
            .unwrap_or("")
            .split("呼叫")
            .next()
            .unwrap_or("")
            .chars()
            .take(24)
            .collect(),
    };
    let (target, n) = best.ok_or_else(unknown)?;
    let rest = &s[n..];
    if is_caller && !(rest.is_empty() || rest.starts_with(',') || rest.starts_with("呼叫")) {
        return Err(unknown());
    }
    Ok((target, rest))
}

fn strip_prefix_ci<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &s[word.len()..])
}
