//! Spatial preprocessing of METHOD.md §2 step 3, in the reference's order:
//! 8-bit RGB → f32 `/255` → bilinear resize in float (short side, or a fixed
//! size) → center crop. Mean/std normalization belongs to the model adapter
//! (a [`Clip`] holds values in [0, 1]).
//!
//! # Rules (PySlowFast `slowfast/datasets/transform.py`)
//! - Short-side scale (`random_short_side_scale_jitter` with min = max =
//!   side): if `w < h`, `new_w = side`, `new_h = floor(h / w · side)`; else
//!   `new_h = side`, `new_w = floor(w / h · side)` (f64, like Python floats).
//!   A frame whose short side already equals `side` is left as is (the
//!   bilinear rule is then the identity anyway).
//! - Center crop (`uniform_crop`, `spatial_idx = 1`): offset along each axis
//!   `ceil((size − crop) / 2)`. Note torchvision's `CenterCrop` rounds half to
//!   even instead, which differs by one pixel when `size − crop` is odd and
//!   `≡ 1 mod 4`; stadyn follows PySlowFast.
//! - The crop is computed as a window of the resize (identical values, less
//!   work). A crop larger than the resized frame is clamped to it (see
//!   [`Preprocess::check`], which rejects such settings up front).

use image::RgbImage;
use std::borrow::Borrow;

use super::Clip;
use super::resize::resize_window_with;

/// How frames become model input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Preprocess {
    /// Resize so that the short side has this many pixels (aspect kept).
    /// Ignored when `size` is set.
    pub short_side: u32,
    /// Center crop `(h, w)` after resizing; `None` keeps the whole frame.
    pub crop: Option<(u32, u32)>,
    /// Resize to exactly `(h, w)` instead of by the short side (e.g. 27×48
    /// for TransNetV2).
    pub size: Option<(u32, u32)>,
}

impl Preprocess {
    /// Short side `side`, center crop `crop × crop` (the PySlowFast test
    /// transform).
    pub fn short_side_crop(side: u32, crop: u32) -> Self {
        Self {
            short_side: side,
            crop: Some((crop, crop)),
            size: None,
        }
    }

    /// A fixed `(h, w)` resize, no crop.
    pub fn fixed(h: u32, w: u32) -> Self {
        Self {
            short_side: h.min(w),
            crop: None,
            size: Some((h, w)),
        }
    }

    /// Checks that the settings can be applied to any frame: sizes are at
    /// least 1 and the crop fits inside the resized frame (with short-side
    /// scaling the resized frame is at least `side × side`).
    pub fn check(&self) -> Result<(), String> {
        let (min_h, min_w) = match self.size {
            Some((h, w)) => (h, w),
            None => (self.short_side, self.short_side),
        };
        if min_h == 0 || min_w == 0 {
            return Err(format!(
                "resize to {min_h}×{min_w} (h×w): sizes must be at least 1"
            ));
        }
        if let Some((ch, cw)) = self.crop {
            if ch == 0 || cw == 0 {
                return Err(format!("crop {ch}×{cw} (h×w): sizes must be at least 1"));
            }
            if ch > min_h || cw > min_w {
                return Err(format!(
                    "crop {ch}×{cw} (h×w) is larger than the resized frame ({})",
                    match self.size {
                        Some(_) => format!("{min_h}×{min_w}"),
                        None => format!("short side {}", self.short_side),
                    }
                ));
            }
        }
        Ok(())
    }

    /// The `(h, w)` a frame of `(h, w)` is resized to, before cropping.
    pub fn resized_size(&self, h: u32, w: u32) -> (u32, u32) {
        match self.size {
            Some(size) => size,
            None => short_side_size(h, w, self.short_side),
        }
    }

    /// The `(h, w)` of the output for a frame of `(h, w)`.
    pub fn output_size(&self, h: u32, w: u32) -> (u32, u32) {
        let (rh, rw) = self.resized_size(h, w);
        match self.crop {
            Some((ch, cw)) => (ch.min(rh), cw.min(rw)),
            None => (rh, rw),
        }
    }
}

/// PySlowFast's short-side size: `(new_h, new_w)` for a frame of `(h, w)`.
/// Sizes are at least 1.
pub fn short_side_size(h: u32, w: u32, side: u32) -> (u32, u32) {
    let (h, w, side) = (h.max(1), w.max(1), side.max(1));
    if (w <= h && w == side) || (h <= w && h == side) {
        return (h, w);
    }
    let long = |a: u32, b: u32| ((f64::from(a) / f64::from(b)) * f64::from(side)).floor() as u32;
    if w < h {
        (long(h, w).max(1), side)
    } else {
        (side, long(w, h).max(1))
    }
}

/// PySlowFast's center-crop offset: `ceil((size − crop) / 2)`, 0 when the
/// crop does not fit.
pub fn center_crop_offset(size: u32, crop: u32) -> u32 {
    size.saturating_sub(crop).div_ceil(2)
}

/// Preprocesses frames into a clip (see the module doc). The output size is
/// set by the first frame; every frame is resized from its own size to it.
/// No frames give an empty clip (`t = 0`).
pub fn preprocess<F: Borrow<RgbImage>>(frames: &[F], p: &Preprocess) -> Clip {
    let Some(first) = frames.first().map(Borrow::borrow) else {
        return Clip::zeros(0, 0, 0);
    };
    let (h, w) = (first.height(), first.width());
    let (rh, rw) = p.resized_size(h, w);
    let (oh, ow) = p.output_size(h, w);
    let (y0, x0) = (center_crop_offset(rh, oh), center_crop_offset(rw, ow));
    let rows = y0 as usize..(y0 + oh) as usize;
    let cols = x0 as usize..(x0 + ow) as usize;
    let lut: [f32; 256] = std::array::from_fn(|v| v as f32 / 255.0);
    let mut clip = Clip::zeros(frames.len(), oh as usize, ow as usize);
    for (f, frame) in frames.iter().map(Borrow::borrow).enumerate() {
        let out = resize_window_with(
            frame.as_raw(),
            |v: u8| lut[usize::from(v)],
            (frame.height() as usize, frame.width() as usize),
            (rh as usize, rw as usize),
            3,
            rows.clone(),
            cols.clone(),
        );
        let dst = clip.frame_mut(f);
        if out.len() == dst.len() {
            dst.copy_from_slice(&out);
        }
    }
    clip
}
