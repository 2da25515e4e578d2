//! The drill's report as a page for the supervisor to keep: one self-contained HTML file — the
//! styles inline, the charts drawn in inline SVG (answer time per post; visitor groups by stage
//! over the day), no script, nothing fetched from anywhere.

use std::fmt::Write as _;

use crate::report::{PostLine, Report, alarm_words_zh, stage_words_zh};

/// Colours of the stages, in the order a group goes through them.
const STAGE_COLOURS: [(&str, &str); 8] = [
    ("at_gate", "#9aa5b1"),
    ("awaiting_reception", "#c8a2c8"),
    ("parking", "#7fb3d5"),
    ("at_door", "#e67e22"),
    ("with_manager", "#2e86c1"),
    ("in_vip", "#28b463"),
    ("model_house", "#af7ac5"),
    ("departing", "#f4d03f"),
];

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn secs(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1} 秒"))
        .unwrap_or_else(|| "—".into())
}

fn mins(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1} 分钟"))
        .unwrap_or_else(|| "—".into())
}

pub fn page(r: &Report, answer_target: Option<f64>) -> String {
    let mut o = String::new();
    let verdict = if r.passed { "passed" } else { "failed" };
    let _ = write!(
        o,
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>演练报告 · {scenario} · {date}</title>
<style>
:root {{ --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --ok:#1e8449; --bad:#c0392b; --bg:#f7f9fb; }}
* {{ box-sizing:border-box; }}
body {{ margin:0; background:var(--bg); color:var(--ink);
  font:15px/1.5 "Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif; }}
main {{ max-width:1180px; margin:0 auto; padding:28px 32px 48px; }}
header {{ display:flex; justify-content:space-between; align-items:flex-start; gap:24px; }}
h1 {{ font-size:26px; margin:0 0 4px; }}
h2 {{ font-size:18px; margin:32px 0 10px; padding-bottom:4px; border-bottom:2px solid var(--line); }}
.sub {{ color:var(--muted); margin:0; }}
.badge {{ font-size:20px; font-weight:700; padding:10px 18px; border-radius:8px; color:#fff; white-space:nowrap; }}
.badge.passed {{ background:var(--ok); }} .badge.failed {{ background:var(--bad); }}
.cards {{ display:grid; grid-template-columns:repeat(auto-fit,minmax(170px,1fr)); gap:12px; margin-top:20px; }}
.card {{ background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; }}
.card b {{ display:block; font-size:24px; }}
.card span {{ color:var(--muted); font-size:13px; }}
table {{ border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line); }}
th, td {{ padding:6px 10px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }}
th {{ background:#eef2f6; font-weight:600; font-size:13px; }}
td:first-child, th:first-child, td.l {{ text-align:left; }}
tr.warn td {{ background:#fdf2e9; }}
.ok {{ color:var(--ok); font-weight:700; }} .bad {{ color:var(--bad); font-weight:700; }}
.chart {{ background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px; }}
.legend {{ display:flex; flex-wrap:wrap; gap:6px 16px; margin:8px 4px 0; font-size:13px; color:var(--muted); }}
.legend i {{ display:inline-block; width:12px; height:12px; border-radius:2px; margin-right:5px; vertical-align:-1px; }}
ul.notes {{ margin:6px 0; padding-left:20px; }}
.two {{ display:grid; grid-template-columns:1fr 1fr; gap:20px; }}
footer {{ margin-top:36px; color:var(--muted); font-size:12px; }}
@media print {{ body {{ background:#fff; }} main {{ padding:0; }} }}
</style>
</head>
<body>
<main>
<header>
<div>
<h1>案场对讲演练报告 · {scenario}</h1>
<p class="sub">{about}</p>
<p class="sub">{date} · 营业 {opens}–{closes} · 演练结束 {ended} · 种子 {seed} · 加速 ×{speed}</p>
</div>
<div class="badge {verdict}">{verdict_zh}</div>
</header>
"#,
        scenario = esc(&r.scenario),
        about = esc(&r.about),
        date = esc(&r.date),
        opens = r.opens,
        closes = r.closes,
        ended = r.ended,
        seed = r.seed,
        speed = r.speed,
        verdict = verdict,
        verdict_zh = if r.passed {
            "达标 PASSED"
        } else {
            "未达标 FAILED"
        },
    );

    // The day at a glance.
    let g = &r.groups;
    let c = &r.calls;
    let cards = [
        (
            g.arrived.to_string(),
            format!(
                "组客户到访（预约 {} · 自然到访 {}）",
                g.appointment, g.walk_in
            ),
        ),
        (
            g.left.to_string(),
            format!(
                "组送离 · {} 组无法接待 · {} 组活动劝离",
                g.declined, g.turned_away
            ),
        ),
        (
            c.placed.to_string(),
            format!("通呼叫 · {} 次回复", c.answers),
        ),
        (c.repeated.to_string(), "次重呼（未及时回复）".to_owned()),
        (c.escalated.to_string(), "次升级至巡场主管".to_owned()),
        (
            mins(r.door_wait.max.map(|v| v / 60.0)),
            "门口最长等候（迎宾→经理接手）".to_owned(),
        ),
    ];
    o.push_str("<div class=\"cards\">");
    for (n, what) in cards {
        let _ = write!(
            o,
            "<div class=\"card\"><b>{}</b><span>{}</span></div>",
            esc(&n),
            esc(&what)
        );
    }
    o.push_str("</div>\n");

    // Targets.
    o.push_str("<h2>目标 Targets</h2><table><tr><th>目标</th><th>结果</th><th></th></tr>");
    for t in &r.targets {
        let _ = write!(
            o,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"{}\">{}</td></tr>",
            esc(&t.zh),
            esc(&t.got_zh),
            if t.passed { "ok" } else { "bad" },
            if t.passed {
                "✓ 达标"
            } else {
                "✗ 未达标"
            }
        );
    }
    o.push_str("</table>\n");

    // Answer time per post.
    o.push_str("<h2>各岗位回复「收到」用时 Answer time per post</h2><div class=\"chart\">");
    o.push_str(&answer_chart(r, answer_target));
    o.push_str(
        "<div class=\"legend\"><span><i style=\"background:#2e86c1\"></i>中位数 median</span>\
         <span><i style=\"background:#aed6f1\"></i>95% 分位 p95</span>\
         <span><i style=\"background:#c0392b\"></i>目标 target</span></div></div>\n",
    );
    o.push_str(
        "<table style=\"margin-top:12px\"><tr><th>岗位 post</th><th>应答呼叫</th><th>已回复</th><th>中位数</th><th>p95</th>\
         <th>漏听（重呼）</th><th>未回复</th><th>升级</th><th>离线时呼叫</th></tr>",
    );
    for p in &r.posts {
        let warn = p.unanswered > 0 || p.escalations > 0;
        let _ = write!(
            o,
            "<tr{}><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if warn { " class=\"warn\"" } else { "" },
            esc(&label(p)),
            if p.person { "（真人）" } else { "" },
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
    o.push_str("</table>\n");

    // Visitors by stage over the day.
    o.push_str(
        "<h2>全天各阶段客户组数 Visitor groups by stage over the day</h2><div class=\"chart\">",
    );
    o.push_str(&stage_chart(r));
    o.push_str("<div class=\"legend\">");
    for (stage, colour) in STAGE_COLOURS {
        let _ = write!(
            o,
            "<span><i style=\"background:{colour}\"></i>{}</span>",
            esc(stage_words_zh(stage))
        );
    }
    o.push_str("</div></div>\n");

    // Stages and the rota side by side.
    o.push_str("<div class=\"two\"><div><h2>各阶段停留 Time per stage</h2><table><tr><th>阶段</th><th>组数</th><th>中位数</th><th>p95</th></tr>");
    for s in &r.stages {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(stage_words_zh(&s.stage)),
            s.minutes.n,
            mins(s.minutes.median),
            mins(s.minutes.p95)
        );
    }
    o.push_str("</table></div><div><h2>接访轮序 Rota</h2><table><tr><th>经理</th><th>班</th><th>轮次</th><th>轮序</th><th>预约</th><th>老客户</th><th>指定</th><th>代接</th><th>非销售</th></tr>");
    for m in &r.rota.managers {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&m.manager),
            if m.duty == "visit" {
                "接访"
            } else {
                "接电"
            },
            m.turns,
            m.regular,
            m.appointment,
            m.returning,
            m.requested,
            m.stand_in,
            m.non_sales
        );
    }
    let _ = writeln!(
        o,
        "</table><p class=\"sub\">{}</p></div></div>",
        esc(&r.rota.verdict_zh)
    );

    // Alarms, refusals, faults.
    o.push_str("<h2>告警与故障 Alarms, refusals and faults</h2><ul class=\"notes\">");
    if r.alarms.is_empty() {
        o.push_str("<li>中控全天未发出告警</li>");
    } else {
        let kinds: Vec<String> = r
            .alarms
            .iter()
            .map(|(k, n)| format!("{} {n} 条", alarm_words_zh(k)))
            .collect();
        let _ = write!(o, "<li><b>中控告警：</b>{}</li>", esc(&kinds.join("，")));
    }
    for a in &r.alarm_texts {
        let _ = write!(
            o,
            "<li>{} {}：{}</li>",
            esc(&a.at),
            esc(alarm_words_zh(&a.kind)),
            esc(&a.text)
        );
    }
    for c in &r.never_answered {
        let _ = write!(o, "<li>始终未回复：{}</li>", esc(c));
    }
    for x in &r.refused {
        let _ = write!(
            o,
            "<li>被中控拒绝（{}）×{}：{}</li>",
            esc(&x.rule),
            x.count,
            esc(&x.example)
        );
    }
    for n in &r.notes_zh {
        let _ = write!(o, "<li>{}</li>", esc(n));
    }
    o.push_str("</ul>\n");

    // Agreement with the hub.
    let agree = r.agreement.iter().filter(|c| c.agree).count();
    let _ = write!(
        o,
        "<h2>与中控日报核对 Against the hub's own report</h2><p class=\"sub\">{agree} / {} 项一致</p><table><tr><th>项目</th><th>演练统计</th><th>中控日报</th><th></th></tr>",
        r.agreement.len()
    );
    for c in &r.agreement {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            esc(&c.zh),
            c.drill,
            c.hub,
            if c.agree { "ok" } else { "bad" },
            if c.agree { "✓" } else { "✗" }
        );
    }
    o.push_str("</table>\n");
    let _ = write!(
        o,
        "<footer>radio drill · {} · {:.1} s · {}</footer>\n</main>\n</body>\n</html>\n",
        esc(&r.hub),
        r.wall_seconds,
        esc(&r.date)
    );
    o
}

/// Horizontal bars: each post's median and p95 time to 收到, with the target as a red line.
fn answer_chart(r: &Report, target: Option<f64>) -> String {
    let posts: Vec<_> = r.posts.iter().filter(|p| p.answer.n > 0).collect();
    let row = 26.0;
    let (left, right, top) = (190.0, 30.0, 24.0);
    let width = 1080.0;
    let height = top + row * posts.len() as f64 + 34.0;
    let max = posts
        .iter()
        .filter_map(|p| p.answer.p95)
        .fold(target.unwrap_or(0.0), f64::max)
        .max(1.0);
    let scale_max = nice(max * 1.1);
    let x = |v: f64| left + (width - left - right) * v / scale_max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="answer time per post">"#
    );
    let step = nice(scale_max / 6.0);
    let mut t = 0.0;
    while t <= scale_max + 1e-9 {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{top}\" y2=\"{1:.1}\" stroke=\"#e5eaf0\"/><text x=\"{0:.1}\" y=\"{2:.1}\" font-size=\"12\" fill=\"#616e7c\" text-anchor=\"middle\">{3} 秒</text>",
            x(t),
            height - 30.0,
            height - 14.0,
            trim(t)
        );
        t += step;
    }
    for (i, p) in posts.iter().enumerate() {
        let y = top + row * i as f64;
        let p95 = p.answer.p95.unwrap_or(0.0);
        let med = p.answer.median.unwrap_or(0.0);
        let over = target.is_some_and(|t| p95 > t);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"end\" fill=\"{}\">{}</text>",
            left - 8.0,
            y + 16.0,
            if over { "#c0392b" } else { "#1f2933" },
            esc(&label(p)),
        );
        let _ = write!(
            s,
            "<rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" fill=\"{}\"/>",
            y + 4.0,
            (x(p95) - left).max(1.0),
            if over { "#f5b7b1" } else { "#aed6f1" }
        );
        let _ = write!(
            s,
            "<rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" fill=\"{}\"/>",
            y + 4.0,
            (x(med) - left).max(1.0),
            if over { "#c0392b" } else { "#2e86c1" }
        );
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#616e7c\">{:.1} / {:.1} 秒 · {} 次</text>",
            x(p95) + 6.0,
            y + 16.0,
            med,
            p95,
            p.answer.n
        );
    }
    if let Some(t) = target {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{2:.1}\" stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{0:.1}\" y=\"{3}\" font-size=\"12\" fill=\"#c0392b\" text-anchor=\"middle\">目标 {4} 秒</text>",
            x(t),
            top - 4.0,
            height - 30.0,
            top - 8.0,
            trim(t)
        );
    }
    s.push_str("</svg>");
    s
}

/// Stacked areas: how many groups were at each stage, every ten minutes of the day.
fn stage_chart(r: &Report) -> String {
    let (width, height) = (1080.0, 300.0);
    let (left, right, top, bottom) = (44.0, 16.0, 12.0, 30.0);
    let points = &r.timeline;
    if points.len() < 2 {
        return "<p class=\"sub\">—</p>".into();
    }
    let totals: Vec<u32> = points.iter().map(|p| p.stages.values().sum()).collect();
    let ymax = f64::from(*totals.iter().max().unwrap_or(&1)).max(1.0);
    let ymax = nice(ymax).max(ymax.ceil());
    let (m0, m1) = (
        points[0].minute as f64,
        points[points.len() - 1].minute as f64,
    );
    let x = |m: f64| left + (width - left - right) * (m - m0) / (m1 - m0).max(1.0);
    let y = |v: f64| height - bottom - (height - top - bottom) * v / ymax;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="visitor groups by stage over the day">"#
    );
    // Grid: groups.
    let step = (ymax / 5.0).ceil().max(1.0);
    let mut v = 0.0;
    while v <= ymax + 1e-9 {
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{1:.1}\" y2=\"{1:.1}\" stroke=\"#e5eaf0\"/><text x=\"{2:.1}\" y=\"{3:.1}\" font-size=\"12\" fill=\"#616e7c\" text-anchor=\"end\">{4}</text>",
            width - right,
            y(v),
            left - 6.0,
            y(v) + 4.0,
            v as u32
        );
        v += step;
    }
    // Stacked areas, bottom to top in the order of the way.
    let mut base = vec![0.0f64; points.len()];
    for (stage, colour) in STAGE_COLOURS {
        let vals: Vec<f64> = points
            .iter()
            .map(|p| f64::from(*p.stages.get(stage).unwrap_or(&0)))
            .collect();
        if vals.iter().all(|v| *v == 0.0) {
            continue;
        }
        // Steps: each sample holds until the next.
        let mut d = String::new();
        let step = |i: usize| x(points[(i + 1).min(points.len() - 1)].minute as f64);
        for (i, p) in points.iter().enumerate() {
            let top = y(base[i] + vals[i]);
            let _ = write!(
                d,
                "{}{:.1},{top:.1} L{:.1},{top:.1} ",
                if i == 0 { "M" } else { "L" },
                x(p.minute as f64),
                step(i)
            );
        }
        for (i, p) in points.iter().enumerate().rev() {
            let bottom = y(base[i]);
            let _ = write!(
                d,
                "L{:.1},{bottom:.1} L{:.1},{bottom:.1} ",
                step(i),
                x(p.minute as f64)
            );
        }
        let _ = write!(
            s,
            "<path d=\"{}Z\" fill=\"{colour}\" fill-opacity=\"0.9\"/>",
            d.trim_end()
        );
        for (b, v) in base.iter_mut().zip(&vals) {
            *b += v;
        }
    }
    // Hours along the bottom.
    let mut h = (m0 / 60.0).ceil() * 60.0;
    while h <= m1 {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"#9aa5b1\"/><text x=\"{0:.1}\" y=\"{3:.1}\" font-size=\"12\" fill=\"#616e7c\" text-anchor=\"middle\">{4:02}:00</text>",
            x(h),
            height - bottom,
            height - bottom + 5.0,
            height - 10.0,
            (h / 60.0) as u32
        );
        h += 60.0;
    }
    s.push_str("</svg>");
    s
}

/// How a post is named on the page: its radio name, with its code where that does not say it.
fn label(p: &PostLine) -> String {
    if p.station.starts_with("X:") || p.name.contains(&p.station) {
        p.name.clone()
    } else {
        format!("{}（{}）", p.name, p.station)
    }
}

/// A round number at or above `v` for an axis: 1, 2, 5 × 10^k.
fn nice(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    let f = v / p;
    let n = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * p
}

fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_axes_are_round() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(nice(7.3), 10.0);
        assert_eq!(nice(1.6), 2.0);
        assert_eq!(nice(0.3), 0.5);
        assert_eq!(trim(2.0), "2");
    }
}
