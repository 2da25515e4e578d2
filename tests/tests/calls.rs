//! The call lifecycle over real WebSockets: delivered to the target's tablets (and the
//! supervisor's, and nobody else's), answered, repeated on silence, escalated, flagged offline.

use std::time::Duration;

use integration::{QUIET, TestHub, call_id, expect_event, expect_no_event};
use protocol::{
    Answer, Call, Command, ErrorCode, EventKind, Intent, Post, ReplyBody, Station, Target,
};
use tablet::TabletError;

/// The butler asks the water bar for coffee in room k: a call any time, whatever the board.
fn coffee(k: u8) -> Call {
    Call::new(
        Post::G1,
        Post::S1,
        Intent::Drinks {
            drink: "咖啡".into(),
            room: Some(k),
        },
    )
}

#[tokio::test]
async fn a_call_reaches_its_target_and_the_supervisor_and_the_answer_comes_back() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let mut s1 = hub.tablet("S1").await;
    let mut sup = hub.tablet("SUP").await;
    let mut l1 = hub.tablet("L1").await;

    let placed = g1.call(coffee(2)).await.unwrap();
    assert_eq!(
        placed.sentence,
        "我是大客户管家，呼叫水吧，请送咖啡至VIP2室，收到请回答。"
    );
    let heard = expect_event(&mut s1, "call_placed").await;
    assert_eq!(call_id(&heard), placed.call_id);
    assert_eq!(heard.offset, placed.offset);
    let EventKind::CallPlaced { call, .. } = &heard.what else {
        unreachable!()
    };
    assert_eq!(call, &coffee(2));
    // The event carries the typed call only; the listener says the same sentence from it.
    assert_eq!(call.render(), placed.sentence);
    assert_eq!(
        call_id(&expect_event(&mut sup, "call_placed").await),
        placed.call_id
    );

    let offset = s1.answer(placed.call_id, Answer::Received).await.unwrap();
    let answered = expect_event(&mut g1, "call_answered").await;
    assert_eq!(answered.offset, offset);
    let EventKind::CallAnswered { by, answer, .. } = &answered.what else {
        unreachable!()
    };
    assert_eq!(by, &Station::Post(Post::S1));
    assert_eq!(*answer, Answer::Received);
    expect_event(&mut sup, "call_answered").await;

    // The gate concierge heard none of it.
    expect_no_event(&mut l1, "call_placed").await;
    // An answered call is closed: a second answer is refused.
    let again = s1
        .answer(placed.call_id, Answer::Received)
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            TabletError::Refused {
                code: ErrorCode::UnknownCall,
                ..
            }
        ),
        "{again}"
    );
}

#[tokio::test]
async fn every_tablet_of_a_post_hears_its_calls() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let mut bar_a = hub.tablet("S1").await;
    let mut bar_b = hub.json_tablet("S1").await;
    let placed = g1.call(coffee(1)).await.unwrap();
    assert_eq!(
        call_id(&expect_event(&mut bar_a, "call_placed").await),
        placed.call_id
    );
    assert_eq!(
        call_id(&expect_event(&mut bar_b, "call_placed").await),
        placed.call_id
    );
}

#[tokio::test]
async fn a_client_manager_is_called_by_name_and_only_that_manager_hears() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let mut zhang = hub.tablet("X:张伟").await;
    let mut li = hub.tablet("X:李娜").await;
    let ready = Call::new(
        Post::G1,
        Station::manager("张伟").unwrap(),
        Intent::VipReady { room: 3 },
    );
    let placed = g1.call(ready).await.unwrap();
    assert_eq!(
        placed.sentence,
        "我是管家，呼叫大客户经理张伟，VIP3已经做好接待准备。"
    );
    assert_eq!(
        call_id(&expect_event(&mut zhang, "call_placed").await),
        placed.call_id
    );
    expect_no_event(&mut li, "call_placed").await;
}

#[tokio::test]
async fn the_arrival_broadcast_reaches_every_post_and_closes_when_the_posts_it_sets_to_work_have_answered()
 {
    let hub = TestHub::start_with(|c| c.ack_deadline = Duration::from_millis(300)).await;
    let mut l1 = hub.tablet("L1").await;
    let mut others = Vec::new();
    for post in ["RC", "X:张伟", "L2", "Y1"] {
        others.push(hub.tablet(post).await);
    }
    let placed = l1
        .say("我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，体貌特征：黑色轿车，收到请回答。")
        .await
        .unwrap();
    for t in &mut others {
        let e = expect_event(t, "call_placed").await;
        assert_eq!(call_id(&e), placed.call_id);
        let EventKind::CallPlaced { awaiting, .. } = &e.what else {
            unreachable!()
        };
        assert_eq!(
            awaiting.as_deref(),
            Some(&[Post::L2.into(), Post::Y1.into()][..]),
            "the event says whom the call waits for"
        );
    }
    // Anyone may answer 收到; the parking concierge and the door are the ones waited for.
    for t in &mut others {
        t.answer(placed.call_id, Answer::Received).await.unwrap();
    }
    let mut closed = Vec::new();
    for _ in 0..others.len() {
        let e = expect_event(&mut l1, "call_answered").await;
        let EventKind::CallAnswered { target, closes, .. } = &e.what else {
            unreachable!()
        };
        assert_eq!(target, &Target::All);
        closed.push(*closes);
    }
    assert_eq!(
        closed,
        [false, false, false, true],
        "the last awaited answer closes it"
    );
    let (_, state) = integration::http_get(hub.addr, "/api/state", Some(&hub.token("SUP"))).await;
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["open_calls"].as_array().unwrap().len(), 0, "{state}");
}

#[tokio::test]
async fn a_broadcast_never_repeats_to_or_escalates_posts_it_gives_nothing_to_do() {
    let hub = TestHub::start_with(|c| c.ack_deadline = Duration::from_millis(200)).await;
    let mut l1 = hub.tablet("L1").await;
    let mut rc = hub.tablet("RC").await;
    let mut s1 = hub.tablet("S1").await;
    let mut l2 = hub.tablet("L2").await;
    let mut sup = hub.tablet("SUP").await;
    let placed = l1
        .say("我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，收到请回答。")
        .await
        .unwrap();
    expect_event(&mut rc, "call_placed").await;
    expect_event(&mut s1, "call_placed").await;
    expect_event(&mut l2, "call_placed").await;
    l2.answer(placed.call_id, Answer::Received).await.unwrap();
    // The reception desk and the water bar stay silent: nothing to do with an arrival.
    tokio::time::sleep(Duration::from_millis(700)).await;
    expect_no_event(&mut rc, "call_repeated").await;
    expect_no_event(&mut s1, "call_escalated").await;
    let (_, state) = integration::http_get(hub.addr, "/api/state", Some(&hub.token("SUP"))).await;
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["open_calls"].as_array().unwrap().len(), 0, "{state}");
    assert_eq!(state["counts"]["escalated"], 0, "{state}");

    // With nobody online who must answer, the broadcast is an announcement: nothing stays open.
    drop(l2);
    let _ = expect_event(&mut sup, "station_offline").await;
    l1.say("我是L1岗，呼叫各岗位，预约客户李小姐到访，共2人，请各岗位做好接待工作，收到请回答。")
        .await
        .unwrap();
    let (_, state) = integration::http_get(hub.addr, "/api/state", Some(&hub.token("SUP"))).await;
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["open_calls"].as_array().unwrap().len(), 0, "{state}");
}

#[tokio::test]
async fn silence_is_repeated_then_escalated_to_the_supervisor() {
    let hub = TestHub::start_with(|c| c.ack_deadline = Duration::from_millis(300)).await;
    let mut g1 = hub.tablet("G1").await;
    let mut s1 = hub.tablet("S1").await;
    let mut sup = hub.tablet("SUP").await;
    let placed = g1.call(coffee(3)).await.unwrap();
    expect_event(&mut s1, "call_placed").await;

    let repeat = expect_event(&mut s1, "call_repeated").await;
    let EventKind::CallRepeated {
        call_id,
        attempt,
        sentence,
        ..
    } = &repeat.what
    else {
        unreachable!()
    };
    assert_eq!((*call_id, *attempt), (placed.call_id, 2));
    assert_eq!(sentence, &placed.sentence);
    expect_event(&mut g1, "call_repeated").await;

    let escalated = expect_event(&mut sup, "call_escalated").await;
    assert!(
        matches!(escalated.what, EventKind::CallEscalated { call_id, .. } if call_id == placed.call_id)
    );
    expect_event(&mut g1, "call_escalated").await;
    // Escalated once, then the hub waits for the answer: no more repeats.
    tokio::time::sleep(Duration::from_millis(700)).await;
    expect_no_event(&mut sup, "call_escalated").await;
    // A late answer still closes it.
    s1.answer(placed.call_id, Answer::Received).await.unwrap();
    expect_event(&mut g1, "call_answered").await;
}

#[tokio::test]
async fn an_answer_in_time_stops_the_repeat() {
    let hub = TestHub::start_with(|c| c.ack_deadline = Duration::from_millis(300)).await;
    let mut g1 = hub.tablet("G1").await;
    let mut s1 = hub.tablet("S1").await;
    let placed = g1.call(coffee(1)).await.unwrap();
    s1.answer(placed.call_id, Answer::Received).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    expect_no_event(&mut s1, "call_repeated").await;
}

#[tokio::test]
async fn a_call_to_a_post_with_no_tablet_is_flagged_at_once_to_caller_and_supervisor() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let mut sup = hub.tablet("SUP").await;
    let placed = g1.call(coffee(1)).await.unwrap();
    let flagged = tokio::time::timeout(QUIET * 2, async {
        expect_event(&mut g1, "target_offline").await
    })
    .await
    .expect("flagged at once, not after a deadline");
    assert!(
        matches!(flagged.what, EventKind::TargetOffline { call_id, .. } if call_id == placed.call_id)
    );
    expect_event(&mut sup, "target_offline").await;
}

#[tokio::test]
async fn answers_only_from_the_target_and_only_the_words_the_call_takes() {
    let hub = TestHub::start().await;
    let mut l1 = hub.tablet("L1").await;
    let mut rc = hub.tablet("RC").await;
    let mut s1 = hub.tablet("S1").await;
    let placed = l1
        .say("我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。")
        .await
        .unwrap();
    let not_yours = s1
        .answer(placed.call_id, Answer::Received)
        .await
        .unwrap_err();
    assert!(
        matches!(
            not_yours,
            TabletError::Refused {
                code: ErrorCode::NotYours,
                ..
            }
        ),
        "{not_yours}"
    );
    let wrong = rc
        .answer(placed.call_id, Answer::Received)
        .await
        .unwrap_err();
    assert!(
        matches!(
            wrong,
            TabletError::Refused {
                code: ErrorCode::BadAnswer,
                ..
            }
        ),
        "{wrong}"
    );
    rc.answer(placed.call_id, Answer::CanReceive).await.unwrap();
    let e = expect_event(&mut l1, "call_answered").await;
    assert!(matches!(
        e.what,
        EventKind::CallAnswered {
            answer: Answer::CanReceive,
            ..
        }
    ));
    let unknown = rc.answer(999_999, Answer::Received).await.unwrap_err();
    assert!(matches!(
        unknown,
        TabletError::Refused {
            code: ErrorCode::UnknownCall,
            ..
        }
    ));
}

#[tokio::test]
async fn sentences_that_break_the_discipline_are_refused_with_the_rule() {
    let hub = TestHub::start().await;
    let mut g1 = hub.tablet("G1").await;
    let mut sup = hub.tablet("SUP").await;
    // The tablet knows who speaks, so a call without 「我是…」 is the butler's; but a call
    // must still end asking for the answer.
    let err = g1
        .say("我是大客户管家，呼叫水吧，请送咖啡至VIP1室。")
        .await
        .unwrap_err();
    match err {
        TabletError::Refused { code, rule, .. } => {
            assert_eq!(code, ErrorCode::NotUnderstood);
            assert_eq!(rule.as_deref(), Some("missing_closing"));
        }
        other => panic!("{other}"),
    }
    let err = g1
        .say("我是大客户管家，呼叫水吧，今天天气不错，收到请回答。")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TabletError::Refused { rule: Some(r), .. } if r == "matter_not_understood"),
        "{err}"
    );
    let err = g1
        .say("我是大客户管家，呼叫水吧，请送咖啡至VIP9室，收到请回答。")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TabletError::Refused { code: ErrorCode::Refused, rule: Some(r), .. } if r == "off_site"),
        "{err}"
    );
    // Nothing refused reached the log.
    expect_no_event(&mut sup, "call_placed").await;
    let placed = g1
        .say("呼叫水吧，请送咖啡至VIP1室，收到请回答。")
        .await
        .unwrap();
    assert_eq!(
        placed.sentence,
        "我是大客户管家，呼叫水吧，请送咖啡至VIP1室，收到请回答。"
    );
}

#[tokio::test]
async fn a_manager_named_by_surname_is_the_one_on_duty_or_the_call_is_refused_naming_them() {
    let hub = TestHub::start().await;
    let mut rc = hub.tablet("RC").await;
    let mut li_na = hub.tablet("X:李娜").await;
    let placed = rc
        .say("我是接待中心，呼叫李经理，王先生一行3人到访，轮到您接待，收到请回答。")
        .await
        .unwrap();
    assert_eq!(
        call_id(&expect_event(&mut li_na, "call_placed").await),
        placed.call_id,
        "李经理 is 李娜, the one 李 on duty"
    );
    let _li_ming = hub.tablet("X:李明").await;
    let err = rc
        .say("我是接待中心，呼叫李经理，赵女士一行2人到访，轮到您接待，收到请回答。")
        .await
        .unwrap_err();
    match &err {
        TabletError::Refused { rule, message, .. } => {
            assert_eq!(rule.as_deref(), Some("unknown_manager"), "{message}");
            assert!(
                message.contains("李娜") && message.contains("李明"),
                "{message}"
            );
        }
        other => panic!("{other}"),
    }
    // No phantom manager 「李」 was made.
    let (_, state) = integration::http_get(hub.addr, "/api/state", Some(&hub.token("SUP"))).await;
    assert!(!state.contains("\"X:李\""), "{state}");
}

#[tokio::test]
async fn a_tablet_previews_a_call_as_the_hub_will_read_it_and_nothing_is_logged() {
    let hub = TestHub::start().await;
    let mut x = hub.json_tablet("X:张伟").await;
    let mut sup = hub.tablet("SUP").await;
    let head = sup.ping().await.unwrap();
    let body = x
        .command(Command::Preview {
            call: None,
            sentence: Some("呼叫水吧，请送两杯柠檬水至VIP2，收到请回答".into()),
        })
        .await
        .unwrap();
    let ReplyBody::Preview { call, sentence } = body else {
        panic!("{body:?}")
    };
    assert_eq!(
        sentence,
        "我是大客户经理张伟，呼叫水吧，请送两杯柠檬水至VIP2室，收到请回答。"
    );
    assert_eq!(call.caller, Station::manager("张伟").unwrap());
    let typed = Call::new(
        Station::manager("张伟").unwrap(),
        Post::G1,
        Intent::IdCopy { room: 9 },
    );
    let err = x
        .command(Command::Preview {
            call: Some(typed),
            sentence: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TabletError::Refused { rule: Some(r), .. } if r == "off_site"),
        "{err}"
    );
    assert_eq!(sup.ping().await.unwrap(), head, "nothing logged");
    expect_no_event(&mut sup, "call_placed").await;

    let ReplyBody::Catalogue { calls, answers } = x.command(Command::Catalogue).await.unwrap()
    else {
        panic!("a catalogue")
    };
    assert_eq!(
        answers["walk_in_query"],
        [Answer::CanReceive, Answer::CannotReceive]
    );
    assert_eq!(answers["drinks"], [Answer::Received]);
    assert!(answers["vip_ready"].is_empty(), "a report");
    let kinds: Vec<&str> = calls.iter().map(|c| c.kind.as_str()).collect();
    assert!(
        kinds.contains(&"vip_request") && kinds.contains(&"taxi"),
        "{kinds:?}"
    );
    assert!(
        !kinds.contains(&"walk_in_query"),
        "the gate's call: {kinds:?}"
    );
}

#[tokio::test]
async fn the_butler_hears_the_departure_call_to_the_desk_and_may_answer_it() {
    let hub = TestHub::start().await;
    let mut x = hub.tablet("X:张伟").await;
    let mut g1 = hub.tablet("G1").await;
    let _rc = hub.tablet("RC").await;
    let placed = x
        .say("我是大客户经理张伟，呼叫接待中心，VIP1室王先生即将离场请做好准备，收到请回话。")
        .await
        .unwrap();
    let heard = expect_event(&mut g1, "call_placed").await;
    assert_eq!(call_id(&heard), placed.call_id);
    g1.answer(placed.call_id, Answer::Received).await.unwrap();
    let answered = expect_event(&mut x, "call_answered").await;
    let EventKind::CallAnswered { by, closes, .. } = &answered.what else {
        unreachable!()
    };
    assert_eq!(*by, Station::Post(Post::G1));
    assert!(*closes);
}
