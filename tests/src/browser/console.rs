//! What the page said on its console, read from chromedriver's browser log, and which of it fails
//! a test: an uncaught exception or rejected promise, a `console.error`, a resource that failed to
//! load, and every Content-Security-Policy violation.
//!
//! chromedriver collects these from the DevTools protocol (`Runtime.exceptionThrown`,
//! `Runtime.consoleAPICalled`, `Log.entryAdded`) when the session asks for
//! `goog:loggingPrefs: {browser: ALL}`; reading the log drains it.

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::Value;

/// One line of the browser's console.
#[derive(Clone, Debug)]
pub struct Entry {
    /// `SEVERE`, `WARNING`, `INFO`, `DEBUG`.
    pub level: String,
    /// Where it came from: `javascript`, `console-api`, `network`, `security`, …
    pub source: String,
    pub message: String,
}

impl Entry {
    /// Whether this entry fails a test.
    pub fn is_error(&self) -> bool {
        self.level == "SEVERE" || self.message.contains("Content Security Policy")
    }

    pub fn from_json(v: &Value) -> Entry {
        let text = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
        Entry {
            level: text("level"),
            source: text("source"),
            message: text("message"),
        }
    }
}

impl std::fmt::Display for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} {}] {}", self.level, self.source, self.message)
    }
}

/// A chromedriver command fantoccini has no method for: `POST /session/{id}/{path}`.
#[derive(Debug)]
pub struct SessionPost {
    pub path: &'static str,
    pub body: Value,
}

impl SessionPost {
    /// Drains the browser's console log.
    pub fn browser_log() -> SessionPost {
        SessionPost {
            path: "se/log",
            body: serde_json::json!({ "type": "browser" }),
        }
    }

    /// A DevTools protocol command on the page.
    pub fn cdp(cmd: &str, params: Value) -> SessionPost {
        SessionPost {
            path: "goog/cdp/execute",
            body: serde_json::json!({ "cmd": cmd, "params": params }),
        }
    }
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}
