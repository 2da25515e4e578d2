//! The catalogue of scripted calls (DOMAIN.md §3): one typed intent per scripted call, the follow-up
//! reports, and one free-form intent for anything outside the script. Each intent knows who may
//! make it, whom it is for, and which answers close it.

use serde::{Deserialize, Serialize};

use crate::post::{Post, Station, Target};
use crate::rota::Turn;
// The internally tagged enums below get their `Deserialize` from `tagged_enum!`: tag first.
use crate::tag_first::tagged_enum;
use crate::visitor::{Visitor, VisitorError};

pub(crate) mod plate;
pub use plate::is_plate;

/// Largest party size accepted (a tour bus, not a typo).
pub const MAX_PARTY: u16 = 999;
/// VIP room numbers are 1..=MAX_ROOM.
pub const MAX_ROOM: u8 = 99;
/// Longest free-text field (a drink, a material, a description), in characters.
pub const MAX_TEXT_CHARS: usize = 120;

tagged_enum! {
    /// What a call is about, with its typed fields. The comment on each variant is the scripted line
    /// (caller → target) it stands for; `protocol/PROTOCOL.md` has the full table with sentences.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    pub enum Intent {
        /// Rule 1 of the discipline on its own: 「我是…，呼叫…，收到请回答」 with no matter yet. It opens
        /// the channel; the caller states the matter once the target answers.
        Hail,
        /// #1 L1 → RC (walk-in): 目前有一组客户要来参观，现在是否能接待 — answered 可以接待 / 无法接待.
        WalkInQuery,
        /// #2 L1 → RC (walk-in, after 可以接待): {who}一行{n}人已前往展示中心.
        HeadingIn { visitor: Visitor, party: u16 },
        /// #3 L1 → RC (appointment): {who}一行{n}人已经抵达，请做好接待准备.
        AppointmentArrived { visitor: Visitor, party: u16 },
        /// #4 L1 → all posts: who, how many, appointment or not, what they look like (体貌特征).
        ArrivalBroadcast {
            visitor: Visitor,
            party: u16,
            appointment: bool,
            #[serde(default)]
            description: Option<String>,
        },
        /// #5 X → G1: {who}即将前往VIP室请做好接待准备.
        VipRequest { visitor: Visitor },
        /// #5 follow-up, G1 → X: VIP{k}已经做好接待准备 (a report: it needs no answer).
        VipReady { room: u8 },
        /// #6 X → RC: VIP{k}室{who}即将离场请做好准备.
        VipDeparting { room: u8, visitor: Visitor },
        /// #7 X → S1 and #12 G1 → S1: 请送{drink}至VIP{k}室. `drink` includes the quantity
        /// (两杯柠檬水). `room: None` is the reception area: 请送{drink}至接待区 (the project's own
        /// words, for the seed's 「X1引导客户就坐…并呼叫S1送水」 before any VIP room).
        Drinks {
            drink: String,
            #[serde(default)]
            room: Option<u8>,
        },
        /// #8 X → G1: VIP{k}需要复印身份证.
        IdCopy { room: u8 },
        /// #9 X → G1: 请准备{copies}份{material}资料放至前台处. `material` excludes the word 资料,
        /// which the sentence adds (户型, not 户型资料).
        Documents { copies: u16, material: String },
        /// #10 S1 → OPS: 请将{items}送至水吧台.
        Restock { items: String },
        /// #11 G1 → S1: VIP{k}客人已离去请前去打扫.
        ClearRoom { room: u8 },
        /// S1 → G1, closing #11: VIP{k}已打扫完毕，可以接待 (the project's own words: the seed has no
        /// "room clean" report).
        RoomCleared { room: u8 },
        /// #13 X → RC: {who}即将离场，请做好送客准备.
        SeeOff { visitor: Visitor },
        /// #14 X → L1: 请帮{who}叫一辆出租车，谢谢.
        Taxi { visitor: Visitor },
        /// #14 follow-up, L1 → X, in the seed's own form: {x}经理，您的客户{who}需要的出租车已经叫到
        /// (with the plate L1 noted, a Chinese plate such as 粤B12345).
        TaxiArrived {
            visitor: Visitor,
            #[serde(default)]
            plate: Option<String>,
        },
        /// #15 lobby → model house (seed 002 6.2.5.6): {n}位客人已乘电梯上楼，请做好接待准备.
        ModelHouseReady { party: u16 },
        /// #16 model house → lobby (seed 002 6.2.8.4): {n}位客人已乘电梯下楼，请做好接待准备.
        GuestsDown { party: u16 },
        /// #17 lobby → shuttle (seed 002 6.2.9.2); `next_run` when the cart was full and guests wait.
        Shuttle { party: u16, next_run: bool },
        /// Reception → a client manager: take this group, by the rota (接访轮序). The turn counts
        /// once the manager answers 收到. The words are the project's own (the seed has the rota's
        /// rules, not its radio calls).
        Assign {
            visitor: Visitor,
            party: u16,
            turn: Turn,
        },
        /// The important event's send-off (seed 000, 重要活动接待流程: before the guest of honour
        /// leaves, the butler tells every post to wait at the entrance post), G1 → all posts:
        /// {who}即将离场，请各岗位到入口礼宾岗恭候送客 (the project's own words, after the seed).
        LineUp { visitor: Visitor },
        /// Anything outside the script, marked 【其他】 so nobody mistakes it for a scripted call.
        Free { text: String },
    }
}

/// A target's answer to a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// 收到 — received; the target will act.
    Received,
    /// 可以接待 — the reception desk can take the walk-in group now.
    CanReceive,
    /// 无法接待 — the reception desk cannot take them now.
    CannotReceive,
}

impl Answer {
    pub fn word(self) -> &'static str {
        match self {
            Answer::Received => "收到",
            Answer::CanReceive => "可以接待",
            Answer::CannotReceive => "无法接待",
        }
    }
}

/// Who a rule in the catalogue allows: one post, any client manager, or (for targets) all posts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Post(Post),
    AnyManager,
    /// A client manager, or the supervisor standing in for one (seed 000 §二 6: 由主管代替).
    ManagerOrSupervisor,
    All,
    Anyone,
}

impl Role {
    pub fn admits_station(self, s: &Station) -> bool {
        match self {
            Role::Post(p) => s.post() == Some(p),
            Role::AnyManager => s.is_manager(),
            Role::ManagerOrSupervisor => s.is_manager() || s.is_supervisor(),
            Role::All => false,
            Role::Anyone => true,
        }
    }

    pub fn admits_target(self, t: &Target) -> bool {
        match (self, t) {
            (Role::All, Target::All) | (Role::Anyone, _) => true,
            (_, Target::All) => false,
            (r, Target::Station(s)) => r.admits_station(s),
        }
    }

    /// The role as said on the radio, for error messages.
    pub fn radio_name(self) -> &'static str {
        match self {
            Role::Post(p) => p.radio_name(),
            Role::AnyManager => "大客户经理",
            Role::ManagerOrSupervisor => "大客户经理或巡场主管",
            Role::All => "各岗位",
            Role::Anyone => "任何岗位",
        }
    }
}

/// A field of a typed call that breaks its limits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("who: {0}")]
    Visitor(#[from] VisitorError),
    /// Party sizes are 1..=MAX_PARTY.
    #[error("party size {0} is out of range 1..={MAX_PARTY}")]
    Party(u32),
    /// Copies are 1..=MAX_PARTY.
    #[error("copies: {0} is out of range 1..={MAX_PARTY}")]
    Copies(u32),
    /// Rooms are VIP1..VIP{MAX_ROOM}.
    #[error("VIP room {0} is out of range 1..={MAX_ROOM}")]
    Room(u32),
    /// Say the number with digits or Chinese numerals (3, 三, 十二).
    #[error("{field}: {said:?} is not a number")]
    NotANumber { field: &'static str, said: String },
    /// Free text must say something, briefly; only descriptions and free text may hold punctuation.
    #[error(
        "{field} must be 1..={MAX_TEXT_CHARS} characters, without control characters or (except in a description or free text) punctuation"
    )]
    Text { field: &'static str },
    /// A plate is a Chinese plate: province, letter, 5 characters (6 for new energy).
    #[error(
        "plate: {0:?} is not a Chinese plate; say it as province + letter + 5 or 6 letters and digits, e.g. 粤B12345 (new energy 粤BD12345)"
    )]
    Plate(String),
    /// The sentence says 资料 itself: the material is what kind (户型, 楼书, 价格表).
    #[error(
        "material: {0:?} ends in 资料, which the sentence adds itself; give the kind only (户型, not 户型资料)"
    )]
    Material(String),
}

impl FieldError {
    /// The field at fault, as the script's slots name it: `who`, `party`, `copies`, `room`,
    /// `drink`, `material`, `items`, `description`, `plate`, `text`.
    pub fn field(&self) -> &'static str {
        match self {
            FieldError::Visitor(_) => "who",
            FieldError::Party(_) => "party",
            FieldError::Copies(_) => "copies",
            FieldError::Room(_) => "room",
            FieldError::NotANumber { field, .. } | FieldError::Text { field } => field,
            FieldError::Plate(_) => "plate",
            FieldError::Material(_) => "material",
        }
    }
}

impl Intent {
    /// The intent's name on the wire (the `kind` tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Intent::Hail => "hail",
            Intent::WalkInQuery => "walk_in_query",
            Intent::HeadingIn { .. } => "heading_in",
            Intent::AppointmentArrived { .. } => "appointment_arrived",
            Intent::ArrivalBroadcast { .. } => "arrival_broadcast",
            Intent::VipRequest { .. } => "vip_request",
            Intent::VipReady { .. } => "vip_ready",
            Intent::VipDeparting { .. } => "vip_departing",
            Intent::Drinks { .. } => "drinks",
            Intent::IdCopy { .. } => "id_copy",
            Intent::Documents { .. } => "documents",
            Intent::Restock { .. } => "restock",
            Intent::ClearRoom { .. } => "clear_room",
            Intent::RoomCleared { .. } => "room_cleared",
            Intent::SeeOff { .. } => "see_off",
            Intent::Taxi { .. } => "taxi",
            Intent::TaxiArrived { .. } => "taxi_arrived",
            Intent::ModelHouseReady { .. } => "model_house_ready",
            Intent::GuestsDown { .. } => "guests_down",
            Intent::Shuttle { .. } => "shuttle",
            Intent::Assign { .. } => "assign",
            Intent::LineUp { .. } => "line_up",
            Intent::Free { .. } => "free",
        }
    }

    /// Who may make this call. The duty supervisor (SUP) may stand in for any post and is not listed.
    pub fn callers(&self) -> &'static [Role] {
        use Role::*;
        match self {
            Intent::WalkInQuery
            | Intent::HeadingIn { .. }
            | Intent::AppointmentArrived { .. }
            | Intent::ArrivalBroadcast { .. }
            | Intent::TaxiArrived { .. } => &[Post(crate::Post::L1)],
            Intent::VipRequest { .. }
            | Intent::VipDeparting { .. }
            | Intent::IdCopy { .. }
            | Intent::Documents { .. }
            | Intent::SeeOff { .. }
            | Intent::Taxi { .. } => &[AnyManager],
            Intent::Drinks { .. } => &[AnyManager, Post(crate::Post::G1)],
            Intent::VipReady { .. } | Intent::ClearRoom { .. } | Intent::LineUp { .. } => {
                &[Post(crate::Post::G1)]
            }
            Intent::Restock { .. } | Intent::RoomCleared { .. } => &[Post(crate::Post::S1)],
            Intent::ModelHouseReady { .. } | Intent::Shuttle { .. } => &[Post(crate::Post::Lobby)],
            Intent::GuestsDown { .. } => &[Post(crate::Post::ModelHouse)],
            Intent::Assign { .. } => &[Post(crate::Post::Rc)],
            Intent::Free { .. } | Intent::Hail => &[Anyone],
        }
    }

    /// Whom this call is for.
    pub fn target(&self) -> Role {
        use crate::Post::*;
        match self {
            Intent::WalkInQuery
            | Intent::HeadingIn { .. }
            | Intent::AppointmentArrived { .. }
            | Intent::VipDeparting { .. }
            | Intent::SeeOff { .. } => Role::Post(Rc),
            Intent::ArrivalBroadcast { .. } | Intent::LineUp { .. } => Role::All,
            Intent::VipRequest { .. }
            | Intent::IdCopy { .. }
            | Intent::Documents { .. }
            | Intent::RoomCleared { .. } => Role::Post(G1),
            Intent::VipReady { .. } | Intent::TaxiArrived { .. } => Role::AnyManager,
            Intent::Assign { .. } => Role::ManagerOrSupervisor,
            Intent::Drinks { .. } | Intent::ClearRoom { .. } => Role::Post(S1),
            Intent::Restock { .. } => Role::Post(Ops),
            Intent::Taxi { .. } => Role::Post(L1),
            Intent::ModelHouseReady { .. } => Role::Post(ModelHouse),
            Intent::GuestsDown { .. } => Role::Post(Lobby),
            Intent::Shuttle { .. } => Role::Post(Shuttle),
            Intent::Free { .. } | Intent::Hail => Role::Anyone,
        }
    }

    /// The answers that close this call. Empty for a report, which is closed once delivered.
    pub fn answers(&self) -> &'static [Answer] {
        match self {
            Intent::WalkInQuery => &[Answer::CanReceive, Answer::CannotReceive],
            Intent::VipReady { .. } => &[],
            _ => &[Answer::Received],
        }
    }

    /// For a call to all posts, the posts that must answer it: the ones it gives something to do.
    /// Every other post may answer 收到, but nobody waits for them, repeats the call to them or
    /// escalates their silence; with none of these posts online the call closes at once.
    pub fn must_answer(&self) -> &'static [Post] {
        match self {
            // The parking concierge and the door act on an arrival; the rest only listen.
            Intent::ArrivalBroadcast { .. } => &[Post::L2, Post::Y1, Post::Y2],
            // Everyone at the reception waits at the entrance post for the send-off.
            Intent::LineUp { .. } => &[Post::L1, Post::L2, Post::Y1, Post::Y2, Post::Rc, Post::S1],
            _ => &[],
        }
    }

    /// Posts besides the target whose answer also closes the call. Seed 000 (3): the manager's
    /// departure call goes to the reception desk, and the butler answers it.
    pub fn also_answered_by(&self) -> &'static [Post] {
        match self {
            Intent::VipDeparting { .. } => &[Post::G1],
            _ => &[],
        }
    }

    /// Checks every field against its limits. The parser calls it; so does the hub for calls that
    /// arrive already typed, because the wire is untrusted.
    pub fn validate(&self) -> Result<(), FieldError> {
        match self {
            Intent::WalkInQuery | Intent::Hail => Ok(()),
            Intent::HeadingIn { visitor, party }
            | Intent::AppointmentArrived { visitor, party }
            | Intent::Assign { visitor, party, .. } => {
                visitor.validate()?;
                party_ok(*party)
            }
            Intent::ArrivalBroadcast {
                visitor,
                party,
                description,
                ..
            } => {
                visitor.validate()?;
                party_ok(*party)?;
                match description {
                    Some(d) => text_ok("description", d),
                    None => Ok(()),
                }
            }
            Intent::VipRequest { visitor }
            | Intent::SeeOff { visitor }
            | Intent::Taxi { visitor }
            | Intent::LineUp { visitor } => Ok(visitor.validate()?),
            Intent::VipReady { room }
            | Intent::IdCopy { room }
            | Intent::ClearRoom { room }
            | Intent::RoomCleared { room } => room_ok(*room),
            Intent::VipDeparting { room, visitor } => {
                visitor.validate()?;
                room_ok(*room)
            }
            Intent::Drinks { drink, room } => {
                text_ok("drink", drink)?;
                room.map_or(Ok(()), room_ok)
            }
            Intent::Documents { copies, material } => {
                if !(1..=MAX_PARTY).contains(copies) {
                    return Err(FieldError::Copies((*copies).into()));
                }
                text_ok("material", material)?;
                if material.ends_with("资料") {
                    return Err(FieldError::Material(material.chars().take(24).collect()));
                }
                Ok(())
            }
            Intent::Restock { items } => text_ok("items", items),
            Intent::TaxiArrived { visitor, plate } => {
                visitor.validate()?;
                match plate {
                    Some(p) if !is_plate(p) => Err(FieldError::Plate(p.chars().take(24).collect())),
                    _ => Ok(()),
                }
            }
            Intent::ModelHouseReady { party }
            | Intent::GuestsDown { party }
            | Intent::Shuttle { party, .. } => party_ok(*party),
            Intent::Free { text } => text_ok("text", text),
        }
    }

    /// The VIP room this call is about, if any.
    pub fn room(&self) -> Option<u8> {
        match self {
            Intent::VipReady { room }
            | Intent::VipDeparting { room, .. }
            | Intent::IdCopy { room }
            | Intent::ClearRoom { room }
            | Intent::RoomCleared { room } => Some(*room),
            Intent::Drinks { room, .. } => *room,
            _ => None,
        }
    }

    /// The visitor this call is about, if any.
    pub fn visitor(&self) -> Option<&Visitor> {
        match self {
            Intent::HeadingIn { visitor, .. }
            | Intent::AppointmentArrived { visitor, .. }
            | Intent::ArrivalBroadcast { visitor, .. }
            | Intent::VipRequest { visitor }
            | Intent::VipDeparting { visitor, .. }
            | Intent::SeeOff { visitor }
            | Intent::Taxi { visitor }
            | Intent::TaxiArrived { visitor, .. }
            | Intent::Assign { visitor, .. }
            | Intent::LineUp { visitor } => Some(visitor),
            _ => None,
        }
    }
}

fn party_ok(n: u16) -> Result<(), FieldError> {
    if (1..=MAX_PARTY).contains(&n) {
        Ok(())
    } else {
        Err(FieldError::Party(n.into()))
    }
}

fn room_ok(k: u8) -> Result<(), FieldError> {
    if (1..=MAX_ROOM).contains(&k) {
        Ok(())
    } else {
        Err(FieldError::Room(k.into()))
    }
}

/// Text fields: non-empty, bounded, no control characters, and no surrounding space (the
/// rendering must read back to exactly the same field). Only a description or free text may hold
/// a comma or a colon; in the other fields they would cut the sentence in the wrong place.
pub(crate) fn text_ok(field: &'static str, s: &str) -> Result<(), FieldError> {
    let n = s.chars().count();
    let sentence_punct = matches!(field, "description" | "text");
    if n == 0
        || n > MAX_TEXT_CHARS
        || s.trim() != s
        || s.chars().any(|c| c.is_control())
        || (!sentence_punct && s.chars().any(crate::normalize::is_break))
    {
        Err(FieldError::Text { field })
    } else {
        Ok(())
    }
}
