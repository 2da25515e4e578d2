//! Who is on the radio net: the fixed posts (岗位), the client managers who each hold the role `X`
//! under their own name, and the site-wide "all posts" target of the gate's arrival broadcast.
//!
//! A [`Station`] is anyone who can be called or can call; on the wire it is a short code string
//! (`"L1"`, `"G1"`, `"X:张伟"`), which is also the name of its channel in the hub.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest manager name accepted, in characters. Names are people's names, not messages.
pub const MAX_NAME_CHARS: usize = 16;
/// The longest Chinese name said on the radio without the separator ·, in characters (a compound
/// surname and a two-character given name).
pub const MAX_SPOKEN_HAN_NAME: usize = 4;

/// The words for a client manager said before their name (「大客户经理张伟」), longest first where
/// one ends another. 「X经理」 (张伟经理, 李经理) is read too; see `parse`.
pub const MANAGER_WORDS: [&str; 5] = ["大客户经理", "客户经理", "置业顾问", "销售顾问", "销售员"];

/// The words that make a radio sentence what it is — who speaks, whom they call, the answer, the
/// words for a manager — which no name said on the radio may hold.
const RADIO_WORDS: [&str; 6] = ["我是", "呼叫", "收到", "经理", "顾问", "销售员"];

/// A fixed post of the sales gallery (DOMAIN.md §1), plus the model-house posts of seed 002.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Post {
    /// 门岗礼宾 — gate concierge.
    L1,
    /// 停车场礼宾 — parking concierge.
    L2,
    /// 大门迎宾 — door greeter.
    Y1,
    /// 大门迎宾（巡场礼宾）— door greeter who also patrols.
    Y2,
    /// 大客户管家 — the VIP butler.
    G1,
    /// 水吧服务员 — the water bar.
    S1,
    /// 操作间 — the back kitchen / operations room.
    Ops,
    /// 接待中心 / 销售中心 — the reception (sales) desk.
    Rc,
    /// 巡场主管 / 值班经理 — patrol supervisor, duty manager; sees the whole net.
    Sup,
    /// 大堂岗 — the model-house building's lobby post (seed 002).
    Lobby,
    /// 样板房接待岗 — the model-house post (seed 002).
    ModelHouse,
    /// 电瓶车接待员 — the shuttle cart (seed 002).
    Shuttle,
}

impl Post {
    /// Every fixed post, in the order the site roster lists them.
    pub const ALL: [Post; 12] = [
        Post::L1,
        Post::L2,
        Post::Y1,
        Post::Y2,
        Post::G1,
        Post::S1,
        Post::Ops,
        Post::Rc,
        Post::Sup,
        Post::Lobby,
        Post::ModelHouse,
        Post::Shuttle,
    ];

    /// The post's code, as on the roster and on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Post::L1 => "L1",
            Post::L2 => "L2",
            Post::Y1 => "Y1",
            Post::Y2 => "Y2",
            Post::G1 => "G1",
            Post::S1 => "S1",
            Post::Ops => "OPS",
            Post::Rc => "RC",
            Post::Sup => "SUP",
            Post::Lobby => "LOBBY",
            Post::ModelHouse => "MODEL",
            Post::Shuttle => "SHUTTLE",
        }
    }

    /// What the post is called on the radio, both when it names itself (「我是水吧」) and when it is
    /// called (「呼叫水吧」). A few calls use another trained word; the script table says which.
    pub fn radio_name(self) -> &'static str {
        match self {
            Post::L1 => "L1岗",
            Post::L2 => "L2岗",
            Post::Y1 => "Y1岗",
            Post::Y2 => "Y2岗",
            Post::G1 => "大客户管家",
            Post::S1 => "水吧",
            Post::Ops => "操作间",
            Post::Rc => "接待中心",
            Post::Sup => "巡场主管",
            Post::Lobby => "大堂岗",
            Post::ModelHouse => "样板房",
            Post::Shuttle => "电瓶车",
        }
    }

    /// The post's title in Chinese, for rosters and dashboards.
    pub fn title(self) -> &'static str {
        match self {
            Post::L1 => "门岗礼宾",
            Post::L2 => "停车场礼宾",
            Post::Y1 => "大门迎宾",
            Post::Y2 => "大门迎宾（巡场礼宾）",
            Post::G1 => "大客户管家",
            Post::S1 => "水吧服务员",
            Post::Ops => "操作间",
            Post::Rc => "接待中心",
            Post::Sup => "巡场主管",
            Post::Lobby => "大堂岗",
            Post::ModelHouse => "样板房接待岗",
            Post::Shuttle => "电瓶车接待员",
        }
    }

    /// The words people use for the post on the radio, longest first where one is a prefix of
    /// another. Includes the short forms the seed itself uses (「管家」, 「销售中心」).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Post::L1 => &["L1岗", "L1", "门岗礼宾", "门岗"],
            Post::L2 => &["L2岗", "L2", "停车场礼宾", "停车场"],
            Post::Y1 => &["Y1岗", "Y1", "大门迎宾", "迎宾"],
            Post::Y2 => &["Y2岗", "Y2", "巡场礼宾"],
            Post::G1 => &["大客户管家", "大管家", "管家", "G1岗", "G1"],
            Post::S1 => &["水吧服务员", "水吧", "S1岗", "S1"],
            Post::Ops => &["操作间", "OPS"],
            Post::Rc => &["接待中心", "销售中心", "展示中心", "RC"],
            Post::Sup => &["巡场主管", "值班经理", "主管", "SUP"],
            Post::Lobby => &["大堂接待员", "大堂岗", "大堂", "LOBBY"],
            Post::ModelHouse => &["样板房接待员", "样板房接待岗", "样板房", "MODEL"],
            Post::Shuttle => &["电瓶车接待员", "电瓶车", "SHUTTLE"],
        }
    }

    /// Looks a post up by its code (case-insensitive).
    pub fn from_code(code: &str) -> Option<Post> {
        Post::ALL
            .into_iter()
            .find(|p| p.code().eq_ignore_ascii_case(code))
    }
}

impl fmt::Display for Post {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A client manager's name: the person holding the role `X` (大客户经理). Many managers are on
/// shift at once, each with their own tablet and channel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ManagerName(String);

impl ManagerName {
    /// Accepts a person's name: 1 to [`MAX_NAME_CHARS`] letters (Chinese or Latin), no digits,
    /// punctuation or spaces, so that it can never be confused with the words around it.
    pub fn new(name: &str) -> Result<ManagerName, NameError> {
        let name = name.trim();
        let chars = name.chars().count();
        if chars == 0 {
            return Err(NameError::Empty);
        }
        if chars > MAX_NAME_CHARS {
            return Err(NameError::TooLong {
                max: MAX_NAME_CHARS,
            });
        }
        if let Some(c) = name.chars().find(|c| !c.is_alphabetic() && *c != '·') {
            return Err(NameError::BadChar(c));
        }
        // Chinese characters, or plain Latin letters: full-width Latin (Ｚｈａｎｇ), Cyrillic or
        // Greek look-alikes (Zhаng with a Cyrillic а) would make a second manager who looks the
        // same as the first on every screen.
        let plain =
            |c: char| crate::visitor::surname::is_han(c) || c.is_ascii_alphabetic() || c == '·';
        if let Some(c) = name.chars().find(|c| !plain(*c)) {
            return Err(NameError::LookAlike(c));
        }
        Ok(ManagerName(name.to_owned()))
    }

    /// A name as said on the radio: a [`ManagerName`] that is also plainly a person's name — up
    /// to [`MAX_SPOKEN_HAN_NAME`] Chinese characters (more only with ·), or a Latin name — so
    /// that the words after a name said without a comma are not taken for part of it.
    pub fn spoken(name: &str) -> Result<ManagerName, NameError> {
        let m = ManagerName::new(name)?;
        // A name holding the radio's own words would be read back as those words: 「我是欧阳娜呼叫」
        // said as a name is a caller and a call, not a person.
        if let Some(word) = RADIO_WORDS.into_iter().find(|w| m.0.contains(w)) {
            return Err(NameError::RadioWord {
                name: m.0.chars().take(24).collect(),
                word,
            });
        }
        // The separator · stands between two parts of a name (阿卜杜·热合曼), never at an end or
        // twice in a row.
        if m.0.starts_with('·') || m.0.ends_with('·') || m.0.contains("··") {
            return Err(NameError::NotAName(m.0.chars().take(24).collect()));
        }
        let han =
            m.0.chars()
                .filter(|c| crate::visitor::surname::is_han(*c))
                .count();
        let mixed = han > 0 && han != m.0.chars().filter(|c| *c != '·').count();
        if mixed || (han > MAX_SPOKEN_HAN_NAME && !m.0.contains('·')) {
            return Err(NameError::NotAName(m.0.chars().take(24).collect()));
        }
        Ok(m)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the name, as said, is a surname alone (李, 欧阳) rather than a full name: such a
    /// name must be resolved against the managers on duty.
    pub fn is_surname_only(&self) -> bool {
        crate::visitor::surname::is_surname_only(&self.0)
    }
}

impl Serialize for ManagerName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ManagerName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ManagerName, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ManagerName::new(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for ManagerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a manager's name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Give the manager's name after 大客户经理.
    #[error("the manager's name is empty")]
    Empty,
    /// Use the person's name only.
    #[error("a manager's name has at most {max} characters")]
    TooLong { max: usize },
    /// Write the name in Chinese characters, or in plain (half-width) Latin letters.
    #[error(
        "a manager's name is written in Chinese characters or plain Latin letters; {0:?} (U+{code:04X}) looks like one but is not",
        code = *.0 as u32
    )]
    LookAlike(char),
    /// Names are letters only.
    #[error("a manager's name is letters only, not {0:?}")]
    BadChar(char),
    /// Give the manager's name alone, without the radio's words around it.
    #[error(
        "{name:?} holds {word:?}, one of the radio's own words, so it would not be heard as a name: a manager's name is the person's name alone (「呼叫大客户经理张伟，…」: 张伟)"
    )]
    RadioWord { name: String, word: &'static str },
    /// Said on the radio, a name is a person's name: up to four Chinese characters (more only
    /// with the separator ·), or a Latin name — not the start of the sentence that follows it.
    #[error(
        "{0:?} is not a person's name; put a comma after the manager's name (「呼叫大客户经理张伟，…」)"
    )]
    NotAName(String),
}

/// Anyone on the net who can call or be called: a fixed post, or a named client manager.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Station {
    Post(Post),
    Manager(ManagerName),
}

impl Station {
    /// A client manager's station, e.g. `Station::manager("张伟")`.
    pub fn manager(name: &str) -> Result<Station, NameError> {
        ManagerName::new(name).map(Station::Manager)
    }

    /// The post this station is, or `None` for a client manager.
    pub fn post(&self) -> Option<Post> {
        match self {
            Station::Post(p) => Some(*p),
            Station::Manager(_) => None,
        }
    }

    pub fn is_manager(&self) -> bool {
        matches!(self, Station::Manager(_))
    }

    /// The manager's name, for a client manager's station.
    pub fn manager_name(&self) -> Option<&ManagerName> {
        match self {
            Station::Manager(n) => Some(n),
            Station::Post(_) => None,
        }
    }

    pub fn is_supervisor(&self) -> bool {
        matches!(self, Station::Post(Post::Sup))
    }

    /// How the station is said on the radio: 「水吧」, 「大客户经理张伟」.
    pub fn radio_name(&self) -> String {
        match self {
            Station::Post(p) => p.radio_name().to_owned(),
            Station::Manager(n) => format!("{MANAGER_RADIO_WORD}{n}"),
        }
    }
}

impl From<Post> for Station {
    fn from(p: Post) -> Station {
        Station::Post(p)
    }
}

impl fmt::Display for Station {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Station::Post(p) => f.write_str(p.code()),
            Station::Manager(n) => write!(f, "X:{n}"),
        }
    }
}

/// Why a station code could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StationError {
    /// Use one of the codes of the roster, or `X:<name>` for a client manager.
    #[error(
        "{0:?} is not a post code; use L1 L2 Y1 Y2 G1 S1 OPS RC SUP LOBBY MODEL SHUTTLE, or X:<name> for a client manager"
    )]
    UnknownCode(String),
    #[error("bad client manager name: {0}")]
    BadName(#[from] NameError),
}

impl FromStr for Station {
    type Err = StationError;
    fn from_str(s: &str) -> Result<Station, StationError> {
        let s = s.trim();
        if let Some(name) = s.strip_prefix("X:").or_else(|| s.strip_prefix("x:")) {
            return Ok(Station::manager(name)?);
        }
        Post::from_code(s)
            .map(Station::Post)
            .ok_or_else(|| StationError::UnknownCode(s.chars().take(32).collect()))
    }
}

impl Serialize for Station {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Station {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Station, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What a client manager is called on the radio, before the name: 「大客户经理张伟」.
pub const MANAGER_RADIO_WORD: &str = MANAGER_WORDS[0];

/// Whom a call is for: one station, or every post on the site (the gate's arrival broadcast).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// 各岗位 — the whole site.
    All,
    Station(Station),
}

impl Target {
    pub fn station(&self) -> Option<&Station> {
        match self {
            Target::All => None,
            Target::Station(s) => Some(s),
        }
    }

    /// How the target is called on the radio: 「呼叫各岗位」, 「呼叫大客户管家」.
    pub fn radio_name(&self) -> String {
        match self {
            Target::All => "各岗位".to_owned(),
            Target::Station(s) => s.radio_name(),
        }
    }
}

impl From<Station> for Target {
    fn from(s: Station) -> Target {
        Target::Station(s)
    }
}

impl From<Post> for Target {
    fn from(p: Post) -> Target {
        Target::Station(Station::Post(p))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::All => f.write_str("ALL"),
            Target::Station(s) => s.fmt(f),
        }
    }
}

impl FromStr for Target {
    type Err = StationError;
    fn from_str(s: &str) -> Result<Target, StationError> {
        if s.trim().eq_ignore_ascii_case("ALL") {
            Ok(Target::All)
        } else {
            s.parse().map(Target::Station)
        }
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn look_alike_names_are_refused_so_no_second_manager_looks_like_the_first() {
        assert!(ManagerName::new("张伟").is_ok());
        assert!(ManagerName::new("Zhang").is_ok());
        assert!(ManagerName::new("阿卜杜·热合曼").is_ok());
        for fake in ["Ｚhang", "Zhаng", "Ζhang", "张伟ａ"] {
            assert!(
                matches!(ManagerName::new(fake), Err(NameError::LookAlike(_))),
                "{fake}"
            );
        }
    }

    use super::*;

    #[test]
    fn station_codes_round_trip() {
        for p in Post::ALL {
            let s = Station::Post(p);
            assert_eq!(s.to_string().parse::<Station>().unwrap(), s);
        }
        let x = Station::manager("张伟").unwrap();
        assert_eq!(x.to_string(), "X:张伟");
        assert_eq!("X:张伟".parse::<Station>().unwrap(), x);
        assert_eq!("all".parse::<Target>().unwrap(), Target::All);
    }

    #[test]
    fn bad_codes_and_names_are_refused() {
        assert!("L9".parse::<Station>().is_err());
        assert!("X:".parse::<Station>().is_err());
        assert!("X:张伟3".parse::<Station>().is_err());
        assert!(Station::manager(&"王".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
