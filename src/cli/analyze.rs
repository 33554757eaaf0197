//! `stadyn analyze`: run TorchScript models on probe pairs and write the
//! report, CSVs and mergeable statistics. Either a project file or the
//! ad-hoc form `--model M.pt [--model ...] --videos DIR`.

use super::progress::ProgressLine;
use super::signals::Signals;
use super::summary::print_summary;
use super::{in_range, threshold};
use crate::analysis::{
    CacheUse, Cancelled, JobEvent, JobOutput, JobSpec, MAX_BATCH, MAX_BOOTSTRAP, MAX_FRAMES,
    MAX_PAIRS, MAX_THREADS, ModelEntry, ModelSpec, Project, Shard, StatsFile, load_torchscript,
    run_cached,
};
use crate::export;
use crate::model::{Device, Extractor, ModelError, set_threads};
use crate::report::Warning;
use crate::video::Layout;
use anyhow::Context as _;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `stadyn analyze`.
#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// A project file (`*.stadyn.toml`); or give --model and --videos.
    pub project: Option<PathBuf>,
    /// A TorchScript model (repeat for several).
    #[arg(long = "model")]
    pub models: Vec<PathBuf>,
    /// Checkpoints of one model: a folder or a glob (`ckpt/*.pt`), ordered by epoch.
    #[arg(long)]
    pub checkpoints: Option<String>,
    /// Probe-set folder.
    #[arg(long)]
    pub videos: Option<PathBuf>,
    /// Probe-set layout: files, classes, frames, davis, stylized (default: detected).
    #[arg(long)]
    pub layout: Option<Layout>,
    /// Output folder.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Number of pairs.
    #[arg(long, value_parser = in_range::<1, { MAX_PAIRS }>)]
    pub pairs: Option<usize>,
    /// Frames T (default: the manifest's).
    #[arg(long, value_parser = in_range::<2, { MAX_FRAMES }>)]
    pub frames: Option<usize>,
    /// Window W (default: the manifest's).
    #[arg(long, value_parser = in_range::<1, { MAX_FRAMES }>)]
    pub window: Option<usize>,
    /// Seed of the pair plan and bootstrap.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Layers to probe, comma-separated (default: the manifest's or all).
    #[arg(long, value_delimiter = ',')]
    pub layers: Vec<String>,
    /// Built-in styles, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub styles: Vec<String>,
    /// Strength of every built-in style, 0 (the clip itself) to 1 (in full; default).
    #[arg(long, value_parser = super::strength)]
    pub style_strength: Option<f64>,
    /// Unit-category threshold τ.
    #[arg(long, value_parser = threshold)]
    pub threshold: Option<f64>,
    /// Bootstrap replicates (0: none).
    #[arg(long, value_parser = in_range::<0, { MAX_BOOTSTRAP }>)]
    pub bootstrap: Option<usize>,
    /// Channel evidence.
    #[command(flatten)]
    pub units: super::unit_args::UnitArgs,
    /// Device: auto, cpu, cuda, cuda:N.
    #[arg(long)]
    pub device: Option<String>,
    /// Pairs per model batch (default: sized to the memory one pair takes).
    #[arg(long, value_parser = in_range::<1, { MAX_BATCH }>)]
    pub batch: Option<usize>,
    /// libtorch threads (default: all cores).
    #[arg(long, value_parser = in_range::<1, { MAX_THREADS }>)]
    pub threads: Option<usize>,
    /// Run only shard i of n of the pair plan (0-based), e.g. 0/4; merge with `stadyn merge`.
    #[arg(long, value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Pairs between saved statistics and partial reports.
    #[arg(long, default_value_t = 64, value_parser = in_range::<1, { MAX_PAIRS }>)]
    pub save_every: usize,
    /// Neither reuse nor write the result cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The job `stadyn analyze` runs with these arguments (the project's,
/// overridden by the flags).
pub(super) fn job_spec(a: &AnalyzeArgs) -> anyhow::Result<JobSpec> {
    let mut project = match &a.project {
        Some(p) => Project::load(p)?,
        None => {
            let videos = a
                .videos
                .clone()
                .context("give a project file, or --videos with --model or --checkpoints")?;
            let mut models: Vec<ModelEntry> = a
                .models
                .iter()
                .map(|m| ModelEntry {
                    name: None,
                    path: Some(m.clone()),
                    checkpoints: None,
                    layers: Vec::new(),
                })
                .collect();
            if let Some(c) = &a.checkpoints {
                models.push(ModelEntry {
                    name: None,
                    path: None,
                    checkpoints: Some(c.clone()),
                    layers: Vec::new(),
                });
            }
            if models.is_empty() {
                anyhow::bail!("give at least one --model or --checkpoints");
            }
            let toml = format!("[probe]\nvideos = {:?}\n", videos.display().to_string());
            let mut p: Project = toml::from_str(&toml)?;
            p.models = models;
            p
        }
    };
    if a.videos.is_some() && a.project.is_some() {
        project.probe.videos = a.videos.clone().unwrap_or_default();
        project.probe.generate = None;
    }
    if let Some(done) = project.probe.prepare()?
        && !a.quiet
    {
        eprintln!("probe set: {done}");
    }
    if let Some(l) = a.layout {
        project.probe.layout = Some(l);
    }
    let mut spec = JobSpec::from_project(&project)?;
    if !a.layers.is_empty() {
        for m in &mut spec.models {
            m.layers = a.layers.clone();
        }
    }
    if !a.styles.is_empty() {
        spec.probe.styles = a.styles.clone();
    }
    if let Some(s) = a.style_strength {
        spec.probe.strength = Some(s);
        spec.probe.style_strength = None;
    }
    spec.probe.pairs = a.pairs.unwrap_or(spec.probe.pairs);
    spec.probe.seed = a.seed.unwrap_or(spec.probe.seed);
    spec.probe.frames = a.frames.or(spec.probe.frames);
    spec.probe.window = a.window.or(spec.probe.window);
    spec.threshold = a.threshold.unwrap_or(spec.threshold);
    spec.bootstrap = a.bootstrap.unwrap_or(spec.bootstrap);
    spec.units = a.units.apply(spec.units);
    if let Some(d) = &a.device {
        spec.device = d.clone();
    }
    spec.batch = a.batch.unwrap_or(spec.batch);
    spec.threads = a.threads.or(spec.threads);
    spec.shard = a.shard.unwrap_or(Shard::ALL);
    spec.save_every = a.save_every;
    Ok(spec)
}

/// Runs `stadyn analyze`.
pub fn run(a: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let spec = job_spec(a)?;
    // Out-of-range settings fail here, before any work; warnings about
    // them come with the job's other warnings (and with cached results).
    spec.check()?;
    if !spec.probe.videos.exists() {
        anyhow::bail!(
            "probe folder '{}' does not exist",
            spec.probe.videos.display()
        );
    }
    refuse_out_inside_probe(&a.out, &spec.probe.videos)?;
    crate::files::ensure_writable_dir(&a.out)?;
    let device: Device = spec
        .device
        .parse()
        .map_err(|e: String| anyhow::anyhow!(e))?;
    set_threads(spec.threads);
    let signals = Signals::register()?;
    let loader = move |m: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> {
        let (model, warning) = load_torchscript(m, device)?;
        if let Some(w) = warning {
            eprintln!("warning: {w}");
        }
        Ok(model)
    };
    let mut progress = ProgressLine::new(a.quiet);
    let mut shown: Vec<Warning> = Vec::new();
    let mut on_event = |e: JobEvent| {
        if let JobEvent::Warning(w) = &e {
            shown.push(w.clone());
        }
        progress.event(e);
    };
    let result = run_cached(&spec, &loader, !a.no_cache, &mut on_event, signals.cancel());
    progress.finish();
    let (out, used) = match result {
        Ok(r) => r,
        Err(e) => match e.downcast::<Cancelled>() {
            Ok(c) => return stopped(a, &c.output, &signals),
            Err(e) => return Err(e),
        },
    };
    // Warnings stored with cached statistics were not shown live.
    for w in out.report.warnings.iter().filter(|w| !shown.contains(w)) {
        eprintln!("warning: {}: {}", w.path, w.reason);
    }
    let stats_path = a.out.join("stats.bin");
    if let Some(why) = out.failure() {
        // The statistics are kept (in the cache too), so a rerun resumes.
        out.stats.save(&stats_path)?;
        anyhow::bail!("{why}");
    }
    if spec.shard.count > 1 && out.report.models.iter().all(|m| m.layers.is_empty()) {
        out.stats.save(&stats_path)?;
        eprintln!(
            "note: no report for this shard alone (too few pairs of a factor); its statistics \
             ({}) merge with `stadyn merge`",
            stats_path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    // The report first: a full disk keeps it rather than the large statistics.
    let written = export::write_all(&a.out, &out.report)?;
    out.stats.save(&stats_path)?;
    if !a.quiet {
        print_summary(&out.report);
        match used {
            CacheUse::Reused => eprintln!("reused cached results (nothing recomputed)"),
            CacheUse::Resumed { from } => {
                eprintln!("resumed from pair {from} of {}", out.stats.total);
            }
            CacheUse::Fresh => {}
        }
        eprintln!("{}", measured_line(&out.stats));
        eprintln!("wrote {} files to {}", written.len() + 1, a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A run stopped by SIGINT or SIGTERM: the statistics are saved, the
/// partial report goes to `--out`, and the exit code says which signal.
fn stopped(a: &AnalyzeArgs, out: &JobOutput, signals: &Signals) -> anyhow::Result<ExitCode> {
    let written = export::write_all(&a.out, &out.report)?;
    out.stats.save(&a.out.join("stats.bin"))?;
    let s = &out.stats;
    eprintln!(
        "stopped by {} after {} of {} pairs: a partial report (flagged `partial`) and the \
         statistics are in {} ({} files)",
        signals.name(),
        s.done,
        s.total,
        a.out.display(),
        written.len() + 1
    );
    if a.no_cache {
        eprintln!("run the same command again to start over (--no-cache keeps nothing to resume)");
    } else {
        eprintln!("run the same command again to resume from pair {}", s.done);
    }
    Ok(ExitCode::from(signals.exit_code()))
}

/// How many pairs were measured, when that is not simply all of them.
fn measured_line(s: &StatsFile) -> String {
    let skipped = s.models.iter().map(|m| m.skipped).max().unwrap_or(0);
    let mut line = format!("measured {} of {} pairs", s.measured(), s.total);
    if skipped > 0 {
        line.push_str(&format!(
            " ({skipped} skipped: a video failed while the job ran, see the warnings)"
        ));
    }
    if !s.left_out.is_empty() {
        line.push_str(&format!(
            "; {} unreadable video(s) left out before planning",
            s.left_out.len()
        ));
    }
    line
}

/// `--out` inside the probe folder would put the report among the videos:
/// refused, so the probe set stays what it was.
fn refuse_out_inside_probe(out: &Path, probe: &Path) -> anyhow::Result<()> {
    let canonical = |p: &Path| -> Option<PathBuf> {
        // `out` may not exist yet: resolve its nearest existing ancestor.
        let mut p = p.to_path_buf();
        let mut tail = Vec::new();
        loop {
            if let Ok(c) = p.canonicalize() {
                return Some(tail.iter().rev().fold(c, |acc: PathBuf, t| acc.join(t)));
            }
            tail.push(p.file_name()?.to_os_string());
            p = p.parent()?.to_path_buf();
            if p.as_os_str().is_empty() {
                p = PathBuf::from(".");
            }
        }
    };
    if let (Some(o), Some(p)) = (canonical(out), canonical(probe))
        && o.starts_with(&p)
    {
        anyhow::bail!(
            "the output folder '{}' is inside the probe folder '{}': choose an output outside it",
            out.display(),
            probe.display()
        );
    }
    Ok(())
}
