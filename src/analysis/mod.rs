//! Analysis jobs: a job's description and identity, the checked probe set
//! and its pairs, `run_job` and its stages, the statistics file, the cache,
//! shards and merges, and estimates from activation files. The results go
//! out as [`crate::report::Report`]s.

mod activations;
mod build_report;
mod cache;
mod inputs;
mod job;
pub mod limits;
#[cfg(feature = "torch")]
mod load;
mod memory;
mod pair_source;
mod probe_check;
mod probe_spec;
mod project;
mod run;
mod stages;
mod stats_file;

pub use activations::{EstimateOptions, LayerArrays, estimate_npz, find_layers};
pub use build_report::{build_report, failure, model_label};
pub use cache::{
    CacheUse, CachedResults, CachedStats, StatsLater, cache_root, cached_report, cached_stats_path,
    run_cached,
};
pub use job::{ESTIMATOR_VERSION, JobSpec, file_hash, listing as probe_listing};
pub use limits::{
    MAX_BATCH, MAX_BOOTSTRAP, MAX_FRAMES, MAX_PAIRS, MAX_SAMPLE_PAIRS, MAX_THREADS, MAX_TOP_K,
    check_threshold,
};
#[cfg(feature = "torch")]
pub use load::load_torchscript;
pub use memory::{available_bytes, batch_for, peak_rss_bytes};
pub use pair_source::{BuiltPair, OtherInput, PairSource, PathwayPlan, PlanEntry};
pub use probe_check::CheckedProbe;
pub use probe_spec::{GenerateSettings, ProbeSpec};
pub use project::{
    EstimatorSettings, ModelEntry, ModelSpec, Project, RunSettings, checkpoint_epoch,
    checkpoint_files, expand_models,
};
pub use run::{Cancelled, JobEvent, JobOutput, ModelLoader, Progress, Started, run_job};
pub use stats_file::{ModelStats, STATS_SCHEMA, Shard, ShardIds, StatsFile, StatsFileError};

#[cfg(test)]
mod tests;
