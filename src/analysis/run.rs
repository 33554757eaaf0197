//! [`run_job`]: the one pipeline both faces call. The job runs in stages, one
//! per input group, cheapest first (see [`super::stages`]). In each, a
//! producer thread decodes clips and builds pairs into a bounded channel; the
//! calling thread runs the stage's models on batches and streams pooled
//! outputs into the estimator.
//! Statistics are saved atomically every `save_every` pairs (a killed run
//! resumes from there) and partial reports are emitted as they converge.

use super::inputs::Inputs;
use super::stages::{self, Stage};
use super::{
    JobSpec, LayerReport, ModelReport, ModelStats, Report, ReportSettings, StatsFile, Warning,
};
use crate::model::{Extractor, ModelError};
use crate::stats::{BootstrapConfig, Factor, LayerAccumulator, PairBatch};
use crate::video::Clip;
use anyhow::Context as _;
use crossbeam_channel::{Receiver, bounded};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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
    /// The running stage (0-based). A job runs its input groups one after
    /// another, cheapest first.
    pub stage: usize,
    /// Stages in the job.
    pub stages: usize,
    /// Models in the running stage.
    pub models: usize,
    /// Pairs per second of the running stage over this run.
    pub rate: f64,
    /// Estimated time left for the whole job.
    pub eta: Option<Duration>,
}

/// The result of a finished job.
#[derive(Clone, Debug)]
pub struct JobOutput {
    /// The report, or why none can be made yet (e.g. a shard with fewer than
    /// 2 pairs of a factor: its statistics still merge).
    pub report: Result<Report, String>,
    /// The mergeable statistics.
    pub stats: StatsFile,
}

/// One built pair, ready for a stage's models.
struct Built {
    id: u64,
    factor: Factor,
    a: Clip,
    b: Clip,
}

enum Produced {
    Pair(Box<Built>),
    Skipped { warning: Option<Warning> },
    Note(Warning),
}

/// Runs a job. `resume` is earlier statistics of the same job (same key and
/// shard) to continue from; `stats_path`, if given, receives the statistics
/// every `save_every` pairs and at the end (or on cancellation).
pub fn run_job(
    spec: &JobSpec,
    load_model: ModelLoader<'_>,
    resume: Option<StatsFile>,
    stats_path: Option<&Path>,
    on_event: &mut dyn FnMut(JobEvent),
    cancel: &AtomicBool,
) -> anyhow::Result<JobOutput> {
    let (key, readable) = spec.identity()?;
    let mut models: Vec<Box<dyn Extractor>> = Vec::new();
    for m in &spec.models {
        models.push(load_model(m)?);
    }
    let inputs = Inputs::new(spec, &models)?;
    let source = inputs.first();
    let ids: Vec<u64> = source.ids().filter(|id| spec.shard.contains(*id)).collect();

    let boot = BootstrapConfig {
        replicates: spec.bootstrap,
        seed: spec.probe.seed,
    };
    let settings = ReportSettings {
        command: "analyze".into(),
        input: spec.probe.probe_root.display().to_string(),
        threshold: spec.threshold,
        bootstrap: boot,
    };
    let mut stats = match resume {
        Some(mut s) if s.job_key == key && s.shard == spec.shard => {
            // The threshold does not change the statistics; the latest one counts.
            s.settings = settings.clone();
            s
        }
        _ => StatsFile {
            schema: super::STATS_SCHEMA.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            job_key: key,
            job_settings: readable,
            settings: settings.clone(),
            shard: spec.shard,
            covers: vec![spec.shard.index],
            done: 0,
            total: ids.len(),
            warnings: source
                .probe()
                .warnings
                .iter()
                .map(|(p, r)| Warning {
                    path: p.display().to_string(),
                    reason: r.clone(),
                })
                .collect(),
            models: spec
                .models
                .iter()
                .map(|m| ModelStats {
                    name: m.name.clone(),
                    checkpoint: m.checkpoint.clone(),
                    epoch: m.epoch,
                    layers: Vec::new(),
                    done: 0,
                })
                .collect(),
        },
    };
    on_event(JobEvent::Started(Started {
        remaining: ids.len() - stats.done.min(ids.len()),
        total: ids.len(),
        models: models.len(),
    }));
    // Sized to memory, but no larger than `save_every`: partial reports
    // come as often as asked (the GUI asks often, to show results early).
    let plan = stages::plan(&inputs, &mut models, &ids, spec.batch, spec.save_every)?;
    let mut result = Ok(());
    for k in 0..plan.len() {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        let run = StageRun {
            plan: &plan,
            now: k,
            ids: &ids,
        };
        result = run_stage(
            &run,
            spec,
            &mut models,
            &inputs,
            &mut stats,
            (boot, &settings),
            stats_path,
            on_event,
            cancel,
        );
        if result.is_err() {
            break;
        }
    }
    if let Some(p) = stats_path {
        stats.save(p)?;
    }
    result?;
    if cancel.load(Ordering::Relaxed) && !stats.complete() {
        anyhow::bail!(
            "cancelled after {} of {} pairs (statistics saved; run again to resume)",
            stats.done,
            stats.total
        );
    }
    let report = build_report(&stats, &settings, spec.threshold).map_err(|e| format!("{e:#}"));
    Ok(JobOutput { report, stats })
}

/// Where a stage stands in the job's plan.
struct StageRun<'a> {
    plan: &'a [Stage],
    now: usize,
    ids: &'a [u64],
}

impl StageRun<'_> {
    fn stage(&self) -> &Stage {
        &self.plan[self.now]
    }

    /// Pairs the stage's models have seen (the fewest of any).
    fn done(&self, stats: &StatsFile) -> usize {
        self.stage()
            .models
            .iter()
            .map(|&m| stats.models[m].done)
            .min()
            .unwrap_or(0)
            .min(self.ids.len())
    }

    /// The job's progress, the rate measured since `started` with `done_at_start` done.
    fn progress(&self, stats: &StatsFile, started: Instant, done_at_start: usize) -> Progress {
        let done = self.done(stats);
        let rate = (done - done_at_start) as f64 / started.elapsed().as_secs_f64().max(1e-9);
        let left: Vec<usize> = self
            .plan
            .iter()
            .map(|s| {
                let seen = s.models.iter().map(|&m| stats.models[m].done).min();
                self.ids.len() - seen.unwrap_or(0).min(self.ids.len())
            })
            .collect();
        let work = left[self.now] as f64 + stages::later_work(self.plan, self.now, &left);
        Progress {
            done,
            total: self.ids.len(),
            stage: self.now,
            stages: self.plan.len(),
            models: self.stage().models.len(),
            rate,
            eta: (rate > 0.0).then(|| Duration::from_secs_f64(work / rate)),
        }
    }
}

/// Runs one stage: its models over the pairs they have not seen yet.
#[allow(clippy::too_many_arguments)]
fn run_stage(
    run: &StageRun<'_>,
    spec: &JobSpec,
    models: &mut [Box<dyn Extractor>],
    inputs: &Inputs,
    stats: &mut StatsFile,
    (boot, settings): (BootstrapConfig, &ReportSettings),
    stats_path: Option<&Path>,
    on_event: &mut dyn FnMut(JobEvent),
    cancel: &AtomicBool,
) -> anyhow::Result<()> {
    let from = run.done(stats);
    if from >= run.ids.len() {
        return Ok(());
    }
    let todo = &run.ids[from..];
    let group = run.stage().group;
    let (tx, rx) = bounded::<Produced>(run.stage().batch * 2);
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        std::thread::Builder::new()
            .name("stadyn-pairs".into())
            .spawn_scoped(scope, move || produce(todo, inputs, group, &tx, cancel))
            .context("cannot start the pair-building thread")?;
        // `rx` moves into `consume`: when it returns (done, cancelled or
        // failed) the receiver drops, so a producer blocked on a full
        // channel wakes up with an error and the scope can join it.
        consume(
            rx,
            run,
            spec,
            models,
            stats,
            (boot, settings),
            stats_path,
            on_event,
            cancel,
            (started, from),
        )
    })
}

fn produce(
    todo: &[u64],
    inputs: &Inputs,
    group: usize,
    tx: &crossbeam_channel::Sender<Produced>,
    cancel: &AtomicBool,
) {
    let source = inputs.first();
    let mut failed_videos = std::collections::HashSet::new();
    let mut noted_videos = std::collections::HashSet::new();
    for &id in todo {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let msg = match inputs.build(id, group) {
            Ok(p) => {
                if !p.notes.is_empty() && noted_videos.insert(p.spec.video) {
                    let _ = tx.send(Produced::Note(Warning {
                        path: source.video_path(&p.spec).display().to_string(),
                        reason: p.notes.join("; "),
                    }));
                }
                Produced::Pair(Box::new(Built {
                    id,
                    factor: p.spec.factor,
                    a: p.a,
                    b: p.b,
                }))
            }
            Err(e) => {
                let spec = source.spec(id);
                Produced::Skipped {
                    warning: failed_videos.insert(spec.video).then(|| Warning {
                        path: source.video_path(&spec).display().to_string(),
                        reason: format!("skipped (its pairs are left out): {e}"),
                    }),
                }
            }
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

#[allow(clippy::too_many_arguments)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "dropping the receiver on return releases a blocked producer"
)]
fn consume(
    rx: Receiver<Produced>,
    run: &StageRun<'_>,
    spec: &JobSpec,
    models: &mut [Box<dyn Extractor>],
    stats: &mut StatsFile,
    (boot, settings): (BootstrapConfig, &ReportSettings),
    stats_path: Option<&Path>,
    on_event: &mut dyn FnMut(JobEvent),
    cancel: &AtomicBool,
    (started, done_at_start): (Instant, usize),
) -> anyhow::Result<()> {
    let stage = run.stage();
    let mut batch: Vec<Built> = Vec::new();
    let mut pending_skips = 0usize;
    let mut since_save = 0usize;
    let mut flush = |batch: &mut Vec<Built>,
                     skips: &mut usize,
                     stats: &mut StatsFile|
     -> anyhow::Result<usize> {
        let n = batch.len() + *skips;
        if !batch.is_empty() {
            run_batch(batch, &stage.models, models, stats, boot)?;
        }
        for &m in &stage.models {
            stats.models[m].done += n;
        }
        stats.done = stats.models.iter().map(|m| m.done).min().unwrap_or(0);
        batch.clear();
        *skips = 0;
        Ok(n)
    };
    loop {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        let msg = rx.recv_timeout(Duration::from_millis(200));
        let end = matches!(msg, Err(crossbeam_channel::RecvTimeoutError::Disconnected));
        match msg {
            Ok(Produced::Pair(p)) => batch.push(*p),
            Ok(Produced::Skipped { warning }) => {
                pending_skips += 1;
                if let Some(w) = warning {
                    note(w, stats, on_event);
                }
            }
            Ok(Produced::Note(w)) => note(w, stats, on_event),
            Err(_) => {}
        }
        if batch.len() >= stage.batch || (end && (!batch.is_empty() || pending_skips > 0)) {
            since_save += flush(&mut batch, &mut pending_skips, stats)?;
            on_event(JobEvent::Progress(run.progress(
                stats,
                started,
                done_at_start,
            )));
            if since_save >= spec.save_every.max(1) || end {
                since_save = 0;
                if let Some(p) = stats_path {
                    stats.save(p)?;
                }
                if let Ok(r) = build_report(stats, settings, spec.threshold) {
                    on_event(JobEvent::Partial(Box::new(r)));
                }
            }
        }
        if end {
            break;
        }
    }
    Ok(())
}

/// Passes a warning on and keeps it, once (a later stage meets the same videos).
fn note(w: Warning, stats: &mut StatsFile, on_event: &mut dyn FnMut(JobEvent)) {
    if !stats.warnings.contains(&w) {
        on_event(JobEvent::Warning(w.clone()));
        stats.warnings.push(w);
    }
}

/// Runs a stage's models on a batch of pairs and adds the pooled outputs to
/// the statistics.
fn run_batch(
    batch: &[Built],
    stage: &[usize],
    models: &mut [Box<dyn Extractor>],
    stats: &mut StatsFile,
    boot: BootstrapConfig,
) -> anyhow::Result<()> {
    // all a-members, then all b-members
    let clips: Vec<&Clip> = batch
        .iter()
        .map(|p| &p.a)
        .chain(batch.iter().map(|p| &p.b))
        .collect();
    let ids: Vec<u64> = batch.iter().map(|p| p.id).collect();
    let factors: Vec<Factor> = batch.iter().map(|p| p.factor).collect();
    let n = batch.len();
    for &i in stage {
        let ms = &mut stats.models[i];
        let outputs = models[i].extract(&clips)?;
        if ms.layers.is_empty() {
            ms.layers = outputs
                .iter()
                .map(|o| LayerAccumulator::new(o.name.clone(), o.channels, boot))
                .collect();
        }
        if outputs.len() != ms.layers.len() {
            anyhow::bail!(
                "model '{}' returned {} layers, earlier {}",
                ms.name,
                outputs.len(),
                ms.layers.len()
            );
        }
        for (out, acc) in outputs.iter().zip(&mut ms.layers) {
            let c = out.channels;
            acc.push_batch(PairBatch {
                pair_ids: &ids,
                factors: &factors,
                za: &out.data[..n * c],
                zb: &out.data[n * c..],
            })
            .with_context(|| format!("model '{}'", ms.name))?;
        }
    }
    Ok(())
}

/// The report of the statistics gathered so far. Layers that cannot be
/// estimated yet (fewer than 2 pairs of a factor) are left out.
pub fn build_report(
    stats: &StatsFile,
    settings: &ReportSettings,
    threshold: f64,
) -> anyhow::Result<Report> {
    let mut report = Report::new(settings.clone());
    report.warnings = stats.warnings.clone();
    for m in &stats.models {
        let mut layers = Vec::new();
        for acc in &m.layers {
            layers.push(LayerReport::from_estimate(
                acc.name(),
                acc.estimate(threshold)?,
            ));
        }
        report.models.push(ModelReport {
            name: m.name.clone(),
            checkpoint: m.checkpoint.clone(),
            epoch: m.epoch,
            layers,
        });
    }
    Ok(report)
}
