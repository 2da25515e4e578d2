//! The hub a subcommand talks to, from the global options: URL, token and encoding — and the one
//! wording of "could not connect" that names the URL, so a person sees at once what was tried.

use std::time::Duration;

use protocol::Codec;
use protocol::ErrorCode;
use protocol::envelope::Resume;
use tablet::{Options, Roots, Tablet, TabletError};

use super::{Failure, HubArgs};

/// A hub to connect to as one tablet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hub {
    pub url: String,
    pub token: String,
    pub codec: Codec,
    /// The site's CA for a wss:// hub (`--ca`); `None`: the system's.
    pub roots: Option<Roots>,
}

impl Hub {
    /// The hub of the command line; a token is required to connect.
    pub fn from_args(args: &HubArgs) -> Result<Hub, Failure> {
        let token = match args.token.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t.to_owned(),
            _ => {
                return Err(Failure::new(
                    "no token: pass --token T or set RADIO_TOKEN (mint one with `hub token POST`)",
                ));
            }
        };
        let roots = match &args.ca {
            Some(path) => {
                Some(Roots::ca_file(path).map_err(|e| Failure::new(format!("--ca: {e}")))?)
            }
            None => None,
        };
        Ok(Hub {
            url: args.hub.trim().to_owned(),
            token,
            roots,
            codec: if args.json {
                Codec::Json
            } else {
                Codec::MsgPack
            },
        })
    }

    /// Connection options: this hub's codec, resuming where asked.
    pub fn options(&self, resume: Option<Resume>) -> Options {
        Options {
            codec: self.codec,
            resume,
            roots: self.roots.clone(),
            ..Options::default()
        }
    }

    /// The failure for a first connection that did not work.
    pub fn cannot_connect(&self, e: &TabletError) -> Failure {
        Failure::new(match e {
            TabletError::Closed { .. } | TabletError::Refused { .. } => {
                format!("the hub at {} turned this tablet away: {e}", self.url)
            }
            _ => format!("cannot connect to the hub at {}: {e}", self.url),
        })
    }
}

impl Hub {
    /// One plain connection for a one-shot command (tap, state, report): no resume, no
    /// reconnecting — a hub that is away is reported at once.
    pub(crate) async fn tablet(&self) -> Result<Tablet, Failure> {
        self.tablet_welcomed().await.map(|(tablet, _)| tablet)
    }

    /// A connected tablet and the hub's welcome (its station, the site's time zone).
    pub(crate) async fn tablet_welcomed(&self) -> Result<(Tablet, tablet::Welcome), Failure> {
        Tablet::connect(&self.url, &self.token, self.options(None))
            .await
            .map_err(|e| self.cannot_connect(&e))
    }
}

/// The failure for a command the hub answered with an error. A refusal that names its rule
/// reads `refused (RULE): MESSAGE`, as a refused sentence does; any other error says its code.
pub(crate) fn refused(e: &TabletError) -> Failure {
    match e {
        TabletError::Refused {
            code: ErrorCode::Refused | ErrorCode::NotUnderstood,
            message,
            rule: Some(rule),
        } => Failure::new(format!("refused ({rule}): {message}")),
        other => Failure::new(other.to_string()),
    }
}

/// What a dropped connection or a failed reconnect looks like on stderr.
pub(crate) fn lost_text(error: &TabletError, retry_in: Duration, failures: u32) -> String {
    if failures <= 1 {
        format!(
            "radio: connection lost ({error}); reconnecting in {}",
            human(retry_in)
        )
    } else {
        format!(
            "radio: reconnect attempt {} failed ({error}); retrying in {}",
            failures - 1,
            human(retry_in)
        )
    }
}

/// A wait as people read it: "250 ms", "5 s".
pub(crate) fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(token: Option<&str>, json: bool) -> HubArgs {
        HubArgs {
            hub: " ws://h:1/ws ".into(),
            token: token.map(str::to_owned),
            json,
            ca: None,
            hub_given: false,
        }
    }

    #[test]
    fn a_token_is_required() {
        assert!(Hub::from_args(&args(None, false)).is_err());
        assert!(Hub::from_args(&args(Some("  "), false)).is_err());
        let hub = Hub::from_args(&args(Some("abc.def"), true)).unwrap();
        assert_eq!(hub.url, "ws://h:1/ws");
        assert_eq!(hub.codec, Codec::Json);
    }

    #[test]
    fn connect_failures_name_the_url() {
        let hub = Hub::from_args(&args(Some("t"), false)).unwrap();
        let f = hub.cannot_connect(&TabletError::Io("Connection refused".into()));
        assert_eq!(f.code, 1);
        assert!(f.message.contains("ws://h:1/ws"), "{}", f.message);
        let f = hub.cannot_connect(&TabletError::closed(Some(4500), ""));
        assert!(f.message.contains("bad token"), "{}", f.message);
    }

    #[test]
    fn refusals_name_their_rule() {
        let f = refused(&TabletError::Refused {
            code: ErrorCode::Refused,
            message: "greeted is tapped by Y1岗/Y2岗, not L2岗".into(),
            rule: Some("wrong_post".into()),
        });
        assert_eq!(f.code, 1);
        assert_eq!(
            f.message,
            "refused (wrong_post): greeted is tapped by Y1岗/Y2岗, not L2岗"
        );
        let f = refused(&TabletError::Refused {
            code: ErrorCode::Impersonation,
            message: "not you".into(),
            rule: None,
        });
        assert_eq!(f.message, "refused (impersonation): not you");
        let f = refused(&TabletError::Timeout);
        assert!(f.message.contains("no reply"), "{}", f.message);
    }

    #[test]
    fn waits_read_well() {
        assert_eq!(human(Duration::from_millis(200)), "200 ms");
        assert_eq!(human(Duration::from_secs(5)), "5 s");
    }
}
