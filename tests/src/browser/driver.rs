//! One chromedriver process and the Chromium windows it starts, as a unit that cannot outlive its
//! test: it runs in a process group of its own, a watchdog kills the whole group when the time
//! limit passes, and dropping it kills the group at once (browsers included) and reaps it.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// A running chromedriver, listening on loopback.
pub struct Driver {
    child: Child,
    /// `http://127.0.0.1:PORT/`, where fantoccini talks WebDriver to it.
    pub url: String,
    /// Dropping it tells the watchdog the session ended in time.
    _watchdog: mpsc::Sender<()>,
}

/// How long chromedriver may take to say where it listens.
const STARTUP: Duration = Duration::from_secs(20);

impl Driver {
    /// Starts chromedriver on a free loopback port; the whole process group is killed after
    /// `limit` if it is still running then.
    pub fn launch(chromedriver: &Path, limit: Duration) -> Result<Driver, String> {
        use std::os::unix::process::CommandExt;
        let mut child = Command::new(chromedriver)
            // Port 0: the system picks a free one and chromedriver says which.
            .args(["--port=0", "--log-level=SEVERE"])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))?;
        // What it says on either stream, kept (up to `SAID`) to read the port from and to show
        // if it never names one.
        let said = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let readers = [
            drain(stdout, Arc::clone(&said), Some(port_tx)),
            drain(stderr, Arc::clone(&said), None),
        ];
        let port = match port_rx.recv_timeout(STARTUP) {
            Ok(port) => port,
            Err(why) => {
                kill_group(child.id());
                let ended = match child.wait() {
                    Ok(status) => status.to_string(),
                    Err(e) => format!("cannot tell: {e}"),
                };
                // Its pipes are closed now that its whole group is gone: read them to the end.
                for reader in readers {
                    let _ = reader.join();
                }
                let when = match why {
                    mpsc::RecvTimeoutError::Timeout => format!("within {STARTUP:?}"),
                    mpsc::RecvTimeoutError::Disconnected => "before it ended".to_owned(),
                };
                let said = said.lock().unwrap_or_else(|p| p.into_inner());
                return Err(format!(
                    "{} did not say which port it listens on {when} ({ended}; it said: {:?})",
                    chromedriver.display(),
                    String::from_utf8_lossy(&said).trim()
                ));
            }
        };
        let (watchdog, ended) = mpsc::channel::<()>();
        let group = child.id();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = ended.recv_timeout(limit) {
                eprintln!(
                    "browser: the session ran past {limit:?}; killing chromedriver and Chromium"
                );
                kill_group(group);
            }
        });
        Ok(Driver {
            child,
            url: format!("http://127.0.0.1:{port}/"),
            _watchdog: watchdog,
        })
    }
}

impl Driver {
    /// The process group of chromedriver and its browsers.
    pub fn process_group(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        kill_group(self.child.id());
        let _ = self.child.wait();
    }
}

/// How much of what chromedriver says is kept.
const SAID: usize = 8 * 1024;

/// Reads `stream` to its end on a thread of its own, so that chromedriver never blocks on a full
/// pipe; keeps the first [`SAID`] bytes in `said` and, with `port`, sends the port once `said`
/// names it.
fn drain(
    mut stream: impl Read + Send + 'static,
    said: Arc<Mutex<Vec<u8>>>,
    mut port: Option<mpsc::Sender<u16>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = stream.read(&mut chunk) {
            if n == 0 {
                break;
            }
            let mut said = said.lock().unwrap_or_else(|p| p.into_inner());
            let room = SAID.saturating_sub(said.len());
            said.extend_from_slice(&chunk[..n.min(room)]);
            if let Some(tx) = port.as_ref()
                && let Some(found) = port_in(&String::from_utf8_lossy(&said))
            {
                let _ = tx.send(found);
                port = None;
            }
        }
    })
}

/// The port in chromedriver's "… was started successfully on port 41235." line.
fn port_in(said: &str) -> Option<u16> {
    let after = said.split("started successfully on port ").nth(1)?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    // The number is complete once something follows it.
    (digits.len() < after.len()).then(|| digits.parse().ok())?
}

/// SIGKILL to the process group led by `leader`: chromedriver and every browser it started.
fn kill_group(leader: u32) {
    // SAFETY: kill has no memory preconditions; a group that is gone yields ESRCH.
    unsafe {
        libc::kill(-(leader as libc::pid_t), libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_port_is_read_once_complete() {
        let line = "ChromeDriver was started successfully on port 41235.";
        assert_eq!(super::port_in(line), Some(41235));
        assert_eq!(
            super::port_in("ChromeDriver was started successfully on port 412"),
            None
        );
        assert_eq!(super::port_in("Starting ChromeDriver on port 0"), None);
    }

    /// A driver that ends without naming its port fails at once, and the failure shows what it
    /// said on either stream, so a CI log says why.
    #[test]
    fn a_driver_that_ends_early_says_what_it_said() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a temporary folder");
        let fake = dir.path().join("chromedriver");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho 'Starting ChromeDriver on port 0'\necho 'bind() failed' >&2\nexit 3\n",
        )
        .expect("the fake driver is written");
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755))
            .expect("the fake driver is executable");
        let started = std::time::Instant::now();
        let Err(e) = super::Driver::launch(&fake, super::Duration::from_secs(60)) else {
            panic!("a driver that names no port was taken as started");
        };
        assert!(
            started.elapsed() < super::STARTUP,
            "it waited for the timeout: {e}"
        );
        assert!(e.contains("Starting ChromeDriver on port 0"), "{e}");
        assert!(e.contains("bind() failed"), "{e}");
        assert!(e.contains("before it ended (exit status: 3;"), "{e}");
    }
}
