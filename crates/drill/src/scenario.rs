//! A drill scenario: a TOML file describing a gallery day — opening hours, the groups arriving
//! (rate curve, appointments, party sizes, returning clients, named managers), how long visits
//! last and what they ask for, the roster on duty, how each virtual post behaves, the modes and
//! faults of the day, and the targets the day is scored against.
//!
//! Four scenarios ship with the drill (`weekday`, `weekend`, `event`, `rain`, in
//! `crates/drill/scenarios/`); any other is read from a file. A bad file is refused with the
//! line and the field at fault: `weekday.toml:14: arrivals.appointment_share: …`.

use std::collections::BTreeMap;
use std::fmt;

use protocol::{Post, Station};
use serde::{Deserialize, Deserializer};

/// The scenarios shipped with the drill: name, file text.
pub const SHIPPED: [(&str, &str); 4] = [
    ("weekday", include_str!("../scenarios/weekday.toml")),
    ("weekend", include_str!("../scenarios/weekend.toml")),
    ("event", include_str!("../scenarios/event.toml")),
    ("rain", include_str!("../scenarios/rain.toml")),
];

/// Minutes since midnight, written "HH:MM" in a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct TimeOfDay(pub u32);

impl TimeOfDay {
    pub fn minutes(self) -> u32 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_time(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{s:?} is not a time of day; write it as \"HH:MM\", e.g. \"09:30\""
            ))
        })
    }
}

fn parse_time(s: &str) -> Option<TimeOfDay> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.trim().len() == 5).then_some(TimeOfDay(h * 60 + m))
}

/// A share between 0 and 1 (0.25 = a quarter of the groups).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Share(pub f64);

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&v) {
            Ok(Share(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "a share is between 0 and 1 (0.25 = a quarter), not {v}"
            )))
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The scenario's name, e.g. `weekday`.
    pub name: String,
    /// One line saying what day this is.
    #[serde(default)]
    pub about: String,
    pub day: Day,
    pub arrivals: Arrivals,
    #[serde(default)]
    pub visits: Visits,
    pub roster: Roster,
    /// How the posts behave: `default`, a post code (`RC`), `X` (every client manager) or one
    /// manager (`"X:张伟"`); later keys refine earlier ones in that order.
    #[serde(default)]
    pub posts: BTreeMap<String, Behaviour>,
    #[serde(default)]
    pub modes: Modes,
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    #[serde(default)]
    pub targets: Targets,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Day {
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
    /// The last group arrives by then (default: 45 minutes before closing).
    #[serde(default)]
    pub last_arrival: Option<TimeOfDay>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrivals {
    /// Groups arriving over the day.
    pub groups: u32,
    /// Relative arrival rate per hour from opening; the last value holds until the last arrival.
    #[serde(default = "one")]
    pub rate: Vec<f64>,
    /// Groups that come by appointment, for a named manager.
    #[serde(default)]
    pub appointment_share: Share,
    /// Of the walk-ins: registered clients coming back to their manager (老客户).
    #[serde(default)]
    pub returning_share: Share,
    /// Of the walk-ins: clients who ask for a manager by name.
    #[serde(default)]
    pub requested_share: Share,
    /// Of the walk-ins: not a sales visit (asking the way, company staff).
    #[serde(default)]
    pub non_sales_share: Share,
    /// Of the walk-ins: the desk cannot take them now (无法接待).
    #[serde(default)]
    pub declined_share: Share,
    /// Groups that come by car (the car park's tap); the others walk in.
    #[serde(default = "most")]
    pub by_car_share: Share,
    /// Groups the gate describes (体貌特征) in its broadcast.
    #[serde(default)]
    pub described_share: Share,
    /// Weights of a party of 1, 2, 3, … people.
    #[serde(default = "parties")]
    pub party: Vec<f64>,
    /// Guests of honour among the appointments (the send-off line-up, an important event).
    #[serde(default)]
    pub guests_of_honour: u32,
}

fn one() -> Vec<f64> {
    vec![1.0]
}

fn most() -> Share {
    Share(0.8)
}

fn parties() -> Vec<f64> {
    vec![0.2, 0.4, 0.25, 0.1, 0.05]
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Visits {
    /// Median minutes from the manager taking over to the departure call.
    pub minutes: f64,
    /// Spread of that (σ of its logarithm).
    pub spread: f64,
    pub vip_share: Share,
    pub model_house_share: Share,
    /// Lemon water in the reception area on arrival (接待区).
    pub reception_drinks_share: Share,
    pub id_copy_share: Share,
    pub documents_share: Share,
    /// The butler sends a second round of drinks to the room.
    pub refill_share: Share,
    pub taxi_share: Share,
    /// Calls said in one of the ways people really say them rather than the standard words.
    pub variant_share: Share,
    /// Longest the desk holds a walk-in at the door for a free manager before assigning anyway.
    pub desk_wait_minutes: f64,
}

impl Default for Visits {
    fn default() -> Visits {
        Visits {
            minutes: 45.0,
            spread: 0.35,
            vip_share: Share(0.5),
            model_house_share: Share(0.3),
            reception_drinks_share: Share(0.6),
            id_copy_share: Share(0.3),
            documents_share: Share(0.4),
            refill_share: Share(0.3),
            taxi_share: Share(0.15),
            variant_share: Share(0.3),
            desk_wait_minutes: 15.0,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// Client managers on visit duty (接访), in sign-in order.
    pub visit: Vec<String>,
    /// Client managers on phone duty (接电), who support the door when nobody is free.
    #[serde(default)]
    pub phone: Vec<String>,
    /// How often the water bar asks the kitchen to restock (0: never).
    #[serde(default = "restock")]
    pub restock_every_minutes: f64,
}

fn restock() -> f64 {
    150.0
}

/// How a post answers: the median and spread of its time to 收到, and its chance of missing a
/// call (answering only after the hub repeats it).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    pub answer_seconds: Option<f64>,
    pub spread: Option<f64>,
    pub miss_share: Option<Share>,
}

/// A post's behaviour with every default filled in.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Manner {
    pub answer_seconds: f64,
    pub spread: f64,
    pub miss_share: f64,
}

impl Manner {
    const BASE: Manner = Manner {
        answer_seconds: 3.0,
        spread: 0.5,
        miss_share: 0.02,
    };

    fn refine(mut self, b: Option<&Behaviour>) -> Manner {
        if let Some(b) = b {
            self.answer_seconds = b.answer_seconds.unwrap_or(self.answer_seconds);
            self.spread = b.spread.unwrap_or(self.spread);
            self.miss_share = b.miss_share.map(|s| s.0).unwrap_or(self.miss_share);
        }
        self
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modes {
    /// Rain from … until … (the supervisor switches rain mode on and off).
    #[serde(default)]
    pub rain: Vec<Window>,
    /// An important event: walk-ins are turned away from an hour before it.
    #[serde(default)]
    pub important_event: Option<ImportantEvent>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub from: TimeOfDay,
    pub until: TimeOfDay,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportantEvent {
    pub at: TimeOfDay,
    /// When the supervisor clears it (walk-ins are received again); default: two hours after.
    #[serde(default)]
    pub cleared: Option<TimeOfDay>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The post's tablet is off the net for `minutes`.
    Offline,
    /// The post's connection drops and resumes at once (`post = "ALL"`: every tablet).
    Drop,
    /// The post misses a `share` of its calls for `minutes` (answers after the repeat).
    Miss,
    /// The post answers nothing for `minutes` (the rest of the day if not given).
    Silent,
    /// The drill's own hub is stopped and started again (`hard = true`: killed with SIGKILL).
    HubRestart,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub kind: FaultKind,
    #[serde(default)]
    pub post: Option<String>,
    pub at: TimeOfDay,
    #[serde(default)]
    pub minutes: Option<f64>,
    #[serde(default)]
    pub share: Option<Share>,
    #[serde(default)]
    pub hard: bool,
}

/// What the day is scored against; a target not given is not checked.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Every post's 95th percentile time to 收到, in seconds.
    pub answer_p95_seconds: Option<f64>,
    /// No group waits at the door (greeted → a manager takes over) longer than this.
    pub door_wait_max_minutes: Option<f64>,
    /// Calls escalated to the supervisor.
    pub escalations_max: Option<u32>,
    /// Calls never answered by the end of the day.
    pub unanswered_max: Option<u32>,
    /// The spread of regular walk-in turns among the managers on visit duty.
    pub rota_spread_max: Option<u32>,
    /// The hub's alarms of the day (alerts raised).
    pub alarms_max: Option<u32>,
}

/// A scenario refused: where, which field, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {field}: {message}", file, line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ScenarioError {
    pub file: String,
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

impl Scenario {
    /// A shipped scenario by name.
    pub fn shipped(name: &str) -> Option<Scenario> {
        SHIPPED.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            Scenario::parse(text, &format!("{n}.toml"))
                .unwrap_or_else(|e| panic!("the shipped scenario is broken: {e}"))
        })
    }

    /// Reads a scenario from its TOML text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        let at = Locator::new(text);
        let scenario: Scenario = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_owned();
            let (line, mut field) = match e.span() {
                Some(span) => at.at(span.start),
                None => (None, String::new()),
            };
            if let Some(missing) = backticked(&message, "missing field") {
                field = join(&field, &missing);
            }
            if field.is_empty() {
                field = "(file)".into();
            }
            ScenarioError {
                file: file.to_owned(),
                line,
                field,
                message,
            }
        })?;
        scenario.check(&at, file)?;
        Ok(scenario)
    }

    /// How `station` behaves: the defaults refined by `default`, its post (or `X` for any
    /// manager), then the manager's own entry.
    pub fn manner(&self, station: &Station) -> Manner {
        let mut m = Manner::BASE.refine(self.posts.get("default"));
        match station {
            Station::Manager(_) => {
                m = m.refine(self.posts.get("X"));
                m = m.refine(self.posts.get(&station.to_string()));
            }
            Station::Post(p) => m = m.refine(self.posts.get(p.code())),
        }
        m
    }

    /// The last arrival, in minutes since midnight.
    pub fn last_arrival(&self) -> u32 {
        self.day
            .last_arrival
            .map(TimeOfDay::minutes)
            .unwrap_or(self.day.closes.0.saturating_sub(45))
    }

    /// Every manager on duty: visit duty, then phone duty.
    pub fn managers(&self) -> impl Iterator<Item = &String> {
        self.roster.visit.iter().chain(self.roster.phone.iter())
    }

    fn check(&self, at: &Locator, file: &str) -> Result<(), ScenarioError> {
        let bad = |path: &str, message: String| ScenarioError {
            file: file.to_owned(),
            line: at.line_of(path),
            field: path.to_owned(),
            message,
        };
        if self.name.trim().is_empty() {
            return Err(bad("name", "give the scenario a name".into()));
        }
        let (opens, closes) = (self.day.opens.0, self.day.closes.0);
        if closes <= opens {
            return Err(bad(
                "day.closes",
                format!(
                    "closes at {} before opening at {}",
                    self.day.closes, self.day.opens
                ),
            ));
        }
        if let Some(last) = self.day.last_arrival {
            if last.0 <= opens || last.0 > closes {
                return Err(bad(
                    "day.last_arrival",
                    format!("{last} is not between opening and closing"),
                ));
            }
        }
        let a = &self.arrivals;
        if a.groups == 0 || a.groups > 500 {
            return Err(bad(
                "arrivals.groups",
                format!("between 1 and 500 groups a day, not {}", a.groups),
            ));
        }
        weights(&a.rate, 24).map_err(|m| bad("arrivals.rate", m))?;
        weights(&a.party, 30).map_err(|m| bad("arrivals.party", m))?;
        let walk_in_shares =
            a.returning_share.0 + a.requested_share.0 + a.non_sales_share.0 + a.declined_share.0;
        if walk_in_shares > 1.0 + 1e-9 {
            return Err(bad(
                "arrivals.declined_share",
                format!(
                    "the walk-ins' shares (returning, requested, non-sales, declined) add up to {walk_in_shares:.2}, over 1"
                ),
            ));
        }
        let appointments = (f64::from(a.groups) * a.appointment_share.0).round() as u32;
        if a.guests_of_honour > appointments.max(1) {
            return Err(bad(
                "arrivals.guests_of_honour",
                format!(
                    "{} guests of honour but about {appointments} appointments",
                    a.guests_of_honour
                ),
            ));
        }
        let v = &self.visits;
        if !(v.minutes > 0.0 && v.minutes <= 600.0) {
            return Err(bad(
                "visits.minutes",
                format!("between 0 and 600 minutes, not {}", v.minutes),
            ));
        }
        if !(0.0..=3.0).contains(&v.spread) {
            return Err(bad(
                "visits.spread",
                format!("between 0 and 3, not {}", v.spread),
            ));
        }
        if !(0.0..=240.0).contains(&v.desk_wait_minutes) {
            return Err(bad(
                "visits.desk_wait_minutes",
                format!("between 0 and 240 minutes, not {}", v.desk_wait_minutes),
            ));
        }
        if self.roster.visit.is_empty() {
            return Err(bad(
                "roster.visit",
                "at least one manager on visit duty".into(),
            ));
        }
        let mut seen = Vec::new();
        for (list, names) in [
            ("roster.visit", &self.roster.visit),
            ("roster.phone", &self.roster.phone),
        ] {
            for name in names {
                Station::manager(name).map_err(|e| bad(list, format!("{name:?}: {e}")))?;
                if seen.contains(&name) {
                    return Err(bad(list, format!("{name} is on the roster twice")));
                }
                seen.push(name);
            }
        }
        if self.roster.restock_every_minutes < 0.0 {
            return Err(bad("roster.restock_every_minutes", "not negative".into()));
        }
        for (key, b) in &self.posts {
            let path = format!("posts.{key}");
            match key.as_str() {
                "default" | "X" => {}
                k if k.starts_with("X:") => {
                    if !self.managers().any(|m| format!("X:{m}") == k) {
                        return Err(bad(&path, format!("{} is not on the roster", &k[2..])));
                    }
                }
                k => {
                    post_on_site(k).map_err(|m| bad(&path, m))?;
                }
            }
            if let Some(s) = b.answer_seconds {
                if !(s > 0.0 && s <= 600.0) {
                    return Err(bad(
                        &format!("{path}.answer_seconds"),
                        format!("between 0 and 600 seconds, not {s}"),
                    ));
                }
            }
            if let Some(s) = b.spread {
                if !(0.0..=3.0).contains(&s) {
                    return Err(bad(
                        &format!("{path}.spread"),
                        format!("between 0 and 3, not {s}"),
                    ));
                }
            }
        }
        let in_day = |t: TimeOfDay| t.0 >= opens && t.0 < closes;
        for (i, w) in self.modes.rain.iter().enumerate() {
            if !in_day(w.from) || w.until <= w.from {
                return Err(bad(
                    &format!("modes.rain[{i}]"),
                    format!(
                        "rain from {} until {} is not a stretch of the day",
                        w.from, w.until
                    ),
                ));
            }
        }
        if let Some(e) = &self.modes.important_event {
            if !in_day(e.at) {
                return Err(bad(
                    "modes.important_event",
                    format!("the event at {} is outside opening hours", e.at),
                ));
            }
            if e.cleared.is_some_and(|c| c <= e.at) {
                return Err(bad(
                    "modes.important_event",
                    "cleared before the event starts".into(),
                ));
            }
        }
        for (i, f) in self.faults.iter().enumerate() {
            let path = format!("faults[{i}]");
            if !in_day(f.at) {
                return Err(bad(
                    &format!("{path}.at"),
                    format!("{} is outside opening hours", f.at),
                ));
            }
            match (f.kind, f.post.as_deref()) {
                (FaultKind::HubRestart, Some(_)) => {
                    return Err(bad(
                        &format!("{path}.post"),
                        "a hub restart names no post".into(),
                    ));
                }
                (FaultKind::HubRestart, None) => {}
                (_, None) => {
                    return Err(bad(
                        &format!("{path}.post"),
                        "name the post at fault".into(),
                    ));
                }
                (FaultKind::Drop, Some("ALL")) => {}
                (_, Some(p)) => {
                    let station =
                        fault_station(p, self).map_err(|m| bad(&format!("{path}.post"), m))?;
                    if station.is_supervisor() {
                        return Err(bad(
                            &format!("{path}.post"),
                            "the supervisor's tablet stays on the net in a drill: it watches the whole net for the report".into(),
                        ));
                    }
                }
            }
            if let Some(m) = f.minutes {
                if !(m > 0.0 && m <= 600.0) {
                    return Err(bad(
                        &format!("{path}.minutes"),
                        format!("between 0 and 600, not {m}"),
                    ));
                }
            }
        }
        let t = &self.targets;
        if let Some(s) = t.answer_p95_seconds {
            if s <= 0.0 {
                return Err(bad(
                    "targets.answer_p95_seconds",
                    "a positive number of seconds".into(),
                ));
            }
        }
        if let Some(s) = t.door_wait_max_minutes {
            if s < 0.0 {
                return Err(bad("targets.door_wait_max_minutes", "not negative".into()));
            }
        }
        Ok(())
    }
}

/// A post code on the drill's site (the Longfor layout), or why not.
pub fn post_on_site(code: &str) -> Result<Post, String> {
    Post::from_code(code).ok_or_else(|| {
        format!(
            "{code:?} is not a post; the posts are L1 L2 Y1 Y2 G1 S1 OPS RC SUP LOBBY MODEL SHUTTLE, X (every manager) or X:NAME"
        )
    })
}

/// The station a fault or `--silent` names: a post code or `X:NAME` of a manager on the roster.
pub fn fault_station(said: &str, s: &Scenario) -> Result<Station, String> {
    if let Some(name) = said.strip_prefix("X:") {
        if !s.managers().any(|m| m == name) {
            return Err(format!("{name} is not on the roster"));
        }
        return Station::manager(name).map_err(|e| e.to_string());
    }
    post_on_site(said).map(Station::Post)
}

fn weights(w: &[f64], max: usize) -> Result<(), String> {
    if w.is_empty() || w.len() > max {
        return Err(format!("give 1 to {max} weights"));
    }
    if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err("weights are numbers ≥ 0".into());
    }
    if w.iter().sum::<f64>() <= 0.0 {
        return Err("at least one weight above 0".into());
    }
    Ok(())
}

/// The name in backticks after `prefix` in a serde message ("missing field `groups`").
fn backticked(message: &str, prefix: &str) -> Option<String> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(rest[start..start + len].to_owned())
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a}.{b}")
    }
}

/// Finds lines and dotted field paths in a scenario's text, both ways: the field at a byte
/// offset (for toml's span errors) and the line of a field (for the drill's own checks).
struct Locator {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// For each line, the field path it belongs to (the key it sets, or the last one above it).
    paths: Vec<String>,
}

impl Locator {
    fn new(text: &str) -> Locator {
        let mut starts = Vec::new();
        let mut paths = Vec::new();
        let mut table = String::new();
        let mut arrays: BTreeMap<String, usize> = BTreeMap::new();
        let mut current = String::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            starts.push(offset);
            offset += line.len();
            let t = line.trim();
            if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
                let name = unquote_path(name.trim());
                let n = arrays.entry(name.clone()).or_insert(0);
                table = format!("{name}[{n}]");
                *n += 1;
                current = table.clone();
            } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
                table = unquote_path(name.trim());
                current = table.clone();
            } else if let Some((key, _)) = t.split_once('=') {
                let key = key.trim();
                let plain = !key.is_empty()
                    && !key.starts_with('#')
                    && key
                        .chars()
                        .all(|c| c.is_alphanumeric() || "_-\".: ".contains(c));
                if plain {
                    current = join(&table, &unquote_path(key));
                }
            }
            paths.push(current.clone());
        }
        Locator { starts, paths }
    }

    /// The line (from 1) and field path at byte `offset`.
    fn at(&self, offset: usize) -> (Option<usize>, String) {
        let i = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        (
            (i < self.starts.len()).then_some(i + 1),
            self.paths.get(i).cloned().unwrap_or_default(),
        )
    }

    /// The first line of the field `path` (or of its table), if the file says it.
    fn line_of(&self, path: &str) -> Option<usize> {
        let exact = self.paths.iter().position(|p| p == path);
        let within = || {
            self.paths
                .iter()
                .position(|p| p.starts_with(path) && p[path.len()..].starts_with(['.', '[']))
        };
        let parent = || {
            let (table, _) = path.rsplit_once('.')?;
            self.paths.iter().position(|p| p == table)
        };
        exact.or_else(within).or_else(parent).map(|i| i + 1)
    }
}

/// `posts."X:张伟"` → `posts.X:张伟`.
fn unquote_path(p: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in p.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_scenarios_read() {
        for (name, _) in SHIPPED {
            let s = Scenario::shipped(name).unwrap();
            assert_eq!(s.name, name);
            assert!(!s.about.is_empty(), "{name} says what day it is");
        }
    }

    fn refused(text: &str) -> ScenarioError {
        Scenario::parse(text, "day.toml").expect_err("refused")
    }

    const BASE: &str = r#"name = "t"
about = "a test"

[day]
opens = "09:00"
closes = "12:00"

[arrivals]
groups = 3
appointment_share = 0.5

[roster]
visit = ["张伟", "李娜"]
"#;

    #[test]
    fn a_good_file_reads_and_fills_defaults() {
        let s = Scenario::parse(BASE, "day.toml").unwrap();
        assert_eq!(s.day.opens, TimeOfDay(540));
        assert_eq!(s.last_arrival(), 12 * 60 - 45);
        let m = s.manner(&Station::Post(Post::Rc));
        assert_eq!(m, Manner::BASE);
    }

    #[test]
    fn a_bad_value_names_its_line_and_field() {
        let e = refused(&BASE.replace("appointment_share = 0.5", "appointment_share = 1.5"));
        assert_eq!(e.line, Some(10), "{e}");
        assert_eq!(e.field, "arrivals.appointment_share", "{e}");
        assert!(e.message.contains("between 0 and 1"), "{e}");
        assert!(
            e.to_string()
                .starts_with("day.toml:10: arrivals.appointment_share: "),
            "{e}"
        );

        let e = refused(&BASE.replace("\"09:00\"", "\"9h\""));
        assert_eq!((e.line, e.field.as_str()), (Some(5), "day.opens"), "{e}");

        let e = refused(&BASE.replace("groups = 3", "groups = \"three\""));
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(9), "arrivals.groups"),
            "{e}"
        );
    }

    #[test]
    fn unknown_and_missing_fields_are_named() {
        let e = refused(&BASE.replace("groups = 3", "groups = 3\ngroupz = 4"));
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(10), "arrivals.groupz"),
            "{e}"
        );
        assert!(e.message.contains("unknown field"), "{e}");

        let e = refused(&BASE.replace("groups = 3\n", ""));
        assert!(e.field.ends_with("groups"), "{e}");
        assert!(e.message.contains("missing field"), "{e}");
    }

    #[test]
    fn the_drills_own_checks_name_the_line_too() {
        let e = refused(&BASE.replace("closes = \"12:00\"", "closes = \"08:00\""));
        assert_eq!((e.line, e.field.as_str()), (Some(6), "day.closes"), "{e}");

        let e = refused(&BASE.replace("\"李娜\"]", "\"张伟\"]"));
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(13), "roster.visit"),
            "{e}"
        );

        let faulty = format!(
            "{BASE}\n[[faults]]\nkind = \"offline\"\npost = \"S1\"\nat = \"10:00\"\n\n[[faults]]\nkind = \"offline\"\npost = \"SUP\"\nat = \"10:00\"\n"
        );
        let e = refused(&faulty);
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(22), "faults[1].post"),
            "{e}"
        );

        let e = refused(&format!("{BASE}\n[posts.\"X:赵敏\"]\nanswer_seconds = 2\n"));
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(15), "posts.X:赵敏"),
            "{e}"
        );
    }

    #[test]
    fn manners_refine_default_post_and_manager() {
        let s = Scenario::parse(
            &format!(
                "{BASE}\n[posts.default]\nanswer_seconds = 2\n[posts.X]\nspread = 0.1\n[posts.\"X:张伟\"]\nmiss_share = 0.5\n[posts.RC]\nanswer_seconds = 9\n"
            ),
            "day.toml",
        )
        .unwrap();
        let zw = s.manner(&Station::manager("张伟").unwrap());
        assert_eq!(
            (zw.answer_seconds, zw.spread, zw.miss_share),
            (2.0, 0.1, 0.5)
        );
        let ln = s.manner(&Station::manager("李娜").unwrap());
        assert_eq!(
            (ln.answer_seconds, ln.spread, ln.miss_share),
            (2.0, 0.1, 0.02)
        );
        assert_eq!(s.manner(&Station::Post(Post::Rc)).answer_seconds, 9.0);
        assert_eq!(s.manner(&Station::Post(Post::S1)).answer_seconds, 2.0);
    }
}
