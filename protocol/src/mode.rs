//! The site's modes, set by the supervisor: an important event (only appointments from an hour
//! before, milestones at T-60/T-30/T-20), a media open day (no client reception), rain.

use serde::{Deserialize, Serialize};

/// The standard words at the gate during an important event (DOMAIN.md §5).
pub const IMPORTANT_EVENT_WORDS: &str =
    "现在本项目有重要活动，暂停接待，您如有参观需求，请另行预约。";
/// The words on a media open day.
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
            30 => "距重要活动开始还有30分钟：请各岗位清场。",
            _ => "距重要活动开始还有20分钟：全体接待人员到入口岗位等候。",
        }
    }
}

/// The reminder for rain, to the parking concierge and the door.
pub const RAIN_WORDS: &str =
    "下雨了：L2岗与大门迎宾请准备雨伞，为未带伞的客人撑伞，门口放置雨伞套；样板房备好一次性鞋套。";
