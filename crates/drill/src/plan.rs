//! The day a scenario and a seed make: every group that arrives (when, who, how many, by
//! appointment or not, whom they ask for, what they will do on site and for how long), the water
//! bar's restocking, the supervisor's modes and the faults — drawn once, before the day starts,
//! from the seed alone. Same scenario and seed, same plan: nothing here reads a clock.
//!
//! Times are milliseconds since the day's midnight in the site's time zone.

use serde::Serialize;

use crate::rng::Rng;
use crate::scenario::{FaultKind, Scenario};

pub const MIN: u64 = 60_000;
pub const SEC: u64 = 1_000;

/// The planned day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub scenario: String,
    pub seed: u64,
    /// Opening and closing, ms since midnight.
    pub opens: u64,
    pub closes: u64,
    /// Managers on visit duty, in sign-in order, then those on phone duty.
    pub visit_duty: Vec<String>,
    pub phone_duty: Vec<String>,
    pub groups: Vec<Group>,
    pub restocks: Vec<Restock>,
    /// The supervisor's mode taps, in order; each sets the whole mode.
    pub modes: Vec<ModeChange>,
    pub faults: Vec<Fault>,
}

/// One visitor group and its way through the site.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    /// 1, 2, … in order of arrival.
    pub n: u32,
    /// When the car (or the walkers) reach the gate.
    pub arrive: u64,
    /// As the radio names them: 王先生.
    pub visitor: String,
    pub party: u16,
    pub kind: Kind,
    /// A guest of honour: the butler calls the send-off line-up.
    pub honour: bool,
    pub by_car: bool,
    /// 体貌特征 in the gate's broadcast.
    pub description: Option<String>,
    /// The gate's broadcast after its first call.
    pub broadcast_after: u64,
    /// From the broadcast to the car parked (by car), and on to the door.
    pub parked_after: u64,
    pub greeted_after: u64,
    /// From the greeting to the desk's assignment call.
    pub assign_after: u64,
    /// Lemon water in the reception area, this long after the manager takes over.
    pub reception_drinks: Option<Drinks>,
    /// The model and sand table: from taking over to the next step.
    pub presentation: u64,
    pub model_house: Option<ModelHouse>,
    pub vip: Option<Vip>,
    /// Without a VIP room: the rest of the visit in the reception area.
    pub stay: u64,
    pub taxi: Option<Taxi>,
    /// Who answers the departure call from a VIP room: the butler (as in the seed) or the desk.
    pub departure_answered_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// By appointment, for this manager.
    Appointment { manager: String },
    /// A walk-in: the desk's answer to the gate, and what kind of turn they are.
    WalkIn { desk_can: bool, turn: WalkInTurn },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "turn", rename_all = "snake_case")]
pub enum WalkInTurn {
    /// The manager next up on the rota.
    Regular,
    /// A registered client back to their original manager.
    Returning { manager: String },
    /// A client who asks for this manager by name.
    Requested { manager: String },
    /// Not a sales visit: no turn taken.
    NonSales,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Drinks {
    pub after: u64,
    pub drink: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelHouse {
    /// In the flat, from the lift up to the lift down.
    pub stay: u64,
    /// From the lift down to the lobby calling the cart back.
    pub shuttle_after: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vip {
    /// The butler's preparation, from his 收到 to his ready report.
    pub prepare: u64,
    /// From the ready report to the first drinks.
    pub drinks_after: u64,
    pub drink: String,
    pub id_copy_after: Option<u64>,
    pub documents: Option<Documents>,
    pub refill: Option<Drinks>,
    /// In the room, from the first drinks to the departure call.
    pub stay: u64,
    /// From the departure to the butler's clear-room call, and on to the room cleared report.
    pub clear_after: u64,
    pub cleared_after: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Documents {
    pub after: u64,
    pub copies: u16,
    pub material: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Taxi {
    /// From the departure to the taxi call, and on to the gate's arrival report.
    pub call_after: u64,
    pub arrives_after: u64,
    pub plate: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Restock {
    pub at: u64,
    pub items: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModeChange {
    pub at: u64,
    pub rain: bool,
    /// The important event's start, ms since midnight.
    pub important_event_at: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fault {
    pub at: u64,
    pub kind: FaultKind,
    /// A station code (`S1`, `X:张伟`), `ALL` for a drop of every tablet; none for the hub.
    pub post: Option<String>,
    /// How long, for offline / miss / silent (silent without it: the rest of the day).
    pub minutes: Option<f64>,
    pub share: Option<f64>,
    pub hard: bool,
}

const SURNAMES: [&str; 96] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "欧阳", "司马", "上官",
    "诸葛",
];
const TITLES: [(&str, f64); 3] = [("先生", 0.5), ("女士", 0.3), ("小姐", 0.2)];
const DESCRIPTIONS: [&str; 10] = [
    "黑色轿车，灰色西装",
    "白色SUV",
    "一家三口，带小孩",
    "银色轿车，两位老人",
    "红色轿车",
    "蓝色外套，戴眼镜",
    "深色商务车",
    "白色轿车，手提公文包",
    "夫妻二人，推婴儿车",
    "黑色SUV，穿运动服",
];
const DRINKS: [&str; 5] = ["柠檬水", "热茶", "咖啡", "温水", "绿茶"];
const MATERIALS: [&str; 4] = ["户型", "楼书", "价格表", "认购须知"];
const RESTOCKS: [&str; 4] = ["柠檬和冰块", "纸杯和茶包", "矿泉水", "咖啡豆和牛奶"];
const PLATE_LETTERS: [char; 6] = ['A', 'B', 'C', 'D', 'E', 'F'];

/// A number as said on the radio: 两 for 2, 三 for 3 (up to 10), digits beyond.
pub fn cn(n: u16) -> String {
    const D: [&str; 11] = [
        "零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十",
    ];
    D.get(n as usize)
        .map(|s| (*s).to_owned())
        .unwrap_or_else(|| n.to_string())
}

impl Plan {
    /// The day `scenario` makes with `seed`.
    pub fn new(s: &Scenario, seed: u64) -> Plan {
        let mut rng = Rng::new(seed);
        let opens = u64::from(s.day.opens.0) * MIN;
        let closes = u64::from(s.day.closes.0) * MIN;
        let last = u64::from(s.last_arrival()) * MIN;
        let managers: Vec<String> = s.managers().cloned().collect();

        // Arrivals: `groups` times drawn from the hourly rate curve.
        let mut arrivals: Vec<u64> = (0..s.arrivals.groups)
            .map(|_| arrival_time(&mut rng, &s.arrivals.rate, opens, last))
            .collect();
        arrivals.sort_unstable();
        // Guests of honour come just before the important event (or at the busiest hour).
        let honour_at = s
            .modes
            .important_event
            .as_ref()
            .map(|e| u64::from(e.at.0) * MIN - 10 * MIN);

        let mut used: Vec<String> = Vec::new();
        let mut groups = Vec::new();
        let appointments =
            (f64::from(s.arrivals.groups) * s.arrivals.appointment_share.0).round() as usize;
        // Which groups are appointments: spread over the day, drawn without replacement.
        let mut order: Vec<usize> = (0..arrivals.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut is_appointment = vec![false; arrivals.len()];
        for &i in order.iter().take(appointments) {
            is_appointment[i] = true;
        }
        let mut honours_left = s.arrivals.guests_of_honour;
        for (i, arrive) in arrivals.iter().enumerate() {
            let visitor = loop {
                let surname = rng.pick(&SURNAMES);
                let title = TITLES[rng.weighted(&TITLES.map(|(_, w)| w))].0;
                let name = format!("{surname}{title}");
                if !used.contains(&name) || used.len() >= SURNAMES.len() * TITLES.len() {
                    break name;
                }
            };
            used.push(visitor.clone());
            let mut party = rng.weighted(&s.arrivals.party) as u16 + 1;
            let honour = is_appointment[i] && honours_left > 0;
            let mut arrive = *arrive;
            if honour {
                honours_left -= 1;
                party = party.max(4);
                if let Some(t) = honour_at {
                    arrive = t.max(opens);
                }
            }
            let kind = if is_appointment[i] {
                Kind::Appointment {
                    manager: rng.pick(&s.roster.visit).clone(),
                }
            } else {
                let a = &s.arrivals;
                let desk_can = !rng.chance(a.declined_share.0);
                let x = rng.unit();
                let turn = if x < a.returning_share.0 {
                    WalkInTurn::Returning {
                        manager: rng.pick(&managers).clone(),
                    }
                } else if x < a.returning_share.0 + a.requested_share.0 {
                    WalkInTurn::Requested {
                        manager: rng.pick(&managers).clone(),
                    }
                } else if x < a.returning_share.0 + a.requested_share.0 + a.non_sales_share.0 {
                    WalkInTurn::NonSales
                } else {
                    WalkInTurn::Regular
                };
                Kind::WalkIn { desk_can, turn }
            };
            let non_sales = matches!(
                kind,
                Kind::WalkIn {
                    turn: WalkInTurn::NonSales,
                    ..
                }
            );
            let v = &s.visits;
            let by_car = rng.chance(s.arrivals.by_car_share.0);
            let description = (honour || rng.chance(s.arrivals.described_share.0))
                .then(|| rng.pick(&DESCRIPTIONS).to_string());
            let length = if non_sales {
                rng.between(5.0, 15.0)
            } else {
                rng.lognormal(v.minutes, v.spread)
                    .clamp(10.0, v.minutes * 4.0)
            };
            let minutes = |m: f64| (m * MIN as f64) as u64;
            let drink_for =
                |rng: &mut Rng, party: u16| format!("{}杯{}", cn(party.min(10)), rng.pick(&DRINKS));
            let reception_drinks =
                (!non_sales && rng.chance(v.reception_drinks_share.0)).then(|| Drinks {
                    after: minutes(rng.between(1.0, 4.0)),
                    drink: format!("{}杯柠檬水", cn(party.min(10))),
                });
            let presentation = minutes(length * rng.between(0.25, 0.4));
            let model_house =
                (!non_sales && rng.chance(v.model_house_share.0)).then(|| ModelHouse {
                    stay: minutes(rng.between(8.0, 18.0)),
                    shuttle_after: minutes(rng.between(1.0, 3.0)),
                });
            let vip = (!non_sales && (honour || rng.chance(v.vip_share.0))).then(|| {
                let stay = minutes(length * rng.between(0.45, 0.6));
                Vip {
                    prepare: minutes(rng.between(1.5, 4.0)),
                    drinks_after: minutes(rng.between(0.5, 2.0)),
                    drink: drink_for(&mut rng, party),
                    id_copy_after: rng
                        .chance(v.id_copy_share.0)
                        .then(|| minutes(rng.between(3.0, 10.0))),
                    documents: rng.chance(v.documents_share.0).then(|| Documents {
                        after: minutes(rng.between(5.0, 15.0)),
                        copies: rng.below(3) as u16 + 1,
                        material: rng.pick(&MATERIALS).to_string(),
                    }),
                    refill: rng.chance(v.refill_share.0).then(|| Drinks {
                        after: minutes(rng.between(10.0, 20.0)),
                        drink: drink_for(&mut rng, party),
                    }),
                    stay,
                    clear_after: minutes(rng.between(1.0, 4.0)),
                    cleared_after: minutes(rng.between(4.0, 9.0)),
                }
            });
            let stay = minutes(length * rng.between(0.4, 0.6));
            let taxi = (!non_sales && rng.chance(v.taxi_share.0)).then(|| Taxi {
                call_after: minutes(rng.between(0.2, 1.5)),
                arrives_after: minutes(rng.between(4.0, 14.0)),
                plate: format!("粤{}{:05}", rng.pick(&PLATE_LETTERS), rng.below(100_000)),
            });
            groups.push(Group {
                n: i as u32 + 1,
                arrive,
                visitor,
                party,
                kind,
                honour,
                by_car,
                description,
                broadcast_after: rng.between(10.0, 40.0) as u64 * SEC,
                parked_after: minutes(rng.between(1.0, 3.0)),
                greeted_after: minutes(rng.between(0.5, 1.5)),
                assign_after: minutes(rng.between(0.3, 1.2)),
                reception_drinks,
                presentation,
                model_house,
                vip,
                stay,
                taxi,
                // The seed has the butler answer the departure call, but the hub delivers it
                // to the desk (its target) and the caller only: the butler's tablet never hears
                // it. The desk answers it here.
                departure_answered_by: "RC".into(),
            });
        }
        groups.sort_by_key(|g| (g.arrive, g.n));
        for (i, g) in groups.iter_mut().enumerate() {
            g.n = i as u32 + 1;
        }

        let mut restocks = Vec::new();
        if s.roster.restock_every_minutes > 0.0 {
            let every = (s.roster.restock_every_minutes * MIN as f64) as u64;
            let mut at = opens + every / 2;
            while at < closes {
                restocks.push(Restock {
                    at: at + minutes_jitter(&mut rng),
                    items: rng.pick(&RESTOCKS).to_string(),
                });
                at += every;
            }
        }

        let modes = mode_changes(s, opens);
        let mut faults: Vec<Fault> = s
            .faults
            .iter()
            .map(|f| Fault {
                at: u64::from(f.at.0) * MIN,
                kind: f.kind,
                post: f.post.clone(),
                minutes: f.minutes,
                share: f.share.map(|s| s.0),
                hard: f.hard,
            })
            .collect();
        faults.sort_by_key(|f| f.at);

        Plan {
            scenario: s.name.clone(),
            seed,
            opens,
            closes,
            visit_duty: s.roster.visit.clone(),
            phone_duty: s.roster.phone.clone(),
            groups,
            restocks,
            modes,
            faults,
        }
    }

    /// The latest time anything planned happens (not counting waits): when the day's script
    /// should be over.
    pub fn planned_end(&self) -> u64 {
        self.groups
            .iter()
            .map(|g| g.arrive + g.planned_length())
            .max()
            .unwrap_or(self.opens)
            .max(self.restocks.last().map(|r| r.at).unwrap_or(0))
    }
}

impl Group {
    /// The visit's length as planned, from the gate to the last call (waits not counted).
    pub fn planned_length(&self) -> u64 {
        let arrival =
            self.broadcast_after + self.parked_after + self.greeted_after + self.assign_after;
        let model = self
            .model_house
            .as_ref()
            .map(|m| m.stay + m.shuttle_after)
            .unwrap_or(0);
        let inside = match &self.vip {
            Some(v) => v.prepare + v.drinks_after + v.stay + v.clear_after + v.cleared_after,
            None => self.stay,
        };
        let taxi = self
            .taxi
            .as_ref()
            .map(|t| t.call_after + t.arrives_after)
            .unwrap_or(0);
        arrival + self.presentation + model + inside + taxi
    }

    pub fn is_appointment(&self) -> bool {
        matches!(self.kind, Kind::Appointment { .. })
    }
}

fn minutes_jitter(rng: &mut Rng) -> u64 {
    (rng.between(-10.0, 10.0) * MIN as f64).max(0.0) as u64
}

/// A time drawn from the piecewise-constant hourly rate between `from` and `to`.
fn arrival_time(rng: &mut Rng, rate: &[f64], from: u64, to: u64) -> u64 {
    let hours = (to - from).div_ceil(60 * MIN).max(1) as usize;
    let weights: Vec<f64> = (0..hours)
        .map(|h| {
            let w = rate.get(h).or(rate.last()).copied().unwrap_or(1.0);
            let start = from + h as u64 * 60 * MIN;
            let len = (to.min(start + 60 * MIN) - start) as f64 / (60 * MIN) as f64;
            w * len
        })
        .collect();
    let h = rng.weighted(&weights);
    let start = from + h as u64 * 60 * MIN;
    let end = to.min(start + 60 * MIN);
    start + ((end - start) as f64 * rng.unit()) as u64
}

/// The supervisor's mode taps: rain on and off, the important event set and cleared.
fn mode_changes(s: &Scenario, opens: u64) -> Vec<ModeChange> {
    let mut points: Vec<u64> = vec![opens.saturating_sub(MIN)];
    for w in &s.modes.rain {
        points.push(u64::from(w.from.0) * MIN);
        points.push(u64::from(w.until.0) * MIN);
    }
    let event = s.modes.important_event.as_ref().map(|e| {
        let at = u64::from(e.at.0) * MIN;
        let cleared = e
            .cleared
            .map(|c| u64::from(c.0) * MIN)
            .unwrap_or(at + 120 * MIN);
        (at, cleared)
    });
    if let Some((_, cleared)) = event {
        points.push(cleared);
    }
    points.sort_unstable();
    points.dedup();
    let mut out: Vec<ModeChange> = Vec::new();
    for at in points {
        let rain = s
            .modes
            .rain
            .iter()
            .any(|w| at >= u64::from(w.from.0) * MIN && at < u64::from(w.until.0) * MIN);
        let important_event_at = event.filter(|(_, cleared)| at < *cleared).map(|(t, _)| t);
        let change = ModeChange {
            at,
            rain,
            important_event_at,
        };
        let same = out
            .last()
            .is_some_and(|l| l.rain == rain && l.important_event_at == important_event_at);
        let nothing_at_opening = out.is_empty() && !rain && important_event_at.is_none();
        if !same && !nothing_at_opening {
            out.push(change);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_plans_the_same_day_and_another_seed_another() {
        let s = Scenario::shipped("weekday").unwrap();
        let a = Plan::new(&s, 7);
        assert_eq!(a, Plan::new(&s, 7));
        assert_ne!(a.groups, Plan::new(&s, 8).groups);
        assert_eq!(a.groups.len(), s.arrivals.groups as usize);
    }

    #[test]
    fn groups_arrive_in_opening_hours_with_distinct_names() {
        for (name, _) in crate::scenario::SHIPPED {
            let s = Scenario::shipped(name).unwrap();
            let p = Plan::new(&s, 1);
            let mut names: Vec<&str> = p.groups.iter().map(|g| g.visitor.as_str()).collect();
            assert!(p.groups.windows(2).all(|w| w[0].arrive <= w[1].arrive));
            for g in &p.groups {
                assert!(g.arrive >= p.opens && g.arrive < p.closes, "{name} {g:?}");
                assert!(
                    protocol::Visitor::parse(&g.visitor).is_ok(),
                    "{}",
                    g.visitor
                );
                assert!(g.party >= 1);
            }
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), p.groups.len(), "{name}");
            let appointments = p.groups.iter().filter(|g| g.is_appointment()).count();
            let want = (f64::from(s.arrivals.groups) * s.arrivals.appointment_share.0).round();
            assert_eq!(appointments as f64, want, "{name}");
        }
    }

    #[test]
    fn modes_follow_the_scenario() {
        let s = Scenario::shipped("event").unwrap();
        let p = Plan::new(&s, 1);
        let e = s.modes.important_event.as_ref().unwrap();
        assert_eq!(
            p.modes.first().and_then(|m| m.important_event_at),
            Some(u64::from(e.at.0) * MIN)
        );
        assert_eq!(p.modes.last().unwrap().important_event_at, None, "cleared");
        assert!(p.groups.iter().any(|g| g.honour));
        let s = Scenario::shipped("rain").unwrap();
        let p = Plan::new(&s, 1);
        assert!(p.modes.iter().any(|m| m.rain));
        assert!(!p.modes.last().unwrap().rain, "the rain stops");
    }

    #[test]
    fn numbers_are_said_as_on_the_radio() {
        assert_eq!(cn(2), "两");
        assert_eq!(cn(3), "三");
        assert_eq!(cn(12), "12");
    }
}
