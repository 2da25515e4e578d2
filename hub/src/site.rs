//! The site's roster: which posts are on this gallery's radio net and which VIP rooms it has.
//! Configuration, not code: the Longfor layout is embedded as the default, and `--site FILE` gives
//! another gallery's roster in the same TOML form (`hub/site/longfor.toml`).

use std::path::Path;

use protocol::zone::{UnknownZone, Zone};
use protocol::{Call, ManagerName, Post, Station};

use crate::settings::{BadSetting, Settings, SettingsFile};
use serde::Deserialize;

/// The embedded default roster.
pub const DEFAULT_SITE: &str = include_str!("../site/longfor.toml");

/// One gallery's roster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub name: String,
    pub posts: Vec<Post>,
    pub vip_rooms: Vec<u8>,
    /// Sales groups that alternate daily between visit duty and phone duty (may be empty).
    pub rota_groups: Vec<Vec<ManagerName>>,
    /// The site's time zone, for "today" (the report, the rota groups, retention).
    pub zone: Zone,
    /// The settings the site tunes (`[settings]`); what it leaves out keeps its default.
    pub settings: Settings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    name: String,
    posts: Vec<String>,
    vip_rooms: Vec<u8>,
    #[serde(default)]
    rota_groups: Vec<Vec<String>>,
    /// An IANA name (`Asia/Shanghai`) or an offset (`+08:00`).
    time_zone: Option<String>,
    /// The older form of `time_zone`: whole hours east of UTC.
    utc_offset_hours: Option<i8>,
    #[serde(default)]
    settings: SettingsFile,
}

/// Why a roster file was refused.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("cannot read site file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The file is not the roster's TOML form; compare with hub/site/longfor.toml.
    #[error("site file is not valid: {0}")]
    Toml(String),
    #[error(
        "site file names unknown post {0:?}; posts are L1 L2 Y1 Y2 G1 S1 OPS RC SUP LOBBY MODEL SHUTTLE"
    )]
    UnknownPost(String),
    #[error("site file has VIP room {0}; rooms are numbered 1..=99")]
    BadRoom(u8),
    #[error("site file's rota_groups has a bad manager name {0:?}")]
    BadManager(String),
    #[error("site file's utc_offset_hours {0} is not between -12 and 14")]
    BadOffset(i8),
    #[error("site file's time_zone: {0}")]
    BadZone(#[from] UnknownZone),
    #[error("site file gives both time_zone and utc_offset_hours: keep time_zone only")]
    TwoZones,
    #[error(transparent)]
    BadSetting(#[from] BadSetting),
}

/// Why a call does not fit this site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OffSite {
    #[error("{0} is not a post on this site's radio net")]
    Post(Post),
    #[error("VIP{0} is not a room on this site (rooms: {1})")]
    Room(u8, String),
}

impl Site {
    /// The embedded Longfor roster.
    pub fn longfor() -> Site {
        Site::from_toml(DEFAULT_SITE).expect("the embedded site file is valid")
    }

    pub fn load(path: &Path) -> Result<Site, SiteError> {
        let text = std::fs::read_to_string(path).map_err(|source| SiteError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Site::from_toml(&text)
    }

    pub fn from_toml(text: &str) -> Result<Site, SiteError> {
        let file: SiteFile = toml::from_str(text).map_err(|e| SiteError::Toml(e.to_string()))?;
        let mut posts = Vec::new();
        for code in &file.posts {
            let post = Post::from_code(code).ok_or_else(|| SiteError::UnknownPost(code.clone()))?;
            if !posts.contains(&post) {
                posts.push(post);
            }
        }
        if !posts.contains(&Post::Sup) {
            posts.push(Post::Sup);
        }
        if let Some(bad) = file
            .vip_rooms
            .iter()
            .find(|k| !(1..=protocol::intent::MAX_ROOM).contains(*k))
        {
            return Err(SiteError::BadRoom(*bad));
        }
        let mut rota_groups = Vec::new();
        for group in &file.rota_groups {
            let mut names = Vec::new();
            for name in group {
                names
                    .push(ManagerName::new(name).map_err(|_| SiteError::BadManager(name.clone()))?);
            }
            rota_groups.push(names);
        }
        let zone = match (&file.time_zone, file.utc_offset_hours) {
            (Some(_), Some(_)) => return Err(SiteError::TwoZones),
            (Some(name), None) => Zone::named(name)?,
            (None, Some(h)) if !(-12..=14).contains(&h) => return Err(SiteError::BadOffset(h)),
            (None, Some(h)) => Zone::hours_east(h)?,
            (None, None) => Zone::china(),
        };
        let settings = Settings::from_file(&file.settings)?;
        Ok(Site {
            name: file.name,
            posts,
            vip_rooms: file.vip_rooms,
            rota_groups,
            zone,
            settings,
        })
    }

    pub fn has_station(&self, s: &Station) -> bool {
        match s {
            Station::Post(p) => self.posts.contains(p),
            Station::Manager(_) => true,
        }
    }

    /// Checks that a call's posts and room exist here.
    pub fn admits(&self, call: &Call) -> Result<(), OffSite> {
        for station in [Some(&call.caller), call.target.station()]
            .into_iter()
            .flatten()
        {
            if let Station::Post(p) = station {
                if !self.posts.contains(p) {
                    return Err(OffSite::Post(*p));
                }
            }
        }
        if let Some(k) = call.intent.room() {
            if !self.vip_rooms.contains(&k) {
                let rooms = self
                    .vip_rooms
                    .iter()
                    .map(|k| format!("VIP{k}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                return Err(OffSite::Room(k, rooms));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_site_is_longfor_with_three_vip_rooms() {
        let site = Site::longfor();
        assert_eq!(site.vip_rooms, vec![1, 2, 3]);
        assert!(site.posts.contains(&Post::G1));
    }

    #[test]
    fn bad_roster_files_are_refused_with_the_reason() {
        let e = Site::from_toml("name='x'\nposts=['L1','KITCHEN']\nvip_rooms=[1]").unwrap_err();
        assert!(e.to_string().contains("KITCHEN"));
        assert!(Site::from_toml("name='x'\nposts=[]\nvip_rooms=[0]").is_err());
        assert!(Site::from_toml("posts=").is_err());
    }

    #[test]
    fn the_settings_the_embedded_file_shows_are_the_defaults() {
        // Uncomment every `# name = value` line of [settings]: nothing may change.
        let (head, settings) = DEFAULT_SITE.split_once("[settings]").unwrap();
        let uncommented: String = settings
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.contains(" = "))
            .map(|l| l.split("  #").next().unwrap().trim().to_owned() + "\n")
            .collect();
        assert!(uncommented.lines().count() >= 20, "{uncommented}");
        let site = Site::from_toml(&format!("{head}[settings]\n{uncommented}")).unwrap();
        let with = crate::Config::new("d").with_site(site);
        let without = crate::Config::new("d").with_site(Site::longfor());
        let mut shown = crate::settings::effective(&with);
        // The file shows an example retention; the default is to keep the log for ever.
        shown.retain(|(n, _)| *n != "retention_days");
        let mut defaults = crate::settings::effective(&without);
        defaults.retain(|(n, _)| *n != "retention_days");
        assert_eq!(shown, defaults);
    }

    #[test]
    fn the_time_zone_is_named_or_an_older_offset_and_never_both() {
        let base = "name='x'\nposts=['L1']\nvip_rooms=[1]\n";
        let site = Site::from_toml(&format!("{base}time_zone='Asia/Dubai'")).unwrap();
        assert_eq!(site.zone.name(), "Asia/Dubai");
        let site = Site::from_toml(&format!("{base}utc_offset_hours=8")).unwrap();
        assert_eq!(site.zone.name(), "+08:00");
        assert_eq!(Site::from_toml(base).unwrap().zone.name(), "Asia/Shanghai");
        let e = Site::from_toml(&format!("{base}time_zone='Mars/Base'")).unwrap_err();
        assert!(e.to_string().contains("time_zone"), "{e}");
        assert!(Site::from_toml(&format!("{base}time_zone='UTC'\nutc_offset_hours=0")).is_err());
        let e = Site::from_toml(&format!("{base}[settings]\ntaxi_within='2 days'")).unwrap_err();
        assert!(e.to_string().contains("settings.taxi_within"), "{e}");
    }
}
