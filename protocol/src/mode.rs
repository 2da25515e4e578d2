//! The site's modes, set by the supervisor: an important event (only appointments from an hour
//! before, milestones at T-60/T-30/T-20), a media open day (no client reception), rain.

use serde::{Deserialize, Serialize};

/// The standard words at the gate during an important event (docs/DOMAIN.md, "Modes").
pub const IMPORTANT_EVENT_WORDS: &str =
    "现在本项目有重要活动，暂停接待，您如有参观需求，请另行预约。";
/// The words on a media open day. The seeds say only that there is no reception that day
/// (seed 000 §二 12); these words are the project's own, modelled on the important event's.
pub const MEDIA_DAY_WORDS: &str = "今天是媒体开放日，暂停接待客户，您如有参观需求，请另行预约。";

/// Minutes before an important event when the milestones are announced.
pub const MILESTONES: [u8; 3] = [60, 30, 20];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mode {
    /// When the important event starts (ms since the Unix epoch), if one is set.
    #[serde(default)]
    pub important_event_at: Option<u64>,
    #[serde(default)]
    pub media_day: bool,
    #[serde(default)]
    pub rain: bool,
    /// Milestones (minutes before) already announced for the current event.
    #[serde(default)]
    pub announced: Vec<u8>,
}

impl Mode {
    /// Whether walk-ins are refused at `now`: from an hour before an important event.
    pub fn appointments_only(&self, now: u64) -> bool {
        self.important_event_at
            .is_some_and(|t| now + 60 * 60_000 >= t)
    }

    /// What a milestone asks of the staff.
    pub fn milestone_words(minutes: u8) -> &'static str {
        match minutes {
            60 => "距重要活动开始还有60分钟：即刻起只接待预约客户，非预约客户请礼貌劝离。",
            30 => "距重要活动开始还有30分钟：园区清场，请保洁、施工人员离开参观区域。",
            _ => "距重要活动开始还有20分钟：全体接待人员到入口礼宾岗等候。",
        }
    }
}

/// The reminder for rain (seed 000 §一 and seed 002): to the parking concierge and the door, who
/// hold umbrellas and take the guests' own into the umbrella stand (雨伞筒), and to the lobby and
/// the model house, who set out the umbrella-bag stand (套伞机, 套伞袋) and disposable shoe covers.
pub const RAIN_WORDS: &str = "下雨了：L2岗为未带伞的客人撑伞，大门迎宾接过客人的雨伞放置雨伞筒；大堂与样板房备好套伞机、套伞袋和一次性鞋套。";

/// The posts the rain reminder goes to.
pub const RAIN_POSTS: [crate::Post; 5] = [
    crate::Post::L2,
    crate::Post::Y1,
    crate::Post::Y2,
    crate::Post::Lobby,
    crate::Post::ModelHouse,
];
