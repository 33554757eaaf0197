//! [`Palette`]: posterize the clip to a few colours taken from a style
//! picture. The palette is computed once, when the style is made (median cut
//! on the picture's pixels, refined by a few k-means steps, all
//! deterministic); every pixel of every frame then maps to its nearest
//! palette colour, so equal input pixels give equal output pixels.

use super::{Style, StyleImage};
use crate::video::Clip;

/// Refinement steps after the median cut.
const KMEANS_STEPS: usize = 5;

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
        Self {
            name: name.into(),
            colours,
        }
    }

    /// The palette colours.
    pub fn colours(&self) -> &[[f32; 3]] {
        &self.colours
    }

    fn nearest(&self, p: &[f32]) -> [f32; 3] {
        let mut best = self.colours[0];
        let mut best_d = f32::INFINITY;
        for c in &self.colours {
            let d = (c[0] - p[0]).powi(2) + (c[1] - p[1]).powi(2) + (c[2] - p[2]).powi(2);
            if d < best_d {
                (best, best_d) = (*c, d);
            }
        }
        best
    }
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
        for p in clip.data.chunks_exact_mut(3) {
            let q = self.nearest(p);
            p.copy_from_slice(&q);
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
    }
}
