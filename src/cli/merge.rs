//! `stadyn merge DIR1 DIR2 ... --out DIR`: merge the statistics of shards
//! (`stats.bin` in each folder) into the report of the unsharded run.

use super::summary::print_summary;
use crate::analysis::{StatsFile, build_report};
use crate::export;
use anyhow::Context as _;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `stadyn merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folders of `stadyn analyze --shard` runs (or their stats.bin files).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Write a report even if some shards are missing or unfinished.
    #[arg(long)]
    pub allow_partial: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `stadyn merge`.
pub fn run(a: &MergeArgs) -> anyhow::Result<ExitCode> {
    export::ensure_writable_dir(&a.out)?;
    let mut merged: Option<StatsFile> = None;
    for input in &a.inputs {
        let path = if input.is_dir() {
            input.join("stats.bin")
        } else {
            input.clone()
        };
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
        let missing: Vec<String> = (0..merged.shard.count)
            .filter(|i| !merged.covers.contains(i))
            .map(|i| format!("{i}/{}", merged.shard.count))
            .collect();
        let msg = format!(
            "the merged statistics cover {} of {} pairs (missing shards: {})",
            merged.done,
            merged.total,
            if missing.is_empty() {
                "none, but some are unfinished".into()
            } else {
                missing.join(", ")
            }
        );
        if !a.allow_partial {
            anyhow::bail!("{msg}; pass --allow-partial to report anyway");
        }
        eprintln!("warning: {msg}");
    }
    let report = build_report(&merged, &merged.settings, merged.settings.threshold)?;
    let written = export::write_all(&a.out, &report)?;
    merged.save(&a.out.join("stats.bin"))?;
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
