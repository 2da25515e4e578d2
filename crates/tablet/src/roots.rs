//! Which certificate authorities a tablet trusts when it reaches the hub over `wss://`: the
//! site's own CA from a PEM file (`radio --ca FILE`, the `ca.crt` that `hub tls new` makes), or,
//! when none is given, the system's. The hub's certificate is always verified — its chain and
//! the name in the URL; there is no "accept any certificate".

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// A PEM file of CA certificates is a few KB; far larger is not one.
const MAX_PEM: u64 = 1 << 20;

/// The authorities a tablet trusts for `wss://`.
#[derive(Clone)]
pub struct Roots {
    source: Source,
    config: Arc<ClientConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    System,
    File(PathBuf, Vec<CertificateDer<'static>>),
}

impl std::fmt::Debug for Roots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Source::System => f.write_str("Roots(system)"),
            Source::File(p, certs) => {
                write!(f, "Roots({}, {} certificates)", p.display(), certs.len())
            }
        }
    }
}

impl PartialEq for Roots {
    fn eq(&self, other: &Roots) -> bool {
        self.source == other.source
    }
}

impl Eq for Roots {}

fn client_config(roots: RootCertStore) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

impl Roots {
    /// Trusts the CA certificates in a PEM file (one or more `BEGIN CERTIFICATE` blocks).
    pub fn ca_file(path: &Path) -> Result<Roots, String> {
        use std::io::Read;
        let at = |why: String| format!("{}: {why}", path.display());
        let file = std::fs::File::open(path).map_err(|e| at(format!("cannot read it: {e}")))?;
        let mut pem = Vec::new();
        file.take(MAX_PEM + 1)
            .read_to_end(&mut pem)
            .map_err(|e| at(format!("cannot read it: {e}")))?;
        if pem.len() as u64 > MAX_PEM {
            return Err(at("larger than 1 MB: not a CA certificate file".into()));
        }
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| at(format!("not a PEM certificate file: {e}")))?;
        if certs.is_empty() {
            return Err(at(
                "holds no certificate (PEM, -----BEGIN CERTIFICATE-----): give the site's CA, \
                 e.g. the hub's DATA/tls/ca.crt or what https://HUB/ca.crt serves"
                    .into(),
            ));
        }
        let mut store = RootCertStore::empty();
        for c in &certs {
            store
                .add(c.clone())
                .map_err(|e| at(format!("not a usable CA certificate: {e}")))?;
        }
        Ok(Roots {
            config: client_config(store),
            source: Source::File(path.to_owned(), certs),
        })
    }

    /// Trusts the system's certificate authorities (read once per process).
    pub fn system() -> Result<Roots, String> {
        static SYSTEM: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
        let config = SYSTEM.get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let mut store = RootCertStore::empty();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(
                    "this machine has no certificate authorities for wss://: give the site's CA \
                     with --ca FILE (RADIO_CA)"
                        .to_owned(),
                );
            }
            Ok(client_config(store))
        });
        config.clone().map(|config| Roots {
            source: Source::System,
            config,
        })
    }

    pub(crate) fn client_config(&self) -> Arc<ClientConfig> {
        self.config.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_a_certificate_is_refused_naming_it() {
        let dir = std::env::temp_dir().join(format!("roots-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.crt");
        std::fs::write(&empty, "nothing here\n").unwrap();
        let e = Roots::ca_file(&empty).unwrap_err();
        assert!(
            e.contains("empty.crt") && e.contains("no certificate"),
            "{e}"
        );
        let missing = Roots::ca_file(&dir.join("missing.crt")).unwrap_err();
        assert!(
            missing.contains("missing.crt") && missing.contains("cannot read"),
            "{missing}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
