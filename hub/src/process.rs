//! The hub process's own figures for `/metrics`, read from `/proc/self` at each scrape: memory,
//! CPU time, open file descriptors (and their limit), threads, and when it started. The names
//! are the ones Prometheus's client libraries use (`process_*`), so the usual dashboards and
//! alerts apply. On a system without `/proc`, the series are simply absent.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Reads the figures on every scrape.
#[derive(Debug, Default)]
pub struct ProcessCollector;

/// One reading of `/proc/self`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reading {
    pub resident_bytes: Option<u64>,
    pub virtual_bytes: Option<u64>,
    pub cpu_seconds: Option<f64>,
    pub open_fds: Option<u64>,
    pub max_fds: Option<u64>,
    pub threads: Option<u64>,
    pub start_time_seconds: Option<f64>,
}

impl Reading {
    /// Reads what this system offers.
    pub fn now() -> Reading {
        let mut r = Reading::default();
        #[cfg(target_os = "linux")]
        linux::read(&mut r);
        r
    }
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let r = Reading::now();
        let gauges: [(&str, &str, Option<f64>); 6] = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                r.resident_bytes.map(|v| v as f64),
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes",
                r.virtual_bytes.map(|v| v as f64),
            ),
            (
                "process_open_fds",
                "Open file descriptors (tablets, pages, the log)",
                r.open_fds.map(|v| v as f64),
            ),
            (
                "process_max_fds",
                "The most file descriptors the process may open",
                r.max_fds.map(|v| v as f64),
            ),
            ("process_threads", "OS threads", r.threads.map(|v| v as f64)),
            (
                "process_start_time_seconds",
                "Start time of the process since the Unix epoch, in seconds",
                r.start_time_seconds,
            ),
        ];
        for (name, help, value) in gauges {
            if let Some(v) = value {
                let g = ConstGauge::new(v);
                let m = encoder.encode_descriptor(name, help, None, g.metric_type())?;
                g.encode(m)?;
            }
        }
        if let Some(v) = r.cpu_seconds {
            let c = ConstCounter::new(v);
            let m = encoder.encode_descriptor(
                "process_cpu_seconds",
                "User and system CPU time spent, in seconds",
                None,
                c.metric_type(),
            )?;
            c.encode(m)?;
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::Reading;

    pub(super) fn read(r: &mut Reading) {
        // SAFETY: sysconf only reads a configuration value.
        let (page, ticks) = unsafe {
            (
                libc::sysconf(libc::_SC_PAGESIZE),
                libc::sysconf(libc::_SC_CLK_TCK),
            )
        };
        if let Ok(statm) = std::fs::read_to_string("/proc/self/statm") {
            let mut f = statm.split_whitespace().map(|v| v.parse::<u64>().ok());
            let size = f.next().flatten();
            let resident = f.next().flatten();
            if page > 0 {
                r.virtual_bytes = size.map(|p| p * page as u64);
                r.resident_bytes = resident.map(|p| p * page as u64);
            }
        }
        if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
            // Fields after the command name, which is in parentheses and may hold spaces.
            if let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) {
                let f: Vec<&str> = rest.split_whitespace().collect();
                // rest[0] is field 3 (state): utime is field 14, stime 15, threads 20,
                // starttime 22 (in ticks since boot).
                let field = |n: usize| f.get(n - 3).and_then(|v| v.parse::<u64>().ok());
                if ticks > 0 {
                    let t = ticks as f64;
                    if let (Some(u), Some(s)) = (field(14), field(15)) {
                        r.cpu_seconds = Some((u + s) as f64 / t);
                    }
                    if let (Some(start), Some(boot)) = (field(22), boot_time()) {
                        r.start_time_seconds = Some(boot as f64 + start as f64 / t);
                    }
                }
                r.threads = field(20);
            }
        }
        if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
            r.open_fds = Some(dir.count() as u64);
        }
        if let Ok(limits) = std::fs::read_to_string("/proc/self/limits") {
            r.max_fds = limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|v| v.parse().ok());
        }
    }

    /// When the system booted, in seconds since the Unix epoch.
    fn boot_time() -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        stat.lines()
            .find_map(|l| l.strip_prefix("btime "))
            .and_then(|v| v.trim().parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_figures_are_this_process() {
        let r = Reading::now();
        assert!(r.resident_bytes.unwrap() > 1_000_000, "{r:?}");
        assert!(r.virtual_bytes.unwrap() >= r.resident_bytes.unwrap());
        assert!(r.open_fds.unwrap() >= 3, "stdin, stdout, stderr at least");
        assert!(r.max_fds.unwrap() >= r.open_fds.unwrap());
        assert!(r.threads.unwrap() >= 1);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let started = r.start_time_seconds.unwrap();
        assert!(
            started <= now + 1.0 && started > now - 86_400.0 * 365.0,
            "{started} vs {now}"
        );
        assert!(r.cpu_seconds.unwrap() >= 0.0);
    }
}
