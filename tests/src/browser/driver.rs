//! One chromedriver process and the Chromium windows it starts, as a unit that cannot outlive its
//! test: it runs in a process group of its own, a watchdog kills the whole group when the time
//! limit passes, and dropping it kills the group at once (browsers included) and reaps it.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))?;
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let (port_tx, port_rx) = mpsc::channel();
        // Read what chromedriver says until it names its port, then keep draining its stdout so
        // that it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut said = Vec::new();
            let mut chunk = [0u8; 4096];
            let mut port_tx = Some(port_tx);
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                if let Some(tx) = port_tx.as_ref() {
                    said.extend_from_slice(&chunk[..n]);
                    if let Some(port) = port_in(&String::from_utf8_lossy(&said)) {
                        let _ = tx.send(port);
                        port_tx = None;
                    }
                }
            }
        });
        let port = match port_rx.recv_timeout(STARTUP) {
            Ok(port) => port,
            Err(_) => {
                kill_group(child.id());
                let _ = child.wait();
                return Err(format!(
                    "{} did not say which port it listens on within {STARTUP:?}",
                    chromedriver.display()
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
}
