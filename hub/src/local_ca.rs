//! A small site's own certificate authority (`hub tls new`): a CA made once and kept in the data
//! folder, whose certificate each tablet installs once, and the hub's server certificate, signed
//! by it for the addresses the tablets use (`--host 192.168.1.20 --host hub.local`). Made again
//! for new addresses or when it nears its end, the server certificate keeps the same CA, so the
//! tablets need nothing new. Files, in `DATA/tls/`:
//!
//! | file | what | mode |
//! |------|------|------|
//! | `ca.crt` | the CA's certificate: what tablets install, served at `/ca.crt` | 0644 |
//! | `ca.key` | the CA's private key: signs server certificates; never leaves this machine | 0600 |
//! | `hub.crt`, `hub.key` | the hub's certificate and key (`hub serve --tls-cert … --tls-key …`) | 0644, 0600 |
//!
//! Keys are ECDSA P-256 and signatures SHA-256, which every tablet browser takes; the server
//! certificate lasts at most 825 days, the longest iPadOS accepts.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use sha2::{Digest, Sha256};

/// The longest a server certificate may last and still be trusted by iPads and iPhones.
pub const MAX_DAYS: u32 = 825;
/// How long the CA lasts: it is installed by hand on every tablet, so for long.
const CA_DAYS: i64 = 3650;

/// Where a data folder keeps its TLS files.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub dir: PathBuf,
    pub ca_cert: PathBuf,
    pub ca_key: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    pub fn of(data: &Path) -> TlsFiles {
        let dir = data.join("tls");
        TlsFiles {
            ca_cert: dir.join("ca.crt"),
            ca_key: dir.join("ca.key"),
            cert: dir.join("hub.crt"),
            key: dir.join("hub.key"),
            dir,
        }
    }

    /// Whether `hub tls new` made the hub's certificate here.
    pub fn made(&self) -> bool {
        self.cert.exists() && self.key.exists()
    }
}

/// What [`make`] did.
#[derive(Debug)]
pub struct Made {
    pub files: TlsFiles,
    /// A new CA was made (every tablet must install it), or the folder's was kept.
    pub new_ca: bool,
    /// The CA certificate's SHA-256 fingerprint, as tablets show it (`AB:CD:…`).
    pub ca_fingerprint: String,
    pub hosts: Vec<String>,
    pub days: u32,
}

/// Makes the server certificate for `hosts`, lasting `days`, signed by the folder's CA — made
/// first if there is none, or if `new_ca`.
pub fn make(data: &Path, hosts: &[String], days: u32, new_ca: bool) -> Result<Made, String> {
    if hosts.is_empty() {
        return Err(
            "name at least one --host: the address tablets use to reach the hub (e.g. \
                    --host 192.168.1.20 --host hub.local)"
                .into(),
        );
    }
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(format!(
            "--days {days}: from 1 to {MAX_DAYS} (iPads refuse a server certificate that lasts longer)"
        ));
    }
    for h in hosts {
        let ok = !h.is_empty()
            && h.len() <= 253
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
        if !ok {
            return Err(format!(
                "--host {h:?}: an IP address or a host name, without port or scheme (e.g. 192.168.1.20, hub.local)"
            ));
        }
    }
    let files = TlsFiles::of(data);
    std::fs::create_dir_all(&files.dir)
        .map_err(|e| format!("cannot make {}: {e}", files.dir.display()))?;
    let now = time::OffsetDateTime::now_utc();
    let bad = |what: &str, e: rcgen::Error| format!("cannot make the {what}: {e}");

    let have_ca = files.ca_key.exists() && files.ca_cert.exists();
    let (ca_key, new_ca) = if have_ca && !new_ca {
        let pem = std::fs::read_to_string(&files.ca_key)
            .map_err(|e| format!("cannot read {}: {e}", files.ca_key.display()))?;
        let key = KeyPair::from_pem(&pem).map_err(|e| {
            format!(
                "{} is not a private key this hub made ({e}); move the tls folder aside and run \
                 `hub tls new` again (tablets must then install the new CA)",
                files.ca_key.display()
            )
        })?;
        (key, false)
    } else {
        (KeyPair::generate().map_err(|e| bad("CA key", e))?, true)
    };
    let ca_params = ca_params(&ca_key, now)?;
    if new_ca {
        let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| bad("CA", e))?;
        write(&files.ca_key, ca_key.serialize_pem().as_bytes(), true)?;
        write(&files.ca_cert, ca_cert.pem().as_bytes(), false)?;
    }
    let ca_der = std::fs::read_to_string(&files.ca_cert)
        .map_err(|e| format!("cannot read {}: {e}", files.ca_cert.display()))
        .and_then(|pem| {
            use rustls_pki_types::pem::PemObject;
            rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
                .map_err(|e| format!("{} is not a certificate: {e}", files.ca_cert.display()))
        })?;
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().map_err(|e| bad("hub's key", e))?;
    let mut params =
        CertificateParams::new(hosts.to_vec()).map_err(|e| bad("hub's certificate", e))?;
    params
        .distinguished_name
        .push(DnType::CommonName, hosts[0].clone());
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Sales gallery radio hub");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(serial()?);
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(i64::from(days));
    let cert = params
        .signed_by(&key, &issuer)
        .map_err(|e| bad("hub's certificate", e))?;
    write(&files.key, key.serialize_pem().as_bytes(), true)?;
    write(&files.cert, cert.pem().as_bytes(), false)?;
    Ok(Made {
        ca_fingerprint: fingerprint(&ca_der),
        files,
        new_ca,
        hosts: hosts.to_vec(),
        days,
    })
}

/// The CA's name and powers. Its name is derived from its key, so the same key always makes
/// the same issuer, and server certificates made later chain to the certificate tablets hold.
fn ca_params(key: &KeyPair, now: time::OffsetDateTime) -> Result<CertificateParams, String> {
    let tag: String = Sha256::digest(key.public_key_raw())
        .iter()
        .take(4)
        .map(|b| format!("{b:02X}"))
        .collect();
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name
        .push(DnType::CommonName, format!("Radio hub local CA {tag}"));
    p.distinguished_name
        .push(DnType::OrganizationName, "Sales gallery radio hub");
    // It signs server certificates only, never another CA.
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.serial_number = Some(serial()?);
    p.not_before = now - time::Duration::hours(1);
    p.not_after = now + time::Duration::days(CA_DAYS);
    Ok(p)
}

/// A random positive serial number (browsers refuse two certificates with one serial).
fn serial() -> Result<SerialNumber, String> {
    let mut bytes = [0u8; 16];
    getrandom_fill(&mut bytes)?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    Ok(SerialNumber::from_slice(&bytes))
}

fn getrandom_fill(bytes: &mut [u8]) -> Result<(), String> {
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(bytes)
        .map_err(|_| "no randomness for a certificate's serial number".to_owned())
}

/// SHA-256 of a certificate, as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn write(path: &Path, bytes: &[u8], private: bool) -> Result<(), String> {
    crate::token::write_private(path, bytes).map_err(|e| format!("cannot write {e}"))?;
    #[cfg(unix)]
    if !private {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let _ = private;
    Ok(())
}
