//! The pages as HTTP serves them: each with its content type, its caching and the security
//! headers; every asset a page names is there; nothing comes from another origin; `--web DIR`
//! serves a folder as it is on disk.

use integration::TestHub;
use integration::fetch::{Fetched, fetch};

/// The `src`/`href` URLs an HTML page names.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            out.push(part.split('"').next().unwrap().to_owned());
        }
    }
    out
}

fn assert_secure(r: &Fetched, what: &str) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"));
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            csp.contains(directive),
            "{what}: CSP lacks {directive}: {csp}"
        );
    }
    assert!(
        !csp.contains("unsafe"),
        "{what}: CSP allows something unsafe: {csp}"
    );
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
}

#[tokio::test]
async fn pages_and_assets_have_their_types_caching_and_security_headers() {
    let hub = TestHub::start().await;
    let mut versioned = Vec::new();
    for (path, title) in [("/", "岗位平板"), ("/dashboard", "巡场主管看板")] {
        let page = fetch(hub.addr, path, &[]).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(page.header("cache-control"), Some("no-cache"), "{path}");
        assert_secure(&page, path);
        let html = page.text();
        assert!(
            html.contains("<html lang=\"zh-CN\">") && html.contains(title),
            "{path}"
        );
        assert!(
            !html.contains("{{assets}}"),
            "{path}: the assets' root is filled in"
        );
        assert!(
            !html.contains("<script>") && !html.contains("style=\""),
            "{path}: nothing inline"
        );

        // Every asset the page names is served, from this origin, with the right type.
        for link in links(&html) {
            assert!(
                link.starts_with('/'),
                "{path} names {link}, not on this hub"
            );
            let r = fetch(hub.addr, &link, &[]).await;
            assert_eq!(r.status, 200, "{path} names {link}");
            let want = match link.rsplit('.').next().unwrap() {
                "css" => "text/css; charset=utf-8",
                "js" => "text/javascript; charset=utf-8",
                "svg" => "image/svg+xml",
                "png" => "image/png",
                "webmanifest" => "application/manifest+json",
                other => panic!("{link}: unexpected kind {other}"),
            };
            assert_eq!(r.header("content-type"), Some(want), "{link}");
            assert_secure(&r, &link);
            if link.starts_with("/assets/v-") {
                versioned.push(link);
            }
        }
    }

    // Versioned assets are cached for good; the same file unversioned, or under another
    // version, is revalidated.
    let css = versioned
        .iter()
        .find(|l| l.ends_with("/app.css"))
        .expect("the page's CSS");
    let immutable = fetch(hub.addr, css, &[]).await;
    assert_eq!(
        immutable.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    for other in ["/assets/app.css", "/assets/v-000000000000/app.css"] {
        let r = fetch(hub.addr, other, &[]).await;
        assert_eq!(
            (r.status, r.header("cache-control")),
            (200, Some("no-cache")),
            "{other}"
        );
        assert_eq!(r.body, immutable.body);
    }
    // Module imports resolve beside the module, under the same version.
    let root = css.trim_end_matches("app.css");
    let hub_js = fetch(hub.addr, &format!("{root}lib/link.js"), &[]).await;
    assert_eq!(hub_js.status, 200);
    assert!(
        hub_js.text().contains("radio.v1.json"),
        "the JSON subprotocol PROTOCOL.md names"
    );

    // A browser that has the page already is told so.
    let page = fetch(hub.addr, "/", &[]).await;
    let etag = page.header("etag").expect("an ETag").to_owned();
    let again = fetch(hub.addr, "/", &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_secure(&again, "a 304");

    let manifest = fetch(hub.addr, "/manifest.webmanifest", &[]).await;
    assert_eq!(
        manifest.header("content-type"),
        Some("application/manifest+json")
    );
    let manifest: serde_json::Value = serde_json::from_slice(&manifest.body).unwrap();
    assert_eq!(manifest["lang"], "zh-CN");
    for icon in manifest["icons"].as_array().unwrap() {
        let src = icon["src"].as_str().unwrap();
        let r = fetch(hub.addr, src, &[]).await;
        assert_eq!(r.status, 200, "{src}");
        assert_eq!(r.header("content-type"), icon["type"].as_str(), "{src}");
    }

    for missing in [
        "/assets/nope.js",
        "/assets/%2e%2e/Cargo.toml",
        "/assets/..%2fsrc/lib.rs",
        "/assets/.hidden",
        "/index.html",
        "/dashboard/x",
    ] {
        assert_eq!(fetch(hub.addr, missing, &[]).await.status, 404, "{missing}");
    }
}

#[tokio::test]
async fn the_web_folder_is_served_as_it_is_on_disk() {
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(web.path().join("assets")).unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><html lang=\"zh-CN\"><link rel=\"stylesheet\" href=\"{{assets}}/a.css\">第一版</html>",
    )
    .unwrap();
    std::fs::write(web.path().join("assets/a.css"), "body { color: red }").unwrap();
    let dir = web.path().to_path_buf();
    let hub = TestHub::start_with(|c| c.web_dir = Some(dir)).await;

    let page = fetch(hub.addr, "/", &[]).await;
    assert!(
        page.text().contains("href=\"/assets/a.css\""),
        "no version from a folder"
    );
    assert!(page.text().contains("第一版"));
    let css = fetch(hub.addr, "/assets/a.css", &[]).await;
    assert_eq!(css.header("cache-control"), Some("no-cache"));
    assert_secure(&css, "a folder's asset");

    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><html lang=\"zh-CN\">第二版</html>",
    )
    .unwrap();
    assert!(
        fetch(hub.addr, "/", &[]).await.text().contains("第二版"),
        "re-read on each request"
    );
    assert_eq!(fetch(hub.addr, "/dashboard", &[]).await.status, 404);
}

#[tokio::test]
async fn a_web_folder_without_the_pages_is_refused_at_start() {
    let data = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let mut config = hub::Config::new(data.path());
    config.web_dir = Some(empty.path().to_path_buf());
    let listener = hub::listen("127.0.0.1:0".parse().unwrap()).unwrap();
    let err = hub::serve(listener, config, std::future::pending())
        .await
        .expect_err("no index.html there");
    assert!(err.to_string().contains("index.html"), "{err}");
}
