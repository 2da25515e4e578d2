//! `hub token`: mint a post's token, and with `--link` its sign-in link and QR code.

use super::print;
use crate::Secret;
use protocol::Station;

/// Mints a token; with `link` (`Some(host)`), also prints the sign-in link and its QR code.
pub(super) fn token(
    post: &str,
    name: Option<&str>,
    data: &std::path::Path,
    link: Option<Option<String>>,
) -> Result<(), String> {
    let station = match (post.trim(), name) {
        ("X" | "x", Some(name)) => Station::manager(name).map_err(|e| e.to_string())?,
        ("X" | "x", None) => return Err("a client manager's token needs --name NAME".into()),
        (code, None) => code.parse::<Station>().map_err(|e| e.to_string())?,
        (_, Some(_)) => return Err("--name is only for a client manager (post X)".into()),
    };
    let secret = Secret::load_or_create(data).map_err(|e| e.to_string())?;
    let token = secret.mint(&station, crate::switchboard::now_ms());
    let Some(host) = link else {
        return print(&format!("{token}\n"));
    };
    let host = host.as_deref().unwrap_or(crate::link::DEFAULT_HOST);
    let url = crate::link::link_to(host, crate::link::page_for(&station), &token)?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let qr = crate::link::qr_lines(&url, ansi)?;
    print(&format!("{token}\n{url}\n{}\n", qr.join("\n")))?;
    if crate::link::is_loopback(&url) {
        let post = match name {
            Some(name) => format!("{post} --name {name}"),
            None => post.to_owned(),
        };
        eprintln!(
            "hub: this link opens on this machine only. For a tablet, run the hub on the \
             gallery's network (`hub serve --listen 0.0.0.0:7700`) and name this machine's \
             address on it: `hub token {post} --link --host ADDRESS:7700`"
        );
    }
    Ok(())
}
