//! Running a drill: the hub (its own, or one already running), the virtual posts, the day's
//! script played against the clock — the managers signing in, the supervisor's modes, the
//! groups, the water bar's restocking, the faults — then the wind-down, the hub's own report, and
//! the drill's report.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use protocol::rota::Duty;
use protocol::{Intent, ManagerName, Post, Station, Tap};

use crate::clock::SimClock;
use crate::ctx::{Ctx, Records};
use crate::mirror::Mirror;
use crate::ownhub::{self, OwnHub};
use crate::passes::Passes;
use crate::plan::{Fault, MIN, Plan};
use crate::post::{self, Cmd, PostHandle, Setup};
use crate::progress::{self, Progress};
use crate::report::{self, Report};
use crate::scenario::{FaultKind, Scenario, fault_station};

/// The site's offset from UTC (the Longfor site the drill's hub runs): for "today" and dates.
pub const UTC_OFFSET_MS: u64 = 8 * 3_600_000;
const DAY_MS: u64 = 86_400_000;
/// The drill starts this long (simulated) before opening: managers sign in, modes are set.
const LEAD: u64 = 2 * MIN;

/// Which hub the drill runs on.
#[derive(Clone, Debug)]
pub enum HubChoice {
    /// Its own: the `hub` binary (found, or `bin`) on a temporary data folder, on `listen`
    /// (default: a free port of 127.0.0.1).
    Own {
        bin: Option<PathBuf>,
        listen: Option<SocketAddr>,
    },
    /// A hub already running at `url`, whose data folder `data` signs the posts' tokens.
    Running { url: String, data: PathBuf },
}

#[derive(Clone, Debug)]
pub struct DrillOptions {
    pub scenario: Scenario,
    pub seed: u64,
    /// Times faster than the wall (a person at a post: 1).
    pub speed: f64,
    pub hub: HubChoice,
    /// Posts left to people: no virtual tablet; cues in the terminal.
    pub humans: Vec<Station>,
    /// Posts that answer nothing all day (`--silent`).
    pub silent: Vec<Station>,
    pub progress: Progress,
}

/// Runs the drill to its report.
pub async fn run(o: DrillOptions) -> Result<Report, String> {
    let wall_started = std::time::Instant::now();
    let plan = Plan::new(&o.scenario, o.seed);
    let real_time = !o.humans.is_empty() || o.speed == 1.0;
    let speed = if o.humans.is_empty() { o.speed } else { 1.0 };
    if o.humans.iter().any(Station::is_supervisor) {
        return Err("the supervisor's tablet is the drill's own (it watches the net for the report); leave SUP out of --humans".into());
    }
    let now_real = system_ms();

    // The hub.
    let mut temp = None;
    let (own, url, data, day) = match &o.hub {
        HubChoice::Own { bin, listen } => {
            let bin = ownhub::find_bin(bin.as_deref())?;
            let dir = crate::ownhub::scratch("radio-drill-")
                .map_err(|e| format!("cannot make a data folder for the drill's hub: {e}"))?;
            token::Keys::load_or_create(dir.path()).map_err(|e| e.to_string())?;
            let day = if real_time {
                now_real + LEAD - plan.opens
            } else {
                local_midnight(now_real)
            };
            let clock = (!real_time).then_some((day + plan.opens - LEAD, speed));
            let listen = listen.unwrap_or_else(|| "127.0.0.1:0".parse().expect("an address"));
            let hub = OwnHub::start(&bin, dir.path(), listen, clock)?;
            let url = hub.url();
            let data = dir.path().to_owned();
            temp = Some(dir);
            (Some(hub), url, data, Some(day))
        }
        HubChoice::Running { url, data } => {
            if !o.humans.is_empty() {
                return Err(
                    "--humans needs the drill's own hub (with --listen ADDR), not --hub".into(),
                );
            }
            (None, url.clone(), data.clone(), None)
        }
    };
    let start_sim = day.map(|d| d + plan.opens - LEAD).unwrap_or(now_real);
    let clock = Arc::new(SimClock::new(start_sim, speed));
    let mirror = Mirror::new();

    // The posts' tablets, the supervisor's first.
    let managers: Vec<Station> = plan
        .visit_duty
        .iter()
        .chain(plan.phone_duty.iter())
        .map(|n| Station::manager(n).expect("roster names are checked"))
        .collect();
    // Every fixed post, the supervisor first (its tablet is the drill's eyes).
    let stations: Vec<Station> = std::iter::once(Post::Sup)
        .chain(Post::ALL.into_iter().filter(|p| *p != Post::Sup))
        .map(Station::Post)
        .chain(managers.iter().cloned())
        .collect();
    let humans: HashSet<Station> = o.humans.iter().cloned().collect();
    let virtual_posts: Vec<Station> = stations
        .iter()
        .filter(|s| !humans.contains(*s))
        .cloned()
        .collect();
    let passes = Passes::mint(&data, &virtual_posts)?;
    let mut posts: HashMap<Station, PostHandle> = HashMap::new();
    let lead = Arc::new(post::Lead::default());
    for s in stations.iter().filter(|s| !humans.contains(*s)) {
        let setup = Setup {
            station: s.clone(),
            url: url.clone(),
            token: passes.of(s),
            manner: o.scenario.manner(s),
            clock: clock.clone(),
            mirror: s.is_supervisor().then(|| mirror.clone()),
            lead: lead.clone(),
        };
        let handle = post::start(setup)
            .await
            .map_err(|e| format!("the hub at {url} turned {s} away: {e}"))?;
        posts.insert(s.clone(), handle);
    }
    // The supervisor hears the others come online: the drill's clock is now the hub's.
    let others = posts.len().saturating_sub(1) as u64;
    mirror
        .wait_for(Duration::from_secs(2), |b| {
            (b.events >= others).then_some(())
        })
        .await;
    let day = day.unwrap_or_else(|| clock.now() + LEAD - plan.opens);

    let ctx = Arc::new(Ctx {
        clock: clock.clone(),
        day,
        posts,
        humans: humans.clone(),
        mirror: mirror.clone(),
        managers: managers
            .iter()
            .filter_map(|s| s.manager_name().cloned())
            .collect::<Vec<ManagerName>>(),
        variant_share: o.scenario.visits.variant_share.0,
        desk_wait_ms: (o.scenario.visits.desk_wait_minutes * MIN as f64) as u64,
        records: Mutex::new(Records::default()),
        gate: tokio::sync::Mutex::new(()),
        desk: tokio::sync::Mutex::new(()),
        plan,
    });

    // People at some posts: their links, then wait for them to sign in.
    if !humans.is_empty() {
        let hub = own.as_ref().expect("humans run on the drill's own hub");
        wait_for_people(&ctx, hub, &o.humans).await?;
    }
    for s in &o.silent {
        if let Some(p) = ctx.posts.get(s) {
            p.send(Cmd::Silent(true));
            ctx.note(
                format!("{s} answers nothing all day (--silent)"),
                format!("{s} 全天不回复任何呼叫（--silent）"),
            );
        }
    }

    let own = Arc::new(Mutex::new(own));
    let bar = progress::start(ctx.clone(), o.progress);
    let lag = tokio::spawn(watch_lag(ctx.clone()));

    // The day.
    let mut day_tasks = tokio::task::JoinSet::new();
    day_tasks.spawn(sign_in(ctx.clone()));
    day_tasks.spawn(modes(ctx.clone()));
    day_tasks.spawn(restocks(ctx.clone()));
    for f in ctx.plan.faults.clone() {
        day_tasks.spawn(fault(ctx.clone(), f, own.clone(), o.scenario.clone()));
    }
    for g in ctx.plan.groups.clone() {
        day_tasks.spawn(crate::visit::run(ctx.clone(), g));
    }
    while let Some(done) = day_tasks.join_next().await {
        if let Err(e) = done {
            if e.is_panic() {
                std::panic::resume_unwind(e.into_panic());
            }
        }
    }

    // Wind down: every group gone (the hub counts a group seen off with no taxi to wait for as
    // left ten minutes later), every call closed — or the day is over.
    // Every call the drill said must have reached the supervisor's tablet first: the caller
    // hears the hub's reply a moment before the supervisor hears the call.
    let give_up = (ctx.at(ctx.plan.closes) + 15 * MIN).max(ctx.now() + 12 * MIN);
    let said = ctx.records.lock().expect("records").said;
    loop {
        let left = give_up.saturating_sub(ctx.now());
        let quiet = ctx
            .mirror
            .wait_for(ctx.wall(left), |b| {
                (b.calls.len() as u64 >= said && b.on_site() == 0 && b.open_calls() == 0)
                    .then_some(())
            })
            .await;
        // Still quiet a few seconds of the day later (a repeat, an order done, an alarm).
        ctx.sleep(5_000).await;
        let b = ctx.mirror.lock();
        if quiet.is_none() || ctx.now() >= give_up || (b.on_site() == 0 && b.open_calls() == 0) {
            break;
        }
    }
    let ended = ctx.time_of_day();
    lag.abort();

    if std::env::var_os("DRILL_DEBUG").is_some() {
        let b = ctx.mirror.lock();
        for (id, c) in &b.calls {
            eprintln!(
                "call {id} {} {} → {} {} answers {:?} repeats {:?} escalated {:?}",
                crate::ctx::hhmm(c.placed_at.saturating_sub(day)),
                c.call.caller,
                c.call.target,
                c.call.intent.kind(),
                c.answers
                    .iter()
                    .map(|(s, _, l, _)| format!("{s} {l}ms"))
                    .collect::<Vec<_>>(),
                c.repeats
                    .iter()
                    .map(|(at, o)| format!("{} {o:?}", at - c.placed_at))
                    .collect::<Vec<_>>(),
                c.escalated
                    .as_ref()
                    .map(|(at, o)| format!("{} {o:?}", at - c.placed_at)),
            );
        }
    }

    // The hub's own account of the day.
    let date = civil((day + ctx.plan.opens + UTC_OFFSET_MS) / DAY_MS);
    let sup = ctx
        .posts
        .get(&Station::Post(Post::Sup))
        .expect("the supervisor");
    let hub_report = sup
        .report(date.clone())
        .await
        .map_err(|e| format!("the hub's report: {e}"))?;
    let hub_state = sup
        .state()
        .await
        .map_err(|e| format!("the hub's state: {e}"))?;
    progress::stop(bar).await;

    for p in ctx.posts.values() {
        p.stop().await;
    }
    let hub_desc = match &o.hub {
        HubChoice::Own { .. } => {
            let mut own = own.lock().expect("hub");
            let d = own
                .as_ref()
                .map(|h| format!("its own hub ({}) on {}", h.bin().display(), h.addr()))
                .unwrap_or_default();
            if let Some(h) = own.as_mut() {
                h.stop();
            }
            d
        }
        HubChoice::Running { url, .. } => format!("the running hub at {url}"),
    };
    drop(temp);
    let input = report::Input {
        scenario: &o.scenario,
        ctx: &ctx,
        hub_report: &hub_report,
        hub_state: &hub_state,
        date,
        speed,
        hub: hub_desc,
        wall_seconds: wall_started.elapsed().as_secs_f64(),
        ended,
    };
    Ok(report::build(input))
}

/// Samples how late a 20 ms timer wakes, all day: the machine's own noise in the figures.
async fn watch_lag(ctx: Arc<Ctx>) {
    let every = Duration::from_millis(20);
    loop {
        let asked = tokio::time::Instant::now() + every;
        tokio::time::sleep_until(asked).await;
        let late = tokio::time::Instant::now().saturating_duration_since(asked);
        ctx.records
            .lock()
            .expect("records")
            .lag_ms
            .push(late.as_secs_f64() * 1000.0);
    }
}

/// The managers sign in on the rota at the desk before opening, in the roster's order.
async fn sign_in(ctx: Arc<Ctx>) {
    ctx.sleep_until(ctx.at(ctx.plan.opens) - MIN).await;
    let duties = ctx
        .plan
        .visit_duty
        .iter()
        .map(|n| (n, Duty::Visit))
        .chain(ctx.plan.phone_duty.iter().map(|n| (n, Duty::Phone)));
    for (name, duty) in duties {
        let s = Station::manager(name).expect("a name");
        ctx.tap(&s, Tap::SignIn { duty: Some(duty) }).await;
    }
}

/// The supervisor switches rain mode and the important event on and off.
async fn modes(ctx: Arc<Ctx>) {
    let sup = Station::Post(Post::Sup);
    for m in ctx.plan.modes.clone() {
        ctx.sleep_until(ctx.at(m.at)).await;
        let tap = Tap::SetMode {
            important_event_at: m.important_event_at.map(|t| ctx.at(t)),
            media_day: false,
            rain: m.rain,
        };
        ctx.tap(&sup, tap).await;
    }
}

/// The water bar asks the kitchen to restock, now and then.
async fn restocks(ctx: Arc<Ctx>) {
    for (i, r) in ctx.plan.restocks.clone().into_iter().enumerate() {
        ctx.sleep_until(ctx.at(r.at)).await;
        let call = protocol::Call::new(Post::S1, Post::Ops, Intent::Restock { items: r.items });
        let _ = ctx
            .call(
                &[0, i as u64],
                call,
                &[(Station::Post(Post::Ops), protocol::Answer::Received)],
            )
            .await;
    }
}

/// A fault of the scenario, at its time.
async fn fault(ctx: Arc<Ctx>, f: Fault, own: Arc<Mutex<Option<OwnHub>>>, s: Scenario) {
    ctx.sleep_until(ctx.at(f.at)).await;
    let station = f.post.as_deref().and_then(|p| fault_station(p, &s).ok());
    let minutes = |default: f64| f.minutes.unwrap_or(default);
    let handle = station.as_ref().and_then(|s| ctx.posts.get(s));
    match f.kind {
        FaultKind::Offline => {
            if let Some(p) = handle {
                let m = minutes(10.0);
                let back = ctx.now() + (m * MIN as f64) as u64;
                p.send(Cmd::Offline {
                    until: ctx.clock.wall_at(back),
                });
                ctx.note(
                    format!("{}'s tablet off the net for {m} min", p.station),
                    format!("{} 平板离线 {m} 分钟", p.station),
                );
            }
        }
        FaultKind::Drop => {
            let all = f.post.as_deref() == Some("ALL");
            for p in ctx.posts.values() {
                if (all && !p.station.is_supervisor()) || Some(&p.station) == station.as_ref() {
                    p.send(Cmd::Drop);
                }
            }
            let who = f.post.clone().unwrap_or_default();
            if all {
                ctx.note(
                    "every tablet's connection dropped and resumed",
                    "所有平板连接中断后续连",
                );
            } else {
                ctx.note(
                    format!("{who}'s connection dropped and resumed"),
                    format!("{who} 连接中断后续连"),
                );
            }
        }
        FaultKind::Miss => {
            if let Some(p) = handle {
                let share = f.share.unwrap_or(0.5);
                let m = minutes(30.0);
                p.send(Cmd::Miss(Some(share)));
                ctx.note(
                    format!(
                        "{} misses {:.0}% of its calls for {m} min",
                        p.station,
                        share * 100.0
                    ),
                    format!("{} {m} 分钟内漏听 {:.0}% 的呼叫", p.station, share * 100.0),
                );
                ctx.sleep((m * MIN as f64) as u64).await;
                p.send(Cmd::Miss(None));
            }
        }
        FaultKind::Silent => {
            if let Some(p) = handle {
                p.send(Cmd::Silent(true));
                match f.minutes {
                    Some(m) => {
                        ctx.note(
                            format!("{} answers nothing for {m} min", p.station),
                            format!("{} {m} 分钟内不回复任何呼叫", p.station),
                        );
                        ctx.sleep((m * MIN as f64) as u64).await;
                        p.send(Cmd::Silent(false));
                    }
                    None => ctx.note(
                        format!("{} answers nothing for the rest of the day", p.station),
                        format!("{} 此后全天不回复任何呼叫", p.station),
                    ),
                }
            }
        }
        FaultKind::HubRestart => {
            let at = ctx.now();
            let hard = f.hard;
            let restarted = tokio::task::block_in_place(|| {
                let mut guard = own.lock().expect("hub");
                guard.as_mut().map(|hub| hub.restart(hard, at))
            });
            let how = if hard {
                "killed with SIGKILL"
            } else {
                "SIGTERM"
            };
            match restarted {
                Some(Ok(())) => {
                    ctx.clock.reset(at);
                    // Every tablet back on the net, as the supervisor hears them come back.
                    let since = ctx.mirror.lock().events;
                    let stations: Vec<Station> = ctx.posts.keys().cloned().collect();
                    let back = ctx
                        .mirror
                        .wait_for(ctx.wall(2 * MIN), |b| {
                            (b.events > since
                                && stations
                                    .iter()
                                    .all(|s| b.online.get(s).copied().unwrap_or(false)))
                            .then_some(())
                        })
                        .await;
                    let took = ctx.now().saturating_sub(at) as f64 / 1000.0;
                    if back.is_some() {
                        ctx.note(
                            format!("the hub restarted ({how}); every tablet was back on the net {took:.0} s later"),
                            format!("中控重启（{how}）；{took:.0} 秒后全部平板恢复在线"),
                        );
                    } else {
                        ctx.note(
                            format!("the hub restarted ({how}); not every tablet was back two minutes later"),
                            format!("中控重启（{how}）；两分钟后仍有平板未恢复在线"),
                        );
                    }
                }
                Some(Err(e)) => ctx.note(
                    format!("the hub did not restart: {e}"),
                    format!("中控未能重启：{e}"),
                ),
                None => ctx.note(
                    "hub restart skipped: the drill runs on a hub it did not start",
                    "跳过中控重启：演练运行在已在运行的中控上",
                ),
            }
        }
    }
}

/// Prints the sign-in links of the posts left to people and waits until each has a tablet on
/// the net (the supervisor's `state`, `presence`).
async fn wait_for_people(ctx: &Ctx, hub: &OwnHub, people: &[Station]) -> Result<(), String> {
    let host = reachable_host(hub.addr());
    eprintln!(
        "radio drill: the tablets of the posts left to people — open each link on that post's tablet:"
    );
    for s in people {
        let out = ownhub::link(hub.bin(), hub.data(), &s.to_string(), &host)?;
        eprintln!("\n{s} ({}):\n{out}", s.radio_name());
    }
    let sup = ctx
        .posts
        .get(&Station::Post(Post::Sup))
        .expect("the supervisor");
    let mut told = false;
    loop {
        let state = sup.state().await.map_err(|e| e.to_string())?;
        let missing: Vec<String> = people
            .iter()
            .map(ToString::to_string)
            .filter(|s| state["presence"][s].as_u64().unwrap_or(0) == 0)
            .collect();
        if missing.is_empty() {
            eprintln!("radio drill: everyone is on the net; the day starts now, at real speed.");
            return Ok(());
        }
        if !told {
            eprintln!(
                "radio drill: waiting for {} to sign in…",
                missing.join(", ")
            );
            told = true;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The address a tablet on the gallery's network reaches the hub at: the listening address, or
/// — listening on every interface — this machine's own address on its network.
fn reachable_host(addr: SocketAddr) -> String {
    if !addr.ip().is_unspecified() {
        return addr.to_string();
    }
    // Which local address would route off this machine (no packet is sent).
    let ip = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
    format!("{ip}:{}", addr.port())
}

fn system_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Midnight (site time) of the day `ms` falls in, as ms since the epoch.
fn local_midnight(ms: u64) -> u64 {
    (ms + UTC_OFFSET_MS) / DAY_MS * DAY_MS - UTC_OFFSET_MS
}

/// YYYY-MM-DD of days since 1970-01-01.
pub fn civil(day: u64) -> String {
    let z = day as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_midnights() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(20_785), "2026-11-28");
        // 2026-11-28 09:00 +08:00 is 01:00 UTC.
        let nine = 1_795_827_600_000;
        assert_eq!(local_midnight(nine), nine - 9 * 3_600_000);
        assert_eq!(
            civil((local_midnight(nine) + UTC_OFFSET_MS) / DAY_MS),
            "2026-11-28"
        );
    }
}
