//! [`Paint`]: an oil-paint look — a Kuwahara filter (edge-preserving
//! smoothing into flat patches) followed by a saturation and contrast boost.
//! Per frame, with fixed parameters: equal frames stay equal, and edges (so
//! moving outlines) stay where they are.

use super::Style;
use super::colour::luma;
use crate::video::Clip;

/// Kuwahara filter plus colour boost.
#[derive(Clone, Debug)]
pub struct Paint {
    name: String,
    radius: usize,
    saturation: f32,
    contrast: f32,
}

impl Paint {
    /// A paint style: Kuwahara quadrants of `(radius + 1)²` pixels, then the
    /// chroma scaled by `saturation` and luma spread about 0.5 by `contrast`.
    pub fn new(name: impl Into<String>, radius: usize, saturation: f32, contrast: f32) -> Self {
        Self {
            name: name.into(),
            radius,
            saturation,
            contrast,
        }
    }
}

/// Summed-area tables of R, G, B and luma², `(h + 1) × (w + 1)` each.
struct Integrals {
    w1: usize,
    sums: Vec<[f64; 5]>,
}

impl Integrals {
    fn new(frame: &[f32], h: usize, w: usize) -> Self {
        let w1 = w + 1;
        let mut sums = vec![[0f64; 5]; (h + 1) * w1];
        for y in 0..h {
            let mut row = [0f64; 5];
            for x in 0..w {
                let p = &frame[(y * w + x) * 3..(y * w + x) * 3 + 3];
                let l = f64::from(luma(p));
                let v = [f64::from(p[0]), f64::from(p[1]), f64::from(p[2]), l, l * l];
                for k in 0..5 {
                    row[k] += v[k];
                }
                let above = sums[y * w1 + x + 1];
                sums[(y + 1) * w1 + x + 1] = std::array::from_fn(|k| above[k] + row[k]);
            }
        }
        Self { w1, sums }
    }

    /// Sums over rows `y0..y1`, columns `x0..x1`.
    fn window(&self, y0: usize, y1: usize, x0: usize, x1: usize) -> [f64; 5] {
        let at = |y: usize, x: usize| self.sums[y * self.w1 + x];
        let (a, b, c, d) = (at(y1, x1), at(y0, x1), at(y1, x0), at(y0, x0));
        std::array::from_fn(|k| a[k] - b[k] - c[k] + d[k])
    }
}

impl Paint {
    fn kuwahara(&self, frame: &mut [f32], h: usize, w: usize) {
        let sat = Integrals::new(frame, h, w);
        let r = self.radius;
        for y in 0..h {
            for x in 0..w {
                // The four quadrants overlapping at (x, y), clipped to the frame.
                let ys = [(y.saturating_sub(r), y + 1), (y, (y + r + 1).min(h))];
                let xs = [(x.saturating_sub(r), x + 1), (x, (x + r + 1).min(w))];
                let mut best = ([0f64; 3], f64::INFINITY);
                for &(y0, y1) in &ys {
                    for &(x0, x1) in &xs {
                        let s = sat.window(y0, y1, x0, x1);
                        let n = ((y1 - y0) * (x1 - x0)) as f64;
                        let mean_l = s[3] / n;
                        let var = s[4] / n - mean_l * mean_l;
                        if var < best.1 {
                            best = ([s[0] / n, s[1] / n, s[2] / n], var);
                        }
                    }
                }
                let p = &mut frame[(y * w + x) * 3..(y * w + x) * 3 + 3];
                let [r_, g, b] = best.0;
                p.copy_from_slice(&[r_ as f32, g as f32, b as f32]);
            }
        }
    }

    fn boost(&self, frame: &mut [f32]) {
        for p in frame.chunks_exact_mut(3) {
            let l = luma(p);
            let target = 0.5 + (l - 0.5) * self.contrast;
            for v in p.iter_mut() {
                *v = (target + (*v - l) * self.saturation).clamp(0.0, 1.0);
            }
        }
    }
}

impl Style for Paint {
    fn name(&self) -> &str {
        &self.name
    }

    fn apply(&self, clip: &mut Clip) {
        let (h, w) = (clip.h, clip.w);
        for f in 0..clip.t {
            let frame = clip.frame_mut(f);
            self.kuwahara(frame, h, w);
            self.boost(frame);
        }
    }
}
