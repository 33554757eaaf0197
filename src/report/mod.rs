//! The versioned report (`report.json`, schema `stadyn.report/2`): the room
//! that every face reads a result through (the pipeline writes it, `figure`,
//! `export` and the app read it).
//!
//! Fixed fields (other tools read them): `schema`, `tool_version`, `models[]`
//! with `name`, `checkpoint`, `epoch`, and `layers[]` with `name`,
//! `channels`, `scores`, `probs`, `dims`, `pct`, `ci95` and `units`
//! (`rho_dynamic`, `rho_static`, `category`, `unassigned`). Fields may be
//! added; none of these may change meaning without a new schema version.
//!
//! Schema 2 adds, over 1: a top-level `partial` (`null`, or `{pairs_done,
//! pairs_planned}` for a run that stopped early or a merge of some shards),
//! `job_key` (the job's identity, as in its statistics file) and
//! `probe_root`; per model `pairs_done`, its file `path` and `sha256`, and
//! `metrics` (the checkpoint's numbers from its manifest: `accuracy`,
//! `train_accuracy` and the manifest's `metrics`; absent when none).
//! Later additions within schema 2: per layer `stream` (the manifest's tag:
//! appearance, motion, fusion or a pathway; absent when untagged), per
//! model `convergence` (the layers'
//! estimates at each save of the statistics, see [`convergence`]; absent
//! when none, as in merged results) and top-level `style_strength` (the
//! built-in styles' strength when not 1). Reports of schema 1 still open:
//! the new fields read as absent.

pub mod convergence;
mod json;

pub use convergence::{ConvergencePoint, LayerPoint};
pub use json::{read_report, write_report};

use crate::stats::{BootstrapCi, BootstrapConfig, Category, CategoryCounts, LayerEstimate};
use serde::{Deserialize, Serialize};

/// Schema identifier written into every report.
pub const REPORT_SCHEMA: &str = "stadyn.report/2";
/// Older schemas that still open (their missing fields read as absent).
pub const OLDER_REPORT_SCHEMAS: &[&str] = &["stadyn.report/1"];

/// A whole report: settings, warnings and results per model and layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_SCHEMA`].
    pub schema: String,
    /// The stadyn version that wrote it.
    pub tool_version: String,
    /// How the results were computed.
    pub settings: ReportSettings,
    /// The job's identity (the hash in its statistics file and cache entry);
    /// absent for `estimate` reports and schema 1.
    #[serde(default)]
    pub job_key: Option<String>,
    /// The probe set's folder, for `analyze` reports.
    #[serde(default)]
    pub probe_root: Option<String>,
    /// `null` for a complete run; how far a run got that stopped early (or a
    /// merge of some of its shards).
    #[serde(default)]
    pub partial: Option<Partial>,
    /// The built-in styles the pairs used below full strength (name →
    /// strength, 0 to 1); absent at full strength.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub style_strength: std::collections::BTreeMap<String, f64>,
    /// Inputs that were skipped or altered, and other things a reader should know.
    pub warnings: Vec<Warning>,
    /// Results per model (or checkpoint).
    pub models: Vec<ModelReport>,
}

/// How far a run got that stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partial {
    /// Pairs every model has seen.
    pub pairs_done: usize,
    /// Pairs in the plan (of every shard).
    pub pairs_planned: usize,
}

impl Report {
    /// An empty report with the current schema and tool version.
    pub fn new(settings: ReportSettings) -> Self {
        Self {
            schema: REPORT_SCHEMA.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            settings,
            job_key: None,
            probe_root: None,
            partial: None,
            style_strength: std::collections::BTreeMap::new(),
            warnings: Vec::new(),
            models: Vec::new(),
        }
    }
}

/// Settings that produced the numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportSettings {
    /// What produced the report: `"estimate"` (activations file) or `"analyze"`.
    pub command: String,
    /// The input: an activations file or a probe set.
    pub input: String,
    /// Unit-category threshold τ.
    pub threshold: f64,
    /// Bootstrap replicates and seed (replicates 0: no intervals).
    pub bootstrap: BootstrapConfig,
}

/// Something a reader of the report should know (a skipped input, an ignored array).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The path or name concerned.
    pub path: String,
    /// What happened and why.
    pub reason: String,
}

/// The results of one model or checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    /// Display name.
    pub name: String,
    /// Checkpoint file, when the model is one of several checkpoints.
    pub checkpoint: Option<String>,
    /// Training epoch of the checkpoint, when known.
    pub epoch: Option<f64>,
    /// Pairs this model has seen (models of a job run in stages, so they
    /// differ in a partial report); absent in schema 1.
    #[serde(default)]
    pub pairs_done: Option<usize>,
    /// The model file that made these numbers.
    #[serde(default)]
    pub path: Option<String>,
    /// SHA-256 of the model file's bytes.
    #[serde(default)]
    pub sha256: Option<String>,
    /// The checkpoint's recorded numbers (accuracy, the manifest's
    /// `metrics`); absent when none.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub metrics: std::collections::BTreeMap<String, f64>,
    /// The layers' estimates against pairs measured, one point per save of
    /// the statistics; absent when none (merged shards keep none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub convergence: Vec<ConvergencePoint>,
    /// Rows of the estimator per pair, when more than one: a per-frame
    /// model (two-stream video object segmentation) gives a row per frame,
    /// and its layers' pair counts count those rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_per_pair: Option<usize>,
    /// Layers in display order.
    pub layers: Vec<LayerReport>,
}

impl ModelReport {
    /// A model's results with nothing but its name, checkpoint and epoch known.
    pub fn new(name: impl Into<String>, checkpoint: Option<String>, epoch: Option<f64>) -> Self {
        Self {
            name: name.into(),
            checkpoint,
            epoch,
            pairs_done: None,
            path: None,
            sha256: None,
            metrics: std::collections::BTreeMap::new(),
            convergence: Vec::new(),
            rows_per_pair: None,
            layers: Vec::new(),
        }
    }
}

/// Pairs per factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairCounts {
    /// Dynamic pairs (shared motion).
    pub dynamic: u64,
    /// Static pairs (shared appearance).
    #[serde(rename = "static")]
    pub static_: u64,
}

/// The results of one layer (METHOD.md §4–5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerReport {
    /// Layer name.
    pub name: String,
    /// Channels C.
    pub channels: usize,
    /// Pairs per factor.
    pub pairs: PairCounts,
    /// Total variance V of `[Za; Zb]`.
    pub total_variance: f64,
    /// `[s_dynamic, s_static, 1.0]`.
    pub scores: [f64; 3],
    /// Softmax of the scores.
    pub probs: [f64; 3],
    /// Dimensions per factor (sum C).
    pub dims: [usize; 3],
    /// Percentages per factor, rounded to 0.1 as the reference does.
    pub pct: [f64; 3],
    /// 95 % bootstrap intervals, `null` without bootstrap.
    pub ci95: Option<BootstrapCi>,
    /// The stream the layer belongs to (appearance, motion, fusion, a
    /// pathway), when the model's manifest tags it; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    /// Per-channel results.
    pub units: UnitsReport,
}

/// Per-channel results of one layer. `null` marks an undefined ρ
/// (a channel with zero variance over that factor's rows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitsReport {
    /// ρ_D per channel.
    pub rho_dynamic: Vec<Option<f64>>,
    /// ρ_S per channel.
    pub rho_static: Vec<Option<f64>>,
    /// `softmax([ρ_D, ρ_S, 1])` per channel.
    pub softmax: Vec<Option<[f64; 3]>>,
    /// Category per channel at the report's threshold.
    pub category: Vec<Category>,
    /// Channels per category.
    pub counts: CategoryCounts,
    /// Channels with no category (undefined ρ or ρ exactly at τ).
    pub unassigned: usize,
    /// 95 % bootstrap interval of ρ_D per channel (`null` where fewer than
    /// 2 replicates define it); absent without per-channel replicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rho_dynamic_ci95: Option<Vec<Option<[f64; 2]>>>,
    /// 95 % bootstrap interval of ρ_S per channel, as `rho_dynamic_ci95`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rho_static_ci95: Option<Vec<Option<[f64; 2]>>>,
    /// Per channel, the share of bootstrap replicates that give it the
    /// category it has at the report's threshold (`null` where no replicate
    /// defines both ρ); absent without per-channel replicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<Vec<Option<f64>>>,
}

impl LayerReport {
    /// Checks that the per-channel results are one per channel (a report
    /// read from a file may say anything; views index by channel).
    pub fn check(&self) -> Result<(), String> {
        let u = &self.units;
        let lengths = [
            u.rho_dynamic.len(),
            u.rho_static.len(),
            u.softmax.len(),
            u.category.len(),
            u.rho_dynamic_ci95.as_ref().map_or(self.channels, Vec::len),
            u.rho_static_ci95.as_ref().map_or(self.channels, Vec::len),
            u.stability.as_ref().map_or(self.channels, Vec::len),
        ];
        if let Some(&n) = lengths.iter().find(|&&n| n != self.channels) {
            return Err(format!(
                "layer '{}' says {} channels but has {n} per-channel results",
                self.name, self.channels
            ));
        }
        Ok(())
    }

    /// The report of one layer's estimate.
    pub fn from_estimate(name: impl Into<String>, e: LayerEstimate) -> Self {
        let [rho_dynamic, rho_static] = e.units.rho;
        let (ci_dynamic, ci_static, stability) = match e.units.ci {
            Some(ci) => {
                let [d, s] = ci.rho;
                (Some(d), Some(s), Some(ci.stability))
            }
            None => (None, None, None),
        };
        Self {
            name: name.into(),
            channels: e.channels,
            pairs: PairCounts {
                dynamic: e.pairs[0],
                static_: e.pairs[1],
            },
            total_variance: e.scores.total_variance,
            scores: e.scores.scores,
            probs: e.scores.probs,
            dims: e.scores.dims,
            pct: e.scores.pct,
            ci95: e.ci,
            stream: None,
            units: UnitsReport {
                rho_dynamic,
                rho_static,
                softmax: e.units.softmax,
                category: e.units.category,
                counts: e.units.counts,
                unassigned: e.units.counts.unassigned,
                rho_dynamic_ci95: ci_dynamic,
                rho_static_ci95: ci_static,
                stability,
            },
        }
    }
}
