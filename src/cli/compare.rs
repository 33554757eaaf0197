//! `stadyn compare RESULTS --a MODEL[@EPOCH|@FILE] --b MODEL[@EPOCH|@FILE]
//! [--b ...] [--layer L] --out DIR`: B − A of each layer's dynamic, static
//! and residual percentages with bootstrap intervals (paired when both
//! entries cover the same pairs, as entries of one job do), per compared
//! entry, into `delta.csv`; for checkpoints of one model (whose channels
//! correspond) each channel's move into `delta_channels.csv`; and the
//! figures (`delta.svg`/`.png`, `arrows_<B>_<layer>.svg`/`.png`). RESULTS is
//! a results folder with its statistics: the intervals come from the
//! bootstrap replicates kept there, so a bare report is refused (exit 1).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::compare::{
    ChannelMove, DeltaRow, channel_moves, channels_correspond, delta_csv, deltas, moves_csv,
    why_not_channels, write_text,
};
use crate::figure::csv::slug;
use crate::figure::delta::{Arrow, arrows_svg};
use crate::figure::png::svg_to_png;
use crate::inspect::{ModelSelector, Results};

/// Arguments of `stadyn compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// A results folder (`report.json` and `stats.bin`, as `analyze --out` writes).
    pub results: PathBuf,
    /// Entry A (the baseline): NAME, NAME@EPOCH or NAME@FILE.
    #[arg(long)]
    pub a: ModelSelector,
    /// Entries B compared with A (repeat for several).
    #[arg(long, required = true)]
    pub b: Vec<ModelSelector>,
    /// Only this layer (default: every layer both entries have).
    #[arg(long)]
    pub layer: Option<String>,
    /// Match bootstrap replicates as independent draws even where the
    /// entries cover the same pairs (wider intervals; to see what pairing
    /// gains).
    #[arg(long)]
    pub unpaired: bool,
    /// Output folder.
    #[arg(long, short)]
    pub out: PathBuf,
}

/// Runs `stadyn compare`.
pub fn run(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    crate::files::ensure_writable_dir(&args.out)?;
    let results = Results::load(
        &args.results,
        "stadyn compare (its intervals come from the bootstrap replicates kept there)",
    )?;
    let (report, stats) = (&results.report, &results.stats);
    let a = results.find_model(&args.a)?;
    let tau = report.settings.threshold;
    let mut rows: Vec<DeltaRow> = Vec::new();
    let mut moves: Vec<(String, String, String, Vec<ChannelMove>)> = Vec::new();
    let mut figures: Vec<(String, String)> = Vec::new();
    for sel in &args.b {
        let b = results.find_model(sel)?;
        let these = deltas(report, stats, (a, b), args.layer.as_deref(), args.unpaired)?;
        if channels_correspond(report, a, b) {
            for r in &these {
                let (la, lb) = (layer_of(report, a, &r.layer), layer_of(report, b, &r.layer));
                let Some(m) = la.zip(lb).and_then(|(x, y)| channel_moves(x, y, tau)) else {
                    continue;
                };
                let arrows: Vec<Arrow> = m
                    .iter()
                    .filter_map(|c| {
                        Some(Arrow {
                            from: c.from?,
                            to: c.to?,
                            certain: c.certain(),
                        })
                    })
                    .collect();
                let title = format!("{} to {} · {}", r.a, r.b, r.layer);
                figures.push((
                    format!("arrows_{}_{}", slug(&r.b), slug(&r.layer)),
                    arrows_svg(&arrows, tau, &title),
                ));
                moves.push((r.a.clone(), r.b.clone(), r.layer.clone(), m));
            }
        } else {
            println!("{}", why_not_channels(report, a, b));
        }
        rows.extend(these);
    }
    let baseline = crate::compare::selector_of(report, a);
    figures.push((
        "delta".into(),
        crate::compare::delta_figure(&rows, &baseline),
    ));
    write_text(&args.out.join("delta.csv"), &delta_csv(&rows)?)?;
    if !moves.is_empty() {
        write_text(&args.out.join("delta_channels.csv"), &moves_csv(&moves)?)?;
    }
    for (stem, svg) in &figures {
        write_text(&args.out.join(format!("{stem}.svg")), svg)?;
        let png = svg_to_png(svg, 2.0)?;
        let path = args.out.join(format!("{stem}.png"));
        crate::files::atomic_write(&path, |w| Ok(std::io::Write::write_all(w, &png)?))?;
    }
    for r in &rows {
        let d = &r.delta;
        let ci = |k: usize| {
            d.ci.map_or(String::new(), |c| {
                format!(" [{:+.1}, {:+.1}]", c[k][0], c[k][1])
            })
        };
        println!(
            "{} − {} · {}: dynamic {:+.1}{}, static {:+.1}{} percentage points{}",
            r.b,
            r.a,
            r.layer,
            d.delta[0],
            ci(0),
            d.delta[1],
            ci(1),
            if d.paired { " (paired)" } else { " (unpaired)" }
        );
    }
    println!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn layer_of<'r>(
    report: &'r crate::report::Report,
    entry: usize,
    layer: &str,
) -> Option<&'r crate::report::LayerReport> {
    report
        .models
        .get(entry)?
        .layers
        .iter()
        .find(|l| l.name == layer)
}
