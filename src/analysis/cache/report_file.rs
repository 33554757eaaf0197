//! The report kept beside a cached job's statistics (`report.bin` next to
//! `stats.bin`). The app shows it the moment a project opens and reads the
//! statistics (over 100 MB for the demo) after, for the channel views.
//!
//! It is a convenience the numbers never depend on. It is believed only
//! when all of these hold:
//! - it was built from exactly the statistics beside it: the SHA-256 of
//!   their payload, as `stats.bin`'s header states it;
//! - it was built at the same threshold;
//! - it was built by the same build of stadyn (version, and the size and
//!   modification time of the executable): the code that turns statistics
//!   into a report can change within a version;
//! - it is for the same job and shard;
//! - it passes its own integrity check.
//!
//! Anything else is ignored and the report is built from the statistics
//! again (and the file rewritten). A file is written only when it reads
//! back equal to the report it holds (a NaN, which JSON cannot hold, would
//! not), so what is read is what was built.
//!
//! The statistics are read later by [`StatsLater`], which refuses them
//! unless their hash is the one the report was built from.

use super::super::stats_file::format::{self, PayloadHash, Seal};
use super::super::{StatsFile, failure};
use crate::analysis::Shard;
use crate::files::atomic_write;
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const REPORT: Seal = Seal {
    magic: b"STADYNRB",
    format: 1,
};

/// What `report.bin` holds.
#[derive(Serialize, Deserialize, PartialEq)]
struct Entry {
    build: String,
    job_key: String,
    shard: Shard,
    stats_sha256: PayloadHash,
    /// The threshold's bits (exact).
    threshold: u64,
    done: usize,
    total: usize,
    usable: bool,
    report: Report,
}

/// A report read from `report.bin`, with what the app shows beside it.
pub(crate) struct Hit {
    pub report: Report,
    pub done: usize,
    pub total: usize,
    pub usable: bool,
    pub later: StatsLater,
}

/// Statistics whose report was shown before they were read: what reads
/// them, and the hash they must have.
#[derive(Clone, Debug)]
pub struct StatsLater {
    path: PathBuf,
    sha256: PayloadHash,
}

impl StatsLater {
    /// Reads the statistics; refused unless they are exactly the ones the
    /// report shown was built from.
    pub fn load(&self) -> anyhow::Result<StatsFile> {
        let (stats, hash) = StatsFile::load_hashed(&self.path)?;
        anyhow::ensure!(
            hash == self.sha256,
            "the statistics '{}' changed after their report was shown (another run wrote \
             them): open the project again",
            self.path.display()
        );
        Ok(stats)
    }
}

/// `report.bin` beside `stats`.
fn path_beside(stats: &Path) -> PathBuf {
    stats.with_file_name("report.bin")
}

/// This build of stadyn, or `None` when the executable cannot be looked at
/// (then no report file is read or written).
fn build() -> Option<&'static str> {
    static BUILD: OnceLock<Option<String>> = OnceLock::new();
    BUILD
        .get_or_init(|| {
            let exe = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
            let modified = exe
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?;
            Some(format!(
                "{} {} {}",
                env!("CARGO_PKG_VERSION"),
                exe.len(),
                modified.as_nanos()
            ))
        })
        .as_deref()
}

/// The report beside the statistics at `stats`, when it may be believed
/// for job `key`, `shard` at `threshold` (see the module doc); `None`
/// otherwise, with the reason in the debug log.
pub(crate) fn read(stats: &Path, key: &str, shard: Shard, threshold: f64) -> Option<Hit> {
    let refuse = |why: &str| {
        log::debug!("report file beside '{}' not used: {why}", stats.display());
        None
    };
    let build = build()?;
    let claimed = match format::claimed_hash(&format::STATS, stats) {
        Ok(Some(h)) => h,
        Ok(None) => return refuse("the statistics have no header"),
        Err(_) => return None,
    };
    let file = path_beside(stats);
    let Ok(bytes) = std::fs::read(&file) else {
        return refuse("no report file");
    };
    let entry: Entry = match format::decode(&REPORT, &file, &bytes) {
        Ok((payload, _)) => match serde_json::from_slice(payload) {
            Ok(e) => e,
            Err(e) => return refuse(&format!("cannot decode: {e}")),
        },
        Err(e) => return refuse(&e.to_string()),
    };
    let same = entry.build == build
        && entry.job_key == key
        && entry.shard == shard
        && entry.stats_sha256 == claimed
        && entry.threshold == threshold.to_bits();
    if !same {
        return refuse("made from other statistics, at another threshold or by another build");
    }
    Some(Hit {
        report: entry.report,
        done: entry.done,
        total: entry.total,
        usable: entry.usable,
        later: StatsLater {
            path: stats.to_path_buf(),
            sha256: claimed,
        },
    })
}

/// Keeps `report` beside the statistics at `path`, whose payload hash is
/// `sha256`: `report` must be `build_report(stats, threshold)`. Best
/// effort: a failure only means the next open builds the report again.
pub(crate) fn write(
    path: &Path,
    sha256: PayloadHash,
    stats: &StatsFile,
    threshold: f64,
    report: &Report,
) {
    let Some(build) = build() else { return };
    let entry = Entry {
        build: build.to_string(),
        job_key: stats.job_key.clone(),
        shard: stats.shard,
        stats_sha256: sha256,
        threshold: threshold.to_bits(),
        done: stats.done,
        total: stats.total,
        usable: failure(report, stats).is_none(),
        report: report.clone(),
    };
    let written = serde_json::to_vec(&entry)
        .map_err(anyhow::Error::from)
        .and_then(|payload| {
            let back: Entry = serde_json::from_slice(&payload)?;
            anyhow::ensure!(back == entry, "the report does not read back equal");
            let bytes = format::encode(&REPORT, &payload);
            atomic_write(&path_beside(path), |w| Ok(w.write_all(&bytes)?))
        });
    if let Err(e) = written {
        log::debug!("no report file beside '{}': {e:#}", path.display());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::analysis::build_report;
    use crate::stats::BootstrapConfig;

    fn stats() -> StatsFile {
        let boot = BootstrapConfig {
            replicates: 4,
            seed: 1,
        };
        let layer = crate::testing::accumulator("l", 3, 10, boot);
        let model = crate::testing::model_stats("m", None, vec![layer], 0);
        crate::testing::stats_file(vec![model], 10, boot)
    }

    /// Statistics saved at `p` with their report kept beside them.
    fn saved(p: &Path, s: &StatsFile, threshold: f64) -> Report {
        let hash = s.save(p).unwrap();
        let report = build_report(s, threshold);
        write(p, hash, s, threshold, &report);
        report
    }

    #[test]
    fn the_report_is_believed_only_beside_the_statistics_it_was_built_from() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("stats.bin");
        assert!(read(&p, "k", Shard::ALL, 0.5).is_none(), "nothing there");
        let s = stats();
        let report = saved(&p, &s, 0.5);
        let hit = read(&p, "k", Shard::ALL, 0.5).unwrap();
        assert_eq!(hit.report, report);
        assert_eq!((hit.done, hit.total, hit.usable), (10, 10, true));
        assert_eq!(hit.later.load().unwrap(), s);

        // Another threshold, job or shard: not this report.
        assert!(read(&p, "k", Shard::ALL, 0.6).is_none());
        assert!(read(&p, "other", Shard::ALL, 0.5).is_none());
        let half = Shard { index: 0, count: 2 };
        assert!(read(&p, "k", half, 0.5).is_none());

        // Statistics rewritten by another run: the report beside them is
        // stale, and statistics promised earlier are refused.
        let mut other = s.clone();
        other.warnings.push(crate::report::Warning {
            path: "v.mp4".into(),
            reason: "skipped".into(),
        });
        other.save(&p).unwrap();
        assert!(read(&p, "k", Shard::ALL, 0.5).is_none(), "stale");
        let err = hit.later.load().unwrap_err().to_string();
        assert!(
            err.contains("changed after their report was shown"),
            "{err}"
        );

        // A damaged report file is not believed.
        saved(&p, &other, 0.5);
        assert!(read(&p, "k", Shard::ALL, 0.5).is_some());
        let file = path_beside(&p);
        let mut bytes = std::fs::read(&file).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x04;
        std::fs::write(&file, &bytes).unwrap();
        assert!(read(&p, "k", Shard::ALL, 0.5).is_none(), "damaged");
    }

    #[test]
    fn another_build_s_report_is_not_believed() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("stats.bin");
        let s = stats();
        let report = saved(&p, &s, 0.5);
        let bytes = std::fs::read(path_beside(&p)).unwrap();
        let (payload, _) = format::decode(&REPORT, &p, &bytes).unwrap();
        let mut entry: Entry = serde_json::from_slice(payload).unwrap();
        assert_eq!(entry.report, report);
        entry.build = format!("{} 1 2", env!("CARGO_PKG_VERSION"));
        let sealed = format::encode(&REPORT, &serde_json::to_vec(&entry).unwrap());
        std::fs::write(path_beside(&p), sealed).unwrap();
        assert!(read(&p, "k", Shard::ALL, 0.5).is_none());
    }

    #[test]
    fn a_report_that_does_not_read_back_equal_is_not_kept() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("stats.bin");
        let s = stats();
        let hash = s.save(&p).unwrap();
        let mut report = build_report(&s, 0.5);
        // JSON has no NaN: it would read back as something else.
        report.models[0].layers[0].scores[0] = f64::NAN;
        write(&p, hash, &s, 0.5, &report);
        assert!(!path_beside(&p).exists());
        assert!(read(&p, "k", Shard::ALL, 0.5).is_none());
    }
}
