//! How the virtual staff say a call: mostly the standard sentence the script trained them on
//! ([`protocol::Call::render`]), and now and then one of the ways people really say it — the
//! corpus's variants (`protocol/tests/corpus/sentences.tsv`): 回话 for 回答, 一行三位 for 一行3人,
//! 置业顾问 for 大客户经理, 1号VIP室 for VIP1室, half-width commas, 「我是…」 left out. A variant is
//! only said if the protocol's own reader, knowing what the hub knows (the speaker, the managers
//! on duty), reads it back to the same call; otherwise the standard words are said.

use protocol::parse::{Context, utterance_in};
use protocol::{Call, ManagerName, Station, Utterance};

use crate::plan::cn;

/// One rewrite people make: what the standard words say, and what they say instead.
type Rewrite = fn(&str) -> Option<String>;

const REWRITES: [Rewrite; 12] = [
    |s| swap(s, "收到请回答", "收到请回话"),
    |s| swap(s, "收到请回答", "收到请回复"),
    |s| swap(s, "大客户经理", "置业顾问"),
    |s| swap(s, "大客户经理", "销售顾问"),
    |s| swap(s, "我是大客户管家", "我是管家"),
    |s| swap(s, "已经抵达，请做好接待准备", "已到达，请准备接待"),
    |s| {
        swap(
            s,
            "即将前往VIP室请做好接待准备",
            "要去VIP室，请做好接待准备",
        )
    },
    |s| swap(s, "即将离场请做好准备", "即将离场，请做好准备"),
    |s| Some(s.replace('，', ",")).filter(|t| t != s),
    people,
    room_first,
    without_i_am,
];

fn swap(s: &str, from: &str, to: &str) -> Option<String> {
    s.contains(from).then(|| s.replacen(from, to, 1))
}

/// 一行3人 → 一行三位.
fn people(s: &str) -> Option<String> {
    let i = s.find("一行")? + "一行".len();
    let rest = &s[i..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let n: u16 = digits.parse().ok()?;
    let after = &rest[digits.len()..];
    let after = after.strip_prefix('人')?;
    Some(format!("{}{}位{}", &s[..i], cn(n), after))
}

/// VIP2室 → 2号VIP室.
fn room_first(s: &str) -> Option<String> {
    let i = s.find("VIP")?;
    let rest = &s[i + 3..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || !rest[digits.len()..].starts_with('室') {
        return None;
    }
    Some(format!(
        "{}{}号VIP室{}",
        &s[..i],
        digits,
        &rest[digits.len() + '室'.len_utf8()..]
    ))
}

/// 「我是L1岗，呼叫…」 → 「L1岗，呼叫…」: the speaker named before 呼叫, as radios are spoken.
fn without_i_am(s: &str) -> Option<String> {
    s.strip_prefix("我是").map(str::to_owned)
}

/// What `speaker` says for `call`: the standard sentence, or — when `pick` (a number drawn from
/// the seed) falls under `share` — a variant the hub reads back as the same call.
pub fn say(
    call: &Call,
    speaker: &Station,
    managers: &[ManagerName],
    share: f64,
    pick: u64,
) -> String {
    let standard = call.render();
    let unit = (pick >> 11) as f64 / (1u64 << 53) as f64;
    if unit >= share {
        return standard;
    }
    // One or two rewrites, chosen by the draw, among those that apply to this sentence.
    let mut said = standard.clone();
    let mut applied = 0;
    for k in 0..REWRITES.len() {
        let i = (pick.rotate_left(7 * k as u32) as usize + k) % REWRITES.len();
        if (pick >> (k % 48)) & 1 == 0 {
            continue;
        }
        if let Some(v) = REWRITES[i](&said) {
            if reads_as(&v, call, speaker, managers) {
                said = v;
                applied += 1;
                if applied == 2 {
                    break;
                }
            }
        }
    }
    said
}

/// Whether the hub, hearing `said` from `speaker`, reads exactly `call`.
pub fn reads_as(said: &str, call: &Call, speaker: &Station, managers: &[ManagerName]) -> bool {
    let cx = Context {
        speaker: Some(speaker),
        hailed: None,
        managers,
    };
    matches!(utterance_in(said, &cx), Ok(Utterance::Call(c)) if c == *call)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Intent, Post, Target, Visitor};

    fn calls() -> Vec<Call> {
        let wang = Visitor::parse("王先生").unwrap();
        let x = Station::manager("张伟").unwrap();
        vec![
            Call::new(
                Post::L1,
                Post::Rc,
                Intent::AppointmentArrived {
                    visitor: wang.clone(),
                    party: 3,
                },
            ),
            Call::new(
                Post::L1,
                Post::Rc,
                Intent::HeadingIn {
                    visitor: wang.clone(),
                    party: 2,
                },
            ),
            Call::new(
                Post::L1,
                Target::All,
                Intent::ArrivalBroadcast {
                    visitor: wang.clone(),
                    party: 4,
                    appointment: false,
                    description: Some("白色SUV".into()),
                },
            ),
            Call::new(
                x.clone(),
                Post::G1,
                Intent::VipRequest {
                    visitor: wang.clone(),
                },
            ),
            Call::new(Post::G1, x.clone(), Intent::VipReady { room: 2 }),
            Call::new(
                x.clone(),
                Post::S1,
                Intent::Drinks {
                    drink: "两杯柠檬水".into(),
                    room: Some(2),
                },
            ),
            Call::new(
                x.clone(),
                Post::Rc,
                Intent::VipDeparting {
                    room: 2,
                    visitor: wang.clone(),
                },
            ),
            Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 2 }),
            Call::new(
                x.clone(),
                Post::L1,
                Intent::Taxi {
                    visitor: wang.clone(),
                },
            ),
            Call::new(
                Post::Rc,
                x,
                Intent::Assign {
                    visitor: wang,
                    party: 3,
                    turn: protocol::rota::Turn::Regular,
                },
            ),
        ]
    }

    #[test]
    fn every_sentence_said_reads_back_as_its_call() {
        let managers = [
            ManagerName::new("张伟").unwrap(),
            ManagerName::new("李娜").unwrap(),
        ];
        let mut variants = 0;
        for call in calls() {
            for pick in 0..200u64 {
                let pick = crate::rng::mix(pick);
                let said = say(&call, &call.caller, &managers, 1.0, pick);
                assert!(reads_as(&said, &call, &call.caller, &managers), "{said}");
                variants += usize::from(said != call.render());
            }
        }
        assert!(variants > 1000, "variants are said: {variants}");
    }

    #[test]
    fn the_standard_words_unless_the_draw_says_otherwise() {
        let call = &calls()[0];
        assert_eq!(say(call, &call.caller, &[], 0.0, 12345), call.render());
    }

    #[test]
    fn rewrites_do_what_they_say() {
        assert_eq!(
            people("王先生一行3人已经抵达").as_deref(),
            Some("王先生一行三位已经抵达")
        );
        assert_eq!(
            room_first("请送咖啡至VIP2室，收到").as_deref(),
            Some("请送咖啡至2号VIP室，收到")
        );
        assert_eq!(room_first("VIP2已经做好接待准备"), None);
    }
}
