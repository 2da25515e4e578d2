//! A tablet's sign-in link, `http://HOST:PORT/#token=…` — `https://` when the hub serves TLS —
//! (the supervisor's opens the dashboard, `/dashboard#token=…`), and the same link as a QR code
//! drawn in the terminal for the tablet's camera (`hub token POST --link`).
//!
//! The token rides in the URL's fragment, which a browser never sends to a server, so it stays out
//! of every access log and proxy; the page reads it from `location.hash`, keeps it, and removes it
//! from the address bar.

use protocol::{Post, Station};
use qrcode::{Color, EcLevel, QrCode};

/// The address a link names when none is given: the hub's own default listen address.
pub const DEFAULT_HOST: &str = "127.0.0.1:7700";

/// Modules of light margin around the code, as the QR standard asks; scanners need it.
const QUIET_ZONE: usize = 4;

/// The command that mints a station's token: `hub token L1`, `hub token X --name 张伟`.
pub fn token_command(station: &Station) -> String {
    match station {
        Station::Post(p) => format!("hub token {}", p.code()),
        Station::Manager(name) => format!("hub token X --name {name}"),
    }
}

/// The page a station's link opens: the supervisor's dashboard, or the tablet page.
pub fn page_for(station: &Station) -> &'static str {
    match station {
        Station::Post(Post::Sup) => "/dashboard",
        _ => "/",
    }
}

/// The link that signs a tablet in: the tablet page on `host` with `token` in the fragment.
/// `host` is `HOST` or `HOST:PORT` (7700 when no port is given); it must be a bare address.
pub fn link(host: &str, token: &str) -> Result<String, String> {
    link_to(host, "/", token)
}

/// Whether the hub's pages are plain HTTP or HTTPS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// The link to `page` (`/`, `/dashboard`) on `host` that signs in with `token`, over HTTP.
pub fn link_to(host: &str, page: &str, token: &str) -> Result<String, String> {
    link_in(Scheme::Http, host, page, token)
}

/// The link to `page` on `host` that signs in with `token`, over `scheme`.
pub fn link_in(scheme: Scheme, host: &str, page: &str, token: &str) -> Result<String, String> {
    let host = host.trim();
    let bare = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !bare {
        return Err(format!(
            "--host {host:?}: give the hub's address as HOST:PORT, e.g. 192.0.2.10:7700"
        ));
    }
    let has_port = match host.rsplit_once(':') {
        Some((h, port)) => !h.is_empty() && !port.is_empty() && port.parse::<u16>().is_ok(),
        None => false,
    } && (!host.starts_with('[') || host.contains("]:"));
    let host = if has_port {
        host.to_owned()
    } else {
        format!("{host}:7700")
    };
    Ok(format!("{}://{host}{page}#token={token}", scheme.as_str()))
}

/// The token a sign-in link carries, if it is one.
pub fn token_of(link: &str) -> Option<&str> {
    let (_, fragment) = link.split_once('#')?;
    fragment
        .split('&')
        .find_map(|part| part.strip_prefix("token="))
        .filter(|t| !t.is_empty())
}

/// Whether a link's host is this machine only (a tablet could not open it).
pub fn is_loopback(link: &str) -> bool {
    let host = link
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or("");
    host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]")
}

/// `text` as a QR code in lines of Unicode half blocks: each character is two modules, one above
/// the other (▀ ▄ █ or a space), dark modules drawn, with the standard quiet zone. With `ansi`,
/// each line is painted black on white, so the code reads the right way round on a dark
/// terminal too; without it (a file, a pipe) the blocks are the dark modules.
pub fn qr_lines(text: &str, ansi: bool) -> Result<Vec<String>, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L)
        .map_err(|e| format!("cannot make a QR code of the link: {e}"))?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let dark = |x: usize, y: usize| {
        x >= QUIET_ZONE
            && y >= QUIET_ZONE
            && x < QUIET_ZONE + width
            && y < QUIET_ZONE + width
            && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == Color::Dark
    };
    let lines = (0..size.div_ceil(2))
        .map(|row| {
            let line: String = (0..size)
                .map(|x| match (dark(x, 2 * row), dark(x, 2 * row + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                })
                .collect();
            if ansi {
                format!("\x1b[30;107m{line}\x1b[0m")
            } else {
                line
            }
        })
        .collect();
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_rides_in_the_fragment() {
        let l = link("192.0.2.10:7700", "abc.def").unwrap();
        assert_eq!(l, "http://192.0.2.10:7700/#token=abc.def");
        assert_eq!(token_of(&l), Some("abc.def"));
        assert_eq!(
            link("tablets.local", "t").unwrap(),
            "http://tablets.local:7700/#token=t"
        );
        assert_eq!(link("[::1]:80", "t").unwrap(), "http://[::1]:80/#token=t");
        assert_eq!(link("[::1]", "t").unwrap(), "http://[::1]:7700/#token=t");
        let sup = Station::Post(Post::Sup);
        let dashboard = link_to("192.0.2.10", page_for(&sup), "t").unwrap();
        assert_eq!(dashboard, "http://192.0.2.10:7700/dashboard#token=t");
        assert_eq!(token_of(&dashboard), Some("t"));
        assert_eq!(page_for(&Station::Post(Post::L1)), "/");
        for bad in ["", "host/path", "a b", "x@y", "h#x"] {
            assert!(link(bad, "t").is_err(), "{bad:?}");
        }
        assert!(is_loopback(&link(DEFAULT_HOST, "t").unwrap()));
        assert!(!is_loopback("http://192.0.2.10:7700/#token=t"));
        let secure = link_in(Scheme::Https, "192.0.2.10", "/", "t").unwrap();
        assert_eq!(secure, "https://192.0.2.10:7700/#token=t");
        assert!(is_loopback(
            &link_in(Scheme::Https, DEFAULT_HOST, "/", "t").unwrap()
        ));
        assert_eq!(
            token_command(&Station::manager("张伟").unwrap()),
            "hub token X --name 张伟"
        );
        assert_eq!(token_command(&Station::Post(Post::L1)), "hub token L1");
    }

    #[test]
    fn the_code_is_square_with_a_quiet_zone() {
        let lines = qr_lines("http://192.0.2.10:7700/#token=abc", false).unwrap();
        let width = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == width));
        assert_eq!(lines.len(), width.div_ceil(2));
        assert!(lines[0].chars().all(|c| c == ' ') && lines[1].chars().all(|c| c == ' '));
        let ansi = qr_lines("x", true).unwrap();
        assert!(ansi[0].starts_with("\x1b[30;107m") && ansi[0].ends_with("\x1b[0m"));
    }
}
