//! `radio drill`: rehearse a gallery day, score every post, or load the hub — a thin layer over
//! the `drill` crate. The scenario is a shipped name (`radio drill --list`) or a TOML file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use drill::{DrillOptions, HubChoice, Progress, Scenario};
use protocol::Station;

use super::Failure;
use super::output::print_line;

/// The exit code of a drill that ran but missed a target.
pub const TARGET_MISSED: u8 = 3;

#[derive(Clone, Debug, Args)]
pub struct DrillArgs {
    /// A shipped scenario (weekday, weekend, event, rain) or a scenario file (TOML).
    #[arg(value_name = "SCENARIO", required_unless_present_any = ["list", "load"])]
    pub scenario: Option<String>,
    /// List the shipped scenarios, one line each.
    #[arg(long, conflicts_with_all = ["scenario", "load"])]
    pub list: bool,
    /// Print the planned day (groups, their way, faults) as JSON and stop: the same seed always
    /// plans the same day.
    #[arg(long)]
    pub plan: bool,
    /// How many times faster than real time the day runs (default 600: a day in a minute; 1 with
    /// --humans or against a running hub).
    #[arg(long, value_name = "N", value_parser = parse_speed)]
    pub speed: Option<f64>,
    /// The seed of the day's plan.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// A post that answers nothing all day (repeatable, or comma-separated): check the re-call
    /// and escalation path.
    #[arg(long, value_name = "POST", value_delimiter = ',')]
    pub silent: Vec<String>,
    /// The `hub` binary for the drill's own hub (default: beside `radio`, or on the PATH).
    #[arg(long, value_name = "PATH", env = "RADIO_HUB_BIN")]
    pub hub_bin: Option<PathBuf>,
    /// Where the drill's own hub listens, so real tablets can reach it (default: a free port of
    /// 127.0.0.1).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Posts left to people (comma-separated, e.g. L1,RC): the drill prints their tablet links,
    /// waits for them to sign in, and runs at real speed.
    #[arg(long, value_name = "POSTS", value_delimiter = ',', requires = "listen")]
    pub humans: Vec<String>,
    /// With --hub URL: the running hub's data folder, whose secret signs the virtual posts'
    /// tokens (as `hub token` does).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Also write the report as a self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Load mode: open N tablets spread over the posts…
    #[arg(long, value_name = "N", conflicts_with_all = ["scenario", "plan", "humans", "silent", "html"])]
    pub load: Option<usize>,
    /// …and drive the call mix at R calls a second…
    #[arg(long, value_name = "R", requires = "load", default_value_t = 50.0)]
    pub rate: f64,
    /// …for D seconds.
    #[arg(long, value_name = "D", requires = "load", default_value_t = 20.0)]
    pub duration: f64,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (1.0..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a speed (1 = real time … 3600)")),
    }
}

/// Runs `radio drill`: `hub` is the global `--hub` when given on the command line, `json` the
/// global `--json` (the report as one JSON object).
pub fn drill(a: DrillArgs, hub: Option<String>, json: bool) -> Result<(), Failure> {
    if a.list {
        for (name, text) in drill::scenario::SHIPPED {
            let about = Scenario::parse(text, name)
                .map(|s| s.about)
                .unwrap_or_default();
            print_line(&format!("{name:<8} {about}"))?;
        }
        return Ok(());
    }
    let choice = match (hub, &a.data) {
        (Some(url), Some(data)) => HubChoice::Running {
            url,
            data: data.clone(),
        },
        (Some(_), None) => {
            return Err(Failure::new(
                "--hub URL needs --data DIR: the running hub's data folder signs the virtual posts' tokens",
            ));
        }
        (None, Some(_)) => {
            return Err(Failure::new(
                "--data DIR is for a running hub (--hub URL); without --hub the drill runs its own",
            ));
        }
        (None, None) => HubChoice::Own {
            bin: a.hub_bin.clone(),
            listen: a.listen,
        },
    };
    if let Some(n) = a.load {
        return load(n, &a, choice, json);
    }
    let scenario = read_scenario(a.scenario.as_deref().unwrap_or_default())?;
    if a.plan {
        let plan = drill::Plan::new(&scenario, a.seed);
        let text = serde_json::to_string_pretty(&plan)
            .map_err(|e| Failure::new(format!("cannot print the plan: {e}")))?;
        return print_line(&text);
    }
    let station =
        |s: &String| drill::scenario::fault_station(s.trim(), &scenario).map_err(Failure::new);
    let humans = a
        .humans
        .iter()
        .map(station)
        .collect::<Result<Vec<Station>, _>>()?;
    let silent = a
        .silent
        .iter()
        .map(station)
        .collect::<Result<Vec<Station>, _>>()?;
    let speed = match (a.speed, &choice) {
        (Some(s), _) => s,
        (None, HubChoice::Running { .. }) => 1.0,
        (None, HubChoice::Own { .. }) if !humans.is_empty() => 1.0,
        (None, HubChoice::Own { .. }) => 600.0,
    };
    if !humans.is_empty() && a.speed.is_some_and(|s| s != 1.0) {
        return Err(Failure::new(
            "--humans runs at real speed: people answer in real seconds (leave out --speed)",
        ));
    }
    let opts = DrillOptions {
        scenario,
        seed: a.seed,
        speed,
        hub: choice,
        humans,
        silent,
        progress: Progress::for_stderr(),
    };
    let report = runtime()?
        .block_on(until_stopped(drill::run(opts)))
        .map_err(Failure::new)?;
    if let Some(path) = &a.html {
        let page = drill::html::page(&report, opts_target(&report));
        std::fs::write(path, page)
            .map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display())))?;
    }
    print_report(&report, json, report.text())?;
    if report.passed {
        Ok(())
    } else {
        let missed = report.targets.iter().filter(|t| !t.passed).count();
        Err(Failure {
            code: TARGET_MISSED,
            message: format!("the drill missed {missed} target(s)"),
        })
    }
}

/// Prints a drill's report: as one line of JSON, or as the text for people.
fn print_report(report: &impl serde::Serialize, json: bool, text: String) -> Result<(), Failure> {
    if json {
        let line = serde_json::to_string(report)
            .map_err(|e| Failure::new(format!("cannot print the report: {e}")))?;
        print_line(&line)
    } else {
        print_line(text.trim_end())
    }
}

/// The answer-time target, for the page's chart.
fn opts_target(r: &drill::Report) -> Option<f64> {
    r.targets.iter().find_map(|t| {
        t.target
            .strip_prefix("every post's p95 time to 收到 ≤ ")
            .and_then(|rest| rest.trim_end_matches(" s").parse().ok())
    })
}

fn load(n: usize, a: &DrillArgs, hub: HubChoice, json: bool) -> Result<(), Failure> {
    if n == 0 || n > 20_000 {
        return Err(Failure::new("--load N: between 1 and 20000 tablets"));
    }
    let rate_ok = a.rate > 0.0 && a.rate <= 100_000.0;
    let duration_ok = a.duration > 0.0 && a.duration <= 3600.0;
    if !(rate_ok && duration_ok) {
        return Err(Failure::new(
            "--rate is calls a second (0 < R ≤ 100000), --duration seconds (0 < D ≤ 3600)",
        ));
    }
    let opts = drill::load::LoadOptions {
        tablets: n,
        rate: a.rate,
        duration: std::time::Duration::from_secs_f64(a.duration),
        hub,
        seed: a.seed,
        progress: Progress::for_stderr(),
    };
    let report = runtime()?
        .block_on(until_stopped(drill::load::run(opts)))
        .map_err(Failure::new)?;
    print_report(&report, json, report.text())?;
    if report.metrics_agree {
        Ok(())
    } else {
        Err(Failure {
            code: TARGET_MISSED,
            message: "the hub's /metrics do not agree with what the tablets received".into(),
        })
    }
}

/// A shipped scenario by name, or a file.
fn read_scenario(said: &str) -> Result<Scenario, Failure> {
    let is_file = said.ends_with(".toml") || said.contains(std::path::MAIN_SEPARATOR);
    if !is_file {
        if let Some(s) = Scenario::shipped(said) {
            return Ok(s);
        }
        let names: Vec<&str> = drill::scenario::SHIPPED.iter().map(|(n, _)| *n).collect();
        return Err(Failure::new(format!(
            "no shipped scenario {said:?}: the shipped ones are {} (`radio drill --list`), or give a TOML file",
            names.join(", ")
        )));
    }
    let text = std::fs::read_to_string(said)
        .map_err(|e| Failure::new(format!("cannot read {said}: {e}")))?;
    Scenario::parse(&text, said).map_err(|e| Failure::new(format!("bad scenario: {e}")))
}

/// Runs `work` until it ends or the drill is stopped (Ctrl-C, SIGTERM): then the drill's own
/// hub is stopped with it (dropped with the work) and nothing is left running.
async fn until_stopped<T>(work: impl Future<Output = Result<T, String>>) -> Result<T, String> {
    let stop = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = ctrl_c => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    };
    tokio::select! {
        r = work => r,
        () = stop => {
            eprintln!();
            Err("stopped before the end of the day; the drill's own hub is stopped too".into())
        }
    }
}

/// Two worker threads: the posts' tablets and the script share them; blocking work (restarting
/// the hub) runs in place.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start: {e}")))
}
