//! `stadyn merge DIR1 DIR2 ... --out DIR`: merge the statistics of shards
//! (`stats.bin` in each folder) into the report of the unsharded run. A
//! shard that fails its integrity check, a shard given twice, shards of
//! different jobs and an `--out` that is one of the inputs are refused.

use super::summary::print_summary;
use crate::analysis::{StatsFile, build_report};
use crate::export;
use anyhow::Context as _;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `stadyn merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folders of `stadyn analyze --shard` runs (or their stats.bin files).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder (not one of the inputs).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Write a report even if some shards are missing or unfinished (flagged partial).
    #[arg(long)]
    pub allow_partial: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The statistics file of an input (a folder or the file itself).
fn stats_path(input: &Path) -> PathBuf {
    if input.is_dir() {
        input.join("stats.bin")
    } else {
        input.to_path_buf()
    }
}

/// Whether two paths name the same file or folder (either may not exist yet).
fn same(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Runs `stadyn merge`.
pub fn run(a: &MergeArgs) -> anyhow::Result<ExitCode> {
    let out_stats = a.out.join("stats.bin");
    for input in &a.inputs {
        if same(&stats_path(input), &out_stats) || same(input, &a.out) {
            anyhow::bail!(
                "--out '{}' is one of the inputs: merging into it would overwrite that shard; \
                 choose another folder",
                a.out.display()
            );
        }
    }
    crate::files::ensure_writable_dir(&a.out)?;
    let mut merged: Option<StatsFile> = None;
    for input in &a.inputs {
        let path = stats_path(input);
        let s = StatsFile::load(&path)?;
        match &mut merged {
            None => merged = Some(s),
            Some(m) => m
                .merge(&s)
                .with_context(|| format!("cannot merge '{}'", path.display()))?,
        }
    }
    let merged = merged.context("nothing to merge")?;
    if !merged.covers_all() {
        let n = merged.shard.count;
        let missing: Vec<String> = (0..n)
            .filter(|i| !merged.covers.contains(i))
            .map(|i| format!("{i}/{n}"))
            .collect();
        let msg = format!(
            "the merged statistics cover {} of {} pairs ({})",
            merged.done,
            merged.plan_pairs,
            if missing.is_empty() {
                "every shard is here, but some are unfinished".into()
            } else {
                format!("missing shards: {}", missing.join(", "))
            }
        );
        if !a.allow_partial {
            anyhow::bail!("{msg}; pass --allow-partial to report anyway");
        }
        eprintln!("warning: {msg}; the report is flagged partial");
    }
    let report = build_report(&merged, merged.settings.threshold);
    if let Some(why) = crate::analysis::failure(&report, &merged) {
        anyhow::bail!("{why}");
    }
    for w in &report.warnings {
        eprintln!("warning: {}: {}", w.path, w.reason);
    }
    // The report first: a full disk keeps it rather than the large statistics.
    let written = export::write_all(&a.out, &report)?;
    merged.save(&out_stats)?;
    if !a.quiet {
        print_summary(&report);
        eprintln!(
            "merged {} input(s); wrote {} files to {}",
            a.inputs.len(),
            written.len() + 1,
            a.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
