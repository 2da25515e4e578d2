//! The settings a gallery tunes, from the `[settings]` table of its site file: how long a call
//! waits for its answer, when the board raises its alarms, how many connections the hub takes,
//! how long the log keeps visitors' data. Every one is optional; [`Settings::DEFAULTS`] is the
//! one place their defaults are written, and `hub config check` prints what a file comes to.
//!
//! Durations are written as people write them — `"8s"`, `"5m"`, `"1h 30m"` — and each has a
//! range; a value outside it is refused naming the setting, never clamped or guessed.

use std::time::Duration;

use serde::Deserialize;

use crate::config::Config;

/// One setting's name, what it governs, its default and its allowed range, for the docs and
/// for `hub config check`.
pub struct Setting {
    pub name: &'static str,
    pub about: &'static str,
    pub default: &'static str,
}

/// The `[settings]` table as written: every field optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    ack_deadline: Option<String>,
    greet_within: Option<String>,
    clear_within: Option<String>,
    order_within: Option<String>,
    order_done_after_answer: Option<String>,
    taxi_within: Option<String>,
    walk_in_within: Option<String>,
    standing_by_within: Option<String>,
    duty_manager_within: Option<String>,
    gone_after_departure: Option<String>,
    max_tablets: Option<u64>,
    max_connections: Option<u64>,
    connect_within: Option<String>,
    request_head_within: Option<String>,
    ping_after: Option<String>,
    write_within: Option<String>,
    tablet_queue_frames: Option<u64>,
    resume_backlog: Option<u64>,
    snapshots_per_second: Option<u64>,
    sync_every: Option<String>,
    retention_days: Option<u64>,
}

/// A setting refused: which one, what was written, and what it may be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("site file's settings.{name} = {given}: {rule}")]
pub struct BadSetting {
    pub name: &'static str,
    pub given: String,
    pub rule: String,
}

/// The settings, read and checked: `None` is "the default".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub ack_deadline: Option<Duration>,
    pub greet_within: Option<Duration>,
    pub clear_within: Option<Duration>,
    pub order_within: Option<Duration>,
    pub order_done_after_answer: Option<Duration>,
    pub taxi_within: Option<Duration>,
    pub walk_in_within: Option<Duration>,
    pub standing_by_within: Option<Duration>,
    pub duty_manager_within: Option<Duration>,
    pub gone_after_departure: Option<Duration>,
    pub max_tablets: Option<usize>,
    pub max_connections: Option<usize>,
    pub connect_within: Option<Duration>,
    pub request_head_within: Option<Duration>,
    pub ping_after: Option<Duration>,
    pub write_within: Option<Duration>,
    pub tablet_queue_frames: Option<usize>,
    pub resume_backlog: Option<u64>,
    pub snapshots_per_second: Option<u32>,
    pub sync_every: Option<Duration>,
    pub retention_days: Option<u32>,
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl Settings {
    /// Every setting, with what it governs and its default: the one place they are written.
    pub const DEFAULTS: &'static [Setting] = &[
        Setting {
            name: "ack_deadline",
            about: "a call waits this long for 收到 before it is repeated; as long again, and it goes to the supervisor (1s–1h)",
            default: "8s",
        },
        Setting {
            name: "greet_within",
            about: "a group announced at the gate, not greeted at the door within this, raises an alarm (1m–2h)",
            default: "5m",
        },
        Setting {
            name: "clear_within",
            about: "a VIP room waiting to be cleared longer than this raises an alarm (1m–2h)",
            default: "10m",
        },
        Setting {
            name: "order_within",
            about: "an order (drinks, documents, restock…) nobody answered 收到 within this raises an alarm (1m–2h)",
            default: "10m",
        },
        Setting {
            name: "order_done_after_answer",
            about: "an order answered 收到 counts done this long after, unless marked done sooner (10s–2h)",
            default: "3m",
        },
        Setting {
            name: "taxi_within",
            about: "a taxi not arrived this long after its 收到 raises an alarm (1m–3h)",
            default: "20m",
        },
        Setting {
            name: "walk_in_within",
            about: "a walk-in the desk accepted, not sent in by the gate within this, raises an alarm (1m–2h)",
            default: "10m",
        },
        Setting {
            name: "standing_by_within",
            about: "fewer than two managers free at the door this long raises an alarm (1m–2h)",
            default: "5m",
        },
        Setting {
            name: "duty_manager_within",
            about: "the duty manager's tablet off the net this long raises an alarm (1m–4h)",
            default: "10m",
        },
        Setting {
            name: "gone_after_departure",
            about: "a group seen off with no taxi to wait for has left this long after (1m–4h)",
            default: "10m",
        },
        Setting {
            name: "max_tablets",
            about: "tablets connected at once; more are refused (close 4003) (1–1000000)",
            default: "16384",
        },
        Setting {
            name: "max_connections",
            about: "connections of any kind open at once (tablets, pages, scrapers); more get a short 503 (at least max_tablets)",
            default: "max_tablets + 256",
        },
        Setting {
            name: "connect_within",
            about: "a new tablet must sign in (connect) within this (1s–5m)",
            default: "10s",
        },
        Setting {
            name: "request_head_within",
            about: "a client must send its request within this, or it is cut off (1s–5m)",
            default: "10s",
        },
        Setting {
            name: "ping_after",
            about: "a tablet silent this long is pinged; silent twice as long, it is dropped (close 4004) (1s–10m)",
            default: "15s",
        },
        Setting {
            name: "write_within",
            about: "one write to a tablet may take this long before the tablet is dropped (1s–5m)",
            default: "10s",
        },
        Setting {
            name: "tablet_queue_frames",
            about: "frames queued for one tablet whose socket is full before it counts as too slow (close 4001) (16–1000000)",
            default: "512",
        },
        Setting {
            name: "resume_backlog",
            about: "the most events one resume replays; a tablet further behind gets a snapshot (100–10000000)",
            default: "20000",
        },
        Setting {
            name: "snapshots_per_second",
            about: "board snapshots made per second (burst twice that); more are told to retry (1–10000)",
            default: "20",
        },
        Setting {
            name: "sync_every",
            about: "how often the log is flushed to disk (fsync) (10ms–1m)",
            default: "1s",
        },
        Setting {
            name: "retention_days",
            about: "days of log kept; older days' visitor names and plates are removed, the board kept (1–3650; absent: kept for ever)",
            default: "for ever",
        },
    ];

    /// Reads and checks the `[settings]` table.
    pub fn from_file(f: &SettingsFile) -> Result<Settings, BadSetting> {
        Ok(Settings {
            ack_deadline: duration("ack_deadline", &f.ack_deadline, SECOND, HOUR)?,
            greet_within: duration("greet_within", &f.greet_within, MINUTE, 2 * HOUR)?,
            clear_within: duration("clear_within", &f.clear_within, MINUTE, 2 * HOUR)?,
            order_within: duration("order_within", &f.order_within, MINUTE, 2 * HOUR)?,
            order_done_after_answer: duration(
                "order_done_after_answer",
                &f.order_done_after_answer,
                10 * SECOND,
                2 * HOUR,
            )?,
            taxi_within: duration("taxi_within", &f.taxi_within, MINUTE, 3 * HOUR)?,
            walk_in_within: duration("walk_in_within", &f.walk_in_within, MINUTE, 2 * HOUR)?,
            standing_by_within: duration(
                "standing_by_within",
                &f.standing_by_within,
                MINUTE,
                2 * HOUR,
            )?,
            duty_manager_within: duration(
                "duty_manager_within",
                &f.duty_manager_within,
                MINUTE,
                4 * HOUR,
            )?,
            gone_after_departure: duration(
                "gone_after_departure",
                &f.gone_after_departure,
                MINUTE,
                4 * HOUR,
            )?,
            max_tablets: count("max_tablets", f.max_tablets, 1, 1_000_000)?,
            max_connections: match (f.max_connections, f.max_tablets) {
                (Some(open), tablets) if open < tablets.unwrap_or(1) => {
                    return Err(BadSetting {
                        name: "max_connections",
                        given: open.to_string(),
                        rule: format!(
                            "must be at least max_tablets ({}), since every tablet is a connection",
                            tablets.unwrap_or(1)
                        ),
                    });
                }
                (open, _) => count("max_connections", open, 1, 2_000_000)?,
            },
            connect_within: duration("connect_within", &f.connect_within, SECOND, 5 * MINUTE)?,
            request_head_within: duration(
                "request_head_within",
                &f.request_head_within,
                SECOND,
                5 * MINUTE,
            )?,
            ping_after: duration("ping_after", &f.ping_after, SECOND, 10 * MINUTE)?,
            write_within: duration("write_within", &f.write_within, SECOND, 5 * MINUTE)?,
            tablet_queue_frames: count(
                "tablet_queue_frames",
                f.tablet_queue_frames,
                16,
                1_000_000,
            )?,
            resume_backlog: count("resume_backlog", f.resume_backlog, 100, 10_000_000)?
                .map(|n| n as u64),
            snapshots_per_second: count("snapshots_per_second", f.snapshots_per_second, 1, 10_000)?
                .map(|n| n as u32),
            sync_every: duration(
                "sync_every",
                &f.sync_every,
                Duration::from_millis(10),
                MINUTE,
            )?,
            retention_days: count("retention_days", f.retention_days, 1, 3650)?.map(|n| n as u32),
        })
    }

    /// Puts the settings given into `config`, leaving the rest as they were.
    pub fn apply(&self, config: &mut Config) {
        let ms = |d: Duration| d.as_millis() as u64;
        let rules = &mut config.rules;
        set(&mut config.ack_deadline, self.ack_deadline);
        set_ms(&mut rules.greet_within_ms, self.greet_within, ms);
        set_ms(&mut rules.clear_within_ms, self.clear_within, ms);
        set_ms(&mut rules.order_within_ms, self.order_within, ms);
        set_ms(
            &mut rules.done_after_ack_ms,
            self.order_done_after_answer,
            ms,
        );
        set_ms(&mut rules.taxi_within_ms, self.taxi_within, ms);
        set_ms(&mut rules.walk_in_within_ms, self.walk_in_within, ms);
        set_ms(
            &mut rules.standing_by_within_ms,
            self.standing_by_within,
            ms,
        );
        set_ms(
            &mut rules.duty_manager_within_ms,
            self.duty_manager_within,
            ms,
        );
        set_ms(
            &mut rules.gone_after_departure_ms,
            self.gone_after_departure,
            ms,
        );
        if let Some(n) = self.max_tablets {
            config.max_connections = n;
            config.max_open = self.max_connections.unwrap_or(n + 256);
        } else {
            set(&mut config.max_open, self.max_connections);
        }
        set(&mut config.connect_timeout, self.connect_within);
        set(&mut config.head_within, self.request_head_within);
        set(&mut config.ping_after, self.ping_after);
        set(&mut config.write_timeout, self.write_within);
        set(&mut config.queue_frames, self.tablet_queue_frames);
        set(&mut config.max_backlog, self.resume_backlog);
        set(&mut config.snapshots_per_second, self.snapshots_per_second);
        set(&mut config.sync_every, self.sync_every);
        if self.retention_days.is_some() {
            config.retention_days = self.retention_days;
        }
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

fn set_ms(field: &mut u64, value: Option<Duration>, ms: impl Fn(Duration) -> u64) {
    if let Some(v) = value {
        *field = ms(v);
    }
}

/// A duration setting, in `min..=max`.
fn duration(
    name: &'static str,
    given: &Option<String>,
    min: Duration,
    max: Duration,
) -> Result<Option<Duration>, BadSetting> {
    let Some(text) = given else { return Ok(None) };
    let bad = |rule: String| BadSetting {
        name,
        given: format!("{text:?}"),
        rule,
    };
    let d: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| bad("not a duration: write it as \"8s\", \"5m\" or \"1h 30m\"".to_owned()))?;
    let d = Duration::try_from(d).map_err(|_| bad("must not be negative".to_owned()))?;
    if d < min || d > max {
        return Err(bad(format!(
            "must be between {} and {}",
            human(min),
            human(max)
        )));
    }
    Ok(Some(d))
}

/// A count setting, in `min..=max`.
fn count(
    name: &'static str,
    given: Option<u64>,
    min: u64,
    max: u64,
) -> Result<Option<usize>, BadSetting> {
    match given {
        None => Ok(None),
        Some(n) if (min..=max).contains(&n) => Ok(Some(n as usize)),
        Some(n) => Err(BadSetting {
            name,
            given: n.to_string(),
            rule: format!("must be between {min} and {max}"),
        }),
    }
}

/// A duration as a setting is written: `90s`, `5m`, `1h 30m`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 != 0 {
        return format!("{ms}ms");
    }
    let s = d.as_secs();
    let (days, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let mut parts = Vec::new();
    for (n, unit) in [(days, "d"), (h, "h"), (m, "m"), (sec, "s")] {
        if n > 0 {
            parts.push(format!("{n}{unit}"));
        }
    }
    if parts.is_empty() {
        "0s".to_owned()
    } else {
        parts.join(" ")
    }
}

/// The settings in force in `config`, as `name = value` lines (for `hub config check` and the
/// startup log).
pub fn effective(config: &Config) -> Vec<(&'static str, String)> {
    let r = &config.rules;
    let ms = |v: u64| human(Duration::from_millis(v));
    vec![
        ("ack_deadline", human(config.ack_deadline)),
        ("greet_within", ms(r.greet_within_ms)),
        ("clear_within", ms(r.clear_within_ms)),
        ("order_within", ms(r.order_within_ms)),
        ("order_done_after_answer", ms(r.done_after_ack_ms)),
        ("taxi_within", ms(r.taxi_within_ms)),
        ("walk_in_within", ms(r.walk_in_within_ms)),
        ("standing_by_within", ms(r.standing_by_within_ms)),
        ("duty_manager_within", ms(r.duty_manager_within_ms)),
        ("gone_after_departure", ms(r.gone_after_departure_ms)),
        ("max_tablets", config.max_connections.to_string()),
        ("max_connections", config.max_open.to_string()),
        ("connect_within", human(config.connect_timeout)),
        ("request_head_within", human(config.head_within)),
        ("ping_after", human(config.ping_after)),
        ("write_within", human(config.write_timeout)),
        ("tablet_queue_frames", config.queue_frames.to_string()),
        ("resume_backlog", config.max_backlog.to_string()),
        (
            "snapshots_per_second",
            config.snapshots_per_second.to_string(),
        ),
        ("sync_every", human(config.sync_every)),
        (
            "retention_days",
            config
                .retention_days
                .map_or_else(|| "for ever".to_owned(), |d| d.to_string()),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(toml_text: &str) -> Result<Settings, BadSetting> {
        Settings::from_file(&toml::from_str::<SettingsFile>(toml_text).unwrap())
    }

    #[test]
    fn settings_given_replace_the_defaults_and_the_rest_stay() {
        let s = read("ack_deadline = \"12s\"\ngreet_within = \"1h 30m\"\nmax_tablets = 200\nretention_days = 90").unwrap();
        let mut c = Config::new("/tmp/x");
        s.apply(&mut c);
        assert_eq!(c.ack_deadline, Duration::from_secs(12));
        assert_eq!(c.rules.greet_within_ms, 90 * 60_000);
        assert_eq!(c.max_connections, 200);
        assert_eq!(c.max_open, 456);
        assert_eq!(c.retention_days, Some(90));
        assert_eq!(c.rules.taxi_within_ms, 20 * 60_000, "untouched");
        assert_eq!(c.ping_after, Duration::from_secs(15), "untouched");
    }

    #[test]
    fn every_default_documented_is_the_default_in_force() {
        let c = Config::new("/tmp/x");
        let shown = effective(&c);
        for s in Settings::DEFAULTS {
            let (_, value) = shown
                .iter()
                .find(|(n, _)| *n == s.name)
                .unwrap_or_else(|| panic!("{} is not shown", s.name));
            if s.name != "max_connections" {
                assert_eq!(value, s.default, "{}", s.name);
            }
        }
        assert_eq!(shown.len(), Settings::DEFAULTS.len());
    }

    #[test]
    fn a_bad_value_is_refused_naming_the_setting_and_the_rule() {
        let e = read("ack_deadline = \"0s\"").unwrap_err();
        assert_eq!(e.name, "ack_deadline");
        assert!(e.to_string().contains("between 1s and 1h"), "{e}");
        let e = read("taxi_within = \"soon\"").unwrap_err();
        assert!(e.to_string().contains("\"5m\""), "{e}");
        let e = read("retention_days = 0").unwrap_err();
        assert!(e.to_string().contains("settings.retention_days = 0"), "{e}");
        let e = read("max_tablets = 100\nmax_connections = 50").unwrap_err();
        assert!(e.to_string().contains("at least max_tablets"), "{e}");
        assert!(toml::from_str::<SettingsFile>("ack_deadlin = \"8s\"").is_err());
    }

    #[test]
    fn durations_read_back_as_written() {
        assert_eq!(human(Duration::from_secs(5400)), "1h 30m");
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_secs(8)), "8s");
        assert_eq!(human(Duration::from_secs(86_400 * 2)), "2d");
    }
}
