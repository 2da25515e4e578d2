//! `hub token`: mint a post's token (with `--link`, its sign-in link and QR code), and look after
//! the data folder's tokens — `list` them with their status, `revoke` one by id, `rotate` the
//! signing key, `retire-previous` the key a rotation replaced. A running hub on the same folder
//! follows every change within a couple of seconds, with no restart.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use protocol::{ManagerName, Station};

use super::print;
use crate::link::Scheme;
use crate::token::{
    Book, Keys, Registry, Revocation, Revoked, SecretError, Status, Ttl, now_ms, span_words,
    utc_words,
};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(super) struct TokenArgs {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    mint: MintArgs,
}

#[derive(Args)]
struct MintArgs {
    /// The post: L1 L2 Y1 Y2 G1 S1 OPS RC SUP LOBBY MODEL SHUTTLE, or X for a client manager (with --name).
    #[arg(required = true)]
    post: Option<String>,
    /// The client manager's name, for X.
    #[arg(long)]
    name: Option<String>,
    /// The hub's data folder (its key signs the token, its registry records it).
    #[arg(long, default_value = "./data")]
    data: PathBuf,
    /// How long the token is good for: days, hours or minutes (90d, 12h, 45m), or `never`.
    /// The default, 90 days, is a season of service: a tablet at its post is not re-linked
    /// every few weeks, yet a link forgotten in a drawer or a chat dies by itself. A lost
    /// tablet's token is ended at once with `hub token revoke ID`, whatever its lifetime;
    /// `never` is for a screen that must not go dark on a date, and is listed as such.
    #[arg(long, default_value = "90d", value_name = "SPAN")]
    ttl: Ttl,
    /// Also print the link that signs a tablet in (http(s)://HOST:PORT/#token=…; the
    /// supervisor's opens /dashboard) and its QR code.
    #[arg(long)]
    link: bool,
    /// The hub's address as the tablet reaches it, HOST:PORT (for --link); the hub's default
    /// listen address if not given, which only this machine can open.
    #[arg(long, requires = "link", value_name = "HOST:PORT")]
    host: Option<String>,
    /// The link's scheme (for --link): https when the data folder has the certificate `hub tls
    /// new` makes (DATA/tls/hub.crt), else http. Say https for a hub serving a certificate kept
    /// elsewhere (`hub serve --tls-cert`).
    #[arg(long, requires = "link")]
    scheme: Option<Scheme>,
}

#[derive(Subcommand)]
enum Action {
    /// List the tokens minted in the data folder with their status (valid, expired, revoked),
    /// and the signing keys.
    List {
        #[arg(long, default_value = "./data")]
        data: PathBuf,
    },
    /// Revoke a token by its id (`hub token list` shows them). A running hub refuses it within a
    /// couple of seconds, and cuts off a tablet connected with it (close 4505).
    Revoke {
        /// The token's id, e.g. k3xq7m2a.
        id: String,
        #[arg(long, default_value = "./data")]
        data: PathBuf,
    },
    /// Make a new signing key for new tokens. Tokens signed by the old key keep working until
    /// it is retired (`hub token retire-previous`), so tablets can be given new links first.
    Rotate {
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// If an older previous key is still accepted, retire it now (its tablets are cut off);
        /// without this, rotating then is refused.
        #[arg(long)]
        retire_previous: bool,
    },
    /// Retire the key a rotation replaced: every token it signed is refused from now on, and a
    /// running hub cuts off the tablets using them (close 4505).
    RetirePrevious {
        #[arg(long, default_value = "./data")]
        data: PathBuf,
    },
}

/// Runs `hub token …`.
pub(super) fn token(args: TokenArgs) -> Result<(), String> {
    match args.action {
        Some(Action::List { data }) => list(&data),
        Some(Action::Revoke { id, data }) => revoke(&id, &data),
        Some(Action::Rotate {
            data,
            retire_previous,
        }) => rotate(&data, retire_previous),
        Some(Action::RetirePrevious { data }) => retire(&data),
        None => mint(args.mint),
    }
}

/// Mints a token; with `--link`, also prints the sign-in link and its QR code.
fn mint(args: MintArgs) -> Result<(), String> {
    let post = args.post.as_deref().unwrap_or_default();
    let station = match (post.trim(), args.name.as_deref()) {
        // A name the radio can say: a token for 「张经理」 would make a manager nobody can call.
        ("X" | "x", Some(name)) => ManagerName::spoken(name)
            .map(Station::Manager)
            .map_err(|e| e.to_string())?,
        ("X" | "x", None) => return Err("a client manager's token needs --name NAME".into()),
        (code, None) => code.parse::<Station>().map_err(|e| e.to_string())?,
        (_, Some(_)) => return Err("--name is only for a client manager (post X)".into()),
    };
    let book = Book::open(&args.data).map_err(|e| e.to_string())?;
    let minted = book
        .mint(&station, args.ttl, "hub token")
        .map_err(|e| e.to_string())?;
    drop(book);
    let r = &minted.record;
    let expires = match r.expires_ms {
        Some(exp) => format!(
            "expires {} ({})",
            utc_words(exp),
            span_words(r.issued_ms, exp)
        ),
        None => "never expires".to_owned(),
    };
    eprintln!(
        "hub: token {} for {station}, {expires}; end it early with `hub token revoke {} --data {}`",
        r.id,
        r.id,
        args.data.display()
    );
    let token = minted.token;
    if !args.link {
        return print(&format!("{token}\n"));
    }
    let host = args.host.as_deref().unwrap_or(crate::link::DEFAULT_HOST);
    let scheme =
        args.scheme
            .unwrap_or_else(|| match crate::local_ca::TlsFiles::of(&args.data).made() {
                true => Scheme::Https,
                false => Scheme::Http,
            });
    let url = crate::link::link_in(scheme, host, crate::link::page_for(&station), &token)?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let qr = crate::link::qr_lines(&url, ansi)?;
    print(&format!("{token}\n{url}\n{}\n", qr.join("\n")))?;
    if crate::link::is_loopback(&url) {
        eprintln!(
            "hub: this link opens on this machine only. For a tablet, run the hub on the \
             gallery's network (`hub serve --listen 0.0.0.0:7700`) and name this machine's \
             address on it: `{} --link --host ADDRESS:7700`",
            crate::link::token_command(&station)
        );
    }
    if scheme == Scheme::Https {
        eprintln!(
            "hub: an https link: the tablet must trust the site's certificate authority first \
             (once per tablet: open https://{host}/ca.crt and install it, docs/OPERATIONS.md \
             \"TLS\")"
        );
    }
    Ok(())
}

/// The keys of a data folder for reading, `None` if it has none yet.
fn keys_of(data: &Path) -> Result<Option<Keys>, String> {
    match Keys::load(data) {
        Ok(keys) => Ok(Some(keys)),
        Err(SecretError::Io(e)) if e.source.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn list(data: &Path) -> Result<(), String> {
    let keys = keys_of(data)?;
    let registry = Registry::load(data).map_err(|e| e.to_string())?;
    let revoked = Revoked::load(data).map_err(|e| e.to_string())?;
    let now = now_ms();
    let mut out = String::new();
    if registry.records().is_empty() {
        out.push_str(&format!(
            "no tokens minted in {} (mint one with `hub token POST --data {}`)\n",
            data.display(),
            data.display()
        ));
    } else {
        let rows: Vec<[String; 6]> = registry
            .records()
            .iter()
            .map(|r| {
                let status = Registry::status(r, keys.as_ref(), &revoked, now);
                let word = match status {
                    Status::Revoked(at) | Status::KeyRetired(at) => {
                        format!("{} {}", status.word(), span_words(now, at))
                    }
                    _ => status.word().to_owned(),
                };
                let expires = match r.expires_ms {
                    Some(e) => format!("{} ({})", utc_words(e), span_words(now, e)),
                    None => "never".to_owned(),
                };
                [
                    r.id.to_string(),
                    r.station.to_string(),
                    word,
                    utc_words(r.issued_ms),
                    expires,
                    r.by.clone(),
                ]
            })
            .collect();
        let head = ["ID", "STATION", "STATUS", "ISSUED", "EXPIRES", "BY"].map(str::to_owned);
        out.push_str(&table(&head, &rows));
        let valid = registry
            .records()
            .iter()
            .filter(|r| Registry::status(r, keys.as_ref(), &revoked, now).is_valid())
            .count();
        out.push_str(&format!(
            "{valid} of {} tokens valid\n",
            registry.records().len()
        ));
    }
    match &keys {
        None => {
            out.push_str("signing key: none yet (the first `hub token` or `hub serve` makes it)\n")
        }
        Some(keys) => {
            let made = |k: &crate::token::Key| match k.made_ms() {
                Some(ms) => format!("made {}", utc_words(ms)),
                None => "made before token ids".to_owned(),
            };
            out.push_str(&format!(
                "signing key: {} (current, {})\n",
                keys.current().id(),
                made(keys.current())
            ));
            if let Some(p) = keys.previous() {
                out.push_str(&format!(
                    "previous key: {} ({}), still accepted: retire it with `hub token \
                     retire-previous --data {}` once every tablet has a new link\n",
                    p.id(),
                    made(p),
                    data.display()
                ));
            }
            if keys.has_legacy() {
                out.push_str(&format!(
                    "legacy: a key made before token ids is accepted, so old-format tokens it \
                     signed (not listed here: they were never recorded) still work and never \
                     expire. To end them: `hub token rotate --data {d}`, give every tablet a \
                     new link, then `hub token retire-previous --data {d}`\n",
                    d = data.display()
                ));
            }
        }
    }
    print(&out)
}

/// Columns padded to their widest cell (by characters, so names in Chinese line up roughly).
fn table(head: &[String; 6], rows: &[[String; 6]]) -> String {
    let mut widths = head.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    std::iter::once(head)
        .chain(rows)
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            format!("{}\n", cells.join("  ").trim_end())
        })
        .collect()
}

fn revoke(id: &str, data: &Path) -> Result<(), String> {
    let book = Book::open(data).map_err(|e| e.to_string())?;
    match book.revoke(id).map_err(|e| e.to_string())? {
        Revocation::Revoked(r) => print(&format!(
            "hub: revoked {} ({}, issued {}). A running hub refuses it within a couple of \
             seconds and cuts off a tablet using it (close 4505). Give that post a new link with \
             `{} --link`\n",
            r.id,
            r.station,
            utc_words(r.issued_ms),
            crate::link::token_command(&r.station)
        )),
        Revocation::Already(r, at) => print(&format!(
            "hub: {} ({}) was already revoked, {}\n",
            r.id,
            r.station,
            span_words(now_ms(), at)
        )),
    }
}

fn rotate(data: &Path, retire_previous: bool) -> Result<(), String> {
    let book = Book::open(data).map_err(|e| e.to_string())?;
    let rotation = book.rotate(retire_previous).map_err(|e| e.to_string())?;
    let mut out = String::new();
    if let Some(retired) = rotation.retired {
        out.push_str(&format!(
            "hub: retired the key {retired}: its tokens are refused and their tablets cut off\n"
        ));
    }
    out.push_str(&format!(
        "hub: new signing key {} — every token minted from now on is signed by it. Tokens of {} \
         keep working until you retire it: give every tablet a new link (`hub token POST --link \
         --data {d}`), then run `hub token retire-previous --data {d}`. A running hub follows \
         within a couple of seconds.\n",
        rotation.current,
        rotation.previous,
        d = data.display()
    ));
    print(&out)
}

fn retire(data: &Path) -> Result<(), String> {
    let book = Book::open(data).map_err(|e| e.to_string())?;
    let keys = Keys::load(data).map_err(|e| e.to_string())?;
    let Some(retired) = book.retire_previous().map_err(|e| e.to_string())? else {
        return print(&format!(
            "hub: no previous key to retire: only {} is accepted\n",
            keys.current().id()
        ));
    };
    let registry = Registry::load(data).map_err(|e| e.to_string())?;
    let revoked = Revoked::load(data).map_err(|e| e.to_string())?;
    let now = now_ms();
    let ended: Vec<String> = registry
        .records()
        .iter()
        .filter(|r| r.key == retired && r.expires_ms.is_none_or(|e| e > now))
        .filter(|r| revoked.token(r.id).is_none())
        .map(|r| format!("{} ({})", r.station, r.id))
        .collect();
    let legacy = keys.previous().is_some_and(|k| k.is_legacy());
    print(&format!(
        "hub: retired the key {retired}: a running hub refuses its tokens within a couple of \
         seconds and cuts off the tablets using them (close 4505). Tokens ended: {}{}\n",
        if ended.is_empty() {
            "none recorded".to_owned()
        } else {
            ended.join(", ")
        },
        if legacy {
            "; and every old-format token (from before token ids)"
        } else {
            ""
        }
    ))
}
