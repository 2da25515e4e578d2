//! The drill's score of the day: every group accounted for; per post, the calls it had to answer,
//! how fast it said 收到 (median, 95th percentile: the hub's own `latency_ms`), what it missed,
//! left unanswered or let escalate; the time groups spent at each stage of their way; the rota's
//! fairness; the hub's alarms; each target passed or failed — and whether the hub's own report
//! of the day says the same. Printed for people ([`Report::text`]), as one JSON object, or as a
//! page ([`crate::html`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use protocol::rota::Turn;
use protocol::visit::Stage;
use protocol::{Post, Station};
use serde::Serialize;
use serde_json::Value;

use crate::ctx::{Ctx, Outcome, hhmm};
use crate::mirror::Board;
use crate::plan::MIN;
use crate::scenario::Scenario;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub scenario: String,
    pub about: String,
    pub seed: u64,
    pub date: String,
    pub speed: f64,
    pub hub: String,
    pub wall_seconds: f64,
    pub opens: String,
    pub closes: String,
    pub ended: String,
    pub groups: Groups,
    pub calls: Calls,
    pub posts: Vec<PostLine>,
    pub stages: Vec<StageLine>,
    /// Greeted at the door → a manager takes over, seconds.
    pub door_wait: Stat,
    pub rota: RotaScore,
    pub alarms: BTreeMap<String, u64>,
    /// What the alarms said (the first few of each kind).
    pub alarm_texts: Vec<AlarmLine>,
    /// Calls still waiting for an answer at the end.
    pub never_answered: Vec<String>,
    pub refused: Vec<RefusalLine>,
    pub notes: Vec<String>,
    /// The same, in Chinese (for the page).
    pub notes_zh: Vec<String>,
    /// How late the drill's timers woke, in wall ms (the machine's noise).
    pub timer_lag_ms: Stat,
    pub targets: Vec<TargetLine>,
    /// The drill's counts against the hub's own report and state.
    pub agreement: Vec<Check>,
    /// Groups by stage every two minutes of the day.
    pub timeline: Vec<TimelinePoint>,
    pub passed: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Groups {
    pub planned: u32,
    pub arrived: u32,
    pub appointment: u32,
    pub walk_in: u32,
    pub left: u32,
    pub declined: u32,
    pub turned_away: u32,
    pub on_site: u32,
    /// Wanted a VIP room and never got one.
    pub no_room: u32,
    pub accounted: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Calls {
    pub placed: u64,
    pub answers: u64,
    pub repeated: u64,
    pub escalated: u64,
    pub target_offline: u64,
    pub unanswered: u64,
    pub refused: u64,
    pub taps: u64,
    /// The hub's announcements: rain reminders, an important event's milestones.
    pub announcements: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Stat {
    pub n: usize,
    pub median: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

impl Stat {
    fn of(mut v: Vec<f64>) -> Stat {
        v.sort_by(f64::total_cmp);
        let pick = |p: f64| (!v.is_empty()).then(|| v[((v.len() - 1) as f64 * p).round() as usize]);
        Stat {
            n: v.len(),
            median: pick(0.5),
            p95: pick(0.95),
            max: v.last().copied(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PostLine {
    pub station: String,
    /// How the post is said on the radio.
    pub name: String,
    /// A person held this post's tablet.
    pub person: bool,
    /// Calls it was to answer (or did answer).
    pub calls: u64,
    pub answered: u64,
    /// Time to 收到, seconds.
    pub answer: Stat,
    /// Calls it had not answered when the hub repeated them.
    pub missed: u64,
    pub unanswered: u64,
    pub escalations: u64,
    /// Calls that found it off the net.
    pub offline: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageLine {
    pub stage: String,
    /// Minutes spent in it.
    pub minutes: Stat,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RotaScore {
    pub managers: Vec<RotaLine>,
    /// max − min of regular walk-in turns among the managers on visit duty.
    pub regular_spread: u32,
    /// Regular walk-ins given to the board's next-up manager.
    pub by_next_up: u32,
    /// Given out of turn: nobody was free after the desk's longest wait.
    pub out_of_turn: u32,
    /// How long walk-ins waited at the door for a free manager, minutes.
    pub desk_wait: Stat,
    pub verdict: String,
    pub verdict_zh: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RotaLine {
    pub manager: String,
    pub duty: String,
    /// Turns the hub counted (its report).
    pub turns: u64,
    pub regular: u32,
    pub appointment: u32,
    pub returning: u32,
    pub requested: u32,
    pub stand_in: u32,
    pub non_sales: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct AlarmLine {
    pub at: String,
    pub kind: String,
    /// The hub's own words.
    pub text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RefusalLine {
    pub rule: String,
    pub count: u64,
    pub example: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TargetLine {
    pub target: String,
    pub got: String,
    /// The same, in Chinese (for the page).
    pub zh: String,
    pub got_zh: String,
    pub passed: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub what: String,
    /// The same, in Chinese (for the page).
    pub zh: String,
    pub drill: i64,
    pub hub: i64,
    pub agree: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimelinePoint {
    /// Minutes since midnight.
    pub minute: u64,
    pub stages: BTreeMap<String, u32>,
}

/// What the report is made of.
pub struct Input<'a> {
    pub scenario: &'a Scenario,
    pub ctx: &'a Ctx,
    pub hub_report: &'a Value,
    pub hub_state: &'a Value,
    pub date: String,
    pub speed: f64,
    pub hub: String,
    pub wall_seconds: f64,
    /// When the drill ended, ms since midnight.
    pub ended: u64,
}

const STAGES: [Stage; 8] = [
    Stage::AtGate,
    Stage::AwaitingReception,
    Stage::Parking,
    Stage::AtDoor,
    Stage::WithManager,
    Stage::InVip,
    Stage::ModelHouse,
    Stage::Departing,
];

/// A stage as the page says it.
pub fn stage_words_zh(stage: &str) -> &'static str {
    match stage {
        "at_gate" => "门岗已通报",
        "awaiting_reception" => "等待接待中心答复",
        "parking" => "停车、入场途中",
        "at_door" => "门口等候经理",
        "with_manager" => "经理接待中",
        "in_vip" => "VIP 室",
        "model_house" => "样板房参观",
        "departing" => "离场中",
        "left" => "已离开",
        "declined" => "无法接待",
        _ => "?",
    }
}

/// An alarm kind as the page says it.
pub fn alarm_words_zh(kind: &str) -> &'static str {
    match kind {
        "not_greeted" => "门口无人迎接",
        "room_not_cleared" => "VIP 室未及时打扫",
        "order_overdue" => "服务超时",
        "no_room_free" => "无空闲 VIP 室",
        "walk_in_not_arrived" => "客户未前往展示中心",
        "few_standing_by" => "门口待客经理不足两位",
        "no_duty_manager" => "值班经理不在线",
        "discrepancy" => "对讲与看板不符",
        _ => "告警",
    }
}

pub fn stage_words(stage: &str) -> &'static str {
    match stage {
        "at_gate" => "announced at the gate",
        "awaiting_reception" => "waiting for the desk's answer",
        "parking" => "on the way in (car park)",
        "at_door" => "at the door, waiting for a manager",
        "with_manager" => "with a manager",
        "in_vip" => "in a VIP room",
        "model_house" => "at the model house",
        "departing" => "departing",
        "left" => "left",
        "declined" => "declined",
        _ => "?",
    }
}

pub fn build(i: Input<'_>) -> Report {
    let ctx = i.ctx;
    let plan = &ctx.plan;
    let records = ctx.records.lock().expect("records");
    let board = ctx.mirror.lock();
    let day = ctx.day;

    // Groups.
    let mut groups = Groups {
        planned: plan.groups.len() as u32,
        arrived: records.arrived,
        no_room: records.no_room.len() as u32,
        ..Groups::default()
    };
    let mut turned_away_appointments = 0;
    for g in &plan.groups {
        let who = protocol::Visitor::parse(&g.visitor).expect("a name");
        let outcome = match records.outcomes.get(&g.n) {
            None if !board.visits.values().any(|v| v.is(&who)) => continue,
            Some(Outcome::TurnedAway(r)) => Outcome::TurnedAway(r.clone()),
            Some(Outcome::Declined) => Outcome::Declined,
            _ => match board.any_visit_named(&who).map(|v| v.stage) {
                Some(Stage::Left) => Outcome::Left,
                Some(Stage::Declined) => Outcome::Declined,
                Some(s) => Outcome::OnSite(s.name().into()),
                None => Outcome::OnSite("unknown to the hub".into()),
            },
        };
        match outcome {
            Outcome::Left => groups.left += 1,
            Outcome::Declined => groups.declined += 1,
            Outcome::TurnedAway(_) => {
                groups.turned_away += 1;
                turned_away_appointments += u32::from(g.is_appointment());
            }
            Outcome::OnSite(_) => groups.on_site += 1,
        }
        if g.is_appointment() {
            groups.appointment += 1;
        } else {
            groups.walk_in += 1;
        }
    }
    groups.accounted =
        groups.on_site == 0 && groups.left + groups.declined + groups.turned_away == groups.arrived;

    // Calls and posts.
    let mut calls = Calls {
        refused: records.refused.len() as u64,
        taps: board.taps.len() as u64,
        announcements: board.announcements,
        ..Calls::default()
    };
    #[derive(Default)]
    struct Acc {
        calls: u64,
        answered: u64,
        latencies: Vec<f64>,
        missed: u64,
        unanswered: u64,
        escalations: u64,
        offline: u64,
    }
    let mut per: BTreeMap<Station, Acc> = BTreeMap::new();
    for c in board.calls.values() {
        calls.placed += 1;
        calls.answers += c.answers.len() as u64;
        calls.repeated += c.repeats.len() as u64;
        calls.escalated += u64::from(c.escalated.is_some());
        calls.target_offline += u64::from(c.target_offline);
        let owing = c.owing();
        calls.unanswered += u64::from(c.closed_at.is_none());
        let mut involved: Vec<Station> = c.awaiting.clone();
        for (by, ..) in &c.answers {
            if !involved.contains(by) {
                involved.push(by.clone());
            }
        }
        for s in involved {
            per.entry(s).or_default().calls += 1;
        }
        for (by, _, latency, _) in &c.answers {
            let a = per.entry(by.clone()).or_default();
            a.answered += 1;
            a.latencies.push(*latency as f64 / 1000.0);
        }
        if let Some((_, first)) = c.repeats.first() {
            for s in first {
                per.entry(s.clone()).or_default().missed += 1;
            }
        }
        if let Some((_, owed)) = &c.escalated {
            for s in owed {
                per.entry(s.clone()).or_default().escalations += 1;
            }
        }
        for s in owing {
            per.entry(s).or_default().unanswered += 1;
        }
        if c.target_offline {
            if let Some(s) = c.call.target.station() {
                per.entry(s.clone()).or_default().offline += 1;
            }
        }
    }
    let order = |s: &Station| match s {
        Station::Post(p) => (
            Post::ALL.iter().position(|q| q == p).unwrap_or(99),
            String::new(),
        ),
        Station::Manager(n) => (100, n.as_str().to_owned()),
    };
    let mut stations: Vec<&Station> = per.keys().collect();
    stations.sort_by_key(|s| order(s));
    let posts: Vec<PostLine> = stations
        .into_iter()
        .map(|s| {
            let a = &per[s];
            PostLine {
                station: s.to_string(),
                name: s.radio_name(),
                person: ctx.humans.contains(s),
                calls: a.calls,
                answered: a.answered,
                answer: Stat::of(a.latencies.clone()),
                missed: a.missed,
                unanswered: a.unanswered,
                escalations: a.escalations,
                offline: a.offline,
            }
        })
        .collect();

    // Stages, and the wait at the door.
    let stages = stage_lines(&board);
    let door_wait = Stat::of(
        board
            .visits
            .values()
            .filter_map(|v| {
                let at = v.times.get("at_door")?;
                let took = v.times.get("with_manager")?;
                Some(took.saturating_sub(*at) as f64 / 1000.0)
            })
            .collect(),
    );

    // The rota.
    let rota = rota_score(ctx, &records.assignments, i.hub_report);

    let mut alarms: BTreeMap<String, u64> = BTreeMap::new();
    let mut alarm_texts = Vec::new();
    for a in &board.raised {
        let kind = serde_json::to_value(a.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let n = alarms.entry(kind.clone()).or_default();
        *n += 1;
        if *n <= 3 {
            alarm_texts.push(AlarmLine {
                at: hhmm(a.raised_at.saturating_sub(day)),
                kind,
                text: a.text.clone(),
            });
        }
    }
    let never_answered: Vec<String> = board
        .calls
        .values()
        .filter(|c| c.closed_at.is_none())
        .map(|c| {
            let owing: Vec<String> = c.owing().iter().map(ToString::to_string).collect();
            format!(
                "{} {} → {} {} (waiting for {})",
                hhmm(c.placed_at.saturating_sub(day)),
                c.call.caller,
                c.call.target,
                c.call.intent.kind(),
                owing.join(", ")
            )
        })
        .collect();
    let mut refused: BTreeMap<String, RefusalLine> = BTreeMap::new();
    for r in &records.refused {
        let line = refused
            .entry(r.rule.clone())
            .or_insert_with(|| RefusalLine {
                rule: r.rule.clone(),
                count: 0,
                example: format!("{} {} {}: {}", hhmm(r.at), r.station, r.what, r.message),
            });
        line.count += 1;
    }
    let mut notes: Vec<String> = Vec::new();
    let mut notes_zh: Vec<String> = Vec::new();
    for (at, en, zh) in &records.notes {
        notes.push(format!("{} {en}", hhmm(*at)));
        notes_zh.push(format!("{} {zh}", hhmm(*at)));
    }
    if groups.no_room > 0 {
        notes.push(format!(
            "{} group(s) wanted a VIP room and none came free in time",
            groups.no_room
        ));
        notes_zh.push(format!(
            "{} 组客户需要 VIP 室，但始终没有空闲",
            groups.no_room
        ));
    }
    notes.extend(records.human_missed.iter().cloned());
    notes_zh.extend(records.human_missed.iter().cloned());
    let timer_lag_ms = Stat::of(records.lag_ms.clone());
    if let Some(p95) = timer_lag_ms.p95.filter(|_| i.speed > 1.0) {
        let sim = p95 * i.speed / 1000.0;
        if sim >= 1.0 {
            let max = timer_lag_ms.max.unwrap_or(p95);
            notes.push(format!(
                "this machine was busy: the drill's timers woke {p95:.1} ms late (p95; at most {max:.0} ms), which at ×{} is {sim:.1} s of the day — times to 收到 carry that much noise; a lower --speed gives finer figures",
                i.speed
            ));
            notes_zh.push(format!(
                "本机繁忙：演练计时器平均迟到 {p95:.1} 毫秒（p95，最多 {max:.0} 毫秒），按 ×{} 加速约合 {sim:.1} 秒，回复用时含此误差；降低 --speed 可得更精细的数字",
                i.speed
            ));
        }
    }

    // Targets.
    let t = &i.scenario.targets;
    let mut targets = Vec::new();
    if let Some(limit) = t.answer_p95_seconds {
        let worst = posts
            .iter()
            .filter(|p| !p.person)
            .filter_map(|p| p.answer.p95.map(|v| (v, p)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let never: Vec<&PostLine> = posts.iter().filter(|p| p.unanswered > 0).collect();
        let mut got = match worst {
            Some((v, p)) => format!("worst {} {v:.1} s", p.station),
            None => "no answers".into(),
        };
        if !never.is_empty() {
            let list: Vec<String> = never
                .iter()
                .map(|p| format!("{} left {} unanswered", p.station, p.unanswered))
                .collect();
            got = format!("{got}; {}", list.join(", "));
        }
        let mut got_zh = match worst {
            Some((v, p)) => format!("最慢 {} {v:.1} 秒", p.name),
            None => "无回复".into(),
        };
        for p in &never {
            got_zh.push_str(&format!("；{} {} 通未回复", p.name, p.unanswered));
        }
        targets.push(TargetLine {
            target: format!("every post's p95 time to 收到 ≤ {limit} s"),
            got,
            zh: format!("各岗位回复「收到」用时 p95 ≤ {limit} 秒"),
            got_zh,
            passed: worst.is_none_or(|(v, _)| v <= limit) && never.is_empty(),
        });
    }
    if let Some(limit) = t.door_wait_max_minutes {
        let longest = door_wait.max.unwrap_or(0.0) / 60.0;
        targets.push(TargetLine {
            target: format!("no group waits at the door over {limit} min"),
            got: format!("longest {longest:.1} min"),
            zh: format!("客户门口等候经理不超过 {limit} 分钟"),
            got_zh: format!("最长 {longest:.1} 分钟"),
            passed: longest <= limit,
        });
    }
    if let Some(limit) = t.escalations_max {
        targets.push(TargetLine {
            target: format!("escalations ≤ {limit}"),
            got: calls.escalated.to_string(),
            zh: format!("升级至巡场主管 ≤ {limit} 次"),
            got_zh: format!("{} 次", calls.escalated),
            passed: calls.escalated <= u64::from(limit),
        });
    }
    if let Some(limit) = t.unanswered_max {
        targets.push(TargetLine {
            target: format!("calls never answered ≤ {limit}"),
            got: calls.unanswered.to_string(),
            zh: format!("始终未回复的呼叫 ≤ {limit} 通"),
            got_zh: format!("{} 通", calls.unanswered),
            passed: calls.unanswered <= u64::from(limit),
        });
    }
    if let Some(limit) = t.rota_spread_max {
        targets.push(TargetLine {
            target: format!("regular walk-in turns spread ≤ {limit}"),
            got: rota.regular_spread.to_string(),
            zh: format!("接访轮序：各经理轮接自然到访客户组数相差 ≤ {limit}"),
            got_zh: format!("相差 {}", rota.regular_spread),
            passed: rota.regular_spread <= limit,
        });
    }
    if let Some(limit) = t.alarms_max {
        targets.push(TargetLine {
            target: format!("alarms ≤ {limit}"),
            got: board.raised.len().to_string(),
            zh: format!("中控告警 ≤ {limit} 条"),
            got_zh: format!("{} 条", board.raised.len()),
            passed: board.raised.len() as u64 <= u64::from(limit),
        });
    }
    targets.push(TargetLine {
        target: "every group that arrived is accounted for".into(),
        got: format!(
            "{} arrived: {} left, {} declined, {} turned away, {} still on site",
            groups.arrived, groups.left, groups.declined, groups.turned_away, groups.on_site
        ),
        zh: "到访客户组全部有去向".into(),
        got_zh: format!(
            "到访 {} 组：送离 {}，无法接待 {}，活动劝离 {}，仍在场 {}",
            groups.arrived, groups.left, groups.declined, groups.turned_away, groups.on_site
        ),
        passed: groups.accounted,
    });

    // The hub's own account.
    let r = i.hub_report;
    let s = i.hub_state;
    let num = |v: &Value| v.as_i64().unwrap_or(-1);
    let seen_by_hub = (groups.arrived - groups.turned_away) as i64;
    let mut agreement = vec![
        check(
            "visitor groups",
            seen_by_hub,
            num(&r["visitor_groups"]["total"]),
        ),
        check(
            "appointment groups",
            (groups.appointment - turned_away_appointments) as i64,
            num(&r["visitor_groups"]["appointment"]),
        ),
        check(
            "declined groups",
            groups.declined as i64,
            num(&r["visitor_groups"]["declined"]),
        ),
        check(
            "calls placed",
            calls.placed as i64,
            num(&r["calls"]["placed"]),
        ),
        check(
            "calls repeated",
            calls.repeated as i64,
            num(&r["calls"]["repeated"]),
        ),
        check(
            "calls escalated",
            calls.escalated as i64,
            num(&r["calls"]["escalated"]),
        ),
        check(
            "calls to a post offline",
            calls.target_offline as i64,
            num(&r["calls"]["target_offline"]),
        ),
        check(
            "answers (hub's running count)",
            calls.answers as i64,
            num(&s["counts"]["answered"]),
        ),
    ];
    for p in &posts {
        let hub_n = r["ack_latency_ms"][&p.station]["n"].as_i64().unwrap_or(0);
        if p.answered > 0 || hub_n > 0 {
            agreement.push(check(
                &format!("answers by {}", p.station),
                p.answered as i64,
                hub_n,
            ));
        }
    }
    for m in &rota.managers {
        let counted = i64::from(m.regular + m.appointment + m.returning + m.requested);
        agreement.push(check(
            &format!("turns of X:{}", m.manager),
            counted,
            m.turns as i64,
        ));
    }

    let timeline = timeline(&board, day, plan.opens, i.ended.max(plan.closes));
    let passed = targets.iter().all(|t| t.passed);
    Report {
        scenario: i.scenario.name.clone(),
        about: i.scenario.about.clone(),
        seed: plan.seed,
        date: i.date,
        speed: i.speed,
        hub: i.hub,
        wall_seconds: i.wall_seconds,
        opens: hhmm(plan.opens),
        closes: hhmm(plan.closes),
        ended: hhmm(i.ended),
        groups,
        calls,
        posts,
        stages,
        door_wait,
        rota,
        alarms,
        alarm_texts,
        never_answered,
        refused: refused.into_values().collect(),
        notes,
        notes_zh,
        timer_lag_ms,
        targets,
        agreement,
        timeline,
        passed,
    }
}

fn check(what: &str, drill: i64, hub: i64) -> Check {
    Check {
        what: what.to_owned(),
        zh: check_zh(what),
        drill,
        hub,
        agree: drill == hub,
    }
}

fn check_zh(what: &str) -> String {
    if let Some(s) = what.strip_prefix("answers by ") {
        return format!("{s} 回复次数");
    }
    if let Some(s) = what.strip_prefix("turns of ") {
        return format!("{s} 接访轮次");
    }
    match what {
        "visitor groups" => "客户组数",
        "appointment groups" => "预约客户组数",
        "declined groups" => "无法接待组数",
        "calls placed" => "呼叫数",
        "calls repeated" => "重呼次数",
        "calls escalated" => "升级次数",
        "calls to a post offline" => "呼叫时对方离线",
        "answers (hub's running count)" => "回复总数（中控累计）",
        other => other,
    }
    .to_owned()
}

fn stage_lines(board: &Board) -> Vec<StageLine> {
    let mut by_visit: BTreeMap<u64, Vec<(Stage, u64)>> = BTreeMap::new();
    for t in &board.transitions {
        by_visit.entry(t.visit).or_default().push((t.stage, t.at));
    }
    let mut spent: BTreeMap<Stage, Vec<f64>> = BTreeMap::new();
    for moves in by_visit.values() {
        for w in moves.windows(2) {
            let ((stage, from), (_, to)) = (w[0], w[1]);
            spent
                .entry(stage)
                .or_default()
                .push(to.saturating_sub(from) as f64 / MIN as f64);
        }
    }
    STAGES
        .iter()
        .filter_map(|s| {
            let v = spent.remove(s)?;
            Some(StageLine {
                stage: s.name().to_owned(),
                minutes: Stat::of(v),
            })
        })
        .collect()
}

fn rota_score(ctx: &Ctx, assignments: &[crate::ctx::Assignment], hub_report: &Value) -> RotaScore {
    let plan = &ctx.plan;
    let mut lines: BTreeMap<String, RotaLine> = BTreeMap::new();
    for (name, duty) in plan
        .visit_duty
        .iter()
        .map(|n| (n, "visit"))
        .chain(plan.phone_duty.iter().map(|n| (n, "phone")))
    {
        lines.insert(
            name.clone(),
            RotaLine {
                manager: name.clone(),
                duty: duty.into(),
                turns: hub_report["turns"][format!("X:{name}")]
                    .as_u64()
                    .unwrap_or(0),
                ..RotaLine::default()
            },
        );
    }
    let mut score = RotaScore::default();
    let mut waits = Vec::new();
    for a in assignments {
        let Some(name) = a.manager.strip_prefix("X:") else {
            continue;
        };
        let line = lines.entry(name.to_owned()).or_insert_with(|| RotaLine {
            manager: name.to_owned(),
            duty: "?".into(),
            ..RotaLine::default()
        });
        if !a.answered {
            continue;
        }
        match a.turn {
            Turn::Regular => line.regular += 1,
            Turn::Appointment => line.appointment += 1,
            Turn::Returning => line.returning += 1,
            Turn::Requested => line.requested += 1,
            Turn::StandIn => line.stand_in += 1,
            Turn::NonSales => line.non_sales += 1,
        }
        if a.turn == Turn::Regular {
            score.by_next_up += u32::from(a.next_up.as_deref() == Some(name));
        }
        score.out_of_turn += u32::from(a.out_of_turn);
        if matches!(a.turn, Turn::Regular | Turn::NonSales | Turn::StandIn) {
            waits.push(a.waited_ms as f64 / MIN as f64);
        }
    }
    let visit: Vec<u32> = lines
        .values()
        .filter(|l| l.duty == "visit")
        .map(|l| l.regular)
        .collect();
    score.regular_spread = visit.iter().max().unwrap_or(&0) - visit.iter().min().unwrap_or(&0);
    score.desk_wait = Stat::of(waits);
    let regular: u32 = lines.values().map(|l| l.regular).sum();
    let counts: Vec<String> = lines
        .values()
        .filter(|l| l.duty == "visit")
        .map(|l| l.regular.to_string())
        .collect();
    score.verdict = format!(
        "{regular} regular walk-ins ({}; spread {}): {} to the manager the board had next up, {} out of turn (nobody free at the door); a manager with a client keeps their place",
        counts.join("/"),
        score.regular_spread,
        score.by_next_up,
        score.out_of_turn
    );
    score.verdict_zh = format!(
        "按轮序接待自然到访客户 {regular} 组（{}，相差 {}）：{} 组交给看板上轮到的经理，{} 组因门口无空闲经理而越序；带客中的经理保留轮次",
        counts.join("/"),
        score.regular_spread,
        score.by_next_up,
        score.out_of_turn
    );
    let mut managers: Vec<RotaLine> = plan
        .visit_duty
        .iter()
        .chain(plan.phone_duty.iter())
        .filter_map(|n| lines.remove(n))
        .collect();
    managers.extend(lines.into_values());
    score.managers = managers;
    score
}

fn timeline(board: &Board, day: u64, opens: u64, until: u64) -> Vec<TimelinePoint> {
    let mut by_visit: BTreeMap<u64, Vec<(Stage, u64)>> = BTreeMap::new();
    for t in &board.transitions {
        by_visit.entry(t.visit).or_default().push((t.stage, t.at));
    }
    let mut out = Vec::new();
    let mut m = opens / MIN;
    while m * MIN <= until {
        let at = day + m * MIN;
        let mut stages: BTreeMap<String, u32> = BTreeMap::new();
        for moves in by_visit.values() {
            if let Some((s, _)) = moves.iter().rev().find(|(_, t)| *t <= at) {
                if s.is_active() {
                    *stages.entry(s.name().to_owned()).or_default() += 1;
                }
            }
        }
        out.push(TimelinePoint { minute: m, stages });
        m += 2;
    }
    out
}

fn secs(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1} s")).unwrap_or_else(|| "—".into())
}

fn mins(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1} min"))
        .unwrap_or_else(|| "—".into())
}

/// Pads `s` to `width` columns, counting a Chinese character as two.
fn pad(s: &str, width: usize) -> String {
    let cols: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(cols)))
}

impl Report {
    /// The report for a terminal.
    pub fn text(&self) -> String {
        let mut o = String::new();
        let tick = |b: bool| if b { "✓" } else { "✗" };
        let _ = writeln!(
            o,
            "radio drill — {} (seed {}, ×{}): {}",
            self.scenario, self.seed, self.speed, self.about
        );
        let _ = writeln!(
            o,
            "{} {}–{} on {}; the drill ended at {}; {:.1} s of wall time",
            self.date, self.opens, self.closes, self.hub, self.ended, self.wall_seconds
        );
        let g = &self.groups;
        let _ = writeln!(
            o,
            "\nGroups: {} arrived ({} by appointment, {} walk-ins): {} left, {} declined, {} turned away, {} still on site {}",
            g.arrived,
            g.appointment,
            g.walk_in,
            g.left,
            g.declined,
            g.turned_away,
            g.on_site,
            tick(g.accounted)
        );
        let c = &self.calls;
        let _ = writeln!(
            o,
            "Calls: {} placed, {} answers, {} repeated, {} escalated, {} to a post off the net, {} never answered; {} refused; {} taps; {} announcements from the hub",
            c.placed,
            c.answers,
            c.repeated,
            c.escalated,
            c.target_offline,
            c.unanswered,
            c.refused,
            c.taps,
            c.announcements
        );

        let _ = writeln!(
            o,
            "\nPosts (time to 收到)          calls answered  median     p95  missed unanswered escalated offline"
        );
        for p in &self.posts {
            let name = format!(
                "{} {}{}",
                p.station,
                p.name,
                if p.person { " (person)" } else { "" }
            );
            let _ = writeln!(
                o,
                "  {} {:>5} {:>8} {:>7} {:>7} {:>7} {:>10} {:>9} {:>7}",
                pad(&name, 26),
                p.calls,
                p.answered,
                secs(p.answer.median),
                secs(p.answer.p95),
                p.missed,
                p.unanswered,
                p.escalations,
                p.offline
            );
        }

        let _ = writeln!(
            o,
            "\nVisit stages (time spent)            groups    median       p95"
        );
        for s in &self.stages {
            let _ = writeln!(
                o,
                "  {} {:>6} {:>9} {:>9}",
                pad(stage_words(&s.stage), 34),
                s.minutes.n,
                mins(s.minutes.median),
                mins(s.minutes.p95)
            );
        }
        let _ = writeln!(
            o,
            "  At the door (greeted → a manager takes over): median {}, longest {}",
            mins(self.door_wait.median.map(|v| v / 60.0)),
            mins(self.door_wait.max.map(|v| v / 60.0))
        );

        let r = &self.rota;
        let _ = writeln!(
            o,
            "\nRota (接访轮序)   duty  turns  regular appointment returning requested stand-in non-sales"
        );
        for m in &r.managers {
            let _ = writeln!(
                o,
                "  {} {:<5} {:>5} {:>8} {:>11} {:>9} {:>9} {:>8} {:>9}",
                pad(&m.manager, 14),
                m.duty,
                m.turns,
                m.regular,
                m.appointment,
                m.returning,
                m.requested,
                m.stand_in,
                m.non_sales
            );
        }
        let _ = writeln!(o, "  {}", r.verdict);
        if r.desk_wait.n > 0 {
            let _ = writeln!(
                o,
                "  Walk-ins waiting for a free manager: median {}, longest {}",
                mins(r.desk_wait.median),
                mins(r.desk_wait.max)
            );
        }

        let alarms: Vec<String> = self
            .alarms
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let _ = writeln!(
            o,
            "\nAlarms raised by the hub: {}",
            if alarms.is_empty() {
                "none".into()
            } else {
                alarms.join(", ")
            }
        );
        for a in &self.alarm_texts {
            let _ = writeln!(o, "  {} {}: {}", a.at, a.kind, a.text);
        }
        if !self.never_answered.is_empty() {
            let _ = writeln!(o, "Calls never answered:");
            for c in &self.never_answered {
                let _ = writeln!(o, "  {c}");
            }
        }
        for r in &self.refused {
            let _ = writeln!(o, "Refused ({}) ×{}: e.g. {}", r.rule, r.count, r.example);
        }
        if !self.notes.is_empty() {
            let _ = writeln!(o, "Faults and notes:");
            for n in &self.notes {
                let _ = writeln!(o, "  {n}");
            }
        }

        let _ = writeln!(o, "\nTargets");
        for t in &self.targets {
            let _ = writeln!(o, "  {} {} — {}", tick(t.passed), t.target, t.got);
        }
        let disagree: Vec<&Check> = self.agreement.iter().filter(|c| !c.agree).collect();
        if disagree.is_empty() {
            let _ = writeln!(
                o,
                "\nThe hub's own report agrees: {} figures checked (groups, calls, repeats, escalations, answers per post, turns per manager).",
                self.agreement.len()
            );
        } else {
            let _ = writeln!(o, "\nThe hub's own report differs:");
            for c in disagree {
                let _ = writeln!(o, "  ✗ {}: drill {}, hub {}", c.what, c.drill, c.hub);
            }
        }
        let failed = self.targets.iter().filter(|t| !t.passed).count();
        let _ = writeln!(
            o,
            "\n{}",
            if self.passed {
                "PASSED: every target met.".to_owned()
            } else {
                format!("FAILED: {failed} target(s) missed.")
            }
        );
        o
    }
}
