//! Building the model's input from clips: normalization and axis order.

use super::{InputDtype, InputLayout, InputSpec, Manifest};
use crate::video::Clip;

/// Element data of an input tensor.
#[derive(Clone, Debug, PartialEq)]
pub enum InputData {
    /// Normalized floats.
    F32(Vec<f32>),
    /// Raw pixels.
    U8(Vec<u8>),
}

/// An input tensor: its shape and row-major data.
#[derive(Clone, Debug, PartialEq)]
pub struct InputBatch {
    /// Shape in the manifest's layout (N first).
    pub shape: Vec<i64>,
    /// The values.
    pub data: InputData,
}

impl InputBatch {
    /// "[2, 3, 8, 112, 112] float32", for messages.
    pub fn describe(&self) -> String {
        let kind = match self.data {
            InputData::F32(_) => "float32",
            InputData::U8(_) => "uint8",
        };
        format!("{:?} {kind}", self.shape)
    }
}

/// Lays clips (T×H×W×3 in [0, 1], all the same size) out as the manifest's
/// single (or first) input asks; see [`build_one`]. `None` if the clips
/// differ in size or `clips` is empty.
pub fn build_input(clips: &[&Clip], m: &Manifest) -> Option<InputBatch> {
    build_one(clips, m.inputs().first()?)
}

/// The input tensors of a batch for every input of `m`: `items` holds
/// `n · k` clips for `k` inputs, item-major (item `i`'s input `j` is
/// `items[i · k + j]`). Errors say which input is wrong.
pub fn build_inputs(items: &[&Clip], m: &Manifest) -> Result<Vec<InputBatch>, String> {
    let inputs = m.inputs();
    let k = inputs.len();
    if items.is_empty() || !items.len().is_multiple_of(k) {
        return Err(format!(
            "{} clips for a model of {k} input(s): expected a multiple of {k}, at least one",
            items.len()
        ));
    }
    inputs
        .iter()
        .enumerate()
        .map(|(j, spec)| {
            let clips: Vec<&Clip> = items.iter().skip(j).step_by(k).copied().collect();
            build_one(&clips, spec).ok_or_else(|| {
                format!(
                    "input '{}': clips of different sizes in one batch",
                    spec.name
                )
            })
        })
        .collect()
}

/// Lays clips (T×H×W×3, all the same size) out as `spec` asks: float32
/// `(x − mean) / std` or uint8 `round(255 x)`, in NCTHW, NTHWC, NTCHW or
/// NCHW order (NCHW: each frame its own item, `n · T` items). A `uv` flow
/// input takes the first two channels (u, v) of each pixel. `None` if the
/// clips differ in size or `clips` is empty.
pub fn build_one(clips: &[&Clip], spec: &InputSpec) -> Option<InputBatch> {
    let first = clips.first()?;
    let (t, h, w) = (first.t, first.h, first.w);
    if clips.iter().any(|c| (c.t, c.h, c.w) != (t, h, w)) {
        return None;
    }
    let n = clips.len();
    let c = spec.channels();
    let shape: Vec<i64> = match spec.layout {
        InputLayout::Ncthw => vec![n, c, t, h, w],
        InputLayout::Nthwc => vec![n, t, h, w, c],
        InputLayout::Ntchw => vec![n, t, c, h, w],
        InputLayout::Nchw => vec![n * t, c, h, w],
    }
    .into_iter()
    .map(|d| d as i64)
    .collect();
    let total = n * t * h * w * c;
    // Destination index of source (clip i, frame f, pixel p, channel ch).
    let plane = h * w;
    let dest = |i: usize, f: usize, p: usize, ch: usize| -> usize {
        match spec.layout {
            InputLayout::Ncthw => (((i * c + ch) * t + f) * plane) + p,
            InputLayout::Nthwc => ((i * t + f) * plane + p) * c + ch,
            InputLayout::Ntchw | InputLayout::Nchw => (((i * t + f) * c + ch) * plane) + p,
        }
    };
    let data = match spec.dtype {
        InputDtype::Float32 => {
            let mut out = vec![0.0f32; total];
            let (mean, std) = (spec.mean(), spec.std());
            let scale: Vec<f32> = std.iter().map(|s| 1.0 / s).collect();
            for (i, clip) in clips.iter().enumerate() {
                for f in 0..t {
                    for (p, px) in clip.frame(f).chunks_exact(3).enumerate() {
                        for ch in 0..c {
                            out[dest(i, f, p, ch)] = (px[ch] - mean[ch]) * scale[ch];
                        }
                    }
                }
            }
            InputData::F32(out)
        }
        InputDtype::Uint8 => {
            let mut out = vec![0u8; total];
            for (i, clip) in clips.iter().enumerate() {
                for f in 0..t {
                    for (p, px) in clip.frame(f).chunks_exact(3).enumerate() {
                        for ch in 0..c {
                            out[dest(i, f, p, ch)] = (px[ch].clamp(0.0, 1.0) * 255.0).round() as u8;
                        }
                    }
                }
            }
            InputData::U8(out)
        }
    };
    Some(InputBatch { shape, data })
}
