//! The header at the start of every segment file: which log it belongs to (the epoch), the
//! offset of its first record, the writer's label and preamble. Two formats are read:
//!
//! ```text
//! format 1 (the single-file log of earlier builds, `logbook.log`), 32 bytes:
//!   0..8    magic  b"HUBLOGBK"
//!   8..12   u32    format version = 1
//!   12..16  u32    flags = 0
//!   16..24  u64    epoch
//!   24..28  u32    crc32 of bytes 0..24
//!   28..32         reserved = 0
//!   (its first record is offset 1; it has no label and no preamble)
//!
//! format 2 (a segment, `segment-<first offset>.log`), 48 bytes + the preamble:
//!   0..8    magic  b"HUBLOGBK"
//!   8..12   u32    format version = 2
//!   12..16  u32    flags: bit 0 = the segment has a label
//!   16..24  u64    epoch
//!   24..32  u64    offset of the segment's first record
//!   32..40  u64    label (0 when bit 0 of the flags is clear)
//!   40..44  u32    preamble length P (at most 1 MiB)
//!   44..48  u32    crc32 of bytes 0..44 ‖ preamble
//!   48..48+P       preamble
//! ```
//!
//! The checks go from the most to the least telling: a wrong magic means "not our file", an
//! unknown version means "newer build" (checked before the checksum because a newer header
//! layout would not checksum the same way), and only then damage.

use std::io::Read;
use std::path::Path;

use bytes::Bytes;

use crate::error::LogError;
use crate::file::{json_safe, read_up_to};

pub(crate) const MAGIC: [u8; 8] = *b"HUBLOGBK";
/// The format this build writes.
pub(crate) const FORMAT_VERSION: u32 = 2;
/// The single-file format of earlier builds, still read.
pub(crate) const LEGACY_VERSION: u32 = 1;
pub(crate) const LEGACY_HEADER_LEN: usize = 32;
pub(crate) const FIXED_HEADER_LEN: usize = 48;
/// The largest preamble a header may carry.
pub const MAX_PREAMBLE: usize = 1024 * 1024;

const FLAG_LABELLED: u32 = 1;

/// A segment's header, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// 1 (a legacy single-file log) or 2.
    pub format: u32,
    pub epoch: u64,
    /// The offset of the segment's first record.
    pub first: u64,
    pub label: Option<u64>,
    pub preamble: Bytes,
    /// Bytes the header takes: where the first record starts.
    pub len: u64,
}

/// Builds a format-2 header.
pub(crate) fn encode(epoch: u64, first: u64, label: Option<u64>, preamble: &[u8]) -> Vec<u8> {
    let mut h = Vec::with_capacity(FIXED_HEADER_LEN + preamble.len());
    h.extend_from_slice(&MAGIC);
    h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let flags = if label.is_some() { FLAG_LABELLED } else { 0 };
    h.extend_from_slice(&flags.to_le_bytes());
    h.extend_from_slice(&epoch.to_le_bytes());
    h.extend_from_slice(&first.to_le_bytes());
    h.extend_from_slice(&label.unwrap_or(0).to_le_bytes());
    let plen = u32::try_from(preamble.len()).expect("preamble length checked by the caller");
    h.extend_from_slice(&plen.to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&h[0..44]);
    crc.update(preamble);
    h.extend_from_slice(&crc.finalize().to_le_bytes());
    h.extend_from_slice(preamble);
    h
}

/// The 32-byte header of a format-1 log (for tests and tools that make one as an older build
/// did).
#[cfg(test)]
pub(crate) fn encode_legacy(epoch: u64) -> [u8; LEGACY_HEADER_LEN] {
    let mut h = [0u8; LEGACY_HEADER_LEN];
    h[0..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&LEGACY_VERSION.to_le_bytes());
    h[16..24].copy_from_slice(&epoch.to_le_bytes());
    let crc = crc32fast::hash(&h[0..24]);
    h[24..28].copy_from_slice(&crc.to_le_bytes());
    h
}

/// Reads and checks the header at the start of `r`; on success `r` is positioned at the first
/// record. The epoch is as [`json_safe`] makes it of what is stored.
pub(crate) fn read(r: &mut impl Read, path: &Path) -> Result<Header, LogError> {
    let bad = |detail: String| LogError::BadHeader {
        path: path.to_owned(),
        detail,
    };
    let mut h = [0u8; FIXED_HEADER_LEN];
    // Enough for the version first: a format-1 header is shorter than a format-2 one.
    let got = read_up_to(r, &mut h[..12]).map_err(|e| LogError::io(path, e))?;
    let magic_len = got.min(MAGIC.len());
    if h[..magic_len] != MAGIC[..magic_len] {
        return Err(LogError::NotALogbook {
            path: path.to_owned(),
        });
    }
    if got < 12 {
        return Err(bad(format!(
            "file is only {got} bytes long, a header needs {LEGACY_HEADER_LEN}"
        )));
    }
    let version = u32::from_le_bytes(h[8..12].try_into().expect("4 bytes"));
    let want = match version {
        LEGACY_VERSION => LEGACY_HEADER_LEN,
        FORMAT_VERSION => FIXED_HEADER_LEN,
        found => {
            return Err(LogError::UnsupportedVersion {
                path: path.to_owned(),
                found,
                supported: FORMAT_VERSION,
            });
        }
    };
    let more = read_up_to(r, &mut h[12..want]).map_err(|e| LogError::io(path, e))?;
    if 12 + more < want {
        return Err(bad(format!(
            "file is only {} bytes long, the header needs {want}",
            12 + more
        )));
    }
    let stored_epoch = u64::from_le_bytes(h[16..24].try_into().expect("8 bytes"));
    let header = if version == LEGACY_VERSION {
        let stored = u32::from_le_bytes(h[24..28].try_into().expect("4 bytes"));
        let actual = crc32fast::hash(&h[0..24]);
        if stored != actual {
            return Err(bad(format!(
                "header checksum {stored:#010x} does not match {actual:#010x}"
            )));
        }
        Header {
            format: LEGACY_VERSION,
            epoch: stored_epoch,
            first: 1,
            label: None,
            preamble: Bytes::new(),
            len: LEGACY_HEADER_LEN as u64,
        }
    } else {
        let flags = u32::from_le_bytes(h[12..16].try_into().expect("4 bytes"));
        let first = u64::from_le_bytes(h[24..32].try_into().expect("8 bytes"));
        let label = u64::from_le_bytes(h[32..40].try_into().expect("8 bytes"));
        let plen = u32::from_le_bytes(h[40..44].try_into().expect("4 bytes")) as usize;
        let stored = u32::from_le_bytes(h[44..48].try_into().expect("4 bytes"));
        if plen > MAX_PREAMBLE {
            return Err(bad(format!(
                "the preamble claims {plen} bytes, more than the {MAX_PREAMBLE} a header may carry"
            )));
        }
        let mut preamble = vec![0u8; plen];
        let got = read_up_to(r, &mut preamble).map_err(|e| LogError::io(path, e))?;
        if got < plen {
            return Err(bad(format!(
                "the preamble claims {plen} bytes, the file holds {got} of them"
            )));
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&h[0..44]);
        crc.update(&preamble);
        let actual = crc.finalize();
        if stored != actual {
            return Err(bad(format!(
                "header checksum {stored:#010x} does not match {actual:#010x}"
            )));
        }
        if first == 0 {
            return Err(bad("the first offset is zero".into()));
        }
        Header {
            format: FORMAT_VERSION,
            epoch: stored_epoch,
            first,
            label: (flags & FLAG_LABELLED != 0).then_some(label),
            preamble: Bytes::from(preamble),
            len: (FIXED_HEADER_LEN + plen) as u64,
        }
    };
    if stored_epoch == 0 {
        return Err(bad("epoch is zero".into()));
    }
    Ok(Header {
        epoch: json_safe(header.epoch),
        ..header
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_header_round_trips_with_its_label_and_preamble() {
        let h = encode(0xdead_beef_1234, 57, Some(20_500), b"seed");
        let got = read(&mut &h[..], Path::new("x")).unwrap();
        assert_eq!(got.format, 2);
        assert_eq!(got.epoch, 0xdead_beef_1234);
        assert_eq!((got.first, got.label), (57, Some(20_500)));
        assert_eq!(&got.preamble[..], b"seed");
        assert_eq!(got.len, 52);
        let unlabelled = read(&mut &encode(7, 1, None, b"")[..], Path::new("x")).unwrap();
        assert_eq!((unlabelled.label, unlabelled.len), (None, 48));
        assert_eq!(
            read(&mut &encode(7, 1, Some(0), b"")[..], Path::new("x"))
                .unwrap()
                .label,
            Some(0),
            "label 0 is a label"
        );
    }

    #[test]
    fn a_format_1_header_reads_as_the_first_segment() {
        let h = encode_legacy(0xdead_beef_1234);
        let got = read(&mut &h[..], Path::new("x")).unwrap();
        assert_eq!(got.format, 1);
        assert_eq!(
            (got.epoch, got.first, got.label),
            (0xdead_beef_1234, 1, None)
        );
        assert_eq!(got.len, 32);
    }

    #[test]
    fn header_damage_is_classified() {
        let p = Path::new("x");
        for good in [encode_legacy(7).to_vec(), encode(7, 3, Some(1), b"pre")] {
            let mut bad_magic = good.clone();
            bad_magic[0] ^= 1;
            assert!(matches!(
                read(&mut &bad_magic[..], p),
                Err(LogError::NotALogbook { .. })
            ));

            let mut newer = good.clone();
            newer[8] = 3;
            assert!(matches!(
                read(&mut &newer[..], p),
                Err(LogError::UnsupportedVersion { found: 3, .. })
            ));

            let mut flipped = good.clone();
            flipped[17] ^= 0x40;
            assert!(matches!(
                read(&mut &flipped[..], p),
                Err(LogError::BadHeader { .. })
            ));

            assert!(matches!(
                read(&mut &good[..20], p),
                Err(LogError::BadHeader { .. })
            ));
        }
        // A flipped preamble byte is caught by the header's checksum.
        let mut h = encode(7, 3, Some(1), b"pre");
        h[49] ^= 1;
        assert!(matches!(
            read(&mut &h[..], p),
            Err(LogError::BadHeader { .. })
        ));
    }
}
