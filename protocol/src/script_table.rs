//! The script table as data, for a client that says a call's sentence itself. An event that
//! places a call carries the typed call only (no field twice on the wire or in the log); every
//! client renders its standard sentence from it: the Rust clients with [`Call::render`], the
//! pages with this table (`/assets/lib/script_table.js`, rendered by `lib/sentence.js`). The
//! integration tests hold the pages' sentences to [`Call::render`]'s, word for word.
//!
//! The table is [`Call::render`] taken apart: for each form of the script, its standard matter
//! already filled for every set of fields a call of it may carry (`{slot}` where the field's
//! words go), how the call around the matter is said, and the names of the posts.
//!
//! [`Call::render`]: crate::Call::render

use std::collections::BTreeMap;

use serde::Serialize;

use crate::call::sole_caller;
use crate::post::{Post, Target};
use crate::script::{self, Frame};
use crate::visitor::Title;

/// Everything a client needs to render a call's standard sentence.
#[derive(Clone, Debug, Serialize)]
pub struct ScriptTable {
    /// Each form of the script by name (an intent's `kind`, with a suffix where one intent has
    /// several forms: `arrival_broadcast.walk_in`, `assign.stand_in`, `shuttle.next_run`).
    pub forms: BTreeMap<&'static str, Form>,
    /// Each post's radio name by its code (`S1` → 水吧).
    pub posts: BTreeMap<&'static str, &'static str>,
    /// A client manager is called this, then the name (大客户经理张伟).
    pub manager: &'static str,
    /// The site-wide target (各岗位).
    pub all: String,
    /// The word after a visitor's surname, by title (`mr` → 先生).
    pub titles: BTreeMap<&'static str, &'static str>,
    /// The post that alone makes a kind of call, where one does (the taxi report: L1). A form
    /// that addresses a manager by name leaves its caller unsaid when the caller is this post.
    pub sole_callers: BTreeMap<&'static str, &'static str>,
}

/// One form of the script.
#[derive(Clone, Debug, Serialize)]
pub struct Form {
    /// The slots the matter may have, in the order the pattern has them.
    pub slots: Vec<&'static str>,
    /// The matter, by the slots that have values (joined with `,`, in `slots`' order): the words
    /// with `{slot}` where each value goes. A set that is missing here cannot be said.
    pub matter: BTreeMap<String, String>,
    /// The words that close the call (收到请回答), or "" for a report.
    pub closing: &'static str,
    /// The call addresses a client manager by name (「张伟经理，…」) rather than hailing it.
    pub address: bool,
    /// The word the caller uses for itself in this form, by the post it belongs to.
    pub caller_words: BTreeMap<&'static str, &'static str>,
    /// The word for the target in this form, by the post it belongs to.
    pub target_words: BTreeMap<&'static str, &'static str>,
}

/// The table, made from the script itself.
pub fn table() -> ScriptTable {
    let forms = script::standard_lines()
        .map(|(line, pattern)| {
            let slots = pattern.slots();
            let matter = (0..1u32 << slots.len())
                .filter_map(|set| {
                    let have: Vec<&'static str> = (0..slots.len())
                        .filter(|i| set & (1 << i) != 0)
                        .map(|i| slots[i])
                        .collect();
                    let marks: Vec<String> = have.iter().map(|s| format!("{{{s}}}")).collect();
                    let values: Vec<(&str, &str)> = have
                        .iter()
                        .zip(&marks)
                        .map(|(s, m)| (*s, m.as_str()))
                        .collect();
                    pattern.fill(&values).map(|words| (have.join(","), words))
                })
                .collect();
            let form = Form {
                slots,
                matter,
                closing: line.closing.words(),
                address: line.frame == Frame::Address,
                caller_words: words_by_post(line.caller_word),
                target_words: words_by_post(line.target_word),
            };
            (line.form, form)
        })
        .collect();
    ScriptTable {
        forms,
        posts: Post::ALL
            .into_iter()
            .map(|p| (p.code(), p.radio_name()))
            .collect(),
        manager: crate::post::MANAGER_RADIO_WORD,
        all: Target::All.radio_name(),
        titles: Title::ALL
            .into_iter()
            .map(|t| (t.code(), t.word()))
            .collect(),
        sole_callers: crate::catalogue::samples()
            .iter()
            .filter_map(|i| Some((i.kind(), sole_caller(i)?.post()?.code())))
            .collect(),
    }
}

/// The posts a form's word for a station belongs to (those that answer to it on the radio).
fn words_by_post(word: Option<&'static str>) -> BTreeMap<&'static str, &'static str> {
    word.into_iter()
        .flat_map(|w| {
            Post::ALL
                .into_iter()
                .filter(move |p| p.aliases().contains(&w))
                .map(move |p| (p.code(), w))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_can_be_said_with_all_its_fields() {
        let t = table();
        assert!(t.forms.len() > 25, "{} forms", t.forms.len());
        for (name, form) in &t.forms {
            assert!(
                form.matter.contains_key(&form.slots.join(",")),
                "{name}: {:?}",
                form.matter
            );
        }
        let drinks = &t.forms["drinks"];
        assert_eq!(drinks.matter["drink,room"], "请送{drink}至VIP{room}室");
        assert_eq!(drinks.matter["drink"], "请送{drink}至接待区");
        assert_eq!(t.forms["vip_ready"].caller_words["G1"], "管家");
        assert_eq!(t.sole_callers["taxi_arrived"], "L1");
        assert!(t.forms["taxi_arrived"].address);
    }
}
