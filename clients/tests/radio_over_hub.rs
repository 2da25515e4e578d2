//! `radio say`, `listen`, `tap`, `state` and `report` as people use them: real processes against
//! a real hub on 127.0.0.1, reading their stdout.

use std::process::Stdio;
use std::time::Duration;

use integration::TestHub;
use protocol::EventKind;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

const RADIO: &str = env!("CARGO_BIN_EXE_radio");

fn radio(hub: &TestHub, station: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(RADIO);
    cmd.args(args)
        .env("RADIO_HUB", hub.url())
        .env("RADIO_TOKEN", hub.token(station))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// A running process's stdout, line by line. Taken once: a reader buffers ahead, so a new
/// reader per line would lose what the last one had read.
type Lines = tokio::io::Lines<BufReader<ChildStdout>>;

fn stdout_lines(child: &mut Child) -> Lines {
    BufReader::new(child.stdout.take().expect("a piped stdout")).lines()
}

/// Reads stdout lines until one satisfies `want`.
async fn line_where(lines: &mut Lines, want: impl Fn(&Value) -> bool) -> Value {
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
            if want(&v) {
                return v;
            }
        }
        panic!("stdout ended");
    })
    .await
    .expect("the line in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn say_waits_for_the_answer_that_listen_ack_gives() {
    let hub = TestHub::start().await;
    let mut bar = radio(&hub, "S1", &["listen", "--ack"]).spawn().unwrap();
    let mut bar_lines = stdout_lines(&mut bar);
    // Wait until the water bar is on the net (not just any station: SUP's own tablet, say),
    // reading from the start of the log in case it came on before SUP did.
    let from_start = tablet::Options {
        resume: Some(tablet::Resume {
            epoch: None,
            from: 1,
        }),
        ..tablet::Options::default()
    };
    let (mut sup, _) = hub.tablet_with("SUP", from_start).await;
    loop {
        let e = integration::expect_event(&mut sup, "station_online").await;
        if matches!(&e.what, EventKind::StationOnline { station } if station.to_string() == "S1") {
            break;
        }
    }

    let said = "我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。";
    let out = radio(&hub, "G1", &["say", said, "--wait-ack", "5"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = stdout.lines();
    let placed: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(placed["sentence"], said);
    let call_id = placed["call_id"].as_u64().unwrap();
    assert_eq!(placed["offset"].as_u64(), Some(call_id));
    let answered: Value = serde_json::from_str(lines.next().expect("the answer line")).unwrap();
    assert_eq!(answered["kind"], "call_answered");
    assert_eq!(answered["call_id"].as_u64(), Some(call_id));
    assert_eq!(answered["by"], "S1");

    // The listener printed the call as one JSON line with the documented top-level fields.
    let line = line_where(&mut bar_lines, |v| v["kind"] == "call_placed").await;
    assert!(line["offset"].is_u64());
    assert_eq!(line["call_id"].as_u64(), Some(call_id));
    assert_eq!(line["caller"], "G1");
    assert_eq!(line["target"], "S1");
    assert_eq!(line["intent"]["kind"], "drinks");
    assert_eq!(line["intent"]["room"], 1);
    assert_eq!(line["sentence"], said);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_call_exits_2_after_saying_the_target_is_offline() {
    let hub = TestHub::start().await;
    let out = radio(
        &hub,
        "G1",
        &[
            "say",
            // (Not 「VIP2客人已离去请前去打扫」: clearing a free room is refused by the board.)
            "我是大客户管家，呼叫水吧，请送两杯柠檬水至VIP2室，收到请回答。",
            "--wait-ack",
            "0.5",
        ],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("target_offline"), "{stderr}");
    assert!(stderr.contains("unanswered"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_cannot_say_what_another_post_says() {
    let hub = TestHub::start().await;
    let out = radio(
        &hub,
        "S1",
        &[
            "say",
            "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。",
        ],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("impersonation") || stderr.contains("speaks for"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_from_replays_the_log_first() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let placed = g1
        .say("我是大客户管家，呼叫水吧，请送咖啡至VIP3室，收到请回答。")
        .await
        .unwrap();
    let mut sup = radio(&hub, "SUP", &["listen", "--from", "1"])
        .spawn()
        .unwrap();
    let mut lines = stdout_lines(&mut sup);
    let first = line_where(&mut lines, |_| true).await;
    assert_eq!(first["offset"], 1);
    let replayed = line_where(&mut lines, |v| v["kind"] == "call_placed").await;
    assert_eq!(replayed["call_id"].as_u64(), Some(placed.call_id));
    assert_eq!(replayed["intent"]["drink"], "咖啡");
}

/// Runs `radio` as `station` to the end: exit code, stdout, stderr.
async fn run(hub: &TestHub, station: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = radio(hub, station, args).output().await.unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `radio state` as `station`: the snapshot it printed.
async fn state(hub: &TestHub, station: &str, extra: &[&str]) -> Value {
    let args: Vec<&str> = std::iter::once("state")
        .chain(extra.iter().copied())
        .collect();
    let (code, stdout, stderr) = run(hub, station, &args).await;
    assert_eq!(code, Some(0), "{stderr}");
    // Pretty-printed: more than one line, one JSON object.
    assert!(stdout.trim_end().lines().count() > 1, "{stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{stdout}: {e}"))
}

/// The `{"offset":N}` line of a tap that worked.
async fn tap(hub: &TestHub, station: &str, args: &[&str]) -> u64 {
    let args: Vec<&str> = std::iter::once("tap").chain(args.iter().copied()).collect();
    let (code, stdout, stderr) = run(hub, station, &args).await;
    assert_eq!(code, Some(0), "{args:?}: {stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v.as_object().map(|o| o.len()), Some(1), "{stdout}");
    v["offset"].as_u64().expect("an offset")
}

const APPOINTMENT: &str =
    "我是L1岗，呼叫接待中心，王先生一行3人已经抵达，请做好接待准备，收到请回答。";

/// The gate announces 王先生's group; returns its visit as `radio state` shows it to SUP.
async fn announce_wang(hub: &TestHub) -> Value {
    let (code, _, stderr) = run(hub, "L1", &["say", APPOINTMENT]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let s = state(hub, "SUP", &[]).await;
    let visitors = s["visitors"].as_array().expect("visitors");
    visitors
        .iter()
        .find(|v| v["who"] == "王先生")
        .unwrap_or_else(|| panic!("no 王先生 in {visitors:?}"))
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_who_signs_in_is_on_the_rota_and_next_up() {
    let hub = TestHub::start().await;
    let offset = tap(&hub, "X:张伟", &["sign-in"]).await;
    assert!(offset >= 1);

    let s = state(&hub, "SUP", &[]).await;
    assert!(s["offset"].as_u64().unwrap() >= offset, "{s}");
    let visit_duty = s["rota"]["visit"].as_array().expect("rota.visit");
    assert!(
        visit_duty.iter().any(|e| e["manager"] == "张伟"),
        "{visit_duty:?}"
    );
    assert_eq!(s["rota"]["next_up"], "张伟");

    // Signing in twice is refused by the rota, with its rule.
    let (code, stdout, stderr) = run(&hub, "X:张伟", &["tap", "sign-in"]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("refused (already_signed_in):"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_visit_flow_by_command_line() {
    let hub = TestHub::start().await;
    let wang = announce_wang(&hub).await;
    assert_eq!(wang["party"], 3);
    assert_eq!(wang["stage"], "at_gate");
    assert_eq!(wang["appointment"], true);
    let id = wang["id"].as_u64().expect("a visit id");
    let id_arg = id.to_string();

    // The door greets them.
    tap(&hub, "Y1", &["greeted", "--visit", &id_arg]).await;
    let s = state(&hub, "SUP", &["--json"]).await;
    let now = s["visitors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .expect("the same group")
        .clone();
    assert_eq!(now["stage"], "at_door", "{now}");
    assert!(now["times"]["at_door"].is_u64(), "{now}");

    // The car park does not greet at the door.
    let (code, stdout, stderr) = run(&hub, "L2", &["tap", "greeted", "--visit", &id_arg]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("refused (wrong_post):"), "{stderr}");

    // Nor can anyone tap a group that is not there.
    let (code, _, stderr) = run(&hub, "Y1", &["tap", "greeted", "--visit", "99999"]).await;
    assert_eq!(code, Some(1));
    assert!(stderr.contains("refused (no_such_visit):"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_counts_the_days_groups_and_refuses_a_bad_date() {
    let hub = TestHub::start().await;
    let wang = announce_wang(&hub).await;
    let id = wang["id"].as_u64().unwrap().to_string();
    tap(&hub, "Y1", &["greeted", "--visit", &id]).await;

    // Any post may ask for the report.
    let (code, stdout, stderr) = run(&hub, "S1", &["report"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{stdout}: {e}"));
    assert!(
        report["visitor_groups"]["total"].as_u64().unwrap() >= 1,
        "{report}"
    );
    assert!(report["visitor_groups"]["appointment"].as_u64().unwrap() >= 1);
    assert!(
        report["gate_to_door_ms"]["n"].as_u64().unwrap() >= 1,
        "{report}"
    );
    assert!(report["date"].is_string());

    // The same day asked for by date, over JSON.
    let date = report["date"].as_str().unwrap().to_owned();
    let (code, stdout, stderr) = run(&hub, "L1", &["report", "--date", &date, "--json"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let again: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(again["visitor_groups"], report["visitor_groups"]);

    let (code, stdout, stderr) = run(&hub, "SUP", &["report", "--date", "2026-13-40"]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("bad_date"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisor_sets_the_modes_with_a_time_people_write() {
    let hub = TestHub::start().await;
    tap(
        &hub,
        "SUP",
        &[
            "set-mode",
            "--important-event-at",
            "2099-05-01T14:00",
            "--rain",
        ],
    )
    .await;
    let s = state(&hub, "SUP", &[]).await;
    assert_eq!(s["mode"]["rain"], true, "{}", s["mode"]);
    assert_eq!(s["mode"]["media_day"], false);
    // 14:00 in the gallery (+08:00) is 06:00 UTC.
    assert_eq!(s["mode"]["important_event_at"], 4_081_298_400_000u64);

    // Only the supervisor sets modes.
    let (code, _, stderr) = run(&hub, "L1", &["tap", "set-mode", "--media-day"]).await;
    assert_eq!(code, Some(1));
    assert!(stderr.contains("refused (wrong_post):"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_without_an_offset_is_read_in_the_sites_time_zone_not_chinas() {
    let keep = tempfile::tempdir().unwrap();
    // A gallery in Dubai, four hours behind Shanghai.
    let hub = TestHub::start_in(&keep.path().join("data"), |config| {
        let site = hub::Site::from_toml(
            "name = 'Dubai Hills'\nposts = ['L1', 'RC', 'SUP']\nvip_rooms = [1]\ntime_zone = 'Asia/Dubai'",
        )
        .unwrap();
        *config = config.clone().with_site(site);
    })
    .await;
    tap(
        &hub,
        "SUP",
        &["set-mode", "--important-event-at", "2099-05-01T10:00"],
    )
    .await;
    let s = state(&hub, "SUP", &[]).await;
    // 10:00 in Dubai (+04:00) is 06:00 UTC: the same moment as 14:00 in Shanghai.
    assert_eq!(s["mode"]["important_event_at"], 4_081_298_400_000u64);
    // An explicit offset wins over the site's zone.
    tap(
        &hub,
        "SUP",
        &["set-mode", "--important-event-at", "2099-05-01T14:00+08:00"],
    )
    .await;
    let s = state(&hub, "SUP", &[]).await;
    assert_eq!(s["mode"]["important_event_at"], 4_081_298_400_000u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_rides_out_a_hub_restart_with_no_gap_and_no_double() {
    let keep = tempfile::tempdir().unwrap();
    let data = keep.path().join("data");
    let hub = TestHub::start_in(&data, |_| {}).await;
    let addr = hub.addr;
    // From offset 1, so the first call is printed even if it goes out before listen joins.
    let mut bar = radio(&hub, "S1", &["listen", "--from", "1"])
        .spawn()
        .unwrap();
    let stdout = bar.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut next_line = async move || -> Value {
        let line = tokio::time::timeout(Duration::from_secs(15), lines.next_line())
            .await
            .expect("a line in time")
            .unwrap()
            .expect("listen is still running");
        serde_json::from_str(&line).unwrap()
    };
    let mut seen = Vec::new();
    let mut g1 = hub.tablet("G1").await;
    // Wait until the listener is on the net: its first call comes through.
    let first = g1
        .say("我是大客户管家，呼叫水吧，请送咖啡至VIP1室，收到请回答。")
        .await
        .unwrap();
    loop {
        let v = next_line().await;
        seen.push(v["offset"].as_u64().unwrap());
        if v["kind"] == "call_placed" && v["call_id"].as_u64() == Some(first.call_id) {
            break;
        }
    }
    drop(g1);
    hub.stop().await;

    let hub = TestHub::start_at(&data, addr, |_| {}).await;
    let mut g1 = hub.tablet("G1").await;
    let second = g1
        .say("我是大客户管家，呼叫水吧，请送绿茶至VIP2室，收到请回答。")
        .await
        .unwrap();
    loop {
        let v = next_line().await;
        seen.push(v["offset"].as_u64().unwrap());
        if v["kind"] == "call_placed" && v["call_id"].as_u64() == Some(second.call_id) {
            break;
        }
    }
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "no double, in order: {seen:?}"
    );
    let _ = bar.kill().await;
}

const WALK_IN: &str =
    "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。";
const HEADING_IN: &str = "我是L1岗，呼叫接待中心，王先生一行3人已前往展示中心，收到请回答。";

/// Waits for `station`'s presence to change to `kind` (`station_online`, `station_offline`), as
/// the supervisor's tablet — connected before the change — sees it.
async fn presence(sup: &mut tablet::Tablet, kind: &str, station: &str) {
    loop {
        let e = integration::expect_event(sup, kind).await;
        let s = match &e.what {
            EventKind::StationOnline { station } | EventKind::StationOffline { station } => {
                station.to_string()
            }
            _ => continue,
        };
        if s == station {
            return;
        }
    }
}

/// The answer the gate hears for `call_id`, as its tablet sees the `call_answered` event.
async fn answer_heard(gate: &mut tablet::Tablet, call_id: u64) -> String {
    loop {
        let e = integration::expect_event(gate, "call_answered").await;
        if let EventKind::CallAnswered {
            call_id: id,
            answer,
            ..
        } = e.what
        {
            if id == call_id {
                return serde_json::to_value(answer)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned();
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn say_with_an_answer_answers_the_oldest_open_call_for_this_post_that_takes_it() {
    let hub = TestHub::start().await;
    let mut gate = hub.tablet("L1").await;
    let _rc = hub.tablet("RC").await;
    let first_query = gate.say(WALK_IN).await.unwrap().call_id;
    let heading_in = gate.say(HEADING_IN).await.unwrap().call_id;
    let second_query = gate.say(WALK_IN).await.unwrap().call_id;

    // 可以接待 skips the heading-in call (it takes only 收到) and goes to the oldest query.
    let (code, stdout, stderr) = run(&hub, "RC", &["say", "可以接待"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let said: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(said["call_id"].as_u64(), Some(first_query), "{said}");
    assert_eq!(said["answer"], "can_receive");
    assert_eq!(said["sentence"], WALK_IN, "it names the call it answered");
    assert!(said["offset"].as_u64().unwrap() > second_query);
    assert_eq!(answer_heard(&mut gate, first_query).await, "can_receive");

    let (code, stdout, stderr) = run(&hub, "RC", &["say", "收到"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let said: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(said["call_id"].as_u64(), Some(heading_in), "{said}");
    assert_eq!(answer_heard(&mut gate, heading_in).await, "received");

    let (code, stdout, stderr) = run(&hub, "RC", &["--json", "say", "无法接待"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let said: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(said["call_id"].as_u64(), Some(second_query), "{said}");
    assert_eq!(
        answer_heard(&mut gate, second_query).await,
        "cannot_receive"
    );

    // Nothing left to answer: a clear refusal, nothing sent.
    let (code, stdout, stderr) = run(&hub, "RC", &["say", "收到"]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("no open call"), "{stderr}");
    assert!(stderr.contains("radio answer"), "{stderr}");
    // Another post's call is not this post's to answer.
    gate.say(WALK_IN).await.unwrap();
    let (code, _, stderr) = run(&hub, "S1", &["say", "可以接待"]).await;
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no open call"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn radio_answer_answers_a_call_by_its_id_with_the_word_given() {
    let hub = TestHub::start().await;
    let mut gate = hub.tablet("L1").await;
    let _rc = hub.tablet("RC").await;
    let query = gate.say(WALK_IN).await.unwrap().call_id;
    let heading_in = gate.say(HEADING_IN).await.unwrap().call_id;

    // The wrong word for the call: refused by the hub, saying which words it takes.
    let (code, stdout, stderr) = run(&hub, "RC", &["answer", &query.to_string(), "收到"]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stderr.contains("bad_answer"), "{stderr}");
    assert!(stderr.contains("可以接待"), "{stderr}");

    let (code, stdout, stderr) = run(&hub, "RC", &["answer", &query.to_string(), "无法接待"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let said: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(said["call_id"].as_u64(), Some(query));
    assert_eq!(said["answer"], "cannot_receive");
    assert!(said["offset"].is_u64());
    assert_eq!(answer_heard(&mut gate, query).await, "cannot_receive");

    // The wire's own names work too.
    let (code, _, stderr) = run(&hub, "RC", &["answer", &heading_in.to_string(), "received"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(answer_heard(&mut gate, heading_in).await, "received");

    // A word that is no answer is refused before connecting.
    let (code, _, stderr) = run(&hub, "RC", &["answer", "7", "好的"]).await;
    assert_eq!(code, Some(2), "clap's usage error");
    assert!(stderr.contains("收到"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_ack_answers_every_call_for_it_and_walk_in_queries_as_told() {
    let hub = TestHub::start().await;
    let mut gate = hub.tablet("L1").await;
    let mut sup = hub.tablet("SUP").await;
    for (flags, walk_in) in [
        (&["listen", "--ack"][..], "can_receive"),
        (
            &["listen", "--ack", "--walk-in", "cannot"][..],
            "cannot_receive",
        ),
        (&["listen", "--ack", "--walk-in", "can"][..], "can_receive"),
    ] {
        let mut desk = radio(&hub, "RC", flags).spawn().unwrap();
        presence(&mut sup, "station_online", "RC").await;
        let query = gate.say(WALK_IN).await.unwrap().call_id;
        assert_eq!(answer_heard(&mut gate, query).await, walk_in, "{flags:?}");
        let heading_in = gate.say(HEADING_IN).await.unwrap().call_id;
        assert_eq!(answer_heard(&mut gate, heading_in).await, "received");
        let _ = desk.kill().await;
        let _ = desk.wait().await;
        presence(&mut sup, "station_offline", "RC").await;
    }
    // --walk-in only makes sense with --ack.
    let (code, _, stderr) = run(&hub, "RC", &["listen", "--walk-in", "can"]).await;
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--ack"), "{stderr}");
}
