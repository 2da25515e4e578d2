//! `radio state`: the site as this tablet's station may see it — visitor groups, VIP rooms,
//! orders, open calls, the rota, modes, alerts (everything for SUP) — the same JSON as
//! `/api/state`, pretty-printed, with the offset it is valid at.

use super::Failure;
use super::hub::{Hub, refused};
use super::output::print_line;

/// Asks the hub for its state and prints it.
pub(crate) async fn state(hub: &Hub) -> Result<(), Failure> {
    let mut tablet = hub.tablet().await?;
    let outcome = tablet.state().await;
    let _ = tablet.close().await;
    let state = outcome.map_err(|e| refused(&e))?;
    print_line(&pretty(&state)?)
}

/// JSON for people: indented, one field a line.
pub(crate) fn pretty(v: &serde_json::Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(v).map_err(|e| Failure::new(format!("cannot print: {e}")))
}
