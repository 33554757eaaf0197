//! `stadyn bench`: the same pairs three ways — the model's forward passes
//! alone on pre-decoded batches, the pairs alone (built, no model), and the
//! full `analyze` pipeline (decode, pairs, model, estimator) — and the ratio
//! of full to forward-only, with the peak memory. A ratio near 1 means
//! decoding and statistics hide behind the model; "pairs only" says what
//! there is to hide.

use crate::analysis::{
    JobEvent, JobSpec, ModelSpec, PairSource, ProbeSpec, peak_rss_bytes, run_job,
};
use crate::model::{Device, Extractor, Manifest, ModelError, TorchScriptModel, set_threads};
use crate::video::Clip;
use anyhow::Context as _;
use clap::Args;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Arguments of `stadyn bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The TorchScript model.
    #[arg(long)]
    pub model: PathBuf,
    /// Probe-set folder.
    #[arg(long)]
    pub videos: PathBuf,
    /// Pairs to run.
    #[arg(long, default_value_t = 300)]
    pub pairs: usize,
    /// Pairs per batch.
    #[arg(long, default_value_t = 8)]
    pub batch: usize,
    /// Bootstrap replicates in the full run.
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Device: auto, cpu, cuda, cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: Device,
    /// libtorch threads.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Append a Markdown table row to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// Runs `stadyn bench`.
pub fn run(a: &BenchArgs) -> anyhow::Result<ExitCode> {
    set_threads(a.threads);
    let (manifest, _) = Manifest::for_model(&a.model)?;
    let device = a.device;
    let probe = ProbeSpec {
        pairs: a.pairs,
        ..ProbeSpec::new(a.videos.clone())
    };
    let spec = JobSpec {
        bootstrap: a.bootstrap,
        batch: a.batch.max(1),
        threads: a.threads,
        // one partial report at the end, as a plain analyze of these pairs
        save_every: a.pairs.max(1),
        ..JobSpec::new("bench", probe, vec![ModelSpec::file("model", &a.model)])
    };
    let m = manifest.clone();
    let loader = move |s: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> {
        Ok(Box::new(TorchScriptModel::load(
            &s.path,
            m.clone(),
            device,
        )?))
    };
    // Warm up (first calls of a TorchScript model run its profiling executor).
    let mut model = loader(&spec.models[0])?;
    let source = PairSource::new(&spec.probe, &manifest)?;
    let pool: Vec<(Vec<Clip>, Vec<Clip>)> = source
        .ids()
        .take(4 * spec.batch)
        .filter_map(|id| source.build(id).ok().map(|p| p.into_members()))
        .collect();
    // Its decoded frames would otherwise sit beside the full run's.
    drop(source);
    anyhow::ensure!(
        !pool.is_empty(),
        "no pair could be built from '{}'",
        a.videos.display()
    );
    let batch_clips = |start: usize| -> Vec<&Clip> {
        let idx: Vec<usize> = (start..start + spec.batch)
            .map(|i| i % pool.len())
            .collect();
        idx.iter()
            .flat_map(|&i| &pool[i].0)
            .chain(idx.iter().flat_map(|&i| &pool[i].1))
            .collect()
    };
    for w in 0..4 {
        model.extract(&batch_clips(w))?;
    }
    // Forward passes alone.
    let t0 = Instant::now();
    let mut done = 0;
    while done < a.pairs {
        model.extract(&batch_clips(done))?;
        done += spec.batch;
    }
    let forward = t0.elapsed().as_secs_f64() * a.pairs as f64 / done as f64;
    drop(model);
    // Building the pairs alone (decoding, sampling, preprocessing, styles),
    // from a fresh source, as the full run's producer thread does.
    let t0 = Instant::now();
    let source = PairSource::new(&spec.probe, &manifest)?;
    let built = source.ids().filter(|&id| source.build(id).is_ok()).count();
    drop(source);
    let pairs_only = t0.elapsed().as_secs_f64();
    // The full pipeline.
    let cancel = AtomicBool::new(false);
    let t0 = Instant::now();
    let out = run_job(&spec, &loader, None, None, &mut |_e: JobEvent| {}, &cancel)?;
    let full = t0.elapsed().as_secs_f64();
    let rss = peak_rss_bytes().map_or(f64::NAN, |b| b as f64 / (1 << 20) as f64);
    let ratio = full / forward;
    println!("model:        {}", a.model.display());
    println!(
        "pairs:        {} (batch {}, bootstrap {})",
        a.pairs, spec.batch, a.bootstrap
    );
    println!(
        "forward only: {forward:.2} s ({:.1} pairs/s)",
        a.pairs as f64 / forward
    );
    println!(
        "pairs only:   {pairs_only:.2} s ({built} built; decoding, sampling, preprocessing, styles)"
    );
    println!(
        "full analyze: {full:.2} s ({:.1} pairs/s)",
        a.pairs as f64 / full
    );
    println!("ratio:        {ratio:.3} (full / forward only)");
    println!("peak RSS:     {rss:.0} MiB");
    if out.report.models.iter().all(|m| m.layers.is_empty()) {
        eprintln!("note: the full run's report could not be estimated (too few pairs?)");
    }
    if let Some(path) = &a.report {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot write '{}'", path.display()))?;
        writeln!(
            f,
            "| {} | {} | {} | {:.1} | {:.1} | {ratio:.3} | {rss:.0} |",
            a.model
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            a.pairs,
            spec.batch,
            a.pairs as f64 / forward,
            a.pairs as f64 / full
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
