//! `radio say`: place one call from a terminal, as a tablet would — the sentence is read here
//! first so a refused one never reaches the net — and optionally wait for its answer, so a script
//! (or a drill) can tell an answered call from one nobody picked up. An answer said on its own
//! (收到, 可以接待, 无法接待) is answered by `super::answer` instead.

use std::time::Duration;

use protocol::envelope::CallId;
use protocol::{Call, Event, EventKind, Utterance};
use tablet::{Placed, Reconnecting, Update};
use tokio::time::Instant;

use super::Failure;
use super::hub::{Hub, lost_text, refused};
use super::output::{Written, stderr_line, stdout_line};
use crate::line::event_line;

/// Exit code for a call nobody answered within `--wait-ack`.
pub const UNANSWERED: u8 = 2;

/// Reads a sentence into the call to place, or the answer to give; a refusal names the rule
/// broken. `--wait-ack` waits for a call's answer, so an answer said with it is refused.
pub(crate) fn read(sentence: &str, wait_ack: Option<f64>) -> Result<Utterance, Failure> {
    match Call::parse(sentence) {
        Ok(Utterance::Answer { answer }) if wait_ack.is_some() => Err(Failure::new(format!(
            "「{}」 is an answer, and --wait-ack waits for the answer to a call: drop --wait-ack",
            answer.word()
        ))),
        Ok(said) => Ok(said),
        Err(r) => Err(Failure::new(format!("refused ({}): {r}", r.rule()))),
    }
}

/// Places `call` and prints its placement; with `wait_ack`, waits that many seconds for its answer.
pub(crate) async fn say(hub: &Hub, call: Call, wait_ack: Option<f64>) -> Result<(), Failure> {
    let (mut rc, _) = Reconnecting::connect(&hub.url, &hub.token, hub.options(None))
        .await
        .map_err(|e| hub.cannot_connect(&e))?;
    let outcome = place(&mut rc, call, wait_ack).await;
    let _ = rc.close().await;
    outcome
}

async fn place(rc: &mut Reconnecting, call: Call, wait_ack: Option<f64>) -> Result<(), Failure> {
    // A report needs no answer: placing it is all there is.
    let wait = wait_ack.filter(|_| !call.is_report());
    let tablet = rc
        .tablet()
        .ok_or_else(|| Failure::new("the connection dropped before the call was placed"))?;
    let placed = tablet.call(call).await.map_err(|e| refused(&e))?;
    print_placed(&placed)?;
    match wait {
        Some(secs) => wait_for_answer(rc, placed.call_id, secs).await,
        None => Ok(()),
    }
}

fn print_placed(placed: &Placed) -> Result<(), Failure> {
    let json = serde_json::to_string(placed).map_err(|e| Failure::new(e.to_string()))?;
    match stdout_line(&json) {
        Written::Ok | Written::Closed => Ok(()),
        Written::Failed(e) => Err(Failure::new(format!("cannot write stdout: {e}"))),
    }
}

/// Reads events until `call_id` is answered (printed on stdout) or `secs` pass (exit 2). What
/// happens to the call meanwhile — repeated, escalated, target offline — goes to stderr.
async fn wait_for_answer(rc: &mut Reconnecting, call_id: CallId, secs: f64) -> Result<(), Failure> {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    loop {
        let update = match tokio::time::timeout_at(deadline, rc.next()).await {
            Ok(update) => update.map_err(|e| Failure::new(e.to_string()))?,
            Err(_) => {
                return Err(Failure {
                    code: UNANSWERED,
                    message: format!("unanswered after {secs} s"),
                });
            }
        };
        match update {
            Update::Event(event) if about(&event) == Some(call_id) => match event.what {
                EventKind::CallAnswered { .. } => {
                    return match stdout_line(&event_line(&event)) {
                        Written::Ok | Written::Closed => Ok(()),
                        Written::Failed(e) => {
                            Err(Failure::new(format!("cannot write stdout: {e}")))
                        }
                    };
                }
                EventKind::CallPlaced { .. } => {}
                _ => stderr_line(&event_line(&event)),
            },
            Update::Event(_) => {}
            Update::Lost {
                error,
                retry_in,
                failures,
            } => stderr_line(&lost_text(&error, retry_in, failures)),
            Update::Reconnected(welcome) => {
                if let Some(reason) = welcome.snapshot_needed() {
                    stderr_line(&format!(
                        "radio: reconnected, but events were lost ({reason}); the answer may have been missed"
                    ));
                }
            }
            Update::Skipped(e) => stderr_line(&format!("radio: skipped a frame: {e}")),
        }
    }
}

/// The call an event is about, if any.
fn about(event: &Event) -> Option<CallId> {
    match &event.what {
        EventKind::CallPlaced { .. } => Some(event.offset),
        EventKind::CallAnswered { call_id, .. }
        | EventKind::CallRepeated { call_id, .. }
        | EventKind::CallEscalated { call_id, .. }
        | EventKind::TargetOffline { call_id, .. } => Some(*call_id),
        // Presence and the board's events are about no one call.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_read_before_anything_is_sent() {
        let said = read(
            "我是水吧，呼叫操作间，请将柠檬和冰块送至水吧台，收到请回话。",
            None,
        );
        assert!(
            matches!(&said, Ok(Utterance::Call(call)) if call.intent.kind() == "restock"),
            "{said:?}"
        );
        let f = read("呼叫水吧，请送咖啡至VIP1室，收到请回答。", None).unwrap_err();
        assert_eq!(f.code, 1);
        assert!(f.message.contains("no_caller"), "{}", f.message);
    }

    #[test]
    fn an_answer_is_read_as_one_but_not_waited_for() {
        assert_eq!(
            read("可以接待", None),
            Ok(Utterance::Answer {
                answer: protocol::Answer::CanReceive
            })
        );
        let f = read("收到", Some(5.0)).unwrap_err();
        assert!(f.message.contains("drop --wait-ack"), "{}", f.message);
    }
}
