//! The acceptance test, every page at once: one real hub, and in one headless Chromium
//! the gate's tablet (L1), the reception desk's (RC), the water bar's (S1), a client manager's
//! (X:张伟) and the supervisor's dashboard, open side by side as on a real site. Each step is
//! checked by what a person sees on a page:
//!
//! 1. the gate announces an appointment from its quick action, the hub's sentence previewed;
//! 2. the desk's tablet shows the sentence and the desk taps 收到;
//! 3. the gate's tablet shows it answered by 接待中心, with the time it took;
//! 4. the dashboard shows the group at the gate, then — after the gate's arrival broadcast, from
//!    its quick action too — in 进场·停车;
//! 5. the desk hands the group to the manager next up, who taps 收到 and asks for a VIP room; the
//!    butler (a Rust tablet: no page needed there) makes VIP1 ready;
//! 6. the manager's tablet sends drinks to VIP1, the water bar's page shows the order and the
//!    bar taps 收到; the dashboard shows the room in use;
//! 7. the hub is stopped and started again on the same address and data folder: every page says
//!    the link dropped, mends it by itself, and shows calls made after the restart — without a
//!    reload (each page's `performance.timeOrigin` and a marker set before are unchanged).
//!
//! Screenshots of every page at the end (and of the dashboard mid-way) go to
//! `target/screenshots/pages_together/`.

use std::time::{Duration, Instant};

use integration::browser::{Browser, Page, Viewport};
use integration::{TestHub, answers_shown, expect_call_from};
use protocol::rota::Turn;
use protocol::{Answer, Call, Intent, Post, Station, Target, Title, Visitor};
use serde_json::{Value, json};
use tablet::Tablet;

const GOT: Answer = Answer::Received;

fn station(s: &str) -> Station {
    s.parse().unwrap()
}

fn mr(surname: &str) -> Visitor {
    Visitor {
        surname: surname.into(),
        title: Title::Mr,
    }
}

/// A tablet's page, opened from the link `hub token POST --link` prints, once it is usable.
async fn tablet_page(browser: &Browser, hub: &TestHub, name: &str, post: &str) -> Page {
    let page = browser.page(name, Viewport::TABLET).await;
    page.goto(&hub::link::link(&hub.addr.to_string(), &hub.token(post)).unwrap())
        .await;
    page.wait_until("the tablet is ready", "document.body.dataset.ready")
        .await;
    page
}

/// The supervisor's dashboard on a big screen, once the board is drawn.
async fn dashboard_page(browser: &Browser, hub: &TestHub) -> Page {
    let page = browser.page("SUP", Viewport::BIG_SCREEN).await;
    page.goto(&hub::link::link_to(&hub.addr.to_string(), "/dashboard", &hub.token("SUP")).unwrap())
        .await;
    page.wait_until(
        "the board drawn",
        "document.body.dataset.phase === 'board' \
         && performance.getEntriesByName('dashboard-usable').length > 0",
    )
    .await;
    page
}

/// The text of the call this tablet made that reads `sentence`, in its list of calls made.
async fn made(page: &Page, sentence: &str, shows: &str) -> String {
    page.wait_until(
        &format!("the call made to show {shows:?}"),
        &format!(
            "[...document.querySelectorAll('#outgoing li')].some(li => \
               li.textContent.includes({sentence:?}) && li.textContent.includes({shows:?}))"
        ),
    )
    .await;
    page.js(
        "return [...document.querySelectorAll('#outgoing li')]
           .find(li => li.textContent.includes(arguments[0])).innerText;",
        vec![json!(sentence)],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// The dashboard's columns that show `who`.
async fn columns_of(board: &Page, who: &str) -> Value {
    board
        .js(
            "return [...document.querySelectorAll('.column')]
               .filter(c => c.querySelector('.cards').textContent.includes(arguments[0]))
               .map(c => c.dataset.column);",
            vec![json!(who)],
        )
        .await
}

/// Opens a quick action's form, waits for the hub's sentence in the preview and sends it.
async fn send_from_form(page: &Page, sentence: &str) {
    page.wait_for_text("#sheet-sentence", sentence).await;
    page.click("#sheet-send").await;
    page.wait_until(
        "the form to close once sent",
        "document.getElementById('sheet').hidden",
    )
    .await;
}

#[tokio::test]
async fn the_gate_the_desk_the_water_bar_a_manager_and_the_dashboard_together() {
    let started = Instant::now();
    let mut laps: Vec<(&str, Duration)> = Vec::new();
    let mut lap = {
        let mut last = Instant::now();
        move |what: &'static str, laps: &mut Vec<(&str, Duration)>| {
            laps.push((what, last.elapsed()));
            last = Instant::now();
        }
    };

    let keep = tempfile::tempdir().unwrap();
    let data = keep.path().join("data");
    let hub = TestHub::start_in(&data, |_| {}).await;
    let addr = hub.addr;
    // The posts with no page in this test speak through Rust tablets: the butler, and the
    // car park and the door, who answer the gate's broadcast.
    let mut g1 = hub.tablet("G1").await;
    let mut door: Vec<Tablet> = Vec::new();
    for post in ["L2", "Y1", "Y2"] {
        door.push(hub.tablet(post).await);
    }

    let browser = Browser::start("pages_together").await;
    let board = dashboard_page(&browser, &hub).await;
    let gate = tablet_page(&browser, &hub, "L1", "L1").await;
    let desk = tablet_page(&browser, &hub, "RC", "RC").await;
    let bar = tablet_page(&browser, &hub, "S1", "S1").await;
    let zhang = tablet_page(&browser, &hub, "X_张伟", "X:张伟").await;
    let pages = [&gate, &desk, &bar, &zhang];
    for (page, name) in pages
        .iter()
        .zip(["门岗L1", "接待中心", "水吧", "大客户经理张伟"])
    {
        assert_eq!(page.text("#station").await, name);
        assert!(page.text("#link").await.contains("已连接"));
    }
    assert_eq!(board.text("#station").await, "巡场主管");
    lap("five pages open", &mut laps);

    // The manager signs in on the rota by a tap: next up.
    zhang.click("#glance [data-tap='sign_in']").await;
    zhang.wait_for_text("#glance", "下一位就是您").await;

    // 1. The gate announces 王先生's party of three from its quick action: the surname typed,
    //    the title and the size tapped, the hub's sentence previewed, then sent.
    let arrived = Call::new(
        Post::L1,
        Post::Rc,
        Intent::AppointmentArrived {
            visitor: mr("王"),
            party: 3,
        },
    )
    .render();
    assert!(arrived.contains("王先生一行3人已经抵达，请做好接待准备"));
    gate.click("#quick-list [data-kind='appointment_arrived']")
        .await;
    gate.type_into("#f-visitor", "王").await;
    gate.click("#sheet .title-chips .chip[data-key='mr']").await;
    gate.click("#sheet [data-field='party'] .chip[data-key='3']")
        .await;
    gate.wait_for_text("#sheet-sentence", &arrived).await;
    assert!(
        gate.text("#sheet-preview")
            .await
            .contains("将要发出（对方听到的标准说辞）")
    );
    gate.screenshot("L1-arrival-previewed").await;
    send_from_form(&gate, &arrived).await;
    let shown = made(&gate, &arrived, "等待收到").await;
    assert!(shown.contains("等待接待中心回复"), "{shown}");

    // 2. The desk's tablet shows the sentence, with one big 收到; the desk taps it.
    desk.wait_for_text("#incoming-list", &arrived).await;
    assert_eq!(answers_shown(&desk).await, json!([["received"]]));
    assert!(desk.text("#incoming-list").await.contains("来自 门岗L1"));
    desk.screenshot("RC-arrival-incoming").await;
    desk.click("#incoming-list [data-answer='received']").await;
    desk.wait_until(
        "the answered call to leave the desk's tablet",
        "document.getElementById('incoming').hidden",
    )
    .await;

    // 3. The gate's tablet shows it answered: by 接待中心, with how long it took and when.
    let shown = made(&gate, &arrived, "已收到").await;
    assert!(
        shown.contains("接待中心已回复") && shown.contains("用时"),
        "{shown}"
    );
    assert!(
        shown.contains("刚刚") || shown.contains("秒前"),
        "when it was made: {shown}"
    );

    // 4. The dashboard: the group at the gate.
    board
        .wait_for_text("[data-column=gate] .cards", "王先生")
        .await;
    let card = board.text("[data-column=gate] .cards").await;
    assert!(
        card.contains("3人") && card.contains("预约"),
        "王先生's card: {card}"
    );
    assert!(
        board
            .text("[data-column=gate] .column-head")
            .await
            .contains("门岗")
    );
    lap("arrival announced, answered, on the board", &mut laps);

    //    The gate's broadcast to every post, from its quick action, filled from the board.
    let broadcast = Call::new(
        Post::L1,
        Target::All,
        Intent::ArrivalBroadcast {
            visitor: mr("王"),
            party: 3,
            appointment: true,
            description: Some("黑色轿车".into()),
        },
    )
    .render();
    gate.click("#quick-list [data-kind='arrival_broadcast']")
        .await;
    gate.wait_until(
        "王先生 chosen from the board",
        "document.querySelector(\"#sheet [data-field='visitor'] .chip[aria-pressed='true']\")?.textContent.includes('王先生')",
    )
    .await;
    gate.click("#sheet [data-field='description'] .chip[data-key='黑色轿车']")
        .await;
    send_from_form(&gate, &broadcast).await;
    for t in &mut door {
        let (id, call) = expect_call_from(t, "L1").await;
        assert_eq!(call.render(), broadcast);
        t.answer(id, GOT).await.unwrap();
    }
    made(&gate, &broadcast, "已收到").await;
    board
        .wait_for_text("[data-column=parking] .cards", "王先生")
        .await;
    assert!(
        board
            .text("[data-column=parking] .column-head")
            .await
            .contains("进场·停车")
    );
    assert_eq!(columns_of(&board, "王先生").await, json!(["parking"]));
    lap("broadcast, on the board in 进场·停车", &mut laps);

    // 5. The desk hands the group to the manager next up, from the group's row.
    let assign = Call::new(
        Post::Rc,
        station("X:张伟"),
        Intent::Assign {
            visitor: mr("王"),
            party: 3,
            turn: Turn::Appointment,
        },
    )
    .render();
    desk.wait_for_text("#glance", "王先生").await;
    desk.click("#glance [data-call='assign']").await;
    send_from_form(&desk, &assign).await;
    zhang.wait_for_text("#incoming-list", &assign).await;
    assert_eq!(answers_shown(&zhang).await, json!([["received"]]));
    zhang.click("#incoming-list [data-answer='received']").await;
    made(&desk, &assign, "已收到").await;
    board
        .wait_for_text("[data-column=with_manager] .cards", "张伟")
        .await;

    //    He asks the butler for a VIP room for his group (filled from the board); the butler
    //    answers and makes VIP1 ready.
    let vip = Call::new(
        station("X:张伟"),
        Post::G1,
        Intent::VipRequest { visitor: mr("王") },
    )
    .render();
    zhang.click("#quick-list [data-kind='vip_request']").await;
    send_from_form(&zhang, &vip).await;
    let (id, call) = expect_call_from(&mut g1, "X:张伟").await;
    assert_eq!(call.render(), vip);
    g1.answer(id, GOT).await.unwrap();
    g1.call(Call::new(
        Post::G1,
        station("X:张伟"),
        Intent::VipReady { room: 1 },
    ))
    .await
    .unwrap();
    made(&zhang, &vip, "大客户管家已回复").await;
    board.wait_for_text("[data-room='1']", "✓ 已就绪").await;
    lap("assigned, VIP1 made ready", &mut laps);

    // 6. Drinks to VIP1 from the manager's tablet: his room is chosen for him.
    let drinks = Call::new(
        station("X:张伟"),
        Post::S1,
        Intent::Drinks {
            drink: "两杯柠檬水".into(),
            room: Some(1),
        },
    )
    .render();
    zhang.click("#quick-list [data-kind='drinks']").await;
    zhang
        .wait_until(
            "VIP1 chosen for him",
            "document.querySelector(\"#sheet [data-field='room'] .chip[data-key='1']\")?.getAttribute('aria-pressed') === 'true'",
        )
        .await;
    zhang
        .click("#sheet [data-field='drink'] .chip[data-key='两杯柠檬水']")
        .await;
    zhang.wait_for_text("#sheet-sentence", &drinks).await;
    zhang.screenshot("X_张伟-drinks-previewed").await;
    send_from_form(&zhang, &drinks).await;

    //    The water bar's page shows the order; the bar taps 收到.
    bar.wait_for_text("#incoming-list", &drinks).await;
    assert_eq!(answers_shown(&bar).await, json!([["received"]]));
    assert!(
        bar.text("#incoming-list")
            .await
            .contains("来自 大客户经理张伟")
    );
    bar.screenshot("S1-drinks-incoming").await;
    bar.click("#incoming-list [data-answer='received']").await;
    bar.wait_until(
        "the answered order to leave the call list",
        "document.getElementById('incoming').hidden",
    )
    .await;
    bar.wait_for_text("#glance", "两杯柠檬水").await;
    bar.wait_for_text("#glance", "已收到").await;
    made(&zhang, &drinks, "水吧已回复").await;

    //    The dashboard: VIP1 in use by 王先生 with 张伟; the group in the VIP column.
    board.wait_for_text("[data-room='1']", "● 使用中").await;
    let vip1 = board.text("[data-room='1']").await;
    assert!(vip1.contains("王先生") && vip1.contains("张伟"), "{vip1}");
    board
        .wait_for_text("[data-column=in_vip] .cards", "王先生")
        .await;
    assert_eq!(columns_of(&board, "王先生").await, json!(["in_vip"]));
    board.wait_for_text("#call-list", &drinks).await;
    board.screenshot("SUP-midway").await;
    lap("drinks ordered, answered, room in use", &mut laps);

    // 7. The hub goes away and comes back on the same address and data folder. Each page is
    //    marked first, to prove afterwards that none was reloaded.
    let all: [&Page; 5] = [&gate, &desk, &bar, &zhang, &board];
    let mut origins = Vec::new();
    for page in all {
        let origin = page
            .js(
                "window.loadMarker = 'before the restart'; return performance.timeOrigin;",
                vec![],
            )
            .await;
        origins.push(origin);
        // While the hub is down, Chromium logs each refused reconnection as an error: allowed
        // here, and checked at the end to be nothing else.
        page.allow_console_errors();
    }
    drop(g1);
    drop(door);
    let down = Instant::now();
    hub.stop().await;
    for page in pages {
        page.wait_for_text("#link", "连接中断").await;
        assert!(
            page.text("#drop").await.contains("正在重连"),
            "{}",
            page.name
        );
    }
    board.wait_for_text("#link", "连接已断开").await;
    assert!(board.text("#offline").await.contains("正在自动重连"));
    let all_said = down.elapsed();
    bar.screenshot("S1-link-dropped").await;
    board.screenshot("SUP-link-dropped").await;
    lap("hub stopped, every page says so", &mut laps);

    let hub = TestHub::start_at(&data, addr, |_| {}).await;
    let back = Instant::now();
    for page in pages {
        page.wait_for_text("#link", "已连接").await;
        assert_eq!(
            page.js("return document.getElementById('drop').hidden;", vec![])
                .await,
            true,
            "{}: the banner goes once mended",
            page.name
        );
    }
    board.wait_for_text("#link", "已连接").await;
    assert_eq!(
        board
            .js("return document.getElementById('offline').hidden;", vec![])
            .await,
        true
    );
    let mended = back.elapsed();
    lap("hub restarted, every page mended", &mut laps);

    //    Calls after the restart, on every page. The butler asks the water bar for tea: on the
    //    bar's tablet and on the dashboard; the bar taps 收到.
    let mut g1 = hub.tablet("G1").await;
    let mut door: Vec<Tablet> = Vec::new();
    for post in ["L2", "Y1", "Y2"] {
        door.push(hub.tablet(post).await);
    }
    let tea = Call::new(
        Post::G1,
        Post::S1,
        Intent::Drinks {
            drink: "两杯热茶".into(),
            room: Some(1),
        },
    );
    g1.call(tea.clone()).await.unwrap();
    let tea = tea.render();
    bar.wait_for_text("#incoming-list", &tea).await;
    board.wait_for_text("#open-calls", &tea).await;
    bar.screenshot("S1-after-restart-incoming").await;
    bar.click("#incoming-list [data-answer='received']").await;
    bar.wait_until(
        "the answered order to leave the call list",
        "document.getElementById('incoming').hidden",
    )
    .await;
    bar.wait_for_text("#glance", "两杯热茶").await;

    //    The gate asks the desk about a walk-in from its quick action; the desk taps 可以接待.
    let query = Call::new(Post::L1, Post::Rc, Intent::WalkInQuery).render();
    gate.click("#quick-list [data-kind='walk_in_query']").await;
    send_from_form(&gate, &query).await;
    desk.wait_for_text("#incoming-list", &query).await;
    assert_eq!(
        answers_shown(&desk).await,
        json!([["can_receive", "cannot_receive"]])
    );
    desk.click("#incoming-list [data-answer='can_receive']")
        .await;
    let shown = made(&gate, &query, "可以接待").await;
    assert!(shown.contains("接待中心回复可以接待"), "{shown}");

    //    The manager asks for an ID copy for his room from his tablet; the butler answers.
    let copy = Call::new(station("X:张伟"), Post::G1, Intent::IdCopy { room: 1 }).render();
    zhang.click("#quick-list [data-kind='id_copy']").await;
    send_from_form(&zhang, &copy).await;
    let (id, call) = expect_call_from(&mut g1, "X:张伟").await;
    assert_eq!(call.render(), copy);
    g1.answer(id, GOT).await.unwrap();
    made(&zhang, &copy, "大客户管家已回复").await;

    //    The dashboard heard all three.
    for sentence in [&tea, &query, &copy] {
        board.wait_for_text("#call-list", sentence).await;
    }
    board.wait_for_text("[data-room='1']", "● 使用中").await;
    lap("three calls after the restart, on every page", &mut laps);

    // None of the pages was reloaded.
    for (page, origin) in all.iter().zip(&origins) {
        let now = page
            .js(
                "return [window.loadMarker, performance.timeOrigin];",
                vec![],
            )
            .await;
        assert_eq!(
            now,
            json!(["before the restart", origin]),
            "{}: mended without a reload",
            page.name
        );
    }

    // What each page shows at the end.
    for page in all {
        page.screenshot(&format!("{}-end", page.name)).await;
    }
    for page in all {
        for e in page.console_errors().await {
            assert!(
                e.message.contains("WebSocket connection to") && e.message.contains("/ws"),
                "{}: only the refused reconnections may show: {e}",
                page.name
            );
        }
    }
    for page in [gate, desk, bar, zhang, board] {
        page.close().await;
    }
    drop(door);
    lap("screenshots, closed", &mut laps);

    let total = started.elapsed();
    for (what, took) in &laps {
        eprintln!("  {took:>10.2?}  {what}");
    }
    eprintln!(
        "all five pages together: {total:.2?} in all; the drop was shown on every page {all_said:.2?} \
         after the hub went down, and every page was back {mended:.2?} after it restarted"
    );
    assert!(total < Duration::from_secs(90), "bounded: took {total:?}");
}
