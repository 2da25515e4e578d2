//! The little pattern language the script table is written in, used both ways: to fill in a
//! standard sentence, and to match a typed one.
//!
//! A pattern is literal text with:
//! - `{slot}` — a hole for a field (`{who}`, `{n}`, `{room}` …);
//! - `,` — a comma the standard sentence has and a speaker may leave out;
//! - `^` — a place where the standard sentence has no comma but a speaker may put one;
//! - `:` — a colon (written `：`);
//! - `(a|b|c)` — alternatives: a speaker may say any of them. The standard sentence uses the first
//!   whose slots all have values, so `(|客户)` is an optional word the standard leaves out,
//!   `(资料|)` one it says, and `(,车牌号{plate}|)` a clause said only when the plate is known;
//! - `<name>` — a named fragment, a group shared by many lines (the script table defines them).
//!
//! Matching runs on normalized text (see `normalize`), where every comma is `,` and every colon
//! `:`. Alternatives are tried in the order written, depth first; the first way of cutting the
//! text that the caller accepts wins, so the data lists the likelier reading first.

/// Slots whose text may itself contain commas (a visitor's description, free text). Every other
/// slot stops at a comma, which keeps matching unambiguous.
const COMMA_SLOTS: [&str; 2] = ["desc", "text"];

/// One piece of a compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Lit(char),
    /// `,` — said as `，`, optional when matching.
    Comma,
    /// `^` — not said, but a comma is allowed here.
    Soft,
    Slot(&'static str),
    Alt(Vec<Vec<Node>>),
}

/// A piece of one expansion: a pattern without alternatives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flat {
    Lit(char),
    Comma,
    Soft,
    Slot(&'static str),
}

/// A pattern, compiled into a tree of alternatives.
#[derive(Debug)]
pub(crate) struct Pattern {
    tree: Vec<Node>,
    /// How many plain sequences (no alternatives) it can be said as.
    ways: usize,
}

/// Why a pattern of the script table is malformed (a bug in the table; tests compile every one).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PatternError(pub(crate) String);

/// The most plain sequences one pattern may stand for: a guard against a table that would make
/// every sentence slow to read (and a bound on the checks `compile` makes on each sequence).
const MAX_EXPANSIONS: usize = 20_000;

impl Pattern {
    /// Compiles `source`, resolving `<name>` against `fragments`.
    pub(crate) fn compile(
        source: &'static str,
        fragments: &[(&'static str, &'static str)],
    ) -> Result<Pattern, PatternError> {
        let mut p = Parser {
            rest: source,
            fragments,
            depth: 0,
        };
        let tree = p.seq()?;
        if !p.rest.is_empty() {
            return Err(PatternError(format!("unbalanced ')' in {source:?}")));
        }
        let expansions = expand(&tree);
        if expansions.len() > MAX_EXPANSIONS {
            return Err(PatternError(format!(
                "{source:?} expands to {} sequences (max {MAX_EXPANSIONS})",
                expansions.len()
            )));
        }
        for e in &expansions {
            let slots: Vec<_> = e.iter().filter(|f| matches!(f, Flat::Slot(_))).collect();
            let mut seen = Vec::new();
            for s in &slots {
                if seen.contains(s) {
                    return Err(PatternError(format!("{source:?} repeats slot {s:?}")));
                }
                seen.push(*s);
            }
            let meaningful: Vec<_> = e
                .iter()
                .filter(|f| !matches!(f, Flat::Comma | Flat::Soft))
                .collect();
            if meaningful
                .windows(2)
                .any(|w| matches!(w, [Flat::Slot(_), Flat::Slot(_)]))
            {
                return Err(PatternError(format!(
                    "{source:?} has two slots with no words between them"
                )));
            }
        }
        Ok(Pattern {
            ways: expansions.len(),
            tree,
        })
    }

    /// The slots the pattern has anywhere, each once, in the order written.
    pub(crate) fn slots(&self) -> Vec<&'static str> {
        fn walk(seq: &[Node], out: &mut Vec<&'static str>) {
            for node in seq {
                match node {
                    Node::Slot(name) if !out.contains(name) => out.push(name),
                    Node::Alt(alts) => alts.iter().for_each(|a| walk(a, out)),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.tree, &mut out);
        out
    }

    /// How many plain sequences (ways of saying it, alternatives chosen) the pattern stands for.
    pub(crate) fn ways(&self) -> usize {
        self.ways
    }

    /// Fills the slots with `values` into the standard written form (full-width commas), taking
    /// at each group the first alternative whose slots all have values. `None` if no way fits.
    pub(crate) fn fill(&self, values: &[(&str, &str)]) -> Option<String> {
        let mut out = String::with_capacity(64);
        fill_seq(&self.tree, values, &mut out).then_some(out)
    }

    /// Matches the whole of `text`. For each way the slots can be cut, calls `accept`; stops at
    /// the first cut it accepts (returns true). Literal ASCII letters match case-insensitively
    /// (vip3 = VIP3).
    pub(crate) fn matches<'t>(
        &self,
        text: &'t str,
        accept: &mut dyn FnMut(&Captures<'t>) -> bool,
    ) -> bool {
        let mut caps = Captures::default();
        walk(&self.tree, None, text, &mut caps, accept)
    }
}

struct Parser<'f> {
    rest: &'static str,
    fragments: &'f [(&'static str, &'static str)],
    depth: usize,
}

impl Parser<'_> {
    /// A sequence, up to the end, a `|` or a `)`.
    fn seq(&mut self) -> Result<Vec<Node>, PatternError> {
        let mut out = Vec::new();
        while let Some(c) = self.rest.chars().next() {
            match c {
                '|' | ')' => break,
                '(' => {
                    self.rest = &self.rest[1..];
                    let mut alts = vec![self.seq()?];
                    while let Some(r) = self.rest.strip_prefix('|') {
                        self.rest = r;
                        alts.push(self.seq()?);
                    }
                    self.rest = self
                        .rest
                        .strip_prefix(')')
                        .ok_or_else(|| PatternError("unclosed '('".into()))?;
                    out.push(Node::Alt(alts));
                }
                '{' => {
                    let end = self
                        .rest
                        .find('}')
                        .ok_or_else(|| PatternError("unclosed '{'".into()))?;
                    out.push(Node::Slot(&self.rest[1..end]));
                    self.rest = &self.rest[end + 1..];
                }
                '<' => {
                    let end = self
                        .rest
                        .find('>')
                        .ok_or_else(|| PatternError("unclosed '<'".into()))?;
                    let name = &self.rest[1..end];
                    self.rest = &self.rest[end + 1..];
                    let (_, body) = self
                        .fragments
                        .iter()
                        .find(|(n, _)| *n == name)
                        .ok_or_else(|| PatternError(format!("no fragment <{name}>")))?;
                    if self.depth > 8 {
                        return Err(PatternError(format!("fragment <{name}> nests too deep")));
                    }
                    let mut inner = Parser {
                        rest: body,
                        fragments: self.fragments,
                        depth: self.depth + 1,
                    };
                    let nodes = inner.seq()?;
                    if !inner.rest.is_empty() {
                        return Err(PatternError(format!("fragment <{name}> is unbalanced")));
                    }
                    out.extend(nodes);
                }
                ',' => {
                    self.rest = &self.rest[1..];
                    out.push(Node::Comma);
                }
                '^' => {
                    self.rest = &self.rest[1..];
                    out.push(Node::Soft);
                }
                c => {
                    self.rest = &self.rest[c.len_utf8()..];
                    out.push(Node::Lit(c));
                }
            }
        }
        Ok(out)
    }
}

/// Every plain sequence a tree can be said as, alternatives in the order written.
fn expand(seq: &[Node]) -> Vec<Vec<Flat>> {
    let mut outs: Vec<Vec<Flat>> = vec![Vec::new()];
    for node in seq {
        match node {
            Node::Lit(c) => outs.iter_mut().for_each(|o| o.push(Flat::Lit(*c))),
            Node::Comma => outs.iter_mut().for_each(|o| o.push(Flat::Comma)),
            Node::Soft => outs.iter_mut().for_each(|o| o.push(Flat::Soft)),
            Node::Slot(s) => outs.iter_mut().for_each(|o| o.push(Flat::Slot(s))),
            Node::Alt(alts) => {
                let tails: Vec<Vec<Flat>> = alts.iter().flat_map(|a| expand(a)).collect();
                outs = outs
                    .iter()
                    .flat_map(|o| {
                        tails.iter().map(move |t| {
                            let mut v = o.clone();
                            v.extend_from_slice(t);
                            v
                        })
                    })
                    .collect();
                if outs.len() > MAX_EXPANSIONS {
                    return outs;
                }
            }
        }
    }
    outs
}

fn fill_seq(seq: &[Node], values: &[(&str, &str)], out: &mut String) -> bool {
    for node in seq {
        match node {
            Node::Lit(':') => out.push('：'),
            Node::Lit(c) => out.push(*c),
            Node::Comma => out.push('，'),
            Node::Soft => {}
            Node::Slot(name) => match values.iter().find(|(n, _)| n == name) {
                Some((_, v)) => out.push_str(v),
                None => return false,
            },
            Node::Alt(alts) => {
                let mark = out.len();
                let filled = alts.iter().any(|a| {
                    out.truncate(mark);
                    fill_seq(a, values, out)
                });
                if !filled {
                    out.truncate(mark);
                    return false;
                }
            }
        }
    }
    true
}

/// The text each slot captured, in pattern order.
#[derive(Debug, Default)]
pub(crate) struct Captures<'a> {
    pub(crate) slots: Vec<(&'static str, &'a str)>,
}

impl<'a> Captures<'a> {
    /// The text of a slot the matched sequence has ("" when it has none).
    pub(crate) fn get(&self, name: &str) -> &'a str {
        self.opt(name).unwrap_or("")
    }

    /// The text of a slot, or `None` when the alternative said has no such slot.
    pub(crate) fn opt(&self, name: &str) -> Option<&'a str> {
        self.slots.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// What follows the nodes being matched: the rest of the enclosing sequences, innermost first.
struct Then<'a> {
    nodes: &'a [Node],
    next: Option<&'a Then<'a>>,
}

fn walk<'t>(
    nodes: &[Node],
    then: Option<&Then>,
    text: &'t str,
    caps: &mut Captures<'t>,
    accept: &mut dyn FnMut(&Captures<'t>) -> bool,
) -> bool {
    let Some((p, rest)) = nodes.split_first() else {
        return match then {
            Some(t) => walk(t.nodes, t.next, text, caps, accept),
            None => text.is_empty() && accept(caps),
        };
    };
    match p {
        Node::Comma | Node::Soft => {
            if let Some(t_rest) = text.strip_prefix(',') {
                if walk(rest, then, t_rest, caps, accept) {
                    return true;
                }
            }
            walk(rest, then, text, caps, accept)
        }
        Node::Alt(alts) => {
            let after = Then {
                nodes: rest,
                next: then,
            };
            alts.iter()
                .any(|a| walk(a, Some(&after), text, caps, accept))
        }
        Node::Slot(name) => {
            let commas_ok = COMMA_SLOTS.contains(name);
            for (i, c) in text.char_indices().skip(1).chain([(text.len(), '\0')]) {
                let slot = &text[..i];
                if !commas_ok && slot.contains(',') {
                    break;
                }
                // Only cut where what follows could begin: keeps this linear in practice.
                if slot.ends_with(',') || (i < text.len() && !could_start(c, rest, then)) {
                    continue;
                }
                caps.slots.push((name, slot));
                if walk(rest, then, &text[i..], caps, accept) {
                    return true;
                }
                caps.slots.pop();
            }
            false
        }
        Node::Lit(l) => match text.chars().next() {
            Some(t) if same(t, *l) => walk(rest, then, &text[t.len_utf8()..], caps, accept),
            _ => false,
        },
    }
}

/// Whether text starting with `c` could match what follows (true when unsure).
fn could_start(c: char, nodes: &[Node], then: Option<&Then>) -> bool {
    match nodes.split_first() {
        None => then.is_some_and(|t| could_start(c, t.nodes, t.next)),
        Some((Node::Lit(l), _)) => same(c, *l),
        Some((Node::Comma | Node::Soft, rest)) => c == ',' || could_start(c, rest, then),
        Some((Node::Slot(_), _)) => true,
        Some((Node::Alt(alts), rest)) => {
            let after = Then {
                nodes: rest,
                next: then,
            };
            alts.iter().any(|a| could_start(c, a, Some(&after)))
        }
    }
}

fn same(a: char, b: char) -> bool {
    a == b || a.eq_ignore_ascii_case(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAGMENTS: &[(&str, &str)] = &[("vip", "(VIP{room}|{room}号VIP室)")];

    fn compile(p: &'static str) -> Pattern {
        Pattern::compile(p, FRAGMENTS).unwrap()
    }

    fn cut(pattern: &'static str, text: &str) -> Option<Vec<(String, String)>> {
        let mut got = None;
        compile(pattern).matches(text, &mut |c| {
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
            compile(p).fill(&[("who", "王先生")]).unwrap(),
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

    #[test]
    fn alternatives_match_any_and_render_the_first_that_fits() {
        let p = "{who}一行{n}(人|位)(已经抵达|已抵达)";
        assert!(cut(p, "王先生一行3位已抵达").is_some());
        assert!(cut(p, "王先生一行3人已经抵达").is_some());
        assert!(cut(p, "王先生一行3个已抵达").is_none());
        assert_eq!(
            compile(p).fill(&[("who", "王先生"), ("n", "3")]).unwrap(),
            "王先生一行3人已经抵达"
        );
        // An optional clause is said only when its slot has a value.
        let p = "已经叫到(,车牌号(码|):{plate}|)";
        assert_eq!(compile(p).fill(&[]).unwrap(), "已经叫到");
        assert_eq!(
            compile(p).fill(&[("plate", "粤B12345")]).unwrap(),
            "已经叫到，车牌号码：粤B12345"
        );
        assert_eq!(cut(p, "已经叫到,车牌号:粤B1").unwrap()[0].1, "粤B1");
        assert_eq!(cut(p, "已经叫到").unwrap(), vec![]);
        // An optional word the standard leaves out comes first, empty.
        assert_eq!(
            compile("(|客户){who}").fill(&[("who", "王先生")]).unwrap(),
            "王先生"
        );
    }

    #[test]
    fn fragments_and_their_errors() {
        let got = cut("<vip>需要复印身份证", "2号VIP室需要复印身份证").unwrap();
        assert_eq!(got, vec![("room".to_string(), "2".to_string())]);
        assert!(Pattern::compile("<nope>", FRAGMENTS).is_err());
        assert!(Pattern::compile("(a|b", FRAGMENTS).is_err());
        assert!(Pattern::compile("a)b", FRAGMENTS).is_err());
        assert!(Pattern::compile("{a}{b}", FRAGMENTS).is_err());
        assert!(Pattern::compile("{a}x{a}", FRAGMENTS).is_err());
        assert_eq!(compile("a(b|c)(d|e|)").ways(), 6);
    }
}
