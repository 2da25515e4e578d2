//! What a running drill shares between its tasks: the plan, the clocks, the posts' tablets, the
//! board as the supervisor sees it, and the drill's own records — and the few things every
//! step of the script does: wait for a moment of the day, say a call (in the standard words or
//! a real variant) and tell each post that must answer it how it will, tap, and wait for an
//! answer. A post left to a person (`--humans`) gets a cue in the terminal instead, and the drill
//! waits for what that person says on the net.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use protocol::envelope::CallId;
use protocol::rota::Turn;
use protocol::{Answer, Call, ManagerName, Station, Tap};
use tablet::TabletError;

use crate::clock::SimClock;
use crate::mirror::Mirror;
use crate::plan::Plan;
use crate::post::{Cmd, How, PostHandle};
use crate::rng::{keyed, keyed_normal, keyed_unit};

/// How a group's day ended, for the drill.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Went through the site and left.
    Left,
    /// The desk could not receive them (无法接待).
    Declined,
    /// The hub turned them away at the gate (an important event's hour, a media day): the rule.
    TurnedAway(String),
    /// Still on the site when the drill ended.
    OnSite(String),
}

/// A call or tap the hub refused.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Refused {
    pub at: u64,
    pub station: String,
    pub what: String,
    pub rule: String,
    pub message: String,
}

/// The desk's handing of a group to a manager.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Assignment {
    pub group: u32,
    pub manager: String,
    pub turn: Turn,
    /// The board's next-up manager when the desk chose (regular turns).
    pub next_up: Option<String>,
    /// How long the desk waited for a free manager, ms.
    pub waited_ms: u64,
    /// Nobody was free after the desk's longest wait: given out of turn.
    pub out_of_turn: bool,
    /// The manager answered 收到 (the turn counts).
    pub answered: bool,
}

/// What the drill itself knows of the day beyond the hub's events.
#[derive(Debug, Default)]
pub struct Records {
    pub outcomes: BTreeMap<u32, Outcome>,
    pub refused: Vec<Refused>,
    pub assignments: Vec<Assignment>,
    /// Faults applied and other things of note, by simulated time: English, Chinese.
    pub notes: Vec<(u64, String, String)>,
    /// Groups that wanted a VIP room and never got one.
    pub no_room: Vec<u32>,
    /// Calls placed and taps made by the drill's posts.
    pub said: u64,
    pub tapped: u64,
    /// Calls a person (`--humans`) was cued for and did not make in time.
    pub human_missed: Vec<String>,
    /// Groups that have arrived at the gate.
    pub arrived: u32,
    /// How late the drill's own timers woke (wall ms), sampled through the day: on a busy
    /// machine every real millisecond late is `speed` ms of the simulated day.
    pub lag_ms: Vec<f64>,
}

pub struct Ctx {
    pub plan: Plan,
    pub clock: Arc<SimClock>,
    /// Midnight of the drill's day, in simulated ms since the Unix epoch.
    pub day: u64,
    pub posts: HashMap<Station, PostHandle>,
    pub humans: HashSet<Station>,
    pub mirror: Arc<Mirror>,
    pub managers: Vec<ManagerName>,
    pub variant_share: f64,
    pub desk_wait_ms: u64,
    pub records: Mutex<Records>,
    /// One walk-in at the gate at a time: query, answer, sent in (the hub matches them in order).
    pub gate: tokio::sync::Mutex<()>,
    /// The desk hands one group at a time to a manager: chosen, told, answered.
    pub desk: tokio::sync::Mutex<()>,
}

impl Ctx {
    /// Simulated ms since the epoch of a plan time (ms since the day's midnight).
    pub fn at(&self, plan_ms: u64) -> u64 {
        self.day + plan_ms
    }

    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// A plan time of now: ms since the day's midnight.
    pub fn time_of_day(&self) -> u64 {
        self.now().saturating_sub(self.day)
    }

    pub async fn sleep_until(&self, sim: u64) {
        tokio::time::sleep_until(self.clock.wall_at(sim)).await;
    }

    pub async fn sleep(&self, sim_ms: u64) {
        let until = self.now() + sim_ms;
        self.sleep_until(until).await;
    }

    /// Simulated ms as a wall duration (for waiting on the board).
    pub fn wall(&self, sim_ms: u64) -> Duration {
        self.clock.wall(sim_ms as f64)
    }

    /// Something of note at this moment of the day, in English and in Chinese (for the page).
    pub fn note(&self, en: impl Into<String>, zh: impl Into<String>) {
        let at = self.time_of_day();
        self.records
            .lock()
            .expect("records")
            .notes
            .push((at, en.into(), zh.into()));
    }

    fn refused(&self, station: &Station, what: &str, e: &TabletError) {
        let (rule, message) = match e {
            TabletError::Refused {
                code,
                message,
                rule,
            } => (
                rule.clone().unwrap_or_else(|| code.name().to_owned()),
                message.clone(),
            ),
            other => ("failed".to_owned(), other.to_string()),
        };
        let at = self.time_of_day();
        self.records.lock().expect("records").refused.push(Refused {
            at,
            station: station.to_string(),
            what: what.to_owned(),
            rule,
            message,
        });
    }

    /// `call` is said by its caller; each of `answers` will answer it, each in its own manner.
    /// `key` makes the draws for this call (its words, each answer's delay and miss) the same
    /// every time the day is played with this seed. Returns the call's id, or the refusal's rule.
    pub async fn call(
        &self,
        key: &[u64],
        call: Call,
        answers: &[(Station, Answer)],
    ) -> Result<CallId, String> {
        let seed = self.plan.seed;
        let caller = call.caller.clone();
        let sentence = crate::speech::say(
            &call,
            &caller,
            &self.managers,
            self.variant_share,
            keyed(seed, &[key, &[0x5A1D]].concat()),
        );
        let placed = if self.humans.contains(&caller) {
            self.cue_call(&call, &sentence).await?
        } else {
            let Some(post) = self.posts.get(&caller) else {
                return Err("no_post".into());
            };
            match post.say(sentence).await {
                Ok(p) => p.call_id,
                Err(e) => {
                    self.refused(&caller, call.intent.kind(), &e);
                    return Err(match e {
                        TabletError::Refused { rule: Some(r), .. } => r,
                        other => other.to_string(),
                    });
                }
            }
        };
        self.records.lock().expect("records").said += 1;
        for (station, answer) in answers {
            if let Some(post) = self.posts.get(station) {
                let who = crate::rng::mix(fnv(&station.to_string()));
                let k = [key, &[who]].concat();
                post.send(Cmd::Expect {
                    call_id: placed,
                    how: How {
                        z: keyed_normal(seed, &k),
                        u: keyed_unit(seed, &[k.as_slice(), &[1]].concat()),
                        answer: *answer,
                    },
                });
            }
        }
        Ok(placed)
    }

    /// A tap by `by`; false if refused (recorded).
    pub async fn tap(&self, by: &Station, tap: Tap) -> bool {
        if self.humans.contains(by) {
            return self.cue_tap(by, &tap).await;
        }
        let Some(post) = self.posts.get(by) else {
            return false;
        };
        let kind = tap.kind();
        match post.tap(tap).await {
            Ok(_) => {
                self.records.lock().expect("records").tapped += 1;
                true
            }
            Err(e) => {
                self.refused(by, kind, &e);
                false
            }
        }
    }

    /// Waits (up to `within_ms` of simulated time) for the answer that closes `call_id`; the
    /// answers given by then.
    pub async fn answered(
        &self,
        call_id: CallId,
        within_ms: u64,
    ) -> Option<Vec<(Station, Answer)>> {
        self.mirror
            .wait_for(self.wall(within_ms), |b| {
                let c = b.calls.get(&call_id)?;
                c.closed_at?;
                Some(c.answers.iter().map(|(s, a, ..)| (s.clone(), *a)).collect())
            })
            .await
    }

    /// A person's post: tells them in the terminal what to say, and waits for it on the net.
    async fn cue_call(&self, call: &Call, sentence: &str) -> Result<CallId, String> {
        let since = self.mirror.lock().last_offset;
        eprintln!(
            "\n>>> {} {} — please say on the net:\n    「{}」",
            hhmm(self.time_of_day()),
            call.caller,
            sentence
        );
        let kind = call.intent.kind();
        let caller = call.caller.clone();
        let found = self
            .mirror
            .wait_for(Duration::from_secs(180), |b| {
                b.calls
                    .range(since + 1..)
                    .find(|(_, c)| c.call.caller == caller && c.call.intent.kind() == kind)
                    .map(|(id, _)| *id)
            })
            .await;
        match found {
            Some(id) => Ok(id),
            None => {
                let what = format!("{caller} did not say {kind} within 3 minutes");
                eprintln!(">>> {what}; the drill goes on without it");
                self.records
                    .lock()
                    .expect("records")
                    .human_missed
                    .push(what);
                Err("not_said".into())
            }
        }
    }

    async fn cue_tap(&self, by: &Station, tap: &Tap) -> bool {
        eprintln!(
            "\n>>> {} {by} — please tap 「{}」 on your tablet",
            hhmm(self.time_of_day()),
            tap.kind()
        );
        let kind = tap.kind();
        let since = self.mirror.lock().taps.len();
        let done = self
            .mirror
            .wait_for(Duration::from_secs(120), |b| {
                b.taps[since.min(b.taps.len())..]
                    .iter()
                    .any(|(s, k, _)| s == by && *k == kind)
                    .then_some(())
            })
            .await;
        if done.is_none() {
            let what = format!("{by} did not tap {kind} within 2 minutes");
            eprintln!(">>> {what}; the drill goes on without it");
            self.records
                .lock()
                .expect("records")
                .human_missed
                .push(what);
        }
        done.is_some()
    }
}

/// A stable hash of a string (FNV-1a), for keyed draws.
pub fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// ms since midnight as HH:MM.
pub fn hhmm(ms: u64) -> String {
    let m = ms / 60_000;
    format!("{:02}:{:02}", (m / 60) % 24, m % 60)
}
