//! The script table: every form of every scripted call as data — its standard words, the variants
//! people also say, how the call closes, how it is framed, and whose words it is (the seed's or
//! the project's own). Rendering and parsing both read this one table, so the sentence a tablet
//! shows is always one the parser reads back, and adding a variant people say is one line here.
//!
//! The patterns are written in the notation of `template`: `{slot}` for a field, `,` for a comma
//! a speaker may drop, `^` for one a speaker may add, `(a|b)` for alternatives (the first that
//! fits is the standard one), `<name>` for a fragment of [`FRAGMENTS`]. A line's `standard`
//! pattern renders; its `variants` are other word orders people also use.

use std::sync::OnceLock;

use crate::intent::plate;
use crate::intent::{FieldError, Intent};
use crate::numeral;
use crate::rota::Turn;
use crate::template::{Captures, Pattern};
use crate::visitor::Visitor;

/// How a call ends on the radio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// 收到请回答
    Answer,
    /// 收到请回话
    Reply,
    /// 谢谢 (the taxi request, as the script has it)
    Thanks,
    /// Nothing: a report that needs no answer.
    None,
}

impl Closing {
    pub fn words(self) -> &'static str {
        match self {
            Closing::Answer => "收到请回答",
            Closing::Reply => "收到请回话",
            Closing::Thanks => "谢谢",
            Closing::None => "",
        }
    }

    /// Whether the call asks the target to answer, so that leaving the closing out is a fault.
    pub fn asks_answer(self) -> bool {
        matches!(self, Closing::Answer | Closing::Reply)
    }
}

/// How the call around the matter is said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Rule 1 of the discipline: 「我是{caller}，呼叫{target}，{matter}，{closing}。」
    Hail,
    /// The seed's taxi report, the gate addressing the manager by name: 「{x}经理，{matter}。」
    /// The caller is the one post that makes the call; anyone else standing in (the supervisor)
    /// names itself first: 「我是巡场主管，{x}经理，{matter}。」
    Address,
}

/// Whose words a form is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The seed's script gives these words (seed 000 §(三), or its flow description).
    Seed,
    /// The project's own words, where the seed describes the call but gives no wording, or has
    /// no such call at all. PROTOCOL.md's catalogue says which and why.
    Project,
}

/// One form of a scripted call.
pub struct Line {
    /// The form's name, stable: the intent's kind, with a suffix where one intent has several
    /// forms (`arrival_broadcast.walk_in`, `assign.stand_in`).
    pub form: &'static str,
    pub origin: Origin,
    /// The standard words; rendering uses the first alternative of each group that fits.
    pub standard: &'static str,
    /// Other word orders people also say; read, never rendered.
    pub variants: &'static [&'static str],
    pub closing: Closing,
    pub frame: Frame,
    /// The word the caller uses for itself here, when not its usual radio name.
    pub caller_word: Option<&'static str>,
    /// The word used for the target here, when not its usual radio name.
    pub target_word: Option<&'static str>,
    build: fn(&Captures) -> Result<Intent, FieldError>,
}

const fn line(
    form: &'static str,
    origin: Origin,
    standard: &'static str,
    closing: Closing,
    build: fn(&Captures) -> Result<Intent, FieldError>,
) -> Line {
    Line {
        form,
        origin,
        standard,
        variants: &[],
        closing,
        frame: Frame::Hail,
        caller_word: None,
        target_word: None,
        build,
    }
}

use Closing::{Answer, Reply, Thanks};
use Origin::{Project, Seed};

/// Groups many lines share. Each lists the standard word first.
pub const FRAGMENTS: &[(&str, &str)] = &[
    // Words before a visitor that carry no meaning for the call, said or not (standard: none).
    // Where 预约客户 or 老客户 does carry meaning (the broadcast, the assignments), the line
    // says it in its own words instead.
    ("client", "(|预约客户|非预约客户|老客户|新客户|客户|贵宾)"),
    // A party counted in people or in places.
    ("人", "(人|位|名|位客人)"),
    // A VIP room, as the script names it without 室 (VIP3) …
    (
        "vip",
        "(VIP{room}|VIP{room}室|VIP{room}房|{room}号VIP室|{room}号VIP|{room}号贵宾室|贵宾{room}室)",
    ),
    // … and with it (VIP3室).
    (
        "vip室",
        "(VIP{room}室|VIP{room}|VIP{room}房|{room}号VIP室|{room}号VIP|{room}号贵宾室|贵宾{room}室)",
    ),
    ("接待准备", "(请做好接待准备|请准备接待|做好接待准备)"),
    (
        "各岗位接待",
        "(请各岗位做好接待工作|请各岗位做好接待准备|请各岗位做好准备|请做好接待工作|请做好接待准备)",
    ),
    // The gate's description of the visitors, labelled or plain, or none.
    (
        "体貌特征",
        "(,(体貌特征:|体貌特征是|体貌特征|外貌特征:|外貌特征|特征:|特征是){desc}|,{desc}|)",
    ),
    (
        "车牌",
        "(车牌号|车牌号码是|车牌号码:|车牌号码|车牌号是|车牌号:|车牌是|车牌:|车牌)",
    ),
];

/// Every form the parser knows, in the order it tries them.
static LINES: &[Line] = &[
    line("hail", Seed, "", Answer, |_| Ok(Intent::Hail)),
    Line {
        target_word: Some("销售中心"),
        variants: &[
            "(目前|现在|)有(一组|一批|)(客户|客人|访客)(要|想|)(来|)参观^(现在|请问|)(是否能接待|能否接待|能不能接待|是否可以接待|可以接待吗|能接待吗)",
        ],
        ..line(
            "walk_in_query",
            Seed,
            "目前有一组客户要来参观,现在是否能接待",
            Answer,
            |_| Ok(Intent::WalkInQuery),
        )
    },
    line(
        "heading_in",
        Seed,
        "<client>{who}一行{n}<人>(已前往|已经前往|正前往|前往)(展示中心|销售中心|接待中心)",
        Answer,
        |c| {
            Ok(Intent::HeadingIn {
                visitor: who(c)?,
                party: party(c)?,
            })
        },
    ),
    Line {
        variants: &["<client>{who}一行{n}<人>(已经抵达|已抵达|已经到达|已到达)"],
        ..line(
            "appointment_arrived",
            Seed,
            "<client>{who}一行{n}<人>(已经抵达|已抵达|已经到达|已到达),<接待准备>",
            Answer,
            |c| {
                Ok(Intent::AppointmentArrived {
                    visitor: who(c)?,
                    party: party(c)?,
                })
            },
        )
    },
    Line {
        variants: &["预约客户{who}一行{n}<人>(到访|已到访|来访),<各岗位接待><体貌特征>"],
        ..line(
            "arrival_broadcast",
            Seed,
            "预约客户{who}(到访|已到访|来访),共{n}<人>,<各岗位接待><体貌特征>",
            Answer,
            |c| broadcast(c, true),
        )
    },
    Line {
        variants: &[
            "(非预约客户|未预约客户){who}一行{n}<人>(到访|已到访|来访),<各岗位接待><体貌特征>",
        ],
        ..line(
            "arrival_broadcast.walk_in",
            Project,
            "(非预约客户|未预约客户){who}(到访|已到访|来访),共{n}<人>,<各岗位接待><体貌特征>",
            Answer,
            |c| broadcast(c, false),
        )
    },
    line(
        "vip_request",
        Seed,
        "<client>{who}(即将前往|要去|将前往|马上前往|准备前往|正前往)(VIP室|贵宾室)^<接待准备>",
        Reply,
        |c| Ok(Intent::VipRequest { visitor: who(c)? }),
    ),
    Line {
        caller_word: Some("管家"),
        ..line(
            "vip_ready",
            Seed,
            "<vip>^(已经做好接待准备|已做好接待准备|已经准备好|已准备好|准备好了)",
            Closing::None,
            |c| Ok(Intent::VipReady { room: room(c)? }),
        )
    },
    line(
        "vip_departing",
        Seed,
        "(VIP{room}室|VIP{room}房|{room}号VIP室|贵宾{room}室)<client>{who}(即将离场|准备离场|要离场)^(请做好准备|请做好送客准备)",
        Reply,
        |c| {
            Ok(Intent::VipDeparting {
                room: room(c)?,
                visitor: who(c)?,
            })
        },
    ),
    line(
        "drinks",
        Seed,
        "请(送|拿|上){drink}(至|到)(<vip室>|接待区|接待区域)",
        Answer,
        |c| {
            Ok(Intent::Drinks {
                drink: text(c, "drink")?,
                room: match c.opt("room") {
                    Some(_) => Some(room(c)?),
                    None => None,
                },
            })
        },
    ),
    line(
        "id_copy",
        Seed,
        "<vip>(需要|要)复印(身份证|一下身份证)",
        Reply,
        |c| Ok(Intent::IdCopy { room: room(c)? }),
    ),
    line(
        "documents",
        Seed,
        "请准备{copies}份{material}(资料|)(放至|放到|送至|送到)(前台处|前台)",
        Reply,
        |c| {
            Ok(Intent::Documents {
                copies: copies(c)?,
                material: text(c, "material")?,
            })
        },
    ),
    line(
        "restock",
        Seed,
        "请(将|把){items}(送至|送到)(水吧台|水吧)",
        Reply,
        |c| {
            Ok(Intent::Restock {
                items: text(c, "items")?,
            })
        },
    ),
    line(
        "clear_room",
        Seed,
        "<vip>(客人已离去|客人已经离开|客人已离开|客人已走)^(请前去打扫|请去打扫|请打扫|请前去收拾|请去收拾)",
        Reply,
        |c| Ok(Intent::ClearRoom { room: room(c)? }),
    ),
    line(
        "room_cleared",
        Project,
        "<vip>(已打扫完毕|已经打扫完毕|打扫完毕|已收拾好|已经收拾好),(可以接待|可以使用)",
        Answer,
        |c| Ok(Intent::RoomCleared { room: room(c)? }),
    ),
    line(
        "see_off",
        Seed,
        "<client>{who}(即将离场|准备离场|要离场|马上离场),(请做好送客准备|请准备送客)",
        Answer,
        |c| Ok(Intent::SeeOff { visitor: who(c)? }),
    ),
    line(
        "line_up",
        Project,
        "<client>{who}即将离场,请各岗位(到|至)入口礼宾岗(恭候送客|恭候)",
        Answer,
        |c| Ok(Intent::LineUp { visitor: who(c)? }),
    ),
    line(
        "taxi",
        Seed,
        "(请帮|帮|麻烦帮)<client>{who}叫(一辆|辆|个|一个)(出租车|的士)",
        Thanks,
        |c| Ok(Intent::Taxi { visitor: who(c)? }),
    ),
    Line {
        frame: Frame::Address,
        ..line(
            "taxi_arrived",
            Seed,
            "(您的客户|您的|<client>){who}(需要的|要的|叫的)(出租车|的士)(已经叫到|已叫到|叫到了|已经到了|到了)(,<车牌>{plate}|)",
            Closing::None,
            |c| {
                Ok(Intent::TaxiArrived {
                    visitor: who(c)?,
                    plate: match c.opt("plate") {
                        Some(_) => Some(plate(c)?),
                        None => None,
                    },
                })
            },
        )
    },
    line(
        "model_house_ready",
        Project,
        "{n}(位客人|位|人|名客人)(已乘电梯上楼|已经乘电梯上楼|已坐电梯上楼|已上楼),<接待准备>",
        Answer,
        |c| Ok(Intent::ModelHouseReady { party: party(c)? }),
    ),
    line(
        "guests_down",
        Project,
        "{n}(位客人|位|人|名客人)(已乘电梯下楼|已经乘电梯下楼|已坐电梯下楼|已下楼),<接待准备>",
        Answer,
        |c| Ok(Intent::GuestsDown { party: party(c)? }),
    ),
    line(
        "shuttle",
        Project,
        "大堂有{n}(位客人|位|人|名客人)需要(乘坐|坐)电瓶车,(请前来接送|请过来接送|请来接)",
        Answer,
        |c| {
            Ok(Intent::Shuttle {
                party: party(c)?,
                next_run: false,
            })
        },
    ),
    line(
        "shuttle.next_run",
        Project,
        "电瓶车已满,大堂还有{n}(位客人|位|人|名客人)(等候|在等)下一班车,请尽快安排",
        Answer,
        |c| {
            Ok(Intent::Shuttle {
                party: party(c)?,
                next_run: true,
            })
        },
    ),
    line(
        "assign.regular",
        Project,
        "(|客户|新客户|非预约客户){who}一行{n}<人>到访,轮到您接待",
        Answer,
        |c| assign(c, Turn::Regular),
    ),
    line(
        "assign.returning",
        Project,
        "老客户{who}一行{n}<人>再次来访,请您接待",
        Answer,
        |c| assign(c, Turn::Returning),
    ),
    line(
        "assign.stand_in",
        Project,
        "老客户{who}一行{n}<人>再次来访,原接待人员无法接待,请您代为接待",
        Answer,
        |c| assign(c, Turn::StandIn),
    ),
    line(
        "assign.requested",
        Project,
        "(|客户){who}一行{n}<人>指定您接待",
        Answer,
        |c| assign(c, Turn::Requested),
    ),
    line(
        "assign.non_sales",
        Project,
        "(|客户|访客){who}一行{n}<人>来访,非销售接待,请您接待",
        Answer,
        |c| assign(c, Turn::NonSales),
    ),
    line(
        "assign.appointment",
        Project,
        "预约客户{who}一行{n}<人>已到,请您接待",
        Answer,
        |c| assign(c, Turn::Appointment),
    ),
    line(
        "free",
        Project,
        "(【其他】|[其他]){text}",
        Answer,
        |c| {
            Ok(Intent::Free {
                text: text(c, "text")?,
            })
        },
    ),
];

/// Every form of the script, in the order the parser tries them.
pub fn lines() -> &'static [Line] {
    LINES
}

impl Line {
    /// How many ways of saying this form the table reads: every choice of alternatives, over the
    /// standard pattern and the variants.
    pub fn ways(&self) -> usize {
        LINES
            .iter()
            .position(|l| std::ptr::eq(l, self))
            .map_or(0, |i| compiled()[i].iter().map(Pattern::ways).sum())
    }
}

/// Every line with its standard pattern compiled, in the table's order.
pub(crate) fn standard_lines() -> impl Iterator<Item = (&'static Line, &'static Pattern)> {
    LINES.iter().zip(compiled().iter().map(|p| &p[0]))
}

/// Each line's patterns compiled: the standard one first, then the variants.
fn compiled() -> &'static [Vec<Pattern>] {
    static COMPILED: OnceLock<Vec<Vec<Pattern>>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        LINES
            .iter()
            .map(|l| {
                std::iter::once(l.standard)
                    .chain(l.variants.iter().copied())
                    .map(|p| {
                        Pattern::compile(p, FRAGMENTS).unwrap_or_else(|e| {
                            panic!("script line {} has a bad pattern: {}", l.form, e.0)
                        })
                    })
                    .collect()
            })
            .collect()
    })
}

/// The form an intent renders in, with the values for its slots.
fn standard(intent: &Intent) -> (&'static str, Vec<(&'static str, String)>) {
    let who = |v: &Visitor| ("who", v.to_string());
    let n = |n: &u16| ("n", n.to_string());
    match intent {
        Intent::Hail => ("hail", vec![]),
        Intent::WalkInQuery => ("walk_in_query", vec![]),
        Intent::HeadingIn { visitor, party } => ("heading_in", vec![who(visitor), n(party)]),
        Intent::AppointmentArrived { visitor, party } => {
            ("appointment_arrived", vec![who(visitor), n(party)])
        }
        Intent::ArrivalBroadcast {
            visitor,
            party,
            appointment,
            description,
        } => {
            let mut values = vec![who(visitor), n(party)];
            values.extend(description.iter().map(|d| ("desc", d.clone())));
            let form = if *appointment {
                "arrival_broadcast"
            } else {
                "arrival_broadcast.walk_in"
            };
            (form, values)
        }
        Intent::VipRequest { visitor } => ("vip_request", vec![who(visitor)]),
        Intent::VipReady { room } => ("vip_ready", vec![("room", room.to_string())]),
        Intent::VipDeparting { room, visitor } => (
            "vip_departing",
            vec![("room", room.to_string()), who(visitor)],
        ),
        Intent::Drinks { drink, room } => {
            let mut values = vec![("drink", drink.clone())];
            values.extend(room.iter().map(|k| ("room", k.to_string())));
            ("drinks", values)
        }
        Intent::IdCopy { room } => ("id_copy", vec![("room", room.to_string())]),
        Intent::Documents { copies, material } => (
            "documents",
            vec![
                ("copies", copies.to_string()),
                ("material", material.clone()),
            ],
        ),
        Intent::Restock { items } => ("restock", vec![("items", items.clone())]),
        Intent::ClearRoom { room } => ("clear_room", vec![("room", room.to_string())]),
        Intent::RoomCleared { room } => ("room_cleared", vec![("room", room.to_string())]),
        Intent::SeeOff { visitor } => ("see_off", vec![who(visitor)]),
        Intent::LineUp { visitor } => ("line_up", vec![who(visitor)]),
        Intent::Taxi { visitor } => ("taxi", vec![who(visitor)]),
        Intent::TaxiArrived { visitor, plate } => {
            let mut values = vec![who(visitor)];
            values.extend(plate.iter().map(|p| ("plate", p.clone())));
            ("taxi_arrived", values)
        }
        Intent::ModelHouseReady { party } => ("model_house_ready", vec![n(party)]),
        Intent::GuestsDown { party } => ("guests_down", vec![n(party)]),
        Intent::Shuttle { party, next_run } => (
            if *next_run {
                "shuttle.next_run"
            } else {
                "shuttle"
            },
            vec![n(party)],
        ),
        Intent::Assign {
            visitor,
            party,
            turn,
        } => (
            match turn {
                Turn::Regular => "assign.regular",
                Turn::Returning => "assign.returning",
                Turn::StandIn => "assign.stand_in",
                Turn::Requested => "assign.requested",
                Turn::NonSales => "assign.non_sales",
                Turn::Appointment => "assign.appointment",
            },
            vec![who(visitor), n(party)],
        ),
        Intent::Free { text } => ("free", vec![("text", text.clone())]),
    }
}

/// The standard line for an intent and its matter, filled in.
pub(crate) fn matter(intent: &Intent) -> (&'static Line, String) {
    let (form, values) = standard(intent);
    let i = LINES
        .iter()
        .position(|l| l.form == form)
        .expect("every intent's form is in the script table");
    let refs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let words = compiled()[i][0]
        .fill(&refs)
        .expect("a standard pattern fills with its intent's values");
    (&LINES[i], words)
}

/// A matter read against the script: the line, which of its patterns (0: the standard one, k: its
/// k-th variant), and the intent.
pub(crate) struct Read {
    pub(crate) line: &'static Line,
    pub(crate) pattern: usize,
    pub(crate) intent: Intent,
}

/// Reads a normalized matter against every line. `Ok(None)`: no line fits at all. `Err`: a line fits
/// the words, but a field in it is bad (the most useful thing to tell the speaker).
pub(crate) fn read(matter: &str) -> Result<Option<Read>, FieldError> {
    let mut first_error = None;
    for (line, patterns) in LINES.iter().zip(compiled()) {
        for (k, pattern) in patterns.iter().enumerate() {
            let mut found = None;
            pattern.matches(matter, &mut |caps| match (line.build)(caps) {
                Ok(intent) => {
                    found = Some(intent);
                    true
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                    false
                }
            });
            if let Some(intent) = found {
                return Ok(Some(Read {
                    line,
                    pattern: k,
                    intent,
                }));
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

fn who(c: &Captures) -> Result<Visitor, FieldError> {
    Ok(Visitor::parse(c.get("who"))?)
}

fn number(c: &Captures, slot: &'static str) -> Result<u32, FieldError> {
    let said = c.get(slot);
    numeral::parse(said).ok_or_else(|| FieldError::NotANumber {
        field: slot_field(slot),
        said: said.chars().take(24).collect(),
    })
}

fn party(c: &Captures) -> Result<u16, FieldError> {
    let n = number(c, "n")?;
    match u16::try_from(n) {
        Ok(n) if (1..=crate::intent::MAX_PARTY).contains(&n) => Ok(n),
        _ => Err(FieldError::Party(n)),
    }
}

fn copies(c: &Captures) -> Result<u16, FieldError> {
    let n = number(c, "copies")?;
    match u16::try_from(n) {
        Ok(n) if (1..=crate::intent::MAX_PARTY).contains(&n) => Ok(n),
        _ => Err(FieldError::Copies(n)),
    }
}

fn room(c: &Captures) -> Result<u8, FieldError> {
    let said = c.get("room");
    let said = said.strip_suffix('号').unwrap_or(said);
    let n = numeral::parse(said).ok_or_else(|| FieldError::NotANumber {
        field: "room",
        said: said.chars().take(24).collect(),
    })?;
    match u8::try_from(n) {
        Ok(k) if (1..=crate::intent::MAX_ROOM).contains(&k) => Ok(k),
        _ => Err(FieldError::Room(n)),
    }
}

fn plate(c: &Captures) -> Result<String, FieldError> {
    let p = plate::standard(c.get("plate"));
    if plate::is_plate(&p) {
        Ok(p)
    } else {
        Err(FieldError::Plate(c.get("plate").chars().take(24).collect()))
    }
}

fn text(c: &Captures, slot: &'static str) -> Result<String, FieldError> {
    let s = crate::normalize::text_field(c.get(slot).trim());
    crate::intent::text_ok(slot_field(slot), &s)?;
    if slot == "material" && s.ends_with("资料") {
        return Err(FieldError::Material(s.chars().take(24).collect()));
    }
    Ok(s)
}

fn broadcast(c: &Captures, appointment: bool) -> Result<Intent, FieldError> {
    Ok(Intent::ArrivalBroadcast {
        visitor: who(c)?,
        party: party(c)?,
        appointment,
        description: match c.opt("desc") {
            Some(_) => Some(text(c, "desc")?),
            None => None,
        },
    })
}

fn assign(c: &Captures, turn: Turn) -> Result<Intent, FieldError> {
    Ok(Intent::Assign {
        visitor: who(c)?,
        party: party(c)?,
        turn,
    })
}

/// The field a slot fills, as [`FieldError::field`] names it.
fn slot_field(slot: &'static str) -> &'static str {
    match slot {
        "n" => "party",
        "desc" => "description",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles_and_every_form_is_named_once() {
        let compiled = compiled();
        assert_eq!(compiled.len(), LINES.len());
        let mut forms: Vec<_> = LINES.iter().map(|l| l.form).collect();
        forms.sort_unstable();
        forms.dedup();
        assert_eq!(forms.len(), LINES.len(), "a form is named twice");
    }

    #[test]
    fn every_line_renders_its_own_standard_words() {
        // The standard words, filled in, read back with the same line's standard pattern.
        for (line, patterns) in LINES.iter().zip(compiled()) {
            let values = [
                ("who", "王先生"),
                ("n", "3"),
                ("room", "2"),
                ("drink", "咖啡"),
                ("copies", "2"),
                ("material", "户型"),
                ("items", "冰块"),
                ("desc", "黑色轿车"),
                ("plate", "粤B12345"),
                ("text", "东侧车位已满"),
            ];
            let words = patterns[0].fill(&values).unwrap();
            let norm = crate::normalize::sentence(&words);
            let got = read(&norm).unwrap().unwrap();
            assert_eq!(got.line.form, line.form, "{words}");
            assert_eq!(got.pattern, 0, "{words}");
        }
    }
}
