//! The pages say a placed call's sentence themselves: a `call_placed` event carries the typed
//! call only. Here the pages' `lib/sentence.js`, with the script table the hub serves, says
//! thousands of calls — every form of the script, with and without each optional field, from
//! every post and a manager, to every post, everyone and a manager, with awkward free text — in
//! a real Chromium, and each must be word for word what the hub says (`Call::render`). A page
//! that said one differently would show the supervisor and the posts a call nobody made.

use integration::TestHub;
use integration::browser::{Browser, Viewport};
use protocol::rota::Turn;
use protocol::{Call, Intent, Post, Station, Target, Title, Visitor};
use serde_json::json;

fn visitors() -> Vec<Visitor> {
    [
        ("王", Title::Mr),
        ("欧阳", Title::Miss),
        ("Smith", Title::Ms),
    ]
    .into_iter()
    .map(|(s, t)| Visitor::new(s, t).unwrap())
    .collect()
}

/// Every form of the script, each optional field with and without a value.
fn intents() -> Vec<Intent> {
    let mut out = vec![Intent::Hail, Intent::WalkInQuery];
    for (k, v) in visitors().into_iter().enumerate() {
        let party = [1, 3, 12][k];
        let room = [1, 2, 3][k] as u8;
        out.extend([
            Intent::HeadingIn {
                visitor: v.clone(),
                party,
            },
            Intent::AppointmentArrived {
                visitor: v.clone(),
                party,
            },
            Intent::VipRequest { visitor: v.clone() },
            Intent::VipDeparting {
                room,
                visitor: v.clone(),
            },
            Intent::SeeOff { visitor: v.clone() },
            Intent::LineUp { visitor: v.clone() },
            Intent::Taxi { visitor: v.clone() },
            Intent::TaxiArrived {
                visitor: v.clone(),
                plate: None,
            },
            Intent::TaxiArrived {
                visitor: v.clone(),
                plate: Some("粤B12345".into()),
            },
        ]);
        for appointment in [true, false] {
            for description in [None, Some("两位，穿蓝色外套，带一个小孩".to_owned())]
            {
                out.push(Intent::ArrivalBroadcast {
                    visitor: v.clone(),
                    party,
                    appointment,
                    description,
                });
            }
        }
        for turn in Turn::ALL {
            out.push(Intent::Assign {
                visitor: v.clone(),
                party,
                turn,
            });
        }
    }
    for room in [1u8, 3] {
        out.extend([
            Intent::VipReady { room },
            Intent::IdCopy { room },
            Intent::ClearRoom { room },
            Intent::RoomCleared { room },
        ]);
    }
    for room in [None, Some(2)] {
        out.push(Intent::Drinks {
            drink: "两杯柠檬水".into(),
            room,
        });
    }
    out.extend([
        Intent::Documents {
            copies: 5,
            material: "户型".into(),
        },
        Intent::Restock {
            items: "矿泉水两箱".into(),
        },
        Intent::ModelHouseReady { party: 4 },
        Intent::GuestsDown { party: 2 },
        Intent::Shuttle {
            party: 6,
            next_run: false,
        },
        Intent::Shuttle {
            party: 6,
            next_run: true,
        },
    ]);
    // Free text holding what a careless substitution would trip on: braces like a slot, `$`
    // patterns, commas and colons.
    for text in [
        "请到前台：取一下钥匙，谢谢",
        "{text}{who}",
        "$& $1 $$ $'",
        "Room 3 is ready",
    ] {
        out.push(Intent::Free { text: text.into() });
    }
    out
}

fn stations() -> Vec<Station> {
    let mut out: Vec<Station> = Post::ALL.into_iter().map(Station::Post).collect();
    out.push("X:张伟".parse().unwrap());
    out
}

#[tokio::test]
async fn the_pages_say_every_call_exactly_as_the_hub_does() {
    let hub = TestHub::start().await;
    let browser = Browser::start("sentences_page").await;
    let page = browser.page("sentences", Viewport::TABLET).await;
    page.goto(&hub.http("/")).await;

    let mut targets: Vec<Target> = vec![
        Target::All,
        Target::from("X:李娜".parse::<Station>().unwrap()),
    ];
    targets.extend(Post::ALL.into_iter().map(Target::from));
    let mut calls = Vec::new();
    for intent in intents() {
        for caller in stations() {
            for target in &targets {
                calls.push(Call::new(caller.clone(), target.clone(), intent.clone()));
            }
        }
    }
    let said: Vec<String> = calls.iter().map(Call::render).collect();
    let forms: std::collections::BTreeSet<&str> = calls.iter().map(|c| c.intent.kind()).collect();
    assert!(forms.len() >= 23, "every kind of call is tried: {forms:?}");

    let wrong = page
        .js_async(
            "const [calls, said, done] = arguments;
             import('/assets/lib/sentence.js').then(({ sentenceOf }) => {
               const wrong = [];
               calls.forEach((call, i) => {
                 const mine = sentenceOf(call);
                 if (mine !== said[i]) wrong.push({ call, hub: said[i], page: mine });
               });
               done({ n: calls.length, wrong: wrong.slice(0, 5), count: wrong.length });
             }, (e) => done({ error: String(e) }));",
            vec![json!(calls), json!(said)],
        )
        .await;
    assert_eq!(wrong["error"], serde_json::Value::Null, "{wrong}");
    assert_eq!(wrong["n"], json!(calls.len()));
    assert_eq!(
        wrong["count"],
        json!(0),
        "the page says these differently: {wrong:#}"
    );
    eprintln!(
        "{} calls said the same by the page and the hub",
        calls.len()
    );
}
