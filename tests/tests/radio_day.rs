//! A whole gallery day played the way the staff play it: spoken in the seeds' own sentences, every
//! post answering 收到, and not one status tap. The hub's clock is hand-set and moved forward as
//! the day goes, so the board's real time limits apply (5 minutes to receive a group at the door,
//! 10 for an order, …) and a false alarm would show. After each step the test checks the board
//! the supervisor would expect, and at the end the day's report.

use integration::{Site, order, room, visitor};
use protocol::{Answer, Command, ReplyBody, Tap};
use serde_json::Value;

/// 2026-11-28 09:00 in the gallery's time zone (UTC+8).
const NINE: u64 = 1_795_827_600_000;
const MIN: u64 = 60_000;

/// The site at nine in the morning, every post's tablet on.
async fn open() -> Site {
    let mut site = Site::from(NINE, |_| {}).await;
    site.connect(&[
        "SUP", "L1", "L2", "Y1", "Y2", "RC", "G1", "S1", "OPS", "LOBBY", "MODEL", "X:张伟",
        "X:李娜", "X:王强",
    ])
    .await;
    site
}

/// The board as the supervisor sees it, checked for the one thing a calm day never has: an
/// alarm (or an escalation).
async fn calm_board(site: &mut Site) -> Value {
    let s = site.state().await;
    assert_eq!(
        s["alerts"].as_array().map(Vec::len),
        Some(0),
        "a false alarm: {}",
        s["alerts"]
    );
    assert_eq!(s["counts"]["escalated"], 0, "an escalation: {s}");
    s
}

/// The day's report, as the supervisor asks for it.
async fn report(site: &mut Site) -> Value {
    match site
        .tablet("SUP")
        .command(Command::Report {
            date: Some("2026-11-28".into()),
        })
        .await
        .unwrap()
    {
        ReplyBody::Report { report } => report,
        other => panic!("{other:?}"),
    }
}

const GOT: Answer = Answer::Received;

fn stage(s: &Value, who: &str) -> String {
    visitor(s, who)["stage"].as_str().unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_radio_only_day_keeps_the_board_with_the_site_and_reports_it_whole() {
    let mut site = open().await;
    let door = [("L2", GOT), ("Y1", GOT), ("Y2", GOT)];

    // 09:00 — an appointment at the gate: reception told, the whole site told.
    site.say(
        "L1",
        "我是L1岗，呼叫接待中心，王先生一行3人已经抵达，请做好接待准备，收到请回答。",
        &[("RC", GOT)],
    )
    .await;
    site.say(
        "L1",
        "我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，体貌特征：黑色轿车，收到请回答。",
        &door,
    )
    .await;
    let s = calm_board(&mut site).await;
    assert_eq!(stage(&s, "王先生"), "parking");
    assert_eq!(
        s["visitors"].as_array().unwrap().len(),
        1,
        "one group, once"
    );
    assert_eq!(s["open_calls"].as_array().unwrap().len(), 0, "all answered");

    // 09:02 — the desk gives the group to 张伟, who meets them at the door.
    site.at(2);
    site.say(
        "RC",
        "我是接待中心，呼叫大客户经理张伟，预约客户王先生一行3人已到，请您接待，收到请回答。",
        &[("X:张伟", GOT)],
    )
    .await;
    let s = calm_board(&mut site).await;
    assert_eq!(stage(&s, "王先生"), "with_manager");
    assert_eq!(visitor(&s, "王先生")["manager"], "X:张伟");
    assert_eq!(
        s["rota"]["visit"][0]["manager"], "张伟",
        "on duty by his 收到"
    );
    assert_eq!(s["rota"]["visit"][0]["busy"], true);
    // The supervisor looks at the day's report as it goes: the hub keeps what it read and reads
    // on from there next time.
    let so_far = report(&mut site).await;
    assert_eq!(so_far["visitor_groups"]["total"], 1, "{so_far}");

    // 09:20 — after the model, a VIP room; the butler has it ready; water goes in.
    site.at(20);
    site.say(
        "X:张伟",
        "我是大客户经理张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话。",
        &[("G1", GOT)],
    )
    .await;
    assert_eq!(room(&calm_board(&mut site).await, 1)["state"], "preparing");
    site.at(22);
    site.say(
        "G1",
        "我是管家，呼叫大客户经理张伟，VIP1已经做好接待准备。",
        &[],
    )
    .await;
    assert_eq!(room(&calm_board(&mut site).await, 1)["state"], "ready");
    site.at(23);
    let water = site
        .say(
            "X:张伟",
            "我是大客户经理张伟，呼叫水吧，请送三杯柠檬水至VIP1室，收到请回答。",
            &[("S1", GOT)],
        )
        .await;
    let s = calm_board(&mut site).await;
    assert_eq!(room(&s, 1)["state"], "occupied", "the call naming the room");
    assert_eq!(stage(&s, "王先生"), "in_vip");
    assert_eq!(order(&s, water)["state"], "acknowledged");

    // 09:30 — an ID copy, documents; the water bar restocks.
    site.at(30);
    let id_copy = site
        .say(
            "X:张伟",
            "我是大客户经理张伟，呼叫大客户管家，VIP1需要复印身份证，收到请回话。",
            &[("G1", GOT)],
        )
        .await;
    let s = calm_board(&mut site).await;
    assert_eq!(order(&s, water)["state"], "done", "done a while after 收到");
    assert_eq!(order(&s, id_copy)["state"], "acknowledged");
    site.say(
        "X:张伟",
        "我是大客户经理张伟，呼叫大客户管家，请准备2份户型资料放至前台处，收到请回话。",
        &[("G1", GOT)],
    )
    .await;
    site.say(
        "S1",
        "我是水吧，呼叫操作间，请将柠檬和纸杯送至水吧台，收到请回话。",
        &[("OPS", GOT)],
    )
    .await;

    // 09:40 — a walk-in: the desk can take them; the gate sends them in.
    site.at(40);
    site.say(
        "L1",
        "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。",
        &[("RC", Answer::CanReceive)],
    )
    .await;
    site.at(41);
    site.say(
        "L1",
        "我是L1岗，呼叫接待中心，李小姐一行两位已前往展示中心，收到请回答。",
        &[("RC", GOT)],
    )
    .await;
    site.say(
        "L1",
        "我是L1岗，呼叫各岗位，非预约客户李小姐到访，共2人，请各岗位做好接待工作，收到请回答。",
        &door,
    )
    .await;
    let s = calm_board(&mut site).await;
    assert_eq!(stage(&s, "李小姐"), "parking");
    assert_eq!(
        s["visitors"].as_array().unwrap().len(),
        2,
        "the query, the heading-in and the broadcast are one group"
    );
    site.at(43);
    // 「李经理」: the one manager of that surname on duty.
    site.say(
        "RC",
        "我是接待中心，呼叫李经理，李小姐一行2人到访，轮到您接待，收到请回答。",
        &[("X:李娜", GOT)],
    )
    .await;
    let s = calm_board(&mut site).await;
    assert_eq!(stage(&s, "李小姐"), "with_manager");
    assert_eq!(visitor(&s, "李小姐")["manager"], "X:李娜");
    site.at(45);
    let water = site
        .say(
            "X:李娜",
            "我是置业顾问李娜，呼叫水吧，请送两杯温水至接待区，收到请回答。",
            &[("S1", GOT)],
        )
        .await;
    let s = calm_board(&mut site).await;
    assert!(order(&s, water)["room"].is_null(), "the reception area");
    assert_eq!(order(&s, water)["state"], "acknowledged");

    // 09:50 — another walk-in the desk cannot take now.
    site.at(50);
    site.say(
        "L1",
        "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。",
        &[("RC", Answer::CannotReceive)],
    )
    .await;
    let s = calm_board(&mut site).await;
    let declined = s["visitors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["stage"] == "declined")
        .count();
    assert_eq!(declined, 1);

    // 10:10 — 王先生 leaves VIP1; the butler answers the departure call, as in the seed.
    site.at(70);
    site.say(
        "X:张伟",
        "我是大客户经理张伟，呼叫接待中心，VIP1室王先生即将离场请做好准备，收到请回话。",
        &[("G1", GOT)],
    )
    .await;
    assert_eq!(stage(&calm_board(&mut site).await, "王先生"), "departing");
    site.at(71);
    let taxi = site
        .say(
            "X:张伟",
            "我是大客户经理张伟，呼叫L1岗，请帮王先生叫一辆出租车，谢谢。",
            &[("L1", GOT)],
        )
        .await;
    // 10:21 — the butler sends the water bar to VIP1; the group is still here for its taxi.
    site.at(81);
    site.say(
        "G1",
        "我是大客户管家，呼叫水吧，VIP1客人已离去请前去打扫，收到请回话。",
        &[("S1", GOT)],
    )
    .await;
    let s = calm_board(&mut site).await;
    assert_eq!(room(&s, 1)["state"], "to_clear");
    assert_eq!(stage(&s, "王先生"), "departing", "waiting for the taxi");
    site.at(85);
    // The seed's own short form: no 「我是」, the manager addressed by name.
    site.say(
        "L1",
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号码粤B12345。",
        &[("X:张伟", GOT)],
    )
    .await;
    let s = calm_board(&mut site).await;
    assert_eq!(stage(&s, "王先生"), "left", "the taxi came");
    assert_eq!(order(&s, taxi)["state"], "done");
    assert_eq!(order(&s, taxi)["detail"], "王先生的出租车（车牌粤B12345）");
    assert_eq!(room(&s, 1)["state"], "free", "cleared a while after 收到");
    assert_eq!(s["rota"]["visit"][0]["busy"], false, "张伟 is free again");

    // 10:25 — rain. The supervisor switches the site's mode (the one control that is no call).
    site.at(85);
    site.tablet("SUP")
        .tap(Tap::SetMode {
            important_event_at: None,
            media_day: false,
            rain: true,
        })
        .await
        .unwrap();
    // Again at mid-morning: read on from where the first look stopped, and from here the next
    // look reads on from where this one stopped in the log's file.
    let mid = report(&mut site).await;
    assert_eq!(mid["visitor_groups"]["total"], 3, "{mid}");

    // 10:30 — 赵女士 by appointment, for 王强; VIP1 again, now free.
    site.at(90);
    site.say(
        "L1",
        "我是L1岗，呼叫接待中心，赵女士一行2位已经到达，请做好接待准备，收到请回答。",
        &[("RC", GOT)],
    )
    .await;
    site.say(
        "L1",
        "我是L1岗，呼叫各岗位，预约客户赵女士到访，共2人，请各岗位做好接待工作，白色SUV，收到请回答。",
        &door,
    )
    .await;
    assert_eq!(
        visitor(&calm_board(&mut site).await, "赵女士")["description"],
        "白色SUV"
    );
    let rain = integration::expect_event(site.tablet("MODEL"), "announcement").await;
    assert!(format!("{rain:?}").contains("鞋套"), "{rain:?}");
    site.at(92);
    site.say(
        "RC",
        "我是接待中心，呼叫大客户经理王强，预约客户赵女士一行2人已到，请您接待，收到请回答。",
        &[("X:王强", GOT)],
    )
    .await;
    // A hail first, then the matter, as rule 2 of the discipline has it.
    site.at(100);
    site.say(
        "X:王强",
        "我是大客户经理王强，呼叫大客户管家，收到请回答。",
        &[("G1", GOT)],
    )
    .await;
    site.say(
        "X:王强",
        "赵女士要去VIP室，请做好接待准备。",
        &[("G1", GOT)],
    )
    .await;
    let s = calm_board(&mut site).await;
    assert!(visitor(&s, "赵女士")["times"]["room_requested"].is_u64());
    assert_eq!(room(&s, 1)["state"], "preparing", "the butler's 收到");
    assert_eq!(room(&s, 1)["manager"], "X:王强");
    site.say(
        "G1",
        "我是管家，呼叫大客户经理王强，VIP1已经做好接待准备。",
        &[],
    )
    .await;
    site.at(101);
    site.say(
        "X:王强",
        "我是大客户经理王强，呼叫水吧，请送两杯热茶至VIP1，收到请回答。",
        &[("S1", GOT)],
    )
    .await;
    let s = calm_board(&mut site).await;
    assert_eq!(room(&s, 1)["state"], "occupied");
    assert_eq!(
        room(&s, 1)["manager"],
        "X:王强",
        "the room reused by another visit"
    );
    assert_eq!(stage(&s, "赵女士"), "in_vip");

    // 10:41 — 陈先生 by appointment for 张伟, a tour of the model house.
    site.say(
        "L1",
        "我是L1岗，呼叫接待中心，预约客户陈先生一行4人已经抵达，请做好接待准备，收到请回答。",
        &[("RC", GOT)],
    )
    .await;
    site.say(
        "L1",
        "我是L1岗，呼叫各岗位，预约客户陈先生到访，共4人，请各岗位做好接待工作，收到请回答。",
        &door,
    )
    .await;
    site.at(103);
    site.say(
        "RC",
        "我是接待中心，呼叫大客户经理张伟，预约客户陈先生一行4人已到，请您接待，收到请回答。",
        &[("X:张伟", GOT)],
    )
    .await;
    site.at(110);
    site.say(
        "LOBBY",
        "我是大堂岗，呼叫样板房，4位客人已乘电梯上楼，请做好接待准备，收到请回答。",
        &[("MODEL", GOT)],
    )
    .await;
    assert_eq!(stage(&calm_board(&mut site).await, "陈先生"), "model_house");
    site.at(125);
    site.say(
        "MODEL",
        "我是样板房，呼叫大堂岗，4位客人已乘电梯下楼，请做好接待准备，收到请回答。",
        &[("LOBBY", GOT)],
    )
    .await;
    assert_eq!(
        stage(&calm_board(&mut site).await, "陈先生"),
        "with_manager"
    );

    // 11:10 — 李小姐 is seen off; 赵女士 leaves VIP1 and the room is cleared.
    site.at(130);
    site.say(
        "X:李娜",
        "我是置业顾问李娜，呼叫接待中心，李小姐即将离场，请做好送客准备，收到请回答。",
        &[("RC", GOT)],
    )
    .await;
    site.say(
        "X:王强",
        "我是大客户经理王强，呼叫接待中心，VIP1室赵女士即将离场请做好准备，收到请回话。",
        &[("RC", GOT)],
    )
    .await;
    site.at(132);
    site.say(
        "G1",
        "我是大客户管家，呼叫水吧，VIP1客人已离去请前去打扫，收到请回话。",
        &[("S1", GOT)],
    )
    .await;
    site.at(140);
    site.say(
        "X:张伟",
        "我是大客户经理张伟，呼叫接待中心，陈先生即将离场，请做好送客准备，收到请回答。",
        &[("RC", GOT)],
    )
    .await;
    // The send-off line-up: everyone at the reception waits at the entrance post.
    site.say(
        "G1",
        "我是大客户管家，呼叫各岗位，陈先生即将离场，请各岗位到入口礼宾岗恭候送客，收到请回答。",
        &[
            ("L1", GOT),
            ("L2", GOT),
            ("Y1", GOT),
            ("Y2", GOT),
            ("RC", GOT),
            ("S1", GOT),
        ],
    )
    .await;
    let s = calm_board(&mut site).await;
    assert_eq!(s["open_calls"].as_array().unwrap().len(), 0, "{s}");
    assert_eq!(
        s["visitors"].as_array().unwrap().len(),
        5,
        "「预约客户陈先生」 is 陈先生, not a second group"
    );

    // 11:40 — everyone has gone; every room free, every order done, nobody busy.
    site.at(160);
    let s = calm_board(&mut site).await;
    for who in ["王先生", "李小姐", "赵女士", "陈先生"] {
        assert_eq!(stage(&s, who), "left", "{who}");
    }
    for k in 1..=3 {
        assert_eq!(room(&s, k)["state"], "free", "VIP{k}");
    }
    for o in s["orders"].as_array().unwrap() {
        assert_eq!(o["state"], "done", "{o}");
    }
    assert!(
        s["rota"]["visit"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["busy"] == false),
        "{}",
        s["rota"]
    );
    assert_eq!(s["open_calls"].as_array().unwrap().len(), 0);

    // The day's report: every group once, the times from the gate measured.
    let report = report(&mut site).await;
    let groups = &report["visitor_groups"];
    assert_eq!(groups["total"], 5, "{report}");
    assert_eq!(groups["appointment"], 3, "{report}");
    assert_eq!(groups["walk_in"], 2, "{report}");
    assert_eq!(groups["declined"], 1, "{report}");
    assert_eq!(report["gate_to_door_ms"]["n"], 4, "{report}");
    assert_eq!(report["gate_to_door_ms"]["median"], 2 * MIN, "{report}");
    assert_eq!(report["gate_to_vip_ms"]["n"], 2, "{report}");
    assert_eq!(report["calls"]["escalated"], 0, "{report}");
    assert_eq!(report["calls"]["repeated"], 0, "{report}");
    assert_eq!(report["room_turnover"]["VIP1"], 2, "{report}");
    let turns = &report["turns"];
    assert_eq!(turns["X:张伟"], 2, "{report}");
    // The report read on through the day says what the day read whole from the log says.
    let zone = hub::Config::new(&site.hub.data).rules.zone;
    let day = hub::calendar::parse_date("2026-11-28").unwrap();
    let (seed, events) = hub::daybook::open(&site.hub.data.join("log"), day, &zone).unwrap();
    let whole = hub::board::report::build(seed, events.map(Result::unwrap), day, &zone);
    assert_eq!(report, whole);
    site.hub.stop().await;
}
