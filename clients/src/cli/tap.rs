//! `radio tap`: one status tap from a terminal, as a post's tablet would tap it — the stages of a
//! visit no radio call marks (parked, greeted, took over, entered VIP k, model house, left), an
//! order done, the rota (sign in, sign out, stand by) and the supervisor's corrections and modes.
//! One subcommand per kind of tap, its fields as options; prints `{"offset":N}`.

use clap::{Subcommand, ValueEnum};
use protocol::order::OrderId;
use protocol::rota::Duty;
use protocol::visit::VisitId;
use protocol::{ManagerName, Tap};

use super::Failure;
use super::hub::{Hub, refused};
use super::output::print_line;
use super::when::{TimeArg, parse_time};
use protocol::zone::Zone;

/// The kinds of tap, as `radio tap <KIND>`: one per [`Tap`] variant.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
pub enum TapCmd {
    /// L2: the visitors' car is parked; they walk to the door.
    Parked {
        /// The visitor group (its id in `radio state`'s `visitors`).
        #[arg(long, value_name = "ID")]
        visit: VisitId,
    },
    /// Y1/Y2: the group was greeted at the door.
    Greeted {
        #[arg(long, value_name = "ID")]
        visit: VisitId,
    },
    /// A client manager takes the group over (the token's manager).
    TookOver {
        #[arg(long, value_name = "ID")]
        visit: VisitId,
    },
    /// A client manager or the butler: the group entered VIP room K.
    EnteredVip {
        #[arg(long, value_name = "ID")]
        visit: VisitId,
        /// The VIP room's number (VIP3: 3).
        #[arg(long, value_name = "K")]
        room: u8,
    },
    /// A client manager or the lobby: the group went to the model house.
    ModelHouse {
        #[arg(long, value_name = "ID")]
        visit: VisitId,
    },
    /// The group left the site (a manager, L1, L2, Y1, Y2 or reception).
    Left {
        #[arg(long, value_name = "ID")]
        visit: VisitId,
    },
    /// The post that owes an order has done it.
    OrderDone {
        /// The order (the id of the call that asked for it).
        #[arg(long, value_name = "ID")]
        order: OrderId,
    },
    /// A client manager signs in on the rota (duty from the day's groups if not given).
    SignIn {
        #[arg(long, value_enum, value_name = "DUTY")]
        duty: Option<DutyArg>,
    },
    /// A client manager signs out of the rota.
    SignOut,
    /// A client manager stands by at the door (or, with --away, steps away).
    StandBy {
        /// Stepping away from the door rather than standing by.
        #[arg(long)]
        away: bool,
    },
    /// A client manager steps away from the door on company business (因公): keeps their turn.
    AwayOnBusiness,
    /// Supervisor: move a manager to a place in the visit queue (0 = next).
    RotaMove {
        #[arg(long, value_name = "NAME", value_parser = manager_name)]
        manager: ManagerName,
        #[arg(long, value_name = "N")]
        position: u16,
    },
    /// Supervisor: take a manager off the rota.
    RotaRemove {
        #[arg(long, value_name = "NAME", value_parser = manager_name)]
        manager: ManagerName,
    },
    /// Supervisor: set the site's modes (every flag not given is off).
    SetMode {
        /// When an important event starts: Unix milliseconds, or a time such as
        /// 2026-05-01T14:00 (in the site's time zone, which the hub says, unless an offset
        /// such as +08:00 is given).
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        important_event_at: Option<TimeArg>,
        /// A media open day: no client reception.
        #[arg(long)]
        media_day: bool,
        /// It is raining: umbrellas at the car park and the door.
        #[arg(long)]
        rain: bool,
    },
    /// Supervisor: close an alert by hand.
    ResolveAlert {
        /// The alert's id, e.g. not_greeted:12.
        #[arg(long, value_name = "ID")]
        alert: String,
    },
}

/// `--duty`: the rota's duties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DutyArg {
    /// 接访 — receiving visitors.
    Visit,
    /// 接电 — answering the phone.
    Phone,
}

impl From<DutyArg> for Duty {
    fn from(d: DutyArg) -> Duty {
        match d {
            DutyArg::Visit => Duty::Visit,
            DutyArg::Phone => Duty::Phone,
        }
    }
}

impl TapCmd {
    /// The tap the command line stands for, reading times in the site's `zone`.
    pub fn to_tap(&self, zone: &Zone) -> Result<Tap, String> {
        Ok(match self.clone() {
            TapCmd::Parked { visit } => Tap::Parked { visit },
            TapCmd::Greeted { visit } => Tap::Greeted { visit },
            TapCmd::TookOver { visit } => Tap::TookOver { visit },
            TapCmd::EnteredVip { visit, room } => Tap::EnteredVip { visit, room },
            TapCmd::ModelHouse { visit } => Tap::ModelHouse { visit },
            TapCmd::Left { visit } => Tap::Left { visit },
            TapCmd::OrderDone { order } => Tap::OrderDone { order },
            TapCmd::SignIn { duty } => Tap::SignIn {
                duty: duty.map(Duty::from),
            },
            TapCmd::SignOut => Tap::SignOut,
            TapCmd::StandBy { away } => Tap::StandBy { at_door: !away },
            TapCmd::AwayOnBusiness => Tap::AwayOnBusiness,
            TapCmd::RotaMove { manager, position } => Tap::RotaMove { manager, position },
            TapCmd::RotaRemove { manager } => Tap::RotaRemove { manager },
            TapCmd::SetMode {
                important_event_at,
                media_day,
                rain,
            } => Tap::SetMode {
                important_event_at: important_event_at.map(|t| t.at(zone)).transpose()?,
                media_day,
                rain,
            },
            TapCmd::ResolveAlert { alert } => Tap::ResolveAlert { alert },
        })
    }
}

fn manager_name(s: &str) -> Result<ManagerName, String> {
    ManagerName::new(s).map_err(|e| format!("not a manager's name: {e}"))
}

/// Taps once and prints `{"offset":N}` (the offset of the `tapped` event). Times are read in
/// the site's zone as the hub names it (China's from a hub too old to say).
pub(crate) async fn tap(hub: &Hub, cmd: &TapCmd) -> Result<(), Failure> {
    let (mut tablet, welcome) = hub.tablet_welcomed().await?;
    let zone = match welcome.time_zone.as_deref().map(Zone::named) {
        Some(Ok(zone)) => zone,
        Some(Err(e)) => {
            let _ = tablet.close().await;
            return Err(Failure::new(format!("the hub's time zone: {e}")));
        }
        None => Zone::china(),
    };
    let tap = match cmd.to_tap(&zone) {
        Ok(tap) => tap,
        Err(e) => {
            let _ = tablet.close().await;
            return Err(Failure::new(e));
        }
    };
    let outcome = tablet.tap(tap).await;
    let _ = tablet.close().await;
    let offset = outcome.map_err(|e| refused(&e))?;
    print_line(&serde_json::json!({ "offset": offset }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Line {
        #[command(subcommand)]
        tap: TapCmd,
    }

    fn tap(args: &[&str]) -> Tap {
        Line::try_parse_from(std::iter::once("tap").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
            .tap
            .to_tap(&Zone::china())
            .unwrap()
    }

    fn refused(args: &[&str]) -> bool {
        Line::try_parse_from(std::iter::once("tap").chain(args.iter().copied())).is_err()
    }

    #[test]
    fn every_kind_of_tap_has_its_subcommand() {
        let zhang = ManagerName::new("张伟").unwrap();
        let cases: Vec<(&[&str], Tap)> = vec![
            (&["parked", "--visit", "7"], Tap::Parked { visit: 7 }),
            (&["greeted", "--visit", "7"], Tap::Greeted { visit: 7 }),
            (&["took-over", "--visit", "7"], Tap::TookOver { visit: 7 }),
            (
                &["entered-vip", "--visit", "7", "--room", "2"],
                Tap::EnteredVip { visit: 7, room: 2 },
            ),
            (
                &["model-house", "--visit", "7"],
                Tap::ModelHouse { visit: 7 },
            ),
            (&["left", "--visit", "7"], Tap::Left { visit: 7 }),
            (
                &["order-done", "--order", "40"],
                Tap::OrderDone { order: 40 },
            ),
            (&["sign-in"], Tap::SignIn { duty: None }),
            (
                &["sign-in", "--duty", "phone"],
                Tap::SignIn {
                    duty: Some(Duty::Phone),
                },
            ),
            (&["sign-out"], Tap::SignOut),
            (&["stand-by"], Tap::StandBy { at_door: true }),
            (&["stand-by", "--away"], Tap::StandBy { at_door: false }),
            (&["away-on-business"], Tap::AwayOnBusiness),
            (
                &["rota-move", "--manager", "张伟", "--position", "0"],
                Tap::RotaMove {
                    manager: zhang.clone(),
                    position: 0,
                },
            ),
            (
                &["rota-remove", "--manager", "张伟"],
                Tap::RotaRemove {
                    manager: zhang.clone(),
                },
            ),
            (
                &["set-mode"],
                Tap::SetMode {
                    important_event_at: None,
                    media_day: false,
                    rain: false,
                },
            ),
            (
                &[
                    "set-mode",
                    "--important-event-at",
                    "2026-05-01T14:00",
                    "--media-day",
                    "--rain",
                ],
                Tap::SetMode {
                    important_event_at: Some(1_777_615_200_000),
                    media_day: true,
                    rain: true,
                },
            ),
            (
                &["set-mode", "--important-event-at", "1777615200000"],
                Tap::SetMode {
                    important_event_at: Some(1_777_615_200_000),
                    media_day: false,
                    rain: false,
                },
            ),
            (
                &["resolve-alert", "--alert", "not_greeted:12"],
                Tap::ResolveAlert {
                    alert: "not_greeted:12".into(),
                },
            ),
        ];
        let mut kinds: Vec<&str> = Vec::new();
        for (args, want) in cases {
            let got = tap(args);
            assert_eq!(got, want, "{args:?}");
            // The subcommand is the tap's wire name, kebab-case.
            assert_eq!(args[0].replace('-', "_"), got.kind(), "{args:?}");
            kinds.push(got.kind());
        }
        kinds.dedup();
        assert_eq!(kinds.len(), 15, "one subcommand per Tap variant: {kinds:?}");
    }

    #[test]
    fn bad_options_are_refused_before_connecting() {
        assert!(refused(&["parked"]));
        assert!(refused(&["greeted", "--visit", "seven"]));
        assert!(refused(&["entered-vip", "--visit", "7"]));
        assert!(refused(&["entered-vip", "--visit", "7", "--room", "300"]));
        assert!(refused(&["sign-in", "--duty", "lunch"]));
        assert!(refused(&[
            "rota-move",
            "--manager",
            "张伟1",
            "--position",
            "0"
        ]));
        assert!(refused(&[
            "rota-move",
            "--manager",
            "张伟",
            "--position",
            "-1"
        ]));
        assert!(refused(&["set-mode", "--important-event-at", "soon"]));
        assert!(refused(&["resolve-alert"]));
        assert!(refused(&["dance"]));
    }
}
