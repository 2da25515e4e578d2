//! The pages the hub serves on its own port: the tablet at each post (`/`), the supervisor's
//! dashboard (`/dashboard`), their assets (`/assets/…`) and the web app manifest.
//!
//! The pages are plain HTML, CSS and ES modules (no build step); they talk to the hub over `/ws`
//! like any other client. Every response carries a strict Content-Security-Policy (nothing inline,
//! nothing from another origin), `nosniff` and no referrer. Caching: the HTML and the manifest are
//! revalidated on every load (`no-cache` with an `ETag`), and the HTML points at its assets under
//! the embedded set's version (`/assets/v-<version>/…`, written where a page says `{{assets}}`),
//! which is cached for a year as `immutable`. Assets from `--web DIR` are never cached.

mod assets;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

pub use assets::{Assets, content_type};

/// Where a page says `{{assets}}`, the hub writes the assets' versioned root.
pub const ASSETS_MARK: &str = "{{assets}}";

/// The Content-Security-Policy of every page: scripts, styles, fonts and the WebSocket from the
/// hub only, nothing inline, no frames. `connect-src 'self'` covers `ws:`/`wss:` to the same
/// host and port (CSP Level 3), so a page can reach its own hub's `/ws` and nothing else.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; media-src 'self'; \
    connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Versioned assets never change under their URL.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else is checked with the hub on every use (a 304 when unchanged).
const REVALIDATE: &str = "no-cache";

/// The routes of the pages, to merge into the hub's router.
pub fn router(assets: Assets) -> Router {
    Router::new()
        .route("/", get(tablet))
        .route("/dashboard", get(dashboard))
        .route("/manifest.webmanifest", get(manifest))
        .route("/assets/{*path}", get(asset))
        .with_state(Arc::new(assets))
}

async fn tablet(State(assets): State<Arc<Assets>>, req: HeaderMap) -> Response {
    page(&assets, "index.html", &req).await
}

async fn dashboard(State(assets): State<Arc<Assets>>, req: HeaderMap) -> Response {
    page(&assets, "dashboard.html", &req).await
}

async fn manifest(State(assets): State<Arc<Assets>>, req: HeaderMap) -> Response {
    match assets.get("manifest.webmanifest").await {
        Some(body) => file("manifest.webmanifest", body.into_owned(), REVALIDATE, &req),
        None => not_found(),
    }
}

/// An HTML page, with `{{assets}}` replaced by the assets' root for this hub.
async fn page(assets: &Assets, name: &str, req: &HeaderMap) -> Response {
    let Some(body) = assets.get(name).await else {
        return not_found();
    };
    let root = match assets.version() {
        Some(version) => format!("/assets/v-{version}"),
        None => "/assets".to_owned(),
    };
    let html = String::from_utf8_lossy(&body).replace(ASSETS_MARK, &root);
    file(name, html.into_bytes(), REVALIDATE, req)
}

/// `/assets/v-<version>/path` (cached for good when the version is this hub's) or
/// `/assets/path` (revalidated).
async fn asset(
    State(assets): State<Arc<Assets>>,
    Path(path): Path<String>,
    req: HeaderMap,
) -> Response {
    let (path, cache) = match path.split_once('/') {
        Some((v, rest)) if v.starts_with("v-") => {
            // A page from an older hub asking for its old version gets today's file, uncached.
            let current = assets.version() == Some(&v[2..]);
            (rest, if current { IMMUTABLE } else { REVALIDATE })
        }
        _ => (path.as_str(), REVALIDATE),
    };
    let path = format!("assets/{path}");
    match assets.get(&path).await {
        Some(body) => file(&path, body.into_owned(), cache, &req),
        None => not_found(),
    }
}

/// A file's response: its type, caching, an `ETag` (and `304 Not Modified` when the browser
/// already has it), and the security headers.
fn file(path: &str, body: Vec<u8>, cache: &'static str, req: &HeaderMap) -> Response {
    let Some(kind) = content_type(path) else {
        return not_found();
    };
    let etag = format!("\"{}\"", assets::hex(&Sha256::digest(&body)[..8]));
    let fresh = req
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header"),
    );
    secure(headers);
    response
}

fn not_found() -> Response {
    let mut response = (StatusCode::NOT_FOUND, "not found\n").into_response();
    secure(response.headers_mut());
    response
}

/// The security headers every page response carries.
fn secure(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}
