//! Whole visits through a real hub, as standard sentences and status taps, with the site's state
//! checked after each step; contradictions refused with the holder named and nothing changed;
//! modes, alarms, the report; and the state rebuilt identically from the log after a restart.

use integration::{TestHub, expect_event, order, room, state, tap, visitor};
use protocol::{Answer, Command, ErrorCode, EventKind, ReplyBody, Tap};
use serde_json::Value;
use tablet::{Tablet, TabletError};

const ZHANG: &str = "X:张伟";

fn refused_rule(e: TabletError) -> String {
    match e {
        TabletError::Refused {
            code: ErrorCode::Refused,
            rule: Some(rule),
            ..
        } => rule,
        other => panic!("expected a refusal, got {other}"),
    }
}

/// Says a call and has its target answer 收到.
async fn call_and_answer(caller: &mut Tablet, target: &mut Tablet, sentence: &str) -> u64 {
    let placed = caller
        .say(sentence)
        .await
        .unwrap_or_else(|e| panic!("{sentence}: {e}"));
    target
        .answer(placed.call_id, Answer::Received)
        .await
        .unwrap();
    placed.call_id
}

/// The board part of a snapshot: what must be rebuilt identically from the log.
fn board(s: &Value) -> Value {
    serde_json::json!({
        "visitors": s["visitors"], "rooms": s["rooms"], "orders": s["orders"],
        "rota": s["rota"], "mode": s["mode"], "alerts": s["alerts"],
        "open_calls": s["open_calls"], "counts": s["counts"],
    })
}

#[tokio::test]
async fn an_appointment_visit_from_the_gate_to_goodbye() {
    let hub = TestHub::start().await;
    let mut l1 = hub.tablet("L1").await;
    let mut rc = hub.tablet("RC").await;
    let mut l2 = hub.tablet("L2").await;
    let mut y1 = hub.tablet("Y1").await;
    let mut x = hub.tablet(ZHANG).await;
    let mut g1 = hub.tablet("G1").await;
    let mut s1 = hub.tablet("S1").await;
    let mut sup = hub.tablet("SUP").await;

    // The gate: an appointment has arrived, and the whole site is told.
    call_and_answer(
        &mut l1,
        &mut rc,
        "我是L1岗，呼叫接待中心，王先生一行3人已经抵达，请做好接待准备，收到请回答。",
    )
    .await;
    let s = state(&mut sup).await;
    let v = visitor(&s, "王先生");
    assert_eq!(
        (
            v["party"].as_u64(),
            v["stage"].as_str(),
            v["appointment"].as_bool()
        ),
        (Some(3), Some("at_gate"), Some(true))
    );
    let id = v["id"].as_u64().unwrap();
    l1.say("我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，体貌特征：黑色轿车，收到请回答。").await.unwrap();
    let s = state(&mut sup).await;
    assert_eq!(visitor(&s, "王先生")["stage"], "parking");
    assert_eq!(visitor(&s, "王先生")["description"], "黑色轿车");
    assert_eq!(
        visitor(&s, "王先生")["id"].as_u64(),
        Some(id),
        "the broadcast is about the same group"
    );

    // Parked, greeted at the door, taken over by a client manager: one tap each.
    tap(&mut l2, Tap::Parked { visit: id }).await.unwrap();
    assert!(visitor(&state(&mut sup).await, "王先生")["times"]["parked"].is_u64());
    tap(&mut y1, Tap::Greeted { visit: id }).await.unwrap();
    assert_eq!(
        visitor(&state(&mut sup).await, "王先生")["stage"],
        "at_door"
    );
    tap(&mut x, Tap::TookOver { visit: id }).await.unwrap();
    let s = state(&mut sup).await;
    assert_eq!(visitor(&s, "王先生")["stage"], "with_manager");
    assert_eq!(visitor(&s, "王先生")["manager"], ZHANG);

    // A VIP room: asked of the butler, prepared, reported ready, entered.
    call_and_answer(
        &mut x,
        &mut g1,
        "我是大客户经理张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话。",
    )
    .await;
    let s = state(&mut sup).await;
    assert_eq!(room(&s, 1)["state"], "preparing");
    assert_eq!(room(&s, 1)["manager"], ZHANG);
    g1.say("我是管家，呼叫大客户经理张伟，VIP1已经做好接待准备。")
        .await
        .unwrap();
    assert_eq!(room(&state(&mut sup).await, 1)["state"], "ready");
    tap(&mut x, Tap::EnteredVip { visit: id, room: 1 })
        .await
        .unwrap();
    let s = state(&mut sup).await;
    assert_eq!(room(&s, 1)["state"], "occupied");
    assert_eq!(room(&s, 1)["visit"].as_u64(), Some(id));
    assert_eq!(visitor(&s, "王先生")["stage"], "in_vip");
    assert_eq!(visitor(&s, "王先生")["room"], 1);

    // Drinks: an order the water bar sees as asked → acknowledged → done.
    let drinks = x
        .say("我是大客户经理张伟，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。")
        .await
        .unwrap()
        .call_id;
    let bar = state(&mut s1).await;
    assert_eq!(order(&bar, drinks)["state"], "asked");
    assert_eq!(order(&bar, drinks)["detail"], "两杯柠檬水");
    s1.answer(drinks, Answer::Received).await.unwrap();
    assert_eq!(
        order(&state(&mut s1).await, drinks)["state"],
        "acknowledged"
    );
    tap(&mut s1, Tap::OrderDone { order: drinks })
        .await
        .unwrap();
    assert_eq!(order(&state(&mut s1).await, drinks)["state"], "done");

    // Leaving: reception told, a taxi called and arrived with its plate.
    call_and_answer(
        &mut x,
        &mut rc,
        "我是大客户经理张伟，呼叫接待中心，VIP1室王先生即将离场请做好准备，收到请回话。",
    )
    .await;
    assert_eq!(
        visitor(&state(&mut sup).await, "王先生")["stage"],
        "departing"
    );
    let taxi = call_and_answer(
        &mut x,
        &mut l1,
        "我是大客户经理张伟，呼叫L1岗，请帮王先生叫一辆出租车，谢谢。",
    )
    .await;
    assert_eq!(order(&state(&mut sup).await, taxi)["state"], "acknowledged");
    call_and_answer(
        &mut l1,
        &mut x,
        "我是L1岗，呼叫大客户经理张伟，您的客户王先生需要的出租车已经叫到，车牌号粤B12345。",
    )
    .await;
    let s = state(&mut sup).await;
    assert_eq!(order(&s, taxi)["state"], "done");
    assert!(
        order(&s, taxi)["detail"]
            .as_str()
            .unwrap()
            .contains("粤B12345")
    );

    // The room: the butler sends the water bar to clear it; cleared, it is free again.
    call_and_answer(
        &mut g1,
        &mut s1,
        "我是大客户管家，呼叫水吧，VIP1客人已离去请前去打扫，收到请回话。",
    )
    .await;
    let s = state(&mut sup).await;
    assert_eq!(room(&s, 1)["state"], "to_clear");
    assert!(visitor(&s, "王先生")["room"].is_null());
    call_and_answer(
        &mut s1,
        &mut g1,
        "我是水吧，呼叫大客户管家，VIP1已打扫完毕，可以接待，收到请回答。",
    )
    .await;
    assert_eq!(room(&state(&mut sup).await, 1)["state"], "free");

    // The taxi came: the group has left, with no tap.
    let s = state(&mut sup).await;
    let v = visitor(&s, "王先生");
    assert_eq!(v["stage"], "left");
    for stage in [
        "at_gate",
        "parking",
        "at_door",
        "with_manager",
        "in_vip",
        "departing",
        "left",
    ] {
        assert!(v["times"][stage].is_u64(), "no time for {stage}: {v}");
    }
    assert!(s["alerts"].as_array().unwrap().is_empty());

    // The day's report reads it all back from the log.
    let report = match sup.command(Command::Report { date: None }).await.unwrap() {
        ReplyBody::Report { report } => report,
        other => panic!("{other:?}"),
    };
    assert_eq!(report["visitor_groups"]["appointment"], 1);
    assert_eq!(report["room_turnover"]["VIP1"], 1);
    assert!(
        report["ack_latency_ms"]["S1"]["n"].as_u64().unwrap() >= 2,
        "{report}"
    );
    assert!(report["gate_to_door_ms"]["median"].is_u64(), "{report}");
    assert!(report["gate_to_vip_ms"]["median"].is_u64(), "{report}");
    let (status, http) =
        integration::http_get(hub.addr, "/api/report", Some(&hub.token("SUP"))).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&http).unwrap()["visitor_groups"],
        report["visitor_groups"]
    );
}

#[tokio::test]
async fn a_walk_in_waits_for_reception_and_is_taken_or_declined() {
    let hub = TestHub::start().await;
    let mut l1 = hub.tablet("L1").await;
    let mut rc = hub.tablet("RC").await;
    let mut sup = hub.tablet("SUP").await;
    let ask = "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。";
    let query = l1.say(ask).await.unwrap().call_id;
    let s = state(&mut sup).await;
    let waiting = &s["visitors"][0];
    assert_eq!(waiting["stage"], "awaiting_reception");
    assert!(waiting["who"].is_null());
    rc.answer(query, Answer::CanReceive).await.unwrap();
    call_and_answer(
        &mut l1,
        &mut rc,
        "我是L1岗，呼叫接待中心，李小姐一行两人已前往展示中心，收到请回答。",
    )
    .await;
    let s = state(&mut sup).await;
    let v = visitor(&s, "李小姐");
    assert_eq!(v["id"].as_u64(), Some(query), "the same group, now named");
    assert_eq!(
        (
            v["stage"].as_str(),
            v["party"].as_u64(),
            v["appointment"].as_bool()
        ),
        (Some("parking"), Some(2), Some(false))
    );

    let second = l1.say(ask).await.unwrap().call_id;
    rc.answer(second, Answer::CannotReceive).await.unwrap();
    let s = state(&mut sup).await;
    let declined = s["visitors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == second)
        .unwrap();
    assert_eq!(declined["stage"], "declined");
}

#[tokio::test]
async fn calls_that_contradict_the_board_are_refused_naming_the_holder_and_change_nothing() {
    let hub = TestHub::start().await;
    let mut l1 = hub.tablet("L1").await;
    let mut zhang = hub.tablet(ZHANG).await;
    let mut li = hub.tablet("X:李娜").await;
    let mut g1 = hub.tablet("G1").await;
    let mut s1 = hub.tablet("S1").await;
    let mut sup = hub.tablet("SUP").await;
    l1.say("我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。")
        .await
        .unwrap();
    l1.say("我是L1岗，呼叫各岗位，预约客户赵女士到访，共2人，请各岗位做好接待工作，收到请回答。")
        .await
        .unwrap();
    let s = state(&mut sup).await;
    let wang = visitor(&s, "王先生")["id"].as_u64().unwrap();
    let zhao = visitor(&s, "赵女士")["id"].as_u64().unwrap();
    tap(&mut zhang, Tap::TookOver { visit: wang })
        .await
        .unwrap();
    tap(&mut li, Tap::TookOver { visit: zhao }).await.unwrap();
    tap(
        &mut zhang,
        Tap::EnteredVip {
            visit: wang,
            room: 1,
        },
    )
    .await
    .unwrap();
    li.say("我是大客户经理李娜，呼叫大客户管家，赵女士即将前往VIP室请做好接待准备，收到请回话。")
        .await
        .unwrap();
    let before = state(&mut sup).await;

    // The butler gives 李娜 a room 张伟's guests are in.
    let err = g1
        .say("我是管家，呼叫大客户经理李娜，VIP1已经做好接待准备。")
        .await
        .unwrap_err();
    match &err {
        TabletError::Refused { rule, message, .. } => {
            assert_eq!(rule.as_deref(), Some("room_held"));
            assert!(
                message.contains("张伟") && message.contains("王先生"),
                "{message}"
            );
        }
        other => panic!("{other}"),
    }
    // 李娜 walks her guests into it anyway.
    assert_eq!(
        refused_rule(
            tap(
                &mut li,
                Tap::EnteredVip {
                    visit: zhao,
                    room: 1
                }
            )
            .await
            .unwrap_err()
        ),
        "room_held"
    );
    // 李娜 says her guests are leaving the room 张伟's guests sit in.
    assert_eq!(
        refused_rule(
            li.say(
                "我是大客户经理李娜，呼叫接待中心，VIP1室赵女士即将离场请做好准备，收到请回话。"
            )
            .await
            .unwrap_err()
        ),
        "room_held"
    );
    // A tap by a post that does not see that stage.
    assert_eq!(
        refused_rule(
            tap(&mut s1, Tap::Greeted { visit: wang })
                .await
                .unwrap_err()
        ),
        "wrong_post"
    );

    let after = state(&mut sup).await;
    assert_eq!(board(&before), board(&after), "a refusal changes nothing");
    assert_eq!(before["head"], after["head"], "and logs nothing");
}

#[tokio::test]
async fn an_important_event_turns_walk_ins_away_with_the_standard_words_and_announces_its_milestones()
 {
    let hub = TestHub::start().await;
    let mut l1 = hub.tablet("L1").await;
    let mut sup = hub.tablet("SUP").await;
    let mut y1 = hub.tablet("Y1").await;
    let now = hub::switchboard::now_ms();
    let in_59_minutes = now + 59 * 60_000;
    tap(
        &mut sup,
        Tap::SetMode {
            important_event_at: Some(in_59_minutes),
            media_day: false,
            rain: false,
        },
    )
    .await
    .unwrap();
    let e = expect_event(&mut y1, "announcement").await;
    let EventKind::Announcement {
        milestone, words, ..
    } = e.what
    else {
        unreachable!()
    };
    assert_eq!(milestone, Some(60));
    assert!(words.contains("只接待预约客户"), "{words}");
    assert_eq!(
        state(&mut y1).await["mode"]["important_event_at"],
        in_59_minutes
    );

    let err = l1
        .say("我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。")
        .await
        .unwrap_err();
    match err {
        TabletError::Refused { rule, message, .. } => {
            assert_eq!(rule.as_deref(), Some("appointments_only"));
            assert_eq!(message, protocol::mode::IMPORTANT_EVENT_WORDS);
        }
        other => panic!("{other}"),
    }
    // Appointments still come in.
    l1.say("我是L1岗，呼叫接待中心，王先生一行3人已经抵达，请做好接待准备，收到请回答。")
        .await
        .unwrap();

    // A media open day receives no clients at all.
    tap(
        &mut sup,
        Tap::SetMode {
            important_event_at: None,
            media_day: true,
            rain: false,
        },
    )
    .await
    .unwrap();
    let err = l1
        .say("我是L1岗，呼叫接待中心，李小姐一行2人已经抵达，请做好接待准备，收到请回答。")
        .await
        .unwrap_err();
    assert_eq!(refused_rule(err), "media_day");
}

#[tokio::test]
async fn rain_reminds_the_parking_and_the_door_of_umbrellas() {
    let hub = TestHub::start().await;
    let mut sup = hub.tablet("SUP").await;
    let mut l2 = hub.tablet("L2").await;
    let mut y2 = hub.tablet("Y2").await;
    let mut x = hub.tablet(ZHANG).await;
    let mut l1 = hub.tablet("L1").await;
    tap(
        &mut sup,
        Tap::SetMode {
            important_event_at: None,
            media_day: false,
            rain: true,
        },
    )
    .await
    .unwrap();
    for t in [&mut l2, &mut y2] {
        let e = expect_event(t, "announcement").await;
        assert!(matches!(&e.what, EventKind::Announcement { words, .. } if words.contains("雨伞")));
    }
    integration::expect_no_event(&mut x, "announcement").await;
    assert_eq!(
        state(&mut x).await["mode"]["rain"],
        true,
        "every post sees the mode"
    );
    // Each arrival in the rain reminds them again, naming the group.
    l1.say("我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。")
        .await
        .unwrap();
    let e = expect_event(&mut l2, "announcement").await;
    assert!(matches!(&e.what, EventKind::Announcement { words, .. } if words.contains("王先生")));
}

#[tokio::test]
async fn overdue_work_raises_an_alert_to_the_supervisor_and_the_post_that_owes_it_until_done() {
    let hub = TestHub::start_with(|c| {
        c.rules.greet_within_ms = 300;
        c.rules.order_within_ms = 300;
    })
    .await;
    let mut l1 = hub.tablet("L1").await;
    let mut y1 = hub.tablet("Y1").await;
    let mut x = hub.tablet(ZHANG).await;
    let mut s1 = hub.tablet("S1").await;
    let mut sup = hub.tablet("SUP").await;
    l1.say("我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。")
        .await
        .unwrap();
    let raised = expect_event(&mut y1, "alert_raised").await;
    let EventKind::AlertRaised { alert } = raised.what else {
        unreachable!()
    };
    assert_eq!(alert.kind, protocol::alert::AlertKind::NotGreeted);
    assert!(alert.text.contains("王先生"));
    expect_event(&mut sup, "alert_raised").await;
    assert_eq!(
        state(&mut y1).await["alerts"].as_array().unwrap().len(),
        1,
        "shown until resolved"
    );
    let id = visitor(&state(&mut sup).await, "王先生")["id"]
        .as_u64()
        .unwrap();
    tap(&mut y1, Tap::Greeted { visit: id }).await.unwrap();
    expect_event(&mut y1, "alert_resolved").await;
    assert!(
        state(&mut sup).await["alerts"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let order_id = x
        .say("我是大客户经理张伟，呼叫水吧，请送咖啡至VIP2室，收到请回答。")
        .await
        .unwrap()
        .call_id;
    let raised = expect_event(&mut s1, "alert_raised").await;
    assert!(
        matches!(&raised.what, EventKind::AlertRaised { alert } if alert.kind == protocol::alert::AlertKind::OrderOverdue)
    );
    tap(&mut s1, Tap::OrderDone { order: order_id })
        .await
        .unwrap();
    expect_event(&mut s1, "alert_resolved").await;
}

#[tokio::test]
async fn reception_assigns_walk_ins_by_the_rota_and_the_turn_counts_on_the_managers_answer() {
    let hub = TestHub::start().await;
    let mut rc = hub.tablet("RC").await;
    let mut zhang = hub.tablet(ZHANG).await;
    let mut li = hub.tablet("X:李娜").await;
    tap(&mut zhang, Tap::SignIn { duty: None }).await.unwrap();
    tap(&mut li, Tap::SignIn { duty: None }).await.unwrap();
    assert_eq!(state(&mut rc).await["rota"]["next_up"], "张伟");
    let call = rc
        .say("我是接待中心，呼叫大客户经理张伟，王先生一行3人到访，轮到您接待，收到请回答。")
        .await
        .unwrap();
    assert_eq!(
        state(&mut rc).await["rota"]["next_up"],
        "张伟",
        "no turn until 收到"
    );
    zhang.answer(call.call_id, Answer::Received).await.unwrap();
    let s = state(&mut rc).await;
    assert_eq!(s["rota"]["next_up"], "李娜");
    assert_eq!(s["rota"]["visit"][1]["manager"], "张伟");
    assert_eq!(s["rota"]["visit"][1]["turns"], 1);
    assert_eq!(s["rota"]["visit"][1]["busy"], true, "with a client");
    assert_eq!(visitor(&s, "王先生")["manager"], ZHANG);
    assert_eq!(visitor(&s, "王先生")["stage"], "with_manager");

    // The desk sees the door: an assignment out of the board's turn is taken as said.
    let call = rc
        .say("我是接待中心，呼叫大客户经理赵敏，李小姐一行2人到访，轮到您接待，收到请回答。")
        .await
        .unwrap();
    let mut zhao = hub.tablet("X:赵敏").await;
    zhao.answer(call.call_id, Answer::Received).await.unwrap();
    let s = state(&mut rc).await;
    assert_eq!(visitor(&s, "李小姐")["manager"], "X:赵敏");
    let names: Vec<&str> = s["rota"]["visit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["manager"].as_str().unwrap())
        .collect();
    // 赵敏 is on duty by her 收到; 李娜, passed over, lost the turn (轮空); 张伟, with his
    // client, kept his place.
    assert_eq!(names, ["张伟", "李娜", "赵敏"]);
    assert_eq!(s["rota"]["next_up"], "李娜");
}

#[tokio::test]
async fn each_tablet_gets_the_part_of_the_state_that_concerns_its_post() {
    let hub = TestHub::start().await;
    let mut x = hub.tablet(ZHANG).await;
    let mut s1 = hub.tablet("S1").await;
    let mut g1 = hub.tablet("G1").await;
    let mut l1 = hub.tablet("L1").await;
    let drinks = x
        .say("我是大客户经理张伟，呼叫水吧，请送咖啡至VIP2室，收到请回答。")
        .await
        .unwrap()
        .call_id;
    let copies = x
        .say("我是大客户经理张伟，呼叫大客户管家，请准备两份户型资料放至前台处，收到请回话。")
        .await
        .unwrap()
        .call_id;
    let bar = state(&mut s1).await;
    assert_eq!(bar["orders"].as_array().unwrap().len(), 1);
    assert_eq!(bar["orders"][0]["id"], drinks);
    let butler = state(&mut g1).await;
    assert_eq!(butler["orders"][0]["id"], copies);
    let gate = state(&mut l1).await;
    assert!(gate["orders"].as_array().unwrap().is_empty());
    assert!(
        gate["presence"].as_object().unwrap().is_empty(),
        "presence is the supervisor's"
    );
    assert_eq!(
        gate["rooms"].as_array().unwrap().len(),
        3,
        "every post sees the rooms"
    );
    assert_eq!(
        state(&mut x).await["orders"].as_array().unwrap().len(),
        2,
        "the manager sees what he asked for"
    );
}

#[tokio::test]
async fn replaying_the_log_from_zero_rebuilds_an_identical_state() {
    let keep = tempfile::tempdir().unwrap();
    let data = keep.path().join("data");
    let before = {
        let hub = TestHub::start_in(&data, |_| {}).await;
        let mut l1 = hub.tablet("L1").await;
        let mut rc = hub.tablet("RC").await;
        let mut x = hub.tablet(ZHANG).await;
        let mut g1 = hub.tablet("G1").await;
        let _water_bar_online = hub.tablet("S1").await;
        let mut sup = hub.tablet("SUP").await;
        tap(&mut x, Tap::SignIn { duty: None }).await.unwrap();
        call_and_answer(
            &mut l1,
            &mut rc,
            "我是L1岗，呼叫接待中心，王先生一行3人已经抵达，请做好接待准备，收到请回答。",
        )
        .await;
        let id = visitor(&state(&mut sup).await, "王先生")["id"]
            .as_u64()
            .unwrap();
        tap(&mut x, Tap::TookOver { visit: id }).await.unwrap();
        call_and_answer(
            &mut x,
            &mut g1,
            "我是大客户经理张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话。",
        )
        .await;
        tap(&mut x, Tap::EnteredVip { visit: id, room: 1 })
            .await
            .unwrap();
        x.say("我是大客户经理张伟，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。")
            .await
            .unwrap();
        tap(
            &mut sup,
            Tap::SetMode {
                important_event_at: None,
                media_day: false,
                rain: true,
            },
        )
        .await
        .unwrap();
        let s = state(&mut sup).await;
        hub.stop().await;
        s
    };
    let hub = TestHub::start_in(&data, |_| {}).await;
    let mut sup = hub.tablet("SUP").await;
    let after = state(&mut sup).await;
    assert_eq!(board(&before), board(&after));
    assert_eq!(after["epoch"], before["epoch"]);
}

#[tokio::test]
async fn a_busy_days_board_comes_back_whole_over_the_websocket() {
    let hub = TestHub::start().await;
    let mut l1 = hub.tablet("L1").await;
    let mut sup = hub.tablet("SUP").await;
    // 400 different groups: two-syllable foreign surnames (a Chinese surname is one character, or
    // two for a compound one, so there are not enough of those), so none is announced twice.
    let first = [
        "Al", "Be", "Ca", "Do", "El", "Fa", "Ga", "Ha", "Io", "Ja", "Ka", "Lo", "Ma", "Ne", "Ol",
        "Pa", "Qu", "Ro", "Sa", "Ta",
    ];
    for i in 0..400 {
        let who = format!(
            "{}{}{}",
            first[i % 20],
            first[i / 20].to_lowercase(),
            ["先生", "小姐", "女士"][i % 3]
        );
        let sentence = format!(
            "我是L1岗，呼叫各岗位，非预约客户{who}到访，共{}人，请各岗位做好接待工作，体貌特征：第{}组，穿深色外套，开白色轿车，收到请回答。",
            1 + i % 5,
            i + 1
        );
        l1.say(&sentence).await.unwrap();
    }
    let s = state(&mut sup).await;
    assert_eq!(s["visitors"].as_array().unwrap().len(), 400);
    assert!(
        serde_json::to_vec(&s).unwrap().len() > protocol::codec::MAX_FRAME_BYTES,
        "bigger than a tablet's own frames"
    );
}
