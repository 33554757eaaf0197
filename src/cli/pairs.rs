//! `stadyn pairs PROBE --out DIR`: write a few static and dynamic pairs as
//! image strips (original, member 1, member 2), so a person can see what the
//! model sees: the frames after sampling, preprocessing and styling (for a
//! model of several inputs, each other input beside it: both members' optical
//! flow as the colour wheel, or the other pathway's frames); with
//! `--list`, the plan itself as a CSV (which video, window, frames, styles
//! and permutation each pair id has), so other tools can rebuild any pair.

use crate::analysis::{PairSource, ProbeSpec};
use crate::files::{atomic_write, ensure_writable_dir};
use crate::model::{InputKind, Manifest};
use crate::pairs::pair_strip;
use crate::video::Layout;
use anyhow::Context as _;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod others;

/// Arguments of `stadyn pairs`.
#[derive(Debug, Args)]
pub struct PairsArgs {
    /// Probe-set folder (or one video file).
    pub probe: PathBuf,
    /// Output folder for the PNG strips.
    #[arg(long, short, required_unless_present = "list")]
    pub out: Option<PathBuf>,
    /// Write the plan of every pair as a CSV here (`pair,factor,video,
    /// video_b,window_start,frames,permutation,style_a,style_b`, then
    /// `<name>_frames,<name>_permutation` for each other pathway of a
    /// two-pathway `--model`; videos relative to the probe folder, `#i` for
    /// clip i of a clip array, frames and permutations space-separated).
    #[arg(long)]
    pub list: Option<PathBuf>,
    /// Take input size, T and W from this model's manifest (`<model>.json`).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Probe-set layout (default: detected).
    #[arg(long)]
    pub layout: Option<Layout>,
    /// How many pairs to draw.
    #[arg(long, default_value_t = 6)]
    pub pairs: usize,
    /// Seed of the pair plan (the same seed as `analyze` shows the same pairs).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Frames T (default: the manifest's, or 8).
    #[arg(long)]
    pub frames: Option<usize>,
    /// Window W (default: the manifest's, or 64).
    #[arg(long)]
    pub window: Option<usize>,
    /// Built-in styles, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub styles: Vec<String>,
    /// Enlarge the strips by this whole factor, pixels kept sharp (default:
    /// the smallest that makes a frame at least 96 pixels tall, at most 8:
    /// large enough for a slide).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub scale: Option<u32>,
}

/// The default enlargement for frames `h` pixels tall: at least 96 pixels,
/// at most 8 times.
pub fn default_scale(h: usize) -> u32 {
    (96u32.div_ceil(h.max(1) as u32)).clamp(1, 8)
}

/// Runs `stadyn pairs`.
pub fn run(a: &PairsArgs) -> anyhow::Result<ExitCode> {
    if let Some(out) = &a.out {
        ensure_writable_dir(out)?;
    }
    let manifest = match &a.model {
        Some(m) => Manifest::for_model(m)?.0,
        None => Manifest::default(),
    };
    let spec = ProbeSpec {
        layout: a.layout,
        pairs: a.pairs,
        seed: a.seed,
        styles: a.styles.clone(),
        frames: a.frames,
        window: a.window,
        ..ProbeSpec::new(a.probe.clone())
    };
    let source = PairSource::new(&spec, &manifest)?;
    if let Some(list) = &a.list {
        write_list(list, &source, &a.probe)?;
        println!("{} ({} pairs)", list.display(), source.ids().count());
    }
    let Some(out) = &a.out else {
        return Ok(ExitCode::SUCCESS);
    };
    let names: Vec<&str> = source.style_names().iter().map(String::as_str).collect();
    let mut written = 0;
    for id in source.ids() {
        let pair = match source.build(id) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("warning: pair {id}: {e}");
                continue;
            }
        };
        let video = source
            .video_path(&pair.spec)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = format!("pair{id:03}_{}_{video}", pair.spec.factor.name());
        // A two-stream model's static pair keeps its RGB frames in order
        // (its flow changes): the strip's label says so.
        let two_stream = pair.others.iter().any(|o| o.kind == InputKind::Flow);
        let mut label_spec = pair.spec.clone();
        if two_stream {
            label_spec.permutation = (0..pair.b.t).collect();
        }
        let strip = pair_strip(&pair.original, &pair.a, &pair.b, &label_spec, &names);
        let k = a.scale.unwrap_or_else(|| default_scale(pair.a.h));
        let strip = image::imageops::resize(
            &strip,
            strip.width() * k,
            strip.height() * k,
            image::imageops::FilterType::Nearest,
        );
        let path = out.join(format!("{stem}.png"));
        write_png(&path, &strip)?;
        println!(
            "{} ({} pair from {video})",
            path.display(),
            pair.spec.factor.name()
        );
        let style = |k: usize| names.get(k).copied().unwrap_or("?");
        for input in &pair.others {
            let styles = [style(pair.spec.style_a), style(pair.spec.style_b)];
            let picture = others::other_strip(&pair, input, styles, k)?;
            let path = out.join(format!("{stem}_{}.png", others::file_part(&input.name)));
            write_png(&path, &picture)?;
            println!(
                "{} ({} of the {} pair: both members)",
                path.display(),
                input.name,
                pair.spec.factor.name()
            );
        }
        written += 1;
    }
    if written == 0 {
        anyhow::bail!("no pair could be built from '{}'", a.probe.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `image` as a PNG at `path` (atomically).
fn write_png(path: &Path, image: &image::RgbImage) -> anyhow::Result<()> {
    atomic_write(path, |w| {
        let mut buf = std::io::Cursor::new(Vec::new());
        image.write_to(&mut buf, image::ImageFormat::Png)?;
        Ok(w.write_all(buf.get_ref())?)
    })
    .with_context(|| format!("cannot write '{}'", path.display()))
}

/// Writes the plan of every pair of `source` as a CSV.
fn write_list(path: &Path, source: &PairSource, root: &Path) -> anyhow::Result<()> {
    let joined = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(" ");
    let mut header: Vec<String> = [
        "pair",
        "factor",
        "video",
        "video_b",
        "window_start",
        "frames",
        "permutation",
        "style_a",
        "style_b",
    ]
    .map(String::from)
    .into();
    for name in source.other_pathway_names() {
        header.push(format!("{name}_frames"));
        header.push(format!("{name}_permutation"));
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    crate::export::write_csv(path, &header, |emit| {
        for id in source.ids() {
            let e = source
                .plan_entry(id)
                .map_err(|e| anyhow::anyhow!("pair {id}: {e}"))?;
            let [style_a, style_b] = e.styles.clone();
            let mut row = vec![
                id.to_string(),
                e.spec.factor.name().to_string(),
                e.video_name(1, root),
                e.video_name(2, root),
                e.window_start.to_string(),
                joined(&e.frames),
                joined(&e.spec.permutation),
                style_a,
                style_b,
            ];
            for p in &e.pathways {
                row.push(joined(&p.frames));
                row.push(joined(&p.permutation));
            }
            emit(row)?;
        }
        Ok(())
    })
}
