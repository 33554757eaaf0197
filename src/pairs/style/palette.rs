//! [`Palette`]: posterize the clip to a few colours taken from a style
//! picture (a "gradient map").
//!
//! The palette is computed once, when the style is made: median cut on the
//! picture's pixels, refined by a few k-means steps (all deterministic), and
//! sorted by luma. A clip's luma range (its 1st to 99th percentile, taken
//! over all frames at once) is cut into as many equal steps as there are
//! colours, and each pixel takes the colour of its step: dark to dark, light
//! to light. Every frame gets the same map, so equal input pixels give equal
//! output pixels, and edges between different brightnesses stay where they
//! are. (Nearest-colour quantization was tried first: a palette without,
//! say, blues flattened a whole sky into one colour and lost most of the
//! picture; the rank-by-luma map always uses the whole palette.) Hue is not
//! kept: two regions of equal brightness and different hue merge.

use super::colour::luma;
use super::{Style, StyleImage};
use crate::video::Clip;

/// Refinement steps after the median cut.
const KMEANS_STEPS: usize = 5;
/// Luma histogram bins used to find the clip's percentiles.
const BINS: usize = 1024;
/// The clip's luma range is taken between these quantiles (so a few extreme
/// pixels do not squeeze everything else into one step).
const RANGE: (f64, f64) = (0.01, 0.99);

/// Nearest-colour quantization to a palette.
#[derive(Clone, Debug)]
pub struct Palette {
    name: String,
    colours: Vec<[f32; 3]>,
}

impl Palette {
    /// A palette of up to `k` colours (at least 1) from `image`, called
    /// `name`.
    pub fn new(name: impl Into<String>, image: &StyleImage, k: usize) -> Self {
        let pixels: Vec<[f32; 3]> = image.pixels().map(|p| [p[0], p[1], p[2]]).collect();
        let mut colours = median_cut(pixels.clone(), k.max(1));
        if colours.is_empty() {
            colours.push([0.5; 3]);
        }
        for _ in 0..KMEANS_STEPS {
            kmeans_step(&pixels, &mut colours);
        }
        colours.sort_by(|a, b| luma(a).total_cmp(&luma(b)));
        Self {
            name: name.into(),
            colours,
        }
    }

    /// The palette colours, darkest first.
    pub fn colours(&self) -> &[[f32; 3]] {
        &self.colours
    }
}

fn bin(luma: f32) -> usize {
    ((luma.clamp(0.0, 1.0) * BINS as f32) as usize).min(BINS - 1)
}

/// The clip's luma between its `RANGE` quantiles, as `(low, high)`.
fn luma_range(clip: &Clip) -> (f32, f32) {
    let mut histogram = vec![0u64; BINS];
    for p in clip.data.chunks_exact(3) {
        histogram[bin(luma(p))] += 1;
    }
    let n = histogram.iter().sum::<u64>().max(1) as f64;
    let quantile = |q: f64| {
        let mut seen = 0u64;
        for (i, &count) in histogram.iter().enumerate() {
            seen += count;
            if seen as f64 >= q * n {
                return i;
            }
        }
        BINS - 1
    };
    let (lo, hi) = (quantile(RANGE.0), quantile(RANGE.1));
    (lo as f32 / BINS as f32, (hi + 1) as f32 / BINS as f32)
}

fn mean_colour(pixels: &[[f32; 3]]) -> [f32; 3] {
    let n = pixels.len().max(1) as f64;
    std::array::from_fn(|c| (pixels.iter().map(|p| f64::from(p[c])).sum::<f64>() / n) as f32)
}

/// Widest channel of a box and its range.
fn widest(pixels: &[[f32; 3]]) -> (usize, f32) {
    (0..3)
        .map(|c| {
            let (lo, hi) = pixels
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), p| {
                    (lo.min(p[c]), hi.max(p[c]))
                });
            (c, hi - lo)
        })
        .fold((0, f32::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a })
}

/// Heckbert's median cut: split the box with the widest channel range at
/// its median until there are `k` boxes; the palette is the box means.
fn median_cut(pixels: Vec<[f32; 3]>, k: usize) -> Vec<[f32; 3]> {
    let mut boxes = vec![pixels];
    while boxes.len() < k {
        let Some((i, channel)) = boxes
            .iter()
            .enumerate()
            .filter(|(_, b)| b.len() >= 2)
            .map(|(i, b)| (i, widest(b)))
            .filter(|(_, (_, range))| *range > 0.0)
            .max_by(|a, b| a.1.1.total_cmp(&b.1.1))
            .map(|(i, (c, _))| (i, c))
        else {
            break;
        };
        let mut b = boxes.swap_remove(i);
        b.sort_unstable_by(|p, q| p[channel].total_cmp(&q[channel]));
        let upper = b.split_off(b.len() / 2);
        boxes.push(b);
        boxes.push(upper);
    }
    boxes
        .iter()
        .filter(|b| !b.is_empty())
        .map(|b| mean_colour(b))
        .collect()
}

/// One Lloyd step: assign each pixel to its nearest colour, move each colour
/// to its members' mean (a colour with no members stays).
fn kmeans_step(pixels: &[[f32; 3]], colours: &mut [[f32; 3]]) {
    let mut sums = vec![[0f64; 4]; colours.len()];
    for p in pixels {
        let mut best = (0, f32::INFINITY);
        for (i, c) in colours.iter().enumerate() {
            let d = (c[0] - p[0]).powi(2) + (c[1] - p[1]).powi(2) + (c[2] - p[2]).powi(2);
            if d < best.1 {
                best = (i, d);
            }
        }
        let s = &mut sums[best.0];
        for c in 0..3 {
            s[c] += f64::from(p[c]);
        }
        s[3] += 1.0;
    }
    for (colour, s) in colours.iter_mut().zip(&sums) {
        if s[3] > 0.0 {
            *colour = std::array::from_fn(|c| (s[c] / s[3]) as f32);
        }
    }
}

impl Style for Palette {
    fn name(&self) -> &str {
        &self.name
    }

    fn apply(&self, clip: &mut Clip) {
        let (lo, hi) = luma_range(clip);
        let k = self.colours.len();
        let steps = k as f32 / (hi - lo).max(1.0 / BINS as f32);
        for p in clip.data.chunks_exact_mut(3) {
            let level = ((luma(p) - lo) * steps).max(0.0) as usize;
            p.copy_from_slice(&self.colours[level.min(k - 1)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_cut_finds_the_colours_of_a_two_colour_picture() {
        let mut data = [0.1f32, 0.2, 0.9].repeat(50);
        data.extend([0.8f32, 0.7, 0.1].repeat(50));
        let image = StyleImage { w: 10, h: 10, data };
        let palette = Palette::new("two", &image, 4);
        assert!(palette.colours().len() >= 2);
        for want in [[0.1f32, 0.2, 0.9], [0.8, 0.7, 0.1]] {
            assert!(
                palette
                    .colours()
                    .iter()
                    .any(|c| { (0..3).all(|i| (c[i] - want[i]).abs() < 1e-5) })
            );
        }
        let lumas: Vec<f32> = palette.colours().iter().map(|c| luma(c)).collect();
        assert!(lumas.windows(2).all(|w| w[0] <= w[1]), "sorted by luma");
    }

    #[test]
    fn dark_maps_to_the_darkest_colour_and_light_to_the_lightest() {
        let mut data = [0.0f32, 0.0, 0.0].repeat(40);
        data.extend([0.5f32, 0.5, 0.5].repeat(30));
        data.extend([1.0f32, 1.0, 1.0].repeat(30));
        let image = StyleImage { w: 10, h: 10, data };
        let palette = Palette::new("grey", &image, 3);
        let mut clip = Clip::zeros(2, 1, 3);
        clip.data = [0.1f32, 0.1, 0.1, 0.5, 0.5, 0.5, 0.9, 0.9, 0.9].repeat(2);
        palette.apply(&mut clip);
        let colours = palette.colours();
        assert_eq!(colours.len(), 3);
        assert_eq!(clip.frame(0), clip.frame(1));
        for (i, p) in clip.frame(0).chunks_exact(3).enumerate() {
            assert_eq!(p, colours[i], "pixel {i}");
        }
    }
}
