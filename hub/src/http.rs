//! The hub's one port: the WebSocket for tablets at `/ws`, and plain HTTP beside it for people
//! and machines — `/healthz` for the load balancer, `/metrics` for Prometheus, and `/api/state`
//! for the supervisor's dashboard (a token in `Authorization: Bearer`), `/ca.crt` (the site's
//! own certificate authority, for tablets to install: [`crate::local_ca`]) — and the pages
//! themselves (`/`, `/dashboard`, `/assets/…`: [`crate::web`]).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::oneshot;

use crate::App;
use crate::switchboard::Request;

pub fn router(app: Arc<App>, pages: crate::web::Assets) -> Router {
    Router::new()
        .route("/ws", get(ws))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/state", get(state))
        .route("/api/report", get(report))
        .route("/ca.crt", get(ca_cert))
        .with_state(app)
        .merge(crate::web::router(pages))
}

/// The WebSocket upgrade. The subprotocol is the client's first offered that the hub speaks
/// ([`Codec::choose`]); with none, the upgrade names none and the connection closes 4503.
async fn ws(
    peer: Option<axum::Extension<crate::server::Peer>>,
    State(app): State<Arc<App>>,
    req: axum::extract::Request,
) -> Response {
    let peer = peer.map(|axum::Extension(p)| p.0);
    crate::line::upgrade::accept(req, move |wire, codec| {
        crate::connection::serve(wire, codec, app, peer)
    })
}

/// The site's CA certificate (`DATA/tls/ca.crt`, made by `hub tls new`), for a tablet to
/// download and install. Only a PEM certificate is ever served from it, never a key.
async fn ca_cert(State(app): State<Arc<App>>) -> Response {
    let path = crate::local_ca::TlsFiles::of(&app.config.data_dir).ca_cert;
    let small = matches!(tokio::fs::metadata(&path).await, Ok(m) if m.len() < 64 * 1024);
    let pem = match tokio::fs::read(&path).await {
        Ok(pem) if small && pem.len() < 64 * 1024 => pem,
        _ => {
            return (
                StatusCode::NOT_FOUND,
                "this hub has no certificate authority of its own: `hub tls new` makes one\n",
            )
                .into_response();
        }
    };
    let text = String::from_utf8_lossy(&pem);
    if !text.contains("-----BEGIN CERTIFICATE-----") || text.contains("PRIVATE KEY") {
        tracing::error!(
            "{} is not a CA certificate alone: not served at /ca.crt",
            path.display()
        );
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the hub's CA certificate file is not a certificate: see the hub's log\n",
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/x-x509-ca-cert"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"radio-hub-ca.crt\"",
            ),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        pem,
    )
        .into_response()
}

/// 200 with every check `ok`, or 503 naming the one that failed ([`crate::health`]).
async fn healthz(State(app): State<Arc<App>>) -> Response {
    let (ok, body) = crate::health::check(&app).await;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// Prometheus text: for the supervisor's token (`Authorization: Bearer`, as scrapers send it),
/// or for anyone when the hub runs with `--metrics-open` (a scraper on a private network).
async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if !app.config.metrics_open {
        match bearer(&app, &headers) {
            Ok(s) if s.is_supervisor() => {}
            Ok(_) => {
                return (
                    StatusCode::FORBIDDEN,
                    axum::Json(serde_json::json!({
                        "error": "the metrics are the supervisor's: use a SUP token, or run the hub with --metrics-open"
                    })),
                )
                    .into_response();
            }
            Err(denied) => return denied,
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

/// The station a request's `Authorization: Bearer` token names, or the 401 to answer.
#[allow(clippy::result_large_err)]
fn bearer(app: &App, headers: &HeaderMap) -> Result<protocol::Station, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    app.gate
        .check(token.trim())
        .map(|grant| grant.station)
        .map_err(|e| {
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                axum::Json(serde_json::json!({ "error": e.to_string() })),
            )
                .into_response()
        })
}

#[derive(serde::Deserialize)]
struct ReportQuery {
    date: Option<String>,
}

/// The daily report (`?date=YYYY-MM-DD`, today if omitted), for any tablet's token.
async fn report(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Response {
    if let Err(denied) = bearer(&app, &headers) {
        return denied;
    }
    match crate::reports::report(&app, q.date.as_deref()).await {
        Ok(report) => axum::Json(report).into_response(),
        Err(crate::reports::ReportFailed::Busy(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "error": e })),
        )
            .into_response(),
        Err(crate::reports::ReportFailed::PastRetention(e)) => (
            StatusCode::GONE,
            axum::Json(serde_json::json!({ "error": e, "rule": "past_retention" })),
        )
            .into_response(),
        Err(crate::reports::ReportFailed::BadDate(e)) => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "error": e })),
        )
            .into_response(),
        Err(crate::reports::ReportFailed::Internal(e)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({ "error": e })),
        )
            .into_response(),
    }
}

/// The live state as JSON, for the token's station: everything for SUP, a post's own part for
/// anyone else.
async fn state(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let station = match bearer(&app, &headers) {
        Ok(s) => s,
        Err(denied) => return denied,
    };
    let (reply, snapshot) = oneshot::channel();
    let asked = app
        .switchboard
        .send(Request::Snapshot { station, reply })
        .await
        .is_ok();
    match (asked, snapshot.await) {
        (true, Ok(Some(json))) => axum::Json(json).into_response(),
        (true, Ok(None)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({
                "error": "the hub is busy making snapshots: ask again in a second"
            })),
        )
            .into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "error": "the hub is shutting down; retry shortly" })),
        )
            .into_response(),
    }
}
