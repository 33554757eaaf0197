//! Colouring a channel's maps over the frames the model sees: a sequential
//! colour map over a range shared by all of a channel's windows (so their
//! colours compare), strips of frames over their overlays, and GIFs.

use crate::video::Clip;
use image::{Rgb, RgbImage, imageops};
use std::path::Path;

/// The values mapped to the ends of the colour map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Value shown darkest.
    pub lo: f32,
    /// Value shown brightest.
    pub hi: f32,
}

impl Range {
    /// The range of every value of `maps` (a zero-width range is widened so
    /// nothing divides by zero).
    pub fn of<'a>(maps: impl IntoIterator<Item = &'a [f32]>) -> Range {
        let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
        for v in maps.into_iter().flatten() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
        if !lo.is_finite() || !hi.is_finite() {
            return Range { lo: 0.0, hi: 1.0 };
        }
        if hi <= lo {
            hi = lo + 1.0;
        }
        Range { lo, hi }
    }

    /// Where `v` falls, clamped to [0, 1].
    pub fn unit(&self, v: f32) -> f32 {
        ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }
}

/// A sequential colour map (dark purple → red → yellow, like matplotlib's
/// "inferno") at `t` in [0, 1].
pub fn colormap(t: f32) -> [u8; 3] {
    const STOPS: [[f32; 3]; 6] = [
        [0.0, 0.0, 4.0],
        [66.0, 10.0, 104.0],
        [147.0, 38.0, 103.0],
        [221.0, 81.0, 58.0],
        [252.0, 165.0, 10.0],
        [252.0, 255.0, 164.0],
    ];
    let x = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f32;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f32;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    [0, 1, 2].map(|k| (a[k] + (b[k] - a[k]) * f).round() as u8)
}

/// Each frame of `clip` with its map (`T × H × W`, at the clip's size)
/// blended over it at `alpha`, coloured over `range`.
pub fn overlay_frames(clip: &Clip, maps: &[f32], range: Range, alpha: f32) -> Vec<RgbImage> {
    let (h, w) = (clip.h, clip.w);
    (0..clip.t)
        .map(|f| {
            let frame = clip.frame_image(f);
            let map = maps.get(f * h * w..(f + 1) * h * w).unwrap_or(&[]);
            let mut out = frame.clone();
            for (i, px) in out.pixels_mut().enumerate() {
                let c = colormap(range.unit(map.get(i).copied().unwrap_or(range.lo)));
                for k in 0..3 {
                    let v = f32::from(px[k]) * (1.0 - alpha) + f32::from(c[k]) * alpha;
                    px[k] = v.round() as u8;
                }
            }
            out
        })
        .collect()
}

/// Frames on the top row, their overlays below, each scaled by `scale`
/// (nearest neighbour, so pixels stay pixels), 2 px apart on white.
pub fn strip(frames: &[RgbImage], overlays: &[RgbImage], scale: u32) -> RgbImage {
    let Some(first) = frames.first() else {
        return RgbImage::new(1, 1);
    };
    let (w, h) = (first.width() * scale, first.height() * scale);
    let n = frames.len() as u32;
    let gap = 2;
    let mut out = RgbImage::from_pixel(n * (w + gap) - gap, 2 * h + gap, Rgb([255, 255, 255]));
    for (row, images) in [frames, overlays].iter().enumerate() {
        for (i, img) in images.iter().enumerate() {
            let big = imageops::resize(img, w, h, imageops::FilterType::Nearest);
            let (x, y) = (i as u32 * (w + gap), row as u32 * (h + gap));
            imageops::overlay(&mut out, &big, i64::from(x), i64::from(y));
        }
    }
    out
}

/// The scale that makes a frame of height `h` at least `min` pixels tall.
pub fn scale_for(h: usize, min: usize) -> u32 {
    min.div_ceil(h.max(1)).max(1) as u32
}

/// Writes `frames` (scaled by `scale`) as a looping GIF, `delay_ms` per frame.
pub fn write_gif(
    path: &Path,
    frames: &[RgbImage],
    scale: u32,
    delay_ms: u32,
) -> anyhow::Result<()> {
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame};
    crate::files::atomic_write(path, |w| {
        let mut enc = GifEncoder::new_with_speed(w, 10);
        enc.set_repeat(Repeat::Infinite)?;
        for f in frames {
            let big = imageops::resize(
                f,
                f.width() * scale,
                f.height() * scale,
                imageops::FilterType::Nearest,
            );
            let rgba = image::DynamicImage::ImageRgb8(big).to_rgba8();
            enc.encode_frame(Frame::from_parts(
                rgba,
                0,
                0,
                Delay::from_numer_denom_ms(delay_ms, 1),
            ))?;
        }
        Ok(())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn colours_run_dark_to_bright_and_ranges_clamp() {
        assert_eq!(colormap(0.0), [0, 0, 4]);
        assert_eq!(colormap(1.0), [252, 255, 164]);
        assert_eq!(colormap(-3.0), colormap(0.0));
        let r = Range::of([&[1.0f32, 3.0][..], &[2.0][..]]);
        assert_eq!((r.lo, r.hi, r.unit(2.0), r.unit(9.0)), (1.0, 3.0, 0.5, 1.0));
        assert_eq!(Range::of([&[5.0f32][..]]).hi, 6.0);
    }

    #[test]
    fn strips_hold_frames_over_overlays() {
        let clip = Clip {
            t: 3,
            h: 2,
            w: 2,
            data: vec![0.5; 3 * 2 * 2 * 3],
        };
        let maps = vec![1.0; 12];
        let over = overlay_frames(&clip, &maps, Range { lo: 0.0, hi: 1.0 }, 1.0);
        assert_eq!(over[0].get_pixel(0, 0).0, colormap(1.0));
        let frames: Vec<RgbImage> = (0..3).map(|f| clip.frame_image(f)).collect();
        let s = strip(&frames, &over, 4);
        assert_eq!((s.width(), s.height()), (3 * 8 + 4, 2 * 8 + 2));
        assert_eq!(scale_for(16, 96), 6);
    }
}
