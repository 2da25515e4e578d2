//! The stations a sentence names — 「我是…」, 「呼叫…」, a manager addressed by name — and how a
//! client manager said by surname is resolved against the managers on duty.
//!
//! A client manager is said in two ways:
//! - titled: a manager word, then the name (「大客户经理张伟」, 「置业顾问张伟」). A name of one
//!   character, a compound surname alone (欧阳) or 小/老 + surname (小李) is a surname; anything
//!   longer is a full name, used as said — on duty or not, since the roster is not always known.
//! - suffixed: the name, then 经理 (「张伟经理」, 「李经理」). What precedes 经理 is matched by
//!   prefix against the managers on duty (张伟经理 finds 张伟明 if he is the only one); when
//!   nobody matches, a full name is used as said and a surname is refused.
//!
//! A surname is resolved to the one manager on duty whose name starts with it (for the caller,
//! the speaker first: 「我是张经理」 from 张伟's tablet is 张伟). None or several: the sentence is
//! refused (`unknown_manager`), naming who is on duty, so the speaker says the full name.

use crate::parse::Context;
use crate::post::{MANAGER_WORDS, ManagerName, Post, Station, Target};
use crate::refusal::Refusal;
use crate::visitor::surname::is_han;

/// Words for the whole site, as the target of the gate's arrival broadcast.
const ALL_WORDS: [&str; 6] = [
    "全体岗位",
    "所有岗位",
    "各岗位",
    "整个案场",
    "全案场",
    "全体",
];
/// Words at which a manager's name said after a manager word ends, when no comma does.
const NAME_ENDS: [&str; 3] = [",", "呼叫", "收到"];

/// Which side of the call a station is named on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    /// After 「我是」: a post or a manager, followed by a comma, 「呼叫」 or the end.
    Caller,
    /// After 「呼叫」, or addressed by name: a post, a manager, or the whole site.
    Target,
}

/// A station as said, before it is resolved.
#[derive(Debug)]
pub(super) enum Mention<'s> {
    Post(Post),
    All,
    Manager {
        /// The words said, for a refusal (「李经理」).
        said: &'s str,
        name: ManagerName,
        /// Said as 「<name>经理」.
        suffixed: bool,
    },
}

/// Reads the station at the start of `s`; returns it and the rest of the sentence.
pub(super) fn read(s: &str, side: Side) -> Result<(Mention<'_>, &str), Refusal> {
    for word in MANAGER_WORDS {
        if let Some(rest) = strip_prefix_ci(s, word) {
            let end = NAME_ENDS
                .iter()
                .filter_map(|w| rest.find(w))
                .min()
                .unwrap_or(rest.len());
            let name = ManagerName::spoken(&rest[..end])?;
            let said = &s[..word.len() + end];
            let mention = Mention::Manager {
                said,
                name,
                suffixed: false,
            };
            return Ok((mention, &rest[end..]));
        }
    }
    if let Some((mention, n)) = post_words(s, side) {
        let rest = &s[n..];
        let ends = rest.is_empty() || rest.starts_with(',') || rest.starts_with("呼叫");
        if side == Side::Target || ends {
            return Ok((mention, rest));
        }
    }
    if let Some((name, n)) = suffixed(s) {
        let mention = Mention::Manager {
            said: &s[..n],
            name,
            suffixed: true,
        };
        return Ok((mention, &s[n..]));
    }
    Err(Refusal::UnknownPost {
        said: s
            .split(',')
            .next()
            .unwrap_or("")
            .split("呼叫")
            .next()
            .unwrap_or("")
            .chars()
            .take(24)
            .collect(),
    })
}

/// A station addressed by name at the start of the matter, followed by a comma: the seed's
/// 「张伟经理，您的客户…」. Returns it and the rest after the comma.
pub(super) fn address(s: &str) -> Option<(Mention<'_>, &str)> {
    let (m, rest) = read(s, Side::Target).ok()?;
    Some((m, rest.strip_prefix(',')?))
}

/// A station named just before 「呼叫」, with or without a comma, as the caller: 「L1岗呼叫
/// 接待中心」 is said as often as 「我是L1岗，呼叫接待中心」. Returns it and the rest from 「呼叫」.
pub(super) fn before_hail(s: &str) -> Option<(Mention<'_>, &str)> {
    let (m, rest) = read(s, Side::Caller).ok()?;
    let rest = rest.strip_prefix(',').unwrap_or(rest);
    rest.starts_with("呼叫").then_some((m, rest))
}

/// The caller a mention names.
pub(super) fn caller(m: Mention, cx: &Context) -> Result<Station, Refusal> {
    match m {
        Mention::Post(p) => Ok(Station::Post(p)),
        Mention::All => Err(Refusal::UnknownPost {
            said: "各岗位".into(),
        }),
        Mention::Manager {
            said,
            name,
            suffixed,
        } => resolve(said, name, suffixed, cx, true).map(Station::Manager),
    }
}

/// The target a mention names.
pub(super) fn target(m: Mention, cx: &Context) -> Result<Target, Refusal> {
    match m {
        Mention::Post(p) => Ok(Target::from(p)),
        Mention::All => Ok(Target::All),
        Mention::Manager {
            said,
            name,
            suffixed,
        } => resolve(said, name, suffixed, cx, false).map(|n| Station::Manager(n).into()),
    }
}

/// A post by any of its words (longest wins), or — for a target — the whole site; with the
/// length of the words.
fn post_words(s: &str, side: Side) -> Option<(Mention<'static>, usize)> {
    let mut best: Option<(Mention, usize)> = None;
    let mut consider = |m: Mention<'static>, word: &str| {
        if strip_prefix_ci(s, word).is_some() && best.as_ref().is_none_or(|(_, n)| word.len() > *n)
        {
            best = Some((m, word.len()));
        }
    };
    for post in Post::ALL {
        for word in post.aliases() {
            consider(Mention::Post(post), word);
        }
    }
    if side == Side::Target {
        for word in ALL_WORDS {
            consider(Mention::All, word);
        }
    }
    best
}

/// 「<name>经理」 at the start of `s`: the name and the length of the words.
fn suffixed(s: &str) -> Option<(ManagerName, usize)> {
    let at = s.find("经理")?;
    let name = &s[..at];
    if name.is_empty() || !name.chars().all(|c| c.is_alphabetic() || c == '·') {
        return None;
    }
    let name = ManagerName::spoken(name).ok()?;
    Some((name, at + "经理".len()))
}

/// 小李, 老张: a surname said the familiar way.
fn familiar_surname(name: &str) -> Option<&str> {
    let mut chars = name.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some('小' | '老'), Some(c), None) if is_han(c) => Some(&name['小'.len_utf8()..]),
        _ => None,
    }
}

/// Resolves a manager as said (see the module's documentation).
fn resolve(
    said: &str,
    name: ManagerName,
    suffixed: bool,
    cx: &Context,
    speaker_first: bool,
) -> Result<ManagerName, Refusal> {
    let speaker = cx
        .speaker
        .filter(|_| speaker_first)
        .and_then(Station::manager_name);
    if speaker == Some(&name) || cx.managers.contains(&name) {
        return Ok(name);
    }
    let familiar = familiar_surname(name.as_str());
    let surname = name.is_surname_only() || familiar.is_some();
    if !suffixed && !surname {
        return Ok(name);
    }
    for prefix in std::iter::once(name.as_str()).chain(familiar) {
        if let Some(s) = speaker.filter(|s| s.as_str().starts_with(prefix)) {
            return Ok(s.clone());
        }
        let candidates: Vec<ManagerName> = cx
            .managers
            .iter()
            .filter(|m| m.as_str().starts_with(prefix))
            .cloned()
            .collect();
        match candidates.len() {
            0 => continue,
            1 => return Ok(candidates.into_iter().next().expect("one candidate")),
            _ => {
                return Err(Refusal::UnknownManager {
                    said: said.to_owned(),
                    candidates,
                    on_duty: cx.managers.to_vec(),
                });
            }
        }
    }
    if surname {
        Err(Refusal::UnknownManager {
            said: said.to_owned(),
            candidates: Vec::new(),
            on_duty: cx.managers.to_vec(),
        })
    } else {
        Ok(name)
    }
}

fn strip_prefix_ci<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &s[word.len()..])
}
