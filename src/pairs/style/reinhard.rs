//! [`ColourTransfer`]: Reinhard et al. (2001) colour transfer in CIELAB —
//! the clip's per-channel mean and standard deviation are matched to a style
//! picture's. The clip's statistics are taken over all its frames, so every
//! frame gets the same affine map (motion untouched).

use super::colour::{lab_to_rgb, rgb_to_lab};
use super::{Style, StyleImage};
use crate::video::Clip;

/// Smallest source standard deviation divided by (Lab units), so a flat
/// channel (a grey clip's a/b) is not blown up from rounding noise.
const MIN_STD: f64 = 2.0;
/// Largest gain on a channel.
const MAX_GAIN: f64 = 4.0;

/// Reinhard colour transfer to a style picture.
#[derive(Clone, Debug)]
pub struct ColourTransfer {
    name: String,
    mean: [f64; 3],
    std: [f64; 3],
}

impl ColourTransfer {
    /// A transfer to the colours of `image`, called `name`.
    pub fn new(name: impl Into<String>, image: &StyleImage) -> Self {
        let (mean, std) = lab_moments(image.pixels().map(rgb_to_lab));
        Self {
            name: name.into(),
            mean,
            std,
        }
    }
}

/// Per-channel mean and population standard deviation, in f64.
fn lab_moments(pixels: impl Iterator<Item = [f32; 3]>) -> ([f64; 3], [f64; 3]) {
    let mut n = 0f64;
    let mut sum = [0f64; 3];
    let mut sum_sq = [0f64; 3];
    for p in pixels {
        n += 1.0;
        for c in 0..3 {
            let v = f64::from(p[c]);
            sum[c] += v;
            sum_sq[c] += v * v;
        }
    }
    let n = n.max(1.0);
    let mean = sum.map(|s| s / n);
    let std = std::array::from_fn(|c| (sum_sq[c] / n - mean[c] * mean[c]).max(0.0).sqrt());
    (mean, std)
}

impl Style for ColourTransfer {
    fn name(&self) -> &str {
        &self.name
    }

    fn apply(&self, clip: &mut Clip) {
        // Lab replaces RGB in place (no second buffer), the statistics are
        // taken over every pixel of every frame, then one affine map per
        // channel takes every pixel back to RGB.
        for p in clip.data.chunks_exact_mut(3) {
            let lab = rgb_to_lab(p);
            p.copy_from_slice(&lab);
        }
        let (mean, std) = lab_moments(clip.data.chunks_exact(3).map(|p| [p[0], p[1], p[2]]));
        let gain: [f64; 3] =
            std::array::from_fn(|c| (self.std[c] / std[c].max(MIN_STD)).min(MAX_GAIN));
        let map: [(f32, f32); 3] =
            std::array::from_fn(|c| (gain[c] as f32, (self.mean[c] - gain[c] * mean[c]) as f32));
        for p in clip.data.chunks_exact_mut(3) {
            let mapped = std::array::from_fn(|c| map[c].0 * p[c] + map[c].1);
            p.copy_from_slice(&lab_to_rgb(mapped));
        }
    }
}
