//! The bytes of a statistics file: a header with a SHA-256 of the payload,
//! then the payload (postcard: f64s as exact little-endian bytes).
//!
//! ```text
//! magic "STADYNSB" (8) · format version u32 LE (4) · payload length u64 LE (8)
//! · SHA-256 of the payload (32) · payload
//! ```
//! A flipped bit anywhere in the payload changes its hash, so damaged
//! statistics are refused instead of believed; a short file is caught by the
//! length. Files of schema 2 and before had no header and are recognised by
//! their first bytes, to say so.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"STADYNSB";
/// The format version in the header (the statistics schema's number).
const FORMAT: u32 = 3;
const HEADER: usize = 8 + 4 + 8 + 32;

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
pub(super) fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(payload));
    out.extend_from_slice(payload);
    out
}

/// The payload of a file's bytes, after its integrity check.
pub(super) fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a [u8], StatsFileError> {
    let damaged = |reason: String| StatsFileError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
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
    if format != u64::from(FORMAT) {
        return Err(StatsFileError::OldVersion {
            path: path.to_path_buf(),
            found: format!("format {format}, this stadyn reads {FORMAT}"),
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
    if Sha256::digest(payload).as_slice() != &bytes[20..HEADER] {
        return Err(damaged(
            "its checksum does not match (the file was altered after it was written)".into(),
        ));
    }
    Ok(payload)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_flipped_bit_anywhere_is_caught() {
        let payload: Vec<u8> = (0..200u8).collect();
        let bytes = encode(&payload);
        assert_eq!(decode(Path::new("s"), &bytes).unwrap(), &payload[..]);
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(decode(Path::new("s"), &bad).is_err(), "flip at byte {at}");
        }
        for cut in 0..bytes.len() {
            assert!(
                decode(Path::new("s"), &bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn older_files_are_named_as_such() {
        let mut old = vec![14u8];
        old.extend_from_slice(b"stadyn.stats/2");
        old.extend_from_slice(&[0; 40]);
        let err = decode(Path::new("s"), &old).unwrap_err();
        assert!(matches!(err, StatsFileError::OldVersion { .. }), "{err}");
        assert!(err.to_string().contains("stadyn.stats/2"), "{err}");
        let err = decode(Path::new("s"), b"hello world").unwrap_err();
        assert!(matches!(err, StatsFileError::NotStats { .. }), "{err}");
    }
}
