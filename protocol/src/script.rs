//! The script table: for every intent, the trained words of its matter, how the call closes, and
//! the few places where the script names a post with another word (「呼叫销售中心」 for the walk-in
//! query, 「我是管家」 in the butler's room-ready report). Rendering and parsing both read this one
//! table, so the sentence a tablet shows is always one the parser reads back.

use crate::intent::{FieldError, Intent};
use crate::numeral;
use crate::rota::Turn;
use crate::template::{self, Captures};
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
}

/// One line of the script: the intent's matter as a pattern, and how the call around it is said.
pub(crate) struct Line {
    pub(crate) pattern: &'static str,
    pub(crate) closing: Closing,
    /// The word the caller uses for itself here, when not its usual radio name.
    pub(crate) caller_word: Option<&'static str>,
    /// The word used for the target here, when not its usual radio name.
    pub(crate) target_word: Option<&'static str>,
    build: fn(&Captures) -> Result<Intent, FieldError>,
}

const fn line(
    pattern: &'static str,
    closing: Closing,
    build: fn(&Captures) -> Result<Intent, FieldError>,
) -> Line {
    Line {
        pattern,
        closing,
        caller_word: None,
        target_word: None,
        build,
    }
}

use Closing::{Answer, Reply, Thanks};

/// Every pattern the parser knows. The first line for an intent (and variant) is the standard one
/// that rendering uses; later ones are tolerated forms people also say.
pub(crate) static LINES: &[Line] = &[
    line("", Answer, |_| Ok(Intent::Hail)),
    Line {
        target_word: Some("销售中心"),
        ..line(
            "目前有一组客户要来参观,现在是否能接待",
            Answer,
            |_| Ok(Intent::WalkInQuery),
        )
    },
    line(
        "有一组客户要来参观^是否能接待",
        Answer,
        |_| Ok(Intent::WalkInQuery),
    ),
    line("{who}一行{n}人已前往展示中心", Answer, |c| {
        Ok(Intent::HeadingIn {
            visitor: who(c)?,
            party: party(c, "n")?,
        })
    }),
    line(
        "{who}一行{n}人已经抵达,请做好接待准备",
        Answer,
        |c| {
            Ok(Intent::AppointmentArrived {
                visitor: who(c)?,
                party: party(c, "n")?,
            })
        },
    ),
    line(
        "{who}一行{n}人已抵达,请做好接待准备",
        Answer,
        |c| {
            Ok(Intent::AppointmentArrived {
                visitor: who(c)?,
                party: party(c, "n")?,
            })
        },
    ),
    line(
        "预约客户{who}到访,共{n}人,请各岗位做好接待工作",
        Answer,
        |c| broadcast(c, true, false),
    ),
    line(
        "预约客户{who}到访,共{n}人,请各岗位做好接待工作,体貌特征:{desc}",
        Answer,
        |c| broadcast(c, true, true),
    ),
    line(
        "非预约客户{who}到访,共{n}人,请各岗位做好接待工作",
        Answer,
        |c| broadcast(c, false, false),
    ),
    line(
        "非预约客户{who}到访,共{n}人,请各岗位做好接待工作,体貌特征:{desc}",
        Answer,
        |c| broadcast(c, false, true),
    ),
    line(
        "{who}即将前往VIP室^请做好接待准备",
        Reply,
        |c| Ok(Intent::VipRequest { visitor: who(c)? }),
    ),
    Line {
        caller_word: Some("管家"),
        ..line("VIP{room}已经做好接待准备", Closing::None, |c| {
            Ok(Intent::VipReady { room: room(c)? })
        })
    },
    line("VIP{room}室已经做好接待准备", Closing::None, |c| {
        Ok(Intent::VipReady { room: room(c)? })
    }),
    line(
        "VIP{room}室{who}即将离场^请做好准备",
        Reply,
        |c| {
            Ok(Intent::VipDeparting {
                room: room(c)?,
                visitor: who(c)?,
            })
        },
    ),
    line("请送{drink}至VIP{room}室", Answer, |c| {
        Ok(Intent::Drinks {
            drink: text(c, "drink")?,
            room: room(c)?,
        })
    }),
    line("请送{drink}到VIP{room}室", Answer, |c| {
        Ok(Intent::Drinks {
            drink: text(c, "drink")?,
            room: room(c)?,
        })
    }),
    line("VIP{room}需要复印身份证", Reply, |c| {
        Ok(Intent::IdCopy { room: room(c)? })
    }),
    line("VIP{room}室需要复印身份证", Reply, |c| {
        Ok(Intent::IdCopy { room: room(c)? })
    }),
    line(
        "请准备{copies}份{material}资料放至前台处",
        Reply,
        |c| {
            Ok(Intent::Documents {
                copies: party(c, "copies")?,
                material: text(c, "material")?,
            })
        },
    ),
    line("请将{items}送至水吧台", Reply, |c| {
        Ok(Intent::Restock {
            items: text(c, "items")?,
        })
    }),
    line("VIP{room}客人已离去^请前去打扫", Reply, |c| {
        Ok(Intent::ClearRoom { room: room(c)? })
    }),
    line("VIP{room}室客人已离去^请前去打扫", Reply, |c| {
        Ok(Intent::ClearRoom { room: room(c)? })
    }),
    line("VIP{room}已打扫完毕,可以接待", Answer, |c| {
        Ok(Intent::RoomCleared { room: room(c)? })
    }),
    line("{who}即将离场,请做好送客准备", Answer, |c| {
        Ok(Intent::SeeOff { visitor: who(c)? })
    }),
    line("请帮{who}叫一辆出租车", Thanks, |c| {
        Ok(Intent::Taxi { visitor: who(c)? })
    }),
    line(
        "您的客户{who}需要的出租车已经叫到",
        Closing::None,
        |c| {
            Ok(Intent::TaxiArrived {
                visitor: who(c)?,
                plate: None,
            })
        },
    ),
    line(
        "您的客户{who}需要的出租车已经叫到,车牌号{plate}",
        Closing::None,
        |c| {
            Ok(Intent::TaxiArrived {
                visitor: who(c)?,
                plate: Some(text(c, "plate")?),
            })
        },
    ),
    line(
        "{n}位客人已乘电梯上楼,请做好接待准备",
        Answer,
        |c| {
            Ok(Intent::ModelHouseReady {
                party: party(c, "n")?,
            })
        },
    ),
    line(
        "{n}位客人已乘电梯下楼,请做好接待准备",
        Answer,
        |c| {
            Ok(Intent::GuestsDown {
                party: party(c, "n")?,
            })
        },
    ),
    line(
        "大堂有{n}位客人需要乘坐电瓶车,请前来接送",
        Answer,
        |c| {
            Ok(Intent::Shuttle {
                party: party(c, "n")?,
                next_run: false,
            })
        },
    ),
    line(
        "电瓶车已满,大堂还有{n}位客人等候下一班车,请尽快安排",
        Answer,
        |c| {
            Ok(Intent::Shuttle {
                party: party(c, "n")?,
                next_run: true,
            })
        },
    ),
    line("{who}一行{n}人到访,轮到您接待", Answer, |c| {
        assign(c, Turn::Regular)
    }),
    line(
        "老客户{who}一行{n}人再次来访,请您接待",
        Answer,
        |c| assign(c, Turn::Returning),
    ),
    line(
        "老客户{who}一行{n}人再次来访,原接待人员无法接待,请您代为接待",
        Answer,
        |c| assign(c, Turn::StandIn),
    ),
    line("{who}一行{n}人指定您接待", Answer, |c| {
        assign(c, Turn::Requested)
    }),
    line(
        "{who}一行{n}人来访,非销售接待,请您接待",
        Answer,
        |c| assign(c, Turn::NonSales),
    ),
    line(
        "预约客户{who}一行{n}人已到,请您接待",
        Answer,
        |c| assign(c, Turn::Appointment),
    ),
    line("【其他】{text}", Answer, |c| {
        Ok(Intent::Free {
            text: text(c, "text")?,
        })
    }),
];

/// The standard line for an intent, with the values for its slots.
pub(crate) fn standard(intent: &Intent) -> (&'static Line, Vec<(&'static str, String)>) {
    let (pattern, values): (&str, Vec<(&'static str, String)>) = match intent {
        Intent::Hail => ("", vec![]),
        Intent::WalkInQuery => ("目前有一组客户要来参观,现在是否能接待", vec![]),
        Intent::HeadingIn { visitor, party } => (
            "{who}一行{n}人已前往展示中心",
            vec![("who", visitor.to_string()), ("n", party.to_string())],
        ),
        Intent::AppointmentArrived { visitor, party } => (
            "{who}一行{n}人已经抵达,请做好接待准备",
            vec![("who", visitor.to_string()), ("n", party.to_string())],
        ),
        Intent::ArrivalBroadcast {
            visitor,
            party,
            appointment,
            description,
        } => {
            let mut values = vec![("who", visitor.to_string()), ("n", party.to_string())];
            let pattern = match (appointment, description) {
                (true, None) => "预约客户{who}到访,共{n}人,请各岗位做好接待工作",
                (false, None) => "非预约客户{who}到访,共{n}人,请各岗位做好接待工作",
                (true, Some(d)) => {
                    values.push(("desc", d.clone()));
                    "预约客户{who}到访,共{n}人,请各岗位做好接待工作,体貌特征:{desc}"
                }
                (false, Some(d)) => {
                    values.push(("desc", d.clone()));
                    "非预约客户{who}到访,共{n}人,请各岗位做好接待工作,体貌特征:{desc}"
                }
            };
            (pattern, values)
        }
        Intent::VipRequest { visitor } => (
            "{who}即将前往VIP室^请做好接待准备",
            vec![("who", visitor.to_string())],
        ),
        Intent::VipReady { room } => (
            "VIP{room}已经做好接待准备",
            vec![("room", room.to_string())],
        ),
        Intent::VipDeparting { room, visitor } => (
            "VIP{room}室{who}即将离场^请做好准备",
            vec![("room", room.to_string()), ("who", visitor.to_string())],
        ),
        Intent::Drinks { drink, room } => (
            "请送{drink}至VIP{room}室",
            vec![("drink", drink.clone()), ("room", room.to_string())],
        ),
        Intent::IdCopy { room } => ("VIP{room}需要复印身份证", vec![("room", room.to_string())]),
        Intent::Documents { copies, material } => (
            "请准备{copies}份{material}资料放至前台处",
            vec![
                ("copies", copies.to_string()),
                ("material", material.clone()),
            ],
        ),
        Intent::Restock { items } => ("请将{items}送至水吧台", vec![("items", items.clone())]),
        Intent::ClearRoom { room } => (
            "VIP{room}客人已离去^请前去打扫",
            vec![("room", room.to_string())],
        ),
        Intent::RoomCleared { room } => (
            "VIP{room}已打扫完毕,可以接待",
            vec![("room", room.to_string())],
        ),
        Intent::SeeOff { visitor } => (
            "{who}即将离场,请做好送客准备",
            vec![("who", visitor.to_string())],
        ),
        Intent::Taxi { visitor } => ("请帮{who}叫一辆出租车", vec![("who", visitor.to_string())]),
        Intent::TaxiArrived { visitor, plate } => match plate {
            None => (
                "您的客户{who}需要的出租车已经叫到",
                vec![("who", visitor.to_string())],
            ),
            Some(p) => (
                "您的客户{who}需要的出租车已经叫到,车牌号{plate}",
                vec![("who", visitor.to_string()), ("plate", p.clone())],
            ),
        },
        Intent::ModelHouseReady { party } => (
            "{n}位客人已乘电梯上楼,请做好接待准备",
            vec![("n", party.to_string())],
        ),
        Intent::GuestsDown { party } => (
            "{n}位客人已乘电梯下楼,请做好接待准备",
            vec![("n", party.to_string())],
        ),
        Intent::Shuttle {
            party,
            next_run: false,
        } => (
            "大堂有{n}位客人需要乘坐电瓶车,请前来接送",
            vec![("n", party.to_string())],
        ),
        Intent::Shuttle {
            party,
            next_run: true,
        } => (
            "电瓶车已满,大堂还有{n}位客人等候下一班车,请尽快安排",
            vec![("n", party.to_string())],
        ),
        Intent::Assign {
            visitor,
            party,
            turn,
        } => (
            match turn {
                Turn::Regular => "{who}一行{n}人到访,轮到您接待",
                Turn::Returning => "老客户{who}一行{n}人再次来访,请您接待",
                Turn::StandIn => "老客户{who}一行{n}人再次来访,原接待人员无法接待,请您代为接待",
                Turn::Requested => "{who}一行{n}人指定您接待",
                Turn::NonSales => "{who}一行{n}人来访,非销售接待,请您接待",
                Turn::Appointment => "预约客户{who}一行{n}人已到,请您接待",
            },
            vec![("who", visitor.to_string()), ("n", party.to_string())],
        ),
        Intent::Free { text } => ("【其他】{text}", vec![("text", text.clone())]),
    };
    let line = LINES
        .iter()
        .find(|l| l.pattern == pattern)
        .expect("every standard pattern is in the script table");
    (line, values)
}

/// Fills the standard line's matter for an intent.
pub(crate) fn matter(intent: &Intent) -> (&'static Line, String) {
    let (line, values) = standard(intent);
    let refs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    (line, template::fill(line.pattern, &refs))
}

/// Reads a normalized matter against every line. `Ok(None)`: no line fits at all. `Err`: a line fits
/// the words, but a field in it is bad (the most useful thing to tell the speaker).
pub(crate) fn read(matter: &str) -> Result<Option<(&'static Line, Intent)>, FieldError> {
    let mut first_error = None;
    for line in LINES {
        let mut found = None;
        template::matches(line.pattern, matter, &mut |caps| match (line.build)(caps) {
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
            return Ok(Some((line, intent)));
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

fn party(c: &Captures, slot: &'static str) -> Result<u16, FieldError> {
    let n = number(c, slot)?;
    match u16::try_from(n) {
        Ok(n) if (1..=crate::intent::MAX_PARTY).contains(&n) => Ok(n),
        _ => Err(FieldError::Party(n)),
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

fn text(c: &Captures, slot: &'static str) -> Result<String, FieldError> {
    let s = crate::normalize::text_field(c.get(slot).trim());
    crate::intent::text_ok(slot_field(slot), &s)?;
    Ok(s)
}

fn broadcast(c: &Captures, appointment: bool, with_desc: bool) -> Result<Intent, FieldError> {
    Ok(Intent::ArrivalBroadcast {
        visitor: who(c)?,
        party: party(c, "n")?,
        appointment,
        description: if with_desc {
            Some(text(c, "desc")?)
        } else {
            None
        },
    })
}

fn assign(c: &Captures, turn: Turn) -> Result<Intent, FieldError> {
    Ok(Intent::Assign {
        visitor: who(c)?,
        party: party(c, "n")?,
        turn,
    })
}

fn slot_field(slot: &'static str) -> &'static str {
    match slot {
        "n" => "party size",
        "copies" => "copies",
        "desc" => "description",
        other => other,
    }
}
