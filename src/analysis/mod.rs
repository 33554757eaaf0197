//! Analysis jobs and their results: estimates from activation files and the
//! versioned report that every face (CLI, GUI, export) reads and writes.

mod activations;
mod cache;
mod inputs;
mod job;
#[cfg(feature = "torch")]
mod load;
mod memory;
mod pair_source;
mod probe_spec;
mod project;
mod report;
mod run;
mod stages;
mod stats_file;

pub use activations::{EstimateOptions, LayerArrays, estimate_npz, find_layers};
pub use cache::{
    CacheUse, CachedResults, cache_root, cached_report, cached_stats_path, run_cached,
};
pub use job::{ESTIMATOR_VERSION, JobSpec, file_hash};
#[cfg(feature = "torch")]
pub use load::load_torchscript;
pub use memory::{available_bytes, batch_for, peak_rss_bytes};
pub use pair_source::{BuiltPair, PairSource};
pub use probe_spec::ProbeSpec;
pub use project::{
    EstimatorSettings, ModelEntry, ModelSpec, ProbeSettings, Project, RunSettings,
    checkpoint_epoch, checkpoint_files, expand_models,
};
pub use run::{JobEvent, JobOutput, ModelLoader, Progress, Started, build_report, run_job};
pub use stats_file::{ModelStats, STATS_SCHEMA, Shard, StatsFile};

pub use report::{
    LayerReport, ModelReport, PairCounts, REPORT_SCHEMA, Report, ReportSettings, UnitsReport,
    Warning,
};

#[cfg(test)]
mod tests;
