//! `radio drill` as people type it, where no hub is needed: the shipped scenarios listed, the
//! same seed planning the same day, a bad scenario file refused naming its line and field, and
//! the hub options that go together. (Whole drills on a hub run in tests/tests/drill.rs.)

use std::process::{Command, Output};

const RADIO: &str = env!("CARGO_BIN_EXE_radio");

fn radio(args: &[&str]) -> Output {
    Command::new(RADIO)
        .args(args)
        .env_remove("RADIO_HUB")
        .env_remove("RADIO_TOKEN")
        .output()
        .expect("radio runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_shipped_scenarios_are_listed_one_line_each() {
    let out = radio(&["drill", "--list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let names: Vec<&str> = stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(names, ["weekday", "weekend", "event", "rain"], "{stdout}");
    assert!(
        stdout.lines().all(|l| l.len() > 20),
        "each says what day it is: {stdout}"
    );
}

#[test]
fn the_same_seed_plans_the_same_day() {
    let plan = |seed: &str| {
        let out = radio(&["drill", "weekday", "--plan", "--seed", seed]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let (a, b, c) = (plan("7"), plan("7"), plan("8"));
    assert_eq!(a, b, "same seed, same day");
    assert_ne!(a, c, "another seed, another day");
    let v: serde_json::Value = serde_json::from_str(&a).expect("the plan is JSON");
    assert_eq!(v["scenario"], "weekday");
    assert_eq!(v["seed"], 7);
    assert_eq!(v["groups"].as_array().map(Vec::len), Some(16));
    let first = &v["groups"][0];
    assert!(
        first["visitor"]
            .as_str()
            .is_some_and(|w| w.ends_with("先生") || w.ends_with("女士") || w.ends_with("小姐"))
    );
}

#[test]
fn a_bad_scenario_file_is_refused_naming_its_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let good = "name = \"bad\"\n\n[day]\nopens = \"09:00\"\ncloses = \"12:00\"\n\n[arrivals]\ngroups = 4\nreturning_share = 0.2\n\n[roster]\nvisit = [\"张伟\"]\n";
    std::fs::write(&path, good).unwrap();
    assert!(
        radio(&["drill", path.to_str().unwrap(), "--plan"])
            .status
            .success()
    );
    std::fs::write(
        &path,
        good.replace("returning_share = 0.2", "returning_share = 1.2"),
    )
    .unwrap();
    let out = radio(&["drill", path.to_str().unwrap(), "--plan"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.toml:9: arrivals.returning_share: "),
        "{stderr}"
    );
    assert!(stderr.contains("between 0 and 1"), "{stderr}");

    std::fs::write(
        &path,
        good.replace("returning_share = 0.2", "returnin_share = 0.2"),
    )
    .unwrap();
    let out = radio(&["drill", path.to_str().unwrap(), "--plan"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.toml:9: arrivals.returnin_share: unknown field"),
        "{stderr}"
    );

    std::fs::write(
        &path,
        good.replace("visit = [\"张伟\"]", "visit = [\"张伟\", \"张伟\"]"),
    )
    .unwrap();
    let out = radio(&["drill", path.to_str().unwrap(), "--plan"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.toml:12: roster.visit: 张伟 is on the roster twice"),
        "{stderr}"
    );
}

#[test]
fn a_scenario_is_a_shipped_name_or_a_file() {
    let out = radio(&["drill", "holiday"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("weekday, weekend, event, rain"), "{stderr}");
    let out = radio(&["drill", "nowhere/day.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot read"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_running_hub_needs_its_data_folder_and_people_need_a_listening_hub() {
    let out = radio(&["drill", "weekday", "--hub", "ws://127.0.0.1:9/ws"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--hub URL needs --data DIR"),
        "{}",
        text(&out.stderr)
    );
    let out = radio(&["drill", "weekday", "--data", "/nowhere"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("without --hub the drill runs its own"));
    let out = radio(&["drill", "weekday", "--humans", "RC"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap: --humans requires --listen"
    );
    let out = radio(&["drill", "weekday", "--silent", "S9", "--plan"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "--plan plans; --silent is for the run"
    );
    let out = radio(&[
        "drill",
        "weekday",
        "--silent",
        "S9",
        "--hub-bin",
        "/nowhere/hub",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("\"S9\" is not a post"),
        "{}",
        text(&out.stderr)
    );
}
