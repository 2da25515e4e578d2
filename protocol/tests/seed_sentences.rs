//! Every example sentence of seed 000 §(三) 对讲机统一说辞, in the seed's own punctuation, with its
//! placeholders (××, ×, XX) filled in as a person would, parses to the call one would expect.

use protocol::intent::Answer;
use protocol::{Call, Intent, Post, Station, Target, Title, Utterance, Visitor};

fn zhang() -> Station {
    Station::manager("张伟").unwrap()
}

fn wang() -> Visitor {
    Visitor::new("王", Title::Mr).unwrap()
}

fn li() -> Visitor {
    Visitor::new("李", Title::Miss).unwrap()
}

fn call(said: &str) -> Call {
    match Call::parse(said) {
        Ok(Utterance::Call(c)) => c,
        other => panic!("{said}\n  parsed as {other:?}"),
    }
}

fn answer(said: &str) -> Answer {
    match Call::parse(said) {
        Ok(Utterance::Answer { answer }) => answer,
        other => panic!("{said}\n  parsed as {other:?}"),
    }
}

#[test]
fn rule_1_hailing_the_butler_and_the_water_bar() {
    assert_eq!(
        call("我是大客户经理张伟,呼叫大客户管家,收到请回答。"),
        Call::new(zhang(), Post::G1, Intent::Hail)
    );
    assert_eq!(
        call("我是大客户经理张伟,呼叫水吧,收到请回答。"),
        Call::new(zhang(), Post::S1, Intent::Hail)
    );
}

#[test]
fn gate_walk_in_query_and_its_answers() {
    assert_eq!(
        call("我是L1岗,呼叫销售中心,目前有一组客户要来参观,现在是否能接待,收到请回答。"),
        Call::new(Post::L1, Post::Rc, Intent::WalkInQuery)
    );
    assert_eq!(answer("可以接待"), Answer::CanReceive);
    assert_eq!(answer("无法接待"), Answer::CannotReceive);
}

#[test]
fn gate_walk_in_heading_to_the_gallery() {
    assert_eq!(
        call("我是L1岗,呼叫接待中心,王先生一行3人已前往展示中心,收到请回答。"),
        Call::new(
            Post::L1,
            Post::Rc,
            Intent::HeadingIn {
                visitor: wang(),
                party: 3
            }
        )
    );
    assert_eq!(answer("收到"), Answer::Received);
}

#[test]
fn gate_appointment_arrived() {
    assert_eq!(
        call("我是L1岗,呼叫接待中心,王先生一行三人已经抵达,请做好接待准备,收到请回答。"),
        Call::new(
            Post::L1,
            Post::Rc,
            Intent::AppointmentArrived {
                visitor: wang(),
                party: 3
            }
        )
    );
}

#[test]
fn manager_asks_the_butler_for_a_vip_room_and_the_butler_reports_it_ready() {
    assert_eq!(
        call("我是大客户经理张伟,呼叫大客户管家,李小姐即将前往VIP 室请做好接待准备,收到请回话。"),
        Call::new(zhang(), Post::G1, Intent::VipRequest { visitor: li() })
    );
    assert_eq!(
        call("我是管家,呼叫大客户经理张伟,VIP3已经做好接待准备。"),
        Call::new(Post::G1, zhang(), Intent::VipReady { room: 3 })
    );
}

#[test]
fn manager_tells_reception_a_vip_room_is_leaving() {
    assert_eq!(
        call("我是大客户经理张伟,呼叫接待中心,VIP2室王先生即将离场请做好准备,收到请回话。"),
        Call::new(
            zhang(),
            Post::Rc,
            Intent::VipDeparting {
                room: 2,
                visitor: wang()
            }
        )
    );
}

#[test]
fn service_calls_drinks_id_copy_documents() {
    assert_eq!(
        call("我是大客户经理张伟,呼叫水吧,请送两杯柠檬水至VIP1室,收到请回答。"),
        Call::new(
            zhang(),
            Post::S1,
            Intent::Drinks {
                drink: "两杯柠檬水".into(),
                room: Some(1)
            }
        )
    );
    assert_eq!(
        call("我是大客户经理张伟,呼叫大客户管家,VIP1需要复印身份证,收到请回话。"),
        Call::new(zhang(), Post::G1, Intent::IdCopy { room: 1 })
    );
    assert_eq!(
        call("我是大客户经理张伟,呼叫大客户管家,请准备两份户型资料放至前台处,收到请回话。"),
        Call::new(
            zhang(),
            Post::G1,
            Intent::Documents {
                copies: 2,
                material: "户型".into()
            }
        )
    );
}

#[test]
fn water_bar_restock_and_butler_calls() {
    assert_eq!(
        call("我是水吧,呼叫操作间,请将柠檬和冰块送至水吧台,收到请回话。"),
        Call::new(
            Post::S1,
            Post::Ops,
            Intent::Restock {
                items: "柠檬和冰块".into()
            }
        )
    );
    assert_eq!(
        call("我是大客户管家,呼叫水吧,VIP3客人已离去请前去打扫,收到请回话。"),
        Call::new(Post::G1, Post::S1, Intent::ClearRoom { room: 3 })
    );
    assert_eq!(
        call("我是大客户管家,呼叫水吧,请送咖啡至VIP2室,收到请回答。"),
        Call::new(
            Post::G1,
            Post::S1,
            Intent::Drinks {
                drink: "咖啡".into(),
                room: Some(2)
            }
        )
    );
}

#[test]
fn seeing_off_and_the_taxi() {
    assert_eq!(
        call("我是大客户经理张伟,呼叫接待中心,王先生即将离场,请做好送客准备,收到请回答。"),
        Call::new(zhang(), Post::Rc, Intent::SeeOff { visitor: wang() })
    );
    assert_eq!(
        call("“我是大客户经理张伟,呼叫L1岗,请帮李小姐叫一辆出租车,谢谢”"),
        Call::new(zhang(), Post::L1, Intent::Taxi { visitor: li() })
    );
    assert_eq!(
        call("“张伟经理,您的客户李小姐需要的出租车已经叫到。”"),
        Call::new(
            Post::L1,
            zhang(),
            Intent::TaxiArrived {
                visitor: li(),
                plate: None
            }
        )
    );
    assert_eq!(answer("“收到,谢谢。”"), Answer::Received);
}

#[test]
fn the_arrival_broadcast_to_the_whole_site() {
    // 「对讲机告知整个案场预约客户**先生/小姐到访,共几人,请各岗位做好接待工作,并简单描述体貌特征」
    assert_eq!(
        call(
            "我是L1岗，呼叫各岗位，预约客户王先生到访，共4人，请各岗位做好接待工作，体貌特征：黑色轿车，穿灰色西装，收到请回答。"
        ),
        Call::new(
            Post::L1,
            Target::All,
            Intent::ArrivalBroadcast {
                visitor: wang(),
                party: 4,
                appointment: true,
                description: Some("黑色轿车，穿灰色西装".into())
            }
        )
    );
}

#[test]
fn model_house_calls_of_seed_002() {
    assert_eq!(
        call("我是大堂岗，呼叫样板房，五位客人已乘电梯上楼，请做好接待准备，收到请回答。"),
        Call::new(
            Post::Lobby,
            Post::ModelHouse,
            Intent::ModelHouseReady { party: 5 }
        )
    );
    assert_eq!(
        call("我是样板房，呼叫大堂岗，5位客人已乘电梯下楼，请做好接待准备，收到请回答。"),
        Call::new(
            Post::ModelHouse,
            Post::Lobby,
            Intent::GuestsDown { party: 5 }
        )
    );
    assert_eq!(
        call(
            "我是大堂岗，呼叫电瓶车，电瓶车已满，大堂还有十二位客人等候下一班车，请尽快安排，收到请回答。"
        ),
        Call::new(
            Post::Lobby,
            Post::Shuttle,
            Intent::Shuttle {
                party: 12,
                next_run: true
            }
        )
    );
}

#[test]
fn rendering_gives_the_trained_words() {
    let cases = [
        (
            Call::new(Post::L1, Post::Rc, Intent::WalkInQuery),
            "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。",
        ),
        (
            Call::new(zhang(), Post::G1, Intent::VipRequest { visitor: wang() }),
            "我是大客户经理张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话。",
        ),
        (
            Call::new(Post::G1, zhang(), Intent::VipReady { room: 3 }),
            "我是管家，呼叫大客户经理张伟，VIP3已经做好接待准备。",
        ),
        (
            Call::new(zhang(), Post::L1, Intent::Taxi { visitor: li() }),
            "我是大客户经理张伟，呼叫L1岗，请帮李小姐叫一辆出租车，谢谢。",
        ),
        (
            Call::new(zhang(), Post::G1, Intent::Hail),
            "我是大客户经理张伟，呼叫大客户管家，收到请回答。",
        ),
        (
            Call::new(
                Post::L1,
                zhang(),
                Intent::TaxiArrived {
                    visitor: li(),
                    plate: Some("粤B12345".into()),
                },
            ),
            "张伟经理，您的客户李小姐需要的出租车已经叫到，车牌号粤B12345。",
        ),
    ];
    for (call, words) in cases {
        assert_eq!(call.render(), words);
    }
}
