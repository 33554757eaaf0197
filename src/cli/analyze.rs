//! `stadyn analyze`: run TorchScript models on probe pairs and write the
//! report, CSVs and mergeable statistics. Either a project file or the
//! ad-hoc form `--model M.pt [--model ...] --videos DIR`.

use super::summary::print_summary;
use crate::analysis::{
    CacheUse, JobEvent, JobSpec, ModelEntry, ModelSpec, Project, Shard, Started, load_torchscript,
    run_cached,
};
use crate::export;
use crate::model::{Device, Extractor, ModelError, set_threads};
use crate::video::Layout;
use anyhow::Context as _;
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

/// Arguments of `stadyn analyze`.
#[derive(Debug, Args)]
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
    #[arg(long)]
    pub pairs: Option<usize>,
    /// Frames T (default: the manifest's).
    #[arg(long)]
    pub frames: Option<usize>,
    /// Window W (default: the manifest's).
    #[arg(long)]
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
    /// Unit-category threshold τ.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Bootstrap replicates (0: none).
    #[arg(long)]
    pub bootstrap: Option<usize>,
    /// Device: auto, cpu, cuda, cuda:N.
    #[arg(long)]
    pub device: Option<String>,
    /// Pairs per model batch (default: sized to the memory one pair takes).
    #[arg(long)]
    pub batch: Option<usize>,
    /// libtorch threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only shard i of n of the pair plan (0-based), e.g. 0/4; merge with `stadyn merge`.
    #[arg(long, value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Pairs between saved statistics and partial reports.
    #[arg(long, default_value_t = 64)]
    pub save_every: usize,
    /// Neither reuse nor write the result cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    pub quiet: bool,
}

fn job_spec(a: &AnalyzeArgs) -> anyhow::Result<JobSpec> {
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
    if let Some(done) = project.prepare_probe()?
        && !a.quiet
    {
        eprintln!("probe set: {done}");
    }
    if let Some(l) = a.layout {
        project.probe.layout = Some(l.to_string());
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
    spec.probe.pairs = a.pairs.unwrap_or(spec.probe.pairs);
    spec.probe.seed = a.seed.unwrap_or(spec.probe.seed);
    spec.probe.frames = a.frames.or(spec.probe.frames);
    spec.probe.window = a.window.or(spec.probe.window);
    spec.threshold = a.threshold.unwrap_or(spec.threshold);
    spec.bootstrap = a.bootstrap.unwrap_or(spec.bootstrap);
    if let Some(d) = &a.device {
        spec.device = d.clone();
    }
    spec.batch = a.batch.unwrap_or(spec.batch);
    spec.threads = a.threads.or(spec.threads);
    spec.shard = a.shard.unwrap_or(Shard::ALL);
    spec.save_every = a.save_every.max(1);
    Ok(spec)
}

/// Runs `stadyn analyze`.
pub fn run(a: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let spec = job_spec(a)?;
    export::ensure_writable_dir(&a.out)?;
    if !spec.probe.probe_root.exists() {
        anyhow::bail!(
            "probe folder '{}' does not exist",
            spec.probe.probe_root.display()
        );
    }
    let device: Device = spec
        .device
        .parse()
        .map_err(|e: String| anyhow::anyhow!(e))?;
    set_threads(spec.threads);
    let loader = move |m: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> {
        let (model, warning) = load_torchscript(m, device)?;
        if let Some(w) = warning {
            eprintln!("warning: {w}");
        }
        Ok(model)
    };
    // A progress bar on a terminal, plain lines otherwise (logs, clusters).
    let tty = std::io::stderr().is_terminal() && !a.quiet;
    let bar = indicatif::ProgressBar::hidden();
    if tty {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40.cyan/blue} {pos}/{len} pairs  {per_sec}  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    }
    let quiet = a.quiet;
    let mut bar_stage = 0usize;
    let mut on_event = |e: JobEvent| match e {
        JobEvent::Started(Started {
            remaining,
            total,
            models,
        }) => {
            bar.set_length(total as u64);
            bar.set_position((total - remaining) as u64);
            if !quiet && !tty {
                eprintln!("analyzing {remaining} of {total} pairs with {models} model(s)");
            }
        }
        JobEvent::Progress(p) => {
            // the job's time left (all stages), and which stage runs
            let eta = p
                .eta
                .map(|d| format!("{}s left", d.as_secs()))
                .unwrap_or_default();
            let stage = if p.stages > 1 {
                format!("stage {}/{} ({} models)", p.stage + 1, p.stages, p.models)
            } else {
                String::new()
            };
            if p.stage != bar_stage {
                // a new stage goes over the same pairs with other models
                bar_stage = p.stage;
                bar.reset();
            }
            bar.set_position(p.done as u64);
            bar.set_message(format!("{eta}  {stage}"));
            if !quiet && !tty {
                eprintln!(
                    "  {}/{} pairs ({:.1} pairs/s, {eta}) {stage}",
                    p.done, p.total, p.rate
                );
            }
        }
        JobEvent::Warning(w) => bar.suspend(|| eprintln!("warning: {}: {}", w.path, w.reason)),
        JobEvent::Partial(_) => {}
    };
    let cancel = AtomicBool::new(false);
    let (out, used) = run_cached(&spec, &loader, !a.no_cache, &mut on_event, &cancel)?;
    bar.finish_and_clear();
    let stats_path = a.out.join("stats.bin");
    out.stats.save(&stats_path)?;
    let report = match out.report {
        Ok(r) => r,
        Err(e) if spec.shard.count > 1 => {
            eprintln!(
                "note: no report for this shard alone ({e}); its statistics ({}) merge with `stadyn merge`",
                stats_path.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    let written = export::write_all(&a.out, &report)?;
    if !quiet {
        print_summary(&report);
        match used {
            CacheUse::Reused => eprintln!("reused cached results (nothing recomputed)"),
            CacheUse::Resumed { from } => {
                eprintln!("resumed from pair {from} of {}", out.stats.total);
            }
            CacheUse::Fresh => {}
        }
        eprintln!("wrote {} files to {}", written.len() + 1, a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
