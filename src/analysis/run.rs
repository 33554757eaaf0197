//! [`run_job`]: the one pipeline both faces call. A producer thread decodes
//! clips and builds pairs into a bounded channel; the calling thread runs
//! the models on batches and streams pooled outputs into the estimator.
//! Statistics are saved atomically every `save_every` pairs (a killed run
//! resumes from there) and partial reports are emitted as they converge.

use super::{
    JobSpec, LayerReport, ModelReport, ModelStats, Report, ReportSettings, StatsFile, Warning,
};
use crate::model::{Extractor, Manifest, ModelError};
use crate::pairs::{BoxedStyle, PairPlan, PairSpec, builtin_styles, make_pair};
use crate::stats::{BootstrapConfig, Factor, LayerAccumulator, PairBatch};
use crate::video::{Clip, Preprocess, ProbeSet, load_clip};
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

/// One built pair, ready for the models.
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
    let probe = ProbeSet::discover(&spec.probe_root, spec.layout)?;
    if probe.videos.is_empty() {
        anyhow::bail!("probe set '{}' has no videos", spec.probe_root.display());
    }
    let mut models: Vec<Box<dyn Extractor>> = Vec::new();
    for m in &spec.models {
        models.push(load_model(m)?);
    }
    let manifest = models
        .first()
        .map(|m| m.manifest().clone())
        .context("the job has no models")?;
    for (m, s) in models.iter().zip(&spec.models) {
        if !same_input(m.manifest(), &manifest) {
            anyhow::bail!(
                "model '{}' takes a different input than '{}' (frames, window, size or layout): run them as separate jobs",
                s.path.display(),
                spec.models[0].path.display()
            );
        }
    }
    let frames = spec.frames.unwrap_or(manifest.frames);
    let window = spec.window.unwrap_or(manifest.window);
    let preprocess = match manifest.size {
        Some([h, w]) => Preprocess::fixed(h, w),
        None => {
            let crop = manifest.crop.unwrap_or([manifest.short_side; 2]);
            Preprocess {
                short_side: manifest.short_side,
                crop: Some((crop[0], crop[1])),
                size: None,
            }
        }
    };
    let stylized = !probe.styles().is_empty();
    let styles = select_styles(&spec.styles)?;
    let style_count = if stylized {
        probe.styles().len()
    } else {
        styles.len()
    };
    let plan = PairPlan::new(
        spec.seed,
        spec.pairs,
        probe.videos.len(),
        style_count,
        frames,
    )?;
    let ids: Vec<u64> = plan.ids().filter(|id| spec.shard.contains(*id)).collect();

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
            warnings: probe
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

    let (tx, rx) = bounded::<Produced>(spec.batch.max(1) * 2);
    let started = Instant::now();
    let done_at_start = stats.done;
    let result = std::thread::scope(|scope| -> anyhow::Result<()> {
        let producer_cancel = cancel;
        let probe = &probe;
        let styles = &styles;
        let plan = &plan;
        let preprocess = &preprocess;
        std::thread::Builder::new()
            .name("stadyn-pairs".into())
            .spawn_scoped(scope, move || {
                produce(
                    &todo,
                    plan,
                    probe,
                    styles,
                    stylized,
                    preprocess,
                    window,
                    frames,
                    &tx,
                    producer_cancel,
                );
            })
            .context("cannot start the pair-building thread")?;
        consume(
            &rx,
            spec,
            &mut models,
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

fn same_input(a: &Manifest, b: &Manifest) -> bool {
    (
        a.frames,
        a.window,
        a.short_side,
        a.crop,
        a.size,
        a.layout,
        a.dtype,
    ) == (
        b.frames,
        b.window,
        b.short_side,
        b.crop,
        b.size,
        b.layout,
        b.dtype,
    )
}

fn select_styles(names: &[String]) -> anyhow::Result<Vec<BoxedStyle>> {
    let all = builtin_styles();
    if names.is_empty() {
        return Ok(all);
    }
    let available: Vec<String> = all.iter().map(|s| s.name().to_string()).collect();
    let mut chosen = Vec::new();
    let mut all = all.into_iter().map(Some).collect::<Vec<_>>();
    for n in names {
        let i = available.iter().position(|a| a == n).with_context(|| {
            format!(
                "unknown style '{n}'; built-in styles: {}",
                available.join(", ")
            )
        })?;
        if let Some(s) = all[i].take() {
            chosen.push(s);
        }
    }
    Ok(chosen)
}

#[allow(clippy::too_many_arguments)]
fn produce(
    todo: &[u64],
    plan: &PairPlan,
    probe: &ProbeSet,
    styles: &[BoxedStyle],
    stylized: bool,
    preprocess: &Preprocess,
    window: usize,
    frames: usize,
    tx: &crossbeam_channel::Sender<Produced>,
    cancel: &AtomicBool,
) {
    let mut failed_videos = std::collections::HashSet::new();
    let mut noted_videos = std::collections::HashSet::new();
    let style_names = probe.styles();
    for &id in todo {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let spec: PairSpec = plan.spec(id);
        let video = &probe.videos[spec.video];
        let load = |source| {
            load_clip(source, spec.start_draw, window, frames, preprocess)
                .map_err(|e| e.to_string())
        };
        let built = if stylized {
            // Imported pre-stylized folders: the members come from two style folders.
            let source_of = |k: usize| {
                video
                    .styled
                    .iter()
                    .find(|(name, _)| *name == style_names[k])
                    .map(|(_, s)| s)
                    .unwrap_or(&video.source)
            };
            load(source_of(spec.style_a)).and_then(|(a, notes)| {
                let b = match spec.factor {
                    Factor::Static => a.permuted(&spec.permutation),
                    Factor::Dynamic => load(source_of(spec.style_b))?.0,
                };
                Ok((a, b, notes))
            })
        } else {
            load(&video.source).and_then(|(clip, notes)| {
                let (a, b) = make_pair(&spec, &clip, styles).map_err(|e| e.to_string())?;
                Ok((a, b, notes))
            })
        };
        let msg = match built {
            Ok((a, b, notes)) => {
                if !notes.is_empty() && noted_videos.insert(spec.video) {
                    let _ = tx.send(Produced::Note(Warning {
                        path: video.source.path().display().to_string(),
                        reason: notes.join("; "),
                    }));
                }
                Produced::Pair(Box::new(Built {
                    id,
                    factor: spec.factor,
                    a,
                    b,
                }))
            }
            Err(e) => Produced::Skipped {
                warning: failed_videos.insert(spec.video).then(|| Warning {
                    path: video.source.path().display().to_string(),
                    reason: format!("skipped (its pairs are left out): {e}"),
                }),
            },
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn consume(
    rx: &Receiver<Produced>,
    spec: &JobSpec,
    models: &mut [Box<dyn Extractor>],
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
            run_batch(batch, models, stats, boot)?;
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
        if batch.len() >= spec.batch.max(1) || (end && (!batch.is_empty() || pending_skips > 0)) {
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

/// Runs every model on a batch of pairs and adds the pooled outputs to the statistics.
fn run_batch(
    batch: &[Built],
    models: &mut [Box<dyn Extractor>],
    stats: &mut StatsFile,
    boot: BootstrapConfig,
) -> anyhow::Result<()> {
    let clips: Vec<&Clip> = batch
        .iter()
        .map(|p| &p.a)
        .chain(batch.iter().map(|p| &p.b))
        .collect();
    let ids: Vec<u64> = batch.iter().map(|p| p.id).collect();
    let factors: Vec<Factor> = batch.iter().map(|p| p.factor).collect();
    let n = batch.len();
    for (model, ms) in models.iter_mut().zip(&mut stats.models) {
        let outputs = model.extract(&clips)?;
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
