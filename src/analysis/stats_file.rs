//! The mergeable statistics of a run (`stats.bin` beside `report.json`):
//! every model × layer accumulator, the job's identity (so shards of
//! different jobs are never merged), the shard, and how far the run got (so
//! a killed run resumes). Binary (postcard: f64 as exact little-endian
//! bytes), written atomically.

use super::{ReportSettings, Warning};
use crate::export::atomic_write;
use crate::stats::LayerAccumulator;
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Schema of the statistics file.
pub const STATS_SCHEMA: &str = "stadyn.stats/2";

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
    /// Warnings gathered so far.
    pub warnings: Vec<Warning>,
    /// Per-model statistics.
    pub models: Vec<ModelStats>,
}

impl StatsFile {
    /// Writes the file atomically.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let bytes = postcard::to_stdvec(self).context("cannot encode statistics")?;
        atomic_write(path, |w| Ok(w.write_all(&bytes)?))
            .with_context(|| format!("cannot write statistics '{}'", path.display()))
    }

    /// Reads a statistics file, checking its schema.
    pub fn load(path: &Path) -> anyhow::Result<StatsFile> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read statistics '{}'", path.display()))?;
        let file: StatsFile = postcard::from_bytes(&bytes).with_context(|| {
            format!(
                "'{}' is not a stadyn statistics file (or a damaged one)",
                path.display()
            )
        })?;
        if file.schema != STATS_SCHEMA {
            anyhow::bail!(
                "'{}' has schema '{}', expected '{STATS_SCHEMA}'",
                path.display(),
                file.schema
            );
        }
        Ok(file)
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
            mine.done += theirs.done;
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
