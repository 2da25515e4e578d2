//! The virtual posts' tokens: one per station, minted into the hub's data folder as `hub token`
//! does (recorded in its registry, by "radio drill", so `hub token list` shows them and `hub
//! token revoke` can end them) and good for two days — a drill outlives no tablet.

use std::collections::HashMap;
use std::path::Path;

use protocol::Station;
use token::{Book, SECRET_FILE, Ttl};

/// How long a drill's tokens last.
const DRILL_TTL: Ttl = Ttl::For(2 * 24 * 3_600_000);

/// Tokens by station.
#[derive(Clone, Debug, Default)]
pub struct Passes(HashMap<Station, String>);

impl Passes {
    /// Mints a token for each station (once each) into the data folder of a hub; the folder
    /// must hold the hub's key already (a running hub's, or one the drill's own hub made).
    pub fn mint(data: &Path, stations: &[Station]) -> Result<Passes, String> {
        if !data.join(SECRET_FILE).exists() {
            return Err(format!(
                "{} holds no hub signing key ({SECRET_FILE}) — is it the running hub's data \
                 folder (`hub serve --data DIR`)?",
                data.display()
            ));
        }
        let mut unique: Vec<Station> = stations.to_vec();
        unique.sort();
        unique.dedup();
        let minted = Book::open(data)
            .and_then(|book| book.mint_all(&unique, DRILL_TTL, "radio drill"))
            .map_err(|e| e.to_string())?;
        Ok(Passes(
            minted
                .into_iter()
                .map(|m| (m.record.station, m.token))
                .collect(),
        ))
    }

    /// The token of a station minted here.
    pub fn of(&self, station: &Station) -> String {
        self.0
            .get(station)
            .cloned()
            .unwrap_or_else(|| panic!("no token minted for {station}"))
    }
}
