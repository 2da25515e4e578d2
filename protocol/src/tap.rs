//! Status taps: the stages of a visit that no radio call marks (parked, greeted at the door, the
//! manager took over, entered VIP k, left), orders done, the rota's sign-in and stand-by, and the
//! supervisor's corrections and modes. One tap on a tablet; typed, checked and logged like a call.

use serde::Serialize;

use crate::intent::Role;
use crate::order::OrderId;
use crate::post::ManagerName;
use crate::rota::Duty;
// The internally tagged enums below get their `Deserialize` from `tagged_enum!`: tag first.
use crate::tag_first::tagged_enum;
use crate::visit::VisitId;

tagged_enum! {
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    pub enum Tap {
        /// L2: the visitors' car is parked; they walk to the door.
        Parked {
            visit: VisitId,
        },
        /// Y1/Y2: greeted at the door.
        Greeted {
            visit: VisitId,
        },
        /// A client manager takes the group over (the manager is the one tapping).
        TookOver {
            visit: VisitId,
        },
        /// The group entered VIP room `room`.
        EnteredVip {
            visit: VisitId,
            room: u8,
        },
        /// The group went to the model house.
        ModelHouse {
            visit: VisitId,
        },
        /// The group left the site.
        Left {
            visit: VisitId,
        },
        /// The post that owes an order has done it.
        OrderDone {
            order: OrderId,
        },
        /// A client manager signs in on the rota (duty from the day's groups if not given).
        SignIn {
            #[serde(default)]
            duty: Option<Duty>,
        },
        SignOut,
        /// A client manager stands by at the door (true) or steps away (false).
        StandBy {
            at_door: bool,
        },
        /// A client manager steps away from the door on company business (因公): a turn passed over
        /// meanwhile is kept for them and made up first when they are back (seed 003 rule 11).
        AwayOnBusiness,
        /// Supervisor: move a manager to a place in the visit queue (0 = next).
        RotaMove {
            manager: ManagerName,
            position: u16,
        },
        /// Supervisor: take a manager off the rota.
        RotaRemove {
            manager: ManagerName,
        },
        /// Supervisor: set the site's modes.
        SetMode {
            #[serde(default)]
            important_event_at: Option<u64>,
            #[serde(default)]
            media_day: bool,
            #[serde(default)]
            rain: bool,
        },
        /// Supervisor: close an alert by hand.
        ResolveAlert {
            alert: String,
        },
    }
}

impl Tap {
    pub fn kind(&self) -> &'static str {
        match self {
            Tap::Parked { .. } => "parked",
            Tap::Greeted { .. } => "greeted",
            Tap::TookOver { .. } => "took_over",
            Tap::EnteredVip { .. } => "entered_vip",
            Tap::ModelHouse { .. } => "model_house",
            Tap::Left { .. } => "left",
            Tap::OrderDone { .. } => "order_done",
            Tap::SignIn { .. } => "sign_in",
            Tap::SignOut => "sign_out",
            Tap::StandBy { .. } => "stand_by",
            Tap::AwayOnBusiness => "away_on_business",
            Tap::RotaMove { .. } => "rota_move",
            Tap::RotaRemove { .. } => "rota_remove",
            Tap::SetMode { .. } => "set_mode",
            Tap::ResolveAlert { .. } => "resolve_alert",
        }
    }

    /// Who may tap it (the supervisor may tap anything). `OrderDone` is further limited to the
    /// post that owes the order, which only the board knows.
    pub fn tappers(&self) -> &'static [Role] {
        use Role::*;
        match self {
            Tap::Parked { .. } => &[Post(crate::Post::L2)],
            Tap::Greeted { .. } => &[Post(crate::Post::Y1), Post(crate::Post::Y2)],
            Tap::TookOver { .. }
            | Tap::SignIn { .. }
            | Tap::SignOut
            | Tap::StandBy { .. }
            | Tap::AwayOnBusiness => &[AnyManager],
            Tap::EnteredVip { .. } => &[AnyManager, Post(crate::Post::G1)],
            Tap::ModelHouse { .. } => &[AnyManager, Post(crate::Post::Lobby)],
            Tap::Left { .. } => &[
                AnyManager,
                Post(crate::Post::L1),
                Post(crate::Post::L2),
                Post(crate::Post::Y1),
                Post(crate::Post::Y2),
                Post(crate::Post::Rc),
            ],
            Tap::OrderDone { .. } => &[Anyone],
            Tap::RotaMove { .. }
            | Tap::RotaRemove { .. }
            | Tap::SetMode { .. }
            | Tap::ResolveAlert { .. } => &[Post(crate::Post::Sup)],
        }
    }
}
