//! The drill's own hub: the `hub` binary started for the run on a temporary data folder and a
//! free port of 127.0.0.1 (or `--listen ADDR`), its clock sped up with the drill
//! (`hub serve --clock-speed N --clock-start MS`), restarted when a scenario asks, stopped at the
//! end. A drill on its own hub never mixes into a real day's board or report.
//!
//! The binary is found next to the running program (`radio` and `hub` are built into the same
//! folder, `target/release/`), in the folder above it (a test's `deps/`), then on the PATH; or
//! given with `--hub-bin`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The hub process of a drill.
pub struct OwnHub {
    bin: PathBuf,
    data: PathBuf,
    child: Option<Child>,
    addr: SocketAddr,
    speed: Option<f64>,
}

/// A temporary data folder for the drill's hub: in memory (`/dev/shm`) where there is one, so
/// the hub's log syncs cost nothing — at 600 times real speed a 10 ms fsync would hold every
/// call for six seconds of the day — else the system's temporary folder.
pub fn scratch(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new().prefix(prefix).tempdir_in(shm) {
            return Ok(dir);
        }
    }
    tempfile::Builder::new().prefix(prefix).tempdir()
}

/// Finds the `hub` binary: `explicit`, else beside this program, one folder up, or on the PATH.
pub fn find_bin(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(format!("--hub-bin {}: no such file", p.display()))
        };
    }
    let name = format!("hub{}", std::env::consts::EXE_SUFFIX);
    let mut tried = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(2) {
            let p = dir.join(&name);
            if p.is_file() {
                return Ok(p);
            }
            tried.push(dir.display().to_string());
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(&name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(format!(
        "no `hub` binary beside this program ({}) or on the PATH. Build it with \
         `cargo build --release -p hub` (it lands beside `radio` in target/release/), \
         or name it with --hub-bin PATH",
        tried.join(", ")
    ))
}

impl OwnHub {
    /// Starts the hub on `data`, listening on `listen` (port 0: a free one), with its clock at
    /// `clock` = (start ms, speed) when given.
    pub fn start(
        bin: &Path,
        data: &Path,
        listen: SocketAddr,
        clock: Option<(u64, f64)>,
    ) -> Result<OwnHub, String> {
        let mut hub = OwnHub {
            bin: bin.to_path_buf(),
            data: data.to_path_buf(),
            child: None,
            addr: listen,
            speed: clock.map(|(_, s)| s),
        };
        hub.spawn(clock.map(|(t, _)| t))?;
        Ok(hub)
    }

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn data(&self) -> &Path {
        &self.data
    }

    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// The hub's process id, for its CPU and memory in /proc.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    fn spawn(&mut self, clock_start: Option<u64>) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data.join("hub.log"))
            .map_err(|e| format!("cannot write the hub's log in {}: {e}", self.data.display()))?;
        let mut cmd = Command::new(&self.bin);
        cmd.arg("serve")
            .arg("--listen")
            .arg(self.addr.to_string())
            .arg("--data")
            .arg(&self.data);
        if let Some(speed) = self.speed {
            cmd.arg("--clock-speed").arg(speed.to_string());
        }
        if let Some(t) = clock_start {
            cmd.arg("--clock-start").arg(t.to_string());
        }
        cmd.env("RUST_LOG", "hub=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.bin.display()))?;
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(url) = line.split_whitespace().find(|w| w.starts_with("ws://")) {
                    let _ = tx.send(url.to_owned());
                    break;
                }
            }
            for _ in lines {}
        });
        match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(url) => {
                let addr = url
                    .trim_start_matches("ws://")
                    .trim_end_matches("/ws")
                    .parse()
                    .map_err(|e| format!("the hub said it listens on {url}: {e}"))?;
                self.addr = addr;
                self.child = Some(child);
                Ok(())
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(self.data.join("hub.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                Err(format!(
                    "the hub ({}) did not start: {}",
                    self.bin.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
                ))
            }
        }
    }

    /// Stops the hub (SIGTERM, as an operator would; `hard`: SIGKILL, as a crash) and starts it
    /// again on the same port and data, its clock (when the drill sped it up) showing `now`.
    pub fn restart(&mut self, hard: bool, now: u64) -> Result<(), String> {
        self.stop_with(hard);
        self.spawn(self.speed.map(|_| now))
    }

    /// Stops the hub: SIGTERM, then SIGKILL if it has not gone in 5 s.
    pub fn stop(&mut self) {
        self.stop_with(false);
    }

    fn stop_with(&mut self, hard: bool) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if hard {
            let _ = child.kill();
        } else {
            // SAFETY: kill(2) with our own child's pid and a valid signal number.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            for _ in 0..100 {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
        }
        let _ = child.wait();
    }
}

impl Drop for OwnHub {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Mints tokens with `hub token POST --link --host HOST` for people's tablets: the token, the
/// sign-in link and its QR code, as the hub prints them.
pub fn link(bin: &Path, data: &Path, station: &str, host: &str) -> Result<String, String> {
    let mut cmd = Command::new(bin);
    cmd.arg("token");
    match station.strip_prefix("X:") {
        Some(name) => cmd.args(["X", "--name", name]),
        None => cmd.arg(station),
    };
    let out = cmd
        .args(["--link", "--host", host, "--data"])
        .arg(data)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
