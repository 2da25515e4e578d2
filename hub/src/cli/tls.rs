//! `hub tls new`: make the site's own certificate authority (once) and the hub's certificate for
//! the addresses the tablets use, and say how to serve it and install the CA on the tablets.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::print;

#[derive(Args)]
pub(super) struct TlsArgs {
    #[command(subcommand)]
    action: TlsAction,
}

#[derive(Subcommand)]
enum TlsAction {
    /// Make the hub's certificate for the given addresses, signed by the site's own CA in the
    /// data folder (made the first time; kept after, so tablets install it once). Writes
    /// DATA/tls/{ca.crt, ca.key, hub.crt, hub.key}.
    New {
        /// The hub's data folder.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// An address tablets use to reach the hub: an IP address or a host name (repeat for
        /// each, e.g. --host 192.168.1.20 --host hub.local).
        #[arg(long = "host", value_name = "HOST", required = true)]
        hosts: Vec<String>,
        /// How many days the hub's certificate lasts (at most 825, the longest iPads accept).
        #[arg(long, default_value_t = 800)]
        days: u32,
        /// Make a new CA even if the folder has one: every tablet must then install it again.
        #[arg(long)]
        new_ca: bool,
    },
}

pub(super) fn tls(args: TlsArgs) -> Result<(), String> {
    let TlsAction::New {
        data,
        hosts,
        days,
        new_ca,
    } = args.action;
    let made = crate::local_ca::make(&data, &hosts, days, new_ca)?;
    let f = &made.files;
    let host = &made.hosts[0];
    let ca = if made.new_ca {
        format!(
            "a new certificate authority (CA) for this site: {} (its key {} never leaves this \
             machine; back it up with the data folder)",
            f.ca_cert.display(),
            f.ca_key.display()
        )
    } else {
        format!(
            "the site's CA kept as it was ({}): tablets that trust it need nothing new",
            f.ca_cert.display()
        )
    };
    print(&format!(
        "hub: made {} — the hub's certificate for {} ({} days), signed by {ca}.\n\
         \n\
         1. Serve it: hub serve --data {d} --listen 0.0.0.0:7700 --tls-cert {cert} --tls-key {key}\n\
         \x20  (or HUB_TLS_CERT / HUB_TLS_KEY). The hub then serves https:// and wss:// only.\n\
         2. On each tablet, once: open https://{host}:7700/ca.crt (the browser warns this one \
         time: the tablet does not trust the CA yet) and install it —\n\
         \x20  iPad: allow the profile download, then Settings › General › VPN & Device \
         Management › install the profile; then Settings › General › About › Certificate Trust \
         Settings › turn on full trust for it.\n\
         \x20  Android: Settings › Security › Encryption & credentials › Install a certificate › \
         CA certificate, and pick the downloaded ca.crt.\n\
         \x20  Check the fingerprint the tablet shows (SHA-256): {fp}\n\
         3. Give each tablet a new link: hub token POST --link --host {host}:7700 --data {d} \
         (https, since this folder now has a certificate).\n",
        f.cert.display(),
        made.hosts.join(", "),
        made.days,
        d = data.display(),
        cert = f.cert.display(),
        key = f.key.display(),
        fp = made.ca_fingerprint,
    ))
}
