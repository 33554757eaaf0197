//! `stadyn export REPORT --out DIR`: every table of a report as CSV (the
//! report's own CSVs, the reference's `_dim_est.csv`, and the plotted
//! numbers of the app's figures for every entry: bars, training curves with
//! settle points), the figures of the `figure` room's catalogue as SVG and
//! PNG (the titles and file names the app's exports use), and a terminal
//! summary with where each layer's bias settles in training.

use crate::export::write_all;
use crate::figure::FigureError;
use crate::figure::catalogue::every;
use crate::figure::csv::{bars_csv, training_csv};
use crate::figure::png::svg_to_png;
use crate::figure::{SettleCriterion, layer_bars, model_groups, training_curves};
use crate::files::atomic_write;
use crate::report::Report;
use crate::report::read_report;
use clap::Args;
use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `stadyn export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A report (`report.json`) or the folder holding one.
    pub report: PathBuf,
    /// Output folder.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Unit-category threshold τ for the category counts (default: the report's).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Skip the figures (SVG and PNG).
    #[arg(long)]
    pub no_figures: bool,
    /// Print nothing.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `stadyn export`.
pub fn run(a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let path = if a.report.is_dir() {
        a.report.join("report.json")
    } else {
        a.report.clone()
    };
    let report = read_report(&path)?;
    let tau = a.threshold.unwrap_or(report.settings.threshold);
    let mut written = write_all(&a.out, &report)?;
    for (name, text) in [
        ("bars.csv", bars_csv(&layer_bars(&report, tau), tau)?),
        ("training.csv", training_csv(&report)?),
    ] {
        let p = a.out.join(name);
        let text = crate::figure::catalogue::mark_partial(&report, &text);
        atomic_write(&p, |f| Ok(f.write_all(text.as_bytes())?))?;
        written.push(p);
    }
    if !a.no_figures {
        written.extend(write_figures(&a.out, &report, tau)?);
    }
    if !a.quiet {
        print_training(&report);
        println!("wrote {} files to {}", written.len(), a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Per model with checkpoints and layer: the final shares with their
/// intervals and the first epoch from which the bias stays within them, by
/// the probabilities (the default) and by the reference's percentages.
pub fn print_training(report: &Report) {
    for g in model_groups(report).iter().filter(|g| g.entries.len() > 1) {
        println!(
            "{} ({})",
            g.name,
            crate::figure::count(g.entries.len(), "checkpoint")
        );
        println!(
            "  {:<16} {:<20} {:<20} {:>10} {:>10}  dynamic % / static % per epoch",
            "layer", "final dynamic %", "final static %", "settled at", "(by %)"
        );
        for c in training_curves(report, g) {
            let Some(last) = c.points.last() else {
                continue;
            };
            let share = |k: usize| match last.ci {
                Some(ci) => format!("{:.1} [{:.1}, {:.1}]", last.pct[k], ci[k][0], ci[k][1]),
                None => format!("{:.1}", last.pct[k]),
            };
            let settled = |k: SettleCriterion| {
                c.settled_epoch(k)
                    .map(|e| format!("epoch {e}"))
                    .unwrap_or_else(|| "-".into())
            };
            let path: Vec<String> = c
                .points
                .iter()
                .map(|p| format!("{}:{:.0}/{:.0}", p.epoch, p.pct[0], p.pct[1]))
                .collect();
            println!(
                "  {:<16} {:<20} {:<20} {:>10} {:>10}  {}",
                c.layer,
                share(0),
                share(1),
                settled(SettleCriterion::Probabilities),
                settled(SettleCriterion::Percentages),
                path.join(" ")
            );
        }
    }
}

/// The figures of a report ([`every`]), each as SVG and PNG named by the
/// catalogue: the layer bars of every model's last checkpoint (`bars`), each
/// model's training curves (`training_<model>`), and the channel scatter of
/// every model's last layer at its last checkpoint (`channels_<model>_<layer>`).
/// Their numbers are in `bars.csv` and `training.csv` (every entry, the same
/// columns) and the report's `channels.csv`.
fn write_figures(dir: &Path, report: &Report, tau: f64) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    for figure in every(report) {
        let rendered = match figure.render(report, tau) {
            Ok(r) => r,
            // e.g. no layer was estimated: no bars to draw
            Err(FigureError::Missing(why)) => {
                log::info!("figure left out: {why}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let png = svg_to_png(&rendered.svg, 2.0)?;
        for (ext, bytes) in [("svg", rendered.svg.into_bytes()), ("png", png)] {
            let p = dir.join(format!("{}.{ext}", rendered.stem));
            atomic_write(&p, |f| Ok(f.write_all(&bytes)?))?;
            written.push(p);
        }
    }
    Ok(written)
}
