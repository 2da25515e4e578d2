//! The little pattern language the script table is written in, used both ways: to fill in a
//! standard sentence, and to match a typed one.
//!
//! A pattern is literal text with `{slot}` holes. `,` is a comma the standard sentence has and a
//! speaker may leave out; `^` is a place where the standard sentence has no comma but a speaker may
//! put one. Matching runs on normalized text (see `normalize`), where every comma is `,`.

/// Slots whose text may itself contain commas (a visitor's description, free text). Every other
/// slot stops at a comma, which keeps matching unambiguous.
const COMMA_SLOTS: [&str; 2] = ["desc", "text"];

/// Fills `pattern`'s slots with `values` into the standard written form (full-width commas).
pub(crate) fn fill(pattern: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if c == '{' {
            let end = rest.find('}').expect("script patterns close their slots");
            let name = &rest[1..end];
            let value = values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .expect("every slot of a pattern has a value");
            out.push_str(value);
            rest = &rest[end + 1..];
            continue;
        }
        match c {
            ',' => out.push('，'),
            ':' => out.push('：'),
            '^' => {}
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The text each slot captured, in pattern order.
#[derive(Debug, Default)]
pub(crate) struct Captures<'a> {
    pub(crate) slots: Vec<(&'a str, &'a str)>,
}

impl<'a> Captures<'a> {
    pub(crate) fn get(&self, name: &str) -> &'a str {
        self.slots
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap_or("")
    }
}

/// Matches the whole of `text` against `pattern`. For each way the slots can be cut, calls
/// `accept`; stops at the first cut it accepts (returns true). Literal ASCII letters match
/// case-insensitively (vip3 = VIP3).
pub(crate) fn matches<'p, 't>(
    pattern: &'p str,
    text: &'t str,
    accept: &mut dyn FnMut(&Captures<'t>) -> bool,
) -> bool {
    let mut caps = Captures::default();
    walk(pattern, text, &mut caps, accept)
}

fn walk<'t>(
    pattern: &str,
    text: &'t str,
    caps: &mut Captures<'t>,
    accept: &mut dyn FnMut(&Captures<'t>) -> bool,
) -> bool {
    let Some(p) = pattern.chars().next() else {
        return text.is_empty() && accept(caps);
    };
    let p_rest = &pattern[p.len_utf8()..];
    match p {
        ',' | '^' => {
            if let Some(t_rest) = text.strip_prefix(',') {
                if walk(p_rest, t_rest, caps, accept) {
                    return true;
                }
            }
            walk(p_rest, text, caps, accept)
        }
        '{' => {
            let end = p_rest.find('}').expect("script patterns close their slots");
            let name = &p_rest[..end];
            let after = &p_rest[end + 1..];
            // Static names: the pattern table is 'static, but keep the lifetime local.
            let name: &'static str = slot_name(name);
            let commas_ok = COMMA_SLOTS.contains(&name);
            let next_literal = after.chars().find(|c| *c != ',' && *c != '^');
            for (i, c) in text.char_indices().skip(1).chain([(text.len(), '\0')]) {
                let slot = &text[..i];
                if !commas_ok && slot.contains(',') {
                    break;
                }
                // Only cut where the next literal could begin: keeps this linear in practice.
                if let Some(lit) = next_literal {
                    if i < text.len() && !same(c, lit) && c != ',' {
                        continue;
                    }
                }
                caps.slots.push((name, slot.trim_end_matches(',')));
                if !slot.ends_with(',') && walk(after, &text[i..], caps, accept) {
                    return true;
                }
                caps.slots.pop();
            }
            false
        }
        p => match text.chars().next() {
            Some(t) if same(t, p) => walk(p_rest, &text[t.len_utf8()..], caps, accept),
            _ => false,
        },
    }
}

fn same(a: char, b: char) -> bool {
    a == b || a.eq_ignore_ascii_case(&b)
}

/// Interns the slot names used by the script table, so captures can outlive the pattern borrow.
fn slot_name(name: &str) -> &'static str {
    const NAMES: [&str; 11] = [
        "who", "n", "room", "drink", "copies", "material", "items", "desc", "plate", "text", "name",
    ];
    NAMES
        .into_iter()
        .find(|n| *n == name)
        .expect("script patterns use known slot names")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(pattern: &str, text: &str) -> Option<Vec<(String, String)>> {
        let mut got = None;
        matches(pattern, text, &mut |c| {
            got = Some(
                c.slots
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            );
            true
        });
        got
    }

    #[test]
    fn optional_commas_both_ways() {
        let p = "{who}即将离场,请做好送客准备";
        assert!(cut(p, "王先生即将离场,请做好送客准备").is_some());
        assert!(cut(p, "王先生即将离场请做好送客准备").is_some());
        let p = "{who}即将前往VIP室^请做好接待准备";
        assert!(cut(p, "王先生即将前往VIP室请做好接待准备").is_some());
        assert!(cut(p, "王先生即将前往vip室,请做好接待准备").is_some());
        assert_eq!(
            fill(p, &[("who", "王先生")]),
            "王先生即将前往VIP室请做好接待准备"
        );
    }

    #[test]
    fn slots_split_on_literals() {
        let got = cut("请送{drink}至VIP{room}室", "请送两杯柠檬水至VIP3室").unwrap();
        assert_eq!(got[0].1, "两杯柠檬水");
        assert_eq!(got[1].1, "3");
        assert!(cut("请送{drink}至VIP{room}室", "请送至VIP3室").is_none());
    }
}
