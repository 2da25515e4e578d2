//! Serving https and wss: the hub's certificate and key (PEM files, `hub serve --tls-cert FILE
//! --tls-key FILE`) checked at start — a file that is missing, not PEM, holds no certificate or
//! no key, or a key that is not the certificate's, stops the start with a message naming the
//! file — and followed while the hub runs: replaced files (a renewed certificate) are taken
//! for new connections within a few seconds; files that do not load are logged and the old
//! certificate kept. TLS 1.2 and 1.3 over rustls with the `ring` provider; ALPN `http/1.1` (the
//! WebSocket upgrade is HTTP/1.1).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// How often the files are looked at for a renewal.
const POLL: Duration = Duration::from_secs(2);
/// A PEM certificate chain or key is a few KB; anything much larger is not one.
const MAX_PEM: u64 = 1 << 20;

/// The certificate and key files the hub serves with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Why the certificate or key cannot be served.
#[derive(Debug, thiserror::Error)]
#[error("{}: {why}", path.display())]
pub struct TlsError {
    pub path: PathBuf,
    pub why: String,
}

fn read_pem(path: &Path) -> Result<Vec<u8>, TlsError> {
    use std::io::Read;
    let fail = |why: String| TlsError {
        path: path.to_owned(),
        why,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_PEM {
        return Err(fail(
            "larger than 1 MB: not a PEM certificate or key".into(),
        ));
    }
    Ok(bytes)
}

/// Loads and checks a certificate chain and its key.
pub fn load(files: &CertFiles) -> Result<Arc<CertifiedKey>, TlsError> {
    let cert_pem = read_pem(&files.cert)?;
    let at_cert = |why: String| TlsError {
        path: files.cert.clone(),
        why,
    };
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| at_cert(format!("not a PEM certificate file: {e}")))?;
    if chain.is_empty() {
        return Err(at_cert(
            "holds no certificate (PEM, -----BEGIN CERTIFICATE-----): give the hub's \
             certificate, e.g. DATA/tls/hub.crt from `hub tls new`"
                .into(),
        ));
    }
    let key_pem = read_pem(&files.key)?;
    let at_key = |why: String| TlsError {
        path: files.key.clone(),
        why,
    };
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => at_key(
            "holds no private key (PEM: BEGIN PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY): \
             give the certificate's key, e.g. DATA/tls/hub.key"
                .into(),
        ),
        e => at_key(format!("not a PEM key file: {e}")),
    })?;
    let provider = rustls::crypto::ring::default_provider();
    CertifiedKey::from_der(chain, key, &provider)
        .map(Arc::new)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => at_key(format!(
                "is not the key of the certificate in {}: give the pair made together",
                files.cert.display()
            )),
            e => at_key(format!("cannot be used: {e}")),
        })
}

/// The certificate being served, replaced when the files change.
#[derive(Debug)]
struct Serving(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for Serving {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        // Held only to clone an Arc; never across an await.
        self.0.read().ok().map(|k| k.clone())
    }
}

/// TLS for the hub's port, ready to accept.
pub struct Tls {
    files: CertFiles,
    serving: Arc<Serving>,
    acceptor: TlsAcceptor,
}

impl Tls {
    /// Loads the files (refusing bad ones) and sets up TLS with them.
    pub fn open(files: &CertFiles) -> Result<Tls, TlsError> {
        let key = load(files)?;
        let serving = Arc::new(Serving(RwLock::new(key)));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError {
                path: files.cert.clone(),
                why: format!("cannot set up TLS: {e}"),
            })?
            .with_no_client_auth()
            .with_cert_resolver(serving.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            files: files.clone(),
            serving,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }

    /// Follows the files: a changed pair that loads is served to new connections.
    pub async fn follow(self) {
        let mut seen = look(&self.files);
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let files = self.files.clone();
            let Ok((now, loaded)) = tokio::task::spawn_blocking(move || {
                let now = look(&files);
                (now, (now != seen).then(|| load(&files)))
            })
            .await
            else {
                continue;
            };
            seen = now;
            match loaded {
                None => {}
                Some(Ok(key)) => {
                    if let Ok(mut serving) = self.serving.0.write() {
                        *serving = key;
                    }
                    tracing::info!(
                        "TLS: serving the new certificate in {}",
                        self.files.cert.display()
                    );
                }
                Some(Err(e)) => tracing::warn!(
                    "TLS: the certificate files changed but cannot be served ({e}); still \
                     serving the previous certificate"
                ),
            }
        }
    }
}

type Look = [Option<(u64, std::time::SystemTime)>; 2];

fn look(files: &CertFiles) -> Look {
    let one = |p: &Path| {
        let m = std::fs::metadata(p).ok()?;
        Some((m.len(), m.modified().ok()?))
    };
    [one(&files.cert), one(&files.key)]
}
