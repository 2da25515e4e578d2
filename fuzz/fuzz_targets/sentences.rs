//! Any text, as a sentence said on the radio: the parser reads a call, an answer or a refusal
//! naming the rule, never panics; a call it reads renders to a sentence it reads the same again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{Utterance, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(said) = std::str::from_utf8(data) else {
        return;
    };
    match parse::utterance(said) {
        Ok(Utterance::Call(call)) => {
            let sentence = call.render();
            match parse::utterance(&sentence) {
                Ok(Utterance::Call(again)) => assert_eq!(again, call, "{sentence}"),
                other => panic!("{sentence} read back as {other:?}"),
            }
        }
        Ok(_) => {}
        Err(refusal) => {
            let _ = refusal.rule();
            let _ = refusal.to_string();
        }
    }
});
