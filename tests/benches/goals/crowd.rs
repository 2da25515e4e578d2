//! Many tablets: the stations they are spread over, and connecting them a few hundred at a
//! time (one process opening ten thousand sockets at once would time itself out, and the
//! initial connection is not what is measured).

use std::time::Duration;

use protocol::{Post, Station};
use tablet::{Backoff, Options, Tablet};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::hub::Hub;

/// Every post but the gate (L1, which makes the calls to all posts) and the supervisor (who
/// sees everything, presence included): each of these hears a call to all posts and nothing
/// of the others' comings and goings.
pub fn listeners() -> Vec<Station> {
    Post::ALL
        .into_iter()
        .filter(|p| !matches!(p, Post::L1 | Post::Sup))
        .map(Station::Post)
        .collect()
}

/// Tablet `i`'s station: the listening posts in turn.
pub fn station(i: usize) -> Station {
    let all = listeners();
    all[i % all.len()].clone()
}

/// Options for a tablet of a crowd: a long reply timeout, since a crowd's connections queue
/// up on a small machine.
pub fn options() -> Options {
    Options {
        reply_timeout: Duration::from_secs(60),
        ..Options::default()
    }
}

/// Connects `n` tablets (tablet `i` as [`station`]`(i)`), `at_once` in flight; a refused
/// connection is tried again a few times. Each is handed to `each` as soon as it is on, to be
/// read at once: a tablet left unread answers no ping and the hub drops it as silent after
/// 30 s, sooner than ten thousand take to connect. How long it took.
pub async fn connect(
    hub: &Hub,
    n: usize,
    at_once: usize,
    mut each: impl FnMut(usize, Tablet),
) -> Result<f64, String> {
    let began = Instant::now();
    let tokens: Vec<String> = listeners().iter().map(|s| hub.token(s)).collect();
    let mut pending = JoinSet::new();
    let mut next = 0;
    while next < n || !pending.is_empty() {
        while next < n && pending.len() < at_once {
            let (url, token) = (hub.url.clone(), tokens[next % tokens.len()].clone());
            let i = next;
            pending.spawn(async move {
                let mut backoff = Backoff::new(Backoff::FIRST, Duration::from_secs(2));
                let mut last = String::new();
                for _ in 0..5 {
                    match Tablet::connect(&url, &token, options()).await {
                        Ok((t, _)) => return (i, Ok(t)),
                        Err(e) => last = e.to_string(),
                    }
                    tokio::time::sleep(backoff.next_delay()).await;
                }
                (i, Err(last))
            });
            next += 1;
        }
        match pending.join_next().await {
            Some(Ok((i, Ok(t)))) => each(i, t),
            Some(Ok((i, Err(e)))) => return Err(format!("tablet {i} could not connect: {e}")),
            Some(Err(e)) => return Err(format!("a connecting task failed: {e}")),
            None => {}
        }
    }
    Ok(began.elapsed().as_secs_f64())
}
