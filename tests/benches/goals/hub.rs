//! A part's own hub: the hub's command line (`hub-under-test`, built with the bench profile) as
//! a process on 127.0.0.1 with a fresh data folder, started by the tests' `hub_process_on`;
//! tokens minted from its key, what /proc says of it, and its /metrics. Killed when dropped;
//! then what its log said of errors and of tablets cut off as slow is printed, so a part that
//! failed shows the hub's side of it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout};

use protocol::Station;

pub struct Hub {
    child: Child,
    /// `ws://127.0.0.1:PORT/ws`.
    pub url: String,
    pub addr: SocketAddr,
    data: PathBuf,
    sup: String,
    /// The hub's stdout, kept open for as long as it runs.
    _stdout: std::io::Lines<std::io::BufReader<ChildStdout>>,
    /// Where its log (stderr) goes.
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Hub {
    /// Starts a hub with these flags besides `serve --listen 127.0.0.1:0 --data …`.
    pub fn start(args: &[&str]) -> Hub {
        Hub::start_on(args, None)
    }

    /// [`Hub::start`], kept on one CPU from its start when `cpu` is given.
    pub fn start_on(args: &[&str], cpu: Option<usize>) -> Hub {
        let dir = tempfile::tempdir().expect("a temp dir");
        let data = dir.path().join("data");
        // Minting the supervisor's token first makes the key the hub will find.
        let sup = integration::token_for(&data, "SUP");
        let log = dir.path().join("hub.log");
        let file = std::fs::File::create(&log).expect("the hub's log file");
        let (child, url, stdout) = integration::hub_process_on(
            env!("CARGO_BIN_EXE_hub-under-test"),
            &data,
            args,
            cpu,
            file,
        );
        let addr = url
            .trim_start_matches("ws://")
            .trim_end_matches("/ws")
            .parse()
            .unwrap_or_else(|e| panic!("the hub's address in {url}: {e}"));
        println!(
            "hub pid {} at {url}{} (flags: {})",
            child.id(),
            cpu.map(|c| format!(" on CPU {c}")).unwrap_or_default(),
            if args.is_empty() {
                "none".to_owned()
            } else {
                args.join(" ")
            }
        );
        Hub {
            child,
            url,
            addr,
            data,
            sup,
            _stdout: stdout,
            log,
            _dir: dir,
        }
    }

    /// The WebSocket's path on [`Hub::addr`] (`/ws`), for clients that speak HTTP themselves.
    pub fn path(&self) -> &str {
        let rest = self.url.trim_start_matches("ws://");
        rest.find('/').map_or("/", |i| &rest[i..])
    }

    /// A token for a station, signed with this hub's key.
    pub fn token(&self, station: &Station) -> String {
        integration::token_for(&self.data, &station.to_string())
    }

    /// The supervisor's token (for /metrics, /api/state).
    pub fn sup_token(&self) -> &str {
        &self.sup
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory now, KiB (VmRSS).
    pub fn rss_kib(&self) -> u64 {
        drill::load::proc_status(self.pid(), "VmRSS:").unwrap_or(0)
    }

    /// The most resident memory so far, KiB (VmHWM).
    pub fn peak_rss_kib(&self) -> u64 {
        drill::load::proc_status(self.pid(), "VmHWM:").unwrap_or(0)
    }

    /// CPU seconds used so far (user + system).
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds_of(self.pid())
    }

    /// The hub's /metrics, asked with the supervisor's token.
    pub async fn metrics(&self) -> Result<HashMap<String, f64>, String> {
        drill::load::metrics(self.addr, &self.sup).await
    }

    /// One series of /metrics (0 when it is not there).
    pub async fn metric(&self, name: &str) -> Result<f64, String> {
        Ok(self.metrics().await?.get(name).copied().unwrap_or(0.0))
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A tablet joining or leaving is one line each; only what goes wrong is shown.
        const SHOWN: usize = 10;
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let noted: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("too slow to read"))
            .collect();
        if !noted.is_empty() {
            println!(
                "the hub's log: {} lines of errors or tablets cut off as slow",
                noted.len()
            );
            for line in noted.iter().take(SHOWN) {
                println!("  {line}");
            }
            if noted.len() > SHOWN {
                println!("  … and {} more", noted.len() - SHOWN);
            }
        }
    }
}

/// The hub's syncs of its log between two readings of its /metrics (`hub_log_sync_seconds`).
pub struct Syncs {
    pub n: u64,
    /// The bucket bounds, ms, under which half, 99 % and all of them took.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Syncs {
    pub fn between(before: &HashMap<String, f64>, after: &HashMap<String, f64>) -> Syncs {
        const BUCKET: &str = "hub_log_sync_seconds_bucket{le=\"";
        let mut buckets: Vec<(f64, f64)> = after
            .iter()
            .filter_map(|(k, v)| {
                let le = k.strip_prefix(BUCKET)?.strip_suffix("\"}")?;
                let le = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().ok()?
                };
                Some((le * 1000.0, v - before.get(k).copied().unwrap_or(0.0)))
            })
            .collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = buckets.last().map_or(0.0, |b| b.1);
        let under = |share: f64| {
            buckets
                .iter()
                .find(|b| b.1 >= (n * share).ceil())
                .map_or(f64::NAN, |b| b.0)
        };
        Syncs {
            n: n as u64,
            p50_ms: under(0.5),
            p99_ms: under(0.99),
            max_ms: under(1.0),
        }
    }

    pub fn line(&self) -> String {
        format!(
            "{} syncs; half took ≤ {} ms, 99 % ≤ {} ms, all ≤ {} ms (the buckets' bounds)",
            self.n, self.p50_ms, self.p99_ms, self.max_ms
        )
    }
}

/// CPU seconds the bench's own process (its tablets and callers) has used.
pub fn own_cpu_seconds() -> f64 {
    cpu_seconds_of(std::process::id())
}

/// The CPU time process `pid` has used, in seconds (0 if it cannot be read).
pub fn cpu_seconds_of(pid: u32) -> f64 {
    drill::load::proc_cpu_seconds(pid).unwrap_or(0.0)
}
