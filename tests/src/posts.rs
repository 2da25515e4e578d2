//! A test site's tablets, one per post code ("L1", "X:张伟", …), and what most end-to-end tests
//! do with them: a post says a sentence and others answer it, a post taps.

use std::collections::HashMap;

use protocol::{Answer, Tap};
use tablet::Tablet;

use crate::TestHub;

const GOT: Answer = Answer::Received;
/// The posts at the door, who answer an arrival told to every post.
const DOOR: [(&str, Answer); 3] = [("L2", GOT), ("Y1", GOT), ("Y2", GOT)];

#[derive(Default)]
pub struct Posts(HashMap<String, Tablet>);

impl Posts {
    /// Connects a tablet for each post, in order.
    pub async fn connect(hub: &TestHub, posts: &[&str]) -> Posts {
        let mut all = Posts::default();
        all.connect_more(hub, posts).await;
        all
    }

    /// Connects a tablet for each of these posts too, in order.
    pub async fn connect_more(&mut self, hub: &TestHub, posts: &[&str]) {
        for post in posts {
            self.insert(post, hub.tablet(post).await);
        }
    }

    pub fn insert(&mut self, post: &str, tablet: Tablet) {
        self.0.insert(post.to_owned(), tablet);
    }

    pub fn tablet(&mut self, post: &str) -> &mut Tablet {
        self.0
            .get_mut(post)
            .unwrap_or_else(|| panic!("no tablet {post}"))
    }

    pub fn all(&mut self) -> impl Iterator<Item = &mut Tablet> {
        self.0.values_mut()
    }

    /// `caller` says `sentence`; each of `answers` answers it. The call's id.
    pub async fn say(&mut self, caller: &str, sentence: &str, answers: &[(&str, Answer)]) -> u64 {
        let placed = self
            .tablet(caller)
            .say(sentence)
            .await
            .unwrap_or_else(|e| panic!("{caller}: {sentence}\n  refused: {e}"));
        for (by, answer) in answers {
            self.tablet(by)
                .answer(placed.call_id, *answer)
                .await
                .unwrap_or_else(|e| panic!("{by} answers {sentence}: {e}"));
        }
        placed.call_id
    }

    /// A group leaves by taxi: `manager` (a client manager, "X:张伟") asks L1 for a taxi for
    /// `who`, L1 answers 收到, then says it came with `plate`, and the manager answers 收到. On
    /// the board the group has left and the taxi order is done; the log holds the name and the
    /// plate.
    pub async fn leaves_by_taxi(&mut self, manager: &str, who: &str, plate: &str) {
        let name = manager.trim_start_matches("X:");
        self.say(
            manager,
            &format!("我是大客户经理{name}，呼叫L1岗，请帮{who}叫一辆出租车，谢谢。"),
            &[("L1", GOT)],
        )
        .await;
        self.say(
            "L1",
            &format!(
                "我是L1岗，呼叫大客户经理{name}，您的客户{who}需要的出租车已经叫到，车牌号{plate}。"
            ),
            &[(manager, GOT)],
        )
        .await;
    }

    /// A group by appointment at the gate: L1 tells the desk, and the desk answers 收到.
    pub async fn arrives(&mut self, who: &str, people: u32) {
        self.say(
            "L1",
            &format!(
                "我是L1岗，呼叫接待中心，{who}一行{people}人已经抵达，请做好接待准备，收到请回答。"
            ),
            &[("RC", GOT)],
        )
        .await;
    }

    /// L1 tells every post of a group by appointment (and how to know it, when `looks` says),
    /// and the door's three posts answer 收到.
    pub async fn announces(&mut self, who: &str, people: u32, looks: Option<&str>) {
        let looks = looks
            .map(|l| format!("体貌特征：{l}，"))
            .unwrap_or_default();
        self.say(
            "L1",
            &format!("我是L1岗，呼叫各岗位，预约客户{who}到访，共{people}人，请各岗位做好接待工作，{looks}收到请回答。"),
            &DOOR,
        )
        .await;
    }

    /// A walk-in: L1 asks the desk whether it can receive a group (it can), says the group is on
    /// its way in and tells every post; the desk and the door answer.
    pub async fn walks_in(&mut self, who: &str, people: u32) {
        self.say(
            "L1",
            "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。",
            &[("RC", Answer::CanReceive)],
        )
        .await;
        self.say(
            "L1",
            &format!("我是L1岗，呼叫接待中心，{who}一行{people}人已前往展示中心，收到请回答。"),
            &[("RC", GOT)],
        )
        .await;
        self.say(
            "L1",
            &format!("我是L1岗，呼叫各岗位，非预约客户{who}到访，共{people}人，请各岗位做好接待工作，收到请回答。"),
            &DOOR,
        )
        .await;
    }

    /// The desk hands the group by appointment `who` to its `manager` ("X:张伟"), who answers 收到.
    pub async fn assigns(&mut self, manager: &str, who: &str, people: u32) {
        let name = manager.trim_start_matches("X:");
        self.say(
            "RC",
            &format!("我是接待中心，呼叫大客户经理{name}，预约客户{who}一行{people}人已到，请您接待，收到请回答。"),
            &[(manager, GOT)],
        )
        .await;
    }

    /// The desk hands the walk-in `who` to the `manager` whose turn it is, who answers 收到.
    pub async fn assigns_walk_in(&mut self, manager: &str, who: &str, people: u32) {
        let name = manager.trim_start_matches("X:");
        self.say(
            "RC",
            &format!("我是接待中心，呼叫大客户经理{name}，{who}一行{people}人到访，轮到您接待，收到请回答。"),
            &[(manager, GOT)],
        )
        .await;
    }

    /// `manager` tells the butler `who` is on the way to a VIP room; the butler answers 收到.
    pub async fn to_vip(&mut self, manager: &str, who: &str) {
        let name = manager.trim_start_matches("X:");
        self.say(
            manager,
            &format!("我是大客户经理{name}，呼叫大客户管家，{who}即将前往VIP室请做好接待准备，收到请回话。"),
            &[("G1", GOT)],
        )
        .await;
    }

    /// The butler tells `manager` that VIP room `room` is ready (a report: nobody answers).
    pub async fn room_ready(&mut self, manager: &str, room: u8) {
        let name = manager.trim_start_matches("X:");
        self.say(
            "G1",
            &format!("我是管家，呼叫大客户经理{name}，VIP{room}已经做好接待准备。"),
            &[],
        )
        .await;
    }

    /// `manager` tells the desk `who` is about to leave; the desk answers 收到.
    pub async fn leaving(&mut self, manager: &str, who: &str) {
        let name = manager.trim_start_matches("X:");
        self.say(
            manager,
            &format!(
                "我是大客户经理{name}，呼叫接待中心，{who}即将离场，请做好送客准备，收到请回答。"
            ),
            &[("RC", GOT)],
        )
        .await;
    }

    /// `by` taps.
    pub async fn tap(&mut self, by: &str, tap: Tap) {
        let kind = tap.kind();
        self.tablet(by)
            .tap(tap)
            .await
            .unwrap_or_else(|e| panic!("{by} taps {kind}: {e}"));
    }
}
