//! The hub's one port: the WebSocket for tablets at `/ws`, and plain HTTP beside it for people
//! and machines — `/healthz` for the load balancer, `/metrics` for Prometheus, and `/api/state`
//! for the supervisor's dashboard (a token in `Authorization: Bearer`).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use protocol::codec::{MAX_FRAME_BYTES, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK};
use tokio::sync::oneshot;

use crate::App;
use crate::switchboard::Request;

/// Per-connection read buffer: a radio call is a few hundred bytes, and a thousand idle tablets
/// should cost little.
const READ_BUFFER: usize = 4 * 1024;
/// Bytes gathered before tungstenite writes to the socket; a flush writes whatever is there.
const WRITE_BUFFER: usize = 16 * 1024;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/ws", get(ws))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/state", get(state))
        .with_state(app)
}

async fn ws(upgrade: WebSocketUpgrade, State(app): State<Arc<App>>) -> Response {
    upgrade
        .protocols([SUBPROTOCOL_MSGPACK, SUBPROTOCOL_JSON])
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(WRITE_BUFFER + 4 * MAX_FRAME_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| crate::connection::serve(socket, app))
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

/// The live state as JSON, for the token's station: everything for SUP, a post's own part for
/// anyone else.
async fn state(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let station = match app.secret.verify(token.trim()) {
        Ok(s) => s,
        Err(e) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                axum::Json(serde_json::json!({ "error": e.to_string() })),
            )
                .into_response();
        }
    };
    let (reply, snapshot) = oneshot::channel();
    let asked = app
        .switchboard
        .send(Request::Snapshot { station, reply })
        .await
        .is_ok();
    match (asked, snapshot.await) {
        (true, Ok(json)) => axum::Json(json).into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "error": "the hub is shutting down; retry shortly" })),
        )
            .into_response(),
    }
}
