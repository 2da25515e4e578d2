//! `radio report`: the daily report — visitor groups, gate-to-door and gate-to-VIP times, how
//! fast each post answers, turns per manager, repeats and escalations, room turnover, orders —
//! the same JSON as `/api/report`, pretty-printed. Any station's token may ask.

use super::Failure;
use super::hub::{Hub, refused};
use super::output::print_line;
use super::state::pretty;

/// Asks for the report of `date` (`YYYY-MM-DD` in the site's time zone; today if `None`) and
/// prints it. The hub judges the date: one it cannot read is refused (`bad_date`).
pub(crate) async fn report(hub: &Hub, date: Option<&str>) -> Result<(), Failure> {
    let mut tablet = hub.tablet().await?;
    let outcome = tablet.report(date).await;
    let _ = tablet.close().await;
    let report = outcome.map_err(|e| refused(&e))?;
    print_line(&pretty(&report)?)
}
