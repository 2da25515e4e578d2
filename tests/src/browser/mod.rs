//! Headless Chromium driven from Rust, for end-to-end tests of the pages the hub serves: open a
//! page of a [`TestHub`](crate::TestHub) at a tablet's, a phone's or a big screen's size, wait for
//! what should appear, click, type, run JavaScript, read the text, save screenshots — and fail
//! the test on any uncaught error, failed load or CSP violation in the page's console.
//!
//! The driver is **fantoccini** (W3C WebDriver) talking to Debian's **chromedriver**, which
//! ships in step with Debian's Chromium (`chromium-driver`): a small crate (kept by a
//! long-standing maintainer) whose HTTP stack — hyper, tokio — the hub already builds, and a
//! standard protocol. A DevTools client such as chromiumoxide would build a generated crate of
//! the whole DevTools protocol and track its versions; the two DevTools commands a test needs
//! (an exact viewport, the time zone) pass through chromedriver's `goog/cdp/execute`.
//!
//! Bounded and cleaned up: one [`Browser`] per test runs its own chromedriver in a process group
//! that a watchdog kills after [`SESSION_LIMIT`] and that is killed when the `Browser` drops,
//! Chromium included; every wait gives up after [`WAIT`](crate::WAIT) with a screenshot; at most
//! [`AT_ONCE`] browsers run at once in a test binary. Chromium never reaches past loopback: no
//! proxy, and every host name but `localhost` fails to resolve.
//!
//! Screenshots go to `target/screenshots/<test>/<name>.png` (outside git); set
//! `RADIO_SCREENSHOTS=DIR` to put them elsewhere.

mod console;
mod driver;
pub mod install;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

pub use console::Entry;
use console::SessionPost;
use driver::Driver;
use install::Installed;

/// How long one test's browser may run before it is killed, whatever it is doing.
pub const SESSION_LIMIT: Duration = Duration::from_secs(180);
/// Browsers running at once in one test binary (the machine has two cores).
pub const AT_ONCE: usize = 2;
/// How many times chromedriver, or a page's Chromium, is started before the test fails.
const STARTS: u32 = 3;
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(25);

static BROWSERS: Semaphore = Semaphore::const_new(AT_ONCE);

/// The size of the screen a page is shown on, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    /// A phone: the page's `<meta name=viewport>` applies and touch events are on.
    pub mobile: bool,
}

impl Viewport {
    /// A 10-inch tablet at a post, landscape.
    pub const TABLET: Viewport = Viewport {
        width: 1280,
        height: 800,
        mobile: false,
    };
    /// A phone, portrait.
    pub const PHONE: Viewport = Viewport {
        width: 390,
        height: 844,
        mobile: true,
    };
    /// The supervisor's big screen.
    pub const BIG_SCREEN: Viewport = Viewport {
        width: 1920,
        height: 1080,
        mobile: false,
    };
}

/// One test's browser: a chromedriver and the Chromium windows ([`Page`]s) it opens, each with a
/// profile of its own (its own localStorage: its own tablet).
pub struct Browser {
    test: String,
    installed: Installed,
    shots: PathBuf,
    // Dropped in this order: the processes, then their profiles' folder.
    driver: Driver,
    profiles: tempfile::TempDir,
    _turn: SemaphorePermit<'static>,
}

impl Browser {
    /// Finds (or, as root, installs) Chromium and starts its driver for the test named `test`,
    /// whose screenshots go to `target/screenshots/<test>/` (emptied first).
    pub async fn start(test: &str) -> Browser {
        let turn = BROWSERS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let installed = tokio::task::spawn_blocking(install::ensure)
            .await
            .expect("the install check does not panic")
            .unwrap_or_else(|e| panic!("{e}"));
        let driver = start_with_retries(&format!("{test}: chromedriver"), |_| {
            let chromedriver = installed.chromedriver.clone();
            async move {
                tokio::task::spawn_blocking(move || Driver::launch(&chromedriver, SESSION_LIMIT))
                    .await
                    .expect("the driver launch does not panic")
            }
        })
        .await;
        let shots = screenshots_root().join(sanitize(test));
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots)
            .unwrap_or_else(|e| panic!("cannot make {}: {e}", shots.display()));
        Browser {
            test: test.to_owned(),
            installed,
            shots,
            driver,
            profiles: tempfile::tempdir().expect("a temp dir for browser profiles"),
            _turn: turn,
        }
    }

    /// Where this test's screenshots go.
    pub fn screenshots(&self) -> &Path {
        &self.shots
    }

    /// The process group of this browser's driver and windows (all killed on drop).
    pub fn process_group(&self) -> u32 {
        self.driver.process_group()
    }

    /// Opens a new window (a browser of its own: its own storage) of `viewport`'s size; `name`
    /// names it in messages and screenshots.
    pub async fn page(&self, name: &str, viewport: Viewport) -> Page {
        // Chromium now and then exits as it starts on a loaded machine ("session not created:
        // Chrome instance exited"), before any page: that is tried again, said, with a fresh
        // profile (the one it left may still be locked). A page that fails once open is not.
        let what = format!("{}: Chromium for {name}", self.test);
        let client = start_with_retries(&what, |attempt| {
            let profile = self
                .profiles
                .path()
                .join(format!("{}-{attempt}", sanitize(name)));
            async move { self.session(&profile, viewport).await }
        })
        .await;
        let page = Page {
            name: name.to_owned(),
            test: self.test.clone(),
            client,
            shots: self.shots.clone(),
            errors: Mutex::new(Vec::new()),
            allow_errors: AtomicBool::new(false),
        };
        // The exact size whatever the window decorations, a phone's touch, and the gallery's
        // time zone and language.
        page.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": viewport.width,
                "height": viewport.height,
                "deviceScaleFactor": 1,
                "mobile": viewport.mobile,
            }),
        )
        .await;
        page.cdp(
            "Emulation.setTouchEmulationEnabled",
            json!({ "enabled": viewport.mobile, "maxTouchPoints": 5 }),
        )
        .await;
        page.cdp(
            "Emulation.setTimezoneOverride",
            json!({ "timezoneId": "Asia/Shanghai" }),
        )
        .await;
        page.cdp("Emulation.setLocaleOverride", json!({ "locale": "zh-CN" }))
            .await;
        page
    }

    /// A WebDriver session: one Chromium with its own `profile`, at `viewport`'s size.
    async fn session(
        &self,
        profile: &Path,
        viewport: Viewport,
    ) -> Result<Client, fantoccini::error::NewSessionError> {
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.installed.chromium,
                "args": chromium_args(profile, viewport),
            },
            "goog:loggingPrefs": { "browser": "ALL" },
            "timeouts": { "pageLoad": 20_000, "script": 10_000, "implicit": 0 },
        });
        let Value::Object(caps) = caps else {
            unreachable!("a JSON object")
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.driver.url)
            .await
    }
}

/// Starts `what` with `start(attempt)`, up to [`STARTS`] times: a failure before the last is said
/// and tried again after a pause; the last fails the test.
async fn start_with_retries<T, E, Started>(what: &str, mut start: impl FnMut(u32) -> Started) -> T
where
    E: std::fmt::Display,
    Started: std::future::Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match start(attempt).await {
            Ok(started) => return started,
            Err(e) if attempt < STARTS => {
                eprintln!("{what} did not start (try {attempt} of {STARTS}): {e}");
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("{what} does not start ({STARTS} tries): {e}"),
        }
    }
}

fn chromium_args(profile: &Path, viewport: Viewport) -> Vec<String> {
    let mut args: Vec<String> = [
        "--headless=new",
        // Chromium's sandbox does not run as root (CI is root).
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--lang=zh-CN",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-crash-reporter",
        // Nothing but loopback: no proxy, nothing resolves but localhost and 127.0.0.1, no background traffic.
        "--no-proxy-server",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-domain-reliability",
        "--disable-sync",
        "--no-pings",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    ]
    .map(String::from)
    .into();
    args.push(format!(
        "--window-size={},{}",
        viewport.width, viewport.height
    ));
    args.push(format!("--user-data-dir={}", profile.display()));
    args
}

/// The page's load, as `performance` saw it: for the "what a tablet downloads" and "time to a
/// usable page" measurements.
#[derive(Clone, Debug)]
pub struct LoadReport {
    /// Bytes over the wire: the document and every resource (headers included).
    pub bytes: u64,
    /// Every URL loaded, the document first.
    pub urls: Vec<String>,
    /// From navigation start to `DOMContentLoaded` done, and to `load` done.
    pub dom_ready: Duration,
    pub loaded: Duration,
}

/// One browser window showing one page. Its console is read after every step, and once more by
/// [`Page::close`]: end a test with `close()` so that an error after the last step fails it too.
pub struct Page {
    pub name: String,
    test: String,
    client: Client,
    shots: PathBuf,
    errors: Mutex<Vec<Entry>>,
    allow_errors: AtomicBool,
}

impl Page {
    /// Goes to `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        if let Err(e) = self.client.goto(url).await {
            self.fail(&format!("cannot open {url}: {e}")).await;
        }
        self.check().await;
    }

    /// The first element matching the CSS selector, waiting up to [`WAIT`](crate::WAIT).
    pub async fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + crate::WAIT;
        loop {
            if let Ok(found) = self.client.find(Locator::Css(css)).await {
                self.check().await;
                return found;
            }
            if Instant::now() > deadline {
                self.fail(&format!("waited {:?} for `{css}`", crate::WAIT))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the element matching `css` shows `text` (as part of its visible text); its
    /// whole text.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> String {
        self.wait_for_text_within(css, text, crate::WAIT).await
    }

    /// [`wait_for_text`](Self::wait_for_text) for as long as `within`: for what the page does
    /// on its own time, such as its next try at reconnecting after a backoff.
    pub async fn wait_for_text_within(&self, css: &str, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        let mut last = None;
        loop {
            if let Ok(found) = self.client.find(Locator::Css(css)).await {
                if let Ok(shown) = found.text().await {
                    if shown.contains(text) {
                        self.check().await;
                        return shown;
                    }
                    last = Some(shown);
                }
            }
            if Instant::now() > deadline {
                let shown = match last {
                    Some(shown) => format!("it shows {shown:?}"),
                    None => "it is not there".to_owned(),
                };
                self.fail(&format!(
                    "waited {within:?} for `{css}` to show {text:?}; {shown}"
                ))
                .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the JavaScript expression `expr` is truthy; its value. `what` says what is
    /// awaited, for the failure message.
    pub async fn wait_until(&self, what: &str, expr: &str) -> Value {
        let deadline = Instant::now() + crate::WAIT;
        let script = format!("return ({expr});");
        loop {
            if let Ok(value) = self.client.execute(&script, vec![]).await {
                let truthy = !matches!(value, Value::Null | Value::Bool(false))
                    && value != json!(0)
                    && value != json!("");
                if truthy {
                    self.check().await;
                    return value;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("waited {:?} for {what} ({expr})", crate::WAIT))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Clicks the element matching `css` (waiting for it).
    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        if let Err(e) = element.click().await {
            self.fail(&format!("cannot click `{css}`: {e}")).await;
        }
        self.check().await;
    }

    /// Types `text` into the element matching `css` (waiting for it).
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.wait_for(css).await;
        if let Err(e) = element.send_keys(text).await {
            self.fail(&format!("cannot type into `{css}`: {e}")).await;
        }
        self.check().await;
    }

    /// The visible text of the element matching `css` (waiting for it).
    pub async fn text(&self, css: &str) -> String {
        let element = self.wait_for(css).await;
        match element.text().await {
            Ok(text) => text,
            Err(e) => self.fail(&format!("cannot read `{css}`: {e}")).await,
        }
    }

    /// All the text the page shows.
    pub async fn page_text(&self) -> String {
        self.js("return document.body.innerText;", vec![])
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs `script` (a function body: `return …` gives its value) with `args` as `arguments`.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        let value = match self.client.execute(script, args).await {
            Ok(value) => value,
            Err(e) => self.fail(&format!("script failed: {e}\n{script}")).await,
        };
        self.check().await;
        value
    }

    /// Runs `script` asynchronously: it gets `args` as `arguments`, plus a last argument, the
    /// callback to call with its result (for a `MutationObserver`, a `WebSocket` message, a
    /// timer measured inside the page). Gives up after the session's 10 s script timeout.
    pub async fn js_async(&self, script: &str, args: Vec<Value>) -> Value {
        let value = match self.client.execute_async(script, args).await {
            Ok(value) => value,
            Err(e) => {
                self.fail(&format!("async script failed: {e}\n{script}"))
                    .await
            }
        };
        self.check().await;
        value
    }

    /// Reloads the page and waits for it to load.
    pub async fn reload(&self) {
        if let Err(e) = self.client.refresh().await {
            self.fail(&format!("cannot reload: {e}")).await;
        }
        self.check().await;
    }

    /// The address the page is at now.
    pub async fn url(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(e) => self.fail(&format!("no current URL: {e}")).await,
        }
    }

    /// Saves the page as `target/screenshots/<test>/<name>.png` and returns the path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = self
            .save_screenshot(name)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.check().await;
        path
    }

    async fn save_screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|e| format!("{}: no screenshot of {}: {e}", self.test, self.name))?;
        let path = self.shots.join(format!("{}.png", sanitize(name)));
        std::fs::write(&path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("screenshot: {}", path.display());
        Ok(path)
    }

    /// What the page downloaded and how long it took, from the Navigation and Resource Timing
    /// APIs (read after the page has loaded).
    pub async fn load_report(&self) -> LoadReport {
        let report = self
            .js(
                "const nav = performance.getEntriesByType('navigation')[0];
                 const res = performance.getEntriesByType('resource');
                 return {
                   urls: [nav.name, ...res.map(r => r.name)],
                   bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0),
                   dom_ready: nav.domContentLoadedEventEnd,
                   loaded: nav.loadEventEnd,
                 };",
                vec![],
            )
            .await;
        let ms = |key: &str| Duration::from_secs_f64(report[key].as_f64().unwrap_or(0.0) / 1000.0);
        LoadReport {
            bytes: report["bytes"].as_u64().unwrap_or(0),
            urls: report["urls"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|u| u.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            dom_ready: ms("dom_ready"),
            loaded: ms("loaded"),
        }
    }

    /// Lets the page log errors without failing the test (to test that errors are caught);
    /// read them with [`Page::console_errors`].
    pub fn allow_console_errors(&self) {
        self.allow_errors.store(true, Ordering::Relaxed);
    }

    /// The errors the page's console has shown so far.
    pub async fn console_errors(&self) -> Vec<Entry> {
        self.check().await;
        self.errors.lock().unwrap().clone()
    }

    /// Ends the window, failing the test if the console showed an error.
    pub async fn close(self) {
        self.check().await;
        let _ = self.client.close().await;
    }

    async fn cdp(&self, cmd: &str, params: Value) {
        if let Err(e) = self.client.issue_cmd(SessionPost::cdp(cmd, params)).await {
            self.fail(&format!("DevTools {cmd} failed: {e}")).await;
        }
    }

    /// Reads the console; fails the test on an error unless errors are allowed.
    async fn check(&self) {
        let entries = match self.client.issue_cmd(SessionPost::browser_log()).await {
            Ok(Value::Array(entries)) => entries,
            Ok(other) => panic!("{}: the browser log is not a list: {other}", self.name),
            Err(e) => panic!("{}: cannot read the browser log: {e}", self.name),
        };
        let errors: Vec<Entry> = entries
            .iter()
            .map(Entry::from_json)
            .filter(Entry::is_error)
            .collect();
        if errors.is_empty() {
            return;
        }
        let all = {
            let mut kept = self.errors.lock().unwrap();
            kept.extend(errors);
            kept.clone()
        };
        if !self.allow_errors.load(Ordering::Relaxed) {
            let shot = self
                .save_screenshot(&format!("{}-console-error", self.name))
                .await;
            let list: Vec<String> = all.iter().map(|e| format!("  {e}")).collect();
            panic!(
                "{}: the page's console shows errors:\n{}\n(screenshot: {})",
                self.name,
                list.join("\n"),
                shot.map(|p| p.display().to_string()).unwrap_or_else(|e| e)
            );
        }
    }

    /// Fails the test with what the page shows: a screenshot, its text and its console.
    async fn fail(&self, what: &str) -> ! {
        let shot = self.save_screenshot(&format!("{}-failed", self.name)).await;
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let errors: Vec<String> = self
            .errors
            .lock()
            .unwrap()
            .iter()
            .map(|e| format!("  {e}"))
            .collect();
        panic!(
            "{}: {what}\npage text: {:?}\nconsole errors:\n{}\n(screenshot: {})",
            self.name,
            text.chars().take(2000).collect::<String>(),
            errors.join("\n"),
            shot.map(|p| p.display().to_string()).unwrap_or_else(|e| e)
        );
    }
}

/// `target/screenshots` beside the test binary (`target/debug/deps/…`), or `RADIO_SCREENSHOTS`.
pub fn screenshots_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("RADIO_SCREENSHOTS") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .map(|target| target.join("screenshots"))
        .unwrap_or_else(|| std::env::temp_dir().join("radio-screenshots"))
}

/// A name safe as a file name: letters, digits, `-` and `_` (others become `_`).
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{STARTS, start_with_retries};

    /// A start that fails is tried again, told which attempt it is, up to `STARTS` times.
    #[tokio::test]
    async fn a_failed_start_is_tried_again_then_fails_the_test() {
        let mut tried = Vec::new();
        let started = start_with_retries("a flaky thing", |attempt| {
            tried.push(attempt);
            async move {
                if attempt < STARTS {
                    Err("exited")
                } else {
                    Ok(attempt)
                }
            }
        })
        .await;
        assert_eq!(started, STARTS);
        assert_eq!(tried, (1..=STARTS).collect::<Vec<_>>());

        let never = tokio::spawn(start_with_retries("a broken thing", |_| async {
            Err::<(), _>("exited")
        }));
        let panic = never.await.expect_err("it gives up").into_panic();
        let said = panic.downcast_ref::<String>().expect("a formatted message");
        assert_eq!(
            said,
            &format!("a broken thing does not start ({STARTS} tries): exited")
        );
    }
}
