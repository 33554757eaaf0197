//! `stadyn sweep PROJECT --strength 0.25,0.5,0.75,1 --out DIR`: the job of
//! `stadyn analyze` at each strength of the built-in styles, into
//! `DIR/strength_<s>/` (each a full results folder, cached like any job),
//! then `DIR/sweep.csv` (`model,checkpoint,epoch,layer,strength,factor,
//! pct,lo,hi`) and its figure `DIR/sweep.svg` / `.png`. Imported
//! pre-stylized folders are refused: their strength is not ours to set.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use super::analyze::{self, AnalyzeArgs};
use crate::compare::write_text;
use crate::figure::png::svg_to_png;
use crate::figure::sweep::{strength_sensitive, sweep_csv, sweep_rows, sweep_svg};
use crate::report::read_report;
use crate::video::ProbeSet;

/// Arguments of `stadyn sweep`: the strengths, and everything `analyze` takes.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Strengths of the built-in styles, comma-separated, each 0 (the clip
    /// itself) to 1 (the style in full).
    #[arg(long = "strength", value_delimiter = ',', required = true, value_parser = super::strength)]
    pub strengths: Vec<f64>,
    /// The job, as `stadyn analyze` takes it (`--out` is the sweep's folder).
    #[command(flatten)]
    pub analyze: AnalyzeArgs,
}

/// The folder of strength `s` in the sweep's folder `out`.
pub fn strength_dir(out: &Path, s: f64) -> PathBuf {
    out.join(format!("strength_{s}"))
}

/// Runs `stadyn sweep`.
pub fn run(a: &SweepArgs) -> anyhow::Result<ExitCode> {
    if a.analyze.style_strength.is_some() {
        anyhow::bail!("a sweep sets the strength itself: give the strengths with --strength");
    }
    if a.analyze.shard.is_some() {
        anyhow::bail!(
            "a sweep runs whole jobs: shard a single strength with `stadyn analyze \
             --style-strength S --shard i/n` and merge those instead"
        );
    }
    let mut strengths = a.strengths.clone();
    strengths.sort_by(f64::total_cmp);
    strengths.dedup();
    if strengths.len() < 2 {
        anyhow::bail!("a sweep needs at least two different strengths");
    }
    let spec = analyze::job_spec(&a.analyze)?;
    let set = ProbeSet::discover(&spec.probe.videos, spec.probe.layout)
        .with_context(|| format!("probe folder '{}'", spec.probe.videos.display()))?;
    if !set.styles().is_empty() {
        anyhow::bail!(
            "'{}' holds imported pre-stylized folders ({}): their strength was fixed when they \
             were made and is not stadyn's to set, so there is nothing to sweep",
            spec.probe.videos.display(),
            set.styles().join(", ")
        );
    }
    let out = &a.analyze.out;
    crate::files::ensure_writable_dir(out)?;
    let mut runs = Vec::new();
    for (i, &s) in strengths.iter().enumerate() {
        let dir = strength_dir(out, s);
        if !a.analyze.quiet {
            eprintln!(
                "== style strength {s} ({} of {}) -> {}",
                i + 1,
                strengths.len(),
                dir.display()
            );
        }
        let mut one = a.analyze.clone();
        one.out = dir.clone();
        one.style_strength = Some(s);
        let code = analyze::run(&one)?;
        if code != ExitCode::SUCCESS {
            eprintln!(
                "the sweep stopped at strength {s}; the strengths done are in {} (run the same \
                 command again to go on: finished strengths come from the cache)",
                out.display()
            );
            return Ok(code);
        }
        runs.push((s, read_report(&dir.join("report.json"))?));
    }
    let rows = sweep_rows(&runs);
    write_text(&out.join("sweep.csv"), &sweep_csv(&rows)?)?;
    let svg = sweep_svg(&rows, "Shares against the style strength");
    write_text(&out.join("sweep.svg"), &svg)?;
    let png = svg_to_png(&svg, 2.0)?;
    crate::files::atomic_write(&out.join("sweep.png"), |w| Ok(w.write_all(&png)?))?;
    if !a.analyze.quiet {
        let moved = strength_sensitive(&rows);
        if moved.is_empty() {
            eprintln!(
                "no layer's dynamic or static share differs between strength {} and {} beyond \
                 its intervals",
                strengths[0],
                strengths[strengths.len() - 1]
            );
        } else {
            eprintln!(
                "shares that differ between strength {} and {} beyond their intervals:",
                strengths[0],
                strengths[strengths.len() - 1]
            );
            const SHOWN: usize = 20;
            for (m, c, l, f) in moved.iter().take(SHOWN) {
                let entry = if c.is_empty() {
                    m.clone()
                } else {
                    format!("{m}@{c}")
                };
                eprintln!("  {entry} {l}: {f}");
            }
            if moved.len() > SHOWN {
                eprintln!(
                    "  … and {} more (sweep.csv has them all)",
                    moved.len() - SHOWN
                );
            }
        }
        eprintln!(
            "wrote {} (sweep.csv, sweep.svg, sweep.png and a folder per strength)",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
