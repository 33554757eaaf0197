//! `stadyn inspect-model MODEL.pt`: load a model, run a small input, print
//! its layers (shape, pooling, channels) and check that it is deterministic.

use crate::model::{Device, Extractor, LayerOutput, Manifest, TorchScriptModel, set_threads};
use crate::video::Clip;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `stadyn inspect-model`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The TorchScript model (its manifest `<model>.json` is read if present).
    pub model: PathBuf,
    /// Device: auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: Device,
    /// Clips in the test batch.
    #[arg(long, default_value_t = 2)]
    pub batch: usize,
}

/// A deterministic test item of the manifest's inputs: a clip per input,
/// of its frames and size (values in [0, 1]; (u, v) flow in [−2, 2]).
pub fn test_item(m: &Manifest, seed: u32) -> Vec<Clip> {
    m.inputs()
        .iter()
        .enumerate()
        .map(|(j, input)| {
            let (h, w) = input
                .input_hw()
                .unwrap_or((input.short_side, input.short_side));
            let mut clip = Clip::zeros(input.frames, h as usize, w as usize);
            let mut x = seed
                .wrapping_add(j as u32 * 7919)
                .wrapping_mul(2_654_435_761)
                .wrapping_add(12_345);
            let (lo, span) = if input.is_uv() {
                (-2.0, 4.0)
            } else {
                (0.0, 1.0)
            };
            for v in &mut clip.data {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *v = lo + span * (x % 1000) as f32 / 999.0;
            }
            clip
        })
        .collect()
}

/// Runs `stadyn inspect-model`.
pub fn run(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    set_threads(None);
    let (manifest, warning) = Manifest::for_model(&args.model)?;
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    let mut model = TorchScriptModel::load(&args.model, manifest.clone(), args.device)?;
    let items: Vec<Vec<Clip>> = (0..args.batch.max(1) as u32)
        .map(|i| test_item(&manifest, i))
        .collect();
    let refs: Vec<&Clip> = items.iter().flatten().collect();
    let first = model.extract(&refs)?;
    let second = model.extract(&refs)?;
    println!("model:  {}", args.model.display());
    println!("device: {}", model.device_name());
    let inputs = manifest.inputs();
    for input in &inputs {
        let size = input
            .input_hw()
            .map_or(format!("short side {}", input.short_side), |(h, w)| {
                format!("{w}×{h}")
            });
        let kind = match input.kind {
            crate::model::InputKind::Flow => format!(
                "flow ({})",
                if input.is_uv() {
                    "u, v"
                } else {
                    "colour wheel"
                }
            ),
            other => other.name().to_string(),
        };
        let name = if inputs.len() > 1 {
            format!(" '{}'", input.name)
        } else {
            String::new()
        };
        println!(
            "input{name}: {kind}, {} items × {} frames (of a {}-frame window), {size}, {:?} {:?}{}",
            items.len(),
            input.frames,
            input.window,
            input.layout,
            input.dtype,
            if input.per_frame() {
                " (per frame: a row per frame)"
            } else {
                ""
            }
        );
    }
    let tagged = !manifest.streams.is_empty();
    let stream_head = if tagged { "  stream" } else { "" };
    println!(
        "  {:<28} {:<24} {:<26} {:>8}{stream_head}",
        "layer", "output shape", "pooling", "channels"
    );
    for l in &first {
        let stream = if tagged {
            format!("  {}", manifest.stream_of(&l.name).unwrap_or("-"))
        } else {
            String::new()
        };
        println!(
            "  {:<28} {:<24} {:<26} {:>8}{stream}",
            l.name,
            format!("{:?}", l.raw_shape),
            l.rule.describe(),
            l.channels
        );
    }
    for (layer, tag) in &manifest.streams {
        if !first.iter().any(|l| &l.name == layer) {
            eprintln!(
                "warning: the manifest puts layer '{layer}' in stream '{tag}', but the model \
                 returns no probed layer of that name"
            );
        }
    }
    let diff = max_difference(&first, &second);
    if diff == 0.0 {
        println!("deterministic: yes (two runs gave identical outputs)");
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "deterministic: NO (two runs differ by up to {diff:e}); results will vary between runs"
        );
        Ok(ExitCode::from(3))
    }
}

fn max_difference(a: &[LayerOutput], b: &[LayerOutput]) -> f32 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.data.iter().zip(&y.data).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f32::max)
}
