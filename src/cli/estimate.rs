//! `stadyn estimate ACTS.npz --out DIR`: the estimator on activations that
//! were extracted elsewhere (e.g. a PyTorch hook pipeline).

use super::summary::print_summary;
use super::{in_range, threshold};
use crate::analysis::{EstimateOptions, MAX_BOOTSTRAP, estimate_npz};
use crate::export;
use crate::stats::BootstrapConfig;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `stadyn estimate`.
#[derive(Debug, Args)]
#[command(after_help = "\
The .npz holds `za`, `zb` (N×C, float32 or float64) and `factor` (N, 0 = dynamic pair, \
1 = static pair) for one layer (named by an optional string array `layer`, else \"layer\"), \
or `<layer>/za`, `<layer>/zb`, `<layer>/factor` for several layers.
Writes DIR/report.json, layers.csv, unit_categories.csv, channels.csv and one \
<layer>_dim_est.csv per layer (the reference code's format).")]
pub struct EstimateArgs {
    /// The activations archive (.npz, from np.savez or np.savez_compressed).
    pub input: PathBuf,
    /// Output folder (created if needed).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Unit-category threshold τ on ρ.
    #[arg(long, default_value_t = 0.5, value_parser = threshold)]
    pub threshold: f64,
    /// Bootstrap replicates for the 95 % intervals (0: none).
    #[arg(long, default_value_t = 200, value_parser = in_range::<0, { MAX_BOOTSTRAP }>)]
    pub bootstrap: usize,
    /// Seed of the bootstrap weights.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Channel evidence.
    #[command(flatten)]
    pub units: super::unit_args::UnitArgs,
    /// Leave out layers that fail (listed in the report's warnings) instead of failing.
    #[arg(long)]
    pub keep_going: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `stadyn estimate`.
pub fn run(args: &EstimateArgs) -> anyhow::Result<ExitCode> {
    // Fail on an unwritable output before any work is done.
    crate::files::ensure_writable_dir(&args.out)?;
    let options = EstimateOptions {
        threshold: args.threshold,
        bootstrap: BootstrapConfig {
            replicates: args.bootstrap,
            seed: args.seed,
        },
        units: args.units.apply(crate::stats::UnitConfig::default()),
        keep_going: args.keep_going,
        ..EstimateOptions::default()
    };
    let quiet = args.quiet;
    let mut progress = |layer: &str, done: usize, total: usize| {
        if !quiet && done == total {
            eprintln!("  {layer}: {total} pairs");
        }
    };
    let report = estimate_npz(&args.input, &options, &mut progress)?;
    if report.models.iter().all(|m| m.layers.is_empty()) {
        let reasons: Vec<String> = report
            .warnings
            .iter()
            .map(|w| format!("  {}: {}", w.path, w.reason))
            .collect();
        anyhow::bail!(
            "no layer of '{}' could be estimated; nothing was written:\n{}",
            args.input.display(),
            reasons.join("\n")
        );
    }
    let written = export::write_all(&args.out, &report)?;
    if !quiet {
        print_summary(&report);
        for w in &report.warnings {
            eprintln!("warning: {}: {}", w.path, w.reason);
        }
        eprintln!("wrote {} files to {}", written.len(), args.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
