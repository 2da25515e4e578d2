//! The board follows the radio: one test per thing the board must infer from calls alone, with
//! no tap, on the in-memory desk (see `desk`).

use protocol::alert::AlertKind;
use protocol::room::RoomState;
use protocol::visit::Stage;
use protocol::{Answer, EventKind, Post, Station};

use super::desk::Desk;

const WALK_IN: &str =
    "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。";

impl Desk {
    fn answer_as(&mut self, by: Post, (id, call): (u64, protocol::Call), answer: Answer) {
        let updates = self
            .board
            .on_answer(&call, id, &Station::Post(by), answer, self.now);
        self.log(updates);
    }

    fn stage_of(&self, who: &str) -> Stage {
        let who = protocol::Visitor::parse(who).unwrap();
        self.board
            .visits
            .values()
            .rev()
            .find(|v| v.is(&who))
            .map(|v| v.stage)
            .unwrap_or_else(|| panic!("no group {who}"))
    }

    fn alerts(&self) -> Vec<AlertKind> {
        self.board.alerts.values().map(|a| a.kind).collect()
    }
}

#[test]
fn walk_ins_are_sent_in_first_come_first_served() {
    let mut d = Desk::new();
    let first = d.say(WALK_IN).unwrap();
    d.answer_as(Post::Rc, first.clone(), Answer::CanReceive);
    let second = d.say(WALK_IN).unwrap();
    d.answer_as(Post::Rc, second.clone(), Answer::CanReceive);
    d.say("我是L1岗，呼叫接待中心，王先生一行2人已前往展示中心，收到请回答。")
        .unwrap();
    assert_eq!(
        d.board.visits[&first.0].who.as_ref().map(|w| w.to_string()),
        Some("王先生".into()),
        "the first query is the first group sent in"
    );
    assert!(d.board.visits[&second.0].who.is_none());
}

#[test]
fn a_walk_in_the_desk_accepted_and_the_gate_never_sent_in_raises_an_alarm() {
    let mut d = Desk::new();
    let q = d.say(WALK_IN).unwrap();
    d.answer_as(Post::Rc, q, Answer::CanReceive);
    d.now += d.board.rules.walk_in_within_ms - 1;
    d.settle();
    assert!(d.alerts().is_empty());
    d.now += 1;
    d.settle();
    assert_eq!(d.alerts(), [AlertKind::WalkInNotArrived]);
    let alert = d.board.alerts.values().next().unwrap();
    assert_eq!(alert.to, [Station::Post(Post::L1)]);
    d.say("我是L1岗，呼叫接待中心，王先生一行2人已前往展示中心，收到请回答。")
        .unwrap();
    d.settle();
    assert!(
        d.alerts().is_empty(),
        "resolved once the gate sends them in"
    );
}

#[test]
fn a_vip_request_answered_with_every_room_taken_warns_the_butler_and_the_manager() {
    let mut d = Desk::new();
    for (k, who, x) in [
        (1, "王先生", "张伟"),
        (2, "李小姐", "李娜"),
        (3, "赵女士", "王强"),
    ] {
        d.say(&format!(
            "我是大客户经理{x}，呼叫大客户管家，{who}即将前往VIP室请做好接待准备，收到请回话。"
        ))
        .unwrap();
        d.say(&format!(
            "我是管家，呼叫大客户经理{x}，VIP{k}已经做好接待准备。"
        ))
        .unwrap();
        d.say(&format!(
            "我是大客户经理{x}，呼叫水吧，请送两杯柠檬水至VIP{k}室，收到请回答。"
        ))
        .unwrap();
    }
    assert!(
        d.board
            .rooms
            .values()
            .all(|r| r.state == RoomState::Occupied)
    );
    let ask = d
        .say("我是大客户经理张伟，呼叫大客户管家，陈先生即将前往VIP室请做好接待准备，收到请回话。")
        .unwrap();
    d.answer_as(Post::G1, ask, Answer::Received);
    assert_eq!(d.alerts(), [AlertKind::NoRoomFree]);
    let alert = d.board.alerts.values().next().unwrap();
    assert!(alert.text.contains("陈先生"), "{}", alert.text);
    assert!(alert.to.contains(&Station::Post(Post::G1)));
    assert!(alert.to.contains(&super::desk::x("张伟")));
    // VIP2 is cleared and made ready for 张伟: the alarm goes.
    d.say("我是大客户管家，呼叫水吧，VIP2客人已离去请前去打扫，收到请回话。")
        .unwrap();
    d.say("我是管家，呼叫大客户经理张伟，VIP2已经做好接待准备。")
        .unwrap();
    d.settle();
    assert!(d.alerts().is_empty(), "{:?}", d.board.alerts);
}

#[test]
fn a_room_another_group_sits_in_is_refused_and_nothing_else_is() {
    let mut d = Desk::new();
    d.say("我是大客户经理张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话。")
        .unwrap();
    d.say("我是管家，呼叫大客户经理张伟，VIP1已经做好接待准备。")
        .unwrap();
    d.say("我是大客户经理张伟，呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答。")
        .unwrap();
    let head = d.offset;
    let refused = d
        .say("我是管家，呼叫大客户经理李娜，VIP1已经做好接待准备。")
        .unwrap_err();
    assert_eq!(refused.rule, "room_held");
    assert!(refused.message.contains("王先生"), "{}", refused.message);
    assert_eq!(d.offset, head, "nothing logged");
    // A departure or a clear the board did not expect is taken as said.
    d.say("我是大客户经理李娜，呼叫接待中心，VIP3室赵女士即将离场请做好准备，收到请回话。")
        .unwrap();
    assert_eq!(d.board.rooms[&3].state, RoomState::Occupied);
    assert_eq!(d.stage_of("赵女士"), Stage::Departing);
    d.say("我是大客户管家，呼叫水吧，VIP2客人已离去请前去打扫，收到请回话。")
        .unwrap();
    assert_eq!(d.board.rooms[&2].state, RoomState::ToClear);
}

#[test]
fn a_cleared_room_is_free_a_while_after_the_water_bar_answers() {
    let mut d = Desk::new();
    let drinks = d
        .say("我是大客户经理张伟，呼叫水吧，请送两杯柠檬水至VIP2室，收到请回答。")
        .unwrap();
    d.answer_as(Post::S1, drinks, Answer::Received);
    let clear = d
        .say("我是大客户管家，呼叫水吧，VIP2客人已离去请前去打扫，收到请回话。")
        .unwrap();
    d.answer_as(Post::S1, clear, Answer::Received);
    assert_eq!(d.board.rooms[&2].state, RoomState::ToClear);
    d.now += d.board.rules.done_after_ack_ms;
    d.settle();
    assert_eq!(d.board.rooms[&2].state, RoomState::Free);
    // Nobody answers the next one: that is overdue.
    d.say("我是大客户管家，呼叫水吧，VIP2客人已离去请前去打扫，收到请回话。")
        .unwrap();
    d.now += d.board.rules.clear_within_ms;
    d.settle();
    assert_eq!(d.alerts(), [AlertKind::RoomNotCleared]);
}

#[test]
fn model_house_calls_move_the_one_group_of_that_size_or_ask_the_supervisor() {
    let mut d = Desk::new();
    d.say("我是大客户经理张伟，呼叫大客户管家，王先生即将前往VIP室请做好接待准备，收到请回话。")
        .unwrap();
    d.say("我是L1岗，呼叫接待中心，李小姐一行3人已经抵达，请做好接待准备，收到请回答。")
        .unwrap();
    let wang = d
        .board
        .visits
        .values()
        .find(|v| v.manager.is_some())
        .unwrap()
        .id;
    let mut v = d.board.visits[&wang].clone();
    v.party = Some(3);
    d.log(vec![EventKind::VisitUpdated { visit: v }]);
    d.say("我是大堂岗，呼叫样板房，3位客人已乘电梯上楼，请做好接待准备，收到请回答。")
        .unwrap();
    assert_eq!(
        d.stage_of("王先生"),
        Stage::ModelHouse,
        "the group at the gate is not on a tour"
    );
    d.say("我是样板房，呼叫大堂岗，3位客人已乘电梯下楼，请做好接待准备，收到请回答。")
        .unwrap();
    assert_eq!(d.stage_of("王先生"), Stage::WithManager);
    // Two groups of 2 with managers: the board does not guess.
    for (who, x) in [("赵女士", "李娜"), ("钱先生", "王强")] {
        d.say(&format!(
            "我是大客户经理{x}，呼叫大客户管家，{who}即将前往VIP室请做好接待准备，收到请回话。"
        ))
        .unwrap();
    }
    for v in d.board.visits.clone().into_values() {
        if v.who
            .as_ref()
            .is_some_and(|w| w.surname != "王" && w.surname != "李")
        {
            let mut v = v;
            v.party = Some(2);
            d.log(vec![EventKind::VisitUpdated { visit: v }]);
        }
    }
    d.say("我是大堂岗，呼叫样板房，2位客人已乘电梯上楼，请做好接待准备，收到请回答。")
        .unwrap();
    assert_eq!(d.stage_of("赵女士"), Stage::WithManager);
    assert_eq!(d.stage_of("钱先生"), Stage::WithManager);
    assert_eq!(d.alerts(), [AlertKind::Discrepancy]);
}

#[test]
fn no_duty_manager_on_the_net_for_a_while_raises_an_alarm() {
    let mut d = Desk::new();
    let sup = Station::Post(Post::Sup);
    d.log(vec![EventKind::StationOnline {
        station: sup.clone(),
    }]);
    d.log(vec![EventKind::StationOffline {
        station: sup.clone(),
    }]);
    d.now += d.board.rules.duty_manager_within_ms;
    d.settle();
    assert_eq!(d.alerts(), [AlertKind::NoDutyManager]);
    d.log(vec![EventKind::StationOnline { station: sup }]);
    d.settle();
    assert!(d.alerts().is_empty());
}

#[test]
fn a_group_seen_off_leaves_by_itself_unless_it_waits_for_a_taxi() {
    let mut d = Desk::new();
    d.say("我是大客户经理张伟，呼叫接待中心，王先生即将离场，请做好送客准备，收到请回答。")
        .unwrap();
    d.say("我是大客户经理李娜，呼叫接待中心，李小姐即将离场，请做好送客准备，收到请回答。")
        .unwrap();
    d.say("我是大客户经理李娜，呼叫L1岗，请帮李小姐叫一辆出租车，谢谢。")
        .unwrap();
    d.now += d.board.rules.gone_after_departure_ms;
    d.settle();
    assert_eq!(d.stage_of("王先生"), Stage::Left);
    assert_eq!(
        d.stage_of("李小姐"),
        Stage::Departing,
        "still waiting for the taxi"
    );
}
