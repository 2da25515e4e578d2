//! The hub's pages in a real headless Chromium (Debian's, driven over WebDriver): they load with
//! nothing wrong in the console, sign in with the token from the link's fragment over the JSON
//! WebSocket, and show the post; a screenshot of each is saved under `target/screenshots/`.

use integration::browser::{Browser, Viewport};
use integration::{TestHub, expect_event};
use protocol::{Call, Intent, Post};

/// The sign-in link `hub token POST --link` prints, for this hub.
fn link(hub: &TestHub, station: &str) -> String {
    hub::link::link(&hub.addr.to_string(), &hub.token(station)).unwrap()
}

#[tokio::test]
async fn the_tablet_signs_in_from_its_link_and_shows_its_post() {
    let hub = TestHub::start().await;
    let browser = Browser::start("tablet_signs_in").await;
    let gate = browser.page("gate", Viewport::TABLET).await;
    let token = hub.token("L1");
    gate.goto(&hub::link::link(&hub.addr.to_string(), &token).unwrap())
        .await;
    gate.wait_until("the welcome", "document.body.dataset.station === 'L1'")
        .await;
    assert_eq!(gate.text("#station").await, "门岗L1");
    assert!(gate.text("#link").await.contains("已连接"));
    let size = gate
        .js("return [window.innerWidth, window.innerHeight];", vec![])
        .await;
    assert_eq!(size, serde_json::json!([1280, 800]));
    // The token is kept on the tablet and gone from the address bar.
    let (hash, kept) = {
        let v = gate
            .js(
                "return [location.hash, localStorage.getItem('radio.tablet.token')];",
                vec![],
            )
            .await;
        (v[0].clone(), v[1].clone())
    };
    assert_eq!(hash, "");
    assert_eq!(kept, token);

    // What a tablet downloads on first load: little, and all from the hub.
    let load = gate.load_report().await;
    let origin = format!("http://{}/", hub.addr);
    assert!(
        load.urls.iter().all(|u| u.starts_with(&origin)),
        "{:?}",
        load.urls
    );
    assert!(load.bytes < 200_000, "first load is {} bytes", load.bytes);
    eprintln!(
        "tablet first load: {} bytes in {} files, DOMContentLoaded {:?}, load {:?}",
        load.bytes,
        load.urls.len(),
        load.dom_ready,
        load.loaded
    );
    gate.screenshot("tablet-L1").await;

    // Opened again without the link, it signs in with the token it kept.
    gate.goto(&hub.http("/")).await;
    gate.wait_until(
        "the welcome again",
        "document.body.dataset.station === 'L1'",
    )
    .await;
    gate.reload().await;
    gate.wait_until(
        "the welcome after a reload",
        "document.body.dataset.station === 'L1'",
    )
    .await;
    assert_eq!(gate.url().await, hub.http("/"));

    // The next call, seen from inside the page the moment it is shown.
    gate.js(
        "const list = document.getElementById('incoming-list');
         window.nextCall = new Promise((shown) =>
           new MutationObserver(() => shown(list.querySelector('.sentence').textContent))
             .observe(list, { childList: true }));",
        vec![],
    )
    .await;

    // A call for this post shows its standard sentence.
    let mut rc = hub.tablet("RC").await;
    rc.call(Call::new(Post::Rc, Post::L1, Intent::Hail))
        .await
        .unwrap();
    let shown = gate
        .js_async(
            "window.nextCall.then(arguments[arguments.length - 1]);",
            vec![],
        )
        .await;
    assert_eq!(shown, "我是接待中心，呼叫L1岗，收到请回答。");
    gate.wait_for_text("#incoming-list", "我是接待中心，呼叫L1岗")
        .await;
    gate.screenshot("tablet-L1-called").await;
    gate.close().await;

    let phone = browser.page("manager-phone", Viewport::PHONE).await;
    phone.goto(&link(&hub, "X:张伟")).await;
    phone.wait_for_text("#station", "大客户经理张伟").await;
    let width = phone.js("return window.innerWidth;", vec![]).await;
    assert_eq!(width, 390);
    phone.screenshot("phone-X-张伟").await;
    phone.close().await;
}

#[tokio::test]
async fn the_dashboard_signs_in_the_supervisor_and_hears_every_call() {
    let hub = TestHub::start().await;
    let browser = Browser::start("dashboard_signs_in").await;
    let board = browser.page("dashboard", Viewport::BIG_SCREEN).await;
    // The link exactly as `hub token SUP --link` prints it for this hub.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hub-under-test"))
        .args([
            "token",
            "SUP",
            "--link",
            "--host",
            &hub.addr.to_string(),
            "--data",
        ])
        .arg(&hub.data)
        .output()
        .unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    let printed = printed.lines().nth(1).expect("the link, after the token");
    assert!(printed.contains("/dashboard#token="), "{printed}");
    board.goto(printed).await;
    board.wait_for_text("#station", "巡场主管").await;
    assert_eq!(
        board.text("#hint").await,
        "",
        "a SUP token needs no warning"
    );

    let mut g1 = hub.tablet("G1").await;
    let mut s1 = hub.tablet("S1").await;
    let drinks = Call::new(
        Post::G1,
        Post::S1,
        Intent::Drinks {
            drink: "柠檬水".into(),
            room: Some(2),
        },
    );
    g1.call(drinks).await.unwrap();
    expect_event(&mut s1, "call_placed").await;
    board
        .wait_for_text("#call-list", "我是大客户管家，呼叫水吧")
        .await;
    board.screenshot("dashboard-SUP").await;
    board.close().await;
}

#[tokio::test]
async fn a_forged_token_or_none_shows_a_sign_in_message() {
    let hub = TestHub::start().await;
    let other = tempfile::tempdir().unwrap();
    let forged = integration::token_for(other.path(), "L1");
    let browser = Browser::start("sign_in_refused").await;

    let tablet = browser.page("forged", Viewport::TABLET).await;
    tablet
        .goto(&hub::link::link(&hub.addr.to_string(), &forged).unwrap())
        .await;
    tablet.wait_for_text("#station", "登录无效").await;
    assert!(tablet.text("#hint").await.contains("新的登录链接"));
    tablet.screenshot("tablet-forged-token").await;
    tablet.close().await;

    let fresh = browser.page("no-token", Viewport::TABLET).await;
    fresh.goto(&hub.http("/")).await;
    fresh.wait_for_text("#station", "未登录").await;
    fresh.screenshot("tablet-no-token").await;
    fresh.close().await;
}

#[tokio::test]
async fn the_harness_fails_a_page_on_errors_and_csp_violations() {
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(web.path().join("assets")).unwrap();
    std::fs::write(
        web.path().join("index.html"),
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>坏页</title>
<link rel="icon" href="data:,">
<script>document.title = 'inline ran';</script>
<script type="module" src="{{assets}}/bad.js"></script>
<link rel="stylesheet" href="{{assets}}/missing.css">
</head><body><p id="x">坏页</p></body></html>"#,
    )
    .unwrap();
    std::fs::write(
        web.path().join("assets/bad.js"),
        "console.error('said an error');\n\
         Promise.reject(new Error('nobody caught this promise'));\n\
         setTimeout(() => { throw new Error('thrown later'); }, 0);\n\
         new WebSocket('ws://localhost:1/elsewhere');\n",
    )
    .unwrap();
    let dir = web.path().to_path_buf();
    let hub = TestHub::start_with(|c| c.web_dir = Some(dir)).await;
    let browser = Browser::start("harness_catches_errors").await;
    let page = browser.page("bad", Viewport::TABLET).await;
    page.allow_console_errors();
    page.goto(&hub.http("/")).await;
    page.wait_for("#x").await;

    let expected = [
        "Content Security Policy",    // the inline script
        "said an error",              // console.error
        "nobody caught this promise", // an unhandled rejection
        "thrown later",               // an uncaught exception
        "missing.css",                // a 404
        "ws://localhost:1/elsewhere", // a socket to another origin (CSP)
    ];
    let deadline = std::time::Instant::now() + integration::WAIT;
    let errors = loop {
        let errors = page.console_errors().await;
        let all = errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("\n");
        if expected.iter().all(|e| all.contains(e)) || std::time::Instant::now() > deadline {
            break all;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    for e in expected {
        assert!(
            errors.contains(e),
            "the console errors miss {e:?}:\n{errors}"
        );
    }
    assert_ne!(
        page.js("return document.title;", vec![]).await,
        "inline ran"
    );
}

/// The live (not zombie) processes in a process group, from `/proc`.
fn live_in_group(group: u32) -> Vec<String> {
    let mut live = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp …; comm may hold spaces, so split after its ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(2) == Some(&group.to_string().as_str()) && fields[0] != "Z" {
            live.push(head.to_owned());
        }
    }
    live
}

#[tokio::test]
async fn dropping_the_browser_ends_chromedriver_and_chromium() {
    let hub = TestHub::start().await;
    let browser = Browser::start("browser_cleaned_up").await;
    let page = browser.page("tablet", Viewport::TABLET).await;
    page.goto(&hub.http("/")).await;
    page.wait_for_text("#station", "未登录").await;
    let group = browser.process_group();
    assert!(
        live_in_group(group).len() >= 2,
        "chromedriver and Chromium run in the browser's group"
    );
    drop(page);
    drop(browser);
    let deadline = std::time::Instant::now() + integration::WAIT;
    while !live_in_group(group).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "still running after drop: {:?}",
            live_in_group(group)
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
