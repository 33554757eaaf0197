//! `stadyn channels RESULTS --model M --layer L (--channel C | --category K)
//! --out DIR`: what channels respond to, headless. For each channel, its top
//! windows (`top.csv`), each as a strip and GIF of the frames the model sees
//! with the channel's map over them and the map itself (`.npy`), the sampled
//! pairs behind its ρ (`pairs.csv`, `pairs.png`) and `channel.json` (ρ with
//! intervals, category, stability); beside the folders, the selection as
//! `<layer>_channels.json` (`stadyn.channels/1`). The model files and probe videos are
//! checked first: any that changed since the results is named, exit 1.

use crate::inspect::{ChannelFiles, ChannelSelection, ModelSelector, Results, selection_file_name};
use crate::model::{Device, Extractor, Manifest, TorchScriptModel};
use crate::stats::Category;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `stadyn channels`.
#[derive(Debug, Args)]
pub struct ChannelsArgs {
    /// A results folder (`report.json` and `stats.bin`, as `analyze --out` writes).
    pub results: PathBuf,
    /// The model: NAME, NAME@EPOCH or NAME@FILE (a checkpoint's file name).
    #[arg(long)]
    pub model: ModelSelector,
    /// The layer.
    #[arg(long)]
    pub layer: String,
    /// Channels to write (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', required_unless_present = "category")]
    pub channel: Vec<usize>,
    /// Every channel of this category at the report's threshold:
    /// static, dynamic, joint or none.
    #[arg(long, conflicts_with = "channel", value_parser = category)]
    pub category: Option<Category>,
    /// Top windows per end (default: all the statistics keep).
    #[arg(long)]
    pub top: Option<usize>,
    /// Device for the maps: auto, cpu, cuda, cuda:N.
    #[arg(long, default_value = "cpu")]
    pub device: Device,
    /// Output folder (one `<layer>_c<C>/` folder per channel inside).
    #[arg(long, short)]
    pub out: PathBuf,
}

fn category(s: &str) -> Result<Category, String> {
    [
        Category::Static,
        Category::Dynamic,
        Category::Joint,
        Category::Neither,
    ]
    .into_iter()
    .find(|c| c.name() == s)
    .ok_or_else(|| format!("'{s}': expected static, dynamic, joint or none"))
}

/// Runs `stadyn channels`.
pub fn run(a: &ChannelsArgs) -> anyhow::Result<ExitCode> {
    crate::files::ensure_writable_dir(&a.out)?;
    let results = Results::open(&a.results)?;
    let m = results.find_model(&a.model)?;
    let (_, acc, layer) = results.layer(m, &a.layer)?;
    let channels: Vec<usize> = match a.category {
        Some(c) => (0..layer.channels)
            .filter(|&i| layer.units.category[i] == c)
            .collect(),
        None => a.channel.clone(),
    };
    if channels.is_empty() {
        println!("no channel of '{}' is in that category", a.layer);
        return Ok(ExitCode::SUCCESS);
    }
    let files = ChannelFiles {
        report: &results.report,
        stats: &results.stats,
        model: m,
        layer: &a.layer,
        top: a.top.unwrap_or(acc.top().k()),
    };
    let device = a.device;
    let mut load = |path: &Path, manifest: Manifest| -> anyhow::Result<Box<dyn Extractor>> {
        Ok(Box::new(TorchScriptModel::load(path, manifest, device)?))
    };
    for dir in files.write_all(&channels, &mut load, &a.out)? {
        println!("{}", dir.display());
    }
    // The selection as one file, in the form the app's "Export channels…"
    // writes and `tools/train_demo.py --sd-channels` reads.
    let tau = results.report.settings.threshold;
    let (points, _) = crate::figure::channel_points(layer, tau);
    let selection = ChannelSelection::new(&results.report, m, &a.layer, &channels, &points, tau)
        .map_err(anyhow::Error::msg)?;
    let path = a.out.join(selection_file_name(&a.layer));
    selection.write(&path)?;
    println!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}
