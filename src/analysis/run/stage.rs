//! One stage of a job: a producer thread builds the pairs its models have
//! not seen into a bounded channel; the calling thread runs the models on
//! batches and streams the pooled outputs into the statistics.

use super::{JobEvent, Progress};
use crate::analysis::build_report::{build_report, record_history};
use crate::analysis::inputs::Inputs;
use crate::analysis::stages::{self, Stage};
use crate::analysis::stats_file::PayloadHash;
use crate::analysis::{JobSpec, ShardIds, StatsFile};
use crate::model::{Extractor, LayerOutput};
use crate::report::Warning;
use crate::stats::{BootstrapConfig, Factor, LayerAccumulator, PairBatch, UnitConfig};
use crate::video::Clip;
use anyhow::Context as _;
use crossbeam_channel::{Receiver, Sender, bounded};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What every stage of a run reads.
pub(super) struct Ctx<'a> {
    pub spec: &'a JobSpec,
    /// The stages, in the order they run.
    pub plan: Vec<Stage>,
    /// The shard's pair ids.
    pub ids: ShardIds,
    pub boot: BootstrapConfig,
    /// The channel evidence each layer keeps.
    pub units: UnitConfig,
    /// Where the statistics are saved (none: not saved).
    pub stats_path: Option<&'a Path>,
    pub cancel: &'a AtomicBool,
}

/// What a run changes: the models (running them needs `&mut`), the
/// statistics, and the caller's event sink.
pub(super) struct State<'a> {
    pub models: Vec<Box<dyn Extractor>>,
    pub stats: StatsFile,
    pub on_event: &'a mut dyn FnMut(JobEvent),
    /// Set once saving failed (a full or read-only cache): the run goes on
    /// without saving, having said so once.
    pub unsaved: bool,
    /// The hash of the statistics as the last save wrote them (none when
    /// the last save did not write).
    pub saved: Option<PayloadHash>,
}

impl State<'_> {
    /// Passes a warning on and keeps it, once (a later stage meets the same
    /// videos; a resumed run has them already).
    pub fn note(&mut self, w: Warning) {
        if !self.stats.warnings.contains(&w) {
            (self.on_event)(JobEvent::Warning(w.clone()));
            self.stats.warnings.push(w);
        }
    }

    /// Checks that the statistics' counts hang together (an error is a bug:
    /// the numbers would be wrong) and saves them where the run keeps them
    /// (the cache). The cache is a convenience: when it cannot be written
    /// the run goes on, and says so once.
    pub fn save(&mut self, stats_path: Option<&Path>) -> anyhow::Result<()> {
        self.stats
            .check()
            .map_err(|e| anyhow::anyhow!("internal error, the statistics do not add up: {e}"))?;
        self.saved = None;
        let Some(p) = stats_path.filter(|_| !self.unsaved) else {
            return Ok(());
        };
        match self.stats.save(p) {
            Ok(hash) => self.saved = Some(hash),
            Err(e) => {
                self.unsaved = true;
                self.note(Warning {
                    path: p.display().to_string(),
                    reason: format!(
                        "{e:#}: results will not be cached and an interrupted run cannot resume \
                     (--no-cache silences this)"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// One built pair, ready for a stage's models.
struct Built {
    id: u64,
    factor: Factor,
    /// Member 1's clip of each of the model's inputs, in its order.
    a: Vec<Clip>,
    /// Member 2's.
    b: Vec<Clip>,
}

enum Produced {
    Pair(Box<Built>),
    Skipped { warning: Option<Warning> },
    Note(Warning),
}

impl Ctx<'_> {
    /// Pairs stage `k`'s models have seen (the fewest of any).
    fn done(&self, stats: &StatsFile, k: usize) -> usize {
        self.plan[k]
            .models
            .iter()
            .map(|&m| stats.models[m].done)
            .min()
            .unwrap_or(0)
            .min(self.ids.len())
    }

    /// The job's progress in stage `k`; `rate` is pairs per second measured
    /// over this run's batches so far (none before the first batch).
    fn progress(&self, stats: &StatsFile, k: usize, rate: Option<f64>) -> Progress {
        let left: Vec<usize> = (0..self.plan.len())
            .map(|s| self.ids.len() - self.done(stats, s))
            .collect();
        let work = left[k] as f64 + stages::later_work(&self.plan, k, &left);
        let skipped = self.plan[k]
            .models
            .iter()
            .map(|&m| stats.models[m].skipped)
            .max()
            .unwrap_or(0);
        Progress {
            done: self.done(stats, k),
            total: self.ids.len(),
            skipped,
            stage: k,
            stages: self.plan.len(),
            models: self.plan[k].models.len(),
            rate: rate.unwrap_or(0.0),
            eta: rate
                .filter(|r| *r > 0.0)
                .map(|r| Duration::from_secs_f64(work / r)),
        }
    }
}

/// Runs stage `k`: its models over the pairs they have not seen yet.
pub(super) fn run_stage(
    ctx: &Ctx<'_>,
    inputs: &Inputs,
    state: &mut State<'_>,
    k: usize,
) -> anyhow::Result<()> {
    let from = ctx.done(&state.stats, k);
    if from >= ctx.ids.len() {
        return Ok(());
    }
    let stage = &ctx.plan[k];
    let (tx, rx) = bounded::<Produced>(stage.batch * 2);
    let (ids, group, cancel) = (ctx.ids, stage.group, ctx.cancel);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        std::thread::Builder::new()
            .name("stadyn-pairs".into())
            .spawn_scoped(scope, move || {
                produce(ids.from(from), inputs, group, &tx, cancel);
            })
            .context("cannot start the pair-building thread")?;
        // `rx` moves into `consume`: when it returns (done, cancelled or
        // failed) the receiver drops, so a producer blocked on a full
        // channel wakes up with an error and the scope can join it.
        consume(ctx, state, rx, k)
    })
}

fn produce(
    todo: impl Iterator<Item = u64>,
    inputs: &Inputs,
    group: usize,
    tx: &Sender<Produced>,
    cancel: &AtomicBool,
) {
    let source = inputs.first();
    let mut failed_videos = std::collections::HashSet::new();
    let mut noted_videos = std::collections::HashSet::new();
    for id in todo {
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
                let factor = p.spec.factor;
                let (a, b) = p.into_members();
                Produced::Pair(Box::new(Built { id, factor, a, b }))
            }
            Err(e) => {
                let spec = source.spec(id);
                Produced::Skipped {
                    warning: failed_videos.insert(spec.video).then(|| Warning {
                        path: source.video_path(&spec).display().to_string(),
                        reason: format!(
                            "failed while the job ran, its pairs are skipped (the rest are \
                             measured): {e}"
                        ),
                    }),
                }
            }
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "dropping the receiver on return releases a blocked producer"
)]
fn consume(
    ctx: &Ctx<'_>,
    state: &mut State<'_>,
    rx: Receiver<Produced>,
    k: usize,
) -> anyhow::Result<()> {
    let stage = &ctx.plan[k];
    let mut batch: Vec<Built> = Vec::new();
    let mut skips = 0usize;
    // Pairs of the stage taken so far (built or skipped). Batches end at
    // its multiples of the batch size and saves (each a convergence point)
    // at its multiples of `save_every`, wherever the run started.
    let mut at = ctx.done(&state.stats, k);
    let every = ctx.spec.save_every.max(1);
    let mut rate = Rate::new(at);
    // The job's very first batch is cut short as soon as it can show
    // something (two pairs of each factor), so results appear sooner; the
    // next one ends at the batch size again.
    let mut first = k == 0 && state.stats.done == 0;
    loop {
        if ctx.cancel.load(Ordering::Relaxed) {
            break;
        }
        let msg = rx.recv_timeout(Duration::from_millis(200));
        let end = matches!(msg, Err(crossbeam_channel::RecvTimeoutError::Disconnected));
        match msg {
            Ok(Produced::Pair(p)) => batch.push(*p),
            Ok(Produced::Skipped { warning }) => {
                skips += 1;
                if let Some(w) = warning {
                    state.note(w);
                }
            }
            Ok(Produced::Note(w)) => state.note(w),
            Err(_) => {}
        }
        let early = first && shows_something(&batch);
        let taken = batch.len() + skips;
        let full =
            taken > 0 && (taken >= stage.batch || (at + taken).is_multiple_of(stage.batch.max(1)));
        if full || early || (end && taken > 0) {
            first = false;
            let crossed = (at + taken) / every > at / every;
            let opening = at == 0 && k == 0;
            at += taken;
            take_batch(ctx, state, k, &batch, skips)?;
            if opening {
                crate::launch::phase("job: first batch measured");
            }
            batch.clear();
            skips = 0;
            let pairs_per_s = rate.update(ctx.done(&state.stats, k));
            let progress = ctx.progress(&state.stats, k, Some(pairs_per_s));
            (state.on_event)(JobEvent::Progress(progress));
            if crossed || end || early {
                let mut report = build_report(&state.stats, ctx.spec.threshold);
                record_history(&mut state.stats, &mut report);
                // Shown before the save (a third of a second for the demo's
                // 55 models), only once it shows something (2 pairs of each
                // factor).
                if report.models.iter().any(|m| !m.layers.is_empty()) {
                    (state.on_event)(JobEvent::Partial(Box::new(report)));
                }
                state.save(ctx.stats_path)?;
            }
        }
        if end {
            break;
        }
    }
    Ok(())
}

/// Whether a report of `batch` alone would show bars: two pairs of each
/// factor.
fn shows_something(batch: &[Built]) -> bool {
    let count = |f: Factor| batch.iter().filter(|p| p.factor == f).count();
    count(Factor::Static) >= 2 && count(Factor::Dynamic) >= 2
}

/// Runs stage `k`'s models on `batch` and counts it, with `skips` pairs
/// that could not be built, for all of them; on an error for none.
fn take_batch(
    ctx: &Ctx<'_>,
    state: &mut State<'_>,
    k: usize,
    batch: &[Built],
    skips: usize,
) -> anyhow::Result<()> {
    let models = &ctx.plan[k].models;
    if !batch.is_empty() {
        run_batch(
            batch,
            models,
            &mut state.models,
            &mut state.stats,
            (ctx.boot, ctx.units),
        )?;
    }
    let stats = &mut state.stats;
    for &m in models {
        stats.models[m].done += batch.len() + skips;
        stats.models[m].skipped += skips;
    }
    stats.done = stats.models.iter().map(|m| m.done).min().unwrap_or(0);
    Ok(())
}

/// Runs a stage's models on a batch of pairs and adds the pooled outputs to
/// their statistics: every model runs and every output is checked before
/// any is added, so the batch counts for all of the stage's models or, on
/// an error, for none.
fn run_batch(
    batch: &[Built],
    stage: &[usize],
    models: &mut [Box<dyn Extractor>],
    stats: &mut StatsFile,
    (boot, units): (BootstrapConfig, UnitConfig),
) -> anyhow::Result<()> {
    // all a-members, then all b-members, each with its clip of every input
    let clips: Vec<&Clip> = batch
        .iter()
        .flat_map(|p| &p.a)
        .chain(batch.iter().flat_map(|p| &p.b))
        .collect();
    // A per-frame model gives a row per frame: a pair's rows share its id
    // (so the bootstrap resamples them together) and its factor.
    let rows = stage
        .first()
        .map_or(1, |&i| models[i].manifest().rows_per_member());
    let ids: Vec<u64> = batch
        .iter()
        .flat_map(|p| std::iter::repeat_n(p.id, rows))
        .collect();
    let factors: Vec<Factor> = batch
        .iter()
        .flat_map(|p| std::iter::repeat_n(p.factor, rows))
        .collect();
    let n = ids.len();
    let mut taken: Vec<(usize, Vec<LayerOutput>, Vec<LayerAccumulator>)> = Vec::new();
    for &i in stage {
        let ms = &stats.models[i];
        let who = crate::analysis::build_report::model_label(&ms.name, ms.checkpoint.as_deref());
        let outputs = models[i]
            .extract(&clips)
            .with_context(|| format!("model {who}"))?;
        let fresh = if ms.layers.is_empty() {
            check_fits(stats, &who, &outputs, boot, units)?;
            outputs
                .iter()
                .map(|o| LayerAccumulator::with_units(o.name.clone(), o.channels, boot, units))
                .collect()
        } else {
            Vec::new()
        };
        let accs = if ms.layers.is_empty() {
            &fresh
        } else {
            &ms.layers
        };
        check_outputs(&who, &outputs, accs, n)?;
        for (out, acc) in outputs.iter().zip(accs) {
            let c = out.channels;
            acc.check_batch(&PairBatch {
                pair_ids: &ids,
                factors: &factors,
                za: &out.data[..n * c],
                zb: &out.data[n * c..],
            })
            .with_context(|| format!("model {who}"))?;
        }
        taken.push((i, outputs, fresh));
    }
    for (i, outputs, fresh) in taken {
        let ms = &mut stats.models[i];
        if ms.layers.is_empty() {
            ms.layers = fresh;
        }
        for (out, acc) in outputs.iter().zip(&mut ms.layers) {
            let c = out.channels;
            // Checked above: cannot fail.
            acc.push_batch(PairBatch {
                pair_ids: &ids,
                factors: &factors,
                za: &out.data[..n * c],
                zb: &out.data[n * c..],
            })?;
        }
    }
    Ok(())
}

/// Checks that a model returned the layers it returned before, with as many
/// values as the batch has rows.
fn check_outputs(
    who: &str,
    outputs: &[LayerOutput],
    accs: &[LayerAccumulator],
    n: usize,
) -> anyhow::Result<()> {
    if outputs.len() != accs.len() {
        anyhow::bail!(
            "model {who} returned {} layers, earlier {}",
            outputs.len(),
            accs.len()
        );
    }
    for (out, acc) in outputs.iter().zip(accs) {
        if out.name != acc.name() || out.channels != acc.channels() {
            anyhow::bail!(
                "model {who} returned layer '{}' with {} channels where it returned '{}' with {} before",
                out.name,
                out.channels,
                acc.name(),
                acc.channels()
            );
        }
        if out.data.len() != 2 * n * out.channels {
            anyhow::bail!(
                "model {who}, layer '{}': {} values for {} clips of {} channels",
                out.name,
                out.data.len(),
                2 * n,
                out.channels
            );
        }
    }
    Ok(())
}

/// Refuses a model's first batch when its layers' statistics, with those
/// every model already holds, would not fit in memory (an absurd
/// `--bootstrap` on wide layers), before they are allocated.
fn check_fits(
    stats: &StatsFile,
    who: &str,
    outputs: &[LayerOutput],
    boot: BootstrapConfig,
    units: UnitConfig,
) -> anyhow::Result<()> {
    let bytes = |c: usize| LayerAccumulator::memory_bytes(c, boot, units);
    let held: u128 = stats
        .models
        .iter()
        .flat_map(|m| &m.layers)
        .map(|l| bytes(l.channels()))
        .sum();
    let new: u128 = outputs.iter().map(|o| bytes(o.channels)).sum();
    let channels: usize = outputs.iter().map(|o| o.channels).sum();
    // The memory the statistics already hold is no longer available: the
    // budget is what is available now plus what they hold.
    crate::analysis::memory::check_statistics_fit(
        &format!("model {who} ({channels} channels in its layers) and the models before it"),
        held + new,
        boot.replicates,
        crate::analysis::available_bytes()
            .map(|a| a.saturating_add(u64::try_from(held).unwrap_or(u64::MAX))),
    )
    .map_err(anyhow::Error::msg)
}

/// The rate of a stage in pairs per second, as the ETA uses it: over the
/// last [`Rate::WINDOW`] once the stage has run that long (so it follows a
/// machine whose load changes), over the whole stage before.
struct Rate {
    samples: std::collections::VecDeque<(Instant, usize)>,
}

impl Rate {
    const WINDOW: Duration = Duration::from_secs(30);

    fn new(done: usize) -> Self {
        Self {
            samples: std::collections::VecDeque::from([(Instant::now(), done)]),
        }
    }

    /// Records `done` pairs now; returns the rate.
    fn update(&mut self, done: usize) -> f64 {
        self.update_at(Instant::now(), done)
    }

    fn update_at(&mut self, now: Instant, done: usize) -> f64 {
        self.samples.push_back((now, done));
        // Keep the newest sample at least WINDOW old as the window's start.
        while self.samples.len() > 2 && now - self.samples[1].0 >= Self::WINDOW {
            self.samples.pop_front();
        }
        let (t0, d0) = self.samples[0];
        (done - d0) as f64 / (now - t0).as_secs_f64().max(1e-9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_follows_the_last_half_minute_once_there_is_one() {
        let mut r = Rate::new(0);
        let t0 = r.samples[0].0;
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert!((r.update_at(at(10), 100) - 10.0).abs() < 1e-9);
        assert!((r.update_at(at(20), 150) - 7.5).abs() < 1e-9);
        // The machine slows down: the first 10 s no longer count.
        assert!((r.update_at(at(40), 200) - 100.0 / 30.0).abs() < 1e-9);
        assert!((r.update_at(at(70), 230) - 1.0).abs() < 1e-9);
    }
}
