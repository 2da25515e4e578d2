//! The tablet at each post (`/`) in a real headless Chromium against a real hub, checked for what
//! the person at the post would notice: the post shown once signed in; a call for the post with
//! its sentence and exactly the answers it takes, gone once answered (here or on the post's other
//! tablet) and shown answered on the caller's page; a quick action previewing the hub's own
//! sentence and sending it; a refusal and a misread sentence said in plain words; a tap moving
//! the board; a dropped link said at once and mended without a reload. Screenshots of every
//! post's tablet on a busy site go to `target/screenshots/tablet_*/`.

use std::time::{Duration, Instant};

use integration::browser::{Browser, Page, Viewport};
use integration::{Site, TestHub, answers_shown, expect_call_from, expect_event, state, visitor};
use protocol::{Answer, Call, EventKind, Intent, Post, Station, Tap, Title, Visitor};
use serde_json::{Value, json};

const GOT: Answer = Answer::Received;

/// The sign-in link `hub token POST --link` prints, for this hub.
fn link(hub: &TestHub, station: &str) -> String {
    hub::link::link(&hub.addr.to_string(), &hub.token(station)).unwrap()
}

/// A tablet page for `station`, opened from its link and waited on until it is usable: signed
/// in, the board loaded, the quick actions drawn.
async fn open(browser: &Browser, hub: &TestHub, name: &str, station: &str, size: Viewport) -> Page {
    let page = browser.page(name, size).await;
    page.goto(&link(hub, station)).await;
    page.wait_until("the tablet is ready", "document.body.dataset.ready")
        .await;
    page
}

fn station(s: &str) -> Station {
    s.parse().unwrap()
}

fn who(surname: &str, title: Title) -> Visitor {
    Visitor {
        surname: surname.into(),
        title,
    }
}

/// Empties a text box the way a person would (select all, delete), so the page hears `input`.
async fn clear(page: &Page, css: &str) {
    page.js(
        "const el = document.querySelector(arguments[0]);
         el.value = '';
         el.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![json!(css)],
    )
    .await;
}

/// Where the form's fields end and its preview begins on screen, in CSS pixels.
async fn form_layout(page: &Page) -> Value {
    page.js(
        "const r = (css) => document.querySelector(css).getBoundingClientRect();
         return [r('#sheet .sheet-body').bottom, r('#sheet-preview').top, r('#sheet-preview').height];",
        vec![],
    )
    .await
}

/// A site half an hour into a busy morning: groups at the gate, at the door, with managers and in
/// VIP rooms, orders under way, a taxi awaited, six managers on the rota — and, just now, a drink
/// asked of the water bar, a walk-in asked of the desk and an arrival announced to the door, not
/// yet answered.
async fn busy_site() -> Site {
    let mut site = Site::ago(30, |_| {}).await;
    site.connect(&[
        "SUP", "L1", "L2", "Y1", "Y2", "RC", "G1", "S1", "OPS", "LOBBY", "X:张伟", "X:李娜",
        "X:王强", "X:赵敏", "X:刘洋", "X:陈静",
    ])
    .await;
    for m in ["X:刘洋", "X:张伟", "X:李娜", "X:王强", "X:赵敏", "X:陈静"] {
        site.tap(m, Tap::SignIn { duty: None }).await;
    }
    site.arrives("王先生", 3).await;
    site.announces("王先生", 3, Some("黑色轿车")).await;
    site.at(2);
    let wang = site.visit("王先生").await;
    site.tap("L2", Tap::Parked { visit: wang }).await;
    site.tap("Y1", Tap::Greeted { visit: wang }).await;
    site.at(3);
    site.assigns("X:张伟", "王先生", 3).await;
    site.at(5);
    site.to_vip("X:张伟", "王先生").await;
    site.at(7);
    site.room_ready("X:张伟", 1).await;
    site.at(8);
    site.say(
        "X:张伟",
        "我是大客户经理张伟，呼叫水吧，请送三杯柠檬水至VIP1室，收到请回答。",
        &[("S1", GOT)],
    )
    .await;
    site.at(10);
    site.walks_in("李小姐", 2).await;
    site.at(12);
    site.assigns_walk_in("X:李娜", "李小姐", 2).await;
    site.at(13);
    site.say(
        "X:李娜",
        "我是大客户经理李娜，呼叫水吧，请送两杯温水至接待区，收到请回答。",
        &[("S1", GOT)],
    )
    .await;
    site.at(15);
    site.arrives("赵女士", 2).await;
    site.announces("赵女士", 2, Some("白色SUV")).await;
    site.at(16);
    site.assigns("X:王强", "赵女士", 2).await;
    site.to_vip("X:王强", "赵女士").await;
    site.at(19);
    site.room_ready("X:王强", 2).await;
    site.at(20);
    site.walks_in("周女士", 2).await;
    site.at(21);
    let zhou = site.visit("周女士").await;
    site.tap("Y2", Tap::Greeted { visit: zhou }).await;
    site.at(22);
    site.assigns_walk_in("X:赵敏", "周女士", 2).await;
    site.at(24);
    site.leaving("X:李娜", "李小姐").await;
    site.say(
        "X:李娜",
        "我是大客户经理李娜，呼叫L1岗，请帮李小姐叫一辆出租车，谢谢。",
        &[("L1", GOT)],
    )
    .await;
    site.at(26);
    site.arrives("陈先生", 4).await;
    site.at(28);
    site.say(
        "X:张伟",
        "我是大客户经理张伟，呼叫大客户管家，VIP1需要复印身份证，收到请回话。",
        &[("G1", GOT)],
    )
    .await;
    site.say(
        "X:张伟",
        "我是大客户经理张伟，呼叫大客户管家，请准备2份户型资料放至前台处，收到请回话。",
        &[("G1", GOT)],
    )
    .await;
    site.say(
        "X:王强",
        "我是大客户经理王强，呼叫水吧，请送两杯热茶至VIP2室，收到请回答。",
        &[("S1", GOT)],
    )
    .await;
    site.say(
        "S1",
        "我是水吧，呼叫操作间，请将柠檬和冰块送至水吧台，收到请回话。",
        &[("OPS", GOT)],
    )
    .await;
    site.at(29);
    site.to_vip("X:赵敏", "周女士").await;
    site.at(30);
    // Just now, not yet answered.
    site.say(
        "G1",
        "我是大客户管家，呼叫水吧，请送两杯咖啡至VIP1室，收到请回答。",
        &[],
    )
    .await;
    site.say(
        "L1",
        "我是L1岗，呼叫各岗位，预约客户陈先生到访，共4人，请各岗位做好接待工作，体貌特征：灰色商务车，收到请回答。",
        &[],
    )
    .await;
    site.say(
        "L1",
        "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。",
        &[],
    )
    .await;
    site
}

#[tokio::test]
async fn signing_in_shows_the_post_loads_small_and_fast_and_signing_out_forgets_it() {
    let hub = TestHub::start().await;
    let browser = Browser::start("tablet_signs_in").await;
    let started = Instant::now();
    let gate = open(&browser, &hub, "gate", "L1", Viewport::TABLET).await;
    let opened = started.elapsed();
    assert_eq!(gate.text("#station").await, "门岗L1");
    assert!(gate.text("#link").await.contains("已连接"));
    assert_eq!(gate.js("return location.hash;", vec![]).await, "");
    // The quick actions are exactly the gate's calls in the catalogue.
    let kinds = gate
        .js(
            "return [...document.querySelectorAll('#quick-list [data-kind]')].map(b => b.dataset.kind);",
            vec![],
        )
        .await;
    assert_eq!(
        kinds,
        json!([
            "walk_in_query",
            "heading_in",
            "appointment_arrived",
            "arrival_broadcast",
            "taxi_arrived",
            "hail",
            "free"
        ])
    );

    // What a tablet downloads on first load, and how soon it is usable.
    let load = gate.load_report().await;
    let origin = format!("http://{}/", hub.addr);
    assert!(
        load.urls.iter().all(|u| u.starts_with(&origin)),
        "{:?}",
        load.urls
    );
    let ready_ms = gate
        .js("return Number(document.body.dataset.ready);", vec![])
        .await
        .as_f64()
        .unwrap();
    eprintln!(
        "tablet first load: {} bytes in {} files; DOMContentLoaded {:?}, load {:?}, usable (signed in, board and quick actions drawn) after {ready_ms:.0} ms; opened from the test in {opened:?}",
        load.bytes,
        load.urls.len(),
        load.dom_ready,
        load.loaded
    );
    assert!(load.bytes < 200_000, "first load is {} bytes", load.bytes);
    // The aim is under a second on loopback (it is about half that on an idle machine); the
    // bound leaves room for a test machine busy with other builds.
    assert!(ready_ms < 2500.0, "usable after {ready_ms} ms");
    // Every module is asked for at once (no import waterfall): each one loaded is preloaded.
    let preloaded = gate
        .js(
            "return [...document.querySelectorAll('link[rel=modulepreload]')].map(l => l.href);",
            vec![],
        )
        .await;
    let preloaded: Vec<&str> = preloaded
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for js in load.urls.iter().filter(|u| u.ends_with(".js")) {
        assert!(
            preloaded.contains(&js.as_str()),
            "{js} is not preloaded by index.html"
        );
    }
    gate.screenshot("L1-signed-in").await;

    // Installable: the manifest names the tablet page and icons that load.
    let manifest = gate
        .js_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const m = await (await fetch(document.querySelector('link[rel=manifest]').href)).json();
               const icons = await Promise.all(m.icons.map(async (i) => {
                 const r = await fetch(i.src);
                 return [i.sizes, r.status, r.headers.get('content-type')];
               }));
               return { start: m.start_url, display: m.display, lang: m.lang, icons };
             })().then(done, (e) => done(String(e)));",
            vec![],
        )
        .await;
    assert_eq!(manifest["start"], "/", "{manifest}");
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["lang"], "zh-CN");
    for size in ["192x192", "512x512"] {
        let icon = manifest["icons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i[0] == size)
            .unwrap_or_else(|| panic!("no {size} icon: {manifest}"));
        assert_eq!(icon[1], 200, "{icon}");
        assert_eq!(icon[2], "image/png", "{icon}");
    }

    // Signing out asks first, then forgets the token.
    gate.click("#sign-out").await;
    gate.wait_for("#sign-out-yes").await;
    gate.screenshot("L1-sign-out-confirm").await;
    gate.click("#sign-out-yes").await;
    gate.wait_for_text("#station", "未登录").await;
    assert_eq!(
        gate.js("return localStorage.getItem('radio.tablet.token');", vec![])
            .await,
        Value::Null
    );
    assert!(gate.text("#hint").await.contains("登录链接"));
    gate.close().await;

    // A token this hub did not sign: a sign-in error that says what to do, not a blank page.
    let other = tempfile::tempdir().unwrap();
    let forged = integration::token_for(other.path(), "S1");
    let stray = browser.page("forged", Viewport::TABLET).await;
    stray
        .goto(&hub::link::link(&hub.addr.to_string(), &forged).unwrap())
        .await;
    stray.wait_for_text("#station", "登录无效").await;
    let hint = stray.text("#hint").await;
    assert!(hint.contains("新的登录链接"), "{hint}");
    assert!(stray.text("#link").await.contains("登录无效"));
    stray.screenshot("forged-token").await;
    stray.close().await;
}

#[tokio::test]
async fn a_revoked_or_expired_link_says_so_and_asks_for_a_new_one() {
    let hub = TestHub::start().await;
    let browser = Browser::start("tablet_token").await;
    // Signed in with a recorded token, which the operator then revokes: the open page is cut
    // off within seconds and says why, instead of going stale.
    let book = hub::token::Book::open(&hub.data).unwrap();
    let minted = book
        .mint(&station("L2"), hub::token::Ttl::DEFAULT, "test")
        .unwrap();
    let page = browser.page("revoked", Viewport::TABLET).await;
    page.goto(&hub::link::link(&hub.addr.to_string(), &minted.token).unwrap())
        .await;
    page.wait_until("the tablet is ready", "document.body.dataset.ready")
        .await;
    book.revoke(minted.record.id.as_str()).unwrap();
    drop(book);
    page.wait_for_text("#station", "登录已撤销").await;
    let hint = page.text("#hint").await;
    assert!(
        hint.contains("已被撤销") && hint.contains("新的登录链接"),
        "{hint}"
    );
    assert!(page.text("#link").await.contains("登录无效"));
    page.screenshot("revoked").await;
    page.close().await;

    // A link whose time is up.
    let now = hub::token::now_ms();
    let expired = hub::Keys::load(&hub.data).unwrap().mint(
        &station("L2"),
        hub::token::TokenId::random().unwrap(),
        now - 60_000,
        Some(now - 1),
    );
    let page = browser.page("expired", Viewport::TABLET).await;
    page.goto(&hub::link::link(&hub.addr.to_string(), &expired).unwrap())
        .await;
    page.wait_for_text("#station", "登录已过期").await;
    assert!(page.text("#hint").await.contains("新的登录链接"));
    page.screenshot("expired").await;
    page.close().await;
}

#[tokio::test]
async fn a_call_for_the_post_shows_its_answers_and_the_callers_page_sees_it_answered() {
    let hub = TestHub::start().await;
    let browser = Browser::start("tablet_incoming").await;
    let desk = open(&browser, &hub, "desk", "RC", Viewport::TABLET).await;
    let gate = open(&browser, &hub, "gate", "L1", Viewport::TABLET).await;
    assert_eq!(
        desk.js(
            "return document.getElementById('incoming-list').getAttribute('aria-live');",
            vec![]
        )
        .await,
        "assertive"
    );

    // The gate asks from its quick action; the preview is the hub's sentence.
    let query = Call::new(Post::L1, Post::Rc, Intent::WalkInQuery).render();
    gate.click("[data-kind='walk_in_query']").await;
    gate.wait_for_text("#sheet-sentence", &query).await;
    gate.click("#sheet-send").await;

    // The desk hears it with the two answers the script allows, and nothing else.
    desk.wait_for_text("#incoming-list", &query).await;
    assert_eq!(
        answers_shown(&desk).await,
        json!([["can_receive", "cannot_receive"]])
    );
    desk.screenshot("RC-walk-in-query").await;
    gate.wait_for_text("#toast", "已发出").await;
    gate.wait_for_text("#outgoing", "等待收到").await;
    desk.click("[data-answer='can_receive']").await;
    desk.wait_until(
        "the call to leave the desk's tablet",
        "document.getElementById('incoming').hidden",
    )
    .await;
    gate.wait_for_text("#outgoing", "可以接待").await;
    assert!(
        gate.text("#outgoing")
            .await
            .contains("接待中心回复可以接待")
    );
    // 已发出 gave way to the answer as it came (before the card showed it), not after its 4 s:
    // it would cover the answered card.
    assert_eq!(
        gate.js("return document.getElementById('toast').hidden;", vec![])
            .await,
        true,
        "the 已发出 toast still covers the answered call"
    );
    gate.screenshot("L1-answered").await;

    // A call answered 收到 offers one big 收到.
    let mut l1 = hub.tablet("L1").await;
    let heading = Call::new(
        Post::L1,
        Post::Rc,
        Intent::HeadingIn {
            visitor: who("李", Title::Miss),
            party: 2,
        },
    );
    l1.call(heading.clone()).await.unwrap();
    desk.wait_for_text("#incoming-list", &heading.render())
        .await;
    assert_eq!(answers_shown(&desk).await, json!([["received"]]));
    desk.click("[data-answer='received']").await;
    let answered = expect_event(&mut l1, "call_answered").await;
    assert!(matches!(
        answered.what,
        EventKind::CallAnswered {
            answer: Answer::Received,
            ..
        }
    ));
    desk.wait_until("no call left", "document.getElementById('incoming').hidden")
        .await;
    desk.close().await;
    gate.close().await;
}

#[tokio::test]
async fn two_tablets_of_one_post_answering_on_one_clears_the_other() {
    let hub = TestHub::start().await;
    let browser = Browser::start("tablet_two_of_a_post").await;
    let bar1 = open(&browser, &hub, "water-bar-1", "S1", Viewport::TABLET).await;
    let bar2 = open(&browser, &hub, "water-bar-2", "S1", Viewport::PHONE).await;
    let mut g1 = hub.tablet("G1").await;
    let drinks = Call::new(
        Post::G1,
        Post::S1,
        Intent::Drinks {
            drink: "两杯柠檬水".into(),
            room: Some(2),
        },
    );
    g1.call(drinks.clone()).await.unwrap();
    bar1.wait_for_text("#incoming-list", &drinks.render()).await;
    bar2.wait_for_text("#incoming-list", &drinks.render()).await;
    bar2.screenshot("S1-phone-incoming").await;
    bar1.click("[data-answer='received']").await;
    bar2.wait_until(
        "the call to leave the other tablet",
        "document.getElementById('incoming').hidden",
    )
    .await;
    bar1.wait_until(
        "the call to leave the tablet that answered",
        "document.getElementById('incoming').hidden",
    )
    .await;
    let answered = expect_event(&mut g1, "call_answered").await;
    assert!(matches!(answered.what, EventKind::CallAnswered { .. }));
    // The order it opened is on both, acknowledged.
    bar2.wait_for_text("#glance", "两杯柠檬水").await;
    bar2.wait_for_text("#glance", "已收到").await;
    bar1.close().await;
    bar2.close().await;
}

#[tokio::test]
async fn quick_actions_preview_the_hubs_sentence_send_it_and_show_its_state() {
    let mut site = Site::ago(10, |_| {}).await;
    site.connect(&["SUP", "RC", "G1", "S1", "OPS", "X:张伟", "X:李娜"])
        .await;
    let browser = Browser::start("tablet_quick_actions").await;

    // The water bar restocks from the kitchen: a suggestion, the preview, send, then 收到.
    let bar = open(&browser, &site.hub, "water-bar", "S1", Viewport::TABLET).await;
    bar.click("[data-kind='restock']").await;
    let restock = Call::new(
        Post::S1,
        Post::Ops,
        Intent::Restock {
            items: "柠檬和冰块".into(),
        },
    );
    bar.wait_for_text("#sheet-preview", "还需要选择").await;
    let asking = form_layout(&bar).await;
    bar.click("#sheet [data-field='items'] .chip[data-key='柠檬和冰块']")
        .await;
    bar.wait_for_text("#sheet-sentence", &restock.render())
        .await;
    // The hub's sentence coming back moves nothing on the form: a tap landing just then still
    // hits the chip it was aimed at.
    assert_eq!(form_layout(&bar).await, asking);
    bar.screenshot("S1-restock-form").await;
    bar.click("#sheet-send").await;
    let (call_id, call) = expect_call_from(site.tablet("OPS"), "S1").await;
    assert_eq!(call, restock);
    bar.wait_for_text("#outgoing", "等待收到").await;
    assert!(
        bar.js("return document.getElementById('sheet').hidden;", vec![])
            .await
            == true
    );
    // The next form opens while 已发出 is still shown: the toast stays beside the form, off
    // its buttons.
    bar.wait_for_text("#toast", "已发出").await;
    bar.click("[data-kind='restock']").await;
    let overlap = bar
        .js(
            "const t = document.getElementById('toast').getBoundingClientRect();
             const f = document.getElementById('sheet').getBoundingClientRect();
             return !document.getElementById('toast').hidden
               && t.right > f.left && t.left < f.right && t.bottom > f.top && t.top < f.bottom;",
            vec![],
        )
        .await;
    assert_eq!(overlap, false, "the toast covers the open form");
    bar.screenshot("S1-toast-beside-form").await;
    bar.click("#sheet-close").await;
    site.tablet("OPS").answer(call_id, GOT).await.unwrap();
    bar.wait_for_text("#outgoing", "已收到").await;
    let shown = bar.text("#outgoing").await;
    assert!(
        shown.contains("操作间已回复") && shown.contains("用时"),
        "{shown}"
    );
    bar.screenshot("S1-restock-answered").await;
    bar.close().await;

    // A manager with a group in VIP1: drinks go to that room without being asked which.
    site.assigns("X:张伟", "王先生", 3).await;
    site.to_vip("X:张伟", "王先生").await;
    site.room_ready("X:张伟", 1).await;
    let zhang = open(&browser, &site.hub, "manager", "X:张伟", Viewport::TABLET).await;
    zhang.click("[data-kind='drinks']").await;
    zhang
        .wait_until(
            "VIP1 chosen for him",
            "document.querySelector(\"#sheet [data-field='room'] .chip[data-key='1']\")?.getAttribute('aria-pressed') === 'true'",
        )
        .await;
    zhang
        .click("#sheet [data-field='drink'] .chip[data-key='两杯柠檬水']")
        .await;
    let drinks = Call::new(
        station("X:张伟"),
        Post::S1,
        Intent::Drinks {
            drink: "两杯柠檬水".into(),
            room: Some(1),
        },
    );
    zhang
        .wait_for_text("#sheet-sentence", &drinks.render())
        .await;
    zhang.screenshot("X-drinks-form").await;
    zhang.click("#sheet-send").await;
    let (_, call) = expect_call_from(site.tablet("S1"), "X:张伟").await;
    assert_eq!(call, drinks);
    zhang.wait_for_text("#outgoing", "等待收到").await;
    zhang.wait_for_text("#glance", "两杯柠檬水").await;
    zhang.close().await;

    // The butler may not report VIP1 ready for another manager while 张伟's group sits in it:
    // the form says so, with the rule in words, and will not send.
    site.assigns_walk_in("X:李娜", "李小姐", 2).await;
    let butler = open(&browser, &site.hub, "butler", "G1", Viewport::TABLET).await;
    butler.click("[data-kind='vip_ready']").await;
    butler
        .click("#sheet [data-field='target'] .chip[data-key='X:李娜']")
        .await;
    butler
        .click("#sheet [data-field='room'] .chip[data-key='1']")
        .await;
    butler
        .wait_for_text(
            "#sheet-preview",
            "VIP1有张伟经理的王先生一行3人在用：请选另一间",
        )
        .await;
    assert!(butler.text("#sheet-preview").await.contains("王先生"));
    assert_eq!(
        butler
            .js(
                "return document.getElementById('sheet-send').disabled;",
                vec![]
            )
            .await,
        true
    );
    butler.screenshot("G1-refused-room-held").await;
    // VIP2 is free: that one goes.
    butler
        .click("#sheet [data-field='room'] .chip[data-key='2']")
        .await;
    let ready = Call::new(Post::G1, station("X:李娜"), Intent::VipReady { room: 2 });
    butler
        .wait_for_text("#sheet-sentence", &ready.render())
        .await;
    butler.click("#sheet-send").await;
    let (_, call) = expect_call_from(site.tablet("X:李娜"), "G1").await;
    assert_eq!(call, ready);
    butler.wait_for_text("#outgoing", "已发出").await;
    butler.close().await;
}

#[tokio::test]
async fn the_free_text_box_shows_what_the_hub_read_or_why_not_and_sends_it() {
    let hub = TestHub::start().await;
    let mut s1 = hub.tablet("S1").await;
    let browser = Browser::start("tablet_free_text").await;
    let zhang = open(&browser, &hub, "manager", "X:张伟", Viewport::TABLET).await;

    zhang
        .type_into("#say-text", "呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答")
        .await;
    let drinks = Call::new(
        station("X:张伟"),
        Post::S1,
        Intent::Drinks {
            drink: "两杯柠檬水".into(),
            room: Some(1),
        },
    );
    zhang.wait_for_text("#say-sentence", &drinks.render()).await;
    assert!(
        zhang
            .text("#say-preview")
            .await
            .contains("读作：送饮品 → 水吧")
    );

    clear(&zhang, "#say-text").await;
    zhang
        .type_into(
            "#say-text",
            "我是大客户经理张伟，呼叫水吧，今天天气不错，收到请回答。",
        )
        .await;
    zhang.wait_for_text("#say-preview", "不是标准说辞").await;
    assert_eq!(
        zhang
            .js(
                "return document.getElementById('say-send').disabled;",
                vec![]
            )
            .await,
        true
    );
    zhang.screenshot("X-free-text-refused").await;

    clear(&zhang, "#say-text").await;
    zhang
        .type_into("#say-text", "呼叫水吧，请送两杯柠檬水至VIP1室，收到请回答")
        .await;
    zhang.wait_for_text("#say-sentence", &drinks.render()).await;
    zhang.screenshot("X-free-text-read").await;
    zhang.click("#say-send").await;
    let (_, call) = expect_call_from(&mut s1, "X:张伟").await;
    assert_eq!(call, drinks);
    zhang.wait_for_text("#outgoing", "等待收到").await;
    zhang.close().await;
}

#[tokio::test]
async fn a_tap_for_parked_moves_the_group_on_the_board() {
    let hub = TestHub::start().await;
    let mut l1 = hub.tablet("L1").await;
    let mut sup = hub.tablet("SUP").await;
    l1.say("我是L1岗，呼叫各岗位，预约客户王先生到访，共3人，请各岗位做好接待工作，体貌特征：黑色轿车，收到请回答。")
        .await
        .unwrap();
    let id = visitor(&state(&mut sup).await, "王先生")["id"]
        .as_u64()
        .unwrap();
    let browser = Browser::start("tablet_tap").await;
    let park = open(&browser, &hub, "car-park", "L2", Viewport::TABLET).await;
    park.wait_for_text("#glance", "前往停车场的客户").await;
    park.screenshot("L2-before-parked").await;
    park.click(&format!("[data-visit='{id}'] [data-tap='parked']"))
        .await;
    park.wait_for_text("#toast", "王先生一行3人已停好车").await;
    park.wait_for_text("#glance", "已停车，前往大门").await;
    park.wait_until(
        "the group under 已停车",
        &format!(
            "[...document.querySelectorAll('#glance .panel')].some(p => p.textContent.includes('已停车，前往大门') && p.querySelector(\"[data-visit='{id}']\"))"
        ),
    )
    .await;
    let s = state(&mut sup).await;
    assert!(visitor(&s, "王先生")["times"]["parked"].is_u64(), "{s}");
    park.screenshot("L2-parked").await;
    park.close().await;
}

#[tokio::test]
async fn a_dropped_link_shows_at_once_and_mends_itself_without_a_reload() {
    let keep = tempfile::tempdir().unwrap();
    let data = keep.path().join("data");
    let hub = TestHub::start_in(&data, |_| {}).await;
    let addr = hub.addr;
    let browser = Browser::start("tablet_link_drop").await;
    let desk = open(&browser, &hub, "desk", "RC", Viewport::TABLET).await;
    desk.js("window.sameLoad = 'yes';", vec![]).await;

    // While the hub is down, Chromium logs each refused reconnection as an error: allowed here,
    // and checked below to be nothing else.
    desk.allow_console_errors();
    let dropped = Instant::now();
    hub.stop().await;
    desk.wait_for_text("#link", "连接中断").await;
    let said_after = dropped.elapsed();
    assert!(desk.text("#drop").await.contains("正在重连"));
    desk.screenshot("RC-link-dropped").await;
    eprintln!("the drop was shown {said_after:?} after the hub went down");
    assert!(said_after < Duration::from_secs(2), "{said_after:?}");

    let hub = TestHub::start_at(&data, addr, |_| {}).await;
    // A call made while the page is still waiting to try again: it comes with the welcome when
    // the page resumes (as one bundle, the page reading bundles).
    let mut l1 = hub.tablet("L1").await;
    let missed = Call::new(
        Post::L1,
        Post::Rc,
        Intent::AppointmentArrived {
            visitor: who("司马", Title::Mr),
            party: 3,
        },
    );
    l1.call(missed.clone()).await.unwrap();
    desk.wait_for_text("#link", "已连接").await;
    assert_eq!(
        desk.js("return document.getElementById('drop').hidden;", vec![])
            .await,
        true
    );
    desk.wait_for_text("#incoming-list", &missed.render()).await;
    let arrived = Call::new(
        Post::L1,
        Post::Rc,
        Intent::AppointmentArrived {
            visitor: who("欧阳", Title::Ms),
            party: 2,
        },
    );
    l1.call(arrived.clone()).await.unwrap();
    desk.wait_for_text("#incoming-list", &arrived.render())
        .await;
    assert_eq!(
        desk.js("return window.sameLoad;", vec![]).await,
        "yes",
        "mended without a reload"
    );
    desk.screenshot("RC-after-restart").await;
    for e in desk.console_errors().await {
        assert!(
            e.message.contains("/ws") && e.message.contains("WebSocket"),
            "only the refused reconnections may show: {e}"
        );
    }
    desk.close().await;
}

/// The tablet of every post on a busy site, as the person at the post sees it.
#[tokio::test]
async fn every_posts_tablet_on_a_busy_site() {
    let mut site = busy_site().await;
    let browser = Browser::start("tablet_every_post").await;
    // What each post must see at a glance.
    let posts: [(&str, &str, &[&str]); 9] = [
        (
            "L1",
            "门岗L1",
            &["陈先生一行4人", "李小姐的出租车", "出租车已到"],
        ),
        ("L2", "停车场L2", &["陈先生一行4人", "已停好车"]),
        ("Y1", "大门迎宾Y1", &["陈先生一行4人", "已迎接"]),
        (
            "RC",
            "接待中心",
            &["接访轮序", "陈静", "下一位", "分配经理"],
        ),
        (
            "G1",
            "大客户管家",
            &["VIP1", "使用中", "VIP3", "准备中", "户型"],
        ),
        ("S1", "水吧", &["两杯热茶", "已收到·处理中", "柠檬和冰块"]),
        ("OPS", "操作间", &["柠檬和冰块", "已送到"]),
        (
            "X:张伟",
            "大客户经理张伟",
            &["王先生一行3人", "我的轮序", "接待中"],
        ),
        ("LOBBY", "大堂岗", &["在样板房的客户", "经理接待中"]),
    ];
    for (post, name, shows) in posts {
        let page = open(&browser, &site.hub, post, post, Viewport::TABLET).await;
        assert_eq!(page.text("#station").await, name);
        for s in shows {
            page.wait_for_text("main", s).await;
        }
        page.screenshot(&format!("{post}-1280x800")).await;
        page.js("window.scrollTo(0, document.body.scrollHeight);", vec![])
            .await;
        page.screenshot(&format!("{post}-1280x800-scrolled")).await;
        page.close().await;
    }
    // The desk hands the group just announced to the manager next up, filled from the board.
    let desk = open(&browser, &site.hub, "RC-assign", "RC", Viewport::TABLET).await;
    let chen = site.visit("陈先生").await;
    let next_up = state(site.tablet("SUP")).await["rota"]["next_up"]
        .as_str()
        .expect("a manager next up")
        .to_owned();
    desk.click(&format!("[data-visit='{chen}'] [data-call='assign']"))
        .await;
    let assign = Call::new(
        Post::Rc,
        station(&format!("X:{next_up}")),
        Intent::Assign {
            visitor: who("陈", Title::Mr),
            party: 4,
            turn: protocol::rota::Turn::Appointment,
        },
    );
    desk.wait_for_text("#sheet-sentence", &assign.render())
        .await;
    desk.screenshot("RC-assign-form").await;
    desk.close().await;
    // The gate names a new group by typing the surname and tapping the title and the size.
    let gate = open(&browser, &site.hub, "L1-typed", "L1", Viewport::TABLET).await;
    gate.click("[data-kind='appointment_arrived']").await;
    gate.type_into("#f-visitor", "欧阳").await;
    gate.click("#sheet .title-chips .chip[data-key='ms']").await;
    gate.click("#sheet [data-field='party'] .chip[data-key='2']")
        .await;
    let arrived = Call::new(
        Post::L1,
        Post::Rc,
        Intent::AppointmentArrived {
            visitor: who("欧阳", Title::Ms),
            party: 2,
        },
    );
    gate.wait_for_text("#sheet-sentence", &arrived.render())
        .await;
    gate.screenshot("L1-typed-visitor-form").await;
    gate.close().await;

    // The incoming calls of the moment.
    let bar = open(&browser, &site.hub, "S1-calls", "S1", Viewport::TABLET).await;
    bar.wait_for_text("#incoming-list", "请送两杯咖啡至VIP1室")
        .await;
    let desk = open(&browser, &site.hub, "RC-calls", "RC", Viewport::TABLET).await;
    desk.wait_for_text("#incoming-list", "现在是否能接待").await;
    assert_eq!(
        answers_shown(&desk).await,
        json!([["can_receive", "cannot_receive"]])
    );
    desk.close().await;

    // On a phone.
    for post in ["S1", "X:张伟", "L1", "G1"] {
        let page = open(
            &browser,
            &site.hub,
            &format!("{post}-phone"),
            post,
            Viewport::PHONE,
        )
        .await;
        page.screenshot(&format!("{post}-390x844")).await;
        let wide = page
            .js("return document.documentElement.scrollWidth;", vec![])
            .await;
        assert_eq!(wide, 390, "{post}: nothing wider than the phone");
        if post == "X:张伟" {
            page.click("[data-kind='drinks']").await;
            page.click("#sheet [data-field='drink'] .chip[data-key='两杯热茶']")
                .await;
            page.wait_for_text("#sheet-sentence", "请送两杯热茶至VIP1室")
                .await;
            page.screenshot("X_张伟-390x844-drinks-form").await;
        }
        page.close().await;
    }

    // Nobody answers the water bar: the call is repeated, then escalated — and looks it.
    site.later(Duration::from_secs(9));
    site.tablet("SUP").ping().await.unwrap();
    bar.wait_for_text("#incoming-list", "重呼·第2次").await;
    assert!(
        bar.js(
            "return document.querySelector('#incoming-list .call').classList.contains('urgent');",
            vec![]
        )
        .await
            == true
    );
    bar.screenshot("S1-recalled").await;
    site.later(Duration::from_secs(9));
    site.tablet("SUP").ping().await.unwrap();
    bar.wait_for_text("#incoming-list", "已上报主管").await;
    bar.screenshot("S1-escalated").await;
    // Discreet mode: one tap, remembered, and the border flashes instead of a sound.
    bar.click("#discreet").await;
    bar.wait_for_text("#discreet", "免打扰").await;
    assert_eq!(
        bar.js(
            "return localStorage.getItem('radio.tablet.discreet');",
            vec![]
        )
        .await,
        "1"
    );
    bar.screenshot("S1-escalated-discreet").await;
    bar.close().await;
}

/// How long a call takes from being placed to showing on the target's tablet, measured on the
/// one clock both sides share (this machine's).
#[tokio::test]
async fn a_call_shows_on_the_target_tablet_at_once() {
    let hub = TestHub::start().await;
    let browser = Browser::start("tablet_call_latency").await;
    let bar = open(&browser, &hub, "water-bar", "S1", Viewport::TABLET).await;
    bar.js(
        "window.shownAt = {};
         const list = document.getElementById('incoming-list');
         new MutationObserver((changes) => {
           for (const c of changes) for (const n of c.addedNodes) {
             if (n.dataset && n.dataset.callId) window.shownAt[n.dataset.callId] = Date.now();
           }
         }).observe(list, { childList: true });",
        vec![],
    )
    .await;
    let mut g1 = hub.tablet("G1").await;
    let now_ms = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    };
    let mut sent = Vec::new();
    for i in 0..30u8 {
        let drinks = Call::new(
            Post::G1,
            Post::S1,
            Intent::Drinks {
                drink: format!("{}杯柠檬水", i % 9 + 1),
                room: Some(i % 3 + 1),
            },
        );
        let at = now_ms();
        let placed = g1.call(drinks).await.unwrap();
        sent.push((placed.call_id, at));
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    bar.wait_until(
        "every call shown",
        "Object.keys(window.shownAt).length === 30",
    )
    .await;
    let shown = bar.js("return window.shownAt;", vec![]).await;
    let mut took: Vec<u64> = sent
        .iter()
        .map(|(id, at)| shown[id.to_string()].as_u64().unwrap().saturating_sub(*at))
        .collect();
    took.sort_unstable();
    let p50 = took[took.len() / 2];
    let p95 = took[took.len() * 95 / 100];
    eprintln!(
        "call placed → shown on the water bar's tablet: median {p50} ms, p95 {p95} ms, max {} ms (30 calls)",
        took[took.len() - 1]
    );
    // The aim is well under 100 ms; the bound leaves room for a machine busy with other builds.
    assert!(p95 < 500, "p95 {p95} ms");
    bar.screenshot("S1-many-calls").await;
    bar.close().await;
}
