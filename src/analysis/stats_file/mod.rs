//! The mergeable statistics of a run (`stats.bin` beside `report.json`):
//! every model × layer accumulator, the job's identity (so shards of
//! different jobs are never merged), the shard, and how far the run got (so
//! a killed run resumes). Binary with an integrity check ([`format`]),
//! written atomically.
//!
//! The counts hang together, and every save and load checks it: each
//! layer of a model has seen exactly the pairs the model's `done` says,
//! less those it `skipped`. A file that breaks this, or fails its checksum,
//! is refused with [`StatsFileError::Damaged`], never believed.

pub(crate) mod format;

pub use format::{PayloadHash, StatsFileError};

use super::ProbeSpec;
use crate::files::atomic_write;
use crate::report::{ReportSettings, Warning};
use crate::stats::LayerAccumulator;
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Schema of the statistics file. 3: an integrity header, skipped pairs and
/// the model file per model, the videos the probe check left out. 4: each
/// layer keeps its channels' top windows, a pair sample and per-channel
/// bootstrap replicates. 5: the checkpoint's metrics. 6: each model's
/// convergence history. 7: each model's layer streams. 8: each model's
/// rows per pair (the frames of a per-frame model).
pub const STATS_SCHEMA: &str = "stadyn.stats/8";

/// Which part of the pair plan a run covers: pair ids with `id % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard's index (0-based).
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// The whole plan.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `i/n` (0-based i < n).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let err = || format!("bad shard '{s}': expected i/n with 0 ≤ i < n (e.g. 0/4)");
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let index: usize = i.trim().parse().map_err(|_| err())?;
        let count: usize = n.trim().parse().map_err(|_| err())?;
        if count == 0 || index >= count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }

    /// Whether pair `id` belongs to this shard.
    pub fn contains(&self, id: u64) -> bool {
        id % self.count as u64 == self.index as u64
    }

    /// This shard's pair ids in a plan of `pairs` pairs, in order, computed
    /// on demand (memory does not grow with the plan).
    pub fn ids(&self, pairs: usize) -> ShardIds {
        let (i, n) = (self.index, self.count.max(1));
        ShardIds {
            first: i as u64,
            step: n as u64,
            len: pairs.saturating_sub(i).div_ceil(n),
        }
    }
}

/// The pair ids of one shard: `first + k·step` for `k < len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardIds {
    first: u64,
    step: u64,
    len: usize,
}

impl ShardIds {
    /// Number of ids.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The ids from position `from` on.
    pub fn from(&self, from: usize) -> impl Iterator<Item = u64> + use<> {
        let (first, step) = (self.first, self.step);
        (from..self.len).map(move |k| first + k as u64 * step)
    }
}

/// The statistics of one model (or checkpoint).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelStats {
    /// Model name.
    pub name: String,
    /// Checkpoint label.
    pub checkpoint: Option<String>,
    /// Epoch.
    pub epoch: Option<f64>,
    /// Layer accumulators in display order (empty until the first batch).
    pub layers: Vec<LayerAccumulator>,
    /// Pairs of the shard this model has seen (skipped pairs included). A job
    /// runs its input groups one after another, so models differ mid-run.
    pub done: usize,
    /// Of those, pairs that could not be built (a video that failed to
    /// decode mid-run): every layer has seen `done - skipped` pairs.
    pub skipped: usize,
    /// The model file as the run saw it.
    pub path: String,
    /// SHA-256 of the model file's bytes.
    pub sha256: String,
    /// The checkpoint's recorded numbers from its manifest (accuracy,
    /// `metrics`), for the report.
    pub metrics: std::collections::BTreeMap<String, f64>,
    /// The layers' estimates at each save (see
    /// [`crate::report::convergence`]); empty for merged shards.
    pub history: Vec<crate::report::ConvergencePoint>,
    /// The stream of each layer the manifest tags (layer → tag).
    pub streams: std::collections::BTreeMap<String, String>,
    /// Rows of the estimator each pair gives: its frames T for a per-frame
    /// model (input layout `NCHW`), else 1.
    pub rows: usize,
}

impl ModelStats {
    /// Pairs measured: seen by every layer.
    pub fn measured(&self) -> usize {
        self.done.saturating_sub(self.skipped)
    }

    /// Checks that every layer has seen the pairs `done` says, less `skipped`.
    fn check_counts(&self) -> Result<(), String> {
        let who = match &self.checkpoint {
            Some(c) => format!("model '{}' @ {c}", self.name),
            None => format!("model '{}'", self.name),
        };
        if self.skipped > self.done {
            return Err(format!(
                "{who}: {} pairs skipped of {} done",
                self.skipped, self.done
            ));
        }
        if self.rows == 0 {
            return Err(format!("{who}: 0 rows per pair"));
        }
        for l in &self.layers {
            let [d, s] = l.pairs();
            if d + s != (self.measured() * self.rows) as u64 {
                let per = if self.rows > 1 {
                    format!(" × {} frames", self.rows)
                } else {
                    String::new()
                };
                return Err(format!(
                    "{who}, layer '{}': {} rows in its statistics, but {} pairs{per} measured ({} done, {} skipped)",
                    l.name(),
                    d + s,
                    self.measured(),
                    self.done,
                    self.skipped
                ));
            }
            l.check_consistent()?;
        }
        Ok(())
    }
}

/// Everything needed to resume, merge and report a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsFile {
    /// Always [`STATS_SCHEMA`].
    pub schema: String,
    /// Tool version that wrote it.
    pub tool_version: String,
    /// Hash of everything that determines the numbers except the shard.
    pub job_key: String,
    /// The job's settings, human-readable (JSON), for messages.
    pub job_settings: String,
    /// Settings to report with (threshold, bootstrap).
    pub settings: ReportSettings,
    /// The split this file belongs to (its `index` is the first shard it covers).
    pub shard: Shard,
    /// Indices of the shards merged into this file (just `shard.index` for one run).
    pub covers: Vec<usize>,
    /// Pairs of the shard every model has seen (the fewest of any model:
    /// the run is complete when this reaches `total`).
    pub done: usize,
    /// Pairs in the shard.
    pub total: usize,
    /// Pairs in the whole plan (every shard).
    pub plan_pairs: usize,
    /// Warnings gathered so far.
    pub warnings: Vec<Warning>,
    /// Videos the probe check left out before planning (the plan is over
    /// the others): a resumed run must find the same.
    pub left_out: Vec<Warning>,
    /// The probe settings of an `analyze` job (none for `estimate`): what
    /// rebuilds any pair from its id, for the channel inspector.
    pub probe: Option<ProbeSpec>,
    /// The probe files the job read, with size and mtime (its identity's
    /// listing): the channel inspector says which changed since.
    pub probe_files: Vec<(String, u64, u64)>,
    /// Per-model statistics.
    pub models: Vec<ModelStats>,
}

impl StatsFile {
    /// Writes the file atomically, after checking that its counts hang
    /// together (a failure here is a bug, and nothing is written); returns
    /// the hash of what it wrote.
    pub fn save(&self, path: &Path) -> anyhow::Result<PayloadHash> {
        self.check()
            .map_err(|e| anyhow::anyhow!("internal error, statistics not saved: {e}"))?;
        let payload = postcard::to_stdvec(self).context("cannot encode statistics")?;
        let bytes = format::encode(&format::STATS, &payload);
        atomic_write(path, |w| Ok(w.write_all(&bytes)?))
            .with_context(|| format!("cannot write statistics '{}'", path.display()))?;
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&bytes[20..52]);
        Ok(hash)
    }

    /// The bytes of a statistics file whose payload is `payload` (postcard
    /// of a [`StatsFile`]), with a valid integrity header: for tests and
    /// fuzzing of the decoder behind the checksum.
    pub fn seal(payload: &[u8]) -> Vec<u8> {
        format::encode(&format::STATS, payload)
    }

    /// Reads a statistics file: its integrity check, schema and counts.
    pub fn load(path: &Path) -> Result<StatsFile, StatsFileError> {
        Self::load_hashed(path).map(|(file, _)| file)
    }

    /// [`load`](Self::load), with the hash of the file's payload.
    pub fn load_hashed(path: &Path) -> Result<(StatsFile, PayloadHash), StatsFileError> {
        let bytes = std::fs::read(path).map_err(|source| StatsFileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes_hashed(path, &bytes)
    }

    /// [`load`](Self::load) from bytes already read (`path` names them in errors).
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<StatsFile, StatsFileError> {
        Self::from_bytes_hashed(path, bytes).map(|(file, _)| file)
    }

    fn from_bytes_hashed(
        path: &Path,
        bytes: &[u8],
    ) -> Result<(StatsFile, PayloadHash), StatsFileError> {
        let damaged = |reason: String| StatsFileError::Damaged {
            path: path.to_path_buf(),
            reason,
        };
        let (payload, hash) = format::decode(&format::STATS, path, bytes)?;
        // The schema first: statistics of another schema do not decode as
        // this one, and are named as what they are, not called damaged.
        if let Ok((schema, _)) = postcard::take_from_bytes::<String>(payload)
            && schema != STATS_SCHEMA
            && schema.starts_with("stadyn.stats/")
        {
            return Err(StatsFileError::OldVersion {
                path: path.to_path_buf(),
                found: schema,
            });
        }
        let file: StatsFile =
            postcard::from_bytes(payload).map_err(|e| damaged(format!("cannot decode: {e}")))?;
        if file.schema != STATS_SCHEMA {
            return Err(StatsFileError::OldVersion {
                path: path.to_path_buf(),
                found: file.schema,
            });
        }
        file.check().map_err(damaged)?;
        Ok((file, hash))
    }

    /// Checks the counts: each model's layers saw what its `done` says, no
    /// model is past the shard's total, and `done` is the fewest of any model.
    pub fn check(&self) -> Result<(), String> {
        for m in &self.models {
            if m.done > self.total {
                return Err(format!(
                    "model '{}' has done {} pairs of {}",
                    m.name, m.done, self.total
                ));
            }
            m.check_counts()?;
        }
        let fewest = self.models.iter().map(|m| m.done).min().unwrap_or(0);
        if self.done != fewest {
            return Err(format!(
                "{} pairs done, but its models have done {fewest} at the fewest",
                self.done
            ));
        }
        if self.covers.is_empty() || self.covers.iter().any(|&i| i >= self.shard.count) {
            return Err(format!(
                "covers shards {:?} of {}",
                self.covers, self.shard.count
            ));
        }
        Ok(())
    }

    /// Pairs measured by the model that measured the fewest.
    pub fn measured(&self) -> usize {
        self.models
            .iter()
            .map(ModelStats::measured)
            .min()
            .unwrap_or(0)
    }

    /// Whether every pair of the shard is done.
    pub fn complete(&self) -> bool {
        self.done >= self.total
    }

    /// Whether every shard of the split is merged in and complete.
    pub fn covers_all(&self) -> bool {
        self.complete() && self.covers.len() == self.shard.count
    }

    /// Merges another shard's statistics of the same job into this one.
    pub fn merge(&mut self, other: &StatsFile) -> anyhow::Result<()> {
        if other.job_key != self.job_key {
            anyhow::bail!(
                "these statistics come from different jobs (models, probe set or settings differ):\n  {}\n  {}",
                self.job_settings,
                other.job_settings
            );
        }
        if other.shard.count != self.shard.count {
            anyhow::bail!(
                "shards of different splits: {} shards vs {} shards",
                self.shard.count,
                other.shard.count
            );
        }
        if other.left_out != self.left_out {
            let list = |f: &StatsFile| {
                let paths: Vec<&str> = f.left_out.iter().map(|w| w.path.as_str()).collect();
                if paths.is_empty() {
                    "none".to_string()
                } else {
                    paths.join(", ")
                }
            };
            anyhow::bail!(
                "the shards' probe checks left out different videos ({} vs {}), so their pair \
                 plans differ: run every shard where the same videos can be read",
                list(self),
                list(other)
            );
        }
        if let Some(dup) = other.covers.iter().find(|i| self.covers.contains(i)) {
            anyhow::bail!("shard {dup}/{} is given twice", self.shard.count);
        }
        let ids = |f: &StatsFile| -> Vec<(String, Option<String>)> {
            f.models
                .iter()
                .map(|m| (m.name.clone(), m.checkpoint.clone()))
                .collect()
        };
        if ids(self) != ids(other) {
            anyhow::bail!("the shards list different models or checkpoints");
        }
        for (mine, theirs) in self.models.iter_mut().zip(&other.models) {
            if mine.layers.is_empty() {
                mine.layers = theirs.layers.clone();
                continue;
            }
            for (a, b) in mine.layers.iter_mut().zip(&theirs.layers) {
                a.merge(b)?;
            }
        }
        for (mine, theirs) in self.models.iter_mut().zip(&other.models) {
            // A shard's history is not the merged set's: it is dropped.
            mine.history.clear();
            mine.done += theirs.done;
            mine.skipped += theirs.skipped;
        }
        self.covers.extend(&other.covers);
        self.covers.sort_unstable();
        self.done += other.done;
        self.total += other.total;
        for w in &other.warnings {
            if !self.warnings.contains(w) {
                self.warnings.push(w.clone());
            }
        }

        Ok(())
    }
}

#[cfg(test)]
mod tests;
