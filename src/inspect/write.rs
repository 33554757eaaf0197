//! The files of one channel (`stadyn channels`): `top.csv`, a strip, a GIF
//! and the map (`.npy`) of every top window, the sampled pairs behind ρ
//! (`pairs.csv`, `pairs.png`) and `channel.json`.

use super::render::{Range, overlay_frames, scale_for, strip, write_gif};
use super::results::layer_of;
use crate::analysis::StatsFile;
use crate::analysis::{BuiltPair, PairSource};
use crate::figure::evidence::{PairPanel, pair_scatters_svg};
use crate::figure::palette;
use crate::files::atomic_write;
use crate::model::{Extractor, LayerMaps, Manifest, MapKind};
use crate::report::Report;
use crate::stats::{End, Factor};
use crate::video::Clip;
use anyhow::Context as _;
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Loads a model file with its manifest (a TorchScript model for the CLI and
/// the app).
pub type LoadModel<'a> = dyn FnMut(&Path, Manifest) -> anyhow::Result<Box<dyn Extractor>> + 'a;

/// Clips per forward pass when computing maps.
const MAPS_BATCH: usize = 8;

/// One row of `top.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopRow {
    /// 1-based rank at its end.
    pub rank: usize,
    /// `high` or `low`.
    pub end: End,
    /// The pair.
    pub pair: u64,
    /// Member 1 or 2.
    pub member: u8,
    /// The member's video, relative to the probe folder (`#i`: clip i of
    /// a clip array).
    pub video: String,
    /// First raw frame of its window.
    pub window_start: usize,
    /// The channel's pooled value for the member (as stored).
    pub value: f64,
    /// The member's frame this value is (per-frame models; 0 for clips).
    pub frame: u32,
}

impl TopRow {
    /// `high_3`, the stem of the window's files.
    pub fn stem(&self) -> String {
        let end = match self.end {
            End::High => "high",
            End::Low => "low",
        };
        format!("{end}_{}", self.rank)
    }
}

/// The folder name of a channel: `<layer>_c<C>`, the layer's name made
/// safe for a file name.
pub fn channel_dir_name(layer: &str, channel: usize) -> String {
    format!("{}_c{channel}", safe_name(layer))
}

/// `layer` with every character but ASCII letters, digits and `._-` made
/// `_` (a file name on every system).
pub fn safe_name(layer: &str) -> String {
    layer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The name of the selection file `stadyn channels` writes beside the
/// channel folders: `<layer>_channels.json`.
pub fn selection_file_name(layer: &str) -> String {
    format!("{}_channels.json", safe_name(layer))
}

/// Writes the files of channels of one layer of one model.
pub struct ChannelFiles<'a> {
    /// The report.
    pub report: &'a Report,
    /// The statistics it was built from.
    pub stats: &'a StatsFile,
    /// The model's index in the report.
    pub model: usize,
    /// The layer.
    pub layer: &'a str,
    /// Windows per end (at most what the statistics keep).
    pub top: usize,
}

impl ChannelFiles<'_> {
    /// The top windows of `channel`, highest then lowest, with where they
    /// come from.
    pub fn rows(&self, channel: usize, source: &PairSource) -> anyhow::Result<Vec<TopRow>> {
        let (_, acc, _) = layer_of(self.report, self.stats, self.model, self.layer)?;
        let root = &self.stats.probe.as_ref().context("no probe")?.videos;
        let mut rows = Vec::new();
        for end in [End::High, End::Low] {
            for (i, w) in acc
                .top()
                .get(channel, end)
                .iter()
                .take(self.top)
                .enumerate()
            {
                let e = source
                    .plan_entry(w.pair)
                    .map_err(|e| anyhow::anyhow!("pair {}: {e}", w.pair))?;
                rows.push(TopRow {
                    rank: i + 1,
                    end,
                    pair: w.pair,
                    member: w.member,
                    video: e.video_name(w.member, root),
                    window_start: e.window_start,
                    value: w.value,
                    frame: w.frame,
                });
            }
        }
        Ok(rows)
    }

    /// Checks that no model or probe file changed since the statistics
    /// ([`changed_files`](super::changed_files): an error naming them),
    /// loads the model with `load` (its file and manifest) and writes each
    /// of `channels` ([`write`](Self::write)); returns their folders.
    pub fn write_all(
        &self,
        channels: &[usize],
        load: &mut LoadModel<'_>,
        out: &Path,
    ) -> anyhow::Result<Vec<PathBuf>> {
        let changed = super::changed_files(self.stats)?;
        if !changed.is_empty() {
            anyhow::bail!(
                "{} file(s) changed since these results were made, so their pairs and maps \
                 would not be the ones measured:\n  {}",
                changed.len(),
                changed.join("\n  ")
            );
        }
        let (model_stats, _, _) = layer_of(self.report, self.stats, self.model, self.layer)?;
        let path = Path::new(&model_stats.path);
        let (manifest, _) = Manifest::for_model(path)?;
        let probe = self.stats.probe.as_ref().context("no probe settings")?;
        let source = PairSource::new(probe, &manifest)?;
        let mut model = load(path, manifest)?;
        channels
            .iter()
            .map(|&c| self.write(c, &source, model.as_mut(), out))
            .collect()
    }

    /// Writes everything of `channel` into `out/<layer>_c<C>/` and returns
    /// the folder. The maps are recomputed with `model`; a window whose
    /// recomputed pooled value is not the stored one is an error (the
    /// results are then not of this model and probe set).
    pub fn write(
        &self,
        channel: usize,
        source: &PairSource,
        model: &mut dyn Extractor,
        out: &Path,
    ) -> anyhow::Result<PathBuf> {
        let (_, acc, lr) = layer_of(self.report, self.stats, self.model, self.layer)?;
        if channel >= acc.channels() {
            anyhow::bail!(
                "layer '{}' has {} channels; there is no channel {channel}",
                self.layer,
                acc.channels()
            );
        }
        let dir = out.join(channel_dir_name(self.layer, channel));
        crate::files::ensure_writable_dir(&dir)?;
        let rows = self.rows(channel, source)?;
        write_top_csv(&dir.join("top.csv"), &rows)?;
        let (clips, maps) = self.window_maps(channel, &rows, source, model)?;
        let range = Range::of(maps.iter().map(Vec::as_slice));
        for ((row, clip), map) in rows.iter().zip(&clips).zip(&maps) {
            let frames: Vec<_> = (0..clip.t).map(|f| clip.frame_image(f)).collect();
            let overlays = overlay_frames(clip, map, range, 0.55);
            let scale = scale_for(clip.h, 96);
            let png = dir.join(format!("{}.png", row.stem()));
            let img = strip(&frames, &overlays, scale);
            atomic_write(&png, |w| {
                let mut buf = std::io::Cursor::new(Vec::new());
                img.write_to(&mut buf, image::ImageFormat::Png)?;
                Ok(w.write_all(buf.get_ref())?)
            })
            .with_context(|| format!("cannot write '{}'", png.display()))?;
            write_gif(
                &dir.join(format!("{}.gif", row.stem())),
                &overlays,
                scale,
                250,
            )?;
            write_npy(
                &dir.join(format!("{}_map.npy", row.stem())),
                &[clip.t, clip.h, clip.w],
                map,
            )?;
        }
        self.write_pairs(channel, acc.sample(), lr, &dir)?;
        let u = &lr.units;
        let pick = |v: &Option<Vec<Option<[f64; 2]>>>| v.as_ref().and_then(|v| v[channel]);
        let m = &self.report.models[self.model];
        let meta = json!({
            "model": m.name,
            "checkpoint": m.checkpoint,
            "epoch": m.epoch,
            "layer": self.layer,
            "channel": channel,
            "rho_dynamic": u.rho_dynamic[channel],
            "rho_static": u.rho_static[channel],
            "rho_dynamic_ci95": pick(&u.rho_dynamic_ci95),
            "rho_static_ci95": pick(&u.rho_static_ci95),
            "category": u.category[channel].name(),
            "stability": u.stability.as_ref().and_then(|s| s[channel]),
            "threshold": self.report.settings.threshold,
            "pairs": {"dynamic": lr.pairs.dynamic, "static": lr.pairs.static_},
            "top_windows_per_end": rows.iter().filter(|r| r.end == End::High).count(),
        });
        let path = dir.join("channel.json");
        atomic_write(&path, |w| Ok(serde_json::to_writer_pretty(w, &meta)?))
            .with_context(|| format!("cannot write '{}'", path.display()))?;
        Ok(dir)
    }

    /// The member clip and its map (every input frame, at the clip's
    /// size) of each row, checking each recomputed pooled value.
    fn window_maps(
        &self,
        channel: usize,
        rows: &[TopRow],
        source: &PairSource,
        model: &mut dyn Extractor,
    ) -> anyhow::Result<(Vec<Clip>, Vec<Vec<f32>>)> {
        let mut built: HashMap<u64, BuiltPair> = HashMap::new();
        let mut clips = Vec::new();
        let mut items: Vec<Vec<Clip>> = Vec::new();
        for r in rows {
            if let std::collections::hash_map::Entry::Vacant(slot) = built.entry(r.pair) {
                let p = source
                    .build(r.pair)
                    .map_err(|e| anyhow::anyhow!("pair {}: {e}", r.pair))?;
                slot.insert(p);
            }
            let p = &built[&r.pair];
            clips.push(if r.member == 2 {
                p.b.clone()
            } else {
                p.a.clone()
            });
            items.push(p.member(r.member).into_iter().cloned().collect());
        }
        let mut maps = Vec::new();
        for ((chunk, rs), item) in clips
            .chunks(MAPS_BATCH)
            .zip(rows.chunks(MAPS_BATCH))
            .zip(items.chunks(MAPS_BATCH))
        {
            let refs: Vec<&Clip> = item.iter().flatten().collect();
            let lm = model.maps(&refs, self.layer, &[channel])?;
            for (i, (clip, r)) in chunk.iter().zip(rs).enumerate() {
                check_pooled(&lm, i, r, channel)?;
                maps.push(lm.frames_upsampled(i, 0, clip.t, clip.h, clip.w));
            }
        }
        Ok((clips, maps))
    }

    fn write_pairs(
        &self,
        channel: usize,
        sample: &crate::stats::PairSample,
        lr: &crate::report::LayerReport,
        dir: &Path,
    ) -> anyhow::Result<()> {
        let points = |f: Factor| -> Vec<(u64, f32, f32)> {
            sample
                .pairs(f)
                .iter()
                .map(|p| (p.pair, p.a[channel], p.b[channel]))
                .collect()
        };
        let (dynamic, stat) = (points(Factor::Dynamic), points(Factor::Static));
        crate::export::write_csv(
            &dir.join("pairs.csv"),
            &["factor", "pair", "member1", "member2"],
            |emit| {
                for (f, pts) in [(Factor::Dynamic, &dynamic), (Factor::Static, &stat)] {
                    for (id, a, b) in pts.iter() {
                        emit(vec![
                            f.name().into(),
                            id.to_string(),
                            a.to_string(),
                            b.to_string(),
                        ])?;
                    }
                }
                Ok(())
            },
        )?;
        let xy = |v: &[(u64, f32, f32)]| v.iter().map(|p| (p.1, p.2)).collect::<Vec<_>>();
        let (dxy, sxy) = (xy(&dynamic), xy(&stat));
        let svg = pair_scatters_svg(
            &[
                PairPanel {
                    title: "dynamic pairs (same motion, two styles)",
                    colour: palette::DYNAMIC,
                    points: &dxy,
                    rho: lr.units.rho_dynamic[channel],
                },
                PairPanel {
                    title: "static pairs (same frames, shuffled)",
                    colour: palette::STATIC,
                    points: &sxy,
                    rho: lr.units.rho_static[channel],
                },
            ],
            &format!(
                "{} · channel {channel}: member 1 against member 2",
                self.layer
            ),
        );
        let png = crate::figure::png::svg_to_png(&svg, 1.0)?;
        let path = dir.join("pairs.png");
        atomic_write(&path, |w| Ok(w.write_all(&png)?))
            .with_context(|| format!("cannot write '{}'", path.display()))
    }
}

/// Clip `clip`'s map of the `k`-th channel asked for, pooled (its mean),
/// and whether that is the `stored` pooled value (to 1e-4 relative; token
/// maps that leave out a class token pool differently and always pass).
pub fn pooled_check(lm: &LayerMaps, clip: usize, k: usize, stored: f64, frame: u32) -> (f64, bool) {
    let mut v = lm.volume(clip, k);
    if lm.frame_rows {
        // A per-frame model: the stored value is frame `frame`'s alone.
        let [_, h, w] = lm.shape.grid;
        let f = frame as usize;
        v = v.get(f * h * w..(f + 1) * h * w).unwrap_or(&[]);
    }
    let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len().max(1) as f64;
    let tokens = lm.shape.kind == (MapKind::Tokens { class_token: true });
    (
        mean,
        tokens || (mean - stored).abs() <= 1e-4 * stored.abs().max(1.0),
    )
}

/// Checks that clip `i`'s map pools to the stored value of its window.
fn check_pooled(lm: &LayerMaps, i: usize, r: &TopRow, channel: usize) -> anyhow::Result<()> {
    let (mean, ok) = pooled_check(lm, i, 0, r.value, r.frame);
    if !ok {
        anyhow::bail!(
            "pair {} member {}: the model now gives {mean} for channel {channel} of '{}' where \
             the statistics hold {}: these results are not of this model and probe set",
            r.pair,
            r.member,
            lm.layer,
            r.value
        );
    }
    Ok(())
}

/// Writes `top.csv`.
fn write_top_csv(path: &Path, rows: &[TopRow]) -> anyhow::Result<()> {
    let header = [
        "rank",
        "end",
        "pair",
        "member",
        "video",
        "window_start",
        "value",
        "frame",
    ];
    crate::export::write_csv(path, &header, |emit| {
        for r in rows {
            let end = if r.end == End::High { "high" } else { "low" };
            emit(vec![
                r.rank.to_string(),
                end.into(),
                r.pair.to_string(),
                r.member.to_string(),
                r.video.clone(),
                r.window_start.to_string(),
                r.value.to_string(),
                r.frame.to_string(),
            ])?;
        }
        Ok(())
    })
}

/// Writes a C-order float32 `.npy` of `shape`.
fn write_npy(path: &Path, shape: &[usize], data: &[f32]) -> anyhow::Result<()> {
    let mut bytes = crate::npz::npy_header_bytes("<f4", shape);
    bytes.extend(data.iter().flat_map(|v| v.to_le_bytes()));
    atomic_write(path, |w| Ok(w.write_all(&bytes)?))
        .with_context(|| format!("cannot write '{}'", path.display()))
}
