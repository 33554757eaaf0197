//! [`run_job`]: the one pipeline both faces call. A producer thread decodes
//! clips and builds pairs into a bounded channel; the calling thread runs
//! the models on batches and streams pooled outputs into the estimator.
//! Statistics are saved atomically every `save_every` pairs (a killed run
//! resumes from there) and partial reports are emitted as they converge.

use super::inputs::Inputs;
use super::{
    JobSpec, LayerReport, ModelReport, ModelStats, Report, ReportSettings, StatsFile, Warning,
};
use super::{available_bytes, batch_for, peak_rss_bytes};
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
    Started {
        /// Pairs still to do.
        remaining: usize,
        /// Pairs in the shard.
        total: usize,
        /// Models (checkpoints) run on each pair.
        models: usize,
    },
    /// Pairs done so far, throughput and estimated time left.
    Progress {
        /// Pairs done in the shard.
        done: usize,
        /// Pairs in the shard.
        total: usize,
        /// Pairs per second over this run.
        rate: f64,
        /// Estimated time left.
        eta: Option<Duration>,
    },
    /// A report of what is known so far.
    Partial(Box<Report>),
    /// A skipped or altered input.
    Warning(Warning),
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

/// One built pair, ready for the models: members per input group.
struct Built {
    id: u64,
    factor: Factor,
    members: Vec<(Clip, Clip)>,
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
        seed: spec.seed,
    };
    let settings = ReportSettings {
        command: "analyze".into(),
        input: spec.probe_root.display().to_string(),
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
                })
                .collect(),
        },
    };
    let todo: Vec<u64> = ids[stats.done.min(ids.len())..].to_vec();
    on_event(JobEvent::Started {
        remaining: todo.len(),
        total: ids.len(),
        models: models.len(),
    });

    // Sized to memory, but no larger than `save_every`: partial reports
    // come as often as asked (the GUI asks often, to show results early).
    let batch = match spec.batch {
        0 => auto_batch(&inputs, &mut models, &ids)?.min(spec.save_every.max(1)),
        n => n,
    };
    let (tx, rx) = bounded::<Produced>(batch * 2);
    let started = Instant::now();
    let done_at_start = stats.done;
    let result = std::thread::scope(|scope| -> anyhow::Result<()> {
        let inputs = &inputs;
        std::thread::Builder::new()
            .name("stadyn-pairs".into())
            .spawn_scoped(scope, move || produce(&todo, inputs, &tx, cancel))
            .context("cannot start the pair-building thread")?;
        // `rx` moves into `consume`: when it returns (done, cancelled or
        // failed) the receiver drops, so a producer blocked on a full
        // channel wakes up with an error and the scope can join it.
        consume(
            rx,
            spec,
            batch,
            &mut models,
            inputs,
            &mut stats,
            boot,
            &settings,
            stats_path,
            on_event,
            cancel,
            started,
            done_at_start,
        )
    });
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

fn produce(
    todo: &[u64],
    inputs: &Inputs,
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
        let msg = match inputs.build(id) {
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
                    members: p.members,
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
    spec: &JobSpec,
    batch_size: usize,
    models: &mut [Box<dyn Extractor>],
    inputs: &Inputs,
    stats: &mut StatsFile,
    boot: BootstrapConfig,
    settings: &ReportSettings,
    stats_path: Option<&Path>,
    on_event: &mut dyn FnMut(JobEvent),
    cancel: &AtomicBool,
    started: Instant,
    done_at_start: usize,
) -> anyhow::Result<()> {
    let mut batch: Vec<Built> = Vec::new();
    let mut pending_skips = 0usize;
    let mut since_save = 0usize;
    let mut flush = |batch: &mut Vec<Built>,
                     skips: &mut usize,
                     stats: &mut StatsFile|
     -> anyhow::Result<usize> {
        let n = batch.len() + *skips;
        if !batch.is_empty() {
            run_batch(batch, models, inputs, stats, boot)?;
        }
        stats.done += n;
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
                    on_event(JobEvent::Warning(w.clone()));
                    stats.warnings.push(w);
                }
            }
            Ok(Produced::Note(w)) => {
                if !stats.warnings.contains(&w) {
                    on_event(JobEvent::Warning(w.clone()));
                    stats.warnings.push(w);
                }
            }
            Err(_) => {}
        }
        if batch.len() >= batch_size || (end && (!batch.is_empty() || pending_skips > 0)) {
            since_save += flush(&mut batch, &mut pending_skips, stats)?;
            let elapsed = started.elapsed().as_secs_f64();
            let rate = (stats.done - done_at_start) as f64 / elapsed.max(1e-9);
            let left = stats.total.saturating_sub(stats.done);
            on_event(JobEvent::Progress {
                done: stats.done,
                total: stats.total,
                rate,
                eta: (rate > 0.0).then(|| Duration::from_secs_f64(left as f64 / rate)),
            });
            if since_save >= spec.save_every.max(1) {
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

/// Pairs per batch sized to memory: one pair through every model, the rise
/// of the process's peak memory (at least the input's size) per pair, and a
/// budget of a quarter of the available memory (see [`batch_for`]).
fn auto_batch(
    inputs: &Inputs,
    models: &mut [Box<dyn Extractor>],
    ids: &[u64],
) -> anyhow::Result<usize> {
    let Some(pair) = ids.iter().take(16).find_map(|&id| inputs.build(id).ok()) else {
        return Ok(8);
    };
    let before = peak_rss_bytes().unwrap_or(0);
    for (i, m) in models.iter_mut().enumerate() {
        let (a, b) = &pair.members[inputs.group_of(i)];
        m.extract(&[a, b])?;
    }
    let rise = peak_rss_bytes().unwrap_or(0).saturating_sub(before);
    let input: u64 = pair
        .members
        .iter()
        .map(|(a, _)| 2 * 4 * a.data.len() as u64)
        .sum();
    Ok(batch_for(rise.max(input), available_bytes()))
}

/// Runs every model on a batch of pairs and adds the pooled outputs to the statistics.
fn run_batch(
    batch: &[Built],
    models: &mut [Box<dyn Extractor>],
    inputs: &Inputs,
    stats: &mut StatsFile,
    boot: BootstrapConfig,
) -> anyhow::Result<()> {
    // all a-members, then all b-members, per input group
    let clips: Vec<Vec<&Clip>> = (0..inputs.len())
        .map(|g| {
            batch
                .iter()
                .map(|p| &p.members[g].0)
                .chain(batch.iter().map(|p| &p.members[g].1))
                .collect()
        })
        .collect();
    let ids: Vec<u64> = batch.iter().map(|p| p.id).collect();
    let factors: Vec<Factor> = batch.iter().map(|p| p.factor).collect();
    let n = batch.len();
    for (i, (model, ms)) in models.iter_mut().zip(&mut stats.models).enumerate() {
        let outputs = model.extract(&clips[inputs.group_of(i)])?;
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
