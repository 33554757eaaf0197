//! The bytes of a statistics file: a header with a SHA-256 of the payload,
//! then the payload (postcard: f64s as exact little-endian bytes).
//!
//! ```text
//! magic "STADYNSB" (8) · format version u32 LE (4) · payload length u64 LE (8)
//! · SHA-256 of the payload (32) · payload
//! ```
//! The report kept beside cached statistics is sealed the same way under
//! its own magic ([`Seal`]).
//! A flipped bit anywhere in the payload changes its hash, so damaged
//! statistics are refused instead of believed; a short file is caught by the
//! length. Files of schema 2 and before had no header and are recognised by
//! their first bytes, to say so.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What a sealed file is: the magic it starts with and its format version.
pub(crate) struct Seal {
    /// The first 8 bytes.
    pub magic: &'static [u8; 8],
    /// The format version in the header.
    pub format: u32,
}

/// A statistics file (format: the statistics schema's number at the time).
pub(crate) const STATS: Seal = Seal {
    magic: b"STADYNSB",
    format: 3,
};
const HEADER: usize = 8 + 4 + 8 + 32;

/// The SHA-256 of a payload, as a sealed file's header holds it.
pub type PayloadHash = [u8; 32];

/// Why a statistics file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StatsFileError {
    /// The file is missing or cannot be read.
    #[error("cannot read statistics '{}': {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Not a stadyn statistics file at all.
    #[error("'{}' is not a stadyn statistics file", path.display())]
    NotStats {
        /// The file.
        path: PathBuf,
    },
    /// Statistics of an older stadyn, whose meaning differs: never reinterpreted.
    #[error(
        "'{}' holds statistics of an older stadyn ({found}); they are not read (run the job again)",
        path.display()
    )]
    OldVersion {
        /// The file.
        path: PathBuf,
        /// What it says it is.
        found: String,
    },
    /// A stadyn statistics file that fails its integrity check or does not
    /// hang together.
    #[error("statistics '{}' are damaged: {reason}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl StatsFileError {
    /// Whether the file simply is not there (a fresh job, not a fault).
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// The file's bytes: header and payload.
pub(crate) fn encode(seal: &Seal, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(seal.magic);
    out.extend_from_slice(&seal.format.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(payload));
    out.extend_from_slice(payload);
    out
}

/// The payload hash a sealed file's header claims, reading only the header
/// (`None`: not a sealed file of this kind, or cut short). Only
/// [`decode`] checks the claim against the payload.
pub(crate) fn claimed_hash(seal: &Seal, path: &Path) -> std::io::Result<Option<PayloadHash>> {
    use std::io::Read as _;
    let mut header = [0u8; HEADER];
    let mut file = std::fs::File::open(path)?;
    if file.read_exact(&mut header).is_err()
        || &header[..8] != seal.magic
        || header[8..12] != seal.format.to_le_bytes()
    {
        return Ok(None);
    }
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&header[20..HEADER]);
    Ok(Some(hash))
}

/// The payload of a file's bytes and its hash, after its integrity check.
pub(crate) fn decode<'a>(
    seal: &Seal,
    path: &Path,
    bytes: &'a [u8],
) -> Result<(&'a [u8], PayloadHash), StatsFileError> {
    let damaged = |reason: String| StatsFileError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    let magic = seal.magic;
    if bytes.len() < magic.len() || &bytes[..magic.len()] != magic {
        // Schema 1 and 2 began with the postcard string "stadyn.stats/N".
        let old = bytes.get(1..15).filter(|b| b.starts_with(b"stadyn.stats/"));
        return Err(match old {
            Some(b) => StatsFileError::OldVersion {
                path: path.to_path_buf(),
                found: String::from_utf8_lossy(b).into_owned(),
            },
            None => StatsFileError::NotStats {
                path: path.to_path_buf(),
            },
        });
    }
    if bytes.len() < HEADER {
        return Err(damaged(format!(
            "{} bytes, shorter than the {HEADER}-byte header",
            bytes.len()
        )));
    }
    let word = |at: usize, n: usize| {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&bytes[at..at + n]);
        u64::from_le_bytes(b)
    };
    let format = word(8, 4);
    if format != u64::from(seal.format) {
        return Err(StatsFileError::OldVersion {
            path: path.to_path_buf(),
            found: format!("format {format}, this stadyn reads {}", seal.format),
        });
    }
    let len = word(12, 8);
    let payload = &bytes[HEADER..];
    if payload.len() as u64 != len {
        return Err(damaged(format!(
            "the payload has {} bytes, its header says {len} (truncated or appended to)",
            payload.len()
        )));
    }
    let hash: PayloadHash = Sha256::digest(payload).into();
    if hash[..] != bytes[20..HEADER] {
        return Err(damaged(
            "its checksum does not match (the file was altered after it was written)".into(),
        ));
    }
    Ok((payload, hash))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_flipped_bit_anywhere_is_caught() {
        let payload: Vec<u8> = (0..200u8).collect();
        let bytes = encode(&STATS, &payload);
        let (read, hash) = decode(&STATS, Path::new("s"), &bytes).unwrap();
        assert_eq!(read, &payload[..]);
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s");
        std::fs::write(&p, &bytes).unwrap();
        assert_eq!(claimed_hash(&STATS, &p).unwrap(), Some(hash));
        std::fs::write(&p, &bytes[..30]).unwrap();
        assert_eq!(claimed_hash(&STATS, &p).unwrap(), None, "cut short");
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(
                decode(&STATS, Path::new("s"), &bad).is_err(),
                "flip at byte {at}"
            );
        }
        for cut in 0..bytes.len() {
            assert!(
                decode(&STATS, Path::new("s"), &bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn older_files_are_named_as_such() {
        let mut old = vec![14u8];
        old.extend_from_slice(b"stadyn.stats/2");
        old.extend_from_slice(&[0; 40]);
        let err = decode(&STATS, Path::new("s"), &old).unwrap_err();
        assert!(matches!(err, StatsFileError::OldVersion { .. }), "{err}");
        assert!(err.to_string().contains("stadyn.stats/2"), "{err}");
        let err = decode(&STATS, Path::new("s"), b"hello world").unwrap_err();
        assert!(matches!(err, StatsFileError::NotStats { .. }), "{err}");
    }
}
