//! Answering from a terminal: `radio answer CALL_ID WORD` answers a call by its id, and an answer
//! said on its own (`radio say 可以接待`) goes to the oldest open call for this post that takes it
//! ([`crate::open_call`]). Both print one JSON line naming the call answered.

use protocol::envelope::CallId;
use protocol::{Answer, ErrorCode, Utterance};
use serde::Serialize;
use tablet::{Tablet, TabletError};

use super::Failure;
use super::hub::{Hub, refused};
use super::output::{print_line, stderr_line};
use crate::open_call::answerable;

/// What `radio answer` and an answer said with `radio say` print.
#[derive(Debug, Serialize)]
struct Answered<'a> {
    call_id: CallId,
    answer: Answer,
    /// The offset of the `call_answered` event.
    offset: u64,
    /// The sentence of the call answered, when it was chosen here (an answer said on its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    sentence: Option<&'a str>,
}

/// Reads an answer as people say it (收到, 可以接待, 无法接待, and what `radio parse` tolerates
/// around them) or as the wire names it (`received`, `can_receive`, `cannot_receive`).
pub fn parse_answer(word: &str) -> Result<Answer, String> {
    let word = word.trim();
    if let Ok(answer) = serde_json::from_value(serde_json::Value::String(word.to_owned())) {
        return Ok(answer);
    }
    match protocol::Call::parse(word) {
        Ok(Utterance::Answer { answer }) => Ok(answer),
        _ => Err(format!(
            "「{word}」 is not an answer: say 收到, 可以接待 or 无法接待 \
             (or received, can_receive, cannot_receive)"
        )),
    }
}

/// `radio answer CALL_ID WORD`: answers that call, or says why the hub would not take it.
pub(crate) async fn answer(hub: &Hub, call_id: CallId, answer: Answer) -> Result<(), Failure> {
    let mut tablet = hub.tablet().await?;
    let outcome = tablet.answer(call_id, answer).await;
    let _ = tablet.close().await;
    let offset = outcome.map_err(|e| refused(&e))?;
    print(&Answered {
        call_id,
        answer,
        offset,
        sentence: None,
    })
}

/// An answer said on its own: to the oldest open call for this post that takes it.
pub(crate) async fn answer_oldest(hub: &Hub, answer: Answer) -> Result<(), Failure> {
    let mut tablet = hub.tablet().await?;
    let outcome = answer_first_open(&mut tablet, answer).await;
    let _ = tablet.close().await;
    outcome
}

async fn answer_first_open(tablet: &mut Tablet, answer: Answer) -> Result<(), Failure> {
    let state = tablet.state().await.map_err(|e| refused(&e))?;
    let me = tablet.station().clone();
    let calls = answerable(&state, &me, answer).map_err(Failure::new)?;
    for open in &calls {
        match tablet.answer(open.call_id, answer).await {
            Ok(offset) => {
                stderr_line(&format!(
                    "radio: answered call {} 「{}」 with {}",
                    open.call_id,
                    open.sentence,
                    answer.word()
                ));
                return print(&Answered {
                    call_id: open.call_id,
                    answer,
                    offset,
                    sentence: Some(&open.sentence),
                });
            }
            // Answered by another tablet of the post since the snapshot: try the next one.
            Err(TabletError::Refused {
                code: ErrorCode::UnknownCall,
                ..
            }) => continue,
            Err(e) => return Err(refused(&e)),
        }
    }
    Err(Failure::new(format!(
        "no open call for {me} takes {}: nothing was answered. `radio state` lists the open \
         calls; `radio answer CALL_ID WORD` answers one by its id",
        answer.word()
    )))
}

fn print(answered: &Answered<'_>) -> Result<(), Failure> {
    let json = serde_json::to_string(answered).map_err(|e| Failure::new(e.to_string()))?;
    print_line(&json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_as_said_and_as_named_on_the_wire() {
        for (word, answer) in [
            ("收到", Answer::Received),
            ("收到，谢谢", Answer::Received),
            ("可以接待", Answer::CanReceive),
            ("无法接待", Answer::CannotReceive),
            ("received", Answer::Received),
            (" can_receive ", Answer::CanReceive),
            ("cannot_receive", Answer::CannotReceive),
        ] {
            assert_eq!(parse_answer(word), Ok(answer), "{word}");
        }
        for word in [
            "好的",
            "",
            "我是水吧，呼叫操作间，请将柠檬和冰块送至水吧台，收到请回话。",
        ] {
            let e = parse_answer(word).unwrap_err();
            assert!(e.contains("收到, 可以接待 or 无法接待"), "{e}");
        }
    }
}
