//! [`run_job`]: the one pipeline both faces call. The job runs in stages, one
//! per input group, cheapest first (see [`super::stages`]). In each, a
//! producer thread decodes clips and builds pairs into a bounded channel; the
//! calling thread runs the stage's models on batches and streams pooled
//! outputs into the estimator ([`stage`]).
//! Statistics are saved atomically every `save_every` pairs (a killed run
//! resumes from there) and partial reports are emitted as they converge.
//!
//! A batch counts for every model of its stage or for none: a model that
//! fails on a batch (a forward error, out of memory, NaN activations) leaves
//! the statistics of the stage's other models as they were before it, so a
//! rerun (with any batch size) gives exactly what a clean run gives.

mod stage;

use super::build_report::{build_report, failure};
use super::inputs::Inputs;
use super::{JobSpec, ModelStats, ProbeSpec, StatsFile, file_hash, stages};
use crate::model::{Extractor, ModelError};
use crate::report::{Report, ReportSettings, Warning};
use crate::stats::BootstrapConfig;
use stage::{Ctx, State};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Loads the model of a spec (the CLI passes the TorchScript loader).
pub type ModelLoader<'a> = &'a dyn Fn(&super::ModelSpec) -> Result<Box<dyn Extractor>, ModelError>;

/// What a running job tells its caller.
#[derive(Clone, Debug)]
pub enum JobEvent {
    /// The job starts: pairs in this shard (from the resume point), models.
    Started(Started),
    /// Pairs done so far, throughput and estimated time left.
    Progress(Progress),
    /// A report of what is known so far.
    Partial(Box<Report>),
    /// A skipped or altered input.
    Warning(Warning),
}

/// A job's start: what it has to do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Started {
    /// Pairs still to do (fewer than `total` when resuming).
    pub remaining: usize,
    /// Pairs in the shard.
    pub total: usize,
    /// Models (checkpoints) run on each pair.
    pub models: usize,
}

/// How far a running job is.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Pairs of the shard the running stage's models have seen.
    pub done: usize,
    /// Pairs in the shard.
    pub total: usize,
    /// Of `done`, pairs that could not be built and were skipped.
    pub skipped: usize,
    /// The running stage (0-based). A job runs its input groups one after
    /// another, cheapest first.
    pub stage: usize,
    /// Stages in the job.
    pub stages: usize,
    /// Models in the running stage.
    pub models: usize,
    /// Pairs per second of the running stage, measured over this run.
    pub rate: f64,
    /// Estimated time left for the whole job, from the rate measured so far.
    pub eta: Option<Duration>,
}

/// The result of a job that ran to its end.
#[derive(Clone, Debug)]
pub struct JobOutput {
    /// The report of the statistics (layers that cannot be estimated are
    /// left out with a warning; see [`JobOutput::failure`]).
    pub report: Report,
    /// The mergeable statistics.
    pub stats: StatsFile,
}

impl JobOutput {
    /// Why this result is not a measurement (nothing measured, or a model
    /// none of whose layers could be estimated); `None` when it is usable.
    pub fn failure(&self) -> Option<String> {
        failure(&self.report, &self.stats)
    }
}

/// The error of a job cancelled before its end; it carries what was
/// measured so far (statistics saved, report flagged partial).
#[derive(Debug)]
pub struct Cancelled {
    /// The partial result.
    pub output: Box<JobOutput>,
}

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cancelled after {} of {} pairs (statistics saved; run again to resume)",
            self.output.stats.done, self.output.stats.total
        )
    }
}

impl std::error::Error for Cancelled {}

/// Runs a job. `resume` is earlier statistics of the same job (same key and
/// shard) to continue from; `stats_path`, if given, receives the statistics
/// every `save_every` pairs and at the end (or on cancellation). A
/// cancelled job returns a [`Cancelled`] error holding its partial result.
pub fn run_job(
    spec: &JobSpec,
    load_model: ModelLoader<'_>,
    resume: Option<StatsFile>,
    stats_path: Option<&Path>,
    on_event: &mut dyn FnMut(JobEvent),
    cancel: &AtomicBool,
) -> anyhow::Result<JobOutput> {
    let at = |what: &str| crate::launch::phase(&format!("job: {what}"));
    at("starts");
    let setting_notes = spec.check()?;
    let (key, readable) = spec.identity()?;
    at("identity made");
    let mut models: Vec<Box<dyn Extractor>> = Vec::new();
    for m in &spec.models {
        models.push(load_model(m)?);
    }
    at("models loaded");
    let inputs = Inputs::new(spec, &models)?;
    at("probe checked, pairs planned");
    let ids = spec.shard.ids(spec.probe.pairs);
    let boot = BootstrapConfig {
        replicates: spec.bootstrap,
        seed: spec.probe.seed,
    };
    let settings = ReportSettings {
        command: "analyze".into(),
        input: spec.probe.videos.display().to_string(),
        threshold: spec.threshold,
        bootstrap: boot,
    };
    let left_out = inputs.first().left_out().to_vec();
    let fresh = || -> anyhow::Result<StatsFile> {
        Ok(StatsFile {
            schema: super::STATS_SCHEMA.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            job_key: key.clone(),
            job_settings: readable.clone(),
            settings: settings.clone(),
            shard: spec.shard,
            covers: vec![spec.shard.index],
            done: 0,
            total: ids.len(),
            plan_pairs: spec.probe.pairs,
            warnings: Vec::new(),
            left_out: left_out.clone(),
            // Absolute paths: the channel inspector rebuilds pairs and runs
            // the models from wherever it is started.
            probe: Some(ProbeSpec {
                videos: absolute(&spec.probe.videos),
                ..spec.probe.clone()
            }),
            probe_files: super::job::listing(&spec.probe)?,
            models: spec
                .models
                .iter()
                .map(|m| {
                    let manifest = crate::model::Manifest::for_model(&m.path)?.0;
                    Ok(ModelStats {
                        name: m.name.clone(),
                        checkpoint: m.checkpoint.clone(),
                        epoch: m.epoch,
                        layers: Vec::new(),
                        done: 0,
                        skipped: 0,
                        path: absolute(&m.path).display().to_string(),
                        sha256: file_hash(&m.path)?,
                        metrics: manifest.all_metrics(),
                        history: Vec::new(),
                        rows: manifest.rows_per_member(),
                        streams: manifest.streams,
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        })
    };
    let mut notes: Vec<Warning> = Vec::new();
    let stats = match resume {
        Some(mut s) if s.job_key == key && s.shard == spec.shard && s.total == ids.len() => {
            if s.left_out == left_out {
                // The threshold does not change the statistics; the latest one counts.
                s.settings = settings.clone();
                s
            } else {
                notes.push(Warning {
                    path: spec.probe.videos.display().to_string(),
                    reason: "the probe check leaves out other videos than when the saved \
                             statistics were made: starting over"
                        .into(),
                });
                fresh()?
            }
        }
        _ => fresh()?,
    };
    notes.extend(setting_notes.into_iter().map(|reason| Warning {
        path: "settings".into(),
        reason,
    }));
    notes.extend(left_out);
    notes.extend(inputs.notes());
    let mut state = State {
        models,
        stats,
        on_event,
        unsaved: false,
        saved: None,
    };
    for w in notes {
        state.note(w);
    }
    (state.on_event)(JobEvent::Started(Started {
        remaining: ids.len() - state.stats.done.min(ids.len()),
        total: ids.len(),
        models: state.models.len(),
    }));
    // Sized to memory, but no larger than `save_every`: partial reports
    // come as often as asked (the GUI asks often, to show results early).
    at("statistics ready");
    let plan = stages::plan(&inputs, &mut state.models, ids, spec.batch, spec.save_every)?;
    at("stages planned (warm-up and timing passes)");
    let ctx = Ctx {
        spec,
        plan,
        ids,
        boot,
        units: spec.units,
        stats_path,
        cancel,
    };
    let mut result = Ok(());
    for k in 0..ctx.plan.len() {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        result = stage::run_stage(&ctx, &inputs, &mut state, k);
        if result.is_err() {
            break;
        }
    }
    let saved = state.save(stats_path);
    let written = state.saved;
    let stats = state.stats;
    result?;
    saved?;
    let report = build_report(&stats, spec.threshold);
    if let (Some(path), Some(hash)) = (stats_path, written) {
        // The next open shows this report at once.
        super::cache::keep_report(path, hash, &stats, spec.threshold, &report);
    }
    let output = JobOutput { report, stats };
    if cancel.load(Ordering::Relaxed) && !output.stats.complete() {
        return Err(Cancelled {
            output: Box::new(output),
        }
        .into());
    }
    Ok(output)
}

/// `path` made absolute against the current folder (as it is if that fails).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
