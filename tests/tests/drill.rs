//! The drill simulator end to end: short scenarios played on a hub of the drill's own (the
//! hub's real command line, as a process, its clock sped up), scored, and checked against the
//! hub's own report; a silent post's re-calls and escalations failing the day's targets; and
//! load mode against a hub started on its own, its `/metrics` checked against the tablets.

use std::path::PathBuf;

use drill::{DrillOptions, HubChoice, Progress, Report, Scenario};
use protocol::{Post, Station};

const HUB: &str = env!("CARGO_BIN_EXE_hub-under-test");

/// A short morning: six groups in forty minutes, every kind of visit, posts that never miss a
/// call (so only a silent post or a broken hub escalates anything).
const MORNING: &str = r#"
name = "ci-morning"
about = "A short morning for CI"

[day]
opens = "09:00"
closes = "10:15"
last_arrival = "09:30"

[arrivals]
groups = 6
appointment_share = 0.34
returning_share = 0.2
declined_share = 0.2
described_share = 0.5

[visits]
minutes = 12
spread = 0.2
vip_share = 0.6
model_house_share = 0.4
taxi_share = 0.4
desk_wait_minutes = 5

[roster]
visit = ["张伟", "李娜", "王强"]
phone = ["刘洋"]
restock_every_minutes = 40

[posts.default]
answer_seconds = 2.0
spread = 0.3
miss_share = 0.0

[targets]
answer_p95_seconds = 30
escalations_max = 0
unanswered_max = 0
"#;

fn options(text: &str, speed: f64, silent: Vec<Station>) -> DrillOptions {
    DrillOptions {
        scenario: Scenario::parse(text, "ci.toml").expect("the test's scenario reads"),
        seed: 11,
        speed,
        hub: HubChoice::Own {
            bin: Some(PathBuf::from(HUB)),
            listen: None,
        },
        humans: Vec::new(),
        silent,
        progress: Progress::Quiet,
    }
}

async fn drill(opts: DrillOptions) -> Report {
    tokio::time::timeout(std::time::Duration::from_secs(90), drill::run(opts))
        .await
        .expect("the drill ends in time")
        .expect("the drill runs")
}

fn post<'a>(r: &'a Report, station: &str) -> &'a drill::report::PostLine {
    r.posts
        .iter()
        .find(|p| p.station == station)
        .unwrap_or_else(|| panic!("{station} in {:?}", r.posts))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_morning_is_accounted_for_and_agrees_with_the_hubs_report() {
    let r = drill(options(MORNING, 300.0, Vec::new())).await;
    let text = r.text();
    let g = &r.groups;
    assert_eq!(g.arrived, 6, "{text}");
    assert!(
        g.accounted,
        "every group that arrived is accounted for:\n{text}"
    );
    assert_eq!(g.left + g.declined + g.turned_away, 6, "{text}");
    assert_eq!(g.on_site, 0, "{text}");
    // Every call was answered (or escalated, were a post silent: none is).
    assert_eq!(r.calls.unanswered, 0, "{text}");
    assert!(r.never_answered.is_empty(), "{text}");
    assert!(r.calls.placed >= 30, "a morning's worth of calls: {text}");
    // The drill's counts are the hub's.
    for c in &r.agreement {
        assert!(
            c.agree,
            "{}: drill {} vs hub {}\n{text}",
            c.what, c.drill, c.hub
        );
    }
    assert!(r.agreement.len() >= 10, "{text}");
    // The score has its parts: posts, stages, the rota, the targets.
    for station in ["L2", "Y1", "RC"] {
        assert!(post(&r, station).answered > 0, "{station}: {text}");
        assert!(post(&r, station).answer.median.is_some(), "{text}");
    }
    for stage in ["parking", "at_door", "with_manager", "departing"] {
        assert!(r.stages.iter().any(|s| s.stage == stage), "{stage}: {text}");
    }
    assert_eq!(r.rota.managers.len(), 4, "{text}");
    assert!(r.targets.iter().any(|t| t.target.contains("p95")), "{text}");
    // The page is self-contained: inline SVG, nothing fetched.
    let page = drill::html::page(&r, Some(30.0));
    assert!(page.contains("<svg") && page.contains("</html>"));
    for outside in ["http://", "https://", "<script", "<link", "src="] {
        let without_ns = page.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !without_ns.contains(outside),
            "the page loads nothing: {outside}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_rehearsed_and_the_day_still_adds_up() {
    let faulty = format!(
        "{MORNING}
[[faults]]
kind = \"miss\"
post = \"G1\"
at = \"09:05\"
minutes = 20
share = 1.0

[[faults]]
kind = \"hub_restart\"
at = \"09:20\"

[[faults]]
kind = \"offline\"
post = \"S1\"
at = \"09:28\"
minutes = 6

[[faults]]
kind = \"drop\"
post = \"ALL\"
at = \"09:40\"
"
    );
    let r = drill(options(&faulty, 300.0, Vec::new())).await;
    let text = r.text();
    assert!(r.groups.accounted, "{text}");
    assert_eq!(
        r.calls.unanswered, 0,
        "posts back on the net answer what they missed: {text}"
    );
    for c in &r.agreement {
        assert!(
            c.agree,
            "{}: drill {} vs hub {}\n{text}",
            c.what, c.drill, c.hub
        );
    }
    let notes = r.notes.join("\n");
    assert!(
        notes.contains("the hub restarted (SIGTERM); every tablet was back"),
        "{notes}"
    );
    assert!(
        notes.contains("S1's tablet off the net for 6 min"),
        "{notes}"
    );
    assert!(
        notes.contains("every tablet's connection dropped and resumed"),
        "{notes}"
    );
    assert!(
        notes.contains("G1 misses 100% of its calls for 20 min"),
        "{notes}"
    );
    assert!(
        post(&r, "G1").missed > 0,
        "the butler missed calls and answered the repeats: {text}"
    );
}

/// A smaller morning for the silent-post check.
const SHORT: &str = r#"
name = "ci-short"
about = "Three groups"

[day]
opens = "09:00"
closes = "09:50"
last_arrival = "09:15"

[arrivals]
groups = 3
appointment_share = 0.34
declined_share = 0.0

[visits]
minutes = 12
spread = 0.2
vip_share = 1.0
model_house_share = 0.0
taxi_share = 0.0
reception_drinks_share = 1.0

[roster]
visit = ["张伟", "李娜"]
restock_every_minutes = 0

[posts.default]
answer_seconds = 2.0
spread = 0.3
miss_share = 0.0

[targets]
answer_p95_seconds = 30
escalations_max = 0
unanswered_max = 0
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_post_is_re_called_escalated_and_fails_the_day_while_a_healthy_one_passes() {
    let s1 = Station::Post(Post::S1);
    let (silent, healthy) = tokio::join!(
        drill(options(SHORT, 300.0, vec![s1.clone()])),
        drill(options(SHORT, 300.0, Vec::new())),
    );
    let (st, ht) = (silent.text(), healthy.text());

    let bar = post(&silent, "S1");
    assert_eq!(bar.answered, 0, "{st}");
    assert!(bar.calls >= 3, "the water bar was called: {st}");
    assert_eq!(
        bar.missed, bar.calls,
        "every call to it was re-called: {st}"
    );
    assert_eq!(bar.escalations, bar.calls, "and escalated: {st}");
    assert!(
        silent.calls.repeated >= bar.calls && silent.calls.escalated >= bar.calls,
        "{st}"
    );
    assert!(!silent.passed, "{st}");
    let failed: Vec<&str> = silent
        .targets
        .iter()
        .filter(|t| !t.passed)
        .map(|t| t.target.as_str())
        .collect();
    assert!(
        failed.iter().any(|t| t.starts_with("escalations")),
        "{failed:?}"
    );
    assert!(failed.iter().any(|t| t.contains("p95")), "{failed:?}");
    assert!(st.contains("S1 answers nothing all day"), "{st}");
    for c in &silent.agreement {
        assert!(
            c.agree,
            "{}: drill {} vs hub {}\n{st}",
            c.what, c.drill, c.hub
        );
    }

    assert!(
        healthy.passed,
        "the same day with the water bar answering passes:\n{ht}"
    );
    assert_eq!(healthy.calls.escalated, 0, "{ht}");
    assert!(post(&healthy, "S1").answered >= 3, "{ht}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_against_a_hub_started_on_its_own_agrees_with_its_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url, lines) = integration::hub_process(HUB, dir.path());
    std::thread::spawn(move || for _ in lines {});
    // The hub says where it listens a moment before it has made its secret.
    for _ in 0..200 {
        if dir.path().join("secret").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let opts = drill::load::LoadOptions {
        tablets: 40,
        rate: 80.0,
        duration: std::time::Duration::from_secs(2),
        hub: HubChoice::Running {
            url,
            data: dir.path().to_path_buf(),
        },
        seed: 3,
        progress: Progress::Quiet,
    };
    let r = tokio::time::timeout(std::time::Duration::from_secs(60), drill::load::run(opts))
        .await
        .expect("in time")
        .expect("the load runs");
    let _ = child.kill();
    let _ = child.wait();
    let text = r.text();
    assert_eq!(r.tablets, 40, "{text}");
    assert!(r.calls_placed >= 120, "{text}");
    assert_eq!(r.calls_failed, 0, "{text}");
    assert!(r.answers >= r.calls_placed, "every call answered: {text}");
    assert!(r.delivered.n as u64 >= r.calls_placed, "{text}");
    assert!(r.answered.n > 0 && r.answered.p50_ms > 0.0, "{text}");
    assert!(r.metrics_agree, "{text}");
    for c in &r.checks {
        assert!(
            c.agree,
            "{}: tablets {} vs /metrics {}\n{text}",
            c.what, c.tablets, c.metrics
        );
    }
    assert_eq!(
        r.process.pid,
        Some(child.id()),
        "the hub's process, found by its port: {text}"
    );
    assert!(
        r.process.cpu_percent.is_some() && r.process.rss_end_kib.is_some(),
        "{text}"
    );
    assert!(r.reconnect_storm_s.is_some(), "{text}");
}
