//! The `radio` command line: its arguments, and the one place that turns a subcommand's outcome
//! into stderr text and an exit code. Each subcommand lives in its own module.

mod answer;
mod drill;
mod hub;
mod listen;
mod output;
mod parse;
mod report;
mod say;
mod state;
mod tap;
mod when;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use protocol::Utterance;

pub use answer::parse_answer;
pub use drill::{DrillArgs, TARGET_MISSED};
pub use hub::Hub;
pub use listen::WalkIn;
pub use tap::{DutyArg, TapCmd};
pub use when::{TimeArg, parse_time};

/// Where the hub listens unless told otherwise (`--hub`, `RADIO_HUB`).
pub const DEFAULT_HUB: &str = "ws://127.0.0.1:7700/ws";

#[derive(Debug, Parser)]
#[command(
    name = "radio",
    version,
    about = "The sales gallery's radio net from a terminal",
    long_about = "The sales gallery's radio net from a terminal: read and write standard \
                  sentences offline (parse, render), or connect to the hub as a tablet to \
                  place calls and say answers (say), answer a call by its id (answer), follow \
                  the net (listen), tap a status (tap), and read the site's state (state) and \
                  the daily report (report). `radio drill` rehearses a whole gallery day on a \
                  hub of its own and scores every post."
)]
pub struct Cli {
    #[command(flatten)]
    pub hub: HubArgs,
    #[command(subcommand)]
    pub command: Cmd,
}

/// How to reach the hub; accepted before or after the subcommand.
#[derive(Clone, Debug, Args)]
pub struct HubArgs {
    /// The hub's WebSocket URL: ws://HOST:PORT/ws, or wss://HOST:PORT/ws for a hub serving TLS.
    #[arg(long, global = true, env = "RADIO_HUB", default_value = DEFAULT_HUB, value_name = "URL")]
    pub hub: String,
    /// For a wss:// hub: trust the certificate authority in this PEM file (the site's own,
    /// e.g. the hub's DATA/tls/ca.crt, or https://HUB/ca.crt) instead of the system's. The
    /// hub's certificate is always checked.
    #[arg(long, global = true, env = "RADIO_CA", value_name = "FILE")]
    pub ca: Option<std::path::PathBuf>,
    /// This tablet's token (minted by `hub token POST`): it names the station you speak for.
    #[arg(
        long,
        global = true,
        env = "RADIO_TOKEN",
        hide_env_values = true,
        value_name = "T"
    )]
    pub token: Option<String>,
    /// Speak JSON (radio.v1.json) to the hub instead of MessagePack, e.g. to read frames in a
    /// proxy; for `drill`, print the report as one JSON object.
    #[arg(long, global = true)]
    pub json: bool,
    /// Whether --hub was given on the command line (not taken from RADIO_HUB or the default):
    /// a drill runs on a hub of its own unless told otherwise.
    #[arg(skip)]
    pub hub_given: bool,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
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
    /// Place a call given as a standard sentence, or say an answer (收到, 可以接待, 无法接待) to
    /// the oldest open call for this post that takes it; print one JSON line.
    #[command(
        long_about = "Place a call given as a standard sentence. The sentence is read here first \
                      (a refused one names the rule it broke and nothing is sent), then placed as a \
                      typed call from the token's station. Prints one JSON line: \
                      {\"call_id\":N,\"offset\":N,\"sentence\":\"…\"}.\n\n\
                      An answer said on its own — 收到, 可以接待 or 无法接待 — answers the oldest \
                      call still open for this post that takes it (可以接待 / 无法接待: the walk-in \
                      query; 收到: every other call), as a person answers the call heard first. \
                      Prints {\"call_id\":N,\"answer\":\"…\",\"offset\":N,\"sentence\":\"…the call \
                      answered…\"}; with no such call, says so and answers nothing. To answer a \
                      particular call, use `radio answer CALL_ID WORD`.\n\n\
                      Exit codes: 0 placed or answered (and, with --wait-ack, the call answered); \
                      1 refused, failed, or no open call for the answer; 2 not answered within \
                      --wait-ack."
    )]
    Say {
        /// The standard sentence, e.g. "我是水吧，呼叫操作间，请将柠檬和冰块送至水吧台，收到请回话。"
        sentence: String,
        /// Then wait up to SECS seconds for the answer: repeats, escalations and an offline
        /// target go to stderr as JSON lines; the call_answered event is printed on stdout.
        #[arg(long, value_name = "SECS", value_parser = parse_secs)]
        wait_ack: Option<f64>,
    },
    /// Answer a call by its id: 收到, 可以接待 or 无法接待; print one JSON line.
    #[command(
        long_about = "Answer the call CALL_ID (its call_id in `radio listen`, `radio state`'s \
                      open_calls, or the placing tablet's output) with WORD: 收到, 可以接待 or \
                      无法接待 (or received, can_receive, cannot_receive). The walk-in query takes \
                      可以接待 or 无法接待, every other call 收到. Prints one JSON line: \
                      {\"call_id\":N,\"answer\":\"…\",\"offset\":N}.\n\n\
                      Exit codes: 0 answered; 1 refused (not open, not this post's, or a word the \
                      call does not take) or failed; 2 WORD is not an answer."
    )]
    Answer {
        /// The call to answer.
        call_id: u64,
        /// 收到, 可以接待 or 无法接待.
        #[arg(value_parser = parse_answer)]
        word: protocol::Answer,
    },
    /// Follow the net: print every event this station may see as one JSON line, as it happens.
    #[command(
        long_about = "Follow the net: print every event this station may see as one JSON line \
                      on stdout, flushed as it happens: {\"offset\":N,\"at\":MS,\"kind\":\"…\", \
                      …fields}; call_placed lines carry call_id, caller, target, intent and \
                      sentence at the top level. Reconnects by itself when the hub restarts or \
                      sheds load, resuming after the last line printed (no gap, no duplicate).\n\n\
                      Exit codes: 0 on Ctrl-C or when stdout closes; 1 when the hub cannot be \
                      reached at first or says not to reconnect (bad token, broken client)."
    )]
    Listen {
        /// Replay from this offset of the hub's log (inclusive) before following live events.
        #[arg(long, value_name = "OFFSET")]
        from: Option<u64>,
        /// Answer every call addressed to this station with an answer it takes: 收到, and the
        /// walk-in query as --walk-in says (reports need no answer).
        #[arg(long)]
        ack: bool,
        /// With --ack: answer walk-in queries 可以接待 (can, the default) or 无法接待 (cannot).
        #[arg(long, value_enum, requires = "ack", value_name = "can|cannot")]
        walk_in: Option<WalkIn>,
    },
    /// Tap a status no radio call marks (parked, greeted, entered VIP, order done, the rota,
    /// modes); print {"offset":N} as one JSON line.
    #[command(
        long_about = "Tap a status no radio call marks, as the post's tablet would: the stages \
                      of a visit (parked, greeted, took-over, entered-vip, model-house, left), \
                      an order done, the rota (sign-in, sign-out, stand-by) and the \
                      supervisor's corrections and modes (rota-move, rota-remove, set-mode, \
                      resolve-alert). The token's station is the one tapping; the supervisor \
                      may tap anything but a manager's own sign-in, sign-out and stand-by. \
                      Prints one JSON line: {\"offset\":N}, the offset of the \
                      `tapped` event.\n\n\
                      Exit codes: 0 tapped; 1 refused (`refused (RULE): MESSAGE` on stderr) or \
                      failed."
    )]
    Tap {
        #[command(subcommand)]
        tap: TapCmd,
    },
    /// Print the site's state as this station may see it (the JSON of /api/state), pretty.
    #[command(
        long_about = "Print the site's live state as this station may see it — visitor groups, \
                      VIP rooms, orders, open calls, presence, the rota, modes, alerts, counts; \
                      everything for SUP — as pretty JSON: the same object as /api/state, with \
                      the offset it is valid at.\n\nExit codes: 0 printed; 1 failed."
    )]
    State,
    /// Print the daily report (the JSON of /api/report), pretty.
    #[command(
        long_about = "Print the daily report as pretty JSON (the same object as /api/report): \
                      visitor groups, gate-to-door and gate-to-VIP times, answer latency per \
                      post, turns per manager, repeats and escalations, room turnover, orders. \
                      Any station's token may ask.\n\n\
                      Exit codes: 0 printed; 1 refused (a date the hub cannot read) or failed."
    )]
    Report {
        /// The day, YYYY-MM-DD in the site's time zone; today if not given.
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Rehearse a gallery day with virtual posts and score every post, or load the hub.
    #[command(
        long_about = "Rehearse a gallery day: virtual posts, each a tablet speaking the real \
                      protocol, play a scenario's day through the standard calls — the gate, the \
                      desk, the car park and the door, the managers, the VIP rooms, drinks, ID \
                      copies, documents, departures, taxis, rooms cleared — each post answering \
                      收到 after its own delay, with the scenario's faults. A progress bar shows \
                      the day on stderr; at the end, the report: per post calls answered, median \
                      and p95 time to 收到, missed calls, escalations; time per visit stage; the \
                      rota's fairness; each target passed or failed, checked against the hub's \
                      own report.\n\n\
                      By default the drill starts a hub of its own (the `hub` binary beside \
                      `radio`, or --hub-bin) on a temporary data folder and a free port, its \
                      clock sped up --speed times (default 600: a day in about a minute), so a \
                      drill never mixes into a real day. --listen ADDR --humans L1,RC leaves \
                      posts to people: their tablet links are printed, the drill waits for them \
                      and runs at real speed. --hub URL --data DIR runs against a hub already \
                      running (real time unless that hub was started with --clock-speed).\n\n\
                      --load N --rate R --duration D opens N tablets spread over the posts, \
                      drives the call mix at R calls a second, and prints throughput, latency \
                      percentiles (call → delivered, call → 收到), the hub's CPU and memory, and \
                      whether its /metrics agree with what the tablets received.\n\n\
                      Exit codes: 0 every target met; 1 could not run (a bad scenario names its \
                      line and field); 3 a target missed (or /metrics disagree under --load)."
    )]
    Drill(DrillArgs),
}

/// A reason to stop: said on stderr as `radio: <message>`, with a non-zero exit code.
#[derive(Debug, PartialEq, Eq)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Exit 1: refused, failed, or could not connect.
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// Runs `radio` with the process's arguments; what `main` returns.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let given = |m: &clap::ArgMatches| m.value_source("hub") == Some(ValueSource::CommandLine);
    cli.hub.hub_given = given(&matches) || matches.subcommand().is_some_and(|(_, sub)| given(sub));
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("radio: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Cmd::Parse { sentence } => parse::parse(&sentence),
        Cmd::Render { call } => parse::render(&call),
        Cmd::Say { sentence, wait_ack } => {
            let said = say::read(&sentence, wait_ack)?;
            let hub = Hub::from_args(&cli.hub)?;
            match said {
                Utterance::Call(call) => block_on(say::say(&hub, call, wait_ack)),
                Utterance::Answer { answer } => block_on(answer::answer_oldest(&hub, answer)),
            }
        }
        Cmd::Answer { call_id, word } => {
            let hub = Hub::from_args(&cli.hub)?;
            block_on(answer::answer(&hub, call_id, word))
        }
        Cmd::Listen { from, ack, walk_in } => {
            let hub = Hub::from_args(&cli.hub)?;
            let acks = ack.then(|| walk_in.unwrap_or_default());
            block_on(listen::listen(&hub, from, acks))
        }
        Cmd::Tap { tap } => {
            let hub = Hub::from_args(&cli.hub)?;
            block_on(tap::tap(&hub, &tap))
        }
        Cmd::State => {
            let hub = Hub::from_args(&cli.hub)?;
            block_on(state::state(&hub))
        }
        Cmd::Report { date } => {
            let hub = Hub::from_args(&cli.hub)?;
            block_on(report::report(&hub, date.as_deref()))
        }
        Cmd::Drill(args) => {
            let hub = cli.hub.hub_given.then(|| cli.hub.hub.trim().to_owned());
            drill::drill(args, hub, cli.hub.json)
        }
    }
}

/// A one-thread runtime: a terminal client has one connection and nothing to spread.
fn block_on<F: Future<Output = Result<(), Failure>>>(f: F) -> Result<(), Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start: {e}")))?
        .block_on(f)
}

/// `--wait-ack` seconds: positive and finite (fractions allowed, for drills and tests).
fn parse_secs(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds (0 < SECS ≤ 86400)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("radio").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn hub_options_go_before_or_after_the_subcommand() {
        for args in [
            &["--hub", "ws://h:1/ws", "--token", "t", "--json", "listen"][..],
            &["listen", "--hub", "ws://h:1/ws", "--token", "t", "--json"][..],
            &["--json", "listen", "--token", "t", "--hub", "ws://h:1/ws"][..],
        ] {
            let c = cli(args);
            assert_eq!(c.hub.hub, "ws://h:1/ws", "{args:?}");
            assert_eq!(c.hub.token.as_deref(), Some("t"));
            assert!(c.hub.json);
            assert!(matches!(
                c.command,
                Cmd::Listen {
                    from: None,
                    ack: false,
                    walk_in: None,
                }
            ));
        }
    }

    #[test]
    fn the_hub_defaults_to_the_local_one() {
        if std::env::var_os("RADIO_HUB").is_none() {
            assert_eq!(cli(&["listen"]).hub.hub, DEFAULT_HUB);
        }
        assert!(!cli(&["listen"]).hub.json);
    }

    #[test]
    fn say_takes_a_sentence_and_an_optional_wait() {
        let c = cli(&["say", "我是水吧，呼叫操作间", "--wait-ack", "2.5"]);
        match c.command {
            Cmd::Say { sentence, wait_ack } => {
                assert_eq!(sentence, "我是水吧，呼叫操作间");
                assert_eq!(wait_ack, Some(2.5));
            }
            other => panic!("{other:?}"),
        }
        let c = cli(&["say", "x"]);
        assert!(matches!(c.command, Cmd::Say { wait_ack: None, .. }));
        for bad in ["0", "-1", "nan", "soon", "inf"] {
            assert!(
                Cli::try_parse_from(["radio", "say", "x", "--wait-ack", bad]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn listen_takes_a_start_offset_and_ack() {
        let c = cli(&["listen", "--from", "120", "--ack"]);
        assert!(matches!(
            c.command,
            Cmd::Listen {
                from: Some(120),
                ack: true,
                walk_in: None,
            }
        ));
        assert!(Cli::try_parse_from(["radio", "listen", "--from", "-3"]).is_err());
        let c = cli(&["listen", "--ack", "--walk-in", "cannot"]);
        assert!(matches!(
            c.command,
            Cmd::Listen {
                ack: true,
                walk_in: Some(WalkIn::Cannot),
                ..
            }
        ));
        assert!(Cli::try_parse_from(["radio", "listen", "--walk-in", "can"]).is_err());
        assert!(Cli::try_parse_from(["radio", "listen", "--ack", "--walk-in", "maybe"]).is_err());
    }

    #[test]
    fn answer_takes_a_call_id_and_a_word() {
        match cli(&["answer", "12", "可以接待"]).command {
            Cmd::Answer { call_id, word } => {
                assert_eq!((call_id, word), (12, protocol::Answer::CanReceive))
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["radio", "answer", "12", "好的"]).is_err());
        assert!(Cli::try_parse_from(["radio", "answer", "x", "收到"]).is_err());
        assert!(Cli::try_parse_from(["radio", "answer", "12"]).is_err());
    }

    #[test]
    fn tap_state_and_report_parse() {
        match cli(&["tap", "greeted", "--visit", "12"]).command {
            Cmd::Tap { tap } => assert_eq!(tap, TapCmd::Greeted { visit: 12 }),
            other => panic!("{other:?}"),
        }
        // Hub options go after the tap's own options too.
        let c = cli(&["tap", "sign-in", "--duty", "visit", "--token", "t"]);
        assert_eq!(c.hub.token.as_deref(), Some("t"));
        assert!(matches!(
            c.command,
            Cmd::Tap {
                tap: TapCmd::SignIn {
                    duty: Some(DutyArg::Visit)
                }
            }
        ));
        assert!(matches!(cli(&["state"]).command, Cmd::State));
        assert!(matches!(
            cli(&["report"]).command,
            Cmd::Report { date: None }
        ));
        match cli(&["report", "--date", "2026-05-01"]).command {
            Cmd::Report { date } => assert_eq!(date.as_deref(), Some("2026-05-01")),
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["radio", "tap"]).is_err());
    }

    #[test]
    fn parse_and_render_keep_their_arguments() {
        assert!(matches!(cli(&["parse", "收到"]).command, Cmd::Parse { .. }));
        assert!(matches!(cli(&["render", "-"]).command, Cmd::Render { .. }));
    }
}
