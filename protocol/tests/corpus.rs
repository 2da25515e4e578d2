//! The corpus: hundreds of sentences as people say them on the net (`corpus/sentences.tsv`) — the
//! seeds' own, the systematic variants, the ones that lean on what the listener knows, and the
//! ones that must be refused — each with what it must read as. Every sentence is read with its
//! stated context; every mismatch is listed; a summary says which form of the script each
//! sentence was read in, and every form must be read at least once.

use std::collections::BTreeMap;

use protocol::parse::{Context, Reading, read_in};
use protocol::script;
use protocol::{Call, Intent, ManagerName, Station, Target, Utterance, Visitor};
use serde_json::{Map, Value};

const CORPUS: &str = include_str!("corpus/sentences.tsv");

/// One line of the corpus.
struct Entry<'a> {
    line: usize,
    source: &'a str,
    speaker: Option<Station>,
    hailed: Option<Target>,
    managers: Vec<ManagerName>,
    sentence: &'a str,
    expected: Expected,
}

#[derive(Debug, PartialEq)]
enum Expected {
    Call(Call),
    Answer(String),
    Refused { rule: String, field: Option<String> },
}

fn entries() -> Vec<Entry<'static>> {
    CORPUS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 6, "corpus line {}: six columns: {l}", i + 1);
            fn opt(s: &str) -> Option<&str> {
                Some(s.trim()).filter(|s| *s != "-")
            }
            Entry {
                line: i + 1,
                source: cols[0].trim(),
                speaker: opt(cols[1]).map(|s| s.parse().expect("speaker station code")),
                hailed: opt(cols[2]).map(|s| s.parse().expect("hailed target code")),
                managers: opt(cols[3])
                    .map(|s| {
                        s.split(',')
                            .map(|n| ManagerName::new(n).expect("a manager's name"))
                            .collect()
                    })
                    .unwrap_or_default(),
                sentence: cols[4],
                expected: expected(cols[5].trim())
                    .unwrap_or_else(|e| panic!("corpus line {}: {e}: {l}", i + 1)),
            }
        })
        .collect()
}

/// `CALLER > TARGET kind field=value …`, `answer WORD`, or `refused RULE [FIELD]`.
fn expected(s: &str) -> Result<Expected, String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        ["answer", a] => Ok(Expected::Answer((*a).to_owned())),
        ["refused", rule] => Ok(Expected::Refused {
            rule: (*rule).to_owned(),
            field: None,
        }),
        ["refused", rule, field] => Ok(Expected::Refused {
            rule: (*rule).to_owned(),
            field: Some((*field).to_owned()),
        }),
        [caller, ">", target, kind, fields @ ..] => {
            let mut intent = Map::new();
            intent.insert("kind".into(), Value::from(*kind));
            for f in fields {
                let (name, value) = f.split_once('=').ok_or("a field is name=value")?;
                let value = match name {
                    "visitor" => {
                        serde_json::to_value(Visitor::parse(value).map_err(|e| e.to_string())?)
                            .map_err(|e| e.to_string())?
                    }
                    "party" | "room" | "copies" => {
                        Value::from(value.parse::<u64>().map_err(|e| e.to_string())?)
                    }
                    "appointment" | "next_run" => {
                        Value::from(value.parse::<bool>().map_err(|e| e.to_string())?)
                    }
                    _ => Value::from(value),
                };
                intent.insert(name.into(), value);
            }
            let intent: Intent =
                serde_json::from_value(Value::Object(intent)).map_err(|e| e.to_string())?;
            Ok(Expected::Call(Call {
                caller: caller.parse().map_err(|e| format!("{e}"))?,
                target: target.parse().map_err(|e| format!("{e}"))?,
                intent,
            }))
        }
        _ => Err(format!("cannot read the expected result {s:?}")),
    }
}

fn got(reading: &Result<Reading, protocol::Refusal>) -> Expected {
    match reading {
        Ok(Reading {
            utterance: Utterance::Call(c),
            ..
        }) => Expected::Call(c.clone()),
        Ok(Reading {
            utterance: Utterance::Answer { answer },
            ..
        }) => Expected::Answer(
            serde_json::to_value(answer)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        ),
        Err(r) => Expected::Refused {
            rule: r.rule().to_owned(),
            field: r.field().map(str::to_owned),
        },
    }
}

#[test]
fn every_sentence_of_the_corpus_reads_as_expected() {
    let entries = entries();
    let mut mismatches = Vec::new();
    let mut per_form: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut per_source: BTreeMap<&str, usize> = BTreeMap::new();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    let mut answers = 0;
    for e in &entries {
        let cx = Context {
            speaker: e.speaker.as_ref(),
            hailed: e.hailed.as_ref(),
            managers: &e.managers,
        };
        let reading = read_in(e.sentence, &cx);
        let got = got(&reading);
        *per_source.entry(e.source).or_default() += 1;
        match &reading {
            Ok(Reading {
                form: Some(form),
                pattern,
                ..
            }) => {
                let counts = per_form.entry(form).or_default();
                if *pattern == 0 {
                    counts.0 += 1;
                } else {
                    counts.1 += 1;
                }
            }
            Ok(_) => answers += 1,
            Err(r) => *refused.entry(r.rule().to_owned()).or_default() += 1,
        }
        if got != e.expected {
            mismatches.push(format!(
                "line {} [{}] {:?}\n    expected {:?}\n    got      {:?}{}",
                e.line,
                e.source,
                e.sentence,
                e.expected,
                got,
                match &reading {
                    Err(r) => format!("\n    ({r})"),
                    Ok(_) => String::new(),
                }
            ));
        }
    }

    println!("corpus: {} sentences", entries.len());
    for (source, n) in &per_source {
        println!("  {source:<10} {n:>4}");
    }
    println!("read per form (standard pattern + variants; ways = what the table reads):");
    for line in script::lines() {
        let (std, var) = per_form.get(line.form).copied().unwrap_or_default();
        println!(
            "  {:<26} {:>4} = {:>3} + {:>3}   ways {:>5}  {:?}",
            line.form,
            std + var,
            std,
            var,
            line.ways(),
            line.origin
        );
    }
    println!("  {:<26} {answers:>4}", "(answers)");
    println!("refused per rule:");
    for (rule, n) in &refused {
        println!("  {rule:<26} {n:>4}");
    }

    let unread: Vec<&str> = script::lines()
        .iter()
        .map(|l| l.form)
        .filter(|f| !per_form.contains_key(f))
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} sentences read otherwise than expected:\n{}",
        mismatches.len(),
        entries.len(),
        mismatches.join("\n")
    );
    assert!(
        unread.is_empty(),
        "forms no sentence of the corpus reads: {unread:?}"
    );
    assert!(
        entries.len() >= 300,
        "the corpus has {} sentences",
        entries.len()
    );
}

#[test]
fn every_expected_call_is_a_call_the_catalogue_allows_and_renders_back() {
    // The corpus's expectations are themselves checked: each expected call passes the catalogue,
    // and its standard sentence reads back to it with no context at all.
    for e in entries() {
        if let Expected::Call(call) = &e.expected {
            assert_eq!(call.check(), Ok(()), "line {}", e.line);
            let words = call.render();
            assert_eq!(
                Call::parse(&words),
                Ok(Utterance::Call(call.clone())),
                "line {}: {words}",
                e.line
            );
        }
    }
}
