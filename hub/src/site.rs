//! The site's roster: which posts are on this gallery's radio net and which VIP rooms it has.
//! Configuration, not code: the Longfor layout is embedded as the default, and `--site FILE` gives
//! another gallery's roster in the same TOML form (`hub/site/longfor.toml`).

use std::path::Path;

use protocol::{Call, ManagerName, Post, Station};
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
    /// The site's time zone, as hours east of UTC (8 for China), for "today".
    pub utc_offset_hours: i8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    name: String,
    posts: Vec<String>,
    vip_rooms: Vec<u8>,
    #[serde(default)]
    rota_groups: Vec<Vec<String>>,
    #[serde(default = "china")]
    utc_offset_hours: i8,
}

fn china() -> i8 {
    8
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
        if !(-12..=14).contains(&file.utc_offset_hours) {
            return Err(SiteError::BadOffset(file.utc_offset_hours));
        }
        Ok(Site {
            name: file.name,
            posts,
            vip_rooms: file.vip_rooms,
            rota_groups,
            utc_offset_hours: file.utc_offset_hours,
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
}
