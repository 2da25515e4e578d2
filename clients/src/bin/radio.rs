//! `radio`: the sales gallery's radio net from a terminal. See `radio --help`.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use protocol::{Call, Utterance};

#[derive(Parser)]
#[command(
    name = "radio",
    version,
    about = "The sales gallery's radio net from a terminal"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Parse a standard sentence and print the typed call (or answer) as one JSON object.
    Parse {
        /// The sentence, e.g. "我是L1岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。"
        sentence: String,
    },
    /// Print the standard sentence for a typed call given as JSON (`-` reads it from stdin).
    Render {
        /// The call as JSON, as `radio parse` prints it, or `-` for stdin.
        call: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("radio: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cmd: Cmd) -> Result<String, String> {
    match cmd {
        Cmd::Parse { sentence } => {
            let said =
                Call::parse(&sentence).map_err(|r| format!("refused ({}): {r}", r.rule()))?;
            serde_json::to_string(&said).map_err(|e| e.to_string())
        }
        Cmd::Render { call } => {
            let json = if call == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .take(1 << 20)
                    .read_to_string(&mut s)
                    .map_err(|e| format!("cannot read stdin: {e}"))?;
                s
            } else {
                call
            };
            let said: Utterance = serde_json::from_str(&json).map_err(|e| {
                format!("not a typed call ({e}); give JSON as `radio parse` prints it")
            })?;
            match said {
                Utterance::Call(call) => {
                    call.check()
                        .map_err(|r| format!("refused ({}): {r}", r.rule()))?;
                    Ok(call.render())
                }
                Utterance::Answer { answer } => Ok(answer.word().to_owned()),
            }
        }
    }
}
