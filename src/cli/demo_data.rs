//! `stadyn demo-data --task motion|appearance|scenes --n N --out DIR
//! [--flow]`: the
//! demo's synthetic clips (real objects moving over real backgrounds),
//! written as a training set for `tools/train_demo.py` that is also a probe
//! set for `stadyn analyze --videos DIR`.

use crate::video::demo::{DemoSpec, DemoTask, write_demo_data, write_demo_flow};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `stadyn demo-data`.
#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// What the label is: motion (direction), appearance (object) or scenes
    /// (object / camera pan / both: a probe set for any model).
    #[arg(long, value_parser = |s: &str| s.parse::<DemoTask>())]
    pub task: DemoTask,
    /// Number of clips.
    #[arg(long, short)]
    pub n: usize,
    /// Seed: clip i of a (task, seed) is the same on every machine.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Frames per clip.
    #[arg(long, default_value_t = 16)]
    pub frames: usize,
    /// Frame size WxH.
    #[arg(long, default_value = "64x64", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Output folder (created; clips.npy, labels.npy, labels.csv, demo-data.json).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Also write each clip's exact optical flow (`clips.flow.npy`, float32
    /// N×T×H×W×2): the flow two-stream models read.
    #[arg(long)]
    pub flow: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("'{s}' is not a size like 64x64");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if w == 0 || h == 0 || w > 4096 || h > 4096 {
        return Err(format!(
            "'{s}': width and height must be between 1 and 4096"
        ));
    }
    Ok((w, h))
}

/// Runs `stadyn demo-data`.
pub fn run(a: &DemoDataArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.frames > 0, "--frames must be at least 1");
    let spec = DemoSpec {
        frames: a.frames,
        width: a.size.0,
        height: a.size.1,
        ..DemoSpec::new(a.task, a.seed)
    };
    let started = Instant::now();
    let data = write_demo_data(&spec, a.n, &a.out, |_, _| {})?;
    if a.flow {
        write_demo_flow(&spec, a.n, &a.out)?;
    }
    if !a.quiet {
        let counts: Vec<String> = data
            .classes
            .iter()
            .zip(&data.counts)
            .map(|(c, k)| format!("{c} {k}"))
            .collect();
        println!(
            "wrote {} {} clips ({}×{}×{} frames) to {} in {:.1} s; classes: {}",
            data.n,
            a.task,
            spec.width,
            spec.height,
            spec.frames,
            a.out.display(),
            started.elapsed().as_secs_f64(),
            counts.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
