//! The command line: `stadyn` with no subcommand opens the desktop app;
//! subcommands run headless on the same library code. One file per
//! subcommand; `main → run → ExitCode`, errors printed once with `{:#}`.

#[cfg(feature = "torch")]
mod analyze;
#[cfg(feature = "torch")]
mod bench;
#[cfg(feature = "torch")]
mod channels;
mod compare;
mod demo_data;
mod doctor;
mod estimate;
mod export;
#[cfg(feature = "torch")]
mod inspect_model;
mod merge;
mod pairs;
#[cfg(feature = "torch")]
mod progress;
#[cfg(feature = "torch")]
mod signals;
mod summary;
#[cfg(feature = "torch")]
mod sweep;
mod unit_args;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// How much static (appearance) and dynamic (motion) information a video model encodes.
#[derive(Debug, Parser)]
#[command(name = "stadyn", version, about, long_about = None)]
pub struct Cli {
    /// A project (`*.stadyn.toml`) or report (`report.json`) to open in the app.
    pub path: Option<PathBuf>,
    /// What to do (none: open the desktop app).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The headless subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run models on static/dynamic probe pairs and report their biases.
    #[cfg(feature = "torch")]
    Analyze(Box<analyze::AnalyzeArgs>),
    /// Run the job at several strengths of the built-in styles and plot the shares against it.
    #[cfg(feature = "torch")]
    Sweep(Box<sweep::SweepArgs>),
    /// Write example static and dynamic pairs as image strips.
    Pairs(pairs::PairsArgs),
    /// Time the full pipeline against the model's forward passes alone.
    #[cfg(feature = "torch")]
    Bench(bench::BenchArgs),
    /// Look inside channels: top windows with their maps, the pairs behind ρ, intervals.
    #[cfg(feature = "torch")]
    Channels(Box<channels::ChannelsArgs>),
    /// Compare entries: B − A per layer with paired bootstrap intervals, channel moves.
    Compare(compare::CompareArgs),
    /// Merge the statistics of sharded runs into one report.
    Merge(merge::MergeArgs),
    /// Run the estimator on activations you already extracted (.npz).
    Estimate(estimate::EstimateArgs),
    /// Write a report's tables (CSV) and print where biases settle in training.
    Export(export::ExportArgs),
    /// Load a TorchScript model, print its layers and check it against the contract.
    #[cfg(feature = "torch")]
    InspectModel(inspect_model::InspectArgs),
    /// Write the demo's synthetic clips (a training set that is also a probe set).
    DemoData(demo_data::DemoDataArgs),
    /// Check what this machine offers stadyn (ffmpeg, libtorch, CUDA).
    Doctor,
}

/// Parses the command line and runs it; the binary's whole `main`.
pub fn main() -> ExitCode {
    crate::launch::mark();
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        #[cfg(feature = "torch")]
        Some(Command::Analyze(args)) => analyze::run(&args),
        #[cfg(feature = "torch")]
        Some(Command::Sweep(args)) => sweep::run(&args),
        #[cfg(feature = "torch")]
        Some(Command::Bench(args)) => bench::run(&args),
        #[cfg(feature = "torch")]
        Some(Command::Channels(args)) => channels::run(&args),
        Some(Command::Compare(args)) => compare::run(&args),
        Some(Command::Merge(args)) => merge::run(&args),
        Some(Command::Pairs(args)) => pairs::run(&args),
        Some(Command::Estimate(args)) => estimate::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        #[cfg(feature = "torch")]
        Some(Command::InspectModel(args)) => inspect_model::run(&args),
        Some(Command::DemoData(args)) => demo_data::run(&args),
        Some(Command::Doctor) => doctor::run(),
        None => open_app(cli.path),
    }
}

#[cfg(feature = "gui")]
fn open_app(path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    crate::gui::run(path)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "gui"))]
fn open_app(_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    anyhow::bail!(
        "this stadyn was built without the desktop app (feature `gui`); see `stadyn --help` for the headless commands"
    )
}

/// A flag's number in `LO..=HI` (clap reports anything else as a usage
/// error, exit 2, with the range).
pub(crate) fn in_range<const LO: usize, const HI: usize>(s: &str) -> Result<usize, String> {
    let v: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number (accepted: {LO} to {HI})"))?;
    if (LO..=HI).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is out of range (accepted: {LO} to {HI})"))
    }
}

/// A style strength: a finite number in [0, 1].
#[cfg(feature = "torch")]
pub(crate) fn strength(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))?;
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} is out of range (a style strength is between 0 and 1)"
        ))
    }
}

/// A threshold τ: a finite number in [0, 1].
pub(crate) fn threshold(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))?;
    crate::analysis::check_threshold(v).map(|()| v)
}
