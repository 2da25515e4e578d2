//! `radio parse` and `radio render`: standard sentences to typed calls and back, offline — how a
//! trainer checks a sentence, and how a script builds one.

use std::io::Read;

use protocol::{Call, Utterance};

use super::Failure;
use super::output::{Written, stdout_line};

/// The most `radio render -` reads from stdin: a call is a few hundred bytes.
const MAX_STDIN_BYTES: u64 = 1 << 20;

/// Prints the typed call (or answer) a sentence stands for, as one JSON object.
pub(crate) fn parse(sentence: &str) -> Result<(), Failure> {
    let said =
        Call::parse(sentence).map_err(|r| Failure::new(format!("refused ({}): {r}", r.rule())))?;
    let json = serde_json::to_string(&said).map_err(|e| Failure::new(e.to_string()))?;
    print(&json)
}

/// Prints the standard sentence of a typed call given as JSON (`-`: from stdin).
pub(crate) fn render(call: &str) -> Result<(), Failure> {
    let json = if call == "-" {
        let mut s = String::new();
        std::io::stdin()
            .take(MAX_STDIN_BYTES)
            .read_to_string(&mut s)
            .map_err(|e| Failure::new(format!("cannot read stdin: {e}")))?;
        s
    } else {
        call.to_owned()
    };
    let said: Utterance = serde_json::from_str(&json).map_err(|e| {
        Failure::new(format!(
            "not a typed call ({e}); give JSON as `radio parse` prints it"
        ))
    })?;
    match said {
        Utterance::Call(call) => {
            call.check()
                .map_err(|r| Failure::new(format!("refused ({}): {r}", r.rule())))?;
            print(&call.render())
        }
        Utterance::Answer { answer } => print(answer.word()),
    }
}

fn print(line: &str) -> Result<(), Failure> {
    match stdout_line(line) {
        Written::Ok | Written::Closed => Ok(()),
        Written::Failed(e) => Err(Failure::new(format!("cannot write stdout: {e}"))),
    }
}
