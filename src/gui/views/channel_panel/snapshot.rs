//! What the panel's "Save…" menu writes: the panel as one figure (PNG or
//! SVG, through the `figure` room's [`channel_panel_svg`]) or the player's
//! frames as a moving picture (GIF or MP4, through the `inspect` room). The
//! panel copies what it shows into a [`PanelSnapshot`] on the UI thread
//! (cheap: small images); encoding and writing run on the exporter's thread.

use std::path::{Path, PathBuf};

use image::RgbImage;

use super::player::{blended, members, rgb};
use crate::figure::evidence::PairPanel;
use crate::figure::panel::{PanelImage, PanelRow, channel_panel_svg};
use crate::inspect::{scale_for, side_by_side, strip, write_gif, write_mp4};
use crate::stats::End;
use crate::worker::maps::WindowMaps;

/// The kinds of file the panel writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelFile {
    /// The panel as a PNG figure.
    Png,
    /// The panel as an SVG figure (images embedded).
    Svg,
    /// The player's frames as a looping GIF.
    Gif,
    /// The player's frames as an MP4 (system ffmpeg).
    Mp4,
}

impl PanelFile {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
            Self::Gif => "gif",
            Self::Mp4 => "mp4",
        }
    }
}

/// One factor's sampled pairs, owned.
#[derive(Clone, Debug, PartialEq)]
pub struct Scatter {
    /// "dynamic pairs" or "static pairs".
    pub title: String,
    /// Point colour.
    pub colour: [u8; 3],
    /// `(member 1, member 2)` values.
    pub points: Vec<(f32, f32)>,
    /// ρ over all pairs.
    pub rho: Option<f64>,
}

/// A copy of what the panel shows, ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelSnapshot {
    /// The default file name (no extension).
    pub stem: String,
    /// What to write.
    pub file: PanelFile,
    /// The figure's title.
    pub title: String,
    /// Lines under the title (ρ, intervals, stability, colour range).
    pub lines: Vec<String>,
    /// The pair scatters.
    pub scatters: Vec<Scatter>,
    /// Rows of labelled images.
    pub rows: Vec<(String, Vec<(String, RgbImage)>)>,
    /// The player's frames, members side by side (GIF, MP4).
    pub movie: Vec<RgbImage>,
    /// Frames per second of the movie.
    pub fps: f32,
}

/// Rows of the figure: the player's members as strips (frames over their
/// overlays at `opacity`), then the top windows' strips by end.
pub fn rows(windows: &[WindowMaps], opacity: f32) -> Vec<(String, Vec<(String, RgbImage)>)> {
    let mut out: Vec<(String, Vec<(String, RgbImage)>)> = Vec::new();
    for w in members(windows) {
        let heading = format!("{} pair {}", w.factor.name(), w.window.pair);
        let frames: Vec<RgbImage> = w
            .frames
            .frames
            .iter()
            .map(|f| rgb(f, w.frames.width, w.frames.height))
            .collect();
        let overlays: Vec<RgbImage> = (0..w.frames.len())
            .filter_map(|f| blended(w, f, opacity))
            .map(|px| rgb(&px, w.frames.width, w.frames.height))
            .collect();
        let image = strip(&frames, &overlays, scale_for(w.frames.height, 48));
        let label = format!("member {}", w.window.member);
        match out.last_mut() {
            Some((h, images)) if *h == heading => images.push((label, image)),
            _ => out.push((heading, vec![(label, image)])),
        }
    }
    for (end, heading) in [
        (End::High, "top windows: highest pooled activation"),
        (End::Low, "top windows: lowest pooled activation"),
    ] {
        let mut images = Vec::new();
        for w in windows.iter().filter(|w| w.window.end == Some(end)) {
            let label = format!(
                "pair {} m{} · {:.3}",
                w.window.pair,
                w.window.member,
                w.window.value.unwrap_or(f64::NAN)
            );
            let s = &w.strip;
            if let Some(px) = s.frames.first() {
                images.push((label, rgb(px, s.width, s.height)));
            }
        }
        if !images.is_empty() {
            out.push((heading.to_string(), images));
        }
    }
    out
}

/// The player's frames: at each frame, its members side by side (a static
/// pair, then a dynamic pair) with the map at `opacity`, scaled so a frame
/// is at least 128 pixels tall.
pub fn movie(windows: &[WindowMaps], opacity: f32) -> Vec<RgbImage> {
    let shown = members(windows);
    let count = shown.iter().map(|w| w.frames.len()).max().unwrap_or(0);
    let height = shown.iter().map(|w| w.frames.height).max().unwrap_or(1);
    (0..count)
        .map(|f| {
            let images: Vec<RgbImage> = shown
                .iter()
                .filter_map(|w| {
                    let px = blended(w, f, opacity)?;
                    Some(rgb(&px, w.frames.width, w.frames.height))
                })
                .collect();
            side_by_side(&images, scale_for(height, 128), 1)
        })
        .collect()
}

impl PanelSnapshot {
    /// Writes the file to `path`; returns it.
    pub fn write(&self, path: &Path) -> Result<PathBuf, String> {
        let done = match self.file {
            PanelFile::Svg | PanelFile::Png => self.figure().and_then(|svg| {
                let bytes = if self.file == PanelFile::Png {
                    crate::figure::png::svg_to_png(&svg, 2.0)?
                } else {
                    svg.into_bytes()
                };
                crate::files::atomic_write(path, |w| Ok(w.write_all(&bytes)?))
            }),
            PanelFile::Gif => {
                let delay = (1000.0 / self.fps.max(0.1)).round() as u32;
                write_gif(path, &self.movie, 1, delay)
            }
            PanelFile::Mp4 => write_mp4(path, &self.movie, self.fps),
        };
        done.map(|()| path.to_path_buf())
            .map_err(|e| format!("{e:#}"))
    }

    /// The figure's SVG.
    fn figure(&self) -> anyhow::Result<String> {
        let pairs: Vec<PairPanel<'_>> = self
            .scatters
            .iter()
            .map(|s| PairPanel {
                title: &s.title,
                colour: s.colour,
                points: &s.points,
                rho: s.rho,
            })
            .collect();
        let mut rows = Vec::new();
        for (heading, images) in &self.rows {
            let mut out = Vec::new();
            for (label, img) in images {
                let mut png = std::io::Cursor::new(Vec::new());
                img.write_to(&mut png, image::ImageFormat::Png)?;
                // small strips are shown larger, pixels kept sharp
                let k = f64::from(scale_for(img.height() as usize, 96));
                out.push(PanelImage {
                    label: label.clone(),
                    png: png.into_inner(),
                    width: f64::from(img.width()) * k,
                    height: f64::from(img.height()) * k,
                });
            }
            rows.push(PanelRow {
                heading: heading.clone(),
                images: out,
            });
        }
        Ok(channel_panel_svg(&self.title, &self.lines, &pairs, &rows))
    }
}
