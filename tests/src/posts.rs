//! A test site's tablets, one per post code ("L1", "X:张伟", …), and what most end-to-end tests
//! do with them: a post says a sentence and others answer it, a post taps.

use std::collections::HashMap;

use protocol::{Answer, Tap};
use tablet::Tablet;

use crate::TestHub;

#[derive(Default)]
pub struct Posts(HashMap<String, Tablet>);

impl Posts {
    /// Connects a tablet for each post, in order.
    pub async fn connect(hub: &TestHub, posts: &[&str]) -> Posts {
        let mut all = Posts::default();
        for post in posts {
            all.insert(post, hub.tablet(post).await);
        }
        all
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
        let got = Answer::Received;
        self.say(
            manager,
            &format!("我是大客户经理{name}，呼叫L1岗，请帮{who}叫一辆出租车，谢谢。"),
            &[("L1", got)],
        )
        .await;
        self.say(
            "L1",
            &format!(
                "我是L1岗，呼叫大客户经理{name}，您的客户{who}需要的出租车已经叫到，车牌号{plate}。"
            ),
            &[(manager, got)],
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
