//! kill -9 of a real hub process, and a restart on the same data folder: every call the hub
//! accepted is still in the log, with the same epoch and offsets.

use std::process::Child;
use std::time::Duration;

use integration::token_for;
use protocol::envelope::Resume;
use protocol::{Call, Intent, Post};
use tablet::{Options, Tablet};

struct HubProcess {
    child: Child,
    url: String,
}

fn start(data: &std::path::Path) -> HubProcess {
    let (child, url, lines) = integration::hub_process(env!("CARGO_BIN_EXE_hub-under-test"), data);
    // Keep draining stdout so the hub never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    HubProcess { child, url }
}

#[tokio::test]
async fn kill_9_loses_no_accepted_call() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let mut hub = start(data);
    let (mut g1, welcome) = Tablet::connect(&hub.url, &token_for(data, "G1"), Options::default())
        .await
        .unwrap();
    let mut accepted = Vec::new();
    for i in 0..200u32 {
        let call = Call::new(
            Post::G1,
            Post::S1,
            Intent::Drinks {
                drink: format!("柠檬水{i}"),
                room: Some(1 + (i % 3) as u8),
            },
        );
        accepted.push(g1.call(call).await.unwrap().call_id);
    }
    // SIGKILL: no shutdown, no flush, no goodbye.
    hub.child.kill().unwrap();
    hub.child.wait().unwrap();
    drop(g1);

    let mut hub = start(data);
    let opts = Options {
        resume: Some(Resume {
            epoch: Some(welcome.epoch),
            from: 1,
        }),
        ..Options::default()
    };
    let (mut sup, again) = Tablet::connect(&hub.url, &token_for(data, "SUP"), opts)
        .await
        .unwrap();
    assert_eq!(again.epoch, welcome.epoch, "same log, same epoch");
    let mut found = Vec::new();
    while found.len() < accepted.len() {
        let e = tokio::time::timeout(Duration::from_secs(5), sup.next_event())
            .await
            .expect("the replay keeps coming")
            .unwrap();
        if let Some((call_id, _)) = e.placed() {
            found.push(call_id);
        }
    }
    assert_eq!(found, accepted);
    assert!(
        again.head > *accepted.last().unwrap(),
        "offsets continue after the restart"
    );
    hub.child.kill().unwrap();
    hub.child.wait().unwrap();
}
