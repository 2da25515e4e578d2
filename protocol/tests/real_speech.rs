//! The way people really speak on the net: the seed's own short forms, the label and word variants
//! said every day, and the sentences that used to be stored mangled. Each test here names the fault
//! it guards against; the corpus test (`corpus.rs`) covers the same ground in bulk.

use protocol::{Call, Intent, Post, Station, Title, Utterance, Visitor};

fn zhang() -> Station {
    Station::manager("张伟").unwrap()
}

fn wang() -> Visitor {
    Visitor::new("王", Title::Mr).unwrap()
}

fn call(said: &str) -> Call {
    match Call::parse(said) {
        Ok(Utterance::Call(c)) => c,
        other => panic!("{said}\n  parsed as {other:?}"),
    }
}

/// The rule and the field a refusal names.
fn refused(said: &str) -> (&'static str, Option<&'static str>) {
    match Call::parse(said) {
        Err(r) => (r.rule(), r.field()),
        Ok(u) => panic!("{said}\n  was accepted as {u:?}"),
    }
}

fn taxi(plate: Option<&str>) -> Intent {
    Intent::TaxiArrived {
        visitor: wang(),
        plate: plate.map(str::to_owned),
    }
}

#[test]
fn plate_labels_people_say() {
    for said in [
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号粤B12345",
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌粤B12345",
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号码粤B12345",
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号是粤B12345",
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号：粤B12345",
        "我是L1岗，呼叫大客户经理张伟，您的客户王先生需要的出租车已经叫到，车牌号码：粤b12345。",
    ] {
        assert_eq!(
            call(said),
            Call::new(Post::L1, zhang(), taxi(Some("粤B12345"))),
            "{said}"
        );
    }
}

#[test]
fn a_plate_must_look_like_a_plate() {
    for said in [
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号码码粤B12345",
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号12345",
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号粤B123",
        "张伟经理，您的客户王先生需要的出租车已经叫到，车牌号红色出租车",
    ] {
        assert_eq!(refused(said), ("bad_field", Some("plate")), "{said}");
    }
    // New-energy plates have six characters after the letter.
    assert_eq!(
        call("张伟经理，您的客户王先生需要的出租车已经叫到，车牌号粤BD12345").intent,
        taxi(Some("粤BD12345"))
    );
}

#[test]
fn rooms_without_their_suffix() {
    let drinks = |room| Intent::Drinks {
        drink: "咖啡".into(),
        room: Some(room),
    };
    for (said, room) in [
        (
            "我是大客户经理张伟，呼叫水吧，请送咖啡至VIP2，收到请回答",
            2,
        ),
        (
            "我是大客户经理张伟，呼叫水吧，请送咖啡至VIP2室，收到请回答",
            2,
        ),
        (
            "我是大客户经理张伟，呼叫水吧，请送咖啡至2号VIP室，收到请回答",
            2,
        ),
        (
            "我是大客户经理张伟，呼叫水吧，请送咖啡到vip三室，收到请回答",
            3,
        ),
    ] {
        assert_eq!(call(said).intent, drinks(room), "{said}");
    }
    assert_eq!(
        call("我是大客户管家，呼叫水吧，VIP3室客人已离去请前去打扫，收到请回话").intent,
        Intent::ClearRoom { room: 3 }
    );
}

#[test]
fn water_to_the_reception_area() {
    let c = call("我是大客户经理张伟，呼叫水吧，请送两杯水至接待区，收到请回答");
    assert_eq!(
        c.intent,
        Intent::Drinks {
            drink: "两杯水".into(),
            room: None
        }
    );
    assert_eq!(
        c.render(),
        "我是大客户经理张伟，呼叫水吧，请送两杯水至接待区，收到请回答。"
    );
}

#[test]
fn quantities_in_people_or_places() {
    let heading = Intent::HeadingIn {
        visitor: wang(),
        party: 3,
    };
    assert_eq!(
        call("我是L1岗，呼叫接待中心，王先生一行3位已前往展示中心，收到请回答").intent,
        heading
    );
    for said in [
        "我是L1岗，呼叫各岗位，预约客户王先生到访，共3位，请各岗位做好接待工作，收到请回答",
        "我是L1岗，呼叫各岗位，预约客户王先生到访，共三人，请各岗位做好接待工作，收到请回答",
    ] {
        assert_eq!(
            call(said).intent,
            Intent::ArrivalBroadcast {
                visitor: wang(),
                party: 3,
                appointment: true,
                description: None
            },
            "{said}"
        );
    }
}

#[test]
fn arrived_and_going_said_other_ways() {
    for said in [
        "我是L1岗，呼叫接待中心，王先生一行3人已经到达，请做好接待准备，收到请回答",
        "我是L1岗，呼叫接待中心，王先生一行3人已抵达，请做好接待准备，收到请回答",
    ] {
        assert_eq!(
            call(said).intent,
            Intent::AppointmentArrived {
                visitor: wang(),
                party: 3
            },
            "{said}"
        );
    }
    assert_eq!(
        call("我是大客户经理张伟，呼叫大客户管家，王先生要去VIP室，请做好接待准备，收到请回话")
            .intent,
        Intent::VipRequest { visitor: wang() }
    );
}

#[test]
fn a_plain_description_in_the_arrival_broadcast() {
    assert_eq!(
        call(
            "我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，穿红色外套，收到请回答"
        )
        .intent,
        Intent::ArrivalBroadcast {
            visitor: wang(),
            party: 3,
            appointment: true,
            description: Some("穿红色外套".into())
        }
    );
}

#[test]
fn other_words_for_a_client_manager() {
    for said in [
        "我是置业顾问张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
        "我是客户经理张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
        "我是销售员张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
        "我是张伟经理，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
    ] {
        assert_eq!(call(said).caller, zhang(), "{said}");
    }
}

#[test]
fn a_visitor_is_never_stored_with_a_prefix() {
    // The grammar makes the prefix certain: it is stripped.
    assert_eq!(
        call("我是L1岗，呼叫接待中心，预约客户蒋先生一行3人已经抵达，请做好接待准备，收到请回答")
            .intent,
        Intent::AppointmentArrived {
            visitor: Visitor::new("蒋", Title::Mr).unwrap(),
            party: 3
        }
    );
    assert_eq!(
        call("我是大客户经理张伟，呼叫接待中心，客户王先生即将离场，请做好送客准备，收到请回答")
            .intent,
        Intent::SeeOff { visitor: wang() }
    );
    // Anything else that is not plainly a surname is refused, naming the field.
    for said in [
        "我是大客户经理张伟，呼叫接待中心，重要客户王先生即将离场，请做好送客准备，收到请回答",
        "我是L1岗，呼叫接待中心，王老板王先生一行3人已前往展示中心，收到请回答",
        "我是大客户经理张伟，呼叫L1岗，请帮那位王先生叫一辆出租车，谢谢",
    ] {
        assert_eq!(refused(said), ("bad_field", Some("who")), "{said}");
    }
}

#[test]
fn a_surname_alone_never_makes_a_manager() {
    for said in [
        "李经理，您的客户王先生需要的出租车已经叫到",
        "我是L1岗，呼叫李经理，您的客户王先生需要的出租车已经叫到",
        "我是张经理，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
        "我是大客户经理张，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
    ] {
        assert_eq!(refused(said), ("unknown_manager", None), "{said}");
    }
}

#[test]
fn material_excludes_the_word_for_material() {
    let docs = call("我是大客户经理张伟，呼叫大客户管家，请准备2份户型资料放至前台处，收到请回话");
    assert_eq!(
        docs.intent,
        Intent::Documents {
            copies: 2,
            material: "户型".into()
        }
    );
    assert_eq!(
        refused("我是大客户经理张伟，呼叫大客户管家，请准备2份户型资料资料放至前台处，收到请回话"),
        ("bad_field", Some("material"))
    );
    let typed = Intent::Documents {
        copies: 2,
        material: "户型资料".into(),
    };
    let err = typed.validate().unwrap_err();
    assert!(err.to_string().contains("资料"), "{err}");
}

#[test]
fn a_caller_with_an_unreadable_matter_is_not_understood() {
    assert_eq!(
        refused("我是大客户经理张伟，王先生要走了"),
        ("matter_not_understood", None)
    );
    assert_eq!(
        refused("我是大客户经理张伟，呼叫大客户管家，你好，收到请回答"),
        ("matter_not_understood", None)
    );
}

mod in_context {
    //! Sentences that leave out what the listener already knows: who speaks, whom they hailed,
    //! which managers are on duty.

    use super::*;
    use protocol::parse::{Context, utterance_in};
    use protocol::{ManagerName, Refusal, Target};

    fn names(list: &[&str]) -> Vec<ManagerName> {
        list.iter().map(|n| ManagerName::new(n).unwrap()).collect()
    }

    fn call_in(said: &str, cx: &Context) -> Call {
        match utterance_in(said, cx) {
            Ok(Utterance::Call(c)) => c,
            other => panic!("{said}\n  parsed as {other:?}"),
        }
    }

    #[test]
    fn the_matter_after_a_hail_is_the_speakers_to_the_hailed() {
        let me = zhang();
        let butler = Target::from(Post::G1);
        let cx = Context {
            speaker: Some(&me),
            hailed: Some(&butler),
            managers: &[],
        };
        let vip = Call::new(zhang(), Post::G1, Intent::VipRequest { visitor: wang() });
        assert_eq!(
            call_in("王先生即将前往VIP室请做好接待准备，收到请回话", &cx),
            vip
        );
        // The seed's own words from the reception flow: no closing, the channel being open.
        assert_eq!(call_in("王先生要去VIP室，请做好接待准备", &cx), vip);
        // 「呼叫水吧」 without 「我是」.
        assert_eq!(
            call_in("呼叫水吧，请送咖啡至VIP2室，收到请回答", &cx),
            Call::new(
                zhang(),
                Post::S1,
                Intent::Drinks {
                    drink: "咖啡".into(),
                    room: Some(2)
                }
            )
        );
        // Without an open channel the closing is still required.
        let alone = Context {
            speaker: Some(&me),
            ..Context::default()
        };
        assert_eq!(
            utterance_in("王先生要去VIP室，请做好接待准备", &alone)
                .unwrap_err()
                .rule(),
            "missing_closing"
        );
    }

    #[test]
    fn a_report_to_a_manager_goes_to_the_one_hailed() {
        let me = Station::Post(Post::G1);
        let x = Target::from(zhang());
        let cx = Context {
            speaker: Some(&me),
            hailed: Some(&x),
            managers: &[],
        };
        assert_eq!(
            call_in("VIP2，已经做好接待准备", &cx),
            Call::new(Post::G1, zhang(), Intent::VipReady { room: 2 })
        );
        assert_eq!(
            utterance_in("VIP2，已经做好接待准备", &Context::default())
                .unwrap_err()
                .rule(),
            "no_target"
        );
    }

    #[test]
    fn a_caller_said_is_kept_even_if_another_speaks() {
        let me = Station::Post(Post::L2);
        let cx = Context {
            speaker: Some(&me),
            ..Context::default()
        };
        assert_eq!(
            call_in(
                "我是L1岗，呼叫接待中心，王先生一行3人已前往展示中心，收到请回答",
                &cx
            )
            .caller,
            Station::Post(Post::L1)
        );
    }

    #[test]
    fn managers_said_by_surname_are_resolved_against_those_on_duty() {
        let on_duty = names(&["张伟", "李明", "王芳", "王娜", "欧阳娜娜"]);
        let cx = Context {
            managers: &on_duty,
            ..Context::default()
        };
        let li = Station::manager("李明").unwrap();
        assert_eq!(
            call_in("李经理，您的客户王先生需要的出租车已经叫到", &cx),
            Call::new(Post::L1, li.clone(), taxi(None))
        );
        assert_eq!(
            call_in(
                "我是L1岗，呼叫小李经理，您的客户王先生需要的出租车已经叫到",
                &cx
            )
            .target,
            Target::from(li.clone())
        );
        assert_eq!(
            call_in(
                "我是大客户经理欧阳，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
                &cx
            )
            .caller,
            Station::manager("欧阳娜娜").unwrap()
        );
        // A full name is used as said, on duty or not.
        assert_eq!(
            call_in(
                "我是大客户经理赵敏，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
                &cx
            )
            .caller,
            Station::manager("赵敏").unwrap()
        );
        // Several or none: the refusal names who is on duty.
        let r = utterance_in(
            "我是王经理，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
            &cx,
        )
        .unwrap_err();
        assert_eq!(r.rule(), "unknown_manager");
        let Refusal::UnknownManager { candidates, .. } = &r else {
            panic!("{r:?}")
        };
        assert_eq!(candidates, &names(&["王芳", "王娜"]));
        assert!(
            r.to_string().contains("王芳") && r.to_string().contains("王娜"),
            "{r}"
        );
        let r = utterance_in("陈经理，您的客户王先生需要的出租车已经叫到", &cx).unwrap_err();
        assert_eq!(r.rule(), "unknown_manager");
        assert!(r.to_string().contains("张伟, 李明"), "{r}");
    }

    #[test]
    fn i_am_manager_zhang_is_the_speaker() {
        let me = zhang();
        let on_duty = names(&["张伟", "张敏"]);
        let cx = Context {
            speaker: Some(&me),
            managers: &on_duty,
            ..Context::default()
        };
        assert_eq!(
            call_in(
                "我是张经理，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话",
                &cx
            )
            .caller,
            zhang()
        );
    }
}

#[test]
fn the_taxi_report_renders_in_the_seeds_own_words() {
    let c = Call::new(Post::L1, zhang(), taxi(None));
    assert_eq!(c.render(), "张伟经理，您的客户王先生需要的出租车已经叫到。");
    assert_eq!(call(&c.render()), c);
    let stand_in = Call::new(Post::Sup, zhang(), taxi(Some("粤B12345")));
    assert_eq!(
        stand_in.render(),
        "我是巡场主管，张伟经理，您的客户王先生需要的出租车已经叫到，车牌号粤B12345。"
    );
    assert_eq!(call(&stand_in.render()), stand_in);
}

#[test]
fn the_send_off_line_up() {
    let c = Call::new(
        Post::G1,
        protocol::Target::All,
        Intent::LineUp { visitor: wang() },
    );
    assert_eq!(c.check(), Ok(()));
    assert_eq!(
        c.render(),
        "我是大客户管家，呼叫各岗位，王先生即将离场，请各岗位到入口礼宾岗恭候送客，收到请回答。"
    );
    assert_eq!(call(&c.render()), c);
    assert_eq!(c.intent.kind(), "line_up");
}

#[test]
fn a_station_named_before_its_hail_is_the_caller() {
    for said in [
        "L1岗，呼叫接待中心，王先生一行3人已前往展示中心，收到请回答",
        "L1呼叫接待中心，王先生一行3人已前往展示中心，收到请回答",
    ] {
        assert_eq!(
            call(said),
            Call::new(
                Post::L1,
                Post::Rc,
                Intent::HeadingIn {
                    visitor: wang(),
                    party: 3
                }
            ),
            "{said}"
        );
    }
    assert_eq!(
        call("大客户经理张伟呼叫水吧，收到请回答"),
        Call::new(zhang(), Post::S1, Intent::Hail)
    );
}
