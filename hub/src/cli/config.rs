//! `hub config check`: read a site file as the hub would, and say what it comes to — the
//! roster, the time zone and every setting in force, each marked where it differs from the
//! default — or which rule it broke.

use std::path::Path;

use super::print;
use crate::settings::{Settings, effective};
use crate::{Config, Site};

/// Checks `site` (the embedded Longfor file if `None`) and prints what the hub would run with.
pub(super) fn check(site: Option<&Path>) -> Result<(), String> {
    let (source, site) = match site {
        Some(path) => (
            path.display().to_string(),
            Site::load(path).map_err(|e| e.to_string())?,
        ),
        None => ("the built-in Longfor site".to_owned(), Site::longfor()),
    };
    let mut out = format!("{source} is a valid site file.\n\n");
    let posts: Vec<&str> = site.posts.iter().map(|p| p.code()).collect();
    let rooms: Vec<String> = site.vip_rooms.iter().map(|k| format!("VIP{k}")).collect();
    out += &format!("site       {}\n", site.name);
    out += &format!("posts      {}\n", posts.join(" "));
    out += &format!("VIP rooms  {}\n", rooms.join(" "));
    out += &format!("time zone  {}\n", site.zone);
    if site.rota_groups.is_empty() {
        out += "rota       no groups: managers choose their duty when they sign in\n";
    } else {
        for (i, g) in site.rota_groups.iter().enumerate() {
            let names: Vec<&str> = g.iter().map(|m| m.as_str()).collect();
            out += &format!("rota       group {}: {}\n", i + 1, names.join(" "));
        }
    }
    let config = Config::new("data").with_site(site);
    let defaults = effective(&Config::new("data"));
    out += "\nsettings (* = set by the file; the rest are defaults)\n";
    for ((name, value), (_, default)) in effective(&config).into_iter().zip(defaults) {
        let mark = if value == default { ' ' } else { '*' };
        let about = Settings::DEFAULTS
            .iter()
            .find(|s| s.name == name)
            .map_or("", |s| s.about);
        out += &format!("{mark} {name:<24} {value:<10} {about}\n");
    }
    print(&out)
}
