//! Bilinear resize matching `torch.nn.functional.interpolate(mode="bilinear",
//! align_corners=False, antialias=False)` on f32 input, to float rounding.
//!
//! # Contract
//! - Input and output are H×W×C interleaved f32 (`data[(y * w + x) * c + ch]`).
//! - Per output index `o` along an axis of `n_in → n_out`: if `n_in == n_out`
//!   the input row/column is copied; else `scale = n_in / n_out` (f32),
//!   `src = max(scale · (o + 0.5) − 0.5, 0)` (half-pixel centres),
//!   `i0 = min(floor(src), n_in − 1)`, `i1 = i0 + 1` clamped to the edge,
//!   `λ1 = clamp(src − i0, 0, 1)`, `λ0 = 1 − λ1`, all in f32 as PyTorch's CPU
//!   kernel does (`area_pixel_compute_source_index`, `guard_index_and_lambda`).
//!   The source index is computed with a fused multiply-add
//!   (`fma(scale, o + 0.5, −0.5)`), which is what PyTorch's x86-64 (AVX2) and
//!   ARM builds compute: the compiler fuses it there.
//! - A value is `(x[y0,x0]·λx0 + x[y0,x1]·λx1)·λy0 + (x[y1,x0]·λx0 + x[y1,x1]·λx1)·λy1`,
//!   PyTorch's evaluation order. Its kernel fuses some of these multiply-adds
//!   in compiler-specific ways, so the result agrees with PyTorch to about
//!   one ulp (≤ 1.2e-7 on [0, 1] values in the tests), not bit for bit; plain
//!   arithmetic here keeps the pixel loop fast without FMA hardware.
//! - No antialiasing: downscaling by more than 2 skips pixels, like the
//!   reference.
//! - Only a window of the output may be computed ([`resize_window`]); the
//!   weights depend only on the output index, so a resize followed by a crop
//!   equals resizing just the crop window.

use std::ops::Range;

/// The two input taps and weights of one output index along one axis.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tap {
    i0: usize,
    i1: usize,
    l0: f32,
    l1: f32,
}

fn taps(n_in: usize, n_out: usize, range: Range<usize>) -> Vec<Tap> {
    range
        .map(|o| {
            if n_in == n_out {
                return Tap {
                    i0: o,
                    i1: o,
                    l0: 1.0,
                    l1: 0.0,
                };
            }
            let scale = n_in as f32 / n_out as f32;
            // A fused multiply-add, as PyTorch's AVX2/NEON kernels are
            // compiled: one rounding less moves `src` by an ulp, and the
            // output by up to ~2e-6.
            let src = scale.mul_add(o as f32 + 0.5, -0.5).max(0.0);
            let i0 = (src.floor() as usize).min(n_in - 1);
            let l1 = (src - i0 as f32).clamp(0.0, 1.0);
            let i1 = if i0 < n_in - 1 { i0 + 1 } else { i0 };
            Tap {
                i0,
                i1,
                l0: 1.0 - l1,
                l1,
            }
        })
        .collect()
}

/// Resizes an `h × w × c` image to `out_h × out_w × c`. Empty input or output
/// sizes give an empty vector.
pub fn resize_bilinear(
    src: &[f32],
    (h, w): (usize, usize),
    (out_h, out_w): (usize, usize),
    c: usize,
) -> Vec<f32> {
    resize_window(src, (h, w), (out_h, out_w), c, 0..out_h, 0..out_w)
}

/// Like [`resize_bilinear`], but computes only output rows `rows` and columns
/// `cols` of the `out_h × out_w` result (a crop of it), returning a
/// `rows.len() × cols.len() × c` image. Ranges are clamped to the output.
pub fn resize_window(
    src: &[f32],
    (h, w): (usize, usize),
    (out_h, out_w): (usize, usize),
    c: usize,
    rows: Range<usize>,
    cols: Range<usize>,
) -> Vec<f32> {
    resize_window_with(src, |v| v, (h, w), (out_h, out_w), c, rows, cols)
}

/// [`resize_window`] on any pixel type, each input value converted with
/// `value` when it is read (e.g. `u8 → v / 255` through a table), so a large
/// frame is never converted whole.
pub(crate) fn resize_window_with<T: Copy>(
    src: &[T],
    value: impl Fn(T) -> f32,
    (h, w): (usize, usize),
    (out_h, out_w): (usize, usize),
    c: usize,
    rows: Range<usize>,
    cols: Range<usize>,
) -> Vec<f32> {
    let rows = rows.start.min(out_h)..rows.end.min(out_h);
    let cols = cols.start.min(out_w)..cols.end.min(out_w);
    if h == 0 || w == 0 || c == 0 || src.len() < h * w * c || rows.is_empty() || cols.is_empty() {
        return Vec::new();
    }
    let ty = taps(h, out_h, rows);
    let tx = taps(w, out_w, cols);
    let mut out = Vec::with_capacity(ty.len() * tx.len() * c);
    for y in &ty {
        let r0 = &src[y.i0 * w * c..(y.i0 + 1) * w * c];
        let r1 = &src[y.i1 * w * c..(y.i1 + 1) * w * c];
        for x in &tx {
            let (a0, a1) = (x.i0 * c, x.i1 * c);
            for ch in 0..c {
                let t0 = value(r0[a0 + ch]) * x.l0 + value(r0[a1 + ch]) * x.l1;
                let t1 = value(r1[a0 + ch]) * x.l0 + value(r1[a1 + ch]) * x.l1;
                out.push(t0 * y.l0 + t1 * y.l1);
            }
        }
    }
    out
}
