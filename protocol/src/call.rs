//! A call on the net: who calls, whom, and the typed intent — and its standard sentence.

use serde::{Deserialize, Serialize};

use crate::intent::{Answer, Intent, Role};
use crate::post::{Station, Target};
use crate::refusal::{Refusal, roles_text};
use crate::script::{self, Frame};

/// One radio call, typed. The hub stamps `caller` from the connection's identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub caller: Station,
    pub target: Target,
    pub intent: Intent,
}

/// What a person can say on the net: a call, or an answer to one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Utterance {
    Call(Call),
    Answer { answer: Answer },
}

impl Call {
    pub fn new(caller: impl Into<Station>, target: impl Into<Target>, intent: Intent) -> Call {
        Call {
            caller: caller.into(),
            target: target.into(),
            intent,
        }
    }

    /// Checks the call against the catalogue: fields within limits, the right target for the
    /// intent, and a caller whose post makes this call (the supervisor may make any call).
    pub fn check(&self) -> Result<(), Refusal> {
        self.intent.validate()?;
        let kind = self.intent.kind();
        let target = self.intent.target();
        if !target.admits_target(&self.target) {
            return Err(Refusal::WrongTarget {
                intent: kind,
                expected: target.radio_name(),
                said: self.target.radio_name(),
            });
        }
        let callers = self.intent.callers();
        if !self.caller.is_supervisor() && !callers.iter().any(|r| r.admits_station(&self.caller)) {
            return Err(Refusal::WrongCaller {
                intent: kind,
                allowed: roles_text(callers),
                said: self.caller.radio_name(),
            });
        }
        Ok(())
    }

    /// The standard sentence, exactly as the staff were trained to say it:
    /// 「我是{caller}，呼叫{target}，{matter}，收到请回答。」 — or, for the taxi report, the seed's
    /// own 「{x}经理，{matter}。」 (see [`Frame::Address`]).
    pub fn render(&self) -> String {
        let (line, matter) = script::matter(&self.intent);
        let caller = word_for(&self.caller, line.caller_word);
        let closing = line.closing.words();
        let addressed = self.target.station().and_then(Station::manager_name);
        let mut out = match (line.frame, addressed) {
            (Frame::Address, Some(x))
                if sole_caller(&self.intent).as_ref() == Some(&self.caller) =>
            {
                format!("{x}经理")
            }
            (Frame::Address, Some(x)) => format!("我是{caller}，{x}经理"),
            _ => {
                let target = match &self.target {
                    Target::All => self.target.radio_name(),
                    Target::Station(s) => word_for(s, line.target_word),
                };
                format!("我是{caller}，呼叫{target}")
            }
        };
        for part in [matter.as_str(), closing] {
            if !part.is_empty() {
                out.push('，');
                out.push_str(part);
            }
        }
        out.push('。');
        out
    }

    /// Reads a standard sentence back into a typed call (see [`crate::parse`]).
    pub fn parse(sentence: &str) -> Result<Utterance, Refusal> {
        crate::parse::utterance(sentence)
    }

    /// Whether this call closes on delivery (a report) rather than on an answer.
    pub fn is_report(&self) -> bool {
        self.intent.answers().is_empty()
    }
}

/// The caller of a call nobody names: the one post the catalogue has make it (the taxi report:
/// L1), if there is exactly one.
pub(crate) fn sole_caller(intent: &Intent) -> Option<Station> {
    match intent.callers() {
        [Role::Post(p)] => Some(Station::Post(*p)),
        _ => None,
    }
}

/// The target of a call that names none: the one post (or all posts) the catalogue has take it
/// (drinks: the water bar).
pub(crate) fn sole_target(intent: &Intent) -> Option<Target> {
    match intent.target() {
        Role::Post(p) => Some(Target::from(p)),
        Role::All => Some(Target::All),
        Role::AnyManager | Role::ManagerOrSupervisor | Role::Anyone => None,
    }
}

/// The word a line of the script uses for a station, if it is the post that word belongs to.
fn word_for(station: &Station, word: Option<&'static str>) -> String {
    match (station.post(), word) {
        (Some(p), Some(w)) if p.aliases().contains(&w) => w.to_owned(),
        _ => station.radio_name(),
    }
}
